/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nats_write.c - see nats_write.h. */
#include "nats/nats_write.h"
#include "util/url.h"
#include "util/bytes.h"

#include <stdio.h>
#include <string.h>

int nats_subject_valid(const char *s, int wildcards)
{
	size_t n = 0, tok = 0;
	int wild = 0;             /* current token holds a wildcard */

	for (;; s++, n++) {
		char c = *s;

		if (c == '.' || c == '\0') {
			if (!tok)
				return 0;
			if (!c)
				return n <= NATS_SUBJECT_MAX;
			if (wild == '>')
				return 0;   /* '>' must be the last token */
			tok = 0;
			wild = 0;
			continue;
		}
		if (c <= ' ' || c > '~' || wild)
			return 0;
		if (c == '*' || c == '>') {
			if (!wildcards || tok)
				return 0;
			wild = c;
		}
		tok++;
	}
}

static uint8_t *put_dec(uint8_t *p, const uint8_t *end, uint64_t v)
{
	char d[24];
	int n = snprintf(d, sizeof d, "%llu", (unsigned long long)v);

	return put_bytes(p, end, d, (size_t)n);
}

/* A JSON string literal; control characters become \u00XX (RFC 8259 7). */
static uint8_t *put_json_str(uint8_t *p, const uint8_t *end, const char *s)
{
	p = put_u8(p, end, '"');
	for (; p && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			p = put_u8(p, end, '\\');
			p = put_u8(p, end, c);
		} else if (c < 0x20) {
			char e[8];

			snprintf(e, sizeof e, "\\u%04x", c);
			p = put_str(p, end, e);
		} else {
			p = put_u8(p, end, c);
		}
	}
	return put_u8(p, end, '"');
}

static uint8_t *put_field(uint8_t *p, const uint8_t *end, const char *key,
			  const char *val)
{
	if (!val)
		return p;
	p = put_u8(p, end, ',');
	p = put_json_str(p, end, key);
	p = put_u8(p, end, ':');
	return put_json_str(p, end, val);
}

uint8_t *nats_put_connect(uint8_t *p, const uint8_t *end,
			  const struct nats_connect_opts *o)
{
	p = put_str(p, end, "CONNECT {\"verbose\":false,\"pedantic\":false");
	p = put_field(p, end, "name", o->name);
	p = put_str(p, end, ",\"lang\":\"c\"");
	p = put_field(p, end, "version", o->version);
	p = put_str(p, end, ",\"protocol\":1");
	if (o->headers)
		p = put_str(p, end, ",\"headers\":true");
	if (o->headers && o->no_responders)
		p = put_str(p, end, ",\"no_responders\":true");
	if (o->token && *o->token) {
		p = put_field(p, end, "auth_token", o->token);
	} else if (o->user && *o->user) {
		p = put_field(p, end, "user", o->user);
		p = put_field(p, end, "pass", o->pass ? o->pass : "");
	}
	return put_str(p, end, "}\r\n");
}

uint8_t *nats_put_pub(uint8_t *p, const uint8_t *end, const char *subject,
		      const char *reply, size_t n)
{
	if (!nats_subject_valid(subject, 0) || (reply && !nats_subject_valid(reply, 0)))
		return NULL;
	p = put_str(p, end, "PUB ");
	p = put_str(p, end, subject);
	if (reply) {
		p = put_u8(p, end, ' ');
		p = put_str(p, end, reply);
	}
	p = put_u8(p, end, ' ');
	p = put_dec(p, end, n);
	return put_str(p, end, "\r\n");
}

uint8_t *nats_put_pub_msg(uint8_t *p, const uint8_t *end, const char *subject,
			  const char *reply, const void *data, size_t n)
{
	p = nats_put_pub(p, end, subject, reply, n);
	p = put_bytes(p, end, data, n);
	return put_str(p, end, "\r\n");
}

uint8_t *nats_put_sub(uint8_t *p, const uint8_t *end, const char *subject,
		      uint64_t sid)
{
	if (!nats_subject_valid(subject, 1))
		return NULL;
	p = put_str(p, end, "SUB ");
	p = put_str(p, end, subject);
	p = put_u8(p, end, ' ');
	p = put_dec(p, end, sid);
	return put_str(p, end, "\r\n");
}

uint8_t *nats_put_unsub(uint8_t *p, const uint8_t *end, uint64_t sid,
			uint64_t max)
{
	p = put_str(p, end, "UNSUB ");
	p = put_dec(p, end, sid);
	if (max) {
		p = put_u8(p, end, ' ');
		p = put_dec(p, end, max);
	}
	return put_str(p, end, "\r\n");
}

uint8_t *nats_put_ping(uint8_t *p, const uint8_t *end)
{
	return put_str(p, end, "PING\r\n");
}

uint8_t *nats_put_pong(uint8_t *p, const uint8_t *end)
{
	return put_str(p, end, "PONG\r\n");
}

/* Copy [s, e) into a NUL-terminated field of size cap. */
static int copy_part(char *dst, size_t cap, const char *s, const char *e)
{
	size_t n = (size_t)(e - s);

	if (n >= cap)
		return -1;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return 0;
}

int nats_url_parse(const char *url, struct nats_url *out)
{
	struct url u;

	memset(out, 0, sizeof *out);
	/* "nats://" may be left out; no other scheme (tls:// is not supported) */
	if (url_parse(url, &u) || (u.scheme[0] && strcmp(u.scheme, "nats")) ||
	    (*u.rest && strcmp(u.rest, "/")) ||
	    copy_part(out->host, sizeof out->host, u.host, u.host + strlen(u.host)))
		return -1;
	/* userinfo: "user:pass" or a bare token (no percent-decoding) */
	if (u.has_pass) {
		if (!u.user[0] ||
		    copy_part(out->user, sizeof out->user, u.user, u.user + strlen(u.user)) ||
		    copy_part(out->pass, sizeof out->pass, u.pass, u.pass + strlen(u.pass)))
			return -1;
	} else if (u.has_userinfo &&
		   copy_part(out->token, sizeof out->token, u.user, u.user + strlen(u.user))) {
		return -1;
	}
	out->port = (uint16_t)(u.port ? u.port : 4222);
	return 0;
}
