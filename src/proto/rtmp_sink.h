/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rtmp_sink.h - the RTMP output as a non-blocking state machine.
 *
 * The I/O loop owns it: rtmp_sink_pollfd() says what to wait for,
 * rtmp_sink_service() does the work (connect, handshake, commands,
 * flushing, reconnect with backoff).  rtmp_sink_put() only queues into a
 * bounded, preallocated send window; when the oldest queued byte is older
 * than the window, queued AUs are dropped up to the next keyframe (never
 * a partial message, never the sequence header).  A stalled server never
 * blocks the caller.
 */
#ifndef CVMMAP_RTMP_SINK_H
#define CVMMAP_RTMP_SINK_H

#include "codec/au.h"

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

struct rtmp_sink_cfg {
	const char *url;          /* rtmp://host[:port]/app/stream */
	int codec;                /* enum codec_id */
	int mode;                 /* enum rtmp_mode (enhanced/domestic) */
	int reconnect_min_ms, reconnect_max_ms;
	int send_window_ms;
	uint32_t width, height;   /* for onMetaData */
	double fps;
	int bitexact;
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
	uint64_t seq_headers;     /* sequence headers sent */
};

struct rtmp_sink;

int rtmp_sink_open(struct rtmp_sink **out, const struct rtmp_sink_cfg *cfg);
/* Queue one AU (non-blocking).  Before the stream is published, AUs are
 * discarded; after (re)publishing, the first AU sent is a keyframe. */
int rtmp_sink_put(struct rtmp_sink *s, const struct access_unit *au, uint64_t now_mono_ns);
/* Fill pfd (fd, events) for poll(); returns 0 when there is no socket now
 * (e.g. in backoff).  *timeout_ms is lowered to the next deadline. */
int rtmp_sink_pollfd(struct rtmp_sink *s, struct pollfd *pfd, int *timeout_ms,
		     uint64_t now_mono_ns);
/* Handle revents (0 on a timeout) and advance the state machine. */
void rtmp_sink_service(struct rtmp_sink *s, short revents, uint64_t now_mono_ns);
/* True once after each successful publish: the caller should force a
 * keyframe so the new connection starts decoding at once.  Also raised
 * after congestion dropped frames up to the next keyframe. */
int rtmp_sink_take_keyframe_request(struct rtmp_sink *s);
/* Bytes queued in the send window and not yet written to the socket. */
size_t rtmp_sink_pending(const struct rtmp_sink *s);
void rtmp_sink_get_stats(const struct rtmp_sink *s, struct rtmp_sink_stats *st);
/* Best effort SequenceEnd + FCUnpublish + deleteStream, close, free. */
void rtmp_sink_close(struct rtmp_sink *s);

#endif
