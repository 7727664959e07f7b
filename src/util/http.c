/* SPDX-License-Identifier: GPL-2.0-or-later */
/* http.c - see http.h. */
#include "util/http.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int http_tchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* A span of tchar (want_token) or of visible characters (RFC 5234 VCHAR,
 * the request-target's alphabet, §3.2). */
static int all_of(const char *s, size_t n, int want_token)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (want_token ? !http_tchar(c) : c < 0x21 || c > 0x7e)
			return 0;
	}
	return 1;
}

/* RFC 9112 §3: request-line = method SP request-target SP HTTP-version,
 * then header fields, then an empty line (CRLF; a bare LF is accepted,
 * §2.2). */
int http_parse_request(const char *buf, size_t n, struct http_req *r)
{
	const char *end = NULL, *eol, *sp1, *sp2, *q;
	size_t i, ml, pl;

	for (i = 0; i < n; i++) {
		if (buf[i] != '\n')
			continue;
		if (i + 1 < n && buf[i + 1] == '\n') {
			end = buf + i + 2;
			break;
		}
		if (i + 2 < n && buf[i + 1] == '\r' && buf[i + 2] == '\n') {
			end = buf + i + 3;
			break;
		}
	}
	if (!end)
		return 0;
	eol = memchr(buf, '\n', n);
	if (eol > buf && eol[-1] == '\r')
		eol--;
	sp1 = memchr(buf, ' ', (size_t)(eol - buf));
	if (!sp1)
		return -EINVAL;
	sp2 = memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1));
	if (!sp2 || (size_t)(eol - sp2 - 1) != 8 || memcmp(sp2 + 1, "HTTP/1.", 7))
		return -EINVAL;
	ml = (size_t)(sp1 - buf);
	if (!ml || ml >= sizeof r->method || !all_of(buf, ml, 1) ||
	    !all_of(sp1 + 1, (size_t)(sp2 - sp1 - 1), 0))
		return -EINVAL;
	q = memchr(sp1 + 1, '?', (size_t)(sp2 - sp1 - 1));
	pl = (size_t)((q ? q : sp2) - sp1 - 1);
	if (!pl || sp1[1] != '/')
		return -EINVAL;   /* origin-form only (§3.2.1) */
	if (pl >= sizeof r->path)
		return -ENAMETOOLONG;
	memcpy(r->method, buf, ml);
	r->method[ml] = '\0';
	memcpy(r->path, sp1 + 1, pl);
	r->path[pl] = '\0';
	return (int)(end - buf);
}

const char *http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 414: return "URI Too Long";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Unknown";
	}
}

size_t http_response_head(char *buf, size_t cap, int status, const char *ctype,
			  size_t body_len)
{
	int n = snprintf(buf, cap, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n"
			 "Content-Length: %zu\r\nConnection: close\r\n\r\n",
			 status, http_reason(status), ctype, body_len);

	return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}
