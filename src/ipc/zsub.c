/* SPDX-License-Identifier: GPL-2.0-or-later */
/* zsub.c - the in-tree ZeroMQ subscriber: zmtp.c over one non-blocking
 * ipc:// or tcp:// stream socket (zsub.h).
 *
 * Behaves as a libzmq SUB with default options does, as far as the
 * cv-mmap input can see: connecting never fails for a missing publisher,
 * a lost connection (producer restart, EOF, protocol error, ERROR) is
 * re-established with a backoff of 100..400 ms (libzmq: every 100 ms),
 * and every frame is received on its own.  No thread: all I/O happens in
 * wait() and recv(), which the input calls at least every 100 ms.
 * Everything is allocated in open().
 */
#include "ipc/zsub.h"
#include "ipc/zmtp.h"

#include "util/backoff.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/net.h"
#include "util/prng.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define TAG "zmtp"
#define RETRY_MIN_MS 100
#define RETRY_MAX_MS 400
#define MSG_KEEP 256           /* frame bytes kept; syncs are 48 */

enum zstate { Z_IDLE, Z_CONNECTING, Z_UP };

struct zsub {
	struct zmtp_endpoint ep;
	unsigned minor;
	int sub_command;
	int fd;
	enum zstate state;
	int ready;                /* a frame in sess.msg not yet received */
	int counted;              /* this connection's handshake counted */
	uint64_t retry_ns;
	unsigned long connects;
	struct backoff bo;
	struct prng rng;
	struct log_limit rl_err;
	struct zmtp_sub sess;
	size_t rx_off, rx_len;
	uint8_t rx[4096];
	uint8_t msg[MSG_KEEP];
};

/* Close the connection and schedule the next attempt. */
static void drop(struct zsub *z, const char *why)
{
	if (z->fd >= 0) {
		close(z->fd);
		log_debug(TAG, "%s%s: disconnected (%s)", z->ep.transport == ZMTP_IPC ? "ipc://" : "tcp://",
			  z->ep.addr, why);
	}
	z->fd = -1;
	z->state = Z_IDLE;
	z->ready = 0;
	z->retry_ns = clock_mono_ns() + backoff_next(&z->bo, &z->rng) * 1000000ull;
}

static void up(struct zsub *z)
{
	z->state = Z_UP;
	z->rx_off = z->rx_len = 0;
	z->counted = 0;
	zmtp_sub_init(&z->sess, z->minor, z->msg, sizeof z->msg);
	z->sess.sub_command = z->sub_command;
}

static int ipc_connect(struct zsub *z)
{
	struct sockaddr_un sa;
	socklen_t len;
	size_t pl = strlen(z->ep.addr);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, z->ep.addr, pl);   /* pl < sizeof sun_path: zmtp_endpoint_parse */
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + pl);
	if (z->ep.addr[0] == '@')
		sa.sun_path[0] = 0;            /* libzmq's abstract namespace */
	else
		len++;
	if (connect(fd, (struct sockaddr *)&sa, len) < 0 && errno != EINPROGRESS) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

static void try_connect(struct zsub *z)
{
	struct net_addr a[NET_ADDR_MAX];
	int n, fd;

	if (z->ep.transport == ZMTP_IPC) {
		fd = ipc_connect(z);
	} else {
		n = net_resolve(z->ep.addr, z->ep.port, SOCK_STREAM, a, NET_ADDR_MAX);
		fd = n > 0 ? net_tcp_connect(a, n, 0) : n;
	}
	if (fd < 0) {
		z->fd = -1;
		drop(z, strerror(-fd));
		return;
	}
	z->fd = fd;
	z->state = Z_CONNECTING;   /* POLLOUT says when; ipc usually at once */
}

static void flush(struct zsub *z)
{
	ssize_t n;

	while (z->state == Z_UP && z->sess.out_len) {
		n = send(z->fd, z->sess.out, z->sess.out_len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			zmtp_sub_sent(&z->sess, (size_t)n);
		} else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
			return;
		} else {
			drop(z, n < 0 ? strerror(errno) : "send");
			return;
		}
	}
}

/* Feed buffered bytes to the session until it yields a frame. */
static int process(struct zsub *z)
{
	size_t used;
	int r;

	while (!z->ready && z->state == Z_UP && z->rx_off < z->rx_len) {
		r = zmtp_sub_input(&z->sess, z->rx + z->rx_off, z->rx_len - z->rx_off, &used);
		z->rx_off += used;
		if (r < 0) {
			log_limited(&z->rl_err, LOG_WARN, TAG, "%s: %s: reconnecting",
				    z->ep.addr, zmtp_reason_str(r));
			drop(z, zmtp_reason_str(r));
			return 0;
		}
		if (z->sess.phase == ZMTP_OPEN && !z->counted) {
			z->counted = 1;
			z->connects++;
			backoff_reset(&z->bo);
			log_debug(TAG, "%s: connected, ZMTP 3.%u, peer %s", z->ep.addr,
				  z->sess.minor, z->sess.peer_type);
		}
		flush(z);
		z->ready = r == 1 && z->state == Z_UP;
	}
	return z->ready;
}

static void readsome(struct zsub *z)
{
	ssize_t n = recv(z->fd, z->rx, sizeof z->rx, MSG_DONTWAIT);

	if (n > 0) {
		z->rx_off = 0;
		z->rx_len = (size_t)n;
	} else if (n == 0) {
		drop(z, "closed by peer");
	} else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
		drop(z, strerror(errno));
	}
}

/* Do I/O until a frame is ready or timeout_ms passed (0: one non-blocking
 * pass).  1 ready, 0 not, -errno from poll. */
static int io(struct zsub *z, int timeout_ms)
{
	uint64_t deadline = clock_mono_ns() + (uint64_t)timeout_ms * 1000000ull, now;
	struct pollfd pfd;
	int wait, r, pass = 0;

	for (;;) {
		if (process(z))
			return 1;
		now = clock_mono_ns();
		if (z->state == Z_IDLE && now >= z->retry_ns) {
			try_connect(z);
			if (z->state == Z_IDLE)
				continue;   /* retry_ns is in the future now */
		}
		if (pass++ && now >= deadline)
			return 0;
		wait = now >= deadline ? 0 : (int)((deadline - now + 999999) / 1000000);
		if (z->state == Z_IDLE && z->retry_ns > now &&
		    (z->retry_ns - now) / 1000000 < (uint64_t)wait)
			wait = (int)((z->retry_ns - now + 999999) / 1000000);
		pfd.fd = z->fd;
		pfd.events = z->state == Z_CONNECTING ? POLLOUT
			   : (short)(POLLIN | (z->sess.out_len ? POLLOUT : 0));
		pfd.revents = 0;
		r = poll(&pfd, z->state == Z_IDLE ? 0 : 1, wait);
		if (r < 0)
			return errno == EINTR ? 0 : -errno;
		if (!r)
			continue;
		if (z->state == Z_CONNECTING) {
			r = net_connect_result(z->fd);
			if (r < 0)
				drop(z, strerror(-r));
			else
				up(z);
			flush(z);
			continue;
		}
		if (pfd.revents & POLLOUT)
			flush(z);
		if (z->state == Z_UP && (pfd.revents & (POLLIN | POLLHUP | POLLERR)))
			readsome(z);
	}
}

int zsub_zmtp_open(struct zsub **out, const char *endpoint, unsigned minor,
		   int sub_command)
{
	struct zsub *z;

	*out = NULL;
	z = calloc(1, sizeof *z);
	if (!z)
		return -ENOMEM;
	if (zmtp_endpoint_parse(endpoint, &z->ep) < 0) {
		free(z);
		return -EINVAL;
	}
	z->minor = minor;
	z->sub_command = sub_command;
	z->fd = -1;
	backoff_init(&z->bo, RETRY_MIN_MS, RETRY_MAX_MS);
	prng_seed(&z->rng, prng_random_seed());
	try_connect(z);
	*out = z;
	return 0;
}

static int zt_open(struct zsub **out, const char *endpoint)
{
	return zsub_zmtp_open(out, endpoint, 1, 0);
}

static int zt_wait(struct zsub *z, int timeout_ms)
{
	return io(z, timeout_ms < 0 ? INT_MAX / 2 : timeout_ms);
}

static int zt_recv(struct zsub *z, void *buf, size_t cap)
{
	if (!z->ready && io(z, 0) <= 0)
		return -EAGAIN;
	z->ready = 0;
	memcpy(buf, z->sess.msg, z->sess.msg_len < cap ? z->sess.msg_len : cap);
	return z->sess.msg_size > INT_MAX ? INT_MAX : (int)z->sess.msg_size;
}

static void zt_close(struct zsub *z)
{
	if (!z)
		return;
	if (z->fd >= 0)
		close(z->fd);
	free(z);
}

int zsub_zmtp_fd(const struct zsub *z)
{
	return z->fd;
}

unsigned long zsub_zmtp_connects(const struct zsub *z)
{
	return z->connects;
}

const struct zsub_ops zsub_zmtp_ops = {
	.name = "zmtp", .open = zt_open, .wait = zt_wait, .recv = zt_recv, .close = zt_close,
};
