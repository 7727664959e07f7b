/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_mcap - the MCAP reader and the SVO2 frame parser on arbitrary bytes:
 * open (scan, decompress, CRC), then fetch and parse every indexed
 * message.  Must never crash or read out of bounds. */
#include "zed/mcap.h"
#include "zed/svo2.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mcap m;
	struct svo2_frame f;
	const uint8_t *p;
	size_t n;
	uint32_t i;

	if (mcap_open_mem(&m, data, size, SVO2_TOPIC_SUFFIX, MCAP_ALLOW_TRUNCATED) == 0)
		for (i = 0; i < m.n_msgs && i < 64; i++)
			if (mcap_message(&m, i, &p, &n) == 0 && svo2_frame_parse(p, n, &f) == 0)
				svo2_detect_codec(f.au, f.au_len);
	mcap_close(&m);
	return 0;
}
