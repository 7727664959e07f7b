/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nats_write.h - the NATS client protocol, client -> server side (pure).
 *
 * Bounds-checked (ptr, end) writers in the style of util/bytes.h: each
 * returns the advanced cursor, or NULL (sticky) when the text does not
 * fit or an argument would break the framing (a subject with a space or
 * CRLF, an empty token, ...).  Also the nats:// URL parser.
 */
#ifndef CVMMAP_NATS_WRITE_H
#define CVMMAP_NATS_WRITE_H

#include <stddef.h>
#include <stdint.h>

#define NATS_SUBJECT_MAX 255   /* our own bound; the protocol has none */

/* CONNECT fields we send.  NULL strings are left out. */
struct nats_connect_opts {
	const char *name, *version;
	const char *user, *pass, *token;
	int headers;               /* "headers":true (accept HMSG) */
	int no_responders;         /* "no_responders":true (needs headers) */
};

/* 1 when s is a usable subject: 1..NATS_SUBJECT_MAX printable ASCII
 * characters without spaces, no empty tokens ("a..b", ".a", "a.").
 * Wildcards '*' and '>' are allowed only when wildcards is set, and
 * only as whole tokens ('>' last). */
int nats_subject_valid(const char *s, int wildcards);

/* CONNECT {"verbose":false,"pedantic":false,...}\r\n */
uint8_t *nats_put_connect(uint8_t *p, const uint8_t *end,
			  const struct nats_connect_opts *o);
/* PUB <subject> [reply-to] <#bytes>\r\n  (the control line only; the
 * caller writes the payload and a final CRLF, see nats_put_pub_msg) */
uint8_t *nats_put_pub(uint8_t *p, const uint8_t *end, const char *subject,
		      const char *reply, size_t n);
/* The whole PUB: control line, payload, CRLF. */
uint8_t *nats_put_pub_msg(uint8_t *p, const uint8_t *end, const char *subject,
			  const char *reply, const void *data, size_t n);
/* SUB <subject> <sid>\r\n  (wildcards allowed) */
uint8_t *nats_put_sub(uint8_t *p, const uint8_t *end, const char *subject,
		      uint64_t sid);
/* UNSUB <sid> [max_msgs]\r\n  (max 0: no limit given) */
uint8_t *nats_put_unsub(uint8_t *p, const uint8_t *end, uint64_t sid,
			uint64_t max);
uint8_t *nats_put_ping(uint8_t *p, const uint8_t *end);
uint8_t *nats_put_pong(uint8_t *p, const uint8_t *end);

/* nats://[user:pass@|token@]host[:port], host may be [v6].  "nats://"
 * may be left out; port defaults to 4222.  Fields are NUL-terminated
 * copies; user/pass/token are empty when absent. */
struct nats_url {
	char host[256];
	uint16_t port;
	char user[128], pass[128], token[256];
};

/* Returns 0, or -1 (with *out unspecified) on a malformed URL, an
 * unknown scheme (tls:// is not supported) or an over-long part. */
int nats_url_parse(const char *url, struct nats_url *out);

#endif
