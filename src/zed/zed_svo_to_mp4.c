/* SPDX-License-Identifier: GPL-2.0-or-later */
/* zed_svo_to_mp4 - convert a ZED SVO2 recording to MP4 without the ZED SDK.
 *
 * Left view (the left half of the side-by-side stream, unrectified,
 * re-encoded) or, with --copy, the whole side-by-side stream remuxed.
 */
#include "config/opts.h"
#include "util/exitcodes.h"
#include "util/log.h"
#include "zed/convert.h"
#include "zed/mcap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f, const char *prog)
{
	fprintf(f,
		"usage: %s --input F.svo2 [--output F.mp4] [options]\n"
		"Convert a ZED SVO2 recording (MCAP, H.264/H.265 mode) to MP4 without the ZED SDK.\n"
		"Default: the left view (left half, unrectified), re-encoded; output F.mp4 beside F.svo2.\n"
		"  --input FILE             SVO2 recording (required)\n"
		"  --output FILE            MP4 to write (default: input with .mp4)\n", prog);
	zed_enc_help(f);
	fprintf(f,
		"  --copy                   remux the full side-by-side stream, no re-encoding\n"
		"                           (starts at the keyframe at or before --start-frame)\n"
		"  --start-frame A          first frame (0-based, default 0)\n"
		"  --end-frame B            last frame, inclusive (default: the last)\n"
		"  --allow-truncated        convert the complete frames of a cut recording\n"
		"  --quiet                  no progress, warnings and errors only\n"
		"  --help\n"
		"LOSSLESS-mode SVO2 and old .svo (v1) files are refused.\n");
}

static int parse_frame(const char *v, long *out)
{
	char *end;
	long n = strtol(v, &end, 10);

	if (!*v || *end || n < 0)
		return -1;
	*out = n;
	return 0;
}

int main(int argc, char **argv)
{
	struct zed_convert_opts o;
	char err[160];
	int i;

	memset(&o, 0, sizeof(o));
	zed_enc_defaults(&o.enc);
	o.end = -1;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = NULL;
		char name[64];
		const char *eq = strchr(a, '=');
		int r;

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout, argv[0]);
			return 0;
		}
		if (strcmp(a, "--copy") == 0) {
			o.copy = 1;
			continue;
		}
		if (strcmp(a, "--quiet") == 0) {
			o.quiet = 1;
			continue;
		}
		if (strcmp(a, "--allow-truncated") == 0) {
			o.flags |= MCAP_ALLOW_TRUNCATED;
			continue;
		}
		/* --name value or --name=value */
		if (strncmp(a, "--", 2) == 0 && eq && (size_t)(eq - a) < sizeof(name)) {
			memcpy(name, a, (size_t)(eq - a));
			name[eq - a] = 0;
			v = eq + 1;
		} else if (strlen(a) < sizeof(name)) {
			strcpy(name, a);
			if (i + 1 < argc)
				v = argv[++i];
		} else {
			name[0] = 0;
		}
		if (!v) {
			fprintf(stderr, "%s: unknown option or missing value: %s (try --help)\n", argv[0], a);
			return EXIT_USAGE;
		}
		r = zed_enc_option(&o.enc, name, v, err, sizeof(err));
		if (r < 0) {
			fprintf(stderr, "%s: %s\n", argv[0], err);
			return EXIT_USAGE;
		}
		if (r)
			continue;
		if (strcmp(name, "--input") == 0)
			o.input = v;
		else if (strcmp(name, "--output") == 0)
			o.output = v;
		else if (strcmp(name, "--start-frame") == 0 && parse_frame(v, &o.start) == 0)
			;
		else if (strcmp(name, "--end-frame") == 0 && parse_frame(v, &o.end) == 0)
			;
		else {
			fprintf(stderr, "%s: unknown option or bad value: %s %s (try --help)\n",
				argv[0], name, v);
			return EXIT_USAGE;
		}
	}
	if (!o.input) {
		fprintf(stderr, "%s: --input is required (try --help)\n", argv[0]);
		return EXIT_USAGE;
	}
	if (o.end >= 0 && o.end < o.start) {
		fprintf(stderr, "%s: --end-frame %ld is before --start-frame %ld\n", argv[0], o.end, o.start);
		return EXIT_USAGE;
	}
	if (o.quiet)
		log_set_level(LOG_WARN);
	zed_catch_signals();
	return zed_convert(&o);
}
