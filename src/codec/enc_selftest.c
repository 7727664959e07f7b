/* SPDX-License-Identifier: GPL-2.0-or-later */
/* enc_selftest.c - cvmmap_streamer --self-test (encoder.h): open the
 * encoder the options describe, say what was opened and how long a few
 * frames take, close it.  Meant for reports from hardware nobody here has
 * (docs/v4l2.md "Self-test"): one command, its output pasted into an issue.
 * The frames are a moving I420 gradient of the configured size. */
#include "codec/enc_selftest.h"
#include "codec/enc_priv.h"
#include "util/exitcodes.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* Frame n of the pattern: luma ramps moving right, chroma constant-ish. */
static void pattern(struct yuv_frame *f, uint32_t n)
{
	uint32_t x, y;

	for (y = 0; y < f->height; y++)
		for (x = 0; x < f->width; x++)
			f->plane[0][(size_t)y * f->stride[0] + x] = (uint8_t)(x + y + 4 * n);
	for (y = 0; y < f->height / 2; y++)
		for (x = 0; x < f->width / 2; x++) {
			f->plane[1][(size_t)y * f->stride[1] + x] = (uint8_t)(128 + x / 4);
			f->plane[2][(size_t)y * f->stride[2] + x] = (uint8_t)(128 + y / 4 + n);
		}
}

/* One AU's line. */
static void put_au(FILE *f, long n, const struct access_unit *au, double ms)
{
	fprintf(f, "self-test: frame %ld: %zu bytes%s in %.2f ms\n", n, au->size,
		au->keyframe ? " keyframe" : "", ms);
}

int encoder_self_test(const struct encoder_cfg *cfg, long frames, FILE *f)
{
	struct encoder *e = NULL;
	struct yuv_frame y;
	struct access_unit au;
	size_t ysz = (size_t)cfg->width * cfg->height;
	uint8_t *buf;
	double t, dt, sum = 0, max = 0;
	long i, aus = 0;
	int ret;

	enc_opened[0] = 0;
	if ((ret = encoder_open(&e, cfg)) < 0) {
		fprintf(f, "self-test: no %s encoder (%s; the reason is logged above)\n",
			encoder_device_names[cfg->device], strerror(-ret));
		return EXIT_INIT;
	}
	fprintf(f, "self-test: encoder %s, %s %ux%u %u/%u fps gop %d\n", encoder_name(e),
		codec_names[cfg->codec], cfg->width, cfg->height, cfg->fps_num, cfg->fps_den,
		cfg->gop);
	if (enc_opened[0])
		fprintf(f, "self-test: device %s\n", enc_opened);
	buf = malloc(ysz * 3 / 2);
	if (!buf) {
		encoder_close(e);
		return EXIT_INIT;
	}
	memset(&y, 0, sizeof y);
	y.layout = PIX_I420;
	y.width = cfg->width;
	y.height = cfg->height;
	y.plane[0] = buf;
	y.plane[1] = buf + ysz;
	y.plane[2] = buf + ysz + ysz / 4;
	y.stride[0] = cfg->width;
	y.stride[1] = y.stride[2] = cfg->width / 2;
	ret = 0;
	for (i = 0; i < frames && ret >= 0; i++) {
		pattern(&y, (uint32_t)i);
		y.pts_ns = (uint64_t)i * 1000000000u * cfg->fps_den / cfg->fps_num;
		y.tag = (uint64_t)i;
		memset(&au, 0, sizeof au);
		t = now_ms();
		ret = encoder_encode(e, &y, &au);
		dt = now_ms() - t;
		sum += dt;
		max = dt > max ? dt : max;
		if (ret > 0) {
			put_au(f, i, &au, dt);
			aus++;
		} else if (ret == 0) {
			fprintf(f, "self-test: frame %ld: no AU yet in %.2f ms\n", i, dt);
		}
	}
	while (ret >= 0) {
		memset(&au, 0, sizeof au);
		if ((ret = encoder_flush(e, &au)) <= 0)
			break;
		aus++;
	}
	fprintf(f, "self-test: %ld frames in, %ld AUs out, encode %.2f ms mean, %.2f ms max%s%s\n",
		i, aus, i ? sum / (double)i : 0.0, max, ret < 0 ? ", error: " : "",
		ret < 0 ? strerror(-ret) : "");
	fprintf(f, "self-test: encoder at the end: %s\n", encoder_name(e));
	encoder_close(e);
	free(buf);
	return ret < 0 ? EXIT_INIT : EXIT_OK;
}
