/* SPDX-License-Identifier: GPL-2.0-or-later */
/* codec.h - the codec vocabulary shared by every part of the streamer.
 *
 * enum codec_id is what our code means by a codec everywhere (encoders,
 * bitstream tools, RTP payload formats, FLV forms).  The cv-mmap producer
 * names codecs differently in its v2.1 metadata (docs/contract.md §4.6,
 * enum cvmmap_au_codec): 1 = H.264, 2 = H.265, 0 = none.  The two
 * functions below are the only translation between the two numberings.
 */
#ifndef CVMMAP_CODEC_H
#define CVMMAP_CODEC_H

enum codec_id { CODEC_H264, CODEC_H265 };

/* "h264", "h265", NULL-terminated (command lines, logs, SDP). */
extern const char *const codec_names[];

/* cv-mmap AU codec value -> enum codec_id, or -1 (none / unknown). */
static inline int codec_from_cvmmap(int au_codec)
{
	return au_codec == 1 ? CODEC_H264 : au_codec == 2 ? CODEC_H265 : -1;
}

/* enum codec_id -> cv-mmap AU codec value. */
static inline int codec_to_cvmmap(int codec)
{
	return codec == CODEC_H265 ? 2 : 1;
}

#endif
