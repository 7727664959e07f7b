/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_svo2 - SVO2 video message layout (SVO2_MP4.md 1.2) and codec sniffing. */
#include "unit.h"
#include "config/opts.h"
#include "util/bytes.h"
#include "zed/svo2.h"

#include <errno.h>
#include <string.h>

/* prefix (P+60, P) + AU + 56-byte footer, as the reverse-engineered layout. */
static size_t msg(uint8_t *m, const uint8_t *au, uint32_t p, uint32_t total_fix)
{
	uint8_t *ft = m + 8 + p;

	wr_le32(m, p + 60 + total_fix);
	wr_le32(m + 4, p);
	memcpy(m + 8, au, p);
	memset(ft, 0, 56);
	wr_le32(ft + 0x00, 3840);
	wr_le32(ft + 0x04, 1080);
	wr_le32(ft + 0x08, 0x5c002c00);
	wr_le64(ft + 0x18, 1738434526000000000ull);
	wr_le32(ft + 0x20, p);
	wr_le32(ft + 0x24, 3);
	wr_le32(ft + 0x28, 0);
	wr_le32(ft + 0x2C, 7);
	return 8 + p + 56;
}

static void t_parse(void)
{
	static const uint8_t au[] = { 0, 0, 0, 1, 0x40, 0x01, 0x0c, 0, 0, 1, 0x26, 0x01, 0xaf };
	uint8_t m[256];
	struct svo2_frame f;
	size_t n = msg(m, au, sizeof(au), 0);

	CHECK_EQ(n, sizeof(au) + 64);
	CHECK_EQ(svo2_frame_parse(m, n, &f), 0);
	CHECK(f.au == m + 8);
	CHECK_EQ(f.au_len, sizeof(au));
	CHECK_EQ(f.width, 3840u);
	CHECK_EQ(f.height, 1080u);
	CHECK_EQ(f.timestamp, 1738434526000000000ull);
	CHECK_EQ(f.frame_type, 3);
	CHECK_EQ(f.frame_id, 7u);
	CHECK_EQ(svo2_detect_codec(f.au, f.au_len), CODEC_H265);

	CHECK_EQ(svo2_frame_parse(m, n - 1, &f), -EINVAL);      /* cut footer */
	n = msg(m, au, sizeof(au), 1);
	CHECK_EQ(svo2_frame_parse(m, n, &f), -EINVAL);          /* total_size */
	n = msg(m, (const uint8_t *)"\x89PNG\r\n\x1a\n", 8, 0);
	CHECK_EQ(svo2_frame_parse(m, n, &f), -EPROTONOSUPPORT); /* LOSSLESS */
	CHECK_EQ(svo2_frame_parse(m, 10, &f), -EINVAL);
}

static void t_codec(void)
{
	static const uint8_t h264[] = { 0, 0, 1, 0x67, 0x64, 0x00, 0x1f };
	static const uint8_t h264_idr[] = { 0, 0, 1, 0x65, 0x88 };
	static const uint8_t junk[] = { 0, 0, 1, 0xff, 0xff };

	CHECK_EQ(svo2_detect_codec(h264, sizeof(h264)), CODEC_H264);
	CHECK_EQ(svo2_detect_codec(h264_idr, sizeof(h264_idr)), CODEC_H264);
	CHECK_EQ(svo2_detect_codec(junk, sizeof(junk)), -1);
	CHECK_EQ(svo2_detect_codec(junk, 2), -1);
}

static const struct unit_case cases[] = { UNIT(t_parse), UNIT(t_codec) };
UNIT_MAIN(cases)
