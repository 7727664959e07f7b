/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_rtmp_chunk - chunk writer golden vectors (docs/protocols.md §1.2) and the
 * incremental reader fed the writer's output split at every position. */
#include "proto/rtmp_chunk.h"
#include "unit.h"

#include <errno.h>

static uint8_t body[10000];
static uint8_t out[12000];
static uint8_t want[64];

static void fill_body(void)
{
	for (size_t i = 0; i < sizeof body; i++)
		body[i] = (uint8_t)(i * 7 + 3);
}

/* Check header bytes at off followed by len payload bytes from body+boff. */
static void check_chunk(size_t off, const char *hex, size_t boff, size_t len)
{
	int n = unit_hex(hex, want, sizeof want);

	CHECK_MEM(out + off, want, (size_t)n);
	CHECK_MEM(out + off + (size_t)n, body + boff, len);
}

/* The worked example: 10 000-byte video message, chunk size 4096, csid 6,
 * stream id 1, ts 40 ms. */
static void t_worked_example(void)
{
	struct rtmp_msg m = { 6, 40, 1, RTMP_MSG_VIDEO, body, sizeof body };
	int n;

	fill_body();
	n = rtmp_chunk_write(out, sizeof out, &m, 4096);
	CHECK_EQ(n, 12 + 4096 + 1 + 4096 + 1 + 1808);
	CHECK_EQ(rtmp_chunk_size_needed(6, 40, sizeof body, 4096), (size_t)n);
	check_chunk(0, "06 00 00 28 00 27 10 09 01 00 00 00", 0, 4096);
	check_chunk(12 + 4096, "c6", 4096, 4096);
	check_chunk(12 + 4096 + 1 + 4096, "c6", 8192, 1808);
}

/* The same at ts 0x01000000: FF FF FF + extended timestamp, repeated after
 * every fmt-3 basic header. */
static void t_worked_example_extended(void)
{
	struct rtmp_msg m = { 6, 0x01000000, 1, RTMP_MSG_VIDEO, body, sizeof body };
	int n;

	fill_body();
	n = rtmp_chunk_write(out, sizeof out, &m, 4096);
	CHECK_EQ(n, 16 + 4096 + 5 + 4096 + 5 + 1808);
	CHECK_EQ(rtmp_chunk_size_needed(6, 0x01000000, sizeof body, 4096), (size_t)n);
	check_chunk(0, "06 ff ff ff 00 27 10 09 01 00 00 00 01 00 00 00", 0, 4096);
	check_chunk(16 + 4096, "c6 01 00 00 00", 4096, 4096);
	check_chunk(16 + 4096 + 5 + 4096, "c6 01 00 00 00", 8192, 1808);
}

static void t_csid_forms(void)
{
	uint8_t b[4] = { 1, 2, 3, 4 };
	struct rtmp_msg m = { 2, 0, 0, RTMP_MSG_SET_CHUNK_SIZE, b, 4 };

	CHECK_EQ(rtmp_chunk_write(out, sizeof out, &m, 128), 16);
	CHECK_EQ(unit_hex("02 00 00 00 00 00 04 01 00 00 00 00", want, sizeof want), 12);
	CHECK_MEM(out, want, 12);
	m.csid = 64 + 5;        /* 2-byte basic header */
	CHECK_EQ(rtmp_chunk_write(out, sizeof out, &m, 128), 17);
	CHECK_EQ(out[0], 0x00);
	CHECK_EQ(out[1], 5);
	m.csid = 64 + 0x1234;   /* 3-byte basic header, little-endian */
	CHECK_EQ(rtmp_chunk_write(out, sizeof out, &m, 128), 18);
	CHECK_EQ(out[0], 0x01);
	CHECK_EQ(out[1], 0x34);
	CHECK_EQ(out[2], 0x12);
	m.csid = 1;
	CHECK_EQ(rtmp_chunk_write(out, sizeof out, &m, 128), -EINVAL);
	m.csid = 3;
	CHECK_EQ(rtmp_chunk_write(out, 15, &m, 128), -ENOSPC);
}

/* Writer output (Set Chunk Size 4096, then the 10 000-byte message, then a
 * small one) fed to the reader in two pieces split at every position. */
static void run_split(uint32_t ts)
{
	static uint8_t stream[12200];
	uint8_t scs[4] = { 0, 0, 0x10, 0 };
	struct rtmp_msg a = { 2, 0, 0, RTMP_MSG_SET_CHUNK_SIZE, scs, 4 };
	struct rtmp_msg b = { 6, ts, 1, RTMP_MSG_VIDEO, body, sizeof body };
	struct rtmp_msg c = { 6, ts + 40, 1, RTMP_MSG_VIDEO, body, 100 };
	struct rtmp_chunk_reader r;
	size_t len = 0, split;
	int n;

	fill_body();
	n = rtmp_chunk_write(stream, sizeof stream, &a, 128);
	CHECK(n > 0);
	len += (size_t)n;
	n = rtmp_chunk_write(stream + len, sizeof stream - len, &b, 4096);
	CHECK(n > 0);
	len += (size_t)n;
	n = rtmp_chunk_write(stream + len, sizeof stream - len, &c, 4096);
	CHECK(n > 0);
	len += (size_t)n;
	CHECK_EQ(rtmp_chunk_reader_init(&r, 16384), 0);
	for (split = 0; split <= len; split++) {
		/* the caller's buffer: at most a partial header is kept */
		static uint8_t ib[12200];
		size_t have = 0, fed = 0, got = 0;

		r.chunk_size = RTMP_DEFAULT_CHUNK_SIZE;
		r.cur = -1;
		for (int i = 0; i < RTMP_READER_SLOTS; i++)
			r.slot[i].csid = 0;
		while (fed < len) {
			size_t add = fed < split ? split - fed : len - fed;
			const uint8_t *p = ib;

			memcpy(ib + have, stream + fed, add);
			fed += add;
			have += add;
			while (have) {
				struct rtmp_msg m;
				int done, k = rtmp_chunk_read(&r, p, have, &m, &done);

				CHECK(k >= 0);
				p += k;
				have -= (size_t)k;
				if (done) {
					const struct rtmp_msg *e = got == 0 ? &a : got == 1 ? &b : &c;

					CHECK_EQ(m.type, e->type);
					CHECK_EQ(m.ts, e->ts);
					CHECK_EQ(m.sid, e->sid);
					CHECK_EQ(m.csid, e->csid);
					CHECK_EQ(m.len, e->len);
					CHECK_MEM(m.body, e->body, e->len);
					got++;
				} else if (!k) {
					break;
				}
			}
			CHECK(have < 19);
			memmove(ib, p, have);
		}
		CHECK_EQ(got, 3);
		CHECK_EQ(have, 0);
		CHECK_EQ(r.chunk_size, 4096);
	}
	rtmp_chunk_reader_free(&r);
}

static void t_reader_split_everywhere(void)
{
	run_split(40);
}

static void t_reader_split_extended(void)
{
	run_split(0x01000000);
}

/* Hand-made fmt 1/2/3 headers: deltas accumulate per the spec (5.3.1.2). */
static void t_reader_compressed_headers(void)
{
	static const char *hex =
		"04 00 00 64 00 00 02 12 01 00 00 00 aa bb"   /* fmt0 ts 100 len 2 */
		" 44 00 00 0a 00 00 01 12 cc"                  /* fmt1 +10 len 1 */
		" 84 00 00 05 dd"                              /* fmt2 +5 */
		" c4 ee";                                      /* fmt3: +5 again */
	static const uint32_t ts[] = { 100, 110, 115, 120 };
	uint8_t in[64];
	struct rtmp_chunk_reader r;
	const uint8_t *p = in;
	int n = unit_hex(hex, in, sizeof in), k, done, got = 0;
	struct rtmp_msg m;

	CHECK_EQ(rtmp_chunk_reader_init(&r, 64), 0);
	while (p < in + n) {
		k = rtmp_chunk_read(&r, p, (size_t)(in + n - p), &m, &done);
		CHECK(k > 0);
		p += k;
		if (done) {
			CHECK(got < 4);
			CHECK_EQ(m.ts, ts[got]);
			CHECK_EQ(m.sid, 1);
			CHECK_EQ(m.type, 0x12);
			got++;
		}
	}
	CHECK_EQ(got, 4);
	rtmp_chunk_reader_free(&r);
}

static void t_reader_errors(void)
{
	struct rtmp_chunk_reader r;
	struct rtmp_msg m;
	uint8_t in[64];
	int n, done;

	CHECK_EQ(rtmp_chunk_reader_init(&r, 64), 0);
	n = unit_hex("c4 00", in, sizeof in);             /* fmt3 on a new csid */
	CHECK_EQ(rtmp_chunk_read(&r, in, (size_t)n, &m, &done), -EPROTO);
	n = unit_hex("44 00 00 00 00 00 01 12", in, sizeof in); /* fmt1 first */
	CHECK_EQ(rtmp_chunk_read(&r, in, (size_t)n, &m, &done), -EPROTO);
	n = unit_hex("04 00 00 00 00 01 00 09 01 00 00 00", in, sizeof in);
	CHECK_EQ(rtmp_chunk_read(&r, in, (size_t)n, &m, &done), -EMSGSIZE);
	/* Set Chunk Size 0 is invalid */
	rtmp_chunk_reader_free(&r);
	CHECK_EQ(rtmp_chunk_reader_init(&r, 64), 0);
	n = unit_hex("02 00 00 00 00 00 04 01 00 00 00 00 80 00 00 00", in, sizeof in);
	CHECK_EQ(rtmp_chunk_read(&r, in, (size_t)n, &m, &done), -EPROTO);
	/* a partial header consumes nothing */
	CHECK_EQ(rtmp_chunk_read(&r, in, 5, &m, &done), 0);
	CHECK_EQ(done, 0);
	rtmp_chunk_reader_free(&r);
}

/* More distinct chunk streams than slots: -ENOSPC, never a crash (a
 * slot keeps its csid for header compression for the connection's life). */
static void t_reader_too_many_streams(void)
{
	struct rtmp_chunk_reader r;
	struct rtmp_msg m;
	uint8_t in[16];
	int i, n, done, rc = 0;

	CHECK_EQ(rtmp_chunk_reader_init(&r, 64), 0);
	for (i = 0; i < RTMP_READER_SLOTS + 1; i++) {
		n = unit_hex("00 00 00 00 00 00 01 12 00 00 00 00 aa", in, sizeof in);
		in[0] = (uint8_t)(10 + i);
		rc = rtmp_chunk_read(&r, in, (size_t)n, &m, &done);
		if (rc < 0)
			break;
		CHECK_EQ(rc, n);
		CHECK_EQ(done, 1);
		CHECK_EQ(m.csid, 10 + i);
	}
	CHECK_EQ(rc, -ENOSPC);
	CHECK_EQ(i, RTMP_READER_SLOTS);
	rtmp_chunk_reader_free(&r);
}

static const struct unit_case cases[] = {
	UNIT(t_worked_example),
	UNIT(t_worked_example_extended),
	UNIT(t_csid_forms),
	UNIT(t_reader_split_everywhere),
	UNIT(t_reader_split_extended),
	UNIT(t_reader_compressed_headers),
	UNIT(t_reader_errors),
	UNIT(t_reader_too_many_streams),
};

UNIT_MAIN(cases)
