/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_bytes.c - the bounds-checked cursors every wire format uses. */
#include "unit.h"
#include "util/bytes.h"

static void t_put_be_le(void)
{
	uint8_t b[32], *p = b, *end = b + sizeof b;
	static const uint8_t want[] = {
		0xab, 0x12, 0x34, 0x12, 0x34, 0x56, 0x12, 0x34, 0x56, 0x78,
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
		0x34, 0x12, 0x56, 0x34, 0x12, 0x78, 0x56, 0x34, 0x12,
	};

	p = put_u8(p, end, 0xab);
	p = put_be16(p, end, 0x1234);
	p = put_be24(p, end, 0x123456);
	p = put_be32(p, end, 0x12345678);
	p = put_be64(p, end, 0x0102030405060708ull);
	p = put_le16(p, end, 0x1234);
	p = put_le24(p, end, 0x123456);
	p = put_le32(p, end, 0x12345678);
	CHECK(p != NULL);
	CHECK_EQ(p - b, sizeof want);
	CHECK_MEM(b, want, sizeof want);
}

static void t_put_overflow_sticks(void)
{
	uint8_t b[3], *p = b, *end = b + sizeof b;

	memset(b, 0xee, sizeof b);
	p = put_be16(p, end, 0x1122);
	p = put_be16(p, end, 0x3344); /* does not fit */
	CHECK(p == NULL);
	p = put_u8(p, end, 0x55);     /* NULL stays NULL */
	CHECK(p == NULL);
	CHECK_EQ(b[2], 0xee);         /* nothing written past the failure */
	CHECK(put_bytes(b, end, "abcd", 4) == NULL);
	CHECK(put_zero(b, end, 3) == b + 3);
	CHECK(put_str(b, end, "abc") == b + 3);
	CHECK(put_str(b, end, "abcd") == NULL);
}

static void t_get_all_widths(void)
{
	static const uint8_t in[] = {
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a,
	};
	const uint8_t *end = in + sizeof in;
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;

	CHECK(get_u8(in, end, &u8) == in + 1 && u8 == 1);
	CHECK(get_be16(in, end, &u16) == in + 2 && u16 == 0x0102);
	CHECK(get_le16(in, end, &u16) == in + 2 && u16 == 0x0201);
	CHECK(get_be24(in, end, &u32) == in + 3 && u32 == 0x010203);
	CHECK(get_le24(in, end, &u32) == in + 3 && u32 == 0x030201);
	CHECK(get_be32(in, end, &u32) == in + 4 && u32 == 0x01020304);
	CHECK(get_le32(in, end, &u32) == in + 4 && u32 == 0x04030201);
	CHECK(get_be64(in, end, &u64) == in + 8 && u64 == 0x0102030405060708ull);
	CHECK(get_le64(in, end, &u64) == in + 8 && u64 == 0x0807060504030201ull);
	CHECK(get_skip(in, end, 10) == end);
	CHECK(get_skip(in, end, 11) == NULL);
}

static void t_get_short_leaves_output(void)
{
	static const uint8_t in[3] = { 1, 2, 3 };
	uint32_t v = 0xdeadbeef;
	uint64_t w = 7;
	uint8_t buf[4] = { 9, 9, 9, 9 };

	CHECK(get_be32(in, in + 3, &v) == NULL);
	CHECK_EQ(v, 0xdeadbeef);
	CHECK(get_le64(in, in + 3, &w) == NULL);
	CHECK_EQ(w, 7);
	CHECK(get_bytes(in, in + 3, buf, 4) == NULL);
	CHECK_EQ(buf[0], 9);
	CHECK(get_u8(NULL, in + 3, buf) == NULL);
	CHECK(get_u8(in + 3, in + 3, buf) == NULL);
	CHECK_EQ(bytes_left(in, in + 3), 3);
	CHECK_EQ(bytes_left(NULL, in + 3), 0);
}

static void t_unchecked_unaligned(void)
{
	uint8_t b[17];

	memset(b, 0, sizeof b);
	wr_le64(b + 1, 0x1122334455667788ull); /* odd address on purpose */
	CHECK_EQ(b[1], 0x88);
	CHECK(rd_le64(b + 1) == 0x1122334455667788ull);
	wr_le32(b + 9, 0xa1b2c3d4);
	CHECK_EQ(rd_le32(b + 9), 0xa1b2c3d4);
	CHECK_EQ(rd_le16(b + 9), 0xc3d4);
	wr_be32(b + 3, 0x01020304);
	CHECK_EQ(rd_be32(b + 3), 0x01020304);
	CHECK_EQ(rd_be24(b + 4), 0x020304);
	wr_be16(b, 0xbeef);
	CHECK_EQ(rd_be16(b), 0xbeef);
}

static const struct unit_case cases[] = {
	UNIT(t_put_be_le),
	UNIT(t_put_overflow_sticks),
	UNIT(t_get_all_widths),
	UNIT(t_get_short_leaves_output),
	UNIT(t_unchecked_unaligned),
};
UNIT_MAIN(cases)
