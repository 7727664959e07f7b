/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_log.c - levels and rate limiting of log.c. */
#include "unit.h"
#include "util/log.h"

#include <unistd.h>

/* Capture stderr into a pipe while fn runs; return bytes captured. */
static size_t capture(void (*fn)(void), char *out, size_t cap)
{
	int fds[2], saved;
	ssize_t n;

	fflush(stderr);
	if (pipe(fds))
		return 0;
	saved = dup(2);
	dup2(fds[1], 2);
	fn();
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	close(fds[1]);
	n = read(fds[0], out, cap - 1);
	close(fds[0]);
	out[n > 0 ? n : 0] = '\0';
	return n > 0 ? (size_t)n : 0;
}

static void emit_levels(void)
{
	log_set_level(LOG_WARN);
	log_info("t", "hidden %d", 1);
	log_warn("t", "shown %d", 2);
	log_set_level(LOG_INFO);
}

static void t_levels_filter(void)
{
	char buf[4096];

	capture(emit_levels, buf, sizeof buf);
	CHECK(strstr(buf, "hidden") == NULL);
	CHECK(strstr(buf, " W t: shown 2\n") != NULL);
	CHECK(buf[4] == '-' && buf[10] == 'T'); /* ISO timestamp first */
}

static struct log_limit rl;

static void emit_burst(void)
{
	int i;

	for (i = 0; i < 50; i++)
		log_limited(&rl, LOG_WARN, "rtp", "send failed %d", i);
}

static void t_rate_limit_counts(void)
{
	char buf[8192];
	const char *p;
	int lines = 0;

	memset(&rl, 0, sizeof rl);
	capture(emit_burst, buf, sizeof buf);
	for (p = buf; (p = strchr(p, '\n')); p++)
		lines++;
	CHECK_EQ(lines, 1);                 /* one line for the whole burst */
	CHECK(strstr(buf, "send failed 0") != NULL);
	CHECK_EQ(rl.count, 50);             /* but every call is counted */
	CHECK_EQ(rl.suppressed, 49);
	rl.last_ns = 1;                     /* pretend the interval passed */
	capture(emit_burst, buf, sizeof buf);
	CHECK(strstr(buf, "(49 similar suppressed)") != NULL);
}

static void t_parse_level(void)
{
	enum log_level l;

	CHECK(log_parse_level("debug", &l) == 0 && l == LOG_DEBUG);
	CHECK(log_parse_level("error", &l) == 0 && l == LOG_ERROR);
	CHECK(log_parse_level("loud", &l) == -1);
}

static const struct unit_case cases[] = {
	UNIT(t_levels_filter),
	UNIT(t_rate_limit_counts),
	UNIT(t_parse_level),
};
UNIT_MAIN(cases)
