/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ingest.h - the cv-mmap consumer: ZMQ sync -> coherent SHM copy -> slot.
 *
 * ingest_next() waits (bounded) for the newest sync message of our
 * instance, then copies that frame out of shared memory into a caller's
 * frame_slot with the coherent-read algorithm of docs/contract.md §9:
 * fstat/remap, validate the 256-byte metadata, SIGBUS-safe copy, re-check
 * frame id / timestamp / publish_seq, reject torn frames.  It reattaches
 * on a new SHM inode or a producer restart by itself and never blocks
 * longer than the timeout it is given.
 */
#ifndef CVMMAP_INGEST_H
#define CVMMAP_INGEST_H

#include "ipc/input.h"
#include "ipc/slot.h"

#include <stddef.h>
#include <stdint.h>

/* The row of input_table[] for --input-mode cvmmap. */
extern const struct input_ops cvmmap_input_ops;

struct ingest_cfg {
	const char *shm_name;      /* "/cvmmap_default" (leading slash) */
	const char *zmq_endpoint;  /* "ipc:///tmp/cvmmap_default" */
	const char *label;         /* instance name to accept; NULL = any */
	unsigned meta_flags;       /* CVMMAP_META_* parse flags (0 = C++ rules) */
	int au_only_codec;         /* 1 H.264 / 2 H.265: when a frame carries an
				    * AU of this codec, copy only the AU (the
				    * consumer forwards it and needs no pixels);
				    * pix_size is then 0.  0 = always copy all. */
	const int *yuv_layout;     /* input_cfg.yuv_layout */
};

/* The cv-mmap input's counters are the generic ones (input.h). */
#define ingest_stats input_stats

struct ingest;

int ingest_open(struct ingest **out, const struct ingest_cfg *cfg);
/* Wait up to timeout_ms for a frame and copy it into dst.
 * Returns 1 (frame in dst), 0 (timeout, nothing usable) or -errno. */
int ingest_next(struct ingest *in, int timeout_ms, struct frame_slot *dst);
/* Mark a reset seen by another channel (NATS STREAM_RESET): the next
 * delivered frame has reset = 1. */
void ingest_note_reset(struct ingest *in);
void ingest_get_stats(const struct ingest *in, struct input_stats *st);
void ingest_close(struct ingest *in);

/* zctx_term() (tools, tests) */
#include "ipc/zsub_libzmq.h"


#endif
