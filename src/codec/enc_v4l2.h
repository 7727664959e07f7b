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
	/* NVIDIA's extension controls apply (enc_v4l2.c, nv_tables) */
	int nvidia;
	/* with .nvidia: the file naming the L4T release, whose first line is
	 * "# R36 (release), REVISION: ..."; NULL: /etc/nv_tegra_release
	 * (the environment's CVMMAP_NV_TEGRA_RELEASE, when set, wins) */
	const char *nv_release_file;
};

/* NVIDIA's encoder extension controls of one L4T release (the numbers of
 * that release's v4l2_nv_extensions.h; 0: not in it, not sent). */
struct v4l2_nv_ids {
	int release;            /* the first L4T major release it is for */
	const char *source;     /* the header the numbers were read from */
	uint32_t idr_interval, num_bframes, insert_sps_pps_at_idr, hw_preset,
		 max_performance, poc_type, force_idr_frame;
};

/* The table for the release named in file (NULL: as the libv4l2 binding
 * would read it); *release gets the release read (0: none). */
const struct v4l2_nv_ids *enc_v4l2_nv_ids(const char *file, int *release);

/* Test hook: when not NULL, every open uses this binding (and nothing
 * else).  Production code never sets it. */
extern const struct v4l2_io *enc_v4l2_io_override;

#endif
