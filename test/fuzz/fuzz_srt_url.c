/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_srt_url.c - the --srt-url parser (src/proto/srt_url.c) over
 * arbitrary strings: it must not read or write out of bounds, and what
 * it accepts must be in range (port 1..65535, latency -1 or 0..60000,
 * pbkeylen 0/16/24/32, a NUL-terminated streamid within its bound). */
#include "proto/srt_url.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct srt_url u;
	char in[2048], err[160];

	if (size >= sizeof in)
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';
	err[0] = '\0';
	if (srt_url_parse(in, &u, err, sizeof err)) {
		if (!err[0] || !memchr(err, '\0', sizeof err))
			abort();
		return 0;
	}
	if (!u.port || u.port > 65535 || !u.host[0] ||
	    u.latency_ms < -1 || u.latency_ms > SRT_LATENCY_MAX ||
	    (u.pbkeylen && u.pbkeylen != 16 && u.pbkeylen != 24 && u.pbkeylen != 32) ||
	    (u.mode != SRT_CALLER && u.mode != SRT_LISTENER) ||
	    strlen(u.streamid) > SRT_STREAMID_MAX)
		abort();
	return 0;
}
