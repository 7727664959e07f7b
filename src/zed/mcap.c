/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mcap.c - MCAP reader (mcap.h).  Section numbers refer to the MCAP spec,
 * foxglove/mcap website/docs/spec/index.md ("Records", "Chunk", ...). */
#include "zed/mcap.h"
#include "util/bytes.h"

#include <errno.h>
#include <fcntl.h>
#include <lz4frame.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

/* ---- pure field readers (spec "Serialization") ------------------------ */

/* String / Bytes with a u32 length prefix. */
static const uint8_t *get_str(const uint8_t *p, const uint8_t *end, struct mcap_bytes *b)
{
	uint32_t n;

	p = get_le32(p, end, &n);
	if (!bytes_fit(p, end, n))
		return NULL;
	b->p = p;
	b->n = n;
	return p + n;
}

int mcap_bytes_eq(struct mcap_bytes b, const char *s)
{
	size_t n = strlen(s);

	return b.n == n && (n == 0 || memcmp(b.p, s, n) == 0);
}

int mcap_record_parse(const uint8_t *p, const uint8_t *end,
		      struct mcap_record *r, const uint8_t **next)
{
	uint8_t op;
	uint64_t len;

	p = get_u8(p, end, &op);
	p = get_le64(p, end, &len);
	if (!p || len > bytes_left(p, end))
		return -EINVAL;
	r->op = op;
	r->body = p;
	r->len = len;
	*next = p + len;
	return 0;
}

/* Schema (op 0x03): id u16, name Str, encoding Str, data u32-length Bytes. */
int mcap_schema_parse(const struct mcap_record *r, struct mcap_schema *s)
{
	const uint8_t *p = r->body, *end = r->body + r->len;

	p = get_le16(p, end, &s->id);
	p = get_str(p, end, &s->name);
	p = get_str(p, end, &s->encoding);
	p = get_str(p, end, &s->data);
	return p ? 0 : -EINVAL;
}

/* Channel (op 0x04): id u16, schema_id u16, topic Str, message_encoding
 * Str, metadata Map (u32 byte length; skipped). */
int mcap_channel_parse(const struct mcap_record *r, struct mcap_channel *c)
{
	const uint8_t *p = r->body, *end = r->body + r->len;

	p = get_le16(p, end, &c->id);
	p = get_le16(p, end, &c->schema_id);
	p = get_str(p, end, &c->topic);
	p = get_str(p, end, &c->encoding);
	return p ? 0 : -EINVAL;
}

/* Message (op 0x05): channel_id u16, sequence u32, log_time u64,
 * publish_time u64, data = the rest of the record. */
int mcap_message_parse(const struct mcap_record *r, struct mcap_message *m)
{
	const uint8_t *p = r->body, *end = r->body + r->len;

	p = get_le16(p, end, &m->channel_id);
	p = get_le32(p, end, &m->sequence);
	p = get_le64(p, end, &m->log_time);
	p = get_le64(p, end, &m->publish_time);
	if (!p)
		return -EINVAL;
	m->data.p = p;
	m->data.n = (size_t)(end - p);
	return 0;
}

/* Chunk (op 0x06): start/end time u64, uncompressed_size u64,
 * uncompressed_crc u32, compression Str, records u64-length Bytes. */
int mcap_chunk_parse(const struct mcap_record *r, struct mcap_chunk *c)
{
	const uint8_t *p = r->body, *end = r->body + r->len;
	uint64_t n;

	p = get_le64(p, end, &c->start_time);
	p = get_le64(p, end, &c->end_time);
	p = get_le64(p, end, &c->uncompressed_size);
	p = get_le32(p, end, &c->uncompressed_crc);
	p = get_str(p, end, &c->compression);
	p = get_le64(p, end, &n);
	if (!p || n > bytes_left(p, end))
		return -EINVAL;
	c->records.p = p;
	c->records.n = (size_t)n;
	return 0;
}

uint32_t mcap_crc32(uint32_t crc, const uint8_t *p, size_t n)
{
	static uint32_t tab[256];
	size_t i;

	if (!tab[1]) {
		for (i = 0; i < 256; i++) {
			uint32_t c = (uint32_t)i;
			int k;
			for (k = 0; k < 8; k++)
				c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
			tab[i] = c;
		}
	}
	crc = ~crc;
	for (i = 0; i < n; i++)
		crc = tab[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
	return ~crc;
}

/* ---- reader ----------------------------------------------------------- */

static int fail(struct mcap *m, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m->err, sizeof(m->err), fmt, ap);
	va_end(ap);
	return err;
}

const struct mcap_chan *mcap_channel(const struct mcap *m, uint16_t id)
{
	unsigned i;

	for (i = 0; i < m->n_channels; i++)
		if (m->channels[i].id == id)
			return &m->channels[i];
	return NULL;
}

const struct mcap_sch *mcap_schema(const struct mcap *m, uint16_t id)
{
	unsigned i;

	for (i = 0; i < m->n_schemas; i++)
		if (m->schemas[i].id == id)
			return &m->schemas[i];
	return NULL;
}

static int suffix_match(const char *topic, const char *suffix)
{
	size_t t = strlen(topic), n = strlen(suffix);

	return t >= n && memcmp(topic + t - n, suffix, n) == 0;
}

/* Copy b into dst[cap] as a C string; -EINVAL when it does not fit or
 * holds a NUL (names are compared as C strings). */
static int copy_name(char *dst, size_t cap, struct mcap_bytes b)
{
	if (b.n >= cap || (b.n && memchr(b.p, 0, b.n)))
		return -EINVAL;
	if (b.n)
		memcpy(dst, b.p, b.n);
	dst[b.n] = 0;
	return 0;
}

/* Grow *arr (elements of size sz) to hold one more; amortised doubling
 * during the scan only, never on the per-frame path. */
static int grow(void **arr, uint32_t *cap, uint32_t n, size_t sz)
{
	void *q;
	uint32_t nc;

	if (n < *cap)
		return 0;
	nc = *cap ? *cap * 2 : 256;
	if (nc <= n)
		return -ENOMEM;
	q = realloc(*arr, (size_t)nc * sz);
	if (!q)
		return -ENOMEM;
	*arr = q;
	*cap = nc;
	return 0;
}

/* Decompress chunk c into m->cbuf (grown as needed) and check its CRC.
 * Returns 0 and sets *out and *n, or a negative errno with m->err set. */
static int inflate_chunk(struct mcap *m, const struct mcap_chunkref *c,
			 const uint8_t **out, size_t *n)
{
	const uint8_t *src = m->buf + c->off;
	size_t usize = (size_t)c->usize;

	if (c->comp == MCAP_COMP_NONE) {
		if (c->usize != c->len)
			return fail(m, -EINVAL, "chunk at offset %llu: uncompressed_size %llu != records length %llu",
				    (unsigned long long)c->off, (unsigned long long)c->usize,
				    (unsigned long long)c->len);
		*out = src;
	} else {
		if (c->usize > MCAP_MAX_CHUNK)
			return fail(m, -EINVAL, "chunk at offset %llu: uncompressed_size %llu exceeds %u bytes",
				    (unsigned long long)c->off, (unsigned long long)c->usize, MCAP_MAX_CHUNK);
		if (usize > m->ccap || !m->cbuf) {
			uint8_t *q = realloc(m->cbuf, usize ? usize : 1);
			if (!q)
				return fail(m, -ENOMEM, "out of memory for a %zu-byte chunk", usize);
			m->cbuf = q;
			m->ccap = usize;
		}
		if (c->comp == MCAP_COMP_ZSTD) {
			size_t r = ZSTD_decompress(m->cbuf, usize, src, (size_t)c->len);
			if (ZSTD_isError(r) || r != usize)
				return fail(m, -EINVAL, "chunk at offset %llu: zstd: %s",
					    (unsigned long long)c->off,
					    ZSTD_isError(r) ? ZSTD_getErrorName(r) : "size mismatch");
		} else {
			/* LZ4 frame format (lz4_Frame_format.md), not the block API. */
			LZ4F_dctx *dctx;
			size_t done = 0, in = 0, r = 1;

			if (LZ4F_isError(LZ4F_createDecompressionContext(&dctx, LZ4F_VERSION)))
				return fail(m, -ENOMEM, "lz4: cannot create a context");
			while (r != 0 && in < c->len) {
				size_t dn = usize - done, sn = (size_t)c->len - in;
				r = LZ4F_decompress(dctx, m->cbuf + done, &dn, src + in, &sn, NULL);
				if (LZ4F_isError(r))
					break;
				done += dn;
				in += sn;
				if (dn == 0 && sn == 0)
					break;
			}
			LZ4F_freeDecompressionContext(dctx);
			if (LZ4F_isError(r) || r != 0 || done != usize)
				return fail(m, -EINVAL, "chunk at offset %llu: lz4: %s",
					    (unsigned long long)c->off,
					    LZ4F_isError(r) ? LZ4F_getErrorName(r) : "size mismatch");
		}
		*out = m->cbuf;
	}
	if (c->crc && mcap_crc32(0, *out, usize) != c->crc)
		return fail(m, -EBADMSG, "chunk at offset %llu: CRC mismatch (recorded %08x, computed %08x)",
			    (unsigned long long)c->off, c->crc, mcap_crc32(0, *out, usize));
	*n = usize;
	return 0;
}

static int add_schema(struct mcap *m, const struct mcap_record *r)
{
	struct mcap_schema s;
	struct mcap_sch *d;

	if (mcap_schema_parse(r, &s) < 0 || s.id == 0)
		return fail(m, -EINVAL, "malformed Schema record");
	if (mcap_schema(m, s.id))
		return 0;               /* summary duplicate */
	if (m->n_schemas == MCAP_MAX_SCHEMAS)
		return fail(m, -EINVAL, "more than %d schemas", MCAP_MAX_SCHEMAS);
	d = &m->schemas[m->n_schemas];
	d->id = s.id;
	if (copy_name(d->name, sizeof(d->name), s.name) < 0 ||
	    copy_name(d->encoding, sizeof(d->encoding), s.encoding) < 0)
		return fail(m, -EINVAL, "schema %u: name or encoding too long", s.id);
	m->n_schemas++;
	return 0;
}

static int add_channel(struct mcap *m, const struct mcap_record *r)
{
	struct mcap_channel c;
	struct mcap_chan *d;

	if (mcap_channel_parse(r, &c) < 0)
		return fail(m, -EINVAL, "malformed Channel record");
	if (mcap_channel(m, c.id))
		return 0;               /* summary duplicate */
	if (m->n_channels == MCAP_MAX_CHANNELS)
		return fail(m, -EINVAL, "more than %d channels", MCAP_MAX_CHANNELS);
	d = &m->channels[m->n_channels];
	d->id = c.id;
	d->schema_id = c.schema_id;
	if (copy_name(d->topic, sizeof(d->topic), c.topic) < 0 ||
	    copy_name(d->encoding, sizeof(d->encoding), c.encoding) < 0)
		return fail(m, -EINVAL, "channel %u: topic or encoding too long", c.id);
	m->n_channels++;
	return 0;
}

/* Index a Message whose data starts at base + offset-of(data). */
static int add_message(struct mcap *m, const struct mcap_record *r,
		       const char *suffix, uint32_t chunk, const uint8_t *base)
{
	struct mcap_message msg;
	const struct mcap_chan *c;
	struct mcap_msgref *ref;

	if (mcap_message_parse(r, &msg) < 0)
		return fail(m, -EINVAL, "malformed Message record");
	c = mcap_channel(m, msg.channel_id);
	if (!c || !suffix_match(c->topic, suffix))
		return 0;
	if (msg.data.n > UINT32_MAX)
		return fail(m, -EINVAL, "message larger than 4 GiB");
	if (grow((void **)&m->msgs, &m->cap_msgs, m->n_msgs, sizeof(*m->msgs)) < 0)
		return fail(m, -ENOMEM, "out of memory indexing messages");
	ref = &m->msgs[m->n_msgs];
	ref->log_time = msg.log_time;
	ref->off = (uint64_t)(msg.data.p - base);
	ref->len = (uint32_t)msg.data.n;
	ref->chunk = chunk;
	ref->order = m->n_msgs++;
	ref->channel_id = msg.channel_id;
	return 0;
}

/* Walk the records inside one decompressed chunk (spec "Chunk": only
 * Schema, Channel and Message records may appear there). */
static int scan_chunk(struct mcap *m, const char *suffix)
{
	struct mcap_chunkref *c = &m->chunks[m->n_chunks - 1];
	const uint8_t *p, *end, *next;
	struct mcap_record r;
	size_t n;
	int err;

	if ((err = inflate_chunk(m, c, &p, &n)) < 0)
		return err;
	m->cchunk = m->n_chunks - 1;
	end = p + n;
	while (p < end) {
		if (mcap_record_parse(p, end, &r, &next) < 0)
			return fail(m, -EINVAL, "chunk at offset %llu: record cut at %zu of %zu bytes",
				    (unsigned long long)c->off, (size_t)(p - (end - n)), n);
		if (r.op == MCAP_OP_SCHEMA)
			err = add_schema(m, &r);
		else if (r.op == MCAP_OP_CHANNEL)
			err = add_channel(m, &r);
		else if (r.op == MCAP_OP_MESSAGE)
			err = add_message(m, &r, suffix, m->n_chunks - 1, end - n);
		else
			err = 0;
		if (err < 0)
			return err;
		p = next;
	}
	return 0;
}

static int add_chunk(struct mcap *m, const struct mcap_record *r, const char *suffix)
{
	struct mcap_chunk ck;
	struct mcap_chunkref *c;
	int comp;

	if (mcap_chunk_parse(r, &ck) < 0)
		return fail(m, -EINVAL, "malformed Chunk record at offset %llu",
			    (unsigned long long)(r->body - 9 - m->buf));
	if (mcap_bytes_eq(ck.compression, ""))
		comp = MCAP_COMP_NONE;
	else if (mcap_bytes_eq(ck.compression, "zstd"))
		comp = MCAP_COMP_ZSTD;
	else if (mcap_bytes_eq(ck.compression, "lz4"))
		comp = MCAP_COMP_LZ4;
	else
		return fail(m, -ENOTSUP, "unsupported chunk compression '%.*s' (supported: none, zstd, lz4)",
			    (int)(ck.compression.n > 32 ? 32 : ck.compression.n),
			    (const char *)ck.compression.p);
	if (grow((void **)&m->chunks, &m->cap_chunks, m->n_chunks, sizeof(*m->chunks)) < 0)
		return fail(m, -ENOMEM, "out of memory indexing chunks");
	c = &m->chunks[m->n_chunks++];
	c->off = (uint64_t)(ck.records.p - m->buf);
	c->len = ck.records.n;
	c->usize = ck.uncompressed_size;
	c->crc = ck.uncompressed_crc;
	c->comp = comp;
	return scan_chunk(m, suffix);
}

static int cmp_ref(const void *a, const void *b)
{
	const struct mcap_msgref *x = a, *y = b;

	if (x->log_time != y->log_time)
		return x->log_time < y->log_time ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

int mcap_open_mem(struct mcap *m, const uint8_t *buf, size_t size,
		  const char *suffix, int flags)
{
	const uint8_t *p, *end = buf + size, *next;
	struct mcap_record r;
	int err = 0, done = 0;
	uint32_t i;

	memset(m, 0, sizeof(*m));
	m->buf = buf;
	m->size = size;
	m->cchunk = MCAP_NO_CHUNK;
	if (size < MCAP_MAGIC_LEN || memcmp(buf, MCAP_MAGIC, MCAP_MAGIC_LEN) != 0)
		return fail(m, -EPROTONOSUPPORT, "no MCAP magic");

	/* Data section: records until DataEnd (spec "Data End") or Footer. */
	for (p = buf + MCAP_MAGIC_LEN; !done; p = next) {
		if (p == end || mcap_record_parse(p, end, &r, &next) < 0) {
			if (flags & MCAP_ALLOW_TRUNCATED) {
				m->truncated = 1;
				break;
			}
			return fail(m, -EINVAL, "truncated MCAP file: record cut at offset %zu of %zu",
				    (size_t)(p - buf), size);
		}
		switch (r.op) {
		case MCAP_OP_HEADER: {
			const uint8_t *q = r.body, *e = r.body + r.len;
			q = get_str(q, e, &m->profile);
			q = get_str(q, e, &m->library);
			if (!q)
				return fail(m, -EINVAL, "malformed Header record");
			break;
		}
		case 0:
			return fail(m, -EINVAL, "invalid opcode 0 at offset %zu", (size_t)(p - buf));
		case MCAP_OP_SCHEMA:
			err = add_schema(m, &r);
			break;
		case MCAP_OP_CHANNEL:
			err = add_channel(m, &r);
			break;
		case MCAP_OP_MESSAGE:
			err = add_message(m, &r, suffix, MCAP_NO_CHUNK, buf);
			break;
		case MCAP_OP_CHUNK:
			err = add_chunk(m, &r, suffix);
			break;
		case MCAP_OP_DATA_END: {
			/* data_section_crc covers offset 0 up to this record. */
			uint32_t crc;
			if (get_le32(r.body, r.body + r.len, &crc) && crc &&
			    mcap_crc32(0, buf, (size_t)(p - buf)) != crc)
				return fail(m, -EBADMSG, "data section CRC mismatch");
			done = 1;
			break;
		}
		case MCAP_OP_FOOTER:
			done = 1;
			break;
		default:
			break;          /* indexes, attachments, private records */
		}
		if (err < 0)
			return err;
	}

	for (i = 1; i < m->n_msgs; i++)
		if (m->msgs[i].log_time < m->msgs[i - 1].log_time)
			break;
	if (i < m->n_msgs)
		qsort(m->msgs, m->n_msgs, sizeof(*m->msgs), cmp_ref);
	return 0;
}

int mcap_open_file(struct mcap *m, const char *path, const char *suffix, int flags)
{
	struct stat st;
	void *map;
	int fd, err;

	memset(m, 0, sizeof(*m));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		err = -errno;
		if (fd >= 0)
			close(fd);
		return fail(m, err, "%s", strerror(-err));
	}
	if (st.st_size < MCAP_MAGIC_LEN) {
		close(fd);
		return fail(m, -EPROTONOSUPPORT, "%lld bytes: too short for MCAP magic",
			    (long long)st.st_size);
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	err = -errno;
	close(fd);
	if (map == MAP_FAILED)
		return fail(m, err, "mmap: %s", strerror(-err));
	madvise(map, (size_t)st.st_size, MADV_SEQUENTIAL);
	err = mcap_open_mem(m, map, (size_t)st.st_size, suffix, flags);
	m->mapped = 1;
	return err;
}

int mcap_message(struct mcap *m, uint32_t i, const uint8_t **data, size_t *len)
{
	const struct mcap_msgref *ref;
	const uint8_t *p;
	size_t n;
	int err;

	if (i >= m->n_msgs)
		return -ERANGE;
	ref = &m->msgs[i];
	if (ref->chunk == MCAP_NO_CHUNK) {
		*data = m->buf + ref->off;
		*len = ref->len;
		return 0;
	}
	if (m->chunks[ref->chunk].comp == MCAP_COMP_NONE) {
		p = m->buf + m->chunks[ref->chunk].off;
	} else if (m->cchunk == ref->chunk) {
		p = m->cbuf;
	} else {
		m->cchunk = MCAP_NO_CHUNK;
		if ((err = inflate_chunk(m, &m->chunks[ref->chunk], &p, &n)) < 0)
			return err;
		m->cchunk = ref->chunk;
	}
	*data = p + ref->off;
	*len = ref->len;
	return 0;
}

void mcap_close(struct mcap *m)
{
	if (m->mapped && m->buf)
		munmap((void *)m->buf, m->size);
	free(m->chunks);
	free(m->msgs);
	free(m->cbuf);
	m->chunks = NULL;
	m->msgs = NULL;
	m->cbuf = NULL;
	m->buf = NULL;
}
