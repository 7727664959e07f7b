/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ts.h - MPEG-2 transport stream writer for one H.264/H.265 stream (pure).
 *
 * ITU-T H.222.0 | ISO/IEC 13818-1.  One program (number 1): PAT on PID 0,
 * PMT on TS_PID_PMT, the video elementary stream on TS_PID_VIDEO, which
 * also carries the PCR.  The writer turns one Annex B access unit into
 * whole 188-byte packets between (p, end): no socket, no clock, no
 * allocation.  Times are 90 kHz ticks of any width (written mod 2^33);
 * the transport (udp_ts_sink.c) maps nanoseconds with rtp_ticks_from_ns(),
 * so PTS equals the RTP timestamp minus RTP's random base.
 *
 * What each access unit becomes (docs/ts.md):
 *   [PAT][PMT]       before every keyframe and so that they repeat at
 *                    most TS_PSI_INTERVAL apart (2.4.4, CRC32 Annex A)
 *   PES packet       PTS, and DTS when it differs (2.4.3.6/2.4.3.7);
 *                    the first packet has an adaptation field with the
 *                    PCR (DTS - pcr_offset, never backwards) and, on a
 *                    keyframe, random_access_indicator (2.4.3.4/2.4.3.5)
 *   PES payload      an access unit delimiter first (inserted when the
 *                    encoder wrote none: 2.14.1 requires it for AVC),
 *                    then the cached parameter sets of a keyframe that
 *                    came without them, then the AU
 *   last packet      stuffing in its adaptation field (2.4.3.4)
 */
#ifndef CVMMAP_TS_H
#define CVMMAP_TS_H

#include "codec/paramsets.h"

#include <stddef.h>
#include <stdint.h>

#define TS_PACKET         188
#define TS_PID_PAT        0x0000
#define TS_PID_PMT        0x1000
#define TS_PID_VIDEO      0x0100
#define TS_PROGRAM        1
#define TS_STREAM_ID      0xe0          /* video stream 0 (Table 2-22) */
#define TS_TYPE_H264      0x1b          /* Table 2-34 */
#define TS_TYPE_H265      0x24
#define TS_CLOCK_HZ       90000
#define TS_TIME_MASK      ((1ull << 33) - 1)
/* PAT/PMT at most this far apart (90 kHz); the writer aims below it by
 * one frame step so that the next AU never finds them overdue. */
#define TS_PSI_INTERVAL   9000
#define TS_PSI_TARGET     8100

struct ts_writer {
	int codec;                      /* enum codec_id: 0 H.264, 1 H.265 */
	uint8_t pat[TS_PACKET];         /* built once; only the CC changes */
	uint8_t pmt[TS_PACKET];
	uint8_t cc_pat, cc_pmt, cc_video;  /* continuity_counter (2.4.3.3) */
	uint32_t pcr_offset;            /* PCR runs this far behind DTS */
	int started;                    /* an AU was written */
	uint64_t last_dts;              /* of the last AU (90 kHz, unmasked) */
	uint64_t step;                  /* DTS step between the last two AUs */
	uint64_t au_pcr;                /* PCR of the last AU */
	uint64_t pcr;                   /* last PCR written (AU or idle) */
	uint64_t psi_pcr;               /* PCR when PAT/PMT went out last */
	uint64_t packets;               /* 188-byte packets written */
};

/* One access unit for ts_write_au(). */
struct ts_au {
	const uint8_t *data;            /* Annex B */
	size_t size;
	uint64_t pts, dts;              /* 90 kHz; dts <= pts */
	int keyframe;                   /* IDR / IRAP: PSI first, RAI set */
	/* parameter sets to put after the AUD of a keyframe that has none
	 * in-band (NULL: nothing to add) */
	const struct param_sets *ps;
};

/* codec: enum codec_id; pcr_offset: 90 kHz ticks between PCR and DTS;
 * frame_ticks: the nominal frame period until the stream shows its own. */
void ts_writer_init(struct ts_writer *w, int codec, uint32_t pcr_offset, uint32_t frame_ticks);

/* Bytes ts_write_au() writes for au now: a multiple of 188. */
size_t ts_au_size(const struct ts_writer *w, const struct ts_au *au);

/* The most bytes an AU of au_size bytes can take, parameter sets of up
 * to ps_size bytes in all included (for sizing the output at start-up). */
size_t ts_au_bound(size_t au_size, size_t ps_size);

/* Write au as TS packets at p.  Returns the new cursor, or NULL (and the
 * writer unchanged) when they do not fit before end or au has no data. */
uint8_t *ts_write_au(struct ts_writer *w, const struct ts_au *au, uint8_t *p,
		     const uint8_t *end);

/* Nothing to send for a while: elapsed ticks after the last AU.  Writes
 * PAT, PMT and one adaptation-field-only packet with the PCR (the last
 * AU's PCR plus elapsed, never past the PCR the next AU will have if it
 * comes one step after the last), so a receiver's clock keeps running on
 * a slow stream.  Call it less than TS_PSI_INTERVAL apart.  Returns the
 * new cursor (p itself before the first AU) or NULL when the 3 packets
 * do not fit. */
uint8_t *ts_write_idle(struct ts_writer *w, uint64_t elapsed, uint8_t *p, const uint8_t *end);

/* CRC-32/MPEG-2 (Annex A): polynomial 0x04c11db7, initial value all
 * ones, no reflection, no final XOR.  "123456789" -> 0x0376e6e7. */
uint32_t ts_crc32(const uint8_t *p, size_t n);

#endif
