/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_srt_url.c - the --srt-url parser (src/proto/srt_url.c): every
 * key at both ends of its range and one past, the shorthand forms, and
 * error lines that never echo a value. */
#include "unit.h"
#include "proto/srt_url.h"

#include <string.h>

struct row {
	const char *in;
	int rc;
	const char *host;
	unsigned port;
	int mode;
	long latency;
	int pbkeylen;
	const char *streamid;
	const char *err;        /* a part of the error line (rc -1) */
};

#define OK(in, host, port, mode, lat, pbk, sid) \
	{ in, 0, host, port, mode, lat, pbk, sid, NULL }
#define BAD(in, err) { in, -1, NULL, 0, 0, 0, 0, NULL, err }

static const struct row rows[] = {
	OK("srt://127.0.0.1:9000", "127.0.0.1", 9000, SRT_CALLER, -1, 0, ""),
	OK("srt://h:1/", "h", 1, SRT_CALLER, -1, 0, ""),
	OK("srt://h:65535?", "h", 65535, SRT_CALLER, -1, 0, ""),
	OK("srt://:9000?mode=listener", "0.0.0.0", 9000, SRT_LISTENER, -1, 0, ""),
	OK("srt://[::1]:9000?mode=caller&latency=0", "::1", 9000, SRT_CALLER, 0, 0, ""),
	OK("srt://h:9?latency=60000", "h", 9, SRT_CALLER, 60000, 0, ""),
	OK("srt://h:9?latency=120&pbkeylen=0", "h", 9, SRT_CALLER, 120, 0, ""),
	OK("srt://h:9?pbkeylen=16", "h", 9, SRT_CALLER, -1, 16, ""),
	OK("srt://h:9?pbkeylen=24", "h", 9, SRT_CALLER, -1, 24, ""),
	OK("srt://h:9?pbkeylen=32&", "h", 9, SRT_CALLER, -1, 32, ""),
	OK("srt://h:9?&&streamid=%23!::r=live/cam,m=publish", "h", 9, SRT_CALLER, -1, 0,
	   "#!::r=live/cam,m=publish"),
	OK("srt://h:9/?mode=listener&mode=caller", "h", 9, SRT_CALLER, -1, 0, ""),
	BAD("rtmp://h:9", "must start with srt://"),
	BAD("srt://h", "HOST:PORT"),
	BAD("srt://h:0", "HOST:PORT"),
	BAD("srt://h:65536", "HOST:PORT"),
	BAD("srt://user:pw@h:9", "no user@"),
	BAD("srt://::1:9", "HOST:PORT"),
	BAD("srt://h:9/live", "nothing may follow"),
	BAD("srt://h:9?mode=rendezvous", "caller or listener"),
	BAD("srt://h:9?mode=", "caller or listener"),
	BAD("srt://h:9?latency=60001", "MILLISECONDS"),
	BAD("srt://h:9?latency=-1", "MILLISECONDS"),
	BAD("srt://h:9?latency=", "MILLISECONDS"),
	BAD("srt://h:9?latency=120000000", "MILLISECONDS"),
	BAD("srt://h:9?latency=1e3", "MILLISECONDS"),
	BAD("srt://h:9?pbkeylen=8", "0, 16, 24 or 32"),
	BAD("srt://h:9?pbkeylen=33", "0, 16, 24 or 32"),
	BAD("srt://h:9?streamid=%zz", "escape"),
	BAD("srt://h:9?streamid=%00", "escape"),
	BAD("srt://h:9?passphrase=verysecretpass", "no passphrase in the URL"),
	BAD("srt://h:9?latencyx=1", "unknown option 'latencyx'"),
	BAD("srt://h:9?=1", "unknown option"),
};

static void t_rows(void)
{
	size_t i;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const struct row *r = &rows[i];
		struct srt_url u;
		char err[256] = "";
		int rc = srt_url_parse(r->in, &u, err, sizeof err);

		if (rc != r->rc)
			printf("    '%s' -> %d (%s)\n", r->in, rc, err);
		CHECK_EQ(rc, r->rc);
		if (rc) {
			if (!strstr(err, r->err))
				printf("    '%s': '%s' lacks '%s'\n", r->in, err, r->err);
			CHECK(strstr(err, r->err) != NULL);
			continue;
		}
		CHECK_STR(u.host, r->host);
		CHECK_EQ(u.port, r->port);
		CHECK_EQ(u.mode, r->mode);
		CHECK_EQ(u.latency_ms, r->latency);
		CHECK_EQ(u.pbkeylen, r->pbkeylen);
		CHECK_STR(u.streamid, r->streamid);
	}
}

/* A streamid of exactly SRT_STREAMID_MAX bytes, plain and %-escaped,
 * fits; one more does not.  No error line repeats what was given. */
static void t_streamid_limits(void)
{
	static char in[64 + 3 * SRT_STREAMID_MAX + 8];
	struct srt_url u;
	char err[256];
	size_t i, n;

	n = (size_t)snprintf(in, sizeof in, "srt://h:9?streamid=");
	for (i = 0; i < SRT_STREAMID_MAX; i++)
		in[n + i] = 'a';
	in[n + i] = '\0';
	CHECK_EQ(srt_url_parse(in, &u, err, sizeof err), 0);
	CHECK_EQ(strlen(u.streamid), (size_t)SRT_STREAMID_MAX);
	in[n + i] = 'a';
	in[n + i + 1] = '\0';
	CHECK_EQ(srt_url_parse(in, &u, err, sizeof err), -1);
	CHECK(strstr(err, "aaaa") == NULL);

	for (i = 0; i < SRT_STREAMID_MAX; i++)
		memcpy(in + n + 3 * i, "%41", 3);
	in[n + 3 * i] = '\0';
	CHECK_EQ(srt_url_parse(in, &u, err, sizeof err), 0);
	CHECK_EQ(strlen(u.streamid), (size_t)SRT_STREAMID_MAX);
	CHECK_EQ(u.streamid[0], 'A');
	memcpy(in + n + 3 * i, "%41", 4);
	CHECK_EQ(srt_url_parse(in, &u, err, sizeof err), -1);

	CHECK_EQ(srt_url_parse("srt://h:9?streamid=user:hunter2&mode=x", &u, err, sizeof err), -1);
	CHECK(strstr(err, "hunter2") == NULL);
	CHECK_EQ(srt_url_parse(NULL, &u, err, sizeof err), -1);
}

static const struct unit_case cases[] = {
	UNIT(t_rows),
	UNIT(t_streamid_limits),
};
UNIT_MAIN(cases)
