/* SPDX-License-Identifier: GPL-2.0-or-later */
/* prng.h - the one seeded pseudo-random generator (xorshift64*).
 *
 * For what must merely differ between runs and hosts: RTP SSRC, first
 * sequence number and timestamp (RFC 3550 5.1), RTCP interval jitter,
 * reconnect jitter, the RTMP handshake's random bytes, NATS inbox names.
 * Not for secrets.  Under --bitexact every owner seeds it with a fixed
 * value, so whole outputs repeat byte for byte.
 */
#ifndef CVMMAP_PRNG_H
#define CVMMAP_PRNG_H

#include <stdint.h>

struct prng {
	uint64_t s;
};

static inline void prng_seed(struct prng *r, uint64_t seed)
{
	r->s = seed ? seed : 0x9E3779B97F4A7C15ull;  /* never the all-zero state */
}

/* A seed that differs between processes: getrandom(), else time ^ pid. */
uint64_t prng_random_seed(void);

static inline uint32_t prng_u32(struct prng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return (uint32_t)((r->s * 0x2545F4914F6CDD1Dull) >> 32);
}

#endif
