/* SPDX-License-Identifier: GPL-2.0-or-later */
/* zedcommon.c - option blocks, the command-line parse, signals and names
 * shared by the ZED tools (zedcommon.h). */
#include "zed/zedcommon.h"
#include "util/exitcodes.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

volatile sig_atomic_t zed_stop;

static void on_signal(int sig)
{
	(void)sig;
	zed_stop = 1;
}

void zed_catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* ---- shared option blocks --------------------------------------------- */

static const char *const zed_groups[ZED_G_COUNT] = {
	"Input and output", "Frames", "Encoder", "General",
};

/* The original project's names; each stands for one x26x preset. */
const char *const zed_preset_names[] = { "fast", "balanced", "quality", NULL };
const char *const zed_device_names[] = { "auto", "nvenc", "software", "hw", NULL };

int zed_preset_x26x(int preset)
{
	static const int map[] = { PRESET_VERYFAST, PRESET_FAST, PRESET_SLOW };

	return preset >= 0 && preset <= ZED_PRESET_QUALITY ? map[preset] : PRESET_FAST;
}

int zed_encoder_device(int device)
{
	static const int map[] = { ENCDEV_AUTO, ENCDEV_NVENC, ENCDEV_SOFTWARE, ENCDEV_HW };

	return device >= 0 && device < (int)(sizeof(map) / sizeof(map[0])) ? map[device]
									   : ENCDEV_AUTO;
}

#define EOFF(f) OPT_OFF(struct zed_enc_opts, f)
static const struct opt enc_rows[] = {
	{ "codec", OPT_CHOICE, ZED_G_ENC, 0, EOFF(codec), 0, 0, codec_names, "h264|h265",
	  "output codec (default h265)", NULL, NULL },
	{ "encoder-device", OPT_CHOICE, ZED_G_ENC, 0, EOFF(device), 0, 0, zed_device_names, "DEV",
	  "auto (default: a hardware encoder if one opens, else x264/x265,\n"
	  "                                 logged once), hw, nvenc or software", NULL, NULL },
	{ "preset", OPT_CHOICE, ZED_G_ENC, 0, EOFF(preset), 0, 0, zed_preset_names, "NAME",
	  "fast, balanced (default) or quality: x264/x265 veryfast,\n"
	  "                                 fast or slow (NVENC maps those onto P1..P4)", NULL, NULL },
	{ "quality", OPT_LONG, ZED_G_ENC, 0, EOFF(quality), 0, 51, NULL, "N",
	  "CRF (x264/x265) or CQ (NVENC), lower is better\n"
	  "                                 (default: the encoder's)", NULL, NULL },
};

#define ROFF(f) OPT_OFF(struct zed_range_opts, f)
static const struct opt range_rows[] = {
	{ "start-frame", OPT_LONG, ZED_G_FRAMES, 0, ROFF(start), 0, INT_MAX, NULL, "A",
	  "first frame, 0-based (default 0)", NULL, NULL },
	{ "end-frame", OPT_LONG, ZED_G_FRAMES, 0, ROFF(end), 0, INT_MAX, NULL, "B",
	  "last frame, inclusive (default: the last)", NULL, NULL },
	{ "allow-truncated", OPT_FLAG, ZED_G_FRAMES, 0, ROFF(allow_truncated), 0, 0, NULL, NULL,
	  "convert the complete frames of a cut recording", NULL, NULL },
};

#define GOFF(f) OPT_OFF(struct zed_general_opts, f)
static const struct opt general_rows[] = {
	{ "quiet", OPT_FLAG, ZED_G_GENERAL, 0, GOFF(quiet), 0, 0, NULL, NULL,
	  "no progress, only warnings and errors", NULL, NULL },
	{ "help", OPT_FLAG, ZED_G_GENERAL, 0, GOFF(help), 0, 0, NULL, NULL,
	  "show this help", NULL, NULL },
};

#define NROWS(r) (sizeof(r) / sizeof((r)[0]))

void zed_enc_defaults(struct zed_enc_opts *o)
{
	o->codec = CODEC_H265;
	o->device = 0;                  /* auto */
	o->preset = ZED_PRESET_BALANCED;
	o->quality = -1;
}

void zed_range_defaults(struct zed_range_opts *o)
{
	o->start = 0;
	o->end = -1;
	o->allow_truncated = 0;
}

struct opt_block zed_enc_block(struct zed_enc_opts *o)
{
	struct opt_block b = { enc_rows, NROWS(enc_rows), o };

	return b;
}

struct opt_block zed_range_block(struct zed_range_opts *o)
{
	struct opt_block b = { range_rows, NROWS(range_rows), o };

	return b;
}

int zed_enc_args(const struct zed_enc_opts *o, char **argv, int n, char *buf)
{
	argv[n++] = "--codec";
	argv[n++] = (char *)codec_names[o->codec];
	argv[n++] = "--encoder-device";
	argv[n++] = (char *)zed_device_names[o->device];
	argv[n++] = "--preset";
	argv[n++] = (char *)zed_preset_names[o->preset];
	if (o->quality >= 0) {
		snprintf(buf, ZED_ENC_BUF, "%ld", o->quality);
		argv[n++] = "--quality";
		argv[n++] = buf;
	}
	return n;
}

int zed_range_args(const struct zed_range_opts *o, char **argv, int n, char *buf)
{
	char *end = buf + ZED_RANGE_BUF / 2;

	snprintf(buf, ZED_RANGE_BUF / 2, "%ld", o->start);
	argv[n++] = "--start-frame";
	argv[n++] = buf;
	if (o->end >= 0) {
		snprintf(end, ZED_RANGE_BUF / 2, "%ld", o->end);
		argv[n++] = "--end-frame";
		argv[n++] = end;
	}
	if (o->allow_truncated)
		argv[n++] = "--allow-truncated";
	return n;
}

/* ---- the command line --------------------------------------------------- */

static struct opt_block general_block(struct zed_general_opts *g)
{
	struct opt_block b = { general_rows, NROWS(general_rows), g };

	return b;
}

void zed_cli_init(struct zed_cli *c, const char *usage, const char *about,
		  char **pos, int maxpos)
{
	memset(c, 0, sizeof(*c));
	c->prog = "zed";
	c->usage = usage;
	c->about = about;
	c->ctx.blocks = c->blocks;
	c->ctx.groups = zed_groups;
	c->ctx.ngroups = ZED_G_COUNT;
	c->ctx.pos = pos;
	c->ctx.maxpos = maxpos;
}

void zed_cli_add(struct zed_cli *c, struct opt_block b)
{
	/* The last slot is kept for the general block. */
	if (c->ctx.nblocks < ZED_MAX_BLOCKS - 1)
		c->blocks[c->ctx.nblocks++] = b;
}

int zed_cli_parse(struct zed_cli *c, int argc, char **argv)
{
	const char *slash = argc > 0 && argv[0] ? strrchr(argv[0], '/') : NULL;

	if (argc > 0 && argv[0])
		c->prog = slash ? slash + 1 : argv[0];
	c->blocks[c->ctx.nblocks++] = general_block(&c->gen);
	if (opt_parse(&c->ctx, argc, argv)) {
		fprintf(stderr, "%s: %s%s\n", c->prog, c->ctx.err,
			strstr(c->ctx.err, "--help") ? "" : " (see --help)");
		return EXIT_USAGE;
	}
	if (c->gen.help) {
		printf("usage: %s %s\n%s\n", c->prog, c->usage, c->about);
		opt_help(&c->ctx, stdout);
		return 0;
	}
	return -1;
}

int zed_cli_error(const struct zed_cli *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: %s (see --help)\n", c->prog, msg);
	return EXIT_USAGE;
}

int zed_cli_double(const struct zed_cli *c, const char *name, const char *val,
		   double min, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(val, &end);
	if (errno || end == val || *end || !(v >= min && v <= max))
		return zed_cli_error(c, "--%s: '%s' is not a number in %g..%g", name, val, min, max);
	*out = v;
	return 0;
}

int zed_default_output(const char *in, const char *suffix, char *out, size_t cap)
{
	const char *slash = strrchr(in, '/');
	const char *dot = strrchr(in, '.');
	size_t stem = dot && (!slash || dot > slash + 1) ? (size_t)(dot - in) : strlen(in);
	int r = snprintf(out, cap, "%.*s%s", (int)stem, in, suffix);

	return r > 0 && (size_t)r < cap ? 0 : -ENAMETOOLONG;
}
