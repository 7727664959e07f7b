/* SPDX-License-Identifier: GPL-2.0-or-later */
/* helper_rtmp_send - drive the RTMP sink from an Annex B file (test only),
 * through its sink_ops row exactly as the pipeline does.
 *
 *   helper_rtmp_send --codec h264|h265 [--mode enhanced|domestic] --in FILE
 *                    --url rtmp://127.0.0.1:P/live/x [--fps 25]
 *                    [--loop-seconds S] [--frames N] [--window-ms MS]
 *                    [--reconnect-min-ms MS] [--reconnect-max-ms MS]
 *                    [--wait-publish-ms MS]
 *
 * AUs are split at access unit delimiters (encode the file with
 * aud=1), paced at --fps through a poll() loop exactly as the pipeline
 * would drive the sink.  The clock starts once the sink publishes (or
 * after --wait-publish-ms).  With --loop-seconds the file repeats with
 * continuing timestamps until S seconds have passed.  Prints the sink's
 * counters; exit 0 when it published at least once.
 */
#define _GNU_SOURCE
#include "codec/nal.h"
#include "codec/paramsets.h"
#include "codec/pscache.h"
#include "proto/flv.h"
#include "proto/rtmp_sink.h"
#include "util/clock.h"

#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_AUS 100000

static uint8_t *load(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b = NULL;
	long sz;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (sz = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (b = malloc((size_t)sz)) != NULL && fread(b, 1, (size_t)sz, f) != (size_t)sz) {
		free(b);
		b = NULL;
	}
	*n = b ? (size_t)sz : 0;
	fclose(f);
	return b;
}

static const struct sink_ops *ops = &rtmp_sink_ops;

/* Service the sink until deadline (mono ns). */
static void run_until(void *s, uint64_t deadline)
{
	for (;;) {
		uint64_t now = clock_mono_ns();
		struct pollfd pfd;
		int timeout, r, n;

		if (now >= deadline)
			return;
		timeout = (int)((deadline - now + 999999) / 1000000);
		n = ops->pollfds(s, &pfd, 1, &timeout, now);
		r = poll(&pfd, (nfds_t)n, timeout);
		if (r <= 0)
			pfd.revents = 0;
		ops->service(s, &pfd, n, clock_mono_ns());
	}
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "codec", 1, 0, 'c' }, { "mode", 1, 0, 'm' }, { "in", 1, 0, 'i' },
		{ "url", 1, 0, 'u' }, { "fps", 1, 0, 'f' }, { "loop-seconds", 1, 0, 'l' },
		{ "frames", 1, 0, 'n' }, { "window-ms", 1, 0, 'w' },
		{ "reconnect-min-ms", 1, 0, 'r' }, { "reconnect-max-ms", 1, 0, 'R' },
		{ "wait-publish-ms", 1, 0, 'W' }, { 0, 0, 0, 0 }
	};
	static size_t au_off[MAX_AUS + 1];
	static struct pscache psc;
	struct rtmp_opts *cfg = ops->cfg;
	struct sink_env env;
	void *s;
	struct rtmp_sink_stats st;
	struct param_sets ps;
	struct sps_info si;
	struct nal u;
	const char *in = NULL;
	double fps = 25, loop_s = 0;
	long max_frames = 0, wait_ms = 5000, kf_requests = 0;
	const uint8_t *p, *end;
	uint8_t *data;
	size_t n, naus = 0, i;
	uint64_t t0, frame_ns, k;
	int c;

	signal(SIGPIPE, SIG_IGN);
	ops->defaults(cfg);
	memset(&env, 0, sizeof env);
	env.ps = &psc;
	cfg->enable = 1;
	cfg->mode = RTMP_MODE_ENHANCED;
	cfg->reconnect_min_ms = 200;
	cfg->reconnect_max_ms = 2000;
	cfg->send_window_ms = 700;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'c': env.codec = !strcmp(optarg, "h265") ? CODEC_H265 : CODEC_H264; break;
		case 'm': cfg->mode = !strcmp(optarg, "domestic") ? RTMP_MODE_DOMESTIC :
					RTMP_MODE_ENHANCED; break;
		case 'i': in = optarg; break;
		case 'u': cfg->url = optarg; break;
		case 'f': fps = atof(optarg); break;
		case 'l': loop_s = atof(optarg); break;
		case 'n': max_frames = atol(optarg); break;
		case 'w': cfg->send_window_ms = atoi(optarg); break;
		case 'r': cfg->reconnect_min_ms = atoi(optarg); break;
		case 'R': cfg->reconnect_max_ms = atoi(optarg); break;
		case 'W': wait_ms = atol(optarg); break;
		default:
			fprintf(stderr, "helper_rtmp_send: bad option\n");
			return 2;
		}
	}
	if (!in || !cfg->url || fps <= 0 || !(data = load(in, &n))) {
		fprintf(stderr, "helper_rtmp_send: need --in FILE (readable) --url URL\n");
		return 2;
	}
	/* AU boundaries: the start code in front of each AUD */
	p = data;
	end = data + n;
	while ((p = annexb_next(p, end, &u)) != NULL && naus < MAX_AUS) {
		if (nal_is_aud(&u))
			au_off[naus++] = (size_t)(u.p - 3 - data);
	}
	au_off[naus] = n;
	if (!naus) {
		fprintf(stderr, "helper_rtmp_send: no AUDs in %s (encode with aud=1)\n", in);
		return 2;
	}
	env.fps = fps;
	if (paramsets_extract(env.codec, data, n, &ps) == 0 &&
	    sps_parse(env.codec, &ps.sps, &si) == 0) {
		env.width = si.width;
		env.height = si.height;
	}
	if (ops->open(&s, cfg, &env) < 0)
		return 2;
	/* wait for the first publish so that no frame is discarded */
	t0 = clock_mono_ns();
	while (clock_mono_ns() - t0 < (uint64_t)wait_ms * 1000000u) {
		rtmp_sink_get_stats(s, &st);
		if (st.state == RTMP_PUBLISHING)
			break;
		run_until(s, clock_mono_ns() + 5000000);
	}
	frame_ns = (uint64_t)(1e9 / fps);
	t0 = clock_mono_ns();
	for (k = 0;; k++) {
		struct access_unit au;

		i = (size_t)(k % naus);
		if (max_frames && k >= (uint64_t)max_frames)
			break;
		if (!loop_s && k >= naus)
			break;
		if (loop_s && k * frame_ns >= (uint64_t)(loop_s * 1e9))
			break;
		run_until(s, t0 + k * frame_ns);
		if (ops->keyframe_wanted(s))
			kf_requests++;      /* a file cannot make IDRs: the sink waits */
		memset(&au, 0, sizeof au);
		au.data = data + au_off[i];
		au.size = au.cap = au_off[i + 1] - au_off[i];
		au.codec = env.codec;
		au.keyframe = annexb_is_keyframe(env.codec, au.data, au.size);
		au.pts_ns = au.dts_ns = k * frame_ns;
		au.seq = (uint32_t)k;
		/* what the pipeline's io thread does before the sinks */
		au_scan(&au);
		if (au.has_ps)
			pscache_update(&psc, &au.ps);
		au.ps_gen = psc.gen;
		ops->put(s, &au, clock_mono_ns());
	}
	run_until(s, clock_mono_ns() + 300000000);  /* let the queue drain */
	rtmp_sink_get_stats(s, &st);
	printf("helper_rtmp_send: %llu AUs put, %llu sent, %llu dropped, %llu connects, "
	       "%llu disconnects, %llu sequence headers, %llu bytes, %ld keyframe requests\n",
	       (unsigned long long)k, (unsigned long long)st.aus_sent,
	       (unsigned long long)st.aus_dropped, (unsigned long long)st.connects,
	       (unsigned long long)st.disconnects, (unsigned long long)st.seq_headers,
	       (unsigned long long)st.bytes_sent, kf_requests);
	ops->close(s);
	free(data);
	return st.connects ? 0 : 1;
}
