/* SPDX-License-Identifier: GPL-2.0-or-later */
/* metrics.h - Prometheus metrics and a health probe (CONFIG_METRICS).
 *
 * --metrics-listen [HOST:]PORT serves GET /metrics (text exposition
 * format 0.0.4) and GET /healthz (200 while access units went out within
 * --healthz-window-ms, else 503) from the pipeline's I/O loop through
 * util/httpd.c.  The pipeline fills a struct metrics_view from the same
 * snapshot as its stats line; metrics_render() turns it into text (pure,
 * unit-tested).  Names and labels: docs/metrics.md.
 */
#ifndef CVMMAP_METRICS_H
#define CVMMAP_METRICS_H

#include "config/opt.h"
#include "proto/sink.h"
#include "util/prom.h"

#define METRICS_BUCKETS 10      /* encode_seconds buckets, +Inf included */
#define METRICS_REASONS 32
#define METRICS_SINKS 8
#define METRICS_PAGE_MAX (32 * 1024)

struct metrics_cfg {
	const char *listen;         /* NULL: off */
	long healthz_window_ms;
};
extern struct metrics_cfg metrics_cfg;
extern const struct opt metrics_rows[];
extern const size_t metrics_nrows;
void metrics_defaults(void);
/* One line into err and EXIT_USAGE, or 0. */
int metrics_validate(char *err, size_t errlen);

/* Upper bounds (seconds) of the encode_seconds buckets; the last is +Inf. */
extern const double metrics_le[METRICS_BUCKETS];

struct metrics_view {
	const char *encoder;        /* running back-end: "x264", "passthrough" ... */
	const char *features;       /* "cvmmap,x264,...,rtp,rtmp" (build_features) */
	unsigned long long announced, frames_in, out, bytes_out;
	unsigned long long resets, reattached, reopens;
	unsigned long long pending;  /* announced, not read yet: a gauge (0 or 1) */
	int nlost;                  /* frames_dropped_total: counters only */
	const char *lost_name[METRICS_REASONS];
	unsigned long long lost[METRICS_REASONS];
	unsigned long long enc_bucket[METRICS_BUCKETS];  /* per bucket, not cumulative */
	double enc_sum;             /* seconds */
	int nsinks;
	const char *sink_name[METRICS_SINKS];
	struct sink_metrics sink[METRICS_SINKS];
	unsigned long long http_requests, http_busy, http_bad;
	int healthy;
};

void metrics_render(const struct metrics_view *v, struct prom *p);

/* Index of the encode_seconds bucket for a duration in ns. */
int metrics_bucket(uint64_t ns);

#endif
