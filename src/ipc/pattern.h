/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pattern.h - deterministic per-frame test images (pure).
 *
 * cvmmap_dummy_pattern() is the upstream dummy
 * producer's BGR pattern (docs/contract.md §4.8, TV-20).  The functions here
 * derive the same pattern in every cv-mmap pixel format, so a consumer
 * can verify that a delivered frame's pixels belong to its frame_id: the
 * simulator writes them, the ingest tests check them.
 *
 * Per pixel (x, y) of frame n, with B, G, R the dummy pattern:
 *   BGR/RGB: B G R / R G B;  BGRA/RGBA: + A = (x + 2y + 11n) mod 256;
 *   GRAY: G;  YUYV (even x): Y0 = B(x), U = G(x), Y1 = B(x+1), V = R(x).
 * Row padding (stride beyond the pixels) is zero.
 */
#ifndef CVMMAP_PATTERN_H
#define CVMMAP_PATTERN_H

#include <stdint.h>

/* The upstream dummy producer's BGR pattern for frame n (docs/contract.md
 * 4.8; also what --input-mode dummy sends). */
void cvmmap_dummy_pattern(uint8_t *bgr, uint32_t w, uint32_t h, uint32_t stride,
			  uint32_t n);

/* Fill a w x h image of cv-mmap pixel format fmt (U8).  Formats without
 * a pattern (YUV) are zero-filled. */
void cvmmap_pattern_fill(unsigned fmt, uint8_t *dst, uint32_t w, uint32_t h,
			 uint32_t stride, uint32_t n);

/* 0 when src holds frame n's pattern (pixels only, padding ignored),
 * else 1 + the first row that differs. */
uint32_t cvmmap_pattern_check(unsigned fmt, const uint8_t *src, uint32_t w,
			      uint32_t h, uint32_t stride, uint32_t n);

#endif
