/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_paramsets.c - parameter-set extraction, SPS parsing, avcC/hvcC.
 *
 * Golden records: the avcC/hvcC FFmpeg's MP4 muxer wrote for the streams
 * in test/vectors/codec (see its README.md), plus hand-built SPSs for the
 * paths x264/x265 do not take by default (sub-layers, separate colour
 * planes, field coding, POC type 1).
 */
#include "unit.h"
#include "codec/paramsets.h"

#include <errno.h>

static uint8_t vec[32768];

/* Load test/vectors/codec/<name>; 0 bytes when the tree is not there. */
static size_t load(const char *name, uint8_t *buf, size_t cap)
{
	const char *src = getenv("SRCTREE");
	char path[512];
	size_t n;
	FILE *f;

	snprintf(path, sizeof path, "%s/test/vectors/codec/%s", src ? src : ".", name);
	if (!(f = fopen(path, "rb")))
		return 0;
	n = fread(buf, 1, cap, f);
	fclose(f);
	return n;
}

/* ---- a tiny MSB-first bit writer for hand-built SPSs ------------------ */
struct bw { uint8_t b[128]; size_t bit; };

static void bw_u(struct bw *w, unsigned n, uint32_t v)
{
	while (n--) {
		if (v >> n & 1)
			w->b[w->bit >> 3] |= (uint8_t)(0x80 >> (w->bit & 7));
		w->bit++;
	}
}

static void bw_ue(struct bw *w, uint32_t v)
{
	unsigned len = 0;

	while ((v + 1) >> (len + 1))
		len++;
	bw_u(w, len, 0);
	bw_u(w, len + 1, v + 1);
}

static void bw_se(struct bw *w, int32_t v)
{
	bw_ue(w, v > 0 ? (uint32_t)(2 * v - 1) : (uint32_t)(-2 * v));
}

/* rbsp_trailing_bits, then escape into a NAL after the given header. */
static size_t bw_nal(struct bw *w, const uint8_t *hdr, size_t hn, uint8_t *out, size_t cap)
{
	size_t n;

	bw_u(w, 1, 1);
	while (w->bit & 7)
		bw_u(w, 1, 0);
	memcpy(out, hdr, hn);
	n = nal_escape(w->b, w->bit / 8, out + hn, cap - hn);
	CHECK(n != (size_t)-1);
	return hn + n;
}

/* ---- vectors ---------------------------------------------------------- */

static const struct {
	const char *file, *rec;
	unsigned w, h, profile, chroma, depth, sub_layers;
	int reorder;    /* FFmpeg's has_b_frames for the stream (ffprobe) */
} vectors[] = {
	{ "h264_base.h264", "h264_base.avcC.hex", 176, 144, 66, 1, 8, 1, 0 },
	{ "h264_high.h264", "h264_high.avcC.hex", 176, 144, 100, 1, 8, 1, 2 },
	{ "h264_odd.h264", "h264_odd.avcC.hex", 170, 100, 66, 1, 8, 1, 0 },
	{ "h264_interlaced.h264", "h264_interlaced.avcC.hex", 170, 100, 100, 1, 8, 1, 2 },
	{ "h264_422p10.h264", "h264_422p10.avcC.hex", 176, 144, 122, 2, 10, 1, 0 },
	{ "h264_444p10.h264", "h264_444p10.avcC.hex", 176, 144, 244, 3, 10, 1, 0 },
	{ "h265_main.h265", "h265_main.hvcC.hex", 176, 144, 1, 1, 8, 1, 2 },
	{ "h265_main10.h265", "h265_main10.hvcC.hex", 176, 144, 2, 1, 10, 1, 2 },
	{ "h265_422_odd.h265", "h265_422_odd.hvcC.hex", 170, 100, 4, 2, 10, 1, 2 },
	{ "h265_tl.h265", "h265_tl.hvcC.hex", 176, 144, 1, 1, 8, 2, 2 },
};

/* Our record for each stream is byte-identical to FFmpeg's. */
static void t_vectors_match_ffmpeg(void)
{
	uint8_t rec[1024], want[1024];
	char hex[2100];
	size_t i;

	for (i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
		int codec = vectors[i].file[3] == '5', len, wn;
		size_t n = load(vectors[i].file, vec, sizeof vec), hn;
		struct param_sets ps;
		struct sps_info si;

		if (!n)
			UNIT_SKIP("test/vectors/codec not found (set SRCTREE)");
		printf("  vector %s\n", vectors[i].file);
		CHECK_EQ(paramsets_extract(codec, vec, n, &ps), 0);
		CHECK_EQ(sps_parse(codec, &ps.sps, &si), 0);
		CHECK_EQ(si.width, vectors[i].w);
		CHECK_EQ(si.height, vectors[i].h);
		CHECK_EQ(si.profile_idc, vectors[i].profile);
		CHECK_EQ(si.chroma_format_idc, vectors[i].chroma);
		CHECK_EQ(si.bit_depth_luma, vectors[i].depth);
		CHECK_EQ(si.bit_depth_chroma, vectors[i].depth);
		CHECK_EQ(si.max_sub_layers, vectors[i].sub_layers);
		CHECK_EQ(si.num_reorder, vectors[i].reorder);
		len = codec ? hvcc_build(&ps, rec, sizeof rec) : avcc_build(&ps, rec, sizeof rec);
		hn = load(vectors[i].rec, (uint8_t *)hex, sizeof hex - 1);
		CHECK(hn > 0);
		hex[hn] = 0;
		wn = unit_hex(hex, want, sizeof want);
		CHECK(wn > 23);
		CHECK_EQ(len, wn);
		CHECK_MEM(rec, want, (size_t)wn);
	}
}

/* x264 High with cqm=jvt: the SPS carries scaling lists.  Hand-checked:
 * 64 profile 100, 00 constraints, 0b level 1.1; ff = lengthSize 4; e1 =
 * one SPS; tail fc|1 (4:2:0), f8|0, f8|0, 00 SPS-ext. */
static void t_avcc_golden(void)
{
	uint8_t au[128], want[128], rec[128];
	int n = unit_hex("00 00 00 01 09 10  00 00 00 01 67 64 00 0b ac d9 42 c4 ec 04"
			 "40 00 00 03 00 40 00 00 0c 83 c5 0a 65 80  00 00 00 01 68 ef 8f"
			 "cc 03  00 00 01 65 88 84", au, sizeof au);
	int w = unit_hex("01 64 00 0b ff e1 00 18 67 64 00 0b ac d9 42 c4 ec 04 40 00"
			 "00 03 00 40 00 00 0c 83 c5 0a 65 80 01 00 05 68 ef 8f cc 03"
			 "fd f8 f8 00", want, sizeof want);
	struct param_sets ps;
	struct sps_info si;
	int len, cap;

	CHECK_EQ(paramsets_extract(0, au, (size_t)n, &ps), 0);
	CHECK_EQ(ps.vps.n, 0);
	CHECK_EQ(ps.sps.n, 24);
	CHECK_EQ(ps.pps.n, 5);
	CHECK_EQ(sps_parse(0, &ps.sps, &si), 0);
	CHECK_EQ(si.width, 176);
	CHECK_EQ(si.height, 144);
	CHECK_EQ(si.level_idc, 11);
	CHECK_EQ(si.constraint_flags, 0);
	len = avcc_build(&ps, rec, sizeof rec);
	CHECK_EQ(len, w);
	CHECK_MEM(rec, want, (size_t)w);
	for (cap = 0; cap < w; cap++)
		CHECK_EQ(avcc_build(&ps, rec, (size_t)cap), -ENOSPC);
}

/* x265 Main 10: the SPS's PTL has an emulation-prevention byte that must
 * not reach the record; bytes 1..12 are the unescaped PTL. */
static void t_hvcc_golden(void)
{
	uint8_t au[256], rec[256];
	int n = unit_hex("00 00 00 01 46 01 50"
		"00 00 00 01 40 01 0c 01 ff ff 02 20 00 00 03 00 90 00 00 03 00 00 03 00"
		"3c 95 94 09"
		"00 00 01 42 01 01 02 20 00 00 03 00 90 00 00 03 00 00 03 00 3c a0 16 20"
		"24 4d 96 56 54 a4 c2 f0 16 80 80 00 00 03 00 80 00 00 0c 84"
		"00 00 01 44 01 c0 73 c1 89"
		"00 00 01 28 01 af", au, sizeof au);
	static const uint8_t head[23] = {
		0x01, 0x02, 0x20, 0x00, 0x00, 0x00, 0x90, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x3c,             /* PTL: Main 10, compat 2, level 60 */
		0xf0, 0x00, 0xfc,       /* min_spatial_segmentation 0, parallelism 0 */
		0xfd, 0xfa, 0xfa,       /* 4:2:0, 10-bit luma and chroma */
		0x00, 0x00,             /* avgFrameRate */
		0x0f,                   /* 1 temporal layer, nested, lengthSize 4 */
		0x03,
	};
	struct param_sets ps;
	struct sps_info si;
	int len, cap;

	CHECK_EQ(paramsets_extract(1, au, (size_t)n, &ps), 0);
	CHECK_EQ(sps_parse(1, &ps.sps, &si), 0);
	CHECK_EQ(si.temporal_id_nesting, 1);
	CHECK_EQ(si.level_idc, 60);
	len = hvcc_build(&ps, rec, sizeof rec);
	CHECK_EQ(len, 23 + 3 * 5 + (int)(ps.vps.n + ps.sps.n + ps.pps.n));
	CHECK_MEM(rec, head, 23);
	CHECK_EQ(rec[23], 0x20);                        /* completeness 0, VPS */
	CHECK_EQ(rec[24] << 8 | rec[25], 1);
	CHECK_EQ(rec[26] << 8 | rec[27], ps.vps.n);
	CHECK_MEM(rec + 28, ps.vps.p, ps.vps.n);
	CHECK_EQ(rec[28 + ps.vps.n], 0x21);
	CHECK_EQ(rec[len - (int)ps.pps.n - 5], 0x22);
	CHECK_MEM(rec + len - ps.pps.n, ps.pps.p, ps.pps.n);
	for (cap = 0; cap < len; cap++)
		CHECK_EQ(hvcc_build(&ps, rec, (size_t)cap), -ENOSPC);
}

static void t_extract(void)
{
	uint8_t au[96];
	struct param_sets a, b;
	int n;

	/* Missing PPS: -ENOENT, what was found is kept. */
	n = unit_hex("00 00 00 01 67 42 c0 0b da 0b 13 b0 11 00 00 01 65 88", au, sizeof au);
	CHECK_EQ(paramsets_extract(0, au, (size_t)n, &a), -ENOENT);
	CHECK_EQ(a.sps.n, 9);
	CHECK_EQ(a.pps.n, 0);
	/* H.265 needs a VPS; NALs of layer 1 are ignored; the first SPS wins. */
	n = unit_hex("00 00 01 42 09 01 00 00 01 42 01 01 aa 00 00 01 42 01 02 bb"
		     "00 00 01 44 01 c1", au, sizeof au);
	CHECK_EQ(paramsets_extract(1, au, (size_t)n, &a), -ENOENT);
	CHECK_EQ(a.sps.n, 4);
	CHECK_EQ(a.sps.p[3], 0xaa);
	n = unit_hex("00 00 01 40 01 0c 00 00 01 42 01 01 aa 00 00 01 44 01 c1", au, sizeof au);
	CHECK_EQ(paramsets_extract(1, au, (size_t)n, &a), 0);
	CHECK_EQ(paramsets_extract(1, au, (size_t)n, &b), 0);
	CHECK(paramsets_equal(&a, &b));
	b.pps.n--;
	CHECK(!paramsets_equal(&a, &b));
	b = a;
	memcpy(au + 30, au, 20);               /* same bytes elsewhere: still equal */
	CHECK_EQ(paramsets_extract(1, au + 30, (size_t)n, &b), 0);
	CHECK(paramsets_equal(&a, &b));
	au[30 + 12] ^= 1;
	CHECK_EQ(paramsets_extract(1, au + 30, (size_t)n, &b), 0);
	CHECK(!paramsets_equal(&a, &b));
}

/* H.265 SPS with 3 sub-layers: sub_layer_profile/level_present flags and
 * the reserved bits must be skipped exactly, or width comes out wrong. */
static void t_h265_sub_layers(void)
{
	static const uint8_t hdr[2] = { 0x42, 0x01 };
	static const uint8_t ptl[12] = { 0x01, 0x60, 0, 0, 0, 0x90, 0, 0, 0, 0, 0, 93 };
	struct bw w;
	uint8_t nal[128];
	struct nal u = { nal, 0 };
	struct sps_info si;
	unsigned i;

	memset(&w, 0, sizeof w);
	bw_u(&w, 4, 0);                 /* sps_video_parameter_set_id */
	bw_u(&w, 3, 2);                 /* sps_max_sub_layers_minus1 */
	bw_u(&w, 1, 0);                 /* temporal_id_nesting */
	for (i = 0; i < 12; i++)
		bw_u(&w, 8, ptl[i]);
	bw_u(&w, 4, 0xd);               /* sub 0: profile+level, sub 1: level */
	bw_u(&w, 12, 0);                /* reserved_zero_2bits x 6 */
	for (i = 0; i < 11; i++)
		bw_u(&w, 8, 0xa5);      /* sub-layer 0 profile (88 bits) */
	bw_u(&w, 8, 90);                /* sub-layer 0 level */
	bw_u(&w, 8, 60);                /* sub-layer 1 level */
	bw_ue(&w, 0);                   /* sps_seq_parameter_set_id */
	bw_ue(&w, 1);                   /* chroma_format_idc */
	bw_ue(&w, 1920);
	bw_ue(&w, 1088);
	bw_u(&w, 1, 1);                 /* conformance_window_flag */
	bw_ue(&w, 0); bw_ue(&w, 0); bw_ue(&w, 0); bw_ue(&w, 4);
	bw_ue(&w, 0);                   /* bit_depth_luma_minus8 */
	bw_ue(&w, 2);                   /* bit_depth_chroma_minus8 */
	u.n = bw_nal(&w, hdr, 2, nal, sizeof nal);
	CHECK_EQ(sps_parse(1, &u, &si), 0);
	CHECK_EQ(si.width, 1920);
	CHECK_EQ(si.height, 1080);
	CHECK_EQ(si.max_sub_layers, 3);
	CHECK_EQ(si.temporal_id_nesting, 0);
	CHECK_EQ(si.level_idc, 93);
	CHECK_EQ(si.bit_depth_luma, 8);
	CHECK_EQ(si.bit_depth_chroma, 10);
	CHECK_MEM(si.general_ptl, ptl, 12);
}

/* Build an H.264 High 4:4:4 SPS (separate colour planes, field coding,
 * POC type 1, scaling lists incl. a "use default" list). */
static size_t h264_sps_444(uint8_t *nal, size_t cap, uint32_t crop_right)
{
	static const uint8_t hdr[1] = { 0x67 };
	struct bw w;
	int i;

	memset(&w, 0, sizeof w);
	bw_u(&w, 8, 244); bw_u(&w, 8, 0); bw_u(&w, 8, 30);
	bw_ue(&w, 0);                   /* seq_parameter_set_id */
	bw_ue(&w, 3);                   /* chroma_format_idc 4:4:4 */
	bw_u(&w, 1, 1);                 /* separate_colour_plane_flag */
	bw_ue(&w, 2); bw_ue(&w, 4);     /* bit depths 10 and 12 */
	bw_u(&w, 1, 0);                 /* qpprime bypass */
	bw_u(&w, 1, 1);                 /* seq_scaling_matrix_present */
	for (i = 0; i < 12; i++) {
		bw_u(&w, 1, i == 0 || i == 7);
		if (i == 0) {           /* 4x4 list: deltas +1, then 0 */
			int j;
			for (j = 0; j < 16; j++)
				bw_se(&w, j == 0 ? 1 : 0);
		} else if (i == 7) {    /* 8x8 list: nextScale 0 at once */
			bw_se(&w, -8);
		}
	}
	bw_ue(&w, 0);                   /* log2_max_frame_num_minus4 */
	bw_ue(&w, 1);                   /* pic_order_cnt_type 1 */
	bw_u(&w, 1, 0);
	bw_se(&w, -3); bw_se(&w, 2);
	bw_ue(&w, 2); bw_se(&w, 5); bw_se(&w, -7);
	bw_ue(&w, 4);                   /* max_num_ref_frames */
	bw_u(&w, 1, 0);
	bw_ue(&w, 10);                  /* 11 MBs = 176 */
	bw_ue(&w, 4);                   /* 5 map units = 80 lines per field */
	bw_u(&w, 1, 0);                 /* frame_mbs_only_flag 0 */
	bw_u(&w, 1, 1);                 /* mb_adaptive_frame_field */
	bw_u(&w, 1, 1);                 /* direct_8x8_inference */
	bw_u(&w, 1, 1);                 /* frame_cropping_flag */
	bw_ue(&w, 1); bw_ue(&w, crop_right); bw_ue(&w, 1); bw_ue(&w, 2);
	bw_u(&w, 1, 0);                 /* vui_parameters_present_flag */
	return bw_nal(&w, hdr, 1, nal, cap);
}

static void t_h264_444_fields(void)
{
	uint8_t nal[128];
	struct nal u = { nal, 0 };
	struct sps_info si;

	u.n = h264_sps_444(nal, sizeof nal, 2);
	CHECK_EQ(sps_parse(0, &u, &si), 0);
	CHECK_EQ(si.profile_idc, 244);
	CHECK_EQ(si.chroma_format_idc, 3);
	CHECK_EQ(si.bit_depth_luma, 10);
	CHECK_EQ(si.bit_depth_chroma, 12);
	/* ChromaArrayType 0: crop unit 1 across, 2 down (field coding). */
	CHECK_EQ(si.width, 176 - 3);
	CHECK_EQ(si.height, 160 - 2 * 3);
	/* A crop that leaves nothing is rejected. */
	u.n = h264_sps_444(nal, sizeof nal, 175);
	CHECK_EQ(sps_parse(0, &u, &si), -EINVAL);
	u.n = h264_sps_444(nal, sizeof nal, 0x7ffffff0u);
	CHECK_EQ(sps_parse(0, &u, &si), -EINVAL);
}

/* Every truncation of a real SPS fails cleanly until the cropping fields
 * are complete; a non-SPS NAL is refused. */
static void t_sps_truncated(void)
{
	uint8_t b[64];
	int n = unit_hex("67 64 00 0b ac d9 42 c4 ec 04 40 00 00 03 00 40 00 00 0c 83 c5 0a 65 80",
			 b, sizeof b), i, ok = 0;
	struct nal u = { b, 0 };
	struct sps_info si;

	/* Once the prefix parses, every longer one does (the VUI is not
	 * read), and not before the cropping fields at byte 9. */
	for (i = 0; i <= n; i++) {
		u.n = (size_t)i;
		if (sps_parse(0, &u, &si) == 0) {
			CHECK_EQ(si.width, 176);
			ok++;
		} else {
			CHECK_EQ(ok, 0);
			CHECK_EQ(si.width, 0);
		}
	}
	printf("  first complete prefix: %d of %d bytes\n", n + 1 - ok, n);
	CHECK_EQ(n + 1 - ok, 9);
	b[0] = 0x68;
	CHECK_EQ(sps_parse(0, &u, &si), -EINVAL);
	CHECK_EQ(sps_parse(1, &u, &si), -EINVAL);
	u.n = 0;
	CHECK_EQ(sps_parse(0, &u, &si), -EINVAL);
}

/* The reorder depth of B-frame streams (passthrough derives DTS from it):
 * equal to what FFmpeg reads from the same SPS (ffprobe has_b_frames). */
static void t_reorder_bframes(void)
{
	static const char *const files[] = { "pt_176x144_g10.h264", "pt_176x144_g10.h265",
					     "pt_176x144_g10_b2.h264", "pt_176x144_g10_b2.h265" };
	static const int want[] = { 0, 0, 2, 2 };
	size_t i;

	for (i = 0; i < 4; i++) {
		int codec = strstr(files[i], "h265") != NULL;
		size_t n = load(files[i], vec, sizeof vec);
		struct param_sets ps;
		struct sps_info si;

		if (!n)
			UNIT_SKIP("test/vectors/codec not found (set SRCTREE)");
		CHECK_EQ(paramsets_extract(codec, vec, n, &ps), 0);
		CHECK_EQ(sps_parse(codec, &ps.sps, &si), 0);
		if (si.num_reorder != want[i])
			printf("    %s: num_reorder %d\n", files[i], si.num_reorder);
		CHECK_EQ(si.num_reorder, want[i]);
	}
}

static const struct unit_case cases[] = {
	UNIT(t_reorder_bframes),
	UNIT(t_avcc_golden),
	UNIT(t_hvcc_golden),
	UNIT(t_extract),
	UNIT(t_h265_sub_layers),
	UNIT(t_h264_444_fields),
	UNIT(t_sps_truncated),
	UNIT(t_vectors_match_ffmpeg),
};
UNIT_MAIN(cases)
