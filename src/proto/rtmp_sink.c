/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rtmp_sink.c - RTMP publisher: the socket around rtmp_session (rtmp_sink.h).
 *
 *   IDLE/BACKOFF --deadline--> CONNECTING (non-blocking connect)
 *   --writable--> HANDSHAKE --> COMMANDS (rtmp_session.c)
 *   --> PUBLISHING (onMetaData, sequence header, frames from a keyframe)
 *   any error, close, or 10 s without Publish.Start --> BACKOFF.
 *
 * Output memory is one send window (sendq.c) of 2 x MAX_AU_KIB plus
 * headroom, allocated at open; flushing is one send() of everything
 * unsent.  Timestamps are DTS in ms since the first AU of the
 * connection, never backwards (docs/protocols.md §1.6); CompositionTime
 * carries PTS - DTS.
 */
#include "proto/rtmp_sink.h"

#include "codec/nal.h"
#include "proto/flv.h"
#include "proto/rtmp_session.h"
#include "util/backoff.h"
#include "util/exitcodes.h"
#include "util/log.h"
#include "util/net.h"
#include "util/prng.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define TAG "rtmp"
#define PHASE_TIMEOUT_NS 10000000000ull  /* connect..Publish.Start */
#define MAX_IN_MSG (64 * 1024)           /* largest server message we take */
#define QMAX 1024                        /* queued messages */
#define SNDBUF (256 * 1024)              /* SO_SNDBUF (Linux doubles it) */
#define URL_MAX 1024

struct rtmp_sink {
	struct rtmp_opts cfg;
	struct sink_env env;
	char url[URL_MAX];
	char url_log[URL_MAX];  /* redacted */
	struct rtmp_url u;
	int form;               /* enum flv_form */
	int fd, state;
	uint64_t deadline_ns;   /* BACKOFF: reconnect; others: phase timeout */
	struct backoff backoff;
	struct prng rng;
	struct sendq q;
	struct rtmp_session ses;

	int wait_key, kf_request, have_base;
	uint32_t ps_sent;       /* pscache generation of the last sequence header, 0: none */
	uint64_t base_ns;       /* dts that maps to timestamp 0 */
	uint32_t last_ts;

	uint8_t *scratch;       /* one FLV body: header + LP NAL units */
	size_t scap;
	uint8_t rbuf[4096];
	struct rtmp_sink_stats st;
	struct log_limit rl_fail, rl_drop, rl_au;
};

static struct rtmp_opts rtmp_cfg;

static const char *const mode_names[] = { "enhanced|hvc1", "domestic", NULL };

static const struct opt rtmp_rows[] = {
	{ "rtmp", OPT_FLAG, G_OUTPUT, 0, OPT_OFF(struct rtmp_opts, enable), 0, 0, NULL, NULL,
	  "enable the RTMP output", NULL, NULL },
	{ "rtmp-url", OPT_STR, G_OUTPUT, OPT_SECRET, OPT_OFF(struct rtmp_opts, url), 0, 0, NULL,
	  "URL", "rtmp://host[:port]/app/stream", NULL, "CVMMAP_RTMP_URL" },
	{ "rtmp-mode", OPT_CHOICE, G_OUTPUT, 0, OPT_OFF(struct rtmp_opts, mode),
	  RTMP_MODE_ENHANCED, 0, mode_names, "MODE",
	  "enhanced (hvc1) or domestic (FLV id 12); required for H.265", NULL, NULL },
	{ "rtmp-reconnect-min-ms", OPT_LONG, G_OUTPUT, 0,
	  OPT_OFF(struct rtmp_opts, reconnect_min_ms), 10, 600000, NULL, "MS",
	  "first reconnect delay (default 500)", NULL, NULL },
	{ "rtmp-reconnect-max-ms", OPT_LONG, G_OUTPUT, 0,
	  OPT_OFF(struct rtmp_opts, reconnect_max_ms), 10, 3600000, NULL, "MS",
	  "reconnect delay cap (default 15000)", NULL, NULL },
	{ "rtmp-send-window-ms", OPT_LONG, G_LATENCY, 0,
	  OPT_OFF(struct rtmp_opts, send_window_ms), 50, 10000, NULL, "MS",
	  "RTMP backlog before dropping to the next keyframe (default 700)", NULL, NULL },
};

static void rtmp_defaults(void *cfg)
{
	struct rtmp_opts *o = cfg;

	memset(o, 0, sizeof *o);
	o->mode = RTMP_MODE_UNSET;
	o->reconnect_min_ms = 500;
	o->reconnect_max_ms = 15000;
	o->send_window_ms = 700;
}

static int rtmp_enabled(const void *cfg)
{
	return ((const struct rtmp_opts *)cfg)->enable;
}

static int rtmp_validate(const void *cfg, const struct sink_env *env, char *err, size_t n)
{
	const struct rtmp_opts *o = cfg;
	struct rtmp_url u;

	/* the URL is never echoed: it may carry credentials or a stream key */
	if (!o->url)
		snprintf(err, n, "--rtmp needs --rtmp-url rtmp://host[:port]/app/stream");
	else if (strncmp(o->url, "rtmp://", 7))
		snprintf(err, n, "--rtmp-url does not start with rtmp://");
	else if (strlen(o->url) >= URL_MAX)
		snprintf(err, n, "--rtmp-url is %zu bytes long; at most %d are taken",
			 strlen(o->url), URL_MAX - 1);
	else if (rtmp_url_parse(o->url, &u))
		snprintf(err, n, "--rtmp-url is not rtmp://host[:port]/app/stream");
	else if (env->codec == CODEC_H264 && o->mode == RTMP_MODE_DOMESTIC)
		snprintf(err, n, "--rtmp-mode domestic is H.265 only; H.264 over RTMP always "
			 "uses FLV codec id 7");
	else if (env->codec == CODEC_H265 && o->mode == RTMP_MODE_UNSET)
		snprintf(err, n, "H.265 over RTMP needs --rtmp-mode enhanced or "
			 "--rtmp-mode domestic");
	else if (o->reconnect_min_ms > o->reconnect_max_ms)
		snprintf(err, n, "--rtmp-reconnect-min-ms is larger than --rtmp-reconnect-max-ms");
	else
		return 0;
	return EXIT_USAGE;
}

/* ---- send window ------------------------------------------------------- */

static void note_drops(struct rtmp_sink *s, int r, unsigned dropped)
{
	s->st.aus_dropped += dropped;
	if (r & SENDQ_NEED_KEY) {
		s->wait_key = 1;
		s->kf_request = 1;
	}
	if (dropped)
		log_limited(&s->rl_drop, LOG_WARN, TAG, "congestion: dropped %u queued "
			    "AUs (%llu in total)", dropped, (unsigned long long)s->st.aus_dropped);
	if (dropped && (r & SENDQ_NEED_KEY))
		log_debug(TAG, "congestion: %u AUs dropped, waiting for a keyframe", dropped);
}

static void drop_frames(struct rtmp_sink *s, uint64_t now)
{
	unsigned d;
	int r = sendq_drop(&s->q, now, &d);

	note_drops(s, r, d);
}

static void check_window(struct rtmp_sink *s, uint64_t now)
{
	unsigned d;
	int r = sendq_check(&s->q, now, &d);

	note_drops(s, r, d);
}

/* ---- connection -------------------------------------------------------- */

/* Close and schedule a reconnect (util/backoff.h). */
static void fail(struct rtmp_sink *s, uint64_t now, const char *why)
{
	unsigned delay = backoff_next(&s->backoff, &s->rng);

	if (!log_limited(&s->rl_fail, LOG_WARN, TAG, "%s: %s; reconnecting in %u ms",
			 s->url_log, why, delay))
		log_debug(TAG, "%s: %s; attempt %llu in %u ms", s->url_log, why,
			  (unsigned long long)s->st.failures + 2, delay);
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	if (s->state == RTMP_PUBLISHING)
		s->st.disconnects++;
	s->st.failures++;
	s->state = RTMP_BACKOFF;
	s->deadline_ns = now + (uint64_t)delay * 1000000u;
}

static void start_connect(struct rtmp_sink *s, uint64_t now)
{
	struct net_addr a[NET_ADDR_MAX];
	int n, fd;

	sendq_reset(&s->q);
	s->state = RTMP_CONNECTING;
	/* a host name is resolved here, blocking (IP literals never block) */
	n = net_resolve(s->u.host, s->u.port, SOCK_STREAM, a, NET_ADDR_MAX);
	if (n < 0) {
		fail(s, now, n == -EAGAIN ? "cannot resolve the host now" : "no such host");
		return;
	}
	/* keep the kernel's share of the backlog small: the send window,
	 * measured in time, is where congestion is judged */
	fd = net_tcp_connect(a, n, SNDBUF);
	if (fd < 0) {
		fail(s, now, "connect failed");
		return;
	}
	log_debug(TAG, "%s: connecting to %d address(es)", s->url_log, n);
	s->fd = fd;
	s->deadline_ns = now + PHASE_TIMEOUT_NS;
}

/* One send() of everything queued. */
static void flush(struct rtmp_sink *s, uint64_t now)
{
	const uint8_t *p;
	size_t n;
	ssize_t w;

	if (s->fd < 0 || s->state == RTMP_CONNECTING)
		return;
	p = sendq_unsent(&s->q, &n);
	if (!n)
		return;
	w = send(s->fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (w < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			fail(s, now, strerror(errno));
		return;
	}
	s->st.aus_sent += sendq_consumed(&s->q, (size_t)w);
	s->st.bytes_sent += (uint64_t)w;
}

static void start_publishing(struct rtmp_sink *s)
{
	s->state = RTMP_PUBLISHING;
	s->deadline_ns = 0;
	backoff_reset(&s->backoff);
	s->st.connects++;
	s->ps_sent = 0;             /* sequence header on every (re)connect */
	s->have_base = 0;
	s->last_ts = 0;
	s->wait_key = 1;
	s->kf_request = 1;
	log_info(TAG, "%s: publishing", s->url_log);
}

static void read_input(struct rtmp_sink *s, uint64_t now)
{
	int rounds, r;

	for (rounds = 0; rounds < 16 && s->fd >= 0; rounds++) {
		ssize_t n = recv(s->fd, s->rbuf, sizeof s->rbuf, 0);

		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			fail(s, now, n ? strerror(errno) : s->state == RTMP_HANDSHAKE ?
			     "closed during handshake" : "server closed the connection");
			return;
		}
		if (n < 0)
			return;
		r = rtmp_session_input(&s->ses, s->rbuf, (size_t)n, now);
		if (r == RS_FAILED) {
			fail(s, now, s->ses.why);
			return;
		}
		if (r == RS_COMMANDS && s->state == RTMP_HANDSHAKE)
			s->state = RTMP_COMMANDS;
		else if (r == RS_PUBLISHING && s->state != RTMP_PUBLISHING)
			start_publishing(s);
	}
}

/* ---- media ------------------------------------------------------------- */

/* Map DTS to a message timestamp: ms since the first AU of this
 * connection; never backwards - a DTS jump backwards rebases so the
 * stream continues from the last timestamp (docs/protocols.md §1.6). */
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

/* onMetaData (docs/protocols.md §2.5) goes right before every sequence header,
 * so a new connection or a new geometry gets the width and height of the
 * SPS actually sent (the configuration may not know them). */
static int send_metadata(struct rtmp_sink *s, const struct param_sets *ps,
			 uint32_t ts, uint64_t now)
{
	struct flv_meta meta = {
		s->env.width, s->env.height, s->env.fps, flv_videocodecid(s->form), 0
	};
	struct sps_info si;
	uint8_t b[512];
	int n;

	if (sps_parse(s->env.codec, &ps->sps, &si) == 0) {
		meta.width = si.width;
		meta.height = si.height;
	}
	n = flv_metadata_build(b, sizeof b, &meta);
	if (n < 0)
		return -EINVAL;
	return rtmp_session_send(&s->ses, RTMP_CSID_DATA, RTMP_MSG_AMF0_DATA, ts, b,
				 (size_t)n, SQ_CTL, now);
}

/* onMetaData + the decoder configuration record of the cached sets. */
static int send_seq_header(struct rtmp_sink *s, uint32_t ts, uint64_t now)
{
	const struct param_sets *ps = &s->env.ps->ps;
	int h, n;

	if (send_metadata(s, ps, ts, now) < 0)
		return -ENOSPC;
	h = flv_video_header(s->scratch, s->scap, s->form, FLV_PKT_SEQ, 1, 0);
	n = s->env.codec == CODEC_H265 ?
	    hvcc_build(ps, s->scratch + h, s->scap - (size_t)h) :
	    avcc_build(ps, s->scratch + h, s->scap - (size_t)h);
	if (h < 0 || n < 0)
		return -EINVAL;
	if (rtmp_session_send(&s->ses, RTMP_CSID_VIDEO, RTMP_MSG_VIDEO, ts, s->scratch,
			      (size_t)(h + n), SQ_SEQ, now) < 0)
		return -ENOSPC;
	s->ps_sent = s->env.ps->gen;
	s->st.seq_headers++;
	return 0;
}

static void drop_au(struct rtmp_sink *s)
{
	s->st.aus_dropped++;
	s->wait_key = 1;
	s->kf_request = 1;
}

static void rtmp_put(void *st, const struct access_unit *au, uint64_t now)
{
	struct rtmp_sink *s = st;
	uint32_t ts;
	int64_t cts;
	int h, n, key = au->keyframe != 0;

	if (s->state != RTMP_PUBLISHING) {
		s->st.aus_offline++;             /* not connected: discarded */
		return;
	}
	check_window(s, now);
	if (s->wait_key && !key) {
		s->st.aus_dropped++;
		return;
	}
	ts = au_timestamp(s, au);
	if (key || !s->ps_sent) {
		if (!s->env.ps->gen) {
			log_limited(&s->rl_au, LOG_WARN, TAG, "keyframe without parameter "
				    "sets: waiting for the next one");
			drop_au(s);
			return;
		}
		if (s->ps_sent != au->ps_gen && send_seq_header(s, ts, now) < 0) {
			drop_frames(s, now);
			if (send_seq_header(s, ts, now) < 0) {
				fail(s, now, "cannot queue the sequence header");
				return;
			}
		}
	}
	/* CompositionTime: PTS - DTS on the same millisecond grid */
	cts = au->pts_ns >= s->base_ns ?
	      (int64_t)((au->pts_ns - s->base_ns) / 1000000u) - (int64_t)ts : 0;
	h = flv_video_header(s->scratch, s->scap, s->form, FLV_PKT_NALU, key,
			     (int32_t)(cts > 0x7fffff ? 0x7fffff : cts < -0x800000 ?
				       -0x800000 : cts));
	n = annexb_to_lp(au->data, au->size, LP_DROP_AUD, s->scratch + h,
			 s->scap - (size_t)h);
	if (h < 0 || n <= 0) {
		log_limited(&s->rl_au, LOG_WARN, TAG, "AU %u: %zu bytes do not fit "
			    "an FLV message", au->seq, au->size);
		drop_au(s);
		return;
	}
	if (rtmp_session_send(&s->ses, RTMP_CSID_VIDEO, RTMP_MSG_VIDEO, ts, s->scratch,
			      (size_t)(h + n), key ? SQ_KEY : SQ_INTER, now) < 0) {
		drop_frames(s, now);
		if (!key || rtmp_session_send(&s->ses, RTMP_CSID_VIDEO, RTMP_MSG_VIDEO, ts,
					      s->scratch, (size_t)(h + n), SQ_KEY, now) < 0) {
			drop_au(s);
			return;
		}
	}
	if (key)
		s->wait_key = 0;
	flush(s, now);
}

/* ---- the sink ---------------------------------------------------------- */

static void rtmp_close(void *st);

static int rtmp_open(void **out, const void *cfg, const struct sink_env *env)
{
	const struct rtmp_opts *o = cfg;
	struct rtmp_sink *s;
	size_t au = (size_t)CONFIG_MAX_AU_KIB * 1024;

	*out = NULL;
	if (!o->url || strlen(o->url) >= URL_MAX)
		return -EINVAL;
	s = calloc(1, sizeof *s);
	if (!s)
		return -ENOMEM;
	s->cfg = *o;
	s->env = *env;
	strcpy(s->url, o->url);
	s->cfg.url = s->url;
	rtmp_url_redact(s->url, s->url_log, sizeof s->url_log);
	if (rtmp_url_parse(s->url, &s->u) < 0) {
		log_error(TAG, "bad RTMP URL %s (want rtmp://host[:port]/app/stream)",
			  s->url_log);
		free(s);
		return -EINVAL;
	}
	s->form = flv_form_for(env->codec, o->mode == RTMP_MODE_UNSET ? RTMP_MODE_ENHANCED :
			       o->mode);
	s->fd = -1;
	s->state = RTMP_IDLE;
	s->deadline_ns = 1;         /* connect at the first service() */
	backoff_init(&s->backoff, (unsigned)o->reconnect_min_ms, (unsigned)o->reconnect_max_ms);
	prng_seed(&s->rng, env->bitexact ? 0x2545f491u : prng_random_seed());
	s->scap = au + 64 * 1024;
	s->scratch = malloc(s->scap);
	if (!s->scratch ||
	    sendq_init(&s->q, 2 * au + 256 * 1024, QMAX,
		       (uint64_t)o->send_window_ms * 1000000u) < 0 ||
	    rtmp_session_init(&s->ses, &s->u, s->form == FLV_HVC1, &s->q, MAX_IN_MSG) < 0) {
		rtmp_close(s);
		return -ENOMEM;
	}
	*out = s;
	return 0;
}

static int rtmp_pollfds(void *st, struct pollfd *pfd, int max, int *timeout_ms, uint64_t now)
{
	struct rtmp_sink *s = st;
	uint64_t dl = s->state == RTMP_PUBLISHING ? sendq_deadline(&s->q) : s->deadline_ns;

	sink_deadline(timeout_ms, dl, now);
	if (s->fd < 0 || max < 1)
		return 0;
	pfd->fd = s->fd;
	pfd->revents = 0;
	pfd->events = s->state == RTMP_CONNECTING ? POLLOUT :
		      (short)(POLLIN | (sendq_pending(&s->q) ? POLLOUT : 0));
	return 1;
}

static void rtmp_service(void *st, const struct pollfd *pfd, int n, uint64_t now)
{
	struct rtmp_sink *s = st;
	short revents = n > 0 ? pfd->revents : 0;

	if (s->state == RTMP_IDLE || s->state == RTMP_BACKOFF) {
		if (now >= s->deadline_ns)
			start_connect(s, now);
		return;
	}
	if (s->state == RTMP_CONNECTING && (revents & (POLLOUT | POLLERR | POLLHUP))) {
		int err = net_connect_result(s->fd);

		if (err) {
			fail(s, now, strerror(-err));
			return;
		}
		rtmp_session_start(&s->ses, s->env.bitexact ? 1 : prng_u32(&s->rng), now);
		if (s->ses.state == RS_FAILED) {
			fail(s, now, s->ses.why);
			return;
		}
		s->state = RTMP_HANDSHAKE;
		revents = POLLOUT;
	}
	if (s->fd >= 0 && s->state >= RTMP_HANDSHAKE && (revents & (POLLIN | POLLHUP | POLLERR)))
		read_input(s, now);
	if (s->fd >= 0)
		flush(s, now);
	if (s->fd >= 0 && s->state != RTMP_PUBLISHING && now >= s->deadline_ns)
		fail(s, now, "no NetStream.Publish.Start in time");
	if (s->state == RTMP_PUBLISHING)
		check_window(s, now);
}

static int rtmp_keyframe_wanted(void *st)
{
	return sink_take(&((struct rtmp_sink *)st)->kf_request);
}

/* Bytes that can still go out: none without a connection. */
static size_t rtmp_pending(const void *st)
{
	const struct rtmp_sink *s = st;

	if (s->state == RTMP_IDLE || s->state == RTMP_BACKOFF)
		return 0;
	return sendq_pending(&s->q);
}

void rtmp_sink_get_stats(const void *st, struct rtmp_sink_stats *out)
{
	const struct rtmp_sink *s = st;

	*out = s->st;
	out->state = s->state;
}

static int rtmp_stats(const void *st, int json, char *buf, size_t cap)
{
	static const char *const names[] = {
		"idle", "connecting", "handshake", "commands", "publishing", "backoff"
	};
	const struct rtmp_sink *s = st;

	if (json)
		return snprintf(buf, cap, "{\"state\":%d,\"aus_sent\":%llu,\"aus_dropped\":%llu,"
				"\"connects\":%llu,\"aus_offline\":%llu}", s->state,
				(unsigned long long)s->st.aus_sent,
				(unsigned long long)s->st.aus_dropped,
				(unsigned long long)s->st.connects,
				(unsigned long long)s->st.aus_offline);
	return snprintf(buf, cap, "%s sent=%llu dropped=%llu connects=%llu failures=%llu "
			"offline=%llu", names[s->state], (unsigned long long)s->st.aus_sent,
			(unsigned long long)s->st.aus_dropped, (unsigned long long)s->st.connects,
			(unsigned long long)s->st.failures, (unsigned long long)s->st.aus_offline);
}

static void rtmp_metrics(const void *st, struct sink_metrics *m)
{
	const struct rtmp_sink *s = st;

	m->bytes = s->st.bytes_sent;
	m->aus = s->st.aus_sent;
	m->dropped = s->st.aus_dropped + s->st.aus_offline;
	m->connects = s->st.connects;
	m->connected = s->state == RTMP_PUBLISHING;
}

/* SequenceEnd, FCUnpublish, deleteStream; one bounded attempt to send. */
static void rtmp_close(void *st)
{
	struct rtmp_sink *s = st;

	if (!s)
		return;
	if (s->fd >= 0 && s->state == RTMP_PUBLISHING) {
		uint8_t b[16];
		int h = flv_video_header(b, sizeof b, s->form, FLV_PKT_END, 1, 0);
		struct pollfd pfd = { s->fd, POLLOUT, 0 };
		int i;

		drop_frames(s, UINT64_MAX);
		if (s->ps_sent && h > 0)
			rtmp_session_send(&s->ses, RTMP_CSID_VIDEO, RTMP_MSG_VIDEO, s->last_ts,
					  b, (size_t)h, SQ_CTL, 0);
		rtmp_session_unpublish(&s->ses, 0);
		/* at most 10 x 20 ms; a signal (a second SIGTERM) costs a round,
		 * not the end-of-stream messages */
		for (i = 0; i < 10 && s->fd >= 0 && sendq_pending(&s->q); i++) {
			int r = poll(&pfd, 1, 20);

			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			flush(s, 0);
		}
	}
	if (s->fd >= 0)
		close(s->fd);
	rtmp_session_free(&s->ses);
	sendq_free(&s->q);
	free(s->scratch);
	free(s);
}

const struct sink_ops rtmp_sink_ops = {
	.name = "rtmp",
	.opts = rtmp_rows,
	.nopts = sizeof rtmp_rows / sizeof rtmp_rows[0],
	.cfg = &rtmp_cfg,
	.defaults = rtmp_defaults,
	.enabled = rtmp_enabled,
	.validate = rtmp_validate,
	.open = rtmp_open,
	.put = rtmp_put,
	.pollfds = rtmp_pollfds,
	.service = rtmp_service,
	.keyframe_wanted = rtmp_keyframe_wanted,
	.pending = rtmp_pending,
	.stats = rtmp_stats,
	.metrics = rtmp_metrics,
	.close = rtmp_close,
};
