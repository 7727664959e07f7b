/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ingest_consumer - test helper: consume a cvmmap_sim through ingest and
 * prove every delivered frame is intact.
 *
 *   ingest_consumer TARGET [--frames N] [--timeout-ms MS] [--format F]
 *                   [--min-torn N] [--min-resets N] [--max-gap-ms MS]
 *                   [--expect-au h264|h265] [--dump-au FILE]
 *
 * Each LEFT plane must hold the simulator's pattern for its frame_id
 * (ipc/pattern.h), so a torn frame that slipped through fails the run.
 * With an AU, its keyframe flag must agree with the NAL types.  Prints one
 * "consumer:" counter line; exit 0 when every expectation held, 1 when
 * not, 2 on usage errors, 124 when fewer than N frames arrived in time.
 */
#define _GNU_SOURCE
#include "codec/nal.h"
#include "ipc/cvmmap_meta.h"
#include "ipc/ingest.h"
#include "ipc/pattern.h"
#include "ipc/target.h"
#include "util/clock.h"
#include "util/exitcodes.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "frames", 1, 0, 'n' }, { "timeout-ms", 1, 0, 't' },
		{ "format", 1, 0, 'f' }, { "min-torn", 1, 0, 'T' },
		{ "min-resets", 1, 0, 'R' }, { "max-gap-ms", 1, 0, 'g' },
		{ "expect-au", 1, 0, 'a' }, { "dump-au", 1, 0, 'd' },
		{ 0, 0, 0, 0 }
	};
	static const char *const fmts[] = { "rgb", "bgr", "rgba", "bgra", "gray", "yuv", "yuyv" };
	long frames = 30, timeout_ms = 20000, min_torn = 0, min_resets = 0, max_gap = 0;
	int want_fmt = -1, want_au = 0, c, i, fails = 0;
	const char *dump = NULL;
	struct cvmmap_target tg;
	struct ingest_cfg cfg;
	struct ingest *in;
	struct frame_slot s;
	struct ingest_stats st;
	char err[160];
	FILE *df = NULL;
	long got = 0, bad = 0, badkey = 0, resets = 0, suspect = 0;
	int dumping = 0, jumped;
	uint32_t last_id = 0;
	uint64_t deadline, last_mono = 0, gap, worst_gap = 0;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'n': frames = atol(optarg); break;
		case 't': timeout_ms = atol(optarg); break;
		case 'f':
			for (i = 0; i < 7 && strcmp(optarg, fmts[i]); i++)
				;
			if (i == 7)
				return EXIT_USAGE;
			want_fmt = i;
			break;
		case 'T': min_torn = atol(optarg); break;
		case 'R': min_resets = atol(optarg); break;
		case 'g': max_gap = atol(optarg); break;
		case 'a': want_au = strcmp(optarg, "h265") ? AU_CODEC_H264 : AU_CODEC_H265; break;
		case 'd': dump = optarg; break;
		default: return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc || cvmmap_target_resolve(argv[optind], &tg, err, sizeof err)) {
		fprintf(stderr, "ingest_consumer: %s\n", optind < argc ? err : "TARGET missing");
		return EXIT_USAGE;
	}
	if (dump && !(df = fopen(dump, "wb")))
		return EXIT_USAGE;
	memset(&cfg, 0, sizeof cfg);
	cfg.shm_name = tg.shm_name;
	cfg.zmq_endpoint = tg.zmq_endpoint;
	cfg.label = tg.label;
	if (ingest_open(&in, &cfg) < 0 ||
	    frame_slot_alloc(&s, (size_t)CONFIG_MAX_WIDTH * CONFIG_MAX_HEIGHT * 4,
			     (size_t)CONFIG_MAX_AU_KIB * 1024) < 0)
		return EXIT_INIT;

	deadline = clock_mono_ns() + (uint64_t)timeout_ms * 1000000u;
	/* --min-torn keeps consuming (until the timeout) until the fault was
	 * actually hit: how often a copy overlaps a rewrite is timing luck */
	while ((got < frames || (ingest_get_stats(in, &st), (long)st.torn < min_torn)) &&
	       clock_mono_ns() < deadline) {
		int r = ingest_next(in, 200, &s);

		if (r < 0)
			break;
		if (r == 0)
			continue;
		got++;
		if (last_mono) {
			gap = s.sync_mono_ns - last_mono;
			if (gap > worst_gap)
				worst_gap = gap;
		}
		last_mono = s.sync_mono_ns;
		resets += s.reset;
		jumped = got > 1 && s.frame_id != last_id + 1;
		last_id = s.frame_id;
		suspect += s.suspect;
		if (cvmmap_pattern_check((unsigned)s.pixel_format, s.pix, s.width, s.height,
					 s.stride, s.frame_id)) {
			bad++;
			printf("BAD frame %u: pixels are not this frame's pattern%s\n",
			       s.frame_id, s.suspect ? " (suspect)" : "");
		}
		if (want_fmt >= 0 && s.pixel_format != want_fmt) {
			bad++;
			printf("BAD frame %u: pixel format %d\n", s.frame_id, s.pixel_format);
		}
		if (want_au) {
			if (s.au_codec != want_au || !s.au_size ||
			    s.au_keyframe != annexb_is_keyframe(want_au - 1, s.au, s.au_size)) {
				badkey++;
				printf("BAD frame %u: AU codec %d size %zu keyframe flag %d\n",
				       s.frame_id, s.au_codec, s.au_size, s.au_keyframe);
			}
			/* like the streamer: after a gap, resume at a keyframe */
			if (jumped)
				dumping = 0;
			if (s.au_keyframe)
				dumping = 1;
			if (df && dumping)
				fwrite(s.au, 1, s.au_size, df);
		}
	}
	ingest_get_stats(in, &st);
	printf("consumer: delivered %ld bad %ld badkey %ld resets %ld suspect %ld "
	       "torn %" PRIu64 " late %" PRIu64 " rejected %" PRIu64 " skipped %" PRIu64
	       " reattached %" PRIu64 " max_gap_ms %" PRIu64 "\n",
	       got, bad, badkey, resets, suspect, st.torn, st.late, st.rejected,
	       st.skipped, st.reattached, worst_gap / 1000000u);
	if (df)
		fclose(df);
	frame_slot_free(&s);
	ingest_close(in);
	if (got < frames)
		return EXIT_TIMEOUT;
	if (bad || badkey)
		fails++;
	if ((long)st.torn < min_torn) {
		printf("FAIL: torn %" PRIu64 " < %ld\n", st.torn, min_torn);
		fails++;
	}
	if (resets < min_resets) {
		printf("FAIL: resets %ld < %ld\n", resets, min_resets);
		fails++;
	}
	if (max_gap && worst_gap / 1000000u > (uint64_t)max_gap) {
		printf("FAIL: gap %" PRIu64 " ms > %ld ms\n", worst_gap / 1000000u, max_gap);
		fails++;
	}
	return fails ? 1 : 0;
}
