/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rtp_sink.h - the RTP output (a row of the sink table, proto/sink.h).
 *
 * UDP transport around the pure rtp_stream (packetiser, RTCP state),
 * the SDP file for players, RTCP on port+1.  Never blocks: a full socket
 * buffer or an ICMP-refused destination is counted and logged
 * (rate-limited) and the AU is given up.
 */
#ifndef CVMMAP_RTP_SINK_H
#define CVMMAP_RTP_SINK_H

#include "proto/sink.h"

#include <stdint.h>

/* Its command line (--rtp ...). */
struct rtp_opts {
	int enable;
	const char *endpoint;     /* HOST:PORT or [v6]:PORT; RTCP to PORT+1 */
	long payload_type;        /* 96..127 */
	const char *sdp;          /* NULL = no SDP file */
	long mtu;                 /* max RTP payload bytes */
	int no_rtcp;
	int aggregate;            /* STAP-A / AP for small NALs (no flag: tests) */
};

struct rtp_sink_stats {
	uint64_t packets, bytes, aus, send_errors, rtcp_packets;
	uint64_t unsent;          /* AUs before the destination resolved */
	uint64_t sdp_errors;      /* SDP writes that failed (each is retried) */
};

extern const struct sink_ops rtp_sink_ops;

/* The typed counters of an open RTP sink (tests, tools). */
void rtp_sink_get_stats(const void *st, struct rtp_sink_stats *out);

#endif
