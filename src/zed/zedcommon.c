/* SPDX-License-Identifier: GPL-2.0-or-later */
/* zedcommon.c - options, signals and names shared by the ZED tools
 * (convert.h); no decoder or encoder here, so the batch tool links without
 * libavcodec. */
#include "config/opts.h"
#include "zed/convert.h"

#include <errno.h>
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

/* ---- encoder options -------------------------------------------------- */

static const char *const zed_preset_names[] = { "fast", "balanced", "quality", NULL };
/* What each --preset means for x264/x265 (NVENC maps these onto P1..P4). */
int zed_preset_x26x(int preset)
{
	static const int map[] = { PRESET_VERYFAST, PRESET_FAST, PRESET_SLOW };

	return preset >= 0 && preset <= ZED_PRESET_QUALITY ? map[preset] : PRESET_FAST;
}

void zed_enc_defaults(struct zed_enc_opts *o)
{
	o->codec = CODEC_H265;
	o->device = ENCDEV_AUTO;
	o->preset = ZED_PRESET_BALANCED;
	o->quality = -1;
}

static int pick(const char *const *names, int n, const char *val)
{
	int i;

	for (i = 0; i < n && names[i]; i++)
		if (strcmp(names[i], val) == 0)
			return i;
	return -1;
}

int zed_enc_option(struct zed_enc_opts *o, const char *name, const char *val,
		   char *err, size_t errlen)
{
	char *end;
	long q;
	int v;

	if (strcmp(name, "--codec") == 0) {
		if ((v = pick(codec_names, 2, val)) < 0)
			goto bad;
		o->codec = v;
	} else if (strcmp(name, "--encoder-device") == 0) {
		/* auto, nvenc, software: passthrough makes no sense here. */
		if ((v = pick(encoder_device_names, 3, val)) < 0)
			goto bad;
		o->device = v;
	} else if (strcmp(name, "--preset") == 0) {
		if ((v = pick(zed_preset_names, 3, val)) < 0)
			goto bad;
		o->preset = v;
	} else if (strcmp(name, "--quality") == 0) {
		q = strtol(val, &end, 10);
		if (*val == 0 || *end || q < 0 || q > 51)
			goto bad;
		o->quality = (int)q;
	} else {
		return 0;
	}
	return 1;
bad:
	snprintf(err, errlen, "invalid value '%s' for %s", val, name);
	return -1;
}

void zed_enc_help(FILE *f)
{
	fprintf(f,
		"  --codec h264|h265        output codec (default h265)\n"
		"  --encoder-device DEV     auto (NVENC, else x264/x265; default), nvenc, software\n"
		"  --preset NAME            fast|balanced|quality (x26x veryfast|fast|slow; default balanced)\n"
		"  --quality N              CRF (x264/x265) or CQ (NVENC), 0..51, lower is better\n");
}

int zed_default_output(const char *in, const char *suffix, char *out, size_t cap)
{
	const char *slash = strrchr(in, '/');
	const char *dot = strrchr(in, '.');
	size_t stem = dot && (!slash || dot > slash + 1) ? (size_t)(dot - in) : strlen(in);
	int r = snprintf(out, cap, "%.*s%s", (int)stem, in, suffix);

	return r > 0 && (size_t)r < cap ? 0 : -ENAMETOOLONG;
}
