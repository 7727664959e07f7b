/* SPDX-License-Identifier: GPL-2.0-or-later */
/* helper_records.c - print our avcC/hvcC and SPS fields for an Annex B file.
 *
 *   helper_records h264|h265 FILE
 *
 * Test-only (suite codec_records compares the output with what FFmpeg
 * writes into MP4).  Uses the parameter sets of the first AU that has them
 * all.  Output, one "key=value" per line:
 *   width= height= profile= level= chroma= depth_luma= depth_chroma=
 *   sub_layers= record=<hex>
 */
#include "codec/paramsets.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static uint8_t file[1 << 20];

int main(int argc, char **argv)
{
	uint8_t rec[4096];
	struct param_sets ps;
	struct sps_info si;
	size_t n;
	FILE *f;
	int codec, len, i;

	if (argc != 3 || (strcmp(argv[1], "h264") && strcmp(argv[1], "h265"))) {
		fprintf(stderr, "usage: helper_records h264|h265 FILE\n");
		return 2;
	}
	codec = !strcmp(argv[1], "h265");
	if (!(f = fopen(argv[2], "rb"))) {
		fprintf(stderr, "helper_records: %s: %s\n", argv[2], strerror(errno));
		return 2;
	}
	n = fread(file, 1, sizeof file, f);
	fclose(f);
	if (paramsets_extract(codec, file, n, &ps) < 0 ||
	    sps_parse(codec, &ps.sps, &si) < 0) {
		fprintf(stderr, "helper_records: %s: no usable parameter sets\n", argv[2]);
		return 7;
	}
	len = codec ? hvcc_build(&ps, rec, sizeof rec) : avcc_build(&ps, rec, sizeof rec);
	if (len < 0) {
		fprintf(stderr, "helper_records: record: %s\n", strerror(-len));
		return 7;
	}
	printf("width=%u\nheight=%u\nprofile=%u\nlevel=%u\nchroma=%u\n"
	       "depth_luma=%u\ndepth_chroma=%u\nsub_layers=%u\nrecord=",
	       si.width, si.height, si.profile_idc, si.level_idc, si.chroma_format_idc,
	       si.bit_depth_luma, si.bit_depth_chroma, si.max_sub_layers);
	for (i = 0; i < len; i++)
		printf("%02x", rec[i]);
	printf("\n");
	return 0;
}
