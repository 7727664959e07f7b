/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ts_parse.h - a small MPEG-2 transport stream reader (pure), the test
 * twin of ts.h.
 *
 * It reads what ts.c writes and checks it the way a receiver would:
 * PAT -> PMT -> the first H.264/H.265 stream, PSI CRCs (H.222.0 Annex A),
 * continuity counters per PID (2.4.3.3), PCRs (2.4.3.5) and their gaps,
 * PES headers with PTS/DTS (2.4.3.6/2.4.3.7), and hands every PES
 * packet, reassembled into the caller's buffer, to a callback.  Sections
 * that span packets are not supported (counted in bad_psi): ts.c never
 * writes them.  No allocation; any input is safe (test/fuzz/fuzz_ts.c).
 */
#ifndef CVMMAP_TS_PARSE_H
#define CVMMAP_TS_PARSE_H

#include <stddef.h>
#include <stdint.h>

/* One PES packet of the video PID. */
struct ts_pes {
	const uint8_t *data;            /* the elementary stream bytes */
	size_t size;
	unsigned stream_id;
	int has_pts, has_dts;
	uint64_t pts, dts;              /* 33 bits */
	int rai;                        /* random_access_indicator in its first packet */
	int has_pcr;                    /* a PCR in its first packet ... */
	uint64_t pcr;                   /* ... (base, 90 kHz) */
	int psi_before;                 /* PAT and PMT came since the last PES */
};

typedef void (*ts_pes_fn)(void *opaque, const struct ts_pes *pes);

struct ts_parse_stats {
	uint64_t packets;               /* 188-byte packets read */
	uint64_t pat, pmt;              /* sections with a good CRC */
	uint64_t pes;                   /* PES packets delivered */
	uint64_t pcr;                   /* PCRs on the PCR PID */
	uint64_t bad_packets;           /* no sync byte, TEI, reserved AFC, bad AF */
	uint64_t bad_psi;               /* CRC, length or syntax errors */
	uint64_t bad_pes;               /* bad start code, header or length */
	uint64_t overflow;              /* PES larger than the buffer (dropped) */
	uint64_t cc_errors;             /* continuity counter jumps */
	uint64_t pcr_backwards;
	uint64_t af_only;               /* adaptation-field-only packets */
	uint64_t max_pcr_gap;           /* largest step between PCRs (90 kHz) */
	uint64_t max_psi_gap;           /* largest PCR time between two PATs */
};

struct ts_parser {
	int pmt_pid, pcr_pid, pid;      /* -1 until the PAT/PMT tell */
	int stream_type;                /* of pid */
	int cc[3];                      /* PAT, PMT, video; -1: none yet */
	uint8_t *buf;                   /* PES reassembly (caller's) */
	size_t cap, len;
	int in_pes;                     /* collecting one */
	size_t want;                    /* its payload bytes (0: unbounded) */
	struct ts_pes cur;
	int psi_seen;                   /* PAT+PMT since the last PES */
	int have_pcr;
	uint64_t last_pcr, pat_pcr;
	int have_pat_pcr;
	ts_pes_fn fn;
	void *opaque;
	struct ts_parse_stats st;
};

void ts_parser_init(struct ts_parser *p, uint8_t *buf, size_t cap, ts_pes_fn fn, void *opaque);

/* One 188-byte packet.  0, or -EINVAL when it was counted as bad. */
int ts_parse_packet(struct ts_parser *p, const uint8_t *pkt);

/* Whole packets of data[n]; returns the bytes used (a multiple of 188). */
size_t ts_parse(struct ts_parser *p, const uint8_t *data, size_t n);

/* End of input: deliver the PES still being collected. */
void ts_parse_flush(struct ts_parser *p);

#endif
