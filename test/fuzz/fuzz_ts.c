/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_ts.c - the MPEG-TS reader on any bytes, and the writer -> reader
 * round trip: the input as one access unit (its first byte picks the
 * codec, keyframe and B-frame timing) must come back byte for byte after
 * the AUD the writer puts first, with its PTS/DTS and no continuity,
 * CRC or PCR complaint. */
#include "proto/ts.h"
#include "proto/ts_parse.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct rt {
	const uint8_t *want;
	size_t n;
	uint64_t pts, dts;
	int got;
};

static void on_pes(void *opaque, const struct ts_pes *pes)
{
	struct rt *r = opaque;

	if (r->got++ || pes->size < r->n || memcmp(pes->data + pes->size - r->n, r->want, r->n) ||
	    !pes->has_pts || pes->pts != (r->pts & TS_TIME_MASK) ||
	    (pes->has_dts ? pes->dts : pes->pts) != (r->dts & TS_TIME_MASK))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t ts[(1 << 16) + 8 * 188], pes[1 << 16];
	struct ts_parser p;
	struct ts_writer w;
	struct ts_au au;
	struct rt r;
	uint8_t *end;
	size_t n;

	/* 1. the reader on the raw bytes, with a small and a large buffer */
	ts_parser_init(&p, pes, 300, NULL, NULL);
	ts_parse(&p, data, size);
	ts_parse_flush(&p);
	ts_parser_init(&p, pes, sizeof pes, NULL, NULL);
	ts_parse(&p, data, size);
	ts_parse_flush(&p);

	/* 2. writer -> reader; an AU that starts with a start code and no AUD */
	if (size < 6 || size > (1 << 15) || data[1] || data[2] || data[3] != 1)
		return 0;
	memset(&au, 0, sizeof au);
	au.data = data + 1;
	au.size = size - 1;
	au.keyframe = data[0] & 1;
	au.dts = (uint64_t)data[0] << 27;
	au.pts = au.dts + (data[0] & 2 ? 6000 : 0);
	ts_writer_init(&w, data[0] >> 7, 3000, 3000);
	if (data[0] >> 7 ? (data[4] >> 1 & 0x3f) == 35 : (data[4] & 0x1f) == 9)
		return 0;       /* an AUD of its own: kept, not compared */
	n = ts_au_size(&w, &au);
	if (!n)
		return 0;       /* no NAL unit in it: refused */
	end = ts_write_au(&w, &au, ts, ts + sizeof ts);
	if (!end || (size_t)(end - ts) != n || n % 188 || n > ts_au_bound(au.size, 0))
		abort();
	memset(&r, 0, sizeof r);
	r.want = au.data;
	r.n = au.size;
	r.pts = au.pts;
	r.dts = au.dts;
	ts_parser_init(&p, pes, sizeof pes, on_pes, &r);
	ts_parse(&p, ts, (size_t)(end - ts));
	ts_parse_flush(&p);
	if (r.got != 1 || p.st.cc_errors || p.st.bad_packets || p.st.bad_psi || p.st.bad_pes ||
	    p.st.pat != 1 || p.st.pmt != 1 || p.st.pcr != 1)
		abort();
	return 0;
}
