/* SPDX-License-Identifier: GPL-2.0-or-later */
/* amf0.c - AMF0 writer and reader (see amf0.h; docs/protocols.md §1.4). */
#include "proto/amf0.h"

#include "util/bytes.h"

#include <string.h>

/* ---- writer ------------------------------------------------------------ */

/* Number: marker 0x00 + IEEE-754 binary64, big-endian. */
uint8_t *amf0_put_number(uint8_t *p, const uint8_t *end, double v)
{
	uint64_t bits;

	memcpy(&bits, &v, sizeof bits);
	p = put_u8(p, end, AMF0_NUMBER);
	return put_be64(p, end, bits);
}

uint8_t *amf0_put_bool(uint8_t *p, const uint8_t *end, int v)
{
	p = put_u8(p, end, AMF0_BOOLEAN);
	return put_u8(p, end, v ? 1 : 0);
}

uint8_t *amf0_put_key(uint8_t *p, const uint8_t *end, const char *key)
{
	size_t n = strlen(key);

	if (n > 0xffff)
		return NULL;
	p = put_be16(p, end, (uint16_t)n);
	return put_bytes(p, end, key, n);
}

uint8_t *amf0_put_string(uint8_t *p, const uint8_t *end, const char *s)
{
	p = put_u8(p, end, AMF0_STRING);
	return amf0_put_key(p, end, s);
}

uint8_t *amf0_put_null(uint8_t *p, const uint8_t *end)
{
	return put_u8(p, end, AMF0_NULL);
}

uint8_t *amf0_put_object_start(uint8_t *p, const uint8_t *end)
{
	return put_u8(p, end, AMF0_OBJECT);
}

uint8_t *amf0_put_ecma_start(uint8_t *p, const uint8_t *end, uint32_t count)
{
	p = put_u8(p, end, AMF0_ECMA_ARRAY);
	return put_be32(p, end, count);
}

uint8_t *amf0_put_strict_array_start(uint8_t *p, const uint8_t *end, uint32_t count)
{
	p = put_u8(p, end, AMF0_STRICT_ARRAY);
	return put_be32(p, end, count);
}

/* Object end: an empty key (u16 0) followed by the 0x09 marker. */
uint8_t *amf0_put_object_end(uint8_t *p, const uint8_t *end)
{
	p = put_be16(p, end, 0);
	return put_u8(p, end, AMF0_OBJECT_END);
}

uint8_t *amf0_put_prop_string(uint8_t *p, const uint8_t *end, const char *key,
			      const char *v)
{
	p = amf0_put_key(p, end, key);
	return amf0_put_string(p, end, v);
}

uint8_t *amf0_put_prop_number(uint8_t *p, const uint8_t *end, const char *key,
			      double v)
{
	p = amf0_put_key(p, end, key);
	return amf0_put_number(p, end, v);
}

/* ---- reader ------------------------------------------------------------ */

static const uint8_t *get_value(const uint8_t *p, const uint8_t *end,
				struct amf0_val *v, int depth);

/* Big-endian binary64 (read through rd_be32: gcc 12 -O2 warns about
 * get_be64's locals as maybe-uninitialized). */
static const uint8_t *get_f64(const uint8_t *p, const uint8_t *end, double *d)
{
	uint64_t bits;

	if (!bytes_fit(p, end, 8))
		return NULL;
	bits = (uint64_t)rd_be32(p) << 32 | rd_be32(p + 4);
	memcpy(d, &bits, sizeof *d);
	return p + 8;
}

/* A property list: (u16 key, value)* then 00 00 09.  Returns the cursor
 * after the end marker. */
static const uint8_t *skip_props(const uint8_t *p, const uint8_t *end, int depth)
{
	struct amf0_val tmp;
	uint16_t klen;

	for (;;) {
		p = get_be16(p, end, &klen);
		if (!p)
			return NULL;
		if (klen == 0 && p < end && *p == AMF0_OBJECT_END)
			return p + 1;
		p = get_skip(p, end, klen);
		p = get_value(p, end, &tmp, depth + 1);
		if (!p)
			return NULL;
	}
}

static const uint8_t *get_value(const uint8_t *p, const uint8_t *end,
				struct amf0_val *v, int depth)
{
	const uint8_t *start;
	uint8_t marker, b;
	uint16_t n16;
	uint32_t n32, i;
	double d;

	if (depth > AMF0_MAX_DEPTH || !(p = get_u8(p, end, &marker)))
		return NULL;
	memset(v, 0, sizeof *v);
	v->type = marker;
	switch (marker) {
	case AMF0_NUMBER:
		if (!(p = get_f64(p, end, &d)))
			return NULL;
		v->num = d;
		return p;
	case AMF0_BOOLEAN:
		if (!(p = get_u8(p, end, &b)))
			return NULL;
		v->num = b != 0;
		return p;
	case AMF0_STRING:
		if (!(p = get_be16(p, end, &n16)) || !bytes_fit(p, end, n16))
			return NULL;
		v->str = p;
		v->len = n16;
		return p + n16;
	case AMF0_LONG_STRING:
		if (!(p = get_be32(p, end, &n32)) || !bytes_fit(p, end, n32))
			return NULL;
		v->str = p;
		v->len = n32;
		return p + n32;
	case AMF0_NULL:
	case AMF0_UNDEFINED:
		return p;
	case AMF0_DATE: /* double ms + s16 time zone */
		if (!(p = get_f64(p, end, &d)))
			return NULL;
		v->num = d;
		return get_skip(p, end, 2);
	case AMF0_ECMA_ARRAY:
		if (!(p = get_be32(p, end, &n32)))
			return NULL;
		v->num = n32; /* a hint only; the end marker terminates */
		/* fall through */
	case AMF0_OBJECT:
		start = p;
		if (!(p = skip_props(p, end, depth)))
			return NULL;
		v->str = start;
		v->len = (size_t)(p - start);
		return p;
	case AMF0_STRICT_ARRAY:
		if (!(p = get_be32(p, end, &n32)))
			return NULL;
		v->num = n32;
		start = p;
		/* each value takes at least one byte, so a huge count ends
		 * at the end of the input */
		for (i = 0; i < n32; i++) {
			struct amf0_val tmp;

			if (!(p = get_value(p, end, &tmp, depth + 1)))
				return NULL;
		}
		v->str = start;
		v->len = (size_t)(p - start);
		return p;
	default:
		return NULL;
	}
}

const uint8_t *amf0_get(const uint8_t *p, const uint8_t *end, struct amf0_val *v)
{
	if (!p || p > end)
		return NULL;
	return get_value(p, end, v, 0);
}

int amf0_find(const struct amf0_val *obj, const char *key, struct amf0_val *out)
{
	const uint8_t *p, *end;
	size_t klen = strlen(key);
	uint16_t n;

	if (!obj || (obj->type != AMF0_OBJECT && obj->type != AMF0_ECMA_ARRAY) ||
	    !obj->str)
		return -1;
	p = obj->str;
	end = p + obj->len;
	while ((p = get_be16(p, end, &n)) != NULL) {
		const uint8_t *k = p;
		struct amf0_val v;

		if (n == 0 && p < end && *p == AMF0_OBJECT_END)
			return -1;
		if (!(p = get_skip(p, end, n)) || !(p = get_value(p, end, &v, 1)))
			return -1;
		if (n == klen && memcmp(k, key, klen) == 0) {
			*out = v;
			return 0;
		}
	}
	return -1;
}

int amf0_strcpy(const struct amf0_val *v, char *buf, size_t cap)
{
	size_t n;

	if (!cap)
		return -1;
	buf[0] = '\0';
	if (v->type != AMF0_STRING && v->type != AMF0_LONG_STRING)
		return -1;
	n = v->len < cap - 1 ? v->len : cap - 1;
	if (n)
		memcpy(buf, v->str, n);
	buf[n] = '\0';
	return 0;
}

int amf0_streq(const struct amf0_val *v, const char *s)
{
	size_t n = strlen(s);

	return (v->type == AMF0_STRING || v->type == AMF0_LONG_STRING) &&
	       v->len == n && memcmp(v->str, s, n) == 0;
}
