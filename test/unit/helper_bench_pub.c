/* SPDX-License-Identifier: GPL-2.0-or-later */
/* helper_bench_pub - benchmark-only cv-mmap producer that notes when each
 * sync is sent (scripts/bench_latency.sh, bench_encode.sh, bench_compare.sh).
 *
 *   helper_bench_pub -i INSTANCE -s WxH [-b frames.bgr] [-a stream.annexb
 *                    [-c h264|h265]] [-r fps] [-n frames] [-d delay_ms]
 *                    [-t trace] [-u]
 *
 * -b: raw BGR frames of WxH (ffmpeg -f rawvideo -pix_fmt bgr24), looped;
 *     without it the LEFT plane is zero.  -a: v2.1 metadata with one
 *     access unit per frame, looped; the stream must carry an AUD before
 *     every AU (x264/x265 "aud=1"), which is where it is cut.
 * Frame i (0-based) has frame_id i + 1 and capture time (i + 1) * period
 * (also the AU's encoded_stream_pts_ns), so a --bitexact streamer's RTP
 * timestamp names the frame: 90 kHz of (i - i0) * period, i0 = the first
 * frame it took.  -d waits after binding before the first frame, so a
 * consumer started first is subscribed when frame 0 is announced.
 * -t writes "i sync_mono_ns" per frame at exit: the CLOCK_MONOTONIC time
 * just before zmq_send() of that frame's sync.  -u: the capture time is
 * instead the Unix time (CLOCK_REALTIME) of that same instant, as a camera
 * with a synced clock stamps it (the latency SEI's glass-to-receiver
 * measure then starts where this trace does); RTP timestamps still name
 * the frame, to within the scheduling jitter.
 *
 * Writes like upstream (docs/contract.md §8): planes, then the 256-byte header
 * in one memcpy, then the 48-byte sync.  The SHM object is sized once
 * for the largest payload.  Not a simulator: no faults, no status.
 */
#define _GNU_SOURCE
#include "codec/nal.h"
#include "ipc/ingest.h"
#include "ipc/cvmmap_meta.h"
#include "ipc/target.h"
#include "ipc/zsync.h"
#include "util/clock.h"
#include "util/exitcodes.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#define MAX_AUS 20000

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* Read a whole file into a malloc'd buffer. */
static uint8_t *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b = NULL;
	long sz;

	if (!f || fseek(f, 0, SEEK_END) || (sz = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET) ||
	    !(b = malloc((size_t)sz)) || fread(b, 1, (size_t)sz, f) != (size_t)sz) {
		fprintf(stderr, "helper_bench_pub: cannot read %s\n", path);
		free(b);
		b = NULL;
	}
	*n = b ? (size_t)sz : 0;
	if (f)
		fclose(f);
	return b;
}

/* Cut an Annex B stream before each AUD; off[] gets count + 1 offsets. */
static size_t split_at_aud(const uint8_t *es, size_t n, size_t *off)
{
	const uint8_t *p = es, *end = es + n;
	struct nal u;
	size_t count = 0;

	while ((p = annexb_next(p, end, &u)) != NULL && count < MAX_AUS) {
		size_t start = (size_t)(u.p - es) - 3;

		if (!nal_is_aud(&u))
			continue;
		if (start > 0 && es[start - 1] == 0)
			start--;
		off[count] = count ? start : 0;   /* anything before AUD 1 joins AU 0 */
		count++;
	}
	if (count)
		off[count] = n;
	return count;
}

int main(int argc, char **argv)
{
	const char *inst = NULL, *bgr_path = NULL, *au_path = NULL, *trace_path = NULL;
	uint32_t w = 0, h = 0, fps = 30;
	long frames = 300, delay_ms = 0, i;
	int codec = 0, c, zero = 0, fd, unix_ts = 0;
	struct cvmmap_target tg;
	char err[160];
	uint8_t *bgr = NULL, *es = NULL, *map;
	size_t bgr_n = 0, es_n = 0, nbgr = 0, naus = 0, au_max = 0, *off = NULL, k;
	uint64_t *sent, period, t0, obj;
	void *zctx, *zpub;
	struct sigaction sa;

	while ((c = getopt(argc, argv, "i:s:b:a:c:r:n:d:t:u")) != -1) {
		switch (c) {
		case 'i': inst = optarg; break;
		case 's': if (sscanf(optarg, "%ux%u", &w, &h) != 2) return EXIT_USAGE; break;
		case 'b': bgr_path = optarg; break;
		case 'a': au_path = optarg; break;
		case 'c': codec = !strcmp(optarg, "h265"); break;
		case 'r': fps = (uint32_t)atoi(optarg); break;
		case 'n': frames = atol(optarg); break;
		case 'd': delay_ms = atol(optarg); break;
		case 't': trace_path = optarg; break;
		case 'u': unix_ts = 1; break;
		default: return EXIT_USAGE;
		}
	}
	if (!inst || !w || !h || !fps || frames <= 0 ||
	    cvmmap_target_resolve(inst, &tg, err, sizeof err)) {
		fprintf(stderr, "helper_bench_pub: need -i INSTANCE -s WxH (see the source)\n");
		return EXIT_USAGE;
	}
	if (bgr_path && !(bgr = slurp(bgr_path, &bgr_n)))
		return EXIT_USAGE;
	nbgr = bgr_n / ((size_t)w * h * 3);
	if (bgr_path && !nbgr) {
		fprintf(stderr, "helper_bench_pub: %s holds no %ux%u BGR frame\n", bgr_path, w, h);
		return EXIT_USAGE;
	}
	if (au_path) {
		if (!(es = slurp(au_path, &es_n)) || !(off = malloc(sizeof *off * (MAX_AUS + 1))))
			return EXIT_USAGE;
		naus = split_at_aud(es, es_n, off);
		if (!naus) {
			fprintf(stderr, "helper_bench_pub: %s has no AUD NAL units\n", au_path);
			return EXIT_USAGE;
		}
		for (k = 0; k < naus; k++)
			if (off[k + 1] - off[k] > au_max)
				au_max = off[k + 1] - off[k];
	}
	sent = calloc((size_t)frames, sizeof *sent);
	obj = CVMMAP_PAYLOAD_OFFSET + (uint64_t)w * h * 3 + au_max;
	fd = shm_open(tg.shm_name, O_CREAT | O_RDWR, 0666);
	if (!sent || fd < 0 || ftruncate(fd, (off_t)obj) < 0 ||
	    (map = mmap(NULL, obj, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)) == MAP_FAILED) {
		fprintf(stderr, "helper_bench_pub: %s: %s\n", tg.shm_name, strerror(errno));
		return EXIT_INIT;
	}
	zctx = zmq_ctx_new();
	zpub = zctx ? zmq_socket(zctx, ZMQ_PUB) : NULL;
	if (!zpub || zmq_setsockopt(zpub, ZMQ_LINGER, &zero, sizeof zero) ||
	    zmq_bind(zpub, tg.zmq_endpoint)) {
		fprintf(stderr, "helper_bench_pub: bind %s: %s\n", tg.zmq_endpoint,
			zmq_strerror(zmq_errno()));
		shm_unlink(tg.shm_name);
		return EXIT_INIT;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (delay_ms)
		clock_sleep_ns((uint64_t)delay_ms * 1000000u);

	period = 1000000000ull / fps;
	t0 = clock_mono_ns();
	for (i = 0; i < frames && !stop; i++) {
		struct cvmmap_meta m;
		struct cvmmap_plane *p = m.plane;
		uint8_t hdr[CVMMAP_META_SIZE], sync[ZSYNC_SIZE];
		uint64_t ts = (uint64_t)(i + 1) * period;
		struct timespec due;
		uint64_t next = t0 + (uint64_t)(i + 1) * period;
		size_t au_len = 0;
		const uint8_t *au = NULL;

		memset(&m, 0, sizeof m);
		m.major = 2;
		m.layout = 2;
		m.frame_id = (uint32_t)(i + 1);
		m.publish_seq = (uint64_t)(i + 1);
		m.capture_ns = ts;
		p[0].active = 1;
		p[0].type = PLANE_LEFT;
		p[0].pixel_format = PIXFMT_BGR;
		p[0].depth = DEPTH_U8;
		p[0].width = w;
		p[0].height = h;
		p[0].stride = w * 3;
		p[0].size = w * 3 * h;
		m.plane_count = 1;
		m.mask = 1;
		if (naus) {
			k = (size_t)i % naus;
			au = es + off[k];
			au_len = off[k + 1] - off[k];
			p[3].active = 1;        /* docs/contract.md §4.7 */
			p[3].type = PLANE_ENCODED_AU;
			p[3].pixel_format = PIXFMT_GRAY;
			p[3].depth = DEPTH_U8;
			p[3].width = p[3].stride = p[3].size = (uint32_t)au_len;
			p[3].height = 1;
			p[3].offset = p[0].size;
			m.plane_count = 2;
			m.mask = 0x09;
			m.minor = 1;
			m.au_codec = codec ? AU_CODEC_H265 : AU_CODEC_H264;
			m.au_format = 1;
			m.au_flags = annexb_is_keyframe(codec, au, au_len) ? CVMMAP_AU_FLAG_KEYFRAME : 0;
			m.fps_num = (uint16_t)fps;
			m.fps_den = 1;
			m.au_pts_ns = ts;
		}
		m.payload_size = p[0].size + (uint32_t)au_len;
		if (nbgr)               /* docs/contract.md §8: planes ... */
			memcpy(map + CVMMAP_PAYLOAD_OFFSET,
			       bgr + (size_t)(i % (long)nbgr) * p[0].size, p[0].size);
		if (au_len)
			memcpy(map + CVMMAP_PAYLOAD_OFFSET + p[3].offset, au, au_len);
		if (unix_ts)
			ts = m.capture_ns = m.au_pts_ns = clock_wall_ns();
		cvmmap_meta_build(hdr, &m);
		memcpy(map, hdr, sizeof hdr);   /* ... header ... */
		zsync_build(sync, m.frame_id, ts, tg.label, 0);
		sent[i] = clock_mono_ns();      /* ... sync */
		if (zmq_send(zpub, sync, sizeof sync, 0) < 0)
			fprintf(stderr, "helper_bench_pub: sync: %s\n", zmq_strerror(zmq_errno()));
		due.tv_sec = (time_t)(next / 1000000000u);
		due.tv_nsec = (long)(next % 1000000000u);
		while (!stop && clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &due, NULL) == EINTR)
			;
	}
	if (trace_path) {
		FILE *f = fopen(trace_path, "w");
		long j;

		for (j = 0; f && j < i; j++)
			fprintf(f, "%ld %llu\n", j, (unsigned long long)sent[j]);
		if (!f || fclose(f))
			fprintf(stderr, "helper_bench_pub: cannot write %s\n", trace_path);
	}
	fprintf(stderr, "helper_bench_pub: %ld frames (%zu AUs, %zu BGR frames looped)\n",
		i, naus, nbgr);
	zmq_close(zpub);
	zctx_term(zctx);
	if (!strncmp(tg.zmq_endpoint, "ipc://", 6))
		unlink(tg.zmq_endpoint + 6);
	munmap(map, obj);
	close(fd);
	shm_unlink(tg.shm_name);
	free(sent);
	free(bgr);
	free(es);
	free(off);
	return EXIT_OK;
}
