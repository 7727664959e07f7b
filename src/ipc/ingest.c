/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ingest.c - ZMQ sync -> coherent SHM copy -> frame slot (ingest.h).
 *
 * One struct ingest owns a ZMQ SUB socket (zsub.h: libzmq or the in-tree
 * ZMTP subscriber, per Kconfig) and a read-only SHM reader.
 * ingest_next() implements docs/contract.md §9:
 *   1. drain the SUB socket, keep the newest sync of our instance;
 *   2. fstat the object; check for a replaced object (new inode) every
 *      INODE_CHECK_NS, on ONLINE and whenever the metadata disagrees with
 *      the sync;
 *   3. copy the 256-byte metadata (M1), validate it against st_size and
 *      require frame_id == S and capture_ts == T;
 *   4. convert the LEFT plane straight from the mapped object into the
 *      slot, in the layout the encoder takes (the one full-frame pass
 *      over the producer's pixels; a truncation under it is a SIGBUS
 *      that shm_guarded() turns into a torn frame), or, when nobody
 *      wants it converted or it cannot be, pread() it raw into the
 *      slot; pread() the v2.1 AU;
 *   5. re-read 0x0C..0x1F (M2); M2 != M1 -> torn, discarded;
 *      a newer sync queued meanwhile -> the copy is marked suspect.
 * Everything is allocated in ingest_open(); the per-frame path only
 * reads into fixed buffers.
 */
#include "ipc/ingest.h"

#include "codec/pixconv.h"
#include "ipc/cvmmap_meta.h"
#include "ipc/shm.h"
#include "ipc/zsub.h"
#include "ipc/zsync.h"
#include "util/clock.h"
#include "util/log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define TAG "ingest"
#define INODE_CHECK_NS 250000000ull  /* replaced-object check period */
#define POLL_SLICE_MS 100            /* longest single zsub wait */
#define M2_OFF 0x0C                  /* frame_id, capture_ts, publish_seq */
#define M2_LEN 20

/* Counters are read by other threads (ingest_get_stats). */
#define ST_INC(x) __atomic_fetch_add(&(x), 1, __ATOMIC_RELAXED)

struct ingest {
	const struct zsub_ops *zops;
	struct zsub *zsub;
	struct shm_reader shm;
	char label[ZLABEL_SIZE + 1];  /* empty: accept any instance */
	unsigned meta_flags;
	int cfg_au_only;        /* ingest_cfg.au_only_codec */
	const int *yuv_layout;  /* ingest_cfg.yuv_layout */
	int map_ok;             /* shm_map_allowed() */
	struct input_stats st;

	/* newest queued sync of our instance, not yet handled */
	int have_next;
	struct zsync next;
	uint64_t next_mono_ns;

	/* last delivered frame, for regression (reset) detection */
	int have_last;
	uint32_t last_id;
	uint64_t last_ts;
	int reset_pending;
	int opened_once;
	uint64_t inode_check_ns;     /* next periodic check */
	int force_inode_check;

	uint8_t m1[CVMMAP_META_SIZE];
	struct log_limit rl_bad, rl_rej, rl_big, rl_open, rl_dup, rl_dbg, rl_bus;
	struct cvmmap_meta meta;
};

int ingest_open(struct ingest **out, const struct ingest_cfg *cfg)
{
	struct ingest *in;
	int r;

	*out = NULL;
	if (!cfg->shm_name || !cfg->zmq_endpoint)
		return -EINVAL;
	if (cfg->label && strlen(cfg->label) > ZLABEL_SIZE)
		return -EINVAL;
	in = calloc(1, sizeof *in);
	if (!in)
		return -ENOMEM;
	shm_init(&in->shm, cfg->shm_name);
	if (cfg->label)
		strcpy(in->label, cfg->label);
	in->meta_flags = cfg->meta_flags;
	in->cfg_au_only = cfg->au_only_codec;
	in->yuv_layout = cfg->yuv_layout;
	in->st.last_reject = META_OK;

	in->map_ok = shm_map_allowed();
	if (in->yuv_layout && !in->map_ok)
		log_info(TAG, "CVMMAP_SHM_READ=copy: frames are copied with pread(), then "
			 "converted");
	/* 5.2: subscribe to everything, route on byte 0 ourselves */
	in->zops = ZSUB_OPS;
	r = in->zops->open(&in->zsub, cfg->zmq_endpoint);
	if (r < 0) {
		log_error(TAG, "%s: %s", cfg->zmq_endpoint, strerror(-r));
		ingest_close(in);
		return -EINVAL;
	}
	*out = in;
	return 0;
}

void ingest_close(struct ingest *in)
{
	if (!in)
		return;
	if (in->zsub)
		in->zops->close(in->zsub);
	shm_close(&in->shm);
	free(in);
}

void ingest_note_reset(struct ingest *in)
{
	__atomic_store_n(&in->reset_pending, 1, __ATOMIC_RELAXED);
}

/* Called from another thread (the streamer's stats): every counter is
 * read with a relaxed atomic load, as the ingest thread writes them. */
void ingest_get_stats(const struct ingest *in, struct input_stats *st)
{
#define LD(f) st->f = __atomic_load_n(&in->st.f, __ATOMIC_RELAXED)
	LD(syncs); LD(copied); LD(torn); LD(rejected); LD(skipped); LD(too_big);
	LD(late); LD(duplicate); LD(unopened); LD(pending);
	LD(reattached); LD(resets); LD(foreign); LD(last_reject);
#undef LD
}

static int label_ok(const struct ingest *in, const char *wire)
{
	return !in->label[0] || zlabel_eq(wire, in->label);
}

/* Route one received message on byte 0 (docs/contract.md §5.2). */
static void handle_msg(struct ingest *in, const uint8_t *b, size_t n)
{
	struct zsync sy;
	struct zstatus zs;
	int r;

	if (n && b[0] == ZSYNC_MAGIC) {
		r = zsync_parse(b, n, &sy);
		if (r != ZMSG_OK || !label_ok(in, sy.label)) {
			if (r != ZMSG_OK)
				log_limited(&in->rl_bad, LOG_WARN, TAG, "sync dropped: %s",
					    zmsg_reason_str(r));
			ST_INC(in->st.foreign);
			return;
		}
		ST_INC(in->st.syncs);
		if (in->have_next)
			ST_INC(in->st.skipped);
		in->next = sy;
		in->next_mono_ns = clock_mono_ns();
		in->have_next = 1;
		__atomic_store_n(&in->st.pending, 1, __ATOMIC_RELAXED);
		return;
	}
	if (n && b[0] == ZSTATUS_MAGIC && zstatus_parse(b, n, &zs) == ZMSG_OK &&
	    label_ok(in, zs.label)) {
		/* 5.4: E1 module status on the sync socket */
		if (zs.status == ZSTATUS_STREAM_RESET) {
			__atomic_store_n(&in->reset_pending, 1, __ATOMIC_RELAXED);
			ST_INC(in->st.resets);
		} else if (zs.status == ZSTATUS_ONLINE) {
			in->force_inode_check = 1;
		}
		return;
	}
	ST_INC(in->st.foreign);
}

/* Receive every queued message; wait up to wait_ms for the first one
 * when nothing is queued.  Returns 0 or -errno. */
static int pump(struct ingest *in, int wait_ms)
{
	uint8_t buf[64];
	int n;

	if (wait_ms > 0 && (n = in->zops->wait(in->zsub, wait_ms)) < 0)
		return n;
	for (;;) {
		n = in->zops->recv(in->zsub, buf, sizeof buf);
		if (n < 0)
			return n == -EAGAIN ? 0 : n;
		/* n > sizeof buf means truncated: no valid message is that long */
		handle_msg(in, buf, (size_t)n > sizeof buf ? sizeof buf + 1 : (size_t)n);
	}
}

/* Reopen when the SHM name now names another object (producer restart).
 * Returns 1 when it was replaced. */
static int check_inode(struct ingest *in, uint64_t now)
{
	int r;

	in->inode_check_ns = now + INODE_CHECK_NS;
	in->force_inode_check = 0;
	r = shm_check_replaced(&in->shm);
	if (r == 1 && in->opened_once) {
		ST_INC(in->st.reattached);
		__atomic_store_n(&in->reset_pending, 1, __ATOMIC_RELAXED);
		log_info(TAG, "%s replaced (new inode): reattached", in->shm.name);
	}
	if (r == 1) {
		log_debug(TAG, "%s opened: %llu bytes", in->shm.name,
			  (unsigned long long)in->shm.size);
		in->opened_once = 1;
	}
	return r == 1;
}

/* u32 frame counters wrap; a wrap is not a reset. */
static int went_back(const struct ingest *in, uint32_t id, uint64_t ts)
{
	int wrap = in->last_id > 0xC0000000u && id < 0x40000000u;

	return (id < in->last_id && !wrap) || ts < in->last_ts;
}

/* Step 4 for a plane the encoder will take: converted from the mapping
 * under the SIGBUS guard.  The checks are the encode stage's, so a plane
 * that fails them is copied raw and dropped there, counted once. */
struct conv_job {
	const struct cvmmap_plane *p;
	const uint8_t *src;
	struct yuv_frame *dst;
	int r;
};

static void conv_run(void *arg)
{
	struct conv_job *j = arg;

	j->r = pixconv_to_yuv(j->p->pixel_format, j->src, j->p->stride, j->p->width,
			      j->p->height, j->dst);
}

/* 1: converted into dst, 0: not wanted or not convertible (copy it
 * raw), -1: the object was truncated under the read (torn). */
static int convert_plane(struct ingest *in, const struct cvmmap_plane *p,
			 struct frame_slot *dst)
{
	int layout = in->yuv_layout ? __atomic_load_n(in->yuv_layout, __ATOMIC_RELAXED) : -1;
	size_t min = pixconv_min_stride(p->pixel_format, p->width);
	struct conv_job j;

	if (layout < 0 || !in->map_ok || !min || p->stride < min || p->width < ENC_MIN_DIM ||
	    p->height < ENC_MIN_DIM || p->width > CONFIG_MAX_WIDTH ||
	    p->height > CONFIG_MAX_HEIGHT || shm_map(&in->shm) < 0 ||
	    (uint64_t)(p->width + 1) * (p->height + 1) * 3 / 2 > dst->pix_cap)
		return 0;
	dst->pix_size = pixconv_layout(&dst->yuv, layout, p->width, p->height, dst->pix);
	j.p = p;
	j.src = in->shm.map + CVMMAP_PAYLOAD_OFFSET + p->offset;
	j.dst = &dst->yuv;
	j.r = -1;
	if (shm_guarded(conv_run, &j) < 0) {
		log_limited(&in->rl_bus, LOG_WARN, TAG, "%s shrank under the read (SIGBUS "
			    "caught): frame dropped", in->shm.name);
		return -1;
	}
	return j.r == 0;
}

/* Steps 2..5 for sync sy.  Returns 1 when dst holds the frame, 0 when this
 * sync yielded nothing (counted), -errno on a hard error. */
static int read_frame(struct ingest *in, const struct zsync *sy,
		      uint64_t sync_mono, struct frame_slot *dst)
{
	const struct cvmmap_plane *left, *au;
	struct cvmmap_meta *m = &in->meta;
	uint8_t m2[M2_LEN];
	uint64_t now = clock_mono_ns();
	size_t need;
	int r, tries, conv = 0;

	if (in->shm.fd < 0 || in->force_inode_check || now >= in->inode_check_ns) {
		r = check_inode(in, now);
		if (in->shm.fd < 0) {
			ST_INC(in->st.unopened);
			log_limited(&in->rl_open, LOG_WARN, TAG, "%s: cannot open (%s)",
				    in->shm.name, strerror(r < 0 ? -r : EIO));
			return 0;
		}
	}
	for (tries = 0;; tries++) {
		if (shm_refresh(&in->shm) < 0 ||
		    shm_read(&in->shm, in->m1, sizeof in->m1, 0) < 0) {
			ST_INC(in->st.torn);
			return 0;
		}
		r = cvmmap_meta_parse(in->m1, in->shm.size, in->meta_flags, m);
		if (r == META_OK && m->frame_id == sy->frame_count &&
		    m->capture_ns == sy->timestamp_ns)
			break;
		/* The metadata disagrees with the sync: a stale object left
		 * by a restarted producer looks exactly like this, so check
		 * the name once before giving up on this sync. */
		if (tries == 0 && check_inode(in, now))
			continue;
		if (r != META_OK) {
			ST_INC(in->st.rejected);
			__atomic_store_n(&in->st.last_reject, r, __ATOMIC_RELAXED);
			log_limited(&in->rl_rej, LOG_WARN, TAG, "frame %u rejected: %s",
				    sy->frame_count, meta_reason_str(r));
		} else {
			ST_INC(in->st.late);
			log_limited(&in->rl_dbg, LOG_DEBUG, TAG, "sync for frame %u: the "
				    "object already holds frame %u (late, skipped)",
				    sy->frame_count, m->frame_id);
		}
		return 0;
	}

	/* A second sync for the frame delivered last is not a new frame. */
	if (in->have_last && m->frame_id == in->last_id && m->capture_ns == in->last_ts) {
		ST_INC(in->st.duplicate);
		log_limited(&in->rl_dup, LOG_WARN, TAG, "frame %u announced again: ignored",
			    m->frame_id);
		return 0;
	}
	left = &m->plane[PLANE_LEFT];
	au = &m->plane[PLANE_ENCODED_AU];
	need = (size_t)left->stride * left->height;
	/* Passthrough needs the AU only: skip the (large) raw plane. */
	if (au->active && in->cfg_au_only && m->au_codec == in->cfg_au_only)
		need = 0;
	if (need > dst->pix_cap || (au->active && au->size > dst->au_cap)) {
		ST_INC(in->st.too_big);
		log_limited(&in->rl_big, LOG_WARN, TAG,
			    "frame %u does not fit the slot (%zu + %u bytes)",
			    sy->frame_count, need, au->active ? au->size : 0);
		return 0;
	}
	if (need)
		conv = convert_plane(in, left, dst);
	if (conv < 0 ||
	    (need && !conv && shm_read(&in->shm, dst->pix, need,
				       CVMMAP_PAYLOAD_OFFSET + left->offset) < 0) ||
	    (au->active && shm_read(&in->shm, dst->au, au->size,
				    CVMMAP_PAYLOAD_OFFSET + (uint64_t)au->offset) < 0) ||
	    shm_read(&in->shm, m2, sizeof m2, M2_OFF) < 0 ||
	    memcmp(m2, in->m1 + M2_OFF, sizeof m2) != 0) {
		ST_INC(in->st.torn);
		log_limited(&in->rl_dbg, LOG_DEBUG, TAG, "frame %u: metadata changed "
			    "during the copy (torn, skipped)", sy->frame_count);
		return 0;
	}
	/* A sync queued during the copy means the producer may have started
	 * writing the next payload under us: undetectable, so flag it. */
	if (pump(in, 0) < 0)
		return -EIO;
	dst->suspect = in->have_next && in->next.frame_count != sy->frame_count;

	dst->has_yuv = conv;
	if (!conv)
		dst->pix_size = need;
	dst->width = left->width;
	dst->height = left->height;
	dst->stride = left->stride;
	dst->pixel_format = left->pixel_format;
	dst->au_size = au->active ? au->size : 0;
	dst->au_codec = au->active ? m->au_codec : 0;
	dst->au_keyframe = au->active && (m->au_flags & CVMMAP_AU_FLAG_KEYFRAME);
	dst->au_pts_ns = au->active ? m->au_pts_ns : 0;
	dst->fps_num = m->fps_num;
	dst->fps_den = m->fps_den;
	dst->frame_id = m->frame_id;
	dst->capture_ns = m->capture_ns;
	dst->sync_mono_ns = sync_mono;
	if (in->have_last && went_back(in, m->frame_id, m->capture_ns)) {
		__atomic_store_n(&in->reset_pending, 1, __ATOMIC_RELAXED);
		ST_INC(in->st.resets);
		log_debug(TAG, "frame %u after frame %u: counter or clock went back, "
			  "new segment", m->frame_id, in->last_id);
	}
	dst->reset = __atomic_exchange_n(&in->reset_pending, 0, __ATOMIC_RELAXED);
	in->have_last = 1;
	in->last_id = m->frame_id;
	in->last_ts = m->capture_ns;
	ST_INC(in->st.copied);
	return 1;
}

int ingest_next(struct ingest *in, int timeout_ms, struct frame_slot *dst)
{
	uint64_t deadline = clock_mono_ns() +
			    (uint64_t)(timeout_ms > 0 ? timeout_ms : 0) * 1000000u;

	for (;;) {
		uint64_t now = clock_mono_ns();
		struct zsync sy;
		uint64_t mono;
		int r;

		int left = now < deadline ? (int)((deadline - now + 999999) / 1000000) : 0;

		/* drain to the newest sync; block only when none is queued */
		r = pump(in, in->have_next ? 0 : left < POLL_SLICE_MS ? left : POLL_SLICE_MS);
		if (r < 0)
			return r;
		if (in->have_next) {
			sy = in->next;
			mono = in->next_mono_ns;
			in->have_next = 0;
			__atomic_store_n(&in->st.pending, 0, __ATOMIC_RELAXED);
			r = read_frame(in, &sy, mono, dst);
			if (r != 0)
				return r;
		}
		if (clock_mono_ns() >= deadline)
			return 0;
	}
}

/* ---- the input-table row ------------------------------------------------ */

static int cvmmap_open(void **st, const struct input_cfg *c)
{
	struct ingest_cfg ic = {
		c->shm_name, c->zmq_endpoint, c->label, c->meta_flags, c->au_only_codec,
		c->yuv_layout
	};

	return ingest_open((struct ingest **)st, &ic);
}

static int cvmmap_next(void *st, int timeout_ms, struct frame_slot *dst)
{
	return ingest_next(st, timeout_ms, dst);
}

static void cvmmap_note_reset(void *st)
{
	ingest_note_reset(st);
}

static void cvmmap_stats(const void *st, struct input_stats *out)
{
	ingest_get_stats(st, out);
}

static void cvmmap_close(void *st)
{
	ingest_close(st);
}

const struct input_ops cvmmap_input_ops = {
	.name = "cvmmap",
	.open = cvmmap_open,
	.next = cvmmap_next,
	.note_reset = cvmmap_note_reset,
	.stats = cvmmap_stats,
	.close = cvmmap_close,
};
