/* SPDX-License-Identifier: GPL-2.0-or-later */
/* net.h - name lookup and TCP connect shared by every socket (RTP, RTMP,
 * NATS, the testers).
 *
 * Numeric IPv4/IPv6 addresses and "localhost" are answered without the
 * C library's resolver: a fully static binary in an initramfs has no
 * NSS modules and often no /etc/hosts, and must still reach 127.0.0.1
 * when told "localhost".  Other names go to getaddrinfo(), whose
 * failures are split into "may pass" (no network yet, DNS down: the
 * caller retries with its backoff) and "does not exist".
 */
#ifndef CVMMAP_NET_H
#define CVMMAP_NET_H

#include <stddef.h>
#include <sys/socket.h>

#define NET_ADDR_MAX 4

struct net_addr {
	struct sockaddr_storage sa;
	socklen_t len;
	int family;            /* AF_INET / AF_INET6 */
};

/* Up to max addresses of host:port for socktype (SOCK_DGRAM/SOCK_STREAM).
 * Returns their count (>= 1), -EAGAIN when the lookup may succeed later,
 * -ENOENT when the name does not exist, -EINVAL for anything else. */
int net_resolve(const char *host, unsigned port, int socktype,
		struct net_addr *out, int max);

/* Change the port of a resolved address. */
void net_addr_set_port(struct net_addr *a, unsigned port);

/* The numeric address (no port) into buf; returns buf. */
const char *net_addr_str(const struct net_addr *a, char *buf, size_t cap);

/* A non-blocking TCP socket connecting to the first of a[0..n) that
 * accepts the attempt (TCP_NODELAY; SO_SNDBUF when sndbuf > 0).  The
 * connection may still be in progress: poll for POLLOUT, then read
 * SO_ERROR (net_connect_result).  Returns the fd or -errno. */
int net_tcp_connect(const struct net_addr *a, int n, int sndbuf);

/* After POLLOUT on a connecting socket: 0 when connected, else -errno. */
int net_connect_result(int fd);

/* A non-blocking listening TCP socket on "[HOST:]PORT" ("PORT" alone:
 * every IPv4 interface), SO_REUSEADDR set.  The fd, -EINVAL for a bad
 * address, -EAGAIN when the name cannot be resolved now, else the
 * socket's -errno (-EADDRINUSE ...). */
int net_tcp_listen(const char *spec, int backlog);

#endif
