/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mcap.h - a small MCAP reader: one channel's messages in log-time order.
 *
 * MCAP (foxglove/mcap website/docs/spec/index.md; docs/svo2-mp4.md §2):
 *   <magic 89 'MCAP0' 0D 0A><Header><data records>[summary]<Footer><magic>
 * Each record is u8 opcode, u64 length, content; all integers little-endian.
 *
 * mcap_open_mem() walks the data section of a file image held by the caller
 * (mmap'ed by mcap_open_file()): it keeps Schemas and Channels, decompresses
 * every Chunk (none, zstd, lz4 frame) once to verify its CRC and find the
 * Messages of the channels whose topic ends with a given suffix, and builds
 * an index of them stably sorted by log_time.  Message bodies are fetched
 * later with mcap_message(), which decompresses a chunk on demand into one
 * cached buffer (allocated at open, reused).
 *
 * Errors are one human-readable line in m->err that never names the file
 * (the caller, who knows its name, puts it in front once); no function
 * prints.
 */
#ifndef CVMMAP_MCAP_H
#define CVMMAP_MCAP_H

#include <stddef.h>
#include <stdint.h>

#define MCAP_MAGIC "\x89MCAP0\r\n"
#define MCAP_MAGIC_LEN 8

/* Record opcodes (spec "Records"). */
enum {
	MCAP_OP_HEADER = 0x01, MCAP_OP_FOOTER = 0x02, MCAP_OP_SCHEMA = 0x03,
	MCAP_OP_CHANNEL = 0x04, MCAP_OP_MESSAGE = 0x05, MCAP_OP_CHUNK = 0x06,
	MCAP_OP_MESSAGE_INDEX = 0x07, MCAP_OP_CHUNK_INDEX = 0x08,
	MCAP_OP_ATTACHMENT = 0x09, MCAP_OP_STATISTICS = 0x0B,
	MCAP_OP_DATA_END = 0x0F,
};

/* A length-prefixed string or byte run pointing into the file image (or
 * into a decompressed chunk while it is being scanned). */
struct mcap_bytes {
	const uint8_t *p;
	size_t n;
};

/* One record: opcode and content (the length prefix already checked). */
struct mcap_record {
	uint8_t op;
	const uint8_t *body;
	uint64_t len;
};

/* Pure parsers over (p, end).  Each returns 0 or -EINVAL (short/overlong
 * field); no allocation, pointers refer into the input. */

/* Next record at p; *next is set past it.  -EINVAL when truncated. */
int mcap_record_parse(const uint8_t *p, const uint8_t *end,
		      struct mcap_record *r, const uint8_t **next);

struct mcap_channel {
	uint16_t id, schema_id;
	struct mcap_bytes topic, encoding;
};
int mcap_channel_parse(const struct mcap_record *r, struct mcap_channel *c);

struct mcap_schema {
	uint16_t id;
	struct mcap_bytes name, encoding, data;
};
int mcap_schema_parse(const struct mcap_record *r, struct mcap_schema *s);

struct mcap_message {
	uint16_t channel_id;
	uint32_t sequence;
	uint64_t log_time, publish_time;
	struct mcap_bytes data;
};
int mcap_message_parse(const struct mcap_record *r, struct mcap_message *m);

enum mcap_compression { MCAP_COMP_NONE, MCAP_COMP_ZSTD, MCAP_COMP_LZ4 };

struct mcap_chunk {
	uint64_t start_time, end_time, uncompressed_size;
	uint32_t uncompressed_crc;      /* 0 = not recorded */
	struct mcap_bytes compression;  /* "", "zstd", "lz4", ... */
	struct mcap_bytes records;      /* compressed records */
};
int mcap_chunk_parse(const struct mcap_record *r, struct mcap_chunk *c);

/* zlib-compatible CRC-32 (IEEE 802.3, reflected, as the spec requires). */
uint32_t mcap_crc32(uint32_t crc, const uint8_t *p, size_t n);

/* Largest chunk we decompress: the size field is untrusted input. */
#define MCAP_MAX_CHUNK (1024u * 1024u * 1024u)
#define MCAP_MAX_CHANNELS 256
#define MCAP_MAX_SCHEMAS 256

/* Where one indexed message lives. */
struct mcap_msgref {
	uint64_t log_time;
	uint64_t off;           /* body offset: in the file or in the chunk's records */
	uint32_t len;
	uint32_t chunk;         /* index into chunks[], MCAP_NO_CHUNK = top level */
	uint32_t order;         /* file order, for a stable sort */
	uint16_t channel_id;
};
#define MCAP_NO_CHUNK UINT32_MAX

struct mcap_chunkref {
	uint64_t off, len;      /* compressed records in the file */
	uint64_t usize;
	uint32_t crc;
	int comp;               /* enum mcap_compression */
};

/* mcap_open flags. */
enum {
	MCAP_ALLOW_TRUNCATED = 1, /* keep the complete messages of a cut file */
};

/* Channels and schemas as kept by the reader (names copied out of the
 * chunk they came in, which is decompressed into a reused buffer). */
struct mcap_chan {
	uint16_t id, schema_id;
	char topic[192];
	char encoding[64];
};
struct mcap_sch {
	uint16_t id;
	char name[128];
	char encoding[64];
};

struct mcap {
	const uint8_t *buf;
	size_t size;
	int mapped;             /* buf is our mmap (mcap_close unmaps) */
	struct mcap_bytes library, profile;

	struct mcap_chan channels[MCAP_MAX_CHANNELS];
	unsigned n_channels;
	struct mcap_sch schemas[MCAP_MAX_SCHEMAS];
	unsigned n_schemas;

	struct mcap_chunkref *chunks;
	uint32_t n_chunks, cap_chunks;
	struct mcap_msgref *msgs;
	uint32_t n_msgs, cap_msgs;
	int truncated;          /* stopped early under MCAP_ALLOW_TRUNCATED */

	/* Decompression cache for mcap_message(). */
	uint8_t *cbuf;
	size_t ccap;
	uint32_t cchunk;

	char err[256];
};

/* Scan buf[size] (which must outlive m) and index the messages of every
 * channel whose topic ends with topic_suffix.  Returns 0, or a negative
 * errno with m->err set: -EPROTONOSUPPORT (no MCAP magic: not MCAP, e.g.
 * an SVO v1 recording; svo2_open() says so), -EINVAL
 * (malformed or truncated), -EBADMSG (CRC mismatch), -ENOTSUP (unknown
 * compression), -ENOMEM.  m is always safe to mcap_close() afterwards. */
int mcap_open_mem(struct mcap *m, const uint8_t *buf, size_t size,
		  const char *topic_suffix, int flags);

/* Map path read-only and mcap_open_mem() it.  m->err does not repeat
 * path ("No such file or directory", not "x.svo2: No such ..."). */
int mcap_open_file(struct mcap *m, const char *path, const char *topic_suffix,
		   int flags);

/* Channel with this id, or NULL. */
const struct mcap_chan *mcap_channel(const struct mcap *m, uint16_t id);
const struct mcap_sch *mcap_schema(const struct mcap *m, uint16_t id);

/* Body of the i-th indexed message (log-time order).  The pointer is valid
 * until the next call.  Returns 0, -ERANGE, or a decompression error. */
int mcap_message(struct mcap *m, uint32_t i, const uint8_t **data, size_t *len);

void mcap_close(struct mcap *m);

/* True when the bytes equal the NUL-terminated s. */
int mcap_bytes_eq(struct mcap_bytes b, const char *s);

#endif
