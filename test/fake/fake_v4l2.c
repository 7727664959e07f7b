/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fake_v4l2.c - TEST DOUBLE of a mainline V4L2 stateful H.264 encoder.
 * Not a driver, never shipped (linked into test_v4l2 only).
 *
 * It sits behind src/codec/enc_v4l2.c's device table (struct v4l2_io,
 * installed with enc_v4l2_io_override) and tests OUR calling contract
 * with the kernel's "Memory-to-Memory Stateful Video Encoder Interface"
 * (dev-encoder.rst), not hardware.  Frames are really encoded (libx264
 * behind the V4L2 semantics) so the whole path can be checked down to
 * decodable bytes.  Every order or argument the interface forbids is a
 * contract violation: the call fails with EINVAL, a "fake_v4l2:" line goes
 * to stderr and fake_v4l2_violations counts it.
 *
 * Nodes: /dev/video0 is a DECODER (H.264 on OUTPUT: must be passed over),
 * /dev/video1 the encoder; every other path is ENOENT.
 * Quirks of real drivers it copies (always on): bytesperline aligned to
 * 64 and the coded size to 16 (visible size by S_SELECTION crop), the
 * driver's own minimum of 3 OUTPUT buffers, CAPTURE buffers returned
 * out of order (the last one queued is filled first), B-frames unless
 * the application turns them off, a GOP of 16 unless told, and no
 * REPEAT_SEQ_HEADER: parameter sets only before the first IDR (in a
 * CAPTURE buffer of their own unless HEADER_MODE is JOINED_WITH_1ST_FRAME).
 *
 * FAKE_V4L2_MODE, a comma-separated list:
 *   no_node      no node at all          enotty     QUERYCAP fails ENOTTY
 *   zero_output  frames taken, no AU     single     single-plane API (M2M)
 *   i420         YUV420(M) only          repeat_hdr REPEAT_SEQ_HEADER exists
 *   no_force     no FORCE_KEY_FRAME      no_bitrate BITRATE control fails
 *   separate_hdr HEADER_MODE refused: headers always in a buffer of their own
 *   delay1       a frame is encoded only once the next one is queued (or at
 *                STOP): AUs come one call late
 *   no_hevc      H.264 only (HEVC is offered, with x265, in a build with
 *                CONFIG_ENC_X265, in process only)
 * fake_v4l2_io_nopoll is the same device behind a binding without poll.
 *
 * Built with -DFAKE_NV=1 it is instead a FAKE libnvv4l2.so (exporting
 * libv4l2's v4l2_open/close/ioctl/mmap/munmap, for the suites) with
 * NVIDIA's differences: nodes /dev/v4l2-nvenc and /dev/nvhost-msenc only,
 * multi-planar only, v4l2_mmap fails (buffers are reached by VIDIOC_EXPBUF
 * and mmap(2) of the dma-buf, here a memfd), the end of a drain is an
 * empty CAPTURE buffer without the LAST flag, and GOP_SIZE makes non-IDR
 * I-frames: IDRs come at the start, when forced, and every IDR_INTERVAL
 * (NVIDIA's control V4L2_CID_MPEG_BASE + 514) only if it was set.
 * NVIDIA's extension controls are taken with the numbers of one header
 * only (FAKE_NV_RELEASE=old|R32|R35|R36, see nv_which); FAKE_NV_REPORT=1
 * prints the ones set and the HW preset taken ("fake_nv: ...") at close;
 * FAKE_V4L2_MODE=no_preset has HW_PRESET_TYPE_PARAM refused (EINVAL).
 */
#ifndef FAKE_NV
#define FAKE_NV 0
#endif
#if FAKE_NV
#define _GNU_SOURCE             /* memfd_create */
#endif
#include "fake_v4l2.h"

#include <errno.h>
#include <linux/videodev2.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <unistd.h>
#include <x264.h>

/* In process, in a build with x265, the fake also encodes HEVC. */
#if !FAKE_NV && defined(CONFIG_ENC_X265) && CONFIG_ENC_X265
#define FK_HEVC 1
#include <x265.h>
#else
#define FK_HEVC 0
#endif

#define FK_FD 4242
#define FK_BUFS 8
#define FK_OUT_MIN 3
#define FK_CAP_MIN 65536
#define FK_CANARY 0xa5

int fake_v4l2_violations;
uint8_t *fake_v4l2_last_frame;
uint32_t fake_v4l2_frames;
uint32_t fake_v4l2_open_fds;
uint32_t fake_v4l2_mapped;
uint32_t fake_v4l2_bpl;
uint32_t fake_v4l2_last_sent;

struct fk_buf {
	uint8_t *mem[3];
	int memfd[3];                   /* FAKE_NV: the dma-buf EXPBUF exports */
	uint32_t len[3];
	int mapped[3];
	int queued;                     /* owned by the driver */
	uint32_t used, flags;
	struct timeval ts;
	int force, eos;
};

struct fifo {
	int v[FK_BUFS];
	int n;
};

static struct fk {
	int open, node, mplane;
	int cap_set, out_set, crop_set;
	uint32_t w, h, cw, ch, vw, vh;  /* asked, coded, visible */
	uint32_t fmt, nplanes, nv12;
	uint32_t bpl[3], psize[3], cap_size;
	uint32_t fps_num, fps_den;
	int gop, bframes, joined, repeat, bitrate, force_next;
	unsigned nv_taken;              /* FAKE_NV: NVIDIA's controls set, bit per NV_* */
	int idr, since_idr;             /* FAKE_NV: IDR_INTERVAL, frames since an IDR */
	int nv_preset;                  /* FAKE_NV: HW_PRESET_TYPE_PARAM taken (0: none) */
	int streaming[2];               /* [0] OUTPUT, [1] CAPTURE */
	struct fk_buf out[FK_BUFS], cap[FK_BUFS];
	uint32_t nout, ncap;
	struct fifo out_q, out_done, cap_q, cap_done;
	x264_t *x;
	int hevc, started;              /* codec on CAPTURE; x264/x265 opened */
	void *x5, *x5p;                 /* x265_encoder, x265_param */
	uint8_t *u, *v;                 /* I420 chroma for x265 */
	int headers_out, stopping, stopped;
	struct timeval ts_of[64];       /* OUTPUT timestamp by x264 pts */
	uint8_t hdr[512];               /* SPS + PPS, kept at start: x264 reuses */
	uint32_t hdr_len;               /* its NAL buffer on every call */
} fk;

static int has(const char *flag)
{
	const char *m = getenv("FAKE_V4L2_MODE");
	size_t n = strlen(flag);

	for (; m && *m; m += strcspn(m, ",") + (m[strcspn(m, ",")] ? 1 : 0))
		if (!strncmp(m, flag, n) && (m[n] == ',' || !m[n]))
			return 1;
	return 0;
}

static int bad(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fake_v4l2: contract violation: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fake_v4l2_violations++;
	errno = EINVAL;
	return -1;
}

static int fail(int e)
{
	errno = e;
	return -1;
}

static void push(struct fifo *f, int v)
{
	if (f->n < FK_BUFS)
		f->v[f->n++] = v;
}

static int pop_front(struct fifo *f)
{
	int v = f->v[0];

	memmove(f->v, f->v + 1, sizeof f->v[0] * (size_t)--f->n);
	return v;
}

static uint32_t align(uint32_t v, uint32_t a)
{
	return (v + a - 1) / a * a;
}

static int cap_type(void)
{
	return fk.mplane ? V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE : V4L2_BUF_TYPE_VIDEO_CAPTURE;
}

static int out_type(void)
{
	return fk.mplane ? V4L2_BUF_TYPE_VIDEO_OUTPUT_MPLANE : V4L2_BUF_TYPE_VIDEO_OUTPUT;
}

/* ------------------------------------------------------------ the io table */

static int fk_open(const char *path)
{
	int node = FAKE_NV ? (!strcmp(path, "/dev/v4l2-nvenc") || !strcmp(path, "/dev/nvhost-msenc") ?
			      1 : -1) :
		   !strcmp(path, "/dev/video0") ? 0 : !strcmp(path, "/dev/video1") ? 1 : -1;

	if (node < 0 || has("no_node"))
		return fail(ENOENT);
	if (fk.open)
		return fail(EBUSY);
	memset(&fk, 0, sizeof fk);
	fk.open = 1;
	fk.node = node;
	fk.mplane = FAKE_NV || !has("single");
	fk.gop = 16;
	fk.bframes = 2;
	fk.fps_num = 30;
	fk.fps_den = 1;
	fake_v4l2_open_fds++;
	return FK_FD;
}

static void free_bufs(struct fk_buf *b, uint32_t *n)
{
	uint32_t i, k;

	for (i = 0; i < *n; i++)
		for (k = 0; k < 3; k++) {
			/* (FAKE_NV: the application maps the exported fd itself) */
			if (b[i].mapped[k] && !FAKE_NV)
				bad("buffer %u plane %u still mapped when freed", i, k);
			if (FAKE_NV && b[i].mem[k]) {
				munmap(b[i].mem[k], b[i].len[k]);
				close(b[i].memfd[k]);
			} else {
				free(b[i].mem[k]);
			}
		}
	memset(b, 0, sizeof *b * FK_BUFS);
	*n = 0;
}

static void stop_x265(void);

#if FAKE_NV
static const char *nv_release(void);
#endif

static int fk_close(int fd)
{
	if (fd != FK_FD || !fk.open)
		return bad("close(%d) of no open fake fd", fd);
#if FAKE_NV
	/* for the suites: which of NVIDIA's controls the streamer set */
	if (getenv("FAKE_NV_REPORT"))
		fprintf(stderr, "fake_nv: %s ids, set:%s%s%s%s%s%s%s (hw preset %d)\n", nv_release(),
			fk.nv_taken & 1 ? " IDR_INTERVAL" : "", fk.nv_taken & 2 ? " NUM_BFRAMES" : "",
			fk.nv_taken & 4 ? " INSERT_SPS_PPS_AT_IDR" : "",
			fk.nv_taken & 64 ? " HW_PRESET_TYPE_PARAM" : "",
			fk.nv_taken & 8 ? " MAX_PERFORMANCE" : "", fk.nv_taken & 16 ? " POC_TYPE" : "",
			fk.nv_taken & 32 ? " FORCE_IDR_FRAME" : "", fk.nv_preset);
#endif
	free_bufs(fk.out, &fk.nout);
	free_bufs(fk.cap, &fk.ncap);
	if (fk.x)
		x264_encoder_close(fk.x);
	stop_x265();
	fk.open = 0;
	fake_v4l2_open_fds--;
	return 0;
}

/* mmap offsets: queue << 16 | index << 8 | plane, in pages */
static int64_t offset_of(int capture, uint32_t i, uint32_t k)
{
	return (int64_t)(((uint32_t)capture << 16) | (i << 8) | k) * 4096;
}

static void *fk_mmap(int fd, size_t len, int64_t off)
{
	uint32_t v = (uint32_t)(off / 4096), i = (v >> 8) & 255, k = v & 255;
	int capture = (int)(v >> 16);
	struct fk_buf *b = capture ? fk.cap : fk.out;

	if (fd != FK_FD || off % 4096 || i >= (capture ? fk.ncap : fk.nout) || k > 2 || !b[i].mem[k]) {
		bad("mmap of offset %lld that QUERYBUF never gave", (long long)off);
		return MAP_FAILED;
	}
	if (len != b[i].len[k] || b[i].mapped[k]) {
		bad("mmap of %zu bytes for a %u-byte plane (or twice)", len, b[i].len[k]);
		return MAP_FAILED;
	}
	b[i].mapped[k] = 1;
	fake_v4l2_mapped++;
	return b[i].mem[k];
}

static int fk_munmap(void *p, size_t len)
{
	struct fk_buf *sets[2] = { fk.out, fk.cap };
	int s, i, k;

	for (s = 0; s < 2; s++)
		for (i = 0; i < FK_BUFS; i++)
			for (k = 0; k < 3; k++)
				if (sets[s][i].mem[k] == p && sets[s][i].mapped[k]) {
					if (len != sets[s][i].len[k])
						return bad("munmap length %zu != %u", len, sets[s][i].len[k]);
					sets[s][i].mapped[k] = 0;
					fake_v4l2_mapped--;
					return 0;
				}
	return bad("munmap of a pointer the fake never mapped");
}

/* ------------------------------------------------------------ encoding */

/* Start x264 with what the application set (on the first frame) and
 * keep its SPS and PPS. */
static int start_x264(void)
{
	x264_param_t p;
	x264_nal_t *nal;
	int n, i;

	if (x264_param_default_preset(&p, "ultrafast", "zerolatency") < 0)
		return -1;
	p.i_log_level = X264_LOG_ERROR;
	p.i_csp = fk.nv12 ? X264_CSP_NV12 : X264_CSP_I420;
	p.i_width = (int)fk.vw;
	p.i_height = (int)fk.vh;
	p.i_fps_num = fk.fps_num;
	p.i_fps_den = fk.fps_den;
	p.i_threads = 1;
	if (FAKE_NV)            /* IDRs are decided in encode() */
		p.i_keyint_max = X264_KEYINT_MAX_INFINITE;
	else
		p.i_keyint_max = p.i_keyint_min = fk.gop;
	p.i_scenecut_threshold = 0;
	p.i_bframe = fk.bframes;
	p.rc.i_lookahead = 0;
	p.b_repeat_headers = fk.repeat;
	p.b_annexb = 1;
	p.b_aud = 1;            /* an AUD first, so the prepend path must skip it */
	if (fk.bitrate > 0) {
		p.rc.i_rc_method = X264_RC_ABR;
		p.rc.i_bitrate = fk.bitrate / 1000;
	}
	fk.x = x264_encoder_open(&p);
	if (!fk.x || x264_encoder_headers(fk.x, &nal, &n) < 0)
		return -1;
	fk.hdr_len = 0;
	for (i = 0; i < n; i++) {
		if (nal[i].i_type != NAL_SPS && nal[i].i_type != NAL_PPS)
			continue;
		if (fk.hdr_len + (uint32_t)nal[i].i_payload > sizeof fk.hdr)
			return -1;
		memcpy(fk.hdr + fk.hdr_len, nal[i].p_payload, (size_t)nal[i].i_payload);
		fk.hdr_len += (uint32_t)nal[i].i_payload;
	}
	return 0;
}

/* Append n bytes to CAPTURE buffer c. */
static int put(struct fk_buf *c, const void *p, size_t n)
{
	if (c->used + n > c->len[0])
		return -1;
	memcpy(c->mem[0] + c->used, p, n);
	c->used += (uint32_t)n;
	return 0;
}

/* The headers (SPS, PPS) into c. */
static int put_headers(struct fk_buf *c)
{
	return put(c, fk.hdr, fk.hdr_len);
}

/* Where plane k of colour component c starts in OUTPUT buffer b. */
static uint8_t *plane_of(struct fk_buf *b, int c, uint32_t *stride)
{
	if (fk.nplanes > 1) {
		*stride = fk.bpl[c];
		return b->mem[c];
	}
	if (c == 0) {
		*stride = fk.bpl[0];
		return b->mem[0];
	}
	if (fk.nv12) {
		*stride = fk.bpl[0];
		return b->mem[0] + (size_t)fk.bpl[0] * fk.ch;
	}
	*stride = fk.bpl[0] / 2;
	return b->mem[0] + (size_t)fk.bpl[0] * fk.ch +
	       (c == 2 ? (size_t)(fk.bpl[0] / 2) * (fk.ch / 2) : 0);
}

static size_t fk_last_size;

/* Keep what the fake read, de-strided, for the test (NV12). */
static void keep_frame(x264_picture_t *pic)
{
	uint32_t y, x, w = fk.vw, h = fk.vh;
	uint8_t *uv;

	/* one buffer per size, not one per frame: the streamer's
	 * no-allocation-per-frame check (alloc.sh) runs over this fake */
	if (!fake_v4l2_last_frame || fk_last_size != (size_t)w * h * 3 / 2) {
		free(fake_v4l2_last_frame);
		fk_last_size = (size_t)w * h * 3 / 2;
		fake_v4l2_last_frame = malloc(fk_last_size);
	}
	if (!fake_v4l2_last_frame)
		return;
	uv = fake_v4l2_last_frame + (size_t)w * h;
	for (y = 0; y < h; y++)
		memcpy(fake_v4l2_last_frame + (size_t)y * w,
		       pic->img.plane[0] + (size_t)y * (size_t)pic->img.i_stride[0], w);
	for (y = 0; y < h / 2; y++)
		for (x = 0; x < w / 2; x++) {
			const uint8_t *u = pic->img.plane[1] + (size_t)y * (size_t)pic->img.i_stride[1];

			if (fk.nv12) {
				uv[(size_t)y * w + 2 * x] = u[2 * x];
				uv[(size_t)y * w + 2 * x + 1] = u[2 * x + 1];
			} else {
				uv[(size_t)y * w + 2 * x] = u[x];
				uv[(size_t)y * w + 2 * x + 1] =
					pic->img.plane[2][(size_t)y * (size_t)pic->img.i_stride[2] + x];
			}
		}
}

#if FK_HEVC
/* x265 with what the application set; VPS, SPS, PPS kept. */
static int start_x265(void)
{
	x265_param *p = x265_param_alloc();
	x265_nal *nal;
	uint32_t n, i;

	fk.x5p = p;
	fk.u = malloc((size_t)fk.vw * fk.vh / 4);
	fk.v = malloc((size_t)fk.vw * fk.vh / 4);
	if (!p || !fk.u || !fk.v || x265_param_default_preset(p, "ultrafast", "zerolatency") < 0)
		return -1;
	p->logLevel = X265_LOG_ERROR;
	p->sourceWidth = (int)fk.vw;
	p->sourceHeight = (int)fk.vh;
	p->internalCsp = X265_CSP_I420;
	p->fpsNum = fk.fps_num;
	p->fpsDenom = fk.fps_den;
	p->keyframeMax = p->keyframeMin = fk.gop;
	p->scenecutThreshold = 0;
	p->bOpenGOP = 0;
	p->bframes = fk.bframes;
	p->lookaheadDepth = fk.bframes ? fk.bframes + 1 : 0;
	p->frameNumThreads = 1;
	p->bRepeatHeaders = fk.repeat;
	p->bAnnexB = 1;
	p->bEmitInfoSEI = 0;
	if ((fk.x5 = x265_encoder_open(p)) == NULL || x265_encoder_headers(fk.x5, &nal, &n) < 0)
		return -1;
	fk.hdr_len = 0;
	for (i = 0; i < n; i++) {
		if (nal[i].type < 32 || nal[i].type > 34)       /* VPS, SPS, PPS */
			continue;
		if (fk.hdr_len + nal[i].sizeBytes > sizeof fk.hdr)
			return -1;
		memcpy(fk.hdr + fk.hdr_len, nal[i].payload, nal[i].sizeBytes);
		fk.hdr_len += nal[i].sizeBytes;
	}
	return 0;
}

static void stop_x265(void)
{
	if (fk.x5)
		x265_encoder_close(fk.x5);
	if (fk.x5p)
		x265_param_free(fk.x5p);
	free(fk.u);
	free(fk.v);
	fk.x5 = fk.x5p = NULL;
	fk.u = fk.v = NULL;
}

/* As encode(), with x265 (I420 made from what keep_frame() read). */
static int encode_x265(struct fk_buf *b, struct fk_buf *c)
{
	x265_picture pic, out;
	x265_nal *nal;
	x264_picture_t view;
	const uint8_t *uv;
	uint32_t nnal = 0, i, k, st, x, y, w = fk.vw;
	int n, key = 0, aud;

	memset(&view, 0, sizeof view);
	for (k = 0; k < (fk.nv12 ? 2u : 3u); k++) {
		view.img.plane[k] = plane_of(b, (int)k, &st);
		view.img.i_stride[k] = (int)st;
	}
	keep_frame(&view);
	if (!fake_v4l2_last_frame)
		return -1;
	uv = fake_v4l2_last_frame + (size_t)w * fk.vh;
	for (y = 0; y < fk.vh / 2; y++)
		for (x = 0; x < w / 2; x++) {
			fk.u[(size_t)y * (w / 2) + x] = uv[(size_t)y * w + 2 * x];
			fk.v[(size_t)y * (w / 2) + x] = uv[(size_t)y * w + 2 * x + 1];
		}
	x265_picture_init(fk.x5p, &pic);
	x265_picture_init(fk.x5p, &out);
	pic.planes[0] = fake_v4l2_last_frame;
	pic.planes[1] = fk.u;
	pic.planes[2] = fk.v;
	pic.stride[0] = (int)w;
	pic.stride[1] = pic.stride[2] = (int)w / 2;
	pic.bitDepth = 8;
	pic.colorSpace = X265_CSP_I420;
	pic.pts = (int64_t)fake_v4l2_frames;
	pic.sliceType = b->force ? X265_TYPE_IDR : X265_TYPE_AUTO;
	fk.ts_of[fake_v4l2_frames % 64] = b->ts;
	fake_v4l2_frames++;
	n = x265_encoder_encode(fk.x5, &nal, &nnal, &pic, &out);
	if (n <= 0)
		return n < 0 ? -1 : 0;
	for (i = 0; i < nnal; i++)
		key |= nal[i].type == 19 || nal[i].type == 20;   /* IDR_W_RADL, IDR_N_LP */
	c->used = 0;
	/* the first IDR carries the headers (after an AUD, if x265 wrote one) */
	aud = nal[0].type == 35;
	for (i = 0; i < nnal; i++) {
		if (i == (uint32_t)aud && key && !fk.repeat && !fk.headers_out) {
			fk.headers_out = 1;
			if (put_headers(c) < 0)
				return -1;
		}
		if (put(c, nal[i].payload, nal[i].sizeBytes) < 0)
			return -1;
	}
	c->flags = key ? V4L2_BUF_FLAG_KEYFRAME : V4L2_BUF_FLAG_PFRAME;
	c->ts = fk.ts_of[out.pts % 64];
	return 1;
}
#else
static int start_x265(void) { return -1; }
static void stop_x265(void) { }
static int encode_x265(struct fk_buf *b, struct fk_buf *c) { return -1; }
#endif

/* Encode OUTPUT buffer b into CAPTURE buffer c (timestamp copied from
 * the OUTPUT buffer of the picture that comes out).  1: AU written, 0:
 * none (x264 holds a B-frame), -1: error. */
static int encode(struct fk_buf *b, struct fk_buf *c)
{
	x264_picture_t pic, out;
	x264_nal_t *nal;
	uint32_t st;
	int nnal, size, i, k;

	if (fk.hevc)
		return encode_x265(b, c);
	x264_picture_init(&pic);
	pic.img.i_csp = fk.nv12 ? X264_CSP_NV12 : X264_CSP_I420;
	pic.img.i_plane = fk.nv12 ? 2 : 3;
	for (k = 0; k < pic.img.i_plane; k++) {
		pic.img.plane[k] = plane_of(b, k, &st);
		pic.img.i_stride[k] = (int)st;
	}
	pic.i_pts = (int64_t)fake_v4l2_frames;
	pic.i_type = b->force ? X264_TYPE_IDR : X264_TYPE_AUTO;
	if (FAKE_NV) {
		/* NVIDIA: an I-frame every GOP_SIZE, but an IDR only at the
		 * start, when forced, and every IDR_INTERVAL if one was set */
		if (!fake_v4l2_frames || (fk.idr > 0 && fk.since_idr >= fk.idr))
			pic.i_type = X264_TYPE_IDR;
		else if (pic.i_type == X264_TYPE_AUTO && fk.since_idr % fk.gop == 0)
			pic.i_type = X264_TYPE_I;
		fk.since_idr = pic.i_type == X264_TYPE_IDR ? 1 : fk.since_idr + 1;
	}
	fk.ts_of[fake_v4l2_frames % 64] = b->ts;
	keep_frame(&pic);
	fake_v4l2_frames++;
	size = x264_encoder_encode(fk.x, &nal, &nnal, &pic, &out);
	if (size <= 0)
		return size < 0 ? -1 : 0;
	c->used = 0;
	for (i = 0; i < nnal; i++) {
		if (put(c, nal[i].p_payload, (size_t)nal[i].i_payload) < 0)
			return -1;
		/* the first IDR carries the headers, after its AUD */
		if (i == 0 && out.b_keyframe && !fk.repeat && !fk.headers_out) {
			fk.headers_out = 1;
			if (put_headers(c) < 0)
				return -1;
		}
	}
	c->flags = out.b_keyframe ? V4L2_BUF_FLAG_KEYFRAME :
		   IS_X264_TYPE_B(out.i_type) ? V4L2_BUF_FLAG_BFRAME : V4L2_BUF_FLAG_PFRAME;
	c->ts = fk.ts_of[out.i_pts % 64];
	return 1;
}

/* x264 or x265, once, on the first frame. */
static int start_codec(void)
{
	fk.started = 1;
	return fk.hevc ? start_x265() : start_x264();
}

/* Do what a driver does between the calls: while both queues stream and
 * an OUTPUT buffer waits, fill a CAPTURE buffer (the one queued LAST:
 * buffers come back out of order). */
static void pump(void)
{
	while (fk.streaming[0] && fk.streaming[1] && fk.cap_q.n && !fk.stopped) {
		struct fk_buf *c = &fk.cap[fk.cap_q.v[fk.cap_q.n - 1]];
		struct fk_buf *b;
		int r;

		c->used = 0;
		c->flags = 0;
		if (!fk.out_q.n) {
			if (!fk.stopping)
				return;
			/* dev-encoder "Drain": nothing left, an empty LAST buffer
			 * (NVIDIA: empty, no flag) */
			c->flags = FAKE_NV ? 0 : V4L2_BUF_FLAG_LAST;
			fk.stopped = 1;
		} else if (!fk.started && start_codec() < 0) {
			bad("x264 refused the settings the application gave");
			return;
		} else if (!fk.joined && !fk.repeat && !fk.headers_out) {
			/* HEADER_MODE_SEPARATE: the headers in a buffer of their own */
			fk.headers_out = 1;
			if (put_headers(c) < 0)
				return;
		} else if (has("delay1") && fk.out_q.n < 2 && !fk.stopping) {
			return;                 /* holds one frame */
		} else if (has("zero_output")) {
			push(&fk.out_done, pop_front(&fk.out_q));
			continue;
		} else {
			b = &fk.out[fk.out_q.v[0]];
			if (b->eos) {           /* the pre-ENCODER_CMD way to stop */
				c->flags = V4L2_BUF_FLAG_LAST;
				fk.stopped = 1;
			} else if ((r = encode(b, c)) < 0) {
				c->flags = V4L2_BUF_FLAG_ERROR;
			} else if (r == 0) {
				push(&fk.out_done, pop_front(&fk.out_q));
				continue;
			}
			push(&fk.out_done, pop_front(&fk.out_q));
		}
		fk.cap_q.n--;
		push(&fk.cap_done, (int)(c - fk.cap));
	}
}

/* ------------------------------------------------------------ ioctls */

static int querycap(struct v4l2_capability *c)
{
	uint32_t caps;

	if (has("enotty"))
		return fail(ENOTTY);
	memset(c, 0, sizeof *c);
	snprintf((char *)c->driver, sizeof c->driver, "fake_v4l2");
	snprintf((char *)c->card, sizeof c->card, fk.node ? "fake encoder" : "fake decoder");
	caps = (fk.mplane ? V4L2_CAP_VIDEO_M2M_MPLANE : V4L2_CAP_VIDEO_M2M) | V4L2_CAP_STREAMING;
	c->device_caps = caps;
	c->capabilities = caps | V4L2_CAP_DEVICE_CAPS;
	return 0;
}

static const uint32_t out_fmts_mp[] = { V4L2_PIX_FMT_NV12M, V4L2_PIX_FMT_YUV420M };
static const uint32_t out_fmts_sp[] = { V4L2_PIX_FMT_NV12, V4L2_PIX_FMT_YUV420 };

static int enum_fmt(struct v4l2_fmtdesc *d)
{
	const uint32_t *raw = fk.mplane ? out_fmts_mp : out_fmts_sp;
	uint32_t i = d->index, f;

	if (d->type == (uint32_t)cap_type())
		f = !fk.node ? (i ? 0 : V4L2_PIX_FMT_NV12M) : i == 0 ? V4L2_PIX_FMT_H264 :
		    i == 1 && FK_HEVC && !has("no_hevc") ? V4L2_PIX_FMT_HEVC : 0;
	else if (d->type == (uint32_t)out_type())
		f = !fk.node ? (i ? 0 : V4L2_PIX_FMT_H264) : has("i420") ? (i ? 0 : raw[1]) :
		    i < 2 ? raw[i] : 0;
	else
		return fail(EINVAL);
	if (!f)
		return fail(EINVAL);
	memset(d->description, 0, sizeof d->description);
	d->pixelformat = f;
	return 0;
}

static int s_fmt(struct v4l2_format *f)
{
	uint32_t k, pf;

	if (fk.nout || fk.ncap)
		return bad("S_FMT after REQBUFS (dev-encoder: formats come first)");
	if (f->type == (uint32_t)cap_type()) {
		pf = fk.mplane ? f->fmt.pix_mp.pixelformat : f->fmt.pix.pixelformat;
		if (pf != V4L2_PIX_FMT_H264 &&
		    (pf != V4L2_PIX_FMT_HEVC || !FK_HEVC || has("no_hevc")))
			return fail(EINVAL);
		fk.hevc = pf == V4L2_PIX_FMT_HEVC;
		fk.cap_set = 1;
		fk.cap_size = fk.mplane ? f->fmt.pix_mp.plane_fmt[0].sizeimage : f->fmt.pix.sizeimage;
		if (fk.cap_size < FK_CAP_MIN)
			fk.cap_size = FK_CAP_MIN;
		if (fk.mplane) {
			f->fmt.pix_mp.num_planes = 1;
			f->fmt.pix_mp.plane_fmt[0].sizeimage = fk.cap_size;
			f->fmt.pix_mp.plane_fmt[0].bytesperline = 0;
		} else {
			f->fmt.pix.sizeimage = fk.cap_size;
			f->fmt.pix.bytesperline = 0;
		}
		return 0;
	}
	if (f->type != (uint32_t)out_type())
		return fail(EINVAL);
	if (!fk.cap_set)
		return bad("S_FMT OUTPUT before S_FMT CAPTURE (dev-encoder Initialization 1-2)");
	pf = fk.mplane ? f->fmt.pix_mp.pixelformat : f->fmt.pix.pixelformat;
	if (!(fk.mplane ? (pf == out_fmts_mp[1] || (pf == out_fmts_mp[0] && !has("i420"))) :
	      (pf == out_fmts_sp[1] || (pf == out_fmts_sp[0] && !has("i420")))))
		pf = (fk.mplane ? out_fmts_mp : out_fmts_sp)[has("i420")];  /* driver's pick */
	fk.fmt = pf;
	fk.nv12 = pf == V4L2_PIX_FMT_NV12M || pf == V4L2_PIX_FMT_NV12;
	fk.nplanes = pf == V4L2_PIX_FMT_NV12M ? 2 : pf == V4L2_PIX_FMT_YUV420M ? 3 : 1;
	fk.w = fk.mplane ? f->fmt.pix_mp.width : f->fmt.pix.width;
	fk.h = fk.mplane ? f->fmt.pix_mp.height : f->fmt.pix.height;
	if (fk.w < 16 || fk.h < 16 || fk.w % 2 || fk.h % 2)
		return fail(EINVAL);
	fk.cw = align(fk.w, 16);
	fk.ch = align(fk.h, 16);
	fk.vw = fk.cw;
	fk.vh = fk.ch;
	fk.bpl[0] = align(fk.cw, 64);
	fake_v4l2_bpl = fk.bpl[0];
	if (fk.nplanes == 1) {
		fk.psize[0] = fk.bpl[0] * fk.ch * 3 / 2;
	} else {
		fk.psize[0] = fk.bpl[0] * fk.ch;
		for (k = 1; k < fk.nplanes; k++) {
			fk.bpl[k] = fk.nv12 ? fk.bpl[0] : align(fk.cw / 2, 64);
			fk.psize[k] = fk.bpl[k] * fk.ch / 2;
		}
	}
	if (fk.mplane) {
		f->fmt.pix_mp.pixelformat = pf;
		f->fmt.pix_mp.width = fk.cw;
		f->fmt.pix_mp.height = fk.ch;
		f->fmt.pix_mp.num_planes = (uint8_t)fk.nplanes;
		for (k = 0; k < fk.nplanes; k++) {
			f->fmt.pix_mp.plane_fmt[k].bytesperline = fk.bpl[k];
			f->fmt.pix_mp.plane_fmt[k].sizeimage = fk.psize[k];
		}
	} else {
		f->fmt.pix.pixelformat = pf;
		f->fmt.pix.width = fk.cw;
		f->fmt.pix.height = fk.ch;
		f->fmt.pix.bytesperline = fk.bpl[0];
		f->fmt.pix.sizeimage = fk.psize[0];
	}
	fk.out_set = 1;
	return 0;
}

static int s_selection(struct v4l2_selection *s)
{
	if (!fk.out_set)
		return bad("S_SELECTION before S_FMT OUTPUT");
	if (s->type != V4L2_BUF_TYPE_VIDEO_OUTPUT && s->type != V4L2_BUF_TYPE_VIDEO_OUTPUT_MPLANE)
		return fail(EINVAL);
	if (s->target != V4L2_SEL_TGT_CROP || s->r.left || s->r.top ||
	    s->r.width > fk.cw || s->r.height > fk.ch || s->r.width < 16 || s->r.height < 16)
		return fail(EINVAL);
	fk.vw = s->r.width;
	fk.vh = s->r.height;
	return 0;
}

#if FAKE_NV
/* NVIDIA's encoder extension controls as two headers number them (the
 * numbers only; attribution and sources: src/codec/enc_v4l2.c nv_tables,
 * restated here on purpose, not shared, so a wrong table is caught):
 * FAKE_NV_RELEASE=old is the 2016 header (before R32), R32, R35 or R36
 * (the default) the later one, identical in those releases.  A number
 * only the other header has is a contract violation: on a real Jetson it
 * would set some other control. */
enum { NV_IDR, NV_BFRAMES, NV_SPSPPS, NV_MAXPERF, NV_POC, NV_FORCE_IDR, NV_PRESET, NV_N };
static const uint32_t nv_old[NV_N] = {
	V4L2_CID_MPEG_BASE + 514, V4L2_CID_MPEG_BASE + 531, V4L2_CID_MPEG_BASE + 532, 0, 0, 0,
	V4L2_CID_MPEG_BASE + 537
};
static const uint32_t nv_new[NV_N] = {
	V4L2_CID_MPEG_BASE + 514, V4L2_CID_MPEG_BASE + 534, V4L2_CID_MPEG_BASE + 535,
	V4L2_CID_MPEG_BASE + 554, V4L2_CID_MPEG_BASE + 563, V4L2_CID_MPEG_BASE + 567,
	V4L2_CID_MPEG_BASE + 540
};

static const char *nv_release(void)
{
	const char *r = getenv("FAKE_NV_RELEASE");

	return r && *r ? r : "R36";
}

/* Which of NVIDIA's controls id is in this release: its index, -1 none,
 * -2 one of the other header's numbers. */
static int nv_which(uint32_t id)
{
	const uint32_t *mine = strcmp(nv_release(), "old") ? nv_new : nv_old;
	const uint32_t *other = mine == nv_old ? nv_new : nv_old;
	int k;

	for (k = 0; k < NV_N; k++)
		if (mine[k] && mine[k] == id)
			return k;
	for (k = 0; k < NV_N; k++)
		if (other[k] && other[k] == id)
			return -2;
	return -1;
}

static int nv_set(int k, const struct v4l2_ext_control *c, int before_bufs)
{
	if (k == NV_FORCE_IDR) {        /* a button, at run time */
		if (has("no_force"))
			return fail(EINVAL);
		if (!fk.streaming[0])
			return bad("FORCE_IDR_FRAME before STREAMON");
		fk.force_next = 1;
		fk.nv_taken |= 1u << k;
		return 0;
	}
	if (!before_bufs)
		return bad("NVIDIA control %#x after REQBUFS", c->id);
	if (!fk.out_set)
		return bad("NVIDIA control %#x before S_FMT OUTPUT", c->id);
	switch (k) {
	case NV_IDR:
		if (c->value < 1)
			return fail(ERANGE);
		fk.idr = c->value;
		break;
	case NV_BFRAMES:
		if (c->value < 0 || c->value > 2)
			return fail(ERANGE);
		fk.bframes = c->value;
		break;
	case NV_SPSPPS:
		fk.repeat = c->value != 0;
		break;
	case NV_MAXPERF:
		if (c->value < 0 || c->value > 1)
			return fail(ERANGE);
		break;
	case NV_POC:
		if (c->value < 0 || c->value > 2)
			return fail(ERANGE);
		break;
	case NV_PRESET:
		/* HW_PRESET_TYPE_PARAM as NVIDIA's own clients send it: the
		 * enum in .value (src/codec/enc_v4l2.c says why), ULTRAFAST 1
		 * .. SLOW 4, DISABLE 0 only in the later header.  A payload
		 * (.size) means the struct form, which libnvv4l2 would read as
		 * a number: a contract violation, as is a value out of the enum. */
		if (c->size)
			return bad("HW_PRESET_TYPE_PARAM with a %u-byte payload, not the enum in .value",
				   c->size);
		if (c->value < (strcmp(nv_release(), "old") ? 0 : 1) || c->value > 4)
			return bad("HW_PRESET_TYPE_PARAM %d: no such preset in the %s header",
				   c->value, nv_release());
		if (has("no_preset"))
			return fail(EINVAL);
		fk.nv_preset = c->value;
		break;
	}
	fk.nv_taken |= 1u << k;
	return 0;
}
#endif

static int set_one(const struct v4l2_ext_control *c)
{
	int before_bufs = !fk.nout && !fk.ncap;

#if FAKE_NV
	{
		int k = nv_which(c->id);

		if (k == -2)
			return bad("control %#x: NVIDIA's number in another release's header than %s "
				   "(FAKE_NV_RELEASE)", c->id, nv_release());
		if (k >= 0)
			return nv_set(k, c, before_bufs);
	}
#endif
	switch (c->id) {
	case V4L2_CID_MPEG_VIDEO_FORCE_KEY_FRAME:
		if (has("no_force"))
			return fail(EINVAL);
		if (!fk.streaming[0])
			return bad("FORCE_KEY_FRAME before STREAMON");
		fk.force_next = 1;
		return 0;
	case V4L2_CID_MPEG_VIDEO_REPEAT_SEQ_HEADER:
	case V4L2_CID_MPEG_VIDEO_PREPEND_SPSPPS_TO_IDR:
		if (!has("repeat_hdr"))
			return fail(EINVAL);
		break;
	case V4L2_CID_MPEG_VIDEO_HEADER_MODE:
		if (has("separate_hdr"))
			return fail(EINVAL);
		break;
	case V4L2_CID_MPEG_VIDEO_B_FRAMES:
	case V4L2_CID_MPEG_VIDEO_GOP_SIZE:
	case V4L2_CID_MPEG_VIDEO_H264_I_PERIOD:
	case V4L2_CID_MPEG_VIDEO_FRAME_RC_ENABLE:
	case V4L2_CID_MPEG_VIDEO_BITRATE_MODE:
		break;
	case V4L2_CID_MPEG_VIDEO_BITRATE:
		if (has("no_bitrate"))
			return fail(EINVAL);
		break;
	default:
		return fail(EINVAL);
	}
	if (!before_bufs)
		return bad("control %#x after REQBUFS (dev-encoder: between S_FMT and REQBUFS)", c->id);
	if (!fk.out_set)
		return bad("control %#x before S_FMT OUTPUT", c->id);
	switch (c->id) {
	case V4L2_CID_MPEG_VIDEO_REPEAT_SEQ_HEADER:
	case V4L2_CID_MPEG_VIDEO_PREPEND_SPSPPS_TO_IDR:
		fk.repeat = c->value != 0;
		break;
	case V4L2_CID_MPEG_VIDEO_B_FRAMES:
		fk.bframes = c->value;
		break;
	case V4L2_CID_MPEG_VIDEO_GOP_SIZE:
	case V4L2_CID_MPEG_VIDEO_H264_I_PERIOD:
		if (c->value < 1)
			return fail(ERANGE);
		fk.gop = c->value;
		break;
	case V4L2_CID_MPEG_VIDEO_HEADER_MODE:
		fk.joined = c->value == V4L2_MPEG_VIDEO_HEADER_MODE_JOINED_WITH_1ST_FRAME;
		break;
	case V4L2_CID_MPEG_VIDEO_BITRATE:
		fk.bitrate = c->value;
		break;
	}
	return 0;
}

static int s_ext_ctrls(struct v4l2_ext_controls *cs)
{
	uint32_t i;

	if (!cs->count || !cs->controls)
		return bad("S_EXT_CTRLS without controls");
	for (i = 0; i < cs->count; i++) {
		if (cs->ctrl_class && cs->ctrl_class != V4L2_CTRL_ID2CLASS(cs->controls[i].id))
			return bad("S_EXT_CTRLS class %#x for control %#x", cs->ctrl_class,
				   cs->controls[i].id);
		if (set_one(&cs->controls[i]) < 0) {
			cs->error_idx = i;
			return -1;
		}
	}
	return 0;
}

static int queryctrl(struct v4l2_queryctrl *q)
{
	if (q->id != V4L2_CID_MPEG_VIDEO_FORCE_KEY_FRAME || has("no_force"))
		return fail(EINVAL);
	q->type = V4L2_CTRL_TYPE_BUTTON;
	q->flags = V4L2_CTRL_FLAG_WRITE_ONLY;
	return 0;
}

/* Plane memory: the heap, or (FAKE_NV) a memfd that EXPBUF can export. */
static uint8_t *alloc_plane(uint32_t len, int *memfd)
{
	void *p;

	if (!FAKE_NV)
		return malloc(len);
#if FAKE_NV
	*memfd = memfd_create("fake_v4l2", MFD_CLOEXEC);
#endif
	if (*memfd < 0 || ftruncate(*memfd, len) < 0)
		return NULL;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, *memfd, 0);
	return p == MAP_FAILED ? NULL : p;
}

static int reqbufs(struct v4l2_requestbuffers *r)
{
	int capture = r->type == (uint32_t)cap_type();
	struct fk_buf *b = capture ? fk.cap : fk.out;
	uint32_t *n = capture ? &fk.ncap : &fk.nout, i, k, count;

	if (!capture && r->type != (uint32_t)out_type())
		return fail(EINVAL);
	if (r->memory != V4L2_MEMORY_MMAP)
		return fail(EINVAL);
	if (!fk.cap_set || !fk.out_set)
		return bad("REQBUFS before both formats are set");
	if (fk.streaming[capture])
		return bad("REQBUFS on a streaming queue");
	free_bufs(b, n);
	if (!r->count)
		return 0;
	count = r->count > FK_BUFS ? FK_BUFS : r->count;
	if (!capture && count < FK_OUT_MIN)
		count = FK_OUT_MIN;             /* the driver's minimum */
	for (i = 0; i < count; i++)
		for (k = 0; k < (capture ? 1 : fk.nplanes); k++) {
			b[i].len[k] = capture ? fk.cap_size : fk.psize[k];
			if ((b[i].mem[k] = alloc_plane(b[i].len[k], &b[i].memfd[k])) == NULL)
				return fail(ENOMEM);
			memset(b[i].mem[k], FK_CANARY, b[i].len[k]);
		}
	*n = count;
	r->count = count;
	return 0;
}

static int querybuf(struct v4l2_buffer *vb)
{
	int capture = vb->type == (uint32_t)cap_type();
	struct fk_buf *b = capture ? fk.cap : fk.out;
	uint32_t np = capture ? 1 : fk.nplanes, k;

	if ((!capture && vb->type != (uint32_t)out_type()) || vb->memory != V4L2_MEMORY_MMAP)
		return fail(EINVAL);
	if (vb->index >= (capture ? fk.ncap : fk.nout))
		return fail(EINVAL);
	vb->flags = V4L2_BUF_FLAG_TIMESTAMP_COPY | (b[vb->index].queued ? V4L2_BUF_FLAG_QUEUED : 0);
	if (!fk.mplane) {
		vb->length = b[vb->index].len[0];
		vb->m.offset = (uint32_t)offset_of(capture, vb->index, 0);
		return 0;
	}
	if (!vb->m.planes || vb->length < np)
		return bad("QUERYBUF with room for %u planes, format has %u", vb->length, np);
	for (k = 0; k < np; k++) {
		vb->m.planes[k].length = b[vb->index].len[k];
		vb->m.planes[k].m.mem_offset = (uint32_t)offset_of(capture, vb->index, k);
	}
	vb->length = np;
	return 0;
}

/* The application must write only w x h of every plane: the padding up
 * to bytesperline and below the visible rows keeps the canary. */
static int check_padding(struct fk_buf *b)
{
	uint32_t k, y, x, st, rows, cols;
	uint8_t *p;

	for (k = 0; k < (fk.nv12 ? 2u : 3u); k++) {
		p = plane_of(b, (int)k, &st);
		rows = k ? fk.vh / 2 : fk.vh;
		cols = k && !fk.nv12 ? fk.vw / 2 : fk.vw;
		for (y = 0; y < rows; y++)
			for (x = cols; x < st; x++)
				if (p[(size_t)y * st + x] != FK_CANARY)
					return bad("byte %u of row %u of plane %u written: past the "
						   "visible width (bytesperline %u)", x, y, k, st);
	}
	return 0;
}

static int qbuf(struct v4l2_buffer *vb)
{
	int capture = vb->type == (uint32_t)cap_type();
	struct fk_buf *b;
	uint32_t k, used = 0;

	if ((!capture && vb->type != (uint32_t)out_type()) || vb->memory != V4L2_MEMORY_MMAP)
		return fail(EINVAL);
	if (vb->index >= (capture ? fk.ncap : fk.nout))
		return bad("QBUF index %u of %u", vb->index, capture ? fk.ncap : fk.nout);
	b = capture ? &fk.cap[vb->index] : &fk.out[vb->index];
	if (b->queued)
		return bad("QBUF of %s buffer %u that the driver owns", capture ? "CAPTURE" : "OUTPUT",
			   vb->index);
	if (!b->mapped[0])
		return bad("QBUF of a buffer that is not mapped");
	/* (CAPTURE buffers may be queued while draining and after it: they
	 * wait for the next START, dev-encoder "Drain") */
	if (capture) {
		if (fk.mplane && (!vb->m.planes || vb->length != 1))
			return bad("QBUF CAPTURE with %u planes", vb->length);
		b->queued = 1;
		push(&fk.cap_q, (int)vb->index);
		pump();
		return 0;
	}
	if (fk.mplane) {
		if (!vb->m.planes || vb->length != fk.nplanes)
			return bad("QBUF OUTPUT with %u planes, format has %u", vb->length, fk.nplanes);
		for (k = 0; k < fk.nplanes; k++) {
			if (vb->m.planes[k].bytesused != fk.psize[k] && vb->m.planes[k].bytesused)
				return bad("QBUF OUTPUT plane %u bytesused %u, sizeimage %u", k,
					   vb->m.planes[k].bytesused, fk.psize[k]);
			used += vb->m.planes[k].bytesused;
		}
	} else {
		if (vb->bytesused != fk.psize[0] && vb->bytesused)
			return bad("QBUF OUTPUT bytesused %u, sizeimage %u", vb->bytesused, fk.psize[0]);
		used = vb->bytesused;
	}
	if (fk.stopping)
		return bad("QBUF OUTPUT after V4L2_ENC_CMD_STOP");
	if (fk.vw != fk.w || fk.vh != fk.h)
		return bad("coded %ux%u, asked %ux%u: no S_SELECTION crop to the visible size",
			   fk.cw, fk.ch, fk.w, fk.h);
	if (used && check_padding(b) < 0)
		return -1;
	b->eos = used == 0;
	b->force = fk.force_next;
	fk.force_next = 0;
	b->ts = vb->timestamp;
	b->queued = 1;
	push(&fk.out_q, (int)vb->index);
	pump();
	return 0;
}

static int dqbuf(struct v4l2_buffer *vb)
{
	int capture = vb->type == (uint32_t)cap_type(), i;
	struct fk_buf *b;

	if ((!capture && vb->type != (uint32_t)out_type()) || vb->memory != V4L2_MEMORY_MMAP)
		return fail(EINVAL);
	if (!fk.streaming[capture])
		return bad("DQBUF on a queue that is not streaming");
	if (fk.mplane && (!vb->m.planes || vb->length < (capture ? 1 : fk.nplanes)))
		return bad("DQBUF with room for %u planes", vb->length);
	pump();
	if (!(capture ? fk.cap_done.n : fk.out_done.n))
		return fail(capture && fk.stopped ? EPIPE : EAGAIN);
	i = pop_front(capture ? &fk.cap_done : &fk.out_done);
	b = capture ? &fk.cap[i] : &fk.out[i];
	if (capture && (b->flags & V4L2_BUF_FLAG_LAST || (FAKE_NV && fk.stopped && !b->used)))
		fake_v4l2_last_sent++;
	b->queued = 0;
	vb->index = (uint32_t)i;
	vb->flags = V4L2_BUF_FLAG_TIMESTAMP_COPY | (capture ? b->flags : 0);
	vb->timestamp = b->ts;
	vb->field = V4L2_FIELD_NONE;
	if (fk.mplane) {
		vb->length = capture ? 1 : fk.nplanes;
		vb->m.planes[0].bytesused = capture ? b->used : fk.psize[0];
		vb->m.planes[0].data_offset = 0;
	} else {
		vb->bytesused = capture ? b->used : fk.psize[0];
	}
	return 0;
}

static int stream(int on, const int *type)
{
	int capture = *type == cap_type();

	if (!capture && *type != out_type())
		return fail(EINVAL);
	if (on && !(capture ? fk.ncap : fk.nout))
		return bad("STREAMON before REQBUFS");
	fk.streaming[capture] = on;
	if (!on) {
		struct fk_buf *b = capture ? fk.cap : fk.out;
		uint32_t i;

		for (i = 0; i < FK_BUFS; i++)
			b[i].queued = 0;
		if (capture)
			fk.cap_q.n = fk.cap_done.n = 0;
		else
			fk.out_q.n = fk.out_done.n = 0;
	}
	pump();
	return 0;
}

static int encoder_cmd(struct v4l2_encoder_cmd *c)
{
	if (c->cmd != V4L2_ENC_CMD_STOP)
		return fail(EINVAL);
	if (!fk.streaming[0] || !fk.streaming[1])
		return bad("ENCODER_CMD STOP while not streaming");
	fk.stopping = 1;
	pump();
	return 0;
}

/* VIDIOC_EXPBUF: a dma-buf fd for one plane (FAKE_NV only). */
static int expbuf(struct v4l2_exportbuffer *x)
{
	int capture = x->type == (uint32_t)cap_type();
	struct fk_buf *b = capture ? fk.cap : fk.out;
	int fd;

	if (!FAKE_NV || (!capture && x->type != (uint32_t)out_type()))
		return fail(EINVAL);
	if (x->index >= (capture ? fk.ncap : fk.nout) || x->plane > 2 || !b[x->index].mem[x->plane])
		return bad("EXPBUF of buffer %u plane %u that does not exist", x->index, x->plane);
	if ((fd = dup(b[x->index].memfd[x->plane])) < 0)
		return -1;
	b[x->index].mapped[x->plane] = 1;       /* the application maps it itself */
	x->fd = fd;
	return 0;
}

static int fk_ioctl(int fd, unsigned long req, void *arg)
{
	if (fd != FK_FD || !fk.open)
		return bad("ioctl on fd %d, not an open fake node", fd);
	if (req == VIDIOC_QUERYCAP)
		return querycap(arg);
	if (req == VIDIOC_ENUM_FMT)
		return enum_fmt(arg);
	if (!fk.node)
		return bad("ioctl %#lx on the decoder node (should have been passed over)", req);
	switch (req) {
	case VIDIOC_S_FMT:        return s_fmt(arg);
	case VIDIOC_S_SELECTION:  return s_selection(arg);
	case VIDIOC_S_PARM: {
		struct v4l2_streamparm *p = arg;

		if (p->type != (uint32_t)out_type())
			return fail(EINVAL);
		if (!p->parm.output.timeperframe.numerator || !p->parm.output.timeperframe.denominator)
			return bad("S_PARM with a zero frame interval");
		fk.fps_num = p->parm.output.timeperframe.denominator;
		fk.fps_den = p->parm.output.timeperframe.numerator;
		return 0;
	}
	case VIDIOC_S_EXT_CTRLS:  return s_ext_ctrls(arg);
	case VIDIOC_QUERYCTRL:    return queryctrl(arg);
	case VIDIOC_REQBUFS:      return reqbufs(arg);
	case VIDIOC_QUERYBUF:     return querybuf(arg);
	case VIDIOC_QBUF:         return qbuf(arg);
	case VIDIOC_DQBUF:        return dqbuf(arg);
	case VIDIOC_STREAMON:     return stream(1, arg);
	case VIDIOC_STREAMOFF:    return stream(0, arg);
	case VIDIOC_ENCODER_CMD:  return encoder_cmd(arg);
	case VIDIOC_EXPBUF:       return expbuf(arg);
	default:                  return fail(ENOTTY);
	}
}

/* Nothing happens between calls in process: ready now, or never. */
static int fk_poll(int fd, short events, int ms)
{
	struct timespec t = { ms / 1000, (long)(ms % 1000) * 1000000 };

	pump();
	if (((events & POLLIN) && fk.cap_done.n) || ((events & POLLOUT) && fk.out_done.n))
		return 1;
	if (ms > 0)
		nanosleep(&t, NULL);
	return 0;
}

const struct v4l2_io fake_v4l2_io = {
	"fake", NULL, fk_open, fk_close, fk_ioctl, fk_mmap, fk_munmap, fk_poll, 0, 0, NULL
};

/* The same device through a binding that cannot poll (as NVIDIA's):
 * the core's non-blocking DQBUF retry path. */
const struct v4l2_io fake_v4l2_io_nopoll = {
	"fake-nopoll", NULL, fk_open, fk_close, fk_ioctl, fk_mmap, fk_munmap, NULL, 0, 0, NULL
};

#if FAKE_NV
/* libv4l2's API (libv4l2.h), as libnvv4l2.so exports it. */
int v4l2_open(const char *file, int oflag, ...);
int v4l2_close(int fd);
int v4l2_ioctl(int fd, unsigned long request, ...);
void *v4l2_mmap(void *start, size_t length, int prot, int flags, int fd, int64_t offset);
int v4l2_munmap(void *start, size_t length);

int v4l2_open(const char *file, int oflag, ...)
{
	(void)oflag;
	return fk_open(file);
}

int v4l2_close(int fd)
{
	return fk_close(fd);
}

int v4l2_ioctl(int fd, unsigned long request, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	return fk_ioctl(fd, request, arg);
}

/* NVIDIA: buffers are not mapped through the library (asking is not a
 * violation: the caller then goes to VIDIOC_EXPBUF). */
void *v4l2_mmap(void *start, size_t length, int prot, int flags, int fd, int64_t offset)
{
	(void)start; (void)length; (void)prot; (void)flags; (void)fd; (void)offset;
	errno = EINVAL;
	return MAP_FAILED;
}

int v4l2_munmap(void *start, size_t length)
{
	(void)start; (void)length;
	return bad("v4l2_munmap of a buffer v4l2_mmap never mapped");
}
#endif
