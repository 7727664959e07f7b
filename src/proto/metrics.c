/* SPDX-License-Identifier: GPL-2.0-or-later */
/* metrics.c - see metrics.h.  Metric names follow the Prometheus naming
 * conventions (prometheus.io/docs/practices/naming): a cvmmap_streamer_
 * prefix, base units (seconds, bytes), _total on counters. */
#include "proto/metrics.h"
#include "util/exitcodes.h"
#include "util/url.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define P "cvmmap_streamer_"

struct metrics_cfg metrics_cfg;

const struct opt metrics_rows[] = {
	{ "metrics-listen", OPT_STR, G_GENERAL, 0, OPT_OFF(struct metrics_cfg, listen), 0, 0,
	  NULL, "[HOST:]PORT", "serve /metrics (Prometheus) and /healthz over HTTP (default off)",
	  NULL, NULL },
	{ "healthz-window-ms", OPT_LONG, G_GENERAL, 0,
	  OPT_OFF(struct metrics_cfg, healthz_window_ms), 1, OPT_MS_MAX, NULL, "MS",
	  "/healthz is 200 while frames went out within MS (default 2000)", NULL, NULL },
};
const size_t metrics_nrows = sizeof metrics_rows / sizeof metrics_rows[0];

void metrics_defaults(void)
{
	memset(&metrics_cfg, 0, sizeof metrics_cfg);
	metrics_cfg.healthz_window_ms = 2000;
}

int metrics_validate(char *err, size_t errlen)
{
	const char *s = metrics_cfg.listen;
	char host[256];
	unsigned port;

	if (!s)
		return 0;
	if (listen_parse(s, host, sizeof host, &port)) {
		snprintf(err, errlen, "--metrics-listen '%s': want [HOST:]PORT, port 1..65535", s);
		return EXIT_USAGE;
	}
	return 0;
}

const double metrics_le[METRICS_BUCKETS] = {
	0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, INFINITY,
};

int metrics_bucket(uint64_t ns)
{
	double s = (double)ns / 1e9;
	int i;

	for (i = 0; i < METRICS_BUCKETS - 1 && s > metrics_le[i]; i++)
		;
	return i;
}

static void counter(struct prom *p, const char *name, const char *help,
		    unsigned long long v)
{
	prom_family(p, name, "counter", help);
	prom_u64(p, name, NULL, v);
}

/* One family with a sample per sink: field at offset off of sink_metrics. */
static void per_sink(struct prom *p, const struct metrics_view *v, const char *name,
		     const char *type, const char *help, size_t off, int is_int)
{
	char l[64];
	int i;

	prom_family(p, name, type, help);
	for (i = 0; i < v->nsinks; i++) {
		const char *m = (const char *)&v->sink[i] + off;

		prom_u64(p, name, prom_labels(l, sizeof l, "sink", v->sink_name[i], NULL),
			 is_int ? (unsigned long long)*(const int *)m :
			 *(const unsigned long long *)m);
	}
}

void metrics_render(const struct metrics_view *v, struct prom *p)
{
	unsigned long long cum = 0, n = 0;
	char l[512], le[32];
	int i;

	prom_family(p, P "build_info", "gauge", "Version and built-in features, always 1.");
	prom_u64(p, P "build_info", prom_labels(l, sizeof l, "version", CVMMAP_VERSION,
						 "features", v->features, NULL), 1);
	prom_family(p, P "encoder_info", "gauge", "The running encoder back-end, always 1.");
	prom_u64(p, P "encoder_info", prom_labels(l, sizeof l, "device", v->encoder, NULL), 1);
	prom_family(p, P "up", "gauge", "1 while access units went out within the health window.");
	prom_u64(p, P "up", NULL, (unsigned long long)v->healthy);

	counter(p, P "frames_announced_total", "Frames the producer announced.", v->announced);
	counter(p, P "frames_in_total", "Frames copied out of shared memory.", v->frames_in);
	counter(p, P "frames_out_total", "Access units handed to the outputs.", v->out);
	prom_family(p, P "frames_dropped_total", "counter",
		    "Frames lost, by reason; announced = out + the sum of these.");
	for (i = 0; i < v->nlost; i++)
		prom_u64(p, P "frames_dropped_total",
			 prom_labels(l, sizeof l, "reason", v->lost_name[i], NULL), v->lost[i]);
	prom_family(p, P "frames_pending", "gauge",
		    "Frames announced and not read yet (0 or 1); at exit a pending frame is lost.");
	prom_u64(p, P "frames_pending", NULL, v->pending);
	counter(p, P "bytes_out_total", "Bytes of access units handed to the outputs.",
		v->bytes_out);
	counter(p, P "input_resets_total", "Producer stream resets seen.", v->resets);
	counter(p, P "input_reattached_total", "Shared-memory objects re-opened.",
		v->reattached);
	counter(p, P "encoder_reopens_total", "Encoders opened after the first.", v->reopens);

	prom_family(p, P "encode_seconds", "histogram",
		    "Time the encode stage spent on one frame.");
	for (i = 0; i < METRICS_BUCKETS; i++) {
		cum += v->enc_bucket[i];
		if (i == METRICS_BUCKETS - 1)
			snprintf(le, sizeof le, "+Inf");
		else
			snprintf(le, sizeof le, "%g", metrics_le[i]);
		prom_u64(p, P "encode_seconds_bucket", prom_labels(l, sizeof l, "le", le, NULL),
			 cum);
	}
	n = cum;
	prom_f64(p, P "encode_seconds_sum", NULL, v->enc_sum);
	prom_u64(p, P "encode_seconds_count", NULL, n);

	per_sink(p, v, P "sink_bytes_total", "counter", "Bytes an output wrote.",
		 offsetof(struct sink_metrics, bytes), 0);
	per_sink(p, v, P "sink_access_units_total", "counter", "Access units an output sent.",
		 offsetof(struct sink_metrics, aus), 0);
	per_sink(p, v, P "sink_dropped_total", "counter",
		 "Access units an output dropped (send window, offline).",
		 offsetof(struct sink_metrics, dropped), 0);
	per_sink(p, v, P "reconnects_total", "counter",
		 "Connections an output made (stream outputs).",
		 offsetof(struct sink_metrics, connects), 0);
	per_sink(p, v, P "sink_connected", "gauge", "1 while an output can deliver.",
		 offsetof(struct sink_metrics, connected), 1);

	counter(p, P "http_requests_total", "Requests this endpoint answered.",
		v->http_requests);
	counter(p, P "http_refused_total", "Connections refused: every slot was busy.",
		v->http_busy);
	counter(p, P "http_bad_requests_total", "Malformed, oversized or timed-out requests.",
		v->http_bad);
}
