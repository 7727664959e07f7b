/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_ts - the MPEG-TS writer (proto/ts.h) against bytes derived by
 * hand from ITU-T H.222.0, and against its reader (proto/ts_parse.h).
 *
 * The CRC32 of the PAT and H.264 PMT (2a b1 04 b2, 15 bd 4d 56) are the
 * ones every FFmpeg-made TS with the same ids carries; all CRCs were
 * also computed independently (a 10-line Python CRC-32/MPEG-2). */
#include "codec/codec.h"
#include "proto/ts.h"
#include "proto/ts_parse.h"
#include "unit.h"

#include <errno.h>

#define PKT TS_PACKET

static uint8_t out[1 << 17], want[1 << 17], es[1 << 17], pesbuf[1 << 17];

/* want = hex head, n bytes of fill, hex tail; returns the length. */
static size_t build(const char *head, size_t n, int fill, const char *tail)
{
	int a = unit_hex(head, want, sizeof want), b;

	CHECK(a >= 0);
	memset(want + a, fill, n);
	b = unit_hex(tail, want + a + n, sizeof want - (size_t)a - n);
	CHECK(b >= 0);
	return (size_t)a + n + (size_t)b;
}

/* ---- CRC, PAT, PMT (2.4.4.3, 2.4.4.8, Annex A) -------------------------- */

static void t_crc32(void)
{
	CHECK_EQ(ts_crc32((const uint8_t *)"123456789", 9), 0x0376e6e7);
	CHECK_EQ(ts_crc32(NULL, 0), 0xffffffff);
	/* a section followed by its CRC checks to 0 */
	CHECK_EQ(unit_hex("00 b0 0d 00 01 c1 00 00 00 01 f0 00 2a b1 04 b2", want, 64), 16);
	CHECK_EQ(ts_crc32(want, 16), 0);
}

static void t_pat_pmt(void)
{
	struct ts_writer w;
	size_t n;

	ts_writer_init(&w, CODEC_H264, 3600, 3000);
	/* PID 0, PUSI, payload only, CC 0; pointer_field 0; table_id 0,
	 * section_length 13, tsid 1, version 0 current, program 1 -> PMT
	 * PID 0x1000; CRC; 0xff to 188 */
	n = build("47 40 00 10 00 00 b0 0d 00 01 c1 00 00 00 01 f0 00 2a b1 04 b2",
		  PKT - 21, 0xff, "");
	CHECK_EQ(n, PKT);
	CHECK_MEM(w.pat, want, PKT);
	/* PID 0x1000; table_id 2, section_length 18, program 1, PCR_PID
	 * 0x100, no program info, stream_type 0x1b on PID 0x100 */
	n = build("47 50 00 10 00 02 b0 12 00 01 c1 00 00 e1 00 f0 00 1b e1 00 f0 00 "
		  "15 bd 4d 56", PKT - 26, 0xff, "");
	CHECK_MEM(w.pmt, want, PKT);
	ts_writer_init(&w, CODEC_H265, 3600, 3000);
	n = build("47 50 00 10 00 02 b0 12 00 01 c1 00 00 e1 00 f0 00 24 e1 00 f0 00 "
		  "2f 00 6e e7", PKT - 26, 0xff, "");
	CHECK_MEM(w.pmt, want, PKT);
}

/* ---- PES in packets (2.4.3.2-2.4.3.7) ----------------------------------- */

static const uint8_t idr[] = { 0, 0, 0, 1, 0x65, 0x88, 0x84, 0x00 };

/* An AU smaller than one packet: PSI first (keyframe), then one packet
 * with PCR, RAI and stuffing in its adaptation field. */
static void t_small_keyframe(void)
{
	struct ts_writer w;
	struct ts_au au = { idr, sizeof idr, 90000, 90000, 1, NULL };
	uint8_t *end;
	size_t n;

	ts_writer_init(&w, CODEC_H264, 3600, 3000);
	CHECK_EQ(ts_au_size(&w, &au), 3 * PKT);
	end = ts_write_au(&w, &au, out, out + sizeof out);
	CHECK(end == out + 3 * PKT);
	CHECK_MEM(out, w.pat, 3);
	CHECK_EQ(out[3], 0x10);                         /* PAT CC 0 */
	CHECK_EQ(out[PKT + 3], 0x10);                   /* PMT CC 0 */
	/* PID 0x100, PUSI, AF + payload, CC 0; AF 156 bytes: length 155,
	 * RAI|PCR, PCR 86400 = 90000 - 3600 (base >> 1 = 0xa8c0, bit 0 0,
	 * reserved 111111, ext 0), 148 x ff; PES: 00 00 01 e0, length 22,
	 * 84 (alignment), 80 (PTS), 5, PTS 90000; AUD 09 f0 inserted; AU */
	n = build("47 41 00 30 9b 50 00 00 a8 c0 7e 00", 148, 0xff,
		  "00 00 01 e0 00 16 84 80 05 21 00 05 bf 21 "
		  "00 00 00 01 09 f0 00 00 00 01 65 88 84 00");
	CHECK_EQ(n, PKT);
	CHECK_MEM(out + 2 * PKT, want, PKT);
	CHECK_EQ(w.cc_video, 1);
	CHECK_EQ(w.packets, 3);
	/* too little room: nothing written, nothing changed */
	ts_writer_init(&w, CODEC_H264, 3600, 3000);
	CHECK(ts_write_au(&w, &au, out, out + 3 * PKT - 1) == NULL);
	CHECK_EQ(w.cc_video, 0);
	CHECK_EQ(w.started, 0);
	au.size = 0;
	CHECK(ts_write_au(&w, &au, out, out + sizeof out) == NULL);
}

/* PTS and DTS (B-frames), the 33-bit wrap, PCR clamped at 0 and never
 * backwards. */
static void t_pts_dts(void)
{
	struct ts_writer w;
	struct ts_au au = { idr, sizeof idr, 93000, 90000, 0, NULL };
	size_t n;

	ts_writer_init(&w, CODEC_H264, 3600, 3000);
	w.started = 1;                                  /* no PSI: not the first AU */
	w.psi_pcr = 86400;
	CHECK(ts_write_au(&w, &au, out, out + sizeof out) == out + PKT);
	/* no RAI; PES length 27; PTS_DTS_flags 11, header length 10,
	 * PTS '0011' 93000, DTS '0001' 90000 */
	n = build("47 41 00 30 96 10 00 00 a8 c0 7e 00", 143, 0xff,
		  "00 00 01 e0 00 1b 84 c0 0a 31 00 05 d6 91 11 00 05 bf 21 "
		  "00 00 00 01 09 f0 00 00 00 01 65 88 84 00");
	CHECK_EQ(n, PKT);
	CHECK_MEM(out, want, PKT);

	/* PTS 2^33 + 5 is written as 5, and DTS 5 (equal mod 2^33) is left
	 * out; DTS below the offset: PCR 0 (a fresh writer: PSI first) */
	ts_writer_init(&w, CODEC_H264, 3600, 3000);
	au.pts = (1ull << 33) + 5;
	au.dts = 5;
	CHECK(ts_write_au(&w, &au, out, out + sizeof out) == out + 3 * PKT);
	n = build("47 41 00 30 9b 10 00 00 00 00 7e 00", 148, 0xff,
		  "00 00 01 e0 00 16 84 80 05 21 00 01 00 0b "
		  "00 00 00 01 09 f0 00 00 00 01 65 88 84 00");
	CHECK_MEM(out + 2 * PKT, want, PKT);

	/* the largest time: 33 bits of ones (PCR: base 2^33 - 3601, odd) */
	ts_writer_init(&w, CODEC_H264, 3600, 3000);
	au.pts = au.dts = (1ull << 33) - 1;
	CHECK(ts_write_au(&w, &au, out, out + sizeof out) == out + 3 * PKT);
	CHECK_MEM(out + 2 * PKT + 6, "\xff\xff\xf8\xf7\xfe\x00", 6);
	CHECK_MEM(out + 2 * PKT + 160 + 9, "\x2f\xff\xff\xff\xff", 5);
}

/* The last packet's stuffing at its edges (2.4.3.4): one byte (length 0
 * alone), two (length 1, flags 0), none; and the first packet exactly
 * full and one byte short.  PES = 14 header + 6 AUD + data bytes. */
static void check_split(size_t data, size_t packets, const char *first_af, const char *last_af)
{
	struct ts_writer w;
	struct ts_au au = { es, data, 90000, 90000, 0, NULL };
	size_t pes = 14 + 6 + data, la = unit_hex(last_af, want, sizeof want);
	uint8_t *last;

	memset(es, 0x5a, data);
	memcpy(es, "\0\0\0\1\x41", 5);
	ts_writer_init(&w, CODEC_H264, 3600, 3000);
	w.started = 1;
	w.psi_pcr = 86400;
	CHECK(ts_write_au(&w, &au, out, out + sizeof out) == out + packets * PKT);
	/* first packet: the PCR field, then stuffing if any */
	CHECK_EQ(unit_hex(first_af, want, sizeof want), (int)strlen(first_af) / 3 + 1);
	CHECK_MEM(out + 4, want, strlen(first_af) / 3 + 1);
	/* middle packets: payload only, counters running */
	if (packets > 1) {
		CHECK_EQ(out[PKT + 1], 0x01);
		CHECK_EQ(out[PKT + 3] & 0x3f, packets > 2 ? 0x11 : (la ? 0x31 : 0x11));
	}
	last = out + (packets - 1) * PKT;
	CHECK_EQ(last[3] & 15, (packets - 1) & 15);
	if (la) {
		CHECK_EQ(last[3] >> 4, 3);
		CHECK_EQ(unit_hex(last_af, want, sizeof want), (int)la);
		CHECK_MEM(last + 4, want, la);
	} else if (packets > 1) {
		CHECK_EQ(last[3] >> 4, 1);
	}
	/* the data ends the last packet */
	CHECK_EQ(last[PKT - 1], 0x5a);
	CHECK_EQ((pes + 8 + PKT - 5) / (PKT - 4), packets);
}

static void t_stuffing_edges(void)
{
	/* first packet: 176 bytes of PES exactly, then one short of it */
	check_split(176 - 20, 1, "07 10 00 00 a8 c0 7e 00", "");
	check_split(175 - 20, 1, "08 10 00 00 a8 c0 7e 00 ff", "");
	/* two packets: the second exactly full, 183 bytes (AF = 00), 182
	 * bytes (AF = 01 00), 181 bytes (02 00 ff), one byte (b6 00 ff...) */
	check_split(176 + 184 - 20, 2, "07 10 00 00 a8 c0 7e 00", "");
	check_split(176 + 183 - 20, 2, "07 10 00 00 a8 c0 7e 00", "00");
	check_split(176 + 182 - 20, 2, "07 10 00 00 a8 c0 7e 00", "01 00");
	check_split(176 + 181 - 20, 2, "07 10 00 00 a8 c0 7e 00", "02 00 ff");
	check_split(176 + 1 - 20, 2, "07 10 00 00 a8 c0 7e 00", "b6 00 ff ff");
	/* many packets, the last one short by one byte */
	check_split(176 + 20 * 184 + 183 - 20, 22, "07 10 00 00 a8 c0 7e 00", "00");
}

/* PES_packet_length 0 once the packet is longer than 65535 bytes. */
static void t_unbounded_pes(void)
{
	struct ts_writer w;
	struct ts_au au = { es, 65535 - 3 - 5 - 6, 90000, 90000, 0, NULL };

	memset(es, 0x5a, sizeof es);
	memcpy(es, "\0\0\0\1\x41", 5);
	ts_writer_init(&w, CODEC_H264, 3600, 3000);
	w.started = 1;
	w.psi_pcr = 86400;
	w.last_dts = 90000;
	CHECK(ts_write_au(&w, &au, out, out + sizeof out) != NULL);
	CHECK_MEM(out + 12, "\x00\x00\x01\xe0\xff\xff", 6);
	au.size++;
	CHECK(ts_write_au(&w, &au, out, out + sizeof out) != NULL);
	CHECK_MEM(out + 12, "\x00\x00\x01\xe0\x00\x00", 6);
	CHECK(ts_au_bound(au.size, 0) >= ts_au_size(&w, &au));
}

/* The PCR-only packet (2.4.3.3: adaptation field only, CC unchanged) and
 * PAT/PMT before it. */
static void t_idle(void)
{
	struct ts_writer w;
	struct ts_au au = { idr, sizeof idr, 90000, 90000, 1, NULL };
	size_t n;

	ts_writer_init(&w, CODEC_H264, 3600, 18000);
	CHECK(ts_write_idle(&w, 100, out, out + sizeof out) == out);   /* not started */
	CHECK(ts_write_au(&w, &au, out, out + sizeof out) == out + 3 * PKT);
	CHECK(ts_write_idle(&w, 8100, out, out + 3 * PKT - 1) == NULL);
	CHECK(ts_write_idle(&w, 8100, out, out + sizeof out) == out + 3 * PKT);
	CHECK_EQ(out[3], 0x11);                         /* PAT CC 1 */
	/* PCR 86400 + 8100 = 94500: base >> 1 = 0xb892, bit 0 0 */
	n = build("47 01 00 20 b7 10 00 00 b8 92 7e 00", 176, 0xff, "");
	CHECK_EQ(n, PKT);
	CHECK_MEM(out + 2 * PKT, want, PKT);
	/* never past the next AU's PCR (90000 + 18000 - 3600) */
	CHECK(ts_write_idle(&w, 50000, out, out + sizeof out) == out + 3 * PKT);
	CHECK_MEM(out + 2 * PKT + 6, "\x00\x00\xcb\xe8\x7e\x00", 6);   /* 104400 */
	/* and the next AU does not go back */
	au.pts = au.dts = 100000;
	au.keyframe = 0;
	CHECK(ts_write_au(&w, &au, out, out + sizeof out) != NULL);
	CHECK_EQ(w.pcr, 104400);
}

/* ---- round trips through the reader -------------------------------------- */

struct got {
	int n;
	size_t off;
	uint64_t pts[64], dts[64];
	int has_dts[64], rai[64], psi[64];
};

static void on_pes(void *opaque, const struct ts_pes *pes)
{
	struct got *g = opaque;

	CHECK(g->n < 64 && g->off + pes->size <= sizeof es);
	memcpy(es + g->off, pes->data, pes->size);
	g->off += pes->size;
	g->pts[g->n] = pes->pts;
	g->dts[g->n] = pes->has_dts ? pes->dts : pes->pts;
	g->has_dts[g->n] = pes->has_dts;
	g->rai[g->n] = pes->rai;
	g->psi[g->n] = pes->psi_before;
	g->n++;
}

/* Parameter sets go after the AUD of a keyframe that came without them;
 * an AUD the encoder wrote is kept, not doubled. */
static void t_param_sets_in_band(void)
{
	static const uint8_t sps[] = { 0x67, 0x42, 0xc0, 0x1e }, pps[] = { 0x68, 0xce, 0x3c };
	static const uint8_t with_aud[] = { 0, 0, 0, 1, 0x09, 0xf0, 0, 0, 0, 1, 0x65, 0x88 };
	static const uint8_t hevc[] = { 0, 0, 1, 0x26, 0x01, 0xaf };
	static const uint8_t vps[] = { 0x40, 0x01, 0x0c }, hsps[] = { 0x42, 0x01, 0x01 },
			     hpps[] = { 0x44, 0x01, 0xc1 };
	struct param_sets ps = { { NULL, 0 }, { sps, sizeof sps }, { pps, sizeof pps } };
	struct param_sets hps = { { vps, 3 }, { hsps, 3 }, { hpps, 3 } };
	struct ts_au au = { with_aud, sizeof with_aud, 9000, 9000, 1, &ps };
	struct ts_writer w;
	struct ts_parser p;
	struct got g = { 0 };
	uint8_t *end;
	size_t n;

	ts_writer_init(&w, CODEC_H264, 0, 3000);
	end = ts_write_au(&w, &au, out, out + sizeof out);
	au.keyframe = 0;                                /* not on a P-frame */
	au.pts = au.dts = 12000;
	end = ts_write_au(&w, &au, end, out + sizeof out);
	CHECK(end != NULL);
	ts_parser_init(&p, pesbuf, sizeof pesbuf, on_pes, &g);
	CHECK_EQ(ts_parse(&p, out, (size_t)(end - out)), (size_t)(end - out));
	ts_parse_flush(&p);
	CHECK_EQ(g.n, 2);
	n = (size_t)unit_hex("00 00 00 01 09 f0 00 00 00 01 67 42 c0 1e 00 00 00 01 68 ce 3c "
			     "00 00 00 01 65 88 00 00 00 01 09 f0 00 00 00 01 65 88", want,
			     sizeof want);
	CHECK_EQ(g.off, n);
	CHECK_MEM(es, want, n);
	CHECK(g.rai[0] && !g.rai[1] && g.psi[0]);
	CHECK_EQ(p.stream_type, TS_TYPE_H264);

	/* H.265: AUD 46 01 50 inserted, then VPS SPS PPS */
	ts_writer_init(&w, CODEC_H265, 0, 3000);
	au = (struct ts_au){ hevc, sizeof hevc, 9000, 9000, 1, &hps };
	end = ts_write_au(&w, &au, out, out + sizeof out);
	CHECK(end != NULL);
	memset(&g, 0, sizeof g);
	ts_parser_init(&p, pesbuf, sizeof pesbuf, on_pes, &g);
	ts_parse(&p, out, (size_t)(end - out));
	ts_parse_flush(&p);
	n = (size_t)unit_hex("00 00 00 01 46 01 50 00 00 00 01 40 01 0c 00 00 00 01 42 01 01 "
			     "00 00 00 01 44 01 c1 00 00 01 26 01 af", want, sizeof want);
	CHECK_EQ(g.n, 1);
	CHECK_EQ(g.off, n);
	CHECK_MEM(es, want, n);
	CHECK_EQ(p.stream_type, TS_TYPE_H265);
}

/* A 30 fps stream with B-frames (decode order I P B B ...), keyframe
 * every 30: every PES comes back with its times, PAT/PMT and PCR at most
 * 100 ms apart, no continuity error, PCR never backwards. */
static void t_stream_30fps_bframes(void)
{
	static uint8_t stream[1 << 20], pay[64][400];
	struct ts_writer w;
	struct ts_parser p;
	struct got g = { 0 };
	uint8_t *q = stream;
	int i;

	ts_writer_init(&w, CODEC_H264, 3000, 3000);
	for (i = 0; i < 60; i++) {
		/* decode order: dts = i, pts = i + 2 for anchors, i - 1 for B */
		uint64_t dts = 3000u * (uint64_t)i;
		uint64_t pts = i % 3 == 0 ? dts + 6000 : dts;
		size_t size = 50 + (size_t)(i * 37) % 350;
		struct ts_au au = { pay[i], size, pts, dts, i % 30 == 0, NULL };

		memset(pay[i], i + 1, size);
		memcpy(pay[i], "\0\0\0\1\x41", 5);
		q = ts_write_au(&w, &au, q, stream + sizeof stream);
		CHECK(q != NULL);
	}
	ts_parser_init(&p, pesbuf, sizeof pesbuf, on_pes, &g);
	ts_parse(&p, stream, (size_t)(q - stream));
	ts_parse_flush(&p);
	CHECK_EQ(g.n, 60);
	CHECK_EQ(p.st.cc_errors, 0);
	CHECK_EQ(p.st.bad_packets + p.st.bad_psi + p.st.bad_pes + p.st.overflow, 0);
	CHECK_EQ(p.st.pcr_backwards, 0);
	CHECK_EQ(p.st.pcr, 60);
	CHECK(p.st.max_pcr_gap <= 9000);
	CHECK(p.st.max_psi_gap <= 9000 && p.st.pat >= 20);
	for (i = 0; i < 60; i++) {
		CHECK_EQ(g.dts[i], 3000u * (uint64_t)i);
		CHECK_EQ(g.has_dts[i], i % 3 == 0);
		CHECK_EQ(g.rai[i], i % 30 == 0);
	}
}

/* A 5 fps stream: the PCR-only packets keep PCR and PAT/PMT within
 * 100 ms when called every 90 ms. */
static void t_stream_5fps_idle(void)
{
	static uint8_t stream[1 << 18];
	struct ts_writer w;
	struct ts_parser p;
	uint8_t *q = stream;
	int i;

	ts_writer_init(&w, CODEC_H265, 3600, 18000);
	for (i = 0; i < 20; i++) {
		struct ts_au au = { idr, sizeof idr, 18000u * (uint64_t)i + 90000,
				    18000u * (uint64_t)i + 90000, i % 10 == 0, NULL };

		q = ts_write_au(&w, &au, q, stream + sizeof stream);
		q = ts_write_idle(&w, 8100, q, stream + sizeof stream);
		q = ts_write_idle(&w, 16200, q, stream + sizeof stream);
		CHECK(q != NULL);
	}
	ts_parser_init(&p, pesbuf, sizeof pesbuf, NULL, NULL);
	ts_parse(&p, stream, (size_t)(q - stream));
	ts_parse_flush(&p);
	CHECK_EQ(p.st.pes, 20);
	CHECK_EQ(p.st.af_only, 40);
	CHECK_EQ(p.st.cc_errors + p.st.pcr_backwards, 0);
	CHECK(p.st.max_pcr_gap <= 9000);
	CHECK(p.st.max_psi_gap <= 9000);
}

/* The reader counts what is wrong: a continuity jump, a bad CRC, a lost
 * sync byte. */
static void t_reader_errors(void)
{
	struct ts_writer w;
	struct ts_au au = { idr, sizeof idr, 90000, 90000, 1, NULL };
	struct ts_parser p;
	uint8_t *end;

	ts_writer_init(&w, CODEC_H264, 3600, 3000);
	end = ts_write_au(&w, &au, out, out + sizeof out);
	au.keyframe = 0;
	end = ts_write_au(&w, &au, end, out + sizeof out);
	end = ts_write_au(&w, &au, end, out + sizeof out);
	CHECK(end == out + 5 * PKT);
	out[3 * PKT + 3] ^= 1;                          /* CC 1 -> 0 */
	out[PKT + 20] ^= 0x80;                          /* PMT CRC */
	out[4 * PKT] = 0x46;                            /* sync */
	ts_parser_init(&p, pesbuf, sizeof pesbuf, NULL, NULL);
	ts_parse(&p, out, 5 * PKT);
	CHECK_EQ(p.st.bad_psi, 1);
	CHECK_EQ(p.pid, -1);            /* no PMT: video PID unknown */
	ts_parser_init(&p, pesbuf, sizeof pesbuf, NULL, NULL);
	out[PKT + 20] ^= 0x80;
	ts_parse(&p, out, 5 * PKT);
	ts_parse_flush(&p);
	CHECK_EQ(p.st.cc_errors, 1);
	CHECK_EQ(p.st.bad_packets, 1);
	CHECK_EQ(p.st.pes, 2);
	/* a PES larger than the reader's buffer is dropped, counted */
	ts_parser_init(&p, pesbuf, 10, NULL, NULL);
	ts_parse(&p, out, 3 * PKT);
	CHECK_EQ(p.st.overflow, 1);
}

static const struct unit_case cases[] = {
	UNIT(t_crc32),
	UNIT(t_pat_pmt),
	UNIT(t_small_keyframe),
	UNIT(t_pts_dts),
	UNIT(t_stuffing_edges),
	UNIT(t_unbounded_pes),
	UNIT(t_idle),
	UNIT(t_param_sets_in_band),
	UNIT(t_stream_30fps_bframes),
	UNIT(t_stream_5fps_idle),
	UNIT(t_reader_errors),
};

UNIT_MAIN(cases)
