/* SPDX-License-Identifier: GPL-2.0-or-later */
/* srt_url.h - the --srt-url parser (pure: no I/O, no allocation, no
 * libsrt), tested by test_srt_url and fuzzed by fuzz_srt_url.
 *
 *   srt://HOST:PORT[/][?mode=caller|listener&latency=MS&streamid=ID&pbkeylen=N]
 *   srt://:PORT[?...]     every interface (FFmpeg's listener shorthand)
 *
 * The query keys are those of libsrt's srt:// URI (docs/srt.md), except
 * that latency is in MILLISECONDS (SRTO_LATENCY; FFmpeg's srt:// latency
 * is in microseconds) and a passphrase is refused: it comes from a file
 * or the environment only.
 */
#ifndef CVMMAP_SRT_URL_H
#define CVMMAP_SRT_URL_H

#include <stddef.h>

#define SRT_LATENCY_MAX 60000           /* ms */
#define SRT_STREAMID_MAX 512            /* SRTO_STREAMID: 512 bytes */

enum { SRT_CALLER, SRT_LISTENER };

struct srt_url {
	char host[256];
	unsigned port;
	int mode;                       /* SRT_CALLER (default) or SRT_LISTENER */
	long latency_ms;                /* -1: libsrt's default (120) */
	int pbkeylen;                   /* 0: libsrt's default */
	char streamid[SRT_STREAMID_MAX + 1];  /* %XX-decoded */
};

/* Parse s into *u: 0, or -1 with one line in err[n] that never repeats a
 * value (a streamid may carry credentials). */
int srt_url_parse(const char *s, struct srt_url *u, char *err, size_t n);

#endif
