/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rtp.h - RTP packetiser for H.264 (RFC 6184) and H.265 (RFC 7798), pure.
 *
 * rtp_pack_au() cuts one Annex B access unit into RTP packets and hands
 * each one, as a short list of byte spans, to a caller callback.  The
 * spans point into the AU, into the caller's prefix NALs, or into small
 * headers on the packer's stack; they are valid only during the call, so
 * the transport copies them (one memcpy into its preallocated slot).
 * No socket, no clock, no allocation: the caller supplies SSRC, first
 * sequence number and the 90 kHz timestamp.
 */
#ifndef CVMMAP_RTP_H
#define CVMMAP_RTP_H

#include "codec/nal.h"

#include <stddef.h>
#include <stdint.h>

#define RTP_HDR_LEN      12
#define RTP_CLOCK_HZ     90000
#define RTP_MTU_DEFAULT  1200
#define RTP_MTU_MIN      16      /* room for FU headers plus one byte */
#define RTP_AGG_MAX      8       /* NALs per STAP-A / AP packet */
/* Spans of one packet: RTP header (+ payload header), then at most two
 * spans per aggregated NAL (size field, NAL). */
#define RTP_SPANS_MAX    (1 + 2 * RTP_AGG_MAX)

struct rtp_span {
	const uint8_t *p;
	size_t n;
};

/* Called once per packet; spans concatenated are the whole datagram
 * (RTP header first).  Return 0, or a negative value to stop packing. */
typedef int (*rtp_emit_fn)(void *opaque, const struct rtp_span *v, int nv);

struct rtp_packer {
	int codec;          /* enum codec_id: 0 H.264, 1 H.265 */
	uint8_t pt;         /* payload type, 96..127 */
	uint32_t ssrc;
	uint16_t seq;       /* next sequence number (wraps) */
	size_t mtu;         /* max RTP payload bytes (header excluded) */
	int aggregate;      /* 1: STAP-A / AP for runs of small NALs */
};

void rtp_packer_init(struct rtp_packer *pk, int codec, int pt, uint32_t ssrc,
		     uint16_t first_seq, size_t mtu);

/* Packetise one AU (Annex B, n bytes) with timestamp ts.  prefix[0..np)
 * are NAL units (no start codes) sent before the AU's first NAL that is
 * not an access unit delimiter: the sink's saved parameter sets for a
 * keyframe that arrived without them.  The marker bit is set on the
 * last packet.  Returns the number of packets emitted, -EINVAL for an
 * AU without NAL units, or the callback's negative value. */
int rtp_pack_au(struct rtp_packer *pk, const struct nal *prefix, int np,
		const uint8_t *au, size_t n, uint32_t ts,
		rtp_emit_fn emit, void *opaque);

/* 90 kHz ticks for a time in nanoseconds (no 64-bit overflow for any
 * uint64_t input); the caller adds its random base and truncates. */
static inline uint64_t rtp_ticks_from_ns(uint64_t ns)
{
	return ns / 1000000000u * RTP_CLOCK_HZ +
	       ns % 1000000000u * RTP_CLOCK_HZ / 1000000000u;
}

#endif
