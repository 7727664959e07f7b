/* SPDX-License-Identifier: GPL-2.0-or-later */
/* flv.h - FLV video tag bodies, onMetaData and FLV file framing (pure).
 *
 * An RTMP video message body is an FLV VIDEODATA payload (docs/protocols.md
 * 2).  Three forms are written and parsed here:
 *
 *   FLV_AVC       H.264, legacy codec id 7          17/27 PT CTS24 ...
 *   FLV_HVC1      H.265, Enhanced RTMP, FourCC hvc1 9P/AP 'hvc1' [CTS24]
 *   FLV_HEVC12    H.265, "domestic" codec id 12     1C/2C PT CTS24 ...
 *
 * The record/NAL payload after the header is identical in all forms:
 * a decoder configuration record (sequence header) or 4-byte
 * length-prefixed NAL units.
 */
#ifndef CVMMAP_FLV_H
#define CVMMAP_FLV_H

#include <stddef.h>
#include <stdint.h>

enum flv_form { FLV_AVC, FLV_HVC1, FLV_HEVC12 };

/* Packet kinds, named after AVCPacketType (FLV 10.1 E.4.3.1). */
enum flv_pkt { FLV_PKT_SEQ = 0, FLV_PKT_NALU = 1, FLV_PKT_END = 2 };

#define FLV_CODEC_AVC 7
#define FLV_CODEC_HEVC12 12
#define FLV_FOURCC_HVC1 0x68766331u   /* 'hvc1' = 1752589105 */
#define FLV_VIDEO_HDR_MAX 8

/* FLV tag types (FLV 10.1 E.4.1). */
enum { FLV_TAG_AUDIO = 8, FLV_TAG_VIDEO = 9, FLV_TAG_SCRIPT = 18 };

/* How H.265 travels over RTMP (--rtmp-mode); H.264 is always id 7. */
enum rtmp_mode { RTMP_MODE_UNSET, RTMP_MODE_ENHANCED, RTMP_MODE_DOMESTIC };

/* The form for a codec (enum codec_id) and rtmp mode (enum rtmp_mode):
 * H.264 -> FLV_AVC always; H.265 -> FLV_HEVC12 for domestic, else HVC1. */
int flv_form_for(int codec, int rtmp_mode);

/* onMetaData videocodecid: 7, 12, or the hvc1 FourCC as a number. */
double flv_videocodecid(int form);

/* Write the VIDEODATA header for one packet into out[cap].  cts is
 * PTS-DTS in ms (clamped to SI24; 0 for SEQ/END).  For FLV_HVC1 a NALU
 * packet with cts 0 becomes CodedFramesX (no CTS field).  Returns the
 * header length (5 or 8), or -ENOSPC. */
int flv_video_header(uint8_t *out, size_t cap, int form, int pkt, int key,
		     int32_t cts);

/* A parsed VIDEODATA header.  body/len: what follows it (record or NALUs). */
struct flv_video {
	int form;               /* enum flv_form, or -1 for other codecs */
	int pkt;                /* enum flv_pkt; -1 for other E-RTMP types */
	int frame_type;         /* 1 key, 2 inter, ... */
	int codec_id;           /* legacy: low nibble; E-RTMP: 0 */
	uint32_t fourcc;        /* E-RTMP only */
	int32_t cts;
	const uint8_t *body;
	size_t len;
};

/* Parse a VIDEODATA body.  Returns 0 (v filled; form -1 for codecs we do
 * not know), or -EINVAL when truncated. */
int flv_video_parse(const uint8_t *p, size_t n, struct flv_video *v);

struct flv_meta {
	uint32_t width, height;
	double framerate;
	double videocodecid;
	double videodatarate;   /* kbit/s, 0 = unknown */
};

/* AMF0 data message "@setDataFrame", "onMetaData", ECMA array
 * (docs/protocols.md §2.5).  Returns the length or -ENOSPC. */
int flv_metadata_build(uint8_t *out, size_t cap, const struct flv_meta *m);

/* ---- FLV files (FLV 10.1 E.2/E.3) ------------------------------------- */

#define FLV_FILE_HDR_LEN 13     /* 9-byte header + PreviousTagSize0 */
#define FLV_TAG_HDR_LEN 11

/* "FLV" 01 flags 00000009 + PreviousTagSize0 = 0. */
int flv_file_header(uint8_t *out, size_t cap, int has_audio, int has_video);
/* Tag header: type, u24 size, u24+u8 timestamp, u24 stream id 0. */
int flv_tag_header(uint8_t *out, size_t cap, int type, uint32_t size, uint32_t ts);

/* ---- payload conversion back to Annex B (tests, the stub's dump) ------- */

/* Parameter sets of an avcC (codec 0) or hvcC (codec 1) record as Annex B
 * (00 00 00 01 + NAL each).  Returns bytes written, -EINVAL or -ENOSPC. */
int flv_record_to_annexb(int codec, const uint8_t *rec, size_t n,
			 uint8_t *out, size_t cap);
/* 4-byte length-prefixed NAL units as Annex B.  Same returns. */
int flv_lp_to_annexb(const uint8_t *p, size_t n, uint8_t *out, size_t cap);

#endif
