/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_flv - FLV video headers for the three forms (docs/protocols.md §2.4),
 * onMetaData, file framing and the conversions back to Annex B. */
#include "codec/codec.h"
#include "proto/amf0.h"
#include "proto/flv.h"
#include "unit.h"

#include <errno.h>

static uint8_t out[512], want[512];

static void check_hdr(int form, int pkt, int key, int32_t cts, const char *hex)
{
	int n = unit_hex(hex, want, sizeof want);
	struct flv_video v;

	CHECK_EQ(flv_video_header(out, sizeof out, form, pkt, key, cts), n);
	CHECK_MEM(out, want, (size_t)n);
	/* and the parser reads back what was written */
	out[n] = 0xab;
	CHECK_EQ(flv_video_parse(out, (size_t)n + 1, &v), 0);
	CHECK_EQ(v.form, form);
	CHECK_EQ(v.pkt, pkt);
	CHECK_EQ(v.frame_type, pkt == FLV_PKT_NALU && !key ? 2 : 1);
	CHECK_EQ(v.cts, pkt == FLV_PKT_NALU ? cts : 0);
	CHECK(v.body == out + n && v.len == 1);
}

static void t_avc_id7(void)
{
	check_hdr(FLV_AVC, FLV_PKT_SEQ, 1, 0, "17 00 00 00 00");
	check_hdr(FLV_AVC, FLV_PKT_NALU, 1, 0, "17 01 00 00 00");
	check_hdr(FLV_AVC, FLV_PKT_NALU, 0, 80, "27 01 00 00 50");
	check_hdr(FLV_AVC, FLV_PKT_NALU, 0, -40, "27 01 ff ff d8");
	check_hdr(FLV_AVC, FLV_PKT_END, 1, 0, "17 02 00 00 00");
}

static void t_hevc_enhanced(void)
{
	check_hdr(FLV_HVC1, FLV_PKT_SEQ, 1, 0, "90 68 76 63 31");
	check_hdr(FLV_HVC1, FLV_PKT_NALU, 1, 0, "93 68 76 63 31");   /* CodedFramesX */
	check_hdr(FLV_HVC1, FLV_PKT_NALU, 1, 40, "91 68 76 63 31 00 00 28");
	check_hdr(FLV_HVC1, FLV_PKT_NALU, 0, 0, "a3 68 76 63 31");
	check_hdr(FLV_HVC1, FLV_PKT_NALU, 0, -1, "a1 68 76 63 31 ff ff ff");
	check_hdr(FLV_HVC1, FLV_PKT_END, 1, 0, "92 68 76 63 31");
}

static void t_hevc_domestic(void)
{
	check_hdr(FLV_HEVC12, FLV_PKT_SEQ, 1, 0, "1c 00 00 00 00");
	check_hdr(FLV_HEVC12, FLV_PKT_NALU, 1, 0, "1c 01 00 00 00");
	check_hdr(FLV_HEVC12, FLV_PKT_NALU, 0, 33, "2c 01 00 00 21");
	check_hdr(FLV_HEVC12, FLV_PKT_END, 1, 0, "1c 02 00 00 00");
}

static void t_form_selection(void)
{
	CHECK_EQ(flv_form_for(CODEC_H264, RTMP_MODE_ENHANCED), FLV_AVC);
	CHECK_EQ(flv_form_for(CODEC_H264, RTMP_MODE_UNSET), FLV_AVC);
	CHECK_EQ(flv_form_for(CODEC_H265, RTMP_MODE_ENHANCED), FLV_HVC1);
	CHECK_EQ(flv_form_for(CODEC_H265, RTMP_MODE_DOMESTIC), FLV_HEVC12);
	CHECK(flv_videocodecid(FLV_AVC) == 7.0);
	CHECK(flv_videocodecid(FLV_HEVC12) == 12.0);
	CHECK(flv_videocodecid(FLV_HVC1) == 1752589105.0);
	/* CTS clamps to SI24 */
	CHECK_EQ(flv_video_header(out, sizeof out, FLV_AVC, FLV_PKT_NALU, 0, 0x1000000), 5);
	CHECK_EQ(unit_hex("27 01 7f ff ff", want, sizeof want), 5);
	CHECK_MEM(out, want, 5);
	CHECK_EQ(flv_video_header(out, 7, FLV_HVC1, FLV_PKT_NALU, 0, 5), -ENOSPC);
}

static void t_parse_other_and_truncated(void)
{
	struct flv_video v;

	CHECK_EQ(unit_hex("12 00", want, sizeof want), 2);        /* Sorenson */
	CHECK_EQ(flv_video_parse(want, 2, &v), 0);
	CHECK_EQ(v.form, -1);
	CHECK_EQ(unit_hex("90 61 76 30 31 00", want, sizeof want), 6); /* av01 */
	CHECK_EQ(flv_video_parse(want, 6, &v), 0);
	CHECK_EQ(v.form, -1);
	CHECK_EQ(v.fourcc, 0x61763031);
	CHECK_EQ(flv_video_parse(want, 0, &v), -EINVAL);
	CHECK_EQ(unit_hex("a1 68 76 63 31 00 00", want, sizeof want), 7);
	CHECK_EQ(flv_video_parse(want, 7, &v), -EINVAL);          /* CTS cut */
	CHECK_EQ(flv_video_parse(want, 3, &v), -EINVAL);          /* FourCC cut */
	CHECK_EQ(unit_hex("17 01 00", want, sizeof want), 3);
	CHECK_EQ(flv_video_parse(want, 3, &v), -EINVAL);
}

static void t_metadata(void)
{
	struct flv_meta m = { 640, 360, 25, 1752589105.0, 0 };
	struct amf0_val a, b, c, f;
	const uint8_t *p, *end;
	int n = flv_metadata_build(out, sizeof out, &m);

	CHECK(n > 0);
	end = out + n;
	p = amf0_get(out, end, &a);
	p = amf0_get(p, end, &b);
	p = amf0_get(p, end, &c);
	CHECK(p == end);
	CHECK(amf0_streq(&a, "@setDataFrame"));
	CHECK(amf0_streq(&b, "onMetaData"));
	CHECK_EQ(c.type, AMF0_ECMA_ARRAY);
	CHECK_EQ(c.num, 7);
	CHECK(amf0_find(&c, "videocodecid", &f) == 0 && f.num == 1752589105.0);
	CHECK(amf0_find(&c, "width", &f) == 0 && f.num == 640);
	CHECK(amf0_find(&c, "height", &f) == 0 && f.num == 360);
	CHECK(amf0_find(&c, "framerate", &f) == 0 && f.num == 25);
	CHECK(amf0_find(&c, "duration", &f) == 0 && f.num == 0);
	CHECK(amf0_find(&c, "encoder", &f) == 0 && amf0_streq(&f, "cvmmap-streamer"));
	/* the ECMA array header: 08, count 7, first key "duration" */
	CHECK_EQ(unit_hex("08 00 00 00 07 00 08 64 75 72 61 74 69 6f 6e 00", want,
			  sizeof want), 16);
	CHECK_MEM(out + 16 + 13, want, 16);
	CHECK_EQ(flv_metadata_build(out, 40, &m), -ENOSPC);
}

static void t_file_framing(void)
{
	CHECK_EQ(flv_file_header(out, sizeof out, 0, 1), FLV_FILE_HDR_LEN);
	CHECK_EQ(unit_hex("46 4c 56 01 01 00 00 00 09 00 00 00 00", want, sizeof want), 13);
	CHECK_MEM(out, want, 13);
	CHECK_EQ(flv_tag_header(out, sizeof out, FLV_TAG_VIDEO, 0x123, 0x01020304), 11);
	CHECK_EQ(unit_hex("09 00 01 23 02 03 04 01 00 00 00", want, sizeof want), 11);
	CHECK_MEM(out, want, 11);
	CHECK_EQ(flv_tag_header(out, sizeof out, FLV_TAG_VIDEO, 0x1000000, 0), -EINVAL);
}

static void t_records_to_annexb(void)
{
	uint8_t rec[128];
	int n;

	n = unit_hex("01 42 c0 1e ff e1 00 04 67 42 c0 1e 01 00 02 68 ce", rec, sizeof rec);
	CHECK_EQ(flv_record_to_annexb(0, rec, (size_t)n, out, sizeof out), 14);
	CHECK_EQ(unit_hex("00 00 00 01 67 42 c0 1e 00 00 00 01 68 ce", want, sizeof want), 14);
	CHECK_MEM(out, want, 14);
	CHECK_EQ(flv_record_to_annexb(0, rec, (size_t)n - 1, out, sizeof out), -EINVAL);
	CHECK_EQ(flv_record_to_annexb(0, rec, (size_t)n, out, 13), -ENOSPC);

	n = unit_hex("01 00 00000000 000000000000 00 f000 fc fd f8 f8 0000 0f 03"
		     " a0 0001 0002 4001  a1 0001 0002 4201  a2 0001 0002 4401", rec, sizeof rec);
	CHECK_EQ(n, 23 + 3 * 7);
	CHECK_EQ(flv_record_to_annexb(1, rec, (size_t)n, out, sizeof out), 18);
	CHECK_EQ(unit_hex("00000001 4001 00000001 4201 00000001 4401", want, sizeof want), 18);
	CHECK_MEM(out, want, 18);
	CHECK_EQ(flv_record_to_annexb(1, rec, 22, out, sizeof out), -EINVAL);
}

static void t_lp_to_annexb(void)
{
	uint8_t lp[32];
	int n = unit_hex("00 00 00 02 65 88  00 00 00 01 06", lp, sizeof lp);

	CHECK_EQ(flv_lp_to_annexb(lp, (size_t)n, out, sizeof out), 11);
	CHECK_EQ(unit_hex("00 00 00 01 65 88 00 00 00 01 06", want, sizeof want), 11);
	CHECK_MEM(out, want, 11);
	CHECK_EQ(flv_lp_to_annexb(lp, (size_t)n - 1, out, sizeof out), -EINVAL);
	lp[3] = 0xff;                                    /* length past the end */
	CHECK_EQ(flv_lp_to_annexb(lp, (size_t)n, out, sizeof out), -EINVAL);
}

static const struct unit_case cases[] = {
	UNIT(t_avc_id7),
	UNIT(t_hevc_enhanced),
	UNIT(t_hevc_domestic),
	UNIT(t_form_selection),
	UNIT(t_parse_other_and_truncated),
	UNIT(t_metadata),
	UNIT(t_file_framing),
	UNIT(t_records_to_annexb),
	UNIT(t_lp_to_annexb),
};

UNIT_MAIN(cases)
