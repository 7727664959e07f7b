/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fake_nvenc.c - TEST DOUBLE of libnvidia-encode.so.1.  Not a driver, never
 * shipped.
 *
 * Built as $(objtree)/fake/libnvidia-encode.so.1 (and, with
 * -DFAKE_NO_CREATE_INSTANCE, as $(objtree)/fake/nosym/...) for the NVENC
 * tests; docs/nvenc.md.  It tests OUR calling contract with the NVENC API
 * 11.1 (src/codec/enc_nvenc.c), not hardware: every struct version and
 * the settings we promise (no B-frames, gop, repeated SPS/PPS, NV12,
 * low-latency tuning) are checked, and a violation fails the call with
 * NV_ENC_ERR_INVALID_PARAM and a "fake_nvenc:" line on stderr.  Encoding
 * copies a canned, structurally valid (not decodable) Annex B AU into the
 * bitstream buffer: parameter sets + IDR slice on keyframes, else one
 * non-IDR slice.
 *
 * FAKE_NVENC_MODE=ok (default) | old_version (reports API 10.0) |
 *   no_symbol (function list lacks nvEncEncodePicture) |
 *   open_fail (session open -> NV_ENC_ERR_NO_ENCODE_DEVICE) |
 *   init_fail (nvEncInitializeEncoder -> NV_ENC_ERR_UNSUPPORTED_PARAM) |
 *   zero_output (every picture -> NV_ENC_ERR_NEED_MORE_INPUT)
 * FAKE_NVENC_OPEN_DELAY_MS=N: opening a session takes N ms, as a real
 *   driver's does (a CUDA context and a session: hundreds of ms).
 */
#include <ffnvcodec/nvEncodeAPI.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BS_CAP 4096

struct session {
	uint32_t width, height, pitch, gop, frames;
	int hevc, init, in_locked, bs_locked, have_out;
	uint8_t *in;                  /* NV12 at pitch */
	uint8_t bs[BS_CAP];
	uint32_t bs_size;
	uint64_t ts;
	NV_ENC_PIC_TYPE type;
};

static const char *mode(void)
{
	const char *v = getenv("FAKE_NVENC_MODE");

	return v ? v : "ok";
}

static NVENCSTATUS bad(const char *what)
{
	fprintf(stderr, "fake_nvenc: contract violation: %s\n", what);
	return NV_ENC_ERR_INVALID_PARAM;
}

static int same_guid(GUID a, GUID b)
{
	return !memcmp(&a, &b, sizeof a);
}

NVENCSTATUS NVENCAPI NvEncodeAPIGetMaxSupportedVersion(uint32_t *version)
{
	if (!version)
		return bad("GetMaxSupportedVersion(NULL)");
	*version = !strcmp(mode(), "old_version") ? (10u << 4) :
		   (NVENCAPI_MAJOR_VERSION << 4) | NVENCAPI_MINOR_VERSION;
	return NV_ENC_SUCCESS;
}

static NVENCSTATUS NVENCAPI open_ex(NV_ENC_OPEN_ENCODE_SESSION_EX_PARAMS *p, void **enc)
{
	struct session *s;

	if (!p || !enc || p->version != NV_ENC_OPEN_ENCODE_SESSION_EX_PARAMS_VER)
		return bad("open: params version");
	if (p->apiVersion != NVENCAPI_VERSION)
		return bad("open: apiVersion != NVENCAPI_VERSION");
	if (p->deviceType != NV_ENC_DEVICE_TYPE_CUDA || !p->device)
		return bad("open: need a CUDA context");
	if (!strcmp(mode(), "open_fail"))
		return NV_ENC_ERR_NO_ENCODE_DEVICE;
	if (getenv("FAKE_NVENC_OPEN_DELAY_MS")) {
		long ms = atol(getenv("FAKE_NVENC_OPEN_DELAY_MS"));
		struct timespec ts = { ms / 1000, ms % 1000 * 1000000L };

		nanosleep(&ts, NULL);
	}
	s = calloc(1, sizeof *s);
	if (!s)
		return NV_ENC_ERR_OUT_OF_MEMORY;
	*enc = s;
	return NV_ENC_SUCCESS;
}

static NVENCSTATUS NVENCAPI preset_ex(void *enc, GUID codec, GUID preset,
				      NV_ENC_TUNING_INFO tuning, NV_ENC_PRESET_CONFIG *pc)
{
	if (!enc || !pc || pc->version != NV_ENC_PRESET_CONFIG_VER ||
	    pc->presetCfg.version != NV_ENC_CONFIG_VER)
		return bad("preset: struct versions");
	if (!same_guid(codec, NV_ENC_CODEC_H264_GUID) && !same_guid(codec, NV_ENC_CODEC_HEVC_GUID))
		return bad("preset: codec GUID");
	if (!same_guid(preset, NV_ENC_PRESET_P1_GUID) && !same_guid(preset, NV_ENC_PRESET_P2_GUID) &&
	    !same_guid(preset, NV_ENC_PRESET_P3_GUID) && !same_guid(preset, NV_ENC_PRESET_P4_GUID))
		return bad("preset: not P1..P4");
	if (tuning != NV_ENC_TUNING_INFO_LOW_LATENCY && tuning != NV_ENC_TUNING_INFO_ULTRA_LOW_LATENCY)
		return bad("preset: not a low-latency tuning");
	pc->presetCfg.gopLength = 250;
	pc->presetCfg.frameIntervalP = 1;
	pc->presetCfg.rcParams.rateControlMode = NV_ENC_PARAMS_RC_CBR;
	return NV_ENC_SUCCESS;
}

static NVENCSTATUS NVENCAPI init_enc(void *enc, NV_ENC_INITIALIZE_PARAMS *ip)
{
	struct session *s = enc;
	const NV_ENC_CONFIG *c;
	uint32_t idr, rep;

	if (!s || !ip || ip->version != NV_ENC_INITIALIZE_PARAMS_VER || !ip->encodeConfig ||
	    ip->encodeConfig->version != NV_ENC_CONFIG_VER)
		return bad("init: struct versions");
	c = ip->encodeConfig;
	s->hevc = same_guid(ip->encodeGUID, NV_ENC_CODEC_HEVC_GUID);
	idr = s->hevc ? c->encodeCodecConfig.hevcConfig.idrPeriod : c->encodeCodecConfig.h264Config.idrPeriod;
	rep = s->hevc ? c->encodeCodecConfig.hevcConfig.repeatSPSPPS : c->encodeCodecConfig.h264Config.repeatSPSPPS;
	if (!ip->encodeWidth || !ip->encodeHeight || !ip->frameRateNum || !ip->frameRateDen)
		return bad("init: size or rate missing");
	if (c->frameIntervalP != 1 || ip->enableEncodeAsync || !ip->enablePTD)
		return bad("init: want sync, PTD, no B-frames");
	if (!c->gopLength || c->gopLength != idr || !rep)
		return bad("init: gop != idrPeriod or no repeatSPSPPS");
	if (ip->tuningInfo != NV_ENC_TUNING_INFO_LOW_LATENCY &&
	    ip->tuningInfo != NV_ENC_TUNING_INFO_ULTRA_LOW_LATENCY)
		return bad("init: not a low-latency tuning");
	if (ip->bufferFormat != NV_ENC_BUFFER_FORMAT_NV12)
		return bad("init: buffer format not NV12");
	if (!strcmp(mode(), "init_fail"))
		return NV_ENC_ERR_UNSUPPORTED_PARAM;
	s->width = ip->encodeWidth;
	s->height = ip->encodeHeight;
	s->gop = c->gopLength;
	s->init = 1;
	return NV_ENC_SUCCESS;
}

static NVENCSTATUS NVENCAPI create_in(void *enc, NV_ENC_CREATE_INPUT_BUFFER *p)
{
	struct session *s = enc;

	if (!s || !s->init || !p || p->version != NV_ENC_CREATE_INPUT_BUFFER_VER)
		return bad("create input: not initialised or version");
	if (p->width != s->width || p->height != s->height || p->bufferFmt != NV_ENC_BUFFER_FORMAT_NV12)
		return bad("create input: size/format");
	s->pitch = (s->width + 63) & ~63u;
	s->in = calloc((size_t)s->pitch * s->height * 3 / 2, 1);
	if (!s->in)
		return NV_ENC_ERR_OUT_OF_MEMORY;
	p->inputBuffer = s->in;
	return NV_ENC_SUCCESS;
}

static NVENCSTATUS NVENCAPI destroy_in(void *enc, NV_ENC_INPUT_PTR in)
{
	struct session *s = enc;

	if (!s || in != s->in)
		return bad("destroy input: unknown buffer");
	free(s->in);
	s->in = NULL;
	return NV_ENC_SUCCESS;
}

static NVENCSTATUS NVENCAPI create_bs(void *enc, NV_ENC_CREATE_BITSTREAM_BUFFER *p)
{
	struct session *s = enc;

	if (!s || !s->init || !p || p->version != NV_ENC_CREATE_BITSTREAM_BUFFER_VER)
		return bad("create bitstream: not initialised or version");
	p->bitstreamBuffer = s->bs;
	return NV_ENC_SUCCESS;
}

static NVENCSTATUS NVENCAPI destroy_bs(void *enc, NV_ENC_OUTPUT_PTR bs)
{
	struct session *s = enc;

	return s && bs == s->bs ? NV_ENC_SUCCESS : bad("destroy bitstream: unknown buffer");
}

static NVENCSTATUS NVENCAPI lock_in(void *enc, NV_ENC_LOCK_INPUT_BUFFER *p)
{
	struct session *s = enc;

	if (!s || !p || p->version != NV_ENC_LOCK_INPUT_BUFFER_VER || p->inputBuffer != s->in)
		return bad("lock input: version or buffer");
	if (s->in_locked)
		return bad("lock input: already locked");
	s->in_locked = 1;
	p->bufferDataPtr = s->in;
	p->pitch = s->pitch;
	return NV_ENC_SUCCESS;
}

static NVENCSTATUS NVENCAPI unlock_in(void *enc, NV_ENC_INPUT_PTR in)
{
	struct session *s = enc;

	if (!s || in != s->in || !s->in_locked)
		return bad("unlock input: not locked");
	s->in_locked = 0;
	return NV_ENC_SUCCESS;
}

/* Canned NAL units (start code + header + a few payload bytes). */
static const uint8_t h264_ps[] = { 0, 0, 0, 1, 0x67, 0x42, 0xc0, 0x1e, 0xff,
				   0, 0, 0, 1, 0x68, 0xce, 0x3c, 0x80 };
static const uint8_t h264_idr[] = { 0, 0, 1, 0x65, 0x88, 0x84, 0xff };
static const uint8_t h264_p[] = { 0, 0, 1, 0x41, 0x9a, 0x02, 0xff };
static const uint8_t hevc_ps[] = { 0, 0, 0, 1, 0x40, 0x01, 0x0c, 0xff,
				   0, 0, 0, 1, 0x42, 0x01, 0x01, 0xff,
				   0, 0, 0, 1, 0x44, 0x01, 0xc1, 0xff };
static const uint8_t hevc_idr[] = { 0, 0, 1, 0x26, 0x01, 0xaf, 0xff };  /* IDR_W_RADL */
static const uint8_t hevc_p[] = { 0, 0, 1, 0x02, 0x01, 0xd0, 0xff };    /* TRAIL_R */

static void emit(struct session *s, const uint8_t *p, size_t n)
{
	memcpy(s->bs + s->bs_size, p, n);
	s->bs_size += (uint32_t)n;
}

static NVENCSTATUS NVENCAPI encode(void *enc, NV_ENC_PIC_PARAMS *p)
{
	struct session *s = enc;
	int idr;

	if (!s || !p || p->version != NV_ENC_PIC_PARAMS_VER)
		return bad("encode: version");
	if (p->inputBuffer != s->in || p->outputBitstream != s->bs || s->in_locked || s->bs_locked)
		return bad("encode: buffers unknown or still locked");
	if (p->inputWidth != s->width || p->inputHeight != s->height || p->inputPitch != s->pitch ||
	    p->bufferFmt != NV_ENC_BUFFER_FORMAT_NV12 || p->pictureStruct != NV_ENC_PIC_STRUCT_FRAME)
		return bad("encode: picture geometry/format");
	if ((p->encodePicFlags & NV_ENC_PIC_FLAG_FORCEIDR) &&
	    !(p->encodePicFlags & NV_ENC_PIC_FLAG_OUTPUT_SPSPPS))
		return bad("encode: FORCEIDR without OUTPUT_SPSPPS");
	if (!strcmp(mode(), "zero_output"))
		return NV_ENC_ERR_NEED_MORE_INPUT;
	if (p->encodePicFlags & NV_ENC_PIC_FLAG_FORCEIDR)
		s->frames = 0;
	idr = s->frames % s->gop == 0;
	s->frames++;
	s->bs_size = 0;
	if (idr && s->hevc) {
		emit(s, hevc_ps, sizeof hevc_ps);
		emit(s, hevc_idr, sizeof hevc_idr);
	} else if (idr) {
		emit(s, h264_ps, sizeof h264_ps);
		emit(s, h264_idr, sizeof h264_idr);
	} else {
		emit(s, s->hevc ? hevc_p : h264_p, sizeof h264_p);
	}
	s->type = idr ? NV_ENC_PIC_TYPE_IDR : NV_ENC_PIC_TYPE_P;
	s->ts = p->inputTimeStamp;
	s->have_out = 1;
	return NV_ENC_SUCCESS;
}

static NVENCSTATUS NVENCAPI lock_bs(void *enc, NV_ENC_LOCK_BITSTREAM *p)
{
	struct session *s = enc;

	if (!s || !p || p->version != NV_ENC_LOCK_BITSTREAM_VER || p->outputBitstream != s->bs)
		return bad("lock bitstream: version or buffer");
	if (!s->have_out || s->bs_locked)
		return bad("lock bitstream: nothing encoded or already locked");
	s->bs_locked = 1;
	p->bitstreamBufferPtr = s->bs;
	p->bitstreamSizeInBytes = s->bs_size;
	p->pictureType = s->type;
	p->outputTimeStamp = s->ts;
	return NV_ENC_SUCCESS;
}

static NVENCSTATUS NVENCAPI unlock_bs(void *enc, NV_ENC_OUTPUT_PTR bs)
{
	struct session *s = enc;

	if (!s || bs != s->bs || !s->bs_locked)
		return bad("unlock bitstream: not locked");
	s->bs_locked = 0;
	s->have_out = 0;
	return NV_ENC_SUCCESS;
}

static NVENCSTATUS NVENCAPI destroy_enc(void *enc)
{
	struct session *s = enc;

	if (!s)
		return bad("destroy: NULL");
	if (s->in)
		return bad("destroy: input buffer leaked");
	free(s);
	return NV_ENC_SUCCESS;
}

#ifndef FAKE_NO_CREATE_INSTANCE
NVENCSTATUS NVENCAPI NvEncodeAPICreateInstance(NV_ENCODE_API_FUNCTION_LIST *list)
{
	if (!list || list->version != NV_ENCODE_API_FUNCTION_LIST_VER)
		return bad("CreateInstance: list version");
	list->nvEncOpenEncodeSessionEx = open_ex;
	list->nvEncGetEncodePresetConfigEx = preset_ex;
	list->nvEncInitializeEncoder = init_enc;
	list->nvEncCreateInputBuffer = create_in;
	list->nvEncDestroyInputBuffer = destroy_in;
	list->nvEncCreateBitstreamBuffer = create_bs;
	list->nvEncDestroyBitstreamBuffer = destroy_bs;
	list->nvEncLockInputBuffer = lock_in;
	list->nvEncUnlockInputBuffer = unlock_in;
	list->nvEncEncodePicture = strcmp(mode(), "no_symbol") ? encode : NULL;
	list->nvEncLockBitstream = lock_bs;
	list->nvEncUnlockBitstream = unlock_bs;
	list->nvEncDestroyEncoder = destroy_enc;
	return NV_ENC_SUCCESS;
}
#endif
