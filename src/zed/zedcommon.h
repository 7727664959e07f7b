/* SPDX-License-Identifier: GPL-2.0-or-later */
/* zedcommon.h - what every ZED tool shares: the option blocks and the one
 * command-line parse, signals, output names (zedcommon.c).
 *
 * No decoder or encoder here, so zed_batch_svo_to_mp4 links without
 * libavcodec.  Every tool builds its command line from the option engine
 * (config/opt.h): its own rows, then the shared blocks below, parsed and
 * listed in --help by zed_cli_parse(), so the tools read the same options
 * the same way and print the same help and error format:
 *
 *   usage: TOOL USAGE                     --help: usage, about, grouped
 *                                         rows on stdout, exit 0;
 *   TOOL: --quality: '52' is not a number in 0..51 (see --help)
 *                                         a usage error: one line on
 *                                         stderr, exit 2.
 */
#ifndef CVMMAP_ZED_ZEDCOMMON_H
#define CVMMAP_ZED_ZEDCOMMON_H

#include "codec/codec.h"
#include "codec/encoder.h"
#include "config/opt.h"

#include <signal.h>
#include <stddef.h>

/* --help sections of every ZED tool (index = struct opt.group). */
enum zed_group { ZED_G_IO, ZED_G_FRAMES, ZED_G_ENC, ZED_G_GENERAL, ZED_G_COUNT };

/* --preset of the tools (the names of the original project's tools) and
 * the x26x preset each stands for (NVENC maps those onto P1..P4). */
enum zed_preset { ZED_PRESET_FAST, ZED_PRESET_BALANCED, ZED_PRESET_QUALITY };
extern const char *const zed_preset_names[];

/* --encoder-device of the tools: no passthrough (there is no producer). */
extern const char *const zed_device_names[];

/* The shared encoder block: --codec, --encoder-device, --preset,
 * --quality. */
struct zed_enc_opts {
	int codec;              /* enum codec_id, default H.265 */
	int device;             /* index into zed_device_names (zed_encoder_device) */
	int preset;             /* enum zed_preset */
	long quality;           /* CRF (x264/x265) / CQ (NVENC) 0..51; -1 = default */
};

/* The shared frame block of zed_svo_to_mp4 and the batch tool:
 * --start-frame, --end-frame, --allow-truncated. */
struct zed_range_opts {
	long start, end;        /* inclusive, 0-based; end -1 = the last frame */
	int allow_truncated;    /* MCAP_ALLOW_TRUNCATED */
};

/* The general rows every tool has: --quiet, --help. */
struct zed_general_opts {
	int quiet, help;
};

void zed_enc_defaults(struct zed_enc_opts *o);
void zed_range_defaults(struct zed_range_opts *o);

/* Rows over the structs above, as opt_blocks. */
struct opt_block zed_enc_block(struct zed_enc_opts *o);
struct opt_block zed_range_block(struct zed_range_opts *o);

/* enum zed_preset -> enum x26x_preset. */
int zed_preset_x26x(int preset);

/* zed_enc_opts.device -> enum encoder_device. */
int zed_encoder_device(int device);

/* Append the child-process form of o ("--codec", "h265", ...) to argv
 * (room for ZED_ENC_ARGS more); returns the new count.  The values point
 * into static tables or into buf[ZED_ENC_BUF]. */
#define ZED_ENC_ARGS 8
#define ZED_ENC_BUF 24
int zed_enc_args(const struct zed_enc_opts *o, char **argv, int n, char *buf);

/* The same for a frame block (room for ZED_RANGE_ARGS more), numbers in
 * buf[ZED_RANGE_BUF]. */
#define ZED_RANGE_ARGS 5
#define ZED_RANGE_BUF 48
int zed_range_args(const struct zed_range_opts *o, char **argv, int n, char *buf);

/* One tool's command line: its blocks, positional room, --help text. */
#define ZED_MAX_BLOCKS 6
struct zed_cli {
	const char *prog;               /* base name of argv[0] (set by zed_cli_parse) */
	const char *usage;              /* after "usage: PROG " */
	const char *about;              /* lines between usage and options */
	struct opt_block blocks[ZED_MAX_BLOCKS];
	struct zed_general_opts gen;    /* --quiet, --help (always the last block) */
	struct opt_ctx ctx;
};

/* Start c; every tool adds its own block(s) and the shared ones with
 * zed_cli_add().  pos[maxpos] receives positional arguments. */
void zed_cli_init(struct zed_cli *c, const char *usage, const char *about,
		  char **pos, int maxpos);
void zed_cli_add(struct zed_cli *c, struct opt_block b);

/* Parse argv.  Returns -1 to go on; otherwise the exit status for main():
 * 0 after printing --help on stdout, EXIT_USAGE after one line
 * "PROG: WHY (see --help)" on stderr. */
int zed_cli_parse(struct zed_cli *c, int argc, char **argv);

/* A usage error found after parsing: one line "PROG: WHY" on stderr.
 * Returns EXIT_USAGE. */
int zed_cli_error(const struct zed_cli *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Parse a decimal number with a fraction for an OPT_STR row ("2", "0.25")
 * within [min, max]; 0, or EXIT_USAGE after zed_cli_error() in the option
 * engine's words. */
int zed_cli_double(const struct zed_cli *c, const char *name, const char *val,
		   double min, double max, double *out);

/* Set by SIGINT/SIGTERM (zed_catch_signals): loops stop, outputs are
 * removed. */
extern volatile sig_atomic_t zed_stop;
void zed_catch_signals(void);

/* "dir/foo.svo2" -> "dir/foo.mp4" (suffix replaced or appended).
 * 0 or -ENAMETOOLONG. */
int zed_default_output(const char *in, const char *suffix, char *out, size_t cap);

#endif
