/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pipeline.c - the streamer: ingest -> encode/passthrough -> sinks.
 *
 * Three fixed threads, hand-offs through lock-free "latest wins" queues
 * of preallocated slots (core/ring.h), wake-ups through eventfds:
 *
 *   ingest  ZMQ sync + coherent SHM copy (or the dummy generator)
 *           -> frame slot -> fq ............................ wakes encode
 *   encode  frame slot -> passthrough copy, or pixconv + encoder
 *           -> access-unit slot -> aq ........................ wakes I/O
 *   io      aq -> RTP (send now) and RTMP (queue into its send window),
 *           RTMP state machine, RTCP timer, stats line
 *
 * Nothing on this path allocates after pipeline_run() set up the slots:
 * frames and AUs larger than their slots are dropped and counted.  A
 * stalled sink cannot slow ingest or encode: every queue drops its oldest
 * entry instead of waiting, and the sinks never block.
 */
#define _GNU_SOURCE
#include "core/pipeline.h"
#include "core/control.h"
#include "core/ring.h"
#include "codec/au.h"
#include "codec/encoder.h"
#include "codec/nal.h"
#include "codec/pixconv.h"
#include "codec/sei.h"
#include "ipc/ingest.h"
#include "ipc/target.h"
#include "proto/rtmp_sink.h"
#include "proto/rtp_sink.h"
#include "util/clock.h"
#include "util/exitcodes.h"
#include "util/log.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define TAG "pipeline"
#define AU_DEPTH 8          /* encoded AUs in flight towards the sinks */
#define POLL_MS 100
#define DRAIN_MS 2000       /* at the end, let the RTMP window empty */
#define BODY_DEPTH 4        /* body tracking packets in flight to encode */
#define BODY_MAX (64 * 1024)

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

struct au_slot {
	struct access_unit au;
};

struct body_slot {
	uint8_t *buf;
	size_t n;
	uint32_t frame;
};

struct pipeline {
	const struct streamer_opts *o;
	int stop;                       /* atomic: ask threads to end */
	int ingest_done, encode_done;   /* atomic */
	int want_key;                   /* atomic: a sink asked for a keyframe */
	int exit_code;                  /* first fatal error wins */

	/* ingest -> encode */
	struct ingest *in;
	struct frame_slot *frames;
	unsigned nframes;
	struct lq fq;
	int frame_efd;
	uint64_t frames_in, frames_idle_stop;

	/* encode */
	struct encoder *enc;
	uint32_t enc_w, enc_h;
	int enc_fmt;
	struct yuv_frame yuv;
	uint8_t *yuv_buf;
	int need_key;                   /* passthrough: wait for a keyframe */
	const char *enc_name;           /* static string, read by io for stats */
	uint64_t in_base, out_base, last_out, last_capture;
	int have_ts;
	uint64_t frames_encoded, au_dropped, passthrough, frames_too_big;
	uint32_t au_seq;

	/* encode -> io */
	struct au_slot aus[AU_DEPTH + 2];
	struct lq aq;
	int au_efd;

	/* io */
	struct rtp_sink *rtp;
	struct rtmp_sink *rtmp;
	uint64_t aus_out, bytes_out;

	/* NATS control plane (io thread) */
	struct control *ctl;
	char instance[32];
	int producer_state;             /* MODULE_STATUS_*, 0 unknown */
	int ts_domain;                  /* TS_DOMAIN_* from source info */
	uint64_t resets_claimed;        /* ingest regressions matched with a STREAM_RESET */

	/* body tracking side data: io -> encode */
	struct body_slot bodies[BODY_DEPTH + 2];
	struct lq bq;
	uint8_t *body_pending, *sei_buf, *au_scratch;
	size_t body_pending_n;
	uint32_t body_pending_frame;
	uint64_t bodies_in, bodies_attached, bodies_dropped;
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

/* ------------------------------------------------------------ ingest */

/* The built-in generator: the upstream dummy producer's pattern, BGR,
 * media time from 0, paced on CLOCK_MONOTONIC. */
static int dummy_next(struct pipeline *p, struct frame_slot *s, uint64_t n,
		      uint64_t t0)
{
	const struct streamer_opts *o = p->o;
	uint64_t period = 1000000000ull / (uint64_t)o->dummy_fps;
	uint64_t due = t0 + n * period, now = clock_mono_ns();
	uint32_t w = (uint32_t)o->dummy_width, h = (uint32_t)o->dummy_height;

	if (o->dummy_frames && n >= (uint64_t)o->dummy_frames)
		return -1;
	if (due > now) {
		uint64_t d = due - now;
		if (d > POLL_MS * 1000000ull)
			d = POLL_MS * 1000000ull;
		clock_sleep_ns(d);
		if (clock_mono_ns() < due)
			return 0;
	}
	s->width = w;
	s->height = h;
	s->stride = w * 3;
	s->pixel_format = SRC_BGR;
	s->pix_size = (size_t)s->stride * h;
	cvmmap_dummy_pattern(s->pix, w, h, s->stride, (uint32_t)n);
	s->au_size = 0;
	s->au_codec = 0;
	s->fps_num = (uint32_t)o->dummy_fps;
	s->fps_den = 1;
	s->frame_id = (uint32_t)n;
	s->capture_ns = n * period;
	s->sync_mono_ns = clock_mono_ns();
	s->suspect = 0;
	s->reset = 0;
	return 1;
}

static void *ingest_thread(void *arg)
{
	struct pipeline *p = arg;
	const struct streamer_opts *o = p->o;
	uint64_t t0 = clock_mono_ns(), n = 0, last_frame = clock_mono_ns();
	int slot = lq_acquire(&p->fq);

	while (!stopping(p)) {
		struct frame_slot *s = &p->frames[slot];
		int r;

		if (o->input_mode == INPUT_DUMMY || !CONFIG_CVMMAP)
			r = dummy_next(p, s, n, t0);
		else
			r = ingest_next(p->in, POLL_MS, s);
		if (r < 0) {
			if (o->input_mode != INPUT_DUMMY) {
				log_error(TAG, "ingest failed: %s", strerror(-r));
				fatal(p, EXIT_INIT);
			}
			break; /* dummy: all frames produced */
		}
		if (r == 0) {
			if (o->ingest_idle_timeout_ms &&
			    clock_mono_ns() - last_frame >
			    (uint64_t)o->ingest_idle_timeout_ms * 1000000ull) {
				log_info(TAG, "no frame for %ld ms: stopping",
					 o->ingest_idle_timeout_ms);
				break;
			}
			continue;
		}
		n++;
		last_frame = clock_mono_ns();
		STAT_ADD(p->frames_in, 1);
		lq_publish(&p->fq, (unsigned)slot);
		wake(p->frame_efd);
		slot = lq_acquire(&p->fq);
		if (o->ingest_max_frames && STAT(p->frames_in) >= (uint64_t)o->ingest_max_frames)
			break;
	}
	__atomic_store_n(&p->ingest_done, 1, __ATOMIC_RELEASE);
	wake(p->frame_efd);
	return NULL;
}

/* ------------------------------------------------------------ encode */

/* Map a producer timestamp to the output timeline: continuous, strictly
 * increasing, rebased whenever the producer's clock goes back (reset,
 * loop, restart) so RTP/RTMP time never runs backwards.  Returns 1 when
 * this frame starts a new segment. */
static int rebase(struct pipeline *p, uint64_t ts, int reset, uint64_t frame_ns)
{
	int jump = 0;

	if (!p->have_ts) {
		p->in_base = ts;
		p->out_base = 0;
		p->have_ts = 1;
		jump = 1;
	} else if (reset || ts <= p->last_capture) {
		p->in_base = ts;
		p->out_base = p->last_out + frame_ns;
		jump = 1;
	}
	p->last_capture = ts;
	ts = p->out_base + (ts - p->in_base);
	if (!jump && ts <= p->last_out)
		ts = p->last_out + 1;
	p->last_out = ts;
	return jump;
}

static int publish_au(struct pipeline *p, const uint8_t *data, size_t n, int codec,
		      int key, const struct frame_slot *s, int discont)
{
	int slot = lq_acquire(&p->aq);
	struct access_unit *au = &p->aus[slot].au;

	if (n > au->cap) {
		STAT_ADD(p->frames_too_big, 1);
		log_warn(TAG, "access unit of %zu bytes exceeds the %zu-byte slot "
			 "(CONFIG_MAX_AU_KIB): dropped", n, au->cap);
		lq_unacquire(&p->aq, (unsigned)slot);
		return -1;
	}
	memcpy(au->data, data, n);
	au->size = n;
	au->codec = codec;
	au->keyframe = key;
	au->pts_ns = au->dts_ns = p->last_out;
	au->capture_ns = s->capture_ns;
	au->sync_mono_ns = s->sync_mono_ns;
	au->frame_id = s->frame_id;
	au->width = s->width;
	au->height = s->height;
	au->seq = p->au_seq++;
	au->discontinuity = discont;
	if (lq_publish(&p->aq, (unsigned)slot))
		STAT_ADD(p->au_dropped, 1);
	wake(p->au_efd);
	return 0;
}

/* Body tracking as SEI: the newest packet received so far is attached to
 * the AU of its frame, or to the first later AU when it arrived after its
 * frame was encoded (the packet carries its frame_count, so a reader can
 * still match it).  Older unattached packets are superseded and counted. */
static void take_bodies(struct pipeline *p)
{
	int b;

	while ((b = lq_take(&p->bq)) >= 0) {
		if (p->body_pending_n)
			STAT_ADD(p->bodies_dropped, 1);
		memcpy(p->body_pending, p->bodies[b].buf, p->bodies[b].n);
		p->body_pending_n = p->bodies[b].n;
		p->body_pending_frame = p->bodies[b].frame;
		lq_release(&p->bq, (unsigned)b);
	}
}

static void emit_au(struct pipeline *p, const uint8_t *data, size_t n, int codec,
		    int key, const struct frame_slot *s, int discont)
{
	if (CONFIG_NATS && p->o->body_sei) {
		take_bodies(p);
		if (p->body_pending_n && (int32_t)(s->frame_id - p->body_pending_frame) >= 0) {
			size_t cap = (size_t)CONFIG_MAX_AU_KIB * 1024;
			int sn = sei_build_user_data(codec, body_sei_uuid, p->body_pending,
						     p->body_pending_n, p->sei_buf, BODY_MAX * 2);
			int an = sn > 0 ? annexb_insert_sei(codec, data, n, p->sei_buf, (size_t)sn,
							    p->au_scratch, cap) : -1;

			p->body_pending_n = 0;
			if (an > 0) {
				STAT_ADD(p->bodies_attached, 1);
				publish_au(p, p->au_scratch, (size_t)an, codec, key, s, discont);
				return;
			}
			STAT_ADD(p->bodies_dropped, 1);
		}
	}
	publish_au(p, data, n, codec, key, s, discont);
}

static int open_encoder(struct pipeline *p, const struct frame_slot *s)
{
	const struct streamer_opts *o = p->o;
	struct encoder_cfg c;
	uint32_t w = (s->width + 1) & ~1u, h = (s->height + 1) & ~1u;
	int r;

	if (p->enc) {
		log_info(TAG, "input changed to %ux%u format %d: reopening the encoder",
			 s->width, s->height, s->pixel_format);
		encoder_close(p->enc);
		p->enc = NULL;
	}
	memset(&c, 0, sizeof c);
	c.codec = o->codec;
	c.device = o->encoder_device;
	c.preset = o->preset;
	c.width = w;
	c.height = h;
	c.fps_num = s->fps_num ? s->fps_num : 30;
	c.fps_den = s->fps_num ? (s->fps_den ? s->fps_den : 1) : 1;
	c.gop = (int)o->gop;
	c.b_frames = (int)o->b_frames;
	c.bitrate_kbps = (int)o->bitrate_kbps;
	c.quality = (int)o->quality;
	c.threads = (int)o->threads;
	r = encoder_open(&p->enc, &c);
	if (r < 0) {
		log_error(TAG, "no %s encoder could be opened (%s)",
			  codec_names[o->codec], strerror(-r));
		return r;
	}
	p->enc_w = s->width;
	p->enc_h = s->height;
	p->enc_fmt = s->pixel_format;
	p->yuv.layout = encoder_input_layout(p->enc);
	p->yuv.width = w;
	p->yuv.height = h;
	p->yuv.plane[0] = p->yuv_buf;
	p->yuv.stride[0] = w;
	p->yuv.plane[1] = p->yuv_buf + (size_t)w * h;
	if (p->yuv.layout == PIX_NV12) {
		p->yuv.stride[1] = w;
		p->yuv.plane[2] = NULL;
		p->yuv.stride[2] = 0;
	} else {
		p->yuv.stride[1] = w / 2;
		p->yuv.plane[2] = p->yuv.plane[1] + (size_t)(w / 2) * (h / 2);
		p->yuv.stride[2] = w / 2;
	}
	__atomic_store_n(&p->enc_name, encoder_name(p->enc), __ATOMIC_RELAXED);
	log_info(TAG, "encoder %s %ux%u", encoder_name(p->enc), w, h);
	return 0;
}

static void encode_frame(struct pipeline *p, struct frame_slot *s)
{
	const struct streamer_opts *o = p->o;
	int want_codec = o->codec == CODEC_H264 ? 1 : 2;
	int pass = CONFIG_PASSTHROUGH && s->au_size && s->au_codec == want_codec &&
		   (o->encoder_device == ENCDEV_AUTO || o->encoder_device == ENCDEV_PASSTHROUGH);
	uint64_t frame_ns = s->fps_num ? 1000000000ull * (s->fps_den ? s->fps_den : 1) / s->fps_num
				       : 33333333ull;
	int jump, key_req = __atomic_exchange_n(&p->want_key, 0, __ATOMIC_ACQ_REL);
	struct access_unit au;
	int r;

	if (o->run_mode == RUN_INGEST)
		return;
	if (o->encoder_device == ENCDEV_PASSTHROUGH && !pass) {
		log_error(TAG, "--encoder-device passthrough: the producer's frame carries %s",
			  s->au_size ? "an access unit of the other codec" : "no encoded access unit");
		fatal(p, EXIT_INIT);
		return;
	}
	jump = rebase(p, pass && s->au_pts_ns ? s->au_pts_ns : s->capture_ns,
		      s->reset, frame_ns);
	if (pass) {
		/* Passthrough: the producer's AU as is, from a keyframe on
		 * after any start, reset, suspect read or sink request. */
		if (jump || s->suspect || key_req)
			p->need_key = 1;
		if (p->need_key && !s->au_keyframe) {
			STAT_ADD(p->au_dropped, 1);
			return;
		}
		p->need_key = 0;
		STAT_ADD(p->passthrough, 1);
		__atomic_store_n(&p->enc_name, "passthrough", __ATOMIC_RELAXED);
		emit_au(p, s->au, s->au_size, o->codec, s->au_keyframe, s, jump);
		return;
	}
	if (s->width == 0 || s->height == 0 || s->pix_size == 0)
		return;
	if (!p->enc || s->width != p->enc_w || s->height != p->enc_h ||
	    s->pixel_format != p->enc_fmt) {
		if (open_encoder(p, s) < 0) {
			fatal(p, EXIT_INIT);
			return;
		}
	}
	if (jump || key_req)
		encoder_force_keyframe(p->enc);
	if (pixconv_to_yuv(s->pixel_format, s->pix, s->stride, s->width, s->height,
			   &p->yuv) < 0) {
		static struct log_limit rl;
		log_limited(&rl, LOG_WARN, TAG, "unsupported pixel format %d: frame dropped",
			    s->pixel_format);
		return;
	}
	p->yuv.pts_ns = p->last_out;
	r = encoder_encode(p->enc, &p->yuv, &au);
	if (r < 0) {
		static struct log_limit rl;
		log_limited(&rl, LOG_WARN, TAG, "encode failed: %s", strerror(-r));
		return;
	}
	p->frames_encoded++;
	/* NVENC may have switched itself to software (encoder.h) */
	__atomic_store_n(&p->enc_name, encoder_name(p->enc), __ATOMIC_RELAXED);
	if (r > 0)
		emit_au(p, au.data, au.size, o->codec, au.keyframe, s, jump || au.discontinuity);
}

static void *encode_thread(void *arg)
{
	struct pipeline *p = arg;
	struct pollfd pfd = { p->frame_efd, POLLIN, 0 };

	for (;;) {
		int s;

		if (poll(&pfd, 1, POLL_MS) > 0)
			drain(p->frame_efd);
		while ((s = lq_take(&p->fq)) >= 0) {
			encode_frame(p, &p->frames[s]);
			lq_release(&p->fq, (unsigned)s);
		}
		if (__atomic_load_n(&p->ingest_done, __ATOMIC_ACQUIRE) &&
		    spsc_count(&p->fq.pub) == 0)
			break;
		if (stopping(p))
			break;
	}
	__atomic_store_n(&p->encode_done, 1, __ATOMIC_RELEASE);
	wake(p->au_efd);
	return NULL;
}

/* ------------------------------------------------------------ io */

/* Everything the stats line and the status JSON report, read once on the
 * io thread (counters of other threads with relaxed atomic loads). */
struct snapshot {
	struct ingest_stats in;
	struct rtp_sink_stats rtp;
	struct rtmp_sink_stats rtmp;
	unsigned long long frames_in, dropped, too_big;
	const char *enc;
};

static void take_snapshot(struct pipeline *p, struct snapshot *s)
{
	memset(s, 0, sizeof *s);
	if (CONFIG_CVMMAP && p->in)
		ingest_get_stats(p->in, &s->in);
	if (CONFIG_RTP && p->rtp)
		rtp_sink_get_stats(p->rtp, &s->rtp);
	if (CONFIG_RTMP && p->rtmp)
		rtmp_sink_get_stats(p->rtmp, &s->rtmp);
	s->frames_in = STAT(p->frames_in);
	s->dropped = STAT(p->fq.drops) + STAT(p->aq.drops) + STAT(p->au_dropped);
	s->too_big = s->in.too_big + STAT(p->frames_too_big);
	s->enc = STAT(p->enc_name) ? STAT(p->enc_name) : "none";
}

static void print_stats(struct pipeline *p, uint64_t dt_ns, uint64_t *last_out,
			uint64_t *last_bytes, const char *when)
{
	static const char *const names[] = {
		"idle", "connecting", "handshake", "commands", "publishing", "backoff"
	};
	char rtp[96] = "", rtmp[128] = "";
	double secs = dt_ns ? (double)dt_ns / 1e9 : 1.0;
	struct snapshot s;

	take_snapshot(p, &s);
	if (CONFIG_RTP && p->rtp)
		snprintf(rtp, sizeof rtp, " rtp[pkts=%llu aus=%llu err=%llu]",
			 (unsigned long long)s.rtp.packets, (unsigned long long)s.rtp.aus,
			 (unsigned long long)s.rtp.send_errors);
	if (CONFIG_RTMP && p->rtmp)
		snprintf(rtmp, sizeof rtmp, " rtmp[%s sent=%llu dropped=%llu connects=%llu failures=%llu]",
			 s.rtmp.state >= 0 && s.rtmp.state <= RTMP_BACKOFF ? names[s.rtmp.state] : "?",
			 (unsigned long long)s.rtmp.aus_sent, (unsigned long long)s.rtmp.aus_dropped,
			 (unsigned long long)s.rtmp.connects, (unsigned long long)s.rtmp.failures);
	log_info(TAG, "%s: in=%llu out=%llu torn=%llu rejected=%llu too_big=%llu resets=%llu "
		 "reattached=%llu dropped=%llu enc=%s fps=%.1f kbps=%.0f%s%s", when,
		 s.frames_in, (unsigned long long)p->aus_out,
		 (unsigned long long)s.in.torn, (unsigned long long)s.in.rejected, s.too_big,
		 (unsigned long long)s.in.resets, (unsigned long long)s.in.reattached,
		 s.dropped, s.enc,
		 (double)(p->aus_out - *last_out) / secs,
		 (double)(p->bytes_out - *last_bytes) * 8 / 1000 / secs, rtp, rtmp);
	*last_out = p->aus_out;
	*last_bytes = p->bytes_out;
}

static void io_loop(struct pipeline *p)
{
	const struct streamer_opts *o = p->o;
	uint64_t stats_t = clock_mono_ns(), drain_until = 0;
	uint64_t last_out = 0, last_bytes = 0, t_start = stats_t;

	for (;;) {
		struct pollfd pfd[3] = { { p->au_efd, POLLIN, 0 }, { -1, 0, 0 }, { -1, 0, 0 } };
		int timeout = POLL_MS, s;
		uint64_t now = clock_mono_ns();

		if (CONFIG_RTMP && p->rtmp)
			rtmp_sink_pollfd(p->rtmp, &pfd[1], &timeout, now);
		if (CONFIG_NATS && p->ctl)
			control_pollfd(p->ctl, &pfd[2], &timeout, now);
		/* poll ignores entries with fd -1 */
		if (poll(pfd, 3, timeout) < 0 && errno != EINTR)
			log_warn(TAG, "poll: %s", strerror(errno));
		now = clock_mono_ns();
		if (pfd[0].revents)
			drain(p->au_efd);
		while ((s = lq_take(&p->aq)) >= 0) {
			const struct access_unit *au = &p->aus[s].au;

			if (CONFIG_RTP && p->rtp)
				rtp_sink_send(p->rtp, au, now);
			if (CONFIG_RTMP && p->rtmp)
				rtmp_sink_put(p->rtmp, au, now);
			p->aus_out++;
			p->bytes_out += au->size;
			lq_release(&p->aq, (unsigned)s);
		}
		if (CONFIG_RTMP && p->rtmp) {
			rtmp_sink_service(p->rtmp, pfd[1].revents, now);
			if (rtmp_sink_take_keyframe_request(p->rtmp))
				__atomic_store_n(&p->want_key, 1, __ATOMIC_RELEASE);
		}
		if (CONFIG_RTP && p->rtp)
			rtp_sink_tick(p->rtp, now);
		if (CONFIG_NATS && p->ctl)
			control_service(p->ctl, pfd[2].revents, now);
		if (o->stats_interval_ms &&
		    now - stats_t >= (uint64_t)o->stats_interval_ms * 1000000ull) {
			print_stats(p, now - stats_t, &last_out, &last_bytes, "stats");
			stats_t = now;
		}
		if (!__atomic_load_n(&p->encode_done, __ATOMIC_ACQUIRE) ||
		    spsc_count(&p->aq.pub))
			continue;
		/* Input is over: give the RTMP window a moment to empty. */
		if (!drain_until)
			drain_until = now + (got_signal ? 0 : DRAIN_MS * 1000000ull);
		if (now >= drain_until || !CONFIG_RTMP || !p->rtmp)
			break;
		{
			struct rtmp_sink_stats st;
			rtmp_sink_get_stats(p->rtmp, &st);
			if (st.state != RTMP_PUBLISHING && st.state != RTMP_COMMANDS &&
			    st.state != RTMP_HANDSHAKE && st.state != RTMP_CONNECTING)
				break;
			if (rtmp_sink_pending(p->rtmp) == 0)
				break;
		}
	}
	print_stats(p, clock_mono_ns() - t_start, &(uint64_t){ 0 }, &(uint64_t){ 0 },
		    "exit");
}

/* ------------------------------------------------------------ setup */

static int open_control(struct pipeline *p, const char *nats_key);

static int open_input(struct pipeline *p)
{
	const struct streamer_opts *o = p->o;
	struct cvmmap_target t;
	struct ingest_cfg c;
	char err[256];
	int r;

	if (o->input_mode == INPUT_DUMMY || !CONFIG_CVMMAP)
		return 0;
	memset(&c, 0, sizeof c);
	if (o->input)
		r = cvmmap_target_resolve(o->input, &t, err, sizeof err);
	else
		r = cvmmap_target_explicit(o->shm_name, o->zmq_endpoint, NULL, &t,
					   err, sizeof err);
	if (r < 0) {
		log_error(TAG, "%s: %s", o->input ? "--input" : "--shm-name/--zmq-endpoint", err);
		return EXIT_USAGE;
	}
	c.shm_name = t.shm_name;
	c.zmq_endpoint = t.zmq_endpoint;
	c.label = o->input ? t.label : NULL;
	/* Passthrough forwards the producer's AU: its raw plane is not read. */
	if (CONFIG_PASSTHROUGH && o->run_mode == RUN_PIPELINE &&
	    (o->encoder_device == ENCDEV_AUTO || o->encoder_device == ENCDEV_PASSTHROUGH))
		c.au_only_codec = o->codec == CODEC_H264 ? 1 : 2;
	snprintf(p->instance, sizeof p->instance, "%s", t.instance);
	r = open_control(p, t.nats_key[0] ? t.nats_key : NULL);
	if (r)
		return r;
	r = ingest_open(&p->in, &c);
	if (r < 0) {
		log_error(TAG, "cannot open cv-mmap input %s: %s", c.zmq_endpoint,
			  strerror(-r));
		return EXIT_INIT;
	}
	return 0;
}

/* ---- NATS callbacks (io thread) ---- */

static void ctl_status(void *arg, uint32_t status)
{
	struct pipeline *p = arg;
	struct ingest_stats is;

	/* A STREAM_RESET starts a new segment of a producer that is online. */
	p->producer_state = status == MODULE_STATUS_STREAM_RESET ? MODULE_STATUS_ONLINE
								 : (int)status;
	/* STREAM_RESET and the first frame of the new segment are not
	 * ordered (CONTRACT.md 10).  The ingest counts every regression
	 * before it hands the frame on, so a regression no STREAM_RESET has
	 * claimed yet means this event is late: that frame is (being)
	 * rebased.  Otherwise the event is early: mark the next frame, and
	 * claim the regression it will bring. */
	if (status == MODULE_STATUS_STREAM_RESET && CONFIG_CVMMAP && p->in) {
		ingest_get_stats(p->in, &is);
		if (is.resets > p->resets_claimed) {
			p->resets_claimed = is.resets;
			log_info(TAG, "STREAM_RESET after the new segment's first frame: "
				 "already rebased");
		} else {
			p->resets_claimed = is.resets + 1;
			ingest_note_reset(p->in);
			log_info(TAG, "STREAM_RESET: the next frame starts a new segment "
				 "(rebase + keyframe)");
		}
	}
	control_status_changed(p->ctl);
}

static void ctl_body(void *arg, const struct body_view *v)
{
	struct pipeline *p = arg;
	int b;

	STAT_ADD(p->bodies_in, 1);
	if (!p->o->body_sei)
		return;
	if (v->packet_size > BODY_MAX) {
		static struct log_limit rl;
		STAT_ADD(p->bodies_dropped, 1);
		log_limited(&rl, LOG_WARN, TAG, "body packet of %zu bytes exceeds %d: "
			    "not carried", v->packet_size, BODY_MAX);
		return;
	}
	b = lq_acquire(&p->bq);
	memcpy(p->bodies[b].buf, v->packet, v->packet_size);
	p->bodies[b].n = v->packet_size;
	p->bodies[b].frame = v->frame_count;
	if (lq_publish(&p->bq, (unsigned)b))
		STAT_ADD(p->bodies_dropped, 1);
}

static void ctl_source_info(void *arg, const struct pb_source_info *si, const char *era)
{
	struct pipeline *p = arg;
	static const char *const dom[] = { "unknown", "unix epoch", "media time" };

	p->ts_domain = (int)si->timestamp_domain;
	if (CONFIG_RTP && p->rtp)
		rtp_sink_set_capture_clock(p->rtp, si->timestamp_domain == TS_DOMAIN_UNIX_EPOCH_NS);
	log_info(TAG, "producer source info (%s subjects): %s source, timestamps in %s",
		 era, si->source_kind == SOURCE_KIND_LIVE ? "live" :
		 si->source_kind == SOURCE_KIND_FINITE ? "finite" : "unknown",
		 si->timestamp_domain < 3 ? dom[si->timestamp_domain] : "unknown");
}

static int ctl_status_json(void *arg, char *buf, size_t cap)
{
	struct pipeline *p = arg;
	static const char *const prod[] = { "unknown", "online", "offline" };
	char rtp[128] = "null", rtmp[160] = "null";
	struct snapshot s;
	int n;

	take_snapshot(p, &s);
	if (CONFIG_RTP && p->rtp)
		snprintf(rtp, sizeof rtp, "{\"packets\":%llu,\"aus\":%llu,\"send_errors\":%llu}",
			 (unsigned long long)s.rtp.packets, (unsigned long long)s.rtp.aus,
			 (unsigned long long)s.rtp.send_errors);
	if (CONFIG_RTMP && p->rtmp)
		snprintf(rtmp, sizeof rtmp, "{\"state\":%d,\"aus_sent\":%llu,"
			 "\"aus_dropped\":%llu,\"connects\":%llu}", s.rtmp.state,
			 (unsigned long long)s.rtmp.aus_sent, (unsigned long long)s.rtmp.aus_dropped,
			 (unsigned long long)s.rtmp.connects);
	n = snprintf(buf, cap, "{\"instance\":\"%s\",\"producer\":\"%s\","
		     "\"frames_in\":%llu,\"aus_out\":%llu,\"torn\":%llu,\"rejected\":%llu,"
		     "\"dropped\":%llu,\"resets\":%llu,\"encoder\":\"%s\","
		     "\"bodies_in\":%llu,\"bodies_attached\":%llu,\"rtp\":%s,\"rtmp\":%s}",
		     p->instance, p->producer_state >= 0 && p->producer_state <= 2 ?
		     prod[p->producer_state] : "unknown",
		     s.frames_in, (unsigned long long)p->aus_out,
		     (unsigned long long)s.in.torn, (unsigned long long)s.in.rejected,
		     s.dropped, (unsigned long long)s.in.resets, s.enc,
		     (unsigned long long)STAT(p->bodies_in), (unsigned long long)STAT(p->bodies_attached),
		     rtp, rtmp);
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
	int r;

	if (CONFIG_RTP && o->rtp) {
		struct rtp_sink_cfg c;

		memset(&c, 0, sizeof c);
		c.endpoint = o->rtp_endpoint;
		c.payload_type = (int)o->rtp_payload_type;
		c.sdp_path = o->rtp_sdp;
		c.mtu = (int)o->rtp_mtu;
		c.rtcp = !o->no_rtcp;
		c.codec = o->codec;
		c.bitexact = o->bitexact;
		r = rtp_sink_open(&p->rtp, &c);
		if (r < 0) {
			log_error(TAG, "RTP output %s: %s", o->rtp_endpoint, strerror(-r));
			return r == -EINVAL ? EXIT_USAGE : EXIT_INIT;
		}
	}
	if (CONFIG_RTMP && o->rtmp) {
		struct rtmp_sink_cfg c;

		memset(&c, 0, sizeof c);
		c.url = o->rtmp_url;
		c.codec = o->codec;
		c.mode = o->rtmp_mode == RTMP_MODE_UNSET ? RTMP_MODE_ENHANCED : o->rtmp_mode;
		c.reconnect_min_ms = (int)o->rtmp_reconnect_min_ms;
		c.reconnect_max_ms = (int)o->rtmp_reconnect_max_ms;
		c.send_window_ms = (int)o->rtmp_send_window_ms;
		c.width = o->input_mode == INPUT_DUMMY ? (uint32_t)o->dummy_width : 0;
		c.height = o->input_mode == INPUT_DUMMY ? (uint32_t)o->dummy_height : 0;
		c.fps = o->input_mode == INPUT_DUMMY ? (double)o->dummy_fps : 30.0;
		c.bitexact = o->bitexact;
		r = rtmp_sink_open(&p->rtmp, &c);
		if (r < 0) {
			log_error(TAG, "RTMP output: %s", strerror(-r));
			return r == -EINVAL ? EXIT_USAGE : EXIT_INIT;
		}
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
	p->nframes = lq_slots((unsigned)o->queue_size);
	p->frames = calloc(p->nframes, sizeof *p->frames);
	if (!p->frames)
		return -ENOMEM;
	for (i = 0; i < p->nframes; i++) {
		if (frame_slot_alloc(&p->frames[i], pix, au) < 0)
			return -ENOMEM;
	}
	lq_init(&p->fq, (unsigned)o->queue_size);
	for (i = 0; i < AU_DEPTH + 2; i++) {
		p->aus[i].au.data = malloc(au);
		p->aus[i].au.cap = au;
		if (!p->aus[i].au.data)
			return -ENOMEM;
	}
	lq_init(&p->aq, AU_DEPTH);
	/* I420 of the largest frame (NV12 is the same size). */
	p->yuv_buf = malloc((size_t)(CONFIG_MAX_WIDTH + 1) * (CONFIG_MAX_HEIGHT + 1) * 3 / 2 + 64);
	if (!p->yuv_buf)
		return -ENOMEM;
	if (CONFIG_NATS && o->body_sei) {
		for (i = 0; i < BODY_DEPTH + 2; i++) {
			p->bodies[i].buf = malloc(BODY_MAX);
			if (!p->bodies[i].buf)
				return -ENOMEM;
		}
		lq_init(&p->bq, BODY_DEPTH);
		p->body_pending = malloc(BODY_MAX);
		p->sei_buf = malloc(BODY_MAX * 2);
		p->au_scratch = malloc(au);
		if (!p->body_pending || !p->sei_buf || !p->au_scratch)
			return -ENOMEM;
	}
	p->frame_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	p->au_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	return p->frame_efd < 0 || p->au_efd < 0 ? -errno : 0;
}

static void teardown(struct pipeline *p)
{
	unsigned i;

	if (CONFIG_RTP && p->rtp)
		rtp_sink_close(p->rtp);
	if (CONFIG_RTMP && p->rtmp)
		rtmp_sink_close(p->rtmp);
	if (CONFIG_NATS && p->ctl)
		control_close(p->ctl);
	for (i = 0; i < BODY_DEPTH + 2; i++)
		free(p->bodies[i].buf);
	free(p->body_pending);
	free(p->sei_buf);
	free(p->au_scratch);
	if (p->enc)
		encoder_close(p->enc);
	if (CONFIG_CVMMAP && p->in)
		ingest_close(p->in);
	for (i = 0; p->frames && i < p->nframes; i++)
		frame_slot_free(&p->frames[i]);
	free(p->frames);
	for (i = 0; i < AU_DEPTH + 2; i++)
		free(p->aus[i].au.data);
	free(p->yuv_buf);
	if (p->frame_efd > 0)
		close(p->frame_efd);
	if (p->au_efd > 0)
		close(p->au_efd);
}

int pipeline_run(const struct streamer_opts *o)
{
	static struct pipeline pl;
	struct pipeline *p = &pl;
	pthread_t ti, te;
	struct sigaction sa;
	int rc;

	memset(p, 0, sizeof *p);
	p->o = o;
	p->frame_efd = p->au_efd = -1;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (alloc_slots(p) < 0) {
		log_error(TAG, "out of memory allocating frame slots");
		teardown(p);
		return EXIT_INIT;
	}
	rc = open_input(p);
	if (!rc && o->run_mode == RUN_PIPELINE)
		rc = open_sinks(p);
	if (rc) {
		teardown(p);
		return rc;
	}
	/* Software encoders are opened on the first frame (geometry comes
	 * from the producer); fail early when none can exist at all. */
	if (o->run_mode == RUN_PIPELINE && !CONFIG_ENC_X264 && o->codec == CODEC_H264 &&
	    !CONFIG_NVENC && !CONFIG_PASSTHROUGH) {
		log_error(TAG, "no H.264 encoder is built in");
		teardown(p);
		return EXIT_INIT;
	}
	if (pthread_create(&ti, NULL, ingest_thread, p)) {
		teardown(p);
		return EXIT_INIT;
	}
	if (pthread_create(&te, NULL, encode_thread, p)) {
		fatal(p, EXIT_INIT);
		pthread_join(ti, NULL);
		teardown(p);
		return EXIT_INIT;
	}
	io_loop(p);
	__atomic_store_n(&p->stop, 1, __ATOMIC_RELEASE);
	pthread_join(ti, NULL);
	pthread_join(te, NULL);
	if (got_signal)
		log_info(TAG, "signal %d: clean shutdown", (int)got_signal);
	teardown(p);
	return p->exit_code;
}
