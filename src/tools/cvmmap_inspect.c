/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cvmmap_inspect - print and validate a cv-mmap producer's metadata.
 *
 *   cvmmap_inspect [--json] TARGET            live instance (one snapshot)
 *   cvmmap_inspect [--json] --metadata-file F a 256-byte dump (binary or hex)
 *   cvmmap_inspect --watch [--count N] [--timeout-ms MS] TARGET
 *
 * Exit codes: 0 valid (watch: frames delivered), 2 usage, 5 SHM or ZMQ
 * unavailable, 7 the metadata failed validation, 124 watch timed out
 * before --count frames.
 */
#define _GNU_SOURCE
#include "ipc/cvmmap_meta.h"
#include "ipc/ingest.h"
#include "ipc/shm.h"
#include "ipc/target.h"
#include "util/clock.h"
#include "util/exitcodes.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct source {
	const char *what;      /* SHM name or file name */
	uint64_t size;         /* object size or CVMMAP_SIZE_UNKNOWN */
	uint64_t inode;        /* 0 for files */
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: cvmmap_inspect [options] TARGET\n"
"       cvmmap_inspect [options] --metadata-file FILE\n"
"  TARGET                instance name or cvmmap://inst[@prefix][?namespace=ns]\n"
"  --shm-name N --zmq-endpoint URI   explicit names instead of TARGET\n"
"  --json                JSON output\n"
"  --metadata-file FILE  256-byte metadata dump, binary or hex text\n"
"  --object-size N       validate a dump against an object of N bytes\n"
"  --python-confidence   accept GRAY/U8 confidence (Python client rule)\n"
"  --dump FILE           also write the 256 metadata bytes to FILE\n"
"  --watch               follow sync messages, print every frame and counters\n"
"  --count N             --watch: stop after N frames (default 0 = until timeout)\n"
"  --timeout-ms MS       --watch: give up after MS (default 5000)\n"
"exit: 0 valid, 2 usage, 5 no SHM/ZMQ, 7 invalid metadata, 124 watch timeout\n");
}

/* 256 bytes from a binary dump or a hex text (whitespace ignored). */
static int load_dump(const char *path, uint8_t *m)
{
	uint8_t raw[4096];
	size_t n, i, k = 0;
	int hi = -1;
	FILE *f = fopen(path, "rb");

	if (!f) {
		fprintf(stderr, "cvmmap_inspect: %s: %s\n", path, strerror(errno));
		return -1;
	}
	n = fread(raw, 1, sizeof raw, f);
	fclose(f);
	if (n == CVMMAP_META_SIZE) {
		memcpy(m, raw, n);
		return 0;
	}
	for (i = 0; i < n; i++) {
		int c = raw[i], v;

		if (c >= '0' && c <= '9') v = c - '0';
		else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
		else if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
		else goto bad;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (k == CVMMAP_META_SIZE)
			goto bad;
		m[k++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	if (k == CVMMAP_META_SIZE && hi < 0)
		return 0;
bad:
	fprintf(stderr, "cvmmap_inspect: %s: not 256 bytes of binary or hex\n", path);
	return -1;
}

static void print_text(const struct cvmmap_meta *m, const struct source *src, int r)
{
	unsigned i;

	printf("source:        %s", src->what);
	if (src->size != CVMMAP_SIZE_UNKNOWN)
		printf(" (%" PRIu64 " bytes, inode %" PRIu64 ")", src->size, src->inode);
	printf("\nversion:       %u.%u (%s layout)\n", m->major, m->minor,
	       m->layout == 1 ? "v1" : m->layout == 2 ? "v2" : "unknown");
	printf("frame_id:      %u\ncapture_ts_ns: %" PRIu64 "\n", m->frame_id, m->capture_ns);
	if (m->layout == 2)
		printf("publish_seq:   %" PRIu64 "\nplanes:        count %u mask 0x%02x\n"
		       "depth_unit:    %u\n", m->publish_seq, m->plane_count, m->mask,
		       m->depth_unit);
	printf("payload_size:  %u\n", m->payload_size);
	for (i = 0; i < CVMMAP_PLANES; i++) {
		const struct cvmmap_plane *p = &m->plane[i];

		if (!p->active)
			continue;
		printf("plane %u:       type %u %s/%s %ux%u stride %u offset %u size %u\n",
		       i, p->type, cvmmap_pixfmt_name(p->pixel_format),
		       cvmmap_depth_name(p->depth), p->width, p->height, p->stride,
		       p->offset, p->size);
	}
	if (m->plane[PLANE_ENCODED_AU].active)
		printf("encoded:       codec %u format %u flags 0x%04x%s fps %u/%u pts %" PRIu64 "\n",
		       m->au_codec, m->au_format, m->au_flags,
		       m->au_flags & CVMMAP_AU_FLAG_KEYFRAME ? " (keyframe)" : "",
		       m->fps_num, m->fps_den, m->au_pts_ns);
	if (m->warn & CVMMAP_META_WARN_V1_MINOR)
		printf("warning:       v1 minor %u is not 0 (accepted, as C++)\n", m->minor);
	if (m->warn & CVMMAP_META_WARN_CONF_U8)
		printf("warning:       GRAY/U8 confidence accepted (Python rule)\n");
	if (r == META_OK)
		printf("verdict:       valid\n");
	else
		printf("verdict:       INVALID (%s): %s\n", meta_reason_id(r),
		       meta_reason_str(r));
}

static void print_json(const struct cvmmap_meta *m, const struct source *src, int r)
{
	unsigned i;
	int first = 1;

	printf("{\"source\":\"%s\",", src->what);
	if (src->size != CVMMAP_SIZE_UNKNOWN)
		printf("\"object_size\":%" PRIu64 ",\"inode\":%" PRIu64 ",", src->size, src->inode);
	printf("\"valid\":%s,\"reason\":\"%s\",\"rule\":\"%s\",",
	       r == META_OK ? "true" : "false", meta_reason_id(r), meta_reason_str(r));
	printf("\"versions_major\":%u,\"versions_minor\":%u,\"layout\":%d,"
	       "\"frame_id\":%u,\"capture_ts_ns\":%" PRIu64 ",\"payload_size_bytes\":%u",
	       m->major, m->minor, m->layout, m->frame_id, m->capture_ns, m->payload_size);
	if (m->layout == 1)
		printf(",\"channels\":%u", m->channels);
	if (m->layout == 2) {
		printf(",\"flags\":%u,\"publish_seq\":%" PRIu64 ",\"plane_count\":%u,"
		       "\"plane_presence_mask\":%u,\"depth_unit\":%u",
		       m->flags, m->publish_seq, m->plane_count, m->mask, m->depth_unit);
		if (m->minor >= 1)
			printf(",\"encoded_codec\":%u,\"encoded_bitstream_format\":%u,"
			       "\"encoded_flags\":%u,\"encoded_frame_rate_num\":%u,"
			       "\"encoded_frame_rate_den\":%u,\"encoded_stream_pts_ns\":%" PRIu64,
			       m->au_codec, m->au_format, m->au_flags, m->fps_num,
			       m->fps_den, m->au_pts_ns);
	}
	printf(",\"planes\":[");
	for (i = 0; i < (m->layout == 1 ? 1u : CVMMAP_PLANES); i++) {
		const struct cvmmap_plane *p = &m->plane[i];

		printf("%s{\"slot\":%u,\"active\":%s,\"plane_type\":%u,\"pixel_format\":%u,"
		       "\"depth\":%u,\"width\":%u,\"height\":%u,\"stride_bytes\":%u,"
		       "\"offset_bytes\":%u,\"size_bytes\":%u}", first ? "" : ",", i,
		       p->active ? "true" : "false", p->type, p->pixel_format, p->depth,
		       p->width, p->height, p->stride, p->offset, p->size);
		first = 0;
	}
	printf("]}\n");
}

static int write_dump(const char *path, const uint8_t *m)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(m, 1, CVMMAP_META_SIZE, f) != CVMMAP_META_SIZE || fclose(f)) {
		fprintf(stderr, "cvmmap_inspect: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int watch(const struct cvmmap_target *tg, long count, long timeout_ms,
		 unsigned flags, int json)
{
	struct ingest_cfg cfg = {
		tg->shm_name, tg->zmq_endpoint, tg->label[0] ? tg->label : NULL, flags, 0
	};
	struct ingest *in;
	struct frame_slot slot;
	struct ingest_stats st;
	uint64_t deadline = clock_mono_ns() + (uint64_t)timeout_ms * 1000000u;
	long got = 0;
	int r = 0;

	if (ingest_open(&in, &cfg) < 0)
		return EXIT_INIT;
	if (frame_slot_alloc(&slot, (size_t)CONFIG_MAX_WIDTH * CONFIG_MAX_HEIGHT * 4,
			     (size_t)CONFIG_MAX_AU_KIB * 1024) < 0) {
		ingest_close(in);
		return EXIT_INIT;
	}
	while (!stop && (!count || got < count)) {
		uint64_t now = clock_mono_ns();

		if (now >= deadline)
			break;
		r = ingest_next(in, (int)((deadline - now) / 1000000u) + 1, &slot);
		if (r < 0)
			break;
		if (r == 0)
			continue;
		got++;
		if (json)
			printf("{\"frame_id\":%u,\"capture_ts_ns\":%" PRIu64 ",\"width\":%u,"
			       "\"height\":%u,\"stride\":%u,\"pixel_format\":%d,\"au_size\":%zu,"
			       "\"au_keyframe\":%d,\"reset\":%d,\"suspect\":%d}\n",
			       slot.frame_id, slot.capture_ns, slot.width, slot.height,
			       slot.stride, slot.pixel_format, slot.au_size,
			       slot.au_keyframe, slot.reset, slot.suspect);
		else
			printf("frame %u ts %" PRIu64 " %ux%u %s stride %u%s%s%s%s\n",
			       slot.frame_id, slot.capture_ns, slot.width, slot.height,
			       cvmmap_pixfmt_name((unsigned)slot.pixel_format), slot.stride,
			       slot.au_size ? " au" : "", slot.au_keyframe ? " key" : "",
			       slot.reset ? " RESET" : "", slot.suspect ? " suspect" : "");
		fflush(stdout);
	}
	ingest_get_stats(in, &st);
	printf("%s syncs %" PRIu64 " copied %" PRIu64 " torn %" PRIu64 " rejected %" PRIu64
	       " late %" PRIu64 " skipped %" PRIu64 " too_big %" PRIu64 " reattached %" PRIu64
	       " resets %" PRIu64 " foreign %" PRIu64 "%s%s\n", json ? "#" : "counters:",
	       st.syncs, st.copied, st.torn, st.rejected, st.late, st.skipped, st.too_big,
	       st.reattached, st.resets, st.foreign,
	       st.rejected ? " last_reject: " : "",
	       st.rejected ? meta_reason_str(st.last_reject) : "");
	frame_slot_free(&slot);
	ingest_close(in);
	if (r < 0)
		return EXIT_INIT;
	if (!got || (count && got < count))
		return EXIT_TIMEOUT;
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "json", 0, 0, 'j' }, { "metadata-file", 1, 0, 'm' },
		{ "object-size", 1, 0, 'o' }, { "python-confidence", 0, 0, 'p' },
		{ "dump", 1, 0, 'd' }, { "watch", 0, 0, 'w' }, { "count", 1, 0, 'n' },
		{ "timeout-ms", 1, 0, 't' }, { "shm-name", 1, 0, 'S' },
		{ "zmq-endpoint", 1, 0, 'Z' }, { "help", 0, 0, 'h' }, { 0, 0, 0, 0 }
	};
	const char *file = NULL, *dump = NULL, *shm_name = NULL, *zmq_ep = NULL;
	struct cvmmap_target tg;
	struct cvmmap_meta m;
	struct source src = { NULL, CVMMAP_SIZE_UNKNOWN, 0 };
	uint8_t meta[CVMMAP_META_SIZE];
	unsigned flags = 0;
	long count = 0, timeout_ms = 5000;
	int c, json = 0, do_watch = 0, r;
	char err[160], *e;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'j': json = 1; break;
		case 'm': file = optarg; break;
		case 'o':
			src.size = strtoull(optarg, &e, 10);
			if (*e || e == optarg)
				goto bad;
			break;
		case 'p': flags |= CVMMAP_META_CONF_ANY_U8; break;
		case 'd': dump = optarg; break;
		case 'w': do_watch = 1; break;
		case 'n':
			count = strtol(optarg, &e, 10);
			if (*e || e == optarg || count < 0)
				goto bad;
			break;
		case 't':
			timeout_ms = strtol(optarg, &e, 10);
			if (*e || e == optarg || timeout_ms < 0)
				goto bad;
			break;
		case 'S': shm_name = optarg; break;
		case 'Z': zmq_ep = optarg; break;
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (file) {
		if (optind != argc || do_watch) {
			usage(stderr);
			return EXIT_USAGE;
		}
		if (load_dump(file, meta) < 0)
			return EXIT_USAGE;
		src.what = file;
	} else {
		if (shm_name || zmq_ep) {
			r = cvmmap_target_explicit(shm_name, zmq_ep, NULL, &tg, err, sizeof err);
			if (!r && optind != argc)
				r = snprintf(err, sizeof err, "TARGET and --shm-name exclude each other");
		} else if (optind + 1 == argc) {
			r = cvmmap_target_resolve(argv[optind], &tg, err, sizeof err);
		} else {
			usage(stderr);
			return EXIT_USAGE;
		}
		if (r) {
			fprintf(stderr, "cvmmap_inspect: %s\n", err);
			return EXIT_USAGE;
		}
		if (do_watch) {
			struct sigaction sa;

			memset(&sa, 0, sizeof sa);
			sa.sa_handler = on_signal;
			sigaction(SIGINT, &sa, NULL);
			sigaction(SIGTERM, &sa, NULL);
			return watch(&tg, count, timeout_ms, flags, json);
		} else {
			struct shm_reader rd;

			shm_init(&rd, tg.shm_name);
			r = shm_open_ro(&rd);
			if (r < 0 || shm_read(&rd, meta, sizeof meta, 0) < 0) {
				fprintf(stderr, "cvmmap_inspect: %s: %s\n", tg.shm_name,
					r < 0 ? strerror(-r) : "shorter than 256 bytes");
				shm_close(&rd);
				return EXIT_INIT;
			}
			src.what = tg.shm_name;
			src.size = rd.size;
			src.inode = (uint64_t)rd.ino;
			shm_close(&rd);
		}
	}
	r = cvmmap_meta_parse(meta, src.size, flags, &m);
	if (json)
		print_json(&m, &src, r);
	else
		print_text(&m, &src, r);
	if (dump && write_dump(dump, meta) < 0)
		return EXIT_USAGE;
	return r == META_OK ? EXIT_OK : EXIT_PROTOCOL;
bad:
	fprintf(stderr, "cvmmap_inspect: bad number '%s'\n", optarg);
	return EXIT_USAGE;
}
