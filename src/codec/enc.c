/* SPDX-License-Identifier: GPL-2.0-or-later */
/* enc.c - the ordered encoder table, back-end selection, the switch away
 * from a silent hardware encoder (encoder.h).
 *
 * struct encoder is a thin shell: the running back-end (ops + state) and
 * the configuration it was opened with (kept to reopen as software).
 * The AU is written by the back-end straight into the caller's buffer
 * (the pipeline's hand-off slot): nothing is copied or allocated here
 * per frame.
 *
 * Selection walks enc_table[] in order, hardware rows first:
 *   auto      the first hardware back-end that opens, else software
 *             (a failed hardware open is logged once; one that says
 *             -ENOENT, no such device on this machine, only at debug)
 *   hw        the first hardware back-end that opens, or -ENODEV
 *   nvenc     that back-end, or -ENODEV
 *   v4l2      that back-end, or -ENODEV
 *   software  the software back-end of the codec, or -ENODEV
 * At run time a hardware back-end that produced no AU in its first
 * ENC_HW_PROBE_FRAMES frames is closed and replaced by software, with a
 * forced IDR and one log line.
 */
#include "codec/enc_priv.h"
#include "util/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Hardware first, then software; each row only when Kconfig built it. */
static const struct enc_ops *const enc_table[] = {
	IF_NVENC(&enc_nvenc_ops,)
	IF_ENC_V4L2M2M(&enc_v4l2_ops,)
	IF_ENC_X264(&enc_x264_ops,)
	IF_ENC_X265(&enc_x265_ops,)
	NULL
};

const char *const encoder_device_names[] = {
	"auto", "nvenc", "software", "passthrough", "hw", "v4l2", NULL
};
const char *const preset_names[] = {
	"ultrafast", "superfast", "veryfast", "faster",
	"fast", "medium", "slow", "slower", NULL
};

struct encoder {
	const struct enc_ops *ops;
	void *st;
	struct encoder_cfg cfg;
	int force_idr;
	int switched;           /* next AU is the first from the new back-end */
	int hw_proven;          /* the hardware back-end has produced an AU */
	uint32_t hw_silent;     /* frames it took without producing one */
	uint32_t seq;
	uint8_t *own;           /* for callers that bring no buffer (tools) */
};

const char *enc_preset_name(int preset)
{
	if (preset < PRESET_ULTRAFAST || preset > PRESET_SLOWER)
		return preset_names[PRESET_ULTRAFAST];
	return preset_names[preset];
}

int enc_vbv_kbit(const struct encoder_cfg *cfg)
{
	uint64_t v = (uint64_t)cfg->bitrate_kbps * ENC_VBV_FRAMES * cfg->fps_den;

	v /= cfg->fps_num ? cfg->fps_num : 30;
	if (v < (uint64_t)cfg->bitrate_kbps / 30 + 1)
		v = (uint64_t)cfg->bitrate_kbps / 30 + 1;
	return v > 0x7fffffff ? 0x7fffffff : (int)v;
}

int enc_au_append(struct access_unit *au, const void *p, size_t n)
{
	if (n > au->cap - au->size)
		return -EMSGSIZE;
	memcpy(au->data + au->size, p, n);
	au->size += n;
	return 0;
}

static int can(const struct enc_ops *ops, int codec)
{
	return (ops->codecs & ENC_CODEC(codec)) != 0;
}

static const struct enc_ops *software_ops(int codec)
{
	const struct enc_ops *const *t;

	for (t = enc_table; *t; t++)
		if (!(*t)->hardware && can(*t, codec))
			return *t;
	return NULL;
}

static int any_hardware(int codec)
{
	const struct enc_ops *const *t;

	for (t = enc_table; *t; t++)
		if ((*t)->hardware && can(*t, codec))
			return 1;
	return 0;
}

/* Open the software back-end for e->cfg.codec into e.  Returns 0 or
 * -ENODEV (reason logged: this is the last resort). */
static int open_software(struct encoder *e)
{
	const struct enc_ops *sw = software_ops(e->cfg.codec);
	char why[160] = "";

	if (!sw) {
		log_error("enc", "no software %s encoder built in (CONFIG_ENC_%s=n)",
			  codec_names[e->cfg.codec], e->cfg.codec == CODEC_H265 ? "X265" : "X264");
		return -ENODEV;
	}
	if (sw->open(&e->st, &e->cfg, why, sizeof why) < 0) {
		log_error("enc", "%s open failed: %s", sw->name, why[0] ? why : "?");
		return -ENODEV;
	}
	e->ops = sw;
	return 0;
}

/* Auto mode: each hardware row that failed is logged once, naming the
 * back-end that finally runs (a later hardware row, or software). */
#define ENC_MAX_FAILED 4
struct enc_failed {
	const char *name;
	char why[160];
};

static void log_failed(const struct enc_failed *f, int n, const char *using)
{
	int i;

	for (i = 0; i < n; i++)
		log_warn("enc", "%s unavailable (%s), using %s", f[i].name,
			 f[i].why[0] ? f[i].why : "?", using ? using : "nothing");
}

/* Pick and open a back-end as the file comment says.  0 or -ENODEV. */
static int open_backend(struct encoder *e)
{
	const struct enc_ops *const *t;
	int dev = e->cfg.device, codec = e->cfg.codec, tried = 0, nfailed = 0;
	const char *named = dev == ENCDEV_NVENC ? "nvenc" : dev == ENCDEV_V4L2 ? "v4l2" : NULL;
	struct enc_failed failed[ENC_MAX_FAILED];
	char why[160];
	int ret;

	/* A build without hardware is a choice, not a fallback: no warning. */
	if (dev == ENCDEV_SOFTWARE || (dev == ENCDEV_AUTO && !any_hardware(codec))) {
		log_debug("enc", "%s: software (%s)", codec_names[codec], dev == ENCDEV_SOFTWARE ?
			  "--encoder-device software" : "no hardware encoder built in");
		return open_software(e);
	}
	for (t = enc_table; *t; t++) {
		const struct enc_ops *b = *t;

		if (!b->hardware || !can(b, codec) || (named && strcmp(b->name, named)))
			continue;
		tried++;
		why[0] = '\0';
		log_debug("enc", "%s: trying %s (--encoder-device %s)", codec_names[codec],
			  b->name, encoder_device_names[dev]);
		ret = b->open(&e->st, &e->cfg, why, sizeof why);
		if (ret == 0) {
			e->ops = b;
			log_failed(failed, nfailed, b->name);
			return 0;
		}
		if (dev == ENCDEV_AUTO && ret == -ENOENT) {
			log_debug("enc", "%s: %s", b->name, why[0] ? why : "no device");
		} else if (dev == ENCDEV_AUTO && nfailed < ENC_MAX_FAILED) {
			failed[nfailed].name = b->name;
			snprintf(failed[nfailed].why, sizeof failed[nfailed].why, "%s", why);
			nfailed++;
		} else if (dev != ENCDEV_AUTO) {
			log_error("enc", "%s unavailable (%s)", b->name, why[0] ? why : "?");
		}
	}
	if (dev == ENCDEV_AUTO) {
		log_failed(failed, nfailed, software_ops(codec) ? software_ops(codec)->name : NULL);
		return open_software(e);
	}
	if (!tried)
		log_error("enc", "--encoder-device %s: no such %s encoder built in",
			  encoder_device_names[dev], codec_names[codec]);
	return -ENODEV;
}

int encoder_open(struct encoder **out, const struct encoder_cfg *cfg)
{
	struct encoder *e;
	int ret;

	*out = NULL;
	if (cfg->width < ENC_MIN_DIM || cfg->height < ENC_MIN_DIM ||
	    (cfg->width | cfg->height) & 1 ||
	    cfg->width > CONFIG_MAX_WIDTH || cfg->height > CONFIG_MAX_HEIGHT ||
	    !cfg->fps_num || !cfg->fps_den || cfg->gop < 1 || cfg->b_frames < 0 ||
	    (cfg->codec != CODEC_H264 && cfg->codec != CODEC_H265)) {
		log_error("enc", "bad encoder settings %ux%u %u/%u fps gop %d",
			  cfg->width, cfg->height, cfg->fps_num, cfg->fps_den, cfg->gop);
		return -EINVAL;
	}
	e = calloc(1, sizeof *e);
	if (!e)
		return -ENOMEM;
	e->cfg = *cfg;
	ret = open_backend(e);
	if (ret < 0) {
		free(e);
		return ret;
	}
	log_info("enc", "%s %ux%u %u/%u fps gop %d", e->ops->name,
		 cfg->width, cfg->height, cfg->fps_num, cfg->fps_den, cfg->gop);
	log_debug("enc", "%s settings: b-frames %d bitrate %d kbps quality %d threads %d",
		  e->ops->name, cfg->b_frames, cfg->bitrate_kbps, cfg->quality, cfg->threads);
	*out = e;
	return 0;
}

char enc_opened[256];

const char *encoder_name(const struct encoder *e)
{
	return e->ops->name;
}

int encoder_input_layout(const struct encoder *e)
{
	return e->ops->layout;
}

void encoder_force_keyframe(struct encoder *e)
{
	e->force_idr = 1;
}

/* A hardware back-end took ENC_HW_PROBE_FRAMES frames and gave nothing
 * back: replace it by software inside e and ask for an IDR.  Returns 0
 * or -ENODEV. */
static int switch_to_software(struct encoder *e)
{
	const struct enc_ops *sw = software_ops(e->cfg.codec);

	e->ops->close(e->st);
	e->st = NULL;
	log_warn("enc", "%s produced no output in %d frames, switching to %s",
		 e->ops->name, ENC_HW_PROBE_FRAMES, sw ? sw->name : "nothing");
	e->force_idr = 1;
	e->switched = 1;
	e->ops = NULL;
	return open_software(e);
}

/* Fill in what every AU carries after a back-end produced one. */
static void finish_au(struct encoder *e, struct access_unit *au)
{
	au->discontinuity = e->switched;
	e->switched = 0;
	au->codec = e->cfg.codec;
	au->width = e->cfg.width;
	au->height = e->cfg.height;
	au->seq = e->seq++;
}

/* The caller's buffer (or ours, for a caller without one, allocated on
 * its first frame), everything else cleared.  0 or -ENOMEM. */
static int reset_au(struct encoder *e, struct access_unit *au)
{
	uint8_t *data = au->data;
	size_t cap = au->cap;

	if (!data) {
		cap = (size_t)CONFIG_MAX_AU_KIB * 1024;
		if (!e->own && !(e->own = malloc(cap)))
			return -ENOMEM;
		data = e->own;
	}
	memset(au, 0, sizeof *au);
	au->data = data;
	au->cap = cap;
	return 0;
}

int encoder_encode(struct encoder *e, const struct yuv_frame *in, struct access_unit *au)
{
	int ret;

	if (!e->ops)
		return -ENODEV;
	if (in->width != e->cfg.width || in->height != e->cfg.height ||
	    (in->layout != PIX_I420 && in->layout != PIX_NV12))
		return -EINVAL;
	if (e->ops->hardware && !e->hw_proven && e->hw_silent >= ENC_HW_PROBE_FRAMES) {
		ret = switch_to_software(e);
		if (ret < 0)
			return ret;
	}
	if (reset_au(e, au) < 0)
		return -ENOMEM;
	ret = e->ops->encode(e->st, in, e->force_idr, au);
	if (e->ops->hardware) {
		/* errors count as silence: a broken session is switched away */
		if (ret > 0)
			e->hw_proven = 1;
		else
			e->hw_silent++;
	}
	if (ret < 0)
		return ret;
	e->force_idr = 0;       /* the frame carrying the request was taken */
	if (ret == 0)
		return 0;
	finish_au(e, au);
	return 1;
}

int encoder_flush(struct encoder *e, struct access_unit *au)
{
	int ret;

	if (!e->ops || !e->ops->flush)
		return 0;
	if (reset_au(e, au) < 0)
		return -ENOMEM;
	ret = e->ops->flush(e->st, au);
	if (ret > 0)
		finish_au(e, au);
	return ret;
}

void encoder_close(struct encoder *e)
{
	if (!e)
		return;
	if (e->ops)
		e->ops->close(e->st);
	free(e->own);
	free(e);
}
