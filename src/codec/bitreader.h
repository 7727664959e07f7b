/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bitreader.h - MSB-first bit reader with Exp-Golomb codes (pure).
 *
 * Reads an RBSP, i.e. NAL payload with the emulation-prevention bytes
 * already removed (nal_unescape).  Reading past the end never touches
 * memory outside the buffer: it returns zeros and sets br->overrun, so a
 * parser reads a whole structure and checks br_ok() once at the end (or
 * wherever a value drives a loop or an array index).
 *
 *   u(n)  fixed-length unsigned, n <= 32        (H.264/H.265 7.2)
 *   ue(v) unsigned Exp-Golomb                   (H.264 9.1 / H.265 9.2)
 *   se(v) signed Exp-Golomb (k -> (-1)^(k+1) * ceil(k/2))
 */
#ifndef CVMMAP_BITREADER_H
#define CVMMAP_BITREADER_H

#include <stddef.h>
#include <stdint.h>

struct bitreader {
	const uint8_t *p;
	size_t bits;    /* buffer size in bits */
	size_t pos;     /* next bit to read */
	int overrun;    /* a read went past the end (sticky) */
};

static inline void br_init(struct bitreader *br, const uint8_t *p, size_t n)
{
	br->p = p;
	br->bits = n * 8;
	br->pos = 0;
	br->overrun = 0;
}

static inline int br_ok(const struct bitreader *br)
{
	return !br->overrun;
}

static inline unsigned br_bit(struct bitreader *br)
{
	unsigned b;

	if (br->pos >= br->bits) {
		br->overrun = 1;
		return 0;
	}
	b = br->p[br->pos >> 3] >> (7 - (br->pos & 7)) & 1;
	br->pos++;
	return b;
}

static inline uint32_t br_u(struct bitreader *br, unsigned n)
{
	uint32_t v = 0;

	while (n--)
		v = v << 1 | br_bit(br);
	return v;
}

static inline void br_skip(struct bitreader *br, size_t n)
{
	if (n > br->bits - br->pos || br->pos > br->bits) {
		br->pos = br->bits;
		br->overrun = 1;
		return;
	}
	br->pos += n;
}

/* More than 31 leading zeros does not fit 32 bits: treated as overrun. */
static inline uint32_t br_ue(struct bitreader *br)
{
	unsigned lz = 0;

	while (!br_bit(br)) {
		if (br->overrun || ++lz > 31) {
			br->overrun = 1;
			return 0;
		}
	}
	return ((uint32_t)1 << lz) - 1 + br_u(br, lz);
}

static inline int32_t br_se(struct bitreader *br)
{
	uint32_t k = br_ue(br);

	return k & 1 ? (int32_t)((k >> 1) + 1) : -(int32_t)(k >> 1);
}

#endif
