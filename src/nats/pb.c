/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pb.c - see pb.h. */
#include "nats/pb.h"
#include "util/bytes.h"

#include <string.h>

uint8_t *pb_put_varint(uint8_t *p, const uint8_t *end, uint64_t v)
{
	while (v >= 0x80) {
		p = put_u8(p, end, (uint8_t)(v | 0x80));
		v >>= 7;
	}
	return put_u8(p, end, (uint8_t)v);
}

uint8_t *pb_put_tag(uint8_t *p, const uint8_t *end, uint32_t num, int wire)
{
	return pb_put_varint(p, end, (uint64_t)num << 3 | (unsigned)wire);
}

uint8_t *pb_put_uint(uint8_t *p, const uint8_t *end, uint32_t num, uint64_t v)
{
	if (!v)
		return p;
	p = pb_put_tag(p, end, num, PB_VARINT);
	return pb_put_varint(p, end, v);
}

uint8_t *pb_put_bytes(uint8_t *p, const uint8_t *end, uint32_t num,
		      const void *data, size_t n)
{
	if (!n)
		return p;
	p = pb_put_tag(p, end, num, PB_LEN);
	p = pb_put_varint(p, end, n);
	return put_bytes(p, end, data, n);
}

const uint8_t *pb_get_varint(const uint8_t *p, const uint8_t *end, uint64_t *v)
{
	uint64_t x = 0;
	int shift;

	for (shift = 0; shift < 70; shift += 7) {
		uint8_t b;

		if (!(p = get_u8(p, end, &b)))
			return NULL;
		/* the 10th byte may carry only bit 63 */
		if (shift == 63 && b > 1)
			return NULL;
		x |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*v = x;
			return p;
		}
	}
	return NULL;
}

const uint8_t *pb_next(const uint8_t *p, const uint8_t *end, struct pb_field *f)
{
	uint64_t tag, n;

	if (!(p = pb_get_varint(p, end, &tag)) || tag >> 3 == 0 || tag >> 3 > 0x1fffffff)
		return NULL;
	memset(f, 0, sizeof *f);
	f->num = (uint32_t)(tag >> 3);
	f->wire = (int)(tag & 7);
	switch (f->wire) {
	case PB_VARINT:
		return pb_get_varint(p, end, &f->u64);
	case PB_I64:
		if (!bytes_fit(p, end, 8))
			return NULL;
		f->u64 = rd_le64(p);
		return p + 8;
	case PB_I32:
		if (!bytes_fit(p, end, 4))
			return NULL;
		f->u64 = rd_le32(p);
		return p + 4;
	case PB_LEN:
		if (!(p = pb_get_varint(p, end, &n)) || n > bytes_left(p, end))
			return NULL;
		f->data = p;
		f->len = (size_t)n;
		return p + n;
	default:                   /* 3, 4: groups; 6, 7: invalid */
		return NULL;
	}
}

/* Known scalar fields must arrive as varints. */
#define WANT_VARINT(f) do { if ((f).wire != PB_VARINT) return -1; } while (0)

int pb_decode_module_status(const uint8_t *p, size_t n, struct pb_module_status *out)
{
	const uint8_t *end = p + n;
	struct pb_field f;

	memset(out, 0, sizeof *out);
	while (p < end) {
		if (!(p = pb_next(p, end, &f)))
			return -1;
		switch (f.num) {
		case 1:
			WANT_VARINT(f);
			out->status = (uint32_t)f.u64;
			break;
		case 2:
			if (f.wire != PB_LEN)
				return -1;
			out->instance = (const char *)f.data;
			out->instance_len = f.len;
			break;
		case 3:
			WANT_VARINT(f);
			out->timestamp_ns = f.u64;
			break;
		default:
			break;
		}
	}
	return 0;
}

int pb_decode_source_info(const uint8_t *p, size_t n, struct pb_source_info *out)
{
	const uint8_t *end = p + n;
	struct pb_field f;

	memset(out, 0, sizeof *out);
	while (p < end) {
		if (!(p = pb_next(p, end, &f)))
			return -1;
		if (f.num < 1 || f.num > 9)
			continue;
		WANT_VARINT(f);
		switch (f.num) {
		case 1: out->error = (uint32_t)f.u64; break;
		case 2: out->source_kind = (uint32_t)f.u64; break;
		case 3: out->timestamp_domain = (uint32_t)f.u64; break;
		case 4: out->flags = (uint32_t)f.u64; break;
		case 5: out->timeline_start_ns = f.u64; break;
		case 6: out->timeline_end_ns = f.u64; break;
		case 7: out->duration_ns = f.u64; break;
		case 8: out->current_timestamp_ns = f.u64; break;
		case 9: out->current_frame_count = (uint32_t)f.u64; break;
		}
	}
	return 0;
}

uint8_t *pb_encode_module_status(uint8_t *p, const uint8_t *end,
				 const struct pb_module_status *m)
{
	p = pb_put_uint(p, end, 1, m->status);
	p = pb_put_bytes(p, end, 2, m->instance, m->instance_len);
	return pb_put_uint(p, end, 3, m->timestamp_ns);
}

uint8_t *pb_encode_source_info(uint8_t *p, const uint8_t *end,
			       const struct pb_source_info *m)
{
	p = pb_put_uint(p, end, 1, m->error);
	p = pb_put_uint(p, end, 2, m->source_kind);
	p = pb_put_uint(p, end, 3, m->timestamp_domain);
	p = pb_put_uint(p, end, 4, m->flags);
	p = pb_put_uint(p, end, 5, m->timeline_start_ns);
	p = pb_put_uint(p, end, 6, m->timeline_end_ns);
	p = pb_put_uint(p, end, 7, m->duration_ns);
	p = pb_put_uint(p, end, 8, m->current_timestamp_ns);
	return pb_put_uint(p, end, 9, m->current_frame_count);
}

const char *module_status_name(uint32_t status)
{
	switch (status) {
	case MODULE_STATUS_ONLINE: return "ONLINE";
	case MODULE_STATUS_OFFLINE: return "OFFLINE";
	case MODULE_STATUS_STREAM_RESET: return "STREAM_RESET";
	default: return "UNKNOWN";
	}
}
