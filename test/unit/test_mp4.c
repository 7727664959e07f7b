/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_mp4 - the ISO BMFF header builder and Annex B -> sample rewrite. */
#include "unit.h"
#include "codec/codec.h"
#include "util/bytes.h"
#include "zed/mp4.h"

#include <errno.h>
#include <string.h>

/* Find box `type` inside [p, end) descending into the given containers;
 * returns its start (header included) or NULL. */
static const uint8_t *find(const uint8_t *p, const uint8_t *end, const char *type)
{
	static const char *const conts[] = { "moov", "trak", "mdia", "minf", "stbl", NULL };
	while (p + 8 <= end) {
		uint32_t sz = rd_be32(p);
		int i;
		if (sz < 8 || sz > (size_t)(end - p))
			return NULL;
		if (!memcmp(p + 4, type, 4))
			return p;
		for (i = 0; conts[i]; i++)
			if (!memcmp(p + 4, conts[i], 4)) {
				const uint8_t *q = find(p + 8, p + sz, type);
				if (q)
					return q;
			}
		p += sz;
	}
	return NULL;
}

static void t_header(void)
{
	static const uint8_t cfg[] = { 1, 0x64, 0, 0x1f, 0xff, 0xe0, 0 };
	static const uint32_t size[3] = { 100, 20, 30 };
	static const uint32_t dur[3] = { 6000, 6000, 3000 };
	static const uint8_t sync[3] = { 1, 0, 0 };
	struct mp4_track t = { CODEC_H264, 320, 180, cfg, sizeof(cfg), 3, size, dur, sync };
	static uint8_t out[4096];
	const uint8_t *b, *end;
	long n = mp4_build_header(&t, 150, out, sizeof(out));

	CHECK(n > 0);
	end = out + n;
	CHECK_MEM(out + 4, "ftyp", 4);
	CHECK_MEM(out + 8, "isom", 4);
	b = out + rd_be32(out);
	CHECK_MEM(b + 4, "moov", 4);                    /* faststart */
	CHECK_MEM(end - 8 + 4, "mdat", 4);
	CHECK_EQ(rd_be32(end - 8), 158u);
	CHECK((b = find(out, end, "stsd")) != NULL);
	CHECK_EQ(rd_be32(b + 12), 1u);                  /* one sample entry */
	b += 16;
	CHECK_MEM(b + 4, "avc1", 4);
	CHECK_EQ(rd_be16(b + 8 + 24), 320);
	CHECK_EQ(rd_be16(b + 8 + 26), 180);
	b += 8 + 78;                                    /* VisualSampleEntry fields */
	CHECK_MEM(b + 4, "avcC", 4);
	CHECK_EQ(rd_be32(b), 8u + sizeof(cfg));
	CHECK_MEM(b + 8, cfg, sizeof(cfg));
	CHECK((b = find(out, end, "stts")) != NULL);
	CHECK_EQ(rd_be32(b + 12), 2u);                  /* runs: 2x6000, 1x3000 */
	CHECK_EQ(rd_be32(b + 16), 2u);
	CHECK_EQ(rd_be32(b + 20), 6000u);
	CHECK((b = find(out, end, "stss")) != NULL);
	CHECK_EQ(rd_be32(b + 12), 1u);
	CHECK_EQ(rd_be32(b + 16), 1u);                  /* 1-based */
	CHECK((b = find(out, end, "stco")) != NULL);
	CHECK_EQ(rd_be32(b + 12), 3u);
	CHECK_EQ(rd_be32(b + 16), (uint32_t)n);         /* right after the mdat header */
	CHECK_EQ(rd_be32(b + 20), (uint32_t)n + 100);
	CHECK_EQ(rd_be32(b + 24), (uint32_t)n + 120);
	CHECK((b = find(out, end, "mdhd")) != NULL);
	CHECK_EQ(rd_be32(b + 20), MP4_TIMESCALE);
	CHECK_EQ(rd_be32(b + 24), 15000u);
	CHECK((b = find(out, end, "tkhd")) != NULL);
	CHECK_EQ(rd_be32(b + 84), 320u << 16);

	CHECK_EQ(mp4_build_header(&t, 151, out, sizeof(out)), -EINVAL);
	CHECK_EQ(mp4_build_header(&t, 150, out, 100), -ENOSPC);
	t.n = 0;
	CHECK_EQ(mp4_build_header(&t, 0, out, sizeof(out)), -EINVAL);
}

static void t_sample(void)
{
	static const uint8_t sps[] = { 0x67, 0x64, 0x00, 0x1f };
	static const uint8_t pps[] = { 0x68, 0xee };
	static const uint8_t au[] = { 0, 0, 0, 1, 0x09, 0xf0,
				      0, 0, 0, 1, 0x67, 0x64, 0x00, 0x1f,
				      0, 0, 1, 0x68, 0xee,
				      0, 0, 1, 0x65, 0x88, 0x84, 0, 0 };
	static const uint8_t want[] = { 0, 0, 0, 3, 0x65, 0x88, 0x84 };
	struct param_sets ps = { { NULL, 0 }, { sps, sizeof(sps) }, { pps, sizeof(pps) } };
	uint8_t out[64], bad[sizeof(au)];

	CHECK_EQ(mp4_sample_from_annexb(CODEC_H264, &ps, au, sizeof(au), out, sizeof(out)),
		 (long)sizeof(want));
	CHECK_MEM(out, want, sizeof(want));
	CHECK_EQ(mp4_sample_from_annexb(CODEC_H264, &ps, au, sizeof(au), out, 5), -ENOSPC);
	memcpy(bad, au, sizeof(au));
	bad[13] = 0x28;                                 /* another level: new SPS */
	CHECK_EQ(mp4_sample_from_annexb(CODEC_H264, &ps, bad, sizeof(bad), out, sizeof(out)), -EPROTO);
}

static const struct unit_case cases[] = { UNIT(t_header), UNIT(t_sample) };
UNIT_MAIN(cases)
