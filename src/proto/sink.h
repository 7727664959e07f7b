/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sink.h - what every output is to the pipeline: one row of a table.
 *
 * The pipeline (core/pipeline.c) knows no protocol.  It asks each row of
 * sink_table[] (sinks.c, built from Kconfig) whether the command line
 * enabled it, opens the enabled ones, hands each encoded access unit to
 * all of them on its I/O thread and polls their sockets.  A sink never
 * blocks: it queues (proto/sendq.h) or drops up to the next keyframe and
 * counts what it dropped.
 *
 * A new output is one file with one `const struct sink_ops`, one row in
 * sinks.c, one Kconfig symbol and one kbuild line (docs/hacking.md).
 *
 * Life of a sink:
 *   defaults(cfg)              before the command line is parsed
 *   [opts rows fill cfg]       the CLI engine merges them into --help
 *   enabled(cfg)               chosen on the command line?
 *   validate(cfg, env, err)    combinations; one line into err, EXIT_USAGE
 *   open(&st, cfg, env)        sockets, buffers (no allocation later)
 *   put / pollfds / service    per AU / per loop turn, I/O thread only
 *   close(st)                  best-effort goodbye (BYE, FCUnpublish ...)
 */
#ifndef CVMMAP_SINK_H
#define CVMMAP_SINK_H

#include "codec/au.h"
#include "codec/codec.h"
#include "codec/pscache.h"
#include "config/opt.h"

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

/* The streamer's --help sections, in this order (config/cli.c); sinks
 * put their rows in G_OUTPUT or G_LATENCY. */
enum cli_group { G_INPUT, G_CODEC, G_OUTPUT, G_LATENCY, G_GENERAL, G_COUNT };

/* What the pipeline tells its sinks about the stream. */
struct sink_env {
	int codec;                  /* enum codec_id */
	int bitexact;               /* --bitexact: no randomness, fixed clocks */
	uint32_t width, height;     /* geometry when known up front, else 0 */
	double fps;                 /* nominal frame rate (30 when unknown) */
	const struct pscache *ps;   /* the stream's parameter sets (I/O thread) */
};

/* What a sink reports to monitoring (core/metrics.c), one shape for all. */
struct sink_metrics {
	unsigned long long bytes;       /* bytes written to the network */
	unsigned long long aus;         /* access units sent */
	unsigned long long dropped;     /* access units dropped (window, offline) */
	unsigned long long connects;    /* connections made (stream sockets) */
	int connected;                  /* can deliver now (1/0) */
};

struct sink_ops {
	const char *name;           /* "rtp": the stats key and log tag */

	/* Command line: the rows (group numbers of enum cli_group) fill
	 * *cfg; defaults() resets it. */
	const struct opt *opts;
	size_t nopts;
	void *cfg;
	void (*defaults)(void *cfg);
	int (*enabled)(const void *cfg);
	/* One line into err and EXIT_USAGE, or 0. */
	int (*validate)(const void *cfg, const struct sink_env *env, char *err, size_t errlen);

	/* 0, or -errno (-EINVAL: a configuration error, exit 2). */
	int (*open)(void **st, const void *cfg, const struct sink_env *env);
	/* One AU, in decode order, ps_gen set; never blocks. */
	void (*put)(void *st, const struct access_unit *au, uint64_t now_ns);
	/* Fill up to max pollfds (fd, events); return how many.  Lower
	 * *timeout_ms to the sink's next deadline (timer-only sinks return
	 * 0 fds and a timeout). */
	int (*pollfds)(void *st, struct pollfd *pfd, int max, int *timeout_ms, uint64_t now_ns);
	/* Work after poll(): pfd[0..n) are the sink's own entries with
	 * revents (all 0 on a timeout).  Called every loop turn. */
	void (*service)(void *st, const struct pollfd *pfd, int n, uint64_t now_ns);
	/* True once when the sink needs a keyframe (new connection, drops). */
	int (*keyframe_wanted)(void *st);
	/* Bytes queued that can still be delivered (the shutdown drain
	 * waits for them); 0 when there is nothing or no connection. */
	size_t (*pending)(const void *st);
	/* Whether the producer's capture timestamps are Unix time (RTCP
	 * sender reports map RTP time to the camera clock).  May be NULL. */
	void (*capture_clock)(void *st, int unix_epoch);
	/* The sink's counters: json 0 for the stats line ("pkts=1 aus=1"),
	 * 1 for the status JSON object ("{...}").  Returns the length. */
	int (*stats)(const void *st, int json, char *buf, size_t cap);
	/* The same counters for metrics (may be NULL: then none). */
	void (*metrics)(const void *st, struct sink_metrics *m);
	void (*close)(void *st);
};

/* pollfds() helper: lower *timeout_ms (poll's; -1 = none) so that poll
 * returns by deadline_ns (0 = no deadline). */
static inline void sink_deadline(int *timeout_ms, uint64_t deadline_ns, uint64_t now_ns)
{
	uint64_t ms;

	if (!deadline_ns)
		return;
	ms = deadline_ns > now_ns ? (deadline_ns - now_ns + 999999) / 1000000 : 0;
	if (*timeout_ms < 0 || ms < (uint64_t)*timeout_ms)
		*timeout_ms = (int)ms;
}

/* keyframe_wanted() helper: a one-shot request flag, read and cleared. */
static inline int sink_take(int *flag)
{
	int r = *flag;

	*flag = 0;
	return r;
}

/* The built-in sinks, NULL-terminated, in the order they get each AU. */
extern const struct sink_ops *const sink_table[];
/* Names of the outputs this build leaves out (their Kconfig is off). */
extern const char *const sink_absent[];

#endif
