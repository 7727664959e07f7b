/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bytes.h - bounds-checked byte cursors for every wire format.
 *
 * Writers:  uint8_t *put_X(uint8_t *p, const uint8_t *end, value)
 * Readers:  const uint8_t *get_X(const uint8_t *p, const uint8_t *end, T *out)
 *
 * Each returns the advanced cursor, or NULL when the value does not fit
 * between p and end.  A NULL cursor stays NULL through every later call,
 * so a whole message is a chain of calls followed by one NULL check:
 *
 *     p = put_u8(p, end, 0x80);
 *     p = put_be16(p, end, seq);
 *     p = put_be32(p, end, ts);
 *     if (!p) return -ENOSPC;
 *
 * Readers never write *out on failure.  Nothing here allocates.
 *
 * The rd_ and wr_ helpers at the bottom are unchecked loads and stores for
 * memory whose size the caller has already checked (e.g. a fixed 256-byte
 * copy); they never rely on alignment.
 */
#ifndef CVMMAP_BYTES_H
#define CVMMAP_BYTES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline size_t bytes_left(const uint8_t *p, const uint8_t *end)
{
	return p && p <= end ? (size_t)(end - p) : 0;
}

static inline int bytes_fit(const uint8_t *p, const uint8_t *end, size_t n)
{
	return p && p <= end && (size_t)(end - p) >= n;
}

/* ---- writers ---------------------------------------------------------- */

static inline uint8_t *put_u8(uint8_t *p, const uint8_t *end, uint8_t v)
{
	if (!bytes_fit(p, end, 1))
		return NULL;
	*p = v;
	return p + 1;
}

static inline uint8_t *put_be16(uint8_t *p, const uint8_t *end, uint16_t v)
{
	if (!bytes_fit(p, end, 2))
		return NULL;
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return p + 2;
}

static inline uint8_t *put_be24(uint8_t *p, const uint8_t *end, uint32_t v)
{
	if (!bytes_fit(p, end, 3))
		return NULL;
	p[0] = (uint8_t)(v >> 16);
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)v;
	return p + 3;
}

static inline uint8_t *put_be32(uint8_t *p, const uint8_t *end, uint32_t v)
{
	if (!bytes_fit(p, end, 4))
		return NULL;
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
	return p + 4;
}

static inline uint8_t *put_be64(uint8_t *p, const uint8_t *end, uint64_t v)
{
	p = put_be32(p, end, (uint32_t)(v >> 32));
	return put_be32(p, end, (uint32_t)v);
}

static inline uint8_t *put_le16(uint8_t *p, const uint8_t *end, uint16_t v)
{
	if (!bytes_fit(p, end, 2))
		return NULL;
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	return p + 2;
}

static inline uint8_t *put_le24(uint8_t *p, const uint8_t *end, uint32_t v)
{
	if (!bytes_fit(p, end, 3))
		return NULL;
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	return p + 3;
}

static inline uint8_t *put_le32(uint8_t *p, const uint8_t *end, uint32_t v)
{
	if (!bytes_fit(p, end, 4))
		return NULL;
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
	return p + 4;
}

static inline uint8_t *put_le64(uint8_t *p, const uint8_t *end, uint64_t v)
{
	p = put_le32(p, end, (uint32_t)v);
	return put_le32(p, end, (uint32_t)(v >> 32));
}

static inline uint8_t *put_bytes(uint8_t *p, const uint8_t *end,
				 const void *src, size_t n)
{
	if (!bytes_fit(p, end, n))
		return NULL;
	if (n)
		memcpy(p, src, n);
	return p + n;
}

static inline uint8_t *put_zero(uint8_t *p, const uint8_t *end, size_t n)
{
	if (!bytes_fit(p, end, n))
		return NULL;
	if (n)
		memset(p, 0, n);
	return p + n;
}

/* NUL-terminated string without its NUL. */
static inline uint8_t *put_str(uint8_t *p, const uint8_t *end, const char *s)
{
	return put_bytes(p, end, s, strlen(s));
}

/* ---- readers ---------------------------------------------------------- */

static inline const uint8_t *get_u8(const uint8_t *p, const uint8_t *end,
				    uint8_t *v)
{
	if (!bytes_fit(p, end, 1))
		return NULL;
	*v = p[0];
	return p + 1;
}

static inline const uint8_t *get_be16(const uint8_t *p, const uint8_t *end,
				      uint16_t *v)
{
	if (!bytes_fit(p, end, 2))
		return NULL;
	*v = (uint16_t)((unsigned)p[0] << 8 | p[1]);
	return p + 2;
}

static inline const uint8_t *get_be24(const uint8_t *p, const uint8_t *end,
				      uint32_t *v)
{
	if (!bytes_fit(p, end, 3))
		return NULL;
	*v = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
	return p + 3;
}

static inline const uint8_t *get_be32(const uint8_t *p, const uint8_t *end,
				      uint32_t *v)
{
	if (!bytes_fit(p, end, 4))
		return NULL;
	*v = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	     (uint32_t)p[2] << 8 | p[3];
	return p + 4;
}

static inline const uint8_t *get_be64(const uint8_t *p, const uint8_t *end,
				      uint64_t *v)
{
	uint64_t r = 0;
	int i;

	if (!bytes_fit(p, end, 8))
		return NULL;
	for (i = 0; i < 8; i++)
		r = r << 8 | p[i];
	*v = r;
	return p + 8;
}

static inline const uint8_t *get_le16(const uint8_t *p, const uint8_t *end,
				      uint16_t *v)
{
	if (!bytes_fit(p, end, 2))
		return NULL;
	*v = (uint16_t)(p[0] | (unsigned)p[1] << 8);
	return p + 2;
}

static inline const uint8_t *get_le24(const uint8_t *p, const uint8_t *end,
				      uint32_t *v)
{
	if (!bytes_fit(p, end, 3))
		return NULL;
	*v = p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
	return p + 3;
}

static inline const uint8_t *get_le32(const uint8_t *p, const uint8_t *end,
				      uint32_t *v)
{
	if (!bytes_fit(p, end, 4))
		return NULL;
	*v = p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	     (uint32_t)p[3] << 24;
	return p + 4;
}

static inline const uint8_t *get_le64(const uint8_t *p, const uint8_t *end,
				      uint64_t *v)
{
	uint64_t r = 0;
	int i;

	if (!bytes_fit(p, end, 8))
		return NULL;
	for (i = 7; i >= 0; i--)
		r = r << 8 | p[i];
	*v = r;
	return p + 8;
}

static inline const uint8_t *get_bytes(const uint8_t *p, const uint8_t *end,
				       void *dst, size_t n)
{
	if (!bytes_fit(p, end, n))
		return NULL;
	if (n)
		memcpy(dst, p, n);
	return p + n;
}

static inline const uint8_t *get_skip(const uint8_t *p, const uint8_t *end,
				      size_t n)
{
	return bytes_fit(p, end, n) ? p + n : NULL;
}

/* ---- unchecked, alignment-free loads/stores (caller checked size) ------ */

static inline uint16_t rd_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (unsigned)p[1] << 8);
}

static inline uint32_t rd_le32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint64_t rd_le64(const uint8_t *p)
{
	return rd_le32(p) | (uint64_t)rd_le32(p + 4) << 32;
}

static inline uint16_t rd_be16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static inline uint32_t rd_be24(const uint8_t *p)
{
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

static inline uint32_t rd_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline void wr_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void wr_le32(uint8_t *p, uint32_t v)
{
	wr_le16(p, (uint16_t)v);
	wr_le16(p + 2, (uint16_t)(v >> 16));
}

static inline void wr_le64(uint8_t *p, uint64_t v)
{
	wr_le32(p, (uint32_t)v);
	wr_le32(p + 4, (uint32_t)(v >> 32));
}

static inline void wr_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void wr_be32(uint8_t *p, uint32_t v)
{
	wr_be16(p, (uint16_t)(v >> 16));
	wr_be16(p + 2, (uint16_t)v);
}

#endif
