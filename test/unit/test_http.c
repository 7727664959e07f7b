/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_http.c - the HTTP request parser and response head (util/http.h),
 * the Prometheus text writer (util/prom.h) and, when built, the metrics
 * page (proto/metrics.h): exact bytes for known input. */
#include "unit.h"
#include "util/http.h"
#include "util/prom.h"
#if CONFIG_METRICS
#include "proto/metrics.h"
#endif

#include <errno.h>

static void t_request_complete_partial_bad(void)
{
	struct http_req r;
	const char *ok = "GET /metrics?x=1 HTTP/1.1\r\nHost: a\r\n\r\nrest";
	char longp[300];

	CHECK_EQ(http_parse_request(ok, strlen(ok), &r), (long long)strlen(ok) - 4);
	CHECK_STR(r.method, "GET");
	CHECK_STR(r.path, "/metrics");
	/* every proper prefix needs more bytes */
	for (size_t n = 0; n < strlen(ok) - 4; n++)
		CHECK_EQ(http_parse_request(ok, n, &r), 0);
	CHECK_EQ(http_parse_request("HEAD /healthz HTTP/1.0\n\n", 24, &r), 24);
	CHECK_STR(r.method, "HEAD");
	CHECK_EQ(http_parse_request("GET\r\n\r\n", 7, &r), -EINVAL);
	CHECK_EQ(http_parse_request("GET / SPDY/3\r\n\r\n", 16, &r), -EINVAL);
	CHECK_EQ(http_parse_request("GET http://x/ HTTP/1.1\r\n\r\n", 26, &r), -EINVAL);
	CHECK_EQ(http_parse_request("VERYLONGMETHOD / HTTP/1.1\r\n\r\n", 29, &r), -EINVAL);
	/* a method is a token, a target visible characters (fuzz_http found
	 * NUL bytes accepted as a method) */
	CHECK_EQ(http_parse_request("G\0T / HTTP/1.1\r\n\r\n", 18, &r), -EINVAL);
	CHECK_EQ(http_parse_request("GET /a\tb HTTP/1.1\r\n\r\n", 21, &r), -EINVAL);
	memset(longp, 'a', sizeof longp);
	memcpy(longp, "GET /", 5);
	memcpy(longp + 200, " HTTP/1.1\r\n\r\n", 13);
	CHECK_EQ(http_parse_request(longp, 213, &r), -ENAMETOOLONG);
}

static void t_response_head(void)
{
	char b[256];
	const char *want = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
			   "Content-Length: 10\r\nConnection: close\r\n\r\n";

	CHECK_EQ(http_response_head(b, sizeof b, 503, "text/plain", 10), strlen(want));
	CHECK_STR(b, want);
	CHECK_EQ(http_response_head(b, 20, 200, "text/plain", 1), 0);
}

static void t_prom_text_and_escaping(void)
{
	char b[256], l[64];
	struct prom p;

	prom_init(&p, b, sizeof b);
	prom_family(&p, "x_total", "counter", "Things.");
	prom_u64(&p, "x_total", prom_labels(l, sizeof l, "k", "a\"b\\c\nd", NULL), 7);
	prom_f64(&p, "y", NULL, 0.25);
	CHECK_STR(b, "# HELP x_total Things.\n# TYPE x_total counter\n"
		     "x_total{k=\"a\\\"b\\\\c\\nd\"} 7\ny 0.25\n");
	CHECK(!p.full);
	/* labels that do not fit come out empty, never cut */
	CHECK_STR(prom_labels(l, 8, "sink", "rtmp", NULL), "");
	CHECK_STR(prom_labels(l, sizeof l, "a", "1", "b", "2", NULL), "{a=\"1\",b=\"2\"}");
	/* a full buffer keeps whole lines only */
	prom_init(&p, b, 30);
	prom_family(&p, "x_total", "counter", "Things.");
	CHECK(p.full);
	CHECK_EQ(p.len, 0);
	CHECK_STR(b, "");
}

#if CONFIG_METRICS
static void t_metrics_page(void)
{
	static char b[METRICS_PAGE_MAX];
	struct metrics_view v;
	struct prom p;

	memset(&v, 0, sizeof v);
	v.encoder = "x264";
	v.features = "cvmmap,x264";
	v.announced = 10; v.out = 7; v.frames_in = 9; v.pending = 1;
	v.nlost = 2;
	v.lost_name[0] = "late"; v.lost[0] = 2;
	v.lost_name[1] = "queue"; v.lost[1] = 1;
	v.enc_bucket[0] = 3; v.enc_bucket[2] = 4; v.enc_bucket[METRICS_BUCKETS - 1] = 1;
	v.enc_sum = 1.5;
	v.nsinks = 1;
	v.sink_name[0] = "rtmp";
	v.sink[0].bytes = 1234; v.sink[0].connected = 1; v.sink[0].connects = 2;
	v.healthy = 1;
	prom_init(&p, b, sizeof b);
	metrics_render(&v, &p);
	CHECK(!p.full);
	CHECK(strstr(b, "\ncvmmap_streamer_frames_dropped_total{reason=\"late\"} 2\n"));
	CHECK(strstr(b, "\ncvmmap_streamer_frames_out_total 7\n"));
	/* pending goes back to 0: a gauge, never a _total series */
	CHECK(strstr(b, "\n# TYPE cvmmap_streamer_frames_pending gauge\ncvmmap_streamer_frames_pending 1\n"));
	CHECK(!strstr(b, "reason=\"pending\""));
	/* cumulative buckets, +Inf = count */
	CHECK(strstr(b, "\ncvmmap_streamer_encode_seconds_bucket{le=\"0.001\"} 3\n"));
	CHECK(strstr(b, "\ncvmmap_streamer_encode_seconds_bucket{le=\"0.002\"} 3\n"));
	CHECK(strstr(b, "\ncvmmap_streamer_encode_seconds_bucket{le=\"0.005\"} 7\n"));
	CHECK(strstr(b, "\ncvmmap_streamer_encode_seconds_bucket{le=\"+Inf\"} 8\n"));
	CHECK(strstr(b, "\ncvmmap_streamer_encode_seconds_count 8\n"));
	CHECK(strstr(b, "\ncvmmap_streamer_encode_seconds_sum 1.5\n"));
	CHECK(strstr(b, "\ncvmmap_streamer_sink_bytes_total{sink=\"rtmp\"} 1234\n"));
	CHECK(strstr(b, "\ncvmmap_streamer_sink_connected{sink=\"rtmp\"} 1\n"));
	CHECK(strstr(b, "\ncvmmap_streamer_reconnects_total{sink=\"rtmp\"} 2\n"));
	CHECK(strstr(b, "\ncvmmap_streamer_encoder_info{device=\"x264\"} 1\n"));
	CHECK(strstr(b, "features=\"cvmmap,x264\"} 1\n"));
	CHECK_EQ(metrics_bucket(0), 0);
	CHECK_EQ(metrics_bucket(1000000), 0);      /* le is inclusive */
	CHECK_EQ(metrics_bucket(1000001), 1);
	CHECK_EQ(metrics_bucket(60000000000ull), METRICS_BUCKETS - 1);
}
#endif

static const struct unit_case cases[] = {
	UNIT(t_request_complete_partial_bad), UNIT(t_response_head),
	UNIT(t_prom_text_and_escaping),
#if CONFIG_METRICS
	UNIT(t_metrics_page),
#endif
};
UNIT_MAIN(cases)
