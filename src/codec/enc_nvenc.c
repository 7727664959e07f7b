/* SPDX-License-Identifier: GPL-2.0-or-later */
/* enc_nvenc.c - H.264/HEVC on NVIDIA NVENC, loaded at run time (enc_priv.h).
 *
 * Nothing NVIDIA is linked: libcuda.so.1 and libnvidia-encode.so.1 are
 * dlopen'ed at open and only the symbols used here are resolved.
 * ffnvcodec/nvEncodeAPI.h (NVENC API 11.1) is used for types and struct
 * versions only; docs/nvenc.md and docs/toolchain.md §3.4 describe the steps.
 *
 * Session: CUDA context on device 0, low-latency tuning with presets
 * P1..P4, gop = idrPeriod, no B-frames (frameIntervalP 1, zero reorder
 * delay), SPS/PPS(/VPS) repeated on every IDR, one slice, synchronous
 * encode into one NV12 input buffer and one bitstream buffer created at
 * open.  Every failure in open() returns -ENODEV with the reason in why;
 * enc.c logs it once and falls back to software.
 */
#define _GNU_SOURCE
#include "codec/enc_priv.h"
#include "util/log.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ffnvcodec/nvEncodeAPI.h>

/* The few CUDA driver API types we touch (cuda.h is not a dependency). */
typedef int cu_result;          /* CUresult, 0 = CUDA_SUCCESS */
typedef int cu_device;          /* CUdevice */
typedef void *cu_context;       /* CUcontext */

#define NVENC_NEED_VERSION ((NVENCAPI_MAJOR_VERSION << 4) | NVENCAPI_MINOR_VERSION)

struct nvenc {
	void *cuda_lib, *enc_lib;
	cu_result (*cu_init)(unsigned flags);
	cu_result (*cu_device_get)(cu_device *dev, int ordinal);
	cu_result (*cu_ctx_create)(cu_context *ctx, unsigned flags, cu_device dev);
	cu_result (*cu_ctx_destroy)(cu_context ctx);
	NVENCSTATUS (*get_max_version)(uint32_t *version);
	NVENCSTATUS (*create_instance)(NV_ENCODE_API_FUNCTION_LIST *list);

	cu_context ctx;
	NV_ENCODE_API_FUNCTION_LIST fn;
	void *enc;
	NV_ENC_INPUT_PTR in;
	NV_ENC_OUTPUT_PTR bs;
	uint32_t width, height, frame_idx;
	int codec;
	struct log_limit rl;
};

/* Resolve one symbol of lib into the function pointer at fnp (POSIX
 * allows the void* -> function pointer copy).  Returns 0 or -ENODEV. */
static int sym(void *lib, const char *libname, const char *name, void *fnp,
	       char *why, size_t whylen)
{
	void *p = dlsym(lib, name);

	if (!p) {
		snprintf(why, whylen, "%s: no symbol %s", libname, name);
		return -ENODEV;
	}
	memcpy(fnp, &p, sizeof p);
	return 0;
}

/* Steps 1-3 of docs/toolchain.md §3.4: both libraries, their symbols, the
 * driver's API version.  Returns 0 or -ENODEV with why filled. */
static int load(struct nvenc *s, char *why, size_t whylen)
{
	uint32_t ver = 0;
	const char *e;

	s->cuda_lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
	if (!s->cuda_lib) {
		e = dlerror();
		snprintf(why, whylen, "%s", e ? e : "libcuda.so.1: cannot load");
		return -ENODEV;
	}
	s->enc_lib = dlopen("libnvidia-encode.so.1", RTLD_NOW | RTLD_LOCAL);
	if (!s->enc_lib) {
		e = dlerror();
		snprintf(why, whylen, "%s", e ? e : "libnvidia-encode.so.1: cannot load");
		return -ENODEV;
	}
	if (sym(s->cuda_lib, "libcuda.so.1", "cuInit", &s->cu_init, why, whylen) ||
	    sym(s->cuda_lib, "libcuda.so.1", "cuDeviceGet", &s->cu_device_get, why, whylen) ||
	    sym(s->cuda_lib, "libcuda.so.1", "cuCtxCreate_v2", &s->cu_ctx_create, why, whylen) ||
	    sym(s->cuda_lib, "libcuda.so.1", "cuCtxDestroy_v2", &s->cu_ctx_destroy, why, whylen) ||
	    sym(s->enc_lib, "libnvidia-encode.so.1", "NvEncodeAPIGetMaxSupportedVersion",
		&s->get_max_version, why, whylen) ||
	    sym(s->enc_lib, "libnvidia-encode.so.1", "NvEncodeAPICreateInstance",
		&s->create_instance, why, whylen))
		return -ENODEV;
	if (s->get_max_version(&ver) != NV_ENC_SUCCESS || ver < NVENC_NEED_VERSION) {
		snprintf(why, whylen, "driver offers NVENC API %u.%u, need %d.%d",
			 ver >> 4, ver & 15, NVENCAPI_MAJOR_VERSION, NVENCAPI_MINOR_VERSION);
		return -ENODEV;
	}
	return 0;
}

/* x26x preset -> NVENC P1 (fastest) .. P4. */
static GUID preset_guid(int preset)
{
	if (preset <= PRESET_ULTRAFAST)
		return NV_ENC_PRESET_P1_GUID;
	if (preset == PRESET_SUPERFAST)
		return NV_ENC_PRESET_P2_GUID;
	if (preset == PRESET_VERYFAST)
		return NV_ENC_PRESET_P3_GUID;
	return NV_ENC_PRESET_P4_GUID;
}

/* Steps 4-6 plus configuration: CUDA context, function list, session,
 * low-latency init, buffers.  Returns 0 or -ENODEV with why filled. */
static int start(struct nvenc *s, const struct encoder_cfg *cfg, char *why, size_t whylen)
{
	NV_ENC_OPEN_ENCODE_SESSION_EX_PARAMS op;
	NV_ENC_PRESET_CONFIG pc;
	NV_ENC_INITIALIZE_PARAMS ip;
	NV_ENC_CREATE_INPUT_BUFFER ib;
	NV_ENC_CREATE_BITSTREAM_BUFFER bb;
	NV_ENC_CONFIG *c = &pc.presetCfg;
	GUID codec = cfg->codec == CODEC_H265 ? NV_ENC_CODEC_HEVC_GUID : NV_ENC_CODEC_H264_GUID;
	GUID preset = preset_guid(cfg->preset);
	const NV_ENC_TUNING_INFO tuning = NV_ENC_TUNING_INFO_LOW_LATENCY;
	cu_device dev = 0;
	cu_result cr;
	NVENCSTATUS st;

	if ((cr = s->cu_init(0)) != 0 || (cr = s->cu_device_get(&dev, 0)) != 0 ||
	    (cr = s->cu_ctx_create(&s->ctx, 0, dev)) != 0) {
		s->ctx = NULL;
		snprintf(why, whylen, "CUDA init failed (error %d)", cr);
		return -ENODEV;
	}
	memset(&s->fn, 0, sizeof s->fn);
	s->fn.version = NV_ENCODE_API_FUNCTION_LIST_VER;
	st = s->create_instance(&s->fn);
	if (st != NV_ENC_SUCCESS || !s->fn.nvEncOpenEncodeSessionEx ||
	    !s->fn.nvEncGetEncodePresetConfigEx || !s->fn.nvEncInitializeEncoder ||
	    !s->fn.nvEncCreateInputBuffer || !s->fn.nvEncDestroyInputBuffer ||
	    !s->fn.nvEncCreateBitstreamBuffer || !s->fn.nvEncDestroyBitstreamBuffer ||
	    !s->fn.nvEncLockInputBuffer || !s->fn.nvEncUnlockInputBuffer ||
	    !s->fn.nvEncEncodePicture || !s->fn.nvEncLockBitstream ||
	    !s->fn.nvEncUnlockBitstream || !s->fn.nvEncDestroyEncoder) {
		snprintf(why, whylen, "NvEncodeAPICreateInstance: status %d or missing entry", st);
		return -ENODEV;
	}

	memset(&op, 0, sizeof op);
	op.version = NV_ENC_OPEN_ENCODE_SESSION_EX_PARAMS_VER;
	op.deviceType = NV_ENC_DEVICE_TYPE_CUDA;
	op.device = s->ctx;
	op.apiVersion = NVENCAPI_VERSION;
	st = s->fn.nvEncOpenEncodeSessionEx(&op, &s->enc);
	if (st != NV_ENC_SUCCESS) {
		s->enc = NULL;
		snprintf(why, whylen, "nvEncOpenEncodeSessionEx: status %d", st);
		return -ENODEV;
	}

	memset(&pc, 0, sizeof pc);
	pc.version = NV_ENC_PRESET_CONFIG_VER;
	pc.presetCfg.version = NV_ENC_CONFIG_VER;
	st = s->fn.nvEncGetEncodePresetConfigEx(s->enc, codec, preset, tuning, &pc);
	if (st != NV_ENC_SUCCESS) {
		snprintf(why, whylen, "nvEncGetEncodePresetConfigEx: status %d", st);
		return -ENODEV;
	}
	c->gopLength = (uint32_t)cfg->gop;
	c->frameIntervalP = 1;                  /* no B-frames */
	c->rcParams.zeroReorderDelay = 1;
	c->rcParams.enableLookahead = 0;
	if (cfg->bitrate_kbps > 0) {
		c->rcParams.rateControlMode = NV_ENC_PARAMS_RC_CBR;
		c->rcParams.averageBitRate = (uint32_t)cfg->bitrate_kbps * 1000u;
		c->rcParams.maxBitRate = c->rcParams.averageBitRate;
		c->rcParams.vbvBufferSize = (uint32_t)enc_vbv_kbit(cfg) * 1000u;
		c->rcParams.vbvInitialDelay = c->rcParams.vbvBufferSize;
	} else if (cfg->quality >= 0) {
		c->rcParams.rateControlMode = NV_ENC_PARAMS_RC_VBR;
		c->rcParams.averageBitRate = 0;
		c->rcParams.targetQuality = (uint8_t)(cfg->quality > 51 ? 51 : cfg->quality);
	}
	if (cfg->codec == CODEC_H265) {
		NV_ENC_CONFIG_HEVC *h = &c->encodeCodecConfig.hevcConfig;
		h->idrPeriod = (uint32_t)cfg->gop;
		h->repeatSPSPPS = 1;
		h->sliceMode = 3;               /* slices per picture ... */
		h->sliceModeData = 1;           /* ... one */
	} else {
		NV_ENC_CONFIG_H264 *h = &c->encodeCodecConfig.h264Config;
		h->idrPeriod = (uint32_t)cfg->gop;
		h->repeatSPSPPS = 1;
		h->sliceMode = 3;
		h->sliceModeData = 1;
	}

	memset(&ip, 0, sizeof ip);
	ip.version = NV_ENC_INITIALIZE_PARAMS_VER;
	ip.encodeGUID = codec;
	ip.presetGUID = preset;
	ip.encodeWidth = ip.darWidth = ip.maxEncodeWidth = cfg->width;
	ip.encodeHeight = ip.darHeight = ip.maxEncodeHeight = cfg->height;
	ip.frameRateNum = cfg->fps_num;
	ip.frameRateDen = cfg->fps_den;
	ip.enableEncodeAsync = 0;
	ip.enablePTD = 1;
	ip.encodeConfig = c;
	ip.tuningInfo = tuning;
	ip.bufferFormat = NV_ENC_BUFFER_FORMAT_NV12;
	st = s->fn.nvEncInitializeEncoder(s->enc, &ip);
	if (st != NV_ENC_SUCCESS) {
		snprintf(why, whylen, "nvEncInitializeEncoder: status %d", st);
		return -ENODEV;
	}

	memset(&ib, 0, sizeof ib);
	ib.version = NV_ENC_CREATE_INPUT_BUFFER_VER;
	ib.width = cfg->width;
	ib.height = cfg->height;
	ib.bufferFmt = NV_ENC_BUFFER_FORMAT_NV12;
	st = s->fn.nvEncCreateInputBuffer(s->enc, &ib);
	if (st != NV_ENC_SUCCESS) {
		snprintf(why, whylen, "nvEncCreateInputBuffer: status %d", st);
		return -ENODEV;
	}
	s->in = ib.inputBuffer;
	memset(&bb, 0, sizeof bb);
	bb.version = NV_ENC_CREATE_BITSTREAM_BUFFER_VER;
	st = s->fn.nvEncCreateBitstreamBuffer(s->enc, &bb);
	if (st != NV_ENC_SUCCESS) {
		snprintf(why, whylen, "nvEncCreateBitstreamBuffer: status %d", st);
		return -ENODEV;
	}
	s->bs = bb.bitstreamBuffer;
	return 0;
}

static void nvenc_close(void *st)
{
	struct nvenc *s = st;

	if (!s)
		return;
	if (s->enc) {
		if (s->in)
			s->fn.nvEncDestroyInputBuffer(s->enc, s->in);
		if (s->bs)
			s->fn.nvEncDestroyBitstreamBuffer(s->enc, s->bs);
		s->fn.nvEncDestroyEncoder(s->enc);
	}
	if (s->ctx)
		s->cu_ctx_destroy(s->ctx);
	if (s->enc_lib)
		dlclose(s->enc_lib);
	if (s->cuda_lib)
		dlclose(s->cuda_lib);
	free(s);
}

static int nvenc_open(void **out, const struct encoder_cfg *cfg, char *why, size_t whylen)
{
	struct nvenc *s = calloc(1, sizeof *s);
	int ret;

	if (!s)
		return -ENOMEM;
	s->width = cfg->width;
	s->height = cfg->height;
	s->codec = cfg->codec;
	ret = load(s, why, whylen);
	if (ret == 0)
		ret = start(s, cfg, why, whylen);
	if (ret < 0) {
		nvenc_close(s);
		return ret;
	}
	*out = s;
	return 0;
}

/* Copy an I420 or NV12 frame into the locked NV12 buffer (luma rows at
 * pitch, interleaved chroma after height luma rows). */
static void copy_nv12(uint8_t *dst, uint32_t pitch, const struct yuv_frame *in)
{
	uint32_t y, x, cw = in->width / 2, ch = in->height / 2;
	uint8_t *uv = dst + (size_t)pitch * in->height;

	for (y = 0; y < in->height; y++)
		memcpy(dst + (size_t)y * pitch, in->plane[0] + (size_t)y * in->stride[0], in->width);
	for (y = 0; y < ch; y++, uv += pitch) {
		if (in->layout == PIX_NV12) {
			memcpy(uv, in->plane[1] + (size_t)y * in->stride[1], in->width);
			continue;
		}
		for (x = 0; x < cw; x++) {
			uv[2 * x] = in->plane[1][(size_t)y * in->stride[1] + x];
			uv[2 * x + 1] = in->plane[2][(size_t)y * in->stride[2] + x];
		}
	}
}

/* One synchronous picture: upload, encode, read the bitstream back into
 * au.  NV_ENC_ERR_NEED_MORE_INPUT and empty output return 0. */
static int nvenc_encode(void *st, const struct yuv_frame *in, int force_idr,
			struct access_unit *au)
{
	struct nvenc *s = st;
	NV_ENC_LOCK_INPUT_BUFFER li;
	NV_ENC_PIC_PARAMS pp;
	NV_ENC_LOCK_BITSTREAM lb;
	NVENCSTATUS status;
	int ret = 1;

	memset(&li, 0, sizeof li);
	li.version = NV_ENC_LOCK_INPUT_BUFFER_VER;
	li.inputBuffer = s->in;
	status = s->fn.nvEncLockInputBuffer(s->enc, &li);
	if (status != NV_ENC_SUCCESS)
		goto fail;
	copy_nv12(li.bufferDataPtr, li.pitch, in);
	s->fn.nvEncUnlockInputBuffer(s->enc, s->in);

	memset(&pp, 0, sizeof pp);
	pp.version = NV_ENC_PIC_PARAMS_VER;
	pp.inputWidth = s->width;
	pp.inputHeight = s->height;
	pp.inputPitch = li.pitch;
	pp.inputBuffer = s->in;
	pp.outputBitstream = s->bs;
	pp.bufferFmt = NV_ENC_BUFFER_FORMAT_NV12;
	pp.pictureStruct = NV_ENC_PIC_STRUCT_FRAME;
	pp.inputTimeStamp = in->pts_ns;
	pp.frameIdx = s->frame_idx++;
	if (force_idr)
		pp.encodePicFlags = NV_ENC_PIC_FLAG_FORCEIDR | NV_ENC_PIC_FLAG_OUTPUT_SPSPPS;
	status = s->fn.nvEncEncodePicture(s->enc, &pp);
	if (status == NV_ENC_ERR_NEED_MORE_INPUT)
		return 0;
	if (status != NV_ENC_SUCCESS)
		goto fail;

	memset(&lb, 0, sizeof lb);
	lb.version = NV_ENC_LOCK_BITSTREAM_VER;
	lb.outputBitstream = s->bs;
	status = s->fn.nvEncLockBitstream(s->enc, &lb);
	if (status != NV_ENC_SUCCESS)
		goto fail;
	if (lb.bitstreamSizeInBytes == 0)
		ret = 0;
	else if (enc_au_append(au, lb.bitstreamBufferPtr, lb.bitstreamSizeInBytes) < 0)
		ret = -EMSGSIZE;
	au->keyframe = lb.pictureType == NV_ENC_PIC_TYPE_IDR;
	au->pts_ns = au->dts_ns = lb.outputTimeStamp;   /* no reordering */
	au->tag = in->tag;
	s->fn.nvEncUnlockBitstream(s->enc, s->bs);
	return ret;
fail:
	log_limited(&s->rl, LOG_WARN, "nvenc", "encode failed: status %d", status);
	return -EIO;
}

const struct enc_ops enc_nvenc_ops = {
	.name = "nvenc",
	.layout = PIX_NV12,
	.codecs = ENC_CODEC(CODEC_H264) | ENC_CODEC(CODEC_H265),
	.hardware = 1,
	.open = nvenc_open,
	.close = nvenc_close,
	.encode = nvenc_encode,
};
