/* SPDX-License-Identifier: GPL-2.0-or-later */
/* opts.h - the streamer's command line, parsed and validated (pure code).
 *
 * The core options (input, codec, latency, general) are rows of cli.c;
 * every output brings its own rows and validation (proto/sink.h), merged
 * here into one parse and one grouped --help by the option engine
 * (config/opt.h).  cli_parse() and cli_validate() write one human-
 * readable line into err and return an exit code (0 or EXIT_USAGE);
 * neither prints nor exits, so both are unit-tested.  String fields
 * point into argv, the environment or the parse context: nothing is
 * allocated.
 */
#ifndef CVMMAP_OPTS_H
#define CVMMAP_OPTS_H

#include "codec/codec.h"
#include "codec/encoder.h"
#include "config/opt.h"

#include <stddef.h>
#include <stdio.h>

enum input_mode { INPUT_CVMMAP, INPUT_DUMMY };
enum run_mode { RUN_PIPELINE, RUN_INGEST };

extern const char *const input_mode_names[];
extern const char *const run_mode_names[];
extern const char *const on_off_names[];

struct streamer_opts {
	/* input */
	int input_mode;             /* enum input_mode */
	const char *input;          /* cv-mmap target (name or cvmmap:// URI) */
	const char *shm_name;       /* explicit SHM name ... */
	const char *zmq_endpoint;   /* ... with explicit ZMQ endpoint */
	const char *dummy_label;
	long dummy_frames;          /* 0 = endless */
	long dummy_fps;
	long dummy_width, dummy_height;
	const char *nats_url;
	int no_nats;
	int body_sei;               /* 0 off, 1 on */
	int run_mode;               /* enum run_mode */

	/* codec */
	int codec;                  /* enum codec_id */
	int encoder_device;         /* enum encoder_device */
	int preset;                 /* enum x26x_preset */
	long gop;
	long b_frames;
	long bitrate_kbps;          /* 0 = use quality */
	long quality;               /* CRF/CQ; -1 = encoder default */
	long threads;               /* 0 = encoder decides */
	const char *v4l2_device;    /* --v4l2-device; NULL = probe */

	/* latency and limits */
	long queue_size;
	long ingest_max_frames;     /* 0 = unlimited */
	long ingest_idle_timeout_ms;/* 0 = wait forever */
	long stats_interval_ms;     /* 0 = only on exit */
	int latency_sei;            /* 0 off, 1 on: timestamps as SEI in every AU */
	int realtime;               /* --realtime: SCHED_FIFO frame path, locked memory */
	long realtime_priority;     /* its SCHED_FIFO priority, 1..99 */
	const char *cpu_affinity;   /* --cpu-affinity LIST (util/rt.h); NULL = any CPU */

	/* general */
	int bitexact;
	int log_level;              /* enum log_level */
	int help, version;
	int self_test;              /* --self-test: encoder check, no pipeline */

	/* where --NAME-file values live (secrets) */
	struct opt_ctx ctx;
};

/* The optional parts of this build, for --version and build_info;
 * NULL-terminated.  The outputs are the sink table's rows. */
struct build_feature {
	const char *name;
	int on;
};
extern const struct build_feature build_features[];

/* Defaults for every field and every output's options. */
void cli_defaults(struct streamer_opts *o);

/* Parse argv[1..argc-1].  Returns 0, or EXIT_USAGE with a message in err. */
int cli_parse(struct streamer_opts *o, int argc, char **argv,
	      char *err, size_t errlen);

/* Cross-checks after parsing (skipped by the caller for --help/--version),
 * including each enabled output's own.  0, or EXIT_USAGE with err. */
int cli_validate(const struct streamer_opts *o, char *err, size_t errlen);

/* The encoder settings of the command line; the geometry and frame rate
 * (width, height, fps_num, fps_den) are left 0 for the caller. */
void cli_encoder_cfg(const struct streamer_opts *o, struct encoder_cfg *c);

/* Grouped --help text. */
void cli_help(FILE *f, const char *prog);

#endif
