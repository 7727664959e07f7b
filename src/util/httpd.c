/* SPDX-License-Identifier: GPL-2.0-or-later */
/* httpd.c - see httpd.h.  The bytes are http.c's; this file only moves
 * them between sockets and buffers. */
#include "util/httpd.h"
#include "util/net.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Room for the response head in front of the page, which is rendered
 * there first and moved up against the head once its length is known. */
#define HEAD_ROOM 256

struct client {
	int fd;                     /* -1: free */
	uint64_t deadline;
	size_t in_n, out_n, out_off;
	char in[HTTPD_HEAD_MAX];
	char *out;                  /* head + page */
};

struct httpd {
	int lfd;
	size_t out_cap;
	httpd_page_fn fn;
	void *arg;
	struct httpd_stats st;
	struct client c[HTTPD_CLIENTS];
};

int httpd_open(struct httpd **out, const char *spec, size_t page_cap, httpd_page_fn fn,
	       void *arg)
{
	struct httpd *h = calloc(1, sizeof *h);
	int i, r;

	if (!h)
		return -ENOMEM;
	h->lfd = -1;
	h->fn = fn;
	h->arg = arg;
	h->out_cap = page_cap + HEAD_ROOM;
	for (i = 0; i < HTTPD_CLIENTS; i++) {
		h->c[i].fd = -1;
		if (!(h->c[i].out = malloc(h->out_cap))) {
			httpd_close(h);
			return -ENOMEM;
		}
	}
	r = h->lfd = net_tcp_listen(spec, 8);
	if (r < 0) {
		httpd_close(h);
		return r;
	}
	*out = h;
	return 0;
}

static void drop(struct client *c)
{
	close(c->fd);
	c->fd = -1;
}

/* The whole response into c->out; the connection then only writes. */
static void respond(struct httpd *h, struct client *c, int status, const struct http_req *r)
{
	const char *ctype = "text/plain; charset=utf-8";
	size_t body = 0, head;
	char *page = c->out + HEAD_ROOM;

	if (status == 200) {
		status = h->fn(h->arg, r, page, h->out_cap - HEAD_ROOM, &body, &ctype);
	} else {
		body = (size_t)snprintf(page, h->out_cap - HEAD_ROOM, "%d %s\n", status,
					http_reason(status));
		h->st.bad++;
	}
	head = http_response_head(c->out, HEAD_ROOM, status, ctype, body);
	/* RFC 9110 §9.3.2: HEAD gets GET's head, Content-Length included */
	if (r && !strcmp(r->method, "HEAD"))
		body = 0;
	memmove(c->out + head, page, body);
	c->out_n = head + body;
	c->out_off = 0;
	h->st.requests++;
	shutdown(c->fd, SHUT_RD);
}

static void on_readable(struct httpd *h, struct client *c)
{
	struct http_req r;
	ssize_t n = read(c->fd, c->in + c->in_n, sizeof c->in - c->in_n);
	int k;

	if (n <= 0) {
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			drop(c);
		return;
	}
	c->in_n += (size_t)n;
	k = http_parse_request(c->in, c->in_n, &r);
	if (k == 0 && c->in_n == sizeof c->in)
		respond(h, c, 431, NULL);
	else if (k == -ENAMETOOLONG)
		respond(h, c, 414, NULL);
	else if (k < 0)
		respond(h, c, 400, NULL);
	else if (k > 0)
		respond(h, c, strcmp(r.method, "GET") && strcmp(r.method, "HEAD") ? 405 : 200,
			&r);
}

static void on_writable(struct client *c)
{
	ssize_t n = write(c->fd, c->out + c->out_off, c->out_n - c->out_off);

	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			drop(c);
		return;
	}
	c->out_off += (size_t)n;
	if (c->out_off == c->out_n)
		drop(c);
}

int httpd_pollfds(struct httpd *h, struct pollfd *pfd, int max, int *timeout_ms,
		  uint64_t now_ns)
{
	int i, n = 0;

	if (max < 1 + HTTPD_CLIENTS)
		return 0;
	pfd[n].fd = h->lfd;
	pfd[n++].events = POLLIN;
	for (i = 0; i < HTTPD_CLIENTS; i++) {
		struct client *c = &h->c[i];
		int ms;

		pfd[n].fd = c->fd;          /* -1: poll ignores the entry */
		pfd[n++].events = c->out_n ? POLLOUT : POLLIN;
		if (c->fd < 0)
			continue;
		ms = c->deadline > now_ns ? (int)((c->deadline - now_ns) / 1000000u) + 1 : 0;
		if (ms < *timeout_ms)
			*timeout_ms = ms;
	}
	return n;
}

void httpd_service(struct httpd *h, const struct pollfd *pfd, int n, uint64_t now_ns)
{
	int i;

	if (n < 1 + HTTPD_CLIENTS)
		return;
	for (i = 0; i < HTTPD_CLIENTS; i++) {
		struct client *c = &h->c[i];
		short ev = pfd[1 + i].revents;

		if (c->fd < 0 || pfd[1 + i].fd != c->fd)
			continue;
		if (ev & (POLLERR | POLLNVAL))
			drop(c);
		else if (c->out_n && (ev & (POLLOUT | POLLHUP)))
			on_writable(c);
		else if (!c->out_n && (ev & (POLLIN | POLLHUP)))
			on_readable(h, c);
		if (c->fd >= 0 && now_ns >= c->deadline) {
			h->st.bad++;
			drop(c);
		}
	}
	if (pfd[0].revents & POLLIN) {
		int fd;

		while ((fd = accept(h->lfd, NULL, NULL)) >= 0) {
			fcntl(fd, F_SETFL, O_NONBLOCK);
			fcntl(fd, F_SETFD, FD_CLOEXEC);
			for (i = 0; i < HTTPD_CLIENTS && h->c[i].fd >= 0; i++)
				;
			if (i == HTTPD_CLIENTS) {
				h->st.busy++;
				close(fd);
				continue;
			}
			h->c[i].fd = fd;
			h->c[i].in_n = h->c[i].out_n = h->c[i].out_off = 0;
			h->c[i].deadline = now_ns + HTTPD_TIMEOUT_MS * 1000000ull;
		}
	}
}

void httpd_get_stats(const struct httpd *h, struct httpd_stats *st)
{
	*st = h->st;
}

void httpd_close(struct httpd *h)
{
	int i;

	if (!h)
		return;
	for (i = 0; i < HTTPD_CLIENTS; i++) {
		if (h->c[i].fd >= 0)
			close(h->c[i].fd);
		free(h->c[i].out);
	}
	if (h->lfd >= 0)
		close(h->lfd);
	free(h);
}
