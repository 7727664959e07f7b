/* SPDX-License-Identifier: GPL-2.0-or-later */
/* link_smoke.c - prove a link mode works with the real third-party archives.
 *
 * Built only by test/suites/build.sh, with the Makefile's own link recipe
 * (`make prog-y=link_smoke libs-y="zmq x264 x265"`), so it exercises the
 * exact static archive lists, vendor/zmq/gss_stub.c and vendor/glibc/compat.c
 * for the configured link mode and toolchain.  Each library is asked to do
 * real work: a ZeroMQ PUB->SUB message over inproc, then one 64x64 I420
 * frame through x264 and x265.  Prints one line per library; exit 0 only
 * when all three produced output.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <x264.h>
#include <x265.h>
#include <zmq.h>

#define W 64
#define H 64

static uint8_t plane_y[W * H], plane_u[W * H / 4], plane_v[W * H / 4];

static int smoke_zmq(void)
{
	void *ctx = zmq_ctx_new();
	void *pub = zmq_socket(ctx, ZMQ_PUB);
	void *sub = zmq_socket(ctx, ZMQ_SUB);
	char buf[8] = "";
	int n = -1, timeout_ms = 2000, i;

	zmq_bind(pub, "inproc://smoke");
	zmq_connect(sub, "inproc://smoke");
	zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0);
	zmq_setsockopt(sub, ZMQ_RCVTIMEO, &timeout_ms, sizeof timeout_ms);
	/* PUB drops until the subscription arrives: repeat a few times. */
	for (i = 0; i < 20 && n < 0; i++) {
		zmq_send(pub, "ping", 4, ZMQ_DONTWAIT);
		n = zmq_recv(sub, buf, sizeof buf, ZMQ_DONTWAIT);
		if (n < 0)
			zmq_poll(NULL, 0, 20);
	}
	if (n < 0)
		n = zmq_recv(sub, buf, sizeof buf, 0);
	zmq_close(sub);
	zmq_close(pub);
	zmq_ctx_term(ctx);
	printf("zmq %d.%d.%d: %d bytes\n", ZMQ_VERSION_MAJOR, ZMQ_VERSION_MINOR,
	       ZMQ_VERSION_PATCH, n);
	return n == 4 && memcmp(buf, "ping", 4) == 0;
}

static int smoke_x264(void)
{
	x264_param_t p;
	x264_picture_t in, out;
	x264_nal_t *nal;
	x264_t *enc;
	int nnal = 0, bytes = 0;

	if (x264_param_default_preset(&p, "ultrafast", "zerolatency") < 0)
		return 0;
	p.i_width = W;
	p.i_height = H;
	p.i_csp = X264_CSP_I420;
	p.i_threads = 1;
	p.i_log_level = X264_LOG_ERROR;
	enc = x264_encoder_open(&p);
	if (!enc)
		return 0;
	x264_picture_init(&in);
	in.img.i_csp = X264_CSP_I420;
	in.img.i_plane = 3;
	in.img.plane[0] = plane_y;
	in.img.plane[1] = plane_u;
	in.img.plane[2] = plane_v;
	in.img.i_stride[0] = W;
	in.img.i_stride[1] = in.img.i_stride[2] = W / 2;
	bytes = x264_encoder_encode(enc, &nal, &nnal, &in, &out);
	while (bytes == 0 && x264_encoder_delayed_frames(enc) > 0)
		bytes = x264_encoder_encode(enc, &nal, &nnal, NULL, &out);
	x264_encoder_close(enc);
	printf("x264 build %d: %d bytes\n", X264_BUILD, bytes);
	return bytes > 0;
}

static int smoke_x265(void)
{
	x265_param *p = x265_param_alloc();
	x265_picture *pic;
	x265_nal *nal;
	x265_encoder *enc;
	uint32_t nnal = 0;
	int bytes = 0, rc;

	if (!p || x265_param_default_preset(p, "ultrafast", "zerolatency") < 0)
		return 0;
	p->sourceWidth = W;
	p->sourceHeight = H;
	p->fpsNum = 30;
	p->fpsDenom = 1;
	p->logLevel = X265_LOG_ERROR;
	x265_param_parse(p, "pools", "1");
	x265_param_parse(p, "frame-threads", "1");
	enc = x265_encoder_open(p);
	if (!enc)
		return 0;
	pic = x265_picture_alloc();
	x265_picture_init(p, pic);
	pic->planes[0] = plane_y;
	pic->planes[1] = plane_u;
	pic->planes[2] = plane_v;
	pic->stride[0] = W;
	pic->stride[1] = pic->stride[2] = W / 2;
	rc = x265_encoder_encode(enc, &nal, &nnal, pic, NULL);
	while (rc == 0)
		rc = x265_encoder_encode(enc, &nal, &nnal, NULL, NULL);
	for (uint32_t i = 0; rc > 0 && i < nnal; i++)
		bytes += (int)nal[i].sizeBytes;
	x265_picture_free(pic);
	x265_encoder_close(enc);
	x265_param_free(p);
	printf("x265 build %d: %d bytes\n", X265_BUILD, bytes);
	return bytes > 0;
}

int main(void)
{
	int ok;

	memset(plane_y, 0x80, sizeof plane_y);
	memset(plane_u, 0x80, sizeof plane_u);
	memset(plane_v, 0x80, sizeof plane_v);
	ok = smoke_zmq();
	ok &= smoke_x264();
	ok &= smoke_x265();
	x265_cleanup();
	return ok ? 0 : 1;
}
