/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_sdp.c - SDP golden text (RFC 8866, RFC 6184 8.1, RFC 7798 7.1)
 * and base64 (RFC 4648 10 test vectors). */
#include "proto/sdp.h"
#include "unit.h"

#include <errno.h>

static void t_base64(void)
{
	static const char *const v[][2] = {
		{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
		{ "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
	};
	uint8_t out[16], *p;
	size_t i;

	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		memset(out, 0, sizeof out);
		p = put_base64(out, out + sizeof out, (const uint8_t *)v[i][0], strlen(v[i][0]));
		CHECK(p != NULL);
		*p = 0;
		CHECK_STR((char *)out, v[i][1]);
	}
	CHECK(put_base64(out, out + 7, (const uint8_t *)"foobar", 6) == NULL);
	p = put_base64(out, out + 8, (const uint8_t *)"\xff\xfe\x00", 3);
	*p = 0;
	CHECK_STR((char *)out, "//4A");
}

static const uint8_t sps264[] = { 0x67, 0x42, 0xc0, 0x1e, 0xd9, 0x00, 0xa0, 0x47, 0xfe, 0xc8 };
static const uint8_t pps264[] = { 0x68, 0xce, 0x3c, 0x80 };

static void t_h264(void)
{
	struct sdp_desc d = {
		0, 96, "127.0.0.1", 0, 5004, 1, 1, 2,
		{ NULL, 0 }, { sps264, sizeof sps264 }, { pps264, sizeof pps264 }, 0,
	};
	char out[1024];
	const char *want =
		"v=0\r\n"
		"o=- 1 2 IN IP4 127.0.0.1\r\n"
		"s=cvmmap-streamer\r\n"
		"c=IN IP4 127.0.0.1\r\n"
		"t=0 0\r\n"
		"m=video 5004 RTP/AVP 96\r\n"
		"a=rtpmap:96 H264/90000\r\n"
		"a=fmtp:96 packetization-mode=1;profile-level-id=42c01e;"
		"sprop-parameter-sets=Z0LAHtkAoEf+yA==,aM48gA==\r\n"
		"a=rtcp:5005\r\n"
		"a=sendonly\r\n";

	CHECK_EQ(sdp_build(&d, out, sizeof out), (long long)strlen(want));
	CHECK_STR(out, want);
	/* every too-small buffer fails cleanly */
	CHECK_EQ(sdp_build(&d, out, strlen(want)), -ENOSPC);
	CHECK_EQ(sdp_build(&d, out, 0), -ENOSPC);
}

static const uint8_t vps265[] = { 0x40, 0x01, 0x0c, 0x01, 0xff, 0xff, 0x01, 0x60, 0x00, 0x00,
	0x03, 0x00, 0xb0, 0x00, 0x00, 0x03, 0x00, 0x00, 0x03, 0x00, 0x5d, 0x95 };
static const uint8_t sps265[] = { 0x42, 0x01, 0x01, 0x01, 0x60, 0x00, 0x00, 0x03, 0x00, 0xb0,
	0x00, 0x00, 0x03, 0x00, 0x00, 0x03, 0x00, 0x5d, 0xa0, 0x0a, 0x08, 0x0f, 0x16, 0x59,
	0x65, 0x95 };
static const uint8_t pps265[] = { 0x44, 0x01, 0xc1, 0x72, 0xb4, 0x62, 0x40 };

static void t_h265_ipv6_no_rtcp(void)
{
	struct sdp_desc d = {
		1, 127, "::1", 1, 6000, 0, 3908988800u, 1,
		{ vps265, sizeof vps265 }, { sps265, sizeof sps265 }, { pps265, sizeof pps265 }, 0,
	};
	char out[1024];
	const char *want =
		"v=0\r\n"
		"o=- 3908988800 1 IN IP6 ::1\r\n"
		"s=cvmmap-streamer\r\n"
		"c=IN IP6 ::1\r\n"
		"t=0 0\r\n"
		"m=video 6000 RTP/AVP 127\r\n"
		"a=rtpmap:127 H265/90000\r\n"
		"a=fmtp:127 sprop-vps=QAEMAf//AWAAAAMAsAAAAwAAAwBdlQ==;"
		"sprop-sps=QgEBAWAAAAMAsAAAAwAAAwBdoAoIDxZZZZU=;sprop-pps=RAHBcrRiQA==\r\n"
		"a=sendonly\r\n";

	CHECK_EQ(sdp_build(&d, out, sizeof out), (long long)strlen(want));
	CHECK_STR(out, want);
}

/* Without parameter sets H.264 still says packetization-mode=1. */
static void t_no_params(void)
{
	struct sdp_desc d = { 0, 96, "10.0.0.2", 0, 5004, 0, 1, 1, { NULL, 0 }, { NULL, 0 }, { NULL, 0 }, 0 };
	char out[512];

	CHECK(sdp_build(&d, out, sizeof out) > 0);
	CHECK(strstr(out, "a=fmtp:96 packetization-mode=1\r\n") != NULL);
	CHECK(strstr(out, "sprop") == NULL);
	d.codec = 1;
	CHECK(sdp_build(&d, out, sizeof out) > 0);
	CHECK(strstr(out, "a=fmtp") == NULL);
	CHECK(strstr(out, "a=rtpmap:96 H265/90000\r\n") != NULL);
}

static const struct unit_case cases[] = {
	UNIT(t_base64), UNIT(t_h264), UNIT(t_h265_ipv6_no_rtcp), UNIT(t_no_params),
};

UNIT_MAIN(cases)
