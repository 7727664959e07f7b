/* SPDX-License-Identifier: GPL-2.0-or-later */
/* srt_url.c - the --srt-url parser (srt_url.h). */
#include "proto/srt_url.h"
#include "util/url.h"

#include <stdio.h>
#include <string.h>

/* Decimal in [lo, hi] into *v; 0 or -1. */
static int parse_long(const char *s, size_t n, long lo, long hi, long *v)
{
	long x = 0;
	size_t i;

	if (!n || n > 9)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		x = x * 10 + (s[i] - '0');
	}
	if (x < lo || x > hi)
		return -1;
	*v = x;
	return 0;
}

int srt_url_parse(const char *s, struct srt_url *u, char *err, size_t n)
{
	struct url pu;
	const char *q, *k;
	char tmp[600], sid[3 * SRT_STREAMID_MAX + 1];

	memset(u, 0, sizeof *u);
	u->mode = SRT_CALLER;
	u->latency_ms = -1;
	if (!s || strncmp(s, "srt://", 6)) {
		snprintf(err, n, "--srt-url must start with srt://");
		return -1;
	}
	/* srt://:PORT (FFmpeg's listener shorthand): every interface */
	if (s[6] == ':' && strlen(s) < sizeof tmp - 8) {
		snprintf(tmp, sizeof tmp, "srt://0.0.0.0%s", s + 6);
		s = tmp;
	}
	if (url_parse(s, &pu) || pu.has_userinfo || !pu.port) {
		snprintf(err, n, "--srt-url: not srt://HOST:PORT[?options] ([addr] for IPv6, "
			 "a port 1..65535, no user@)");
		return -1;
	}
	snprintf(u->host, sizeof u->host, "%s", pu.host);
	u->port = pu.port;
	q = pu.rest;
	if (*q == '/')
		q++;
	if (*q && *q != '?') {
		snprintf(err, n, "--srt-url: nothing may follow HOST:PORT but ?options");
		return -1;
	}
	for (k = *q ? q + 1 : q; *k; ) {
		const char *amp = strchr(k, '&'), *e = amp ? amp : k + strlen(k);
		const char *eq = memchr(k, '=', (size_t)(e - k));
		size_t kl = eq ? (size_t)(eq - k) : (size_t)(e - k), vl;
		const char *v = eq ? eq + 1 : e;
		long x;

		vl = (size_t)(e - v);
		if (!kl && !eq) {
			/* "?&" or a trailing '&': nothing ("?=1" is unknown) */
		} else if (kl == 4 && !memcmp(k, "mode", 4)) {
			if (vl == 6 && !memcmp(v, "caller", 6))
				u->mode = SRT_CALLER;
			else if (vl == 8 && !memcmp(v, "listener", 8))
				u->mode = SRT_LISTENER;
			else {
				snprintf(err, n, "--srt-url: mode must be caller or listener");
				return -1;
			}
		} else if (kl == 7 && !memcmp(k, "latency", 7)) {
			if (parse_long(v, vl, 0, SRT_LATENCY_MAX, &x)) {
				snprintf(err, n, "--srt-url: latency must be 0..%d MILLISECONDS "
					 "(FFmpeg's srt:// latency is in microseconds)", SRT_LATENCY_MAX);
				return -1;
			}
			u->latency_ms = x;
		} else if (kl == 8 && !memcmp(k, "pbkeylen", 8)) {
			if (parse_long(v, vl, 0, 32, &x) || (x && x != 16 && x != 24 && x != 32)) {
				snprintf(err, n, "--srt-url: pbkeylen must be 0, 16, 24 or 32");
				return -1;
			}
			u->pbkeylen = (int)x;
		} else if (kl == 8 && !memcmp(k, "streamid", 8)) {
			if (vl > SRT_STREAMID_MAX * 3) {
				snprintf(err, n, "--srt-url: streamid longer than %d bytes", SRT_STREAMID_MAX);
				return -1;
			}
			/* decoded in sid: the escaped form may be 3x longer */
			memcpy(sid, v, vl);
			sid[vl] = '\0';
			if (url_unescape(sid) || strlen(sid) > SRT_STREAMID_MAX) {
				snprintf(err, n, "--srt-url: streamid: a bad %%XX escape or longer than "
					 "%d bytes", SRT_STREAMID_MAX);
				return -1;
			}
			memcpy(u->streamid, sid, strlen(sid) + 1);
		} else if (kl == 10 && !memcmp(k, "passphrase", 10)) {
			snprintf(err, n, "--srt-url: no passphrase in the URL: use "
				 "--srt-passphrase-file PATH or CVMMAP_SRT_PASSPHRASE");
			return -1;
		} else {
			snprintf(err, n, "--srt-url: unknown option '%.*s' (mode, latency, streamid, "
				 "pbkeylen)", (int)(kl > 32 ? 32 : kl), k);
			return -1;
		}
		k = amp ? amp + 1 : e;
	}
	return 0;
}
