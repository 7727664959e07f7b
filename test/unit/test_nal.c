/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_nal.c - Annex B scanning, emulation prevention, length prefixes. */
#include "unit.h"
#include "codec/nal.h"

#include <errno.h>

/* Collect the NAL units of an Annex B buffer as "len:firstbyte" pairs. */
static int scan(const uint8_t *b, size_t n, size_t *lens, uint8_t *first, int max)
{
	const uint8_t *p = b, *end = b + n;
	struct nal u;
	int k = 0;

	while ((p = annexb_next(p, end, &u)) != NULL && k < max) {
		CHECK(u.p >= b && u.p + u.n <= end);
		lens[k] = u.n;
		first[k] = u.n ? u.p[0] : 0;
		k++;
	}
	return k;
}

static void t_annexb_start_codes(void)
{
	uint8_t b[64], first[8];
	size_t lens[8];
	/* garbage, 4-byte SC, AUD, 3-byte SC, SPS-ish, trailing zeros,
	 * 4-byte SC, slice, trailing zeros at the end of the buffer */
	int n = unit_hex("ff 01 00 00 00 01 09 f0  00 00 01 67 42 00 0a 00 00"
			 "00 00 00 01 65 88 84 00 00 00", b, sizeof b);

	CHECK_EQ(scan(b, (size_t)n, lens, first, 8), 3);
	CHECK_EQ(lens[0], 2); CHECK_EQ(first[0], 0x09);
	CHECK_EQ(lens[1], 4); CHECK_EQ(first[1], 0x67);
	CHECK_EQ(lens[2], 3); CHECK_EQ(first[2], 0x65);
}

static void t_annexb_edges(void)
{
	uint8_t b[16] = { 0 }, first[4];
	size_t lens[4];
	struct nal u;
	int n;

	CHECK(annexb_next(b, b, &u) == NULL);
	CHECK(annexb_next(NULL, b, &u) == NULL);
	n = unit_hex("12 34 56 00 00", b, sizeof b);      /* no start code */
	CHECK_EQ(scan(b, (size_t)n, lens, first, 4), 0);
	n = unit_hex("00 00 01", b, sizeof b);            /* start code only */
	CHECK_EQ(scan(b, (size_t)n, lens, first, 4), 1);
	CHECK_EQ(lens[0], 0);
	n = unit_hex("00 00 01 41 00 00 01 41 01", b, sizeof b);
	CHECK_EQ(scan(b, (size_t)n, lens, first, 4), 2);
	CHECK_EQ(lens[0], 1); CHECK_EQ(lens[1], 2);
}

static void t_unescape(void)
{
	static const struct { const char *in, *out; } v[] = {
		{ "00 00 03 01", "00 00 01" },
		{ "00 00 03 00 00 03 03", "00 00 00 00 03" },
		{ "67 00 00 03 00 01 00 03", "67 00 00 00 01 00 03" },
		{ "00 03 00 00 03", "00 03 00 00" },      /* cabac_zero_word tail */
		{ "00 00 00 03 03", "00 00 00 03" },
		{ "03 03 03", "03 03 03" },
	};
	uint8_t in[32], want[32], out[32];
	size_t i;

	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		int n = unit_hex(v[i].in, in, sizeof in);
		int w = unit_hex(v[i].out, want, sizeof want);
		size_t got = nal_unescape(in, (size_t)n, out, sizeof out);

		CHECK_EQ(got, (size_t)w);
		CHECK_MEM(out, want, (size_t)w);
		CHECK(nal_unescape(in, (size_t)n, out, (size_t)w - 1) == (size_t)-1);
	}
}

static void t_escape(void)
{
	static const struct { const char *in, *out; } v[] = {
		{ "00 00 01", "00 00 03 01" },
		{ "00 00 00 00", "00 00 03 00 00 03" },   /* ends in 00: 03 appended */
		{ "00 00 04 00 00 02 80", "00 00 04 00 00 03 02 80" },
		{ "00 00", "00 00 03" },
		{ "01 00 03", "01 00 03" },
		{ "", "" },
	};
	uint8_t in[32], want[32], out[32], back[32];
	size_t i;

	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		int n = unit_hex(v[i].in, in, sizeof in);
		int w = unit_hex(v[i].out, want, sizeof want);
		size_t got = nal_escape(in, (size_t)n, out, sizeof out);

		CHECK_EQ(got, (size_t)w);
		CHECK_MEM(out, want, (size_t)w);
		if (w)
			CHECK(nal_escape(in, (size_t)n, out, (size_t)w - 1) == (size_t)-1);
		CHECK_EQ(nal_unescape(out, got, back, sizeof back), (size_t)n);
		CHECK_MEM(back, in, (size_t)n);
	}
}

/* Every 3-byte pattern and its neighbours survive escape -> unescape, and
 * the escaped form never contains 00 00 0x (x <= 3) outside an 00 00 03. */
static void t_escape_exhaustive(void)
{
	uint8_t in[6], esc[16], back[16];
	unsigned v;

	for (v = 0; v < 6 * 6 * 6 * 6 * 6 * 6; v++) {
		unsigned x = v, i;
		size_t e, r;

		for (i = 0; i < 6; i++, x /= 6)
			in[i] = (uint8_t)(x % 6 == 5 ? 0x80 : x % 6);
		e = nal_escape(in, 6, esc, sizeof esc);
		CHECK(e != (size_t)-1);
		for (i = 0; i + 2 < e; i++)
			CHECK(!(esc[i] == 0 && esc[i + 1] == 0 && esc[i + 2] < 3));
		r = nal_unescape(esc, e, back, sizeof back);
		CHECK_EQ(r, 6);
		CHECK_MEM(back, in, 6);
	}
}

static void t_aud_vcl(void)
{
	static const uint8_t a264[] = { 0x09, 0xf0 }, a265[] = { 0x46, 0x01, 0x50 };
	static const uint8_t s264[] = { 0x09, 0xf0, 0x00 }, idr265[] = { 0x26, 0x01, 0xaf };
	struct nal u;

	u.p = a264; u.n = sizeof a264;
	CHECK(nal_is_aud(&u));
	CHECK(!nal_is_vcl(0, &u));
	u.p = a265; u.n = sizeof a265;
	CHECK(nal_is_aud(&u));
	CHECK(!nal_is_vcl(1, &u));
	u.p = s264; u.n = sizeof s264;
	CHECK(!nal_is_aud(&u));
	u.p = idr265; u.n = sizeof idr265;
	CHECK(!nal_is_aud(&u));
	CHECK(nal_is_vcl(1, &u));
	CHECK(nal_is_keyframe(1, &u));
}

static void t_to_lp(void)
{
	uint8_t au[64], out[64], want[64];
	int n = unit_hex("ab 00 00 00 01 09 f0 00 00 01 67 42 00 00 00 00 01 65 88 00",
			 au, sizeof au);
	int w, got, cap;
	const uint8_t *p;
	struct nal u;

	w = unit_hex("00 00 00 02 09 f0  00 00 00 02 67 42  00 00 00 02 65 88",
		     want, sizeof want);
	got = annexb_to_lp(au, (size_t)n, 0, out, sizeof out);
	CHECK_EQ(got, w);
	CHECK_MEM(out, want, (size_t)w);
	got = annexb_to_lp(au, (size_t)n, LP_DROP_AUD, out, sizeof out);
	CHECK_EQ(got, w - 6);
	CHECK_MEM(out, want + 6, (size_t)w - 6);
	for (cap = 0; cap < w - 6; cap++)
		CHECK_EQ(annexb_to_lp(au, (size_t)n, LP_DROP_AUD, out, (size_t)cap), -ENOSPC);

	/* lp_next walks it back; a truncated length stops the walk. */
	p = out;
	CHECK((p = lp_next(p, out + got, &u)) != NULL);
	CHECK_EQ(u.n, 2); CHECK_EQ(u.p[0], 0x67);
	CHECK((p = lp_next(p, out + got, &u)) != NULL);
	CHECK_EQ(u.p[0], 0x65);
	CHECK(lp_next(p, out + got, &u) == NULL);
	CHECK(lp_next(out, out + 6, &u) != NULL);
	CHECK(lp_next(out, out + 5, &u) == NULL);
	CHECK(lp_next(out + 6, out + got - 1, &u) == NULL);
}

static void t_keyframe(void)
{
	uint8_t b[32];
	int n = unit_hex("00 00 00 01 09 f0 00 00 01 41 9a", b, sizeof b);

	CHECK(!annexb_is_keyframe(0, b, (size_t)n));
	n = unit_hex("00 00 00 01 09 f0 00 00 01 65 88", b, sizeof b);
	CHECK(annexb_is_keyframe(0, b, (size_t)n));
	n = unit_hex("00 00 00 01 46 01 10 00 00 01 2a 01 af", b, sizeof b); /* CRA */
	CHECK(annexb_is_keyframe(1, b, (size_t)n));
	n = unit_hex("00 00 00 01 02 01 d0", b, sizeof b);                 /* TRAIL_R */
	CHECK(!annexb_is_keyframe(1, b, (size_t)n));
}

static const struct unit_case cases[] = {
	UNIT(t_annexb_start_codes),
	UNIT(t_annexb_edges),
	UNIT(t_unescape),
	UNIT(t_escape),
	UNIT(t_escape_exhaustive),
	UNIT(t_aud_vcl),
	UNIT(t_to_lp),
	UNIT(t_keyframe),
};
UNIT_MAIN(cases)
