/* SPDX-License-Identifier: GPL-2.0-or-later */
/* helper_sei_scan.c - find body tracking SEI in an Annex B dump (test only).
 *
 *   helper_sei_scan h264|h265 FILE [FIRST_FRAME]
 *
 * Walks the stream NAL by NAL.  An access unit starts at a VCL NAL that is
 * the first slice of its picture (H.264 first_mb_in_slice 0, H.265
 * first_slice_segment_in_pic_flag); AU k (0-based) is taken to be frame
 * FIRST_FRAME + k (default 1: the simulator's first frame id, no drops).
 * Every SEI NAL is searched with sei_find_user_data() for the project UUID
 * (docs/sei.md); its payload must parse with body_parse(), and the AU that
 * follows it is the one it rides on.  Prints one line per carried packet
 * ("au K frame F body_frame B") and then
 *   aus=N sei=N parsed=N bad=N min_lag=N max_lag=N
 * where lag = AU frame - body frame_count (0: attached to its own frame,
 * > 0: to a later AU).  Exit 0, 2 usage, 5 unreadable file.
 */
#include "codec/nal.h"
#include "codec/sei.h"
#include "core/control.h"
#include "nats/body.h"
#include "util/exitcodes.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCRATCH (256 * 1024)

static const uint8_t uuid[16] = CVMMAP_BODY_SEI_UUID;

static int first_slice(int codec, const struct nal *u)
{
	if (!nal_is_vcl(codec, u))
		return 0;
	return codec == 0 ? u->n > 1 && (u->p[1] & 0x80) : u->n > 2 && (u->p[2] & 0x80);
}

int main(int argc, char **argv)
{
	static uint8_t scratch[SCRATCH];
	long first = argc > 3 ? strtol(argv[3], NULL, 10) : 1;
	long aus = 0, sei = 0, parsed = 0, bad = 0, pending = -1;
	long min_lag = LONG_MAX, max_lag = LONG_MIN;
	const uint8_t *p, *end;
	uint8_t *buf;
	struct nal u;
	size_t n;
	FILE *f;
	int codec;

	if (argc < 3 || (strcmp(argv[1], "h264") && strcmp(argv[1], "h265"))) {
		fprintf(stderr, "usage: helper_sei_scan h264|h265 FILE [FIRST_FRAME]\n");
		return EXIT_USAGE;
	}
	codec = !strcmp(argv[1], "h265");
	f = fopen(argv[2], "rb");
	buf = malloc(64u << 20);
	if (!f || !buf) {
		perror(argv[2]);
		return EXIT_INIT;
	}
	n = fread(buf, 1, 64u << 20, f);
	fclose(f);
	p = buf;
	end = buf + n;
	while ((p = annexb_next(p, end, &u)) != NULL) {
		const uint8_t *pl;
		size_t len;
		struct body_view v;

		if (first_slice(codec, &u)) {
			if (pending >= 0) {
				long frame = first + aus, lag = frame - pending;

				printf("au %ld frame %ld body_frame %ld\n", aus, frame, pending);
				if (lag < min_lag)
					min_lag = lag;
				if (lag > max_lag)
					max_lag = lag;
				pending = -1;
			}
			aus++;
			continue;
		}
		if (nal_type(codec, &u) != (codec ? H265_NAL_SEI_PREFIX : H264_NAL_SEI))
			continue;
		if (sei_find_user_data(codec, &u, uuid, &pl, &len, scratch, sizeof scratch))
			continue;
		sei++;
		if (body_parse(pl, len, &v) != BODY_OK || v.packet_size != len) {
			bad++;
			continue;
		}
		parsed++;
		if (pending >= 0)
			bad++;                  /* two packets before one AU */
		pending = (long)v.frame_count;
	}
	if (pending >= 0)
		bad++;                          /* SEI with no AU behind it */
	if (!parsed)
		min_lag = max_lag = 0;
	printf("aus=%ld sei=%ld parsed=%ld bad=%ld min_lag=%ld max_lag=%ld\n",
	       aus, sei, parsed, bad, min_lag, max_lag);
	free(buf);
	return EXIT_OK;
}
