/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_rtsp.c - the RTSP server's pure code (proto/rtsp_msg.h) over
 * arbitrary bytes: a complete head is never longer than the input, the
 * fields are terminated; the same head alone parses to the same length
 * and one byte less is never complete; the transport, URI and
 * authorization parsers take whatever the request carried.  The same
 * bytes as a response (the publisher's side) keep the same rules, and
 * its challenge is answered within bounds. */
#include "proto/rtsp_msg.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void response(const uint8_t *data, size_t size)
{
	struct rtsp_resp r;
	char line[256];
	int n = rtsp_parse_response((const char *)data, size, &r);

	if (n <= 0)
		return;
	if ((size_t)n > size || r.status < 100 || r.status > 599 ||
	    !memchr(r.challenge, 0, sizeof r.challenge) || !memchr(r.cseq, 0, sizeof r.cseq))
		abort();
	if (rtsp_parse_response((const char *)data, (size_t)n - 1, &r) > 0)
		abort();
	if (rtsp_auth_answer(line, sizeof line, r.challenge, "user:pass", "ANNOUNCE",
			     "rtsp://h/x", "cnonce") >= sizeof line || !memchr(line, 0, sizeof line))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rtsp_req r;
	struct rtsp_transport t;
	int n = rtsp_parse_request((const char *)data, size, &r);

	response(data, size);
	if (n <= 0)
		return 0;
	if ((size_t)n > size || !memchr(r.uri, 0, sizeof r.uri) ||
	    !memchr(r.cseq, 0, sizeof r.cseq) || !memchr(r.session, 0, sizeof r.session) ||
	    !memchr(r.transport, 0, sizeof r.transport) || !memchr(r.auth, 0, sizeof r.auth))
		abort();
	if (rtsp_parse_request((const char *)data, (size_t)n, &r) != n)
		abort();
	if (rtsp_parse_request((const char *)data, (size_t)n - 1, &r) > 0)
		abort();
	if (!rtsp_transport_pick(r.transport, 1, 1, &t) &&
	    (t.tcp ? t.ch_rtp < 0 || t.ch_rtp > 255 : !t.rtp_port || t.rtp_port > 65535))
		abort();
	(void)rtsp_uri_target(r.uri, "live");
	(void)rtsp_auth_ok(RTSP_AUTH_DIGEST, "user:pass", "cvmmap-streamer", "nonce",
			   rtsp_method_name(r.method), r.auth);
	(void)rtsp_auth_ok(RTSP_AUTH_BASIC, "user:pass", "cvmmap-streamer", "nonce",
			   rtsp_method_name(r.method), r.auth);
	return 0;
}
