/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rtsp_sink.c - an RTSP 1.0 server (RFC 2326): players pull the stream.
 *
 * One stream, rtsp://HOST:PORT/<path>, one track (trackID=0).  Per
 * connection (at most --rtsp-max-clients, all buffers allocated at open):
 *
 *   INIT --SETUP--> READY --PLAY--> (waits for a keyframe) PLAYING
 *   PLAYING --PAUSE--> READY;  any --TEARDOWN--> INIT;  close frees all.
 *
 * One session per connection: its id is valid on that connection only.
 * Every AU is packetised once (rtp_stream.c) into a shared packet area;
 * each playing client gets the same packets: over UDP by sendmmsg() to
 * its client_port from our server_port pair, over TCP interleaved
 * (10.12: '$', channel, length) through its own send window (sendq.c),
 * so a slow reader loses frames up to the next keyframe and never stalls
 * anyone.  PLAY is answered when the next keyframe is packed, so
 * RTP-Info names exactly the first packet the client gets; a new client
 * asks the encoder for that keyframe.  RTCP sender reports go to each
 * client (its own packet counts); its receiver reports, any request and
 * interleaved data keep the session alive.  docs/rtsp.md has the limits.
 */
#define _GNU_SOURCE
#include "proto/rtcp.h"
#include "proto/rtp_area.h"
#include "proto/rtp_stream.h"
#include "proto/rtsp_msg.h"
#include "proto/sdp.h"
#include "proto/sendq.h"
#include "proto/sink.h"
#include "util/clock.h"
#include "util/exitcodes.h"
#include "util/log.h"
#include "util/net.h"
#include "util/prng.h"
#include "util/url.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#define TAG "rtsp"
#define CLIENTS_MAX 32
#define IN_MAX (RTSP_HEAD_MAX + 4096)   /* a request head and a small body */
#define OUT_CTL (64 * 1024)             /* room for replies beside the frames */
#define MTU 1200
#define BATCH 32                        /* UDP packets per sendmmsg() */
#define REPLY_MAX (SDP_MAX + 1024)
#define SDP_MAX (3 * (PSCACHE_MAX / 3 + 1) * 4 + 1024)
#define REALM "cvmmap-streamer"
#define MS 1000000ull
#define WAIT_PS_NS (3000 * MS)          /* DESCRIBE before parameter sets: then 503 */
#define WAIT_KEY_NS (10000 * MS)        /* PLAY before a keyframe: then 503 */
#define STALL_NS (10000 * MS)           /* TCP reader that takes nothing: closed */
#define HEAD_NS (10000 * MS)            /* an unfinished request head: closed */
#define CLOSE_NS (1000 * MS)            /* a last reply's time to leave */
#define SNDBUF (256 * 1024)             /* SO_SNDBUF: congestion shows in the window */
#define PUBLIC "OPTIONS, DESCRIBE, SETUP, PLAY, PAUSE, TEARDOWN, GET_PARAMETER, SET_PARAMETER"

enum { T_BOTH, T_UDP, T_TCP };
enum { S_INIT, S_READY, S_PLAYING };

struct rtsp_opts {
	int enable;
	const char *listen, *path, *credentials;
	long max_clients, session_timeout, window_ms;
	int transport, auth;
};

struct client {
	int fd;                         /* -1: free slot */
	char peer[64];
	struct sockaddr_storage addr;   /* the TCP peer: UDP goes there only */
	socklen_t alen;
	char in[IN_MAX];
	size_t in_n, skip;              /* skip: interleaved bytes still coming */
	struct sendq q;                 /* replies, and frames over TCP */
	int state, tcp, ch_rtp, ch_rtcp, closing;
	struct sockaddr_storage udp_rtp, udp_rtcp;
	char session[17], nonce[33];
	/* a request answered later: DESCRIBE (parameter sets) or PLAY (keyframe) */
	int pending;
	char pend_cseq[16], pend_uri[RTSP_URI_MAX];
	uint64_t pend_until;
	int wait_key;                   /* frames from the next keyframe on */
	int reparse;                    /* requests may wait behind the deferred one */
	uint64_t last_seen, last_progress, closing_at, next_rtcp;
	uint32_t sr_packets, sr_octets;
	unsigned long long bytes, packets, aus, dropped;
};

struct rtsp_sink {
	struct rtsp_opts cfg;
	struct sink_env env;
	int lfd, rtp_fd, rtcp_fd, family;
	unsigned server_port;
	struct rtp_stream rs;
	struct prng rng;
	struct rtp_area area;           /* one packed AU */
	char *reply, *sdp;
	struct iovec iov[BATCH];
	struct mmsghdr msg[BATCH];
	int kf_request;
	uint64_t sess_id;               /* SDP o= (RFC 8866 5.2) */
	unsigned long long accepted, refused, bad, reaped, aus, bytes, dropped;
	struct log_limit rl_refuse, rl_drop, rl_send, rl_bad;
	struct client c[CLIENTS_MAX];
};

static struct rtsp_opts rtsp_cfg;

static const char *const transports[] = { "udp,tcp|tcp,udp|both", "udp", "tcp", NULL };
static const char *const auths[] = { "digest", "basic", NULL };

static const struct opt rtsp_rows[] = {
	{ "rtsp", OPT_FLAG, G_OUTPUT, 0, OPT_OFF(struct rtsp_opts, enable), 0, 0, NULL, NULL,
	  "serve the stream over RTSP (players pull rtsp://HOST:PORT/PATH)", NULL, NULL },
	{ "rtsp-listen", OPT_STR, G_OUTPUT, 0, OPT_OFF(struct rtsp_opts, listen), 0, 0, NULL,
	  "[HOST:]PORT", "RTSP address to listen on (default 0.0.0.0:8554)", NULL, NULL },
	{ "rtsp-path", OPT_STR, G_OUTPUT, 0, OPT_OFF(struct rtsp_opts, path), 0, 0, NULL,
	  "NAME", "stream path (default live)", NULL, NULL },
	{ "rtsp-max-clients", OPT_LONG, G_OUTPUT, 0, OPT_OFF(struct rtsp_opts, max_clients),
	  1, CLIENTS_MAX, NULL, "N", "connections at once (default 8; more are refused)",
	  NULL, NULL },
	{ "rtsp-transport", OPT_CHOICE, G_OUTPUT, 0, OPT_OFF(struct rtsp_opts, transport),
	  T_BOTH, 0, transports, "LIST", "RTP transports offered: udp,tcp (default), udp or tcp",
	  NULL, NULL },
	{ "rtsp-credentials", OPT_STR, G_OUTPUT, OPT_SECRET | OPT_NOARGV,
	  OPT_OFF(struct rtsp_opts, credentials), 0, 0, NULL, "USER:PASSWORD",
	  "require USER:PASSWORD (first line of the file)", NULL,
	  "CVMMAP_RTSP_CREDENTIALS" },
	{ "rtsp-auth", OPT_CHOICE, G_OUTPUT, 0, OPT_OFF(struct rtsp_opts, auth), 0, 0, auths,
	  "SCHEME", "with credentials: digest (default, MD5) or basic", NULL, NULL },
	{ "rtsp-session-timeout", OPT_LONG, G_OUTPUT, 0,
	  OPT_OFF(struct rtsp_opts, session_timeout), 2, 3600, NULL, "S",
	  "Session timeout announced to clients (default 60); silent ones are\n"
	  "                                 closed 5 s after it", NULL, NULL },
	{ "rtsp-send-window-ms", OPT_LONG, G_LATENCY, 0, OPT_OFF(struct rtsp_opts, window_ms),
	  50, 10000, NULL, "MS", "RTSP over TCP: frames older than this are dropped up to the\n"
	  "                                 next keyframe (default 700)", NULL, NULL },
};

static void rtsp_defaults(void *cfg)
{
	struct rtsp_opts *o = cfg;

	memset(o, 0, sizeof *o);
	o->listen = "0.0.0.0:8554";
	o->path = "live";
	o->max_clients = 8;
	o->session_timeout = 60;
	o->window_ms = 700;
}

static int rtsp_enabled(const void *cfg)
{
	return ((const struct rtsp_opts *)cfg)->enable;
}

static int rtsp_validate(const void *cfg, const struct sink_env *env, char *err, size_t n)
{
	const struct rtsp_opts *o = cfg;
	char host[256];
	unsigned port;
	const char *p;

	(void)env;
	if (listen_parse(o->listen, host, sizeof host, &port))
		snprintf(err, n, "--rtsp-listen: '%s' is not [HOST:]PORT", o->listen);
	else if (!port)
		snprintf(err, n, "--rtsp-listen: port 0 (give the port players will use)");
	else if (strlen(o->path) > 64 || strspn(o->path, "abcdefghijklmnopqrstuvwxyz"
		 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") != strlen(o->path))
		snprintf(err, n, "--rtsp-path: '%s' must be 1-64 of A-Z a-z 0-9 - _ .", o->path);
	else if (o->credentials && (!(p = strchr(o->credentials, ':')) ||
		 p == o->credentials || !p[1] || strchr(o->credentials, '"')))
		snprintf(err, n, "--rtsp-credentials: want USER:PASSWORD, both non-empty, "
			 "no '\"'");
	else
		return 0;
	return EXIT_USAGE;
}

/* ---- replies ----------------------------------------------------------- */

/* Queue a message on the connection (never dropped by the window). */
static void queue_ctl(struct rtsp_sink *s, struct client *c, const void *p, size_t n,
		      uint64_t now)
{
	if (sendq_put(&c->q, p, n, SQ_CTL, now) < 0) {
		log_limited(&s->rl_send, LOG_WARN, TAG, "%s: reply does not fit; closing",
			    c->peer);
		c->closing = 1;
		c->closing_at = now;
	}
}

/* "RTSP/1.0 status reason", CSeq, Server, the extra header lines (each
 * ending in CRLF), Content-Length when there is a body, the body. */
static void reply(struct rtsp_sink *s, struct client *c, int status, const char *cseq,
		  const char *extra, const char *ctype, const char *body, uint64_t now)
{
	size_t bl = body ? strlen(body) : 0;
	int n = snprintf(s->reply, REPLY_MAX, "RTSP/1.0 %d %s\r\n%s%s%sServer: cvmmap-streamer"
			 "\r\n%s", status, rtsp_reason(status), *cseq ? "CSeq: " : "", cseq,
			 *cseq ? "\r\n" : "", extra ? extra : "");

	if (n > 0 && (size_t)n < REPLY_MAX && body)
		n += snprintf(s->reply + n, REPLY_MAX - (size_t)n,
			      "Content-Type: %s\r\nContent-Length: %zu\r\n", ctype, bl);
	if (n > 0 && (size_t)n < REPLY_MAX)
		n += snprintf(s->reply + n, REPLY_MAX - (size_t)n, "\r\n%s", body ? body : "");
	if (n < 0 || (size_t)n >= REPLY_MAX) {
		n = snprintf(s->reply, REPLY_MAX, "RTSP/1.0 500 Internal Server Error\r\n"
			     "CSeq: %s\r\n\r\n", cseq);
	}
	if (status >= 400) {
		s->bad++;
		log_limited(&s->rl_bad, LOG_INFO, TAG, "%s: %d %s", c->peer, status,
			    rtsp_reason(status));
	}
	queue_ctl(s, c, s->reply, (size_t)n, now);
}

/* An error that ends the connection: the reply, then close. */
static void reply_close(struct rtsp_sink *s, struct client *c, int status, const char *cseq,
			uint64_t now)
{
	reply(s, c, status, cseq, NULL, NULL, NULL, now);
	c->closing = 1;
	c->closing_at = now;
}

/* ---- connections ------------------------------------------------------- */

static void client_free(struct rtsp_sink *s, struct client *c, const char *why)
{
	if (c->fd < 0)
		return;
	log_info(TAG, "%s: closed (%s): %s, %llu bytes, %llu AUs, %llu dropped", c->peer, why,
		 !c->aus && !c->dropped ? "nothing played" : c->tcp ? "tcp" : "udp", c->bytes,
		 c->aus, c->dropped);
	close(c->fd);
	c->fd = -1;
	sendq_reset(&c->q);
	c->state = S_INIT;
}

/* One send() of what is queued; counts progress and errors. */
static void flush(struct rtsp_sink *s, struct client *c, uint64_t now)
{
	const uint8_t *p;
	size_t n;
	ssize_t w;

	p = sendq_unsent(&c->q, &n);
	if (!n) {
		c->last_progress = now;
		return;
	}
	w = send(c->fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (w < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			client_free(s, c, strerror(errno));
		return;
	}
	if (w > 0) {
		c->last_progress = now;
		sendq_consumed(&c->q, (size_t)w);
		c->bytes += (unsigned long long)w;
		s->bytes += (unsigned long long)w;
	}
}

static void new_session(struct rtsp_sink *s, struct client *c)
{
	snprintf(c->session, sizeof c->session, "%08X%08X", prng_u32(&s->rng),
		 prng_u32(&s->rng));
}

static void on_accept(struct rtsp_sink *s, uint64_t now)
{
	struct sockaddr_storage a;
	socklen_t al = sizeof a;
	int fd, i;

	while ((fd = accept4(s->lfd, (struct sockaddr *)&a, &al,
			     SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		struct client *c = NULL;
		struct net_addr na;

		for (i = 0; i < s->cfg.max_clients; i++)
			if (s->c[i].fd < 0) {
				c = &s->c[i];
				break;
			}
		if (!c) {
			/* a flood: one short answer, no state kept */
			static const char busy[] = "RTSP/1.0 503 Service Unavailable\r\n"
						   "Retry-After: 5\r\n\r\n";

			if (send(fd, busy, sizeof busy - 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
				(void)0;        /* refused either way */
			close(fd);
			s->refused++;
			log_limited(&s->rl_refuse, LOG_WARN, TAG, "refused a connection: %ld "
				    "clients connected (%llu refused)", s->cfg.max_clients,
				    s->refused);
			al = sizeof a;
			continue;
		}
		/* keep the kernel's share of a slow reader's backlog small: the
		 * send window, measured in time, is where it is judged */
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &(int){ SNDBUF }, sizeof(int));
		memset(&na, 0, sizeof na);
		memcpy(&na.sa, &a, al);
		na.len = al;
		na.family = a.ss_family;
		c->fd = fd;
		c->addr = a;
		c->alen = al;
		net_addr_str(&na, c->peer, sizeof c->peer);
		snprintf(c->peer + strlen(c->peer), sizeof c->peer - strlen(c->peer), ":%u",
			 a.ss_family == AF_INET6 ?
			 ntohs(((struct sockaddr_in6 *)&a)->sin6_port) :
			 ntohs(((struct sockaddr_in *)&a)->sin_port));
		c->in_n = c->skip = 0;
		c->state = S_INIT;
		c->closing = c->pending = c->wait_key = 0;
		c->session[0] = '\0';
		snprintf(c->nonce, sizeof c->nonce, "%08x%08x%08x%08x", prng_u32(&s->rng),
			 prng_u32(&s->rng), prng_u32(&s->rng), prng_u32(&s->rng));
		c->last_seen = c->last_progress = now;
		c->bytes = c->packets = c->aus = c->dropped = 0;
		c->sr_packets = c->sr_octets = 0;
		sendq_reset(&c->q);
		s->accepted++;
		log_info(TAG, "%s: connected", c->peer);
		al = sizeof a;
	}
}

/* ---- requests ---------------------------------------------------------- */

/* "rtsp://host:port/path/" for Content-Base and RTP-Info: the client's
 * own spelling of the host when it sent an absolute URI, else ours. */
static void base_url(struct rtsp_sink *s, struct client *c, const char *uri, char *out,
		     size_t cap)
{
	const char *h;
	size_t n;

	if (!strncasecmp(uri, "rtsp://", 7)) {
		h = uri + 7;
		n = strcspn(h, "/?");
		snprintf(out, cap, "rtsp://%.*s/%s/", (int)n, h, s->cfg.path);
	} else {
		struct net_addr na;
		char host[64];

		na.len = sizeof na.sa;
		if (getsockname(c->fd, (struct sockaddr *)&na.sa, &na.len) < 0)
			na.sa.ss_family = AF_UNSPEC;
		na.family = na.sa.ss_family;
		if (!net_addr_str(&na, host, sizeof host))
			snprintf(host, sizeof host, "127.0.0.1");
		snprintf(out, cap, "rtsp://%s%s%s:%u/%s/", na.family == AF_INET6 ? "[" : "",
			 host, na.family == AF_INET6 ? "]" : "",
			 na.family == AF_INET6 ?
			 ntohs(((struct sockaddr_in6 *)&na.sa)->sin6_port) :
			 ntohs(((struct sockaddr_in *)&na.sa)->sin_port), s->cfg.path);
	}
}

static void session_hdr(struct rtsp_sink *s, struct client *c, char *out, size_t cap)
{
	snprintf(out, cap, "Session: %s;timeout=%ld\r\n", c->session, s->cfg.session_timeout);
}

static void do_describe(struct rtsp_sink *s, struct client *c, const char *cseq,
			const char *uri, uint64_t now)
{
	const struct param_sets *ps = &s->env.ps->ps;
	struct sdp_desc d = {
		s->env.codec, 96, s->family == AF_INET6 ? "::" : "0.0.0.0",
		s->family == AF_INET6, 0, 0, s->sess_id, s->env.ps->gen, ps->vps, ps->sps,
		ps->pps, 1,
	};
	char hdr[RTSP_URI_MAX + 64], base[RTSP_URI_MAX];

	if (sdp_build(&d, s->sdp, SDP_MAX) < 0) {
		reply(s, c, 500, cseq, NULL, NULL, NULL, now);
		return;
	}
	base_url(s, c, uri, base, sizeof base);
	snprintf(hdr, sizeof hdr, "Content-Base: %s\r\n", base);
	reply(s, c, 200, cseq, hdr, "application/sdp", s->sdp, now);
}

static void do_setup(struct rtsp_sink *s, struct client *c, const struct rtsp_req *r,
		     uint64_t now)
{
	struct rtsp_transport t;
	char hdr[512], sess[96];

	if (c->state == S_PLAYING) {
		reply(s, c, 455, r->cseq, "Allow: PLAY, PAUSE, TEARDOWN, GET_PARAMETER, "
		      "SET_PARAMETER, OPTIONS\r\n", NULL, NULL, now);
		return;
	}
	if (rtsp_transport_pick(r->transport, s->cfg.transport != T_TCP,
				s->cfg.transport != T_UDP, &t) || t.record) {
		reply(s, c, 461, r->cseq, NULL, NULL, NULL, now);
		return;
	}
	c->tcp = t.tcp;
	if (t.tcp) {
		c->ch_rtp = t.ch_rtp;
		c->ch_rtcp = t.ch_rtcp;
		snprintf(hdr, sizeof hdr, "Transport: RTP/AVP/TCP;unicast;interleaved=%d-%d;"
			 "ssrc=%08X\r\n", t.ch_rtp, t.ch_rtcp, s->rs.pk.ssrc);
	} else {
		/* to the address the request came from, whatever destination= says
		 * (RFC 2326 12.39: a server may refuse to redirect) */
		c->udp_rtp = c->udp_rtcp = c->addr;
		if (c->addr.ss_family == AF_INET6) {
			((struct sockaddr_in6 *)&c->udp_rtp)->sin6_port = htons((uint16_t)t.rtp_port);
			((struct sockaddr_in6 *)&c->udp_rtcp)->sin6_port =
				htons((uint16_t)t.rtcp_port);
		} else {
			((struct sockaddr_in *)&c->udp_rtp)->sin_port = htons((uint16_t)t.rtp_port);
			((struct sockaddr_in *)&c->udp_rtcp)->sin_port = htons((uint16_t)t.rtcp_port);
		}
		snprintf(hdr, sizeof hdr, "Transport: RTP/AVP;unicast;client_port=%u-%u;"
			 "server_port=%u-%u;ssrc=%08X\r\n", t.rtp_port, t.rtcp_port,
			 s->server_port, s->server_port + 1, s->rs.pk.ssrc);
	}
	if (!c->session[0])
		new_session(s, c);
	c->state = S_READY;
	session_hdr(s, c, sess, sizeof sess);
	strncat(hdr, sess, sizeof hdr - strlen(hdr) - 1);
	reply(s, c, 200, r->cseq, hdr, NULL, NULL, now);
	log_info(TAG, "%s: session %s over %s", c->peer, c->session, c->tcp ? "tcp" : "udp");
}

/* PLAY is answered with the next keyframe (see put). */
static void do_play(struct rtsp_sink *s, struct client *c, const struct rtsp_req *r,
		    uint64_t now)
{
	c->pending = RTSP_PLAY;
	snprintf(c->pend_cseq, sizeof c->pend_cseq, "%s", r->cseq);
	snprintf(c->pend_uri, sizeof c->pend_uri, "%s", r->uri);
	c->pend_until = now + WAIT_KEY_NS;
	s->kf_request = 1;
}

/* The PLAY reply, now that seq/rtptime of the first packet are known. */
static void play_reply(struct rtsp_sink *s, struct client *c, uint16_t seq, uint32_t ts,
		       uint64_t now)
{
	char hdr[RTSP_URI_MAX + 256], base[RTSP_URI_MAX], sess[96];

	base_url(s, c, c->pend_uri, base, sizeof base);
	session_hdr(s, c, sess, sizeof sess);
	/* 12.29 Range (live: from now), 12.33 RTP-Info of the first packet */
	snprintf(hdr, sizeof hdr, "Range: npt=now-\r\nRTP-Info: url=%strackID=0;seq=%u;"
		 "rtptime=%u\r\n%s", base, seq, ts, sess);
	reply(s, c, 200, c->pend_cseq, hdr, NULL, NULL, now);
	c->pending = 0;
	c->reparse = 1;
	c->state = S_PLAYING;
	c->wait_key = 0;
	c->next_rtcp = now + 500 * MS;
	flush(s, c, now);       /* the reply before the first UDP packet */
}

static int known_session(const struct client *c, const struct rtsp_req *r)
{
	return c->session[0] && !strcmp(r->session, c->session);
}

static void handle(struct rtsp_sink *s, struct client *c, const struct rtsp_req *r,
		   uint64_t now)
{
	int target = rtsp_uri_target(r->uri, s->cfg.path);
	const char *cs = r->cseq;
	char hdr[256];

	if (!r->version_ok) {
		reply(s, c, 505, cs, NULL, NULL, NULL, now);
		return;
	}
	if (!*cs) {
		reply_close(s, c, 400, "", now);        /* 12.17: CSeq is required */
		return;
	}
	if (r->method == RTSP_UNKNOWN) {
		reply(s, c, 501, cs, "Public: " PUBLIC "\r\n", NULL, NULL, now);
		return;
	}
	if (r->method == RTSP_ANNOUNCE || r->method == RTSP_RECORD ||
	    r->method == RTSP_REDIRECT) {
		reply(s, c, 405, cs, "Allow: " PUBLIC "\r\n", NULL, NULL, now);
		return;
	}
	if (s->cfg.credentials && r->method != RTSP_OPTIONS &&
	    !rtsp_auth_ok(s->cfg.auth == 0 ? RTSP_AUTH_DIGEST : RTSP_AUTH_BASIC,
			  s->cfg.credentials, REALM, c->nonce,
			  rtsp_method_name(r->method), r->auth)) {
		rtsp_auth_challenge(hdr, sizeof hdr, s->cfg.auth == 0 ? RTSP_AUTH_DIGEST :
				    RTSP_AUTH_BASIC, REALM, c->nonce);
		reply(s, c, 401, cs, hdr, NULL, NULL, now);
		return;
	}
	if (target == RTSP_T_NONE || (target == RTSP_T_ANY && r->method != RTSP_OPTIONS)) {
		reply(s, c, 404, cs, NULL, NULL, NULL, now);
		return;
	}
	/* 12.37: a Session header must name this connection's session */
	if (r->session[0] && !known_session(c, r)) {
		reply(s, c, 454, cs, NULL, NULL, NULL, now);
		return;
	}
	switch (r->method) {
	case RTSP_OPTIONS:
		reply(s, c, 200, cs, "Public: " PUBLIC "\r\n", NULL, NULL, now);
		break;
	case RTSP_DESCRIBE:
		if (!s->env.ps->gen) {  /* no parameter sets yet: answer when they come */
			c->pending = RTSP_DESCRIBE;
			snprintf(c->pend_cseq, sizeof c->pend_cseq, "%s", cs);
			snprintf(c->pend_uri, sizeof c->pend_uri, "%s", r->uri);
			c->pend_until = now + WAIT_PS_NS;
			s->kf_request = 1;
		} else {
			do_describe(s, c, cs, r->uri, now);
		}
		break;
	case RTSP_SETUP:
		if (target != RTSP_T_TRACK)     /* 11.3.10: SETUP is per stream */
			reply(s, c, 459, cs, NULL, NULL, NULL, now);
		else
			do_setup(s, c, r, now);
		break;
	case RTSP_PLAY:
	case RTSP_PAUSE:
	case RTSP_TEARDOWN:
		if (!r->session[0]) {
			reply(s, c, 454, cs, NULL, NULL, NULL, now);
		} else if (r->method == RTSP_TEARDOWN) {
			reply(s, c, 200, cs, NULL, NULL, NULL, now);
			log_info(TAG, "%s: teardown of %s", c->peer, c->session);
			c->state = S_INIT;
			c->session[0] = '\0';
			c->pending = 0;
		} else if (c->state == S_INIT) {
			reply(s, c, 455, cs, "Allow: OPTIONS, DESCRIBE, SETUP, TEARDOWN\r\n", NULL,
			      NULL, now);
		} else if (r->method == RTSP_PLAY) {
			do_play(s, c, r, now);
		} else {
			char sess[96];

			session_hdr(s, c, sess, sizeof sess);
			c->state = S_READY;
			reply(s, c, 200, cs, sess, NULL, NULL, now);
		}
		break;
	default:        /* GET_PARAMETER, SET_PARAMETER: keepalive */
		if (r->method == RTSP_SET_PARAMETER && r->content_length) {
			reply(s, c, 451, cs, NULL, NULL, NULL, now);
		} else {
			char sess[96] = "";

			if (c->session[0])
				session_hdr(s, c, sess, sizeof sess);
			reply(s, c, 200, cs, sess, NULL, NULL, now);
		}
		break;
	}
}

/* Requests and interleaved data in c->in, as far as they are complete. */
static void parse_input(struct rtsp_sink *s, struct client *c, uint64_t now)
{
	while (c->in_n && !c->pending && !c->closing && c->fd >= 0) {
		struct rtsp_req r;
		long il = rtsp_interleaved(c->in, c->in_n, &c->skip);   /* RTCP RRs */
		size_t used;
		int k;

		if (il == 0)
			return;
		if (il > 0) {
			used = (size_t)il;
			c->last_seen = now;
		} else {
			k = rtsp_parse_request(c->in, c->in_n, &r);
			if (k == 0) {
				if (c->in_n == sizeof c->in)
					reply_close(s, c, 400, "", now);
				return;
			}
			if (k < 0) {
				reply_close(s, c, k == -ENAMETOOLONG ? 414 : 400, "", now);
				return;
			}
			if (r.content_length > sizeof c->in - (size_t)k) {
				reply_close(s, c, 413, r.cseq, now);
				return;
			}
			used = (size_t)k + r.content_length;
			if (used > c->in_n)
				return;         /* the body is still coming */
			c->last_seen = now;
			handle(s, c, &r, now);
		}
		memmove(c->in, c->in + used, c->in_n - used);
		c->in_n -= used;
	}
}

static void on_readable(struct rtsp_sink *s, struct client *c, uint64_t now)
{
	ssize_t n;

	if (c->in_n == sizeof c->in) {
		client_free(s, c, "input buffer full");   /* hung up, or a flood */
		return;
	}
	n = recv(c->fd, c->in + c->in_n, sizeof c->in - c->in_n, MSG_DONTWAIT);
	if (n == 0) {
		client_free(s, c, "peer closed");
		return;
	}
	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			client_free(s, c, strerror(errno));
		return;
	}
	c->in_n += (size_t)n;
	parse_input(s, c, now);
}

/* ---- frames ------------------------------------------------------------ */

/* n AUs this client did not get; from the next keyframe on again. */
static void client_drop(struct rtsp_sink *s, struct client *c, unsigned n)
{
	c->dropped += n;
	s->dropped += n;
	c->wait_key = 1;
	s->kf_request = 1;
	log_limited(&s->rl_drop, LOG_WARN, TAG, "%s: slow reader, %llu AUs dropped; "
		    "restarting at the next keyframe", c->peer, c->dropped);
}

static void send_udp(struct rtsp_sink *s, struct client *c)
{
	size_t i = 0;
	socklen_t al = c->addr.ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
		       sizeof(struct sockaddr_in);

	while (i < s->area.npk) {
		unsigned k, nb = s->area.npk - i < BATCH ? (unsigned)(s->area.npk - i) : BATCH;
		int r;

		for (k = 0; k < nb; k++) {
			s->iov[k].iov_base = s->area.buf + s->area.pk[i + k].off + 4;
			s->iov[k].iov_len = s->area.pk[i + k].len;
			s->msg[k].msg_hdr.msg_name = &c->udp_rtp;
			s->msg[k].msg_hdr.msg_namelen = al;
		}
		r = sendmmsg(s->rtp_fd, s->msg, nb, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			client_drop(s, c, 1);   /* socket buffer full: this AU is lost */
			return;
		}
		c->wait_key = 0;
		for (k = 0; k < (unsigned)r; k++) {
			size_t n = s->area.pk[i + k].len;

			c->sr_packets++;
			c->sr_octets += (uint32_t)(n - RTP_HDR_LEN);
			c->bytes += n;
			s->bytes += n;
		}
		c->packets += (unsigned)r;
		i += (size_t)r;
	}
	c->aus++;
}

static void send_tcp(struct rtsp_sink *s, struct client *c, int key, uint64_t now)
{
	unsigned d;
	int r;

	/* the window's time rule first (sendq.h): drop what is too old */
	r = sendq_check(&c->q, now, &d);
	if (d || (r & SENDQ_NEED_KEY)) {
		client_drop(s, c, d);
		c->wait_key = (r & SENDQ_NEED_KEY) != 0;
	}
	if ((c->wait_key && !key) ||
	    rtp_area_queue(&s->area, &c->q, c->ch_rtp, key ? SQ_KEY : SQ_INTER, now,
			   &c->sr_packets, &c->sr_octets) < 0) {
		d = 0;
		if (!c->wait_key)
			sendq_drop(&c->q, now, &d);
		client_drop(s, c, d + 1);
		return;
	}
	c->wait_key = 0;
	c->packets += s->area.npk;
	c->aus++;
	flush(s, c, now);
}

static int any_viewer(const struct rtsp_sink *s)
{
	int i;

	for (i = 0; i < s->cfg.max_clients; i++)
		if (s->c[i].fd >= 0 && (s->c[i].state == S_PLAYING ||
					s->c[i].pending == RTSP_PLAY))
			return 1;
	return 0;
}

static void rtsp_put(void *st, const struct access_unit *au, uint64_t now)
{
	struct rtsp_sink *s = st;
	uint16_t seq;
	uint32_t ts;
	int i, r;

	if (!any_viewer(s))
		return;
	seq = s->rs.pk.seq;
	ts = rtp_stream_ts(&s->rs, au->pts_ns);
	rtp_area_reset(&s->area);
	r = rtp_stream_pack(&s->rs, au, s->env.ps, now, rtp_area_emit, &s->area);
	if (r < 0) {
		log_limited(&s->rl_send, LOG_WARN, TAG, "AU %u not sent: %s", au->seq,
			    strerror(-r));
		s->rs.pk.seq = seq;     /* nothing went out */
		return;
	}
	s->aus++;
	for (i = 0; i < s->cfg.max_clients; i++) {
		struct client *c = &s->c[i];

		if (c->fd < 0 || c->closing)
			continue;
		if (c->pending == RTSP_PLAY && au->keyframe)
			play_reply(s, c, seq, ts, now);
		if (c->state != S_PLAYING || c->pending)
			continue;
		if (c->wait_key && !au->keyframe) {
			c->dropped++;   /* every AU after PLAY is sent or counted */
			s->dropped++;
			continue;
		}
		if (c->tcp)
			send_tcp(s, c, au->keyframe, now);
		else
			send_udp(s, c);
	}
}

/* ---- RTCP -------------------------------------------------------------- */

static void send_sr(struct rtsp_sink *s, struct client *c, uint64_t now, int bye)
{
	uint8_t buf[4 + 28 + 4 + 2 + RTP_CNAME_MAX + 4 + 8];
	uint64_t wall = clock_wall_ns() - (clock_mono_ns() - now);
	int n = rtp_stream_rtcp_to(&s->rs, c->sr_packets, c->sr_octets, now, wall, bye,
				   buf + 4, sizeof buf - 4);
	socklen_t al = c->addr.ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
		       sizeof(struct sockaddr_in);

	if (n < 0)
		return;
	if (c->tcp) {
		buf[0] = '$';
		buf[1] = (uint8_t)c->ch_rtcp;
		buf[2] = (uint8_t)(n >> 8);
		buf[3] = (uint8_t)n;
		queue_ctl(s, c, buf, (size_t)n + 4, now);
		flush(s, c, now);
	} else if (sendto(s->rtcp_fd, buf + 4, (size_t)n, 0,
			  (const struct sockaddr *)&c->udp_rtcp, al) < 0) {
		log_limited(&s->rl_send, LOG_WARN, TAG, "%s: RTCP: %s", c->peer,
			    strerror(errno));
	}
}

/* Receiver reports (and NAT openers) on our UDP ports: keepalive. */
static void drain_udp(struct rtsp_sink *s, int fd, uint64_t now)
{
	uint8_t buf[1500];
	struct sockaddr_storage a;
	socklen_t al;
	int i, k;

	for (k = 0; k < 64; k++) {
		al = sizeof a;
		if (recvfrom(fd, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&a, &al) < 0)
			return;
		for (i = 0; i < s->cfg.max_clients; i++) {
			struct client *c = &s->c[i];
			const struct sockaddr_storage *w = fd == s->rtcp_fd ? &c->udp_rtcp :
							   &c->udp_rtp;

			if (c->fd >= 0 && c->state != S_INIT && !c->tcp &&
			    a.ss_family == w->ss_family &&
			    !memcmp(&a, w, a.ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
				    sizeof(struct sockaddr_in)))
				c->last_seen = now;
		}
	}
}

/* ---- the sink ---------------------------------------------------------- */

static int rtsp_pollfds(void *st, struct pollfd *pfd, int max, int *timeout_ms, uint64_t now)
{
	struct rtsp_sink *s = st;
	uint64_t dl = 0;
	int i, n = 0;

	if (max < 3 + s->cfg.max_clients)
		return 0;
	pfd[n].fd = s->lfd;
	pfd[n++].events = POLLIN;
	pfd[n].fd = s->rtp_fd;
	pfd[n++].events = POLLIN;
	pfd[n].fd = s->rtcp_fd;
	pfd[n++].events = POLLIN;
	for (i = 0; i < s->cfg.max_clients; i++) {
		struct client *c = &s->c[i];
		uint64_t d = 0;

		pfd[n].fd = c->fd;
		/* a full input buffer (requests behind a deferred one) waits */
		pfd[n++].events = (short)((c->in_n < sizeof c->in ? POLLIN : 0) |
					  (sendq_pending(&c->q) ? POLLOUT : 0));
		if (c->fd < 0)
			continue;
		if (c->pending)
			d = c->pend_until;
		if (c->state == S_PLAYING && (!d || c->next_rtcp < d))
			d = c->next_rtcp;
		if (c->closing)
			d = c->closing_at + CLOSE_NS;
		if (!d || c->last_seen + (uint64_t)(s->cfg.session_timeout + 5) * 1000 * MS < d)
			d = c->last_seen + (uint64_t)(s->cfg.session_timeout + 5) * 1000 * MS;
		if (!dl || d < dl)
			dl = d;
	}
	sink_deadline(timeout_ms, dl, now);
	return n;
}

/* Deadlines of one connection: deferred answers, reports, the reaper. */
static void timers(struct rtsp_sink *s, struct client *c, uint64_t now)
{
	uint64_t idle = (uint64_t)(s->cfg.session_timeout + 5) * 1000 * MS;

	if (c->pending && now >= c->pend_until) {
		/* no parameter sets / keyframe in time: try again later */
		c->pending = 0;
		reply(s, c, 503, c->pend_cseq, "Retry-After: 1\r\n", NULL, NULL, now);
		parse_input(s, c, now);
	}
	if (c->pending == RTSP_DESCRIBE && s->env.ps->gen) {
		c->pending = 0;
		do_describe(s, c, c->pend_cseq, c->pend_uri, now);
		parse_input(s, c, now);
	}
	if (c->reparse) {
		c->reparse = 0;
		parse_input(s, c, now);
	}
	if (c->state == S_PLAYING && now >= c->next_rtcp) {
		/* RFC 3550 6.2: about every 2 s, randomised 0.5..1.5 */
		send_sr(s, c, now, 0);
		c->next_rtcp = now + 1000 * MS + (uint64_t)(prng_u32(&s->rng) % 2000u) * MS;
	}
	if (c->fd < 0)
		return;
	if (c->closing && (!sendq_pending(&c->q) || now >= c->closing_at + CLOSE_NS))
		client_free(s, c, "after an error reply");
	else if (now >= c->last_seen + idle) {
		s->reaped++;
		client_free(s, c, "session timed out");
	} else if (c->in_n && !c->pending && now >= c->last_seen + HEAD_NS) {
		client_free(s, c, "request head unfinished");
	} else if (sendq_pending(&c->q) && now >= c->last_progress + STALL_NS) {
		client_free(s, c, "no progress for 10 s");
	}
}

static void rtsp_service(void *st, const struct pollfd *pfd, int n, uint64_t now)
{
	struct rtsp_sink *s = st;
	int i;

	if (n < 3 + s->cfg.max_clients)
		return;
	for (i = 0; i < s->cfg.max_clients; i++) {
		struct client *c = &s->c[i];
		short ev = pfd[3 + i].revents;

		if (c->fd < 0 || pfd[3 + i].fd != c->fd)
			continue;
		if (ev & POLLNVAL) {
			client_free(s, c, "invalid");
			continue;
		}
		if (ev & POLLOUT)
			flush(s, c, now);
		if (c->fd >= 0 && (ev & (POLLIN | POLLHUP | POLLERR)))
			on_readable(s, c, now);
		if (c->fd >= 0)
			timers(s, c, now);
	}
	if (pfd[1].revents & POLLIN)
		drain_udp(s, s->rtp_fd, now);
	if (pfd[2].revents & POLLIN)
		drain_udp(s, s->rtcp_fd, now);
	if (pfd[0].revents & POLLIN)
		on_accept(s, now);
}

static int rtsp_keyframe_wanted(void *st)
{
	return sink_take(&((struct rtsp_sink *)st)->kf_request);
}

static size_t rtsp_pending(const void *st)
{
	const struct rtsp_sink *s = st;
	size_t n = 0;
	int i;

	for (i = 0; i < s->cfg.max_clients; i++)
		if (s->c[i].fd >= 0 && s->c[i].state == S_PLAYING)
			n += sendq_pending(&s->c[i].q);
	return n;
}

static void rtsp_capture_clock(void *st, int unix_epoch)
{
	((struct rtsp_sink *)st)->rs.capture_unix = unix_epoch;
}

static void count_clients(const struct rtsp_sink *s, int *all, int *udp, int *tcp)
{
	int i;

	*all = *udp = *tcp = 0;
	for (i = 0; i < s->cfg.max_clients; i++) {
		const struct client *c = &s->c[i];

		if (c->fd < 0)
			continue;
		++*all;
		if (c->state == S_PLAYING)
			++*(c->tcp ? tcp : udp);
	}
}

static int rtsp_stats(const void *st, int json, char *buf, size_t cap)
{
	const struct rtsp_sink *s = st;
	int all, udp, tcp;

	count_clients(s, &all, &udp, &tcp);
	if (json)
		return snprintf(buf, cap, "{\"clients\":%d,\"playing_udp\":%d,\"playing_tcp\":%d,"
				"\"aus\":%llu,\"bytes\":%llu,\"dropped\":%llu,\"refused\":%llu,"
				"\"errors\":%llu,\"reaped\":%llu}", all, udp, tcp, s->aus,
				s->bytes, s->dropped, s->refused, s->bad, s->reaped);
	return snprintf(buf, cap, "clients=%d udp=%d tcp=%d aus=%llu bytes=%llu drop=%llu "
			"refused=%llu", all, udp, tcp, s->aus, s->bytes, s->dropped, s->refused);
}

static void rtsp_metrics(const void *st, struct sink_metrics *m)
{
	const struct rtsp_sink *s = st;
	int all, udp, tcp;

	count_clients(s, &all, &udp, &tcp);
	m->bytes = s->bytes;
	m->aus = s->aus;
	m->dropped = s->dropped;
	m->connects = s->accepted;
	m->connected = udp + tcp > 0;
}

static void rtsp_close(void *st)
{
	struct rtsp_sink *s = st;
	int i;

	if (!s)
		return;
	for (i = 0; i < CLIENTS_MAX; i++) {
		struct client *c = &s->c[i];

		if (c->fd >= 0 && c->state == S_PLAYING) {
			uint64_t now = clock_mono_ns();

			send_sr(s, c, now, 1);          /* RFC 3550 6.6 BYE */
			if (c->tcp)
				flush(s, c, now);
		}
		if (c->fd >= 0)
			close(c->fd);
		sendq_free(&c->q);
	}
	if (s->lfd >= 0)
		close(s->lfd);
	if (s->rtp_fd >= 0)
		close(s->rtp_fd);
	if (s->rtcp_fd >= 0)
		close(s->rtcp_fd);
	rtp_area_free(&s->area);
	free(s->reply);
	free(s->sdp);
	free(s);
}

/* Our server_port pair (an even RTP port, RTCP on the next) in the
 * listener's address family. */
static int open_udp_pair(struct rtsp_sink *s)
{
	int tries;

	for (tries = 0; tries < 64; tries++) {
		struct sockaddr_storage a;
		socklen_t al = sizeof a;
		unsigned port;
		int one = 0;

		memset(&a, 0, sizeof a);
		a.ss_family = (sa_family_t)s->family;
		s->rtp_fd = socket(s->family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (s->rtp_fd < 0)
			return -errno;
		if (s->family == AF_INET6)      /* v4-mapped clients too */
			setsockopt(s->rtp_fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
		if (bind(s->rtp_fd, (struct sockaddr *)&a, s->family == AF_INET6 ?
			 sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in)) < 0 ||
		    getsockname(s->rtp_fd, (struct sockaddr *)&a, &al) < 0)
			return -errno;
		port = ntohs(s->family == AF_INET6 ? ((struct sockaddr_in6 *)&a)->sin6_port :
			     ((struct sockaddr_in *)&a)->sin_port);
		if (!(port & 1) && port < 65535) {
			s->rtcp_fd = socket(s->family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
			if (s->rtcp_fd < 0)
				return -errno;
			if (s->family == AF_INET6) {
				setsockopt(s->rtcp_fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
				((struct sockaddr_in6 *)&a)->sin6_port = htons((uint16_t)(port + 1));
			} else {
				((struct sockaddr_in *)&a)->sin_port = htons((uint16_t)(port + 1));
			}
			if (bind(s->rtcp_fd, (struct sockaddr *)&a, al) == 0) {
				s->server_port = port;
				return 0;
			}
			close(s->rtcp_fd);
			s->rtcp_fd = -1;
		}
		close(s->rtp_fd);
		s->rtp_fd = -1;
	}
	return -EADDRINUSE;
}

static int rtsp_open(void **out, const void *cfg, const struct sink_env *env)
{
	const struct rtsp_opts *o = cfg;
	size_t au = (size_t)CONFIG_MAX_AU_KIB * 1024;
	struct rtsp_sink *s;
	struct sockaddr_storage la;
	socklen_t ll = sizeof la;
	char cname[RTP_CNAME_MAX];
	int i, r;

	*out = NULL;
	if (env->codec != CODEC_H264 && env->codec != CODEC_H265)
		return -EINVAL;
	s = calloc(1, sizeof *s);
	if (!s)
		return -ENOMEM;
	s->cfg = *o;
	s->env = *env;
	s->lfd = s->rtp_fd = s->rtcp_fd = -1;
	for (i = 0; i < CLIENTS_MAX; i++)
		s->c[i].fd = -1;
	s->reply = malloc(REPLY_MAX);
	s->sdp = malloc(SDP_MAX);
	if (rtp_area_init(&s->area, au) < 0 || !s->reply || !s->sdp) {
		rtsp_close(s);
		return -ENOMEM;
	}
	for (i = 0; i < o->max_clients; i++)
		if (sendq_init(&s->c[i].q, s->area.cap + OUT_CTL, 4096,
			       (uint64_t)o->window_ms * MS) < 0) {
			rtsp_close(s);
			return -ENOMEM;
		}
	for (i = 0; i < BATCH; i++) {
		s->msg[i].msg_hdr.msg_iov = &s->iov[i];
		s->msg[i].msg_hdr.msg_iovlen = 1;
	}
	prng_seed(&s->rng, env->bitexact ? 0x52545350u : prng_random_seed());
	rtp_stream_cname(cname);
	rtp_stream_init(&s->rs, env->codec, 96, MTU, 0, env->bitexact, cname);
	s->sess_id = env->bitexact ? 1 : clock_wall_ns() / 1000000000u + RTCP_NTP_UNIX_OFFSET;
	r = s->lfd = net_tcp_listen(o->listen, 16);
	if (r < 0 || getsockname(s->lfd, (struct sockaddr *)&la, &ll) < 0) {
		log_error(TAG, "cannot listen on %s: %s", o->listen,
			  r == -EINVAL ? "bad address" : strerror(r < 0 ? -r : errno));
		rtsp_close(s);
		return r == -EINVAL ? -EINVAL : r < 0 ? r : -errno;
	}
	s->family = la.ss_family;
	r = open_udp_pair(s);
	if (r < 0) {
		log_error(TAG, "no UDP port pair: %s", strerror(-r));
		rtsp_close(s);
		return r;
	}
	log_info(TAG, "serving %s on rtsp://%s/%s (%s, at most %ld clients%s); RTP from "
		 "UDP ports %u-%u", codec_names[env->codec], o->listen, o->path,
		 o->transport == T_UDP ? "udp" : o->transport == T_TCP ? "tcp" : "udp,tcp",
		 o->max_clients, o->credentials ? o->auth ? ", basic auth" : ", digest auth" : "",
		 s->server_port, s->server_port + 1);
	*out = s;
	return 0;
}

const struct sink_ops rtsp_sink_ops = {
	.name = "rtsp",
	.opts = rtsp_rows,
	.nopts = sizeof rtsp_rows / sizeof rtsp_rows[0],
	.cfg = &rtsp_cfg,
	.defaults = rtsp_defaults,
	.enabled = rtsp_enabled,
	.validate = rtsp_validate,
	.open = rtsp_open,
	.put = rtsp_put,
	.pollfds = rtsp_pollfds,
	.service = rtsp_service,
	.keyframe_wanted = rtsp_keyframe_wanted,
	.pending = rtsp_pending,
	.capture_clock = rtsp_capture_clock,
	.stats = rtsp_stats,
	.metrics = rtsp_metrics,
	.close = rtsp_close,
};
