/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vdec.c - libavcodec decoder wrapper (vdec.h).  FFmpeg 5.1 API:
 * avcodec_send_packet / avcodec_receive_frame. */
#include "zed/vdec.h"
#include "codec/codec.h"

#include <errno.h>
#include <libavcodec/avcodec.h>
#include <libavutil/error.h>
#include <libavutil/pixdesc.h>
#include <stdio.h>
#include <stdlib.h>

struct vdec {
	AVCodecContext *ctx;
	AVPacket *pkt;
	AVFrame *frame;
	int eof_sent;
};

int vdec_open(struct vdec **out, int codec, char *err, size_t errlen)
{
	const AVCodec *c = avcodec_find_decoder(codec == CODEC_H265 ? AV_CODEC_ID_HEVC
								 : AV_CODEC_ID_H264);
	struct vdec *d;

	av_log_set_level(AV_LOG_ERROR);
	if (!c) {
		snprintf(err, errlen, "libavcodec has no %s decoder", codec_names[codec]);
		return -ENODEV;
	}
	d = calloc(1, sizeof(*d));
	if (!d || !(d->ctx = avcodec_alloc_context3(c)) || !(d->pkt = av_packet_alloc()) ||
	    !(d->frame = av_frame_alloc())) {
		vdec_close(d);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	/* Slice threads keep one-in-one-out; frame threads would add a
	 * picture of delay per thread. */
	d->ctx->thread_count = 0;
	d->ctx->thread_type = FF_THREAD_SLICE;
	if (avcodec_open2(d->ctx, c, NULL) < 0) {
		vdec_close(d);
		snprintf(err, errlen, "cannot open the %s decoder", codec_names[codec]);
		return -ENODEV;
	}
	*out = d;
	return 0;
}

int vdec_send(struct vdec *d, const uint8_t *au, size_t n, int64_t tag)
{
	int r;

	if (!au) {
		if (d->eof_sent)
			return 0;
		d->eof_sent = 1;
		r = avcodec_send_packet(d->ctx, NULL);
		return r < 0 && r != AVERROR_EOF ? -EIO : 0;
	}
	if (n > INT32_MAX)
		return -EINVAL;
	/* The packet borrows au (no copy: it is not reference counted, so
	 * libavcodec copies what it keeps). */
	d->pkt->data = (uint8_t *)au;
	d->pkt->size = (int)n;
	d->pkt->pts = tag;
	d->pkt->dts = tag;
	r = avcodec_send_packet(d->ctx, d->pkt);
	d->pkt->data = NULL;
	d->pkt->size = 0;
	if (r == AVERROR_INVALIDDATA)
		return -EBADMSG;        /* corrupt AU: the caller counts it */
	return r < 0 ? -EIO : 0;
}

int vdec_receive(struct vdec *d, struct yuv_frame *out, int64_t *tag,
		 char *err, size_t errlen)
{
	AVFrame *f = d->frame;
	int r;

	av_frame_unref(f);
	r = avcodec_receive_frame(d->ctx, f);
	if (r == AVERROR(EAGAIN) || r == AVERROR_EOF)
		return 0;
	if (r < 0) {
		char e[64];
		av_strerror(r, e, sizeof(e));
		snprintf(err, errlen, "decoding failed: %s", e);
		return -EIO;
	}
	if (f->format != AV_PIX_FMT_YUV420P && f->format != AV_PIX_FMT_YUVJ420P) {
		const char *name = av_get_pix_fmt_name((enum AVPixelFormat)f->format);
		snprintf(err, errlen, "decoded pixel format %s is not supported (8-bit 4:2:0 only)",
			 name ? name : "unknown");
		return -ENOTSUP;
	}
	out->layout = PIX_I420;
	out->width = (uint32_t)f->width;
	out->height = (uint32_t)f->height;
	out->plane[0] = f->data[0];
	out->plane[1] = f->data[1];
	out->plane[2] = f->data[2];
	out->stride[0] = (uint32_t)f->linesize[0];
	out->stride[1] = (uint32_t)f->linesize[1];
	out->stride[2] = (uint32_t)f->linesize[2];
	out->pts_ns = 0;
	*tag = f->pts != AV_NOPTS_VALUE ? f->pts : f->best_effort_timestamp;
	return 1;
}

void vdec_close(struct vdec *d)
{
	if (!d)
		return;
	av_frame_free(&d->frame);
	av_packet_free(&d->pkt);
	avcodec_free_context(&d->ctx);
	free(d);
}
