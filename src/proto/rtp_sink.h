/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rtp_sink.h - the RTP output: packetise, send over UDP, RTCP, SDP file.
 *
 * Thin I/O around the pure packetiser/RTCP/SDP code.  Never blocks: a
 * full socket buffer or an ICMP-refused destination is counted and logged
 * (rate-limited) and the AU is given up.
 */
#ifndef CVMMAP_RTP_SINK_H
#define CVMMAP_RTP_SINK_H

#include "codec/au.h"

#include <stdint.h>

struct rtp_sink_cfg {
	const char *endpoint;   /* HOST:PORT or [v6]:PORT; RTCP to PORT+1 */
	int payload_type;       /* 96..127 */
	const char *sdp_path;   /* NULL = no SDP file */
	int mtu;                /* max RTP payload bytes */
	int rtcp;               /* send SR/SDES/BYE */
	int codec;              /* enum codec_id */
	int bitexact;           /* fixed SSRC / first seq / first timestamp */
	int aggregate;          /* STAP-A / AP for small NALs (off by default) */
};

struct rtp_sink_stats {
	uint64_t packets, bytes, aus, send_errors, rtcp_packets;
};

struct rtp_sink;

/* Resolve, open sockets.  -errno on failure (bad host: -EINVAL). */
int rtp_sink_open(struct rtp_sink **out, const struct rtp_sink_cfg *cfg);
/* Send one AU now (in-band parameter sets are already in the AU); writes
 * or rewrites the SDP when parameter sets change. 0 or -errno. */
int rtp_sink_send(struct rtp_sink *s, const struct access_unit *au, uint64_t now_mono_ns);
/* Whether the producer's capture timestamps are Unix-epoch time (from its
 * source info).  When they are, RTCP sender reports map RTP time to the
 * producer's capture clock, so receivers can align several cameras;
 * otherwise (media time, unknown) to this machine's wall clock. */
void rtp_sink_set_capture_clock(struct rtp_sink *s, int unix_epoch);
/* Periodic work (RTCP sender reports).  Call at least every 100 ms. */
void rtp_sink_tick(struct rtp_sink *s, uint64_t now_mono_ns);
void rtp_sink_get_stats(const struct rtp_sink *s, struct rtp_sink_stats *st);
/* RTCP BYE, close sockets, free. */
void rtp_sink_close(struct rtp_sink *s);

#endif
