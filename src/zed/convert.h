/* SPDX-License-Identifier: GPL-2.0-or-later */
/* convert.h - what the three ZED tools share: encoder options, the
 * encode-and-mux sink, the SVO2 -> MP4 conversion itself.
 */
#ifndef CVMMAP_ZED_CONVERT_H
#define CVMMAP_ZED_CONVERT_H

#include "codec/encoder.h"
#include "zed/mp4.h"

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* --preset names of the tools and the x26x presets they stand for. */
enum zed_preset { ZED_PRESET_FAST, ZED_PRESET_BALANCED, ZED_PRESET_QUALITY };

struct zed_enc_opts {
	int codec;              /* enum codec_id, default H.265 */
	int device;             /* enum encoder_device: auto, nvenc, software */
	int preset;             /* enum zed_preset */
	int quality;            /* CRF (x264/x265) / CQ (NVENC) 0..51; -1 = default */
};

void zed_enc_defaults(struct zed_enc_opts *o);

/* enum zed_preset -> enum x26x_preset (NVENC maps those onto P1..P4). */
int zed_preset_x26x(int preset);

/* Try one "--name value" encoder option.  Returns 1 when consumed, 0 when
 * name is not an encoder option, -1 on a bad value (err set). */
int zed_enc_option(struct zed_enc_opts *o, const char *name, const char *val,
		   char *err, size_t errlen);

/* Help lines for the encoder options. */
void zed_enc_help(FILE *f);

/* Set by SIGINT/SIGTERM (zed_catch_signals): loops stop, outputs are
 * removed. */
extern volatile sig_atomic_t zed_stop;
void zed_catch_signals(void);

/* Encoder + MP4 writer for planar frames of one size. */
struct zed_sink {
	struct encoder *enc;
	struct mp4w mp4;
	uint32_t width, height;
	uint32_t frames_in, aus;
};

int zed_sink_open(struct zed_sink *s, const struct zed_enc_opts *o, const char *path,
		  uint32_t width, uint32_t height, uint32_t fps_num, uint32_t fps_den,
		  char *err, size_t errlen);
/* Encode one frame (exactly width x height) presented at ts_ns. */
int zed_sink_put(struct zed_sink *s, struct yuv_frame *f, uint64_t ts_ns,
		 char *err, size_t errlen);
int zed_sink_finish(struct zed_sink *s, char *err, size_t errlen);
void zed_sink_abort(struct zed_sink *s);

struct zed_convert_opts {
	const char *input, *output;     /* output NULL = input with .mp4 */
	struct zed_enc_opts enc;
	int copy;                       /* remux the side-by-side stream */
	long start, end;                /* frame range, inclusive; end -1 = last */
	int quiet;                      /* no progress */
	int flags;                      /* MCAP_ALLOW_TRUNCATED */
};

/* Convert one SVO2.  Returns an exit code: 0, EXIT_USAGE (bad range),
 * EXIT_INIT (no encoder), 1 (input or output error); one line on stderr
 * says why. */
int zed_convert(const struct zed_convert_opts *o);

/* "dir/foo.svo2" -> "dir/foo.mp4" (suffix replaced or appended). */
int zed_default_output(const char *in, const char *suffix, char *out, size_t cap);

#endif
