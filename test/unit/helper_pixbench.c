/* SPDX-License-Identifier: GPL-2.0-or-later */
/* helper_pixbench.c - micro-benchmark of pixconv_to_yuv (not a test).
 *
 *   helper_pixbench W H FRAMES RUNS [FORMAT [LAYOUT [RAWFILE]]]
 *
 * Fills FRAMES packed frames (default BGR) with the cv-mmap dummy
 * producer's pattern (docs/contract.md §4.8) plus a little noise, optionally
 * writes them to RAWFILE (so scripts/bench_pixconv.sh can feed the very
 * same bytes to ffmpeg), then converts all of them RUNS times to LAYOUT
 * (0 = I420, 1 = NV12) and prints the median and minimum process CPU
 * time per frame:
 *   pixbench 1280x720 fmt 1 layout 0: median 812345 ns/frame, min ... (5 runs x 30 frames)
 *
 * With PIXBENCH_READ=1 in the environment it compares the streamer's two
 * ways of getting a frame out of SHM into the encoder's picture (issue
 * 23), interleaved frame by frame, CPU time of this thread around the
 * consumer's part only (each frame is first written into a memfd, as a
 * producer would):
 *   copy  pread() the frame into a slot, convert the slot to I420 (x264
 *         then interleaves the chroma itself: not counted here);
 *   map   convert straight from a read-only mapping into NV12.
 *   readbench 1280x720 fmt 1: copy 812345 map 512345 ns/frame, ratio 0.63
 */
#define _GNU_SOURCE             /* memfd_create */
#include "codec/pixconv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t thread_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* PIXBENCH_READ: pread + convert to I420 vs convert from the mapping to
 * NV12, frames of src (n of fsize bytes) through one memfd. */
static int read_bench(int fmt, const uint8_t *src, size_t fsize, uint32_t frames, uint32_t runs,
		      uint32_t w, uint32_t h, uint32_t stride)
{
	int fd = memfd_create("pixbench", 0);
	uint8_t *wr, *slot = malloc(fsize), *buf = malloc((size_t)(w + 1) * (h + 1) * 3 / 2);
	const uint8_t *ro;
	uint64_t t[2] = { 0, 0 }, t0;
	struct yuv_frame i420, nv12;
	uint32_t r, n;

	if (fd < 0 || ftruncate(fd, (off_t)fsize) < 0 || !slot || !buf)
		return 1;
	wr = mmap(NULL, fsize, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ro = mmap(NULL, fsize, PROT_READ, MAP_SHARED, fd, 0);
	if (wr == MAP_FAILED || ro == MAP_FAILED)
		return 1;
	pixconv_layout(&i420, PIX_I420, w, h, buf);
	pixconv_layout(&nv12, PIX_NV12, w, h, buf);
	for (r = 0; r < runs; r++)
		for (n = 0; n < frames; n++) {
			int k = (int)((r + n) & 1);     /* alternate which goes first */
			int i;

			for (i = 0; i < 2; i++, k ^= 1) {
				memcpy(wr, src + (size_t)n * fsize, fsize);   /* the producer */
				t0 = thread_ns();
				if (k == 0) {
					if (pread(fd, slot, fsize, 0) != (ssize_t)fsize ||
					    pixconv_to_yuv(fmt, slot, stride, w, h, &i420))
						return 1;
				} else if (pixconv_to_yuv(fmt, ro, stride, w, h, &nv12)) {
					return 1;
				}
				t[k] += thread_ns() - t0;
			}
		}
	printf("readbench %ux%u fmt %d: copy %llu map %llu ns/frame, ratio %.2f (%u x %u frames)\n",
	       w, h, fmt, (unsigned long long)(t[0] / runs / frames),
	       (unsigned long long)(t[1] / runs / frames), (double)t[1] / (double)t[0], runs, frames);
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	uint32_t w, h, frames, runs, x, y, n, r, stride;
	int fmt = SRC_BGR, layout = PIX_I420;
	unsigned bpp, noise = 1;
	uint8_t *src, *yuv;
	uint64_t *ns, sum = 0;
	struct yuv_frame f;
	size_t fsize;

	if (argc < 5) {
		fprintf(stderr, "usage: %s W H FRAMES RUNS [FORMAT [LAYOUT [RAWFILE]]]\n", argv[0]);
		return 2;
	}
	w = (uint32_t)atoi(argv[1]);
	h = (uint32_t)atoi(argv[2]);
	frames = (uint32_t)atoi(argv[3]);
	runs = (uint32_t)atoi(argv[4]);
	if (argc > 5)
		fmt = atoi(argv[5]);
	if (argc > 6)
		layout = atoi(argv[6]);
	stride = (uint32_t)pixconv_min_stride(fmt, w);
	if (!w || !h || !frames || !runs || !stride) {
		fprintf(stderr, "helper_pixbench: bad arguments\n");
		return 2;
	}
	bpp = stride / w;
	fsize = (size_t)stride * h;
	src = malloc(fsize * frames);
	ns = calloc(runs, sizeof *ns);
	memset(&f, 0, sizeof f);
	f.layout = layout;
	f.width = w + (w & 1);
	f.height = h + (h & 1);
	f.stride[0] = f.width;
	f.stride[1] = layout == PIX_NV12 ? f.width : f.width / 2;
	f.stride[2] = f.width / 2;
	yuv = malloc((size_t)f.width * f.height * 3 / 2);
	if (!src || !ns || !yuv)
		return 1;
	f.plane[0] = yuv;
	f.plane[1] = yuv + (size_t)f.width * f.height;
	f.plane[2] = f.plane[1] + (size_t)f.width * f.height / 4;
	for (n = 0; n < frames; n++)
		for (y = 0; y < h; y++)
			for (x = 0; x < stride; x++) {
				uint8_t *p = src + n * fsize + (size_t)y * stride + x;
				unsigned px = x / bpp, c = x % bpp;

				noise = noise * 1103515245u + 12345u;
				*p = (uint8_t)((c == 0 ? px + 3 * n : c == 1 ? 2 * y + 5 * n :
						px / 2 + y / 3 + 7 * n) + (noise >> 29));
			}
	if (argc > 7) {
		FILE *out = fopen(argv[7], "wb");

		if (!out || fwrite(src, fsize, frames, out) != frames || fclose(out)) {
			fprintf(stderr, "helper_pixbench: cannot write %s\n", argv[7]);
			return 1;
		}
	}
	if (getenv("PIXBENCH_READ"))
		return read_bench(fmt, src, fsize, frames, runs, w, h, stride);
	for (r = 0; r < runs; r++) {
		uint64_t t0 = cpu_ns();

		for (n = 0; n < frames; n++)
			if (pixconv_to_yuv(fmt, src + n * fsize, stride, w, h, &f)) {
				fprintf(stderr, "helper_pixbench: conversion failed\n");
				return 1;
			}
		ns[r] = (cpu_ns() - t0) / frames;
		sum += yuv[r % (f.width * f.height)];
	}
	qsort(ns, runs, sizeof *ns, cmp_u64);
	printf("pixbench %ux%u fmt %d layout %d: median %llu ns/frame, min %llu (%u runs x %u frames, sum %llu)\n",
	       w, h, fmt, layout, (unsigned long long)ns[runs / 2],
	       (unsigned long long)ns[0], runs, frames, (unsigned long long)sum);
	free(yuv);
	free(ns);
	free(src);
	return 0;
}
