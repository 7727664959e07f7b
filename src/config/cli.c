/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cli.c - table-driven command line of cvmmap_streamer (see opts.h). */
#include "config/opts.h"
#include "util/exitcodes.h"
#include "util/log.h"

#include <errno.h>
#include <stdarg.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

const char *const input_mode_names[] = { "cvmmap", "dummy", NULL };
const char *const run_mode_names[] = { "pipeline", "ingest", NULL };
/* "hvc1" is accepted as another name of "enhanced" (index fixed below). */
const char *const rtmp_mode_names[] = { "unset", "enhanced", "domestic", "hvc1", NULL };
const char *const on_off_names[] = { "off", "on", NULL };
static const char *const log_level_names[] = { "error", "warn", "info", "debug", NULL };

enum opt_type { OPT_SET, OPT_LONG, OPT_STR, OPT_CHOICE };
enum opt_group { G_INPUT, G_CODEC, G_OUTPUT, G_LATENCY, G_GENERAL, G_COUNT };

static const char *const group_names[G_COUNT] = {
	"Input", "Codec", "Outputs", "Latency and limits", "General"
};

struct opt_def {
	const char *name;
	enum opt_type type;
	enum opt_group group;
	size_t off;
	long min, max;                /* OPT_LONG range */
	const char *const *choices;   /* OPT_CHOICE */
	const char *arg;              /* metavariable shown in --help */
	const char *help;
};

#define F(field) offsetof(struct streamer_opts, field)
#define NOLIM 0, 0, NULL

static const struct opt_def opts[] = {
	{ "input", OPT_STR, G_INPUT, F(input), NOLIM, "TARGET",
	  "cv-mmap instance name or cvmmap://inst[@prefix][?namespace=ns]" },
	{ "shm-name", OPT_STR, G_INPUT, F(shm_name), NOLIM, "NAME",
	  "explicit SHM object name (with --zmq-endpoint)" },
	{ "zmq-endpoint", OPT_STR, G_INPUT, F(zmq_endpoint), NOLIM, "URI",
	  "explicit ZeroMQ sync endpoint, e.g. ipc:///tmp/cvmmap_default" },
	{ "input-mode", OPT_CHOICE, G_INPUT, F(input_mode), 0, 0, input_mode_names, "MODE",
	  "cvmmap (default) or dummy (built-in generator)" },
	{ "dummy-label", OPT_STR, G_INPUT, F(dummy_label), NOLIM, "LABEL",
	  "label of the dummy generator (default dummy)" },
	{ "dummy-frames", OPT_LONG, G_INPUT, F(dummy_frames), 0, LONG_MAX, NULL, "N",
	  "frames the dummy generator produces (0 = endless, default)" },
	{ "dummy-fps", OPT_LONG, G_INPUT, F(dummy_fps), 1, 240, NULL, "N",
	  "dummy frame rate (default 30)" },
	{ "dummy-width", OPT_LONG, G_INPUT, F(dummy_width), 16, CONFIG_MAX_WIDTH, NULL, "W",
	  "dummy frame width (default 640)" },
	{ "dummy-height", OPT_LONG, G_INPUT, F(dummy_height), 16, CONFIG_MAX_HEIGHT, NULL, "H",
	  "dummy frame height (default 360)" },
	{ "nats-url", OPT_STR, G_INPUT, F(nats_url), NOLIM, "URL",
	  "NATS server (default nats://localhost:4222)" },
	{ "no-nats", OPT_SET, G_INPUT, F(no_nats), NOLIM, NULL,
	  "do not connect to NATS" },
	{ "body-sei", OPT_CHOICE, G_INPUT, F(body_sei), 0, 0, on_off_names, "off|on",
	  "carry body tracking packets as SEI (default off)" },
	{ "run-mode", OPT_CHOICE, G_INPUT, F(run_mode), 0, 0, run_mode_names, "MODE",
	  "pipeline (default) or ingest (read and count frames only)" },

	{ "codec", OPT_CHOICE, G_CODEC, F(codec), 0, 0, codec_names, "h264|h265",
	  "output codec (default h264)" },
	{ "encoder-device", OPT_CHOICE, G_CODEC, F(encoder_device), 0, 0,
	  encoder_device_names, "DEV",
	  "auto (default: passthrough if the producer sends matching access units,\n"
	  "                                 else NVENC, else software), nvenc, software, passthrough" },
	{ "preset", OPT_CHOICE, G_CODEC, F(preset), 0, 0, preset_names, "NAME",
	  "x264/x265 preset, ultrafast (default) ... slower" },
	{ "gop", OPT_LONG, G_CODEC, F(gop), 1, 100000, NULL, "N",
	  "keyframe interval in frames (default 30)" },
	{ "b-frames", OPT_LONG, G_CODEC, F(b_frames), 0, 16, NULL, "N",
	  "B-frames (default 0: lowest latency)" },
	{ "bitrate", OPT_LONG, G_CODEC, F(bitrate_kbps), 1, 1000000, NULL, "KBPS",
	  "constant bit rate with VBV (default: quality mode)" },
	{ "quality", OPT_LONG, G_CODEC, F(quality), 0, 51, NULL, "N",
	  "constant quality CRF/CQ (default: encoder's)" },
	{ "threads", OPT_LONG, G_CODEC, F(threads), 0, 64, NULL, "N",
	  "encoder threads (0 = encoder decides, default)" },

	{ "rtp", OPT_SET, G_OUTPUT, F(rtp), NOLIM, NULL, "enable the RTP output" },
	{ "rtp-endpoint", OPT_STR, G_OUTPUT, F(rtp_endpoint), NOLIM, "HOST:PORT",
	  "RTP destination (RTCP goes to PORT+1); [v6]:PORT for IPv6" },
	{ "rtp-payload-type", OPT_LONG, G_OUTPUT, F(rtp_payload_type), 96, 127, NULL, "PT",
	  "dynamic payload type 96..127 (default 96)" },
	{ "rtp-sdp", OPT_STR, G_OUTPUT, F(rtp_sdp), NOLIM, "PATH",
	  "write the SDP for players here (atomically)" },
	{ "rtp-mtu", OPT_LONG, G_OUTPUT, F(rtp_mtu), 200, 9000, NULL, "BYTES",
	  "largest RTP payload (default 1200)" },
	{ "no-rtcp", OPT_SET, G_OUTPUT, F(no_rtcp), NOLIM, NULL, "do not send RTCP" },
	{ "rtmp", OPT_SET, G_OUTPUT, F(rtmp), NOLIM, NULL, "enable the RTMP output" },
	{ "rtmp-url", OPT_STR, G_OUTPUT, F(rtmp_url), NOLIM, "URL",
	  "rtmp://host[:port]/app/stream" },
	{ "rtmp-mode", OPT_CHOICE, G_OUTPUT, F(rtmp_mode), 0, 0, rtmp_mode_names, "MODE",
	  "enhanced (hvc1) or domestic (FLV id 12); required for H.265" },
	{ "rtmp-reconnect-min-ms", OPT_LONG, G_OUTPUT, F(rtmp_reconnect_min_ms), 10, 600000,
	  NULL, "MS", "first reconnect delay (default 500)" },
	{ "rtmp-reconnect-max-ms", OPT_LONG, G_OUTPUT, F(rtmp_reconnect_max_ms), 10, 3600000,
	  NULL, "MS", "reconnect delay cap (default 15000)" },

	{ "queue-size", OPT_LONG, G_LATENCY, F(queue_size), 1, 64, NULL, "N",
	  "ingest queue depth; the oldest frame is dropped (default 1)" },
	{ "rtmp-send-window-ms", OPT_LONG, G_LATENCY, F(rtmp_send_window_ms), 50, 10000,
	  NULL, "MS", "RTMP backlog before dropping to the next keyframe (default 700)" },
	{ "ingest-max-frames", OPT_LONG, G_LATENCY, F(ingest_max_frames), 0, LONG_MAX,
	  NULL, "N", "stop after N frames (0 = never, default)" },
	{ "ingest-idle-timeout-ms", OPT_LONG, G_LATENCY, F(ingest_idle_timeout_ms), 0,
	  LONG_MAX, NULL, "MS", "stop when no frame arrives for MS (0 = never, default)" },
	{ "stats-interval-ms", OPT_LONG, G_LATENCY, F(stats_interval_ms), 0, 3600000,
	  NULL, "MS", "periodic stats line (default 5000; 0 = only at exit)" },

	{ "bitexact", OPT_SET, G_GENERAL, F(bitexact), NOLIM, NULL,
	  "fixed SSRC, sequence numbers and timestamps (for tests)" },
	{ "log-level", OPT_CHOICE, G_GENERAL, F(log_level), 0, 0, log_level_names, "LEVEL",
	  "error, warn, info (default) or debug" },
	{ "help", OPT_SET, G_GENERAL, F(help), NOLIM, NULL, "show this help" },
	{ "version", OPT_SET, G_GENERAL, F(version), NOLIM, NULL,
	  "show the version and the built-in features" },
};

void cli_defaults(struct streamer_opts *o)
{
	memset(o, 0, sizeof *o);
	o->input_mode = INPUT_CVMMAP;
	o->dummy_label = "dummy";
	o->dummy_fps = 30;
	o->dummy_width = 640;
	o->dummy_height = 360;
	o->nats_url = "nats://localhost:4222";
	o->codec = CODEC_H264;
	o->encoder_device = ENCDEV_AUTO;
	o->preset = PRESET_ULTRAFAST;
	o->gop = 30;
	o->quality = -1;
	o->rtp_payload_type = 96;
	o->rtp_mtu = 1200;
	o->rtmp_mode = RTMP_MODE_UNSET;
	o->rtmp_reconnect_min_ms = 500;
	o->rtmp_reconnect_max_ms = 15000;
	o->rtmp_send_window_ms = 700;
	o->queue_size = 1;
	o->stats_interval_ms = 5000;
	o->log_level = LOG_INFO;
}

static int fail(char *err, size_t errlen, const char *fmt, ...) LOG_PRINTF(3, 4);
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return EXIT_USAGE;
}

static int parse_long(const char *s, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end)
		return -1;
	*out = v;
	return 0;
}

static int set_value(struct streamer_opts *o, const struct opt_def *d,
		     const char *val, char *err, size_t errlen)
{
	char *base = (char *)o;
	long v;
	int i;

	switch (d->type) {
	case OPT_SET:
		*(int *)(base + d->off) = 1;
		return 0;
	case OPT_STR:
		if (!*val)
			return fail(err, errlen, "--%s: empty value", d->name);
		*(const char **)(base + d->off) = val;
		return 0;
	case OPT_LONG:
		if (parse_long(val, &v) || v < d->min || v > d->max) {
			snprintf(err, errlen, "--%s: '%s' is not a number in %ld..%ld",
				 d->name, val, d->min, d->max);
			return EXIT_USAGE;
		}
		*(long *)(base + d->off) = v;
		return 0;
	case OPT_CHOICE:
		for (i = 0; d->choices[i]; i++) {
			if (!strcmp(val, d->choices[i]))
				break;
		}
		/* "unset" is an internal state, "hvc1" an alias of "enhanced". */
		if (d->choices == rtmp_mode_names) {
			if (i == RTMP_MODE_UNSET)
				i = -1;
			else if (d->choices[i] && !strcmp(val, "hvc1"))
				i = RTMP_MODE_ENHANCED;
		}
		if (i < 0 || !d->choices[i]) {
			snprintf(err, errlen, "--%s: unknown value '%s' (expected %s)",
				 d->name, val, d->arg);
			return EXIT_USAGE;
		}
		*(int *)(base + d->off) = i;
		return 0;
	}
	return EXIT_USAGE;
}

int cli_parse(struct streamer_opts *o, int argc, char **argv,
	      char *err, size_t errlen)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *eq, *val = NULL;
		const struct opt_def *d = NULL;
		size_t n, k;
		int r;

		if (strncmp(a, "--", 2) || !a[2])
			return fail(err, errlen, "unexpected argument '%s' (see --help)", a);
		a += 2;
		eq = strchr(a, '=');
		n = eq ? (size_t)(eq - a) : strlen(a);
		for (k = 0; k < sizeof opts / sizeof opts[0]; k++) {
			if (strlen(opts[k].name) == n && !strncmp(opts[k].name, a, n)) {
				d = &opts[k];
				break;
			}
		}
		if (!d)
			return fail(err, errlen, "unknown option '%s' (see --help)", argv[i]);
		if (d->type == OPT_SET) {
			if (eq)
				return fail(err, errlen, "--%s takes no value", d->name);
		} else if (eq) {
			val = eq + 1;
		} else if (i + 1 < argc) {
			val = argv[++i];
		} else {
			return fail(err, errlen, "--%s needs a value (%s)", d->name, d->arg);
		}
		r = set_value(o, d, val, err, errlen);
		if (r)
			return r;
	}
	return 0;
}

int cli_split_hostport(const char *s, char *host, size_t hostlen,
		       unsigned *port)
{
	const char *colon, *h = s;
	size_t hl;
	long p;

	if (*s == '[') {
		const char *rb = strchr(s, ']');
		if (!rb || rb[1] != ':')
			return -1;
		h = s + 1;
		hl = (size_t)(rb - h);
		colon = rb + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon || strchr(s, ':') != colon)
			return -1; /* bare IPv6 needs brackets */
		hl = (size_t)(colon - s);
	}
	if (!hl || hl >= hostlen || parse_long(colon + 1, &p) || p < 1 || p > 65535)
		return -1;
	memcpy(host, h, hl);
	host[hl] = '\0';
	*port = (unsigned)p;
	return 0;
}

int cli_validate(const struct streamer_opts *o, char *err, size_t errlen)
{
	char host[256];
	unsigned port;

	if (o->input_mode == INPUT_CVMMAP) {
		if (!CONFIG_CVMMAP)
			return fail(err, errlen, "cv-mmap input is not built in (CONFIG_CVMMAP); "
				    "use --input-mode dummy");
		if (o->input && (o->shm_name || o->zmq_endpoint))
			return fail(err, errlen, "--input and --shm-name/--zmq-endpoint are "
				    "mutually exclusive");
		if (!o->input && !o->shm_name && !o->zmq_endpoint)
			return fail(err, errlen, "no input: give --input TARGET, "
				    "--shm-name with --zmq-endpoint, or --input-mode dummy");
		if (!o->input && (!o->shm_name || !o->zmq_endpoint))
			return fail(err, errlen, "--shm-name and --zmq-endpoint go together");
	}
	if (o->run_mode == RUN_INGEST)
		return 0;
	if (!o->rtp && !o->rtmp)
		return fail(err, errlen, "no output enabled: give --rtp and/or --rtmp");
	if (o->rtp) {
		if (!CONFIG_RTP)
			return fail(err, errlen, "RTP output is not built in (CONFIG_RTP)");
		if (!o->rtp_endpoint)
			return fail(err, errlen, "--rtp needs --rtp-endpoint HOST:PORT");
		if (cli_split_hostport(o->rtp_endpoint, host, sizeof host, &port))
			return fail(err, errlen, "--rtp-endpoint: '%s' is not HOST:PORT "
				    "(use [addr]:PORT for IPv6)", o->rtp_endpoint);
		if (!o->no_rtcp && port == 65535)
			return fail(err, errlen, "--rtp-endpoint: port 65535 leaves no room for "
				    "RTCP on port+1 (use --no-rtcp)");
	}
	if (o->rtmp) {
		if (!CONFIG_RTMP)
			return fail(err, errlen, "RTMP output is not built in (CONFIG_RTMP)");
		if (!o->rtmp_url)
			return fail(err, errlen, "--rtmp needs --rtmp-url rtmp://host[:port]/app/stream");
		if (strncmp(o->rtmp_url, "rtmp://", 7))
			/* not echoed: the URL may carry credentials */
			return fail(err, errlen, "--rtmp-url does not start with rtmp://");
		if (o->codec == CODEC_H264 && o->rtmp_mode == RTMP_MODE_DOMESTIC)
			return fail(err, errlen, "--rtmp-mode domestic is H.265 only; H.264 "
				    "over RTMP always uses FLV codec id 7");
		if (o->codec == CODEC_H265 && o->rtmp_mode == RTMP_MODE_UNSET)
			return fail(err, errlen, "H.265 over RTMP needs --rtmp-mode enhanced "
				    "or --rtmp-mode domestic");
		if (o->rtmp_reconnect_min_ms > o->rtmp_reconnect_max_ms)
			return fail(err, errlen, "--rtmp-reconnect-min-ms is larger than "
				    "--rtmp-reconnect-max-ms");
	}
	if (o->codec == CODEC_H265 && !CONFIG_ENC_X265 && !CONFIG_NVENC && !CONFIG_PASSTHROUGH)
		return fail(err, errlen, "no H.265 encoder is built in");
	if (o->encoder_device == ENCDEV_PASSTHROUGH && !CONFIG_PASSTHROUGH)
		return fail(err, errlen, "--encoder-device passthrough: passthrough is not "
			    "built in (CONFIG_PASSTHROUGH)");
	if (o->encoder_device == ENCDEV_NVENC && !CONFIG_NVENC)
		return fail(err, errlen, "--encoder-device nvenc: NVENC is not built in "
			    "(CONFIG_NVENC; not available in a fully static build)");
	if (o->bitrate_kbps && o->quality >= 0)
		return fail(err, errlen, "--bitrate and --quality are mutually exclusive");
	return 0;
}

void cli_help(FILE *f, const char *prog)
{
	size_t k;
	int g;

	fprintf(f, "Usage: %s [OPTIONS]\n"
		"Stream cv-mmap frames as RTP and/or RTMP (H.264/H.265).\n", prog);
	for (g = 0; g < G_COUNT; g++) {
		fprintf(f, "\n%s:\n", group_names[g]);
		for (k = 0; k < sizeof opts / sizeof opts[0]; k++) {
			char lhs[64];

			if (opts[k].group != (enum opt_group)g)
				continue;
			snprintf(lhs, sizeof lhs, "--%s%s%s", opts[k].name,
				 opts[k].arg ? " " : "", opts[k].arg ? opts[k].arg : "");
			fprintf(f, "  %-30s %s\n", lhs, opts[k].help);
		}
	}
	fprintf(f, "\nExit codes: 0 ok, 2 invalid arguments or configuration, "
		"5 pipeline initialisation error (no encoder), 124 timeout.\n"
		"Example: %s --input default --rtp --rtp-endpoint 127.0.0.1:5004 "
		"--rtp-sdp /tmp/stream.sdp\n", prog);
}
