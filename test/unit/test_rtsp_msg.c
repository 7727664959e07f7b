/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_rtsp_msg.c - RTSP request parsing, transports, URIs, MD5 and the
 * Basic/Digest checks (proto/rtsp_msg.h, util/md5.h).  The MD5 vectors
 * are RFC 1321 A.5's, the Digest one is RFC 2617 3.5's, the Basic one
 * RFC 7617 2's; the no-qop Digest response was computed with Python's
 * hashlib, not with our MD5. */
#include "proto/rtsp_msg.h"
#include "proto/sdp.h"
#include "util/md5.h"
#include "unit.h"

#include <errno.h>

/* FFmpeg 5.1's DESCRIBE, byte for byte as it sends it. */
static const char ffmpeg_describe[] =
	"DESCRIBE rtsp://127.0.0.1:8554/live RTSP/1.0\r\n"
	"Accept: application/sdp\r\n"
	"CSeq: 2\r\n"
	"User-Agent: Lavf59.27.100\r\n"
	"\r\n";

static void t_md5_rfc1321(void)
{
	static const char *const v[][2] = {
		{ "", "d41d8cd98f00b204e9800998ecf8427e" },
		{ "a", "0cc175b9c0f1b6a831c399e269772661" },
		{ "abc", "900150983cd24fb0d6963f7d28e17f72" },
		{ "message digest", "f96b697d7cb7938d525a2f31aaf161d0" },
		{ "abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b" },
		{ "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
		  "d174ab98d277d9f5a5611c2c9f419d9f" },
		{ "1234567890123456789012345678901234567890123456789012345678901234567890"
		  "1234567890", "57edf4a22be3c955ac49da2e2107b67a" },
	};
	char hex[33];
	size_t i;

	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		md5_hex(v[i][0], strlen(v[i][0]), hex);
		CHECK_STR(hex, v[i][1]);
	}
}

/* Fed in pieces of every size, the digest is the same (block edges). */
static void t_md5_split(void)
{
	const char *s = "1234567890123456789012345678901234567890123456789012345678901234"
			"5678901234567890";
	size_t n = strlen(s), k, i;

	for (k = 1; k <= n; k++) {
		struct md5 m;
		uint8_t d[16];
		char hex[33];

		md5_init(&m);
		for (i = 0; i < n; i += k)
			md5_update(&m, s + i, n - i < k ? n - i : k);
		md5_final(&m, d);
		for (i = 0; i < 16; i++)
			sprintf(hex + 2 * i, "%02x", d[i]);
		CHECK_STR(hex, "57edf4a22be3c955ac49da2e2107b67a");
	}
}

static void t_parse_ffmpeg(void)
{
	struct rtsp_req r;
	size_t n = strlen(ffmpeg_describe), i;

	CHECK_EQ(rtsp_parse_request(ffmpeg_describe, n, &r), n);
	CHECK_EQ(r.method, RTSP_DESCRIBE);
	CHECK(r.version_ok);
	CHECK_STR(r.uri, "rtsp://127.0.0.1:8554/live");
	CHECK_STR(r.cseq, "2");
	CHECK_STR(r.session, "");
	/* byte at a time: incomplete until the last byte */
	for (i = 0; i < n; i++)
		CHECK_EQ(rtsp_parse_request(ffmpeg_describe, i, &r), 0);
}

static void t_parse_fields(void)
{
	static const char req[] =
		"SETUP rtsp://h/live/trackID=0 RTSP/1.0\n"
		"cseq:  17 \n"
		"Session: 0123ABCD;timeout=60\n"
		"Transport: RTP/AVP/TCP;unicast;interleaved=2-3\n"
		"Content-Length: 4\n"
		"X-Folded: a\n"
		"  b\n"
		"\n";
	struct rtsp_req r;

	CHECK_EQ(rtsp_parse_request(req, strlen(req), &r), strlen(req));
	CHECK_EQ(r.method, RTSP_SETUP);
	CHECK_STR(r.cseq, "17");
	CHECK_STR(r.session, "0123ABCD");
	CHECK_STR(r.transport, "RTP/AVP/TCP;unicast;interleaved=2-3");
	CHECK_EQ(r.content_length, 4);
}

static void t_parse_errors(void)
{
	struct rtsp_req r;
	static char big[RTSP_HEAD_MAX + 16], uri[RTSP_URI_MAX + 64];
	const char *v2 = "OPTIONS * RTSP/2.0\r\nCSeq: 1\r\n\r\n";
	const char *foo = "FOO * RTSP/1.0\r\nCSeq: 1\r\n\r\n";
	const char *lower = "options * RTSP/1.0\r\nCSeq: 1\r\n\r\n";

	CHECK_EQ(rtsp_parse_request(v2, strlen(v2), &r), strlen(v2));
	CHECK(!r.version_ok);                           /* 505 */
	CHECK_EQ(rtsp_parse_request(foo, strlen(foo), &r), strlen(foo));
	CHECK_EQ(r.method, RTSP_UNKNOWN);               /* 501 */
	CHECK_EQ(rtsp_parse_request(lower, strlen(lower), &r), strlen(lower));
	CHECK_EQ(r.method, RTSP_UNKNOWN);               /* methods are case-sensitive */
	CHECK_EQ(rtsp_parse_request("GET / HTTP/1.1\r\n\r\n", 18, &r), -EINVAL);
	CHECK_EQ(rtsp_parse_request("\r\n\r\n", 4, &r), -EINVAL);
	CHECK_EQ(rtsp_parse_request("PLAY x RTSP/1.0\r\nCSeq: 1x\r\n\r\n", 29, &r), -EINVAL);
	CHECK_EQ(rtsp_parse_request("PLAY x RTSP/1.0\r\nNo colon\r\n\r\n", 29, &r), -EINVAL);
	CHECK_EQ(rtsp_parse_request("PLAY x RTSP/1.0\r\nA: \x01\r\n\r\n", 25, &r), -EINVAL);
	/* a head that never ends */
	memset(big, 'a', sizeof big);
	memcpy(big, "OPTIONS * RTSP/1.0\r\nX: ", 23);
	CHECK_EQ(rtsp_parse_request(big, RTSP_HEAD_MAX - 1, &r), 0);
	CHECK_EQ(rtsp_parse_request(big, sizeof big, &r), -E2BIG);
	/* a URI too long for the field */
	memset(uri, 'u', sizeof uri);
	memcpy(uri, "PLAY ", 5);
	memcpy(uri + sizeof uri - 22, " RTSP/1.0\r\nCSeq: 1\r\n\r\n", 22);
	CHECK_EQ(rtsp_parse_request(uri, sizeof uri, &r), -ENAMETOOLONG);
}

static void t_targets(void)
{
	CHECK_EQ(rtsp_uri_target("*", "live"), RTSP_T_ANY);
	CHECK_EQ(rtsp_uri_target("rtsp://127.0.0.1:8554/live", "live"), RTSP_T_STREAM);
	CHECK_EQ(rtsp_uri_target("rtsp://127.0.0.1:8554/live/", "live"), RTSP_T_STREAM);
	CHECK_EQ(rtsp_uri_target("rtsp://[::1]:8554/live?x=1", "live"), RTSP_T_STREAM);
	CHECK_EQ(rtsp_uri_target("rtsp://h/live/trackID=0", "live"), RTSP_T_TRACK);
	CHECK_EQ(rtsp_uri_target("rtsp://h/live/trackID=0/", "live"), RTSP_T_TRACK);
	CHECK_EQ(rtsp_uri_target("/live/trackID=0", "live"), RTSP_T_TRACK);
	CHECK_EQ(rtsp_uri_target("trackID=0", "live"), RTSP_T_TRACK);
	CHECK_EQ(rtsp_uri_target("rtsp://h/live/trackID=1", "live"), RTSP_T_NONE);
	CHECK_EQ(rtsp_uri_target("rtsp://h/liv", "live"), RTSP_T_NONE);
	CHECK_EQ(rtsp_uri_target("rtsp://h/live2", "live"), RTSP_T_NONE);
	CHECK_EQ(rtsp_uri_target("rtsp://h", "live"), RTSP_T_NONE);
}

static void t_transport(void)
{
	struct rtsp_transport t;

	/* FFmpeg, UDP */
	CHECK_EQ(rtsp_transport_pick("RTP/AVP/UDP;unicast;client_port=5000-5001", 1, 1, &t), 0);
	CHECK(!t.tcp);
	CHECK_EQ(t.rtp_port, 5000);
	CHECK_EQ(t.rtcp_port, 5001);
	/* GStreamer offers several; the first we take wins */
	CHECK_EQ(rtsp_transport_pick("RTP/AVP;multicast;port=5000-5001,RTP/AVP;unicast;"
				     "client_port=6000-6001, RTP/AVP/TCP;unicast;"
				     "interleaved=0-1", 1, 1, &t), 0);
	CHECK(!t.tcp);
	CHECK_EQ(t.rtp_port, 6000);
	CHECK_EQ(rtsp_transport_pick("RTP/AVP;unicast;client_port=6000-6001,RTP/AVP/TCP;"
				     "unicast;interleaved=4-5", 0, 1, &t), 0);
	CHECK(t.tcp);
	CHECK_EQ(t.ch_rtp, 4);
	CHECK_EQ(t.ch_rtcp, 5);
	/* interleaved absent: channels 0-1 */
	CHECK_EQ(rtsp_transport_pick("RTP/AVP/TCP;unicast", 1, 1, &t), 0);
	CHECK_EQ(t.ch_rtp, 0);
	CHECK_EQ(t.ch_rtcp, 1);
	/* one port: RTCP on the next */
	CHECK_EQ(rtsp_transport_pick("RTP/AVP;unicast;client_port=7000", 1, 1, &t), 0);
	CHECK_EQ(t.rtcp_port, 7001);
	CHECK_EQ(rtsp_transport_pick("RTP/AVP/TCP;interleaved=0-1;mode=record", 1, 1, &t), 0);
	CHECK(t.record);
	/* refused: 461 */
	CHECK(rtsp_transport_pick("RTP/AVP/TCP;unicast;interleaved=0-1", 1, 0, &t));
	CHECK(rtsp_transport_pick("RTP/AVP;unicast;client_port=5000-5001", 0, 1, &t));
	CHECK(rtsp_transport_pick("RTP/AVP;unicast", 1, 1, &t));            /* no port */
	CHECK(rtsp_transport_pick("RTP/AVP;unicast;client_port=70000", 1, 1, &t));
	CHECK(rtsp_transport_pick("RTP/AVP;unicast;client_port=-1", 1, 1, &t));
	CHECK(rtsp_transport_pick("RTP/AVP/TCP;interleaved=300-301", 1, 1, &t));
	CHECK(rtsp_transport_pick("RAW/RAW/UDP;unicast;client_port=5000", 1, 1, &t));
	CHECK(rtsp_transport_pick("RTP/AVP;unicast;client_port=5000;mode=bogus", 1, 1, &t));
	CHECK(rtsp_transport_pick("", 1, 1, &t));
}

static void t_basic(void)
{
	CHECK(rtsp_auth_ok(RTSP_AUTH_BASIC, "Aladdin:open sesame", "r", "n", "DESCRIBE",
			   "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="));
	CHECK(!rtsp_auth_ok(RTSP_AUTH_BASIC, "Aladdin:open sesame", "r", "n", "DESCRIBE",
			    "Basic QWxhZGRpbjpvcGVuIHNlc2FtZR=="));
	CHECK(!rtsp_auth_ok(RTSP_AUTH_BASIC, "Aladdin:open sesame", "r", "n", "DESCRIBE", ""));
	CHECK(!rtsp_auth_ok(RTSP_AUTH_DIGEST, "Aladdin:open sesame", "r", "n", "DESCRIBE",
			    "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="));
	CHECK(rtsp_auth_ok(RTSP_AUTH_NONE, "", "", "", "", ""));
}

static void t_digest(void)
{
	/* RFC 2617 3.5, qop=auth */
	const char *rfc = "Digest username=\"Mufasa\", realm=\"testrealm@host.com\", "
			  "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"/dir/index.html\", "
			  "qop=auth, nc=00000001, cnonce=\"0a4f113b\", "
			  "response=\"6629fae49393a05397450978507c4ef1\", "
			  "opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"";
	/* the form RTSP clients send when no qop was offered */
	const char *noqop = "Digest username=\"user\", realm=\"cvmmap-streamer\", "
			    "nonce=\"0123456789abcdef0123456789abcdef\", "
			    "uri=\"rtsp://127.0.0.1:8554/live\", "
			    "response=\"5CBDFD07B1ED41CE6B40AA01E4B11765\"";
	char hdr[256];

	CHECK(rtsp_auth_ok(RTSP_AUTH_DIGEST, "Mufasa:Circle Of Life", "testrealm@host.com",
			   "dcd98b7102dd2f0e8b11d0f600bfb0c093", "GET", rfc));
	CHECK(!rtsp_auth_ok(RTSP_AUTH_DIGEST, "Mufasa:Circle of Life", "testrealm@host.com",
			    "dcd98b7102dd2f0e8b11d0f600bfb0c093", "GET", rfc));
	CHECK(!rtsp_auth_ok(RTSP_AUTH_DIGEST, "Mufasa:Circle Of Life", "testrealm@host.com",
			    "dcd98b7102dd2f0e8b11d0f600bfb0c094", "GET", rfc));  /* stale */
	CHECK(!rtsp_auth_ok(RTSP_AUTH_DIGEST, "Mufasa:Circle Of Life", "testrealm@host.com",
			    "dcd98b7102dd2f0e8b11d0f600bfb0c093", "POST", rfc));
	CHECK(rtsp_auth_ok(RTSP_AUTH_DIGEST, "user:secret", "cvmmap-streamer",
			   "0123456789abcdef0123456789abcdef", "DESCRIBE", noqop));
	CHECK(!rtsp_auth_ok(RTSP_AUTH_DIGEST, "usr:secret", "cvmmap-streamer",
			    "0123456789abcdef0123456789abcdef", "DESCRIBE", noqop));
	CHECK(!rtsp_auth_ok(RTSP_AUTH_DIGEST, "user:secret", "cvmmap-streamer",
			    "0123456789abcdef0123456789abcdef", "DESCRIBE",
			    "Digest username=\"user\", response=\"5cbd\""));
	CHECK(rtsp_auth_challenge(hdr, sizeof hdr, RTSP_AUTH_DIGEST, "r", "n") > 0);
	CHECK_STR(hdr, "WWW-Authenticate: Digest realm=\"r\", nonce=\"n\", algorithm=MD5\r\n");
	CHECK(rtsp_auth_challenge(hdr, sizeof hdr, RTSP_AUTH_BASIC, "r", "n") > 0);
	CHECK_STR(hdr, "WWW-Authenticate: Basic realm=\"r\"\r\n");
	CHECK_EQ(rtsp_auth_challenge(hdr, 10, RTSP_AUTH_BASIC, "r", "n"), 0);
}

static void t_response(void)
{
	static const char resp[] =
		"RTSP/1.0 401 Unauthorized\r\n"
		"CSeq: 3\r\n"
		"WWW-Authenticate: Basic realm=\"x\"\r\n"
		"WWW-Authenticate: Digest realm=\"x\", nonce=\"n1\"\r\n"
		"WWW-Authenticate: Basic realm=\"y\"\r\n"
		"Session: 12345678;timeout=60\r\n"
		"Content-Length: 5\r\n"
		"\r\nhello";
	struct rtsp_resp r;
	size_t n = strlen(resp) - 5, i;

	CHECK_EQ(rtsp_parse_response(resp, strlen(resp), &r), n);
	CHECK_EQ(r.status, 401);
	CHECK_STR(r.cseq, "3");
	CHECK_STR(r.session, "12345678");
	CHECK_STR(r.challenge, "Digest realm=\"x\", nonce=\"n1\"");   /* Digest wins */
	CHECK_EQ(r.content_length, 5);
	for (i = 0; i < n; i++)
		CHECK_EQ(rtsp_parse_response(resp, i, &r), 0);
	CHECK_EQ(rtsp_parse_response("RTSP/1.0 2x0 OK\r\n\r\n", 19, &r), -EINVAL);
	CHECK_EQ(rtsp_parse_response("HTTP/1.1 200 OK\r\n\r\n", 19, &r), -EINVAL);
	CHECK_EQ(rtsp_parse_response("RTSP/1.0 200\r\n\r\n", 16, &r), -EINVAL);
}

/* Interleaved frames (RFC 2326 10.12) are skipped across reads of any
 * size; a message is not mistaken for one. */
static void t_interleaved(void)
{
	static const char two[] = "$\x01\x00\x03" "abc" "$\x00\x00\x01" "z" "RTSP/1.0 200 OK";
	size_t skip = 0, off = 0, step;

	CHECK_EQ(rtsp_interleaved("RTSP/1.0 200", 12, &skip), -1);
	CHECK_EQ(rtsp_interleaved("$\x01\x00", 3, &skip), 0);        /* header incomplete */
	CHECK_EQ(skip, 0);
	CHECK_EQ(rtsp_interleaved(two, sizeof two - 1, &skip), 7);
	CHECK_EQ(skip, 0);
	/* the second frame fed one byte at a time after its header */
	CHECK_EQ(rtsp_interleaved(two + 7, 4, &skip), 4);
	CHECK_EQ(skip, 1);
	CHECK_EQ(rtsp_interleaved(two + 11, 1, &skip), 1);
	CHECK_EQ(skip, 0);
	CHECK_EQ(rtsp_interleaved(two + 12, sizeof two - 13, &skip), -1);
	/* reads of any size, as a connection delivers them: the same split */
	for (step = 1; step <= 8; step++) {
		size_t have = 0;
		long k = 0;

		skip = off = 0;
		while (off < 12 && have < sizeof two - 1) {
			have = have + step < sizeof two - 1 ? have + step : sizeof two - 1;
			while (off < have && (k = rtsp_interleaved(two + off, have - off, &skip)) > 0)
				off += (size_t)k;
		}
		CHECK_EQ(off, 12);
		CHECK_EQ(rtsp_interleaved(two + off, have - off, &skip), -1);
	}
}

/* What the publisher answers, the server accepts: Digest without and
 * with qop=auth (and opaque), Basic; a wrong password is refused. */
static void t_auth_answer(void)
{
	char line[1024];
	const char *v;

	CHECK(rtsp_auth_answer(line, sizeof line, "Digest realm=\"r\", nonce=\"abc\"",
			       "u:p w", "ANNOUNCE", "rtsp://h/x", "c0ffee") > 0);
	CHECK(!strncmp(line, "Authorization: ", 15) && strstr(line, "\r\n"));
	*strstr(line, "\r\n") = '\0';
	v = line + 15;
	CHECK(rtsp_auth_ok(RTSP_AUTH_DIGEST, "u:p w", "r", "abc", "ANNOUNCE", v));
	CHECK(!rtsp_auth_ok(RTSP_AUTH_DIGEST, "u:p x", "r", "abc", "ANNOUNCE", v));
	CHECK(!rtsp_auth_ok(RTSP_AUTH_DIGEST, "u:p w", "r", "abc", "SETUP", v));
	CHECK(rtsp_auth_answer(line, sizeof line, "Digest realm=\"r\", nonce=\"abc\", "
			       "qop=\"auth,auth-int\", opaque=\"op\"", "u:p", "SETUP",
			       "rtsp://h/x/trackID=0", "c0ffee") > 0);
	CHECK(strstr(line, "qop=auth, nc=00000001, cnonce=\"c0ffee\", opaque=\"op\"\r\n"));
	*strstr(line, "\r\n") = '\0';
	CHECK(rtsp_auth_ok(RTSP_AUTH_DIGEST, "u:p", "r", "abc", "SETUP", line + 15));
	CHECK(rtsp_auth_answer(line, sizeof line, "Basic realm=\"r\"", "Aladdin:open sesame",
			       "ANNOUNCE", "rtsp://h/x", "") > 0);
	CHECK_STR(line, "Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\r\n");
	CHECK_EQ(rtsp_auth_answer(line, sizeof line, "Bearer x", "u:p", "A", "u", "c"), 0);
	CHECK_EQ(rtsp_auth_answer(line, 20, "Basic realm=\"r\"", "u:p", "A", "u", "c"), 0);
}

/* DESCRIBE's SDP: controls and range where RFC 2326 C.1 wants them. */
static void t_sdp_rtsp(void)
{
	static const uint8_t sps[] = { 0x67, 0x42, 0xc0, 0x1e, 0x8c }, pps[] = { 0x68, 0xce };
	struct sdp_desc d = { 0, 96, "0.0.0.0", 0, 0, 0, 1, 1, { NULL, 0 }, { sps, sizeof sps },
			      { pps, sizeof pps }, 1 };
	char out[1024];
	const char *m, *c1, *c2;

	CHECK(sdp_build(&d, out, sizeof out) > 0);
	m = strstr(out, "m=video 0 RTP/AVP 96\r\n");
	c1 = strstr(out, "a=control:*\r\n");
	c2 = strstr(out, "a=control:trackID=0\r\n");
	CHECK(m && c1 && c2 && c1 < m && c2 > m);
	CHECK(strstr(out, "a=range:npt=now-\r\n") < m);
	CHECK(strstr(out, "sprop-parameter-sets=Z0LAHow=,aM4=\r\n"));
	CHECK(!strstr(out, "a=rtcp:"));
}

static const struct unit_case cases[] = {
	UNIT(t_md5_rfc1321), UNIT(t_md5_split), UNIT(t_parse_ffmpeg), UNIT(t_parse_fields),
	UNIT(t_parse_errors), UNIT(t_targets), UNIT(t_transport), UNIT(t_basic),
	UNIT(t_digest), UNIT(t_response), UNIT(t_interleaved), UNIT(t_auth_answer), UNIT(t_sdp_rtsp),
};

UNIT_MAIN(cases)
