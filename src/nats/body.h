/* SPDX-License-Identifier: GPL-2.0-or-later */
/* body.h - cv-mmap body tracking v1 packets (pure, no copies).
 *
 * docs/contract.md §7: a 64-byte header followed by body_count records
 * of 3248 bytes, all little-endian, published raw on cvmmap.<key>.body.
 * body_parse() checks every rule of section 7.3 and returns a view into
 * the caller's bytes; body_record_get() decodes the record fields the
 * streamer uses.  Vector TV-18.
 */
#ifndef CVMMAP_BODY_H
#define CVMMAP_BODY_H

#include <stddef.h>
#include <stdint.h>

#define BODY_MAGIC 0x62
#define BODY_HEADER_SIZE 64
#define BODY_RECORD_SIZE 3248

/* Header flags (offset 0x20) */
enum {
	BODY_F_IS_NEW = 0x1, BODY_F_IS_TRACKED = 0x2, BODY_F_BODY_FITTING = 0x4,
	BODY_F_REDUCED_PRECISION = 0x8, BODY_F_FLOOR_AS_ORIGIN = 0x10,
};
/* Record flags (record offset 3246) */
enum { BODY_REC_HAS_LOCAL_JOINTS = 0x1, BODY_REC_HAS_ROOT_ORIENTATION = 0x2 };

enum body_err {
	BODY_OK = 0, BODY_ESHORT = -1, BODY_EMAGIC = -2, BODY_EVERSION = -3,
	BODY_ERECSIZE = -4, BODY_EPAYLOAD = -5, BODY_ETRUNC = -6, BODY_ERANGE = -7,
};

struct body_view {
	uint8_t coordinate_system, version_minor;
	uint8_t body_format, body_selection, detection_model, inference_precision;
	uint8_t reference_frame;
	uint16_t flags;            /* BODY_F_* */
	uint32_t frame_count;      /* the SHM frame it belongs to */
	uint64_t timestamp_ns, sdk_timestamp_ns;
	uint16_t body_count;
	char label[25];            /* instance name, NUL-terminated copy */
	const uint8_t *packet;     /* the header, in the caller's buffer */
	size_t packet_size;        /* 64 + body_count * 3248 (trailing bytes excluded) */
	const uint8_t *records;    /* body_count records follow here */
};

/* The fields of one record the streamer looks at. */
struct body_record {
	int32_t id;
	uint8_t tracking_state, action_state;
	float confidence;
	float position[3];
	uint16_t keypoint_count, flags;
};

/* Validate p[0..n) and fill *v (pointers into p).  Returns BODY_OK or a
 * negative enum body_err; *v is untouched on failure. */
int body_parse(const uint8_t *p, size_t n, struct body_view *v);
/* Record i (< v->body_count) of a parsed packet. */
void body_record_get(const struct body_view *v, unsigned i, struct body_record *r);
const char *body_strerror(int err);

#endif
