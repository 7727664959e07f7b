/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rtp_area.h - one access unit's RTP packets, packed once, for transports
 * that send them more than once or framed (pure: no socket, no clock).
 *
 * rtp_area_emit() is an rtp_emit_fn: each packet is copied into the area
 * behind 4 bytes left free for the RTSP interleaved header (RFC 2326
 * 10.12: '$', channel, 16-bit length).  The RTSP server sends the same
 * packets to every UDP client from the area and copies them, framed,
 * into each TCP client's send window; the RTSP publisher does the latter
 * once.  Allocated once (rtp_area_init); rtp_area_reset() per AU.
 */
#ifndef CVMMAP_RTP_AREA_H
#define CVMMAP_RTP_AREA_H

#include "proto/rtp.h"
#include "proto/sendq.h"

#include <stddef.h>
#include <stdint.h>

struct rtp_area_pkt {
	size_t off, len;        /* RTP packet at buf[off + 4], len bytes */
};

struct rtp_area {
	uint8_t *buf;
	size_t cap, n;
	struct rtp_area_pkt *pk;
	size_t pk_max, npk;
};

/* Room for one AU of up to au_max bytes.  0 or -ENOMEM. */
int rtp_area_init(struct rtp_area *a, size_t au_max);
void rtp_area_free(struct rtp_area *a);
static inline void rtp_area_reset(struct rtp_area *a) { a->n = a->npk = 0; }

/* rtp_emit_fn (opaque = the area): -ENOSPC when it is full. */
int rtp_area_emit(void *opaque, const struct rtp_span *v, int nv);

/* Queue every packet, framed for interleaved channel ch, as one message
 * of kind; adds to *packets and *octets (RFC 3550 6.4.1 counts).
 * 0, or -ENOSPC when the window has no room (nothing queued). */
int rtp_area_queue(const struct rtp_area *a, struct sendq *q, int ch, int kind,
		   uint64_t now, uint32_t *packets, uint32_t *octets);

#endif
