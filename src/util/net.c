/* SPDX-License-Identifier: GPL-2.0-or-later */
/* net.c - see net.h. */
#define _GNU_SOURCE
#include "util/net.h"
#include "util/url.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static int add_v4(struct net_addr *a, const struct in_addr *in, unsigned port)
{
	struct sockaddr_in *s = (struct sockaddr_in *)&a->sa;

	memset(a, 0, sizeof *a);
	s->sin_family = AF_INET;
	s->sin_port = htons((unsigned short)port);
	s->sin_addr = *in;
	a->len = sizeof *s;
	a->family = AF_INET;
	return 1;
}

static int add_v6(struct net_addr *a, const struct in6_addr *in, unsigned port)
{
	struct sockaddr_in6 *s = (struct sockaddr_in6 *)&a->sa;

	memset(a, 0, sizeof *a);
	s->sin6_family = AF_INET6;
	s->sin6_port = htons((unsigned short)port);
	s->sin6_addr = *in;
	a->len = sizeof *s;
	a->family = AF_INET6;
	return 1;
}

int net_resolve(const char *host, unsigned port, int socktype,
		struct net_addr *out, int max)
{
	struct addrinfo hints, *ai = NULL, *p;
	struct in_addr v4;
	struct in6_addr v6;
	char serv[8];
	int n = 0, r;

	if (!host || !*host || max < 1 || port > 65535)
		return -EINVAL;
	if (inet_pton(AF_INET, host, &v4) == 1)
		return add_v4(out, &v4, port);
	if (inet_pton(AF_INET6, host, &v6) == 1)
		return add_v6(out, &v6, port);
	/* RFC 6761 6.3: "localhost" is the loopback, resolved locally. */
	if (!strcasecmp(host, "localhost") || !strcasecmp(host, "localhost.")) {
		v4.s_addr = htonl(INADDR_LOOPBACK);
		n = add_v4(&out[0], &v4, port);
		if (max > 1)
			n += add_v6(&out[1], &in6addr_loopback, port);
		return n;
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = socktype;
	hints.ai_flags = AI_NUMERICSERV;
	snprintf(serv, sizeof serv, "%u", port);
	r = getaddrinfo(host, serv, &hints, &ai);
	switch (r) {
	case 0:
		break;
	case EAI_AGAIN: case EAI_FAIL: case EAI_MEMORY: case EAI_SYSTEM:
		return -EAGAIN;
	case EAI_NONAME: case EAI_NODATA: case EAI_ADDRFAMILY:
		return -ENOENT;
	default:
		return -EINVAL;
	}
	for (p = ai; p && n < max; p = p->ai_next) {
		if ((p->ai_family != AF_INET && p->ai_family != AF_INET6) ||
		    p->ai_addrlen > sizeof out[n].sa)
			continue;
		memset(&out[n], 0, sizeof out[n]);
		memcpy(&out[n].sa, p->ai_addr, p->ai_addrlen);
		out[n].len = p->ai_addrlen;
		out[n].family = p->ai_family;
		n++;
	}
	freeaddrinfo(ai);
	return n ? n : -ENOENT;
}

void net_addr_set_port(struct net_addr *a, unsigned port)
{
	if (a->family == AF_INET6)
		((struct sockaddr_in6 *)&a->sa)->sin6_port = htons((unsigned short)port);
	else
		((struct sockaddr_in *)&a->sa)->sin_port = htons((unsigned short)port);
}

const char *net_addr_str(const struct net_addr *a, char *buf, size_t cap)
{
	const void *in = a->family == AF_INET6 ?
		(const void *)&((const struct sockaddr_in6 *)&a->sa)->sin6_addr :
		(const void *)&((const struct sockaddr_in *)&a->sa)->sin_addr;

	if (!inet_ntop(a->family, in, buf, (socklen_t)cap))
		snprintf(buf, cap, "?");
	return buf;
}

int net_tcp_connect(const struct net_addr *a, int n, int sndbuf)
{
	int i, fd, one = 1, err = EINVAL;

	for (i = 0; i < n; i++) {
		fd = socket(a[i].family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			err = errno;
			continue;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		if (sndbuf > 0)
			setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
		if (connect(fd, (const struct sockaddr *)&a[i].sa, a[i].len) == 0 ||
		    errno == EINPROGRESS)
			return fd;
		err = errno;
		close(fd);
	}
	return -err;
}

int net_connect_result(int fd)
{
	int err = 0;
	socklen_t len = sizeof err;

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		return -errno;
	return -err;
}

int net_tcp_listen(const char *spec, int backlog)
{
	char host[256];
	unsigned port;
	struct net_addr a;
	int fd, one = 1, r;

	if (listen_parse(spec, host, sizeof host, &port))
		return -EINVAL;
	r = net_resolve(host, port, SOCK_STREAM, &a, 1);
	if (r < 0)
		return r == -EAGAIN ? -EAGAIN : -EINVAL;
	fd = socket(a.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (const struct sockaddr *)&a.sa, a.len) < 0 || listen(fd, backlog) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	return fd;
}
