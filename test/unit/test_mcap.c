/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_mcap - the MCAP reader on hand-built files (spec field layout). */
#include "unit.h"
#include "util/bytes.h"
#include "zed/mcap.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

static uint8_t f[4096];
static size_t fn;

static void u8(uint8_t v) { f[fn++] = v; }
static void u16(uint16_t v) { wr_le16(f + fn, v); fn += 2; }
static void u32(uint32_t v) { wr_le32(f + fn, v); fn += 4; }
static void u64(uint64_t v) { wr_le64(f + fn, v); fn += 8; }
static void str(const char *s) { u32((uint32_t)strlen(s)); memcpy(f + fn, s, strlen(s)); fn += strlen(s); }

/* Record header; returns where to patch the length. */
static size_t rec(uint8_t op) { u8(op); u64(0); return fn; }
static void end(size_t at) { wr_le64(f + at - 8, fn - at); }

static void channel(uint16_t id, const char *topic, const char *enc)
{
	size_t r = rec(MCAP_OP_CHANNEL);
	u16(id); u16(0); str(topic); str(enc); u32(0);
	end(r);
}

static void message(uint16_t ch, uint64_t t, const char *data)
{
	size_t r = rec(MCAP_OP_MESSAGE);
	u16(ch); u32(0); u64(t); u64(t);
	memcpy(f + fn, data, strlen(data));
	fn += strlen(data);
	end(r);
}

/* magic, Header, Channel 1 "a/side_by_side" + 2 "other" at top level,
 * an uncompressed chunk holding three messages (log times 30, 10, 20),
 * DataEnd, Footer, magic. */
static void build(const char *comp, int bad_crc, int data_end)
{
	size_t r, c, recs;

	fn = 0;
	memcpy(f, MCAP_MAGIC, 8);
	fn = 8;
	r = rec(MCAP_OP_HEADER); str(""); str("test"); end(r);
	channel(1, "a/side_by_side", "zed_sdk_encoded");
	channel(2, "other", "json");
	c = rec(MCAP_OP_CHUNK);
	u64(10); u64(30); u64(0); u32(0); str(comp); u64(0);
	recs = fn;
	message(1, 30, "third");
	message(2, 15, "skipped");
	message(1, 10, "first");
	message(1, 20, "second");
	wr_le64(f + recs - 8, fn - recs);                       /* records length */
	wr_le64(f + recs - 8 - 4 - strlen(comp) - 4 - 8, fn - recs); /* uncompressed_size */
	wr_le32(f + recs - 8 - 4 - strlen(comp) - 4,
		mcap_crc32(0, f + recs, fn - recs) ^ (uint32_t)bad_crc);
	end(c);
	if (data_end) {
		r = rec(MCAP_OP_DATA_END); u32(0); end(r);
		r = rec(MCAP_OP_FOOTER); u64(0); u64(0); u32(0); end(r);
		memcpy(f + fn, MCAP_MAGIC, 8);
		fn += 8;
	}
}

static void t_crc32(void)
{
	/* The CRC-32 check value (zlib crc32 of "123456789"). */
	CHECK_EQ(mcap_crc32(0, (const uint8_t *)"123456789", 9), 0xCBF43926u);
	CHECK_EQ(mcap_crc32(0, NULL, 0), 0u);
}

static void t_record_bounds(void)
{
	const uint8_t rec1[] = { 0x05, 3, 0, 0, 0, 0, 0, 0, 0, 'a', 'b' };
	struct mcap_record r;
	const uint8_t *next;

	CHECK_EQ(mcap_record_parse(rec1, rec1 + sizeof(rec1), &r, &next), -EINVAL);
	CHECK_EQ(mcap_record_parse(rec1, rec1 + 8, &r, &next), -EINVAL);
	CHECK_EQ(mcap_record_parse(rec1, rec1 + 11, &r, &next), -EINVAL);
	{
		const uint8_t ok[] = { 0x05, 2, 0, 0, 0, 0, 0, 0, 0, 'a', 'b' };
		CHECK_EQ(mcap_record_parse(ok, ok + sizeof(ok), &r, &next), 0);
		CHECK_EQ(r.op, 5);
		CHECK_EQ(r.len, 2u);
		CHECK(next == ok + sizeof(ok));
	}
}

static void t_open_sorted(void)
{
	static struct mcap m;
	const uint8_t *p;
	size_t n;

	build("", 0, 1);
	CHECK_EQ(mcap_open_mem(&m, f, fn, "/side_by_side", 0), 0);
	CHECK_STR(m.err, "");
	CHECK_EQ(m.n_channels, 2u);
	CHECK_STR(mcap_channel(&m, 1)->encoding, "zed_sdk_encoded");
	CHECK_EQ(m.n_msgs, 3u);
	CHECK_EQ(m.msgs[0].log_time, 10u);
	CHECK_EQ(m.msgs[2].log_time, 30u);
	CHECK_EQ(mcap_message(&m, 0, &p, &n), 0);
	CHECK_EQ(n, 5u);
	CHECK_MEM(p, "first", 5);
	CHECK_EQ(mcap_message(&m, 2, &p, &n), 0);
	CHECK_MEM(p, "third", 5);
	CHECK_EQ(mcap_message(&m, 3, &p, &n), -ERANGE);
	mcap_close(&m);
}

static void t_errors(void)
{
	static struct mcap m;

	build("", 1, 1);
	CHECK_EQ(mcap_open_mem(&m, f, fn, "/side_by_side", 0), -EBADMSG);
	CHECK(strstr(m.err, "CRC mismatch") != NULL);
	mcap_close(&m);

	build("brotli", 0, 1);
	CHECK_EQ(mcap_open_mem(&m, f, fn, "/side_by_side", 0), -ENOTSUP);
	CHECK(strstr(m.err, "brotli") != NULL);
	mcap_close(&m);

	build("", 0, 0);        /* no DataEnd: truncated */
	CHECK_EQ(mcap_open_mem(&m, f, fn, "/side_by_side", 0), -EINVAL);
	CHECK(strstr(m.err, "truncated") != NULL);
	mcap_close(&m);
	CHECK_EQ(mcap_open_mem(&m, f, fn, "/side_by_side", MCAP_ALLOW_TRUNCATED), 0);
	CHECK_EQ(m.truncated, 1);
	CHECK_EQ(m.n_msgs, 3u);
	mcap_close(&m);
	CHECK_EQ(mcap_open_mem(&m, f, fn - 3, "/side_by_side", 0), -EINVAL); /* cut chunk */
	mcap_close(&m);

	/* Not MCAP (an SVO v1 file, say): svo2_open() words the refusal. */
	CHECK_EQ(mcap_open_mem(&m, (const uint8_t *)"SVO\x01xxxxxxxx", 12, "/x", 0), -EPROTONOSUPPORT);
	CHECK_STR(m.err, "no MCAP magic");
	mcap_close(&m);
}

/* m->err never names the file: the caller puts the name in front once
 * (it did, and mcap_open_file named it again: "x: x: No such file"). */
static void t_file_errors_name_no_file(void)
{
	static struct mcap m;
	char path[] = "/tmp/test_mcap_XXXXXX";
	int fd;

	CHECK_EQ(mcap_open_file(&m, "/nonexistent/zzq_missing.svo2", "/x", 0), -ENOENT);
	CHECK(strstr(m.err, "No such file") != NULL);
	CHECK(strstr(m.err, "zzq_missing") == NULL);
	mcap_close(&m);

	fd = mkstemp(path);
	CHECK(fd >= 0);
	CHECK_EQ(write(fd, "SVO", 3), 3);
	close(fd);
	CHECK_EQ(mcap_open_file(&m, path, "/x", 0), -EPROTONOSUPPORT);     /* too short */
	CHECK(strstr(m.err, "test_mcap_") == NULL);
	mcap_close(&m);
	unlink(path);
}

static const struct unit_case cases[] = {
	UNIT(t_crc32), UNIT(t_record_bounds), UNIT(t_open_sorted), UNIT(t_errors),
	UNIT(t_file_errors_name_no_file),
};
UNIT_MAIN(cases)
