/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_cli.c - argument parsing and validation of cvmmap_streamer. */
#include "unit.h"
#include "config/opts.h"
#include "proto/flv.h"
#include "proto/rtmp_sink.h"
#include "proto/rtp_sink.h"
#include "proto/sink.h"
#include "util/exitcodes.h"

#define MAXARGS 24

/* Split a command line on spaces (no quoting needed in these cases). */
static int run(const char *line, struct streamer_opts *o, char *err, size_t errlen,
	       int validate)
{
	static char buf[1024];
	char *argv[MAXARGS], *p;
	int argc = 0, rc;

	snprintf(buf, sizeof buf, "cvmmap_streamer %s", line);
	for (p = strtok(buf, " "); p && argc < MAXARGS; p = strtok(NULL, " "))
		argv[argc++] = p;
	cli_defaults(o);
	err[0] = '\0';
	rc = cli_parse(o, argc, argv, err, errlen);
	if (!rc && validate)
		rc = cli_validate(o, err, errlen);
	return rc;
}

struct row {
	const char *args;
	int rc;
	const char *err_has; /* substring of the one-line error */
};

static const struct row rows[] = {
	{ "--input default --rtp --rtp-endpoint 127.0.0.1:5004", 0, NULL },
	{ "--input-mode dummy --rtmp --rtmp-url rtmp://127.0.0.1/live/x", 0, NULL },
	{ "--input-mode dummy --codec h265 --rtmp --rtmp-url rtmp://h/a/s --rtmp-mode domestic", 0, NULL },
	{ "--input-mode dummy --codec h265 --rtmp --rtmp-url rtmp://h/a/s --rtmp-mode hvc1", 0, NULL },
	{ "--input-mode dummy --rtp --rtp-endpoint [::1]:5004", 0, NULL },
	{ "--input-mode dummy --rtp --rtp-endpoint=localhost:5004 --rtp-payload-type=127", 0, NULL },
	{ "--shm-name /x --zmq-endpoint ipc:///tmp/x --rtp --rtp-endpoint 127.0.0.1:9", 0, NULL },
	{ "--input default --run-mode ingest", 0, NULL },
	{ "--bogus", EXIT_USAGE, "unknown option '--bogus'" },
	{ "default", EXIT_USAGE, "unexpected argument 'default'" },
	{ "--gop", EXIT_USAGE, "--gop needs a value" },
	{ "--gop 0", EXIT_USAGE, "--gop: '0' is not a number in 1..100000" },
	{ "--gop 12x", EXIT_USAGE, "is not a number" },
	{ "--codec vp9", EXIT_USAGE, "--codec: unknown value 'vp9'" },
	{ "--rtmp-mode unset", EXIT_USAGE, "unknown value 'unset'" },
	{ "--rtp=1", EXIT_USAGE, "--rtp takes no value" },
	{ "--input-mode dummy", EXIT_USAGE, "no output enabled" },
	{ "--rtp --rtp-endpoint 127.0.0.1:5004", EXIT_USAGE, "no input" },
	{ "--input-mode dummy --rtp", EXIT_USAGE, "--rtp needs --rtp-endpoint" },
	{ "--input-mode dummy --rtp --rtp-endpoint 127.0.0.1", EXIT_USAGE, "is not HOST:PORT" },
	{ "--input-mode dummy --rtp --rtp-endpoint ::1:5004", EXIT_USAGE, "is not HOST:PORT" },
	{ "--input-mode dummy --rtp --rtp-endpoint 127.0.0.1:70000", EXIT_USAGE, "is not HOST:PORT" },
	{ "--input-mode dummy --rtp --rtp-endpoint 127.0.0.1:5004 --rtp-payload-type 95",
	  EXIT_USAGE, "--rtp-payload-type: '95' is not a number in 96..127" },
	{ "--input-mode dummy --rtp --rtp-endpoint 127.0.0.1:5004 --rtp-payload-type 128",
	  EXIT_USAGE, "96..127" },
	{ "--input-mode dummy --rtmp --rtmp-url rtmp://h/a/s --rtmp-mode domestic",
	  EXIT_USAGE, "domestic is H.265 only" },
	{ "--input-mode dummy --codec h265 --rtmp --rtmp-url rtmp://h/a/s",
	  EXIT_USAGE, "needs --rtmp-mode" },
	{ "--input-mode dummy --rtmp", EXIT_USAGE, "--rtmp needs --rtmp-url" },
	{ "--input-mode dummy --rtmp --rtmp-url http://h/a/s", EXIT_USAGE, "rtmp://" },
	{ "--input x --shm-name /y --rtp --rtp-endpoint 127.0.0.1:1", EXIT_USAGE, "mutually exclusive" },
	{ "--shm-name /y --rtp --rtp-endpoint 127.0.0.1:1", EXIT_USAGE, "go together" },
	{ "--input-mode dummy --rtp --rtp-endpoint 127.0.0.1:1 --bitrate 100 --quality 20",
	  EXIT_USAGE, "mutually exclusive" },
	/* issue 23: latency knobs; lists are checked before anything else */
	{ "--input-mode dummy --rtp --rtp-endpoint 127.0.0.1:1 --realtime --cpu-affinity 0,2-3",
	  0, NULL },
	{ "--input-mode dummy --rtp --rtp-endpoint 127.0.0.1:1 --realtime-priority 99", 0, NULL },
	{ "--input-mode dummy --rtp --rtp-endpoint 127.0.0.1:1 --cpu-affinity 9999", EXIT_USAGE,
	  "--cpu-affinity: '9999' is not a CPU list: CPU 9999 is not below CPU_SETSIZE" },
	{ "--input-mode dummy --rtp --rtp-endpoint 127.0.0.1:1 --cpu-affinity 1-0", EXIT_USAGE,
	  "--cpu-affinity: '1-0' is not a CPU list: the range 1-0 is empty" },
	{ "--input-mode dummy --rtp --rtp-endpoint 127.0.0.1:1 --cpu-affinity x", EXIT_USAGE,
	  "--cpu-affinity: 'x' is not a CPU list" },
	{ "--cpu-affinity 0,", EXIT_USAGE, "an empty item" },
	{ "--cpu-affinity", EXIT_USAGE, "--cpu-affinity needs a value" },
	{ "--realtime-priority 0", EXIT_USAGE, "--realtime-priority: '0' is not a number in 1..99" },
	{ "--realtime-priority 100", EXIT_USAGE, "1..99" },
	{ "--realtime=1", EXIT_USAGE, "--realtime takes no value" },
};

static void t_rows(void)
{
	struct streamer_opts o;
	char err[256];
	size_t i;

	if (!CONFIG_CVMMAP || !CONFIG_RTP || !CONFIG_RTMP)
		UNIT_SKIP("rows assume cv-mmap, RTP and RTMP are built in");
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		int rc = run(rows[i].args, &o, err, sizeof err, 1);

		if (rc != rows[i].rc || (rows[i].err_has && !strstr(err, rows[i].err_has))) {
			printf("    row %zu: '%s' -> rc %d, err '%s'\n", i, rows[i].args, rc, err);
			CHECK(0);
		}
		CHECK(!strchr(err, '\n')); /* one line */
	}
}

/* The options block of a built-in output, or NULL. */
static void *sink_cfg(const char *name)
{
	const struct sink_ops *const *t;

	for (t = sink_table; *t; t++)
		if (!strcmp((*t)->name, name))
			return (*t)->cfg;
	return NULL;
}

static void t_defaults(void)
{
	struct streamer_opts o;
	const struct rtp_opts *r;

	cli_defaults(&o);
	CHECK_EQ(o.codec, CODEC_H264);
	CHECK_EQ(o.gop, 30);
	CHECK_EQ(o.b_frames, 0);
	CHECK_EQ(o.queue_size, 1);
	CHECK_STR(o.nats_url, "nats://localhost:4222");
	CHECK_EQ(o.encoder_device, ENCDEV_AUTO);
	CHECK(!o.realtime && !o.cpu_affinity);
	CHECK_EQ(o.realtime_priority, 10);
	if (!(r = sink_cfg("rtp")))
		UNIT_SKIP("no RTP output");
	CHECK_EQ(r->payload_type, 96);
	CHECK_EQ(r->mtu, 1200);
}

static void t_values_land(void)
{
	struct streamer_opts o;
	const struct rtmp_opts *m = sink_cfg("rtmp");
	const struct rtp_opts *r = sink_cfg("rtp");
	char err[256];

	if (!m || !r)
		UNIT_SKIP("needs the RTP and RTMP outputs");
	CHECK_EQ(run("--input-mode dummy --dummy-width 320 --dummy-height=240 --gop 15 "
		     "--codec h265 --preset slow --rtmp --rtmp-url rtmp://a/b/c "
		     "--rtmp-mode enhanced --queue-size 3 --no-nats --bitexact",
		     &o, err, sizeof err, 1), 0);
	CHECK_EQ(o.input_mode, INPUT_DUMMY);
	CHECK_EQ(o.dummy_width, 320);
	CHECK_EQ(o.dummy_height, 240);
	CHECK_EQ(o.gop, 15);
	CHECK_EQ(o.codec, CODEC_H265);
	CHECK_EQ(o.preset, PRESET_SLOW);
	CHECK_EQ(m->mode, RTMP_MODE_ENHANCED);
	CHECK_EQ(o.queue_size, 3);
	CHECK(o.no_nats && o.bitexact && m->enable && !r->enable);
	CHECK_STR(m->url, "rtmp://a/b/c");
}

/* --realtime, --realtime-priority, --cpu-affinity reach the options
 * (util/rt.h applies them; test/suites/realtime.sh runs them). */
static void t_realtime_options(void)
{
	struct streamer_opts o;
	char err[256];
	int rc;

	if (!sink_cfg("rtp"))
		UNIT_SKIP("needs the RTP output");
	rc = run("--input-mode dummy --rtp --rtp-endpoint 127.0.0.1:5004 --realtime "
		 "--realtime-priority 20 --cpu-affinity=0-1", &o, err, sizeof err, 1);
	CHECK_EQ(rc, 0);
	CHECK(o.realtime);
	CHECK_EQ(o.realtime_priority, 20);
	CHECK_STR(o.cpu_affinity, "0-1");
}

/* --encoder-device v4l2 and --v4l2-device reach the options, or are
 * refused at start-up when the back-end is not built in. */
static void t_v4l2_options(void)
{
	struct streamer_opts o;
	char err[256];
	int rc;

	if (!sink_cfg("rtp"))
		UNIT_SKIP("needs the RTP output");
	rc = run("--input-mode dummy --rtp --rtp-endpoint 127.0.0.1:5004 --encoder-device v4l2 "
		 "--v4l2-device /dev/video11", &o, err, sizeof err, 1);
	if (!CONFIG_ENC_V4L2M2M) {
		CHECK_EQ(rc, EXIT_USAGE);
		CHECK(strstr(err, "CONFIG_ENC_V4L2M2M") != NULL);
		return;
	}
	CHECK_EQ(rc, 0);
	CHECK_EQ(o.encoder_device, ENCDEV_V4L2);
	CHECK_STR(o.v4l2_device, "/dev/video11");
	CHECK_EQ(run("--input-mode dummy --rtp --rtp-endpoint 127.0.0.1:5004", &o, err,
		     sizeof err, 1), 0);
	CHECK(o.v4l2_device == NULL);           /* default: probe */
	CHECK_EQ(run("--input-mode dummy --rtp --rtp-endpoint 127.0.0.1:5004 --v4l2-device",
		     &o, err, sizeof err, 1), EXIT_USAGE);
}

/* Every output's rows are well formed and merged into the --help groups. */
static void t_sink_rows(void)
{
	const struct sink_ops *const *t;
	size_t k;

	for (t = sink_table; *t; t++) {
		CHECK((*t)->name && (*t)->opts && (*t)->nopts && (*t)->cfg);
		CHECK((*t)->defaults && (*t)->enabled && (*t)->open && (*t)->put &&
		      (*t)->stats && (*t)->close);
		/* the enabling option is the output's name: a flag, or its destination */
		CHECK_STR((*t)->opts[0].name, (*t)->name);
		CHECK((*t)->opts[0].type == OPT_FLAG || (*t)->opts[0].type == OPT_STR);
		for (k = 0; k < (*t)->nopts; k++) {
			CHECK((*t)->opts[k].group < G_COUNT);
			CHECK((*t)->opts[k].help != NULL);
		}
	}
}

static void t_help_groups(void)
{
	char buf[16384];
	FILE *f = fmemopen(buf, sizeof buf, "w");

	CHECK(f != NULL);
	cli_help(f, "cvmmap_streamer");
	fclose(f);
	CHECK(strstr(buf, "\nInput:\n") && strstr(buf, "\nCodec:\n") &&
	      strstr(buf, "\nOutputs:\n") && strstr(buf, "\nLatency and limits:\n"));
	CHECK(strstr(buf, "--rtp-payload-type PT") != NULL);
	CHECK(strstr(buf, "--encoder-device DEV") != NULL);
}

static const struct unit_case cases[] = {
	UNIT(t_rows),
	UNIT(t_defaults),
	UNIT(t_values_land),
	UNIT(t_sink_rows),
	UNIT(t_v4l2_options),
	UNIT(t_realtime_options),
	UNIT(t_help_groups),
};
UNIT_MAIN(cases)
