/* SPDX-License-Identifier: GPL-2.0-or-later */
/* helper_rtp_send - test-only sender: an Annex B file through rtp_sink.
 *
 *   helper_rtp_send --codec h264|h265 --in FILE --endpoint HOST:PORT
 *                   [--pt 96] [--sdp FILE] [--fps 25] [--mtu 1200]
 *                   [--bitexact] [--no-rtcp] [--aggregate] [--frames N]
 *
 * The file is cut into access units at access unit delimiters (encode
 * with -x264-params aud=1 / -x265-params aud=1); AU i gets pts i/fps and
 * is sent at that time after the start; the sink is closed one period
 * after the last AU.  Prints one stats line.
 * Exit: 0 sent, 2 usage, 5 cannot read the file or open the sink.
 */
#include "codec/au.h"
#include "codec/nal.h"
#include "codec/pscache.h"
#include "proto/rtp_sink.h"
#include "util/clock.h"
#include "util/exitcodes.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint8_t *read_file(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long len;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) > 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)len)) != NULL &&
	    fread(buf, 1, (size_t)len, f) != (size_t)len) {
		free(buf);
		buf = NULL;
	}
	if (buf)
		*n = (size_t)len;
	fclose(f);
	return buf;
}

/* End of the AU starting at p: where the next AUD's start code begins. */
static const uint8_t *au_end(int codec, const uint8_t *p, const uint8_t *end)
{
	const uint8_t *q = p, *prev_end = NULL;
	struct nal u;

	while ((q = annexb_next(q, end, &u)) != NULL) {
		int aud = nal_type(codec, &u) == (codec ? H265_NAL_AUD : H264_NAL_AUD);

		if (aud && prev_end)
			return prev_end;
		prev_end = u.p + u.n;
	}
	return end;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "codec", 1, 0, 'c' }, { "in", 1, 0, 'i' }, { "endpoint", 1, 0, 'e' },
		{ "pt", 1, 0, 'p' }, { "sdp", 1, 0, 's' }, { "fps", 1, 0, 'f' },
		{ "mtu", 1, 0, 'm' }, { "bitexact", 0, 0, 'b' }, { "no-rtcp", 0, 0, 'r' },
		{ "aggregate", 0, 0, 'a' }, { "frames", 1, 0, 'n' }, { 0, 0, 0, 0 }
	};
	const struct sink_ops *ops = &rtp_sink_ops;
	static struct pscache psc;
	struct rtp_opts *cfg = ops->cfg;
	struct sink_env env = { CODEC_H264, 0, 0, 0, 25.0, &psc };
	void *s;
	struct rtp_sink_stats st;
	const char *in = NULL;
	const uint8_t *p, *end;
	uint8_t *data;
	size_t n;
	long fps = 25, frames = -1, i;
	uint64_t t0, period;
	int c, ret;

	ops->defaults(cfg);
	cfg->enable = 1;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'c': env.codec = !strcmp(optarg, "h265") ? CODEC_H265 : CODEC_H264; break;
		case 'i': in = optarg; break;
		case 'e': cfg->endpoint = optarg; break;
		case 'p': cfg->payload_type = atoi(optarg); break;
		case 's': cfg->sdp = optarg; break;
		case 'f': fps = atol(optarg); break;
		case 'm': cfg->mtu = atoi(optarg); break;
		case 'b': env.bitexact = 1; break;
		case 'r': cfg->no_rtcp = 1; break;
		case 'a': cfg->aggregate = 1; break;
		case 'n': frames = atol(optarg); break;
		default: return EXIT_USAGE;
		}
	}
	if (!in || !cfg->endpoint || fps < 1) {
		fprintf(stderr, "helper_rtp_send: need --in FILE --endpoint HOST:PORT\n");
		return EXIT_USAGE;
	}
	if (!(data = read_file(in, &n))) {
		fprintf(stderr, "helper_rtp_send: cannot read %s\n", in);
		return EXIT_INIT;
	}
	if ((ret = ops->open(&s, cfg, &env)) < 0) {
		fprintf(stderr, "helper_rtp_send: open: %s\n", strerror(-ret));
		free(data);
		return ret == -EINVAL ? EXIT_USAGE : EXIT_INIT;
	}
	period = 1000000000u / (uint64_t)fps;
	t0 = clock_mono_ns();
	end = data + n;
	for (p = data, i = 0; p < end && i != frames; i++) {
		const uint8_t *e = au_end(env.codec, p, end);
		struct pollfd none;
		int to = 0;
		struct access_unit au;
		uint64_t due = t0 + (uint64_t)i * period, now = clock_mono_ns();

		if (now < due)
			clock_sleep_ns(due - now);
		memset(&au, 0, sizeof au);
		au.data = (uint8_t *)p;
		au.size = au.cap = (size_t)(e - p);
		au.codec = env.codec;
		au.keyframe = annexb_is_keyframe(env.codec, p, au.size);
		au.pts_ns = au.dts_ns = au.capture_ns = (uint64_t)i * period;
		au.sync_mono_ns = clock_mono_ns();
		au.seq = (uint32_t)i;
		/* what the pipeline's io thread does before the sinks */
		au_scan(&au);
		if (au.has_ps)
			pscache_update(&psc, &au.ps);
		au.ps_gen = psc.gen;
		ops->put(s, &au, au.sync_mono_ns);
		ops->pollfds(s, &none, 0, &to, clock_mono_ns());
		ops->service(s, &none, 0, clock_mono_ns());
		p = e;
	}
	/* Keep the pacing to the end: close (RTCP BYE) one frame period after
	 * the last AU, as a live source would.  FFmpeg reads a pending RTCP
	 * packet before pending RTP ones (rtpproto.c rtp_read) and stops at
	 * BYE, so a BYE sent together with the last AU loses that AU. */
	{
		uint64_t due = t0 + (uint64_t)i * period, now = clock_mono_ns();

		if (now < due)
			clock_sleep_ns(due - now);
	}
	ops->service(s, NULL, 0, clock_mono_ns());
	rtp_sink_get_stats(s, &st);
	ops->close(s);
	free(data);
	fprintf(stderr, "helper_rtp_send: %llu aus %llu packets %llu bytes %llu send_errors "
		"%llu rtcp\n", (unsigned long long)st.aus, (unsigned long long)st.packets,
		(unsigned long long)st.bytes, (unsigned long long)st.send_errors,
		(unsigned long long)st.rtcp_packets);
	return EXIT_OK;
}
