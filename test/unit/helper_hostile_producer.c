/* SPDX-License-Identifier: GPL-2.0-or-later */
/* helper_hostile_producer - a cv-mmap producer that lies (test only).
 *
 *   helper_hostile_producer --instance NAME [--frames N] [--fps N]
 *                           [--start-delay-ms MS] [--only KIND]
 *
 * Publishes like cvmmap_sim (payload, then the 256-byte metadata, then the
 * 48-byte sync; docs/contract.md §8) but every other frame carries metadata a
 * consumer must reject, cycling through the kinds below.  The sync always
 * matches the metadata's frame_id and timestamp, so the lie is only in the
 * metadata and the object:
 *
 *   valid      160x120 BGR test pattern, v2.0 LEFT only (the control)
 *   beyond     payload_size_bytes larger than the object - 256 (4.6)
 *   huge       v2 LEFT 65535x65535 GRAY, 4 294 836 225 bytes, object small
 *   v1huge     v1 65535x65535x3, buffer_size 0xFFFFFFFF (4.2)
 *   overlap    v2 LEFT + DEPTH, DEPTH at offset 0 on top of LEFT (4.6 packing)
 *   mapped     v2 LEFT 65535x65535 GRAY in an object really that large
 *              (sparse): valid metadata, a frame no slot can hold
 *   shrink     a valid frame, then the object is truncated to 256 + 64
 *              right after the sync, while the consumer copies (10), and
 *              grown back after 15 ms
 *
 * Every write goes through pwrite() on the SHM descriptor (no mapping), so
 * the producer itself survives its own shrinking.  At the end one line
 * "hostile: valid=N beyond=N ..." tells the suite what was sent.
 * Exit: 0 done, 2 usage, 5 SHM/ZMQ setup failed.
 */
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

#define VW 160u
#define VH 120u
#define VSIZE (VW * 3u * VH)          /* BGR, no padding */
#define HUGE_SIDE 65535u
#define HUGE_SIZE ((uint64_t)HUGE_SIDE * HUGE_SIDE)

enum kind { K_VALID, K_BEYOND, K_HUGE, K_V1HUGE, K_OVERLAP, K_MAPPED, K_SHRINK, K_COUNT };
static const char *const kind_name[K_COUNT] = {
	"valid", "beyond", "huge", "v1huge", "overlap", "mapped", "shrink"
};

struct prod {
	int fd;
	void *zpub;
	struct cvmmap_target tg;
	uint8_t pix[VSIZE];
	uint64_t size;          /* current object size */
};

static int set_size(struct prod *p, uint64_t size)
{
	if (ftruncate(p->fd, (off_t)size) < 0)
		return -errno;
	p->size = size;
	return 0;
}

static int put(const struct prod *p, const void *b, size_t n, uint64_t off)
{
	return pwrite(p->fd, b, n, (off_t)off) == (ssize_t)n ? 0 : -1;
}

/* The control frame: v2.0, LEFT only, BGR VWxVH, test pattern of id. */
static void describe_valid(struct cvmmap_meta *m, uint32_t id, uint64_t ts)
{
	memset(m, 0, sizeof *m);
	m->major = 2;
	m->layout = 2;
	m->frame_id = id;
	m->capture_ns = ts;
	m->publish_seq = id;
	m->plane_count = 1;
	m->mask = 1;
	m->plane[0].active = 1;
	m->plane[0].type = PLANE_LEFT;
	m->plane[0].pixel_format = PIXFMT_BGR;
	m->plane[0].depth = DEPTH_U8;
	m->plane[0].width = VW;
	m->plane[0].height = VH;
	m->plane[0].stride = VW * 3;
	m->plane[0].size = VSIZE;
	m->payload_size = VSIZE;
}

/* Write one frame of kind k (payload, metadata, sync; docs/contract.md §8). */
static int publish(struct prod *p, enum kind k, uint32_t id, uint64_t ts)
{
	uint8_t hdr[CVMMAP_META_SIZE], sync[ZSYNC_SIZE];
	struct cvmmap_meta m;
	struct cvmmap_plane *l = &m.plane[0];
	uint64_t want = CVMMAP_PAYLOAD_OFFSET + VSIZE;

	describe_valid(&m, id, ts);
	switch (k) {
	case K_BEYOND:
		m.payload_size = VSIZE + 4096;   /* object stays 256 + VSIZE */
		break;
	case K_HUGE:
	case K_MAPPED:
		l->pixel_format = PIXFMT_GRAY;
		l->width = l->height = l->stride = HUGE_SIDE;
		l->size = (uint32_t)HUGE_SIZE;
		m.payload_size = (uint32_t)HUGE_SIZE;
		if (k == K_MAPPED)
			want = CVMMAP_PAYLOAD_OFFSET + HUGE_SIZE;   /* sparse */
		break;
	case K_V1HUGE:
		m.major = 1;
		m.layout = 1;
		m.channels = 3;
		l->width = l->height = HUGE_SIDE;
		m.payload_size = 0xFFFFFFFFu;
		break;
	case K_OVERLAP:
		m.plane_count = 2;
		m.mask = 3;
		m.plane[1] = *l;
		m.plane[1].type = PLANE_DEPTH;
		m.plane[1].pixel_format = PIXFMT_GRAY;
		m.plane[1].depth = DEPTH_F32;
		m.plane[1].stride = VW * 4;
		m.plane[1].size = VW * 4 * VH;
		m.plane[1].offset = 0;                   /* on top of LEFT */
		m.payload_size = m.plane[1].size;        /* both "fit" */
		want = CVMMAP_PAYLOAD_OFFSET + m.plane[1].size;
		break;
	default:
		break;
	}
	if (p->size != want && set_size(p, want) < 0)
		return -1;
	cvmmap_pattern_fill(PIXFMT_BGR, p->pix, VW, VH, VW * 3, id);
	cvmmap_meta_build(hdr, &m);
	if (put(p, p->pix, sizeof p->pix, CVMMAP_PAYLOAD_OFFSET) < 0 ||
	    put(p, hdr, sizeof hdr, 0) < 0)
		return -1;
	zsync_build(sync, id, ts, p->tg.label, 0);
	zmq_send(p->zpub, sync, sizeof sync, ZMQ_DONTWAIT);
	if (k == K_SHRINK) {
		/* Truncate while the consumer copies; the metadata now
		 * points past the end of the object. */
		if (set_size(p, CVMMAP_PAYLOAD_OFFSET + 64) < 0)
			return -1;
		clock_sleep_ns(15000000u);
		if (set_size(p, CVMMAP_PAYLOAD_OFFSET + VSIZE) < 0)
			return -1;
	}
	return 0;
}

static const char usage[] =
"usage: helper_hostile_producer --instance NAME [--frames N] [--fps N]\n"
"                               [--start-delay-ms MS] [--only KIND]\n"
"  KIND: beyond huge v1huge overlap mapped shrink (default: all, in turn)\n";

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "instance", required_argument, NULL, 'i' },
		{ "frames", required_argument, NULL, 'n' },
		{ "fps", required_argument, NULL, 'f' },
		{ "start-delay-ms", required_argument, NULL, 'd' },
		{ "only", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	static struct prod p;
	const char *inst = "default";
	long frames = 60, fps = 30, delay_ms = 300;
	int only = -1, c, k, rc = EXIT_OK, zero = 0;
	unsigned sent[K_COUNT] = { 0 };
	const char *ipc = NULL;   /* ipc socket file, unlinked at exit */
	char err[160] = "";
	void *ctx;
	uint64_t t0, next;
	long i;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'i': inst = optarg; break;
		case 'n': frames = strtol(optarg, NULL, 10); break;
		case 'f': fps = strtol(optarg, NULL, 10); break;
		case 'd': delay_ms = strtol(optarg, NULL, 10); break;
		case 'o':
			for (k = 1; k < K_COUNT && strcmp(optarg, kind_name[k]); k++)
				;
			if (k == K_COUNT) {
				fprintf(stderr, "helper_hostile_producer: unknown kind '%s'\n", optarg);
				return EXIT_USAGE;
			}
			only = k;
			break;
		default:
			fputs(usage, c == 'h' ? stdout : stderr);
			return c == 'h' ? EXIT_OK : EXIT_USAGE;
		}
	}
	if (frames < 1 || fps < 1 || fps > 1000 || delay_ms < 0 ||
	    cvmmap_target_resolve(inst, &p.tg, err, sizeof err) < 0) {
		fprintf(stderr, "helper_hostile_producer: bad arguments %s\n", err);
		return EXIT_USAGE;
	}
	p.fd = shm_open(p.tg.shm_name, O_CREAT | O_RDWR, 0600);
	if (p.fd < 0 || set_size(&p, CVMMAP_PAYLOAD_OFFSET + VSIZE) < 0) {
		perror("helper_hostile_producer: shm");
		return EXIT_INIT;
	}
	ctx = zmq_ctx_new();
	p.zpub = ctx ? zmq_socket(ctx, ZMQ_PUB) : NULL;
	if (!p.zpub || zmq_setsockopt(p.zpub, ZMQ_LINGER, &zero, sizeof zero) < 0 ||
	    zmq_bind(p.zpub, p.tg.zmq_endpoint) < 0) {
		fprintf(stderr, "helper_hostile_producer: bind %s: %s\n", p.tg.zmq_endpoint,
			zmq_strerror(zmq_errno()));
		shm_unlink(p.tg.shm_name);
		return EXIT_INIT;
	}
	if (!strncmp(p.tg.zmq_endpoint, "ipc://", 6))
		ipc = p.tg.zmq_endpoint + 6;
	clock_sleep_ns((uint64_t)delay_ms * 1000000u);

	t0 = clock_mono_ns();
	for (i = 0; i < frames; i++) {
		/* Odd frames lie: in turn, or always the --only kind. */
		k = K_VALID;
		if (i & 1)
			k = only > 0 ? only : 1 + (int)((i / 2) % (K_COUNT - 1));
		if (publish(&p, (enum kind)k, (uint32_t)i + 1, clock_wall_ns()) < 0) {
			perror("helper_hostile_producer: write");
			rc = EXIT_INIT;
			break;
		}
		sent[k]++;
		next = t0 + (uint64_t)(i + 1) * 1000000000u / (uint64_t)fps;
		if (clock_mono_ns() < next)
			clock_sleep_ns(next - clock_mono_ns());
	}
	printf("hostile:");
	for (k = 0; k < K_COUNT; k++)
		printf(" %s=%u", kind_name[k], sent[k]);
	printf("\n");
	zmq_close(p.zpub);
	zctx_term(ctx);
	if (ipc)
		unlink(ipc);
	close(p.fd);
	shm_unlink(p.tg.shm_name);
	return rc;
}
