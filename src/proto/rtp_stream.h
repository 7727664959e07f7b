/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rtp_stream.h - one RTP stream's state without a socket (pure).
 *
 * The packetiser (rtp.h) with its SSRC and sequence numbers, the random
 * timestamp base, the sender's RTCP counters and the RTP <-> capture
 * clock mapping that sender reports carry.  A transport (UDP in
 * rtp_sink.c; RTSP later) packs each AU once through rtp_stream_pack()
 * and sends the packets; it reports what went out with rtp_stream_sent()
 * and asks for a sender report when rtp_stream_rtcp_due() says so.
 *
 * RTCP timing (RFC 3550 6.4.1): an SR describes "now".  Its RTP
 * timestamp is that of the newest frame sent (the largest PTS, so
 * B-frames never move it back) plus the time elapsed since that frame
 * was captured.  Its NTP time is the host's wall clock now, or - when
 * the producer's timestamps are Unix time (capture_unix) - the frame's
 * capture timestamp plus the same elapsed time, so RTP time maps to the
 * camera's clock.  Either way NTP and RTP time describe the same
 * instant on the capture time line.
 */
#ifndef CVMMAP_RTP_STREAM_H
#define CVMMAP_RTP_STREAM_H

#include "codec/au.h"
#include "codec/pscache.h"
#include "proto/rtp.h"
#include "util/prng.h"

#include <stddef.h>
#include <stdint.h>

#define RTP_CNAME_MAX 64

struct rtp_stream {
	struct rtp_packer pk;
	uint32_t ts_base;               /* random (RFC 3550 5.1); 0 under bitexact */
	uint32_t sr_packets, sr_octets; /* RFC 3550 6.4.1 counters (wrap) */
	uint64_t aus;                   /* AUs packed */
	/* sender-report anchor: the newest frame sent */
	int have_map;
	uint32_t map_ts;                /* its RTP timestamp ... */
	uint64_t map_capture_ns;        /* ... its producer timestamp ... */
	uint64_t map_mono_ns;           /* ... and its capture instant here */
	int capture_unix;               /* producer timestamps are Unix time */
	uint64_t next_rtcp_ns;
	struct prng rng;
	char cname[RTP_CNAME_MAX];
};

/* codec/pt/mtu as rtp_packer_init; aggregate: STAP-A/AP for small NALs;
 * bitexact: SSRC "CVMM", first sequence number 0, timestamp base 0. */
void rtp_stream_init(struct rtp_stream *r, int codec, int pt, size_t mtu, int aggregate,
		     int bitexact, const char *cname);

/* RFC 7022: the per-host CNAME "cvmmap@<hostname>" (or @localhost) into
 * cname[RTP_CNAME_MAX]; the one call here that asks the system. */
void rtp_stream_cname(char *cname);

/* The RTP timestamp (90 kHz, with the random base) of a time in ns. */
uint32_t rtp_stream_ts(const struct rtp_stream *r, uint64_t ns);

/* Packetise au at its presentation time.  A keyframe without in-band
 * parameter sets gets the cached ones first (a receiver joining there
 * can start).  Returns the packets emitted or the emitter's error. */
int rtp_stream_pack(struct rtp_stream *r, const struct access_unit *au,
		    const struct pscache *ps, uint64_t now_mono_ns,
		    rtp_emit_fn emit, void *opaque);

/* The transport sent one packet of len bytes (header included). */
static inline void rtp_stream_sent(struct rtp_stream *r, size_t len)
{
	r->sr_packets++;
	r->sr_octets += (uint32_t)(len - RTP_HDR_LEN);
}

/* True when a sender report is due at now (RFC 3550 6.2: the interval
 * randomised to 0.5..1.5 of 2 s); schedules the next one. */
int rtp_stream_rtcp_due(struct rtp_stream *r, uint64_t now_mono_ns);

/* Compound RTCP (RFC 3550 6.1): SR + SDES CNAME [+ BYE], describing
 * now_mono_ns; wall_now_ns is this host's wall clock at that instant.
 * Returns its length, or -ENOSPC / -EAGAIN (nothing sent yet: no SR). */
int rtp_stream_rtcp(const struct rtp_stream *r, uint64_t now_mono_ns, uint64_t wall_now_ns,
		    int bye, uint8_t *buf, size_t cap);
/* The same for one receiver of a stream sent to many (RTSP): the SR
 * counts what that receiver was sent (RFC 3550 6.4.1 counts per
 * sender, and each receiver sees only its share). */
int rtp_stream_rtcp_to(const struct rtp_stream *r, uint32_t packets, uint32_t octets,
		       uint64_t now_mono_ns, uint64_t wall_now_ns, int bye, uint8_t *buf,
		       size_t cap);

#endif
