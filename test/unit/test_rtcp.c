/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_rtcp.c - RTCP SR / SDES / BYE bytes (RFC 3550 6.4.1, 6.5, 6.6)
 * and the compound parser. */
#include "proto/rtcp.h"
#include "unit.h"

#include <errno.h>

static size_t hex(const char *s, uint8_t *out)
{
	int n = unit_hex(s, out, 512);

	CHECK(n >= 0);
	return (size_t)n;
}

/* 2023-11-14T22:13:20.5Z = Unix 1700000000.5 -> NTP 0xe8fe6f80.80000000 */
static const struct rtcp_sr sr_fix = {
	0x43564d4d, 0xe8fe6f8080000000ull, 0x12345678, 100, 120000,
};

static void t_ntp(void)
{
	CHECK_EQ(rtcp_ntp_from_unix_ns(0), (uint64_t)2208988800u << 32);
	CHECK_EQ(rtcp_ntp_from_unix_ns(1700000000500000000ull), sr_fix.ntp);
	/* 1 ns is 4.29 fraction units: floor */
	CHECK_EQ(rtcp_ntp_from_unix_ns(1) & 0xffffffffu, 4);
}

static void t_sr_bytes(void)
{
	uint8_t buf[64], want[64], *p;
	size_t n = hex("80 c8 00 06  43 56 4d 4d  e8 fe 6f 80 80 00 00 00  "
		       "12 34 56 78  00 00 00 64  00 01 d4 c0", want);

	p = rtcp_put_sr(buf, buf + sizeof buf, &sr_fix);
	CHECK(p == buf + 28);
	CHECK_EQ(n, 28);
	CHECK_MEM(buf, want, n);
	CHECK(rtcp_put_sr(buf, buf + 27, &sr_fix) == NULL);
}

static void t_sdes_bye_bytes(void)
{
	uint8_t buf[64], want[64], *p, *end = buf + sizeof buf;
	size_t n;

	/* 4 + 4 + 2 + 8 + END = 19 -> padded to 20 bytes, length 4 */
	n = hex("81 ca 00 04  43 56 4d 4d  01 08 63 76 6d 6d 61 70 40 68  00", want);
	p = rtcp_put_sdes_cname(buf, end, 0x43564d4d, "cvmmap@h");
	CHECK(p == buf + 20);
	CHECK_MEM(buf, want, n);
	/* 4 + 4 + 2 + 6 = 16: END plus three pad bytes -> 20 */
	n = hex("81 ca 00 04  00 00 00 01  01 06 61 62 63 64 65 66  00 00 00 00", want);
	p = rtcp_put_sdes_cname(buf, end, 1, "abcdef");
	CHECK(p == buf + 20);
	CHECK_MEM(buf, want, n);
	n = hex("81 cb 00 01  43 56 4d 4d", want);
	p = rtcp_put_bye(buf, end, 0x43564d4d);
	CHECK(p == buf + 8);
	CHECK_MEM(buf, want, n);
}

static size_t compound(uint8_t *buf, size_t cap, int bye)
{
	uint8_t *p = buf, *end = buf + cap;

	p = rtcp_put_sr(p, end, &sr_fix);
	p = rtcp_put_sdes_cname(p, end, sr_fix.ssrc, "cvmmap@host");
	if (bye)
		p = rtcp_put_bye(p, end, sr_fix.ssrc);
	CHECK(p != NULL);
	return (size_t)(p - buf);
}

static void t_parse(void)
{
	uint8_t buf[128];
	size_t n = compound(buf, sizeof buf, 1), i;
	struct rtcp_info in;

	CHECK_EQ(rtcp_parse(buf, n, &in), 0);
	CHECK(in.has_sr && in.has_sdes && in.has_bye);
	CHECK_EQ(in.sr.ssrc, sr_fix.ssrc);
	CHECK_EQ(in.sr.ntp, sr_fix.ntp);
	CHECK_EQ(in.sr.rtp_ts, sr_fix.rtp_ts);
	CHECK_EQ(in.sr.packets, 100);
	CHECK_EQ(in.sr.octets, 120000);
	CHECK_STR(in.cname, "cvmmap@host");
	CHECK_EQ(in.bye_ssrc, sr_fix.ssrc);
	/* every truncation that cuts a packet is rejected, never read past */
	for (i = 0; i < n; i++) {
		int whole = i == 28 || i == 28 + 24;

		CHECK_EQ(rtcp_parse(buf, i, &in), whole ? 0 : -EINVAL);
	}
}

static void t_parse_rejects(void)
{
	uint8_t buf[128];
	size_t n = compound(buf, sizeof buf, 0);
	struct rtcp_info in;

	buf[0] = 0x40;                              /* version 1 */
	CHECK_EQ(rtcp_parse(buf, n, &in), -EINVAL);
	n = compound(buf, sizeof buf, 0);
	buf[3] = 0x20;                              /* length past the end */
	CHECK_EQ(rtcp_parse(buf, n, &in), -EINVAL);
	/* SDES first is not a valid compound packet */
	n = (size_t)(rtcp_put_sdes_cname(buf, buf + sizeof buf, 1, "x") - buf);
	CHECK_EQ(rtcp_parse(buf, n, &in), -EINVAL);
	CHECK_EQ(rtcp_parse(buf, 0, &in), -EINVAL);
}

static const struct unit_case cases[] = {
	UNIT(t_ntp), UNIT(t_sr_bytes), UNIT(t_sdes_bye_bytes), UNIT(t_parse),
	UNIT(t_parse_rejects),
};

UNIT_MAIN(cases)
