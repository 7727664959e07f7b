/* SPDX-License-Identifier: GPL-2.0-or-later */
/* http.h - the few bytes of HTTP/1.1 (RFC 9112) a read-only responder
 * needs: parse a request head, build a response head.  Pure code over
 * byte buffers; the sockets live in util/httpd.c.
 */
#ifndef CVMMAP_HTTP_H
#define CVMMAP_HTTP_H

#include <stddef.h>

#define HTTP_PATH_MAX 128

struct http_req {
	char method[8];             /* "GET", "HEAD", ... */
	char path[HTTP_PATH_MAX];   /* origin-form target, query removed */
};

/* Parse the request head at buf[0..n).  Returns the head's length (up to
 * and including the blank line) once it is complete, 0 while more bytes
 * are needed, -EINVAL for a malformed request line (400), -ENAMETOOLONG
 * for a target longer than HTTP_PATH_MAX - 1 (414).  Header fields are
 * skipped: a responder of read-only text needs none of them. */
int http_parse_request(const char *buf, size_t n, struct http_req *r);

/* "HTTP/1.1 <status> <reason>", Content-Type, Content-Length and
 * "Connection: close", then the blank line.  Returns the length, or 0
 * when cap is too small. */
size_t http_response_head(char *buf, size_t cap, int status, const char *ctype,
			  size_t body_len);

/* RFC 9110 §5.6.2 tchar: the characters of a token (a method, a header
 * field name); RTSP 1.0 (RFC 2326 15.1) has the same. */
int http_tchar(unsigned char c);

/* The reason phrase of the statuses this tree sends (RFC 9110 §15). */
const char *http_reason(int status);

#endif
