/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_body.c - body tracking v1 parser (docs/contract.md §7, TV-18). */
#include "unit.h"
#include "nats/body.h"

static const char tv18_header[] =
	"62 02 01 00 2a 00 00 00 e8 03 00 00 00 00 00 00"
	"d0 07 00 00 00 00 00 00 01 00 b0 0c 00 00 02 00"
	"11 00 02 00 b0 0c 00 00 65 78 61 6d 70 6c 65 00"
	"00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00";

static uint8_t pkt[BODY_HEADER_SIZE + 2 * BODY_RECORD_SIZE];

/* TV-18: header + one record with the recorded fields; the other record
 * bytes are not part of the vector and are filled with 0xa5. */
static size_t tv18(void)
{
	uint8_t *r = pkt + BODY_HEADER_SIZE;

	memset(pkt, 0xa5, sizeof pkt);
	CHECK_EQ(unit_hex(tv18_header, pkt, BODY_HEADER_SIZE), BODY_HEADER_SIZE);
	CHECK_EQ(unit_hex("07 00 00 00", r, 4), 4);
	CHECK_EQ(unit_hex("00 00 b1 42", r + 8, 4), 4);
	CHECK_EQ(unit_hex("00 00 80 3f 00 00 00 40 00 00 40 40", r + 12, 12), 12);
	CHECK_EQ(unit_hex("01 00", r + 3244, 2), 2);
	CHECK_EQ(unit_hex("02 00", r + 3246, 2), 2);
	return BODY_HEADER_SIZE + BODY_RECORD_SIZE;
}

static void t_tv18(void)
{
	struct body_view v;
	struct body_record rec;
	size_t n = tv18();

	CHECK_EQ(n, 3312);
	CHECK_EQ(body_parse(pkt, n, &v), BODY_OK);
	CHECK_EQ(v.frame_count, 42);
	CHECK(v.timestamp_ns == 1000);
	CHECK(v.sdk_timestamp_ns == 2000);
	CHECK_EQ(v.body_count, 1);
	CHECK_EQ(v.body_format, 0);
	CHECK_EQ(v.body_selection, 0);
	CHECK_EQ(v.detection_model, 2);
	CHECK_EQ(v.inference_precision, 0);
	CHECK_EQ(v.flags, 0x11);
	CHECK(v.flags & BODY_F_FLOOR_AS_ORIGIN);
	CHECK(v.flags & BODY_F_IS_NEW);
	CHECK_EQ(v.coordinate_system, 2);
	CHECK_EQ(v.reference_frame, 2);
	CHECK_STR(v.label, "example");
	CHECK(v.packet == pkt);
	CHECK(v.records == pkt + 64);   /* a view, not a copy */
	CHECK_EQ(v.packet_size, 3312);
	body_record_get(&v, 0, &rec);
	CHECK_EQ(rec.id, 7);
	CHECK(rec.confidence == 88.5f);
	CHECK(rec.position[0] == 1.0f && rec.position[1] == 2.0f && rec.position[2] == 3.0f);
	CHECK_EQ(rec.keypoint_count, 1);
	CHECK_EQ(rec.flags, BODY_REC_HAS_ROOT_ORIENTATION);
	/* trailing bytes after the payload are allowed and not counted */
	CHECK_EQ(body_parse(pkt, n + 10, &v), BODY_OK);
	CHECK_EQ(v.packet_size, 3312);
}

static void t_tv18_negatives(void)
{
	struct body_view v;
	size_t n = tv18();

	pkt[0x1a] = 0xb1;                   /* body_record_size 3249 */
	CHECK_EQ(body_parse(pkt, n, &v), BODY_ERECSIZE);
	n = tv18();
	memset(pkt + 0x24, 0, 4);           /* payload_size 0 with body_count 1 */
	CHECK_EQ(body_parse(pkt, n, &v), BODY_EPAYLOAD);
}

static void t_rules(void)
{
	static const struct { size_t off; uint8_t val; int want; } one[] = {
		{ 0x00, 0x63, BODY_EMAGIC }, { 0x02, 2, BODY_EVERSION },
		{ 0x01, 3, BODY_ERANGE },   /* coordinate_system */
		{ 0x1c, 3, BODY_ERANGE },   /* body_format */
		{ 0x1d, 2, BODY_ERANGE },   /* body_selection */
		{ 0x1e, 3, BODY_ERANGE },   /* detection_model */
		{ 0x1f, 3, BODY_ERANGE },   /* inference_precision */
		{ 0x22, 3, BODY_ERANGE },   /* reference_frame */
		{ 0x03, 7, BODY_OK },       /* minor version is free */
		{ 0x23, 0xff, BODY_OK },    /* reserved */
	};
	struct body_view v;
	size_t n, i;

	for (i = 0; i < sizeof one / sizeof one[0]; i++) {
		n = tv18();
		pkt[one[i].off] = one[i].val;
		CHECK_EQ(body_parse(pkt, n, &v), one[i].want);
	}
	n = tv18();
	CHECK_EQ(body_parse(pkt, 63, &v), BODY_ESHORT);
	CHECK_EQ(body_parse(pkt, 0, &v), BODY_ESHORT);
	CHECK_EQ(body_parse(pkt, n - 1, &v), BODY_ETRUNC);
	/* zero bodies: a 64-byte packet is valid */
	pkt[0x18] = 0;
	memset(pkt + 0x24, 0, 4);
	CHECK_EQ(body_parse(pkt, 64, &v), BODY_OK);
	CHECK_EQ(v.body_count, 0);
	/* two bodies need 2 * 3248 bytes of payload */
	pkt[0x18] = 2;
	pkt[0x24] = 0x60;                   /* 6496 = 0x1960 */
	pkt[0x25] = 0x19;
	CHECK_EQ(body_parse(pkt, 64 + 3248, &v), BODY_ETRUNC);
	CHECK_EQ(body_parse(pkt, sizeof pkt, &v), BODY_OK);
	CHECK_EQ(v.body_count, 2);
	CHECK_STR(body_strerror(BODY_ERECSIZE), "body_record_size is not 3248");
}

static const struct unit_case cases[] = {
	UNIT(t_tv18),
	UNIT(t_tv18_negatives),
	UNIT(t_rules),
};

UNIT_MAIN(cases)
