/* SPDX-License-Identifier: GPL-2.0-or-later */
/* svo2.c - SVO2 video channel (svo2.h; layout per docs/svo2-mp4.md §1.2-1.5). */
#include "zed/svo2.h"
#include "codec/codec.h"
#include "codec/nal.h"
#include "util/bytes.h"
#include "util/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int has_start_code(const uint8_t *p, size_t n)
{
	return (n >= 3 && p[0] == 0 && p[1] == 0 && p[2] == 1) ||
	       (n >= 4 && p[0] == 0 && p[1] == 0 && p[2] == 0 && p[3] == 1);
}

int svo2_frame_parse(const uint8_t *p, size_t n, struct svo2_frame *f)
{
	uint32_t total, pay, fpay;
	const uint8_t *ft;

	if (n < SVO2_PREFIX + SVO2_FOOTER)
		return -EINVAL;
	total = rd_le32(p);
	pay = rd_le32(p + 4);
	/* total_size counts the bytes after itself: payload_size, P, footer. */
	if (pay > n - SVO2_PREFIX - SVO2_FOOTER || total != 4 + (uint64_t)pay + SVO2_FOOTER)
		return -EINVAL;
	ft = p + SVO2_PREFIX + pay;
	fpay = rd_le32(ft + 0x20);
	if (fpay != pay)
		return -EINVAL;
	memset(f, 0, sizeof(*f));
	f->au = p + SVO2_PREFIX;
	f->au_len = pay;
	f->width = rd_le32(ft + 0x00);
	f->height = rd_le32(ft + 0x04);
	f->timestamp = rd_le64(ft + 0x18);
	f->frame_type = (int32_t)rd_le32(ft + 0x24);
	f->frame_id = rd_le32(ft + 0x2C);
	if (!has_start_code(f->au, f->au_len))
		return -EPROTONOSUPPORT;
	return 0;
}

int svo2_detect_codec(const uint8_t *au, size_t n)
{
	struct nal nal;
	unsigned t;

	if (!annexb_next(au, au + n, &nal) || nal.n < 1)
		return -1;
	/* HEVC: forbidden bit 0, layer id 0, type in bits 1..6; VPS/SPS/PPS,
	 * AUD, prefix SEI or a slice.  H.264 headers of those kinds (0x67,
	 * 0x68, 0x65, 0x09, 0x06) decode to HEVC types 51, 52, 50, 4, 3, which
	 * differ from the HEVC first NALs accepted here except 4/3 (slices,
	 * which a keyframe never starts with). */
	t = (nal.p[0] >> 1) & 0x3f;
	if (nal.n >= 2 && !(nal.p[0] & 0x80) &&
	    (t == H265_NAL_VPS || t == H265_NAL_SPS || t == H265_NAL_PPS ||
	     t == H265_NAL_AUD || t == H265_NAL_SEI_PREFIX ||
	     (t >= H265_NAL_BLA_W_LP && t <= H265_NAL_IRAP_MAX)))
		return CODEC_H265;
	t = nal.p[0] & 0x1f;
	if (!(nal.p[0] & 0x80) && (t == H264_NAL_SPS || t == H264_NAL_PPS ||
				   t == H264_NAL_IDR || t == H264_NAL_AUD ||
				   t == H264_NAL_SEI))
		return CODEC_H264;
	return -1;
}

int svo2_is_v1_name(const char *path)
{
	size_t n = strlen(path);

	return n >= 4 && strcasecmp(path + n - 4, ".svo") == 0;
}

static int fail(struct svo2 *s, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->err, sizeof(s->err), fmt, ap);
	va_end(ap);
	return err;
}

static uint64_t absdiff(uint64_t a, uint64_t b)
{
	return a > b ? a - b : b - a;
}

int svo2_open(struct svo2 *s, const char *path, int flags)
{
	static const uint64_t units[] = { 1, 1000, 1000000 };
	const struct mcap_chan *ch;
	struct svo2_frame f;
	const uint8_t *p;
	size_t n;
	uint32_t i;
	int err;

	memset(s, 0, sizeof(*s));
	err = mcap_open_file(&s->m, path, SVO2_TOPIC_SUFFIX, flags);
	if (err == -EPROTONOSUPPORT && svo2_is_v1_name(path))
		return fail(s, err, "%s: %s", path, SVO2_V1_WHY);
	if (err == -EPROTONOSUPPORT)
		return fail(s, err, "%s: not an SVO2 recording (%s); if it is SVO v1 (ZED SDK < 4.1), "
			    "that format is proprietary and not publicly documented: %s",
			    path, s->m.err, SVO2_V1_FIX);
	if (err < 0)
		return fail(s, err, "%s: %s", path, s->m.err);
	if (!s->m.n_msgs)
		return fail(s, -ENOENT, "%s: no '*%s' video messages (not an SVO2 recording?)",
			    path, SVO2_TOPIC_SUFFIX);
	ch = mcap_channel(&s->m, s->m.msgs[0].channel_id);
	for (i = 1; i < s->m.n_msgs; i++)
		if (s->m.msgs[i].channel_id != ch->id)
			return fail(s, -ENOTSUP, "%s: several side-by-side channels: not supported", path);
	if (strcmp(ch->encoding, SVO2_ENCODING) != 0)
		return fail(s, -ENOTSUP, "%s: channel '%s' has message encoding '%s', expected '%s'",
			    path, ch->topic, ch->encoding, SVO2_ENCODING);
	s->n_frames = s->m.n_msgs;

	if ((err = mcap_message(&s->m, 0, &p, &n)) < 0)
		return fail(s, err, "%s: %s", path, s->m.err);
	err = svo2_frame_parse(p, n, &f);
	if (err == -EPROTONOSUPPORT)
		return fail(s, err, "%s: payload is not H.264/H.265 Annex B: LOSSLESS (PNG/ZSTD) SVO2 recordings are not supported",
			    path);
	if (err < 0)
		return fail(s, err, "%s: frame 0: malformed video message (%zu bytes)", path, n);
	s->codec = svo2_detect_codec(f.au, f.au_len);
	if (s->codec < 0)
		return fail(s, -ENOTSUP, "%s: frame 0 starts with neither an H.264 nor an H.265 NAL unit", path);
	if (f.width < 4 || f.height < 2 || f.width > 16384 || f.height > 16384)
		return fail(s, -EINVAL, "%s: implausible frame size %ux%u", path, f.width, f.height);
	s->width = f.width;
	s->height = f.height;

	/* Footer timestamp unit (docs/svo2-mp4.md §1.2): the scale that lands
	 * within 5 s of log_time (ns), else log_time itself. */
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (f.timestamp <= UINT64_MAX / units[i] &&
		    absdiff(f.timestamp * units[i], s->m.msgs[0].log_time) < 5000000000ull) {
			s->ts_mul = units[i];
			break;
		}
	if (!s->ts_mul)
		log_warn("svo2", "%s: footer timestamp %llu does not match log_time %llu: using log_time",
			 path, (unsigned long long)f.timestamp,
			 (unsigned long long)s->m.msgs[0].log_time);
	s->last_index = UINT32_MAX;
	return 0;
}

int svo2_read(struct svo2 *s, uint32_t i, struct svo2_frame *f)
{
	static struct log_limit kf_rl;
	const uint8_t *p;
	size_t n;
	uint64_t ts;
	int err;

	if ((err = mcap_message(&s->m, i, &p, &n)) < 0)
		return fail(s, err, "frame %u: %s", i, s->m.err);
	if ((err = svo2_frame_parse(p, n, f)) < 0)
		return fail(s, err, "frame %u: malformed video message (%zu bytes)", i, n);
	f->index = i;
	f->keyframe = annexb_is_keyframe(s->codec, f->au, f->au_len);
	if (f->keyframe != (f->frame_type == 3))
		log_limited(&kf_rl, LOG_WARN, "svo2",
			    "frame %u: footer frame_type %d disagrees with the NAL types: trusting the NAL",
			    i, f->frame_type);
	ts = s->ts_mul ? f->timestamp * s->ts_mul : s->m.msgs[i].log_time;
	if (s->last_index == UINT32_MAX || i <= s->last_index)
		s->last_ts = 0;
	else if (ts <= s->last_ts) {
		ts = s->last_ts + 1;
		s->ts_fixed++;
	}
	f->ts_ns = ts;
	s->last_ts = ts;
	s->last_index = i;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

void svo2_frame_rate(const struct svo2 *s, uint32_t *num, uint32_t *den)
{
	uint64_t d[63];
	uint32_t i, k = 0;

	for (i = 1; i < s->n_frames && k < 63; i++)
		d[k++] = s->m.msgs[i].log_time - s->m.msgs[i - 1].log_time;
	*num = 15;
	*den = 1;
	if (!k)
		return;
	qsort(d, k, sizeof(d[0]), cmp_u64);
	if (d[k / 2] > 0 && d[k / 2] < 10000000000ull) {
		/* fps in 1/1000 units, e.g. 15000/1000 or 29970/1000. */
		uint64_t milli = (1000000000000ull + d[k / 2] / 2) / d[k / 2];
		if (milli >= 1000 && milli <= 1000000) {
			*num = (uint32_t)milli;
			*den = 1000;
			if (milli % 1000 == 0) {
				*num = (uint32_t)(milli / 1000);
				*den = 1;
			}
		}
	}
}

void svo2_close(struct svo2 *s)
{
	mcap_close(&s->m);
}
