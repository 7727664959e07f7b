/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pipeline.c - the streamer: an input -> encode/passthrough -> the sinks.
 *
 * Three fixed threads, hand-offs through lock-free "latest wins" queues
 * of preallocated slots (util/ring.h), wake-ups through eventfds:
 *
 *   ingest  the input's next() (ipc/input.h: cv-mmap or the generator)
 *           -> frame slot -> fq ............................ wakes encode
 *   encode  frame slot -> the encode stage (core/encode.c: passthrough
 *           or an encoder), written into an access-unit slot -> aq
 *           ................................................ wakes I/O
 *   io      aq -> parameter-set cache -> body SEI -> every enabled sink
 *           of proto/sinks.c; the sinks' sockets and timers, NATS, stats
 *
 * With nothing to encode (forced passthrough, --run-mode ingest) the
 * ingest thread runs the encode stage itself: two threads, one hop.
 *
 * Nothing on this path allocates after pipeline_run() set up the slots:
 * frames and AUs larger than their slots are dropped and counted.  A
 * stalled sink cannot slow ingest or encode: every queue drops its oldest
 * entry instead of waiting, and the sinks never block.  This file names
 * no output and no encoder: they are rows of tables.
 */
#define _GNU_SOURCE
#include "core/pipeline.h"
#include "core/control.h"
#include "core/encode.h"
#include "codec/au.h"
#include "codec/latency.h"
#include "codec/nal.h"
#include "codec/pscache.h"
#include "codec/sei.h"
#include "ipc/input.h"
#include "ipc/target.h"
#include "proto/metrics.h"
#include "proto/sink.h"
#include "util/clock.h"
#include "util/exitcodes.h"
#include "util/httpd.h"
#include "util/log.h"
#include "util/ring.h"
#include "util/rt.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define TAG "pipeline"
#define AU_DEPTH 8          /* encoded AUs in flight towards the sinks */
#define POLL_MS 100
#define DRAIN_MS 2000       /* at the end, let the sinks' windows empty */
#define BODY_MAX (64 * 1024)
#define SINK_MAX 8
#define POLL_MAX 64         /* pollfds of all sinks together */

/* SEI user_data_unregistered UUID of body tracking side data (docs/sei.md). */
static const uint8_t body_sei_uuid[16] = CVMMAP_BODY_SEI_UUID;

/* Counters written by one thread and read by the io thread's stats. */
#define STAT_ADD(x, n) __atomic_fetch_add(&(x), (n), __ATOMIC_RELAXED)
#define STAT(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

/* An enabled output: its row, its state, its slice of the poll array. */
struct sink_slot {
	const struct sink_ops *ops;
	void *st;
	int pfd0, npfd;
};

struct pipeline {
	const struct streamer_opts *o;
	int stop;                       /* atomic: ask threads to end */
	int ingest_done, encode_done;   /* atomic */
	int want_key;                   /* atomic: a sink asked for a keyframe */
	int exit_code;                  /* first fatal error wins */

	/* ingest -> encode */
	const struct input_ops *iops;
	void *in;
	struct frame_slot *frames;
	unsigned nframes;
	struct lq fq;
	int frame_efd;
	uint64_t frames_in;

	/* encode */
	struct encode_stage *es;
	int inline_stage;               /* the ingest thread runs the stage itself */
	int yuv_layout;                 /* atomic: the encoder's input layout (the
					 * encode stage writes it), -1 none */
	uint64_t stopped;               /* frames left in fq when encoding stopped */

	/* encode -> io */
	struct access_unit aus[AU_DEPTH + 2];
	struct lq aq;
	int au_efd;

	/* io */
	struct sink_slot sinks[SINK_MAX];
	int nsinks;
	struct pscache psc;
	uint64_t aus_out, bytes_out;

	/* NATS control plane (io thread) */
	struct control *ctl;
	char instance[32];
	int producer_state;             /* MODULE_STATUS_*, 0 unknown */
	int ts_domain;                  /* TS_DOMAIN_* from source info */
	uint64_t resets_claimed;        /* ingest regressions matched with a STREAM_RESET */

	/* monitoring (CONFIG_METRICS): the endpoint, the encode stage's time
	 * per frame (atomic, written by the encode thread) and when an AU
	 * last went out (io thread) */
	struct httpd *httpd;
	uint64_t enc_bucket[METRICS_BUCKETS], enc_ns;
	uint64_t last_out_ns;

	/* body tracking side data, spliced as SEI on the io thread */
	uint8_t *body_pending, *sei_buf, *au_scratch;
	/* --latency-sei: the SEI and the AU it rides in */
	uint8_t *lat_sei, *lat_scratch;
	size_t body_pending_n;
	uint32_t body_pending_frame;
	uint64_t bodies_in, bodies_attached, bodies_dropped;
	struct log_limit rl_body;
};

static void wake(int efd)
{
	uint64_t one = 1;

	if (write(efd, &one, sizeof one) < 0 && errno != EAGAIN)
		log_warn(TAG, "eventfd write: %s", strerror(errno));
}

static void drain(int efd)
{
	uint64_t v;

	if (read(efd, &v, sizeof v) < 0 && errno != EAGAIN)
		log_warn(TAG, "eventfd read: %s", strerror(errno));
}

static int stopping(struct pipeline *p)
{
	return __atomic_load_n(&p->stop, __ATOMIC_ACQUIRE) || got_signal;
}

static void fatal(struct pipeline *p, int code)
{
	if (!p->exit_code)
		p->exit_code = code;
	__atomic_store_n(&p->stop, 1, __ATOMIC_RELEASE);
}

/* ------------------------------------------------------------ encode */

/* The hand-off the encode stage writes into: the access-unit queue. */
static struct access_unit *aq_acquire(void *arg, int *slot)
{
	struct pipeline *p = arg;

	*slot = lq_acquire(&p->aq);
	return &p->aus[*slot];
}

static void aq_unacquire(void *arg, int slot)
{
	lq_unacquire(&((struct pipeline *)arg)->aq, (unsigned)slot);
}

static void aq_publish(void *arg, int slot)
{
	struct pipeline *p = arg;

	p->aus[slot].encoded_mono_ns = clock_mono_ns();
	lq_publish(&p->aq, (unsigned)slot);      /* an overflow is counted in aq.drops */
	wake(p->au_efd);
}

/* One frame through the encode stage, on whichever thread runs it. */
static void encode_one(struct pipeline *p, const struct frame_slot *f)
{
	/* the encode_seconds histogram, when an endpoint shows it */
	int timed = CONFIG_METRICS && p->httpd;
	uint64_t t0 = timed ? clock_mono_ns() : 0, dt;
	int r;

	r = encode_stage_frame(p->es, f, __atomic_exchange_n(&p->want_key, 0, __ATOMIC_ACQ_REL));
	if (timed) {
		dt = clock_mono_ns() - t0;
		__atomic_fetch_add(&p->enc_bucket[metrics_bucket(dt)], 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&p->enc_ns, dt, __ATOMIC_RELAXED);
	}
	if (r)
		fatal(p, r);
}

/* No more frames: a clean stop lets the encoder give up the frames it
 * holds; left = frames still queued. */
static void encode_finish(struct pipeline *p, uint64_t left)
{
	if (!p->exit_code)
		encode_stage_flush(p->es);
	__atomic_store_n(&p->stopped, left, __ATOMIC_RELAXED);
	__atomic_store_n(&p->encode_done, 1, __ATOMIC_RELEASE);
	wake(p->au_efd);
}

static void *encode_thread(void *arg)
{
	struct pipeline *p = arg;
	struct pollfd pfd = { p->frame_efd, POLLIN, 0 };

	rt_thread("encode");            /* name, CPUs, SCHED_FIFO (util/rt.h) */
	for (;;) {
		int s;

		if (poll(&pfd, 1, POLL_MS) > 0)
			drain(p->frame_efd);
		while (!stopping(p) && (s = lq_take(&p->fq)) >= 0) {
			encode_one(p, &p->frames[s]);
			lq_release(&p->fq, (unsigned)s);
			lq_started(&p->fq);     /* the first encoder is open */
		}
		if (__atomic_load_n(&p->ingest_done, __ATOMIC_ACQUIRE) &&
		    spsc_count(&p->fq.pub) == 0)
			break;
		if (stopping(p))
			break;
	}
	encode_finish(p, spsc_count(&p->fq.pub));
	return NULL;
}

/* ------------------------------------------------------------ ingest */

static void *ingest_thread(void *arg)
{
	struct pipeline *p = arg;
	const struct streamer_opts *o = p->o;
	uint64_t last_frame = clock_mono_ns();
	int slot = lq_acquire(&p->fq);

	rt_thread("ingest");            /* name, CPUs, SCHED_FIFO (util/rt.h) */
	while (!stopping(p)) {
		int r = p->iops->next(p->in, POLL_MS, &p->frames[slot]);

		if (r == INPUT_END)
			break;          /* a finite input produced all its frames */
		if (r < 0) {
			log_error(TAG, "input failed: %s", strerror(-r));
			fatal(p, EXIT_INIT);
			break;
		}
		if (r == 0) {
			if (o->ingest_idle_timeout_ms &&
			    clock_mono_ns() - last_frame > opt_ms_to_ns(o->ingest_idle_timeout_ms)) {
				log_info(TAG, "no frame for %ld ms: stopping",
					 o->ingest_idle_timeout_ms);
				break;
			}
			continue;
		}
		last_frame = clock_mono_ns();
		STAT_ADD(p->frames_in, 1);
		if (p->inline_stage) {
			encode_one(p, &p->frames[slot]);   /* the slot is reused */
		} else {
			lq_publish(&p->fq, (unsigned)slot);
			wake(p->frame_efd);
			slot = lq_acquire(&p->fq);
		}
		if (o->ingest_max_frames && STAT(p->frames_in) >= (uint64_t)o->ingest_max_frames)
			break;
	}
	__atomic_store_n(&p->ingest_done, 1, __ATOMIC_RELEASE);
	if (p->inline_stage)
		encode_finish(p, 0);
	else
		wake(p->frame_efd);
	return NULL;
}

/* ------------------------------------------------------------ io */

/* Body tracking as SEI, spliced here on the io thread: the newest packet
 * received so far is attached to the AU of its frame, or to the first
 * later AU when it arrived after its frame was encoded (the packet
 * carries its frame_count, so a reader can still match it).  Older
 * unattached packets are superseded and counted.  Returns the AU to
 * send: au itself, or a copy of it with the SEI inserted. */
static const struct access_unit *attach_body(struct pipeline *p, const struct access_unit *au,
					     struct access_unit *tmp)
{
	size_t cap = (size_t)CONFIG_MAX_AU_KIB * 1024;
	int sn, an;

	if (!p->body_pending_n || (int32_t)(au->frame_id - p->body_pending_frame) < 0)
		return au;
	sn = sei_build_user_data(au->codec, body_sei_uuid, p->body_pending, p->body_pending_n,
				 p->sei_buf, BODY_MAX * 2);
	an = sn > 0 ? annexb_insert_sei(au->codec, au->data, au->size, p->sei_buf, (size_t)sn,
					p->au_scratch, cap) : -1;
	p->body_pending_n = 0;
	if (an <= 0) {
		STAT_ADD(p->bodies_dropped, 1);
		return au;
	}
	STAT_ADD(p->bodies_attached, 1);
	*tmp = *au;
	tmp->data = p->au_scratch;
	tmp->size = (size_t)an;
	tmp->cap = cap;
	return tmp;
}

/* --latency-sei on: the AU's timestamps as an SEI (codec/latency.h), in
 * Unix time so a receiver on the same clock (host, NTP) can subtract.
 * The capture timestamp is flagged as Unix time when the producer says so
 * (source info) or, not saying, when it lies within a day of our clock. */
static const struct access_unit *attach_latency(struct pipeline *p,
						const struct access_unit *au,
						struct access_unit *tmp, uint64_t now)
{
	static const uint8_t uuid[16] = LATENCY_SEI_UUID;
	size_t cap = (size_t)CONFIG_MAX_AU_KIB * 1024;
	int64_t off = (int64_t)clock_wall_ns() - (int64_t)clock_mono_ns();
	uint64_t wall = (uint64_t)((int64_t)now + off);
	uint8_t pl[LATENCY_SEI_SIZE];
	struct latency_stamps ls;
	int sn, an;

	ls.frame_id = au->frame_id;
	ls.capture_ns = au->capture_ns;
	ls.capture_unix = p->ts_domain == TS_DOMAIN_UNIX_EPOCH_NS ||
			  (p->ts_domain == TS_DOMAIN_UNKNOWN &&
			   (au->capture_ns > wall ? au->capture_ns - wall : wall - au->capture_ns) <
			   86400ull * 1000000000u);
	ls.announced_ns = (uint64_t)((int64_t)au->sync_mono_ns + off);
	ls.encoded_ns = (uint64_t)((int64_t)au->encoded_mono_ns + off);
	ls.sent_ns = wall;
	latency_build(pl, &ls);
	sn = sei_build_user_data(au->codec, uuid, pl, sizeof pl, p->lat_sei,
				 SEI_NAL_MAX(LATENCY_SEI_SIZE));
	an = sn > 0 ? annexb_insert_sei(au->codec, au->data, au->size, p->lat_sei, (size_t)sn,
					p->lat_scratch, cap) : -1;
	if (an <= 0)
		return au;      /* an AU with no room left goes without */
	*tmp = *au;
	tmp->data = p->lat_scratch;
	tmp->size = (size_t)an;
	tmp->cap = cap;
	return tmp;
}

/* One AU to every enabled sink: parameter-set cache first, then SEI. */
static void fan_out(struct pipeline *p, struct access_unit *au, uint64_t now)
{
	struct access_unit tmp, tmp2;
	const struct access_unit *out = au;
	int i;

	if (au->has_ps)
		pscache_update(&p->psc, &au->ps);
	au->ps_gen = p->psc.gen;
	if (CONFIG_NATS && p->o->body_sei)
		out = attach_body(p, au, &tmp);
	if (p->o->latency_sei)
		out = attach_latency(p, out, &tmp2, now);
	for (i = 0; i < p->nsinks; i++)
		p->sinks[i].ops->put(p->sinks[i].st, out, now);
	p->aus_out++;
	p->bytes_out += au->size;
	p->last_out_ns = now;
}

/* Frame accounting: every frame announced to us either left as an AU
 * (out) or is counted under exactly one reason, so that at the end
 *   announced = out + sum(lost)
 * (docs/hardening.md; the acceptance and fault suites check it).  The
 * input's reasons come first, then the pipeline's queues, then the
 * encode stage's. */
enum { R_LATE, R_SKIPPED, R_TORN, R_REJECTED, R_TOO_BIG, R_DUPLICATE, R_UNOPENED,
       R_PENDING, R_QUEUE, R_STOPPED, R_AU_QUEUE, R_INPUT_COUNT };
static const char *const reason_names[R_INPUT_COUNT] = {
	"late", "skipped", "torn", "rejected", "too_big", "duplicate", "unopened",
	"pending", "queue", "stopped", "au_queue",
};

/* Everything the stats line and the status JSON report, read once on the
 * io thread (counters of other threads with relaxed atomic loads). */
struct snapshot {
	struct input_stats in;
	struct encode_stats enc;
	unsigned long long frames_in, dropped, too_big, announced, out, lost;
	unsigned long long reason[R_INPUT_COUNT];
	const char *enc_name;
};

static void take_snapshot(struct pipeline *p, struct snapshot *s)
{
	int i;

	memset(s, 0, sizeof *s);
	if (p->in)
		p->iops->stats(p->in, &s->in);
	if (p->es) {
		encode_stage_stats(p->es, &s->enc);
		s->enc_name = encode_stage_name(p->es);
	} else {
		s->enc_name = "none";
	}
	s->frames_in = STAT(p->frames_in);
	s->announced = s->in.syncs;
	s->out = p->aus_out;
	s->reason[R_LATE] = s->in.late;
	s->reason[R_SKIPPED] = s->in.skipped;
	s->reason[R_TORN] = s->in.torn;
	s->reason[R_REJECTED] = s->in.rejected;
	s->reason[R_TOO_BIG] = s->in.too_big;
	s->reason[R_DUPLICATE] = s->in.duplicate;
	s->reason[R_UNOPENED] = s->in.unopened;
	s->reason[R_PENDING] = s->in.pending;
	s->reason[R_QUEUE] = STAT(p->fq.drops);
	s->reason[R_STOPPED] = STAT(p->stopped);
	s->reason[R_AU_QUEUE] = STAT(p->aq.drops);
	for (i = 0; i < R_INPUT_COUNT; i++)
		s->lost += s->reason[i];
	for (i = 0; i < L_ENC_COUNT; i++)
		s->lost += s->enc.lost[i];
	/* the older summary fields */
	s->dropped = s->reason[R_QUEUE] + s->reason[R_AU_QUEUE] + s->enc.lost[L_KEYWAIT];
	s->too_big = s->in.too_big + s->enc.lost[L_AU_TOO_BIG];
}

/* Reason i of the accounting, the input's and the pipeline's first, then
 * the encode stage's: its count, and its name in *name. */
#define N_REASONS (R_INPUT_COUNT + L_ENC_COUNT)
static unsigned long long reason_at(const struct snapshot *s, int i, const char **name)
{
	if (i < R_INPUT_COUNT) {
		*name = reason_names[i];
		return s->reason[i];
	}
	*name = lost_names[i - R_INPUT_COUNT];
	return s->enc.lost[i - R_INPUT_COUNT];
}

/* "lost=N(reason=n,...)": the non-zero reasons, ',' separated so that
 * "torn=" inside never reads as the line's own torn= field. */
static void lost_text(const struct snapshot *s, char *buf, size_t cap)
{
	size_t n = (size_t)snprintf(buf, cap, " lost=%llu(", s->lost);
	const char *sep = "", *name;
	int i;

	for (i = 0; i < N_REASONS && n < cap; i++) {
		unsigned long long v = reason_at(s, i, &name);

		if (!v)
			continue;
		n += (size_t)snprintf(buf + n, cap - n, "%s%s=%llu", sep, name, v);
		sep = ",";
	}
	if (!*sep)
		buf[n - 1] = '\0';     /* nothing lost: no empty "()" */
	else if (n < cap)
		snprintf(buf + n, cap - n, ")");
}

/* "{"late":n,...}" with every reason. */
static void lost_json(const struct snapshot *s, char *buf, size_t cap)
{
	size_t n = (size_t)snprintf(buf, cap, "{");
	const char *name;
	int i;

	for (i = 0; i < N_REASONS && n < cap; i++) {
		unsigned long long v = reason_at(s, i, &name);

		n += (size_t)snprintf(buf + n, cap - n, "%s\"%s\":%llu", i ? "," : "", name, v);
	}
	if (n < cap)
		snprintf(buf + n, cap - n, "}");
}

/* " name[counters]" of every enabled sink. */
static void sinks_text(struct pipeline *p, char *buf, size_t cap)
{
	size_t n = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < p->nsinks && n < cap; i++) {
		char b[256];

		p->sinks[i].ops->stats(p->sinks[i].st, 0, b, sizeof b);
		n += (size_t)snprintf(buf + n, cap - n, " %s[%s]", p->sinks[i].ops->name, b);
	}
}

static void print_stats(struct pipeline *p, uint64_t dt_ns, uint64_t *last_out,
			uint64_t *last_bytes, const char *when)
{
	char sinks[1024], lost[512];
	double secs = dt_ns ? (double)dt_ns / 1e9 : 1.0;
	struct snapshot s;

	take_snapshot(p, &s);
	sinks_text(p, sinks, sizeof sinks);
	lost_text(&s, lost, sizeof lost);
	log_info(TAG, "%s: in=%llu out=%llu torn=%llu rejected=%llu too_big=%llu resets=%llu "
		 "reattached=%llu dropped=%llu enc=%s fps=%.1f kbps=%.0f announced=%llu%s%s",
		 when, s.frames_in, s.out,
		 (unsigned long long)s.in.torn, (unsigned long long)s.in.rejected, s.too_big,
		 (unsigned long long)s.in.resets, (unsigned long long)s.in.reattached,
		 s.dropped, s.enc_name,
		 (double)(p->aus_out - *last_out) / secs,
		 (double)(p->bytes_out - *last_bytes) * 8 / 1000 / secs, s.announced, lost, sinks);
	*last_out = p->aus_out;
	*last_bytes = p->bytes_out;
}

static struct sink_slot *find_sink(struct pipeline *p, const struct sink_ops *ops)
{
	int i;

	for (i = 0; i < p->nsinks; i++)
		if (p->sinks[i].ops == ops)
			return &p->sinks[i];
	return NULL;
}

/* Bytes the sinks can still deliver (the shutdown drain waits for them). */
static size_t sinks_pending(struct pipeline *p)
{
	size_t n = 0;
	int i;

	for (i = 0; i < p->nsinks; i++)
		if (p->sinks[i].ops->pending)
			n += p->sinks[i].ops->pending(p->sinks[i].st);
	return n;
}

#if CONFIG_METRICS
/* The view metrics_render() draws, from the stats line's snapshot. */
static void metrics_fill(struct pipeline *p, struct metrics_view *v, uint64_t now)
{
	static char features[256];
	const struct build_feature *f;
	const struct sink_ops *const *t;
	struct httpd_stats hs;
	struct snapshot s;
	size_t k = 0;
	int i;

	if (!features[0]) {
		for (f = build_features; f->name; f++)
			if (f->on)
				k += (size_t)snprintf(features + k, sizeof features - k, "%s%s",
						      k ? "," : "", f->name);
		for (t = sink_table; *t && k < sizeof features; t++)
			k += (size_t)snprintf(features + k, sizeof features - k, ",%s",
					      (*t)->name);
	}
	take_snapshot(p, &s);
	memset(v, 0, sizeof *v);
	v->features = features;
	v->encoder = s.enc_name;
	v->announced = s.announced;
	v->frames_in = s.frames_in;
	v->out = s.out;
	v->bytes_out = p->bytes_out;
	v->resets = s.in.resets;
	v->reattached = s.in.reattached;
	v->reopens = s.enc.reopens;
	/* "pending" goes back to 0 when the frame is read: a gauge, so not
	 * a series of the frames_dropped_total counter (a scrape saw it
	 * go down) */
	v->pending = s.reason[R_PENDING];
	for (i = 0; i < N_REASONS && v->nlost < METRICS_REASONS; i++) {
		if (i == R_PENDING)
			continue;
		v->lost[v->nlost] = reason_at(&s, i, &v->lost_name[v->nlost]);
		v->nlost++;
	}
	for (i = 0; i < METRICS_BUCKETS; i++)
		v->enc_bucket[i] = STAT(p->enc_bucket[i]);
	v->enc_sum = (double)STAT(p->enc_ns) / 1e9;
	for (i = 0; i < p->nsinks && v->nsinks < METRICS_SINKS; i++) {
		if (!p->sinks[i].ops->metrics)
			continue;
		v->sink_name[v->nsinks] = p->sinks[i].ops->name;
		p->sinks[i].ops->metrics(p->sinks[i].st, &v->sink[v->nsinks++]);
	}
	httpd_get_stats(p->httpd, &hs);
	v->http_requests = hs.requests;
	v->http_busy = hs.busy;
	v->http_bad = hs.bad;
	v->healthy = p->last_out_ns &&
		     now - p->last_out_ns <= opt_ms_to_ns(metrics_cfg.healthz_window_ms);
}

/* httpd_page_fn: /metrics and /healthz (proto/metrics.h). */
static int metrics_page(void *arg, const struct http_req *r, char *body, size_t cap,
			size_t *len, const char **ctype)
{
	struct pipeline *p = arg;
	struct metrics_view v;
	struct prom pm;

	metrics_fill(p, &v, clock_mono_ns());
	prom_init(&pm, body, cap);
	if (!strcmp(r->path, "/metrics")) {
		metrics_render(&v, &pm);
		if (pm.full)
			return 500;
		*ctype = "text/plain; version=0.0.4; charset=utf-8";
		*len = pm.len;
		return 200;
	}
	if (!strcmp(r->path, "/healthz")) {
		*len = (size_t)snprintf(body, cap, "%s\n", v.healthy ? "ok" : "no frames");
		return v.healthy ? 200 : 503;
	}
	*len = (size_t)snprintf(body, cap, "404 Not Found: /metrics or /healthz\n");
	return 404;
}

static int open_metrics(struct pipeline *p)
{
	int r;

	if (!metrics_cfg.listen)
		return 0;
	r = httpd_open(&p->httpd, metrics_cfg.listen, METRICS_PAGE_MAX, metrics_page, p);
	if (r < 0) {
		log_error(TAG, "--metrics-listen %s: %s", metrics_cfg.listen, strerror(-r));
		return r == -EINVAL ? EXIT_USAGE : EXIT_INIT;
	}
	log_info(TAG, "metrics on http://%s/metrics", metrics_cfg.listen);
	return 0;
}
#else
static int open_metrics(struct pipeline *p)
{
	return 0;
}
#endif

static void io_loop(struct pipeline *p)
{
	const struct streamer_opts *o = p->o;
	uint64_t stats_t = clock_mono_ns(), drain_until = 0;
	uint64_t last_out = 0, last_bytes = 0, t_start = stats_t;

	for (;;) {
		struct pollfd pfd[1 + POLL_MAX + 1 + HTTPD_CLIENTS + 1];
		int timeout = POLL_MS, n = 1, i, s, ctl = -1, met = -1, met_n = 0;
		uint64_t now = clock_mono_ns();

		pfd[0].fd = p->au_efd;
		pfd[0].events = POLLIN;
		pfd[0].revents = 0;
		for (i = 0; i < p->nsinks; i++) {
			struct sink_slot *k = &p->sinks[i];

			k->pfd0 = n;
			k->npfd = k->ops->pollfds ?
				  k->ops->pollfds(k->st, &pfd[n], 1 + POLL_MAX - n, &timeout, now) : 0;
			n += k->npfd;
		}
		if (CONFIG_METRICS && p->httpd) {
			met = n;
			met_n = httpd_pollfds(p->httpd, &pfd[n], (int)(sizeof pfd / sizeof pfd[0]) - n,
					      &timeout, now);
			n += met_n;
		}
		if (CONFIG_NATS && p->ctl) {
			ctl = n;
			pfd[n].fd = -1;         /* poll ignores entries with fd -1 */
			pfd[n].events = pfd[n].revents = 0;
			control_pollfd(p->ctl, &pfd[n++], &timeout, now);
		}
		if (poll(pfd, (nfds_t)n, timeout) < 0 && errno != EINTR)
			log_warn(TAG, "poll: %s", strerror(errno));
		now = clock_mono_ns();
		if (pfd[0].revents)
			drain(p->au_efd);
		while ((s = lq_take(&p->aq)) >= 0) {
			fan_out(p, &p->aus[s], now);
			lq_release(&p->aq, (unsigned)s);
		}
		for (i = 0; i < p->nsinks; i++) {
			struct sink_slot *k = &p->sinks[i];

			if (k->ops->service)
				k->ops->service(k->st, &pfd[k->pfd0], k->npfd, now);
			if (k->ops->keyframe_wanted && k->ops->keyframe_wanted(k->st))
				__atomic_store_n(&p->want_key, 1, __ATOMIC_RELEASE);
		}
		if (ctl >= 0)
			control_service(p->ctl, pfd[ctl].revents, now);
		if (met >= 0)
			httpd_service(p->httpd, &pfd[met], met_n, now);
		if (o->stats_interval_ms && now - stats_t >= opt_ms_to_ns(o->stats_interval_ms)) {
			print_stats(p, now - stats_t, &last_out, &last_bytes, "stats");
			stats_t = now;
		}
		if (!__atomic_load_n(&p->encode_done, __ATOMIC_ACQUIRE) ||
		    spsc_count(&p->aq.pub))
			continue;
		/* Input is over: give the sinks' windows a moment to empty. */
		if (!drain_until)
			drain_until = now + (got_signal ? 0 : DRAIN_MS * 1000000ull);
		if (now >= drain_until || !sinks_pending(p))
			break;
	}
	print_stats(p, clock_mono_ns() - t_start, &(uint64_t){ 0 }, &(uint64_t){ 0 },
		    "exit");
}

/* ------------------------------------------------------------ setup */

static int open_control(struct pipeline *p, const char *nats_key);

static int open_input(struct pipeline *p)
{
	const struct streamer_opts *o = p->o;
	const struct input_ops *const *t;
	struct cvmmap_target tg;
	struct input_cfg c;
	char err[256];
	int r;

	for (t = input_table; *t; t++)
		if (!strcmp((*t)->name, input_mode_names[o->input_mode]))
			break;
	if (!*t) {
		log_error(TAG, "--input-mode %s is not built in", input_mode_names[o->input_mode]);
		return EXIT_USAGE;
	}
	p->iops = *t;
	memset(&c, 0, sizeof c);
	c.width = (uint32_t)o->dummy_width;
	c.height = (uint32_t)o->dummy_height;
	c.fps = (uint32_t)o->dummy_fps;
	c.frames = (uint64_t)o->dummy_frames;
	if (o->input_mode == INPUT_CVMMAP) {
		if (o->input)
			r = cvmmap_target_resolve(o->input, &tg, err, sizeof err);
		else
			r = cvmmap_target_explicit(o->shm_name, o->zmq_endpoint, NULL, &tg,
						   err, sizeof err);
		if (r < 0) {
			log_error(TAG, "%s: %s", o->input ? "--input" : "--shm-name/--zmq-endpoint",
				  err);
			return EXIT_USAGE;
		}
		c.shm_name = tg.shm_name;
		c.zmq_endpoint = tg.zmq_endpoint;
		c.label = o->input ? tg.label : NULL;
		/* Passthrough forwards the producer's AU: its raw plane is not read. */
		if (CONFIG_PASSTHROUGH && o->run_mode == RUN_PIPELINE &&
		    (o->encoder_device == ENCDEV_AUTO || o->encoder_device == ENCDEV_PASSTHROUGH))
			c.au_only_codec = codec_to_cvmmap(o->codec);
		/* Frames to encode are converted by the input, straight from
		 * SHM, into the layout the encoder takes (ipc/ingest.c). */
		c.yuv_layout = &p->yuv_layout;
		snprintf(p->instance, sizeof p->instance, "%s", tg.instance);
		r = open_control(p, tg.nats_key[0] ? tg.nats_key : NULL);
		if (r)
			return r;
	}
	r = p->iops->open(&p->in, &c);
	if (r < 0) {
		log_error(TAG, "cannot open the %s input%s%s: %s", p->iops->name,
			  c.zmq_endpoint ? " " : "", c.zmq_endpoint ? c.zmq_endpoint : "",
			  strerror(-r));
		return EXIT_INIT;
	}
	return 0;
}

/* ---- NATS callbacks (io thread) ---- */

static void ctl_status(void *arg, uint32_t status)
{
	struct pipeline *p = arg;
	struct input_stats is;

	/* A STREAM_RESET starts a new segment of a producer that is online. */
	p->producer_state = status == MODULE_STATUS_STREAM_RESET ? MODULE_STATUS_ONLINE
								 : (int)status;
	/* STREAM_RESET and the first frame of the new segment are not
	 * ordered (docs/contract.md §10).  The ingest counts every regression
	 * before it hands the frame on, so a regression no STREAM_RESET has
	 * claimed yet means this event is late: that frame is (being)
	 * rebased.  Otherwise the event is early: mark the next frame, and
	 * claim the regression it will bring. */
	if (status == MODULE_STATUS_STREAM_RESET && p->in && p->iops->note_reset) {
		p->iops->stats(p->in, &is);
		if (is.resets > p->resets_claimed) {
			p->resets_claimed = is.resets;
			log_info(TAG, "STREAM_RESET after the new segment's first frame: "
				 "already rebased");
		} else {
			p->resets_claimed = is.resets + 1;
			p->iops->note_reset(p->in);
			log_info(TAG, "STREAM_RESET: the next frame starts a new segment "
				 "(rebase + keyframe)");
		}
	}
}

static void ctl_body(void *arg, const struct body_view *v)
{
	struct pipeline *p = arg;

	STAT_ADD(p->bodies_in, 1);
	if (!p->o->body_sei)
		return;
	if (v->packet_size > BODY_MAX) {
		STAT_ADD(p->bodies_dropped, 1);
		log_limited(&p->rl_body, LOG_WARN, TAG, "body packet of %zu bytes exceeds %d: "
			    "not carried", v->packet_size, BODY_MAX);
		return;
	}
	if (p->body_pending_n)
		STAT_ADD(p->bodies_dropped, 1);   /* superseded before any AU took it */
	memcpy(p->body_pending, v->packet, v->packet_size);
	p->body_pending_n = v->packet_size;
	p->body_pending_frame = v->frame_count;
}

static void ctl_source_info(void *arg, const struct pb_source_info *si, const char *era)
{
	struct pipeline *p = arg;
	static const char *const dom[] = { "unknown", "unix epoch", "media time" };
	int i;

	p->ts_domain = (int)si->timestamp_domain;
	for (i = 0; i < p->nsinks; i++)
		if (p->sinks[i].ops->capture_clock)
			p->sinks[i].ops->capture_clock(p->sinks[i].st,
				si->timestamp_domain == TS_DOMAIN_UNIX_EPOCH_NS);
	log_info(TAG, "producer source info (%s subjects): %s source, timestamps in %s",
		 era, si->source_kind == SOURCE_KIND_LIVE ? "live" :
		 si->source_kind == SOURCE_KIND_FINITE ? "finite" : "unknown",
		 si->timestamp_domain < 3 ? dom[si->timestamp_domain] : "unknown");
}

static int ctl_status_json(void *arg, char *buf, size_t cap)
{
	struct pipeline *p = arg;
	static const char *const prod[] = { "unknown", "online", "offline" };
	const struct sink_ops *const *t;
	char sinks[1024], lost[768];
	size_t k = 0;
	struct snapshot s;
	int n;

	take_snapshot(p, &s);
	lost_json(&s, lost, sizeof lost);
	sinks[0] = '\0';
	for (t = sink_table; *t && k < sizeof sinks; t++) {
		struct sink_slot *sl = find_sink(p, *t);
		char b[512] = "null";

		if (sl)
			sl->ops->stats(sl->st, 1, b, sizeof b);
		k += (size_t)snprintf(sinks + k, sizeof sinks - k, ",\"%s\":%s", (*t)->name, b);
	}
	n = snprintf(buf, cap, "{\"instance\":\"%s\",\"producer\":\"%s\","
		     "\"frames_in\":%llu,\"aus_out\":%llu,\"torn\":%llu,\"rejected\":%llu,"
		     "\"dropped\":%llu,\"resets\":%llu,\"encoder\":\"%s\","
		     "\"bodies_in\":%llu,\"bodies_attached\":%llu,\"announced\":%llu,"
		     "\"lost_total\":%llu,\"lost\":%s%s}",
		     p->instance, p->producer_state >= 0 && p->producer_state <= 2 ?
		     prod[p->producer_state] : "unknown",
		     s.frames_in, s.out,
		     (unsigned long long)s.in.torn, (unsigned long long)s.in.rejected,
		     s.dropped, (unsigned long long)s.in.resets, s.enc_name,
		     (unsigned long long)STAT(p->bodies_in), (unsigned long long)STAT(p->bodies_attached),
		     s.announced, s.lost, lost, sinks);
	return n > 0 && (size_t)n < cap ? n : 0;
}

static const struct control_ops ctl_ops = {
	ctl_status, ctl_body, ctl_source_info, ctl_status_json,
};

static int open_control(struct pipeline *p, const char *nats_key)
{
	const struct streamer_opts *o = p->o;
	struct control_cfg c;
	int r;

	if (!CONFIG_NATS || o->no_nats || !nats_key)
		return 0;
	c.url = o->nats_url;
	c.key = nats_key;
	c.instance = p->instance;
	r = control_open(&p->ctl, &c, &ctl_ops, p);
	if (r < 0) {
		/* the URL is not echoed: it may carry credentials */
		log_error(TAG, "--nats-url: %s",
			  r == -EINVAL ? "not a valid nats://host:port URL" : strerror(-r));
		return EXIT_USAGE;
	}
	return 0;
}

static int open_sinks(struct pipeline *p)
{
	const struct streamer_opts *o = p->o;
	const struct sink_ops *const *t;
	struct sink_env env;
	int r;

	memset(&env, 0, sizeof env);
	env.codec = o->codec;
	env.bitexact = o->bitexact;
	env.width = o->input_mode == INPUT_DUMMY ? (uint32_t)o->dummy_width : 0;
	env.height = o->input_mode == INPUT_DUMMY ? (uint32_t)o->dummy_height : 0;
	env.fps = o->input_mode == INPUT_DUMMY ? (double)o->dummy_fps : 30.0;
	env.ps = &p->psc;
	for (t = sink_table; *t && p->nsinks < SINK_MAX; t++) {
		struct sink_slot *k = &p->sinks[p->nsinks];

		if (!(*t)->enabled((*t)->cfg))
			continue;
		r = (*t)->open(&k->st, (*t)->cfg, &env);
		if (r < 0) {
			log_error(TAG, "%s output: %s", (*t)->name, strerror(-r));
			return r == -EINVAL ? EXIT_USAGE : EXIT_INIT;
		}
		k->ops = *t;
		p->nsinks++;
	}
	return 0;
}

static int alloc_slots(struct pipeline *p)
{
	const struct streamer_opts *o = p->o;
	size_t pix = (size_t)CONFIG_MAX_WIDTH * CONFIG_MAX_HEIGHT * 4;
	size_t au = (size_t)CONFIG_MAX_AU_KIB * 1024;
	unsigned i;

	if (o->input_mode == INPUT_DUMMY)
		pix = (size_t)o->dummy_width * (size_t)o->dummy_height * 3;
	p->nframes = lq_slots((unsigned)o->queue_size, CONFIG_START_HOLD);
	p->frames = calloc(p->nframes, sizeof *p->frames);
	if (!p->frames)
		return -ENOMEM;
	for (i = 0; i < p->nframes; i++) {
		if (frame_slot_alloc(&p->frames[i], pix, au) < 0)
			return -ENOMEM;
	}
	if (lq_init(&p->fq, (unsigned)o->queue_size, CONFIG_START_HOLD) < 0)
		return -EINVAL;         /* cli.c keeps --queue-size in range */
	for (i = 0; i < AU_DEPTH + 2; i++) {
		p->aus[i].data = malloc(au);
		p->aus[i].cap = au;
		if (!p->aus[i].data)
			return -ENOMEM;
	}
	lq_init(&p->aq, AU_DEPTH, 0);
	if (CONFIG_NATS && o->body_sei) {
		p->body_pending = malloc(BODY_MAX);
		p->sei_buf = malloc(BODY_MAX * 2);
		p->au_scratch = malloc(au);
		if (!p->body_pending || !p->sei_buf || !p->au_scratch)
			return -ENOMEM;
	}
	if (o->latency_sei) {
		p->lat_sei = malloc(SEI_NAL_MAX(LATENCY_SEI_SIZE));
		p->lat_scratch = malloc(au);
		if (!p->lat_sei || !p->lat_scratch)
			return -ENOMEM;
	}
	p->frame_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	p->au_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	return p->frame_efd < 0 || p->au_efd < 0 ? -errno : 0;
}

static int open_encode_stage(struct pipeline *p)
{
	const struct streamer_opts *o = p->o;
	struct au_out out = { aq_acquire, aq_unacquire, aq_publish, p };
	struct encode_cfg c;

	memset(&c, 0, sizeof c);
	cli_encoder_cfg(o, &c.enc);
	c.ingest_only = o->run_mode == RUN_INGEST;
	/* The layout the input converts into (open_input): NV12, a guess,
	 * until the first encoder opens and the stage stores its own. */
	p->yuv_layout = o->run_mode == RUN_PIPELINE && o->encoder_device != ENCDEV_PASSTHROUGH ?
			PIX_NV12 : -1;
	c.layout_out = p->yuv_layout >= 0 ? &p->yuv_layout : NULL;
	return encode_stage_open(&p->es, &c, &out);
}

static void teardown(struct pipeline *p)
{
	unsigned i;
	int k;

	for (k = 0; k < p->nsinks; k++)
		p->sinks[k].ops->close(p->sinks[k].st);
	if (CONFIG_NATS && p->ctl)
		control_close(p->ctl);
#if CONFIG_METRICS
	httpd_close(p->httpd);
#endif
	free(p->body_pending);
	free(p->sei_buf);
	free(p->au_scratch);
	free(p->lat_sei);
	free(p->lat_scratch);
	encode_stage_close(p->es);
	if (p->in)
		p->iops->close(p->in);
	for (i = 0; p->frames && i < p->nframes; i++)
		frame_slot_free(&p->frames[i]);
	free(p->frames);
	for (i = 0; i < AU_DEPTH + 2; i++)
		free(p->aus[i].data);
	if (p->frame_efd > 0)
		close(p->frame_efd);
	if (p->au_efd > 0)
		close(p->au_efd);
}

int pipeline_run(const struct streamer_opts *o)
{
	struct pipeline *p = calloc(1, sizeof *p);
	pthread_t ti, te;
	struct sigaction sa;
	int rc;

	if (!p) {
		log_error(TAG, "out of memory");
		return EXIT_INIT;
	}
	p->o = o;
	p->frame_efd = p->au_efd = -1;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	rc = alloc_slots(p) < 0 || open_encode_stage(p) < 0 ? EXIT_INIT : 0;
	if (rc)
		log_error(TAG, "out of memory allocating frame slots");
	if (!rc)
		rc = open_input(p);
	if (!rc && o->run_mode == RUN_PIPELINE)
		rc = open_sinks(p);
	if (!rc && o->run_mode == RUN_PIPELINE)
		rc = open_metrics(p);
	/* Software encoders are opened on the first frame (geometry comes
	 * from the producer); fail early when none can exist at all. */
	if (!rc && o->run_mode == RUN_PIPELINE && !CONFIG_ENC_X264 && o->codec == CODEC_H264 &&
	    !CONFIG_NVENC && !CONFIG_PASSTHROUGH) {
		log_error(TAG, "no H.264 encoder is built in");
		rc = EXIT_INIT;
	}
	/* --realtime, --cpu-affinity: after the start-up allocations (locked
	 * now), before the frame-path threads (locked and pinned as they start) */
	if (!rc)
		rc = rt_setup(o->realtime, (int)o->realtime_priority, o->cpu_affinity);
	/* With no encoder to wait for (--encoder-device passthrough: the
	 * stage only forwards the producer's AU; --run-mode ingest: it only
	 * counts), a second thread would add a wake-up per frame and nothing
	 * else: the ingest thread runs the stage itself. */
	p->inline_stage = o->encoder_device == ENCDEV_PASSTHROUGH || o->run_mode == RUN_INGEST;
	if (!rc && pthread_create(&ti, NULL, ingest_thread, p))
		rc = EXIT_INIT;
	if (rc) {
		teardown(p);
		free(p);
		return rc;
	}
	if (!p->inline_stage && pthread_create(&te, NULL, encode_thread, p)) {
		fatal(p, EXIT_INIT);
		pthread_join(ti, NULL);
		teardown(p);
		free(p);
		return EXIT_INIT;
	}
	io_loop(p);
	__atomic_store_n(&p->stop, 1, __ATOMIC_RELEASE);
	pthread_join(ti, NULL);
	if (!p->inline_stage)
		pthread_join(te, NULL);
	if (got_signal)
		log_info(TAG, "signal %d: clean shutdown", (int)got_signal);
	teardown(p);
	rc = p->exit_code;
	free(p);
	return rc;
}
