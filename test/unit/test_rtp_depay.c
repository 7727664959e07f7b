/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_rtp_depay.c - RTP header parsing and depacketisation, including
 * the round trip packetise -> depacketise for both codecs. */
#include "proto/rtp.h"
#include "proto/rtp_depay.h"
#include "unit.h"

#include <errno.h>

static size_t hex(const char *s, uint8_t *out)
{
	int n = unit_hex(s, out, 4096);

	CHECK(n >= 0);
	return (size_t)n;
}

static void t_header(void)
{
	uint8_t b[64];
	struct rtp_hdr h;
	size_t n;

	n = hex("80 e0 12 34 01 02 03 04 aa bb cc dd  65 88", b);
	CHECK_EQ(rtp_parse_header(b, n, &h), 0);
	CHECK_EQ(h.marker, 1);
	CHECK_EQ(h.pt, 96);
	CHECK_EQ(h.seq, 0x1234);
	CHECK_EQ(h.ts, 0x01020304);
	CHECK_EQ(h.ssrc, 0xaabbccdd);
	CHECK_EQ(h.payload_len, 2);
	CHECK(h.payload == b + 12);
	/* one CSRC, an extension of one word, 2 bytes of padding */
	n = hex("b1 60 00 01 00 00 00 00 00 00 00 01  11 11 11 11  "
		"be de 00 01 22 22 22 22  65 88 99 00 02", b);
	CHECK_EQ(rtp_parse_header(b, n, &h), 0);
	CHECK_EQ(h.cc, 1);
	CHECK(h.payload == b + 24);
	CHECK_EQ(h.payload_len, 3);
	/* each truncation of that packet is rejected */
	for (; n > 0; n--)
		CHECK_EQ(rtp_parse_header(b, n - 1, &h), -EINVAL);
	n = hex("40 60 00 01 00 00 00 00 00 00 00 01 65", b);       /* version 1 */
	CHECK_EQ(rtp_parse_header(b, n, &h), -EINVAL);
	n = hex("a0 60 00 01 00 00 00 00 00 00 00 01 65 00", b);    /* pad 0 */
	CHECK_EQ(rtp_parse_header(b, n, &h), -EINVAL);
	n = hex("a0 60 00 01 00 00 00 00 00 00 00 01 65 05", b);    /* pad > len */
	CHECK_EQ(rtp_parse_header(b, n, &h), -EINVAL);
}

/* ---- round trip ------------------------------------------------------- */

#define MAXAU 8

struct sink {
	struct rtp_depay d;
	uint8_t buf[65536];
	int naus;
	size_t size[MAXAU];
	uint8_t au[MAXAU][16384];
	struct rtp_au info[MAXAU];
	int drop;               /* packet index to drop (-1 none) */
	int npkt;
	uint16_t next_seq;
	int have_seq;
};

static void on_au(void *opaque, const struct rtp_au *au)
{
	struct sink *s = opaque;

	if (s->naus == MAXAU || au->size > sizeof s->au[0])
		return;
	memcpy(s->au[s->naus], au->data, au->size);
	s->size[s->naus] = au->size;
	s->info[s->naus++] = *au;
}

/* Transport stand-in: parse the packet and feed the depacketiser, with
 * sequence-gap detection as in the tester. */
static int deliver(void *opaque, const struct rtp_span *v, int nv)
{
	struct sink *s = opaque;
	uint8_t pkt[2048];
	size_t n = 0;
	struct rtp_hdr h;
	int i, lost;

	for (i = 0; i < nv; i++) {
		memcpy(pkt + n, v[i].p, v[i].n);
		n += v[i].n;
	}
	if (s->npkt++ == s->drop)
		return 0;
	CHECK_EQ(rtp_parse_header(pkt, n, &h), 0);
	lost = s->have_seq && h.seq != s->next_seq;
	s->next_seq = (uint16_t)(h.seq + 1);
	s->have_seq = 1;
	rtp_depay_push(&s->d, &h, lost);
	return 0;
}

static void sink_init(struct sink *s, int codec)
{
	memset(s, 0, sizeof *s);
	s->drop = -1;
	rtp_depay_init(&s->d, codec, s->buf, sizeof s->buf, on_au, s);
}

/* An Annex B AU of NALs with the given headers and body sizes.  Bodies
 * are bytes 1..255 so no start code can appear inside. */
static size_t make_au(uint8_t *out, int codec, const unsigned *types,
		      const size_t *sizes, int n)
{
	size_t len = 0, j;
	int i;

	for (i = 0; i < n; i++) {
		memcpy(out + len, "\0\0\0\1", 4);
		len += 4;
		if (codec) {
			out[len++] = (uint8_t)(types[i] << 1);
			out[len++] = 1;
		} else {
			out[len++] = (uint8_t)(0x60 | types[i]);
		}
		for (j = 0; j < sizes[i]; j++)
			out[len++] = (uint8_t)(1 + (j * 7 + (size_t)i) % 255);
	}
	return len;
}

static void roundtrip(int codec, int aggregate, size_t mtu)
{
	static const unsigned t264[] = { 9, 7, 8, 6, 5, 5 };
	static const unsigned t265[] = { 35, 32, 33, 34, 39, 19, 19 };
	static const size_t z264[] = { 1, 20, 4, 30, 3000, 7 };
	static const size_t z265[] = { 1, 22, 40, 6, 30, 5000, 2 };
	static struct sink s;
	static uint8_t au[16384], au2[16384];
	const unsigned *t = codec ? t265 : t264;
	const size_t *z = codec ? z265 : z264;
	int nn = codec ? 7 : 6;
	size_t n = make_au(au, codec, t, z, nn);
	size_t n2 = make_au(au2, codec, t + nn - 1, z + nn - 1, 1);
	struct rtp_packer pk;

	sink_init(&s, codec);
	rtp_packer_init(&pk, codec, 96, 42, 65530, mtu);
	pk.aggregate = aggregate;
	CHECK(rtp_pack_au(&pk, NULL, 0, au, n, 1000, deliver, &s) > 2);
	CHECK(rtp_pack_au(&pk, NULL, 0, au2, n2, 4600, deliver, &s) >= 1);
	CHECK_EQ(s.naus, 2);
	CHECK_EQ(s.size[0], n);
	CHECK_MEM(s.au[0], au, n);
	CHECK_EQ(s.size[1], n2);
	CHECK_MEM(s.au[1], au2, n2);
	CHECK(s.info[0].keyframe && s.info[0].has_params && s.info[0].marker);
	CHECK(!s.info[0].damaged);
	CHECK_EQ(s.info[0].ts, 1000);
	CHECK(!s.info[1].has_params);
	CHECK_EQ(s.d.malformed, 0);
	CHECK_EQ(s.d.missing_marker, 0);
	CHECK_EQ(s.d.first_key_params, 1);
}

static void t_roundtrip_h264(void)
{
	roundtrip(0, 0, 1200);
	roundtrip(0, 0, 100);
	roundtrip(0, 1, 1200);
	roundtrip(0, 1, 64);
}

static void t_roundtrip_h265(void)
{
	roundtrip(1, 0, 1200);
	roundtrip(1, 0, 100);
	roundtrip(1, 1, 1200);
	roundtrip(1, 1, 64);
}

/* A lost middle fragment: the NAL is dropped, the AU is marked damaged,
 * nothing is counted as malformed (loss is not a protocol error). */
static void t_loss(void)
{
	static struct sink s;
	static const unsigned t[] = { 7, 8, 5 };
	static const size_t z[] = { 10, 4, 500 };
	uint8_t au[1024];
	size_t n = make_au(au, 0, t, z, 3);
	struct rtp_packer pk;

	sink_init(&s, 0);
	s.drop = 3;                     /* SPS, PPS, FU start, [FU middle] ... */
	rtp_packer_init(&pk, 0, 96, 42, 0, 100);
	CHECK(rtp_pack_au(&pk, NULL, 0, au, n, 0, deliver, &s) > 4);
	CHECK_EQ(s.naus, 1);
	CHECK(s.info[0].damaged);
	CHECK(!s.info[0].keyframe);
	CHECK_EQ(s.size[0], 4 + 11 + 4 + 5);    /* only SPS and PPS remain */
	CHECK_EQ(s.d.malformed, 0);
}

static void push_hex(struct rtp_depay *d, const char *pkt)
{
	uint8_t b[256];
	size_t n = hex(pkt, b);
	struct rtp_hdr h;

	CHECK_EQ(rtp_parse_header(b, n, &h), 0);
	rtp_depay_push(d, &h, 0);
}

static void t_malformed(void)
{
	static struct sink s;

	sink_init(&s, 0);
	push_hex(&s.d, "80 60 00 01 00 00 00 01 00 00 00 01  7c 05 01 02");  /* FU middle, no start */
	CHECK_EQ(s.d.malformed, 1);
	push_hex(&s.d, "80 60 00 02 00 00 00 01 00 00 00 01  7c c5 01 02");  /* S and E */
	CHECK_EQ(s.d.malformed, 2);
	push_hex(&s.d, "80 60 00 03 00 00 00 01 00 00 00 01  78 00 09 67"); /* STAP-A overrun */
	CHECK_EQ(s.d.malformed, 3);
	push_hex(&s.d, "80 60 00 04 00 00 00 01 00 00 00 01  7a 00");        /* MTAP16 */
	CHECK_EQ(s.d.malformed, 4);
	push_hex(&s.d, "80 60 00 05 00 00 00 01 00 00 00 01  e5 00");        /* F bit */
	CHECK_EQ(s.d.malformed, 5);
	push_hex(&s.d, "80 60 00 06 00 00 00 01 00 00 00 01  7c 85 01 02");  /* FU start */
	push_hex(&s.d, "80 60 00 07 00 00 00 01 00 00 00 01  65 01");        /* ... never ended */
	CHECK_EQ(s.d.malformed, 6);
	/* timestamp change without marker ends the AU (counted), then the
	 * marker ends the next one */
	push_hex(&s.d, "80 e0 00 08 00 00 00 02 00 00 00 01  65 02");
	CHECK_EQ(s.d.missing_marker, 1);
	CHECK_EQ(s.naus, 2);
	CHECK_EQ(s.d.first_key_params, 0);      /* IDR before any SPS/PPS */
	CHECK_EQ(s.size[1], 6);
	CHECK_MEM(s.au[1], "\0\0\0\1\x65\x02", 6);

	sink_init(&s, 1);
	push_hex(&s.d, "80 60 00 01 00 00 00 01 00 00 00 01  62 01 13 01"); /* FU middle */
	push_hex(&s.d, "80 60 00 02 00 00 00 01 00 00 00 01  64 01 00");    /* PACI */
	push_hex(&s.d, "80 60 00 03 00 00 00 01 00 00 00 01  26");          /* 1 byte */
	push_hex(&s.d, "80 e0 00 04 00 00 00 01 00 00 00 01  60 01 00 01 26"); /* AP unit < 2 */
	CHECK_EQ(s.d.malformed, 4);
	CHECK_EQ(s.naus, 0);
}

/* A tiny AU buffer: oversized AUs are counted and truncated, not overrun. */
static void t_overflow(void)
{
	struct rtp_depay d;
	uint8_t buf[8];

	rtp_depay_init(&d, 0, buf, sizeof buf, NULL, NULL);
	push_hex(&d, "80 60 00 01 00 00 00 01 00 00 00 01  67 01 02 03");
	push_hex(&d, "80 e0 00 02 00 00 00 01 00 00 00 01  68 01 02 03 04 05");
	CHECK_EQ(d.overflow, 1);
	CHECK_EQ(d.aus, 1);
}

static const struct unit_case cases[] = {
	UNIT(t_header), UNIT(t_roundtrip_h264), UNIT(t_roundtrip_h265), UNIT(t_loss),
	UNIT(t_malformed), UNIT(t_overflow),
};

UNIT_MAIN(cases)
