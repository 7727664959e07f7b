/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rtsp_pub.c - publish to an RTSP server (RFC 2326 10.3 ANNOUNCE,
 * 10.11 RECORD), as FFmpeg's `-f rtsp` and mediamtx expect:
 *
 *   BACKOFF --deadline--> CONNECTING (non-blocking connect)
 *   --writable--> ANNOUNCE (the SDP) --> SETUP (TCP interleaved 0-1,
 *   mode=record) --> RECORD --> PUBLISHING (from a keyframe on)
 *   any error, close, or 10 s without RECORD's 200 --> BACKOFF.
 *
 * A 401 is answered once per request with Digest or Basic credentials
 * from the URL's userinfo.  Frames go out as interleaved RTP on channel
 * 0 through the send window (sendq.c), sender reports on channel 1; the
 * server's receiver reports are read and dropped.  The reconnect delay
 * is RTMP's (util/backoff.h, --rtmp-reconnect-min-ms/-max-ms defaults).
 */
#define _GNU_SOURCE
#include "proto/rtcp.h"
#include "proto/rtp_area.h"
#include "proto/rtp_stream.h"
#include "proto/rtsp_msg.h"
#include "proto/sdp.h"
#include "proto/sendq.h"
#include "proto/sink.h"
#include "util/backoff.h"
#include "util/clock.h"
#include "util/exitcodes.h"
#include "util/log.h"
#include "util/net.h"
#include "util/prng.h"
#include "util/url.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define TAG "rtsp-pub"
#define PHASE_NS 10000000000ull         /* connect .. RECORD's 200 */
#define WINDOW_NS 700000000ull          /* frames older than this are dropped */
#define SNDBUF (256 * 1024)
#define BACKOFF_MIN_MS 500              /* as --rtmp-reconnect-min-ms/-max-ms */
#define BACKOFF_MAX_MS 15000
#define IN_MAX 16384
#define REQ_MAX (3 * (PSCACHE_MAX / 3 + 1) * 4 + 4096)
#define URL_MAX 1024

enum { P_BACKOFF, P_CONNECTING, P_ANNOUNCE, P_SETUP, P_RECORD, P_PUBLISHING };
static const char *const state_names[] = {
	"backoff", "connecting", "announce", "setup", "record", "publishing",
};

struct pub_opts {
	const char *url;
};

struct rtsp_pub {
	struct sink_env env;
	char url[URL_MAX], url_log[URL_MAX];    /* rtsp://host:port/path, no userinfo */
	char userpass[512];
	struct url u;
	int fd, state, cseq, authed, wait_key, kf_request;
	char session[RTSP_SESSION_MAX], challenge[512];
	uint64_t deadline;
	struct backoff backoff;
	struct prng rng;
	struct rtp_stream rs;
	struct rtp_area area;
	struct sendq q;
	char *req, *sdp;
	char in[IN_MAX];
	size_t in_n, skip;
	uint32_t sr_packets, sr_octets;
	unsigned long long aus, dropped, offline, bytes, connects, failures;
	struct log_limit rl_fail, rl_drop;
};

static struct pub_opts pub_cfg;

static const struct opt pub_rows[] = {
	{ "rtsp-publish", OPT_STR, G_OUTPUT, OPT_SECRET, OPT_OFF(struct pub_opts, url), 0, 0,
	  NULL, "URL", "publish to an RTSP server: rtsp://[user:pass@]host[:port]/path\n"
	  "                                 (ANNOUNCE, RECORD over TCP)", NULL,
	  "CVMMAP_RTSP_PUBLISH_URL" },
};

static void pub_defaults(void *cfg)
{
	memset(cfg, 0, sizeof(struct pub_opts));
}

static int pub_enabled(const void *cfg)
{
	return ((const struct pub_opts *)cfg)->url != NULL;
}

/* u from s: rtsp://[user[:pass]@]host[:port]/path, the userinfo
 * %-decoded (RFC 3986 3.2.1). */
static int parse(const char *s, struct url *u)
{
	return url_parse(s, u) || strcasecmp(u->scheme, "rtsp") || !u->host[0] ||
	       u->rest[0] != '/' || !u->rest[1] || strlen(s) >= URL_MAX ||
	       url_unescape(u->user) || url_unescape(u->pass) || strchr(u->user, ':') ? -1 : 0;
}

static int pub_validate(const void *cfg, const struct sink_env *env, char *err, size_t n)
{
	const struct pub_opts *o = cfg;
	struct url u;

	(void)env;
	if (parse(o->url, &u)) {
		snprintf(err, n, "--rtsp-publish: not rtsp://[user:pass@]host[:port]/path");
		return EXIT_USAGE;
	}
	return 0;
}

/* ---- connection -------------------------------------------------------- */

static void fail(struct rtsp_pub *s, uint64_t now, const char *why)
{
	unsigned delay = backoff_next(&s->backoff, &s->rng);

	if (!log_limited(&s->rl_fail, LOG_WARN, TAG, "%s: %s; reconnecting in %u ms",
			 s->url_log, why, delay))
		log_debug(TAG, "%s: %s; attempt %llu in %u ms", s->url_log, why,
			  s->failures + 2, delay);
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	s->failures++;
	s->state = P_BACKOFF;
	s->deadline = now + (uint64_t)delay * 1000000u;
}

static void start_connect(struct rtsp_pub *s, uint64_t now)
{
	struct net_addr a[NET_ADDR_MAX];
	int n;

	if (!s->env.ps->gen) {          /* the SDP needs the parameter sets */
		s->deadline = now + 100000000u;
		s->kf_request = 1;
		return;
	}
	sendq_reset(&s->q);
	s->in_n = s->skip = 0;
	s->session[0] = s->challenge[0] = '\0';
	s->authed = 0;
	s->cseq = 0;            /* a new connection counts from 1 (FFmpeg checks) */
	n = net_resolve(s->u.host, s->u.port, SOCK_STREAM, a, NET_ADDR_MAX);
	if (n < 0) {
		fail(s, now, n == -EAGAIN ? "cannot resolve the host now" : "no such host");
		return;
	}
	s->fd = net_tcp_connect(a, n, SNDBUF);
	if (s->fd < 0) {
		fail(s, now, "connect failed");
		return;
	}
	s->state = P_CONNECTING;
	s->deadline = now + PHASE_NS;
}

static void flush(struct rtsp_pub *s, uint64_t now)
{
	const uint8_t *p;
	size_t n;
	ssize_t w;

	p = sendq_unsent(&s->q, &n);
	if (!n || s->fd < 0 || s->state == P_CONNECTING)
		return;
	w = send(s->fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (w < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			fail(s, now, strerror(errno));
		return;
	}
	sendq_consumed(&s->q, (size_t)w);
	s->bytes += (unsigned long long)w;
}

/* The request of the current state (again, with credentials, after 401). */
static void send_request(struct rtsp_pub *s, uint64_t now)
{
	static const char *const method[] = { "", "", "ANNOUNCE", "SETUP", "RECORD" };
	char uri[URL_MAX + 16], auth[1024] = "", cnonce[17];
	const char *m = method[s->state];
	int n, body = 0;

	snprintf(uri, sizeof uri, "%s%s", s->url, s->state == P_SETUP ? "/trackID=0" : "");
	snprintf(cnonce, sizeof cnonce, "%08x%08x", prng_u32(&s->rng), prng_u32(&s->rng));
	if (s->challenge[0] &&
	    !rtsp_auth_answer(auth, sizeof auth, s->challenge, s->userpass, m, uri, cnonce))
		auth[0] = '\0';
	n = snprintf(s->req, REQ_MAX, "%s %s RTSP/1.0\r\nCSeq: %d\r\n"
		     "User-Agent: cvmmap-streamer\r\n%s", m, uri, ++s->cseq, auth);
	if (s->session[0])
		n += snprintf(s->req + n, REQ_MAX - (size_t)n, "Session: %s\r\n", s->session);
	if (s->state == P_ANNOUNCE) {
		const struct param_sets *ps = &s->env.ps->ps;
		struct sdp_desc d = {
			s->env.codec, 96, "0.0.0.0", 0, 0, 0, 1, s->env.ps->gen, ps->vps, ps->sps,
			ps->pps, 1,
		};

		body = sdp_build(&d, s->sdp, REQ_MAX / 2);
		if (body < 0) {
			fail(s, now, "SDP does not fit");
			return;
		}
		n += snprintf(s->req + n, REQ_MAX - (size_t)n, "Content-Type: application/sdp\r\n"
			      "Content-Length: %d\r\n", body);
	} else if (s->state == P_SETUP) {
		n += snprintf(s->req + n, REQ_MAX - (size_t)n, "Transport: RTP/AVP/TCP;unicast;"
			      "interleaved=0-1;mode=record\r\n");
	} else {
		n += snprintf(s->req + n, REQ_MAX - (size_t)n, "Range: npt=0.000-\r\n");
	}
	n += snprintf(s->req + n, REQ_MAX - (size_t)n, "\r\n%s", body > 0 ? s->sdp : "");
	if (n >= REQ_MAX || sendq_put(&s->q, s->req, (size_t)n, SQ_CTL, now) < 0) {
		fail(s, now, "request does not fit");
		return;
	}
	flush(s, now);
}

/* A response to the request of the current state. */
static void on_response(struct rtsp_pub *s, const struct rtsp_resp *r, uint64_t now)
{
	char why[96];

	if (atoi(r->cseq) != s->cseq) {
		fail(s, now, "response out of order");
		return;
	}
	if (r->status == 401 && r->challenge[0] && !s->authed && s->userpass[0]) {
		snprintf(s->challenge, sizeof s->challenge, "%s", r->challenge);
		s->authed = 1;
		send_request(s, now);
		return;
	}
	if (r->status != 200) {
		snprintf(why, sizeof why, "%s: %d %s", state_names[s->state], r->status,
			 r->status == 401 ? "(credentials refused)" : rtsp_reason(r->status));
		fail(s, now, why);
		return;
	}
	s->authed = 0;
	if (r->session[0])
		snprintf(s->session, sizeof s->session, "%s", r->session);
	if (s->state == P_RECORD) {
		s->state = P_PUBLISHING;
		s->deadline = 0;
		s->wait_key = s->kf_request = 1;
		s->connects++;
		backoff_reset(&s->backoff);
		log_info(TAG, "%s: publishing (session %s)", s->url_log, s->session);
		return;
	}
	if (s->state == P_SETUP && !s->session[0]) {
		fail(s, now, "SETUP without a Session");
		return;
	}
	s->state++;
	send_request(s, now);
}

static void read_input(struct rtsp_pub *s, uint64_t now)
{
	ssize_t n = recv(s->fd, s->in + s->in_n, sizeof s->in - s->in_n, MSG_DONTWAIT);

	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
		fail(s, now, n ? strerror(errno) : "server closed the connection");
		return;
	}
	if (n < 0)
		return;
	s->in_n += (size_t)n;
	while (s->in_n && s->fd >= 0) {
		struct rtsp_resp r;
		long il = rtsp_interleaved(s->in, s->in_n, &s->skip);   /* RTCP from the server */
		size_t used;
		int k;

		if (il == 0)
			return;
		if (il > 0) {
			used = (size_t)il;
		} else {
			k = rtsp_parse_response(s->in, s->in_n, &r);
			if (k == 0 && s->in_n < sizeof s->in)
				return;
			if (k <= 0 || r.content_length > sizeof s->in - (size_t)k) {
				fail(s, now, "malformed response");
				return;
			}
			used = (size_t)k + r.content_length;
			if (used > s->in_n)
				return;
			if (s->state >= P_ANNOUNCE && s->state <= P_RECORD)
				on_response(s, &r, now);
		}
		if (s->fd < 0)
			return;
		memmove(s->in, s->in + used, s->in_n - used);
		s->in_n -= used;
	}
}

/* ---- frames ------------------------------------------------------------ */

static void note_drop(struct rtsp_pub *s, unsigned n)
{
	s->dropped += n;
	s->wait_key = s->kf_request = 1;
	log_limited(&s->rl_drop, LOG_WARN, TAG, "congestion: %llu AUs dropped so far; "
		    "restarting at the next keyframe", s->dropped);
}

static void pub_put(void *st, const struct access_unit *au, uint64_t now)
{
	struct rtsp_pub *s = st;
	unsigned d = 0;
	int r;

	if (s->state != P_PUBLISHING) {
		s->offline++;
		return;
	}
	r = sendq_check(&s->q, now, &d);
	if (d || (r & SENDQ_NEED_KEY))
		note_drop(s, d);
	if (s->wait_key && !au->keyframe) {
		s->dropped++;
		return;
	}
	rtp_area_reset(&s->area);
	r = rtp_stream_pack(&s->rs, au, s->env.ps, now, rtp_area_emit, &s->area);
	if (r < 0 || rtp_area_queue(&s->area, &s->q, 0, au->keyframe ? SQ_KEY : SQ_INTER, now,
				    &s->sr_packets, &s->sr_octets) < 0) {
		d = 0;
		sendq_drop(&s->q, now, &d);
		note_drop(s, d + 1);
		return;
	}
	s->wait_key = 0;
	s->aus++;
	flush(s, now);
}

static void send_sr(struct rtsp_pub *s, uint64_t now)
{
	uint8_t buf[4 + 28 + 4 + 2 + RTP_CNAME_MAX + 4 + 8];
	uint64_t wall = clock_wall_ns() - (clock_mono_ns() - now);
	int n = rtp_stream_rtcp_to(&s->rs, s->sr_packets, s->sr_octets, now, wall, 0, buf + 4,
				   sizeof buf - 4);

	if (n < 0)
		return;
	buf[0] = '$';
	buf[1] = 1;
	buf[2] = (uint8_t)(n >> 8);
	buf[3] = (uint8_t)n;
	sendq_put(&s->q, buf, (size_t)n + 4, SQ_CTL, now);
}

/* ---- the sink ---------------------------------------------------------- */

static int pub_pollfds(void *st, struct pollfd *pfd, int max, int *timeout_ms, uint64_t now)
{
	struct rtsp_pub *s = st;
	uint64_t dl = s->state == P_PUBLISHING ? s->rs.have_map ? s->rs.next_rtcp_ns : 0 :
		      s->deadline;

	sink_deadline(timeout_ms, dl, now);
	if (s->fd < 0 || max < 1)
		return 0;
	pfd->fd = s->fd;
	pfd->events = s->state == P_CONNECTING ? POLLOUT :
		      (short)(POLLIN | (sendq_pending(&s->q) ? POLLOUT : 0));
	return 1;
}

static void pub_service(void *st, const struct pollfd *pfd, int n, uint64_t now)
{
	struct rtsp_pub *s = st;
	short ev = n > 0 ? pfd->revents : 0;

	if (s->state == P_BACKOFF) {
		if (now >= s->deadline)
			start_connect(s, now);
		return;
	}
	if (s->state == P_CONNECTING && (ev & (POLLOUT | POLLERR | POLLHUP))) {
		int err = net_connect_result(s->fd);

		if (err) {
			fail(s, now, strerror(-err));
			return;
		}
		s->state = P_ANNOUNCE;
		send_request(s, now);
		return;
	}
	if (s->fd >= 0 && s->state != P_CONNECTING && (ev & (POLLIN | POLLHUP | POLLERR)))
		read_input(s, now);
	if (s->fd >= 0 && (ev & POLLOUT))
		flush(s, now);
	if (s->fd >= 0 && s->state != P_PUBLISHING && now >= s->deadline)
		fail(s, now, "no answer to RECORD in time");
	if (s->state == P_PUBLISHING && rtp_stream_rtcp_due(&s->rs, now)) {
		send_sr(s, now);
		flush(s, now);
	}
}

static int pub_keyframe_wanted(void *st)
{
	return sink_take(&((struct rtsp_pub *)st)->kf_request);
}

static size_t pub_pending(const void *st)
{
	const struct rtsp_pub *s = st;

	return s->state == P_PUBLISHING ? sendq_pending(&s->q) : 0;
}

static void pub_capture_clock(void *st, int unix_epoch)
{
	((struct rtsp_pub *)st)->rs.capture_unix = unix_epoch;
}

static int pub_stats(const void *st, int json, char *buf, size_t cap)
{
	const struct rtsp_pub *s = st;

	if (json)
		return snprintf(buf, cap, "{\"state\":\"%s\",\"aus\":%llu,\"dropped\":%llu,"
				"\"offline\":%llu,\"bytes\":%llu,\"connects\":%llu}",
				state_names[s->state], s->aus, s->dropped, s->offline, s->bytes,
				s->connects);
	return snprintf(buf, cap, "%s sent=%llu dropped=%llu offline=%llu connects=%llu "
			"failures=%llu", state_names[s->state], s->aus, s->dropped, s->offline,
			s->connects, s->failures);
}

static void pub_metrics(const void *st, struct sink_metrics *m)
{
	const struct rtsp_pub *s = st;

	m->bytes = s->bytes;
	m->aus = s->aus;
	m->dropped = s->dropped + s->offline;
	m->connects = s->connects;
	m->connected = s->state == P_PUBLISHING;
}

/* TEARDOWN, best effort (one bounded attempt), close. */
static void pub_close(void *st)
{
	struct rtsp_pub *s = st;

	if (!s)
		return;
	if (s->fd >= 0 && s->state == P_PUBLISHING) {
		char req[URL_MAX + 256];
		int n = snprintf(req, sizeof req, "TEARDOWN %s RTSP/1.0\r\nCSeq: %d\r\n"
				 "Session: %s\r\n\r\n", s->url, ++s->cseq, s->session);

		flush(s, clock_mono_ns());
		if (n > 0 && (size_t)n < sizeof req && !sendq_pending(&s->q) &&
		    send(s->fd, req, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
			log_debug(TAG, "TEARDOWN: %s", strerror(errno));
	}
	if (s->fd >= 0)
		close(s->fd);
	sendq_free(&s->q);
	rtp_area_free(&s->area);
	free(s->req);
	free(s->sdp);
	free(s);
}

static int pub_open(void **out, const void *cfg, const struct sink_env *env)
{
	const struct pub_opts *o = cfg;
	size_t au = (size_t)CONFIG_MAX_AU_KIB * 1024;
	struct rtsp_pub *s;
	char cname[RTP_CNAME_MAX];

	*out = NULL;
	if (env->codec != CODEC_H264 && env->codec != CODEC_H265)
		return -EINVAL;
	s = calloc(1, sizeof *s);
	if (!s)
		return -ENOMEM;
	s->env = *env;
	s->fd = -1;
	if (parse(o->url, &s->u)) {
		free(s);
		return -EINVAL;
	}
	if (!s->u.port)
		s->u.port = 554;                /* RFC 2326 3.2 */
	if (s->u.has_userinfo)
		snprintf(s->userpass, sizeof s->userpass, "%s:%s", s->u.user, s->u.pass);
	/* the URL we send carries no credentials (and is what we log) */
	snprintf(s->url, sizeof s->url, "rtsp://%s%s%s:%u%s", strchr(s->u.host, ':') ? "[" : "",
		 s->u.host, strchr(s->u.host, ':') ? "]" : "", s->u.port, s->u.rest);
	snprintf(s->url_log, sizeof s->url_log, "%s", s->url);
	s->req = malloc(REQ_MAX);
	s->sdp = malloc(REQ_MAX / 2);
	if (!s->req || !s->sdp || rtp_area_init(&s->area, au) < 0 ||
	    sendq_init(&s->q, s->area.cap + 64 * 1024, 4096, WINDOW_NS) < 0) {
		pub_close(s);
		return -ENOMEM;
	}
	backoff_init(&s->backoff, BACKOFF_MIN_MS, BACKOFF_MAX_MS);
	prng_seed(&s->rng, env->bitexact ? 0x50554253u : prng_random_seed());
	rtp_stream_cname(cname);
	rtp_stream_init(&s->rs, env->codec, 96, 1200, 0, env->bitexact, cname);
	s->state = P_BACKOFF;
	s->deadline = 1;                        /* connect at the first service() */
	log_info(TAG, "publishing %s to %s%s", codec_names[env->codec], s->url_log,
		 s->userpass[0] ? " (with credentials)" : "");
	*out = s;
	return 0;
}

const struct sink_ops rtsp_pub_ops = {
	.name = "rtsp-publish",
	.opts = pub_rows,
	.nopts = sizeof pub_rows / sizeof pub_rows[0],
	.cfg = &pub_cfg,
	.defaults = pub_defaults,
	.enabled = pub_enabled,
	.validate = pub_validate,
	.open = pub_open,
	.put = pub_put,
	.pollfds = pub_pollfds,
	.service = pub_service,
	.keyframe_wanted = pub_keyframe_wanted,
	.pending = pub_pending,
	.capture_clock = pub_capture_clock,
	.stats = pub_stats,
	.metrics = pub_metrics,
	.close = pub_close,
};
