/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ingest.h - the cv-mmap consumer: ZMQ sync -> coherent SHM copy -> slot.
 *
 * ingest_next() waits (bounded) for the newest sync message of our
 * instance, then copies that frame out of shared memory into a caller's
 * frame_slot with the coherent-read algorithm of CONTRACT.md section 9:
 * fstat/remap, validate the 256-byte metadata, SIGBUS-safe copy, re-check
 * frame id / timestamp / publish_seq, reject torn frames.  It reattaches
 * on a new SHM inode or a producer restart by itself and never blocks
 * longer than the timeout it is given.
 */
#ifndef CVMMAP_INGEST_H
#define CVMMAP_INGEST_H

#include <stddef.h>
#include <stdint.h>

struct ingest_cfg {
	const char *shm_name;      /* "/cvmmap_default" (leading slash) */
	const char *zmq_endpoint;  /* "ipc:///tmp/cvmmap_default" */
	const char *label;         /* instance name to accept; NULL = any */
	unsigned meta_flags;       /* CVMMAP_META_* parse flags (0 = C++ rules) */
	int au_only_codec;         /* 1 H.264 / 2 H.265: when a frame carries an
				    * AU of this codec, copy only the AU (the
				    * consumer forwards it and needs no pixels);
				    * pix_size is then 0.  0 = always copy all. */
};

/* One copied frame.  Buffers are allocated once (frame_slot_alloc) and
 * reused; ingest_next only writes into them. */
struct frame_slot {
	/* LEFT plane, rows packed at stride (copied as in SHM) */
	uint8_t *pix;
	size_t pix_cap, pix_size;
	uint32_t width, height, stride;
	int pixel_format;          /* cv-mmap code: 0 RGB, 1 BGR, ... 6 YUYV */
	/* v2.1 encoded access unit (slot 3), Annex B */
	uint8_t *au;
	size_t au_cap, au_size;
	int au_codec;              /* 0 none, 1 H.264, 2 H.265 (as in SHM) */
	int au_keyframe;
	uint64_t au_pts_ns;        /* encoded_stream_pts_ns, 0 = unset */
	uint32_t fps_num, fps_den; /* 0 = unknown */
	/* identity and timing */
	uint32_t frame_id;
	uint64_t capture_ns;       /* producer timestamp (its own domain) */
	uint64_t sync_mono_ns;     /* CLOCK_MONOTONIC when the sync arrived */
	int suspect;               /* a newer sync arrived during the copy */
	int reset;                 /* counter/timestamp went back, restart, 0xB0 */
};

/* Allocate slot buffers once: pix_cap, au_cap bytes. 0 or -ENOMEM. */
int frame_slot_alloc(struct frame_slot *s, size_t pix_cap, size_t au_cap);
void frame_slot_free(struct frame_slot *s);

struct ingest_stats {
	uint64_t syncs;      /* sync messages of our instance */
	uint64_t copied;     /* frames delivered */
	uint64_t torn;       /* discarded: metadata changed during the copy */
	uint64_t rejected;   /* metadata failed validation */
	uint64_t skipped;    /* older syncs drained in favour of a newer one */
	uint64_t too_big;    /* frame larger than the slot */
	uint64_t reattached; /* SHM reopened (new inode, resize, restart) */
	uint64_t resets;     /* regressions / legacy STREAM_RESET seen */
	uint64_t foreign;    /* other labels, bad magic/version */
	uint64_t late;       /* SHM already held a different frame than the sync */
	int last_reject;     /* enum meta_reason of the last rejected frame */
};

struct ingest;

int ingest_open(struct ingest **out, const struct ingest_cfg *cfg);
/* Wait up to timeout_ms for a frame and copy it into dst.
 * Returns 1 (frame in dst), 0 (timeout, nothing usable) or -errno. */
int ingest_next(struct ingest *in, int timeout_ms, struct frame_slot *dst);
/* Mark a reset seen by another channel (NATS STREAM_RESET): the next
 * delivered frame has reset = 1. */
void ingest_note_reset(struct ingest *in);
void ingest_get_stats(const struct ingest *in, struct ingest_stats *st);
void ingest_close(struct ingest *in);

/* The upstream dummy producer's test pattern (CONTRACT.md 4.8) for frame
 * n into a BGR image (also used by --input-mode dummy). */
void cvmmap_dummy_pattern(uint8_t *bgr, uint32_t w, uint32_t h, uint32_t stride,
			  uint32_t n);

#endif
