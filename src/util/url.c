/* SPDX-License-Identifier: GPL-2.0-or-later */
/* url.c - see url.h. */
#include "util/url.h"

#include <errno.h>
#include <string.h>

static int copy_span(char *dst, size_t cap, const char *s, size_t n)
{
	if (n >= cap)
		return -EINVAL;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return 0;
}

/* Decimal port in [s, e): 1..65535. */
static int parse_port(const char *s, const char *e, unsigned *port)
{
	unsigned long v = 0;

	if (s == e)
		return -EINVAL;
	for (; s < e; s++) {
		if (*s < '0' || *s > '9' || v > 65535)
			return -EINVAL;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	if (!v || v > 65535)
		return -EINVAL;
	*port = (unsigned)v;
	return 0;
}

int url_parse(const char *s, struct url *u)
{
	const char *sep = strstr(s, "://"), *e, *at, *hs, *he, *colon;

	memset(u, 0, sizeof *u);
	/* RFC 3986 3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
	if (sep && (size_t)(sep - s) == strspn(s, "abcdefghijklmnopqrstuvwxyz"
						"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.")) {
		if (sep == s || copy_span(u->scheme, sizeof u->scheme, s, (size_t)(sep - s)))
			return -EINVAL;
		s = sep + 3;
	}
	e = s + strcspn(s, "/?#");
	u->rest = e;
	/* 3.2.1 userinfo */
	at = memchr(s, '@', (size_t)(e - s));
	if (at) {
		const char *c = memchr(s, ':', (size_t)(at - s));

		if (at == s || memchr(at + 1, '@', (size_t)(e - at - 1)))
			return -EINVAL;
		if (copy_span(u->user, sizeof u->user, s, (size_t)((c ? c : at) - s)) ||
		    (c && copy_span(u->pass, sizeof u->pass, c + 1, (size_t)(at - c - 1))))
			return -EINVAL;
		u->has_userinfo = 1;
		u->has_pass = c != NULL;
		s = at + 1;
	}
	/* 3.2.2 host, 3.2.3 port */
	if (*s == '[') {
		hs = s + 1;
		he = memchr(hs, ']', (size_t)(e - hs));
		if (!he)
			return -EINVAL;
		colon = he + 1 < e ? he + 1 : NULL;
		if (colon && *colon != ':')
			return -EINVAL;
	} else {
		hs = s;
		colon = memchr(s, ':', (size_t)(e - s));
		he = colon ? colon : e;
		if (colon && memchr(colon + 1, ':', (size_t)(e - colon - 1)))
			return -EINVAL;  /* IPv6 needs brackets */
	}
	if (he == hs || copy_span(u->host, sizeof u->host, hs, (size_t)(he - hs)))
		return -EINVAL;
	if (colon && parse_port(colon + 1, e, &u->port))
		return -EINVAL;
	return 0;
}

int hostport_parse(const char *s, char *host, size_t cap, unsigned *port)
{
	struct url u;

	if (strstr(s, "://") || strchr(s, '@') || url_parse(s, &u) || *u.rest || !u.port ||
	    copy_span(host, cap, u.host, strlen(u.host)))
		return -EINVAL;
	*port = u.port;
	return 0;
}

int listen_parse(const char *s, char *host, size_t cap, unsigned *port)
{
	if (strchr(s, ':'))
		return hostport_parse(s, host, cap, port);
	if (parse_port(s, s + strlen(s), port))
		return -EINVAL;
	return copy_span(host, cap, "0.0.0.0", 7);
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

int url_unescape(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (*s == '%') {
			int hi = hexval(s[1]), lo = hi < 0 ? -1 : hexval(s[2]);

			if (lo < 0 || (!hi && !lo))
				return -1;
			*w++ = (char)(hi << 4 | lo);
			s += 2;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
	return 0;
}
