/* SPDX-License-Identifier: GPL-2.0-or-later */
/* log.c - see log.h. */
#include "util/log.h"
#include "util/clock.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static enum log_level cur_level = LOG_INFO;
static const char level_char[] = "EWID";

void log_set_level(enum log_level level)
{
	cur_level = level;
}

enum log_level log_get_level(void)
{
	return cur_level;
}

int errf(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return rc;
}

int log_parse_level(const char *s, enum log_level *out)
{
	static const char *const names[] = { "error", "warn", "info", "debug" };
	int i;

	for (i = 0; i < 4; i++) {
		if (!strcmp(s, names[i])) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return -1;
}

/* Format the whole line into one buffer and write it with one call, so
 * lines from different threads never interleave. */
static void log_vline(enum log_level level, const char *tag,
		      const char *suffix, const char *fmt, va_list ap)
{
	char line[1024];
	struct timespec ts;
	struct tm tm;
	size_t n;
	int r;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(line, sizeof line, "%Y-%m-%dT%H:%M:%S", &tm);
	r = snprintf(line + n, sizeof line - n, ".%03ldZ %c %s: ",
		     ts.tv_nsec / 1000000L, level_char[level], tag);
	if (r > 0 && (size_t)r < sizeof line - n)
		n += (size_t)r;
	r = vsnprintf(line + n, sizeof line - n, fmt, ap);
	n = r < 0 ? n : (size_t)r < sizeof line - n ? n + (size_t)r : sizeof line - 1;
	if (suffix && n < sizeof line - 1) {
		r = snprintf(line + n, sizeof line - n, "%s", suffix);
		n = r < 0 ? n : (size_t)r < sizeof line - n ? n + (size_t)r : sizeof line - 1;
	}
	if (n >= sizeof line - 1)
		n = sizeof line - 2;
	line[n++] = '\n';
	fwrite(line, 1, n, stderr);
}

void log_msg(enum log_level level, const char *tag, const char *fmt, ...)
{
	va_list ap;

	if (level > cur_level)
		return;
	va_start(ap, fmt);
	log_vline(level, tag, NULL, fmt, ap);
	va_end(ap);
}

int log_limited(struct log_limit *rl, enum log_level level, const char *tag,
		const char *fmt, ...)
{
	uint64_t now = clock_mono_ns();
	char suffix[64] = "";
	va_list ap;

	rl->count++;
	if (rl->last_ns && now - rl->last_ns < (uint64_t)LOG_LIMIT_INTERVAL_MS * 1000000u) {
		rl->suppressed++;
		return 0;
	}
	if (rl->suppressed)
		snprintf(suffix, sizeof suffix, " (%llu similar suppressed)",
			 (unsigned long long)rl->suppressed);
	rl->last_ns = now ? now : 1;
	rl->suppressed = 0;
	if (level > cur_level)
		return 0;
	va_start(ap, fmt);
	log_vline(level, tag, suffix, fmt, ap);
	va_end(ap);
	return 1;
}
