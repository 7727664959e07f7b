/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_sei.c - user_data_unregistered SEI: build, insert, find. */
#include "unit.h"
#include "codec/latency.h"
#include "codec/sei.h"

#include <errno.h>

static const uint8_t uuid[16] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
	0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
};

/* Hand-assembled: header 06, payloadType 05, payloadSize 0x13 (16 + 3),
 * UUID, payload 00 00 01 escaped to 00 00 03 01, trailing 80. */
static void t_build_golden_h264(void)
{
	static const uint8_t pl[] = { 0x00, 0x00, 0x01 };
	uint8_t want[64], out[64];
	int w = unit_hex("06 05 13 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f"
			 "00 00 03 01 80", want, sizeof want);
	int n = sei_build_user_data(0, uuid, pl, sizeof pl, out, sizeof out), cap;

	CHECK_EQ(n, w);
	CHECK_MEM(out, want, (size_t)w);
	for (cap = 0; cap < w; cap++)
		CHECK_EQ(sei_build_user_data(0, uuid, pl, sizeof pl, out, (size_t)cap), -ENOSPC);
}

/* H.265: 2-byte prefix-SEI header 4e 01; four zero bytes escape twice. */
static void t_build_golden_h265(void)
{
	static const uint8_t pl[] = { 0x00, 0x00, 0x00, 0x00 };
	uint8_t want[64], out[64];
	int w = unit_hex("4e 01 05 14 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f"
			 "00 00 03 00 00 80", want, sizeof want);
	int n = sei_build_user_data(1, uuid, pl, sizeof pl, out, sizeof out);

	CHECK_EQ(n, w);
	CHECK_MEM(out, want, (size_t)w);
}

/* Round trip through sei_find_user_data for sizes around the ff-coding
 * boundaries (16 + 239 = 255 needs "ff 00"), payloads full of zeros. */
static void t_round_trip(void)
{
	static const size_t sizes[] = { 0, 1, 238, 239, 240, 600 };
	static uint8_t pl[600], nal[SEI_NAL_MAX(600)], scratch[700];
	size_t i, k;
	int codec;

	for (i = 0; i < sizeof pl; i++)
		pl[i] = (uint8_t)(i % 5 == 4 ? i : 0);  /* 00 00 00 00 xx ... */
	for (codec = 0; codec < 2; codec++)
		for (k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
			const uint8_t *got;
			size_t len;
			struct nal u;
			int n = sei_build_user_data(codec, uuid, pl, sizes[k], nal, sizeof nal);

			CHECK(n > 0);
			CHECK((size_t)n <= SEI_NAL_MAX(sizes[k]));
			for (i = 0; i + 2 < (size_t)n; i++)   /* no start-code emulation */
				CHECK(!(nal[i] == 0 && nal[i + 1] == 0 && nal[i + 2] < 3));
			CHECK_EQ(nal[n - 1], 0x80);
			u.p = nal;
			u.n = (size_t)n;
			CHECK_EQ(sei_find_user_data(codec, &u, uuid, &got, &len,
						    scratch, sizeof scratch), 0);
			CHECK_EQ(len, sizes[k]);
			CHECK_MEM(got, pl, len);
			CHECK(got >= scratch && got + len <= scratch + sizeof scratch);
		}
	/* payloadSize 16 + 239 = 255 is ff-coded as ff 00. */
	CHECK_EQ(sei_build_user_data(0, uuid, pl, 239, nal, sizeof nal) > 0, 1);
	CHECK_EQ(nal[2], 0xff);
	CHECK_EQ(nal[3], 0x00);
}

static void t_find_errors(void)
{
	static const uint8_t other[16] = { 0xff };
	uint8_t nal[64], scratch[64], b[64];
	const uint8_t *got;
	size_t len;
	struct nal u = { nal, 0 };
	int n;

	u.n = (size_t)sei_build_user_data(0, uuid, (const uint8_t *)"abc", 3, nal, sizeof nal);
	CHECK_EQ(sei_find_user_data(0, &u, other, &got, &len, scratch, sizeof scratch), -ENOENT);
	CHECK_EQ(sei_find_user_data(0, &u, uuid, &got, &len, scratch, 8), -ENOSPC);
	CHECK_EQ(sei_find_user_data(1, &u, uuid, &got, &len, scratch, sizeof scratch), -ENOENT);
	/* payloadSize beyond the NAL */
	n = unit_hex("06 05 40 00 01 02 80", b, sizeof b);
	u.p = b; u.n = (size_t)n;
	CHECK_EQ(sei_find_user_data(0, &u, uuid, &got, &len, scratch, sizeof scratch), -EINVAL);
	/* a first message of another type is skipped */
	n = unit_hex("06 01 02 aa bb 05 10 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d"
		     "0e 0f 80", b, sizeof b);
	u.n = (size_t)n;
	CHECK_EQ(sei_find_user_data(0, &u, uuid, &got, &len, scratch, sizeof scratch), 0);
	CHECK_EQ(len, 0);
	/* not an SEI NAL */
	b[0] = 0x65;
	CHECK_EQ(sei_find_user_data(0, &u, uuid, &got, &len, scratch, sizeof scratch), -ENOENT);
}

/* x264 writes its version string as user_data_unregistered: find it in a
 * real stream with x264's UUID. */
static void t_find_x264_sei(void)
{
	static const uint8_t x264_uuid[16] = {
		0xdc, 0x45, 0xe9, 0xbd, 0xe6, 0xd9, 0x48, 0xb7,
		0x96, 0x2c, 0xd8, 0x20, 0xd9, 0x23, 0xee, 0xef,
	};
	static uint8_t file[8192], scratch[4096];
	const char *src = getenv("SRCTREE");
	const uint8_t *p, *end, *got = NULL;
	char path[512];
	size_t n, len = 0;
	struct nal u;
	FILE *f;
	int found = 0;

	snprintf(path, sizeof path, "%s/test/vectors/codec/h264_high.h264", src ? src : ".");
	if (!(f = fopen(path, "rb")))
		UNIT_SKIP("test/vectors/codec not found (set SRCTREE)");
	n = fread(file, 1, sizeof file, f);
	fclose(f);
	for (p = file, end = file + n; !found && (p = annexb_next(p, end, &u)) != NULL;)
		found = sei_find_user_data(0, &u, x264_uuid, &got, &len,
					   scratch, sizeof scratch) == 0;
	CHECK(found);
	CHECK(len > 20);
	CHECK(!memcmp(got, "x264 - core ", 12));
}

/* Count NAL types in order into t[], return how many. */
static int types(int codec, const uint8_t *b, size_t n, int *t, int max)
{
	const uint8_t *p = b, *end = b + n;
	struct nal u;
	int k = 0;

	while ((p = annexb_next(p, end, &u)) != NULL && k < max)
		t[k++] = nal_type(codec, &u);
	return k;
}

static void t_insert(void)
{
	uint8_t au[128], out[192], sei[64], want[192];
	int t[8], n, sn, got, cap;

	sn = sei_build_user_data(0, uuid, (const uint8_t *)"hi", 2, sei, sizeof sei);
	CHECK(sn > 0);
	/* AUD, SPS, PPS (3-byte start code, trailing zero), IDR */
	n = unit_hex("00 00 00 01 09 10 00 00 00 01 67 42 c0 0b 00 00 01 68 ce 0f c8 00"
		     "00 00 00 01 65 88 84", au, sizeof au);
	got = annexb_insert_sei(0, au, (size_t)n, sei, (size_t)sn, out, sizeof out);
	CHECK_EQ(got, n + 4 + sn);
	CHECK_EQ(types(0, out, (size_t)got, t, 8), 5);
	CHECK_EQ(t[0], 9); CHECK_EQ(t[1], 7); CHECK_EQ(t[2], 8);
	CHECK_EQ(t[3], 6); CHECK_EQ(t[4], 5);
	/* Exactly: bytes up to the PPS end, 00 00 00 01 SEI, then the rest
	 * untouched (the PPS's trailing zero and the IDR's 4-byte code). */
	memcpy(want, au, 21);
	memcpy(want + 21, "\0\0\0\1", 4);
	memcpy(want + 25, sei, (size_t)sn);
	memcpy(want + 25 + sn, au + 21, (size_t)n - 21);
	CHECK_MEM(out, want, (size_t)got);
	for (cap = 0; cap < got; cap++)
		CHECK_EQ(annexb_insert_sei(0, au, (size_t)n, sei, (size_t)sn, out, (size_t)cap),
			 -ENOSPC);

	/* A VCL NAL first, behind garbage and a 4-byte start code. */
	n = unit_hex("aa 00 00 00 01 41 9a 00 00 01 41 9b", au, sizeof au);
	got = annexb_insert_sei(0, au, (size_t)n, sei, (size_t)sn, out, sizeof out);
	CHECK_EQ(got, n + 4 + sn);
	CHECK_EQ(out[0], 0xaa);
	CHECK_MEM(out + 1, "\0\0\0\1", 4);
	CHECK_MEM(out + 5, sei, (size_t)sn);
	CHECK_MEM(out + 5 + sn, au + 1, (size_t)n - 1);

	/* No VCL NAL: refused. */
	n = unit_hex("00 00 00 01 09 10 00 00 01 67 42", au, sizeof au);
	CHECK_EQ(annexb_insert_sei(0, au, (size_t)n, sei, (size_t)sn, out, sizeof out), -EINVAL);
}

static void t_insert_h265(void)
{
	uint8_t au[128], out[192], sei[64], scratch[64];
	const uint8_t *p, *end, *got;
	size_t len;
	struct nal u;
	int t[8], n, sn, r, k = 0;

	sn = sei_build_user_data(1, uuid, (const uint8_t *)"\0\0\1", 3, sei, sizeof sei);
	/* AUD, VPS, SPS, PPS, x265-like prefix SEI, IDR_W_RADL */
	n = unit_hex("00 00 00 01 46 01 10 00 00 00 01 40 01 0c 00 00 01 42 01 01"
		     "00 00 01 44 01 c1 00 00 01 4e 01 06 01 aa 80 00 00 01 26 01 af",
		     au, sizeof au);
	r = annexb_insert_sei(1, au, (size_t)n, sei, (size_t)sn, out, sizeof out);
	CHECK_EQ(r, n + 4 + sn);
	CHECK_EQ(types(1, out, (size_t)r, t, 8), 7);
	CHECK_EQ(t[4], 39); CHECK_EQ(t[5], 39); CHECK_EQ(t[6], 19);
	for (p = out, end = out + r; (p = annexb_next(p, end, &u)) != NULL; k++)
		if (k == 5) {
			CHECK_EQ(sei_find_user_data(1, &u, uuid, &got, &len,
						    scratch, sizeof scratch), 0);
			CHECK_EQ(len, 3);
			CHECK_MEM(got, "\0\0\1", 3);
		}
	CHECK_EQ(k, 7);
}

/* The latency payload: exact bytes (big-endian, docs/sei.md "Latency"),
 * and back; a wrong size or version is refused. */
static void t_latency_payload(void)
{
	struct latency_stamps a = { 0x01020304u, 1, 0x1112131415161718ull,
				    0x2122232425262728ull, 0x3132333435363738ull,
				    0x4142434445464748ull }, b;
	static const uint8_t want[LATENCY_SEI_SIZE] = {
		1, 1, 0, 0, 1, 2, 3, 4,
		0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,
		0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28,
		0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38,
		0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48,
	};
	uint8_t p[LATENCY_SEI_SIZE];

	latency_build(p, &a);
	CHECK_MEM(p, want, sizeof want);
	CHECK_EQ(latency_parse(p, sizeof p, &b), 0);
	CHECK(a.frame_id == b.frame_id && a.capture_unix == b.capture_unix &&
	      a.capture_ns == b.capture_ns && a.announced_ns == b.announced_ns &&
	      a.encoded_ns == b.encoded_ns && a.sent_ns == b.sent_ns);
	CHECK_EQ(latency_parse(p, sizeof p - 1, &b), -EINVAL);
	p[0] = 2;
	CHECK_EQ(latency_parse(p, sizeof p, &b), -EINVAL);
}

static const struct unit_case cases[] = {
	UNIT(t_latency_payload),
	UNIT(t_build_golden_h264),
	UNIT(t_build_golden_h265),
	UNIT(t_round_trip),
	UNIT(t_find_errors),
	UNIT(t_find_x264_sei),
	UNIT(t_insert),
	UNIT(t_insert_h265),
};
UNIT_MAIN(cases)
