/* SPDX-License-Identifier: GPL-2.0-or-later */
/* zsync.c - cv-mmap ZMQ sync / legacy status messages (docs/contract.md §5). */
#include "ipc/zsync.h"

#include "util/bytes.h"

#include <string.h>

static void read_label(const uint8_t *p, char *out)
{
	memcpy(out, p, ZLABEL_SIZE);
	out[ZLABEL_SIZE] = '\0';   /* reads at most 24 bytes (5.3) */
}

static void write_label(uint8_t *p, const char *label)
{
	size_t n = label ? strnlen(label, ZLABEL_SIZE) : 0;

	memset(p, 0, ZLABEL_SIZE);
	memcpy(p, label, n);
}

/* docs/contract.md §5.3: magic @0, reserved @1, major @2, minor @3,
 * frame_count u32 @4, reserved @8..15, timestamp_ns u64 @16, label @24. */
int zsync_parse(const uint8_t *p, size_t n, struct zsync *out)
{
	if (n != ZSYNC_SIZE)
		return ZMSG_BAD_SIZE;
	if (p[0] != ZSYNC_MAGIC)
		return ZMSG_BAD_MAGIC;
	if (p[2] != 1)
		return ZMSG_BAD_MAJOR;
	out->frame_count = rd_le32(p + 4);
	out->timestamp_ns = rd_le64(p + 16);
	read_label(p + 24, out->label);
	return ZMSG_OK;
}

/* docs/contract.md §5.4: magic @0, reserved @1, major @2, minor @3,
 * module_status i32 @4, label @8. */
int zstatus_parse(const uint8_t *p, size_t n, struct zstatus *out)
{
	if (n != ZSTATUS_SIZE)
		return ZMSG_BAD_SIZE;
	if (p[0] != ZSTATUS_MAGIC)
		return ZMSG_BAD_MAGIC;
	if (p[2] != 1)
		return ZMSG_BAD_MAJOR;
	out->status = (int32_t)rd_le32(p + 4);
	read_label(p + 8, out->label);
	return ZMSG_OK;
}

const char *zmsg_reason_str(int r)
{
	static const char *const s[ZMSG_REASON_COUNT] = {
		[ZMSG_OK] = "ok",
		[ZMSG_BAD_SIZE] = "message size is not 48 (sync) / 32 (status) bytes",
		[ZMSG_BAD_MAGIC] = "byte 0 is not the expected magic",
		[ZMSG_BAD_MAJOR] = "versions_major (byte 2) is not 1",
	};

	return r >= 0 && r < ZMSG_REASON_COUNT ? s[r] : "unknown reason";
}

void zsync_build(uint8_t *out, uint32_t frame_count, uint64_t timestamp_ns,
		 const char *label, uint8_t garbage)
{
	memset(out, 0, ZSYNC_SIZE);
	out[0] = ZSYNC_MAGIC;
	out[1] = garbage;
	out[2] = 1;
	out[3] = 0;
	wr_le32(out + 4, frame_count);
	memset(out + 8, garbage, 8);
	wr_le64(out + 16, timestamp_ns);
	write_label(out + 24, label);
}

void zstatus_build(uint8_t *out, int32_t status, const char *label)
{
	memset(out, 0, ZSTATUS_SIZE);
	out[0] = ZSTATUS_MAGIC;
	out[2] = 1;
	wr_le32(out + 4, (uint32_t)status);
	write_label(out + 8, label);
}

int zlabel_eq(const char *wire_label, const char *want)
{
	return strncmp(wire_label, want, ZLABEL_SIZE) == 0 &&
	       strlen(want) <= ZLABEL_SIZE;
}
