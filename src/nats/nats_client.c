/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nats_client.c - see nats_client.h.
 *
 * Session (NATS client protocol):
 *
 *   TCP connect --> INFO {json} --> CONNECT {...}, SUB inbox, SUB..., PING
 *   --> PONG (READY) --> PUB/MSG, PING/PONG both ways --> EOF/error/stale
 *   --> BACKOFF (util/backoff.h) --> TCP connect ...
 *
 * All buffers are allocated in nats_client_open(); the send buffer is
 * linear (pending bytes are moved to the front before each append).
 */
#include "nats/nats_client.h"
#include "nats/nats_write.h"
#include "util/backoff.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/net.h"
#include "util/prng.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define TAG "nats"
#define MAX_ADDRS NET_ADDR_MAX
#define INBOX_SID 1
#define MS(x) ((uint64_t)(x) * 1000000u)

#ifndef CVMMAP_VERSION
#define CVMMAP_VERSION "0"
#endif

struct sub {
	char subject[NATS_SUBJECT_MAX + 1];
	nats_msg_fn fn;
	void *arg;
};

struct req {
	uint32_t id;
	uint64_t deadline;
	nats_reply_fn fn;          /* NULL: slot free */
	void *arg;
};

struct nats_client {
	struct nats_client_cfg cfg;
	struct nats_url url;
	char name[64];
	struct net_addr addr[MAX_ADDRS];
	int naddr, ai;             /* resolved addresses, the one to try next */
	int fd, state;
	int stop;                  /* a callback found the session unusable */
	int in_service;
	uint64_t deadline;         /* end of the connect phase */
	uint64_t next_ping, retry_at;
	int pings_out;
	struct backoff backoff;
	struct prng rng;
	struct log_limit rl_resolve, rl_retry, rl_err;
	uint8_t *payload, *tx;
	size_t tx_cap, tx_len;
	char inbox[32];            /* "_INBOX.<22 random>" */
	uint32_t next_req;
	struct sub subs[NATS_MAX_SUBS];
	int nsubs;
	struct req reqs[NATS_MAX_REQS];
	struct nats_client_stats st;
	struct nats_parser parser;
	uint8_t rx[16384];
};

static void emit(struct nats_client *c, int ev, const char *text)
{
	if (c->cfg.on_event)
		c->cfg.on_event(c->cfg.arg, ev, text);
}

/* ---- send buffer --------------------------------------------------------- */

/* The bytes written by a writer chain starting at tx + tx_len: commit
 * them, or refuse (NULL cursor: did not fit). */
static int tx_commit(struct nats_client *c, uint8_t *p)
{
	if (!p)
		return -ENOBUFS;
	c->tx_len = (size_t)(p - c->tx);
	return 0;
}

#define TX_CUR(c) ((c)->tx + (c)->tx_len)
#define TX_END(c) ((c)->tx + (c)->tx_cap)

/* Write what the socket takes now.  Returns -1 on a socket error. */
static int flush(struct nats_client *c)
{
	size_t off = 0;
	int rc = 0;

	while (off < c->tx_len) {
		ssize_t n = send(c->fd, c->tx + off, c->tx_len - off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n > 0) {
			off += (size_t)n;
			c->st.bytes_out += (uint64_t)n;
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else {
			if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
				rc = -1;
			break;
		}
	}
	if (off) {
		memmove(c->tx, c->tx + off, c->tx_len - off);
		c->tx_len -= off;
	}
	return rc;
}

/* ---- connection life cycle ------------------------------------------------ */

static void resolve(struct nats_client *c)
{
	int r = net_resolve(c->url.host, c->url.port, SOCK_STREAM, c->addr, MAX_ADDRS);

	c->naddr = r > 0 ? r : 0;
	c->ai = 0;
	if (r < 0)
		log_limited(&c->rl_resolve, LOG_WARN, TAG, "cannot resolve %s: %s", c->url.host,
			    r == -EAGAIN ? "temporary failure, retrying" : "no such host");
	else
		log_debug(TAG, "%s resolved to %d address(es)", c->url.host, r);
}

/* End the session (or connect attempt) and schedule the next attempt:
 * at once on the next resolved address, else after the backoff. */
static void drop(struct nats_client *c, uint64_t now, const char *why)
{
	int was_ready = c->state == NATS_READY;
	uint64_t delay;

	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->tx_len = 0;
	c->stop = 0;
	c->pings_out = 0;
	nats_parse_reset(&c->parser);
	c->state = NATS_BACKOFF;
	if (was_ready) {
		c->st.disconnects++;
		backoff_reset(&c->backoff);
		log_warn(TAG, "disconnected from %s:%u: %s", c->url.host, c->url.port, why);
		emit(c, NATS_EV_DISCONNECTED, why);
	}
	if (c->naddr)
		c->ai = (c->ai + 1) % c->naddr;
	if (!was_ready && c->ai != 0) {
		c->retry_at = now;
		return;
	}
	delay = backoff_next(&c->backoff, &c->rng);
	c->retry_at = now + MS(delay);
	if (!was_ready)
		log_limited(&c->rl_retry, LOG_WARN, TAG, "%s:%u: %s; retrying in %llu ms",
			    c->url.host, c->url.port, why, (unsigned long long)delay);
	else
		log_debug(TAG, "reconnecting in %llu ms", (unsigned long long)delay);
}

static void start_connect(struct nats_client *c, uint64_t now)
{
	int fd;

	if (!c->naddr)
		resolve(c);          /* failed at open: try again (may block) */
	if (!c->naddr) {
		drop(c, now, "no address");
		return;
	}
	fd = net_tcp_connect(&c->addr[c->ai], 1, 0);
	if (fd < 0) {
		drop(c, now, strerror(-fd));
		return;
	}
	c->fd = fd;
	c->deadline = now + MS(c->cfg.connect_timeout_ms);
	c->state = NATS_CONNECTING;
}

/* INFO while waiting for it: answer CONNECT, our subscriptions and a
 * PING whose PONG confirms the session (nats.c does the same). */
static int handshake(struct nats_client *c)
{
	struct nats_connect_opts o;
	uint8_t *p;
	char inbox_sub[40];
	int i;

	memset(&o, 0, sizeof o);
	o.name = c->name;
	o.version = CVMMAP_VERSION;
	o.user = c->url.user;
	o.pass = c->url.pass;
	o.token = c->url.token;
	o.headers = 1;
	o.no_responders = c->cfg.no_responders;
	snprintf(inbox_sub, sizeof inbox_sub, "%s.*", c->inbox);
	p = nats_put_connect(TX_CUR(c), TX_END(c), &o);
	p = nats_put_sub(p, TX_END(c), inbox_sub, INBOX_SID);
	for (i = 0; i < c->nsubs; i++)
		p = nats_put_sub(p, TX_END(c), c->subs[i].subject, (uint64_t)i + 2);
	p = nats_put_ping(p, TX_END(c));
	if (tx_commit(c, p))
		return -1;
	c->state = NATS_HANDSHAKE;
	c->pings_out = 1;
	return 0;
}

/* ---- incoming operations ----------------------------------------------------- */

static void on_inbox(struct nats_client *c, const struct nats_event *ev)
{
	size_t plen = strlen(c->inbox);
	uint32_t id = 0;
	size_t i;

	if (ev->subject_len <= plen + 1 || memcmp(ev->subject, c->inbox, plen) ||
	    ev->subject[plen] != '.')
		return;
	for (i = plen + 1; i < ev->subject_len; i++) {
		if (ev->subject[i] < '0' || ev->subject[i] > '9' || id > 400000000u)
			return;
		id = id * 10 + (uint32_t)(ev->subject[i] - '0');
	}
	for (i = 0; i < NATS_MAX_REQS; i++) {
		struct req *r = &c->reqs[i];

		if (r->fn && r->id == id) {
			nats_reply_fn fn = r->fn;
			int status = ev->hdr_len && nats_hdr_status(ev->hdr, ev->hdr_len) == 503 ?
				     NATS_REQ_NO_RESPONDERS : NATS_REQ_OK;

			r->fn = NULL;      /* free first: fn may issue a new request */
			fn(r->arg, status, ev->data, ev->len);
			return;
		}
	}
}

static int on_op(void *arg, const struct nats_event *ev)
{
	struct nats_client *c = arg;
	struct nats_info info;
	char text[256];

	switch (ev->op) {
	case NATS_OP_INFO:
		if (nats_info_parse(ev->text, ev->text_len, &info))
			return c->stop = 1;
		c->st.server_max_payload = info.max_payload;
		if (c->state == NATS_WAIT_INFO) {
			if (info.auth_required && !c->url.user[0] && !c->url.token[0])
				log_warn(TAG, "%s:%u requires auth; the URL has none",
					 c->url.host, c->url.port);
			if (handshake(c))
				c->stop = 1;
		}
		break;
	case NATS_OP_PING:
		tx_commit(c, nats_put_pong(TX_CUR(c), TX_END(c)));
		break;
	case NATS_OP_PONG:
		c->st.pongs++;
		c->pings_out = 0;
		if (c->state == NATS_HANDSHAKE) {
			c->state = NATS_READY;
			c->st.connects++;
			backoff_reset(&c->backoff);
			log_info(TAG, "connected to %s:%u", c->url.host, c->url.port);
			emit(c, NATS_EV_CONNECTED, NULL);
		}
		break;
	case NATS_OP_OK:
		break;
	case NATS_OP_ERR:
		/* e.g. 'Authorization Violation', 'Maximum Payload Violation';
		 * the server closes the connection after the fatal ones. */
		c->st.server_errors++;
		snprintf(text, sizeof text, "%.*s", (int)ev->text_len, ev->text);
		log_limited(&c->rl_err, LOG_WARN, TAG, "server error: '%s'", text);
		emit(c, NATS_EV_SERVER_ERR, text);
		break;
	case NATS_OP_MSG:
		c->st.msgs_in++;
		if (ev->sid == INBOX_SID)
			on_inbox(c, ev);
		else if (ev->sid >= 2 && ev->sid - 2 < (uint64_t)c->nsubs)
			c->subs[ev->sid - 2].fn(c->subs[ev->sid - 2].arg, ev);
		break;
	}
	return c->stop;
}

static void on_readable(struct nats_client *c, uint64_t now)
{
	int i;

	for (i = 0; i < 4; i++) {
		ssize_t n = recv(c->fd, c->rx, sizeof c->rx, MSG_DONTWAIT);
		int r;

		if (n == 0) {
			drop(c, now, "connection closed by server");
			return;
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				drop(c, now, strerror(errno));
			return;
		}
		r = nats_parse(&c->parser, c->rx, (size_t)n);
		c->st.oversized = c->parser.skipped;
		if (r == NATS_EPROTO || c->stop) {
			drop(c, now, r == NATS_EPROTO ? "protocol error" : "bad INFO or send buffer full");
			return;
		}
		if ((size_t)n < sizeof c->rx)
			return;
	}
}

/* ---- public ------------------------------------------------------------- */

int nats_client_open(struct nats_client **out, const struct nats_client_cfg *cfg)
{
	struct nats_client *c;
	int i;

	*out = NULL;
	c = calloc(1, sizeof *c);
	if (!c)
		return -ENOMEM;
	c->cfg = *cfg;
	c->cfg.url = NULL;       /* parsed below; the caller's string is not kept */
	if (!cfg->url || nats_url_parse(cfg->url, &c->url)) {
		free(c);
		return -EINVAL;
	}
	snprintf(c->name, sizeof c->name, "%s", cfg->name ? cfg->name : "cvmmap-streamer");
	if (!c->cfg.max_payload)
		c->cfg.max_payload = 1u << 20;
	if (!c->cfg.send_buf)
		c->cfg.send_buf = 256u << 10;
	if (c->cfg.send_buf < 4096)
		c->cfg.send_buf = 4096;  /* CONNECT + SUBs must fit */
	if (c->cfg.connect_timeout_ms <= 0)
		c->cfg.connect_timeout_ms = 2000;
	if (c->cfg.ping_interval_ms <= 0)
		c->cfg.ping_interval_ms = 2000;
	if (c->cfg.max_pings_out <= 0)
		c->cfg.max_pings_out = 2;
	if (c->cfg.reconnect_min_ms <= 0)
		c->cfg.reconnect_min_ms = 100;
	if (c->cfg.reconnect_max_ms < c->cfg.reconnect_min_ms)
		c->cfg.reconnect_max_ms = c->cfg.reconnect_min_ms > 5000 ?
					  c->cfg.reconnect_min_ms : 5000;
	c->payload = malloc(c->cfg.max_payload);
	c->tx = malloc(c->cfg.send_buf);
	if (!c->payload || !c->tx) {
		free(c->payload);
		free(c->tx);
		free(c);
		return -ENOMEM;
	}
	c->tx_cap = c->cfg.send_buf;
	c->fd = -1;
	c->state = NATS_BACKOFF;
	backoff_init(&c->backoff, (unsigned)c->cfg.reconnect_min_ms,
		     (unsigned)c->cfg.reconnect_max_ms);
	prng_seed(&c->rng, prng_random_seed());
	memcpy(c->inbox, "_INBOX.", 7);
	for (i = 0; i < 22; i++)
		c->inbox[7 + i] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"[prng_u32(&c->rng) % 62];
	c->inbox[29] = '\0';
	nats_parse_init(&c->parser, c->payload, c->cfg.max_payload, on_op, c);
	resolve(c);
	*out = c;
	return 0;
}

/* Lower *t (ms, -1 = infinite) so poll() wakes by `when`. */
static void lower(int *t, uint64_t when, uint64_t now)
{
	uint64_t ms = when > now ? (when - now + 999999) / 1000000 : 0;

	if (ms > 3600000)
		ms = 3600000;
	if (*t < 0 || (int)ms < *t)
		*t = (int)ms;
}

int nats_client_pollfd(struct nats_client *c, struct pollfd *pfd, int *timeout_ms,
		       uint64_t now)
{
	int i;

	pfd->fd = -1;
	pfd->events = pfd->revents = 0;
	for (i = 0; i < NATS_MAX_REQS; i++)
		if (c->reqs[i].fn)
			lower(timeout_ms, c->reqs[i].deadline, now);
	switch (c->state) {
	case NATS_BACKOFF:
		lower(timeout_ms, c->retry_at, now);
		return 0;
	case NATS_CONNECTING:
		pfd->events = POLLOUT;
		lower(timeout_ms, c->deadline, now);
		break;
	case NATS_READY:
		pfd->events = POLLIN;
		lower(timeout_ms, c->next_ping, now);
		break;
	default:
		pfd->events = POLLIN;
		lower(timeout_ms, c->deadline, now);
		break;
	}
	if (c->tx_len)
		pfd->events |= POLLOUT;
	pfd->fd = c->fd;
	return 1;
}

void nats_client_service(struct nats_client *c, short revents, uint64_t now)
{
	int i;

	c->in_service = 1;
	if (c->state == NATS_CONNECTING && revents) {
		int err = net_connect_result(c->fd);

		if (err)
			drop(c, now, strerror(-err));
		else if (revents & (POLLOUT | POLLERR | POLLHUP))
			c->state = NATS_WAIT_INFO;
	}
	if (c->fd >= 0 && c->state >= NATS_WAIT_INFO && (revents & (POLLIN | POLLERR | POLLHUP)))
		on_readable(c, now);

	/* timers */
	if (c->state != NATS_BACKOFF && c->state != NATS_READY && now >= c->deadline)
		drop(c, now, c->state == NATS_CONNECTING ? "connect timeout" :
			     c->state == NATS_WAIT_INFO ? "no INFO from server" :
			     "no PONG to CONNECT");
	if (c->state == NATS_READY && c->next_ping == 0)
		c->next_ping = now + MS(c->cfg.ping_interval_ms);
	if (c->state == NATS_READY && now >= c->next_ping) {
		if (c->pings_out >= c->cfg.max_pings_out) {
			drop(c, now, "stale connection (no PONG)");
		} else {
			tx_commit(c, nats_put_ping(TX_CUR(c), TX_END(c)));
			c->pings_out++;
			c->next_ping = now + MS(c->cfg.ping_interval_ms);
		}
	}
	if (c->state != NATS_READY)
		c->next_ping = 0;
	for (i = 0; i < NATS_MAX_REQS; i++) {
		struct req *r = &c->reqs[i];

		if (r->fn && now >= r->deadline) {
			nats_reply_fn fn = r->fn;

			r->fn = NULL;
			c->st.req_timeouts++;
			fn(r->arg, NATS_REQ_TIMEOUT, NULL, 0);
		}
	}

	if (c->fd >= 0 && c->state >= NATS_WAIT_INFO && c->tx_len && flush(c))
		drop(c, now, strerror(errno));
	if (c->state == NATS_BACKOFF && now >= c->retry_at)
		start_connect(c, now);
	c->in_service = 0;
}

int nats_client_subscribe(struct nats_client *c, const char *subject,
			  nats_msg_fn fn, void *arg)
{
	struct sub *s;
	int sid;

	if (!nats_subject_valid(subject, 1) || !fn)
		return -EINVAL;
	if (c->nsubs == NATS_MAX_SUBS)
		return -ENOSPC;
	s = &c->subs[c->nsubs];
	snprintf(s->subject, sizeof s->subject, "%s", subject);
	s->fn = fn;
	s->arg = arg;
	sid = 2 + c->nsubs++;
	/* Connected: SUB now.  Otherwise handshake() sends it. */
	if (c->state == NATS_HANDSHAKE || c->state == NATS_READY)
		tx_commit(c, nats_put_sub(TX_CUR(c), TX_END(c), subject, (uint64_t)sid));
	return sid;
}

static int queue_pub(struct nats_client *c, const char *subject, const char *reply,
		     const void *data, size_t n)
{
	int r;

	if (c->state != NATS_HANDSHAKE && c->state != NATS_READY)
		r = -ENOTCONN;
	else if (c->st.server_max_payload && n > c->st.server_max_payload)
		r = -EMSGSIZE;
	else if (!nats_subject_valid(subject, 0))
		r = -EINVAL;
	else
		r = tx_commit(c, nats_put_pub_msg(TX_CUR(c), TX_END(c), subject, reply, data, n));
	if (r) {
		c->st.pub_dropped++;
		return r;
	}
	c->st.msgs_out++;
	/* Outside service(): try to write at once; errors surface there. */
	if (!c->in_service && c->fd >= 0)
		flush(c);
	return 0;
}

int nats_client_publish(struct nats_client *c, const char *subject,
			const void *data, size_t n)
{
	return queue_pub(c, subject, NULL, data, n);
}

int nats_client_request(struct nats_client *c, const char *subject,
			const void *data, size_t n, int timeout_ms,
			nats_reply_fn fn, void *arg)
{
	char reply[48];
	uint64_t now;
	int i, r;

	for (i = 0; i < NATS_MAX_REQS && c->reqs[i].fn; i++)
		;
	if (i == NATS_MAX_REQS)
		return -EBUSY;
	if (++c->next_req == 0)
		c->next_req = 1;
	snprintf(reply, sizeof reply, "%s.%u", c->inbox, (unsigned)c->next_req);
	if ((r = queue_pub(c, subject, reply, data, n)))
		return r;
	now = clock_mono_ns();
	c->reqs[i].id = c->next_req;
	c->reqs[i].deadline = now + MS(timeout_ms > 0 ? timeout_ms : 0);
	c->reqs[i].fn = fn;
	c->reqs[i].arg = arg;
	return 0;
}

int nats_client_ping(struct nats_client *c)
{
	if (c->state != NATS_HANDSHAKE && c->state != NATS_READY)
		return -ENOTCONN;
	if (tx_commit(c, nats_put_ping(TX_CUR(c), TX_END(c))))
		return -ENOBUFS;
	if (!c->in_service && c->fd >= 0)
		flush(c);
	return 0;
}

size_t nats_client_pending(const struct nats_client *c)
{
	return c->tx_len;
}

void nats_client_get_stats(const struct nats_client *c, struct nats_client_stats *st)
{
	*st = c->st;
	st->state = c->state;
}

void nats_client_close(struct nats_client *c)
{
	if (!c)
		return;
	if (c->fd >= 0)
		close(c->fd);
	free(c->payload);
	free(c->tx);
	free(c);
}
