/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cvmmap_sim - a cv-mmap producer: SHM + ZMQ PUB exactly like upstream.
 *
 * Per frame (docs/contract.md §8): grow the object if the payload does not fit,
 * write the planes into [256, 256 + payload), then the whole 256-byte
 * metadata with one memcpy, then the 48-byte sync.  The LEFT plane holds
 * the per-format test pattern of its frame id (ipc/pattern.h) so that a
 * consumer can prove every delivered frame is untorn.  Fault modes break
 * the producer in the ways docs/contract.md §9 and 10 describe.
 *
 * With --nats-url the simulator is also an E2/E3 producer on NATS
 * (docs/contract.md §6, 7): ModuleStatusEvent ONLINE / STREAM_RESET / OFFLINE on
 * cvmmap.<key>.status, a GetSourceInfoResponse on .producer.source.info
 * (or .control.source.info), and with --body one body tracking v1 packet
 * per frame on cvmmap.<key>.body.  The non-blocking client is driven
 * while waiting for the next frame's deadline, so NATS never delays a
 * frame; its media timeline starts at the wall clock of start-up.
 *
 * Exit codes: 0 done / signal, 2 usage, 5 SHM or ZMQ setup failed.
 */
#define _GNU_SOURCE
#include "codec/nal.h"
#include "config/opt.h"
#include "ipc/cvmmap_meta.h"
#include "ipc/ingest.h"
#include "ipc/pattern.h"
#include "ipc/target.h"
#include "ipc/zsync.h"
#include "nats/body.h"
#include "nats/cvmmap_nats.h"
#include "nats/nats_client.h"
#include "nats/pb.h"
#include "util/bytes.h"
#include "util/clock.h"
#include "util/exitcodes.h"
#include "util/log.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#define TAG "cvmmap_sim"
#define BUCKET_MIN (1u << 20)
#define ANNEXB_MAX (64u << 20)
#define MAX_AUS 100000
#define SUBJ_MAX 160
#define BODY_PACKET (BODY_HEADER_SIZE + BODY_RECORD_SIZE)  /* one body */
#define NATS_FLUSH_NS 500000000ull  /* at exit: time to hand OFFLINE over */

enum fault { F_NONE, F_TORN, F_RESET_STORM, F_RESTART, F_RESIZE, F_GARBAGE };
enum nats_era { ERA_PRODUCER, ERA_CONTROL, ERA_NONE };   /* who answers source.info */

struct sim {
	/* options */
	struct cvmmap_target tg;
	char label[ZLABEL_SIZE + 1];
	int meta_major, meta_minor;     /* 1.0, 2.0, 2.1 */
	int bucket;
	uint32_t width, height, pad, fps;
	unsigned fmt;
	long frames;
	int depth_plane;
	int fault;
	long fault_every;
	int legacy_status;
	long start_delay_ms;
	int codec;                      /* 0 H.264, 1 H.265 */
	const char *nats_url;           /* NULL: no NATS */
	int nats_era;                   /* enum nats_era */
	int reset_late;                 /* STREAM_RESET after the new segment's first frame */
	int body;                       /* publish body tracking */
	/* Annex B input, split into access units */
	uint8_t *es;
	size_t es_size;
	size_t *au_off;                 /* au_count + 1 offsets */
	size_t au_count;
	size_t au_max;
	/* producer state */
	int shm_fd;
	uint8_t *map;
	uint64_t map_size;
	void *zctx, *zpub;
	char ipc_path[CVMMAP_SUN_PATH_MAX + 1];
	uint32_t cur_w, cur_h;
	uint64_t ts_base, period;       /* media timeline */
	int media_clock;                /* timestamps from 0, not Unix time */
	long clock_offset_ms;           /* a camera clock off by this much */
	uint32_t cur_id;                /* last published frame and its time */
	uint64_t cur_ts;
	/* NATS */
	struct nats_client *nc;
	char subj_status[SUBJ_MAX], subj_body[SUBJ_MAX], subj_info[SUBJ_MAX];
	uint8_t body_buf[BODY_PACKET];
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* ---------------------------------------------------------------- Annex B */

static int h264_first_slice(const struct nal *n)
{
	return n->n > 1 && (n->p[1] & 0x80);    /* first_mb_in_slice ue(v) == 0 */
}

static int h265_first_slice(const struct nal *n)
{
	return n->n > 2 && (n->p[2] & 0x80);    /* first_slice_segment_in_pic_flag */
}

/* Does NAL u start a new access unit (H.264 7.4.1.2.3, H.265 7.4.2.4.4)
 * when the current AU already holds a VCL NAL? */
static int au_starts(int codec, const struct nal *u)
{
	int t = nal_type(codec, u);

	if (codec == 0)
		return (t >= 6 && t <= 9) || (t >= 14 && t <= 18) ||
		       ((t == 1 || t == 5) && h264_first_slice(u));
	return (t >= 32 && t <= 35) || t == 39 || (t >= 41 && t <= 44) ||
	       (t <= 31 && h265_first_slice(u));
}

static int is_vcl(int codec, const struct nal *u)
{
	int t = nal_type(codec, u);

	return codec == 0 ? t >= 1 && t <= 5 : t >= 0 && t <= 31;
}

/* Read FILE and record where each access unit starts. */
static int load_annexb(struct sim *s, const char *path)
{
	FILE *f = fopen(path, "rb");
	const uint8_t *p, *end;
	struct nal u;
	int have_vcl = 0, first = 1;
	size_t i;

	if (!f) {
		fprintf(stderr, "cvmmap_sim: %s: %s\n", path, strerror(errno));
		return -1;
	}
	s->es = malloc(ANNEXB_MAX);
	s->au_off = malloc(sizeof *s->au_off * (MAX_AUS + 1));
	if (!s->es || !s->au_off) {
		fclose(f);
		return -1;
	}
	s->es_size = fread(s->es, 1, ANNEXB_MAX, f);
	fclose(f);
	p = s->es;
	end = s->es + s->es_size;
	while ((p = annexb_next(p, end, &u)) != NULL && s->au_count < MAX_AUS) {
		size_t start = (size_t)(u.p - s->es) - 3;

		if (start > 0 && s->es[start - 1] == 0)
			start--;
		if (first)
			s->au_off[0] = start;
		first = 0;
		if (have_vcl && au_starts(s->codec, &u)) {
			s->au_off[++s->au_count] = start;
			have_vcl = 0;
		}
		if (is_vcl(s->codec, &u))
			have_vcl = 1;
	}
	if (have_vcl)
		s->au_off[++s->au_count] = s->es_size;
	if (!s->au_count) {
		fprintf(stderr, "cvmmap_sim: %s: no access units\n", path);
		return -1;
	}
	for (i = 0; i < s->au_count; i++)
		if (s->au_off[i + 1] - s->au_off[i] > s->au_max)
			s->au_max = s->au_off[i + 1] - s->au_off[i];
	return 0;
}

/* ---------------------------------------------------------------- SHM */

static uint64_t object_size_for(const struct sim *s, uint64_t payload)
{
	uint64_t cap = BUCKET_MIN;

	if (!s->bucket)
		return CVMMAP_PAYLOAD_OFFSET + payload;
	while (cap < payload && cap < 0xFFFFFFFFull)
		cap = cap * 2 > 0xFFFFFFFFull ? 0xFFFFFFFFull : cap * 2;
	return CVMMAP_PAYLOAD_OFFSET + cap;
}

/* ftruncate + remap (docs/contract.md §3.2, 8 step 1). */
static int shm_resize(struct sim *s, uint64_t size)
{
	if (s->map)
		munmap(s->map, s->map_size);
	s->map = NULL;
	if (ftruncate(s->shm_fd, (off_t)size) < 0)
		return -errno;
	s->map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, s->shm_fd, 0);
	if (s->map == MAP_FAILED) {
		s->map = NULL;
		return -errno;
	}
	s->map_size = size;
	return 0;
}

static int reannounce(struct sim *s);

/* 3.1: O_CREAT|O_RDWR 0666, no O_EXCL; unlink and retry on EACCES; then
 * the initial header of a backend init (8). */
static int shm_create(struct sim *s)
{
	s->shm_fd = shm_open(s->tg.shm_name, O_CREAT | O_RDWR, 0666);
	if (s->shm_fd < 0 && (errno == EACCES || errno == EEXIST)) {
		shm_unlink(s->tg.shm_name);
		s->shm_fd = shm_open(s->tg.shm_name, O_CREAT | O_RDWR, 0666);
	}
	if (s->shm_fd < 0)
		return -errno;
	fchmod(s->shm_fd, 0666);
	return reannounce(s);
}

static void shm_destroy(struct sim *s)
{
	if (s->map)
		munmap(s->map, s->map_size);
	s->map = NULL;
	if (s->shm_fd >= 0)
		close(s->shm_fd);
	s->shm_fd = -1;
	shm_unlink(s->tg.shm_name);
}

/* ---------------------------------------------------------------- ZMQ */

static int zmq_up(struct sim *s)
{
	int zero = 0;

	s->zpub = zmq_socket(s->zctx, ZMQ_PUB);
	if (!s->zpub || zmq_setsockopt(s->zpub, ZMQ_LINGER, &zero, sizeof zero) ||
	    zmq_bind(s->zpub, s->tg.zmq_endpoint)) {
		fprintf(stderr, "cvmmap_sim: bind %s: %s\n", s->tg.zmq_endpoint,
			zmq_strerror(zmq_errno()));
		return -1;
	}
	if (s->ipc_path[0])
		chmod(s->ipc_path, 0777);   /* 3.1: the ipc file is 0777 */
	return 0;
}

static void zmq_down(struct sim *s)
{
	if (s->zpub)
		zmq_close(s->zpub);
	s->zpub = NULL;
	if (s->ipc_path[0])
		unlink(s->ipc_path);
}

static void send_status(struct sim *s, int32_t code)
{
	uint8_t b[ZSTATUS_SIZE];

	if (!s->legacy_status || !s->zpub)
		return;
	zstatus_build(b, code, s->label);
	zmq_send(s->zpub, b, sizeof b, ZMQ_DONTWAIT);
}

/* ---------------------------------------------------------------- NATS */

/* ModuleStatusEvent {status, instance, timestamp_ns} (docs/contract.md §6.3,
 * TV-15) on cvmmap.<key>.status.  Dropped (by the client) when the
 * connection is not up: a producer does not queue status either. */
static void nats_status(struct sim *s, uint32_t code)
{
	struct pb_module_status m;
	uint8_t b[64], *e;

	if (!CONFIG_NATS || !s->nc)
		return;
	memset(&m, 0, sizeof m);
	m.status = code;
	m.instance = s->tg.instance;
	m.instance_len = strlen(s->tg.instance);
	m.timestamp_ns = clock_wall_ns();
	e = pb_encode_module_status(b, b + sizeof b, &m);
	if (e)
		nats_client_publish(s->nc, s->subj_status, b, (size_t)(e - b));
}

/* A producer publishes ONLINE once NATS is up (docs/contract.md §10), here on
 * every (re)connect. */
static void on_nats_event(void *arg, int event, const char *text)
{
	struct sim *s = arg;

	if (event == NATS_EV_CONNECTED)
		nats_status(s, MODULE_STATUS_ONLINE);
	else if (event == NATS_EV_SERVER_ERR)
		log_warn(TAG, "NATS server error: %s", text ? text : "");
}

/* GetSourceInfoRequest (0 bytes) -> GetSourceInfoResponse (6.3, TV-17):
 * live or finite, media-time timestamps, the last published frame.  The
 * flags carry LOOP_EMITS_RESET at the bit of the answering era (5.6). */
static void on_source_info(void *arg, const struct nats_event *ev)
{
	struct sim *s = arg;
	struct pb_source_info si;
	uint8_t b[96], *e;
	char reply[SUBJ_MAX];

	if (!ev->reply || ev->reply_len >= sizeof reply)
		return;
	memcpy(reply, ev->reply, ev->reply_len);
	reply[ev->reply_len] = '\0';
	memset(&si, 0, sizeof si);
	si.source_kind = s->frames ? SOURCE_KIND_FINITE : SOURCE_KIND_LIVE;
	si.timestamp_domain = s->media_clock ? TS_DOMAIN_MEDIA_TIME_NS :
						 TS_DOMAIN_UNIX_EPOCH_NS;
	if (s->fault == F_RESET_STORM)
		si.flags = s->nats_era == ERA_PRODUCER ? 0x10 : 0x20;
	si.timeline_start_ns = s->ts_base;
	if (s->frames) {
		si.duration_ns = (uint64_t)s->frames * s->period;
		si.timeline_end_ns = s->ts_base + si.duration_ns;
	}
	si.current_timestamp_ns = s->cur_ts;
	si.current_frame_count = s->cur_id;
	e = pb_encode_source_info(b, b + sizeof b, &si);
	if (e)
		nats_client_publish(s->nc, reply, b, (size_t)(e - b));
}

/* One body tracking v1 packet (docs/contract.md §7.1, 7.2) with a single body
 * for frame `frame`: id 1, tracking ok, confidence 90, a position that
 * moves with the frame, every other float NaN ("unavailable") and the
 * instance as label.  Pure: returns the cursor after the packet or NULL. */
static uint8_t *body_build(uint8_t *p, const uint8_t *end, uint32_t frame,
			   uint64_t ts, const char *label)
{
	static const uint32_t nan_bits = 0x7fc00000u;
	uint8_t *rec;
	size_t i;

	p = put_u8(p, end, BODY_MAGIC);
	p = put_u8(p, end, 1);                      /* image coordinates */
	p = put_u8(p, end, 1);                      /* version 1.0 */
	p = put_u8(p, end, 0);
	p = put_le32(p, end, frame);
	p = put_le64(p, end, ts);
	p = put_le64(p, end, ts);                   /* sdk timestamp */
	p = put_le16(p, end, 1);                    /* body_count */
	p = put_le16(p, end, BODY_RECORD_SIZE);
	p = put_u8(p, end, 0);                      /* BODY_18 */
	p = put_u8(p, end, 0);                      /* full body */
	p = put_u8(p, end, 0);                      /* fast model */
	p = put_u8(p, end, 0);                      /* fp32 */
	p = put_le16(p, end, BODY_F_IS_TRACKED);
	p = put_u8(p, end, 1);                      /* camera frame */
	p = put_u8(p, end, 0);
	p = put_le32(p, end, BODY_RECORD_SIZE);     /* payload_size */
	p = put_zero(p, end, 24);
	if (!p || !bytes_fit(p, end, BODY_RECORD_SIZE))
		return NULL;
	memcpy(p - 24, label, strnlen(label, 24));
	rec = p;
	for (i = 0; i < BODY_RECORD_SIZE; i += 4)
		wr_le32(rec + i, nan_bits);
	wr_le32(rec + 0, 1);                        /* id */
	rec[4] = 1;                                 /* tracking ok */
	rec[5] = rec[6] = rec[7] = 0;
	wr_le32(rec + 8, 0x42b40000u);              /* confidence 90.0 */
	wr_le32(rec + 12, frame);                   /* position x: the frame, */
	wr_le32(rec + 16, 0);                       /* as raw bits (a tiny float) */
	wr_le32(rec + 20, 0x3f800000u);             /* z 1.0 */
	wr_le16(rec + 3244, 18);                    /* keypoint_count */
	wr_le16(rec + 3246, 0);                     /* flags */
	return p + BODY_RECORD_SIZE;
}

static void nats_body(struct sim *s, uint32_t id, uint64_t ts)
{
	uint8_t *e;

	if (!CONFIG_NATS || !s->nc || !s->body)
		return;
	e = body_build(s->body_buf, s->body_buf + sizeof s->body_buf, id, ts,
		       s->tg.instance);
	if (e)
		nats_client_publish(s->nc, s->subj_body, s->body_buf,
				    (size_t)(e - s->body_buf));
}

/* Connect lazily (the first service call does), subscribe the source.info
 * subject of the chosen era.  0, or -1 with a message. */
static int nats_up(struct sim *s)
{
	struct nats_client_cfg c;
	int info = s->nats_era == ERA_CONTROL ? CVMMAP_SUBJ_CONTROL_SOURCE_INFO
					       : CVMMAP_SUBJ_PRODUCER_SOURCE_INFO;

	if (!CONFIG_NATS || !s->nats_url)
		return 0;
	if (cvmmap_subject(s->subj_status, SUBJ_MAX, s->tg.nats_key, CVMMAP_SUBJ_STATUS) < 0 ||
	    cvmmap_subject(s->subj_body, SUBJ_MAX, s->tg.nats_key, CVMMAP_SUBJ_BODY) < 0 ||
	    cvmmap_subject(s->subj_info, SUBJ_MAX, s->tg.nats_key,
			   (enum cvmmap_subject)info) < 0) {
		fprintf(stderr, "cvmmap_sim: NATS key '%s' is not a subject token\n",
			s->tg.nats_key);
		return -1;
	}
	memset(&c, 0, sizeof c);
	c.url = s->nats_url;
	c.name = "cvmmap_sim";
	c.reconnect_max_ms = 500;
	c.on_event = on_nats_event;
	c.arg = s;
	if (nats_client_open(&s->nc, &c) < 0) {
		fprintf(stderr, "cvmmap_sim: --nats-url %s: not a valid nats://host:port URL\n",
			s->nats_url);
		return -1;
	}
	if (s->nats_era != ERA_NONE &&
	    nats_client_subscribe(s->nc, s->subj_info, on_source_info, s) < 0) {
		nats_client_close(s->nc);
		s->nc = NULL;
		return -1;
	}
	return 0;
}

/* One wait of at most until CLOCK_MONOTONIC time t, servicing the NATS
 * client when it has work (ppoll has nanosecond timeouts, so frame pacing
 * stays exact).  Without NATS this is a plain sleep; a signal ends it. */
static void step_until(struct sim *s, uint64_t t)
{
	uint64_t now = clock_mono_ns(), d = t > now ? t - now : 0;
	struct pollfd pfd = { -1, 0, 0 };
	struct timespec ts;
	int ms = -1;

	if (CONFIG_NATS && s->nc) {
		nats_client_pollfd(s->nc, &pfd, &ms, now);
		if (ms >= 0 && (uint64_t)ms * 1000000u < d)
			d = (uint64_t)ms * 1000000u;
	}
	ts.tv_sec = (time_t)(d / 1000000000u);
	ts.tv_nsec = (long)(d % 1000000000u);
	if (ppoll(&pfd, 1, &ts, NULL) < 0)
		pfd.revents = 0;
	if (CONFIG_NATS && s->nc)
		nats_client_service(s->nc, pfd.revents, clock_mono_ns());
}

/* Write what is queued now (service with no events flushes). */
static void nats_flush(struct sim *s)
{
	if (CONFIG_NATS && s->nc)
		nats_client_service(s->nc, 0, clock_mono_ns());
}

static void wait_until(struct sim *s, uint64_t t)
{
	while (!stop && clock_mono_ns() < t)
		step_until(s, t);
}

/* Publish OFFLINE and give the client a moment to write it out (also
 * after a signal). */
static void nats_down(struct sim *s)
{
	uint64_t until = clock_mono_ns() + NATS_FLUSH_NS;

	if (!CONFIG_NATS || !s->nc)
		return;
	nats_status(s, MODULE_STATUS_OFFLINE);
	while (nats_client_pending(s->nc) && clock_mono_ns() < until)
		step_until(s, until);
	nats_client_close(s->nc);
	s->nc = NULL;
}

/* ---------------------------------------------------------------- frames */

static uint32_t row_bytes(const struct sim *s, uint32_t w)
{
	return w * cvmmap_pixfmt_channels(s->fmt) + s->pad;
}

/* Describe frame id at the current geometry; returns the payload size. */
static uint64_t describe(const struct sim *s, uint32_t id, uint64_t ts,
			 size_t au_len, int key, struct cvmmap_meta *m)
{
	struct cvmmap_plane *p = m->plane;
	uint32_t off;
	unsigned i;

	memset(m, 0, sizeof *m);
	m->major = (uint8_t)s->meta_major;
	m->layout = s->meta_major;
	m->frame_id = id;
	m->capture_ns = ts;
	p[0].active = 1;
	p[0].type = PLANE_LEFT;
	p[0].pixel_format = (uint8_t)s->fmt;
	p[0].depth = DEPTH_U8;
	p[0].width = s->cur_w;
	p[0].height = s->cur_h;
	p[0].stride = row_bytes(s, s->cur_w);
	p[0].size = p[0].stride * s->cur_h;
	off = p[0].size;
	if (s->meta_major == 1) {
		m->channels = (uint8_t)cvmmap_pixfmt_channels(s->fmt);
		m->payload_size = off;
		return off;
	}
	m->publish_seq = id;   /* 4.3: equals frame_count upstream */
	if (s->depth_plane) {
		p[1] = p[0];
		p[1].type = PLANE_DEPTH;
		p[1].pixel_format = PIXFMT_GRAY;
		p[1].depth = DEPTH_F32;
		p[1].stride = s->cur_w * 4;
		p[1].offset = off;
		p[1].size = p[1].stride * s->cur_h;
		off += p[1].size;
		m->depth_unit = DEPTH_UNIT_MM;
	}
	if (au_len) {
		/* 4.7: GRAY/U8, height 1, width = stride = size = AU length */
		p[3].active = 1;
		p[3].type = PLANE_ENCODED_AU;
		p[3].pixel_format = PIXFMT_GRAY;
		p[3].depth = DEPTH_U8;
		p[3].width = p[3].stride = p[3].size = (uint32_t)au_len;
		p[3].height = 1;
		p[3].offset = off;
		off += (uint32_t)au_len;
		m->minor = 1;   /* 4.6: minor 1 only when slot 3 is present */
		m->au_codec = s->codec ? AU_CODEC_H265 : AU_CODEC_H264;
		m->au_format = 1;
		m->au_flags = key ? CVMMAP_AU_FLAG_KEYFRAME : 0;
		m->fps_num = (uint16_t)s->fps;
		m->fps_den = 1;
		m->au_pts_ns = ts;
	}
	for (i = 0; i < CVMMAP_PLANES; i++)
		if (p[i].active) {
			m->plane_count++;
			m->mask |= (uint8_t)(1u << i);
		}
	m->payload_size = off;
	return off;
}

static void garbage_reserved(const struct cvmmap_meta *m, uint8_t *b)
{
	unsigned i;

	if (m->layout == 1) {
		b[0x0A] = b[0x0B] = b[0x1F] = 0xA5;
		memset(b + 0x24, 0xA5, CVMMAP_META_SIZE - 0x24);
		return;
	}
	if (m->minor == 0)
		memset(b + 0x2D, 0xA5, 19);
	else
		memset(b + 0x3D, 0xA5, 3);
	for (i = 0; i < CVMMAP_PLANES; i++)
		b[0x40 + 24 * i + 3] = 0xA5;
	memset(b + 0xA0, 0xA5, CVMMAP_META_SIZE - 0xA0);
}

static void write_planes(struct sim *s, const struct cvmmap_meta *m, uint32_t id,
			 const uint8_t *au, size_t au_len)
{
	uint8_t *pay = s->map + CVMMAP_PAYLOAD_OFFSET;
	const struct cvmmap_plane *p = m->plane;

	cvmmap_pattern_fill(s->fmt, pay, p[0].width, p[0].height, p[0].stride, id);
	if (p[1].active) {
		uint8_t *d = pay + p[1].offset;
		uint32_t i;

		for (i = 0; i < p[1].width * p[1].height; i++) {
			float v = (float)(id + i);

			memcpy(d + 4 * i, &v, 4);
		}
	}
	if (au_len)
		memcpy(pay + p[3].offset, au, au_len);
}

/* Fault "torn": right after the sync, announce a newer header and then
 * scribble the payload, as a producer racing a slow reader would.  The
 * header goes first, so a reader whose copy overlaps the scribble sees
 * M2 != M1 (docs/contract.md §9 step 5).  A barrier keeps the two writes in
 * that order (x86 stores are not reordered with each other). */
static void scribble(struct sim *s, const struct cvmmap_meta *m, uint32_t id)
{
	uint8_t hdr[CVMMAP_META_SIZE];
	struct cvmmap_meta t = *m;
	const struct cvmmap_plane *p = &m->plane[0];

	clock_sleep_ns((uint64_t)(rand() % 1500) * 1000u);
	t.frame_id = id + 1;
	t.capture_ns = m->capture_ns + 1;
	t.publish_seq = id + 1;
	cvmmap_meta_build(hdr, &t);
	memcpy(s->map, hdr, sizeof hdr);
	__sync_synchronize();
	cvmmap_pattern_fill(s->fmt, s->map + CVMMAP_PAYLOAD_OFFSET, p->width,
			    p->height, p->stride, id + 0x5a5a);
}

static int publish(struct sim *s, uint32_t id, uint64_t ts, long index)
{
	static struct log_limit rl;
	struct cvmmap_meta m;
	uint8_t hdr[CVMMAP_META_SIZE], sync[ZSYNC_SIZE];
	const uint8_t *au = NULL;
	size_t au_len = 0;
	int key = 0;
	uint64_t payload, need;

	if (s->au_count) {
		size_t k = (size_t)index % s->au_count;

		au = s->es + s->au_off[k];
		au_len = s->au_off[k + 1] - s->au_off[k];
		key = annexb_is_keyframe(s->codec, au, au_len);
	}
	payload = describe(s, id, ts, au_len, key, &m);
	need = object_size_for(s, payload);
	if (CVMMAP_PAYLOAD_OFFSET + payload > s->map_size) {
		int e = shm_resize(s, need);    /* 8 step 1: grow */

		if (e < 0) {
			log_error(TAG, "ftruncate: %s", strerror(-e));
			return -1;
		}
	}
	write_planes(s, &m, id, au, au_len);              /* 8 step 2 */
	cvmmap_meta_build(hdr, &m);
	if (s->fault == F_GARBAGE)
		garbage_reserved(&m, hdr);
	memcpy(s->map, hdr, sizeof hdr);                  /* 8 step 3 */
	zsync_build(sync, id, ts, s->label, s->fault == F_GARBAGE ? 0xEE : 0);
	if (zmq_send(s->zpub, sync, sizeof sync, ZMQ_DONTWAIT) < 0)  /* step 4 */
		log_limited(&rl, LOG_WARN, TAG, "sync: %s", zmq_strerror(zmq_errno()));
	if (s->fault == F_TORN)
		scribble(s, &m, id);
	return 0;
}

/* Backend (re)init (docs/contract.md §8): same inode, truncated to the current
 * geometry, initial LEFT-only header with frame_id 0 and no sync. */
static int reannounce(struct sim *s)
{
	struct cvmmap_meta m;
	uint8_t hdr[CVMMAP_META_SIZE];
	uint64_t payload = describe(s, 0, clock_wall_ns(), 0, 0, &m);

	if (shm_resize(s, object_size_for(s, payload)) < 0)
		return -1;
	cvmmap_meta_build(hdr, &m);
	memcpy(s->map, hdr, sizeof hdr);
	return 0;
}

static int restart(struct sim *s)
{
	send_status(s, ZSTATUS_OFFLINE);
	nats_status(s, MODULE_STATUS_OFFLINE);
	shm_destroy(s);
	zmq_down(s);
	if (shm_create(s) < 0 || zmq_up(s) < 0)
		return -1;
	send_status(s, ZSTATUS_ONLINE);
	nats_status(s, MODULE_STATUS_ONLINE);
	return 0;
}

/* The frame loop.  On NATS, STREAM_RESET goes out half a frame period
 * before the first frame of the new segment, or (--reset-event late) half
 * a period after it, as a producer whose NATS and ZMQ paths are not
 * ordered may do (docs/contract.md §10).  Frame pacing stays on t0 + i * period. */
static int run(struct sim *s)
{
	uint64_t t0;
	uint32_t id = 1;
	int late_reset = 0;
	long i;

	s->period = 1000000000ull / s->fps;
	s->ts_base = s->media_clock ? 0 : clock_wall_ns() + (uint64_t)(s->clock_offset_ms * 1000000);
	if (s->start_delay_ms)
		wait_until(s, clock_mono_ns() + (uint64_t)s->start_delay_ms * 1000000u);
	t0 = clock_mono_ns();
	for (i = 0; !stop && (!s->frames || i < s->frames); i++, id++) {
		uint64_t ts;

		if (i && s->fault_every && i % s->fault_every == 0) {
			if (s->fault == F_RESET_STORM) {
				id = 1;     /* counter and media time restart */
				send_status(s, ZSTATUS_STREAM_RESET);
				late_reset = s->reset_late;
			} else if (s->fault == F_RESTART) {
				if (restart(s) < 0)
					return EXIT_INIT;
				id = 1;
				s->ts_base = s->media_clock ? 0 : clock_wall_ns() +
					     (uint64_t)(s->clock_offset_ms * 1000000);
			} else if (s->fault == F_RESIZE) {
				int big = s->cur_w == s->width;

				s->cur_w = big ? (s->width / 2 + 1) & ~1u : s->width;
				s->cur_h = big ? (s->height / 2 + 1) & ~1u : s->height;
				if (reannounce(s) < 0)
					return EXIT_INIT;
			}
		}
		ts = s->ts_base + (uint64_t)(id - 1) * s->period;
		if (publish(s, id, ts, i) < 0)
			return EXIT_INIT;
		s->cur_id = id;
		s->cur_ts = ts;
		nats_body(s, id, ts);       /* right after the frame's sync */
		nats_flush(s);
		if (late_reset) {
			wait_until(s, t0 + (uint64_t)i * s->period + s->period / 2);
			nats_status(s, MODULE_STATUS_STREAM_RESET);
			nats_flush(s);
		}
		late_reset = 0;
		if (s->fault == F_RESET_STORM && !s->reset_late && s->fault_every &&
		    (i + 1) % s->fault_every == 0 && (!s->frames || i + 1 < s->frames)) {
			wait_until(s, t0 + (uint64_t)(i + 1) * s->period - s->period / 2);
			nats_status(s, MODULE_STATUS_STREAM_RESET);
			nats_flush(s);
		}
		wait_until(s, t0 + (uint64_t)(i + 1) * s->period);
	}
	log_info(TAG, "%ld frames published", i);
	return EXIT_OK;
}

/* ---------------------------------------------------------------- options */

struct sim_opts {
	const char *target, *shm_name, *zmq_endpoint, *label, *annexb, *nats_url;
	long width, height, pad, fps, frames, start_delay_ms, fault_every, clock_offset_ms;
	int meta, sizing, fmt, depth_plane, codec, fault, legacy_status, nats_era;
	int reset_late, body, media_clock, run_mode, input_mode, help;
};

enum { G_NAMES, G_FRAMES, G_AU, G_FAULT, G_NATS, G_COMPAT, G_GENERAL, G_COUNT };

static const char *const groups[G_COUNT] = {
	"Producer names", "Frames", "Encoded access units (v2.1)", "Faults and timing",
	"NATS", "Compatibility (the original cvmmap_streamer's producer command line)",
	"General"
};
static const char *const metas[] = { "v1", "v2.0", "v2.1", NULL };
static const char *const sizings[] = { "exact", "bucket", NULL };
static const char *const fmt_names[] = { "bgr", "rgb", "bgra", "rgba", "gray", "yuyv", NULL };
static const unsigned fmt_values[] = {
	PIXFMT_BGR, PIXFMT_RGB, PIXFMT_BGRA, PIXFMT_RGBA, PIXFMT_GRAY, PIXFMT_YUYV
};
static const char *const codecs[] = { "h264", "h265", NULL };
static const char *const faults[] = {    /* enum fault */
	"none", "torn", "reset-storm", "restart", "resize", "garbage-reserved", NULL
};
static const char *const eras[] = { "producer", "control", "none", NULL };
static const char *const resets[] = { "early", "late", NULL };
static const char *const clocks[] = { "unix", "media", NULL };
static const char *const run_modes[] = { "pipeline", NULL };
static const char *const input_modes[] = { "dummy", NULL };

#define F(field) OPT_OFF(struct sim_opts, field)
#define ROW(name, type, group, field, min, max, choices, arg, help) \
	{ name, type, group, 0, F(field), min, max, choices, arg, help, NULL, NULL }
#define ALIAS(name, type, group, field, min, max, arg, help, alias) \
	{ name, type, group, 0, F(field), min, max, NULL, arg, help, alias, NULL }
#define INDENT "\n                                 "

/* The frame count and fault period are 31-bit (frame ids stay positive
 * in every consumer); a camera clock may be off by up to a day; the
 * start delay is at most ten minutes. */
static const struct opt rows[] = {
	ALIAS("instance", OPT_STR, G_NAMES, target, 0, 0, "TARGET",
	      "instance name or cvmmap://inst[@prefix][?namespace=ns]" INDENT
	      "(default: default)", "target"),
	ROW("shm-name", OPT_STR, G_NAMES, shm_name, 0, 0, NULL, "NAME",
	    "explicit SHM object name (with --zmq-endpoint; the name" INDENT
	    "the streamer's --shm-name opens; a leading / is added)"),
	ROW("zmq-endpoint", OPT_STR, G_NAMES, zmq_endpoint, 0, 0, NULL, "URI",
	    "explicit ZeroMQ PUB endpoint, ipc://PATH or tcp://HOST:PORT"),
	ALIAS("label", OPT_STR, G_NAMES, label, 0, 0, "TEXT",
	      "label in ZMQ messages, at most 24 bytes (default: the" INDENT
	      "instance, or the --shm-name)", "dummy-label"),

	ROW("meta", OPT_CHOICE, G_FRAMES, meta, 0, 0, metas, "v1|v2.0|v2.1",
	    "metadata version (default v2.0; v2.1 needs --annexb)"),
	ROW("sizing", OPT_CHOICE, G_FRAMES, sizing, 0, 0, sizings, "exact|bucket",
	    "SHM object size policy (default exact)"),
	ALIAS("width", OPT_LONG, G_FRAMES, width, 2, CONFIG_MAX_WIDTH, "N",
	      "LEFT plane width (default 640)", "dummy-width"),
	ALIAS("height", OPT_LONG, G_FRAMES, height, 1, CONFIG_MAX_HEIGHT, "N",
	      "LEFT plane height (default 480)", "dummy-height"),
	ROW("stride-pad", OPT_LONG, G_FRAMES, pad, 0, 4096, NULL, "N",
	    "extra bytes at the end of every row (default 0)"),
	ROW("pixel-format", OPT_CHOICE, G_FRAMES, fmt, 0, 0, fmt_names, "F",
	    "bgr (default), rgb, bgra, rgba, gray or yuyv"),
	ROW("depth-plane", OPT_FLAG, G_FRAMES, depth_plane, 0, 0, NULL, NULL,
	    "add a GRAY/F32 depth plane (v2 only)"),
	ALIAS("fps", OPT_LONG, G_FRAMES, fps, 1, 1000, "N", "frame rate (default 30)",
	      "dummy-fps"),
	ALIAS("frames", OPT_LONG, G_FRAMES, frames, 0, 0x7fffffffL, "N",
	      "frames to publish, 0 = endless (default 0)", "dummy-frames"),

	ROW("annexb", OPT_STR, G_AU, annexb, 0, 0, NULL, "FILE",
	    "attach one access unit of FILE per frame (looped)"),
	ROW("codec", OPT_CHOICE, G_AU, codec, 0, 0, codecs, "h264|h265",
	    "codec of --annexb (default h264); without --annexb" INDENT
	    "accepted and ignored, as in the original command line"),

	ROW("start-delay-ms", OPT_LONG, G_FAULT, start_delay_ms, 0, 600000, NULL, "MS",
	    "wait after binding before the first frame"),
	ROW("fault", OPT_CHOICE, G_FAULT, fault, 0, 0, faults, "MODE",
	    "none (default), torn, reset-storm, restart, resize" INDENT
	    "or garbage-reserved"),
	ROW("fault-every", OPT_LONG, G_FAULT, fault_every, 1, 0x7fffffffL, NULL, "N",
	    "period of reset-storm/restart/resize (default 30)"),
	ROW("legacy-status", OPT_FLAG, G_FAULT, legacy_status, 0, 0, NULL, NULL,
	    "send E1 status messages (0x5A ONLINE/OFFLINE/RESET)"),
	ROW("clock", OPT_CHOICE, G_FAULT, media_clock, 0, 0, clocks, "unix|media",
	    "capture timestamps: Unix time (default) or from 0"),
	ROW("clock-offset-ms", OPT_LONG, G_FAULT, clock_offset_ms, -86400000L, 86400000L,
	    NULL, "MS", "Unix clock off by MS (a camera's own clock)"),

	ROW("nats-url", OPT_STR, G_NATS, nats_url, 0, 0, NULL, "URL",
	    "be an E2/E3 producer on NATS too (status, source info)"),
	ROW("nats-era", OPT_CHOICE, G_NATS, nats_era, 0, 0, eras, "E",
	    "who answers source.info: producer (default:" INDENT
	    ".producer.source.info), control or none"),
	ROW("reset-event", OPT_CHOICE, G_NATS, reset_late, 0, 0, resets, "early|late",
	    "STREAM_RESET before (default) or after the first" INDENT
	    "frame of the new segment"),
	ROW("body", OPT_FLAG, G_NATS, body, 0, 0, NULL, NULL,
	    "publish one body tracking packet per frame"),

	ROW("run-mode", OPT_CHOICE, G_COMPAT, run_mode, 0, 0, run_modes, "pipeline",
	    "accepted and ignored: the simulator only produces"),
	ROW("input-mode", OPT_CHOICE, G_COMPAT, input_mode, 0, 0, input_modes, "dummy",
	    "accepted and ignored: the frames are always synthetic" INDENT
	    "(--dummy-label, --dummy-frames, --dummy-fps," INDENT
	    "--dummy-width and --dummy-height are spellings of" INDENT
	    "--label, --frames, --fps, --width and --height)"),

	ROW("help", OPT_FLAG, G_GENERAL, help, 0, 0, NULL, NULL, "show this help"),
};

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("cvmmap_sim: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

/* Where to publish: --instance/--target (default "default") or the
 * explicit --shm-name + --zmq-endpoint, which name the same objects as
 * the streamer's options of the same name (cvmmap_target_explicit() on
 * both sides).  The label defaults to the instance, or to the SHM name
 * cut to 24 bytes. */
static int resolve_names(struct sim *s, const struct sim_opts *o)
{
	char err[160];

	if (o->target && (o->shm_name || o->zmq_endpoint))
		return usage_error("--instance/--target and --shm-name/--zmq-endpoint are "
				   "mutually exclusive");
	if (o->shm_name || o->zmq_endpoint) {
		if (cvmmap_target_explicit(o->shm_name, o->zmq_endpoint, NULL, &s->tg,
					   err, sizeof err))
			return usage_error("%s", err);
	} else if (cvmmap_target_resolve(o->target ? o->target : "default", &s->tg,
					 err, sizeof err)) {
		return usage_error("%s", err);
	}
	if (o->label && strlen(o->label) > ZLABEL_SIZE)
		return usage_error("label '%s' is longer than 24 bytes", o->label);
	snprintf(s->label, sizeof s->label, "%.*s", ZLABEL_SIZE,
		 o->label ? o->label : s->tg.label[0] ? s->tg.label : s->tg.base_name);
	if (!s->tg.instance[0])         /* explicit names: NATS says the label */
		snprintf(s->tg.instance, sizeof s->tg.instance, "%.*s",
			 CVMMAP_INSTANCE_MAX, s->label);
	return 0;
}

/* The command line into s.  0 to go on, EXIT_USAGE after one line on
 * stderr, OPT_HELP_SHOWN after --help. */
static int parse_args(struct sim *s, int argc, char **argv)
{
	static struct opt_ctx c;
	struct sim_opts o = {
		.width = 640, .height = 480, .fps = 30, .fault_every = 30, .meta = 1,
	};
	const struct opt_block b = { rows, sizeof rows / sizeof rows[0], &o };
	int rc;

	c.blocks = &b;
	c.nblocks = 1;
	c.groups = groups;
	c.ngroups = G_COUNT;
	rc = opt_cli(&c, argc, argv, "cvmmap_sim", &o.help,
		     "Usage: cvmmap_sim [--instance TARGET | --shm-name NAME --zmq-endpoint URI]"
		     " [options]\n"
		     "A cv-mmap producer (SHM + ZeroMQ, optionally NATS) of test frames.\n\n",
		     "\nExit codes: 0 done or signal, 2 usage, 5 SHM or ZMQ setup failed.\n");
	c.blocks = NULL;        /* b ends here */
	if (rc)
		return rc;
	if ((rc = resolve_names(s, &o)) != 0)
		return rc;
	s->meta_major = o.meta == 0 ? 1 : 2;
	s->bucket = o.sizing;
	s->width = (uint32_t)o.width;
	s->height = (uint32_t)o.height;
	s->pad = (uint32_t)o.pad;
	s->fmt = fmt_values[o.fmt];
	s->depth_plane = o.depth_plane;
	s->fps = (uint32_t)o.fps;
	s->frames = o.frames;
	s->codec = o.codec;
	s->start_delay_ms = o.start_delay_ms;
	s->fault = o.fault;
	s->fault_every = o.fault_every;
	s->legacy_status = o.legacy_status;
	s->nats_url = o.nats_url;
	s->nats_era = o.nats_era;
	s->reset_late = o.reset_late;
	s->body = o.body;
	s->media_clock = o.media_clock;
	s->clock_offset_ms = o.clock_offset_ms;
	if (o.meta == 2 && !o.annexb)
		return usage_error("--meta v2.1 needs --annexb FILE");
	if (o.annexb && o.meta != 2)
		return usage_error("--annexb needs --meta v2.1");
	if (s->depth_plane && o.meta == 0)
		return usage_error("--depth-plane needs v2 metadata");
	if (o.meta == 0 && (s->width > 0xFFFF || s->height > 0xFFFF))
		return usage_error("v1 sizes are 16-bit");
	if (s->fmt == PIXFMT_YUYV && (s->width & 1))
		return usage_error("yuyv needs an even width");
	if (s->nats_url && !CONFIG_NATS)
		return usage_error("--nats-url: built without CONFIG_NATS");
	if (s->body && !s->nats_url)
		return usage_error("--body needs --nats-url");
	if (o.annexb && load_annexb(s, o.annexb) < 0)
		return EXIT_USAGE;
	if (!strncmp(s->tg.zmq_endpoint, "ipc://", 6))
		snprintf(s->ipc_path, sizeof s->ipc_path, "%s", s->tg.zmq_endpoint + 6);
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	struct sim s = { .shm_fd = -1 };
	struct sigaction sa;
	int rc;

	rc = parse_args(&s, argc, argv);
	if (rc)
		return rc == OPT_HELP_SHOWN ? EXIT_OK : rc;
	s.cur_w = s.width;
	s.cur_h = s.height;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	srand((unsigned)clock_mono_ns());

	s.zctx = zmq_ctx_new();
	if (!s.zctx || shm_create(&s) < 0) {
		fprintf(stderr, "cvmmap_sim: %s: %s\n", s.tg.shm_name, strerror(errno));
		return EXIT_INIT;
	}
	if (zmq_up(&s) < 0) {
		shm_destroy(&s);
		return EXIT_INIT;
	}
	if (nats_up(&s) < 0) {
		shm_destroy(&s);
		zmq_down(&s);
		return EXIT_USAGE;
	}
	log_info(TAG, "publishing %s via %s (label '%s')", s.tg.shm_name,
		 s.tg.zmq_endpoint, s.label);
	send_status(&s, ZSTATUS_ONLINE);
	rc = run(&s);
	send_status(&s, ZSTATUS_OFFLINE);
	nats_down(&s);
	/* 3.1 clean exit: unlink the object and the ipc socket file */
	shm_destroy(&s);
	zmq_down(&s);
	zctx_term(s.zctx);
	free(s.es);
	free(s.au_off);
	return rc;
}
