/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_cvmmap_meta.c - SHM metadata v1/v2.0/v2.1: docs/contract.md §4, test
 * vectors TV-4 .. TV-13 and TV-20, and the upstream golden fixtures in
 * test/vectors/contract/ (both rules of the confidence discrepancy). */
#include "unit.h"
#include "ipc/cvmmap_meta.h"
#include "ipc/ingest.h"
#include "ipc/pattern.h"

#define NOSIZE CVMMAP_SIZE_UNKNOWN

static uint8_t m[256];
static struct cvmmap_meta o;

/* Hex dumps as in docs/contract.md §14; elided rows are zero. */
static void load(const char *hex)
{
	memset(m, 0, sizeof m);
	CHECK(unit_hex(hex, m, sizeof m) > 0);
}

static const char tv4[] =
	"43 56 2d 4d 4d 41 50 00 01 00 00 00 4d 00 00 00"
	"d2 02 96 49 00 00 00 00 04 00 02 00 03 00 00 00"
	"18 00 00 00 00 00 00 00";
static const char tv5[] =
	"43 56 2d 4d 4d 41 50 00 02 00 00 00 29 23 00 00"
	"7b 00 00 00 00 00 00 00 c8 01 00 00 00 00 00 00"
	"01 01 40 00 18 00 04 00 0c 00 00 00 00 00 00 00"
	"00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
	"00 00 00 00 02 00 00 00 02 00 00 00 06 00 00 00"
	"00 00 00 00 0c 00 00 00";
static const char tv6[] =
	"43 56 2d 4d 4d 41 50 00 02 00 00 00 29 23 00 00"
	"7b 00 00 00 00 00 00 00 c8 01 00 00 00 00 00 00"
	"02 03 40 00 18 00 04 00 28 00 00 00 00 00 00 00"
	"00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
	"00 00 00 00 02 00 00 00 02 00 00 00 08 00 00 00"
	"00 00 00 00 10 00 00 00 01 04 05 00 02 00 00 00"
	"02 00 00 00 0c 00 00 00 10 00 00 00 18 00 00 00";
static const char tv7[] =
	"43 56 2d 4d 4d 41 50 00 02 01 00 00 07 00 00 00"
	"e8 03 00 00 00 00 00 00 07 00 00 00 00 00 00 00"
	"02 09 40 00 18 00 04 00 12 00 00 00 00 01 01 01"
	"00 1e 00 01 00 b1 68 de 3a 00 00 00 00 00 00 00"
	"00 01 00 00 02 00 00 00 02 00 00 00 06 00 00 00"
	"00 00 00 00 0c 00 00 00 00 00 00 00 00 00 00 00"
	"00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
	"00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
	"00 00 00 00 00 00 00 00 03 04 00 00 06 00 00 00"
	"01 00 00 00 06 00 00 00 0c 00 00 00 06 00 00 00";

static int parse(uint64_t size, unsigned flags)
{
	return cvmmap_meta_parse(m, size, flags, &o);
}

static void t_tv4_v1(void)
{
	load(tv4);
	CHECK_EQ(parse(256 + 24, 0), META_OK);
	CHECK_EQ(o.layout, 1);
	CHECK_EQ(o.frame_id, 77);
	CHECK_EQ(o.capture_ns, 1234567890);
	CHECK_EQ(o.plane[0].pixel_format, PIXFMT_RGB);
	CHECK_EQ(o.plane[0].depth, DEPTH_U8);
	CHECK_EQ(o.plane[0].width, 4);
	CHECK_EQ(o.plane[0].height, 2);
	CHECK_EQ(o.channels, 3);
	CHECK_EQ(o.plane[0].stride, 12);
	CHECK_EQ(o.payload_size, 24);
	CHECK_EQ(parse(256 + 23, 0), META_PAYLOAD_BEYOND_OBJECT);
}

static void t_v1_rules(void)
{
	load(tv4);
	m[0x09] = 3;                       /* other minor: accepted with a warning */
	CHECK_EQ(parse(NOSIZE, 0), META_OK);
	CHECK(o.warn & CVMMAP_META_WARN_V1_MINOR);
	load(tv4);
	m[0x08] = 0;                       /* 0.0 = legacy v1 layout */
	CHECK_EQ(parse(NOSIZE, 0), META_OK);
	CHECK_EQ(o.layout, 1);
	m[0x09] = 1;                       /* 0.1 is not */
	CHECK_EQ(parse(NOSIZE, 0), META_BAD_MAJOR);
	load(tv4);
	m[0x20] = 25;                      /* 25 % 2 != 0: ksy exact-stride rule */
	CHECK_EQ(parse(NOSIZE, 0), META_V1_STRIDE_NOT_EXACT);
	m[0x20] = 22;                      /* stride 11 < 4*3 */
	CHECK_EQ(parse(NOSIZE, 0), META_V1_STRIDE_SHORT);
	m[0x20] = 32;                      /* stride 16 > 12: padded, fine */
	CHECK_EQ(parse(NOSIZE, 0), META_OK);
	CHECK_EQ(o.plane[0].stride, 16);
	load(tv4);
	m[0x1C] = 4;
	CHECK_EQ(parse(NOSIZE, 0), META_V1_CHANNELS);
	load(tv4);
	m[0x1E] = 7;
	CHECK_EQ(parse(NOSIZE, 0), META_V1_BAD_FORMAT);
	load(tv4);
	m[0x1A] = 0;
	CHECK_EQ(parse(NOSIZE, 0), META_V1_ZERO_GEOMETRY);
}

static void t_tv5_v20(void)
{
	load(tv5);
	CHECK_EQ(parse(256 + 12, 0), META_OK);
	CHECK_EQ(o.layout, 2);
	CHECK_EQ(o.frame_id, 9001);
	CHECK_EQ(o.capture_ns, 123);
	CHECK_EQ(o.publish_seq, 456);
	CHECK_EQ(o.plane[0].pixel_format, PIXFMT_RGB);
	CHECK_EQ(o.plane[0].width, 2);
	CHECK_EQ(o.plane[0].stride, 6);
	CHECK_EQ(o.depth_unit, DEPTH_UNIT_UNKNOWN);
	CHECK(!o.plane[1].active && !o.plane[3].active);
}

static void t_tv6_depth_padded(void)
{
	static const uint8_t pay[40] = {
		1, 2, 3, 4, 5, 6, 0, 0, 7, 8, 9, 10, 11, 12, 0, 0,
		0, 0, 0xc0, 0x3f, 0, 0, 0x20, 0x40, 0, 0, 0, 0,
		0, 0, 0x60, 0x40, 0, 0, 0x90, 0x40, 0, 0, 0, 0,
	};
	const struct cvmmap_plane *d;
	float f[2];

	load(tv6);
	CHECK_EQ(parse(256 + 40, 0), META_OK);
	CHECK_EQ(o.plane[0].stride, 8);
	d = &o.plane[1];
	CHECK(d->active);
	CHECK_EQ(d->pixel_format, PIXFMT_GRAY);
	CHECK_EQ(d->depth, DEPTH_F32);
	CHECK_EQ(d->offset, 16);
	CHECK_EQ(d->stride, 12);
	/* honour the strides: row 1 of LEFT, row 1 of depth */
	CHECK_MEM(pay + o.plane[0].stride, "\x07\x08\x09\x0a\x0b\x0c", 6);
	memcpy(f, pay + d->offset + d->stride, sizeof f);
	CHECK(f[0] == 3.5f && f[1] == 4.5f);
	/* TV-12 last row: in an object of 256 + 16 the payload does not fit */
	CHECK_EQ(parse(256 + 16, 0), META_PAYLOAD_BEYOND_OBJECT);
}

static void t_tv7_v21_au(void)
{
	load(tv7);
	CHECK_EQ(parse(256 + 18, 0), META_OK);
	CHECK_EQ(o.minor, 1);
	CHECK_EQ(o.frame_id, 7);
	CHECK_EQ(o.capture_ns, 1000);
	CHECK_EQ(o.plane[0].pixel_format, PIXFMT_BGR);
	CHECK(o.plane[3].active);
	CHECK_EQ(o.plane[3].offset, 12);
	CHECK_EQ(o.plane[3].size, 6);
	CHECK_EQ(o.au_codec, AU_CODEC_H264);
	CHECK_EQ(o.au_format, 1);
	CHECK(o.au_flags & CVMMAP_AU_FLAG_KEYFRAME);
	CHECK_EQ(o.fps_num, 30);
	CHECK_EQ(o.fps_den, 1);
	CHECK_EQ(o.au_pts_ns, 987654321);
	CHECK_EQ(parse(256 + 18, CVMMAP_META_V20_ONLY), META_V20_ONLY);
}

static void t_tv8_tv12_negatives(void)
{
	load(tv5);
	m[0x54] = 0x14;                              /* TV-8 */
	CHECK_EQ(parse(NOSIZE, 0), META_PLANE_BOUNDS);
	load(tv7);
	m[0x09] = 0;                                 /* TV-9 */
	CHECK_EQ(parse(NOSIZE, 0), META_V20_MASK);
	load(tv7);
	m[0x21] = 0x08; m[0x20] = 1;                 /* TV-10 */
	CHECK_EQ(parse(NOSIZE, 0), META_V21_NO_LEFT);
	load(tv7);
	m[0x20] = 3;
	CHECK_EQ(parse(NOSIZE, 0), META_V21_COUNT);
	load(tv7);
	m[0x2D] = 0;                                 /* TV-11 */
	CHECK_EQ(parse(NOSIZE, 0), META_AU_CODEC);
	m[0x2D] = 3;
	CHECK_EQ(parse(NOSIZE, 0), META_AU_CODEC);
	load(tv7);
	m[0x2E] = 2;
	CHECK_EQ(parse(NOSIZE, 0), META_AU_FORMAT);
	load(tv5);
	m[0x07] = 1;                                 /* TV-12 */
	CHECK_EQ(parse(NOSIZE, 0), META_BAD_MAGIC);
	load(tv5);
	m[0x08] = 3;
	CHECK_EQ(parse(NOSIZE, 0), META_BAD_MAJOR);
	load(tv5);
	m[0x22] = 0x41;
	CHECK_EQ(parse(NOSIZE, 0), META_V2_DESC_LAYOUT);
	load(tv5);
	m[0x2C] = 3;
	CHECK_EQ(parse(NOSIZE, 0), META_V2_DEPTH_UNIT);
	m[0x2C] = 2;
	CHECK_EQ(parse(NOSIZE, 0), META_OK);
	CHECK_EQ(o.depth_unit, DEPTH_UNIT_M);
}

static void t_v2_other_rules(void)
{
	load(tv5);
	m[0x20] = 0;
	CHECK_EQ(parse(NOSIZE, 0), META_V2_PLANE_COUNT);
	load(tv5);
	m[0x21] = 0x11;
	CHECK_EQ(parse(NOSIZE, 0), META_V2_MASK_NIBBLE);
	load(tv5);
	memset(m + 0x28, 0, 4);
	CHECK_EQ(parse(NOSIZE, 0), META_V2_PAYLOAD_ZERO);
	load(tv5);
	m[0x40] = 1;                                 /* slot 0 says DEPTH */
	CHECK_EQ(parse(NOSIZE, 0), META_PLANE_TYPE);
	load(tv5);
	m[0x41] = 9;
	CHECK_EQ(parse(NOSIZE, 0), META_PLANE_FORMAT);
	load(tv5);
	m[0x4C] = 5;                                 /* stride 5 < 2*3 */
	CHECK_EQ(parse(NOSIZE, 0), META_PLANE_STRIDE);
	load(tv5);
	m[0x54] = 0x0b;                              /* size 11 < 6*2 */
	CHECK_EQ(parse(NOSIZE, 0), META_PLANE_SIZE);
	load(tv5);
	m[0x48] = 0;                                 /* height 0 */
	CHECK_EQ(parse(NOSIZE, 0), META_PLANE_ZERO);
	load(tv5);
	m[0x58 + 4] = 1;                             /* inactive slot 1 width 1 */
	CHECK_EQ(parse(NOSIZE, 0), META_INACTIVE_NOT_ZERO);
	load(tv6);
	m[0x58 + 16] = 0x11;                         /* depth offset 17 != 16 */
	m[0x28] = 0x29;
	CHECK_EQ(parse(NOSIZE, 0), META_PLANE_NOT_PACKED);
	load(tv6);
	m[0x5A] = DEPTH_U16;                         /* depth plane must be F32 */
	CHECK_EQ(parse(NOSIZE, 0), META_PLANE_SLOT_FORMAT);
	load(tv7);
	m[0x89] = PIXFMT_BGR;                        /* AU plane must be GRAY/U8 */
	CHECK_EQ(parse(NOSIZE, 0), META_PLANE_SLOT_FORMAT);
	/* reserved bytes are ignored */
	load(tv7);
	memset(m + 0xA0, 0xa5, 96);
	m[0x43] = m[0x5b] = 0xa5;
	memset(m + 0x3D, 0xa5, 3);
	CHECK_EQ(parse(NOSIZE, 0), META_OK);
	CHECK(meta_reason_str(META_PLANE_BOUNDS)[0] != 0);
	CHECK_STR(meta_reason_id(META_PLANE_BOUNDS), "plane_bounds");
	CHECK_STR(meta_reason_str(-1), "unknown reason");
}

static void t_tv13_sizes(void)
{
	struct cvmmap_meta d;

	memset(&d, 0, sizeof d);
	d.major = 2; d.layout = 2; d.plane_count = 1; d.mask = 1;
	d.payload_size = 1280 * 720 * 3;
	d.plane[0] = (struct cvmmap_plane){ 1, PLANE_LEFT, PIXFMT_BGR, DEPTH_U8,
					    1280, 720, 3840, 0, 1280 * 720 * 3 };
	cvmmap_meta_build(m, &d);
	CHECK_EQ(parse(2765056, 0), META_OK);       /* exact */
	CHECK_EQ(parse(4194560, 0), META_OK);       /* 4 MiB bucket */
	CHECK_EQ(parse(2765055, 0), META_PAYLOAD_BEYOND_OBJECT);
	CHECK_EQ(parse(100, 0), META_PAYLOAD_BEYOND_OBJECT);
}

/* build(parse(x)) == x for every valid vector (the simulator's writer). */
static void t_build_roundtrip(void)
{
	static const char *const v[] = { tv4, tv5, tv6, tv7 };
	uint8_t out[256];
	size_t i;

	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		load(v[i]);
		CHECK_EQ(parse(NOSIZE, 0), META_OK);
		cvmmap_meta_build(out, &o);
		CHECK_MEM(out, m, 256);
	}
}

/* ---- upstream fixtures (test/vectors/contract, MIT) ---- */

static int load_fixture(const char *name, uint8_t *buf, size_t cap)
{
	const char *src = getenv("SRCTREE");
	char path[512], text[4096];
	size_t n;
	FILE *f;

	snprintf(path, sizeof path, "%s/test/vectors/contract/%s", src ? src : ".", name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fread(text, 1, sizeof text - 1, f);
	fclose(f);
	text[n] = '\0';
	return unit_hex(text, buf, cap);
}

static int fixture(const char *stem, uint8_t *pay, int *npay)
{
	char name[128];

	snprintf(name, sizeof name, "%s_metadata.hex", stem);
	if (load_fixture(name, m, sizeof m) != 256)
		UNIT_SKIP("fixture missing (set SRCTREE)");
	snprintf(name, sizeof name, "%s_payload.hex", stem);
	*npay = load_fixture(name, pay, 256);
	CHECK(*npay > 0);
	return *npay;
}

static void t_fixtures_valid(void)
{
	uint8_t pay[256];
	int n;

	fixture("v1_valid", pay, &n);
	CHECK_EQ(parse(256 + (uint64_t)n, 0), META_OK);
	CHECK_EQ(o.frame_id, 77);
	CHECK_EQ(pay[o.plane[0].stride], 0x0d);     /* row 1 starts at 13 */
	fixture("v2_left_only_valid", pay, &n);
	CHECK_EQ(parse(256 + (uint64_t)n, 0), META_OK);
	CHECK_EQ(o.payload_size, (unsigned)n);
	fixture("v2_left_depth_valid", pay, &n);
	CHECK_EQ(parse(256 + (uint64_t)n, 0), META_OK);
	CHECK_EQ(o.plane[1].offset, 16);
	CHECK_EQ(o.payload_size, (unsigned)n);
	fixture("v2_malformed_descriptor", pay, &n);
	CHECK_EQ(parse(256 + (uint64_t)n, 0), META_PLANE_BOUNDS);
}

/* docs/contract.md §13 item 6: U8 confidence is rejected by the C++ rule (our
 * default) and accepted by the Python rule (flag). */
static void t_fixture_confidence_rules(void)
{
	uint8_t pay[256];
	int n;

	fixture("v2_left_depth_confidence_valid", pay, &n);
	CHECK_EQ(parse(256 + (uint64_t)n, 0), META_PLANE_SLOT_FORMAT);
	CHECK_EQ(parse(256 + (uint64_t)n, CVMMAP_META_CONF_ANY_U8), META_OK);
	CHECK(o.warn & CVMMAP_META_WARN_CONF_U8);
	CHECK_EQ(o.plane[2].depth, DEPTH_U8);
	CHECK_EQ(o.plane[2].offset, 28);
	/* the flag does not relax the depth plane */
	m[0x58 + 2] = DEPTH_U8;
	CHECK_EQ(parse(256 + (uint64_t)n, CVMMAP_META_CONF_ANY_U8), META_PLANE_SLOT_FORMAT);
}

/* TV-20: dummy producer, 1280x720 BGR, frame 1, pixel (1279, 719). */
static void t_tv20_pattern(void)
{
	static uint8_t img[1280 * 720 * 3];
	const uint8_t *px = img + 719 * 3840 + 1279 * 3;

	cvmmap_dummy_pattern(img, 1280, 720, 3840, 1);
	CHECK_EQ(px[0], 0x02);
	CHECK_EQ(px[1], 0xa3);
	CHECK_EQ(px[2], 0x75);
	CHECK_EQ(cvmmap_pattern_check(PIXFMT_BGR, img, 1280, 720, 3840, 1), 0);
	CHECK(cvmmap_pattern_check(PIXFMT_BGR, img, 1280, 720, 3840, 2) != 0);
	img[5 * 3840 + 7] ^= 1;
	CHECK_EQ(cvmmap_pattern_check(PIXFMT_BGR, img, 1280, 720, 3840, 1), 6);
}

static void t_pattern_formats(void)
{
	static uint8_t img[17 * 8 * 4 + 8 * 5];
	unsigned f;

	for (f = 0; f < PIXFMT_COUNT; f++) {
		uint32_t stride = 17 * cvmmap_pixfmt_channels(f) + 5;

		if (f == PIXFMT_YUV)
			continue;
		memset(img, 0xcc, sizeof img);
		cvmmap_pattern_fill(f, img, 17, 8, stride, 9);
		CHECK_EQ(img[stride - 1], 0);            /* padding zeroed */
		CHECK_EQ(cvmmap_pattern_check(f, img, 17, 8, stride, 9), 0);
		CHECK(cvmmap_pattern_check(f, img, 17, 8, stride, 10) != 0);
	}
	cvmmap_pattern_fill(PIXFMT_RGB, img, 4, 1, 12, 0);
	CHECK_EQ(img[0], 0);      /* R(0,0) */
	CHECK_EQ(img[3], 0);      /* R(1,0) = 1/2 = 0 */
	CHECK_EQ(img[5], 1);      /* B(1,0) */
}

static const struct unit_case cases[] = {
	UNIT(t_tv4_v1), UNIT(t_v1_rules), UNIT(t_tv5_v20), UNIT(t_tv6_depth_padded),
	UNIT(t_tv7_v21_au), UNIT(t_tv8_tv12_negatives), UNIT(t_v2_other_rules),
	UNIT(t_tv13_sizes), UNIT(t_build_roundtrip), UNIT(t_fixtures_valid),
	UNIT(t_fixture_confidence_rules), UNIT(t_tv20_pattern), UNIT(t_pattern_formats),
};
UNIT_MAIN(cases)
