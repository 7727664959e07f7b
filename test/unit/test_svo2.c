/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_svo2 - SVO2 video message layout (docs/svo2-mp4.md §1.2) and codec
 * sniffing. */
#include "unit.h"
#include "codec/codec.h"
#include "util/bytes.h"
#include "zed/svo2.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

static void t_v1_name(void)
{
	CHECK_EQ(svo2_is_v1_name("a/b.svo"), 1);
	CHECK_EQ(svo2_is_v1_name("B.SVO"), 1);
	CHECK_EQ(svo2_is_v1_name("a/b.svo2"), 0);
	CHECK_EQ(svo2_is_v1_name("a/svo"), 0);
	CHECK_EQ(svo2_is_v1_name(""), 0);
}

/* How often needle occurs in hay. */
static int count(const char *hay, const char *needle)
{
	int n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

/* A file of n bytes of junk (no MCAP magic) named dir/name; returns path. */
static const char *junk(char *dir, const char *name, size_t n, char *path, size_t cap)
{
	FILE *f;

	snprintf(path, cap, "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f)
		return NULL;
	while (n--)
		fputc('v', f);
	fclose(f);
	return path;
}

/* svo2_open's one line names the file exactly once, and says why an SVO
 * v1 file is refused (docs/zed.md "SVO v1"). */
static void t_open_errors(void)
{
	static const char v1_line[] =
		": SVO v1 (ZED SDK < 4.1) is a proprietary format that is not publicly "
		"documented; convert it to SVO2 with ZED SDK 4.1 or newer first (open it "
		"with the SDK and record it again)";
	static struct svo2 s;
	char dir[] = "/tmp/test_svo2_XXXXXX", p[256];

	CHECK(mkdtemp(dir) != NULL);
	snprintf(p, sizeof(p), "%s/missing.svo2", dir);
	CHECK_EQ(svo2_open(&s, p, 0), -ENOENT);
	CHECK(strncmp(s.err, p, strlen(p)) == 0);
	CHECK(strstr(s.err, "No such file") != NULL);
	CHECK_EQ(count(s.err, "missing.svo2"), 1);
	svo2_close(&s);

	CHECK(junk(dir, "old.svo", 200, p, sizeof(p)) != NULL);
	CHECK_EQ(svo2_open(&s, p, 0), -EPROTONOSUPPORT);
	CHECK(strncmp(s.err, p, strlen(p)) == 0);
	CHECK_STR(s.err + strlen(p), v1_line);
	svo2_close(&s);
	unlink(p);

	/* Tiny v1 files too: the size check must not hide the reason. */
	CHECK(junk(dir, "tiny.svo", 3, p, sizeof(p)) != NULL);
	CHECK_EQ(svo2_open(&s, p, 0), -EPROTONOSUPPORT);
	CHECK(strstr(s.err, ": SVO v1 (ZED SDK < 4.1) is a proprietary format") != NULL);
	CHECK_EQ(count(s.err, "tiny.svo"), 1);
	svo2_close(&s);
	unlink(p);

	/* Not MCAP under another name: maybe v1 renamed; say both. */
	CHECK(junk(dir, "other.svo2", 200, p, sizeof(p)) != NULL);
	CHECK_EQ(svo2_open(&s, p, 0), -EPROTONOSUPPORT);
	CHECK(strstr(s.err, "not an SVO2 recording (no MCAP magic)") != NULL);
	CHECK(strstr(s.err, "SVO v1 (ZED SDK < 4.1)") != NULL);
	CHECK(strstr(s.err, "not publicly documented") != NULL);
	CHECK_EQ(count(s.err, "other.svo2"), 1);
	svo2_close(&s);
	unlink(p);
	rmdir(dir);
}

static const struct unit_case cases[] = {
	UNIT(t_parse), UNIT(t_codec), UNIT(t_v1_name), UNIT(t_open_errors),
};
UNIT_MAIN(cases)
