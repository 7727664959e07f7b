/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rtmp_sink.c - RTMP publisher state machine (see rtmp_sink.h).
 *
 * Life of a connection (PROTOCOLS.md 1.1-1.5, 7.1):
 *
 *   IDLE/BACKOFF --deadline--> CONNECTING (non-blocking connect)
 *   --writable--> HANDSHAKE (C0+C1 out, wait for S0+S1+S2, C2 out)
 *   --> COMMANDS (Set Chunk Size 4096, connect; on _result releaseStream,
 *       FCPublish, createStream; on its _result publish; wait for
 *       onStatus NetStream.Publish.Start)
 *   --> PUBLISHING (onMetaData, sequence header, frames from a keyframe)
 *   any error, close, or 10 s without Publish.Start --> BACKOFF.
 *
 * Output memory is one linear buffer allocated at open (2 x MAX_AU_KIB
 * plus headroom) holding chunked messages back to back, with a ring of
 * entries describing them (kind, enqueue time).  Flushing is one send()
 * of everything unsent.  Congestion is judged in time: when the oldest
 * unsent frame is older than send_window_ms, or a new message does not
 * fit, whole unsent frames are removed up to the newest fresh keyframe
 * (or all of them, and then new frames wait for a keyframe).  A message
 * partly written to the socket, control/command/metadata messages and
 * sequence headers are never removed.
 *
 * Chunk streams: 2 control, 3 commands (publish too, on the created
 * message stream), 4 data (onMetaData), 6 video - FFmpeg's layout.
 */
#include "proto/rtmp_sink.h"

#include "codec/nal.h"
#include "codec/paramsets.h"
#include "config/opts.h"
#include "proto/flv.h"
#include "proto/rtmp_chunk.h"
#include "proto/rtmp_msg.h"
#include "util/bytes.h"
#include "util/log.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define TAG "rtmp"
#define OUT_CHUNK_SIZE 4096
#define PHASE_TIMEOUT_NS 10000000000ull  /* connect..Publish.Start */
#define MAX_IN_MSG (64 * 1024)           /* largest server message we take */
#define QMAX 1024                        /* queued messages */
#define PS_STORE 4096
#define SNDBUF (256 * 1024)              /* SO_SNDBUF (Linux doubles it) */
#define TXN_CONNECT 1
#define TXN_CREATE 4

enum qkind { Q_CTL, Q_SEQ, Q_KEY, Q_INTER };

struct qent {
	size_t off, len;        /* bytes in obuf */
	uint64_t t_ns;          /* when queued */
	int kind;               /* enum qkind */
	int started;            /* partly written: must be finished */
};

struct rtmp_sink {
	struct rtmp_sink_cfg cfg;
	char url[1024];
	char url_log[1024];     /* redacted */
	struct rtmp_url u;
	int form;               /* enum flv_form */
	int fd, state;
	uint64_t deadline_ns;   /* BACKOFF: reconnect; others: phase timeout */
	unsigned backoff_ms;
	uint32_t rng;

	uint8_t *obuf;
	size_t ocap, ohead, otail;
	struct qent q[QMAX];
	unsigned qh, qn;

	uint8_t hs[1 + 2 * RTMP_HS_SIZE];
	size_t hslen;
	uint8_t ibuf[4096];
	size_t ilen;
	struct rtmp_chunk_reader rd;
	uint64_t in_total, in_acked;
	uint32_t ack_window;
	uint32_t stream_id;
	double txn;

	int wait_key, kf_request, have_ps, have_base;
	struct param_sets ps;
	uint8_t ps_store[PS_STORE];
	uint64_t base_ns;       /* dts that maps to timestamp 0 */
	uint32_t last_ts;

	uint8_t *scratch;       /* one FLV body: header + LP NAL units */
	size_t scap;
	struct rtmp_sink_stats st;
};

static struct log_limit rl_fail, rl_drop, rl_au;

/* ---- output queue ------------------------------------------------------ */

static struct qent *qat(struct rtmp_sink *s, unsigned i)
{
	return &s->q[(s->qh + i) % QMAX];
}

/* Move unsent bytes to the front of obuf. */
static void compact(struct rtmp_sink *s)
{
	size_t sh = s->ohead;
	unsigned i;

	if (!sh)
		return;
	memmove(s->obuf, s->obuf + sh, s->otail - sh);
	s->otail -= sh;
	s->ohead = 0;
	for (i = 0; i < s->qn; i++) {
		struct qent *e = qat(s, i);

		if (e->off < sh) {      /* the partly sent head: keep the rest */
			e->len -= sh - e->off;
			e->off = 0;
		} else {
			e->off -= sh;
		}
	}
}

/* Chunk one message into the queue.  -ENOSPC when it does not fit. */
static int queue_msg(struct rtmp_sink *s, uint32_t csid, uint8_t type,
		     uint32_t sid, uint32_t ts, const uint8_t *body, size_t len,
		     int kind, uint64_t now)
{
	struct rtmp_msg m = { csid, ts, sid, type, body, len };
	size_t need = rtmp_chunk_size_needed(csid, ts, len, OUT_CHUNK_SIZE);
	struct qent *e;
	int n;

	if (s->qn == QMAX)
		return -ENOSPC;
	if (s->ocap - s->otail < need)
		compact(s);
	if (s->ocap - s->otail < need)
		return -ENOSPC;
	n = rtmp_chunk_write(s->obuf + s->otail, s->ocap - s->otail, &m, OUT_CHUNK_SIZE);
	if (n < 0)
		return n;
	e = qat(s, s->qn++);
	e->off = s->otail;
	e->len = (size_t)n;
	e->t_ns = now;
	e->kind = kind;
	e->started = 0;
	s->otail += (size_t)n;
	return 0;
}

static int queue_raw(struct rtmp_sink *s, const uint8_t *p, size_t n, uint64_t now)
{
	struct qent *e;

	if (s->qn == QMAX || s->ocap - s->otail < n)
		return -ENOSPC;
	memcpy(s->obuf + s->otail, p, n);
	e = qat(s, s->qn++);
	e->off = s->otail;
	e->len = n;
	e->t_ns = now;
	e->kind = Q_CTL;
	e->started = 0;
	s->otail += n;
	return 0;
}

/* Queue a control message (types 1-6) on csid 2, stream 0. */
static int queue_ctl(struct rtmp_sink *s, uint8_t type, const uint8_t *b,
		     size_t n, uint64_t now)
{
	return queue_msg(s, RTMP_CSID_CONTROL, type, 0, 0, b, n, Q_CTL, now);
}

static int queue_cmd(struct rtmp_sink *s, uint32_t sid, const uint8_t *b, int n,
		     uint64_t now)
{
	if (n < 0)
		return n;
	return queue_msg(s, RTMP_CSID_COMMAND, RTMP_MSG_AMF0_CMD, sid, 0, b,
			 (size_t)n, Q_CTL, now);
}

/* Index of the first entry not yet touched by send(). */
static unsigned first_unsent(struct rtmp_sink *s)
{
	return s->qn && qat(s, 0)->started ? 1 : 0;
}

/* Remove unsent frames older than the newest fresh keyframe (all unsent
 * frames when there is none; new frames then wait for a keyframe).
 * Everything else keeps its order; bytes are moved down in place. */
static void drop_frames(struct rtmp_sink *s, uint64_t now)
{
	uint64_t win = (uint64_t)s->cfg.send_window_ms * 1000000u;
	unsigned i, n = s->qn, keep_from = n, out;
	size_t w;
	uint64_t dropped = 0;
	struct qent *e;

	for (i = first_unsent(s); i < n; i++) {
		e = qat(s, i);
		if (e->kind == Q_KEY && now - e->t_ns < win)
			keep_from = i;
	}
	i = first_unsent(s);
	out = i;
	w = i ? qat(s, 0)->off + qat(s, 0)->len : s->ohead;
	for (; i < n; i++) {
		struct qent tmp = *qat(s, i);

		if ((tmp.kind == Q_KEY || tmp.kind == Q_INTER) && i < keep_from) {
			dropped++;
			continue;
		}
		if (w != tmp.off)
			memmove(s->obuf + w, s->obuf + tmp.off, tmp.len);
		tmp.off = w;
		w += tmp.len;
		*qat(s, out++) = tmp;
	}
	s->qn = out;
	s->otail = w;
	if (keep_from == n) {
		s->wait_key = 1;
		s->kf_request = 1;
	}
	s->st.aus_dropped += dropped;
	if (dropped)
		log_limited(&rl_drop, LOG_WARN, TAG, "congestion: dropped %llu queued "
			    "AUs (%llu in total)", (unsigned long long)dropped,
			    (unsigned long long)s->st.aus_dropped);
}

/* The time check of the send window. */
static void check_window(struct rtmp_sink *s, uint64_t now)
{
	uint64_t win = (uint64_t)s->cfg.send_window_ms * 1000000u;
	unsigned i;

	for (i = first_unsent(s); i < s->qn; i++) {
		struct qent *e = qat(s, i);

		if (e->kind == Q_KEY || e->kind == Q_INTER) {
			if (now - e->t_ns > win)
				drop_frames(s, now);
			return;
		}
	}
}

/* ---- connection -------------------------------------------------------- */

static uint32_t rnd(struct rtmp_sink *s)
{
	uint32_t x = s->rng;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return s->rng = x ? x : 1;
}

/* Close and schedule a reconnect: exponential backoff with "equal
 * jitter" (delay uniformly in [b/2, b]), b doubling up to the cap. */
static void fail(struct rtmp_sink *s, uint64_t now, const char *why)
{
	unsigned b = s->backoff_ms, delay;

	delay = b / 2 + rnd(s) % (b / 2 + 1);
	log_limited(&rl_fail, LOG_WARN, TAG, "%s: %s; reconnecting in %u ms",
		    s->url_log, why, delay);
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	if (s->state == RTMP_PUBLISHING)
		s->st.disconnects++;
	s->st.failures++;
	s->state = RTMP_BACKOFF;
	s->deadline_ns = now + (uint64_t)delay * 1000000u;
	b = b * 2 > (unsigned)s->cfg.reconnect_max_ms ? (unsigned)s->cfg.reconnect_max_ms : b * 2;
	s->backoff_ms = b;
}

static void reset_connection(struct rtmp_sink *s)
{
	s->ohead = s->otail = 0;
	s->qh = s->qn = 0;
	s->hslen = s->ilen = 0;
	s->in_total = s->in_acked = 0;
	s->ack_window = 0;
	s->stream_id = 0;
	s->txn = 0;
	s->rd.chunk_size = RTMP_DEFAULT_CHUNK_SIZE;
	s->rd.cur = -1;
	for (int i = 0; i < RTMP_READER_SLOTS; i++) {
		s->rd.slot[i].csid = 0;
		s->rd.slot[i].got = 0;
	}
}

static void start_handshake(struct rtmp_sink *s, uint64_t now)
{
	uint8_t c0c1[1 + RTMP_HS_SIZE];
	int n;

	n = rtmp_hs_c0c1(c0c1, sizeof c0c1, 0, s->cfg.bitexact ? 1 : rnd(s));
	s->state = RTMP_HANDSHAKE;
	if (n < 0 || queue_raw(s, c0c1, (size_t)n, now) < 0)
		fail(s, now, "handshake");
}

static void start_connect(struct rtmp_sink *s, uint64_t now)
{
	struct addrinfo hints, *ai = NULL, *a;
	char port[8];
	int fd = -1, one = 1, sndbuf = SNDBUF, rc;

	reset_connection(s);
	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	snprintf(port, sizeof port, "%u", s->u.port);
	/* A host name is resolved here, blocking (IP literals never block). */
	if ((rc = getaddrinfo(s->u.host, port, &hints, &ai)) != 0) {
		fail(s, now, gai_strerror(rc));
		return;
	}
	for (a = ai; a; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
			    a->ai_protocol);
		if (fd < 0)
			continue;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		/* keep the kernel's share of the backlog small: our send
		 * window, measured in time, is where congestion is judged */
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
		if (connect(fd, a->ai_addr, a->ai_addrlen) == 0 || errno == EINPROGRESS)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	s->fd = fd;
	s->deadline_ns = now + PHASE_TIMEOUT_NS;
	if (fd < 0) {
		s->state = RTMP_CONNECTING;
		fail(s, now, "connect failed");
		return;
	}
	s->state = RTMP_CONNECTING;
}

/* One send() of everything queued; pops what went out completely. */
static void flush(struct rtmp_sink *s, uint64_t now)
{
	ssize_t n;

	if (s->fd < 0 || s->state == RTMP_CONNECTING || s->ohead == s->otail)
		return;
	n = send(s->fd, s->obuf + s->ohead, s->otail - s->ohead,
		 MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			fail(s, now, strerror(errno));
		return;
	}
	s->ohead += (size_t)n;
	s->st.bytes_sent += (uint64_t)n;
	while (s->qn) {
		struct qent *e = qat(s, 0);

		if (e->off + e->len > s->ohead)
			break;
		if (e->kind == Q_KEY || e->kind == Q_INTER)
			s->st.aus_sent++;
		s->qh = (s->qh + 1) % QMAX;
		s->qn--;
	}
	if (s->qn && qat(s, 0)->off < s->ohead)
		qat(s, 0)->started = 1;
	if (s->ohead == s->otail)
		s->ohead = s->otail = 0;
}

/* ---- commands ---------------------------------------------------------- */

static void start_publishing(struct rtmp_sink *s, uint64_t now)
{
	s->state = RTMP_PUBLISHING;
	s->deadline_ns = 0;
	s->backoff_ms = (unsigned)s->cfg.reconnect_min_ms;
	s->st.connects++;
	s->have_ps = 0;             /* sequence header on every (re)connect */
	s->have_base = 0;
	s->last_ts = 0;
	s->wait_key = 1;
	s->kf_request = 1;
	log_info(TAG, "%s: publishing", s->url_log);
}

/* PROTOCOLS.md 1.5 steps 3-6. */
static void handle_command(struct rtmp_sink *s, const struct rtmp_msg *m,
			   uint64_t now)
{
	struct rtmp_cmd c;
	char level[32], code[96], why[160];
	uint8_t b[1024];

	if (rtmp_cmd_parse(m->body, m->len, &c) < 0) {
		fail(s, now, "malformed command from server");
		return;
	}
	rtmp_cmd_status(&c, level, sizeof level, code, sizeof code);
	if (rtmp_cmd_is(&c, "_result") && c.txn == TXN_CONNECT) {
		if (code[0] && strcmp(code, "NetConnection.Connect.Success")) {
			snprintf(why, sizeof why, "connect refused: %s", code);
			fail(s, now, why);
			return;
		}
		/* releaseStream + FCPublish: never wait for their answers */
		s->txn = TXN_CONNECT;
		if (queue_cmd(s, 0, b, rtmp_cmd_simple(b, sizeof b, "releaseStream",
							++s->txn, s->u.stream), now) < 0 ||
		    queue_cmd(s, 0, b, rtmp_cmd_simple(b, sizeof b, "FCPublish",
							++s->txn, s->u.stream), now) < 0 ||
		    queue_cmd(s, 0, b, rtmp_cmd_simple(b, sizeof b, "createStream",
							++s->txn, NULL), now) < 0)
			fail(s, now, "cannot queue commands");
	} else if (rtmp_cmd_is(&c, "_result") && c.txn == TXN_CREATE) {
		if (c.n < 4 || c.v[3].type != AMF0_NUMBER || c.v[3].num < 0 ||
		    c.v[3].num > 0xffffffffu) {
			fail(s, now, "createStream answer without a stream id");
			return;
		}
		s->stream_id = (uint32_t)c.v[3].num;
		if (queue_cmd(s, s->stream_id, b, rtmp_cmd_publish(b, sizeof b, ++s->txn,
					s->u.stream, "live"), now) < 0)
			fail(s, now, "cannot queue publish");
	} else if (rtmp_cmd_is(&c, "_error") &&
		   (c.txn == TXN_CONNECT || c.txn == TXN_CREATE || c.txn == TXN_CREATE + 1)) {
		snprintf(why, sizeof why, "server error: %s", code[0] ? code : "_error");
		fail(s, now, why);
	} else if (rtmp_cmd_is(&c, "onStatus")) {
		if (!strcmp(level, "error")) {
			snprintf(why, sizeof why, "server status: %s", code);
			fail(s, now, why);
		} else if (!strcmp(code, "NetStream.Publish.Start") &&
			   s->state == RTMP_COMMANDS) {
			start_publishing(s, now);
		}
	}
	/* onBWDone, onFCPublish, _result of releaseStream/FCPublish: ignored */
}

static void handle_msg(struct rtmp_sink *s, const struct rtmp_msg *m, uint64_t now)
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
		    get_be32(m->body + 2, end, &v))
			if (queue_ctl(s, RTMP_MSG_USER_CONTROL, b,
				      (size_t)rtmp_ctl_user(b, sizeof b,
							    RTMP_UC_PING_RESPONSE, v),
				      now) < 0)
				log_limited(&rl_fail, LOG_WARN, TAG, "ping answer dropped");
		break;
	case RTMP_MSG_AMF0_CMD:
		handle_command(s, m, now);
		break;
	default:
		/* Set Chunk Size / Abort: applied by the reader; Set Peer
		 * Bandwidth, Ack, data, media: nothing to do for a publisher */
		break;
	}
}

/* ---- reading ----------------------------------------------------------- */

static void read_handshake(struct rtmp_sink *s, uint64_t now)
{
	ssize_t n = recv(s->fd, s->hs + s->hslen, sizeof s->hs - s->hslen, 0);
	uint8_t b[2048];
	struct rtmp_connect_params cp = {
		s->u.app, s->u.tcurl, NULL, s->form == FLV_HVC1
	};

	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		fail(s, now, n ? strerror(errno) : "closed during handshake");
		return;
	}
	if (n < 0)
		return;
	s->hslen += (size_t)n;
	if (s->hslen < sizeof s->hs)
		return;
	if (s->hs[0] != RTMP_VERSION) {
		fail(s, now, "bad handshake version");
		return;
	}
	/* C2 = echo of S1; then chunks may start (5.2.4). */
	s->state = RTMP_COMMANDS;
	if (queue_raw(s, s->hs + 1, RTMP_HS_SIZE, now) < 0 ||
	    queue_ctl(s, RTMP_MSG_SET_CHUNK_SIZE, b,
		      (size_t)rtmp_ctl_u32(b, sizeof b, OUT_CHUNK_SIZE), now) < 0 ||
	    queue_cmd(s, 0, b, rtmp_cmd_connect(b, sizeof b, TXN_CONNECT, &cp), now) < 0)
		fail(s, now, "cannot queue connect");
}

static void read_messages(struct rtmp_sink *s, uint64_t now)
{
	int rounds;

	for (rounds = 0; rounds < 16 && s->fd >= 0; rounds++) {
		ssize_t n = recv(s->fd, s->ibuf + s->ilen, sizeof s->ibuf - s->ilen, 0);
		const uint8_t *p = s->ibuf;
		size_t left;

		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			fail(s, now, n ? strerror(errno) : "server closed the connection");
			return;
		}
		if (n < 0)
			return;
		s->in_total += (uint64_t)n;
		left = s->ilen + (size_t)n;
		while (left && s->fd >= 0) {
			struct rtmp_msg m;
			int done, c = rtmp_chunk_read(&s->rd, p, left, &m, &done);

			if (c < 0) {
				fail(s, now, c == -EMSGSIZE ? "server message too large" :
				     "chunk stream error");
				return;
			}
			p += c;
			left -= (size_t)c;
			if (done)
				handle_msg(s, &m, now);
			else if (!c)
				break;
		}
		if (s->fd < 0)
			return;
		memmove(s->ibuf, p, left);
		s->ilen = left;
		/* 5.4.3: acknowledge each window's worth of received bytes */
		if (s->ack_window && s->in_total - s->in_acked >= s->ack_window) {
			uint8_t b[4];

			rtmp_ctl_u32(b, sizeof b, (uint32_t)s->in_total);
			if (queue_ctl(s, RTMP_MSG_ACK, b, 4, now) == 0)
				s->in_acked = s->in_total;
		}
	}
}

/* ---- public API -------------------------------------------------------- */

int rtmp_sink_open(struct rtmp_sink **out, const struct rtmp_sink_cfg *cfg)
{
	struct rtmp_sink *s;
	size_t au = (size_t)CONFIG_MAX_AU_KIB * 1024;

	*out = NULL;
	if (!cfg->url || strlen(cfg->url) >= sizeof s->url)
		return -EINVAL;
	s = calloc(1, sizeof *s);
	if (!s)
		return -ENOMEM;
	s->cfg = *cfg;
	strcpy(s->url, cfg->url);
	s->cfg.url = s->url;
	rtmp_url_redact(s->url, s->url_log, sizeof s->url_log);
	if (rtmp_url_parse(s->url, &s->u) < 0) {
		log_error(TAG, "bad RTMP URL %s (want rtmp://host[:port]/app/stream)",
			  s->url_log);
		free(s);
		return -EINVAL;
	}
	if (s->cfg.reconnect_min_ms <= 0)
		s->cfg.reconnect_min_ms = 500;
	if (s->cfg.reconnect_max_ms < s->cfg.reconnect_min_ms)
		s->cfg.reconnect_max_ms = s->cfg.reconnect_min_ms > 15000 ?
					  s->cfg.reconnect_min_ms : 15000;
	if (s->cfg.send_window_ms <= 0)
		s->cfg.send_window_ms = 700;
	s->form = flv_form_for(cfg->codec, cfg->mode);
	s->fd = -1;
	s->state = RTMP_IDLE;
	s->deadline_ns = 1;         /* connect at the first service() */
	s->backoff_ms = (unsigned)s->cfg.reconnect_min_ms;
	s->rng = cfg->bitexact ? 0x2545f491u : (uint32_t)getpid() * 2654435761u ^
		 (uint32_t)(uintptr_t)s;
	s->ocap = 2 * au + 256 * 1024;
	s->scap = au + 64 * 1024;
	s->obuf = malloc(s->ocap);
	s->scratch = malloc(s->scap);
	if (!s->obuf || !s->scratch || rtmp_chunk_reader_init(&s->rd, MAX_IN_MSG) < 0) {
		rtmp_sink_close(s);
		return -ENOMEM;
	}
	*out = s;
	return 0;
}

/* Map DTS to a message timestamp: ms since the first AU of this
 * connection; never backwards - a DTS jump backwards rebases so the
 * stream continues from the last timestamp (PROTOCOLS.md 1.6). */
static uint32_t au_timestamp(struct rtmp_sink *s, const struct access_unit *au)
{
	uint64_t last_ns = (uint64_t)s->last_ts * 1000000u;

	if (!s->have_base) {
		s->base_ns = au->dts_ns;
		s->have_base = 1;
	}
	if (au->dts_ns < s->base_ns + last_ns)
		s->base_ns = au->dts_ns - last_ns;
	s->last_ts = (uint32_t)((au->dts_ns - s->base_ns) / 1000000u);
	return s->last_ts;
}

/* Remember the parameter sets (copies) and queue a sequence header. */
/* onMetaData (PROTOCOLS.md 2.5) goes right before every sequence header,
 * so a new connection or a new geometry gets the width and height of the
 * SPS actually sent (the configuration may not know them). */
static int queue_metadata(struct rtmp_sink *s, const struct param_sets *ps,
			  uint32_t ts, uint64_t now)
{
	struct flv_meta meta = {
		s->cfg.width, s->cfg.height, s->cfg.fps, flv_videocodecid(s->form), 0
	};
	struct sps_info si;
	uint8_t b[512];
	int n;

	if (sps_parse(s->cfg.codec, &ps->sps, &si) == 0) {
		meta.width = si.width;
		meta.height = si.height;
	}
	n = flv_metadata_build(b, sizeof b, &meta);
	if (n < 0)
		return -EINVAL;
	return queue_msg(s, RTMP_CSID_DATA, RTMP_MSG_AMF0_DATA, s->stream_id, ts,
			 b, (size_t)n, Q_CTL, now);
}

static int queue_seq_header(struct rtmp_sink *s, const struct param_sets *ps,
			    uint32_t ts, uint64_t now)
{
	struct nal *dst[3] = { &s->ps.vps, &s->ps.sps, &s->ps.pps };
	const struct nal *src[3] = { &ps->vps, &ps->sps, &ps->pps };
	size_t off = 0;
	int h, n, i;

	for (i = 0; i < 3; i++) {
		if (src[i]->n > PS_STORE - off)
			return -ENOSPC;
		if (src[i]->n)   /* H.264 has no VPS: p may be NULL */
			memcpy(s->ps_store + off, src[i]->p, src[i]->n);
		dst[i]->p = s->ps_store + off;
		dst[i]->n = src[i]->n;
		off += src[i]->n;
	}
	if (queue_metadata(s, ps, ts, now) < 0)
		return -ENOSPC;
	h = flv_video_header(s->scratch, s->scap, s->form, FLV_PKT_SEQ, 1, 0);
	n = s->cfg.codec == CODEC_H265 ?
	    hvcc_build(&s->ps, s->scratch + h, s->scap - (size_t)h) :
	    avcc_build(&s->ps, s->scratch + h, s->scap - (size_t)h);
	if (h < 0 || n < 0)
		return -EINVAL;
	if (queue_msg(s, RTMP_CSID_VIDEO, RTMP_MSG_VIDEO, s->stream_id, ts,
		      s->scratch, (size_t)(h + n), Q_SEQ, now) < 0)
		return -ENOSPC;
	s->have_ps = 1;
	s->st.seq_headers++;
	return 0;
}

static void drop_au(struct rtmp_sink *s)
{
	s->st.aus_dropped++;
	s->wait_key = 1;
	s->kf_request = 1;
}

int rtmp_sink_put(struct rtmp_sink *s, const struct access_unit *au, uint64_t now)
{
	struct param_sets ps;
	uint32_t ts;
	int64_t cts;
	int h, n, key = au->keyframe != 0;

	if (s->state != RTMP_PUBLISHING)
		return 0;                        /* not connected: discarded */
	check_window(s, now);
	if (s->wait_key && !key) {
		s->st.aus_dropped++;
		return 0;
	}
	ts = au_timestamp(s, au);
	if (key || !s->have_ps) {
		int have = paramsets_extract(s->cfg.codec, au->data, au->size, &ps) == 0;

		if (!have && !s->have_ps) {
			log_limited(&rl_au, LOG_WARN, TAG, "keyframe without parameter "
				    "sets: waiting for the next one");
			drop_au(s);
			return 0;
		}
		if (have && (!s->have_ps || !paramsets_equal(&ps, &s->ps)) &&
		    queue_seq_header(s, &ps, ts, now) < 0) {
			drop_frames(s, now);
			if (queue_seq_header(s, &ps, ts, now) < 0) {
				fail(s, now, "cannot queue the sequence header");
				return -ENOSPC;
			}
		}
	}
	cts = ((int64_t)au->pts_ns - (int64_t)au->dts_ns) / 1000000;
	h = flv_video_header(s->scratch, s->scap, s->form, FLV_PKT_NALU, key,
			     (int32_t)(cts > 0x7fffff ? 0x7fffff : cts < -0x800000 ?
				       -0x800000 : cts));
	n = annexb_to_lp(au->data, au->size, LP_DROP_AUD, s->scratch + h,
			 s->scap - (size_t)h);
	if (h < 0 || n <= 0) {
		log_limited(&rl_au, LOG_WARN, TAG, "AU %u: %zu bytes do not fit "
			    "an FLV message", au->seq, au->size);
		drop_au(s);
		return 0;
	}
	if (queue_msg(s, RTMP_CSID_VIDEO, RTMP_MSG_VIDEO, s->stream_id, ts,
		      s->scratch, (size_t)(h + n), key ? Q_KEY : Q_INTER, now) < 0) {
		drop_frames(s, now);
		if (!key || queue_msg(s, RTMP_CSID_VIDEO, RTMP_MSG_VIDEO, s->stream_id,
				      ts, s->scratch, (size_t)(h + n), Q_KEY, now) < 0) {
			drop_au(s);
			return 0;
		}
	}
	if (key)
		s->wait_key = 0;
	flush(s, now);
	return 0;
}

int rtmp_sink_pollfd(struct rtmp_sink *s, struct pollfd *pfd, int *timeout_ms,
		     uint64_t now)
{
	uint64_t dl = s->deadline_ns;
	unsigned i;

	if (s->state == RTMP_PUBLISHING) {
		dl = 0;
		for (i = first_unsent(s); i < s->qn; i++) {
			struct qent *e = qat(s, i);

			if (e->kind == Q_KEY || e->kind == Q_INTER) {
				dl = e->t_ns + (uint64_t)s->cfg.send_window_ms * 1000000u + 1;
				break;
			}
		}
	}
	if (dl) {
		uint64_t ms = dl > now ? (dl - now + 999999) / 1000000 : 0;

		if (*timeout_ms < 0 || ms < (uint64_t)*timeout_ms)
			*timeout_ms = (int)ms;
	}
	pfd->fd = s->fd;
	pfd->revents = 0;
	if (s->fd < 0) {
		pfd->events = 0;
		return 0;
	}
	pfd->events = s->state == RTMP_CONNECTING ? POLLOUT :
		      (short)(POLLIN | (s->otail > s->ohead ? POLLOUT : 0));
	return 1;
}

void rtmp_sink_service(struct rtmp_sink *s, short revents, uint64_t now)
{
	if (s->state == RTMP_IDLE || s->state == RTMP_BACKOFF) {
		if (now >= s->deadline_ns)
			start_connect(s, now);
		return;
	}
	if (s->state == RTMP_CONNECTING && (revents & (POLLOUT | POLLERR | POLLHUP))) {
		int err = 0;
		socklen_t len = sizeof err;

		if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
			err = errno;
		if (err) {
			fail(s, now, strerror(err));
			return;
		}
		start_handshake(s, now);
		revents = POLLOUT;
	}
	if (s->state == RTMP_HANDSHAKE && (revents & (POLLIN | POLLHUP | POLLERR)))
		read_handshake(s, now);
	else if (s->fd >= 0 && s->state >= RTMP_COMMANDS &&
		 (revents & (POLLIN | POLLHUP | POLLERR)))
		read_messages(s, now);
	if (s->fd >= 0)
		flush(s, now);
	if (s->fd >= 0 && s->state != RTMP_PUBLISHING && now >= s->deadline_ns)
		fail(s, now, "no NetStream.Publish.Start in time");
	if (s->state == RTMP_PUBLISHING)
		check_window(s, now);
}

int rtmp_sink_take_keyframe_request(struct rtmp_sink *s)
{
	int r = s->kf_request;

	s->kf_request = 0;
	return r;
}

size_t rtmp_sink_pending(const struct rtmp_sink *s)
{
	return s->otail - s->ohead;
}

void rtmp_sink_get_stats(const struct rtmp_sink *s, struct rtmp_sink_stats *st)
{
	*st = s->st;
	st->state = s->state;
}

/* SequenceEnd, FCUnpublish, deleteStream; one bounded attempt to send. */
void rtmp_sink_close(struct rtmp_sink *s)
{
	if (!s)
		return;
	if (s->fd >= 0 && s->state == RTMP_PUBLISHING) {
		uint64_t now = 0;
		uint8_t b[1024];
		int h = flv_video_header(b, sizeof b, s->form, FLV_PKT_END, 1, 0);
		struct pollfd pfd = { s->fd, POLLOUT, 0 };
		int i;

		drop_frames(s, UINT64_MAX);
		if (s->have_ps && h > 0)
			queue_msg(s, RTMP_CSID_VIDEO, RTMP_MSG_VIDEO, s->stream_id,
				  s->last_ts, b, (size_t)h, Q_CTL, now);
		queue_cmd(s, 0, b, rtmp_cmd_simple(b, sizeof b, "FCUnpublish",
						   ++s->txn, s->u.stream), now);
		queue_cmd(s, 0, b, rtmp_cmd_delete_stream(b, sizeof b, ++s->txn,
							  s->stream_id), now);
		for (i = 0; i < 10 && s->fd >= 0 && s->otail > s->ohead; i++) {
			if (poll(&pfd, 1, 20) <= 0)
				break;
			flush(s, now);
		}
	}
	if (s->fd >= 0)
		close(s->fd);
	rtmp_chunk_reader_free(&s->rd);
	free(s->obuf);
	free(s->scratch);
	free(s);
}
