/* SPDX-License-Identifier: GPL-2.0-or-later */
/* latency.h - the latency SEI (--latency-sei on): per-frame timestamps a
 * receiver turns into glass-to-receiver latency and its split
 * (docs/sei.md, "Latency").  Pure code.
 *
 * One user_data_unregistered SEI message (H.264 payloadType 5, H.265
 * prefix SEI) per access unit, UUID LATENCY_SEI_UUID, payload
 * LATENCY_SEI_SIZE bytes, big-endian:
 *   0  u8  version (1)
 *   1  u8  flags: bit 0 = capture_ns is Unix time (CLOCK_REALTIME ns)
 *   2  u16 reserved (0)
 *   4  u32 frame_id            the producer's frame number
 *   8  u64 capture_ns          the producer's capture timestamp, its domain
 *  16  u64 announced_ns        sync received by the streamer  } Unix time
 *  24  u64 encoded_ns          the encoder handed the AU over } (ns, the
 *  32  u64 sent_ns             handed to the outputs          } streamer's
 *                                                               clock)
 * A receiver on the same host or an NTP-synced one subtracts: ingest =
 * announced - capture (when flag 0), encode = encoded - announced, send =
 * sent - encoded, network = arrival - sent.
 */
#ifndef CVMMAP_LATENCY_H
#define CVMMAP_LATENCY_H

#include <stddef.h>
#include <stdint.h>

/* 5f3c9a1e-7b2d-4c8e-9a61-c0ffee1a7e11, a random v4 UUID of this project */
#define LATENCY_SEI_UUID { \
	0x5f, 0x3c, 0x9a, 0x1e, 0x7b, 0x2d, 0x4c, 0x8e, \
	0x9a, 0x61, 0xc0, 0xff, 0xee, 0x1a, 0x7e, 0x11, \
}
#define LATENCY_SEI_SIZE 40
#define LATENCY_CAPTURE_UNIX 0x01

struct latency_stamps {
	uint32_t frame_id;
	int capture_unix;           /* capture_ns is Unix time */
	uint64_t capture_ns, announced_ns, encoded_ns, sent_ns;
};

/* LATENCY_SEI_SIZE bytes into out. */
void latency_build(uint8_t out[LATENCY_SEI_SIZE], const struct latency_stamps *s);
/* 0, or -EINVAL (wrong size or version). */
int latency_parse(const uint8_t *p, size_t n, struct latency_stamps *s);

#endif
