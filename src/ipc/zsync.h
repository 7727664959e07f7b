/* SPDX-License-Identifier: GPL-2.0-or-later */
/* zsync.h - the cv-mmap ZeroMQ messages: 48-byte frame sync (0x7D) and
 * the E1 32-byte module status (0x5A).  docs/contract.md §5.3 and 5.4.
 *
 * Pure parsers and builders over byte buffers; the socket I/O lives in
 * ingest.c and the simulator.  Reserved bytes (1 and 8..15 of the sync,
 * 1 of the status) are ignored: upstream never zeroes them.
 */
#ifndef CVMMAP_ZSYNC_H
#define CVMMAP_ZSYNC_H

#include <stddef.h>
#include <stdint.h>

#define ZSYNC_MAGIC 0x7D
#define ZSTATUS_MAGIC 0x5A
#define ZSYNC_SIZE 48
#define ZSTATUS_SIZE 32
#define ZLABEL_SIZE 24

enum zstatus_code {
	ZSTATUS_OFFLINE = 0xA0,
	ZSTATUS_ONLINE = 0xA1,
	ZSTATUS_STREAM_RESET = 0xB0,
};

enum zmsg_reason {
	ZMSG_OK = 0,
	ZMSG_BAD_SIZE,    /* not exactly 48 (sync) / 32 (status) bytes */
	ZMSG_BAD_MAGIC,   /* byte 0 is not the expected magic */
	ZMSG_BAD_MAJOR,   /* versions_major != 1 */
	ZMSG_REASON_COUNT
};

struct zsync {
	uint32_t frame_count;
	uint64_t timestamp_ns;
	char label[ZLABEL_SIZE + 1];  /* at most 24 bytes, always NUL-ended */
};

struct zstatus {
	int32_t status;               /* enum zstatus_code (others kept raw) */
	char label[ZLABEL_SIZE + 1];
};

/* Parse one ZMQ frame.  Return ZMSG_OK or a reason; out is written only
 * on success. */
int zsync_parse(const uint8_t *p, size_t n, struct zsync *out);
int zstatus_parse(const uint8_t *p, size_t n, struct zstatus *out);
const char *zmsg_reason_str(int reason);

/* Build messages into out (ZSYNC_SIZE / ZSTATUS_SIZE bytes).  label is at
 * most 24 bytes (longer is truncated; callers validate first).  garbage
 * non-zero fills the reserved bytes with that value (fault testing). */
void zsync_build(uint8_t *out, uint32_t frame_count, uint64_t timestamp_ns,
		 const char *label, uint8_t garbage);
void zstatus_build(uint8_t *out, int32_t status, const char *label);

/* Exact label match; the wire label may fill all 24 bytes with no NUL. */
int zlabel_eq(const char *wire_label, const char *want);

#endif
