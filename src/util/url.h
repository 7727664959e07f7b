/* SPDX-License-Identifier: GPL-2.0-or-later */
/* url.h - the one parser of "host:port" and "scheme://user@host:port/..."
 * (pure: no allocation, no resolving).
 *
 * RFC 3986 section 3 shapes, as far as our URLs need them:
 *
 *   [scheme "://"] [userinfo "@"] host [":" port] [rest]
 *
 * host is a name, an IPv4 literal or "[" IPv6 "]"; rest is whatever
 * follows the authority (starts with '/', '?' or '#').  userinfo is
 * split at its first ':' into user and pass; a userinfo without ':' (a
 * NATS token) is all in user.  No percent-decoding.
 */
#ifndef CVMMAP_URL_H
#define CVMMAP_URL_H

#include <stddef.h>

struct url {
	char scheme[16];       /* "" when the string has no "scheme://" */
	char user[256];        /* "" when absent */
	char pass[256];        /* "" when absent */
	int has_userinfo;
	int has_pass;          /* the userinfo had a ':' */
	char host[256];        /* without the [] of an IPv6 literal */
	unsigned port;         /* 0 when absent */
	const char *rest;      /* into the input: "/app/stream?k", "" */
};

/* 0, or -EINVAL for an empty host, an unbracketed IPv6 address, a bad or
 * zero port, more than one '@', or a part longer than its field. */
int url_parse(const char *s, struct url *u);

/* RFC 3986 2.1: decode %XX escapes in place (userinfo from a URL).
 * 0, or -1 for a malformed escape or one that decodes to NUL. */
int url_unescape(char *s);

/* "HOST:PORT" or "[v6]:PORT" (port 1..65535 required), host copied into
 * host[cap].  0 or -EINVAL. */
int hostport_parse(const char *s, char *host, size_t cap, unsigned *port);

/* A listening address, "[HOST:]PORT": hostport_parse() when s has a ':',
 * else decimal digits only, host "0.0.0.0" (every IPv4 interface).
 * 0 or -EINVAL. */
int listen_parse(const char *s, char *host, size_t cap, unsigned *port);

#endif
