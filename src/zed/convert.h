/* SPDX-License-Identifier: GPL-2.0-or-later */
/* convert.h - what the two decoding ZED tools share: the encode-and-mux
 * sink and the SVO2 -> MP4 conversion itself (options, signals and names
 * are in zedcommon.h).
 */
#ifndef CVMMAP_ZED_CONVERT_H
#define CVMMAP_ZED_CONVERT_H

#include "codec/encoder.h"
#include "zed/mp4.h"
#include "zed/zedcommon.h"

#include <stddef.h>
#include <stdint.h>

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
	struct zed_range_opts range;    /* frames; --allow-truncated */
	int copy;                       /* remux the side-by-side stream */
	int quiet;                      /* no progress */
};

/* Convert one SVO2.  Returns an exit code: 0, EXIT_USAGE (bad range),
 * EXIT_INIT (no encoder), 1 (input or output error); one line on stderr
 * says why. */
int zed_convert(const struct zed_convert_opts *o);

#endif
