/* SPDX-License-Identifier: GPL-2.0-or-later */
/* encode.c - the encode thread's stage (encode.h).
 *
 * Only the encode thread calls in, except encode_stage_stats() and
 * encode_stage_name(), which read counters with relaxed atomic loads.
 */
#include "core/encode.h"

#include "codec/encoder.h"
#include "codec/paramsets.h"
#include "codec/pixconv.h"
#include "util/clock.h"
#include "util/exitcodes.h"
#include "util/log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define TAG "pipeline"
#define META_RING 64                /* frames an encoder may hold (B-frames, lookahead) */
#define ENC_SLOTS 2                 /* encoders kept open: the last two sizes */
#define PT_GIVE_UP 30               /* frames without an AU before the encoder takes over */
#define REOPEN_MIN_NS 1000000000ull /* re-opens in a row wait 1 s, then 2 s ... */
#define REOPEN_MAX_NS 64000000000ull/* ... up to 64 s; a quiet 64 s resets */
#define FPS_MIN 1                   /* a producer's frame-rate hint outside */
#define FPS_MAX 1000                /* these bounds is not believed */
#define FPS_DEFAULT 30

#define ADD(x, n) __atomic_fetch_add(&(x), (n), __ATOMIC_RELAXED)
#define LOAD(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)

const char *const lost_names[L_ENC_COUNT] = {
	"keywait", "no_au", "codec", "size", "format", "resize", "encoder",
	"au_too_big", "not_encoded",
};

/* What an AU needs to know of the frame it encodes (looked up by tag:
 * with B-frames an AU leaves the encoder after later frames went in). */
struct frame_meta {
	uint64_t capture_ns, sync_mono_ns;
	uint32_t frame_id, width, height;
	int discont;                /* the frame starts a new segment */
};

struct enc_slot {
	struct encoder *enc;
	uint32_t w, h;              /* source geometry it was opened for */
	uint64_t used;              /* LRU stamp */
	uint64_t in, out;           /* frames it took, AUs it gave */
};

struct encode_stage {
	struct encode_cfg cfg;
	struct au_out o;

	/* the output timeline */
	uint64_t in_base, out_base, last_out, last_capture, last_dts;
	int have_ts;

	/* passthrough */
	int pt_mode;                /* -1 undecided, 0 encoding, 1 forwarding */
	uint64_t reorder_ns;        /* PTS - DTS room for the producer's B-frames */
	int need_key;
	int pt_have_id;
	uint32_t pt_last_id;
	unsigned pt_missing;        /* frames in a row without an AU */

	/* encoders */
	struct enc_slot es[ENC_SLOTS];
	int cur;                    /* index into es, -1: none */
	uint64_t uses;
	int opened_any;
	uint64_t last_open_ns, reopen_gap_ns;
	int force_key;
	uint8_t *yuv_buf;
	struct yuv_frame yuv;
	uint64_t tag;
	struct frame_meta meta[META_RING];
	uint32_t au_seq;

	const char *name;           /* atomic: the back-end now running */
	struct encode_stats st;     /* atomic counters */
	uint32_t frame_id;          /* the frame being handled (for logs) */
	struct log_limit rl_size, rl_fmt, rl_enc, rl_big, rl_noau, rl_resize, rl_fps, rl_lost;
};

static void lose(struct encode_stage *e, enum lost why)
{
	ADD(e->st.lost[why], 1);
	log_limited(&e->rl_lost, LOG_DEBUG, TAG, "frame %u lost: %s", e->frame_id,
		    lost_names[why]);
}

int encode_stage_open(struct encode_stage **out, const struct encode_cfg *cfg,
		      const struct au_out *o)
{
	struct encode_stage *e = calloc(1, sizeof *e);

	*out = NULL;
	if (!e)
		return -ENOMEM;
	e->cfg = *cfg;
	e->o = *o;
	e->pt_mode = -1;
	e->cur = -1;
	/* I420 of the largest frame (NV12 is the same size) */
	e->yuv_buf = malloc((size_t)(CONFIG_MAX_WIDTH + 1) * (CONFIG_MAX_HEIGHT + 1) * 3 / 2 + 64);
	if (!e->yuv_buf) {
		free(e);
		return -ENOMEM;
	}
	*out = e;
	return 0;
}

/* ---- timeline ------------------------------------------------------------ */

/* The producer's frame-rate hint, believed only within FPS_MIN..FPS_MAX. */
static void frame_rate(struct encode_stage *e, const struct frame_slot *s,
		       uint32_t *num, uint32_t *den)
{
	uint32_t n = s->fps_num, d = s->fps_den ? s->fps_den : 1;

	if (n && (uint64_t)n >= (uint64_t)FPS_MIN * d && (uint64_t)n <= (uint64_t)FPS_MAX * d) {
		*num = n;
		*den = d;
		return;
	}
	if (n)
		log_limited(&e->rl_fps, LOG_WARN, TAG, "frame rate %u/%u from the producer is "
			    "outside %d..%d fps: using %d", s->fps_num, s->fps_den, FPS_MIN,
			    FPS_MAX, FPS_DEFAULT);
	*num = FPS_DEFAULT;
	*den = 1;
}

/* Map a producer timestamp to the output timeline: continuous, strictly
 * increasing, rebased whenever the producer's clock goes back (reset,
 * loop, restart) so output time never runs backwards.  Returns 1 when
 * this frame starts a new segment. */
static int rebase(struct encode_stage *e, uint64_t ts, int reset, uint64_t frame_ns)
{
	int jump = 0;

	if (!e->have_ts) {
		e->in_base = ts;
		e->out_base = 0;
		e->have_ts = 1;
		jump = 1;
	} else if (reset || ts <= e->last_capture) {
		e->in_base = ts;
		e->out_base = e->last_out + frame_ns;
		jump = 1;
	}
	e->last_capture = ts;
	ts = e->out_base + (ts - e->in_base);
	if (!jump && ts <= e->last_out)
		ts = e->last_out + 1;
	e->last_out = ts;
	return jump;
}

static void note_meta(struct frame_meta *m, const struct frame_slot *s, int discont)
{
	m->discont = discont;
	m->capture_ns = s->capture_ns;
	m->sync_mono_ns = s->sync_mono_ns;
	m->frame_id = s->frame_id;
	m->width = s->width;
	m->height = s->height;
}

/* Identity from the frame, the one scan for parameter sets, DTS never
 * backwards, then hand the slot on. */
static void publish(struct encode_stage *e, int slot, struct access_unit *au,
		    const struct frame_meta *m, int scanned)
{
	au->codec = e->cfg.enc.codec;
	au->capture_ns = m->capture_ns;
	au->sync_mono_ns = m->sync_mono_ns;
	au->frame_id = m->frame_id;
	au->width = m->width;
	au->height = m->height;
	au->seq = e->au_seq++;
	au->discontinuity = au->discontinuity || m->discont;
	if (au->dts_ns < e->last_dts)
		au->dts_ns = e->last_dts;
	if (au->pts_ns < au->dts_ns)
		au->pts_ns = au->dts_ns;
	e->last_dts = au->dts_ns;
	if (!scanned)
		au_scan(au);
	e->o.publish(e->o.arg, slot);
}

/* ---- passthrough ----------------------------------------------------------- */

/* The producer's AUs arrive in decode order.  cv-mmap v2.1 carries only
 * their PTS (encoded_stream_pts_ns); the frames' capture timestamps give
 * the arrival (decode) time line.  DTS = the rebased capture time, PTS =
 * DTS + (producer PTS - capture time) + the reorder room: the SPS's
 * reorder depth in frame periods (grown if a frame would otherwise show
 * before it decodes).  Without B-frames PTS = DTS = the rebased time. */
static void passthrough_times(struct encode_stage *e, const struct frame_slot *s,
			      struct access_unit *au, uint64_t frame_ns)
{
	int64_t delta = s->au_pts_ns ? (int64_t)(s->au_pts_ns - s->capture_ns) : 0;
	int64_t pts;
	struct sps_info si;

	if (au->has_ps && sps_parse(au->codec, &au->ps.sps, &si) == 0 && si.num_reorder >= 0)
		e->reorder_ns = (uint64_t)si.num_reorder * frame_ns;
	au->dts_ns = e->last_out;
	pts = (int64_t)au->dts_ns + delta + (int64_t)e->reorder_ns;
	if (pts < (int64_t)au->dts_ns) {
		e->reorder_ns += au->dts_ns - (uint64_t)pts;
		pts = (int64_t)au->dts_ns;
	}
	au->pts_ns = (uint64_t)pts;
}

static int forward(struct encode_stage *e, const struct frame_slot *s, int jump, int key_req,
		   uint64_t frame_ns)
{
	int gap = e->pt_have_id && s->frame_id != e->pt_last_id + 1, slot;
	struct access_unit *au;
	struct frame_meta m;

	e->pt_last_id = s->frame_id;
	e->pt_have_id = 1;
	e->pt_missing = 0;
	/* any gap in what the producer encoded breaks its references */
	if ((jump || s->suspect || key_req || gap) && !e->need_key)
		log_debug(TAG, "passthrough waits for a keyframe from frame %u (%s)", s->frame_id,
			  jump ? "new segment" : s->suspect ? "suspect read" :
			  key_req ? "a sink asked" : "a frame is missing");
	if (jump || s->suspect || key_req || gap)
		e->need_key = 1;
	if (e->need_key && !s->au_keyframe) {
		lose(e, L_KEYWAIT);
		return 0;
	}
	au = e->o.acquire(e->o.arg, &slot);
	if (s->au_size > au->cap) {
		e->o.unacquire(e->o.arg, slot);
		lose(e, L_AU_TOO_BIG);
		e->need_key = 1;
		log_limited(&e->rl_big, LOG_WARN, TAG, "access unit of %zu bytes exceeds the "
			    "%zu-byte slot (CONFIG_MAX_AU_KIB): dropped", s->au_size, au->cap);
		return 0;
	}
	e->need_key = 0;
	memcpy(au->data, s->au, s->au_size);
	au->size = s->au_size;
	au->codec = e->cfg.enc.codec;
	au->keyframe = s->au_keyframe;
	au->discontinuity = 0;
	au_scan(au);
	passthrough_times(e, s, au, frame_ns);
	note_meta(&m, s, jump);
	ADD(e->st.passthrough, 1);
	__atomic_store_n(&e->name, "passthrough", __ATOMIC_RELAXED);
	publish(e, slot, au, &m, 1);
	return 0;
}

/* ---- encoders --------------------------------------------------------------- */

/* Run the current encoder on e->yuv (flush: on nothing, until it is
 * empty); each AU is written straight into a hand-off slot. */
static void run(struct encode_stage *e, int flush)
{
	struct enc_slot *es = &e->es[e->cur];

	for (;;) {
		int slot, r;
		struct access_unit *au = e->o.acquire(e->o.arg, &slot);

		r = flush ? encoder_flush(es->enc, au) : encoder_encode(es->enc, &e->yuv, au);
		if (!flush && r >= 0)
			es->in++;
		if (r <= 0) {
			e->o.unacquire(e->o.arg, slot);
			if (r < 0) {
				lose(e, r == -EMSGSIZE ? L_AU_TOO_BIG : L_ENCODER);
				log_limited(&e->rl_enc, LOG_WARN, TAG, "encode failed: %s",
					    strerror(-r));
			}
			return;
		}
		es->out++;
		/* a hardware back-end may have switched itself to software */
		__atomic_store_n(&e->name, encoder_name(es->enc), __ATOMIC_RELAXED);
		publish(e, slot, au, &e->meta[au->tag % META_RING], 0);
		if (!flush)
			return;
	}
}

/* Let the current encoder give up the frames it holds (B-frames). */
static void drain_current(struct encode_stage *e)
{
	if (e->cur >= 0 && e->es[e->cur].enc)
		run(e, 1);
}

/* Close slot i; frames it took and never gave back are lost. */
static void close_slot(struct encode_stage *e, int i)
{
	struct enc_slot *es = &e->es[i];

	if (!es->enc)
		return;
	if (es->in > es->out)
		ADD(e->st.lost[L_ENCODER], es->in - es->out);
	encoder_close(es->enc);
	memset(es, 0, sizeof *es);
	if (e->cur == i)
		e->cur = -1;
}

/* An encoder for s's geometry: the current one, a kept one, or a new one
 * (rate-limited once one was opened).  0, -EAGAIN (not now), -ENODEV. */
static int select_encoder(struct encode_stage *e, const struct frame_slot *s)
{
	const struct encode_cfg *c = &e->cfg;
	struct encoder_cfg ec;
	uint64_t now;
	int i, victim = -1;

	for (i = 0; i < ENC_SLOTS; i++) {
		struct enc_slot *es = &e->es[i];

		if (es->enc && es->w == s->width && es->h == s->height) {
			if (i != e->cur) {
				/* back to a size seen before: no re-open */
				log_debug(TAG, "input %ux%u again: encoder kept open resumes",
					  s->width, s->height);
				e->cur = i;
				e->force_key = 1;
			}
			es->used = ++e->uses;
			return 0;
		}
	}
	now = clock_mono_ns();
	if (e->opened_any && now < e->last_open_ns + e->reopen_gap_ns) {
		log_limited(&e->rl_resize, LOG_WARN, TAG, "input changed to %ux%u again within "
			    "%llu s: frame dropped (encoder re-opens are rate-limited)",
			    s->width, s->height,
			    (unsigned long long)(e->reopen_gap_ns / 1000000000ull));
		return -EAGAIN;
	}
	/* B-frames: the current encoder gives up what it holds and is not kept */
	if (e->cur >= 0 && c->enc.b_frames) {
		drain_current(e);
		victim = e->cur;
	}
	for (i = 0; victim < 0 && i < ENC_SLOTS; i++)
		if (!e->es[i].enc)
			victim = i;
	for (i = 0; victim < 0 && i < ENC_SLOTS; i++)
		if (i != e->cur && (victim < 0 || e->es[i].used < e->es[victim].used))
			victim = i;
	close_slot(e, victim);
	ec = c->enc;
	ec.width = (s->width + 1) & ~1u;
	ec.height = (s->height + 1) & ~1u;
	frame_rate(e, s, &ec.fps_num, &ec.fps_den);
	if (e->opened_any)
		log_info(TAG, "input changed to %ux%u format %d: opening an encoder",
			 s->width, s->height, s->pixel_format);
	if (encoder_open(&e->es[victim].enc, &ec) < 0) {
		log_error(TAG, "no %s encoder could be opened for %ux%u",
			  codec_names[c->enc.codec], s->width, s->height);
		return -ENODEV;
	}
	/* The first open, or one after a quiet minute, lets the next come at
	 * once; re-opens in a row wait 1 s, 2 s, 4 s ... up to 64 s. */
	if (!e->opened_any || now - e->last_open_ns >= REOPEN_MAX_NS)
		e->reopen_gap_ns = 0;
	else
		e->reopen_gap_ns = !e->reopen_gap_ns ? REOPEN_MIN_NS :
				   e->reopen_gap_ns * 2 > REOPEN_MAX_NS ? REOPEN_MAX_NS :
				   e->reopen_gap_ns * 2;
	if (e->opened_any)
		ADD(e->st.reopens, 1);
	e->opened_any = 1;
	e->last_open_ns = now;
	e->es[victim].w = s->width;
	e->es[victim].h = s->height;
	e->es[victim].used = ++e->uses;
	e->cur = victim;
	__atomic_store_n(&e->name, encoder_name(e->es[victim].enc), __ATOMIC_RELAXED);
	log_info(TAG, "encoder %s %ux%u", encoder_name(e->es[victim].enc), ec.width, ec.height);
	return 0;
}

/* e->yuv for the current encoder: the slot's own picture when the input
 * converted the plane into the encoder's layout (no copy), else the
 * frame converted (or repacked) into e->yuv_buf.  0 or -EINVAL. */
static int setup_yuv(struct encode_stage *e, const struct frame_slot *s)
{
	int layout = encoder_input_layout(e->es[e->cur].enc);

	if (e->cfg.layout_out)
		__atomic_store_n(e->cfg.layout_out, layout, __ATOMIC_RELAXED);
	if (s->has_yuv && s->yuv.layout == layout) {
		e->yuv = s->yuv;
		return 0;
	}
	pixconv_layout(&e->yuv, layout, s->width, s->height, e->yuv_buf);
	if (s->has_yuv)
		return pixconv_repack(&s->yuv, &e->yuv);
	return pixconv_to_yuv(s->pixel_format, s->pix, s->stride, s->width, s->height, &e->yuv);
}

static int encode(struct encode_stage *e, const struct frame_slot *s, int jump, int key_req)
{
	size_t min = pixconv_min_stride(s->pixel_format, s->width);
	int r;

	if (!s->pix_size || s->width < ENC_MIN_DIM || s->height < ENC_MIN_DIM ||
	    s->width > CONFIG_MAX_WIDTH || s->height > CONFIG_MAX_HEIGHT) {
		lose(e, L_SIZE);
		log_limited(&e->rl_size, LOG_WARN, TAG, "frame %u of %ux%u: no encoder takes "
			    "%s (%u..%ux%u..%u): dropped", s->frame_id, s->width, s->height,
			    s->pix_size ? "that size" : "a frame without pixels",
			    ENC_MIN_DIM, CONFIG_MAX_WIDTH, ENC_MIN_DIM, CONFIG_MAX_HEIGHT);
		return 0;
	}
	if (!min || s->stride < min) {
		lose(e, L_FORMAT);
		log_limited(&e->rl_fmt, LOG_WARN, TAG, "frame %u: pixel format %d with stride %u "
			    "cannot be converted: dropped", s->frame_id, s->pixel_format, s->stride);
		return 0;
	}
	r = select_encoder(e, s);
	if (r == -EAGAIN) {
		lose(e, L_RESIZE);
		return 0;
	}
	if (r < 0) {
		lose(e, L_ENCODER);
		return e->opened_any ? 0 : EXIT_INIT;
	}
	if (jump || key_req || e->force_key)
		encoder_force_keyframe(e->es[e->cur].enc);
	e->force_key = 0;
	if (setup_yuv(e, s) < 0) {
		lose(e, L_FORMAT);
		return 0;
	}
	e->yuv.pts_ns = e->last_out;
	e->yuv.tag = e->tag++;
	note_meta(&e->meta[e->yuv.tag % META_RING], s, jump);
	ADD(e->st.encoded, 1);
	run(e, 0);
	return 0;
}

/* ---- one frame -------------------------------------------------------------- */

int encode_stage_frame(struct encode_stage *e, const struct frame_slot *s, int key_req)
{
	const struct encode_cfg *c = &e->cfg;
	int has_au = CONFIG_PASSTHROUGH && s->au_size &&
		     codec_from_cvmmap(s->au_codec) == c->enc.codec;
	int may_pass = CONFIG_PASSTHROUGH &&
		       (c->enc.device == ENCDEV_AUTO || c->enc.device == ENCDEV_PASSTHROUGH);
	uint32_t num, den;
	int jump;

	e->frame_id = s->frame_id;
	if (c->ingest_only) {
		lose(e, L_NOT_ENCODED);
		return 0;
	}
	if (key_req)
		e->need_key = 1;
	if (c->enc.device == ENCDEV_PASSTHROUGH && !has_au) {
		lose(e, s->au_size ? L_CODEC : L_NO_AU);
		e->need_key = 1;
		log_limited(&e->rl_noau, LOG_WARN, TAG, "--encoder-device passthrough: frame %u "
			    "carries %s: dropped, waiting for the next keyframe", s->frame_id,
			    s->au_size ? "an access unit of the other codec" :
			    "no encoded access unit");
		return 0;
	}
	if (may_pass) {
		if (e->pt_mode < 0) {
			e->pt_mode = has_au;            /* the first frame decides */
			log_debug(TAG, "frame %u %s: %s", s->frame_id, has_au ?
				  "carries an access unit of --codec" : "carries no usable access unit",
				  has_au ? "passthrough (the producer's own encode)" : "encoding here");
		}
		if (e->pt_mode == 1 && !has_au) {
			if (++e->pt_missing < PT_GIVE_UP || !s->pix_size) {
				lose(e, L_NO_AU);
				e->need_key = 1;
				log_limited(&e->rl_noau, LOG_WARN, TAG, "frame %u has no access "
					    "unit: dropped, passthrough waits for a keyframe",
					    s->frame_id);
				return 0;
			}
			log_info(TAG, "the producer sent no access unit for %d frames: "
				 "encoding", PT_GIVE_UP);
			e->pt_mode = 0;
			e->force_key = 1;
		} else if (e->pt_mode == 0 && has_au) {
			if (!s->au_keyframe) {
				lose(e, L_KEYWAIT);
				return 0;
			}
			log_info(TAG, "the producer sends access units again: passthrough "
				 "from its keyframe");
			drain_current(e);
			e->pt_mode = 1;
			e->pt_have_id = 0;
			e->need_key = 1;
		}
	}
	frame_rate(e, s, &num, &den);
	/* the capture time line is the arrival (decode) order in both modes */
	jump = rebase(e, s->capture_ns, s->reset, 1000000000ull * den / num);
	if (may_pass && e->pt_mode == 1)
		return forward(e, s, jump, key_req, 1000000000ull * den / num);
	return encode(e, s, jump, key_req);
}

void encode_stage_flush(struct encode_stage *e)
{
	drain_current(e);
}

void encode_stage_stats(const struct encode_stage *e, struct encode_stats *st)
{
	int i;

	for (i = 0; i < L_ENC_COUNT; i++)
		st->lost[i] = LOAD(e->st.lost[i]);
	st->encoded = LOAD(e->st.encoded);
	st->passthrough = LOAD(e->st.passthrough);
	st->reopens = LOAD(e->st.reopens);
}

const char *encode_stage_name(const struct encode_stage *e)
{
	const char *n = LOAD(e->name);

	return n ? n : "none";
}

void encode_stage_close(struct encode_stage *e)
{
	int i;

	if (!e)
		return;
	for (i = 0; i < ENC_SLOTS; i++)
		close_slot(e, i);
	free(e->yuv_buf);
	free(e);
}
