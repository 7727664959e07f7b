/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_flv.c - FLV video tag parsing and the record / length-prefixed
 * conversions back to Annex B (the stub's dump path). */
#include "proto/flv.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[65536];
	struct flv_video v;
	int n;

	if (flv_video_parse(data, size, &v) == 0) {
		if (v.body < data || v.body + v.len != data + size)
			abort();
		n = flv_record_to_annexb(0, v.body, v.len, out, sizeof out);
		n = flv_record_to_annexb(1, v.body, v.len, out, sizeof out);
		n = flv_lp_to_annexb(v.body, v.len, out, sizeof out);
		if (n > (int)sizeof out)
			abort();
	}
	return 0;
}
