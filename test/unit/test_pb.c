/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_pb.c - protobuf codec and cv-mmap messages (docs/contract.md §6.3,
 * vectors TV-15 and TV-17). */
#include "unit.h"
#include "nats/pb.h"

static const uint8_t tv15_online[] = {
	0x08, 0x01, 0x12, 0x07, 0x64, 0x65, 0x66, 0x61, 0x75, 0x6c, 0x74,
	0x18, 0x80, 0x80, 0xa8, 0xb1, 0xe3, 0x9f, 0xe7, 0xcb, 0x17,
};
static const uint8_t tv15_reset[] = { 0x08, 0x03, 0x12, 0x04, 0x7a, 0x65, 0x64, 0x31 };
static const uint8_t tv17_info[] = { 0x10, 0x01, 0x18, 0x01, 0x48, 0x1e };
static const uint8_t tv17_seek[] = { 0x08, 0x80, 0x94, 0xeb, 0xdc, 0x03 };

static void t_varint(void)
{
	static const struct { uint64_t v; const char *hex; } vec[] = {
		{ 0, "00" }, { 1, "01" }, { 127, "7f" }, { 128, "80 01" }, { 300, "ac 02" },
		{ 1000000000, "80 94 eb dc 03" },
		{ 1700000000000000000ull, "80 80 a8 b1 e3 9f e7 cb 17" },
		{ UINT64_MAX, "ff ff ff ff ff ff ff ff ff 01" },
	};
	uint8_t b[16], want[16];
	size_t i;

	for (i = 0; i < sizeof vec / sizeof vec[0]; i++) {
		int n = unit_hex(vec[i].hex, want, sizeof want);
		uint8_t *p = pb_put_varint(b, b + sizeof b, vec[i].v);
		uint64_t v = 0;

		CHECK(p);
		CHECK_EQ(p - b, n);
		CHECK_MEM(b, want, (size_t)n);
		CHECK(pb_get_varint(b, p, &v) == p);
		CHECK(v == vec[i].v);
		/* one byte short: no room / truncated */
		CHECK(!pb_put_varint(b, b + n - 1, vec[i].v));
		CHECK(!pb_get_varint(b, b + n - 1, &v));
	}
}

static void t_varint_overlong(void)
{
	uint8_t b[16];
	uint64_t v;
	int n;

	n = unit_hex("ff ff ff ff ff ff ff ff ff 02", b, sizeof b);  /* bit 64 */
	CHECK(!pb_get_varint(b, b + n, &v));
	n = unit_hex("80 80 80 80 80 80 80 80 80 80 01", b, sizeof b); /* 11 bytes */
	CHECK(!pb_get_varint(b, b + n, &v));
}

static void t_tv15_decode(void)
{
	struct pb_module_status m;

	CHECK_EQ(pb_decode_module_status(tv15_online, sizeof tv15_online, &m), 0);
	CHECK_EQ(m.status, MODULE_STATUS_ONLINE);
	CHECK_EQ(m.instance_len, 7);
	CHECK_MEM(m.instance, "default", 7);
	CHECK(m.timestamp_ns == 1700000000000000000ull);
	CHECK_STR(module_status_name(m.status), "ONLINE");

	CHECK_EQ(pb_decode_module_status(tv15_reset, sizeof tv15_reset, &m), 0);
	CHECK_EQ(m.status, MODULE_STATUS_STREAM_RESET);
	CHECK_EQ(m.instance_len, 4);
	CHECK_MEM(m.instance, "zed1", 4);
	CHECK(m.timestamp_ns == 0);
}

static void t_tv15_encode(void)
{
	struct pb_module_status m = { MODULE_STATUS_ONLINE, "default", 7, 1700000000000000000ull };
	uint8_t b[64], *p;

	p = pb_encode_module_status(b, b + sizeof b, &m);
	CHECK_EQ(p - b, sizeof tv15_online);
	CHECK_MEM(b, tv15_online, sizeof tv15_online);
	CHECK(!pb_encode_module_status(b, b + sizeof tv15_online - 1, &m));

	m.status = MODULE_STATUS_STREAM_RESET;
	m.instance = "zed1";
	m.instance_len = 4;
	m.timestamp_ns = 0;
	p = pb_encode_module_status(b, b + sizeof b, &m);
	CHECK_EQ(p - b, sizeof tv15_reset);
	CHECK_MEM(b, tv15_reset, sizeof tv15_reset);
}

static void t_tv17(void)
{
	struct pb_source_info si;
	uint8_t b[128], *p;
	struct pb_field f;

	CHECK_EQ(pb_decode_source_info(tv17_info, sizeof tv17_info, &si), 0);
	CHECK_EQ(si.error, PB_ERR_OK);
	CHECK_EQ(si.source_kind, SOURCE_KIND_LIVE);
	CHECK_EQ(si.timestamp_domain, TS_DOMAIN_UNIX_EPOCH_NS);
	CHECK_EQ(si.current_frame_count, 30);
	CHECK_EQ(si.flags, 0);
	p = pb_encode_source_info(b, b + sizeof b, &si);
	CHECK_EQ(p - b, sizeof tv17_info);
	CHECK_MEM(b, tv17_info, sizeof tv17_info);

	/* SeekTimestampRequest{target 1e9}: field 1 varint */
	CHECK(pb_next(tv17_seek, tv17_seek + sizeof tv17_seek, &f) == tv17_seek + sizeof tv17_seek);
	CHECK_EQ(f.num, 1);
	CHECK_EQ(f.wire, PB_VARINT);
	CHECK_EQ(f.u64, 1000000000);
	p = pb_put_uint(b, b + sizeof b, 1, 1000000000);
	CHECK_EQ(p - b, sizeof tv17_seek);
	CHECK_MEM(b, tv17_seek, sizeof tv17_seek);
}

static void t_source_info_roundtrip(void)
{
	struct pb_source_info a, z;
	uint8_t b[128], *p;

	memset(&a, 0, sizeof a);
	a.error = PB_ERR_UNSUPPORTED;
	a.source_kind = SOURCE_KIND_FINITE;
	a.timestamp_domain = TS_DOMAIN_MEDIA_TIME_NS;
	a.flags = 0x15;
	a.timeline_start_ns = 1;
	a.timeline_end_ns = UINT64_MAX;
	a.duration_ns = 1ull << 40;
	a.current_timestamp_ns = 123456789;
	a.current_frame_count = 0xffffffffu;
	p = pb_encode_source_info(b, b + sizeof b, &a);
	CHECK(p);
	CHECK_EQ(pb_decode_source_info(b, (size_t)(p - b), &z), 0);
	CHECK_MEM(&z, &a, sizeof a);
	/* empty message = all defaults (0 bytes, e.g. a request) */
	CHECK_EQ(pb_decode_source_info(b, 0, &z), 0);
	CHECK_EQ(z.source_kind, 0);
}

/* Unknown fields of every wire type are skipped; known fields win. */
static void t_skip_unknown(void)
{
	uint8_t b[64];
	struct pb_module_status m;
	/* f4 varint, f5 I64, f6 LEN, f7 I32, then status=2, f1000 varint */
	int n = unit_hex("20 96 01  29 01 02 03 04 05 06 07 08  32 03 61 62 63"
			 "  3d 01 02 03 04  08 02  c0 3e 05", b, sizeof b);

	CHECK(n > 0);
	CHECK_EQ(pb_decode_module_status(b, (size_t)n, &m), 0);
	CHECK_EQ(m.status, MODULE_STATUS_OFFLINE);
	CHECK_EQ(m.instance_len, 0);
}

static void t_malformed(void)
{
	static const char *const bad[] = {
		"08",             /* truncated varint value */
		"12 05 61 62",    /* LEN past the end */
		"0b 00",          /* wire type 3 (group) */
		"0c",             /* wire type 4 */
		"0e 00",          /* wire type 6 */
		"00 01",          /* field 0 */
		"29 01 02 03",    /* I64 truncated */
		"2d 01",          /* I32 truncated */
		"0a 01 00",       /* status as LEN: wrong wire type */
		"10 01",          /* instance as varint */
		"19 00 00 00 00 00 00 00 00", /* timestamp as I64 */
		"12 ff ff ff ff 0f 00", /* huge LEN */
	};
	struct pb_module_status m;
	uint8_t b[32];
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int n = unit_hex(bad[i], b, sizeof b);

		if (pb_decode_module_status(b, (size_t)n, &m) != -1)
			printf("    accepted %s\n", bad[i]);
		CHECK_EQ(pb_decode_module_status(b, (size_t)n, &m), -1);
	}
	{
		int n = unit_hex("12 01 00", b, sizeof b);  /* source_kind as LEN */
		struct pb_source_info si;

		CHECK_EQ(pb_decode_source_info(b, (size_t)n, &si), -1);
	}
}

static const struct unit_case cases[] = {
	UNIT(t_varint),
	UNIT(t_varint_overlong),
	UNIT(t_tv15_decode),
	UNIT(t_tv15_encode),
	UNIT(t_tv17),
	UNIT(t_source_info_roundtrip),
	UNIT(t_skip_unknown),
	UNIT(t_malformed),
};

UNIT_MAIN(cases)
