/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nats_parse.h - the NATS client protocol, server -> client side (pure).
 *
 * Reference: NATS client protocol ("docs.nats.io/reference/reference-
 * protocols/nats-protocol"): every control line ends in CRLF; the
 * server sends INFO {json}, MSG <subject> <sid> [reply-to] <#bytes>,
 * HMSG <subject> <sid> [reply-to] <#header bytes> <#total bytes> (NATS
 * 2.2 headers), PING, PONG, +OK and -ERR '<text>'.  MSG/HMSG are followed
 * by the payload and another CRLF.
 *
 * nats_parse() is a byte-at-a-time state machine: it may be fed the
 * stream in pieces of any size, split anywhere, and produces the same
 * callbacks.  Control lines collect in a fixed scratch (NATS_LINE_MAX);
 * payloads are copied into a caller-owned buffer of fixed capacity, and a
 * payload larger than that is skipped and counted, never buffered.  Any
 * malformed byte moves the parser into a sticky error state: the caller
 * drops the connection and calls nats_parse_reset().  Nothing here
 * allocates or touches a socket.
 */
#ifndef CVMMAP_NATS_PARSE_H
#define CVMMAP_NATS_PARSE_H

#include <stddef.h>
#include <stdint.h>

#define NATS_LINE_MAX 8192      /* longest control line (INFO grows with cluster URLs) */

enum nats_op {
	NATS_OP_INFO = 1, NATS_OP_MSG, NATS_OP_PING, NATS_OP_PONG,
	NATS_OP_OK, NATS_OP_ERR,
};

/* One server operation.  Every pointer is valid only during the
 * callback (it points into the parser's scratch or payload buffer). */
struct nats_event {
	enum nats_op op;
	const char *text;          /* INFO: the JSON; -ERR: text without quotes */
	size_t text_len;
	/* MSG and HMSG (hdr_len > 0 only for HMSG) */
	const char *subject, *reply; /* reply NULL when absent */
	size_t subject_len, reply_len;
	uint64_t sid;
	const uint8_t *hdr, *data;
	size_t hdr_len, len;
};

/* Return 0 to go on; any other value stops nats_parse(), which returns it. */
typedef int (*nats_event_fn)(void *arg, const struct nats_event *ev);

struct nats_parser {
	int state;
	int op;                    /* enum nats_op being parsed; HMSG is MSG + is_hmsg */
	int is_hmsg;
	size_t len;                /* bytes in line[] */
	size_t need, got;          /* payload bytes expected / received */
	size_t hdr_len;
	int skipping;              /* payload over capacity: discard it */
	struct nats_event msg;     /* MSG fields, pointers into line[] */
	uint8_t *buf;              /* payload buffer (caller-owned) */
	size_t cap;
	uint64_t skipped;          /* messages skipped for size */
	nats_event_fn fn;
	void *arg;
	char line[NATS_LINE_MAX];
};

#define NATS_EPROTO (-71)      /* == -EPROTO on Linux; one error for all */

/* Prepare p.  buf/cap is the payload buffer the caller keeps alive for
 * as long as p (cap bounds the largest message delivered). */
void nats_parse_init(struct nats_parser *p, uint8_t *buf, size_t cap,
		     nats_event_fn fn, void *arg);
/* Forget any partial operation and the error state (new connection). */
void nats_parse_reset(struct nats_parser *p);
/* Feed n bytes.  Returns 0, NATS_EPROTO on malformed input (sticky until
 * reset), or the non-zero value a callback returned. */
int nats_parse(struct nats_parser *p, const uint8_t *data, size_t n);

/* ---- INFO JSON and HMSG headers ------------------------------------- */

struct nats_info {
	uint64_t max_payload;      /* 0 when absent */
	int auth_required;
	int headers;               /* server supports HMSG */
	char server_id[64];        /* truncated, NUL-terminated */
};

/* Extract the fields above from an INFO object.  Returns 0, or -1 when
 * the text is not a JSON object.  Unknown fields are ignored. */
int nats_info_parse(const char *json, size_t n, struct nats_info *out);

/* The status code of an HMSG header block ("NATS/1.0 503\r\n..."), e.g.
 * 503 for "no responders"; 0 when the block has no status. */
int nats_hdr_status(const uint8_t *hdr, size_t n);

#endif
