/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_sps.c - sps_parse for both codecs over arbitrary NAL bytes.
 *
 * Byte 0 picks the codec; the rest is one SPS NAL (header included).  The
 * header is forced to the SPS type so the parser proper is reached.
 */
#include "codec/paramsets.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[4096];
	struct sps_info si;
	struct nal u;
	int codec;

	if (size < 2 || size - 1 > sizeof buf)
		return 0;
	codec = data[0] & 1;
	memcpy(buf, data + 1, size - 1);
	if (codec)
		buf[0] = (uint8_t)(H265_NAL_SPS << 1);
	else
		buf[0] = (uint8_t)(0x60 | H264_NAL_SPS);
	u.p = buf;
	u.n = size - 1;
	if (sps_parse(codec, &u, &si) == 0) {
		/* A successful parse always yields a picture. */
		if (!si.width || !si.height || si.chroma_format_idc > 3 ||
		    si.bit_depth_luma < 8 || si.bit_depth_chroma < 8)
			abort();
	}
	return 0;
}
