/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rtmp_chunk.c - RTMP chunking (see rtmp_chunk.h; RTMP 1.0 section 5.3). */
#include "proto/rtmp_chunk.h"

#include "util/bytes.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ---- writer ------------------------------------------------------------ */

/* Basic header (5.3.1.1): 1, 2 or 3 bytes depending on the csid. */
static size_t basic_len(uint32_t csid)
{
	return csid < 64 ? 1 : csid < 320 ? 2 : 3;
}

static uint8_t *put_basic(uint8_t *p, const uint8_t *end, unsigned fmt,
			  uint32_t csid)
{
	if (csid < 64)
		return put_u8(p, end, (uint8_t)(fmt << 6 | csid));
	if (csid < 320) {
		p = put_u8(p, end, (uint8_t)(fmt << 6));
		return put_u8(p, end, (uint8_t)(csid - 64));
	}
	p = put_u8(p, end, (uint8_t)(fmt << 6 | 1));
	return put_le16(p, end, (uint16_t)(csid - 64));
}

size_t rtmp_chunk_size_needed(uint32_t csid, uint32_t ts, size_t len,
			      uint32_t chunk_size)
{
	size_t nchunks = len ? (len + chunk_size - 1) / chunk_size : 1;
	size_t ext = ts >= RTMP_EXT_TS ? 4 : 0;

	return 11 + len + nchunks * (basic_len(csid) + ext);
}

/* fmt 0 (5.3.1.2.1): u24 timestamp (FF FF FF when extended), u24 length,
 * u8 type, u32 LITTLE-endian message stream id; extended timestamp u32
 * (5.3.1.3) after it and after every fmt-3 basic header of the message. */
int rtmp_chunk_write(uint8_t *out, size_t cap, const struct rtmp_msg *m,
		     uint32_t chunk_size)
{
	uint8_t *p = out, *end = out + cap;
	int ext = m->ts >= RTMP_EXT_TS;
	size_t off = 0, take;

	if (m->csid < 2 || m->csid > 65599 || m->len > 0xffffff || !chunk_size)
		return -EINVAL;
	p = put_basic(p, end, 0, m->csid);
	p = put_be24(p, end, ext ? RTMP_EXT_TS : m->ts);
	p = put_be24(p, end, (uint32_t)m->len);
	p = put_u8(p, end, m->type);
	p = put_le32(p, end, m->sid);
	if (ext)
		p = put_be32(p, end, m->ts);
	for (;;) {
		take = m->len - off < chunk_size ? m->len - off : chunk_size;
		p = put_bytes(p, end, m->body + off, take);
		off += take;
		if (off >= m->len || !p)
			break;
		p = put_basic(p, end, 3, m->csid);
		if (ext)
			p = put_be32(p, end, m->ts);
	}
	return p ? (int)(p - out) : -ENOSPC;
}

/* ---- reader ------------------------------------------------------------ */

int rtmp_chunk_reader_init(struct rtmp_chunk_reader *r, size_t max_msg)
{
	memset(r, 0, sizeof *r);
	r->chunk_size = RTMP_DEFAULT_CHUNK_SIZE;
	r->max_msg = max_msg;
	r->cur = -1;
	r->mem = malloc(max_msg ? max_msg * RTMP_READER_SLOTS : 1);
	if (!r->mem)
		return -ENOMEM;
	for (int i = 0; i < RTMP_READER_SLOTS; i++)
		r->slot[i].buf = r->mem + (size_t)i * max_msg;
	return 0;
}

void rtmp_chunk_reader_free(struct rtmp_chunk_reader *r)
{
	free(r->mem);
	r->mem = NULL;
}

static struct rtmp_chunk_slot *find_slot(struct rtmp_chunk_reader *r,
					 uint32_t csid, int create)
{
	struct rtmp_chunk_slot *fr = NULL;

	for (int i = 0; i < RTMP_READER_SLOTS; i++) {
		if (r->slot[i].csid == csid)
			return &r->slot[i];
		if (!r->slot[i].csid && !fr)
			fr = &r->slot[i];
	}
	if (create && fr) {
		uint8_t *buf = fr->buf;

		memset(fr, 0, sizeof *fr);
		fr->buf = buf;
		fr->csid = csid;
	}
	return create ? fr : NULL;
}

/* Parse one chunk header at p (5.3.1).  Nothing changes until all of it
 * is there: returns 0 when more bytes are needed, else its length. */
static int read_header(struct rtmp_chunk_reader *r, const uint8_t *p,
		       const uint8_t *end)
{
	static const uint8_t mh_len[4] = { 11, 7, 3, 0 };
	const uint8_t *q = p;
	struct rtmp_chunk_slot *s;
	uint32_t csid, field = 0, len = 0, sid = 0, ext_ts = 0;
	uint8_t b0, b1, b2, type = 0;
	unsigned fmt;
	int ext;

	if (!(q = get_u8(q, end, &b0)))
		return 0;
	fmt = b0 >> 6;
	csid = b0 & 0x3f;
	if (csid == 0) {
		if (!(q = get_u8(q, end, &b1)))
			return 0;
		csid = 64u + b1;
	} else if (csid == 1) {
		if (!(q = get_u8(q, end, &b1)) || !(q = get_u8(q, end, &b2)))
			return 0;
		csid = 64u + b1 + 256u * b2;
	}
	if (!bytes_fit(q, end, mh_len[fmt]))
		return 0;
	s = find_slot(r, csid, 0);
	if (fmt == 3 && !s)
		return -EPROTO;         /* continuation of nothing */
	if (fmt != 0 && !s)
		return -EPROTO;         /* first chunk of a stream must be fmt 0 */
	if (s && s->got && fmt != 3)
		return -EPROTO;         /* new header inside a message */
	if (fmt <= 2)
		q = get_be24(q, end, &field);
	if (fmt <= 1) {
		q = get_be24(q, end, &len);
		q = get_u8(q, end, &type);
	}
	if (fmt == 0)
		q = get_le32(q, end, &sid);
	ext = fmt <= 2 ? field == RTMP_EXT_TS : s->ext;
	if (ext && !(q = get_be32(q, end, &ext_ts)))
		return 0;
	if (!s && !(s = find_slot(r, csid, 1)))
		return -ENOSPC;
	if (fmt <= 2) {
		s->ext = (uint8_t)ext;
		if (ext)
			field = ext_ts;
	}
	switch (fmt) {
	case 0:
		s->ts = s->delta = field;
		s->len = len;
		s->type = type;
		s->sid = sid;
		break;
	case 1:
		s->len = len;
		s->type = type;
		/* fall through */
	case 2:
		s->delta = field;
		s->ts += field;
		break;
	default:
		if (!s->got)            /* a new message with the same header */
			s->ts += s->delta;
	}
	if (s->len > r->max_msg)
		return -EMSGSIZE;
	r->cur = (int)(s - r->slot);
	r->left = s->len - s->got < r->chunk_size ? s->len - s->got : r->chunk_size;
	return (int)(q - p);
}

/* Apply protocol control messages that change how we read (5.4.1, 5.4.2). */
static int apply_control(struct rtmp_chunk_reader *r, const struct rtmp_msg *m)
{
	uint32_t v;

	if (m->sid != 0)        /* control lives on stream 0 (5.4) */
		return 0;
	if (m->type == RTMP_MSG_SET_CHUNK_SIZE) {
		if (!get_be32(m->body, m->body + m->len, &v))
			return -EPROTO;
		v &= RTMP_MAX_CHUNK_SIZE;
		if (!v)
			return -EPROTO;
		r->chunk_size = v;
	} else if (m->type == RTMP_MSG_ABORT) {
		struct rtmp_chunk_slot *s;

		if (!get_be32(m->body, m->body + m->len, &v))
			return -EPROTO;
		if ((s = find_slot(r, v, 0)) != NULL)
			s->got = 0;
	}
	return 0;
}

int rtmp_chunk_read(struct rtmp_chunk_reader *r, const uint8_t *p, size_t n,
		    struct rtmp_msg *m, int *done)
{
	const uint8_t *s = p, *end = p + n;
	struct rtmp_chunk_slot *sl;
	size_t take;
	int rc;

	*done = 0;
	if (r->cur < 0) {
		if ((rc = read_header(r, s, end)) <= 0)
			return rc;
		s += rc;
	}
	sl = &r->slot[r->cur];
	take = (size_t)(end - s) < r->left ? (size_t)(end - s) : r->left;
	if (take)
		memcpy(sl->buf + sl->got, s, take);
	sl->got += (uint32_t)take;
	r->left -= (uint32_t)take;
	s += take;
	if (r->left)
		return (int)(s - p);
	r->cur = -1;
	if (sl->got < sl->len)
		return (int)(s - p);
	m->csid = sl->csid;
	m->ts = sl->ts;
	m->sid = sl->sid;
	m->type = sl->type;
	m->body = sl->buf;
	m->len = sl->len;
	sl->got = 0;
	*done = 1;
	if ((rc = apply_control(r, m)) < 0)
		return rc;
	return (int)(s - p);
}
