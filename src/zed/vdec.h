/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vdec.h - H.264/H.265 decoding through libavcodec (decode only).
 *
 * A thin wrapper so the tools never see FFmpeg types: feed Annex B access
 * units with a caller tag (e.g. the frame index), receive 8-bit 4:2:0
 * pictures as struct yuv_frame views into the decoder's own buffers (valid
 * until the next vdec_receive/vdec_send).  Slice threading only, so a
 * stream without B-frames comes out one picture per AU with no delay.
 */
#ifndef CVMMAP_VDEC_H
#define CVMMAP_VDEC_H

#include "codec/encoder.h"

#include <stddef.h>
#include <stdint.h>

struct vdec;

/* codec: enum codec_id.  Returns 0 or -ENODEV/-ENOMEM with err set. */
int vdec_open(struct vdec **out, int codec, char *err, size_t errlen);

/* Queue one AU (NULL, 0 = end of stream: drain).  Returns 0, -EBADMSG
 * for an AU the decoder rejected (skip it and go on), or -EIO. */
int vdec_send(struct vdec *d, const uint8_t *au, size_t n, int64_t tag);

/* Next decoded picture: returns 1 and fills out/tag, 0 when none is
 * ready, negative on a decoding error or an unsupported pixel format
 * (anything but 8-bit 4:2:0), with err set. */
int vdec_receive(struct vdec *d, struct yuv_frame *out, int64_t *tag,
		 char *err, size_t errlen);

void vdec_close(struct vdec *d);

#endif
