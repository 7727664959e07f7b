/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rtmp_session.h - an RTMP publisher's session, without the socket (pure).
 *
 *   HANDSHAKE  C0+C1 out; S0+S1+S2 in; C2 out           (RTMP 1.0 5.2)
 *   COMMANDS   Set Chunk Size 4096, connect; on its _result releaseStream,
 *              FCPublish, createStream; on that _result publish; wait
 *              for onStatus NetStream.Publish.Start      (7.2; PROTOCOLS 1.5)
 *   PUBLISHING media messages may follow
 *   FAILED     any error; why[] says what (the owner closes and backs off)
 *
 * The owner feeds whatever the socket returned to rtmp_session_input()
 * and writes what the session queued in its send window (proto/sendq.h).
 * Pings are answered and received bytes acknowledged per the server's
 * window (5.4.3).  Times come from the caller; the handshake's random
 * bytes from the seed it is given (fixed under --bitexact).
 *
 * Chunk streams: 2 control, 3 commands (publish too, on the created
 * message stream), 4 data (onMetaData), 6 video - FFmpeg's layout.
 */
#ifndef CVMMAP_RTMP_SESSION_H
#define CVMMAP_RTMP_SESSION_H

#include "proto/rtmp_chunk.h"
#include "proto/rtmp_msg.h"
#include "proto/sendq.h"

#include <stddef.h>
#include <stdint.h>

#define RTMP_OUT_CHUNK_SIZE 4096

enum rtmp_session_state { RS_HANDSHAKE, RS_COMMANDS, RS_PUBLISHING, RS_FAILED };

struct rtmp_session {
	int state;                  /* enum rtmp_session_state */
	const struct rtmp_url *u;   /* app, stream, tcUrl */
	int hvc1;                   /* announce E-RTMP hvc1 support in connect */
	struct sendq *q;
	uint8_t hs[1 + 2 * RTMP_HS_SIZE];
	size_t hslen;
	uint8_t ibuf[4096];
	size_t ilen;
	struct rtmp_chunk_reader rd;
	uint64_t in_total, in_acked;
	uint32_t ack_window;
	uint32_t stream_id;
	double txn;
	uint64_t pings_unanswered;  /* ping answers that did not fit the window */
	char why[160];              /* FAILED: the reason */
};

/* Allocate the chunk reader (largest server message max_in).  0 or -ENOMEM. */
int rtmp_session_init(struct rtmp_session *s, const struct rtmp_url *u, int hvc1,
		      struct sendq *q, size_t max_in);
void rtmp_session_free(struct rtmp_session *s);

/* A new connection: forget the last one, queue C0+C1. */
void rtmp_session_start(struct rtmp_session *s, uint32_t seed, uint64_t now_ns);

/* Bytes from the server.  Returns the state afterwards (RS_FAILED with
 * why[] set on a protocol error or a refusal). */
int rtmp_session_input(struct rtmp_session *s, const uint8_t *p, size_t n, uint64_t now_ns);

/* Chunk one message into the send window.  0 or -ENOSPC. */
int rtmp_session_send(struct rtmp_session *s, uint32_t csid, uint8_t type, uint32_t ts,
		      const uint8_t *body, size_t len, int kind, uint64_t now_ns);

/* FCUnpublish + deleteStream (the owner adds its SequenceEnd first). */
void rtmp_session_unpublish(struct rtmp_session *s, uint64_t now_ns);

#endif
