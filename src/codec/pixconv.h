/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pixconv.h - packed camera formats to planar 4:2:0 for the encoders (pure).
 *
 * Source formats are the cv-mmap pixel formats (docs/contract.md §4.8):
 * RGB, BGR, RGBA, BGRA, GRAY, YUYV, 8-bit, with any stride >= the packed
 * row.  BT.601 limited range.  Odd widths/heights: the last chroma
 * sample covers the single remaining row/column.
 *
 * Details (pixconv.c): chroma is the average of each 2x2 block; the
 * output is w x h rounded up to even, the last source row/column being
 * replicated.  GRAY is taken as R = G = B (Y scaled to 16..235, chroma
 * 128).  YUYV is passed through as Y'CbCr (luma copied, the two rows'
 * chroma averaged); its rows hold whole macropixels, so an odd width
 * needs 4 * ceil(w / 2) bytes per row.  No allocation, no state.
 */
#ifndef CVMMAP_PIXCONV_H
#define CVMMAP_PIXCONV_H

#include "codec/encoder.h"

#include <stddef.h>
#include <stdint.h>

/* Values = cv-mmap pixel_format codes. */
enum src_format {
	SRC_RGB = 0, SRC_BGR = 1, SRC_RGBA = 2, SRC_BGRA = 3,
	SRC_GRAY = 4, SRC_YUYV = 6,
};

/* Convert src (w x h, stride bytes per row) into dst, whose layout,
 * planes and strides the caller set up (width/height = w/h rounded up to
 * even).  Returns 0 or -EINVAL for an unsupported format. */
int pixconv_to_yuv(int src_format, const uint8_t *src, uint32_t stride,
		   uint32_t w, uint32_t h, struct yuv_frame *dst);
/* Also -EINVAL: w or h 0 or above 65536, stride < pixconv_min_stride(),
 * dst size other than w/h rounded up to even, a missing plane, a dst
 * stride too small for its plane, an unknown layout. */

/* Lay out a contiguous picture of w x h (rounded up to even) at buf:
 * planes packed, strides = width (NV12) or width and width / 2 (I420).
 * Returns the bytes it spans (width * height * 3 / 2). */
size_t pixconv_layout(struct yuv_frame *y, int layout, uint32_t w, uint32_t h, uint8_t *buf);

/* The same picture in the other 4:2:0 layout (I420 <-> NV12), both set
 * up by the caller with equal sizes.  0, or -EINVAL (same layout, sizes
 * differ, an unknown layout). */
int pixconv_repack(const struct yuv_frame *src, struct yuv_frame *dst);

/* Bytes of pixels in one source row of width w; 0 for an unsupported
 * format (5 = YUV is undocumented upstream and not accepted). */
size_t pixconv_min_stride(int src_format, uint32_t w);

#endif
