/* SPDX-License-Identifier: GPL-2.0-or-later */
/* md5.c - RFC 1321, written from the RFC's description (3.1-3.5). */
#include "util/md5.h"

#include <string.h>

/* 3.4: T[i] = floor(2^32 * |sin(i + 1)|), and the per-round shifts. */
static const uint32_t T[64] = {
	0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a,
	0xa8304613, 0xfd469501, 0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be,
	0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821, 0xf61e2562, 0xc040b340,
	0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
	0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8,
	0x676f02d9, 0x8d2a4c8a, 0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c,
	0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70, 0x289b7ec6, 0xeaa127fa,
	0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
	0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92,
	0xffeff47d, 0x85845dd1, 0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1,
	0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
};
static const uint8_t S[4][4] = { { 7, 12, 17, 22 }, { 5, 9, 14, 20 },
				 { 4, 11, 16, 23 }, { 6, 10, 15, 21 } };

static uint32_t rol(uint32_t x, unsigned s)
{
	return x << s | x >> (32 - s);
}

/* 3.4: one 16-word block, four rounds of sixteen steps. */
static void block(uint32_t h[4], const uint8_t *p)
{
	uint32_t X[16], a = h[0], b = h[1], c = h[2], d = h[3];
	unsigned i;

	for (i = 0; i < 16; i++)        /* 3.3: words are little-endian */
		X[i] = (uint32_t)p[4 * i] | (uint32_t)p[4 * i + 1] << 8 |
		       (uint32_t)p[4 * i + 2] << 16 | (uint32_t)p[4 * i + 3] << 24;
	for (i = 0; i < 64; i++) {
		uint32_t f, t;
		unsigned k, r = i / 16;

		switch (r) {
		case 0: f = (b & c) | (~b & d); k = i; break;
		case 1: f = (b & d) | (c & ~d); k = (5 * i + 1) & 15; break;
		case 2: f = b ^ c ^ d; k = (3 * i + 5) & 15; break;
		default: f = c ^ (b | ~d); k = (7 * i) & 15; break;
		}
		t = d;
		d = c;
		c = b;
		b = b + rol(a + f + X[k] + T[i], S[r][i & 3]);
		a = t;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
}

void md5_init(struct md5 *m)
{
	/* 3.3 */
	m->h[0] = 0x67452301;
	m->h[1] = 0xefcdab89;
	m->h[2] = 0x98badcfe;
	m->h[3] = 0x10325476;
	m->len = 0;
}

void md5_update(struct md5 *m, const void *data, size_t n)
{
	const uint8_t *p = data;
	size_t have = (size_t)(m->len & 63);

	m->len += n;
	if (have) {
		size_t k = 64 - have < n ? 64 - have : n;

		memcpy(m->buf + have, p, k);
		p += k;
		n -= k;
		if (have + k < 64)
			return;
		block(m->h, m->buf);
	}
	for (; n >= 64; p += 64, n -= 64)
		block(m->h, p);
	memcpy(m->buf, p, n);
}

void md5_final(struct md5 *m, uint8_t out[16])
{
	uint64_t bits = m->len * 8;
	uint8_t pad[72] = { 0x80 };
	size_t have = (size_t)(m->len & 63), k = have < 56 ? 56 - have : 120 - have;
	unsigned i;

	/* 3.1, 3.2: a 1 bit, zeros to 448 mod 512, the length in bits */
	for (i = 0; i < 8; i++)
		pad[k + i] = (uint8_t)(bits >> (8 * i));
	md5_update(m, pad, k + 8);
	for (i = 0; i < 16; i++)
		out[i] = (uint8_t)(m->h[i / 4] >> (8 * (i & 3)));
}

void md5_hex(const void *p, size_t n, char hex[33])
{
	static const char digits[] = "0123456789abcdef";
	struct md5 m;
	uint8_t d[16];
	unsigned i;

	md5_init(&m);
	md5_update(&m, p, n);
	md5_final(&m, d);
	for (i = 0; i < 16; i++) {
		hex[2 * i] = digits[d[i] >> 4];
		hex[2 * i + 1] = digits[d[i] & 15];
	}
	hex[32] = '\0';
}
