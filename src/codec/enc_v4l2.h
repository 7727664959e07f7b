/* SPDX-License-Identifier: GPL-2.0-or-later */
/* enc_v4l2.h - the V4L2 memory-to-memory encoder's device access table
 * (private to src/codec and its tests; enc_v4l2.c has the back-end).
 *
 * The stateful encoder core (enc_v4l2.c) reaches a device only through
 * one struct v4l2_io, a "binding":
 *   sys      raw syscalls (open/close/ioctl/mmap/munmap/poll); works in a
 *            fully static build; nodes are /dev/video0../dev/video63
 *   libv4l2  libnvv4l2.so (Jetson), else libv4l2.so.0, loaded with dlopen
 *            (CONFIG_ENC_V4L2M2M_LIBV4L2); nodes /dev/v4l2-nvenc, then
 *            /dev/nvhost-msenc.  NVIDIA's node cannot be polled and its
 *            buffers may need VIDIOC_EXPBUF to be mapped (see .expbuf)
 * Tests put a FAKE binding in enc_v4l2_io_override (test/fake/fake_v4l2.c):
 * the core then talks to the fake only.
 */
#ifndef CVMMAP_ENC_V4L2_H
#define CVMMAP_ENC_V4L2_H

#include <stddef.h>
#include <stdint.h>

struct v4l2_io {
	const char *name;               /* "sys", "libv4l2", "fake" */
	/* the device nodes to probe, in order, NULL-terminated; NULL: the
	 * core tries /dev/video0 .. /dev/video63 */
	const char *const *nodes;
	int (*open)(const char *path);  /* O_RDWR|O_NONBLOCK|O_CLOEXEC; fd or -1 (errno) */
	int (*close)(int fd);
	int (*ioctl)(int fd, unsigned long req, void *arg);    /* 0 or -1 (errno) */
	void *(*mmap)(int fd, size_t len, int64_t offset);     /* MAP_FAILED (errno) */
	int (*munmap)(void *p, size_t len);
	/* Wait up to ms for events (POLLIN: a CAPTURE buffer, POLLOUT: an
	 * OUTPUT buffer) like poll(2); NULL: the node cannot be polled
	 * (NVIDIA's), the core retries a non-blocking DQBUF every 1 ms. */
	int (*poll)(int fd, short events, int ms);
	/* Where .mmap of a QUERYBUF offset fails, map the buffer with
	 * VIDIOC_EXPBUF + mmap(2) of the exported dma-buf (libnvv4l2's
	 * v4l2_mmap fails). */
	int expbuf;
	/* NVIDIA's extension controls apply (enc_v4l2.c, nv_ctrls) */
	int nvidia;
};

/* Test hook: when not NULL, every open uses this binding (and nothing
 * else).  Production code never sets it. */
extern const struct v4l2_io *enc_v4l2_io_override;

#endif
