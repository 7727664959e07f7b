/* pixconv.h - packed camera formats to planar 4:2:0 for the encoders (pure).
 *
 * Source formats are the cv-mmap pixel formats (CONTRACT.md 4.8):
 * RGB, BGR, RGBA, BGRA, GRAY, YUYV, 8-bit, with any stride >= the packed
 * row.  BT.601 limited range.  Odd widths/heights: the last chroma
 * sample covers the single remaining row/column.
 */
#ifndef CVMMAP_PIXCONV_H
#define CVMMAP_PIXCONV_H

#include "codec/encoder.h"

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

#endif
