/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pb.h - a tiny protobuf codec and the cv-mmap messages (pure).
 *
 * Wire format (protobuf "Encoding" guide): a message is a sequence of
 * fields, each a varint tag (field_number << 3 | wire_type) and a value:
 * 0 VARINT (base-128, little-endian groups, <= 10 bytes), 1 I64 (8 bytes
 * LE), 2 LEN (varint length + bytes), 5 I32 (4 bytes LE).  Wire types 3
 * and 4 (groups) are rejected.  Decoders skip unknown fields by wire type;
 * a repeated scalar field keeps its last value (proto3 "last one wins");
 * encoders leave out zero values (proto3 defaults), so an empty message
 * is 0 bytes.
 *
 * cv-mmap messages: docs/contract.md §6.3 (package cvmmap.proto,
 * core/proto/cvmmap/control.proto).  Vectors TV-15, TV-17.
 */
#ifndef CVMMAP_PB_H
#define CVMMAP_PB_H

#include <stddef.h>
#include <stdint.h>

enum pb_wire { PB_VARINT = 0, PB_I64 = 1, PB_LEN = 2, PB_I32 = 5 };

/* One decoded field.  For PB_LEN, data/len point into the input. */
struct pb_field {
	uint32_t num;
	int wire;
	uint64_t u64;              /* VARINT, I64 and I32 values */
	const uint8_t *data;
	size_t len;
};

uint8_t *pb_put_varint(uint8_t *p, const uint8_t *end, uint64_t v);
uint8_t *pb_put_tag(uint8_t *p, const uint8_t *end, uint32_t num, int wire);
/* Field `num` as a varint; nothing when v is 0 (proto3 default). */
uint8_t *pb_put_uint(uint8_t *p, const uint8_t *end, uint32_t num, uint64_t v);
/* Field `num` as LEN bytes; nothing when n is 0. */
uint8_t *pb_put_bytes(uint8_t *p, const uint8_t *end, uint32_t num,
		      const void *data, size_t n);

const uint8_t *pb_get_varint(const uint8_t *p, const uint8_t *end, uint64_t *v);
/* Read the field at p.  Returns the cursor after it, or NULL when the
 * bytes are not a well-formed field (bad tag, field 0, group wire type,
 * truncated value, over-long varint). */
const uint8_t *pb_next(const uint8_t *p, const uint8_t *end, struct pb_field *f);

/* ---- cv-mmap messages -------------------------------------------------- */

enum module_status_code {
	MODULE_STATUS_UNKNOWN = 0, MODULE_STATUS_ONLINE = 1,
	MODULE_STATUS_OFFLINE = 2, MODULE_STATUS_STREAM_RESET = 3,
};

enum pb_error_code {
	PB_ERR_OK = 0, PB_ERR_UNKNOWN_CMD = 1, PB_ERR_ERROR = 2,
	PB_ERR_UNSUPPORTED = 3, PB_ERR_INVALID_PAYLOAD = 4,
	PB_ERR_OUT_OF_RANGE = 5, PB_ERR_TIMEOUT = 6,
};

enum source_kind { SOURCE_KIND_UNKNOWN = 0, SOURCE_KIND_LIVE = 1, SOURCE_KIND_FINITE = 2 };
enum timestamp_domain { TS_DOMAIN_UNKNOWN = 0, TS_DOMAIN_UNIX_EPOCH_NS = 1,
			TS_DOMAIN_MEDIA_TIME_NS = 2 };

/* ModuleStatusEvent, published on cvmmap.<key>.status.  The instance is
 * a view (decode: into the input; encode: the caller's bytes), not
 * NUL-terminated. */
struct pb_module_status {
	uint32_t status;           /* enum module_status_code */
	const char *instance;
	size_t instance_len;
	uint64_t timestamp_ns;     /* producer wall clock, 0 when absent */
};

/* GetSourceInfoResponse, the reply on ....source.info. */
struct pb_source_info {
	uint32_t error;            /* enum pb_error_code */
	uint32_t source_kind;      /* enum source_kind */
	uint32_t timestamp_domain; /* enum timestamp_domain */
	uint32_t flags;            /* CONTRACT 5.6 bits (era-dependent) */
	uint64_t timeline_start_ns, timeline_end_ns, duration_ns;
	uint64_t current_timestamp_ns;
	uint32_t current_frame_count;
};

/* Decoders: 0, or -1 on a malformed message or a known field with the
 * wrong wire type.  *out is reset to defaults first. */
int pb_decode_module_status(const uint8_t *p, size_t n, struct pb_module_status *out);
int pb_decode_source_info(const uint8_t *p, size_t n, struct pb_source_info *out);
/* Encoders: the advanced cursor, or NULL when out of space. */
uint8_t *pb_encode_module_status(uint8_t *p, const uint8_t *end,
				 const struct pb_module_status *m);
uint8_t *pb_encode_source_info(uint8_t *p, const uint8_t *end,
			       const struct pb_source_info *m);

const char *module_status_name(uint32_t status);

#endif
