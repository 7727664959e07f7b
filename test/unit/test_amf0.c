/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_amf0 - AMF0 writer golden vectors (docs/protocols.md §1.4), reader. */
#include "proto/amf0.h"
#include "unit.h"

static uint8_t buf[1024];
static uint8_t want[1024];

static void check_hex(const uint8_t *got_end, const char *hex)
{
	int n = unit_hex(hex, want, sizeof want);

	CHECK(got_end != NULL);
	CHECK_EQ(got_end - buf, n);
	CHECK_MEM(buf, want, (size_t)n);
}

static void t_golden_values(void)
{
	const uint8_t *end = buf + sizeof buf;

	check_hex(amf0_put_string(buf, end, "connect"), "02 00 07 63 6f 6e 6e 65 63 74");
	check_hex(amf0_put_number(buf, end, 1.0), "00 3f f0 00 00 00 00 00 00");
	check_hex(amf0_put_number(buf, end, 7.0), "00 40 1c 00 00 00 00 00 00");
	check_hex(amf0_put_number(buf, end, 12.0), "00 40 28 00 00 00 00 00 00");
	check_hex(amf0_put_number(buf, end, 1752589105.0), "00 41 da 1d 98 cc 40 00 00");
	check_hex(amf0_put_null(buf, end), "05");
	check_hex(amf0_put_bool(buf, end, 1), "01 01");
}

static void t_golden_object_array(void)
{
	const uint8_t *end = buf + sizeof buf;
	uint8_t *p;

	p = amf0_put_object_start(buf, end);
	p = amf0_put_prop_string(p, end, "app", "live");
	p = amf0_put_object_end(p, end);
	check_hex(p, "03 00 03 61 70 70 02 00 04 6c 69 76 65 00 00 09");

	p = amf0_put_strict_array_start(buf, end, 1);
	p = amf0_put_string(p, end, "hvc1");
	check_hex(p, "0a 00 00 00 01 02 00 04 68 76 63 31");
}

/* Every writer returns NULL rather than overrun, at every short size. */
static void t_writer_bounds(void)
{
	size_t cap;

	for (cap = 0; cap < 16; cap++) {
		uint8_t *p = amf0_put_object_start(buf, buf + cap);

		p = amf0_put_prop_string(p, buf + cap, "app", "live");
		p = amf0_put_object_end(p, buf + cap);
		CHECK(p == NULL);
	}
	CHECK(amf0_put_object_end(amf0_put_prop_string(amf0_put_object_start(buf,
		buf + 16), buf + 16, "app", "live"), buf + 16) == buf + 16);
	CHECK(amf0_put_number(NULL, buf + 16, 1.0) == NULL);
}

static void t_reader_roundtrip(void)
{
	const uint8_t *end = buf + sizeof buf, *q;
	struct amf0_val v, f, g;
	uint8_t *p;

	p = amf0_put_string(buf, end, "_result");
	p = amf0_put_number(p, end, 4);
	p = amf0_put_object_start(p, end);
	p = amf0_put_prop_string(p, end, "level", "status");
	p = amf0_put_key(p, end, "nested");
	p = amf0_put_object_start(p, end);
	p = amf0_put_prop_number(p, end, "x", -2.5);
	p = amf0_put_object_end(p, end);
	p = amf0_put_prop_string(p, end, "code", "NetStream.Publish.Start");
	p = amf0_put_object_end(p, end);
	CHECK(p != NULL);

	q = amf0_get(buf, p, &v);
	CHECK(q && amf0_streq(&v, "_result"));
	q = amf0_get(q, p, &v);
	CHECK(q && v.type == AMF0_NUMBER && v.num == 4);
	q = amf0_get(q, p, &v);
	CHECK(q == p);
	CHECK_EQ(v.type, AMF0_OBJECT);
	CHECK_EQ(amf0_find(&v, "code", &f), 0);
	CHECK(amf0_streq(&f, "NetStream.Publish.Start"));
	CHECK_EQ(amf0_find(&v, "nested", &f), 0);
	CHECK_EQ(amf0_find(&f, "x", &g), 0);
	CHECK(g.num == -2.5);
	CHECK_EQ(amf0_find(&v, "missing", &f), -1);
	CHECK_EQ(amf0_find(&v, "lev", &f), -1);
}

static void t_reader_ecma_and_strings(void)
{
	const uint8_t *end = buf + sizeof buf;
	struct amf0_val v, f;
	char s[8];
	uint8_t *p;

	p = amf0_put_ecma_start(buf, end, 2);
	p = amf0_put_prop_number(p, end, "width", 640);
	p = amf0_put_prop_string(p, end, "encoder", "cvmmap-streamer");
	p = amf0_put_object_end(p, end);
	CHECK(amf0_get(buf, p, &v) == p);
	CHECK_EQ(v.type, AMF0_ECMA_ARRAY);
	CHECK_EQ(amf0_find(&v, "width", &f), 0);
	CHECK_EQ(f.num, 640);
	CHECK_EQ(amf0_find(&v, "encoder", &f), 0);
	CHECK_EQ(amf0_strcpy(&f, s, sizeof s), 0);
	CHECK_STR(s, "cvmmap-");              /* truncated, terminated */
	CHECK_EQ(amf0_strcpy(&v, s, sizeof s), -1);
	CHECK_STR(s, "");
	/* long string 0x0c */
	CHECK_EQ(unit_hex("0c 00 00 00 03 61 62 63", want, sizeof want), 8);
	CHECK(amf0_get(want, want + 8, &v) == want + 8);
	CHECK(amf0_streq(&v, "abc"));
}

/* Every truncation of a valid encoding fails cleanly. */
static void t_reader_truncated(void)
{
	const uint8_t *end = buf + sizeof buf;
	struct amf0_val v;
	uint8_t *p;
	size_t n, cut;

	p = amf0_put_object_start(buf, end);
	p = amf0_put_key(p, end, "list");
	p = amf0_put_strict_array_start(p, end, 2);
	p = amf0_put_string(p, end, "hvc1");
	p = amf0_put_number(p, end, 3);
	p = amf0_put_prop_string(p, end, "k", "v");
	p = amf0_put_object_end(p, end);
	n = (size_t)(p - buf);
	CHECK(amf0_get(buf, buf + n, &v) == buf + n);
	for (cut = 0; cut < n; cut++)
		CHECK(amf0_get(buf, buf + cut, &v) == NULL);
}

static void t_reader_rejects(void)
{
	struct amf0_val v;
	uint8_t deep[256];
	int i, n;

	n = unit_hex("0d", want, sizeof want);          /* unsupported marker */
	CHECK(amf0_get(want, want + n, &v) == NULL);
	n = unit_hex("0a ff ff ff ff 05", want, sizeof want); /* huge count */
	CHECK(amf0_get(want, want + n, &v) == NULL);
	/* {k: {k: ... {}}} nested 10 deep parses, 20 deep is refused */
	for (n = 10; n <= 20; n += 10) {
		uint8_t *p = deep;

		for (i = 0; i < n; i++) {
			p = amf0_put_object_start(p, deep + sizeof deep);
			p = amf0_put_key(p, deep + sizeof deep, "k");
		}
		p = amf0_put_null(p, deep + sizeof deep);
		for (i = 0; i < n; i++)
			p = amf0_put_object_end(p, deep + sizeof deep);
		CHECK(p != NULL);
		CHECK((amf0_get(deep, p, &v) != NULL) == (n == 10));
	}
	CHECK(amf0_get(NULL, deep, &v) == NULL);
}

static const struct unit_case cases[] = {
	UNIT(t_golden_values),
	UNIT(t_golden_object_array),
	UNIT(t_writer_bounds),
	UNIT(t_reader_roundtrip),
	UNIT(t_reader_ecma_and_strings),
	UNIT(t_reader_truncated),
	UNIT(t_reader_rejects),
};

UNIT_MAIN(cases)
