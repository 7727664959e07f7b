/* SPDX-License-Identifier: GPL-2.0-or-later */
/* enc.c - back-end selection, NVENC fallback and the AU buffer (encoder.h).
 *
 * struct encoder is a thin shell: the running back-end (ops + state),
 * the configuration it was opened with (kept to reopen as software) and
 * one output buffer of CONFIG_MAX_AU_KIB allocated at open.  Every frame
 * goes through encoder_encode() without allocating here.
 *
 * Fallback is deterministic and logged once per encoder:
 *   open:  NVENC library/symbol/version/CUDA/session/init failure
 *          -> software (ENCDEV_AUTO) or -ENODEV (ENCDEV_NVENC)
 *   run:   no AU in NVENC's first ENC_NVENC_PROBE_FRAMES frames
 *          -> close NVENC, open software, force an IDR, keep going
 */
#include "codec/enc_priv.h"
#include "config/opts.h"
#include "util/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Tables of back-ends Kconfig left out: a name and no open(), so the
 * code below can name every table without linking a disabled object. */
#if !CONFIG_ENC_X264
const struct enc_ops enc_x264_ops = { "x264", PIX_I420, NULL, NULL, NULL };
#endif
#if !CONFIG_ENC_X265
const struct enc_ops enc_x265_ops = { "x265", PIX_I420, NULL, NULL, NULL };
#endif
#if !CONFIG_NVENC
const struct enc_ops enc_nvenc_ops = { "nvenc", PIX_NV12, NULL, NULL, NULL };
#endif

const char *const encoder_device_names[] = {
	"auto", "nvenc", "software", "passthrough", "hw", NULL
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
	int nvenc_proven;       /* NVENC has produced an AU */
	uint32_t nvenc_silent;  /* frames NVENC took without producing one */
	uint32_t seq;
	uint8_t *buf;
	size_t cap;
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

static const struct enc_ops *software_ops(int codec)
{
	return codec == CODEC_H265 ? &enc_x265_ops : &enc_x264_ops;
}

/* Open the software back-end for e->cfg.codec into e.  Returns 0 or
 * -ENODEV (reason logged: this is the last resort). */
static int open_software(struct encoder *e)
{
	const struct enc_ops *sw = software_ops(e->cfg.codec);
	char why[160] = "";
	int ret;

	if (!sw->open) {
		log_error("enc", "%s not built in (CONFIG_ENC_%s=n)", sw->name,
			  e->cfg.codec == CODEC_H265 ? "X265" : "X264");
		return -ENODEV;
	}
	ret = sw->open(&e->st, &e->cfg, why, sizeof why);
	if (ret < 0) {
		log_error("enc", "%s open failed: %s", sw->name, why[0] ? why : "?");
		return -ENODEV;
	}
	e->ops = sw;
	return 0;
}

/* Pick and open a back-end as encoder.h describes; see the file comment
 * for the fallback rules.  Returns 0 or -ENODEV / -EINVAL / -ENOMEM. */
static int open_backend(struct encoder *e)
{
	const struct enc_ops *nv = &enc_nvenc_ops;
	char why[160] = "";
	int ret;

	/* A build without NVENC is a choice, not a fallback: no warning. */
	if (e->cfg.device == ENCDEV_SOFTWARE || (e->cfg.device == ENCDEV_AUTO && !nv->open))
		return open_software(e);
	if (!nv->open) {
		log_error("enc", "nvenc not built in (CONFIG_NVENC=n)");
		return -ENODEV;
	}
	ret = nv->open(&e->st, &e->cfg, why, sizeof why);
	if (ret == 0) {
		e->ops = nv;
		return 0;
	}
	if (e->cfg.device == ENCDEV_NVENC) {
		log_error("enc", "nvenc unavailable (%s)", why[0] ? why : "?");
		return -ENODEV;
	}
	log_warn("enc", "nvenc unavailable (%s), using %s", why[0] ? why : "?",
		 software_ops(e->cfg.codec)->name);
	return open_software(e);
}

int encoder_open(struct encoder **out, const struct encoder_cfg *cfg)
{
	struct encoder *e;
	int ret;

	*out = NULL;
	if (cfg->width < 16 || cfg->height < 16 || (cfg->width | cfg->height) & 1 ||
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
	e->cap = (size_t)CONFIG_MAX_AU_KIB * 1024;
	e->buf = malloc(e->cap);
	if (!e->buf) {
		free(e);
		return -ENOMEM;
	}
	ret = open_backend(e);
	if (ret < 0) {
		free(e->buf);
		free(e);
		return ret;
	}
	log_info("enc", "%s %ux%u %u/%u fps gop %d", e->ops->name,
		 cfg->width, cfg->height, cfg->fps_num, cfg->fps_den, cfg->gop);
	*out = e;
	return 0;
}

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

/* NVENC took ENC_NVENC_PROBE_FRAMES frames and gave nothing back: replace
 * it by software inside e and ask for an IDR.  Returns 0 or -ENODEV. */
static int switch_to_software(struct encoder *e)
{
	e->ops->close(e->st);
	e->st = NULL;
	log_warn("enc", "nvenc produced no output in %d frames, switching to %s",
		 ENC_NVENC_PROBE_FRAMES, software_ops(e->cfg.codec)->name);
	e->force_idr = 1;
	e->switched = 1;
	return open_software(e);
}

int encoder_encode(struct encoder *e, const struct yuv_frame *in, struct access_unit *au)
{
	int ret;

	if (!e->ops)
		return -ENODEV;
	if (in->width != e->cfg.width || in->height != e->cfg.height ||
	    (in->layout != PIX_I420 && in->layout != PIX_NV12))
		return -EINVAL;
	if (e->ops == &enc_nvenc_ops && !e->nvenc_proven &&
	    e->nvenc_silent >= ENC_NVENC_PROBE_FRAMES) {
		ret = switch_to_software(e);
		if (ret < 0) {
			e->ops = NULL;
			return ret;
		}
	}
	memset(au, 0, sizeof *au);
	au->data = e->buf;
	au->cap = e->cap;
	ret = e->ops->encode(e->st, in, e->force_idr, au);
	if (e->ops == &enc_nvenc_ops) {
		/* errors count as silence: a broken session is switched away */
		if (ret > 0)
			e->nvenc_proven = 1;
		else
			e->nvenc_silent++;
	}
	if (ret < 0)
		return ret;
	e->force_idr = 0;       /* the frame carrying the request was taken */
	if (ret == 0)
		return 0;
	au->discontinuity = e->switched;
	e->switched = 0;
	au->codec = e->cfg.codec;
	au->width = e->cfg.width;
	au->height = e->cfg.height;
	au->seq = e->seq++;
	return 1;
}

void encoder_close(struct encoder *e)
{
	if (!e)
		return;
	if (e->ops)
		e->ops->close(e->st);
	free(e->buf);
	free(e);
}
