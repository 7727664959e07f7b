/* SPDX-License-Identifier: GPL-2.0-or-later */
/* helper_misbehave - a cv-mmap producer that misbehaves on cue (test only).
 *
 *   helper_misbehave --instance NAME [--frames N] [--fps N] [--start-delay-ms MS]
 *                    [--annexb FILE --codec h264|h265]   (v2.1: one AU per frame)
 *                    [--pts FILE]                         (B-frames: see below)
 *                    [--size WxH] [--script SPEC] [--every KIND:N]
 *                    [--flip WxH]                         (alternate sizes)
 *
 * Without --annexb every frame is v2.0 BGR (the test pattern of its id);
 * with it, every frame is v2.1 and carries the next access unit of FILE
 * (split at AUDs; the file's first AU starts the loop) plus BGR pixels.
 * SPEC is a comma list "N:KIND" (frame N, counted from 1, gets KIND);
 * --every KIND:N gives KIND to every Nth frame.  The kinds are the
 * misbehaviours an independent hostile producer found (issue 17):
 *
 *   reject   metadata that fails validation (payload beyond the object)
 *   noau     a v2.0 frame (no AU) in a v2.1 stream
 *   dup      the frame's sync is sent twice
 *   flood    the frame's sync is sent 200 times
 *   late     the frame is written, but its sync goes out only after the
 *            next frame replaced it in SHM (so it announces a stale frame)
 *   skip     the frame is not published at all (a hole in the ids)
 *   tiny     an 8x8 frame
 *   huge     a 3900x2160 frame (over the width limit, within the slot)
 *   wide     a 4000x100 GRAY frame
 *   fmt      pixel format 5 (YUV, not convertible)
 *   fps      a frame-rate hint of 65535/1 (v2.1)
 *
 * --pts FILE gives each AU of --annexb (in decode order) its presentation
 * index, one integer per line: the AU's encoded_stream_pts_ns is then
 * the first frame's time + index / fps, while capture times keep rising
 * by 1 / fps per frame (the decode order), as a producer encoding with
 * B-frames publishes them.
 * --flip WxH alternates every frame between --size and WxH.  At the end
 * one line "misbehave: frames=N published=N syncs=N valid_aus=N ..." says
 * what went out.  Exit: 0 done, 2 usage, 5 SHM/ZMQ setup failed.
 */
#include "codec/nal.h"
#include "ipc/ingest.h"
#include "ipc/cvmmap_meta.h"
#include "ipc/pattern.h"
#include "ipc/target.h"
#include "ipc/zsync.h"
#include "util/clock.h"
#include "util/exitcodes.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#define MAX_FRAMES 100000
#define MAX_AUS 4096
#define BIG_W 4000u
#define BIG_H 2160u

enum kind { K_NONE, K_REJECT, K_NOAU, K_DUP, K_FLOOD, K_LATE, K_SKIP, K_TINY, K_HUGE,
	    K_WIDE, K_FMT, K_FPS, K_COUNT };
static const char *const kind_name[K_COUNT] = {
	"none", "reject", "noau", "dup", "flood", "late", "skip", "tiny", "huge", "wide",
	"fmt", "fps"
};

struct prod {
	int fd;
	void *zpub;
	struct cvmmap_target tg;
	uint8_t *pix;           /* BIG_W x BIG_H x 3 */
	uint8_t *annexb;
	size_t au_off[MAX_AUS + 1];
	size_t naus, next_au;
	long pts[MAX_AUS];      /* presentation index per AU (--pts), or -1 */
	unsigned long loops;    /* times the file was replayed */
	uint64_t ts0;           /* the first frame's timestamp */
	int codec;              /* cv-mmap AU codec value, 0: no --annexb */
	uint32_t w, h, fw, fh, fps;
	unsigned char kinds[MAX_FRAMES + 2];
	uint64_t size;
	unsigned long published, syncs, aus;
};

static int put(const struct prod *p, const void *b, size_t n, uint64_t off)
{
	return pwrite(p->fd, b, n, (off_t)off) == (ssize_t)n ? 0 : -1;
}

static void sync_out(struct prod *p, uint32_t id, uint64_t ts, int times)
{
	uint8_t sync[ZSYNC_SIZE];

	zsync_build(sync, id, ts, p->tg.label, 0);
	while (times-- > 0) {
		zmq_send(p->zpub, sync, sizeof sync, ZMQ_DONTWAIT);
		p->syncs++;
	}
}

/* Write frame id of kind k into SHM (payload first, metadata last). */
static int write_frame(struct prod *p, enum kind k, uint32_t id, uint64_t ts, uint32_t w,
		       uint32_t h)
{
	uint8_t hdr[CVMMAP_META_SIZE];
	struct cvmmap_meta m;
	struct cvmmap_plane *l = &m.plane[0];
	unsigned fmt = PIXFMT_BGR, ch = 3;
	uint64_t need;

	if (k == K_TINY)
		w = h = 8;
	else if (k == K_HUGE)
		w = 3900, h = BIG_H;
	else if (k == K_WIDE)
		w = BIG_W, h = 100, fmt = PIXFMT_GRAY, ch = 1;
	else if (k == K_FMT)
		fmt = PIXFMT_YUV, ch = 3;
	memset(&m, 0, sizeof m);
	m.major = m.layout = 2;
	m.frame_id = id;
	m.capture_ns = ts;
	m.publish_seq = id;
	l->active = 1;
	l->type = PLANE_LEFT;
	l->pixel_format = (uint8_t)fmt;
	l->depth = DEPTH_U8;
	l->width = w;
	l->height = h;
	l->stride = w * ch;
	l->size = l->stride * h;
	m.payload_size = l->size;
	if (fmt == PIXFMT_YUV)
		memset(p->pix, 0x80, l->size);
	else
		cvmmap_pattern_fill(fmt, p->pix, w, h, l->stride, id);
	if (p->codec && k != K_NOAU) {
		size_t i = p->next_au, n = p->au_off[i + 1] - p->au_off[i];
		const uint8_t *au = p->annexb + p->au_off[i];
		struct cvmmap_plane *a = &m.plane[PLANE_ENCODED_AU];

		p->next_au = (i + 1) % p->naus;
		a->active = 1;
		a->type = PLANE_ENCODED_AU;
		a->pixel_format = PIXFMT_GRAY;
		a->depth = DEPTH_U8;
		a->width = a->stride = a->size = (uint32_t)n;
		a->height = 1;
		a->offset = l->size;
		m.payload_size += (uint32_t)n;
		m.minor = 1;
		m.au_codec = (uint8_t)p->codec;
		m.au_format = 1;
		m.au_flags = annexb_is_keyframe(p->codec == AU_CODEC_H265, au, n) ?
			     CVMMAP_AU_FLAG_KEYFRAME : 0;
		m.fps_num = (uint16_t)(k == K_FPS ? 65535 : p->fps);
		m.fps_den = 1;
		m.au_pts_ns = p->pts[i] < 0 ? ts : p->ts0 + ((uint64_t)p->pts[i] +
			      p->loops * p->naus) * 1000000000u / p->fps;
		if (!p->next_au)
			p->loops++;     /* the replay's presentation times go on */
		if (put(p, au, n, CVMMAP_PAYLOAD_OFFSET + a->offset) < 0)
			return -1;
		p->aus++;
	}
	m.plane_count = (uint8_t)(1 + (m.plane[PLANE_ENCODED_AU].active != 0));
	m.mask = (uint8_t)(1 | (m.plane[PLANE_ENCODED_AU].active ? 8 : 0));
	need = CVMMAP_PAYLOAD_OFFSET + m.payload_size;
	if (k == K_REJECT)
		m.payload_size += 4096;         /* beyond the object */
	if (need > p->size) {
		if (ftruncate(p->fd, (off_t)need) < 0)
			return -1;
		p->size = need;
	}
	cvmmap_meta_build(hdr, &m);
	if (put(p, p->pix, l->size, CVMMAP_PAYLOAD_OFFSET) < 0 || put(p, hdr, sizeof hdr, 0) < 0)
		return -1;
	p->published++;
	return 0;
}

static int load_annexb(struct prod *p, const char *path)
{
	FILE *f = fopen(path, "rb");
	long n;
	const uint8_t *q, *end;
	struct nal u;
	int vcl = 0;

	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET) ||
	    !(p->annexb = malloc((size_t)n)) || fread(p->annexb, 1, (size_t)n, f) != (size_t)n) {
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	/* The first AU starts at the start of the file, each next one at an
	 * AUD that follows a slice (a stream rewritten from MP4 may lack the
	 * first AU's AUD, or carry an SEI before it). */
	end = p->annexb + n;
	p->au_off[p->naus++] = 0;
	for (q = p->annexb; (q = annexb_next(q, end, &u)) != NULL && p->naus < MAX_AUS;) {
		if (nal_is_aud(&u) && vcl) {
			p->au_off[p->naus++] = (size_t)(u.p - 3 - p->annexb);
			vcl = 0;
		}
		vcl |= nal_is_vcl(p->codec == AU_CODEC_H265, &u);
	}
	p->au_off[p->naus] = (size_t)n;
	return p->naus ? 0 : -1;
}

static int kind_of(const char *s, size_t n)
{
	int k;

	for (k = 1; k < K_COUNT; k++)
		if (strlen(kind_name[k]) == n && !strncmp(s, kind_name[k], n))
			return k;
	return -1;
}

/* "N:KIND,N:KIND" into p->kinds. */
static int parse_script(struct prod *p, const char *s)
{
	while (*s) {
		char *e;
		long n = strtol(s, &e, 10);
		size_t len;
		int k;

		if (n < 1 || n > MAX_FRAMES || *e != ':')
			return -1;
		len = strcspn(e + 1, ",");
		if ((k = kind_of(e + 1, len)) < 0)
			return -1;
		p->kinds[n] = (unsigned char)k;
		s = e + 1 + len;
		if (*s == ',')
			s++;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "instance", 1, NULL, 'i' }, { "frames", 1, NULL, 'n' },
		{ "fps", 1, NULL, 'f' }, { "start-delay-ms", 1, NULL, 'd' },
		{ "annexb", 1, NULL, 'a' }, { "codec", 1, NULL, 'c' },
		{ "size", 1, NULL, 's' }, { "flip", 1, NULL, 'F' },
		{ "script", 1, NULL, 'S' }, { "every", 1, NULL, 'E' }, { "pts", 1, NULL, 'T' },
		{ NULL, 0, NULL, 0 }
	};
	static struct prod p;
	const char *inst = "default", *annexb = NULL, *script = NULL, *every = NULL;
	const char *ptsfile = NULL;
	long frames = 60, delay_ms = 300, i;
	int c, zero = 0, codec = AU_CODEC_H264, rc = EXIT_OK;
	char err[160] = "";
	void *ctx;
	uint64_t t0, next;
	unsigned long late_pending = 0;
	uint64_t late_ts = 0;

	p.w = 320;
	p.h = 240;
	p.fps = 30;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'i': inst = optarg; break;
		case 'n': frames = strtol(optarg, NULL, 10); break;
		case 'f': p.fps = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'd': delay_ms = strtol(optarg, NULL, 10); break;
		case 'a': annexb = optarg; break;
		case 'c': codec = !strcmp(optarg, "h265") ? AU_CODEC_H265 : AU_CODEC_H264; break;
		case 's': if (sscanf(optarg, "%ux%u", &p.w, &p.h) != 2) goto usage; break;
		case 'F': if (sscanf(optarg, "%ux%u", &p.fw, &p.fh) != 2) goto usage; break;
		case 'S': script = optarg; break;
		case 'E': every = optarg; break;
		case 'T': ptsfile = optarg; break;
		default: goto usage;
		}
	}
	if (frames < 1 || frames > MAX_FRAMES || !p.fps || p.fps > 1000 || delay_ms < 0 ||
	    p.w < 2 || p.h < 2 || p.w > BIG_W || p.h > BIG_H || p.fw > BIG_W || p.fh > BIG_H ||
	    (script && parse_script(&p, script) < 0) ||
	    cvmmap_target_resolve(inst, &p.tg, err, sizeof err) < 0)
		goto usage;
	if (every) {
		const char *colon = strchr(every, ':');
		int k = colon ? kind_of(every, (size_t)(colon - every)) : -1;
		long n = colon ? strtol(colon + 1, NULL, 10) : 0;

		if (k < 0 || n < 1)
			goto usage;
		for (i = n; i <= frames; i += n)
			p.kinds[i] = (unsigned char)k;
	}
	if (annexb) {
		p.codec = codec;
		if (load_annexb(&p, annexb) < 0) {
			fprintf(stderr, "helper_misbehave: %s: no AUD-delimited access units\n", annexb);
			return EXIT_USAGE;
		}
	}
	for (i = 0; i < MAX_AUS; i++)
		p.pts[i] = -1;
	if (ptsfile) {
		FILE *f = fopen(ptsfile, "r");

		for (i = 0; f && i < (long)p.naus && fscanf(f, "%ld", &p.pts[i]) == 1; i++)
			;
		if (f)
			fclose(f);
		if (!f || i != (long)p.naus) {
			fprintf(stderr, "helper_misbehave: %s: want %zu presentation indices\n",
				ptsfile, p.naus);
			return EXIT_USAGE;
		}
	}
	p.pix = malloc((size_t)BIG_W * BIG_H * 3);
	p.fd = shm_open(p.tg.shm_name, O_CREAT | O_RDWR, 0600);
	if (!p.pix || p.fd < 0) {
		perror("helper_misbehave: shm");
		return EXIT_INIT;
	}
	ctx = zmq_ctx_new();
	p.zpub = ctx ? zmq_socket(ctx, ZMQ_PUB) : NULL;
	if (!p.zpub || zmq_setsockopt(p.zpub, ZMQ_LINGER, &zero, sizeof zero) < 0 ||
	    zmq_bind(p.zpub, p.tg.zmq_endpoint) < 0) {
		fprintf(stderr, "helper_misbehave: bind %s: %s\n", p.tg.zmq_endpoint,
			zmq_strerror(zmq_errno()));
		shm_unlink(p.tg.shm_name);
		return EXIT_INIT;
	}
	clock_sleep_ns((uint64_t)delay_ms * 1000000u);

	t0 = clock_mono_ns();
	for (i = 1; i <= frames; i++) {
		enum kind k = (enum kind)p.kinds[i];
		uint64_t ts = clock_wall_ns();

		if (i == 1)
			p.ts0 = ts;
		ts = p.ts0 + (uint64_t)(i - 1) * 1000000000u / p.fps;  /* steady capture times */
		uint32_t w = p.w, h = p.h;

		if (p.fw && !(i & 1))
			w = p.fw, h = p.fh;
		if (k == K_SKIP) {
			if (p.codec)            /* its AU is skipped too */
				p.next_au = (p.next_au + 1) % p.naus;
		} else if (write_frame(&p, k, (uint32_t)i, ts, w, h) < 0) {
			perror("helper_misbehave: write");
			rc = EXIT_INIT;
			break;
		} else if (k == K_LATE) {
			late_pending = (unsigned long)i;    /* announced after the next one */
			late_ts = ts;
		} else {
			if (late_pending) {
				sync_out(&p, (uint32_t)late_pending, late_ts, 1);
				late_pending = 0;
			}
			sync_out(&p, (uint32_t)i, ts, k == K_DUP ? 2 : k == K_FLOOD ? 200 : 1);
		}
		next = t0 + (uint64_t)i * 1000000000u / p.fps;
		if (clock_mono_ns() < next)
			clock_sleep_ns(next - clock_mono_ns());
	}
	printf("misbehave: frames=%ld published=%lu syncs=%lu aus=%lu\n", frames, p.published,
	       p.syncs, p.aus);
	zmq_close(p.zpub);
	zctx_term(ctx);
	if (!strncmp(p.tg.zmq_endpoint, "ipc://", 6))
		unlink(p.tg.zmq_endpoint + 6);
	close(p.fd);
	shm_unlink(p.tg.shm_name);
	free(p.pix);
	free(p.annexb);
	return rc;
usage:
	fprintf(stderr, "helper_misbehave: bad arguments %s (see the comment at the top)\n", err);
	return EXIT_USAGE;
}
