/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_rtmp_msg - handshake, control messages, commands (bit-exact
 * connect for H.264 and for E-RTMP hvc1), reply parsing, URLs. */
#include "proto/rtmp_msg.h"
#include "unit.h"

#include <errno.h>

static uint8_t out[4096], want[1024];

/* connect bytes assembled independently (python struct) from the AMF0
 * rules of docs/protocols.md §1.4. */
static const char connect_h264[] =
	"02 00 07 63 6f 6e 6e 65 63 74 00 3f f0 00 00 00 "
	"00 00 00 03 00 03 61 70 70 02 00 04 6c 69 76 65 "
	"00 04 74 79 70 65 02 00 0a 6e 6f 6e 70 72 69 76 "
	"61 74 65 00 08 66 6c 61 73 68 56 65 72 02 00 26 "
	"46 4d 4c 45 2f 33 2e 30 20 28 63 6f 6d 70 61 74 "
	"69 62 6c 65 3b 20 63 76 6d 6d 61 70 2d 73 74 72 "
	"65 61 6d 65 72 29 00 05 74 63 55 72 6c 02 00 1a "
	"72 74 6d 70 3a 2f 2f 31 32 37 2e 30 2e 30 2e 31 "
	"3a 31 39 33 35 2f 6c 69 76 65 00 00 09 ";
static const char connect_hvc1_tail[] =
	"3a 31 39 33 35 2f 6c 69 76 65 00 0a 66 6f 75 72 "
	"43 63 4c 69 73 74 0a 00 00 00 01 02 00 04 68 76 "
	"63 31 00 12 76 69 64 65 6f 46 6f 75 72 43 63 49 "
	"6e 66 6f 4d 61 70 03 00 04 68 76 63 31 00 40 00 "
	"00 00 00 00 00 00 00 00 09 00 06 63 61 70 73 45 "
	"78 00 00 00 00 00 00 00 00 00 00 00 09 ";

static void t_connect_bitexact(void)
{
	struct rtmp_connect_params c = { "live", "rtmp://127.0.0.1:1935/live", NULL, 0 };
	int n = unit_hex(connect_h264, want, sizeof want), t;

	CHECK_EQ(n, 141);
	CHECK_EQ(rtmp_cmd_connect(out, sizeof out, 1, &c), n);
	CHECK_MEM(out, want, (size_t)n);
	CHECK_EQ(rtmp_cmd_connect(out, (size_t)n - 1, 1, &c), -ENOSPC);

	c.fourcc_hvc1 = 1;
	t = unit_hex(connect_hvc1_tail, want + 128, sizeof want - 128);
	CHECK_EQ(128 + t, 221);
	CHECK_EQ(rtmp_cmd_connect(out, sizeof out, 1, &c), 221);
	CHECK_MEM(out, want, 221);
}

static void t_commands(void)
{
	int n;

	n = unit_hex("02 00 0d 72 65 6c 65 61 73 65 53 74 72 65 61 6d"
		     " 00 40 00 00 00 00 00 00 00 05 02 00 01 78", want, sizeof want);
	CHECK_EQ(rtmp_cmd_simple(out, sizeof out, "releaseStream", 2, "x"), n);
	CHECK_MEM(out, want, (size_t)n);
	n = unit_hex("02 00 0c 63 72 65 61 74 65 53 74 72 65 61 6d"
		     " 00 40 10 00 00 00 00 00 00 05", want, sizeof want);
	CHECK_EQ(rtmp_cmd_simple(out, sizeof out, "createStream", 4, NULL), n);
	CHECK_MEM(out, want, (size_t)n);
	n = unit_hex("02 00 07 70 75 62 6c 69 73 68 00 40 14 00 00 00 00 00 00 05"
		     " 02 00 01 78 02 00 04 6c 69 76 65", want, sizeof want);
	CHECK_EQ(rtmp_cmd_publish(out, sizeof out, 5, "x", "live"), n);
	CHECK_MEM(out, want, (size_t)n);
	n = unit_hex("02 00 0c 64 65 6c 65 74 65 53 74 72 65 61 6d"
		     " 00 40 18 00 00 00 00 00 00 05 00 3f f0 00 00 00 00 00 00",
		     want, sizeof want);
	CHECK_EQ(rtmp_cmd_delete_stream(out, sizeof out, 6, 1), n);
	CHECK_MEM(out, want, (size_t)n);
}

static void t_control(void)
{
	CHECK_EQ(rtmp_ctl_u32(out, sizeof out, 4096), 4);
	CHECK_EQ(unit_hex("00 00 10 00", want, sizeof want), 4);
	CHECK_MEM(out, want, 4);
	CHECK_EQ(rtmp_ctl_peer_bw(out, sizeof out, 2500000, 2), 5);
	CHECK_EQ(unit_hex("00 26 25 a0 02", want, sizeof want), 5);
	CHECK_MEM(out, want, 5);
	CHECK_EQ(rtmp_ctl_user(out, sizeof out, RTMP_UC_PING_RESPONSE, 0xdeadbeef), 6);
	CHECK_EQ(unit_hex("00 07 de ad be ef", want, sizeof want), 6);
	CHECK_MEM(out, want, 6);
	CHECK_EQ(rtmp_ctl_u32(out, 3, 1), -ENOSPC);
}

static void t_handshake(void)
{
	static uint8_t a[1 + RTMP_HS_SIZE], b[1 + RTMP_HS_SIZE], s[1 + 2 * RTMP_HS_SIZE];

	CHECK_EQ(rtmp_hs_c0c1(a, sizeof a, 0x01020304, 7), 1537);
	CHECK_EQ(a[0], 3);
	CHECK_EQ(unit_hex("01 02 03 04 00 00 00 00", want, sizeof want), 8);
	CHECK_MEM(a + 1, want, 8);               /* time, zero version bytes */
	CHECK_EQ(rtmp_hs_c0c1(b, sizeof b, 0x01020304, 7), 1537);
	CHECK_MEM(a, b, sizeof a);               /* same seed: bit-exact */
	CHECK_EQ(rtmp_hs_c0c1(b, sizeof b, 0x01020304, 8), 1537);
	CHECK(memcmp(a + 9, b + 9, 1528) != 0);  /* other seed: other bytes */
	CHECK_EQ(rtmp_hs_c0c1(b, 1536, 0, 1), -ENOSPC);

	CHECK_EQ(rtmp_hs_s0s1s2(s, sizeof s, a + 1, 0, 9), 3073);
	CHECK_EQ(s[0], 3);
	CHECK_EQ(s[5] | s[6] | s[7] | s[8], 0);  /* S1 bytes 4-7 zero */
	CHECK_MEM(s + 1 + RTMP_HS_SIZE, a + 1, RTMP_HS_SIZE); /* S2 = C1 */
	CHECK_EQ(rtmp_hs_s0s1s2(s, sizeof s - 1, a + 1, 0, 9), -ENOSPC);
}

static void t_parse_replies(void)
{
	struct rtmp_cmd c;
	char level[16], code[64];
	int n;

	n = rtmp_cmd_connect_result(out, sizeof out, 1);
	CHECK(n > 0);
	CHECK_EQ(rtmp_cmd_parse(out, (size_t)n, &c), 0);
	CHECK(rtmp_cmd_is(&c, "_result"));
	CHECK(c.txn == 1);
	CHECK_EQ(rtmp_cmd_status(&c, level, sizeof level, code, sizeof code), 0);
	CHECK_STR(level, "status");
	CHECK_STR(code, "NetConnection.Connect.Success");

	n = rtmp_cmd_number_result(out, sizeof out, 4, 1);
	CHECK_EQ(rtmp_cmd_parse(out, (size_t)n, &c), 0);
	CHECK_EQ(c.n, 4);
	CHECK(c.txn == 4 && c.v[3].type == AMF0_NUMBER && c.v[3].num == 1);
	CHECK_EQ(rtmp_cmd_status(&c, level, sizeof level, code, sizeof code), -1);

	n = rtmp_cmd_on_status(out, sizeof out, "error", "NetStream.Publish.BadName",
			       "Already publishing");
	CHECK_EQ(rtmp_cmd_parse(out, (size_t)n, &c), 0);
	CHECK(rtmp_cmd_is(&c, "onStatus"));
	CHECK_EQ(rtmp_cmd_status(&c, level, sizeof level, code, sizeof code), 0);
	CHECK_STR(level, "error");
	CHECK_STR(code, "NetStream.Publish.BadName");

	/* malformed: number first, truncated object */
	CHECK_EQ(rtmp_cmd_parse(out + 10, 9, &c), -EINVAL);
	CHECK_EQ(rtmp_cmd_parse(out, (size_t)n - 1, &c), -EINVAL);
	CHECK_EQ(rtmp_cmd_parse(out, 0, &c), -EINVAL);
}

static void t_url(void)
{
	struct rtmp_url u;
	char r[128];

	CHECK_EQ(rtmp_url_parse("rtmp://127.0.0.1:1936/live/x", &u), 0);
	CHECK_STR(u.host, "127.0.0.1");
	CHECK_EQ(u.port, 1936);
	CHECK_STR(u.app, "live");
	CHECK_STR(u.stream, "x");
	CHECK_STR(u.tcurl, "rtmp://127.0.0.1:1936/live");
	CHECK_EQ(rtmp_url_parse("rtmp://user:pw@example.com/app/inst/key?token=s", &u), 0);
	CHECK_STR(u.host, "example.com");
	CHECK_EQ(u.port, 1935);
	CHECK_STR(u.app, "app/inst");
	CHECK_STR(u.stream, "key?token=s");
	CHECK_STR(u.tcurl, "rtmp://example.com:1935/app/inst");
	CHECK_EQ(rtmp_url_parse("rtmp://[::1]:99/live/x", &u), 0);
	CHECK_STR(u.host, "::1");
	CHECK_STR(u.tcurl, "rtmp://[::1]:99/live");
	CHECK_EQ(rtmp_url_parse("http://h/live/x", &u), -EINVAL);
	CHECK_EQ(rtmp_url_parse("rtmp://h/live", &u), -EINVAL);
	CHECK_EQ(rtmp_url_parse("rtmp://h/live/", &u), -EINVAL);
	CHECK_EQ(rtmp_url_parse("rtmp://h:0/live/x", &u), -EINVAL);
	CHECK_EQ(rtmp_url_parse("rtmp://h:70000/live/x", &u), -EINVAL);
	CHECK_EQ(rtmp_url_parse("rtmp://h:1x/live/x", &u), -EINVAL);
	CHECK_EQ(rtmp_url_parse("rtmp://:1/live/x", &u), -EINVAL);

	rtmp_url_redact("rtmp://user:pw@example.com/app/key?token=secret", r, sizeof r);
	CHECK_STR(r, "rtmp://example.com/app/***");
	CHECK(!strstr(r, "pw") && !strstr(r, "secret") && !strstr(r, "key"));
	rtmp_url_redact("rtmp://h:1/a/b", r, sizeof r);
	CHECK_STR(r, "rtmp://h:1/a/***");
	rtmp_url_redact("rtmp://h/live/sub/k3y?x=1", r, sizeof r);
	CHECK_STR(r, "rtmp://h/live/sub/***");
	rtmp_url_redact("rtmp://u@h?x", r, sizeof r);
	CHECK_STR(r, "rtmp://h?***");
}

static const struct unit_case cases[] = {
	UNIT(t_connect_bitexact),
	UNIT(t_commands),
	UNIT(t_control),
	UNIT(t_handshake),
	UNIT(t_parse_replies),
	UNIT(t_url),
};

UNIT_MAIN(cases)
