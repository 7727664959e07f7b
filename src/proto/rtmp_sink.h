/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rtmp_sink.h - the RTMP output (a row of the sink table, proto/sink.h).
 *
 * A non-blocking publisher: IDLE/BACKOFF -> CONNECTING -> the session of
 * proto/rtmp_session.h (handshake, commands) -> PUBLISHING, and back to
 * BACKOFF (util/backoff.h) on any error, close, or 10 s without
 * NetStream.Publish.Start.  Access units become FLV video messages
 * (H.264 id 7; H.265 E-RTMP hvc1 or domestic id 12) in the send window
 * of proto/sendq.h, which drops to the next keyframe when the server
 * falls behind; onMetaData and the sequence header go first on every
 * (re)connect and again when the parameter sets change.
 */
#ifndef CVMMAP_RTMP_SINK_H
#define CVMMAP_RTMP_SINK_H

#include "proto/sink.h"

#include <stdint.h>

/* Its command line (--rtmp ...). */
struct rtmp_opts {
	int enable;
	const char *url;          /* rtmp://host[:port]/app/stream */
	int mode;                 /* enum rtmp_mode */
	long reconnect_min_ms, reconnect_max_ms;
	long send_window_ms;
};

enum rtmp_sink_state {
	RTMP_IDLE, RTMP_CONNECTING, RTMP_HANDSHAKE, RTMP_COMMANDS,
	RTMP_PUBLISHING, RTMP_BACKOFF,
};

struct rtmp_sink_stats {
	int state;                /* enum rtmp_sink_state */
	uint64_t connects, disconnects;
	uint64_t failures;        /* attempts that failed before or after publishing */
	uint64_t aus_sent, aus_dropped, bytes_sent;
	uint64_t aus_offline;     /* AUs that came while not publishing */
	uint64_t seq_headers;     /* sequence headers sent */
};

extern const struct sink_ops rtmp_sink_ops;

/* The typed counters of an open RTMP sink (tests, tools). */
void rtmp_sink_get_stats(const void *st, struct rtmp_sink_stats *out);

#endif
