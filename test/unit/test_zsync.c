/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_zsync.c - ZMQ sync (0x7D) and legacy status (0x5A) messages:
 * docs/contract.md §5.3/5.4, TV-1, TV-2, TV-3, TV-14. */
#include "unit.h"
#include "ipc/zsync.h"

static const char tv1[] =
	"7d 00 01 00 2a 00 00 00 00 00 00 00 00 00 00 00"
	"15 cd 5b 07 00 00 00 00 63 61 6d 65 72 61 5f 30"
	"00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00";
static const char tv14[] =
	"5a 00 01 00 a1 00 00 00 64 65 66 61 75 6c 74 00"
	"00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00";

static void t_tv1(void)
{
	uint8_t b[64];
	struct zsync s;

	CHECK_EQ(unit_hex(tv1, b, sizeof b), 48);
	CHECK_EQ(zsync_parse(b, 48, &s), ZMSG_OK);
	CHECK_EQ(s.frame_count, 42);
	CHECK_EQ(s.timestamp_ns, 123456789);
	CHECK_STR(s.label, "camera_0");
	CHECK(zlabel_eq(s.label, "camera_0"));
}

static void t_tv2_garbage_reserved(void)
{
	uint8_t b[64];
	struct zsync s;

	unit_hex(tv1, b, sizeof b);
	b[1] = 0xff;
	memcpy(b + 8, "\xde\xad\xbe\xef\xde\xad\xbe\xef", 8);
	CHECK_EQ(zsync_parse(b, 48, &s), ZMSG_OK);
	CHECK_EQ(s.frame_count, 42);
	CHECK_EQ(s.timestamp_ns, 123456789);
	CHECK_STR(s.label, "camera_0");
}

static void t_tv3_label_and_major(void)
{
	uint8_t b[64];
	struct zsync s;

	unit_hex(tv1, b, sizeof b);
	CHECK_EQ(zsync_parse(b, 48, &s), ZMSG_OK);
	CHECK(!zlabel_eq(s.label, "camera_1"));     /* ignored by the consumer */
	CHECK(!zlabel_eq(s.label, "camera_"));
	b[2] = 2;
	s.frame_count = 7;
	CHECK_EQ(zsync_parse(b, 48, &s), ZMSG_BAD_MAJOR);
	CHECK_EQ(s.frame_count, 7);                  /* untouched on failure */
}

static void t_sizes_and_magic(void)
{
	uint8_t b[64];
	struct zsync s;
	struct zstatus z;

	unit_hex(tv1, b, sizeof b);
	CHECK_EQ(zsync_parse(b, 47, &s), ZMSG_BAD_SIZE);
	CHECK_EQ(zsync_parse(b, 49, &s), ZMSG_BAD_SIZE);
	CHECK_EQ(zsync_parse(b, 0, &s), ZMSG_BAD_SIZE);
	b[0] = 0x7c;
	CHECK_EQ(zsync_parse(b, 48, &s), ZMSG_BAD_MAGIC);
	CHECK_EQ(zstatus_parse(b, 48, &z), ZMSG_BAD_SIZE);
	CHECK(strcmp(zmsg_reason_str(ZMSG_BAD_MAJOR), "unknown reason") != 0);
	CHECK_STR(zmsg_reason_str(99), "unknown reason");
}

static void t_label_24_no_nul(void)
{
	uint8_t b[48];
	struct zsync s;

	zsync_build(b, 1, 2, "abcdefghijklmnopqrstuvwxyz", 0);   /* truncated to 24 */
	CHECK_EQ(zsync_parse(b, 48, &s), ZMSG_OK);
	CHECK_EQ(strlen(s.label), 24);
	CHECK(zlabel_eq(s.label, "abcdefghijklmnopqrstuvwx"));
	CHECK(!zlabel_eq(s.label, "abcdefghijklmnopqrstuvwxy"));
	CHECK(!zlabel_eq(s.label, "abcdefghijklmnopqrstuvw"));
}

static void t_build_matches_tv1(void)
{
	uint8_t want[48], got[48];

	unit_hex(tv1, want, sizeof want);
	zsync_build(got, 42, 123456789, "camera_0", 0);
	CHECK_MEM(got, want, 48);
	zsync_build(got, 42, 123456789, "camera_0", 0xee);
	CHECK_EQ(got[1], 0xee);
	CHECK_EQ(got[15], 0xee);
	CHECK_MEM(got + 16, want + 16, 32);
}

static void t_tv14_status(void)
{
	uint8_t b[32], out[32];
	struct zstatus z;

	CHECK_EQ(unit_hex(tv14, b, sizeof b), 32);
	CHECK_EQ(zstatus_parse(b, 32, &z), ZMSG_OK);
	CHECK_EQ(z.status, ZSTATUS_ONLINE);
	CHECK_STR(z.label, "default");
	b[4] = 0xa0;
	CHECK_EQ(zstatus_parse(b, 32, &z), ZMSG_OK);
	CHECK_EQ(z.status, ZSTATUS_OFFLINE);
	b[4] = 0xb0;
	CHECK_EQ(zstatus_parse(b, 32, &z), ZMSG_OK);
	CHECK_EQ(z.status, ZSTATUS_STREAM_RESET);
	zstatus_build(out, ZSTATUS_STREAM_RESET, "default");
	CHECK_MEM(out, b, 32);
	b[2] = 0;
	CHECK_EQ(zstatus_parse(b, 32, &z), ZMSG_BAD_MAJOR);
	b[0] = 0x7d;
	CHECK_EQ(zstatus_parse(b, 32, &z), ZMSG_BAD_MAGIC);
}

static const struct unit_case cases[] = {
	UNIT(t_tv1), UNIT(t_tv2_garbage_reserved), UNIT(t_tv3_label_and_major),
	UNIT(t_sizes_and_magic), UNIT(t_label_24_no_nul), UNIT(t_build_matches_tv1),
	UNIT(t_tv14_status),
};
UNIT_MAIN(cases)
