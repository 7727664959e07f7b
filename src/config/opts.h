/* SPDX-License-Identifier: GPL-2.0-or-later */
/* opts.h - the streamer's command line, parsed and validated (pure code).
 *
 * cli_parse() fills struct streamer_opts from argv; cli_validate() checks
 * combinations against each other and against the built-in features.
 * Both write one human-readable line into err and return an exit code
 * (0 or EXIT_USAGE); neither prints nor exits, so both are unit-tested.
 * String fields point into argv (or at static defaults): nothing is
 * allocated.
 */
#ifndef CVMMAP_OPTS_H
#define CVMMAP_OPTS_H

#include "codec/codec.h"
#include "codec/encoder.h"

#include <stddef.h>
#include <stdio.h>

enum input_mode { INPUT_CVMMAP, INPUT_DUMMY };
enum run_mode { RUN_PIPELINE, RUN_INGEST };
enum rtmp_mode { RTMP_MODE_UNSET, RTMP_MODE_ENHANCED, RTMP_MODE_DOMESTIC };

extern const char *const input_mode_names[];
extern const char *const run_mode_names[];
extern const char *const rtmp_mode_names[];
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

	/* outputs */
	int rtp;
	const char *rtp_endpoint;   /* HOST:PORT, [v6]:PORT */
	long rtp_payload_type;
	const char *rtp_sdp;
	long rtp_mtu;
	int no_rtcp;
	int rtmp;
	const char *rtmp_url;
	int rtmp_mode;              /* enum rtmp_mode */
	long rtmp_reconnect_min_ms;
	long rtmp_reconnect_max_ms;
	long rtmp_send_window_ms;

	/* latency and limits */
	long queue_size;
	long ingest_max_frames;     /* 0 = unlimited */
	long ingest_idle_timeout_ms;/* 0 = wait forever */
	long stats_interval_ms;     /* 0 = only on exit */

	/* general */
	int bitexact;
	int log_level;              /* enum log_level */
	int help, version;
};

/* Defaults for every field. */
void cli_defaults(struct streamer_opts *o);

/* Parse argv[1..argc-1].  Accepts "--name value" and "--name=value".
 * Returns 0, or EXIT_USAGE with a message in err. */
int cli_parse(struct streamer_opts *o, int argc, char **argv,
	      char *err, size_t errlen);

/* Cross-checks after parsing (skipped by the caller for --help/--version).
 * Returns 0, or EXIT_USAGE with a message in err. */
int cli_validate(const struct streamer_opts *o, char *err, size_t errlen);

/* Grouped --help text. */
void cli_help(FILE *f, const char *prog);

/* Split "host:port", "[v6]:port" or "v6addr" forms.  host is copied into
 * host[hostlen].  Returns 0, or -1 on a malformed string or bad port. */
int cli_split_hostport(const char *s, char *host, size_t hostlen,
		       unsigned *port);

#endif
