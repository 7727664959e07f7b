/* SPDX-License-Identifier: GPL-2.0-or-later */
/* httpd.h - a tiny non-blocking HTTP/1.1 responder for read-only pages
 * (/metrics, /healthz), polled from the caller's loop.
 *
 * At most HTTPD_CLIENTS connections; a request head is at most
 * HTTPD_HEAD_MAX bytes (431 beyond); a connection that has not finished
 * within HTTPD_TIMEOUT_MS is closed; one request per connection
 * ("Connection: close").  GET and HEAD only (405 otherwise).  Buffers
 * are allocated by httpd_open(), none later; nothing blocks.
 */
#ifndef CVMMAP_HTTPD_H
#define CVMMAP_HTTPD_H

#include "util/http.h"

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#define HTTPD_CLIENTS 4
#define HTTPD_HEAD_MAX 2048
#define HTTPD_TIMEOUT_MS 5000

/* The page for r->path: write at most cap bytes into body, set *len and
 * *ctype, return the status (200, 404, 503 ...). */
typedef int (*httpd_page_fn)(void *arg, const struct http_req *r, char *body, size_t cap,
			     size_t *len, const char **ctype);

struct httpd_stats {
	uint64_t requests;          /* responses sent, any status */
	uint64_t busy;              /* connections refused: all slots taken */
	uint64_t bad;               /* 400/405/414/431 answers and timeouts */
};

struct httpd;

/* Listen on "[HOST:]PORT" ("PORT" alone: every IPv4 interface).
 * page_cap: the largest page.  0, -EINVAL for a bad address, else the
 * socket's -errno (-EADDRINUSE ...). */
int httpd_open(struct httpd **out, const char *listen, size_t page_cap, httpd_page_fn fn,
	       void *arg);
int httpd_pollfds(struct httpd *h, struct pollfd *pfd, int max, int *timeout_ms,
		  uint64_t now_ns);
void httpd_service(struct httpd *h, const struct pollfd *pfd, int n, uint64_t now_ns);
void httpd_get_stats(const struct httpd *h, struct httpd_stats *st);
void httpd_close(struct httpd *h);

#endif
