/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ts.c - MPEG-2 transport stream writer (ts.h).  Section numbers are
 * those of ITU-T H.222.0 (06/2021) | ISO/IEC 13818-1.
 *
 * An access unit is first planned (which spans make the PES packet, how
 * many TS packets, PSI or not, the PCR) so that its size is known before
 * a byte is written: ts_write_au() either writes all of it or nothing.
 */
#include "proto/ts.h"

#include "codec/nal.h"
#include "util/bytes.h"

#include <string.h>

#define TS_PAYLOAD      184     /* after the 4-byte header (2.4.3.2) */
#define AF_PCR_LEN      8       /* length, flags, 6-byte PCR (2.4.3.4) */
#define PES_HDR_MAX     19      /* 9 + PTS 5 + DTS 5 (2.4.3.6) */
#define SPANS_MAX       9       /* PES header, AUD, 3 x (start code, set), AU */

/* adaptation_field_control (2.4.3.3, Table 2-5) */
#define AFC_PAYLOAD     1
#define AFC_AF          2
#define AFC_BOTH        3
/* adaptation field flags (2.4.3.4) */
#define AF_RAI          0x40    /* random_access_indicator */
#define AF_PCR          0x10    /* PCR_flag */

static const uint8_t start_code[4] = { 0, 0, 0, 1 };
/* Access unit delimiters: H.264 7.3.2.4, primary_pic_type 7 (any slice
 * type) + rbsp_stop_one_bit; H.265 7.3.2.5, nuh_layer_id 0,
 * TemporalId 0, pic_type 2 (any) + stop bit. */
static const uint8_t aud_h264[] = { 0, 0, 0, 1, 0x09, 0xf0 };
static const uint8_t aud_h265[] = { 0, 0, 0, 1, 0x46, 0x01, 0x50 };

struct span {
	const uint8_t *p;
	size_t n;
};

/* One access unit laid out: the PES packet as spans, its TS packets. */
struct plan {
	uint8_t hdr[PES_HDR_MAX];
	struct span v[SPANS_MAX];
	int nv;
	size_t pes;             /* PES packet bytes (header included) */
	size_t packets;         /* TS packets, PAT/PMT included */
	uint64_t pcr;
	int psi;
};

uint32_t ts_crc32(const uint8_t *p, size_t n)
{
	uint32_t crc = 0xffffffffu;
	int i;

	while (n--) {
		crc ^= (uint32_t)*p++ << 24;
		for (i = 0; i < 8; i++)
			crc = crc & 0x80000000u ? crc << 1 ^ 0x04c11db7u : crc << 1;
	}
	return crc;
}

/* 2.4.3.2 transport packet header: sync_byte 0x47, transport_error_ and
 * transport_priority 0, payload_unit_start_indicator, 13-bit PID,
 * transport_scrambling_control 00, adaptation_field_control, 4-bit
 * continuity_counter. */
static uint8_t *put_header(uint8_t *p, const uint8_t *end, int pusi, unsigned pid,
			   unsigned afc, unsigned cc)
{
	p = put_u8(p, end, 0x47);
	p = put_be16(p, end, (uint16_t)((pusi ? 0x4000 : 0) | (pid & 0x1fff)));
	return put_u8(p, end, (uint8_t)(afc << 4 | (cc & 15)));
}

/* 2.4.3.5 program_clock_reference: 33-bit base, 6 reserved '1' bits,
 * 9-bit extension (0: the 27 MHz clock is the 90 kHz one times 300). */
static uint8_t *put_pcr(uint8_t *p, const uint8_t *end, uint64_t base)
{
	base &= TS_TIME_MASK;
	p = put_be32(p, end, (uint32_t)(base >> 1));
	return put_be16(p, end, (uint16_t)((base & 1) << 15 | 0x7e00));
}

/* 2.4.3.4 adaptation_field of af bytes in all (its length byte
 * included): af == 1 is the length byte 0 alone (one byte of stuffing);
 * otherwise the flags, the PCR when flags has AF_PCR, then stuffing
 * bytes 0xff. */
static uint8_t *put_af(uint8_t *p, const uint8_t *end, size_t af, unsigned flags, uint64_t pcr)
{
	uint8_t *q;

	if (!af || !bytes_fit(p, end, af))
		return NULL;
	p[0] = (uint8_t)(af - 1);                       /* adaptation_field_length */
	if (af > 1) {
		q = put_u8(p + 1, p + af, (uint8_t)flags);
		if (flags & AF_PCR)
			q = put_pcr(q, p + af, pcr);
		if (!q)
			return NULL;
		memset(q, 0xff, (size_t)(p + af - q));  /* stuffing_byte */
	}
	return p + af;
}

/* A section alone in one packet (2.4.4): pointer_field 0, the section,
 * its CRC_32 (Annex A), 0xff up to the end of the packet. */
static void psi_packet(uint8_t *pkt, unsigned pid, const uint8_t *sec, size_t n)
{
	uint8_t *p = pkt;
	const uint8_t *end = pkt + TS_PACKET;

	p = put_header(p, end, 1, pid, AFC_PAYLOAD, 0);
	p = put_u8(p, end, 0);                          /* pointer_field */
	p = put_bytes(p, end, sec, n);
	p = put_be32(p, end, ts_crc32(sec, n));
	if (p)
		memset(p, 0xff, (size_t)(end - p));
}

void ts_writer_init(struct ts_writer *w, int codec, uint32_t pcr_offset, uint32_t frame_ticks)
{
	uint8_t sec[32], *p = sec;
	const uint8_t *end = sec + sizeof sec;

	memset(w, 0, sizeof *w);
	w->codec = codec;
	w->pcr_offset = pcr_offset;
	w->step = frame_ticks;

	/* 2.4.4.3 program_association_section, one program */
	p = put_u8(p, end, 0x00);                       /* table_id */
	p = put_be16(p, end, 0xb000 | 13);              /* syntax 1, '0', '11', section_length */
	p = put_be16(p, end, 1);                        /* transport_stream_id */
	p = put_u8(p, end, 0xc1);                       /* '11', version 0, current_next 1 */
	p = put_u8(p, end, 0);                          /* section_number */
	p = put_u8(p, end, 0);                          /* last_section_number */
	p = put_be16(p, end, TS_PROGRAM);               /* program_number */
	p = put_be16(p, end, 0xe000 | TS_PID_PMT);      /* '111', program_map_PID */
	psi_packet(w->pat, TS_PID_PAT, sec, (size_t)(p - sec));

	/* 2.4.4.8 TS_program_map_section: PCR on the video PID, no
	 * descriptors; stream_type from Table 2-34 */
	p = sec;
	p = put_u8(p, end, 0x02);                       /* table_id */
	p = put_be16(p, end, 0xb000 | 18);              /* syntax 1, '0', '11', section_length */
	p = put_be16(p, end, TS_PROGRAM);               /* program_number */
	p = put_u8(p, end, 0xc1);                       /* '11', version 0, current_next 1 */
	p = put_u8(p, end, 0);                          /* section_number */
	p = put_u8(p, end, 0);                          /* last_section_number */
	p = put_be16(p, end, 0xe000 | TS_PID_VIDEO);    /* '111', PCR_PID */
	p = put_be16(p, end, 0xf000);                   /* '1111', program_info_length 0 */
	p = put_u8(p, end, codec ? TS_TYPE_H265 : TS_TYPE_H264);
	p = put_be16(p, end, 0xe000 | TS_PID_VIDEO);    /* '111', elementary_PID */
	p = put_be16(p, end, 0xf000);                   /* '1111', ES_info_length 0 */
	psi_packet(w->pmt, TS_PID_PMT, sec, (size_t)(p - sec));
}

/* PAT then PMT with the next continuity counters (space checked). */
static uint8_t *put_psi(struct ts_writer *w, uint8_t *p, uint64_t pcr)
{
	memcpy(p, w->pat, TS_PACKET);
	p[3] = (uint8_t)(AFC_PAYLOAD << 4 | w->cc_pat);
	memcpy(p + TS_PACKET, w->pmt, TS_PACKET);
	p[TS_PACKET + 3] = (uint8_t)(AFC_PAYLOAD << 4 | w->cc_pmt);
	w->cc_pat = (w->cc_pat + 1) & 15;
	w->cc_pmt = (w->cc_pmt + 1) & 15;
	w->psi_pcr = pcr;
	w->packets += 2;
	return p + 2 * TS_PACKET;
}

/* 2.4.3.7 PTS / DTS: 4-bit prefix, bits 32..30, marker, 29..15, marker,
 * 14..0, marker. */
static uint8_t *put_time(uint8_t *p, const uint8_t *end, unsigned prefix, uint64_t t)
{
	t &= TS_TIME_MASK;
	p = put_u8(p, end, (uint8_t)(prefix << 4 | (t >> 29 & 0x0e) | 1));
	p = put_be16(p, end, (uint16_t)((t >> 14 & 0xfffe) | 1));
	return put_be16(p, end, (uint16_t)((t << 1 & 0xfffe) | 1));
}

/* 2.4.3.6 PES packet header for payload bytes of elementary stream.
 * PES_packet_length 0 ("unbounded", allowed for video in a TS) when the
 * packet is longer than 65535 bytes.  data_alignment_indicator 1: the
 * payload starts with the AUD, a video access unit's start (2.4.3.7). */
static size_t pes_header(uint8_t *hdr, const struct ts_au *au, size_t payload)
{
	int dts = ((au->pts ^ au->dts) & TS_TIME_MASK) != 0;
	size_t hl = dts ? 10 : 5, len = 3 + hl + payload;
	uint8_t *p = hdr;
	const uint8_t *end = hdr + PES_HDR_MAX;

	p = put_be24(p, end, 1);                        /* packet_start_code_prefix */
	p = put_u8(p, end, TS_STREAM_ID);
	p = put_be16(p, end, len > 0xffff ? 0 : (uint16_t)len);
	p = put_u8(p, end, 0x84);       /* '10', not scrambled, data_alignment_indicator */
	p = put_u8(p, end, dts ? 0xc0 : 0x80);          /* PTS_DTS_flags, nothing else */
	p = put_u8(p, end, (uint8_t)hl);                /* PES_header_data_length */
	p = put_time(p, end, dts ? 3 : 2, au->pts);
	if (dts)
		p = put_time(p, end, 1, au->dts);
	return (size_t)(p - hdr);
}

/* The PCR of an AU: DTS - pcr_offset, never below 0, never backwards. */
static uint64_t au_pcr(const struct ts_writer *w, uint64_t dts)
{
	uint64_t pcr = dts > w->pcr_offset ? dts - w->pcr_offset : 0;

	return w->started && pcr < w->pcr ? w->pcr : pcr;
}

static int plan_au(const struct ts_writer *w, const struct ts_au *au, struct plan *pl)
{
	const uint8_t *end = au->data + au->size, *rest = au->data;
	const struct nal *sets[3];
	size_t payload = 0;
	struct nal first;
	int i, ns = 0;

	if (!au->data || !annexb_next(au->data, end, &first))
		return -1;
	pl->nv = 1;                                     /* [0]: the PES header */
	/* 2.14.1 (AVC) and 2.17 (HEVC): every AU starts with an AUD */
	if (nal_type(w->codec, &first) == (w->codec ? H265_NAL_AUD : H264_NAL_AUD)) {
		rest = first.p + first.n;
		pl->v[pl->nv++] = (struct span){ au->data, (size_t)(rest - au->data) };
	} else if (w->codec) {
		pl->v[pl->nv++] = (struct span){ aud_h265, sizeof aud_h265 };
	} else {
		pl->v[pl->nv++] = (struct span){ aud_h264, sizeof aud_h264 };
	}
	if (au->keyframe && au->ps) {
		if (w->codec)
			sets[ns++] = &au->ps->vps;
		sets[ns++] = &au->ps->sps;
		sets[ns++] = &au->ps->pps;
		for (i = 0; i < ns; i++) {
			if (!sets[i]->n)
				continue;
			pl->v[pl->nv++] = (struct span){ start_code, sizeof start_code };
			pl->v[pl->nv++] = (struct span){ sets[i]->p, sets[i]->n };
		}
	}
	pl->v[pl->nv++] = (struct span){ rest, (size_t)(end - rest) };
	for (i = 1; i < pl->nv; i++)
		payload += pl->v[i].n;
	pl->v[0] = (struct span){ pl->hdr, pes_header(pl->hdr, au, payload) };
	pl->pes = pl->v[0].n + payload;

	pl->pcr = au_pcr(w, au->dts);
	pl->psi = !w->started || au->keyframe ||
		  pl->pcr - w->psi_pcr + w->step > TS_PSI_TARGET;
	/* the first packet gives AF_PCR_LEN bytes to the adaptation field */
	pl->packets = 1 + (pl->pes > TS_PAYLOAD - AF_PCR_LEN ?
			   (pl->pes - (TS_PAYLOAD - AF_PCR_LEN) + TS_PAYLOAD - 1) / TS_PAYLOAD : 0) +
		      (pl->psi ? 2 : 0);
	return 0;
}

size_t ts_au_size(const struct ts_writer *w, const struct ts_au *au)
{
	struct plan pl;

	return plan_au(w, au, &pl) ? 0 : pl.packets * TS_PACKET;
}

size_t ts_au_bound(size_t au_size, size_t ps_size)
{
	size_t pes = PES_HDR_MAX + sizeof aud_h265 + 3 * sizeof start_code + ps_size + au_size;

	return (3 + (pes + TS_PAYLOAD - 1) / TS_PAYLOAD) * TS_PACKET;
}

uint8_t *ts_write_au(struct ts_writer *w, const struct ts_au *au, uint8_t *p, const uint8_t *end)
{
	struct plan pl;
	size_t left, vi = 0, off = 0;
	int first = 1;

	if (plan_au(w, au, &pl) || !bytes_fit(p, end, pl.packets * TS_PACKET))
		return NULL;
	if (pl.psi)
		p = put_psi(w, p, pl.pcr);
	for (left = pl.pes; left; first = 0) {
		size_t room = TS_PAYLOAD - (first ? AF_PCR_LEN : 0);
		size_t take = left < room ? left : room, af = TS_PAYLOAD - take, n;
		unsigned flags = first ? AF_PCR | (au->keyframe ? AF_RAI : 0) : 0;
		const uint8_t *pe = p + TS_PACKET;

		p = put_header(p, pe, first, TS_PID_VIDEO, af ? AFC_BOTH : AFC_PAYLOAD, w->cc_video);
		if (af)
			p = put_af(p, pe, af, flags, pl.pcr);
		w->cc_video = (w->cc_video + 1) & 15;
		w->packets++;
		left -= take;
		/* the payload: take bytes from the spans */
		while (take) {
			n = pl.v[vi].n - off;
			if (n > take)
				n = take;
			p = put_bytes(p, pe, pl.v[vi].p + off, n);
			off += n;
			take -= n;
			if (off == pl.v[vi].n) {
				vi++;
				off = 0;
			}
		}
	}
	if (w->started && au->dts > w->last_dts)
		w->step = au->dts - w->last_dts;
	w->started = 1;
	w->last_dts = au->dts;
	w->au_pcr = w->pcr = pl.pcr;
	return p;
}

uint8_t *ts_write_idle(struct ts_writer *w, uint64_t elapsed, uint8_t *p, const uint8_t *end)
{
	uint64_t next = w->last_dts + w->step, pcr = w->au_pcr + elapsed;
	const uint8_t *pe;

	if (!w->started)
		return p;
	/* not past the PCR the next AU will carry if it comes on time */
	next = next > w->pcr_offset ? next - w->pcr_offset : 0;
	if (pcr > next)
		pcr = next;
	if (pcr < w->pcr)
		pcr = w->pcr;
	/* PAT/PMT every time: the next call may be too late for them */
	if (!bytes_fit(p, end, 3 * TS_PACKET))
		return NULL;
	p = put_psi(w, p, pcr);
	/* adaptation field only: the continuity counter stays (2.4.3.3) */
	pe = p + TS_PACKET;
	p = put_header(p, pe, 0, TS_PID_VIDEO, AFC_AF, (w->cc_video - 1) & 15);
	p = put_af(p, pe, TS_PAYLOAD, AF_PCR, pcr);
	w->packets++;
	w->pcr = pcr;
	return p;
}
