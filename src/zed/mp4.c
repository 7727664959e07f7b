/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mp4.c - ISO BMFF writer (mp4.h).  Box references are ISO/IEC 14496-12
 * (2015) clause numbers; sample entries ISO/IEC 14496-15. */
#include "zed/mp4.h"
#include "codec/nal.h"
#include "codec/codec.h"
#include "util/bytes.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- pure box builder ------------------------------------------------- */

struct bw {
	uint8_t *p;
	const uint8_t *end;
	uint8_t *stack[10];
	int depth;
};

static void box_begin(struct bw *b, const char *type)
{
	b->stack[b->depth++] = b->p;
	b->p = put_be32(b->p, b->end, 0);
	b->p = put_bytes(b->p, b->end, type, 4);
}

/* FullBox (4.2): version and 24-bit flags after the header. */
static void full_begin(struct bw *b, const char *type, uint8_t version, uint32_t flags)
{
	box_begin(b, type);
	b->p = put_u8(b->p, b->end, version);
	b->p = put_be24(b->p, b->end, flags);
}

static void box_end(struct bw *b)
{
	uint8_t *s = b->stack[--b->depth];

	if (s && b->p)
		wr_be32(s, (uint32_t)(b->p - s));
}

static void be32s(struct bw *b, const uint32_t *v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		b->p = put_be32(b->p, b->end, v[i]);
}

/* Unity matrix (8.2.2 / 8.3.2). */
static const uint32_t matrix[9] = { 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000 };

static void sample_entry(struct bw *b, const struct mp4_track *t)
{
	static const uint32_t zero3[3];
	int h265 = t->codec == CODEC_H265;

	/* VisualSampleEntry (12.1.3) */
	box_begin(b, h265 ? "hvc1" : "avc1");
	b->p = put_zero(b->p, b->end, 6);                  /* reserved */
	b->p = put_be16(b->p, b->end, 1);                  /* data_reference_index */
	b->p = put_zero(b->p, b->end, 4);                  /* pre_defined, reserved */
	be32s(b, zero3, 3);                                /* pre_defined */
	b->p = put_be16(b->p, b->end, (uint16_t)t->width);
	b->p = put_be16(b->p, b->end, (uint16_t)t->height);
	b->p = put_be32(b->p, b->end, 0x00480000);         /* 72 dpi */
	b->p = put_be32(b->p, b->end, 0x00480000);
	b->p = put_be32(b->p, b->end, 0);                  /* reserved */
	b->p = put_be16(b->p, b->end, 1);                  /* frame_count */
	b->p = put_zero(b->p, b->end, 32);                 /* compressorname */
	b->p = put_be16(b->p, b->end, 0x0018);             /* depth */
	b->p = put_be16(b->p, b->end, 0xffff);             /* pre_defined = -1 */
	box_begin(b, h265 ? "hvcC" : "avcC");              /* 14496-15 8.3.3 / 5.3.3 */
	b->p = put_bytes(b->p, b->end, t->cfg, t->cfg_len);
	box_end(b);
	box_end(b);
}

static void stbl(struct bw *b, const struct mp4_track *t, int co64, uint64_t base)
{
	uint32_t i, runs = 0, syncs = 0;
	uint8_t *count_at;
	uint64_t off = base;

	box_begin(b, "stbl");
	full_begin(b, "stsd", 0, 0);                       /* 8.5.2 */
	b->p = put_be32(b->p, b->end, 1);
	sample_entry(b, t);
	box_end(b);

	full_begin(b, "stts", 0, 0);                       /* 8.6.1.2: (count, delta) runs */
	count_at = b->p;
	b->p = put_be32(b->p, b->end, 0);
	for (i = 0; i < t->n;) {
		uint32_t j = i + 1;
		while (j < t->n && t->dur[j] == t->dur[i])
			j++;
		b->p = put_be32(b->p, b->end, j - i);
		b->p = put_be32(b->p, b->end, t->dur[i]);
		runs++;
		i = j;
	}
	if (b->p)
		wr_be32(count_at, runs);
	box_end(b);

	for (i = 0; i < t->n; i++)
		syncs += t->sync[i] != 0;
	if (syncs != t->n) {                               /* 8.6.2: absent = all sync */
		full_begin(b, "stss", 0, 0);
		b->p = put_be32(b->p, b->end, syncs);
		for (i = 0; i < t->n; i++)
			if (t->sync[i])
				b->p = put_be32(b->p, b->end, i + 1); /* 1-based */
		box_end(b);
	}

	full_begin(b, "stsc", 0, 0);                       /* 8.7.4: one sample per chunk */
	b->p = put_be32(b->p, b->end, 1);
	b->p = put_be32(b->p, b->end, 1);
	b->p = put_be32(b->p, b->end, 1);
	b->p = put_be32(b->p, b->end, 1);
	box_end(b);

	full_begin(b, "stsz", 0, 0);                       /* 8.7.3.2 */
	b->p = put_be32(b->p, b->end, 0);
	b->p = put_be32(b->p, b->end, t->n);
	be32s(b, t->size, (int)t->n);
	box_end(b);

	full_begin(b, co64 ? "co64" : "stco", 0, 0);       /* 8.7.5 */
	b->p = put_be32(b->p, b->end, t->n);
	for (i = 0; i < t->n; i++) {
		b->p = co64 ? put_be64(b->p, b->end, off) : put_be32(b->p, b->end, (uint32_t)off);
		off += t->size[i];
	}
	box_end(b);
	box_end(b);
}

static long build(const struct mp4_track *t, uint64_t data_len, int co64,
		  uint64_t base, uint8_t *out, size_t cap)
{
	static const uint32_t zero6[6];
	struct bw b = { out, out + cap, { 0 }, 0 };
	uint64_t media = 0, movie;
	uint32_t i;
	int h265 = t->codec == CODEC_H265, v1;

	for (i = 0; i < t->n; i++)
		media += t->dur[i];
	movie = (media * MP4_MOVIE_TIMESCALE + MP4_TIMESCALE / 2) / MP4_TIMESCALE;
	v1 = media > UINT32_MAX;

	box_begin(&b, "ftyp");                             /* 4.3 */
	b.p = put_bytes(b.p, b.end, "isom", 4);
	b.p = put_be32(b.p, b.end, 0x200);
	b.p = put_bytes(b.p, b.end, "isomiso2", 8);
	b.p = put_bytes(b.p, b.end, h265 ? "hvc1" : "avc1", 4);
	b.p = put_bytes(b.p, b.end, "mp41", 4);
	box_end(&b);

	box_begin(&b, "moov");
	full_begin(&b, "mvhd", 0, 0);                      /* 8.2.2, times 0 = unknown */
	b.p = put_be32(b.p, b.end, 0);
	b.p = put_be32(b.p, b.end, 0);
	b.p = put_be32(b.p, b.end, MP4_MOVIE_TIMESCALE);
	b.p = put_be32(b.p, b.end, (uint32_t)movie);
	b.p = put_be32(b.p, b.end, 0x00010000);            /* rate 1.0 */
	b.p = put_be16(b.p, b.end, 0x0100);                /* volume 1.0 */
	b.p = put_zero(b.p, b.end, 10);
	be32s(&b, matrix, 9);
	be32s(&b, zero6, 6);
	b.p = put_be32(b.p, b.end, 2);                     /* next_track_ID */
	box_end(&b);

	box_begin(&b, "trak");
	full_begin(&b, "tkhd", 0, 3);                      /* 8.3.2: enabled, in movie */
	b.p = put_be32(b.p, b.end, 0);
	b.p = put_be32(b.p, b.end, 0);
	b.p = put_be32(b.p, b.end, 1);                     /* track_ID */
	b.p = put_be32(b.p, b.end, 0);
	b.p = put_be32(b.p, b.end, (uint32_t)movie);
	b.p = put_zero(b.p, b.end, 8 + 2 + 2 + 2 + 2);     /* reserved, layer, group, volume, reserved */
	be32s(&b, matrix, 9);
	b.p = put_be32(b.p, b.end, t->width << 16);        /* 16.16 */
	b.p = put_be32(b.p, b.end, t->height << 16);
	box_end(&b);

	box_begin(&b, "mdia");
	full_begin(&b, "mdhd", (uint8_t)v1, 0);            /* 8.4.2 */
	if (v1) {
		b.p = put_be64(b.p, b.end, 0);
		b.p = put_be64(b.p, b.end, 0);
		b.p = put_be32(b.p, b.end, MP4_TIMESCALE);
		b.p = put_be64(b.p, b.end, media);
	} else {
		b.p = put_be32(b.p, b.end, 0);
		b.p = put_be32(b.p, b.end, 0);
		b.p = put_be32(b.p, b.end, MP4_TIMESCALE);
		b.p = put_be32(b.p, b.end, (uint32_t)media);
	}
	b.p = put_be16(b.p, b.end, 0x55c4);                /* 'und', ISO 639-2/T packed */
	b.p = put_be16(b.p, b.end, 0);
	box_end(&b);
	full_begin(&b, "hdlr", 0, 0);                      /* 8.4.3 */
	b.p = put_be32(b.p, b.end, 0);
	b.p = put_bytes(b.p, b.end, "vide", 4);
	b.p = put_zero(b.p, b.end, 12);
	b.p = put_bytes(b.p, b.end, "VideoHandler", 13);   /* with its NUL */
	box_end(&b);
	box_begin(&b, "minf");
	full_begin(&b, "vmhd", 0, 1);                      /* 12.1.2 */
	b.p = put_zero(b.p, b.end, 8);
	box_end(&b);
	box_begin(&b, "dinf");                             /* 8.7.1 */
	full_begin(&b, "dref", 0, 0);
	b.p = put_be32(b.p, b.end, 1);
	full_begin(&b, "url ", 0, 1);                      /* media in this file */
	box_end(&b);
	box_end(&b);
	box_end(&b);
	stbl(&b, t, co64, base);
	box_end(&b);                                       /* minf */
	box_end(&b);                                       /* mdia */
	box_end(&b);                                       /* trak */
	box_end(&b);                                       /* moov */

	/* mdat (8.1.1): 64-bit largesize when the data needs it. */
	if (data_len + 8 > UINT32_MAX) {
		b.p = put_be32(b.p, b.end, 1);
		b.p = put_bytes(b.p, b.end, "mdat", 4);
		b.p = put_be64(b.p, b.end, data_len + 16);
	} else {
		b.p = put_be32(b.p, b.end, (uint32_t)(data_len + 8));
		b.p = put_bytes(b.p, b.end, "mdat", 4);
	}
	return b.p ? (long)(b.p - out) : -ENOSPC;
}

size_t mp4_header_bound(const struct mp4_track *t)
{
	/* Fixed boxes < 1 KiB; per sample: stts 8, stss 4, stsz 4, co64 8. */
	return 1024 + t->cfg_len + (size_t)t->n * 24;
}

long mp4_build_header(const struct mp4_track *t, uint64_t data_len,
		      uint8_t *out, size_t cap)
{
	uint64_t sum = 0;
	uint32_t i;
	long len;
	int co64 = 0;

	if (!t->n || t->width > 0xffff || t->height > 0xffff)
		return -EINVAL;
	for (i = 0; i < t->n; i++)
		sum += t->size[i];
	if (sum != data_len)
		return -EINVAL;
	/* First pass learns the header length (offsets do not change it),
	 * the second writes the real chunk offsets. */
	len = build(t, data_len, co64, 0, out, cap);
	if (len > 0 && (uint64_t)len + data_len > UINT32_MAX) {
		co64 = 1;
		len = build(t, data_len, co64, 0, out, cap);
	}
	if (len < 0)
		return len;
	return build(t, data_len, co64, (uint64_t)len, out, cap);
}

/* ---- samples ---------------------------------------------------------- */

static int is_paramset(int codec, const struct nal *n, const struct nal **stored,
		       const struct param_sets *ps)
{
	int t = nal_type(codec, n);

	if (codec == CODEC_H265) {
		*stored = t == H265_NAL_VPS ? &ps->vps : t == H265_NAL_SPS ? &ps->sps :
			  t == H265_NAL_PPS ? &ps->pps : NULL;
	} else {
		*stored = t == H264_NAL_SPS ? &ps->sps : t == H264_NAL_PPS ? &ps->pps : NULL;
	}
	return *stored != NULL;
}

long mp4_sample_from_annexb(int codec, const struct param_sets *ps,
			    const uint8_t *au, size_t n, uint8_t *out, size_t cap)
{
	const uint8_t *p = au, *end = au + n;
	uint8_t *o = out;
	const uint8_t *oend = out + cap;
	const struct nal *stored;
	struct nal nal;

	while ((p = annexb_next(p, end, &nal))) {
		if (nal_is_aud(&nal))
			continue;
		if (is_paramset(codec, &nal, &stored, ps)) {
			if (stored->n != nal.n || memcmp(stored->p, nal.p, nal.n) != 0)
				return -EPROTO;
			continue;
		}
		o = put_be32(o, oend, (uint32_t)nal.n);
		o = put_bytes(o, oend, nal.p, nal.n);
		if (!o)
			return -ENOSPC;
	}
	return (long)(o - out);
}

/* ---- file writer ------------------------------------------------------ */

static int werr(struct mp4w *w, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(w->err, sizeof(w->err), fmt, ap);
	va_end(ap);
	return err;
}

/* "dir/name" -> "dir/.name<suffix>XXXXXX" for mkstemp. */
static int tmp_name(char *dst, size_t cap, const char *path, const char *suffix)
{
	const char *slash = strrchr(path, '/');
	int dl = slash ? (int)(slash - path + 1) : 0;
	int r = snprintf(dst, cap, "%.*s.%s%sXXXXXX", dl, path, path + dl, suffix);

	return r > 0 && (size_t)r < cap ? 0 : -ENAMETOOLONG;
}

int mp4w_open(struct mp4w *w, const char *path, int codec, uint32_t width,
	      uint32_t height, uint32_t fps_num, uint32_t fps_den)
{
	int fd;

	memset(w, 0, sizeof(*w));
	w->codec = codec;
	w->width = width;
	w->height = height;
	w->default_dur = fps_num ? (uint32_t)((uint64_t)MP4_TIMESCALE * fps_den / fps_num) : 6000;
	if (!w->default_dur)
		w->default_dur = 1;
	if (strlen(path) >= sizeof(w->path) ||
	    tmp_name(w->tmp_data, sizeof(w->tmp_data), path, ".mdat.") < 0)
		return werr(w, -ENAMETOOLONG, "%s: path too long", path);
	strcpy(w->path, path);
	fd = mkstemp(w->tmp_data);
	if (fd < 0) {
		int e = -errno;
		w->tmp_data[0] = 0;
		return werr(w, e, "cannot create a temporary file beside %s: %s", path, strerror(-e));
	}
	w->data = fdopen(fd, "wb");
	if (!w->data) {
		close(fd);
		mp4w_abort(w);
		return werr(w, -ENOMEM, "fdopen failed");
	}
	w->buf_cap = 1 << 20;
	w->buf = malloc(w->buf_cap);
	if (!w->buf) {
		mp4w_abort(w);
		return werr(w, -ENOMEM, "out of memory");
	}
	return 0;
}

/* Keep copies of the first AU's parameter sets and build avcC/hvcC. */
static int take_paramsets(struct mp4w *w, const uint8_t *au, size_t n)
{
	struct param_sets ps;
	struct nal *dst[3] = { &w->ps.vps, &w->ps.sps, &w->ps.pps };
	const struct nal *src[3];
	size_t used = 0;
	int i, r;

	if (paramsets_extract(w->codec, au, n, &ps) < 0)
		return werr(w, -EINVAL, "the first access unit carries no complete parameter sets");
	src[0] = &ps.vps;
	src[1] = &ps.sps;
	src[2] = &ps.pps;
	for (i = 0; i < 3; i++) {
		if (src[i]->n > sizeof(w->ps_buf) - used)
			return werr(w, -EINVAL, "parameter sets larger than %zu bytes", sizeof(w->ps_buf));
		memcpy(w->ps_buf + used, src[i]->p, src[i]->n);
		dst[i]->p = w->ps_buf + used;
		dst[i]->n = src[i]->n;
		used += src[i]->n;
	}
	r = w->codec == CODEC_H265 ? hvcc_build(&w->ps, w->cfg, sizeof(w->cfg))
				   : avcc_build(&w->ps, w->cfg, sizeof(w->cfg));
	if (r < 0)
		return werr(w, r, "cannot build the %s record from the stream's parameter sets",
			    w->codec == CODEC_H265 ? "hvcC" : "avcC");
	w->cfg_len = (size_t)r;
	return 0;
}

/* hvc1 (14496-15 8.3.2): parameter sets only in the sample entry, so each
 * array's completeness bit is 1.  Arrays start at byte 23 of hvcC. */
static void hvcc_set_complete(uint8_t *c, size_t n)
{
	size_t o = 23, k, arrays;

	if (n < 23)
		return;
	arrays = c[22];
	for (k = 0; k < arrays && o + 3 <= n; k++) {
		unsigned cnt = (unsigned)c[o + 1] << 8 | c[o + 2], j;
		c[o] |= 0x80;
		o += 3;
		for (j = 0; j < cnt && o + 2 <= n; j++)
			o += 2 + ((size_t)c[o] << 8 | c[o + 1]);
	}
}

int mp4w_write(struct mp4w *w, const uint8_t *au, size_t n, uint64_t ts_ns, int keyframe)
{
	uint64_t ticks;
	long len;
	int err;

	if (!w->n) {
		if ((err = take_paramsets(w, au, n)) < 0)
			return err;
		if (w->codec == CODEC_H265)
			hvcc_set_complete(w->cfg, w->cfg_len);
		w->t0_ns = ts_ns;
	}
	if (n + 64 > w->buf_cap) {
		/* Rare: an AU larger than any before (lengths replace start
		 * codes, so the sample is at most n + 4 per NAL over n). */
		size_t nc = n * 2 + 64;
		uint8_t *q = realloc(w->buf, nc);
		if (!q)
			return werr(w, -ENOMEM, "out of memory");
		w->buf = q;
		w->buf_cap = nc;
	}
	len = mp4_sample_from_annexb(w->codec, &w->ps, au, n, w->buf, w->buf_cap);
	if (len == -EPROTO)
		return werr(w, -EPROTO, "sample %u: parameter sets change mid-stream (not supported by hvc1/avc1 output)", w->n);
	if (len <= 0)
		return werr(w, -EINVAL, "sample %u: no NAL units", w->n);
	if (w->n == w->cap) {
		uint32_t nc = w->cap ? w->cap * 2 : 1024;
		void *a = realloc(w->size, nc * sizeof(*w->size));
		void *b = a ? realloc(w->ticks, nc * sizeof(*w->ticks)) : NULL;
		void *c = b ? realloc(w->sync, nc) : NULL;
		if (a)
			w->size = a;
		if (b)
			w->ticks = b;
		if (!c)
			return werr(w, -ENOMEM, "out of memory");
		w->sync = c;
		w->cap = nc;
	}
	ticks = ts_ns > w->t0_ns ? ((ts_ns - w->t0_ns) * MP4_TIMESCALE + 500000000ull) / 1000000000ull : 0;
	if (w->n && ticks <= w->ticks[w->n - 1])
		ticks = w->ticks[w->n - 1] + 1;         /* strictly increasing */
	if (fwrite(w->buf, 1, (size_t)len, w->data) != (size_t)len)
		return werr(w, -EIO, "writing the temporary file: %s", strerror(errno));
	w->size[w->n] = (uint32_t)len;
	w->ticks[w->n] = ticks;
	w->sync[w->n] = keyframe ? 1 : 0;
	w->n++;
	w->data_len += (uint64_t)len;
	return 0;
}

static void release(struct mp4w *w)
{
	if (w->data)
		fclose(w->data);
	w->data = NULL;
	free(w->size);
	free(w->ticks);
	free(w->sync);
	free(w->buf);
	w->size = NULL;
	w->ticks = NULL;
	w->sync = NULL;
	w->buf = NULL;
}

void mp4w_abort(struct mp4w *w)
{
	release(w);
	if (w->tmp_data[0])
		unlink(w->tmp_data);
	if (w->tmp_out[0])
		unlink(w->tmp_out);
	w->tmp_data[0] = w->tmp_out[0] = 0;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t r = write(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -errno;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

int mp4w_finish(struct mp4w *w)
{
	struct mp4_track t;
	uint32_t *dur = NULL, i;
	uint8_t *hdr = NULL;
	long hlen;
	int fd = -1, in = -1, err = 0;

	if (!w->n) {
		werr(w, -EINVAL, "no frames to write");
		mp4w_abort(w);
		return -EINVAL;
	}
	if (fflush(w->data) != 0) {
		err = werr(w, -EIO, "writing the temporary file: %s", strerror(errno));
		goto out;
	}
	dur = malloc(w->n * sizeof(*dur));
	memset(&t, 0, sizeof(t));
	t.codec = w->codec;
	t.width = w->width;
	t.height = w->height;
	t.cfg = w->cfg;
	t.cfg_len = w->cfg_len;
	t.n = w->n;
	t.size = w->size;
	t.dur = dur;
	t.sync = w->sync;
	hdr = dur ? malloc(mp4_header_bound(&t)) : NULL;
	if (!hdr) {
		err = werr(w, -ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i + 1 < w->n; i++)
		dur[i] = (uint32_t)(w->ticks[i + 1] - w->ticks[i]);
	dur[w->n - 1] = w->n > 1 ? dur[w->n - 2] : w->default_dur;
	hlen = mp4_build_header(&t, w->data_len, hdr, mp4_header_bound(&t));
	if (hlen < 0) {
		err = werr(w, (int)hlen, "building the MP4 header failed");
		goto out;
	}
	if (tmp_name(w->tmp_out, sizeof(w->tmp_out), w->path, ".") < 0 ||
	    (fd = mkstemp(w->tmp_out)) < 0) {
		w->tmp_out[0] = 0;
		err = werr(w, -EIO, "cannot create a temporary file beside %s: %s", w->path, strerror(errno));
		goto out;
	}
	in = open(w->tmp_data, O_RDONLY | O_CLOEXEC);
	if (in < 0 || (err = write_all(fd, hdr, (size_t)hlen)) < 0) {
		err = werr(w, -EIO, "writing %s: %s", w->tmp_out, strerror(errno));
		goto out;
	}
	for (;;) {
		ssize_t r = read(in, w->buf, w->buf_cap);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = werr(w, -EIO, "reading %s: %s", w->tmp_data, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		if ((err = write_all(fd, w->buf, (size_t)r)) < 0) {
			err = werr(w, err, "writing %s: %s", w->tmp_out, strerror(-err));
			goto out;
		}
	}
	{
		mode_t um = umask(0);           /* mkstemp made it 0600 */
		umask(um);
		fchmod(fd, 0666 & ~um);
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		fd = -1;
		err = werr(w, -EIO, "writing %s: %s", w->tmp_out, strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(w->tmp_out, w->path) < 0) {
		err = werr(w, -errno, "rename to %s: %s", w->path, strerror(errno));
		goto out;
	}
	w->tmp_out[0] = 0;
out:
	if (fd >= 0)
		close(fd);
	if (in >= 0)
		close(in);
	free(dur);
	free(hdr);
	mp4w_abort(w);
	return err;
}
