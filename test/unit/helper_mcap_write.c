/* SPDX-License-Identifier: GPL-2.0-or-later */
/* helper_mcap_write - write an SVO2-shaped MCAP file for the tests.
 *
 *   helper_mcap_write --input sbs.h265 --output x.svo2 [--compression none|zstd|lz4|NAME]
 *       [--chunk-frames N] [--start-ns T] [--fps N] [--serial N] [--ts-unit ns|ms]
 *       [--bad-crc] [--lossless] [--no-magic] [--ts-backwards I]
 *
 * Follows docs/zed.md / docs/svo2-mp4.md §1.1-1.2: Header (library "libmcap
 * stereolabs"), schemas and channels svo_header, Camera_SN<serial>/
 * side_by_side (zed_sdk_encoded), .../integrated_sensors, svo_footer,
 * inside the first chunk and again in the summary; one video message per
 * access unit of the input Annex B stream (8-byte prefix, AU, 56-byte
 * footer); DataEnd with the data-section CRC; Statistics; Footer.
 * Test-only: no bounds on memory, everything is kept in RAM.
 *
 * Variants: --bad-crc records a wrong chunk CRC; --lossless replaces each
 * payload with PNG bytes; --no-magic writes a v1-like file; NAME as
 * compression stores raw records under an unknown compression name;
 * --ts-backwards I makes frame I's footer timestamp go backwards.
 */
#include "codec/nal.h"
#include "codec/codec.h"
#include "util/bytes.h"
#include "zed/mcap.h"

#include <lz4frame.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

struct buf {
	uint8_t *p;
	size_t n, cap;
};

static void put(struct buf *b, const void *src, size_t n)
{
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2 + 4096;
		b->p = realloc(b->p, b->cap);
		if (!b->p)
			exit(1);
	}
	memcpy(b->p + b->n, src, n);
	b->n += n;
}

static void u8(struct buf *b, uint8_t v) { put(b, &v, 1); }
static void u16(struct buf *b, uint16_t v) { uint8_t t[2]; wr_le16(t, v); put(b, t, 2); }
static void u32(struct buf *b, uint32_t v) { uint8_t t[4]; wr_le32(t, v); put(b, t, 4); }
static void u64(struct buf *b, uint64_t v) { uint8_t t[8]; wr_le64(t, v); put(b, t, 8); }
static void str(struct buf *b, const char *s) { u32(b, (uint32_t)strlen(s)); put(b, s, strlen(s)); }

static void record(struct buf *out, uint8_t op, const struct buf *body)
{
	u8(out, op);
	u64(out, body->n);
	put(out, body->p, body->n);
}

static void schema(struct buf *out, uint16_t id, const char *name, const char *enc, const char *data)
{
	struct buf b = { 0 };
	u16(&b, id);
	str(&b, name);
	str(&b, enc);
	str(&b, data);
	record(out, MCAP_OP_SCHEMA, &b);
	free(b.p);
}

static void channel(struct buf *out, uint16_t id, uint16_t sid, const char *topic, const char *enc)
{
	struct buf b = { 0 };
	u16(&b, id);
	u16(&b, sid);
	str(&b, topic);
	str(&b, enc);
	u32(&b, 0);                     /* metadata: empty map */
	record(out, MCAP_OP_CHANNEL, &b);
	free(b.p);
}

static void message(struct buf *out, uint16_t ch, uint32_t seq, uint64_t t, const void *d, size_t n)
{
	struct buf b = { 0 };
	u16(&b, ch);
	u32(&b, seq);
	u64(&b, t);
	u64(&b, t);
	put(&b, d, n);
	record(out, MCAP_OP_MESSAGE, &b);
	free(b.p);
}

static char topic_sbs[64], topic_ins[64];

static void defs(struct buf *out)
{
	schema(out, 1, "sl_type", "jsonschema", "{}");
	schema(out, 2, topic_sbs, "", "");
	schema(out, 3, "sensors", "jsonschema", "{}");
	channel(out, 1, 1, "svo_header", "json");
	channel(out, 2, 2, topic_sbs, "zed_sdk_encoded");
	channel(out, 3, 3, topic_ins, "json");
	channel(out, 4, 1, "svo_footer", "json");
}

static const char *comp = "zstd";
static int bad_crc;

static void chunk(struct buf *out, struct buf *recs, uint64_t t0, uint64_t t1)
{
	struct buf b = { 0 };
	uint8_t *z = NULL;
	size_t zn = recs->n;
	uint32_t crc = mcap_crc32(0, recs->p, recs->n);

	if (strcmp(comp, "zstd") == 0) {
		z = malloc(ZSTD_compressBound(recs->n));
		zn = ZSTD_compress(z, ZSTD_compressBound(recs->n), recs->p, recs->n, 3);
	} else if (strcmp(comp, "lz4") == 0) {
		z = malloc(LZ4F_compressFrameBound(recs->n, NULL));
		zn = LZ4F_compressFrame(z, LZ4F_compressFrameBound(recs->n, NULL), recs->p, recs->n, NULL);
	}
	u64(&b, t0);
	u64(&b, t1);
	u64(&b, recs->n);
	u32(&b, bad_crc ? crc ^ 1 : crc);
	str(&b, strcmp(comp, "none") == 0 ? "" : comp);
	u64(&b, zn);
	put(&b, z ? z : recs->p, zn);
	record(out, MCAP_OP_CHUNK, &b);
	free(b.p);
	free(z);
	recs->n = 0;
}

/* Split an Annex B stream into access units: a new AU starts at an AUD,
 * parameter set or prefix SEI after a picture, or at a slice that starts
 * a picture (first_mb_in_slice == 0 / first_slice_segment_in_pic_flag). */
static int au_starts(int codec, const struct nal *n, int have_vcl)
{
	int t = nal_type(codec, n);

	if (!have_vcl)
		return 0;
	if (nal_is_vcl(codec, n))
		return codec == CODEC_H265 ? n->n > 2 && (n->p[2] & 0x80) : n->n > 1 && (n->p[1] & 0x80);
	if (codec == CODEC_H265)
		return t == H265_NAL_AUD || t == H265_NAL_VPS || t == H265_NAL_SPS ||
		       t == H265_NAL_PPS || t == H265_NAL_SEI_PREFIX;
	return t == H264_NAL_AUD || t == H264_NAL_SPS || t == H264_NAL_PPS || t == H264_NAL_SEI;
}

int main(int argc, char **argv)
{
	const char *in = NULL, *outp = NULL;
	uint64_t start = 1700000000000000000ull, fps = 15, ts_div = 1;
	unsigned chunk_frames = 8, serial = 12345;
	long backwards = -1;
	int lossless = 0, no_magic = 0, codec, i;
	struct buf file = { 0 }, recs = { 0 }, b = { 0 };
	uint8_t *data;
	size_t n;
	FILE *f;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : "";
		if (!strcmp(a, "--input")) in = v, i++;
		else if (!strcmp(a, "--output")) outp = v, i++;
		else if (!strcmp(a, "--compression")) comp = v, i++;
		else if (!strcmp(a, "--chunk-frames")) chunk_frames = (unsigned)atoi(v), i++;
		else if (!strcmp(a, "--start-ns")) start = strtoull(v, NULL, 10), i++;
		else if (!strcmp(a, "--fps")) fps = strtoull(v, NULL, 10), i++;
		else if (!strcmp(a, "--serial")) serial = (unsigned)atoi(v), i++;
		else if (!strcmp(a, "--ts-unit")) ts_div = !strcmp(v, "ms") ? 1000000 : 1, i++;
		else if (!strcmp(a, "--ts-backwards")) backwards = atol(v), i++;
		else if (!strcmp(a, "--bad-crc")) bad_crc = 1;
		else if (!strcmp(a, "--lossless")) lossless = 1;
		else if (!strcmp(a, "--no-magic")) no_magic = 1;
		else { fprintf(stderr, "helper_mcap_write: bad option %s\n", a); return 2; }
	}
	if (!in || !outp || !fps || !chunk_frames) {
		fprintf(stderr, "usage: helper_mcap_write --input F --output F [...]\n");
		return 2;
	}
	f = fopen(in, "rb");
	if (!f) { perror(in); return 1; }
	fseek(f, 0, SEEK_END);
	n = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	data = malloc(n + 1);
	if (!data || fread(data, 1, n, f) != n) { perror(in); return 1; }
	fclose(f);

	if (no_magic) {
		/* A stand-in for an old .svo (v1): not MCAP. */
		f = fopen(outp, "wb");
		fwrite("SVO\x01", 1, 4, f);
		fwrite(data, 1, n, f);
		fclose(f);
		return 0;
	}
	{
		struct nal first;
		annexb_next(data, data + n, &first);
		codec = first.n && ((first.p[0] >> 1) & 0x3f) == H265_NAL_VPS ? CODEC_H265 : CODEC_H264;
	}
	snprintf(topic_sbs, sizeof(topic_sbs), "Camera_SN%u/side_by_side", serial);
	snprintf(topic_ins, sizeof(topic_ins), "Camera_SN%u/integrated_sensors", serial);

	put(&file, MCAP_MAGIC, MCAP_MAGIC_LEN);
	str(&b, "");
	str(&b, "libmcap stereolabs");
	record(&file, MCAP_OP_HEADER, &b);
	b.n = 0;

	defs(&recs);
	{
		const char *hdr = "{\"header\":\"AAAA\",\"ZED_SDK_version\":\"synthetic\"}";
		message(&recs, 1, 0, start, hdr, strlen(hdr));
	}
	{
		const uint8_t *p = data, *end = data + n, *au0 = NULL, *next;
		struct nal nl;
		int have_vcl = 0;
		uint32_t frame = 0, last_kf = 0, in_chunk = 0;
		uint64_t t0 = start, t = start;

		for (;;) {
			next = annexb_next(p, end, &nl);
			if (next && !au0)
				au0 = p;
			if (au0 && (!next || au_starts(codec, &nl, have_vcl))) {
				/* This AU ends where the start code of nl begins. */
				const uint8_t *au_end = end;
				size_t pn;
				struct buf m = { 0 };
				static const uint8_t png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
							       0, 0, 0, 13, 'I', 'H', 'D', 'R' };
				int key;
				uint64_t fts;

				if (next) {
					au_end = nl.p - 3;
					if (au_end > au0 && au_end[-1] == 0)
						au_end--;
				}
				pn = (size_t)(au_end - au0);
				key = annexb_is_keyframe(codec, au0, pn);
				if (key)
					last_kf = frame;
				t = start + frame * 1000000000ull / fps;
				fts = t / ts_div;
				if ((long)frame == backwards)
					fts = (start + (frame - 1) * 1000000000ull / fps) / ts_div - 1;
				if (lossless)
					pn = sizeof(png);
				u32(&m, (uint32_t)(pn + 60));
				u32(&m, (uint32_t)pn);
				put(&m, lossless ? png : au0, pn);
				u32(&m, 640); u32(&m, 180); u32(&m, 0x5c002c00);
				u32(&m, 1); u32(&m, 2); u32(&m, 0xffffffffu);
				u64(&m, fts);
				u32(&m, (uint32_t)pn);
				u32(&m, key ? 3 : 0);
				u32(&m, last_kf);
				u32(&m, frame);
				u32(&m, 0); u32(&m, 0);
				message(&recs, 2, frame, t, m.p, m.n);
				message(&recs, 3, frame, t, "{\"data\":\"AAAA\"}", 15);
				free(m.p);
				frame++;
				if (++in_chunk == chunk_frames) {
					chunk(&file, &recs, t0, t);
					in_chunk = 0;
					t0 = t;
				}
				au0 = next ? au_end : NULL;
				have_vcl = 0;
			}
			if (!next)
				break;
			if (nal_is_vcl(codec, &nl))
				have_vcl = 1;
			p = next;
		}
		message(&recs, 4, 0, t, "{}", 2);
		if (recs.n)
			chunk(&file, &recs, t0, t);
		fprintf(stderr, "helper_mcap_write: %u frames, %s\n", frame, codec_names[codec]);
	}
	/* DataEnd (op 0x0F): CRC of everything before it. */
	b.n = 0;
	u32(&b, mcap_crc32(0, file.p, file.n));
	record(&file, MCAP_OP_DATA_END, &b);
	{
		uint64_t summary = file.n;
		defs(&file);
		b.n = 0;
		u64(&b, 0); u16(&b, 3); u32(&b, 4); u32(&b, 0); u32(&b, 0); u32(&b, 0);
		u64(&b, start); u64(&b, start); u32(&b, 0);
		record(&file, MCAP_OP_STATISTICS, &b);
		b.n = 0;
		u64(&b, summary);
		u64(&b, 0);
		u32(&b, 0);
		record(&file, MCAP_OP_FOOTER, &b);
	}
	put(&file, MCAP_MAGIC, MCAP_MAGIC_LEN);
	f = fopen(outp, "wb");
	if (!f || fwrite(file.p, 1, file.n, f) != file.n || fclose(f) != 0) {
		perror(outp);
		return 1;
	}
	return 0;
}
