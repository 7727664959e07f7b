/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_annexb.c - Annex B scanning and everything built from an AU.
 *
 * Byte 0 picks the codec; the rest is an access unit.  Runs the scanner,
 * the length-prefix rewrite, parameter-set extraction, both records, SEI
 * insertion and lookup, and checks that unescape(escape(x)) == x.
 */
#include "codec/nal.h"
#include "codec/paramsets.h"
#include "codec/sei.h"

#include <stdlib.h>
#include <string.h>

#define MAX_IN 65536

static uint8_t big[2 * MAX_IN + 64], esc[2 * MAX_IN + 64], rbsp[MAX_IN + 64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t uuid[16] = { 0xc7, 0x4d, 0x4d, 0x41 };
	const uint8_t *au, *p, *end;
	uint8_t rec[1024], sei[SEI_NAL_MAX(8)];
	struct param_sets ps;
	struct nal u;
	size_t n, e, r;
	int codec, lp, sn;

	if (size < 1 || size > MAX_IN)
		return 0;
	codec = data[0] & 1;
	au = data + 1;
	n = size - 1;
	end = au + n;

	for (p = au; (p = annexb_next(p, end, &u)) != NULL;) {
		const uint8_t *pl;
		size_t len;

		if (u.p < au || u.p + u.n > end)
			abort();
		nal_is_keyframe(codec, &u);
		nal_is_aud(&u);
		sei_find_user_data(codec, &u, uuid, &pl, &len, rbsp, sizeof rbsp);
	}
	lp = annexb_to_lp(au, n, data[0] >> 1 & 1 ? LP_DROP_AUD : 0, big, sizeof big);
	if (lp >= 0)
		for (p = big; (p = lp_next(p, big + lp, &u)) != NULL;)
			;
	annexb_to_lp(au, n, 0, big, n / 2);           /* -ENOSPC path */

	if (paramsets_extract(codec, au, n, &ps) >= 0 || ps.sps.n) {
		struct sps_info si;

		sps_parse(codec, &ps.sps, &si);
		if (codec)
			hvcc_build(&ps, rec, data[0] & 2 ? 40 : sizeof rec);
		else
			avcc_build(&ps, rec, data[0] & 2 ? 12 : sizeof rec);
	}

	sn = sei_build_user_data(codec, uuid, au, n < 8 ? n : 8, sei, sizeof sei);
	if (sn > 0)
		annexb_insert_sei(codec, au, n, sei, (size_t)sn, big, sizeof big);

	e = nal_escape(au, n, esc, sizeof esc);
	if (e == (size_t)-1)
		abort();
	r = nal_unescape(esc, e, rbsp, sizeof rbsp);
	if (r != n || memcmp(rbsp, au, n))
		abort();
	return 0;
}
