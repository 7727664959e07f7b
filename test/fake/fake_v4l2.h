/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fake_v4l2.h - TEST DOUBLE of a mainline V4L2 stateful encoder, in
 * process, behind the struct v4l2_io of src/codec/enc_v4l2.h.  Not a
 * driver, never shipped; it tests OUR calling contract (fake_v4l2.c). */
#ifndef CVMMAP_FAKE_V4L2_H
#define CVMMAP_FAKE_V4L2_H

#include "codec/enc_v4l2.h"

#include <stdint.h>

/* The binding to put in enc_v4l2_io_override. */
extern const struct v4l2_io fake_v4l2_io;
/* The same, through a binding that cannot poll (non-blocking retry). */
extern const struct v4l2_io fake_v4l2_io_nopoll;

/* Contract violations seen (each also printed as "fake_v4l2: ..."). */
extern int fake_v4l2_violations;

/* What the fake last read from an OUTPUT buffer, de-strided with ITS
 * bytesperline: width*height luma, then width*height/2 NV12 chroma. */
extern uint8_t *fake_v4l2_last_frame;
extern uint32_t fake_v4l2_frames;        /* OUTPUT buffers encoded */
extern uint32_t fake_v4l2_open_fds;      /* sessions open now */
extern uint32_t fake_v4l2_mapped;        /* planes mapped now */
extern uint32_t fake_v4l2_bpl;           /* luma bytesperline it gave out */
extern uint32_t fake_v4l2_last_sent;     /* CAPTURE buffers dequeued with LAST */

#endif
