/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_pixconv.c - pixconv_to_yuv on random geometry, format, strides.
 *
 * Input: byte 0 format code (0..7, so 5 and 7 exercise the rejection),
 * 1 layout, 2-3 width/height - 1 (up to 96 x 64), 4 source row padding,
 * 5 destination row padding, 6 flags (bit 0: make the source stride one
 * byte too short, which must be rejected); the rest fills the pixels,
 * repeated as needed.  Every buffer is a heap block of exactly the bytes
 * the conversion may touch (the source's last row without padding), so
 * ASan flags any access outside.  Outputs must stay in the BT.601 limited
 * range: Y 16..235, chroma 16..240 for RGB-derived formats.
 */
#include "codec/pixconv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static uint8_t *alloc_exact(size_t n)
{
	uint8_t *p = malloc(n ? n : 1);

	if (!p)
		abort();
	return p;
}

static void check_range(const uint8_t *p, uint32_t stride, uint32_t w, uint32_t h,
			int lo, int hi)
{
	uint32_t x, y;

	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++)
			if (p[(size_t)y * stride + x] < lo || p[(size_t)y * stride + x] > hi)
				abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fmt, layout, rc;
	uint32_t w, h, W, H, stride, dpad, cw;
	size_t min, src_len, i, y_len, c_len;
	uint8_t *src, *py, *pu, *pv = NULL;
	struct yuv_frame f;

	if (size < 7)
		return 0;
	fmt = data[0] % 8;
	layout = data[1] & 1;
	w = 1 + data[2] % 96;
	h = 1 + data[3] % 64;
	min = pixconv_min_stride(fmt, w);
	stride = (uint32_t)min + data[4] % 16;
	if (data[6] & 1)
		stride = min ? (uint32_t)min - 1 : 0;
	dpad = data[5] % 8;
	data += 7;
	size -= 7;

	src_len = min ? (size_t)(h - 1) * stride + min : 1;
	src = alloc_exact(src_len);
	for (i = 0; i < src_len; i++)
		src[i] = size ? data[i % size] : (uint8_t)i;

	W = w + (w & 1);
	H = h + (h & 1);
	cw = W / 2;
	memset(&f, 0, sizeof f);
	f.layout = layout;
	f.width = W;
	f.height = H;
	f.stride[0] = W + dpad;
	y_len = (size_t)(H - 1) * f.stride[0] + W;
	py = alloc_exact(y_len);
	if (layout == PIX_I420) {
		f.stride[1] = f.stride[2] = cw + dpad;
		c_len = (size_t)(H / 2 - 1) * f.stride[1] + cw;
		pv = alloc_exact(c_len);
	} else {
		f.stride[1] = W + dpad;
		c_len = (size_t)(H / 2 - 1) * f.stride[1] + W;
	}
	pu = alloc_exact(c_len);
	f.plane[0] = py;
	f.plane[1] = pu;
	f.plane[2] = pv;

	rc = pixconv_to_yuv(fmt, src, stride, w, h, &f);
	if (!min || stride < min) {
		if (rc != -EINVAL)
			abort();
	} else if (rc) {
		abort();
	} else if (fmt != SRC_YUYV) {
		check_range(py, f.stride[0], W, H, 16, 235);
		if (layout == PIX_I420) {
			check_range(pu, f.stride[1], cw, H / 2, 16, 240);
			check_range(pv, f.stride[2], cw, H / 2, 16, 240);
		} else {
			check_range(pu, f.stride[1], W, H / 2, 16, 240);
		}
	}
	free(pu);
	free(pv);
	free(py);
	free(src);
	return 0;
}
