/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mp4.h - a minimal ISO BMFF (MP4) writer for one H.264/H.265 video track.
 *
 * ISO/IEC 14496-12 (boxes) and 14496-15 (avc1/hvc1 sample entries with
 * avcC/hvcC).  Output layout, "faststart" (docs/svo2-mp4.md §4):
 *
 *   ftyp  moov(mvhd trak(tkhd mdia(mdhd hdlr minf(vmhd dinf stbl(
 *         stsd stts [stss] stsc stsz stco|co64)))))  mdat
 *
 * Samples are length-prefixed NAL units (lengthSizeMinusOne = 3) without
 * AUDs and without parameter sets: those live only in the sample entry
 * (hvc1/avc1 semantics, 14496-15 8.3.2 / 5.3.2), so parameter sets that
 * change mid-stream are refused.  One sample per chunk.
 *
 * mp4_build_header() is pure; struct mp4w does the file work: sample data
 * goes to a hidden temporary file beside the output while the tables grow
 * in memory; mp4w_finish() writes ftyp+moov+mdat into a second temporary
 * file, copies the data after it and renames it over the output, so a
 * failed or interrupted run never leaves a partial output behind.
 */
#ifndef CVMMAP_MP4_H
#define CVMMAP_MP4_H

#include "codec/paramsets.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define MP4_TIMESCALE 90000u    /* media timescale (mdhd) */
#define MP4_MOVIE_TIMESCALE 1000u

/* What the header describes. */
struct mp4_track {
	int codec;                      /* enum codec_id */
	uint32_t width, height;         /* displayed size (tkhd, sample entry) */
	const uint8_t *cfg;             /* avcC / hvcC record (box payload) */
	size_t cfg_len;
	uint32_t n;                     /* samples */
	const uint32_t *size;           /* bytes per sample */
	const uint32_t *dur;            /* duration per sample, MP4_TIMESCALE units */
	const uint8_t *sync;            /* 1 = sync sample */
};

/* Upper bound of mp4_build_header()'s output for t. */
size_t mp4_header_bound(const struct mp4_track *t);

/* Build ftyp + moov + the mdat header for data_len bytes of samples stored
 * back to back right after it (chunk offsets point there).  Returns the
 * header length, or -ENOSPC / -EINVAL (no samples, sizes not summing to
 * data_len). */
long mp4_build_header(const struct mp4_track *t, uint64_t data_len,
		      uint8_t *out, size_t cap);

/* Annex B AU -> MP4 sample: length-prefixed NAL units without AUDs and
 * without VPS/SPS/PPS.  Each parameter set met must equal the one in ps
 * (-EPROTO otherwise).  Returns the sample length, or -ENOSPC. */
long mp4_sample_from_annexb(int codec, const struct param_sets *ps,
			    const uint8_t *au, size_t n, uint8_t *out, size_t cap);

struct mp4w {
	int codec;
	uint32_t width, height;
	char path[4096], tmp_data[4096 + 32], tmp_out[4096 + 32];
	FILE *data;
	uint64_t data_len;

	uint8_t ps_buf[4096];           /* copies of the first AU's sets */
	struct param_sets ps;
	uint8_t cfg[4096];
	size_t cfg_len;

	uint32_t n, cap;
	uint32_t *size;
	uint64_t *ticks;                /* presentation time per sample */
	uint8_t *sync;
	uint64_t t0_ns;
	uint32_t default_dur;

	uint8_t *buf;                   /* sample conversion buffer */
	size_t buf_cap;
	char err[320];
};

/* Start writing path (which is created only by mp4w_finish).  display
 * width/height are the decoded picture size.  fps sets the last sample's
 * duration.  Returns 0 or a negative errno (w->err set). */
int mp4w_open(struct mp4w *w, const char *path, int codec, uint32_t width,
	      uint32_t height, uint32_t fps_num, uint32_t fps_den);

/* Append one Annex B AU presented at ts_ns (increasing).  The first AU
 * must carry the parameter sets.  Returns 0 or a negative errno. */
int mp4w_write(struct mp4w *w, const uint8_t *au, size_t n, uint64_t ts_ns, int keyframe);

/* Write the file and rename it into place.  Frees everything. */
int mp4w_finish(struct mp4w *w);

/* Drop everything, remove the temporary files. */
void mp4w_abort(struct mp4w *w);

#endif
