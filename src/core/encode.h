/* SPDX-License-Identifier: GPL-2.0-or-later */
/* encode.h - the encode thread's stage: frames in, access units out.
 *
 * Per frame it chooses between the producer's own access unit
 * (passthrough) and an encoder of codec/encoder.h, keeps the output
 * timeline continuous across resets, and writes each AU into a hand-off
 * slot the caller lends (struct au_out).  Every frame that goes in and
 * does not come out as an AU is counted under one reason (enum lost), so
 * the pipeline can state: frames in = AUs out + the sum of the reasons.
 *
 * Rules it keeps (docs/pipeline.md, docs/hardening.md):
 *  - passthrough starts, and restarts after any gap in the producer's
 *    frames (a frame id not consecutive, a frame not forwarded, a reset,
 *    a suspect read, a sink's request), only at a producer keyframe;
 *  - one GOP never mixes two encoders' parameter sets: in auto mode a
 *    frame without an AU in a stream that has them is dropped, and the
 *    encoder takes over only when the producer stopped sending AUs;
 *  - a frame of a size or format no encoder takes is dropped, counted,
 *    and the stream goes on;
 *  - encoders are kept for the last two sizes (a producer flipping
 *    between two sizes costs no re-open); opening another size is
 *    rate-limited, since some encoders (libx265 3.5) leak on every open.
 */
#ifndef CVMMAP_ENCODE_H
#define CVMMAP_ENCODE_H

#include "codec/au.h"
#include "codec/encoder.h"
#include "ipc/slot.h"

#include <stdint.h>

/* Why a frame that reached the encode stage left no AU. */
enum lost {
	L_KEYWAIT,     /* passthrough waiting for the producer's keyframe */
	L_NO_AU,       /* passthrough: the frame carried no access unit */
	L_CODEC,       /* forced passthrough: an AU of the other codec */
	L_SIZE,        /* geometry no encoder takes (under 16 px, over the limits) */
	L_FORMAT,      /* pixel format we cannot convert */
	L_RESIZE,      /* a new size while re-opening is rate-limited */
	L_ENCODER,     /* the encoder failed or swallowed the frame */
	L_AU_TOO_BIG,  /* the AU does not fit a slot (CONFIG_MAX_AU_KIB) */
	L_NOT_ENCODED, /* --run-mode ingest */
	L_ENC_COUNT
};
extern const char *const lost_names[L_ENC_COUNT];

/* The hand-off the stage writes AUs into (the pipeline's aq). */
struct au_out {
	struct access_unit *(*acquire)(void *arg, int *slot);
	void (*unacquire)(void *arg, int slot);
	void (*publish)(void *arg, int slot);
	void *arg;
};

struct encode_cfg {
	struct encoder_cfg enc; /* each encoder's, less the geometry and
				 * frame rate, which come with the frames */
	int ingest_only;        /* --run-mode ingest: count, encode nothing */
	int *layout_out;        /* when not NULL, the 4:2:0 layout (enum
				 * pix_layout) each encoder takes is stored
				 * here (relaxed atomic) as it opens, for an
				 * input that converts frames before the stage */
};

struct encode_stats {
	uint64_t lost[L_ENC_COUNT];
	uint64_t encoded;       /* frames given to an encoder */
	uint64_t passthrough;   /* producer AUs forwarded */
	uint64_t reopens;       /* encoders opened after the first */
};

struct encode_stage;

int encode_stage_open(struct encode_stage **out, const struct encode_cfg *cfg,
		      const struct au_out *o);
/* One frame; key_req: a sink asked for a keyframe.  Returns 0, or
 * EXIT_INIT when no encoder can exist at all (the caller stops). */
int encode_stage_frame(struct encode_stage *e, const struct frame_slot *s, int key_req);
/* End of input: the frames an encoder still holds (B-frames) come out. */
void encode_stage_flush(struct encode_stage *e);
/* Counters and the running back-end's name; safe from another thread. */
void encode_stage_stats(const struct encode_stage *e, struct encode_stats *st);
const char *encode_stage_name(const struct encode_stage *e);
void encode_stage_close(struct encode_stage *e);

#endif
