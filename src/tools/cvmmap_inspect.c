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
#include "config/opt.h"
#include "ipc/cvmmap_meta.h"
#include "ipc/ingest.h"
#include "ipc/shm.h"
#include "ipc/target.h"
#include "util/clock.h"
#include "util/exitcodes.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
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
		tg->shm_name, tg->zmq_endpoint, tg->label[0] ? tg->label : NULL, flags, 0, NULL
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

struct inspect_opts {
	const char *file, *dump, *shm_name, *zmq_ep;
	long object_size, count, timeout_ms;
	int json, python_confidence, watch, help;
};

enum { G_SOURCE, G_CHECK, G_WATCH, G_OUTPUT, G_GENERAL, G_COUNT };

static const char *const groups[G_COUNT] = {
	"Source", "Validation", "Watching", "Output", "General"
};

#define ROW(name, type, group, field, min, max, arg, help) \
	{ name, type, group, 0, OPT_OFF(struct inspect_opts, field), min, max, NULL, arg, \
	  help, NULL, NULL }

/* An object size up to 1 TiB (a cv-mmap payload_size is 32-bit, so any
 * real object is far smaller); up to 2^30 frames; a day of watching. */
#if LONG_MAX > 0x7fffffffL
#define OBJECT_SIZE_MAX (1L << 40)
#else
#define OBJECT_SIZE_MAX LONG_MAX
#endif
static const struct opt rows[] = {
	ROW("shm-name", OPT_STR, G_SOURCE, shm_name, 0, 0, "NAME",
	    "explicit SHM object name instead of TARGET (with --zmq-endpoint)"),
	ROW("zmq-endpoint", OPT_STR, G_SOURCE, zmq_ep, 0, 0, "URI",
	    "explicit ZeroMQ sync endpoint, e.g. ipc:///tmp/cvmmap_default"),
	ROW("metadata-file", OPT_STR, G_SOURCE, file, 0, 0, "FILE",
	    "a 256-byte metadata dump, binary or hex text, instead of TARGET"),
	ROW("object-size", OPT_LONG, G_CHECK, object_size, 0, OBJECT_SIZE_MAX, "N",
	    "validate a dump against an object of N bytes"),
	ROW("python-confidence", OPT_FLAG, G_CHECK, python_confidence, 0, 0, NULL,
	    "accept GRAY/U8 confidence (Python client rule)"),
	ROW("watch", OPT_FLAG, G_WATCH, watch, 0, 0, NULL,
	    "follow sync messages, print every frame and counters"),
	ROW("count", OPT_LONG, G_WATCH, count, 0, 1L << 30, "N",
	    "stop after N frames (default 0 = until the timeout)"),
	ROW("timeout-ms", OPT_LONG, G_WATCH, timeout_ms, 0, 86400000L, "MS",
	    "give up after MS (default 5000)"),
	ROW("json", OPT_FLAG, G_OUTPUT, json, 0, 0, NULL, "JSON output"),
	ROW("dump", OPT_STR, G_OUTPUT, dump, 0, 0, "FILE",
	    "also write the 256 metadata bytes to FILE"),
	ROW("help", OPT_FLAG, G_GENERAL, help, 0, 0, NULL, "show this help"),
};

int main(int argc, char **argv)
{
	static struct opt_ctx c;
	struct inspect_opts o = { .object_size = -1, .timeout_ms = 5000 };
	const struct opt_block b = { rows, sizeof rows / sizeof rows[0], &o };
	const char *file, *dump;
	char *pos[1];
	struct cvmmap_target tg;
	struct cvmmap_meta m;
	struct source src = { NULL, CVMMAP_SIZE_UNKNOWN, 0 };
	uint8_t meta[CVMMAP_META_SIZE];
	unsigned flags = 0;
	int r;
	char err[160];

	c.blocks = &b;
	c.nblocks = 1;
	c.groups = groups;
	c.ngroups = G_COUNT;
	c.pos = pos;
	c.maxpos = 1;
	r = opt_cli(&c, argc, argv, "cvmmap_inspect", &o.help,
		    "Usage: cvmmap_inspect [options] TARGET\n"
		    "       cvmmap_inspect [options] --shm-name NAME --zmq-endpoint URI\n"
		    "       cvmmap_inspect [options] --metadata-file FILE\n"
		    "Print and validate a cv-mmap producer's metadata.  TARGET is an\n"
		    "instance name or cvmmap://inst[@prefix][?namespace=ns].\n\n",
		    "\nExit codes: 0 valid, 2 usage, 5 no SHM/ZMQ, 7 invalid metadata, "
		    "124 watch timeout.\n");
	if (r)
		return r == OPT_HELP_SHOWN ? EXIT_OK : r;
	file = o.file;
	dump = o.dump;
	if (o.object_size >= 0)
		src.size = (uint64_t)o.object_size;
	if (o.python_confidence)
		flags |= CVMMAP_META_CONF_ANY_U8;
	if (file) {
		if (c.npos || o.watch) {
			fprintf(stderr, "cvmmap_inspect: --metadata-file excludes TARGET "
				"and --watch\n");
			return EXIT_USAGE;
		}
		if (load_dump(file, meta) < 0)
			return EXIT_USAGE;
		src.what = file;
	} else {
		if (o.shm_name || o.zmq_ep) {
			r = cvmmap_target_explicit(o.shm_name, o.zmq_ep, NULL, &tg, err, sizeof err);
			if (!r && c.npos)
				r = snprintf(err, sizeof err, "TARGET and --shm-name exclude each other");
		} else if (c.npos == 1) {
			r = cvmmap_target_resolve(pos[0], &tg, err, sizeof err);
		} else {
			r = snprintf(err, sizeof err, "no TARGET, --shm-name or --metadata-file "
				     "(see --help)");
		}
		if (r) {
			fprintf(stderr, "cvmmap_inspect: %s\n", err);
			return EXIT_USAGE;
		}
		if (o.watch) {
			struct sigaction sa;

			memset(&sa, 0, sizeof sa);
			sa.sa_handler = on_signal;
			sigaction(SIGINT, &sa, NULL);
			sigaction(SIGTERM, &sa, NULL);
			return watch(&tg, o.count, o.timeout_ms, flags, o.json);
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
	if (o.json)
		print_json(&m, &src, r);
	else
		print_text(&m, &src, r);
	if (dump && write_dump(dump, meta) < 0)
		return EXIT_USAGE;
	return r == META_OK ? EXIT_OK : EXIT_PROTOCOL;
}
