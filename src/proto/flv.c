/* SPDX-License-Identifier: GPL-2.0-or-later */
/* flv.c - FLV video bodies, onMetaData, file framing (see flv.h). */
#include "proto/flv.h"

#include "codec/codec.h"
#include "proto/amf0.h"
#include "util/bytes.h"

#include <errno.h>

int flv_form_for(int codec, int rtmp_mode)
{
	if (codec != CODEC_H265)
		return FLV_AVC;
	return rtmp_mode == RTMP_MODE_DOMESTIC ? FLV_HEVC12 : FLV_HVC1;
}

double flv_videocodecid(int form)
{
	switch (form) {
	case FLV_HVC1:
		return (double)FLV_FOURCC_HVC1;
	case FLV_HEVC12:
		return FLV_CODEC_HEVC12;
	default:
		return FLV_CODEC_AVC;
	}
}

static int32_t clamp_si24(int32_t v)
{
	if (v > 0x7fffff)
		return 0x7fffff;
	if (v < -0x800000)
		return -0x800000;
	return v;
}

/* Legacy (FLV 10.1 E.4.3.1; domestic id 12 per docs/protocols.md §2.3):
 *   u8 FrameType<<4 | CodecID, u8 PacketType, si24 CompositionTime.
 * E-RTMP v1 (docs/protocols.md §2.2):
 *   u8 1<<7 | FrameType<<4 | VideoPacketType, FourCC,
 *   si24 CompositionTime only for CodedFrames (1).
 * Sequence headers and ends are marked as keyframes. */
int flv_video_header(uint8_t *out, size_t cap, int form, int pkt, int key,
		     int32_t cts)
{
	uint8_t *p = out, *end = out + cap;
	unsigned ft = (pkt != FLV_PKT_NALU || key) ? 1 : 2;

	cts = pkt == FLV_PKT_NALU ? clamp_si24(cts) : 0;
	if (form == FLV_HVC1) {
		unsigned pt = pkt == FLV_PKT_NALU ? (cts ? 1 : 3) : (unsigned)pkt;

		p = put_u8(p, end, (uint8_t)(0x80 | ft << 4 | pt));
		p = put_be32(p, end, FLV_FOURCC_HVC1);
		if (pt == 1)
			p = put_be24(p, end, (uint32_t)cts & 0xffffff);
	} else {
		unsigned id = form == FLV_HEVC12 ? FLV_CODEC_HEVC12 : FLV_CODEC_AVC;

		p = put_u8(p, end, (uint8_t)(ft << 4 | id));
		p = put_u8(p, end, (uint8_t)pkt);
		p = put_be24(p, end, (uint32_t)cts & 0xffffff);
	}
	return p ? (int)(p - out) : -ENOSPC;
}

static int32_t si24(uint32_t v)
{
	return (int32_t)(v ^ 0x800000) - 0x800000;
}

int flv_video_parse(const uint8_t *p, size_t n, struct flv_video *v)
{
	const uint8_t *end = p + n;
	uint8_t b0, pt;
	uint32_t c = 0;

	v->form = -1;
	v->pkt = -1;
	v->codec_id = 0;
	v->fourcc = 0;
	v->cts = 0;
	if (!(p = get_u8(p, end, &b0)))
		return -EINVAL;
	v->frame_type = b0 >> 4 & 7;
	if (b0 & 0x80) {
		pt = b0 & 0x0f;
		if (!(p = get_be32(p, end, &v->fourcc)))
			return -EINVAL;
		if (v->fourcc == FLV_FOURCC_HVC1)
			v->form = FLV_HVC1;
		if (pt == 1 && !(p = get_be24(p, end, &c)))
			return -EINVAL;
		v->cts = si24(c);
		v->pkt = pt == 3 ? FLV_PKT_NALU : pt <= 2 ? pt : -1;
	} else {
		v->codec_id = b0 & 0x0f;
		if (v->codec_id == FLV_CODEC_AVC)
			v->form = FLV_AVC;
		else if (v->codec_id == FLV_CODEC_HEVC12)
			v->form = FLV_HEVC12;
		if (v->form >= 0) {
			if (!(p = get_u8(p, end, &pt)) || !(p = get_be24(p, end, &c)))
				return -EINVAL;
			v->pkt = pt <= 2 ? pt : -1;
			v->cts = si24(c);
		}
	}
	v->body = p;
	v->len = (size_t)(end - p);
	return 0;
}

/* docs/protocols.md §2.5: data message body "@setDataFrame" "onMetaData" ECMA. */
int flv_metadata_build(uint8_t *out, size_t cap, const struct flv_meta *m)
{
	uint8_t *p = out, *end = out + cap;

	p = amf0_put_string(p, end, "@setDataFrame");
	p = amf0_put_string(p, end, "onMetaData");
	p = amf0_put_ecma_start(p, end, 7);
	p = amf0_put_prop_number(p, end, "duration", 0);
	p = amf0_put_prop_number(p, end, "width", m->width);
	p = amf0_put_prop_number(p, end, "height", m->height);
	p = amf0_put_prop_number(p, end, "framerate", m->framerate);
	p = amf0_put_prop_number(p, end, "videocodecid", m->videocodecid);
	p = amf0_put_prop_number(p, end, "videodatarate", m->videodatarate);
	p = amf0_put_prop_string(p, end, "encoder", "cvmmap-streamer");
	p = amf0_put_object_end(p, end);
	return p ? (int)(p - out) : -ENOSPC;
}

/* FLV 10.1 E.2: signature, version 1, flags (audio 0x04, video 0x01),
 * u32 header size 9; then PreviousTagSize0 = 0 (E.3). */
int flv_file_header(uint8_t *out, size_t cap, int has_audio, int has_video)
{
	uint8_t *p = out, *end = out + cap;

	p = put_bytes(p, end, "FLV", 3);
	p = put_u8(p, end, 1);
	p = put_u8(p, end, (uint8_t)((has_audio ? 4 : 0) | (has_video ? 1 : 0)));
	p = put_be32(p, end, 9);
	p = put_be32(p, end, 0);
	return p ? (int)(p - out) : -ENOSPC;
}

/* FLV 10.1 E.4.1: u8 type, u24 DataSize, u24 Timestamp, u8
 * TimestampExtended (bits 31..24), u24 StreamID = 0. */
int flv_tag_header(uint8_t *out, size_t cap, int type, uint32_t size, uint32_t ts)
{
	uint8_t *p = out, *end = out + cap;

	if (size > 0xffffff)
		return -EINVAL;
	p = put_u8(p, end, (uint8_t)type);
	p = put_be24(p, end, size);
	p = put_be24(p, end, ts & 0xffffff);
	p = put_u8(p, end, (uint8_t)(ts >> 24));
	p = put_be24(p, end, 0);
	return p ? (int)(p - out) : -ENOSPC;
}

static uint8_t *put_startcode_nal(uint8_t *q, const uint8_t *qend,
				  const uint8_t *nal, size_t n)
{
	q = put_be32(q, qend, 1);
	return put_bytes(q, qend, nal, n);
}

/* ISO/IEC 14496-15 5.3.3.1 (avcC) / 8.3.3.1 (hvcC), docs/protocols.md §3. */
int flv_record_to_annexb(int codec, const uint8_t *rec, size_t n,
			 uint8_t *out, size_t cap)
{
	const uint8_t *p = rec, *end = rec + n;
	uint8_t *q = out, *qend = out + cap;
	uint8_t cnt, arrays, b;
	uint16_t num, len;
	unsigned i, a;

	if (codec == 0) {
		/* version, profile, compat, level, lengthSize, numSPS */
		if (!(p = get_skip(p, end, 5)) || !(p = get_u8(p, end, &cnt)))
			return -EINVAL;
		cnt &= 0x1f;
		for (a = 0; a < 2; a++) {
			for (i = 0; i < cnt; i++) {
				if (!(p = get_be16(p, end, &len)) || !bytes_fit(p, end, len))
					return -EINVAL;
				if (!(q = put_startcode_nal(q, qend, p, len)))
					return -ENOSPC;
				p += len;
			}
			if (a == 0 && !(p = get_u8(p, end, &cnt)))
				return -EINVAL;
		}
		return (int)(q - out);
	}
	if (!(p = get_skip(p, end, 22)) || !(p = get_u8(p, end, &arrays)))
		return -EINVAL;
	for (a = 0; a < arrays; a++) {
		if (!(p = get_u8(p, end, &b)) || !(p = get_be16(p, end, &num)))
			return -EINVAL;
		for (i = 0; i < num; i++) {
			if (!(p = get_be16(p, end, &len)) || !bytes_fit(p, end, len))
				return -EINVAL;
			if (!(q = put_startcode_nal(q, qend, p, len)))
				return -ENOSPC;
			p += len;
		}
	}
	return (int)(q - out);
}

int flv_lp_to_annexb(const uint8_t *p, size_t n, uint8_t *out, size_t cap)
{
	const uint8_t *end = p + n;
	uint8_t *q = out, *qend = out + cap;
	uint32_t len;

	while (p < end) {
		if (!(p = get_be32(p, end, &len)) || !bytes_fit(p, end, len))
			return -EINVAL;
		if (!(q = put_startcode_nal(q, qend, p, len)))
			return -ENOSPC;
		p += len;
	}
	return (int)(q - out);
}
