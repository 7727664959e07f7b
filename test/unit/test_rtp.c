/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_rtp.c - golden packets from the H.264 / H.265 RTP packetiser.
 *
 * Expected bytes are written out by hand from RFC 3550 5.1, RFC 6184
 * 5.6-5.8 and RFC 7798 4.4 (docs/protocols.md §4), not produced by the code.
 */
#include "proto/rtp.h"
#include "unit.h"

#include <errno.h>

#define MAXPKT 16

struct capture {
	int n;
	size_t len[MAXPKT];
	uint8_t pkt[MAXPKT][2048];
};

static int capture(void *opaque, const struct rtp_span *v, int nv)
{
	struct capture *c = opaque;
	int i;

	if (c->n == MAXPKT)
		return -ENOSPC;
	c->len[c->n] = 0;
	for (i = 0; i < nv; i++) {
		memcpy(c->pkt[c->n] + c->len[c->n], v[i].p, v[i].n);
		c->len[c->n] += v[i].n;
	}
	c->n++;
	return 0;
}

static size_t hex(const char *s, uint8_t *out)
{
	int n = unit_hex(s, out, 4096);

	CHECK(n >= 0);
	return (size_t)n;
}

/* Packet i of c must equal the hex string. */
static void expect(const struct capture *c, int i, const char *want)
{
	uint8_t w[2048];
	size_t n = hex(want, w);

	CHECK(i < c->n);
	CHECK_EQ(c->len[i], n);
	CHECK_MEM(c->pkt[i], w, n);
}

static int pack(struct rtp_packer *pk, const char *au_hex, struct capture *c)
{
	uint8_t au[4096];
	size_t n = hex(au_hex, au);

	memset(c, 0, sizeof *c);
	return rtp_pack_au(pk, NULL, 0, au, n, 0x01020304, capture, c);
}

#define D30 "01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10 11 12 13 14 " \
	    "15 16 17 18 19 1a 1b 1c 1d 1e"

/* One small NAL: one single-NAL packet, marker set, seq wraps later. */
static void t_h264_single(void)
{
	struct rtp_packer pk;
	struct capture c;

	rtp_packer_init(&pk, 0, 96, 0x11223344, 0xffff, 1200);
	CHECK_EQ(pack(&pk, "00 00 00 01 65 88 84 21 a0", &c), 1);
	expect(&c, 0, "80 e0 ff ff 01 02 03 04 11 22 33 44  65 88 84 21 a0");
	CHECK_EQ(pk.seq, 0);
}

/* IDR 0x65 + 30 bytes, mtu 16: FU-A 14 + 14 + 2 bytes.
 * Indicator 0x7c (NRI 3, type 28); headers 0x85 / 0x05 / 0x45. */
static void t_h264_fu_a(void)
{
	struct rtp_packer pk;
	struct capture c;

	rtp_packer_init(&pk, 0, 96, 0x11223344, 100, 16);
	CHECK_EQ(pack(&pk, "00 00 01 65 " D30, &c), 3);
	expect(&c, 0, "80 60 00 64 01 02 03 04 11 22 33 44  7c 85 "
		      "01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e");
	expect(&c, 1, "80 60 00 65 01 02 03 04 11 22 33 44  7c 05 "
		      "0f 10 11 12 13 14 15 16 17 18 19 1a 1b 1c");
	expect(&c, 2, "80 e0 00 66 01 02 03 04 11 22 33 44  7c 45 1d 1e");
}

/* IDR_W_RADL (19), layer 0, TID 1: header 26 01.  mtu 16 -> 13 + 13 + 4.
 * Payload header 62 01 (type 49); FU headers 0x93 / 0x13 / 0x53. */
static void t_h265_fu(void)
{
	struct rtp_packer pk;
	struct capture c;

	rtp_packer_init(&pk, 1, 127, 0xdeadbeef, 7, 16);
	CHECK_EQ(pack(&pk, "00 00 00 01 26 01 " D30, &c), 3);
	expect(&c, 0, "80 7f 00 07 01 02 03 04 de ad be ef  62 01 93 "
		      "01 02 03 04 05 06 07 08 09 0a 0b 0c 0d");
	expect(&c, 1, "80 7f 00 08 01 02 03 04 de ad be ef  62 01 13 "
		      "0e 0f 10 11 12 13 14 15 16 17 18 19 1a");
	expect(&c, 2, "80 ff 00 09 01 02 03 04 de ad be ef  62 01 53 1b 1c 1d 1e");
}

static void t_h265_single(void)
{
	struct rtp_packer pk;
	struct capture c;

	rtp_packer_init(&pk, 1, 96, 1, 0, 1200);
	CHECK_EQ(pack(&pk, "00 00 01 02 01 d0 09 7e", &c), 1);   /* TRAIL_R */
	expect(&c, 0, "80 e0 00 00 01 02 03 04 00 00 00 01  02 01 d0 09 7e");
}

#define H264_AU "00 00 00 01 09 f0  00 00 00 01 67 42 c0 1e d9  " \
		"00 00 00 01 68 ce 3c 80  00 00 01 65 88 84 21 a0"

/* Several NALs: one packet each, marker only on the last one. */
static void t_h264_several(void)
{
	struct rtp_packer pk;
	struct capture c;

	rtp_packer_init(&pk, 0, 96, 0x11223344, 0, 1200);
	CHECK_EQ(pack(&pk, H264_AU, &c), 4);
	expect(&c, 0, "80 60 00 00 01 02 03 04 11 22 33 44  09 f0");
	expect(&c, 1, "80 60 00 01 01 02 03 04 11 22 33 44  67 42 c0 1e d9");
	expect(&c, 2, "80 60 00 02 01 02 03 04 11 22 33 44  68 ce 3c 80");
	expect(&c, 3, "80 e0 00 03 01 02 03 04 11 22 33 44  65 88 84 21 a0");
}

/* STAP-A: F = OR, NRI = max (3) -> 0x78, then {size, NAL}... */
static void t_h264_stap_a(void)
{
	struct rtp_packer pk;
	struct capture c;

	rtp_packer_init(&pk, 0, 96, 0x11223344, 0, 1200);
	pk.aggregate = 1;
	CHECK_EQ(pack(&pk, H264_AU, &c), 1);
	expect(&c, 0, "80 e0 00 00 01 02 03 04 11 22 33 44  78 "
		      "00 02 09 f0  00 05 67 42 c0 1e d9  00 04 68 ce 3c 80  "
		      "00 05 65 88 84 21 a0");
	/* mtu 20 fits header + three units (1+4+7+6 = 18), the IDR goes alone */
	rtp_packer_init(&pk, 0, 96, 0x11223344, 0, 20);
	pk.aggregate = 1;
	CHECK_EQ(pack(&pk, H264_AU, &c), 2);
	expect(&c, 0, "80 60 00 00 01 02 03 04 11 22 33 44  78 "
		      "00 02 09 f0  00 05 67 42 c0 1e d9  00 04 68 ce 3c 80");
	expect(&c, 1, "80 e0 00 01 01 02 03 04 11 22 33 44  65 88 84 21 a0");
}

#define H265_AU "00 00 00 01 46 01 50  00 00 00 01 40 01 0c 01  " \
		"00 00 00 01 42 01 01 01  00 00 00 01 44 01 c1 72  " \
		"00 00 01 26 01 af 09 40"

static void t_h265_several_and_ap(void)
{
	struct rtp_packer pk;
	struct capture c;

	rtp_packer_init(&pk, 1, 96, 0x11223344, 0, 1200);
	CHECK_EQ(pack(&pk, H265_AU, &c), 5);
	expect(&c, 0, "80 60 00 00 01 02 03 04 11 22 33 44  46 01 50");
	expect(&c, 3, "80 60 00 03 01 02 03 04 11 22 33 44  44 01 c1 72");
	expect(&c, 4, "80 e0 00 04 01 02 03 04 11 22 33 44  26 01 af 09 40");
	/* AP: type 48, LayerId 0, TID 1 -> 60 01 */
	rtp_packer_init(&pk, 1, 96, 0x11223344, 0, 1200);
	pk.aggregate = 1;
	CHECK_EQ(pack(&pk, H265_AU, &c), 1);
	expect(&c, 0, "80 e0 00 00 01 02 03 04 11 22 33 44  60 01 "
		      "00 03 46 01 50  00 04 40 01 0c 01  00 04 42 01 01 01  "
		      "00 04 44 01 c1 72  00 05 26 01 af 09 40");
}

/* Saved parameter sets go after the AUD and before the first other NAL. */
static void t_prefix_after_aud(void)
{
	struct rtp_packer pk;
	struct capture c = { 0 };
	uint8_t au[64], sps[8], pps[8];
	size_t n = hex("00 00 00 01 09 f0  00 00 01 65 88 84 21 a0", au);
	struct nal pre[2] = { { sps, hex("67 42 c0 1e d9", sps) },
			      { pps, hex("68 ce 3c 80", pps) } };

	rtp_packer_init(&pk, 0, 96, 0x11223344, 0, 1200);
	CHECK_EQ(rtp_pack_au(&pk, pre, 2, au, n, 0x01020304, capture, &c), 4);
	expect(&c, 0, "80 60 00 00 01 02 03 04 11 22 33 44  09 f0");
	expect(&c, 1, "80 60 00 01 01 02 03 04 11 22 33 44  67 42 c0 1e d9");
	expect(&c, 2, "80 60 00 02 01 02 03 04 11 22 33 44  68 ce 3c 80");
	expect(&c, 3, "80 e0 00 03 01 02 03 04 11 22 33 44  65 88 84 21 a0");
}

static void t_errors(void)
{
	struct rtp_packer pk;
	struct capture c = { 0 };
	uint8_t junk[4] = { 1, 2, 3, 4 };

	rtp_packer_init(&pk, 0, 96, 1, 0, 1200);
	CHECK_EQ(rtp_pack_au(&pk, NULL, 0, junk, sizeof junk, 0, capture, &c), -EINVAL);
	CHECK_EQ(c.n, 0);
	/* the callback's error stops packing */
	c.n = MAXPKT;
	{
		uint8_t au[16];
		size_t n = hex("00 00 01 65 88", au);

		CHECK_EQ(rtp_pack_au(&pk, NULL, 0, au, n, 0, capture, &c), -ENOSPC);
	}
}

static void t_ticks(void)
{
	CHECK_EQ(rtp_ticks_from_ns(0), 0);
	CHECK_EQ(rtp_ticks_from_ns(40000000), 3600);            /* 25 fps */
	CHECK_EQ(rtp_ticks_from_ns(1000000000), 90000);
	CHECK_EQ(rtp_ticks_from_ns(33366666), 3002);            /* 29.97: floor */
	/* 100 hours: ns * 90000 would overflow 64 bits */
	CHECK_EQ(rtp_ticks_from_ns(360000ull * 1000000000ull), 360000ull * 90000ull);
}

static const struct unit_case cases[] = {
	UNIT(t_h264_single), UNIT(t_h264_fu_a), UNIT(t_h265_fu), UNIT(t_h265_single),
	UNIT(t_h264_several), UNIT(t_h264_stap_a), UNIT(t_h265_several_and_ap),
	UNIT(t_prefix_after_aud), UNIT(t_errors), UNIT(t_ticks),
};

UNIT_MAIN(cases)
