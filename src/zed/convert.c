/* SPDX-License-Identifier: GPL-2.0-or-later */
/* convert.c - SVO2 -> MP4 (convert.h): decode with libavcodec, crop the
 * left half, encode with our encoders, mux with mp4.c; or remux (--copy). */
#include "zed/convert.h"
#include "codec/paramsets.h"
#include "zed/mcap.h"
#include "util/exitcodes.h"
#include "util/log.h"
#include "zed/progress.h"
#include "zed/svo2.h"
#include "zed/vdec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ---- encode + mux ----------------------------------------------------- */

int zed_sink_open(struct zed_sink *s, const struct zed_enc_opts *o, const char *path,
		  uint32_t width, uint32_t height, uint32_t fps_num, uint32_t fps_den,
		  char *err, size_t errlen)
{
	struct encoder_cfg cfg;
	int r;

	memset(s, 0, sizeof(*s));
	memset(&cfg, 0, sizeof(cfg));
	cfg.codec = o->codec;
	cfg.device = zed_encoder_device(o->device);
	cfg.preset = zed_preset_x26x(o->preset);
	cfg.width = width;
	cfg.height = height;
	cfg.fps_num = fps_num;
	cfg.fps_den = fps_den;
	cfg.gop = (int)((2ull * fps_num + fps_den - 1) / fps_den); /* ~2 s */
	cfg.b_frames = 0;
	cfg.bitrate_kbps = 0;
	cfg.quality = (int)o->quality;
	cfg.threads = 0;
	if ((r = encoder_open(&s->enc, &cfg)) < 0) {
		snprintf(err, errlen, "cannot open a %s encoder (%s) for %ux%u",
			 codec_names[o->codec], zed_device_names[o->device], width, height);
		return r;
	}
	if ((r = mp4w_open(&s->mp4, path, o->codec, width, height, fps_num, fps_den)) < 0) {
		snprintf(err, errlen, "%s", s->mp4.err);
		encoder_close(s->enc);
		s->enc = NULL;
		return r;
	}
	s->width = width;
	s->height = height;
	return 0;
}

int zed_sink_put(struct zed_sink *s, struct yuv_frame *f, uint64_t ts_ns,
		 char *err, size_t errlen)
{
	struct access_unit au = { 0 };   /* data NULL: the encoder's own buffer */
	int r;

	f->pts_ns = ts_ns;
	r = encoder_encode(s->enc, f, &au);
	s->frames_in++;
	if (r < 0) {
		snprintf(err, errlen, "encoder (%s) failed: %s", encoder_name(s->enc), strerror(-r));
		return r;
	}
	if (r == 0)
		return 0;       /* buffered: zero-latency settings make this rare */
	s->aus++;
	if ((r = mp4w_write(&s->mp4, au.data, au.size, au.pts_ns, au.keyframe)) < 0)
		snprintf(err, errlen, "%s", s->mp4.err);
	return r;
}

int zed_sink_finish(struct zed_sink *s, char *err, size_t errlen)
{
	int r;

	encoder_close(s->enc);
	s->enc = NULL;
	if ((r = mp4w_finish(&s->mp4)) < 0)
		snprintf(err, errlen, "%s", s->mp4.err);
	return r;
}

void zed_sink_abort(struct zed_sink *s)
{
	if (s->enc)
		encoder_close(s->enc);
	s->enc = NULL;
	mp4w_abort(&s->mp4);
}

/* ---- conversion ------------------------------------------------------- */

#define TS_RING 64      /* decoder delay we can map back to timestamps */

/* Remux frames k..end unchanged (side by side, source codec). */
static int run_copy(struct svo2 *s, const struct zed_convert_opts *o, const char *out,
		    uint32_t k, uint32_t end, struct progress *pg)
{
	struct param_sets ps;
	struct sps_info si;
	struct svo2_frame f;
	struct mp4w w;
	uint32_t i, num, den;
	int r;

	if (svo2_read(s, k, &f) < 0 || paramsets_extract(s->codec, f.au, f.au_len, &ps) < 0 ||
	    sps_parse(s->codec, &ps.sps, &si) < 0) {
		fprintf(stderr, "%s: frame %u: keyframe without parsable parameter sets\n", o->input, k);
		return 1;
	}
	svo2_frame_rate(s, &num, &den);
	if (mp4w_open(&w, out, s->codec, si.width, si.height, num, den) < 0) {
		fprintf(stderr, "%s\n", w.err);
		return 1;
	}
	for (i = k; i <= end && !zed_stop; i++) {
		if ((r = svo2_read(s, i, &f)) < 0) {
			fprintf(stderr, "%s: %s\n", o->input, s->err);
			goto fail;
		}
		if ((r = mp4w_write(&w, f.au, f.au_len, f.ts_ns, f.keyframe)) < 0) {
			fprintf(stderr, "%s: %s\n", o->input, w.err);
			goto fail;
		}
		progress_update(pg, i - k + 1);
	}
	if (zed_stop)
		goto fail;
	if (mp4w_finish(&w) < 0) {
		fprintf(stderr, "%s\n", w.err);
		return 1;
	}
	return 0;
fail:
	mp4w_abort(&w);
	return 1;
}

/* Decode k..end, encode the left half of start..end. */
static int run_transcode(struct svo2 *s, const struct zed_convert_opts *o, const char *out,
			 uint32_t k, uint32_t start, uint32_t end, struct progress *pg)
{
	static struct log_limit bad_rl;
	uint64_t ts[TS_RING];
	struct zed_sink sink;
	struct svo2_frame f;
	struct yuv_frame pic;
	struct vdec *dec;
	char err[320];
	uint32_t i, num, den, bad = 0;
	int64_t tag;
	int r, open = 0, rc = 1, eos = 0;

	if (vdec_open(&dec, s->codec, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", o->input, err);
		return EXIT_INIT;
	}
	svo2_frame_rate(s, &num, &den);
	for (i = k; !eos && !zed_stop;) {
		if (i <= end) {
			if ((r = svo2_read(s, i, &f)) < 0) {
				fprintf(stderr, "%s: %s\n", o->input, s->err);
				goto out;
			}
			ts[i % TS_RING] = f.ts_ns;
			r = vdec_send(dec, f.au, f.au_len, i);
			if (r == -EBADMSG) {
				bad++;
				log_limited(&bad_rl, LOG_WARN, "zed", "%s: frame %u: decoder rejected the access unit",
					    o->input, i);
			} else if (r < 0) {
				fprintf(stderr, "%s: frame %u: decoder failed\n", o->input, i);
				goto out;
			}
			i++;
		} else {
			vdec_send(dec, NULL, 0, 0);
			eos = 1;
		}
		while ((r = vdec_receive(dec, &pic, &tag, err, sizeof(err))) > 0) {
			if (tag < (int64_t)start || tag > (int64_t)end || (int64_t)i - tag > TS_RING)
				continue;
			/* Left view: the first half of the width, no scaling. */
			pic.width = (pic.width / 2) & ~1u;
			pic.height &= ~1u;
			if (!open) {
				if ((r = zed_sink_open(&sink, &o->enc, out, pic.width, pic.height,
						       num, den, err, sizeof(err))) < 0) {
					fprintf(stderr, "%s: %s\n", o->input, err);
					rc = r == -ENODEV ? EXIT_INIT : 1;
					goto out;
				}
				open = 1;
				log_info("zed", "%s -> %s: %ux%u %s (%s)", o->input, out, pic.width,
					 pic.height, codec_names[o->enc.codec], encoder_name(sink.enc));
			}
			if (pic.width != sink.width || pic.height != sink.height) {
				fprintf(stderr, "%s: frame %lld: picture size changed mid-stream\n",
					o->input, (long long)tag);
				goto out;
			}
			if (zed_sink_put(&sink, &pic, ts[tag % TS_RING], err, sizeof(err)) < 0) {
				fprintf(stderr, "%s: %s\n", o->input, err);
				goto out;
			}
			progress_update(pg, (uint64_t)(tag - start + 1));
		}
		if (r < 0) {
			fprintf(stderr, "%s: %s\n", o->input, err);
			goto out;
		}
	}
	if (zed_stop || !open) {
		if (!open)
			fprintf(stderr, "%s: no picture decoded\n", o->input);
		goto out;
	}
	if (bad)
		log_warn("zed", "%s: %u access units could not be decoded", o->input, bad);
	r = zed_sink_finish(&sink, err, sizeof(err));
	open = 0;
	if (r < 0) {
		fprintf(stderr, "%s: %s\n", o->input, err);
		goto out;
	}
	rc = 0;
out:
	if (open)
		zed_sink_abort(&sink);
	vdec_close(dec);
	return rc;
}

int zed_convert(const struct zed_convert_opts *o)
{
	struct svo2 s;
	struct svo2_frame f;
	struct progress pg;
	char outbuf[4096];
	const char *out = o->output;
	uint32_t start, end, k;
	int rc;

	if (!out) {
		if (zed_default_output(o->input, ".mp4", outbuf, sizeof(outbuf)) < 0) {
			fprintf(stderr, "%s: path too long\n", o->input);
			return EXIT_USAGE;
		}
		out = outbuf;
	}
	if (svo2_open(&s, o->input, o->range.allow_truncated ? MCAP_ALLOW_TRUNCATED : 0) < 0) {
		fprintf(stderr, "%s\n", s.err);
		svo2_close(&s);
		return 1;
	}
	if (s.m.truncated)
		log_warn("zed", "%s: truncated file: converting the %u complete frames",
			 o->input, s.n_frames);
	end = o->range.end < 0 || o->range.end >= (long)s.n_frames ? s.n_frames - 1
								     : (uint32_t)o->range.end;
	if (o->range.start < 0 || o->range.start > (long)end) {
		fprintf(stderr, "%s: --start-frame %ld is past the end frame %u (%u frames)\n",
			o->input, o->range.start, end, s.n_frames);
		svo2_close(&s);
		return EXIT_USAGE;
	}
	start = (uint32_t)o->range.start;
	/* Decoding (and remuxing) starts at the keyframe at or before start. */
	for (k = start;; k--) {
		if (svo2_read(&s, k, &f) < 0) {
			fprintf(stderr, "%s: %s\n", o->input, s.err);
			svo2_close(&s);
			return 1;
		}
		if (f.keyframe || k == 0)
			break;
	}
	if (!f.keyframe) {
		fprintf(stderr, "%s: no keyframe at or before frame %u\n", o->input, start);
		svo2_close(&s);
		return 1;
	}
	if (o->copy)
		start = k;
	progress_start(&pg, o->input, "frames", end - start + 1, o->quiet);
	if (o->copy)
		rc = run_copy(&s, o, out, k, end, &pg);
	else
		rc = run_transcode(&s, o, out, k, start, end, &pg);
	if (rc == 0)
		progress_done(&pg);
	if (rc == 0 && s.ts_fixed)
		log_warn("zed", "%s: %u timestamps went backwards and were moved forward",
			 o->input, s.ts_fixed);
	if (zed_stop) {
		fprintf(stderr, "%s: interrupted, no output written\n", o->input);
		rc = 1;
	}
	svo2_close(&s);
	return rc;
}
