/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nats_client.h - a small non-blocking NATS client for one I/O thread.
 *
 * Same shape as rtmp_sink.h: the I/O loop owns the client,
 * nats_client_pollfd() says what to wait for, nats_client_service() does
 * the work (connect, INFO/CONNECT, PING/PONG both ways, reading MSGs and
 * calling back, flushing, reconnect with exponential backoff + jitter).
 * Nothing here ever blocks: publish and request only queue into a
 * preallocated send buffer and drop (counted) when disconnected or full.
 * Subscriptions survive reconnects (re-SUB after every CONNECT).
 *
 * Callbacks run inside nats_client_service() on the I/O thread; they may
 * publish, request or subscribe but must not close the client.  Message
 * pointers are valid only during the callback.
 *
 * Credentials from the URL go into CONNECT only; logs name host:port.
 */
#ifndef CVMMAP_NATS_CLIENT_H
#define CVMMAP_NATS_CLIENT_H

#include "nats/nats_parse.h"

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#define NATS_MAX_SUBS 16       /* subscriptions (besides the inbox) */
#define NATS_MAX_REQS 16       /* requests in flight */

struct nats_client;

/* A message for a subscription: ev->subject, ev->reply, ev->data/len. */
typedef void (*nats_msg_fn)(void *arg, const struct nats_event *ev);

enum nats_req_status {
	NATS_REQ_OK = 0,           /* data/n is the reply */
	NATS_REQ_TIMEOUT = 1,      /* no reply before the deadline */
	NATS_REQ_NO_RESPONDERS = 2, /* server said 503: nobody subscribed */
};
typedef void (*nats_reply_fn)(void *arg, int status, const uint8_t *data, size_t n);

enum nats_client_event {
	NATS_EV_CONNECTED,         /* CONNECT accepted (first PONG): subs active */
	NATS_EV_DISCONNECTED,      /* a connected session ended; reconnecting */
	NATS_EV_SERVER_ERR,        /* -ERR from the server; text given */
};
typedef void (*nats_event_cb)(void *arg, int event, const char *text);

struct nats_client_cfg {
	const char *url;           /* nats://[user:pass@|token@]host[:port] */
	const char *name;          /* CONNECT name (NULL: "cvmmap-streamer") */
	size_t max_payload;        /* largest MSG we accept; larger ones are skipped (0: 1 MiB) */
	size_t send_buf;           /* send buffer bytes (0: 256 KiB) */
	int connect_timeout_ms;    /* TCP + INFO + first PONG (0: 2000) */
	int ping_interval_ms;      /* our PINGs (0: 2000) */
	int max_pings_out;         /* unanswered PINGs before giving up (0: 2) */
	int reconnect_min_ms;      /* backoff start (0: 100) */
	int reconnect_max_ms;      /* backoff cap (0: 5000) */
	int no_responders;         /* 1: ask for 503 "no responders" replies */
	nats_event_cb on_event;    /* may be NULL */
	void *arg;
};

enum nats_client_state {
	NATS_BACKOFF, NATS_CONNECTING, NATS_WAIT_INFO, NATS_HANDSHAKE, NATS_READY,
};

struct nats_client_stats {
	int state;                 /* enum nats_client_state */
	uint64_t connects, disconnects;
	uint64_t msgs_in, msgs_out, bytes_out;
	uint64_t pub_dropped;      /* publish/request refused: not connected or buffer full */
	uint64_t oversized;        /* MSGs skipped for exceeding max_payload */
	uint64_t server_errors;    /* -ERR lines */
	uint64_t pongs;            /* PONGs received */
	uint64_t req_timeouts;
	uint64_t server_max_payload; /* from INFO */
};

/* Allocate the client and all its buffers; resolves the host once
 * (getaddrinfo may block here, at start-up only).  Does not connect yet:
 * the first nats_client_service() does.  Returns 0, -EINVAL on a bad URL
 * or -ENOMEM. */
int nats_client_open(struct nats_client **out, const struct nats_client_cfg *cfg);
/* Fill pfd for poll(); returns 1 when pfd holds a socket, 0 when there
 * is none now (pfd->fd = -1).  *timeout_ms is lowered to the next timer
 * (connect deadline, PING, backoff, request deadline). */
int nats_client_pollfd(struct nats_client *c, struct pollfd *pfd, int *timeout_ms,
		       uint64_t now_mono_ns);
/* Handle revents (0 after a timeout) and advance every timer. */
void nats_client_service(struct nats_client *c, short revents, uint64_t now_mono_ns);

/* Subscribe `subject` (wildcards allowed) for the client's lifetime.
 * Sent now when connected, and again after every reconnect.  Returns the
 * sid (> 1), -EINVAL for a bad subject, -ENOSPC when the table is full. */
int nats_client_subscribe(struct nats_client *c, const char *subject,
			  nats_msg_fn fn, void *arg);
/* Queue one PUB.  Returns 0, -ENOTCONN (not connected), -EMSGSIZE (over
 * the server's max_payload), -ENOBUFS (send buffer full) or -EINVAL (bad
 * subject); every failure is counted in pub_dropped. */
int nats_client_publish(struct nats_client *c, const char *subject,
			const void *data, size_t n);
/* Publish with a reply subject in the client's inbox.  On 0, fn is
 * called exactly once later from nats_client_service(): with the reply,
 * NATS_REQ_NO_RESPONDERS, or NATS_REQ_TIMEOUT no later than timeout_ms
 * (plus the poll wake-up).  On failure (codes as publish, or -EBUSY when
 * NATS_MAX_REQS are in flight) fn is never called. */
int nats_client_request(struct nats_client *c, const char *subject,
			const void *data, size_t n, int timeout_ms,
			nats_reply_fn fn, void *arg);
/* Queue a PING (stats.pongs counts the answers: a flush barrier). */
int nats_client_ping(struct nats_client *c);
/* Bytes queued but not yet written. */
size_t nats_client_pending(const struct nats_client *c);
void nats_client_get_stats(const struct nats_client *c, struct nats_client_stats *st);
/* Close the socket and free everything.  Pending requests are dropped
 * without their callbacks. */
void nats_client_close(struct nats_client *c);

#endif
