/* SPDX-License-Identifier: GPL-2.0-or-later */
/* zed_svo_to_mp4 - convert a ZED SVO2 recording to MP4 without the ZED SDK.
 *
 * Left view (the left half of the side-by-side stream, unrectified,
 * re-encoded) or, with --copy, the whole side-by-side stream remuxed.
 */
#include "util/exitcodes.h"
#include "util/log.h"
#include "zed/convert.h"
#include "zed/zedcommon.h"

#include <string.h>

#define OFF(f) OPT_OFF(struct zed_convert_opts, f)
static const struct opt rows[] = {
	{ "input", OPT_STR, ZED_G_IO, 0, OFF(input), 0, 0, NULL, "FILE",
	  "SVO2 recording (required)", NULL, NULL },
	{ "output", OPT_STR, ZED_G_IO, 0, OFF(output), 0, 0, NULL, "FILE",
	  "MP4 to write (default: the input with .mp4)", NULL, NULL },
	{ "copy", OPT_FLAG, ZED_G_IO, 0, OFF(copy), 0, 0, NULL, NULL,
	  "remux the full side-by-side stream, no re-encoding (starts at the\n"
	  "                                 keyframe at or before --start-frame)", NULL, NULL },
};

static const char about[] =
	"Convert a ZED SVO2 recording (MCAP, H.264/H.265 mode) to MP4 without the ZED SDK.\n"
	"Default: the left view (left half, unrectified), re-encoded; F.mp4 beside F.svo2.\n"
	"LOSSLESS-mode SVO2 and SVO v1 (.svo, ZED SDK < 4.1) recordings are refused.\n";

int main(int argc, char **argv)
{
	struct zed_convert_opts o;
	struct zed_cli cli;
	int rc;

	memset(&o, 0, sizeof(o));
	zed_enc_defaults(&o.enc);
	zed_range_defaults(&o.range);
	zed_cli_init(&cli, "--input F.svo2 [--output F.mp4] [options]", about, NULL, 0);
	zed_cli_add(&cli, (struct opt_block){ rows, sizeof(rows) / sizeof(rows[0]), &o });
	zed_cli_add(&cli, zed_range_block(&o.range));
	zed_cli_add(&cli, zed_enc_block(&o.enc));
	if ((rc = zed_cli_parse(&cli, argc, argv)) >= 0)
		return rc;
	if (!o.input)
		return zed_cli_error(&cli, "--input is required");
	if (o.range.end >= 0 && o.range.end < o.range.start)
		return zed_cli_error(&cli, "--end-frame %ld is before --start-frame %ld",
				     o.range.end, o.range.start);
	o.quiet = cli.gen.quiet;
	if (o.quiet)
		log_set_level(LOG_WARN);
	zed_catch_signals();
	return zed_convert(&o);
}
