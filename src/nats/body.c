/* SPDX-License-Identifier: GPL-2.0-or-later */
/* body.c - see body.h.  Offsets are docs/contract.md §7.1 (header) and 7.2
 * (record). */
#include "nats/body.h"
#include "util/bytes.h"

#include <string.h>

int body_parse(const uint8_t *p, size_t n, struct body_view *v)
{
	struct body_view t;
	uint32_t payload;

	/* 7.3: reject on any of these */
	if (n < BODY_HEADER_SIZE)
		return BODY_ESHORT;
	if (p[0x00] != BODY_MAGIC)
		return BODY_EMAGIC;
	if (p[0x02] != 1)
		return BODY_EVERSION;
	if (rd_le16(p + 0x1a) != BODY_RECORD_SIZE)
		return BODY_ERECSIZE;
	memset(&t, 0, sizeof t);
	t.body_count = rd_le16(p + 0x18);
	payload = rd_le32(p + 0x24);
	if (payload != (uint32_t)t.body_count * BODY_RECORD_SIZE)
		return BODY_EPAYLOAD;
	if (n - BODY_HEADER_SIZE < payload)
		return BODY_ETRUNC;
	t.coordinate_system = p[0x01];
	t.body_format = p[0x1c];
	t.body_selection = p[0x1d];
	t.detection_model = p[0x1e];
	t.inference_precision = p[0x1f];
	t.reference_frame = p[0x22];
	if (t.coordinate_system > 2 || t.body_format > 2 || t.body_selection > 1 ||
	    t.detection_model > 2 || t.inference_precision > 2 || t.reference_frame > 2)
		return BODY_ERANGE;
	t.version_minor = p[0x03];
	t.frame_count = rd_le32(p + 0x04);
	t.timestamp_ns = rd_le64(p + 0x08);
	t.sdk_timestamp_ns = rd_le64(p + 0x10);
	t.flags = rd_le16(p + 0x20);
	memcpy(t.label, p + 0x28, 24);
	t.label[24] = '\0';
	t.packet = p;
	t.packet_size = BODY_HEADER_SIZE + (size_t)payload;
	t.records = p + BODY_HEADER_SIZE;
	*v = t;
	return BODY_OK;
}

static float rd_f32(const uint8_t *p)
{
	uint32_t u = rd_le32(p);
	float f;

	memcpy(&f, &u, sizeof f);
	return f;
}

void body_record_get(const struct body_view *v, unsigned i, struct body_record *r)
{
	const uint8_t *b = v->records + (size_t)i * BODY_RECORD_SIZE;

	r->id = (int32_t)rd_le32(b + 0);
	r->tracking_state = b[4];
	r->action_state = b[5];
	r->confidence = rd_f32(b + 8);
	r->position[0] = rd_f32(b + 12);
	r->position[1] = rd_f32(b + 16);
	r->position[2] = rd_f32(b + 20);
	r->keypoint_count = rd_le16(b + 3244);
	r->flags = rd_le16(b + 3246);
}

const char *body_strerror(int err)
{
	switch (err) {
	case BODY_OK: return "ok";
	case BODY_ESHORT: return "shorter than the 64-byte header";
	case BODY_EMAGIC: return "bad magic (want 0x62)";
	case BODY_EVERSION: return "unsupported major version (want 1)";
	case BODY_ERECSIZE: return "body_record_size is not 3248";
	case BODY_EPAYLOAD: return "payload_size != body_count * 3248";
	case BODY_ETRUNC: return "packet shorter than its payload";
	case BODY_ERANGE: return "enum field out of range";
	default: return "unknown error";
	}
}
