/* SPDX-License-Identifier: GPL-2.0-or-later */
/* srt_sink.c - MPEG-TS over SRT (CONFIG_SRT): --srt --srt-url URL.
 *
 * The transport of the pure TS writer (ts.h, the same cadence as
 * udp_ts_sink.c: PAT/PMT before every keyframe and at most 100 ms apart,
 * AUD first, parameter sets in every keyframe, PCR-only packets on a slow
 * stream) over libsrt in live mode: messages of 7 TS packets (1316
 * bytes, SRT's live payload), the last of an AU shorter.
 *
 *   srt://HOST:PORT?mode=caller|listener&latency=MS&streamid=ID&pbkeylen=N
 *
 * latency is in MILLISECONDS (libsrt's SRTO_LATENCY; FFmpeg's srt://
 * latency option is in microseconds).  The passphrase comes only from
 * --srt-passphrase-file or CVMMAP_SRT_PASSPHRASE, never argv or the URL,
 * and is never logged.
 *
 * libsrt's sockets are not kernel fds, so this is a timer-driven sink:
 * pollfds() returns no fd and a 10 ms timeout while a socket is live,
 * and service() looks at each socket with srt_getsockstate() (no epoll,
 * nothing waits): CONNECTING -> CONNECTED, anything else is a loss.
 * Every call is non-blocking (SRTO_SNDSYN/SRTO_RCVSYN off).  libsrt runs
 * its own threads (sender, receiver, garbage collector); we call it only
 * from the I/O thread.
 *
 * caller:   one connection; on SRTS_BROKEN (peer closed, peer idle for
 *           SRTO_PEERIDLETIMEO, connect timeout or rejection) the socket
 *           is closed and a fresh one connects after the RTMP backoff
 *           (util/backoff.h, 500 ms .. 15 s).
 * listener: accepts up to --srt-max-callers callers; a caller that
 *           vanishes frees its place for the next one.
 * Each new connection gets its own TS (new PAT/PMT, continuity counters
 * from 0) starting at the next IDR, and asks the encoder for one.
 *
 * Never queueing: before each AU a connection whose SRT send buffer
 * holds more than the latency (srt_bistats msSndBuf) or that refuses a
 * message (SRT_EASYNCSND) drops to the next IDR; counted in dropped=.
 */
#define _GNU_SOURCE
#include "proto/rtp.h"
#include "proto/sink.h"
#include "proto/srt_url.h"
#include "proto/ts.h"
#include "util/backoff.h"
#include "util/clock.h"
#include "util/exitcodes.h"
#include "util/net.h"
#include "util/prng.h"

#if CVMMAP_HAVE_LIBSRT
#include <srt/srt.h>
/* <srt/srt.h> brings <syslog.h>, whose LOG_INFO/LOG_DEBUG are our log
 * levels' names too (util/log.h). */
#undef LOG_INFO
#undef LOG_DEBUG
#endif
#include "util/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define TAG "srt"
#define MSG_BYTES (7 * TS_PACKET)       /* 1316: SRT's live payload */
#define IDLE_NS 80000000ull             /* a PCR at least this often */
#define TICK_MS 10                      /* socket states looked at this often */
#define RECONNECT_MIN_MS 500            /* the RTMP backoff */
#define RECONNECT_MAX_MS 15000
#define MAX_CALLERS 16
#define PLAYOUT_SLACK_MS 50             /* and the RTT, past the peer latency */


struct srt_opts {
	int enable;                     /* --srt */
	const char *url;                /* --srt-url */
	const char *passphrase;         /* --srt-passphrase-file / env only */
	long max_callers;               /* --srt-max-callers (listener) */
	long pcr_offset_ms;             /* --srt-pcr-offset-ms */
};

/* libsrt's totals of one socket (or of the sockets closed so far). */
struct srt_totals {
	uint64_t lost, retrans, snd_drop;
};

struct srt_peer {
	int sock;                       /* SRTSOCKET; -1: free */
	int connected;
	struct ts_writer ts;            /* one TS per connection */
	int wait_key;
	uint64_t last_au_ns, idle_at;
	char addr[64];
};

struct srt_sink {
	struct srt_opts cfg;
	struct srt_url u;
	struct sink_env env;
	struct srt_peer peer[MAX_CALLERS];
	int npeer;                      /* caller: 1; listener: max callers */
	int lsock;                      /* listener socket, -1 */
	uint8_t *buf;                   /* the TS packets of one AU */
	size_t cap;
	uint64_t connect_at;            /* caller: next attempt (0: now) */
	int kf_request;
	struct backoff backoff;
	struct prng rng;
	struct srt_totals closed;       /* of the sockets closed so far */
	struct {
		uint64_t bytes, msgs, aus, dropped, offline, connects, failures, refused;
	} st;
	struct log_limit rl_drop, rl_fail, rl_pack;
};

static struct srt_opts srt_cfg;

static const struct opt srt_rows[] = {
	{ "srt", OPT_FLAG, G_OUTPUT, 0, OPT_OFF(struct srt_opts, enable), 0, 0, NULL, NULL,
	  "enable the SRT output (MPEG-TS over SRT, live mode)", NULL, NULL },
	{ "srt-url", OPT_STR, G_OUTPUT, OPT_SECRET, OPT_OFF(struct srt_opts, url), 0, 0, NULL,
	  "URL", "srt://HOST:PORT?mode=caller|listener&latency=MS&streamid=ID&pbkeylen=N;\n"
	  "                                 latency=MS is in MILLISECONDS (FFmpeg's srt:// latency\n"
	  "                                 is in MICROSECONDS: 120 here = 120000 there)",
	  NULL, "CVMMAP_SRT_URL" },
	{ "srt-passphrase", OPT_STR, G_OUTPUT, OPT_SECRET | OPT_NOARGV,
	  OPT_OFF(struct srt_opts, passphrase), 0, 0, NULL, "TEXT",
	  "SRT encryption passphrase, 10..79 characters (file or environment only)",
	  NULL, "CVMMAP_SRT_PASSPHRASE" },
	{ "srt-max-callers", OPT_LONG, G_OUTPUT, 0, OPT_OFF(struct srt_opts, max_callers),
	  1, MAX_CALLERS, NULL, "N", "mode=listener: callers served at once (default 1)",
	  NULL, NULL },
	{ "srt-pcr-offset-ms", OPT_LONG, G_LATENCY, 0, OPT_OFF(struct srt_opts, pcr_offset_ms),
	  0, 1000, NULL, "MS", "--srt: PCR this far before each frame's DTS (default 40)",
	  NULL, NULL },
};

static void srt_defaults(void *cfg)
{
	struct srt_opts *o = cfg;

	memset(o, 0, sizeof *o);
	o->max_callers = 1;
	o->pcr_offset_ms = 40;
}

static int srt_enabled(const void *cfg)
{
	return ((const struct srt_opts *)cfg)->enable;
}

static int srt_validate(const void *cfg, const struct sink_env *env, char *err, size_t n)
{
	const struct srt_opts *o = cfg;
	struct srt_url u;
	size_t pl;

	if (!CVMMAP_HAVE_LIBSRT) {
		snprintf(err, n, "--srt: this build has no libsrt (scripts/deps.sh installs "
			 "libsrt-openssl-dev; then rebuild)");
		return EXIT_USAGE;
	}
	if (!o->url) {
		snprintf(err, n, "--srt needs --srt-url srt://HOST:PORT[?mode=...]");
		return EXIT_USAGE;
	}
	if (srt_url_parse(o->url, &u, err, n))
		return EXIT_USAGE;
	if (o->max_callers > 1 && u.mode != SRT_LISTENER) {
		snprintf(err, n, "--srt-max-callers is for mode=listener");
		return EXIT_USAGE;
	}
	pl = o->passphrase ? strlen(o->passphrase) : 0;
	if (o->passphrase && (pl < 10 || pl > 79)) {
		snprintf(err, n, "--srt-passphrase: must be 10..79 characters (it has %zu)", pl);
		return EXIT_USAGE;
	}
	if (u.pbkeylen && !o->passphrase) {
		snprintf(err, n, "--srt-url: pbkeylen needs a passphrase (--srt-passphrase-file "
			 "or CVMMAP_SRT_PASSPHRASE)");
		return EXIT_USAGE;
	}
	if (env->codec != CODEC_H264 && env->codec != CODEC_H265) {
		snprintf(err, n, "--srt carries H.264 or H.265 only");
		return EXIT_USAGE;
	}
	return 0;
}

#if CVMMAP_HAVE_LIBSRT

/* ---- libsrt ------------------------------------------------------------- */

/* libsrt's own log lines (connection timeouts and the like) at debug. */
static void srt_log(void *opaque, int level, const char *file, int line, const char *area,
		    const char *msg)
{
	size_t l = strlen(msg);

	while (l && (msg[l - 1] == '\n' || msg[l - 1] == '\r'))
		l--;
	log_debug(TAG, "libsrt: %.*s", (int)l, msg);
}

static int set_int(int sock, SRT_SOCKOPT opt, int v)
{
	return srt_setsockflag(sock, opt, &v, sizeof v);
}

/* A fresh live-mode, non-blocking socket with the URL's options. */
static int new_socket(const struct srt_sink *s)
{
	int sock = srt_create_socket(), bad = 0;

	if (sock == SRT_INVALID_SOCK)
		return -1;
	bad |= set_int(sock, SRTO_TRANSTYPE, SRTT_LIVE);
	bad |= set_int(sock, SRTO_SNDSYN, 0);
	bad |= set_int(sock, SRTO_RCVSYN, 0);
	bad |= set_int(sock, SRTO_PAYLOADSIZE, MSG_BYTES);
	if (s->u.latency_ms >= 0)
		bad |= set_int(sock, SRTO_LATENCY, (int)s->u.latency_ms);
	if (s->cfg.passphrase) {
		bad |= srt_setsockflag(sock, SRTO_PASSPHRASE, s->cfg.passphrase,
				       (int)strlen(s->cfg.passphrase));
		if (s->u.pbkeylen)
			bad |= set_int(sock, SRTO_PBKEYLEN, s->u.pbkeylen);
	}
	if (s->u.mode == SRT_CALLER && s->u.streamid[0])
		bad |= srt_setsockflag(sock, SRTO_STREAMID, s->u.streamid,
				       (int)strlen(s->u.streamid));
	if (bad) {
		log_error(TAG, "socket options: %s", srt_getlasterror_str());
		srt_close(sock);
		return -1;
	}
	return sock;
}

static void add_totals(struct srt_totals *t, int sock)
{
	SRT_TRACEBSTATS p;

	if (srt_bstats(sock, &p, 0) < 0)
		return;
	t->lost += (uint64_t)(p.pktSndLossTotal > 0 ? p.pktSndLossTotal : 0);
	t->retrans += (uint64_t)(p.pktRetransTotal > 0 ? p.pktRetransTotal : 0);
	t->snd_drop += (uint64_t)(p.pktSndDropTotal > 0 ? p.pktSndDropTotal : 0);
}

static void drop_peer(struct srt_sink *s, struct srt_peer *p, const char *why)
{
	if (p->sock < 0)
		return;
	if (p->connected) {
		add_totals(&s->closed, p->sock);
		log_warn(TAG, "%s %s: %s", s->u.mode == SRT_CALLER ? "lost" : "caller",
			 p->addr, why);
	}
	srt_close(p->sock);
	p->sock = -1;
	p->connected = 0;
}

/* A connection is up: its own TS, from the next IDR. */
static void peer_up(struct srt_sink *s, struct srt_peer *p, uint64_t now)
{
	p->connected = 1;
	p->wait_key = 1;
	p->idle_at = 0;
	ts_writer_init(&p->ts, s->env.codec,
		       (uint32_t)rtp_ticks_from_ns((uint64_t)s->cfg.pcr_offset_ms * 1000000u),
		       (uint32_t)(RTP_CLOCK_HZ / (s->env.fps > 0 ? s->env.fps : 30)));
	s->kf_request = 1;
	s->st.connects++;
}

/* caller: resolve, a fresh socket, a non-blocking connect. */
static void caller_connect(struct srt_sink *s, uint64_t now)
{
	struct srt_peer *p = &s->peer[0];
	struct net_addr a[NET_ADDR_MAX];
	int n = net_resolve(s->u.host, s->u.port, SOCK_DGRAM, a, NET_ADDR_MAX);
	unsigned d;

	if (n > 0) {
		p->sock = new_socket(s);
		net_addr_str(&a[0], p->addr, sizeof p->addr);
		if (p->sock >= 0 && srt_connect(p->sock, (const struct sockaddr *)&a[0].sa,
						(int)a[0].len) != SRT_ERROR)
			return;
		log_limited(&s->rl_fail, LOG_WARN, TAG, "connect to %s port %u: %s", p->addr,
			    s->u.port, srt_getlasterror_str());
		if (p->sock >= 0)
			srt_close(p->sock);
		p->sock = -1;
	}
	s->st.failures++;
	d = backoff_next(&s->backoff, &s->rng);
	if (n <= 0)
		log_limited(&s->rl_fail, LOG_WARN, TAG, "cannot resolve '%s'; trying again in "
			    "%u ms", s->u.host, d);
	s->connect_at = now + (uint64_t)d * 1000000u;
}

static void caller_service(struct srt_sink *s, uint64_t now)
{
	struct srt_peer *p = &s->peer[0];
	SRT_SOCKSTATUS st;

	if (p->sock < 0) {
		if (now >= s->connect_at)
			caller_connect(s, now);
		return;
	}
	st = srt_getsockstate(p->sock);
	if (st == SRTS_CONNECTED) {
		if (!p->connected) {
			peer_up(s, p, now);
			backoff_reset(&s->backoff);
			log_info(TAG, "connected to %s port %u (%s in MPEG-TS, live, latency %ld ms%s)",
				 p->addr, s->u.port, codec_names[s->env.codec],
				 s->u.latency_ms >= 0 ? s->u.latency_ms : 120L,
				 s->cfg.passphrase ? ", encrypted" : "");
		}
		return;
	}
	if (st == SRTS_CONNECTING || st == SRTS_OPENED || st == SRTS_INIT)
		return;
	/* SRTS_BROKEN (peer gone, peer idle, timeout, rejected), CLOSED ... */
	{
		int rr = srt_getrejectreason(p->sock);
		unsigned d = backoff_next(&s->backoff, &s->rng);

		if (p->connected)
			drop_peer(s, p, st == SRTS_BROKEN ? "connection broken" : "connection closed");
		else {
			s->st.failures++;
			log_limited(&s->rl_fail, LOG_WARN, TAG, "connect to %s port %u failed: %s",
				    p->addr, s->u.port, srt_rejectreason_str(rr));
			srt_close(p->sock);
			p->sock = -1;
		}
		log_info(TAG, "reconnecting in %u ms", d);
		s->connect_at = now + (uint64_t)d * 1000000u;
	}
}

static void listener_service(struct srt_sink *s, uint64_t now)
{
	int i;

	for (i = 0; i < s->npeer; i++) {
		struct srt_peer *p = &s->peer[i];
		SRT_SOCKSTATUS st;

		if (p->sock < 0)
			continue;
		st = srt_getsockstate(p->sock);
		if (st != SRTS_CONNECTED)
			drop_peer(s, p, st == SRTS_BROKEN ? "gone (broken)" : "gone");
	}
	for (;;) {
		struct sockaddr_storage sa;
		int len = sizeof sa, sock = srt_accept(s->lsock, (struct sockaddr *)&sa, &len);
		struct srt_peer *p = NULL;

		if (sock == SRT_INVALID_SOCK)
			break;          /* SRT_EASYNCRCV: nobody waiting */
		for (i = 0; i < s->npeer && !p; i++)
			if (s->peer[i].sock < 0)
				p = &s->peer[i];
		if (!p) {
			s->st.refused++;
			log_limited(&s->rl_fail, LOG_WARN, TAG, "caller refused: %d served already "
				    "(--srt-max-callers)", s->npeer);
			srt_close(sock);
			continue;
		}
		p->sock = sock;
		set_int(sock, SRTO_SNDSYN, 0);
		set_int(sock, SRTO_RCVSYN, 0);
		{
			struct net_addr a;

			memcpy(&a.sa, &sa, sizeof sa);
			a.len = (socklen_t)len;
			a.family = sa.ss_family;
			net_addr_str(&a, p->addr, sizeof p->addr);
		}
		peer_up(s, p, now);
		log_info(TAG, "caller %s connected (%d of %d)", p->addr,
			 (int)(p - s->peer) + 1, s->npeer);
	}
}

static int listen_socket(struct srt_sink *s)
{
	struct net_addr a[NET_ADDR_MAX];
	int n = net_resolve(s->u.host, s->u.port, SOCK_DGRAM, a, NET_ADDR_MAX);

	if (n <= 0) {
		log_error(TAG, "cannot resolve '%s'", s->u.host);
		return -EINVAL;
	}
	s->lsock = new_socket(s);
	if (s->lsock < 0)
		return -EIO;
	if (srt_bind(s->lsock, (const struct sockaddr *)&a[0].sa, (int)a[0].len) == SRT_ERROR ||
	    srt_listen(s->lsock, s->npeer) == SRT_ERROR) {
		char addr[64];

		log_error(TAG, "listen on %s port %u: %s", net_addr_str(&a[0], addr, sizeof addr),
			  s->u.port, srt_getlasterror_str());
		srt_close(s->lsock);
		s->lsock = -1;
		return -EADDRINUSE;
	}
	log_info(TAG, "listening on %s port %u for up to %d caller%s (%s in MPEG-TS, live)",
		 net_addr_str(&a[0], (char[64]){ 0 }, 64), s->u.port, s->npeer,
		 s->npeer > 1 ? "s" : "", codec_names[s->env.codec]);
	return 0;
}

/* ---- sending ------------------------------------------------------------ */

/* Send buf[0..len) to p in messages of 1316 bytes.  0, or -1 when libsrt
 * refused one (the rest of the AU is dropped). */
static int send_ts(struct srt_sink *s, struct srt_peer *p, size_t len)
{
	size_t off;

	for (off = 0; off < len; ) {
		int k = (int)(len - off < MSG_BYTES ? len - off : MSG_BYTES);

		if (srt_sendmsg2(p->sock, (const char *)s->buf + off, k, NULL) == SRT_ERROR)
			return -1;
		off += (size_t)k;
		s->st.msgs++;
		s->st.bytes += (uint64_t)k;
	}
	return 0;
}

static void drop_to_key(struct srt_sink *s, struct srt_peer *p, const char *why)
{
	s->st.dropped++;
	if (!p->wait_key)
		log_limited(&s->rl_drop, LOG_WARN, TAG, "%s: %s; dropping to the next IDR "
			    "(%llu AUs dropped)", p->addr, why, (unsigned long long)s->st.dropped);
	p->wait_key = 1;
	s->kf_request = 1;
}

static void srt_put(void *st, const struct access_unit *au, uint64_t now)
{
	struct srt_sink *s = st;
	const struct pscache *pc = s->env.ps;
	struct ts_au ta = {
		au->data, au->size, rtp_ticks_from_ns(au->pts_ns), rtp_ticks_from_ns(au->dts_ns),
		au->keyframe, au->keyframe && !au->has_ps && pc && pc->gen ? &pc->ps : NULL,
	};
	int i, any = 0;

	for (i = 0; i < s->npeer; i++) {
		struct srt_peer *p = &s->peer[i];
		SRT_TRACEBSTATS b;
		uint8_t *end;
		long budget = s->u.latency_ms >= 0 ? s->u.latency_ms : 120;

		if (p->sock < 0 || !p->connected)
			continue;
		any = 1;
		/* more than the latency still waiting to go: that AU comes late */
		if (srt_bistats(p->sock, &b, 0, 1) == 0 && b.msSndBuf > budget) {
			drop_to_key(s, p, "send buffer over the latency");
			continue;
		}
		if (p->wait_key && !au->keyframe) {
			s->st.dropped++;
			continue;
		}
		end = ts_write_au(&p->ts, &ta, s->buf, s->buf + s->cap);
		if (!end) {
			log_limited(&s->rl_pack, LOG_WARN, TAG, "AU %u (%zu bytes) does not fit "
				    "%zu bytes of TS", au->seq, au->size, s->cap);
			s->st.dropped++;
			continue;
		}
		p->wait_key = 0;
		if (send_ts(s, p, (size_t)(end - s->buf))) {
			drop_to_key(s, p, srt_getlasterror_str());
			continue;
		}
		s->st.aus++;
		p->last_au_ns = now;
		p->idle_at = now + IDLE_NS;
	}
	if (!any)
		s->st.offline++;
}

static int srt_pollfds(void *st, struct pollfd *pfd, int max, int *timeout_ms, uint64_t now)
{
	struct srt_sink *s = st;

	if (s->u.mode == SRT_CALLER && s->peer[0].sock < 0)
		sink_deadline(timeout_ms, s->connect_at > now ? s->connect_at : now, now);
	else
		sink_deadline(timeout_ms, now + (uint64_t)TICK_MS * 1000000u, now);
	return 0;       /* libsrt's sockets are not fds: timer-driven */
}

static void srt_service(void *st, const struct pollfd *pfd, int n, uint64_t now)
{
	struct srt_sink *s = st;
	int i;

	if (s->u.mode == SRT_CALLER)
		caller_service(s, now);
	else
		listener_service(s, now);
	for (i = 0; i < s->npeer; i++) {
		struct srt_peer *p = &s->peer[i];
		uint8_t *end;

		if (p->sock < 0 || !p->connected || !p->idle_at || now < p->idle_at)
			continue;
		end = ts_write_idle(&p->ts, rtp_ticks_from_ns(now - p->last_au_ns), s->buf,
				    s->buf + s->cap);
		if (end && end > s->buf)
			send_ts(s, p, (size_t)(end - s->buf));
		p->idle_at = now + IDLE_NS;
	}
}

static int srt_keyframe_wanted(void *st)
{
	return sink_take(&((struct srt_sink *)st)->kf_request);
}

/* What libsrt still holds for connected peers (the shutdown drain), and
 * 1 while a receiver may still hold the last AU for play-out: its TSBPD
 * delay is the negotiated latency (SRTO_PEERLATENCY on the sender), and
 * libsrt's receiver discards what it has not yet played out when the
 * connection closes (measured: the last 4 AUs at 120 ms and 30 fps). */
static size_t srt_pending(const void *st)
{
	const struct srt_sink *s = st;
	uint64_t now = clock_mono_ns();
	size_t total = 0;
	int i;

	for (i = 0; i < s->npeer; i++) {
		const struct srt_peer *p = &s->peer[i];
		size_t blocks = 0, bytes = 0;
		int ms = 0, len = (int)sizeof ms;

		if (p->sock < 0 || !p->connected)
			continue;
		/* it returns the span of the buffer in ms, not 0, when it holds
		 * something: only SRT_ERROR is a failure */
		if (srt_getsndbuffer(p->sock, &blocks, &bytes) != SRT_ERROR)
			total += bytes;
		if (!bytes && p->last_au_ns &&
		    srt_getsockflag(p->sock, SRTO_PEERLATENCY, &ms, &len) == 0 && ms > 0 &&
		    now < p->last_au_ns + ((uint64_t)ms + PLAYOUT_SLACK_MS) * 1000000u)
			total++;
	}
	return total;
}

static int srt_stats(const void *st, int json, char *buf, size_t cap)
{
	const struct srt_sink *s = st;
	struct srt_totals t = s->closed;
	double rtt = 0, mbps = 0;
	int i, live = 0;

	for (i = 0; i < s->npeer; i++) {
		SRT_TRACEBSTATS b;

		if (s->peer[i].sock < 0 || !s->peer[i].connected)
			continue;
		add_totals(&t, s->peer[i].sock);
		if (srt_bstats(s->peer[i].sock, &b, 0) == 0) {
			rtt = b.msRTT > rtt ? b.msRTT : rtt;
			mbps += b.mbpsSendRate;
		}
		live++;
	}
	if (json)
		return snprintf(buf, cap, "{\"connected\":%d,\"rtt_ms\":%.3f,\"send_mbps\":%.3f,"
				"\"lost\":%llu,\"retrans\":%llu,\"snd_drop\":%llu,\"aus\":%llu,"
				"\"dropped\":%llu,\"connects\":%llu,\"failures\":%llu,\"bytes\":%llu}",
				live, rtt, mbps, (unsigned long long)t.lost,
				(unsigned long long)t.retrans, (unsigned long long)t.snd_drop,
				(unsigned long long)s->st.aus, (unsigned long long)s->st.dropped,
				(unsigned long long)s->st.connects,
				(unsigned long long)s->st.failures, (unsigned long long)s->st.bytes);
	return snprintf(buf, cap, "conn=%d rtt=%.1fms rate=%.2fMbps loss=%llu retrans=%llu "
			"sdrop=%llu aus=%llu dropped=%llu connects=%llu", live, rtt, mbps,
			(unsigned long long)t.lost, (unsigned long long)t.retrans,
			(unsigned long long)t.snd_drop, (unsigned long long)s->st.aus,
			(unsigned long long)s->st.dropped, (unsigned long long)s->st.connects);
}

static void srt_metrics(const void *st, struct sink_metrics *m)
{
	const struct srt_sink *s = st;
	int i;

	m->bytes = s->st.bytes;
	m->aus = s->st.aus;
	m->dropped = s->st.dropped + s->st.offline;
	m->connects = s->st.connects;
	m->connected = 0;
	for (i = 0; i < s->npeer; i++)
		m->connected |= s->peer[i].sock >= 0 && s->peer[i].connected;
}

static void srt_close_sink(void *st)
{
	struct srt_sink *s = st;
	int i;

	if (!s)
		return;
	for (i = 0; i < s->npeer; i++)
		if (s->peer[i].sock >= 0)
			srt_close(s->peer[i].sock);
	if (s->lsock >= 0)
		srt_close(s->lsock);
	srt_cleanup();
	free(s->buf);
	free(s);
}

static int srt_open(void **out, const void *cfg, const struct sink_env *env)
{
	const struct srt_opts *o = cfg;
	struct srt_sink *s;
	char err[256];
	int i, ret = 0;

	*out = NULL;
	if (srt_validate(cfg, env, err, sizeof err)) {
		log_error(TAG, "%s", err);
		return -EINVAL;
	}
	s = calloc(1, sizeof *s);
	if (!s)
		return -ENOMEM;
	s->cfg = *o;
	s->env = *env;
	srt_url_parse(o->url, &s->u, err, sizeof err);
	s->lsock = -1;
	s->npeer = s->u.mode == SRT_LISTENER ? (int)o->max_callers : 1;
	for (i = 0; i < MAX_CALLERS; i++)
		s->peer[i].sock = -1;
	s->cap = ts_au_bound((size_t)CONFIG_MAX_AU_KIB * 1024, 3 * PSCACHE_MAX);
	s->buf = malloc(s->cap);
	if (!s->buf) {
		free(s);
		return -ENOMEM;
	}
	prng_seed(&s->rng, env->bitexact ? 1 : prng_random_seed());
	backoff_init(&s->backoff, RECONNECT_MIN_MS, RECONNECT_MAX_MS);
	if (srt_startup() < 0) {
		log_error(TAG, "srt_startup: %s", srt_getlasterror_str());
		free(s->buf);
		free(s);
		return -EIO;
	}
	srt_setloghandler(NULL, srt_log);
	srt_setloglevel(4);             /* LOG_WARNING: what libsrt says, at debug */
	if (s->u.mode == SRT_LISTENER)
		ret = listen_socket(s);
	else
		log_info(TAG, "calling %s port %u (latency %ld ms%s)", s->u.host, s->u.port,
			 s->u.latency_ms >= 0 ? s->u.latency_ms : 120L,
			 o->passphrase ? ", encrypted" : "");
	if (ret < 0) {
		srt_close_sink(s);
		return ret;
	}
	*out = s;
	return 0;
}

#else /* !CVMMAP_HAVE_LIBSRT: built without the library; validate() says so */

static int srt_open(void **out, const void *cfg, const struct sink_env *env)
{
	*out = NULL;
	return -EINVAL;
}
static void srt_put(void *st, const struct access_unit *au, uint64_t now) {}
static int srt_pollfds(void *st, struct pollfd *pfd, int max, int *timeout_ms, uint64_t now)
{
	return 0;
}
static void srt_service(void *st, const struct pollfd *pfd, int n, uint64_t now) {}
static int srt_keyframe_wanted(void *st) { return 0; }
static size_t srt_pending(const void *st) { return 0; }
static int srt_stats(const void *st, int json, char *buf, size_t cap)
{
	return snprintf(buf, cap, json ? "{}" : "-");
}
static void srt_metrics(const void *st, struct sink_metrics *m) {}
static void srt_close_sink(void *st) {}

#endif

const struct sink_ops srt_sink_ops = {
	.name = "srt",
	.opts = srt_rows,
	.nopts = sizeof srt_rows / sizeof srt_rows[0],
	.cfg = &srt_cfg,
	.defaults = srt_defaults,
	.enabled = srt_enabled,
	.validate = srt_validate,
	.open = srt_open,
	.put = srt_put,
	.pollfds = srt_pollfds,
	.service = srt_service,
	.keyframe_wanted = srt_keyframe_wanted,
	.pending = srt_pending,
	.stats = srt_stats,
	.metrics = srt_metrics,
	.close = srt_close_sink,
};
