/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rtmp_chunk.h - RTMP chunk stream writer and reader (pure, no sockets).
 *
 * RTMP 1.0 section 5.3; docs/protocols.md §1.2.  A message is cut into chunks
 * of at most chunk_size payload bytes.  The writer always starts a
 * message with a fmt-0 header (absolute timestamp, so there is never a
 * disputed extended delta) and continues with fmt-3 headers, repeating
 * the 4-byte extended timestamp after each fmt-3 basic header whenever
 * the message timestamp is >= 0xFFFFFF.
 *
 * The reader is incremental: feed it whatever the socket returned; it
 * hands back one complete message at a time.  It obeys Set Chunk Size
 * and Abort itself, bounds message size and the number of chunk streams,
 * and rejects malformed input with an error instead of crashing.
 */
#ifndef CVMMAP_RTMP_CHUNK_H
#define CVMMAP_RTMP_CHUNK_H

#include <stddef.h>
#include <stdint.h>

#define RTMP_DEFAULT_CHUNK_SIZE 128
#define RTMP_MAX_CHUNK_SIZE 0x7fffffffu
#define RTMP_EXT_TS 0xffffffu

/* Chunk stream ids used by our publisher (FFmpeg-like, docs/protocols.md §1.5). */
enum { RTMP_CSID_CONTROL = 2, RTMP_CSID_COMMAND = 3, RTMP_CSID_DATA = 4,
       RTMP_CSID_VIDEO = 6 };

/* Message type ids (RTMP 1.0 sections 5.4, 7.1; docs/protocols.md §1.3). */
enum {
	RTMP_MSG_SET_CHUNK_SIZE = 1, RTMP_MSG_ABORT = 2, RTMP_MSG_ACK = 3,
	RTMP_MSG_USER_CONTROL = 4, RTMP_MSG_WINDOW_ACK_SIZE = 5,
	RTMP_MSG_SET_PEER_BW = 6, RTMP_MSG_AUDIO = 8, RTMP_MSG_VIDEO = 9,
	RTMP_MSG_AMF3_DATA = 15, RTMP_MSG_AMF3_CMD = 17,
	RTMP_MSG_AMF0_DATA = 18, RTMP_MSG_AMF0_CMD = 20,
};

/* One message: header fields plus body.  For the reader, body points into
 * the reader's buffer and is valid until the next rtmp_chunk_read(). */
struct rtmp_msg {
	uint32_t csid;
	uint32_t ts;            /* ms */
	uint32_t sid;           /* message stream id */
	uint8_t type;
	const uint8_t *body;
	size_t len;
};

/* ---- writer ------------------------------------------------------------ */

/* Bytes rtmp_chunk_write() needs for a message of len bytes. */
size_t rtmp_chunk_size_needed(uint32_t csid, uint32_t ts, size_t len,
			      uint32_t chunk_size);

/* Chunk message m (csid 2..65599, len < 2^24) into out[cap].  Returns the
 * bytes written, or -EINVAL / -ENOSPC (nothing useful in out then). */
int rtmp_chunk_write(uint8_t *out, size_t cap, const struct rtmp_msg *m,
		     uint32_t chunk_size);

/* ---- reader ------------------------------------------------------------ */

#define RTMP_READER_SLOTS 8     /* chunk streams tracked at once */

struct rtmp_chunk_slot {
	uint32_t csid;          /* 0 = unused */
	uint32_t ts, delta, len, sid;
	uint8_t type, ext;      /* ext: last fmt 0/1/2 header used ext ts */
	uint32_t got;           /* bytes of the current message so far */
	uint8_t *buf;           /* max_msg bytes */
};

struct rtmp_chunk_reader {
	uint32_t chunk_size;    /* incoming chunk size (starts at 128) */
	size_t max_msg;
	/* current chunk: slot index and bytes still due in its payload */
	int cur;
	uint32_t left;
	struct rtmp_chunk_slot slot[RTMP_READER_SLOTS];
	uint8_t *mem;
};

/* Allocate buffers for messages up to max_msg bytes.  0 or -ENOMEM. */
int rtmp_chunk_reader_init(struct rtmp_chunk_reader *r, size_t max_msg);
void rtmp_chunk_reader_free(struct rtmp_chunk_reader *r);

/* Consume bytes from p[0..n).  Returns the number consumed (>= 0) and,
 * when a message completed, sets *done = 1 and fills *m; call again with
 * the rest.  Returns 0 with *done = 0 when more input is needed: the
 * caller keeps the unconsumed bytes (at most 18, a chunk header) and
 * appends the next read to them.  Negative: -EPROTO (malformed, e.g. a
 * first chunk that is not fmt 0), -EMSGSIZE (message above max_msg),
 * -ENOSPC (too many chunk streams).  A Set Chunk Size (type 1) or Abort
 * (type 2) message is applied here and still returned. */
int rtmp_chunk_read(struct rtmp_chunk_reader *r, const uint8_t *p, size_t n,
		    struct rtmp_msg *m, int *done);

#endif
