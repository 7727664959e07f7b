/* SPDX-License-Identifier: GPL-2.0-or-later */
/* enc_v4l2.c - H.264/HEVC on a V4L2 memory-to-memory encoder (enc_priv.h).
 *
 * One back-end for the kernel's "Memory-to-Memory Stateful Video Encoder
 * Interface" (Documentation/userspace-api/media/v4l/dev-encoder.rst, cited
 * below as "dev-encoder"): Raspberry Pi bcm2835-codec, Qualcomm venus,
 * i.MX coda, MediaTek, ... and NVIDIA Jetson, whose libnvv4l2.so emulates
 * the same interface in user space.  The device is reached through one
 * struct v4l2_io (enc_v4l2.h): raw syscalls, or libnvv4l2/libv4l2 loaded
 * with dlopen.  docs/v4l2.md has the device matrix.
 *
 * Session (dev-encoder "Initialization"), every step on the one fd
 * (controls are per file handle):
 *   1. QUERYCAP: VIDEO_M2M(_MPLANE) + STREAMING; ENUM_FMT: the codec on
 *      CAPTURE, NV12M / YUV420M / NV12 / YUV420 on OUTPUT
 *   2. S_FMT CAPTURE (codec, size, sizeimage) before S_FMT OUTPUT (raw
 *      format; the driver's bytesperline and plane layout are used as
 *      returned, never an assumed alignment); crop to the visible size
 *   3. S_PARM OUTPUT frame interval
 *   4. controls between S_FMT and REQBUFS: no B-frames, GOP/IDR period,
 *      parameter sets with every IDR, bit rate (table ctrls[])
 *   5. REQBUFS both queues (the counts the driver returns are checked),
 *      QUERYBUF + mmap (where that fails and the binding allows it,
 *      EXPBUF + mmap of the dma-buf), CAPTURE queued
 *   6. STREAMON both
 * Encoding (dev-encoder "Encoding"): one OUTPUT buffer per frame, its
 * timestamp is our frame number (the encoder copies it to the CAPTURE
 * buffer, which is how pts and tag find their AU again whatever order
 * the buffers come back in); FORCE_KEY_FRAME before the QBUF of a forced
 * IDR and every --gop frames; one CAPTURE buffer = one AU.  A keyframe
 * that comes without parameter sets gets the last ones seen prepended
 * (a driver without REPEAT_SEQ_HEADER, or one that sends them in a
 * buffer of their own).  Drain (dev-encoder "Drain"): V4L2_ENC_CMD_STOP,
 * then CAPTURE until V4L2_BUF_FLAG_LAST (or an empty buffer: NVIDIA, or
 * EPIPE); an encoder without ENCODER_CMD gets an empty OUTPUT buffer.
 * A new resolution reopens the encoder (encode stage), so "restart on
 * resize" is close + open here.
 *
 * Every failure in open() returns a negative errno with the reason in
 * why; -ENOENT means "no encoder on this machine", which enc.c keeps quiet
 * about in auto mode (Orin Nano, Raspberry Pi 5, Rockchip have none).
 */
#include "codec/enc_priv.h"
#include "codec/enc_v4l2.h"
#include "codec/nal.h"
#include "codec/pscache.h"
#include "util/log.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/videodev2.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define TAG "v4l2"
#define V4L2_OUT_BUFS 2         /* OUTPUT buffers asked for (no lookahead) */
#define V4L2_CAP_BUFS 4         /* CAPTURE buffers asked for */
#define V4L2_BUFS_MAX 16        /* more than this from REQBUFS: refused */
#define V4L2_PEND 64            /* frames in flight we remember (ring) */
#define V4L2_DRAIN_MS 1000      /* longest wait for one AU while draining */
#define V4L2_SCAN_NODES 64      /* /dev/video0 .. /dev/video63 */
#define V4L2_TIMED_FRAMES 5     /* first frames whose encode time is logged (debug) */

/* NVIDIA's encoder extension controls, per L4T release.  Only the numbers
 * are restated (as V4L2_CID_MPEG_BASE + n) from NVIDIA's
 * v4l2_nv_extensions.h, BSD-3-Clause, (c) NVIDIA Corporation; which copy
 * each row was read from is in .source (docs/v4l2.md has the evidence).
 * The numbers moved once, between the 2016 header and R32; R32.6.1 and
 * the JetPack 5 (R35) header agree on every one used here, and no R36
 * header could be read: R36 is keyed on its own but has R35's numbers.
 * A release newer than the last row, or none, uses the last row (debug
 * log once).
 *
 * HW_PRESET_TYPE_PARAM: the header's comment asks for a pointer to a
 * struct (an enum v4l2_enc_hw_preset_type, then a __u8
 * set_max_enc_clock), but NVIDIA's own clients (NvVideoEncoder::
 * setHWPresetType of jetson_multimedia_api, (c) 2016-2019, and the
 * gst-v4l2 encoder's setHWPresetType, also in its JetPack 5-era copy)
 * send the enum as a plain integer in v4l2_ext_control.value, class
 * MPEG, count 1: that is what libnvv4l2 is known to take, so it is sent
 * that way (a pointer there would be read as a number).  The value is
 * ULTRAFAST, 1 in both headers (the 2016 one starts its enum at it; the
 * later one adds DISABLE = 0 before it): the shortest per-frame encode
 * time, i.e. the least latency, which is also the gst-v4l2 encoder's
 * default; quality is what --bitrate buys back. */
#define NV_HW_PRESET_ULTRAFAST 1
#define NVB V4L2_CID_MPEG_BASE
static const struct v4l2_nv_ids nv_tables[] = {
	/* release, source: IDR_INTERVAL, NUM_BFRAMES, INSERT_SPS_PPS_AT_IDR,
	 * HW_PRESET_TYPE_PARAM, MAX_PERFORMANCE, POC_TYPE, FORCE_IDR_FRAME */
	{ 0, "v4l2_nv_extensions.h (c) 2016 (before R32)",
	  NVB + 514, NVB + 531, NVB + 532, NVB + 537, 0, 0, 0 },
	{ 32, "v4l2_nv_extensions.h of L4T R32.6.1",
	  NVB + 514, NVB + 534, NVB + 535, NVB + 540, NVB + 554, NVB + 563, NVB + 567 },
	{ 35, "v4l2_nv_extensions.h (c) 2016-2021 of jetson_multimedia_api with AV1 (JetPack 5)",
	  NVB + 514, NVB + 534, NVB + 535, NVB + 540, NVB + 554, NVB + 563, NVB + 567 },
	{ 36, "R36: no header read; R35's numbers (unverified)",
	  NVB + 514, NVB + 534, NVB + 535, NVB + 540, NVB + 554, NVB + 563, NVB + 567 },
};
#undef NVB
#define NV_TABLES (sizeof nv_tables / sizeof nv_tables[0])

/* "# R36 (release), REVISION: 4.3, ..." -> 36; 0 when unreadable. */
static int nv_release_of(const char *file)
{
	char line[128];
	int r = 0;
	FILE *f = fopen(file, "re");

	if (!f)
		return 0;
	if (fgets(line, sizeof line, f) && sscanf(line, "# R%d", &r) != 1)
		r = 0;
	fclose(f);
	return r > 0 && r < 1000 ? r : 0;
}

const struct v4l2_nv_ids *enc_v4l2_nv_ids(const char *file, int *release)
{
	static int said;
	const char *env = getenv("CVMMAP_NV_TEGRA_RELEASE");
	const char *path = env && *env ? env : file ? file : "/etc/nv_tegra_release";
	int r = nv_release_of(path);
	size_t i = NV_TABLES - 1;

	if (release)
		*release = r;
	if (r <= 0 || r > nv_tables[NV_TABLES - 1].release) {
		if (!__atomic_exchange_n(&said, 1, __ATOMIC_RELAXED))
			log_debug(TAG, "%s: L4T release %s: NVIDIA control ids of R%d", path,
				  r > 0 ? "newer than known" : "not read", nv_tables[i].release);
		return &nv_tables[i];
	}
	while (i > 0 && nv_tables[i].release > r)
		i--;
	return &nv_tables[i];
}

const struct v4l2_io *enc_v4l2_io_override;

/* ------------------------------------------------------------ bindings */

static int sys_open(const char *path)
{
	return open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
}

static int sys_close(int fd)
{
	return close(fd);
}

static int sys_ioctl(int fd, unsigned long req, void *arg)
{
	int r;

	do
		r = ioctl(fd, req, arg);
	while (r < 0 && errno == EINTR);
	return r;
}

static void *sys_mmap(int fd, size_t len, int64_t off)
{
	return mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)off);
}

static int sys_munmap(void *p, size_t len)
{
	return munmap(p, len);
}

static int sys_poll(int fd, short events, int ms)
{
	struct pollfd p = { fd, events, 0 };

	return poll(&p, 1, ms);
}

static const struct v4l2_io sys_io = {
	"sys", NULL, sys_open, sys_close, sys_ioctl, sys_mmap, sys_munmap, sys_poll, 0, 0, NULL
};

/* libnvv4l2.so / libv4l2.so.0: loaded once and kept for the life of the
 * process (NVIDIA's plugin starts threads: never dlclose'd).  The symbols
 * are libv4l2's public API (libv4l2.h): v4l2_open/close/ioctl/mmap/munmap. */
static struct {
	void *lib;
	const char *name;
	int (*open)(const char *file, int oflag, ...);
	int (*close)(int fd);
	int (*ioctl)(int fd, unsigned long request, ...);
	void *(*mmap)(void *start, size_t length, int prot, int flags, int fd, int64_t offset);
	int (*munmap)(void *start, size_t length);
} lv;

static int lv_open(const char *path)
{
	return lv.open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
}

static int lv_close(int fd)
{
	return lv.close(fd);
}

static int lv_ioctl(int fd, unsigned long req, void *arg)
{
	int r;

	do
		r = lv.ioctl(fd, req, arg);
	while (r < 0 && errno == EINTR);
	return r;
}

static void *lv_mmap(int fd, size_t len, int64_t off)
{
	return lv.mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);
}

static int lv_munmap(void *p, size_t len)
{
	return lv.munmap(p, len);
}

/* JetPack 6 names the encoder /dev/v4l2-nvenc, JetPack 4/5 /dev/nvhost-msenc. */
static const char *const jetson_nodes[] = { "/dev/v4l2-nvenc", "/dev/nvhost-msenc", NULL };

static const struct v4l2_io lv_io = {
	"libv4l2", jetson_nodes, lv_open, lv_close, lv_ioctl, lv_mmap, lv_munmap, NULL, 1, 1, NULL
};

/* Resolve one symbol into *fnp (the POSIX void* -> function pointer copy). */
static int lv_sym(const char *name, void *fnp, char *why, size_t whylen)
{
	void *p = dlsym(lv.lib, name);

	if (!p) {
		snprintf(why, whylen, "%s: no symbol %s", lv.name, name);
		return -ENODEV;
	}
	memcpy(fnp, &p, sizeof p);
	return 0;
}

/* Load the libv4l2 binding (once; encoders may open on several
 * threads).  0 or -ENODEV with why filled. */
static int lv_load_locked(char *why, size_t whylen);

static int lv_load(char *why, size_t whylen)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	int ret;

	pthread_mutex_lock(&lock);
	ret = lv_load_locked(why, whylen);
	pthread_mutex_unlock(&lock);
	return ret;
}

static int lv_load_locked(char *why, size_t whylen)
{
	static const char *const libs[] = { "libnvv4l2.so", "libv4l2.so.0" };
	const char *e = NULL;
	size_t i;

	if (lv.munmap)
		return 0;
	for (i = 0; !lv.lib && i < sizeof libs / sizeof libs[0]; i++) {
		lv.lib = dlopen(libs[i], RTLD_NOW | RTLD_LOCAL);
		lv.name = libs[i];
		if (!lv.lib && !e)
			e = dlerror();
	}
	if (!lv.lib) {
		snprintf(why, whylen, "%s", e ? e : "libnvv4l2.so / libv4l2.so.0: cannot load");
		return -ENODEV;
	}
	if (lv_sym("v4l2_open", &lv.open, why, whylen) ||
	    lv_sym("v4l2_close", &lv.close, why, whylen) ||
	    lv_sym("v4l2_ioctl", &lv.ioctl, why, whylen) ||
	    lv_sym("v4l2_mmap", &lv.mmap, why, whylen) ||
	    lv_sym("v4l2_munmap", &lv.munmap, why, whylen)) {
		lv.munmap = NULL;
		return -ENODEV;
	}
	return 0;
}

static int is_jetson_node(const char *path)
{
	const char *b = strrchr(path, '/');

	b = b ? b + 1 : path;
	return !strncmp(b, "v4l2-nvenc", 10) || !strncmp(b, "nvhost-msenc", 12);
}

/* The binding for cfg: the test override; the libv4l2 one for a Jetson
 * node (named, or present when probing); else syscalls.  NULL with why
 * filled when the libv4l2 binding is needed but cannot load. */
static const struct v4l2_io *pick_io(const char *dev, char *why, size_t whylen)
{
	const char *const *n;
	int jetson = 0;

	if (enc_v4l2_io_override)
		return enc_v4l2_io_override;
	if (dev)
		jetson = is_jetson_node(dev);
	else
		for (n = jetson_nodes; *n && !jetson; n++)
			jetson = access(*n, F_OK) == 0;
	if (!jetson)
		return &sys_io;
	if (!CONFIG_ENC_V4L2M2M_LIBV4L2) {
		snprintf(why, whylen, "%s needs libnvv4l2 (CONFIG_ENC_V4L2M2M_LIBV4L2=n, "
			 "not in a fully static build)", dev ? dev : jetson_nodes[0]);
		return NULL;
	}
	return lv_load(why, whylen) == 0 ? &lv_io : NULL;
}

/* ------------------------------------------------------------ state */

struct vbuf {
	void *p[VIDEO_MAX_PLANES];
	size_t len[VIDEO_MAX_PLANES];
	int exported[VIDEO_MAX_PLANES]; /* mapped by EXPBUF + mmap(2) */
	int queued;
};

struct pend {
	uint64_t n;             /* frame number = the OUTPUT timestamp */
	uint64_t pts_ns, tag;
};

struct v4l2enc {
	const struct v4l2_io *io;
	int fd;
	char node[64];
	int mplane;
	uint32_t out_type, cap_type;
	uint32_t out_fmt;               /* fourcc on OUTPUT */
	uint32_t mem_planes;            /* buffers planes of the OUTPUT format */
	uint32_t bpl[VIDEO_MAX_PLANES]; /* bytesperline per memory plane */
	uint32_t psize[VIDEO_MAX_PLANES]; /* sizeimage per memory plane */
	uint32_t fmt_h;                 /* OUTPUT format height (maybe aligned) */
	struct vbuf out[V4L2_BUFS_MAX], cap[V4L2_BUFS_MAX];
	uint32_t nout, ncap;
	int streaming;
	int can_force;                  /* FORCE_KEY_FRAME accepted */
	const struct v4l2_nv_ids *nv;   /* NVIDIA's controls (libv4l2 binding), or NULL */
	int nv_force;                   /* nv->force_idr_frame not refused yet */
	int codec, gop, wait_ms;
	uint32_t width, height;
	uint64_t frames;                /* OUTPUT buffers queued so far */
	int since_key;                  /* frames since the last keyframe asked for */
	struct pend pend[V4L2_PEND];
	uint64_t next_out;              /* oldest frame without its AU */
	int drain_sent, drained;
	struct pscache ps;              /* parameter sets for the prepend path */
	struct log_limit rl;
};

static int xioctl(struct v4l2enc *s, unsigned long req, void *arg)
{
	return s->io->ioctl(s->fd, req, arg) < 0 ? -errno : 0;
}

static const char *fourcc(uint32_t f, char out[5])
{
	int i;

	for (i = 0; i < 4; i++) {
		char c = (char)(f >> (8 * i));

		out[i] = c >= 32 && c < 127 ? c : '.';
	}
	out[4] = '\0';
	return out;
}

/* ------------------------------------------------------------ probing */

/* Raw formats we can fill, best first; memory planes and whether chroma
 * is interleaved (NV12) or planar (I420). */
static const struct rawfmt {
	uint32_t fourcc;
	uint32_t mem_planes;
	int nv12;
	int mplane_only;
} rawfmts[] = {
	{ V4L2_PIX_FMT_NV12M, 2, 1, 1 },
	{ V4L2_PIX_FMT_NV12, 1, 1, 0 },
	{ V4L2_PIX_FMT_YUV420M, 3, 0, 1 },
	{ V4L2_PIX_FMT_YUV420, 1, 0, 0 },
};

static const struct rawfmt *rawfmt_of(uint32_t f)
{
	size_t i;

	for (i = 0; i < sizeof rawfmts / sizeof rawfmts[0]; i++)
		if (rawfmts[i].fourcc == f)
			return &rawfmts[i];
	return NULL;
}

/* Whether queue type offers fourcc f (VIDIOC_ENUM_FMT). */
static int has_fmt(struct v4l2enc *s, uint32_t type, uint32_t f)
{
	struct v4l2_fmtdesc d;
	uint32_t i;

	for (i = 0; i < 256; i++) {
		memset(&d, 0, sizeof d);
		d.index = i;
		d.type = type;
		if (xioctl(s, VIDIOC_ENUM_FMT, &d) < 0)
			return 0;
		if (d.pixelformat == f)
			return 1;
	}
	return 0;
}

static uint32_t codec_fourcc(int codec)
{
	return codec == CODEC_H265 ? V4L2_PIX_FMT_HEVC : V4L2_PIX_FMT_H264;
}

/* Open path and check it is an encoder for s->codec (dev-encoder
 * "Querying capabilities").  0 with s->fd open; -ENOENT: no node there;
 * -ENODEV: not a usable encoder (why filled). */
static int probe(struct v4l2enc *s, const char *path, char *why, size_t whylen)
{
	struct v4l2_capability cap;
	uint32_t caps;
	size_t i;
	int ret;

	s->fd = s->io->open(path);
	if (s->fd < 0) {
		ret = errno;
		snprintf(why, whylen, "%s: %s", path, strerror(ret));
		return ret == ENOENT ? -ENOENT : -ENODEV;
	}
	snprintf(s->node, sizeof s->node, "%s", path);
	memset(&cap, 0, sizeof cap);
	if ((ret = xioctl(s, VIDIOC_QUERYCAP, &cap)) < 0) {
		/* NVIDIA's node without libnvv4l2 answers ENOTTY */
		snprintf(why, whylen, "%s: VIDIOC_QUERYCAP: %s", path, strerror(-ret));
		goto fail;
	}
	caps = cap.capabilities & V4L2_CAP_DEVICE_CAPS ? cap.device_caps : cap.capabilities;
	if (!(caps & V4L2_CAP_STREAMING) ||
	    !(caps & (V4L2_CAP_VIDEO_M2M_MPLANE | V4L2_CAP_VIDEO_M2M))) {
		snprintf(why, whylen, "%s: not a streaming memory-to-memory device", path);
		goto fail;
	}
	s->mplane = (caps & V4L2_CAP_VIDEO_M2M_MPLANE) != 0;
	s->cap_type = s->mplane ? V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE : V4L2_BUF_TYPE_VIDEO_CAPTURE;
	s->out_type = s->mplane ? V4L2_BUF_TYPE_VIDEO_OUTPUT_MPLANE : V4L2_BUF_TYPE_VIDEO_OUTPUT;
	if (!has_fmt(s, s->cap_type, codec_fourcc(s->codec))) {
		snprintf(why, whylen, "%s: no %s on CAPTURE (not an encoder)", path,
			 codec_names[s->codec]);
		goto fail;
	}
	s->out_fmt = 0;
	for (i = 0; i < sizeof rawfmts / sizeof rawfmts[0] && !s->out_fmt; i++)
		if ((s->mplane || !rawfmts[i].mplane_only) &&
		    has_fmt(s, s->out_type, rawfmts[i].fourcc))
			s->out_fmt = rawfmts[i].fourcc;
	if (!s->out_fmt) {
		snprintf(why, whylen, "%s: no NV12/I420 on OUTPUT", path);
		goto fail;
	}
	return 0;
fail:
	s->io->close(s->fd);
	s->fd = -1;
	return -ENODEV;
}

/* Find the encoder: the named node, or the binding's nodes, or
 * /dev/video0..63.  Probing skips what is not an encoder; nothing found
 * is -ENOENT ("no encoder here"), a named node that fails is -ENODEV. */
static int find_node(struct v4l2enc *s, const char *dev, char *why, size_t whylen)
{
	char path[32], last[160] = "";
	const char *const *n;
	int i, ret, seen = 0;

	if (dev) {
		ret = probe(s, dev, why, whylen);
		return ret == -ENOENT ? -ENODEV : ret;
	}
	for (n = s->io->nodes, i = 0; n ? *n != NULL : i < V4L2_SCAN_NODES; i++) {
		const char *p = n ? *n++ : path;

		if (p == path)
			snprintf(path, sizeof path, "/dev/video%d", i);
		ret = probe(s, p, last, sizeof last);
		if (ret == 0)
			return 0;
		/* a node that exists but is not an encoder (or a Jetson node
		 * that does not answer) is passed over */
		if (ret != -ENOENT)
			seen++;
	}
	if (seen && s->io->nodes)
		snprintf(why, whylen, "%s", last);
	else
		snprintf(why, whylen, "no V4L2 %s encoder (%s)", codec_names[s->codec],
			 s->io->nodes ? "no /dev/v4l2-nvenc or /dev/nvhost-msenc" :
			 seen ? "no memory-to-memory encoder among /dev/video*" : "no /dev/video*");
	return seen && s->io->nodes ? -ENODEV : -ENOENT;
}

/* ------------------------------------------------------------ formats */

/* dev-encoder "Initialization" 1-2: coded format on CAPTURE first, then
 * the raw format on OUTPUT, whose bytesperline/sizeimage we take as the
 * driver returns them. */
static int set_formats(struct v4l2enc *s, char *why, size_t whylen)
{
	const struct rawfmt *rf = rawfmt_of(s->out_fmt);
	struct v4l2_format f;
	struct v4l2_selection sel;
	uint32_t i, w, h, cw;
	int ret;
	char a[5], b[5];

	memset(&f, 0, sizeof f);
	f.type = s->cap_type;
	if (s->mplane) {
		f.fmt.pix_mp.width = s->width;
		f.fmt.pix_mp.height = s->height;
		f.fmt.pix_mp.pixelformat = codec_fourcc(s->codec);
		f.fmt.pix_mp.num_planes = 1;
		f.fmt.pix_mp.plane_fmt[0].sizeimage = s->width * s->height * 3 / 2;
	} else {
		f.fmt.pix.width = s->width;
		f.fmt.pix.height = s->height;
		f.fmt.pix.pixelformat = codec_fourcc(s->codec);
		f.fmt.pix.sizeimage = s->width * s->height * 3 / 2;
	}
	if ((ret = xioctl(s, VIDIOC_S_FMT, &f)) < 0) {
		snprintf(why, whylen, "%s: S_FMT CAPTURE %s: %s", s->node,
			 codec_names[s->codec], strerror(-ret));
		return -ENODEV;
	}
	if ((s->mplane ? f.fmt.pix_mp.pixelformat : f.fmt.pix.pixelformat) != codec_fourcc(s->codec)) {
		snprintf(why, whylen, "%s: S_FMT CAPTURE: driver chose another codec", s->node);
		return -ENODEV;
	}

	memset(&f, 0, sizeof f);
	f.type = s->out_type;
	if (s->mplane) {
		f.fmt.pix_mp.width = s->width;
		f.fmt.pix_mp.height = s->height;
		f.fmt.pix_mp.pixelformat = s->out_fmt;
		f.fmt.pix_mp.field = V4L2_FIELD_NONE;
		f.fmt.pix_mp.num_planes = (uint8_t)rf->mem_planes;
	} else {
		f.fmt.pix.width = s->width;
		f.fmt.pix.height = s->height;
		f.fmt.pix.pixelformat = s->out_fmt;
		f.fmt.pix.field = V4L2_FIELD_NONE;
	}
	if ((ret = xioctl(s, VIDIOC_S_FMT, &f)) < 0) {
		snprintf(why, whylen, "%s: S_FMT OUTPUT %s: %s", s->node,
			 fourcc(s->out_fmt, a), strerror(-ret));
		return -ENODEV;
	}
	if (s->mplane) {
		w = f.fmt.pix_mp.width;
		h = f.fmt.pix_mp.height;
		if (f.fmt.pix_mp.pixelformat != s->out_fmt ||
		    f.fmt.pix_mp.num_planes != rf->mem_planes) {
			snprintf(why, whylen, "%s: S_FMT OUTPUT: asked %s, got %s with %u planes",
				 s->node, fourcc(s->out_fmt, a),
				 fourcc(f.fmt.pix_mp.pixelformat, b), f.fmt.pix_mp.num_planes);
			return -ENODEV;
		}
		for (i = 0; i < rf->mem_planes; i++) {
			s->bpl[i] = f.fmt.pix_mp.plane_fmt[i].bytesperline;
			s->psize[i] = f.fmt.pix_mp.plane_fmt[i].sizeimage;
		}
	} else {
		w = f.fmt.pix.width;
		h = f.fmt.pix.height;
		if (f.fmt.pix.pixelformat != s->out_fmt) {
			snprintf(why, whylen, "%s: S_FMT OUTPUT: asked %s, got %s", s->node,
				 fourcc(s->out_fmt, a), fourcc(f.fmt.pix.pixelformat, b));
			return -ENODEV;
		}
		s->bpl[0] = f.fmt.pix.bytesperline;
		s->psize[0] = f.fmt.pix.sizeimage;
	}
	s->mem_planes = rf->mem_planes;
	s->fmt_h = h;
	/* What the copy in put_frame() will write must fit what we got. */
	cw = rf->nv12 ? s->width : s->width / 2;
	if (w < s->width || h < s->height || s->bpl[0] < s->width ||
	    (rf->mem_planes == 1 && (uint64_t)s->psize[0] < (uint64_t)s->bpl[0] * h * 3 / 2) ||
	    (rf->mem_planes > 1 && ((uint64_t)s->psize[0] < (uint64_t)s->bpl[0] * h ||
				    s->bpl[1] < cw ||
				    (uint64_t)s->psize[1] < (uint64_t)s->bpl[1] * (h / 2))) ||
	    (rf->mem_planes == 3 && (s->bpl[2] < cw ||
				     (uint64_t)s->psize[2] < (uint64_t)s->bpl[2] * (h / 2)))) {
		snprintf(why, whylen, "%s: S_FMT OUTPUT %s: %ux%u bytesperline %u sizeimage %u "
			 "too small for %ux%u", s->node, fourcc(s->out_fmt, a), w, h,
			 s->bpl[0], s->psize[0], s->width, s->height);
		return -ENODEV;
	}
	/* dev-encoder 4: the visible rectangle, when the driver aligned the
	 * coded size; optional (not every driver crops). */
	if (w != s->width || h != s->height) {
		memset(&sel, 0, sizeof sel);
		sel.type = V4L2_BUF_TYPE_VIDEO_OUTPUT;   /* selection API: never _MPLANE */
		sel.target = V4L2_SEL_TGT_CROP;
		sel.r.width = s->width;
		sel.r.height = s->height;
		if (xioctl(s, VIDIOC_S_SELECTION, &sel) < 0)
			log_debug(TAG, "%s: no crop to %ux%u (coded %ux%u)", s->node,
				  s->width, s->height, w, h);
	}
	return 0;
}

/* dev-encoder 3: the frame interval on OUTPUT (optional: used by rate
 * control; not every driver has it). */
static void set_rate(struct v4l2enc *s, const struct encoder_cfg *cfg)
{
	struct v4l2_streamparm p;

	memset(&p, 0, sizeof p);
	p.type = s->out_type;
	p.parm.output.timeperframe.numerator = cfg->fps_den;
	p.parm.output.timeperframe.denominator = cfg->fps_num;
	if (xioctl(s, VIDIOC_S_PARM, &p) < 0)
		log_debug(TAG, "%s: S_PARM %u/%u fps not taken", s->node, cfg->fps_num, cfg->fps_den);
}

/* ------------------------------------------------------------ controls */

static int set_ctrl(struct v4l2enc *s, uint32_t id, int32_t value)
{
	struct v4l2_ext_control c;
	struct v4l2_ext_controls cs;

	memset(&c, 0, sizeof c);
	memset(&cs, 0, sizeof cs);
	c.id = id;
	c.value = value;
	cs.ctrl_class = V4L2_CTRL_ID2CLASS(id);
	cs.count = 1;
	cs.controls = &c;
	return xioctl(s, VIDIOC_S_EXT_CTRLS, &cs);
}

enum { C_OPT, C_NEED };         /* a failure is ignored / ends open() */

/* Codec controls (linux/v4l2-controls.h, "Codec Control Reference"). */
static int set_controls(struct v4l2enc *s, const struct encoder_cfg *cfg, char *why, size_t whylen)
{
	const int h265 = cfg->codec == CODEC_H265, rate = cfg->bitrate_kbps > 0;
	const struct v4l2_nv_ids *nv = s->nv;
	const struct {
		uint32_t id;
		int32_t value;
		int use, need;
		const char *name;
	} ctrls[] = {
		/* zero latency: no B-frames (drivers without B-frames lack it) */
		{ V4L2_CID_MPEG_VIDEO_B_FRAMES, 0, 1, C_OPT, "B_FRAMES" },
		{ V4L2_CID_MPEG_VIDEO_GOP_SIZE, cfg->gop, 1, C_OPT, "GOP_SIZE" },
		{ V4L2_CID_MPEG_VIDEO_H264_I_PERIOD, cfg->gop, !h265, C_OPT, "H264_I_PERIOD" },
		/* NVIDIA's (nv_tables; 0: not in this release) */
		{ nv ? nv->idr_interval : 0, cfg->gop, 1, C_OPT, "IDR_INTERVAL (NVIDIA)" },
		{ nv ? nv->num_bframes : 0, 0, 1, C_OPT, "NUM_BFRAMES (NVIDIA)" },
		{ nv ? nv->poc_type : 0, 2, !h265, C_OPT, "POC_TYPE (NVIDIA)" },
		{ nv ? nv->insert_sps_pps_at_idr : 0, 1, 1, C_OPT, "INSERT_SPS_PPS_AT_IDR (NVIDIA)" },
		{ nv ? nv->hw_preset : 0, NV_HW_PRESET_ULTRAFAST, 1, C_OPT,
		  "HW_PRESET_TYPE_PARAM (NVIDIA)" },
		{ nv ? nv->max_performance : 0, 1, 1, C_OPT, "MAX_PERFORMANCE (NVIDIA)" },
		{ V4L2_CID_MPEG_VIDEO_HEVC_REFRESH_TYPE, V4L2_MPEG_VIDEO_HEVC_REFRESH_IDR, h265,
		  C_OPT, "HEVC_REFRESH_TYPE" },
		{ V4L2_CID_MPEG_VIDEO_HEVC_REFRESH_PERIOD, cfg->gop, h265, C_OPT, "HEVC_REFRESH_PERIOD" },
		/* parameter sets in-band with (every) IDR; else the prepend path */
		{ V4L2_CID_MPEG_VIDEO_HEADER_MODE, V4L2_MPEG_VIDEO_HEADER_MODE_JOINED_WITH_1ST_FRAME,
		  1, C_OPT, "HEADER_MODE" },
		{ V4L2_CID_MPEG_VIDEO_REPEAT_SEQ_HEADER, 1, 1, C_OPT, "REPEAT_SEQ_HEADER" },
		{ V4L2_CID_MPEG_VIDEO_PREPEND_SPSPPS_TO_IDR, 1, !h265, C_OPT, "PREPEND_SPSPPS_TO_IDR" },
		/* --bitrate: constant bit rate, or no encoder */
		{ V4L2_CID_MPEG_VIDEO_FRAME_RC_ENABLE, 1, rate, C_OPT, "FRAME_RC_ENABLE" },
		{ V4L2_CID_MPEG_VIDEO_BITRATE_MODE, V4L2_MPEG_VIDEO_BITRATE_MODE_CBR, rate, C_NEED,
		  "BITRATE_MODE" },
		{ V4L2_CID_MPEG_VIDEO_BITRATE, (int32_t)(cfg->bitrate_kbps > 2147483 ? 2147483647 :
							 cfg->bitrate_kbps * 1000), rate, C_NEED, "BITRATE" },
	};
	size_t i;
	int ret;

	for (i = 0; i < sizeof ctrls / sizeof ctrls[0]; i++) {
		if (!ctrls[i].use || !ctrls[i].id)
			continue;
		ret = set_ctrl(s, ctrls[i].id, ctrls[i].value);
		if (ret < 0 && ctrls[i].need) {
			snprintf(why, whylen, "%s: control %s=%d: %s", s->node, ctrls[i].name,
				 (int)ctrls[i].value, strerror(-ret));
			return -ENODEV;
		}
		if (ret < 0)
			log_debug(TAG, "%s: control %s not taken (%s)", s->node, ctrls[i].name,
				  strerror(-ret));
	}
	/* FORCE_KEY_FRAME is a button: it is pressed per frame, not here.
	 * Whether it exists decides how --gop and IDR requests are kept. */
	{
		struct v4l2_queryctrl q;

		memset(&q, 0, sizeof q);
		q.id = V4L2_CID_MPEG_VIDEO_FORCE_KEY_FRAME;
		s->can_force = xioctl(s, VIDIOC_QUERYCTRL, &q) == 0 &&
			       !(q.flags & V4L2_CTRL_FLAG_DISABLED);
	}
	if (!s->can_force)
		log_debug(TAG, "%s: no FORCE_KEY_FRAME: keyframes only at the driver's GOP", s->node);
	return 0;
}

/* ------------------------------------------------------------ buffers */

/* Map every plane of buffer i of queue type into b (QUERYBUF + mmap, or
 * EXPBUF + mmap(2) of the dma-buf where the binding says so). */
static int map_buf(struct v4l2enc *s, uint32_t type, uint32_t i, struct vbuf *b,
		   char *why, size_t whylen)
{
	struct v4l2_plane planes[VIDEO_MAX_PLANES];
	struct v4l2_buffer vb;
	uint32_t np, k;
	int ret;

	memset(&vb, 0, sizeof vb);
	memset(planes, 0, sizeof planes);
	vb.type = type;
	vb.memory = V4L2_MEMORY_MMAP;
	vb.index = i;
	if (s->mplane) {
		vb.m.planes = planes;
		vb.length = VIDEO_MAX_PLANES;
	}
	if ((ret = xioctl(s, VIDIOC_QUERYBUF, &vb)) < 0) {
		snprintf(why, whylen, "%s: QUERYBUF: %s", s->node, strerror(-ret));
		return -ENODEV;
	}
	np = s->mplane ? vb.length : 1;
	if (np < 1 || np > VIDEO_MAX_PLANES) {
		snprintf(why, whylen, "%s: QUERYBUF: %u planes", s->node, np);
		return -ENODEV;
	}
	for (k = 0; k < np; k++) {
		size_t len = s->mplane ? planes[k].length : vb.length;
		int64_t off = s->mplane ? planes[k].m.mem_offset : vb.m.offset;
		void *p;

		/* .mmap first; where it fails and the binding allows, EXPBUF
		 * and mmap(2) of the dma-buf (NVIDIA's v4l2_mmap fails) */
		p = s->io->mmap(s->fd, len, off);
		if (p == MAP_FAILED && s->io->expbuf) {
			struct v4l2_exportbuffer x;

			memset(&x, 0, sizeof x);
			x.type = type;
			x.index = i;
			x.plane = k;
			x.flags = O_RDWR | O_CLOEXEC;
			if ((ret = xioctl(s, VIDIOC_EXPBUF, &x)) < 0) {
				snprintf(why, whylen, "%s: EXPBUF: %s", s->node, strerror(-ret));
				return -ENODEV;
			}
			p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, x.fd, 0);
			close(x.fd);
			b->exported[k] = p != MAP_FAILED;
		}
		if (p == MAP_FAILED || !len) {
			snprintf(why, whylen, "%s: mmap of a %zu-byte plane: %s", s->node, len,
				 p == MAP_FAILED ? strerror(errno) : "empty");
			return -ENODEV;
		}
		b->p[k] = p;
		b->len[k] = len;
	}
	return 0;
}

/* REQBUFS count on queue type; the driver may give more (its minimum) or
 * fewer.  Returns the count or -ENODEV with why filled. */
static int reqbufs(struct v4l2enc *s, uint32_t type, uint32_t count, char *why, size_t whylen)
{
	struct v4l2_requestbuffers r;
	int ret;

	memset(&r, 0, sizeof r);
	r.type = type;
	r.memory = V4L2_MEMORY_MMAP;
	r.count = count;
	if ((ret = xioctl(s, VIDIOC_REQBUFS, &r)) < 0) {
		snprintf(why, whylen, "%s: REQBUFS %s: %s", s->node,
			 type == s->out_type ? "OUTPUT" : "CAPTURE", strerror(-ret));
		return -ENODEV;
	}
	if (count && (r.count < 1 || r.count > V4L2_BUFS_MAX)) {
		snprintf(why, whylen, "%s: REQBUFS %s: %u buffers", s->node,
			 type == s->out_type ? "OUTPUT" : "CAPTURE", r.count);
		return -ENODEV;
	}
	return (int)r.count;
}

/* Hand CAPTURE buffer i (back) to the driver. */
static int queue_cap(struct v4l2enc *s, uint32_t i)
{
	struct v4l2_plane planes[VIDEO_MAX_PLANES];
	struct v4l2_buffer vb;
	int ret;

	memset(&vb, 0, sizeof vb);
	memset(planes, 0, sizeof planes);
	vb.type = s->cap_type;
	vb.memory = V4L2_MEMORY_MMAP;
	vb.index = i;
	if (s->mplane) {
		planes[0].length = (uint32_t)s->cap[i].len[0];
		vb.m.planes = planes;
		vb.length = 1;
	}
	ret = xioctl(s, VIDIOC_QBUF, &vb);
	s->cap[i].queued = ret == 0;
	return ret;
}

static int start(struct v4l2enc *s, const struct encoder_cfg *cfg, char *why, size_t whylen)
{
	uint32_t i;
	int ret, type;

	if ((ret = set_formats(s, why, whylen)) < 0)
		return ret;
	set_rate(s, cfg);
	if ((ret = set_controls(s, cfg, why, whylen)) < 0)
		return ret;
	if ((ret = reqbufs(s, s->out_type, V4L2_OUT_BUFS, why, whylen)) < 0)
		return ret;
	s->nout = (uint32_t)ret;
	if ((ret = reqbufs(s, s->cap_type, V4L2_CAP_BUFS, why, whylen)) < 0)
		return ret;
	s->ncap = (uint32_t)ret;
	for (i = 0; i < s->nout; i++)
		if ((ret = map_buf(s, s->out_type, i, &s->out[i], why, whylen)) < 0)
			return ret;
	for (i = 0; i < s->ncap; i++) {
		if ((ret = map_buf(s, s->cap_type, i, &s->cap[i], why, whylen)) < 0)
			return ret;
		if ((ret = queue_cap(s, i)) < 0) {
			snprintf(why, whylen, "%s: QBUF CAPTURE: %s", s->node, strerror(-ret));
			return -ENODEV;
		}
	}
	type = (int)s->out_type;
	if ((ret = xioctl(s, VIDIOC_STREAMON, &type)) == 0) {
		s->streaming = 1;
		type = (int)s->cap_type;
		ret = xioctl(s, VIDIOC_STREAMON, &type);
	}
	if (ret < 0) {
		snprintf(why, whylen, "%s: STREAMON: %s", s->node, strerror(-ret));
		return -ENODEV;
	}
	return 0;
}

/* Undo map_buf() for plane k of b (nothing when it is not mapped). */
static void unmap(struct v4l2enc *s, const struct vbuf *b, uint32_t k)
{
	if (!b->p[k])
		return;
	if (b->exported[k])
		munmap(b->p[k], b->len[k]);
	else
		s->io->munmap(b->p[k], b->len[k]);
}

static void v4l2_close_enc(void *st)
{
	struct v4l2enc *s = st;
	uint32_t i, k;
	int type;

	if (!s)
		return;
	if (s->fd >= 0) {
		if (s->streaming) {
			type = (int)s->out_type;
			xioctl(s, VIDIOC_STREAMOFF, &type);
			type = (int)s->cap_type;
			xioctl(s, VIDIOC_STREAMOFF, &type);
		}
		for (i = 0; i < V4L2_BUFS_MAX; i++)
			for (k = 0; k < VIDEO_MAX_PLANES; k++) {
				unmap(s, &s->out[i], k);
				unmap(s, &s->cap[i], k);
			}
		if (s->nout)
			reqbufs(s, s->out_type, 0, NULL, 0);
		if (s->ncap)
			reqbufs(s, s->cap_type, 0, NULL, 0);
		s->io->close(s->fd);
	}
	free(s);
}

static int v4l2_open_enc(void **out, const struct encoder_cfg *cfg, char *why, size_t whylen)
{
	struct v4l2enc *s = calloc(1, sizeof *s);
	uint32_t ms;
	int ret;

	if (!s)
		return -ENOMEM;
	s->fd = -1;
	s->codec = cfg->codec;
	s->width = cfg->width;
	s->height = cfg->height;
	s->gop = cfg->gop;
	/* a frame's AU is waited for up to 3 frame intervals, 20..200 ms */
	ms = (uint32_t)(3000ull * cfg->fps_den / cfg->fps_num);
	s->wait_ms = (int)(ms < 20 ? 20 : ms > 200 ? 200 : ms);
	s->io = pick_io(cfg->v4l2_device, why, whylen);
	if (s->io && s->io->nvidia) {
		int rel;

		s->nv = enc_v4l2_nv_ids(s->io->nv_release_file, &rel);
		s->nv_force = s->nv->force_idr_frame != 0;
		log_debug(TAG, "L4T release R%d: NVIDIA control ids of R%d+ (%s)", rel,
			  s->nv->release, s->nv->source);
	}
	ret = s->io ? find_node(s, cfg->v4l2_device, why, whylen) : -ENODEV;
	if (ret == 0)
		ret = start(s, cfg, why, whylen);
	if (ret < 0) {
		v4l2_close_enc(s);
		return ret;
	}
	{
		/* encoders may open on several threads: enc_opened is written
		 * under a lock (only --self-test reads it, after its open) */
		static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
		char line[sizeof enc_opened];
		size_t n;

		snprintf(line, sizeof line,
			 "%s (%s binding%s%s): %s %s, %u rows of %u bytes, %u+%u buffers -> %s",
			 s->node, s->io->name, s->io == &lv_io ? ", " : "",
			 s->io == &lv_io ? lv.name : "", s->mplane ? "mplane" : "single-plane",
			 fourcc(s->out_fmt, (char[5]){ 0 }), s->fmt_h, s->bpl[0], s->nout, s->ncap,
			 codec_names[s->codec]);
		n = strlen(line);
		if (s->nv)
			snprintf(line + n, sizeof line - n, "; NVIDIA control ids of R%d+ (%s)",
				 s->nv->release, s->nv->source);
		log_debug(TAG, "%s", line);
		pthread_mutex_lock(&lock);
		memcpy(enc_opened, line, sizeof line);
		pthread_mutex_unlock(&lock);
	}
	*out = s;
	return 0;
}

/* ------------------------------------------------------------ encoding */

static uint64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000u + (uint64_t)t.tv_nsec / 1000000u;
}

/* DQBUF from queue type into vb (planes for mplane), waiting up to ms:
 * poll(2) where the binding can, else a non-blocking retry every 1 ms
 * (NVIDIA).  0, -EAGAIN on time-out, -EPIPE after the last buffer, or
 * another -errno. */
static int dqbuf(struct v4l2enc *s, uint32_t type, struct v4l2_buffer *vb,
		 struct v4l2_plane *planes, int ms)
{
	const struct timespec tick = { 0, 1000000 };
	uint64_t end = now_ms() + (uint64_t)ms;
	int ret;

	for (;;) {
		memset(vb, 0, sizeof *vb);
		vb->type = type;
		vb->memory = V4L2_MEMORY_MMAP;
		if (s->mplane) {
			memset(planes, 0, sizeof *planes * VIDEO_MAX_PLANES);
			vb->m.planes = planes;
			vb->length = VIDEO_MAX_PLANES;
		}
		ret = xioctl(s, VIDIOC_DQBUF, vb);
		if (ret != -EAGAIN)
			return ret;
		if (now_ms() >= end)
			return -EAGAIN;
		if (s->io->poll)
			s->io->poll(s->fd, type == s->cap_type ? POLLIN : POLLOUT,
				    (int)(end - now_ms()));
		else
			nanosleep(&tick, NULL);
	}
}

/* Take back every OUTPUT buffer the encoder is done with; with ms > 0
 * wait that long for at least one. */
static int reclaim_out(struct v4l2enc *s, int ms)
{
	struct v4l2_plane planes[VIDEO_MAX_PLANES];
	struct v4l2_buffer vb;
	int ret, got = 0;

	while ((ret = dqbuf(s, s->out_type, &vb, planes, got ? 0 : ms)) == 0) {
		if (vb.index < s->nout)
			s->out[vb.index].queued = 0;
		got++;
	}
	return got ? 0 : ret;
}

/* Copy the frame into OUTPUT buffer b in the driver's layout. */
static void put_frame(struct v4l2enc *s, struct vbuf *b, const struct yuv_frame *in)
{
	const struct rawfmt *rf = rawfmt_of(s->out_fmt);
	uint8_t *d[3];
	uint32_t st[3], y, x, cw = in->width / 2, ch = in->height / 2;

	d[0] = b->p[0];
	st[0] = s->bpl[0];
	if (rf->mem_planes > 1) {
		d[1] = b->p[1];
		st[1] = s->bpl[1];
		d[2] = rf->mem_planes == 3 ? b->p[2] : NULL;
		st[2] = rf->mem_planes == 3 ? s->bpl[2] : 0;
	} else if (rf->nv12) {          /* NV12: CbCr right after fmt_h luma rows */
		d[1] = d[0] + (size_t)st[0] * s->fmt_h;
		st[1] = st[0];
		d[2] = NULL;
		st[2] = 0;
	} else {                        /* YUV420: Cb then Cr at half bytesperline */
		st[1] = st[2] = st[0] / 2;
		d[1] = d[0] + (size_t)st[0] * s->fmt_h;
		d[2] = d[1] + (size_t)st[1] * (s->fmt_h / 2);
	}
	for (y = 0; y < in->height; y++)
		memcpy(d[0] + (size_t)y * st[0], in->plane[0] + (size_t)y * in->stride[0], in->width);
	for (y = 0; y < ch; y++) {
		const uint8_t *u = in->plane[1] + (size_t)y * in->stride[1];
		uint8_t *o = d[1] + (size_t)y * st[1];

		if (rf->nv12 && in->layout == PIX_NV12) {
			memcpy(o, u, in->width);
		} else if (rf->nv12) {
			const uint8_t *v = in->plane[2] + (size_t)y * in->stride[2];

			for (x = 0; x < cw; x++) {
				o[2 * x] = u[x];
				o[2 * x + 1] = v[x];
			}
		} else if (in->layout == PIX_NV12) {
			uint8_t *o2 = d[2] + (size_t)y * st[2];

			for (x = 0; x < cw; x++) {
				o[x] = u[2 * x];
				o2[x] = u[2 * x + 1];
			}
		} else {
			memcpy(o, u, cw);
			memcpy(d[2] + (size_t)y * st[2], in->plane[2] + (size_t)y * in->stride[2], cw);
		}
	}
}

/* Queue frame in (or, with in NULL, an empty buffer: end of stream for
 * encoders without ENCODER_CMD) on OUTPUT.  0 or -errno. */
static int queue_out(struct v4l2enc *s, const struct yuv_frame *in, int key)
{
	struct v4l2_plane planes[VIDEO_MAX_PLANES];
	struct v4l2_buffer vb;
	uint32_t i, k;
	int ret;

	for (i = 0; i < s->nout && s->out[i].queued; i++)
		;
	if (i == s->nout) {
		if ((ret = reclaim_out(s, s->wait_ms)) < 0)
			return ret == -EAGAIN ? -EBUSY : ret;
		for (i = 0; i < s->nout && s->out[i].queued; i++)
			;
		if (i == s->nout)
			return -EBUSY;
	}
	if (in)
		put_frame(s, &s->out[i], in);
	memset(&vb, 0, sizeof vb);
	memset(planes, 0, sizeof planes);
	vb.type = s->out_type;
	vb.memory = V4L2_MEMORY_MMAP;
	vb.index = i;
	vb.field = V4L2_FIELD_NONE;
	/* the frame number, copied by the encoder to the CAPTURE buffer */
	vb.timestamp.tv_sec = (time_t)(s->frames / 1000000u);
	vb.timestamp.tv_usec = (suseconds_t)(s->frames % 1000000u);
	if (s->mplane) {
		for (k = 0; k < s->mem_planes; k++) {
			planes[k].bytesused = in ? s->psize[k] : 0;
			planes[k].length = (uint32_t)s->out[i].len[k];
		}
		vb.m.planes = planes;
		vb.length = s->mem_planes;
	} else {
		vb.bytesused = in ? s->psize[0] : 0;
	}
	/* Codec Control Reference: FORCE_KEY_FRAME applies to the next
	 * buffer queued on OUTPUT. */
	/* On Jetson NVIDIA's FORCE_IDR_FRAME first; refused once, never again */
	if (in && key && s->nv_force && (ret = set_ctrl(s, s->nv->force_idr_frame, 1)) < 0) {
		log_debug(TAG, "%s: control FORCE_IDR_FRAME (NVIDIA) not taken (%s)", s->node,
			  strerror(-ret));
		s->nv_force = 0;
	} else if (in && key && s->nv_force) {
		key = 0;        /* taken: no FORCE_KEY_FRAME as well */
	}
	if (in && key && s->can_force &&
		   (ret = set_ctrl(s, V4L2_CID_MPEG_VIDEO_FORCE_KEY_FRAME, 1)) < 0)
		log_limited(&s->rl, LOG_WARN, TAG, "%s: FORCE_KEY_FRAME: %s", s->node, strerror(-ret));
	if ((ret = xioctl(s, VIDIOC_QBUF, &vb)) < 0)
		return ret;
	s->out[i].queued = 1;
	if (in) {
		struct pend *p = &s->pend[s->frames % V4L2_PEND];

		p->n = s->frames;
		p->pts_ns = in->pts_ns;
		p->tag = in->tag;
		s->frames++;
	}
	return 0;
}

/* Write the cached parameter sets (Annex B) into au. */
static int put_ps(struct v4l2enc *s, struct access_unit *au)
{
	static const uint8_t sc[4] = { 0, 0, 0, 1 };
	const struct nal *n[3] = { &s->ps.ps.vps, &s->ps.ps.sps, &s->ps.ps.pps };
	int i;

	for (i = 0; i < 3; i++)
		if (n[i]->n && (enc_au_append(au, sc, 4) < 0 || enc_au_append(au, n[i]->p, n[i]->n) < 0))
			return -EMSGSIZE;
	return 0;
}

/* One encoded buffer (data[len]) into au.  Returns 1 (AU written), 0
 * (parameter sets only: kept, no AU) or -EMSGSIZE. */
static int take_au(struct v4l2enc *s, const uint8_t *data, size_t len, uint32_t flags,
		   struct access_unit *au)
{
	const uint8_t *p = data, *end = data + len, *first = NULL;
	struct param_sets found;
	struct nal nu;
	int vcl = 0, key = 0, ret;

	while ((p = annexb_next(p, end, &nu)) != NULL) {
		if (!first && !nal_is_aud(&nu))
			first = nu.p;
		vcl |= nal_is_vcl(s->codec, &nu);
		key |= nal_is_keyframe(s->codec, &nu);
	}
	if (paramsets_extract(s->codec, data, len, &found) == 0) {
		if (pscache_update(&s->ps, &found) < 0)
			log_limited(&s->rl, LOG_WARN, TAG, "parameter set over %d bytes", PSCACHE_MAX);
		if (!vcl)
			return 0;       /* HEADER_MODE_SEPARATE: the sets alone */
	} else if (key) {
		/* a keyframe without its sets: the last ones seen go first
		 * (after an access unit delimiter, which must lead) */
		if (!s->ps.gen)
			log_limited(&s->rl, LOG_WARN, TAG, "keyframe before any parameter set");
		if (first && first > data) {
			/* back up over the start code (0 0 [0] 1) of the first
			 * NAL after the AUD */
			if (first[-1] == 1)
				first--;
			while (first > data && first[-1] == 0)
				first--;
		} else {
			first = data;
		}
		if (enc_au_append(au, data, (size_t)(first - data)) < 0 || put_ps(s, au) < 0)
			return -EMSGSIZE;
		data = first;
		len = (size_t)(end - first);
	}
	if (!vcl)
		return 0;
	if ((ret = enc_au_append(au, data, len)) < 0)
		return ret;
	/* the NAL types decide; the KEYFRAME flag only says the same */
	if (!!(flags & V4L2_BUF_FLAG_KEYFRAME) != key)
		log_limited(&s->rl, LOG_DEBUG, TAG, "KEYFRAME flag %d, NAL units say %d",
			    !!(flags & V4L2_BUF_FLAG_KEYFRAME), key);
	au->keyframe = key;
	return 1;
}

/* Wait up to ms for one CAPTURE buffer with an AU and write it to au.
 * 1, 0 (none in time, or drained) or -errno. */
static int get_au(struct v4l2enc *s, struct access_unit *au, int ms)
{
	struct v4l2_plane planes[VIDEO_MAX_PLANES];
	struct v4l2_buffer vb;
	uint64_t end = now_ms() + (uint64_t)ms;
	int ret;

	while (!s->drained) {
		uint64_t t = now_ms(), n;
		uint32_t used, off;
		const struct pend *p;

		ret = dqbuf(s, s->cap_type, &vb, planes, t >= end ? 0 : (int)(end - t));
		if (ret == -EAGAIN)
			return 0;
		if (ret == -EPIPE) {    /* dev-encoder: DQBUF after the LAST buffer */
			s->drained = 1;
			return 0;
		}
		if (ret < 0)
			return ret;
		if (vb.index >= s->ncap)
			return -EIO;
		s->cap[vb.index].queued = 0;
		used = s->mplane ? planes[0].bytesused : vb.bytesused;
		off = s->mplane ? planes[0].data_offset : 0;
		if (vb.flags & V4L2_BUF_FLAG_LAST || (s->drain_sent && used == 0))
			s->drained = 1;
		ret = 0;
		if (used > off && used <= s->cap[vb.index].len[0] && !(vb.flags & V4L2_BUF_FLAG_ERROR))
			ret = take_au(s, (const uint8_t *)s->cap[vb.index].p[0] + off, used - off,
				      vb.flags, au);
		if (ret == 1) {
			/* the OUTPUT timestamp came back: our frame number */
			n = (uint64_t)vb.timestamp.tv_sec * 1000000u + (uint64_t)vb.timestamp.tv_usec;
			p = &s->pend[n % V4L2_PEND];
			if (p->n != n || n < s->next_out || n >= s->frames) {
				log_limited(&s->rl, LOG_WARN, TAG, "%s: CAPTURE timestamp %llu "
					    "matches no frame in flight", s->node, (unsigned long long)n);
				p = &s->pend[s->next_out % V4L2_PEND];
			}
			au->pts_ns = au->dts_ns = p->pts_ns;   /* no reordering */
			au->tag = p->tag;
			s->next_out = p->n + 1;
		}
		if (!s->drained && queue_cap(s, vb.index) < 0)
			log_limited(&s->rl, LOG_WARN, TAG, "%s: QBUF CAPTURE failed", s->node);
		if (ret != 0)
			return ret;
	}
	return 0;
}

/* One frame in, at most one AU out (waiting up to 3 frame intervals for
 * it: a hardware encoder answers in a few ms; one that needs longer
 * runs a frame behind, and one that never answers is replaced by enc.c
 * after ENC_HW_PROBE_FRAMES). */
static int v4l2_encode(void *st, const struct yuv_frame *in, int force_idr,
		       struct access_unit *au)
{
	struct v4l2enc *s = st;
	struct timespec t0, t1;
	int key, ret;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	key = force_idr || s->frames == 0 || s->since_key >= s->gop;
	if ((ret = queue_out(s, in, key)) < 0) {
		log_limited(&s->rl, LOG_WARN, TAG, "%s: QBUF OUTPUT: %s", s->node, strerror(-ret));
		return ret;
	}
	s->since_key = key ? 1 : s->since_key + 1;
	reclaim_out(s, 0);
	ret = get_au(s, au, s->wait_ms);
	if (s->frames <= V4L2_TIMED_FRAMES) {
		/* the self-test of docs/v4l2.md reads these at --log-level debug */
		clock_gettime(CLOCK_MONOTONIC, &t1);
		log_debug(TAG, "frame %llu: %s in %.2f ms", (unsigned long long)s->frames - 1,
			  ret > 0 ? (au->keyframe ? "keyframe" : "AU") : "no AU",
			  (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	}
	return ret;
}

/* dev-encoder "Drain": ENCODER_CMD STOP once (or an empty OUTPUT buffer
 * where there is no ENCODER_CMD), then one AU per call until LAST. */
static int v4l2_flush(void *st, struct access_unit *au)
{
	struct v4l2enc *s = st;
	struct v4l2_encoder_cmd c;

	if (!s->drain_sent) {
		s->drain_sent = 1;
		memset(&c, 0, sizeof c);
		c.cmd = V4L2_ENC_CMD_STOP;
		if (xioctl(s, VIDIOC_ENCODER_CMD, &c) < 0 && queue_out(s, NULL, 0) < 0)
			return 0;
	}
	return get_au(s, au, V4L2_DRAIN_MS);
}

const struct enc_ops enc_v4l2_ops = {
	.name = "v4l2",
	.layout = PIX_NV12,
	.codecs = ENC_CODEC(CODEC_H264) | ENC_CODEC(CODEC_H265),
	.hardware = 1,
	.open = v4l2_open_enc,
	.close = v4l2_close_enc,
	.encode = v4l2_encode,
	.flush = v4l2_flush,
};
