/* SPDX-License-Identifier: GPL-2.0-or-later */
/* zsub.h - the ZeroMQ SUB socket the cv-mmap input reads syncs from.
 *
 * Two implementations behind one table, picked by Kconfig (ZMQ_IMPL):
 * zsub_libzmq_ops (libzmq, zsub_libzmq.c) and zsub_zmtp_ops (the in-tree
 * ZMTP 3.x subscriber, zsub.c + zmtp.c: no libzmq, libsodium or
 * libstdc++ in the binary).  Both subscribe to everything, reconnect by
 * themselves when the publisher goes away, and receive one frame at a
 * time as zmq_recv() does.
 */
#ifndef CVMMAP_ZSUB_H
#define CVMMAP_ZSUB_H

#include <stddef.h>

struct zsub;

struct zsub_ops {
	const char *name;   /* "libzmq" / "zmtp" */
	/* Connect to endpoint (ipc://path, tcp://host:port) and subscribe to
	 * every message.  0 or -errno (-EINVAL: bad endpoint). */
	int (*open)(struct zsub **out, const char *endpoint);
	/* Wait up to timeout_ms for a message.  1 ready, 0 timeout or
	 * signal, -errno. */
	int (*wait)(struct zsub *z, int timeout_ms);
	/* One frame into buf without blocking: its full size (> cap when
	 * truncated), -EAGAIN when none is queued, or another -errno. */
	int (*recv)(struct zsub *z, void *buf, size_t cap);
	void (*close)(struct zsub *z);
};

extern const struct zsub_ops zsub_libzmq_ops, zsub_zmtp_ops;

/* The implementation this build's streamer uses. */
#define ZSUB_OPS (IF_ZMQ_ZMTP(&zsub_zmtp_ops) IF_NOT_ZMQ_ZMTP(&zsub_libzmq_ops))

/* In-tree subscriber only: open speaking ZMTP 3.minor (0 or 1; open()
 * speaks 3.1), SUBSCRIBE as a 3.1 command when sub_command and the peer
 * speaks 3.1 (else as the 3.0 message, which every libzmq accepts). */
int zsub_zmtp_open(struct zsub **out, const char *endpoint, unsigned minor,
		   int sub_command);
/* The current connection's fd (-1 while reconnecting). */
int zsub_zmtp_fd(const struct zsub *z);
/* Connections made so far (1 after the first handshake). */
unsigned long zsub_zmtp_connects(const struct zsub *z);

#endif
