/* SPDX-License-Identifier: GPL-2.0-or-later */
/* input.h - where frames come from: one contract for every input.
 *
 * The pipeline's ingest thread calls next() in a loop; an input fills
 * the slot it is given (buffers allocated once, slot.h) and never blocks
 * longer than the timeout.  Two inputs exist: the cv-mmap consumer
 * (ingest.c: SHM + ZeroMQ) and the built-in generator (dummy.c).
 */
#ifndef CVMMAP_INPUT_H
#define CVMMAP_INPUT_H

#include "ipc/slot.h"

#include <stdint.h>

/* next() returns this when a finite input has no more frames. */
#define INPUT_END (-61)   /* -ENODATA */

/* Frames an input saw and did not deliver, by reason (the pipeline's
 * frame accounting adds its own reasons after these). */
struct input_stats {
	uint64_t syncs;      /* frames announced to us (syncs of our instance) */
	uint64_t copied;     /* frames delivered */
	uint64_t torn;       /* discarded: metadata changed during the copy */
	uint64_t rejected;   /* metadata failed validation */
	uint64_t skipped;    /* older syncs drained in favour of a newer one */
	uint64_t too_big;    /* frame larger than the slot */
	uint64_t late;       /* SHM already held a different frame than the sync */
	uint64_t duplicate;  /* a frame already delivered, announced again */
	uint64_t unopened;   /* the SHM object could not be opened */
	uint64_t pending;    /* announced, not read yet (0 or 1) */
	uint64_t reattached; /* SHM reopened (new inode, resize, restart) */
	uint64_t resets;     /* regressions / legacy STREAM_RESET seen */
	uint64_t foreign;    /* other labels, bad magic/version */
	int last_reject;     /* enum meta_reason of the last rejected frame */
};

/* Configuration of either input (each reads its own part). */
struct input_cfg {
	/* cv-mmap */
	const char *shm_name;      /* "/cvmmap_default" (leading slash) */
	const char *zmq_endpoint;  /* "ipc:///tmp/cvmmap_default" */
	const char *label;         /* instance name to accept; NULL = any */
	unsigned meta_flags;       /* CVMMAP_META_* parse flags (0 = C++ rules) */
	int au_only_codec;         /* cv-mmap AU codec value: when a frame carries
				    * an AU of this codec, copy only the AU (the
				    * consumer forwards it, needs no pixels) */
	const int *yuv_layout;     /* the 4:2:0 layout (enum pix_layout) the
				    * consumer's encoder takes, read atomically
				    * per frame: the plane is converted into it
				    * straight from SHM.  NULL or < 0: copy the
				    * raw plane into the slot */
	/* dummy generator */
	uint32_t width, height, fps;
	uint64_t frames;           /* 0 = endless */
};

struct input_ops {
	const char *name;          /* "cvmmap", "dummy": --input-mode */
	int (*open)(void **st, const struct input_cfg *cfg);
	/* Wait up to timeout_ms for a frame and fill dst.  1 (frame),
	 * 0 (nothing yet), INPUT_END, or another -errno (fatal). */
	int (*next)(void *st, int timeout_ms, struct frame_slot *dst);
	/* A reset seen by another channel (NATS STREAM_RESET): the next
	 * frame delivered has reset = 1.  May be NULL. */
	void (*note_reset)(void *st);
	/* Safe to call from another thread. */
	void (*stats)(const void *st, struct input_stats *out);
	void (*close)(void *st);
};

/* The inputs this build has, NULL-terminated. */
extern const struct input_ops *const input_table[];

#endif
