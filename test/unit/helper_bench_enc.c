/* SPDX-License-Identifier: GPL-2.0-or-later */
/* helper_bench_enc - the encoder's physical limit vs our encode path
 * (scripts/bench_encode.sh; issue 4 and 10 benchmarks).
 *
 *   helper_bench_enc -s WxH -b frames.bgr [-c h264|h265] [-n frames]
 *                    [-R runs] [-T threads] [-t trace]
 *
 * Loads the raw BGR frames (looped to -n frames), converts each to I420
 * once, then runs -R rounds, each round two fresh encoders with the
 * streamer's default settings (ultrafast, zero latency, gop 30, no
 * B-frames, quality mode, -T threads, 30 fps):
 *   bare: encoder_encode() on the pre-converted I420 frames;
 *   full: pixconv_to_yuv() from BGR + encoder_encode() + copying the AU
 *         into a preallocated slot (what pipeline.c does per frame).
 * Process CPU time (all encoder threads) over the frames, opening not
 * counted; the median round is printed per mode with the ratio:
 *   "bench_enc enc=x264 size=WxH threads=T frames=N runs=R
 *    bare_cpu_ns=.. full_cpu_ns=.. ratio=.. bare_wall_p50_ns=.. bare_wall_p99_ns=.."
 * -t writes "i wall_ns" per frame: the median over the rounds of the bare
 * encoder_encode() wall time of frame i (bench_latency.sh subtracts it).
 */
#include "codec/encoder.h"
#include "codec/pixconv.h"
#include "config/opts.h"
#include "util/clock.h"
#include "util/exitcodes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Median (lower) / percentile of n values, sorted in place. */
static uint64_t pct(uint64_t *v, size_t n, unsigned p)
{
	qsort(v, n, sizeof *v, cmp_u64);
	return n ? v[(n - 1) * p / 100] : 0;
}

static void i420_at(struct yuv_frame *f, uint8_t *buf, uint32_t w, uint32_t h)
{
	memset(f, 0, sizeof *f);
	f->layout = PIX_I420;
	f->width = w;
	f->height = h;
	f->plane[0] = buf;
	f->plane[1] = buf + (size_t)w * h;
	f->plane[2] = f->plane[1] + (size_t)w * h / 4;
	f->stride[0] = w;
	f->stride[1] = f->stride[2] = w / 2;
}

/* One round: encode n frames; returns process CPU ns (0 on failure) and
 * fills wall[i] with each encoder_encode() wall time. */
static uint64_t round_once(const struct encoder_cfg *cfg, int full, const uint8_t *bgr,
			   uint8_t *yuv, size_t nsrc, int n, uint8_t *slot, size_t slot_cap,
			   uint64_t *wall)
{
	size_t fb = (size_t)cfg->width * cfg->height * 3, yb = fb / 2;
	struct encoder *e;
	struct yuv_frame f, conv;
	struct access_unit au = { 0 };   /* data NULL: the encoder's own buffer */
	uint64_t c0;
	int i, r;

	if (encoder_open(&e, cfg) < 0)
		return 0;
	i420_at(&conv, yuv + nsrc * yb, cfg->width, cfg->height);
	c0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	for (i = 0; i < n; i++) {
		size_t k = (size_t)i % nsrc;
		uint64_t t;

		if (full) {
			pixconv_to_yuv(SRC_BGR, bgr + k * fb, cfg->width * 3, cfg->width,
				       cfg->height, &conv);
			f = conv;
		} else {
			i420_at(&f, yuv + k * yb, cfg->width, cfg->height);
		}
		f.pts_ns = (uint64_t)i * 33333333u;
		t = clock_mono_ns();
		r = encoder_encode(e, &f, &au);
		wall[i] = clock_mono_ns() - t;
		if (r < 0)
			break;
		if (full && r > 0 && au.size <= slot_cap)
			memcpy(slot, au.data, au.size);
	}
	c0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID) - c0;
	encoder_close(e);
	return i == n ? c0 : 0;
}

int main(int argc, char **argv)
{
	struct encoder_cfg cfg = { CODEC_H264, ENCDEV_SOFTWARE, PRESET_ULTRAFAST, 0, 0,
				   30, 1, 30, 0, 0, -1, 0, NULL };
	const char *bgr_path = NULL, *trace = NULL;
	int n = 150, runs = 5, c, i, r;
	size_t fb, yb, nsrc, slot_cap = (size_t)CONFIG_MAX_AU_KIB * 1024, k;
	uint8_t *bgr, *yuv, *slot;
	uint64_t *bare, *full, *walls, *col, *tmp;
	FILE *f;
	long sz;

	while ((c = getopt(argc, argv, "s:b:c:n:R:T:t:")) != -1) {
		switch (c) {
		case 's': if (sscanf(optarg, "%ux%u", &cfg.width, &cfg.height) != 2) return EXIT_USAGE; break;
		case 'b': bgr_path = optarg; break;
		case 'c': cfg.codec = !strcmp(optarg, "h265"); break;
		case 'n': n = atoi(optarg); break;
		case 'R': runs = atoi(optarg); break;
		case 'T': cfg.threads = atoi(optarg); break;
		case 't': trace = optarg; break;
		default: return EXIT_USAGE;
		}
	}
	if (!bgr_path || !cfg.width || !cfg.height || (cfg.width | cfg.height) & 1 ||
	    n < 1 || runs < 1) {
		fprintf(stderr, "helper_bench_enc: need -s WxH (even) -b frames.bgr\n");
		return EXIT_USAGE;
	}
	fb = (size_t)cfg.width * cfg.height * 3;
	yb = fb / 2;
	f = fopen(bgr_path, "rb");
	if (!f || fseek(f, 0, SEEK_END) || (sz = ftell(f)) < (long)fb || fseek(f, 0, SEEK_SET)) {
		fprintf(stderr, "helper_bench_enc: %s holds no %ux%u BGR frame\n", bgr_path,
			cfg.width, cfg.height);
		return EXIT_USAGE;
	}
	nsrc = (size_t)sz / fb;
	bgr = malloc(nsrc * fb);
	yuv = malloc((nsrc + 1) * yb);          /* + the full path's target */
	slot = malloc(slot_cap);
	bare = calloc((size_t)runs, sizeof *bare);
	full = calloc((size_t)runs, sizeof *full);
	walls = calloc((size_t)runs * (size_t)n, sizeof *walls);
	col = calloc((size_t)runs > (size_t)n ? (size_t)runs : (size_t)n, sizeof *col);
	tmp = calloc((size_t)n, sizeof *tmp);
	if (!bgr || !yuv || !slot || !bare || !full || !walls || !col || !tmp ||
	    fread(bgr, 1, nsrc * fb, f) != nsrc * fb)
		return EXIT_INIT;
	fclose(f);
	for (k = 0; k < nsrc; k++) {
		struct yuv_frame y;

		i420_at(&y, yuv + k * yb, cfg.width, cfg.height);
		pixconv_to_yuv(SRC_BGR, bgr + k * fb, cfg.width * 3, cfg.width, cfg.height, &y);
	}
	/* Interleaved rounds: machine noise hits both modes alike. */
	for (r = 0; r < runs; r++) {
		bare[r] = round_once(&cfg, 0, bgr, yuv, nsrc, n, slot, slot_cap,
				     walls + (size_t)r * (size_t)n);
		full[r] = round_once(&cfg, 1, bgr, yuv, nsrc, n, slot, slot_cap, tmp);
		if (!bare[r] || !full[r]) {
			fprintf(stderr, "helper_bench_enc: no %s encoder or encode failed\n",
				cfg.codec ? "H.265" : "H.264");
			return EXIT_INIT;
		}
	}
	for (i = 0; i < n; i++) {               /* per-frame median over rounds */
		for (r = 0; r < runs; r++)
			col[r] = walls[(size_t)r * (size_t)n + (size_t)i];
		tmp[i] = pct(col, (size_t)runs, 50);
	}
	if (trace && (f = fopen(trace, "w")) != NULL) {
		for (i = 0; i < n; i++)
			fprintf(f, "%d %llu\n", i, (unsigned long long)tmp[i]);
		fclose(f);
	}
	{
		uint64_t b = pct(bare, (size_t)runs, 50) / (uint64_t)n;
		uint64_t u = pct(full, (size_t)runs, 50) / (uint64_t)n;
		uint64_t p50 = pct(tmp, (size_t)n, 50), p99 = pct(tmp, (size_t)n, 99);

		printf("bench_enc enc=%s size=%ux%u threads=%d frames=%d runs=%d "
		       "bare_cpu_ns=%llu full_cpu_ns=%llu ratio=%.3f "
		       "bare_wall_p50_ns=%llu bare_wall_p99_ns=%llu\n",
		       cfg.codec ? "x265" : "x264", cfg.width, cfg.height, cfg.threads, n, runs,
		       (unsigned long long)b, (unsigned long long)u, b ? (double)u / (double)b : 0,
		       (unsigned long long)p50, (unsigned long long)p99);
	}
	free(bgr); free(yuv); free(slot); free(bare); free(full);
	free(walls); free(col); free(tmp);
	return EXIT_OK;
}
