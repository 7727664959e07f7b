/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rtmp_session.c - RTMP publisher session without a socket (rtmp_session.h). */
#include "proto/rtmp_session.h"

#include "util/bytes.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define TXN_CONNECT 1
#define TXN_CREATE 4

static int failed(struct rtmp_session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int failed(struct rtmp_session *s, const char *fmt, ...)
{
	va_list ap;

	if (s->state == RS_FAILED)
		return RS_FAILED;       /* the first reason stands */
	va_start(ap, fmt);
	vsnprintf(s->why, sizeof s->why, fmt, ap);
	va_end(ap);
	s->state = RS_FAILED;
	return RS_FAILED;
}

int rtmp_session_init(struct rtmp_session *s, const struct rtmp_url *u, int hvc1,
		      struct sendq *q, size_t max_in)
{
	memset(s, 0, sizeof *s);
	s->u = u;
	s->hvc1 = hvc1;
	s->q = q;
	return rtmp_chunk_reader_init(&s->rd, max_in);
}

void rtmp_session_free(struct rtmp_session *s)
{
	rtmp_chunk_reader_free(&s->rd);
}

/* Chunk one message for message stream sid into the send window. */
static int send_on(struct rtmp_session *s, uint32_t csid, uint8_t type, uint32_t sid,
		   uint32_t ts, const uint8_t *body, size_t len, int kind, uint64_t now)
{
	struct rtmp_msg m = { csid, ts, sid, type, body, len };
	size_t need = rtmp_chunk_size_needed(csid, ts, len, RTMP_OUT_CHUNK_SIZE);
	uint8_t *dst = sendq_reserve(s->q, need);
	int n;

	if (!dst)
		return -ENOSPC;
	n = rtmp_chunk_write(dst, need, &m, RTMP_OUT_CHUNK_SIZE);
	if (n < 0)
		return n;
	return sendq_commit(s->q, (size_t)n, kind, now);
}

int rtmp_session_send(struct rtmp_session *s, uint32_t csid, uint8_t type, uint32_t ts,
		      const uint8_t *body, size_t len, int kind, uint64_t now)
{
	return send_on(s, csid, type, csid == RTMP_CSID_CONTROL ? 0 : s->stream_id, ts,
		       body, len, kind, now);
}

/* A protocol control message (types 1-6): chunk stream 2, stream 0. */
static int send_ctl(struct rtmp_session *s, uint8_t type, const uint8_t *b, int n,
		    uint64_t now)
{
	return n < 0 ? n : send_on(s, RTMP_CSID_CONTROL, type, 0, 0, b, (size_t)n, SQ_CTL, now);
}

/* A command on message stream sid (0: the connection). */
static int send_cmd(struct rtmp_session *s, uint32_t sid, const uint8_t *b, int n,
		    uint64_t now)
{
	return n < 0 ? n : send_on(s, RTMP_CSID_COMMAND, RTMP_MSG_AMF0_CMD, sid, 0, b,
				   (size_t)n, SQ_CTL, now);
}

void rtmp_session_start(struct rtmp_session *s, uint32_t seed, uint64_t now)
{
	uint8_t c0c1[1 + RTMP_HS_SIZE];
	int i, n;

	s->state = RS_HANDSHAKE;
	s->why[0] = '\0';
	s->hslen = s->ilen = 0;
	s->in_total = s->in_acked = 0;
	s->ack_window = 0;
	s->stream_id = 0;
	s->txn = 0;
	s->rd.chunk_size = RTMP_DEFAULT_CHUNK_SIZE;
	s->rd.cur = -1;
	for (i = 0; i < RTMP_READER_SLOTS; i++) {
		s->rd.slot[i].csid = 0;
		s->rd.slot[i].got = 0;
	}
	n = rtmp_hs_c0c1(c0c1, sizeof c0c1, 0, seed);
	if (n < 0 || sendq_put(s->q, c0c1, (size_t)n, SQ_CTL, now) < 0)
		failed(s, "handshake");
}

/* S0+S1+S2 complete: C2 = echo of S1, then chunks may start (5.2.4). */
static void handshake_done(struct rtmp_session *s, uint64_t now)
{
	uint8_t b[2048];
	struct rtmp_connect_params cp = { s->u->app, s->u->tcurl, NULL, s->hvc1 };

	if (s->hs[0] != RTMP_VERSION) {
		failed(s, "bad handshake version");
		return;
	}
	s->state = RS_COMMANDS;
	if (sendq_put(s->q, s->hs + 1, RTMP_HS_SIZE, SQ_CTL, now) < 0 ||
	    send_ctl(s, RTMP_MSG_SET_CHUNK_SIZE, b,
		     rtmp_ctl_u32(b, sizeof b, RTMP_OUT_CHUNK_SIZE), now) < 0 ||
	    send_cmd(s, 0, b, rtmp_cmd_connect(b, sizeof b, TXN_CONNECT, &cp), now) < 0)
		failed(s, "cannot queue connect");
}

/* docs/protocols.md §1.5 steps 3-6. */
static void on_command(struct rtmp_session *s, const struct rtmp_msg *m, uint64_t now)
{
	struct rtmp_cmd c;
	char level[32], code[96];
	uint8_t b[1024];

	if (rtmp_cmd_parse(m->body, m->len, &c) < 0) {
		failed(s, "malformed command from server");
		return;
	}
	rtmp_cmd_status(&c, level, sizeof level, code, sizeof code);
	if (rtmp_cmd_is(&c, "_result") && c.txn == TXN_CONNECT) {
		if (code[0] && strcmp(code, "NetConnection.Connect.Success")) {
			failed(s, "connect refused: %s", code);
			return;
		}
		/* releaseStream + FCPublish: never wait for their answers */
		s->txn = TXN_CONNECT;
		if (send_cmd(s, 0, b, rtmp_cmd_simple(b, sizeof b, "releaseStream",
						      ++s->txn, s->u->stream), now) < 0 ||
		    send_cmd(s, 0, b, rtmp_cmd_simple(b, sizeof b, "FCPublish",
						      ++s->txn, s->u->stream), now) < 0 ||
		    send_cmd(s, 0, b, rtmp_cmd_simple(b, sizeof b, "createStream",
						      ++s->txn, NULL), now) < 0)
			failed(s, "cannot queue commands");
	} else if (rtmp_cmd_is(&c, "_result") && c.txn == TXN_CREATE) {
		if (c.n < 4 || c.v[3].type != AMF0_NUMBER || c.v[3].num < 0 ||
		    c.v[3].num > 0xffffffffu) {
			failed(s, "createStream answer without a stream id");
			return;
		}
		s->stream_id = (uint32_t)c.v[3].num;
		if (send_cmd(s, s->stream_id, b, rtmp_cmd_publish(b, sizeof b, ++s->txn,
					s->u->stream, "live"), now) < 0)
			failed(s, "cannot queue publish");
	} else if (rtmp_cmd_is(&c, "_error") &&
		   (c.txn == TXN_CONNECT || c.txn == TXN_CREATE || c.txn == TXN_CREATE + 1)) {
		failed(s, "server error: %s", code[0] ? code : "_error");
	} else if (rtmp_cmd_is(&c, "onStatus")) {
		if (!strcmp(level, "error"))
			failed(s, "server status: %s", code);
		else if (!strcmp(code, "NetStream.Publish.Start") && s->state == RS_COMMANDS)
			s->state = RS_PUBLISHING;
	}
	/* onBWDone, onFCPublish, _result of releaseStream/FCPublish: ignored */
}

static void on_message(struct rtmp_session *s, const struct rtmp_msg *m, uint64_t now)
{
	const uint8_t *end = m->body + m->len;
	uint32_t v = 0;
	uint16_t ev;
	uint8_t b[8];

	switch (m->type) {
	case RTMP_MSG_WINDOW_ACK_SIZE:  /* 5.4.4 */
		if (get_be32(m->body, end, &v))
			s->ack_window = v;
		break;
	case RTMP_MSG_USER_CONTROL:     /* 7.1.7: PingRequest -> PingResponse */
		if (get_be16(m->body, end, &ev) && ev == RTMP_UC_PING_REQUEST &&
		    get_be32(m->body + 2, end, &v) &&
		    send_ctl(s, RTMP_MSG_USER_CONTROL, b,
			     rtmp_ctl_user(b, sizeof b, RTMP_UC_PING_RESPONSE, v), now) < 0)
			s->pings_unanswered++;
		break;
	case RTMP_MSG_AMF0_CMD:
		on_command(s, m, now);
		break;
	default:
		/* Set Chunk Size / Abort: applied by the reader; Set Peer
		 * Bandwidth, Ack, data, media: nothing to do for a publisher */
		break;
	}
}

/* Parse the chunks buffered in ibuf; keep an incomplete tail. */
static void parse_chunks(struct rtmp_session *s, uint64_t now)
{
	const uint8_t *p = s->ibuf;
	size_t left = s->ilen;

	while (left && s->state != RS_FAILED) {
		struct rtmp_msg m;
		int done, c = rtmp_chunk_read(&s->rd, p, left, &m, &done);

		if (c < 0) {
			failed(s, "%s", c == -EMSGSIZE ? "server message too large" :
			       "chunk stream error");
			return;
		}
		p += c;
		left -= (size_t)c;
		if (done)
			on_message(s, &m, now);
		else if (!c)
			break;
	}
	memmove(s->ibuf, p, left);
	s->ilen = left;
}

int rtmp_session_input(struct rtmp_session *s, const uint8_t *p, size_t n, uint64_t now)
{
	s->in_total += n;
	while (n && s->state != RS_FAILED) {
		size_t k;

		if (s->state == RS_HANDSHAKE) {
			k = sizeof s->hs - s->hslen;
			k = k < n ? k : n;
			memcpy(s->hs + s->hslen, p, k);
			s->hslen += k;
			if (s->hslen == sizeof s->hs)
				handshake_done(s, now);
		} else {
			k = sizeof s->ibuf - s->ilen;
			k = k < n ? k : n;
			memcpy(s->ibuf + s->ilen, p, k);
			s->ilen += k;
			parse_chunks(s, now);
			if (k == 0 && s->ilen == sizeof s->ibuf)
				return failed(s, "chunk stream error");
		}
		p += k;
		n -= k;
	}
	/* 5.4.3: acknowledge each window's worth of received bytes */
	if (s->state != RS_FAILED && s->ack_window &&
	    s->in_total - s->in_acked >= s->ack_window) {
		uint8_t b[4];

		rtmp_ctl_u32(b, sizeof b, (uint32_t)s->in_total);
		if (send_ctl(s, RTMP_MSG_ACK, b, 4, now) == 0)
			s->in_acked = s->in_total;
	}
	return s->state;
}

void rtmp_session_unpublish(struct rtmp_session *s, uint64_t now)
{
	uint8_t b[1024];

	send_cmd(s, 0, b, rtmp_cmd_simple(b, sizeof b, "FCUnpublish", ++s->txn,
					  s->u->stream), now);
	send_cmd(s, 0, b, rtmp_cmd_delete_stream(b, sizeof b, ++s->txn, s->stream_id), now);
}
