/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rtp_depay.h - RTP header parser and H.264/H.265 depacketiser, pure.
 *
 * For receivers of outside input (rtp_receiver_tester, the fuzzer): every
 * length is checked, nothing allocates, no datagram can crash it.  The
 * depacketiser rebuilds Annex B access units (00 00 00 01 before each
 * NAL) in a caller-supplied buffer and reports each finished AU through
 * a callback.
 */
#ifndef CVMMAP_RTP_DEPAY_H
#define CVMMAP_RTP_DEPAY_H

#include <stddef.h>
#include <stdint.h>

/* RFC 3550 5.1 fixed header, CSRCs and extension skipped, padding removed. */
struct rtp_hdr {
	unsigned version, marker, pt, cc;
	uint16_t seq;
	uint32_t ts, ssrc;
	const uint8_t *payload;
	size_t payload_len;
};

/* 0, or -EINVAL for a datagram that is not a well-formed RTP v2 packet
 * (short, bad version, CSRC/extension/padding beyond its end). */
int rtp_parse_header(const uint8_t *p, size_t n, struct rtp_hdr *h);

/* One reassembled access unit, valid during the callback only. */
struct rtp_au {
	const uint8_t *data;    /* Annex B */
	size_t size;
	uint32_t ts;
	int marker;             /* ended by the marker bit (else by ts change) */
	int keyframe;           /* has an IDR / IRAP NAL */
	int has_params;         /* has SPS+PPS (+VPS for H.265) */
	int damaged;            /* loss or a broken fragment inside */
};

typedef void (*rtp_au_fn)(void *opaque, const struct rtp_au *au);

struct rtp_depay {
	int codec;
	uint8_t *buf;           /* caller's AU buffer of cap bytes */
	size_t cap, len;
	rtp_au_fn on_au;
	void *opaque;

	/* current AU */
	int active;             /* a packet of the current AU was seen */
	uint32_t ts;
	unsigned params;        /* bit 0 VPS, 1 SPS, 2 PPS */
	int keyframe, damaged;
	int fu;                 /* 0 none, 1 open, 2 skipping to its end */
	size_t fu_start;        /* offset of the open FU's start code */
	unsigned seen;          /* parameter sets seen so far in the stream */
	int first_key_params;   /* -1 no keyframe yet, else 1 when SPS/PPS(/VPS)
	                           came before (or with) the first keyframe */

	/* counters */
	uint64_t packets, aus, keyframes;
	uint64_t malformed;     /* undecodable payloads (truncated, bad FU order,
	                           unsupported packet types, NAL F bit) */
	uint64_t missing_marker;/* AUs ended by a timestamp change */
	uint64_t overflow;      /* AUs larger than cap (truncated) */
};

void rtp_depay_init(struct rtp_depay *d, int codec, uint8_t *buf, size_t cap,
		    rtp_au_fn on_au, void *opaque);

/* Feed one RTP packet's payload.  lost: packets were lost just before
 * it (sequence gap): an open FU is dropped and the AU marked damaged.
 * Returns 0, or -EINVAL when this payload was malformed (counted). */
int rtp_depay_push(struct rtp_depay *d, const struct rtp_hdr *h, int lost);

/* End of stream: report a pending AU that never saw its marker. */
void rtp_depay_flush(struct rtp_depay *d);

#endif
