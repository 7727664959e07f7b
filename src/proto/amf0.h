/* SPDX-License-Identifier: GPL-2.0-or-later */
/* amf0.h - Action Message Format 0 writer and reader (pure).
 *
 * AMF0 (Adobe "AMF0 File Format Specification"; docs/protocols.md §1.4) is the
 * encoding of RTMP commands (message type 20) and data (type 18).
 * Writers follow util/bytes.h: they take (p, end), return the advanced
 * cursor or NULL, and a NULL cursor stays NULL through later calls.
 * The reader never allocates: strings and object bodies point into the
 * caller's buffer.
 */
#ifndef CVMMAP_AMF0_H
#define CVMMAP_AMF0_H

#include <stddef.h>
#include <stdint.h>

enum amf0_type {
	AMF0_NUMBER = 0x00, AMF0_BOOLEAN = 0x01, AMF0_STRING = 0x02,
	AMF0_OBJECT = 0x03, AMF0_NULL = 0x05, AMF0_UNDEFINED = 0x06,
	AMF0_ECMA_ARRAY = 0x08, AMF0_OBJECT_END = 0x09,
	AMF0_STRICT_ARRAY = 0x0a, AMF0_DATE = 0x0b, AMF0_LONG_STRING = 0x0c,
};

/* Nesting limit of the reader (objects inside objects ...). */
#define AMF0_MAX_DEPTH 16

/* ---- writer ------------------------------------------------------------ */

uint8_t *amf0_put_number(uint8_t *p, const uint8_t *end, double v);
uint8_t *amf0_put_bool(uint8_t *p, const uint8_t *end, int v);
/* String marker + u16 length; strings longer than 65535 bytes -> NULL. */
uint8_t *amf0_put_string(uint8_t *p, const uint8_t *end, const char *s);
uint8_t *amf0_put_null(uint8_t *p, const uint8_t *end);
/* Object: amf0_put_object_start, then (key, value) pairs, then _end. */
uint8_t *amf0_put_object_start(uint8_t *p, const uint8_t *end);
uint8_t *amf0_put_ecma_start(uint8_t *p, const uint8_t *end, uint32_t count);
uint8_t *amf0_put_strict_array_start(uint8_t *p, const uint8_t *end, uint32_t count);
/* "00 00 09": ends an object or an ECMA array. */
uint8_t *amf0_put_object_end(uint8_t *p, const uint8_t *end);
/* A property name (u16 length + bytes, no marker). */
uint8_t *amf0_put_key(uint8_t *p, const uint8_t *end, const char *key);
uint8_t *amf0_put_prop_string(uint8_t *p, const uint8_t *end, const char *key,
			      const char *v);
uint8_t *amf0_put_prop_number(uint8_t *p, const uint8_t *end, const char *key,
			      double v);

/* ---- reader ------------------------------------------------------------ */

/* One decoded value.  For STRING/LONG_STRING, str/len is the text (not
 * NUL-terminated).  For OBJECT and ECMA_ARRAY, str/len is the property
 * list (pairs up to and including the 00 00 09 end marker), ready for
 * amf0_find(); for STRICT_ARRAY it is the values, count in num. */
struct amf0_val {
	int type;               /* enum amf0_type */
	double num;             /* NUMBER, BOOLEAN (0/1), DATE, array count */
	const uint8_t *str;
	size_t len;
};

/* Decode the value at p (skipping any nested content).  Returns the
 * cursor after it, or NULL on truncated/malformed input, an unknown
 * marker or nesting deeper than AMF0_MAX_DEPTH. */
const uint8_t *amf0_get(const uint8_t *p, const uint8_t *end, struct amf0_val *v);

/* Look key up in an OBJECT/ECMA_ARRAY property list (val->str/len of
 * amf0_get).  Returns 0 and *out, or -1 when absent or malformed. */
int amf0_find(const struct amf0_val *obj, const char *key, struct amf0_val *out);

/* Copy a STRING value into buf as a C string (truncating).  Returns 0, or
 * -1 when v is not a string (buf then ""). */
int amf0_strcpy(const struct amf0_val *v, char *buf, size_t cap);

/* True when v is a string equal to s. */
int amf0_streq(const struct amf0_val *v, const char *s);

#endif
