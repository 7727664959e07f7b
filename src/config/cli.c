/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cli.c - the command line of cvmmap_streamer (see opts.h): the core
 * rows, merged with every output's own rows (proto/sink.h) into one
 * option-engine context (config/opt.h). */
#include "config/opts.h"
#include "proto/metrics.h"
#include "proto/sink.h"
#include "util/exitcodes.h"
#include "util/log.h"
#include "util/ring.h"
#include "util/rt.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

const char *const input_mode_names[] = { "cvmmap", "dummy", NULL };
const char *const run_mode_names[] = { "pipeline", "ingest", NULL };
const char *const on_off_names[] = { "off", "on", NULL };
static const char *const log_level_names[] = { "error", "warn", "info", "debug", NULL };

static const char *const group_names[G_COUNT] = {
	"Input", "Codec", "Outputs", "Latency and limits", "General"
};

#define F(field) offsetof(struct streamer_opts, field)
#define ROW(name, type, group, field, min, max, choices, arg, help) \
	{ name, type, group, 0, F(field), min, max, choices, arg, help, NULL, NULL }

static const struct opt core_rows[] = {
	ROW("input", OPT_STR, G_INPUT, input, 0, 0, NULL, "TARGET",
	    "cv-mmap instance name or cvmmap://inst[@prefix][?namespace=ns]"),
	ROW("shm-name", OPT_STR, G_INPUT, shm_name, 0, 0, NULL, "NAME",
	    "explicit SHM object name (with --zmq-endpoint)"),
	ROW("zmq-endpoint", OPT_STR, G_INPUT, zmq_endpoint, 0, 0, NULL, "URI",
	    "explicit ZeroMQ sync endpoint, e.g. ipc:///tmp/cvmmap_default"),
	ROW("input-mode", OPT_CHOICE, G_INPUT, input_mode, 0, 0, input_mode_names, "MODE",
	    "cvmmap (default) or dummy (built-in generator)"),
	ROW("dummy-label", OPT_STR, G_INPUT, dummy_label, 0, 0, NULL, "LABEL",
	    "label of the dummy generator (default dummy)"),
	ROW("dummy-frames", OPT_LONG, G_INPUT, dummy_frames, 0, LONG_MAX, NULL, "N",
	    "frames the dummy generator produces (0 = endless, default)"),
	ROW("dummy-fps", OPT_LONG, G_INPUT, dummy_fps, 1, 240, NULL, "N",
	    "dummy frame rate (default 30)"),
	ROW("dummy-width", OPT_LONG, G_INPUT, dummy_width, 16, CONFIG_MAX_WIDTH, NULL, "W",
	    "dummy frame width (default 640)"),
	ROW("dummy-height", OPT_LONG, G_INPUT, dummy_height, 16, CONFIG_MAX_HEIGHT, NULL, "H",
	    "dummy frame height (default 360)"),
	{ "nats-url", OPT_STR, G_INPUT, OPT_SECRET, F(nats_url), 0, 0, NULL, "URL",
	  "NATS server (default nats://localhost:4222)", NULL, "CVMMAP_NATS_URL" },
	ROW("no-nats", OPT_FLAG, G_INPUT, no_nats, 0, 0, NULL, NULL,
	    "do not connect to NATS"),
	ROW("body-sei", OPT_CHOICE, G_INPUT, body_sei, 0, 0, on_off_names, "off|on",
	    "carry body tracking packets as SEI (default off)"),
	ROW("run-mode", OPT_CHOICE, G_INPUT, run_mode, 0, 0, run_mode_names, "MODE",
	    "pipeline (default) or ingest (read and count frames only)"),

	ROW("codec", OPT_CHOICE, G_CODEC, codec, 0, 0, codec_names, "h264|h265",
	    "output codec (default h264)"),
	ROW("encoder-device", OPT_CHOICE, G_CODEC, encoder_device, 0, 0,
	    encoder_device_names, "DEV",
	    "auto (default: passthrough if the producer sends matching access units,\n"
	    "                                 else hardware, else software), hw, nvenc, v4l2,\n"
	    "                                 software, passthrough"),
	ROW("v4l2-device", OPT_STR, G_CODEC, v4l2_device, 0, 0, NULL, "PATH",
	    "V4L2 encoder node (default: probe /dev/video*, /dev/v4l2-nvenc)"),
	ROW("preset", OPT_CHOICE, G_CODEC, preset, 0, 0, preset_names, "NAME",
	    "x264/x265 preset, ultrafast (default) ... slower"),
	ROW("gop", OPT_LONG, G_CODEC, gop, 1, 100000, NULL, "N",
	    "keyframe interval in frames (default 30)"),
	ROW("b-frames", OPT_LONG, G_CODEC, b_frames, 0, 16, NULL, "N",
	    "B-frames (default 0: lowest latency)"),
	ROW("bitrate", OPT_LONG, G_CODEC, bitrate_kbps, 1, 1000000, NULL, "KBPS",
	    "constant bit rate with VBV (default: quality mode)"),
	ROW("quality", OPT_LONG, G_CODEC, quality, 0, 51, NULL, "N",
	    "constant quality CRF/CQ (default: encoder's)"),
	ROW("threads", OPT_LONG, G_CODEC, threads, 0, 64, NULL, "N",
	    "encoder threads (0 = encoder decides, default)"),

	/* the range is what the frame queue can hold (util/ring.h) */
	ROW("queue-size", OPT_LONG, G_LATENCY, queue_size, 1, LQ_DEPTH_MAX, NULL, "N",
	    "ingest queue depth; the oldest frame is dropped (default 1)"),
	ROW("ingest-max-frames", OPT_LONG, G_LATENCY, ingest_max_frames, 0, LONG_MAX, NULL, "N",
	    "stop after N frames (0 = never, default)"),
	ROW("ingest-idle-timeout-ms", OPT_LONG, G_LATENCY, ingest_idle_timeout_ms, 0, OPT_MS_MAX,
	    NULL, "MS", "stop when no frame arrives for MS (0 = never, default)"),
	ROW("latency-sei", OPT_CHOICE, G_LATENCY, latency_sei, 0, 0, on_off_names, "off|on",
	    "timestamps in every AU for receivers to measure latency (default off)"),
	ROW("stats-interval-ms", OPT_LONG, G_LATENCY, stats_interval_ms, 0, 3600000, NULL, "MS",
	    "periodic stats line (default 5000; 0 = only at exit)"),
	/* util/rt.h: what the system does not grant is a warning, never an exit */
	ROW("realtime", OPT_FLAG, G_LATENCY, realtime, 0, 0, NULL, NULL,
	    "SCHED_FIFO ingest and encode threads, memory locked (mlockall)"),
	ROW("realtime-priority", OPT_LONG, G_LATENCY, realtime_priority, 1, 99, NULL, "N",
	    "SCHED_FIFO priority of --realtime (default 10)"),
	ROW("cpu-affinity", OPT_STR, G_LATENCY, cpu_affinity, 0, 0, NULL, "LIST",
	    "pin the ingest and encode threads to CPUs, e.g. 0, 0-1 or 0,2-3"),

	ROW("bitexact", OPT_FLAG, G_GENERAL, bitexact, 0, 0, NULL, NULL,
	    "fixed SSRC, sequence numbers and timestamps (for tests)"),
	ROW("log-level", OPT_CHOICE, G_GENERAL, log_level, 0, 0, log_level_names, "LEVEL",
	    "error, warn, info (default) or debug"),
	ROW("help", OPT_FLAG, G_GENERAL, help, 0, 0, NULL, NULL, "show this help"),
	ROW("version", OPT_FLAG, G_GENERAL, version, 0, 0, NULL, NULL,
	    "show the version and the built-in features"),
	ROW("self-test", OPT_FLAG, G_GENERAL, self_test, 0, 0, NULL, NULL,
	    "open the encoder as configured (--codec, --encoder-device, --dummy-width,\n"
	    "                                 ...), print what it opened and the encode time of\n"
	    "                                 --dummy-frames frames (default 10), then exit;\n"
	    "                                 needs no output"),
};

const struct build_feature build_features[] = {
	{ "cvmmap", CONFIG_CVMMAP },
	{ "x264", CONFIG_ENC_X264 },
	{ "x265", CONFIG_ENC_X265 },
	{ "nvenc", CONFIG_NVENC },
	{ "v4l2", CONFIG_ENC_V4L2M2M },
	{ "passthrough", CONFIG_PASSTHROUGH },
	{ "nats", CONFIG_NATS },
	{ "metrics", CONFIG_METRICS },
	{ NULL, 0 },
};

#define MAX_BLOCKS 16

/* The core block, then one block per output of the sink table. */
static size_t blocks(struct opt_block *b, struct streamer_opts *o)
{
	const struct sink_ops *const *t;
	size_t n = 0;

	b[n].rows = core_rows;
	b[n].n = sizeof core_rows / sizeof core_rows[0];
	b[n++].base = o;
#if CONFIG_METRICS
	b[n].rows = metrics_rows;
	b[n].n = metrics_nrows;
	b[n++].base = &metrics_cfg;
#endif
	for (t = sink_table; *t && n < MAX_BLOCKS; t++) {
		b[n].rows = (*t)->opts;
		b[n].n = (*t)->nopts;
		b[n++].base = (*t)->cfg;
	}
	return n;
}

void cli_encoder_cfg(const struct streamer_opts *o, struct encoder_cfg *c)
{
	memset(c, 0, sizeof *c);
	c->codec = o->codec;
	c->device = o->encoder_device;
	c->preset = o->preset;
	c->gop = (int)o->gop;
	c->b_frames = (int)o->b_frames;
	c->bitrate_kbps = (int)o->bitrate_kbps;
	c->quality = (int)o->quality;
	c->threads = (int)o->threads;
	c->v4l2_device = o->v4l2_device;
}

void cli_defaults(struct streamer_opts *o)
{
	const struct sink_ops *const *t;

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
	o->queue_size = 1;
	o->stats_interval_ms = 5000;
	o->realtime_priority = 10;
	o->log_level = LOG_INFO;
	for (t = sink_table; *t; t++)
		(*t)->defaults((*t)->cfg);
#if CONFIG_METRICS
	metrics_defaults();
#endif
}

/* a bad command line: the message in err for main() to print, EXIT_USAGE */
#define fail(err, errlen, ...) errf(err, errlen, EXIT_USAGE, __VA_ARGS__)

/* "--rtmp..." for an output this build left out, "--metrics-..." without
 * CONFIG_METRICS: say so plainly. */
static int absent_output(const char *arg, char *err, size_t errlen)
{
	const char *const *a;

	for (a = sink_absent; *a; a++) {
		size_t n = strlen(*a);

		if (!strncmp(arg, "--", 2) && !strncmp(arg + 2, *a, n) &&
		    (!arg[2 + n] || arg[2 + n] == '-' || arg[2 + n] == '='))
			return fail(err, errlen, "%s: the %s output is not built in", arg, *a);
	}
	if (!CONFIG_METRICS && (!strncmp(arg, "--metrics-", 10) || !strncmp(arg, "--healthz-", 10)))
		return fail(err, errlen, "%s: metrics are not built in (CONFIG_METRICS)", arg);
	return 0;
}

int cli_parse(struct streamer_opts *o, int argc, char **argv,
	      char *err, size_t errlen)
{
	struct opt_block b[MAX_BLOCKS];
	int rc, i;

	memset(&o->ctx, 0, sizeof o->ctx);
	o->ctx.blocks = b;
	o->ctx.nblocks = blocks(b, o);
	o->ctx.groups = group_names;
	o->ctx.ngroups = G_COUNT;
	rc = opt_parse(&o->ctx, argc, argv);
	o->ctx.blocks = NULL;           /* b[] ends here */
	if (!rc)
		return 0;
	for (i = 1; i < argc; i++)
		if (strstr(o->ctx.err, argv[i]) && absent_output(argv[i], err, errlen))
			return EXIT_USAGE;
	snprintf(err, errlen, "%s", o->ctx.err);
	return rc;
}

int cli_validate(const struct streamer_opts *o, char *err, size_t errlen)
{
	const struct sink_ops *const *t;
	struct sink_env env = { o->codec, o->bitexact, 0, 0, 30.0, NULL };
	int outputs = 0, rc;
	char names[128] = "";
	struct rt_cpus cpus;
	char why[128];

	if (o->cpu_affinity && rt_cpulist_parse(o->cpu_affinity, &cpus, why, sizeof why) < 0)
		return fail(err, errlen, "--cpu-affinity: '%s' is not a CPU list: %s "
			    "(e.g. 0, 0-1 or 0,2-3)", o->cpu_affinity, why);
	if (o->input_mode == INPUT_CVMMAP && !o->self_test) {
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
	for (t = sink_table; *t; t++) {
		size_t k = strlen(names);

		snprintf(names + k, sizeof names - k, "%s--%s", !k ? "" : t[1] ? ", " : " or ",
			 (*t)->name);
		if (!(*t)->enabled((*t)->cfg))
			continue;
		outputs++;
		if ((*t)->validate && (rc = (*t)->validate((*t)->cfg, &env, err, errlen)))
			return rc;
	}
#if CONFIG_METRICS
	if ((rc = metrics_validate(err, errlen)))
		return rc;
#endif
	if (!outputs && !o->self_test)
		return fail(err, errlen, "no output enabled: give %s", names[0] ? names :
			    "an output (none is built in)");
	if (o->codec == CODEC_H265 && !CONFIG_ENC_X265 && !CONFIG_NVENC && !CONFIG_ENC_V4L2M2M &&
	    !CONFIG_PASSTHROUGH)
		return fail(err, errlen, "no H.265 encoder is built in");
	if (o->encoder_device == ENCDEV_PASSTHROUGH && !CONFIG_PASSTHROUGH)
		return fail(err, errlen, "--encoder-device passthrough: passthrough is not "
			    "built in (CONFIG_PASSTHROUGH)");
	if (o->encoder_device == ENCDEV_NVENC && !CONFIG_NVENC)
		return fail(err, errlen, "--encoder-device nvenc: NVENC is not built in "
			    "(CONFIG_NVENC; not available in a fully static build)");
	if ((o->encoder_device == ENCDEV_V4L2 || o->v4l2_device) && !CONFIG_ENC_V4L2M2M)
		return fail(err, errlen, "%s: the V4L2 encoder is not built in "
			    "(CONFIG_ENC_V4L2M2M)", o->v4l2_device ? "--v4l2-device" :
			    "--encoder-device v4l2");
	if (o->bitrate_kbps && o->quality >= 0)
		return fail(err, errlen, "--bitrate and --quality are mutually exclusive");
	return 0;
}

void cli_help(FILE *f, const char *prog)
{
	struct opt_block b[MAX_BLOCKS];
	struct streamer_opts *o = calloc(1, sizeof *o);
	struct opt_ctx *c = o ? &o->ctx : NULL;

	fprintf(f, "Usage: %s [OPTIONS]\n"
		"Stream cv-mmap frames to the outputs below (H.264/H.265).\n\n", prog);
	if (c) {
		c->blocks = b;
		c->nblocks = blocks(b, o);
		c->groups = group_names;
		c->ngroups = G_COUNT;
		opt_help(c, f);
		free(o);
	}
	fprintf(f, "\nExit codes: 0 ok (end of input, signal), 2 invalid arguments or "
		"configuration,\n5 initialisation error (no encoder, input cannot be opened).\n"
		"Example: %s --input default --rtp --rtp-endpoint 127.0.0.1:5004 "
		"--rtp-sdp /tmp/stream.sdp\n", prog);
}
