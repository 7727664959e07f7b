/* SPDX-License-Identifier: GPL-2.0-or-later */
/* zsub_libzmq.c - zsub.h over libzmq: one context and one SUB socket. */
#include "ipc/zsub.h"
#include "ipc/zsub_libzmq.h"

#include <errno.h>
#include <stdlib.h>
#include <zmq.h>

struct zsub {
	void *ctx, *sock;
};

static void lz_close(struct zsub *z)
{
	if (!z)
		return;
	if (z->sock)
		zmq_close(z->sock);
	if (z->ctx)
		zctx_term(z->ctx);
	free(z);
}

static int lz_open(struct zsub **out, const char *endpoint)
{
	struct zsub *z = calloc(1, sizeof *z);
	int zero = 0, err;

	*out = NULL;
	if (!z)
		return -ENOMEM;
	z->ctx = zmq_ctx_new();
	z->sock = z->ctx ? zmq_socket(z->ctx, ZMQ_SUB) : NULL;
	if (!z->sock || zmq_setsockopt(z->sock, ZMQ_LINGER, &zero, sizeof zero) ||
	    zmq_setsockopt(z->sock, ZMQ_SUBSCRIBE, "", 0) ||
	    zmq_connect(z->sock, endpoint)) {
		err = zmq_errno();
		lz_close(z);
		return -(err ? err : EINVAL);
	}
	*out = z;
	return 0;
}

static int lz_wait(struct zsub *z, int timeout_ms)
{
	zmq_pollitem_t pi = { z->sock, 0, ZMQ_POLLIN, 0 };
	int r = zmq_poll(&pi, 1, timeout_ms);

	if (r < 0)
		return zmq_errno() == EINTR ? 0 : -zmq_errno();
	return r > 0;
}

static int lz_recv(struct zsub *z, void *buf, size_t cap)
{
	int n = zmq_recv(z->sock, buf, cap, ZMQ_DONTWAIT);

	if (n < 0)
		return zmq_errno() == EINTR ? -EAGAIN : -zmq_errno();
	return n;
}

const struct zsub_ops zsub_libzmq_ops = {
	.name = "libzmq", .open = lz_open, .wait = lz_wait, .recv = lz_recv, .close = lz_close,
};

/* zmq_ctx_term(), restarted while a signal interrupts it. */
void zctx_term(void *zctx)
{
	while (zmq_ctx_term(zctx) < 0 && zmq_errno() == EINTR)
		;
}
