/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rtmp_stub_tester - an RTMP server stub for one publisher, validating.
 *
 *   rtmp_stub_tester --mode h264|h265-enhanced|h265-domestic
 *                    [--listen-host 127.0.0.1] --listen-port P
 *                    [--video-threshold N] [--timeout-ms MS] [--json]
 *                    [--dump FILE.flv] [--dump-annexb FILE]
 *                    [--stall-ms MS] [--drop-after N]
 *
 * Server side of the simple handshake (S1 bytes 4-7 zero, docs/protocols.md
 * 1.1) and of connect/createStream/publish (1.5).  Validates the video
 * messages: the codec form matches --mode (else exit 6); a sequence
 * header precedes the first frame, the first frame is a keyframe, every
 * frame is well-formed length-prefixed NAL units and timestamps never go
 * backwards (else exit 7).
 *
 * The session ends when the publisher closes or unpublishes, when
 * --video-threshold frames arrived, or after --drop-after frames (the
 * stub then closes the connection).  Exit: 0 ok, 2 usage, 4 fewer than
 * --video-threshold frames, 6 codec/mode mismatch, 7 protocol error,
 * 124 timeout.  Dumps are written to FILE.tmp and renamed at the end.
 */
#define _GNU_SOURCE
#include "codec/nal.h"
#include "config/opt.h"
#include "proto/amf0.h"
#include "proto/flv.h"
#include "proto/rtmp_chunk.h"
#include "proto/rtmp_msg.h"
#include "util/bytes.h"
#include "util/clock.h"
#include "util/exitcodes.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define OUT_CHUNK 4096
#define MAX_MSG ((size_t)CONFIG_MAX_AU_KIB * 1024 + 64 * 1024)

static const char *const mode_names[] = { "h264", "h265-enhanced", "h265-domestic" };

struct stub {
	int form;               /* expected enum flv_form */
	const char *host;
	long port;
	long threshold, timeout_ms, stall_ms, drop_after;
	int json, help;
	int mode, expect;       /* options: index into modes[], expects[]; -1 unset */
	const char *dump, *dump_annexb;

	int fd;
	uint8_t hs[1 + 2 * RTMP_HS_SIZE];
	size_t hslen;
	struct rtmp_chunk_reader rd;
	uint64_t in_total;

	int published, have_seq, ended;
	int unpublished;        /* FCUnpublish/deleteStream received */
	long frames, keyframes, seq_headers, seq_ends;
	uint64_t bytes;
	uint32_t last_ts, first_ts;
	double meta_codecid, meta_w, meta_h;
	int have_meta;
	char app[128], stream[256];

	FILE *flv, *annexb;
	char flv_tmp[4096], annexb_tmp[4096];
	uint8_t *conv;          /* Annex B conversion scratch */
	size_t conv_cap;

	int rc;
	char err[256];
};

/* Record the first failure (exit code + one line). */
static void failf(struct stub *s, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void failf(struct stub *s, int rc, const char *fmt, ...)
{
	va_list ap;

	if (s->rc)
		return;
	s->rc = rc;
	va_start(ap, fmt);
	vsnprintf(s->err, sizeof s->err, fmt, ap);
	va_end(ap);
	s->ended = 1;
}

static int send_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Chunk and send one message (blocking: answers are small). */
static void send_msg(struct stub *s, uint32_t csid, uint8_t type, uint32_t sid,
		     const uint8_t *body, int len)
{
	static uint8_t out[8192];
	struct rtmp_msg m = { csid, 0, sid, type, body, len > 0 ? (size_t)len : 0 };
	int n;

	if (len < 0 || (n = rtmp_chunk_write(out, sizeof out, &m, OUT_CHUNK)) < 0 ||
	    send_all(s->fd, out, (size_t)n) < 0)
		failf(s, EXIT_PROTOCOL, "cannot answer the publisher");
}

/* ---- dumps ------------------------------------------------------------- */

static void dump_tag(struct stub *s, int type, uint32_t ts, const uint8_t *b, size_t n)
{
	uint8_t h[FLV_TAG_HDR_LEN], pts[4];

	if (!s->flv || flv_tag_header(h, sizeof h, type, (uint32_t)n, ts) < 0)
		return;
	wr_be32(pts, (uint32_t)(FLV_TAG_HDR_LEN + n));
	fwrite(h, 1, sizeof h, s->flv);
	fwrite(b, 1, n, s->flv);
	fwrite(pts, 1, 4, s->flv);
}

static FILE *open_tmp(const char *path, char *tmp, size_t cap)
{
	snprintf(tmp, cap, "%s.tmp", path);
	return fopen(tmp, "wb");
}

static void close_dump(FILE **f, const char *tmp, const char *path, int keep)
{
	if (!*f)
		return;
	if (fclose(*f) != 0 || !keep || rename(tmp, path) != 0)
		unlink(tmp);
	*f = NULL;
}

/* ---- validation -------------------------------------------------------- */

static void on_video(struct stub *s, const struct rtmp_msg *m)
{
	struct flv_video v;
	int codec = s->form == FLV_AVC ? 0 : 1, n;

	if (flv_video_parse(m->body, m->len, &v) < 0) {
		failf(s, EXIT_PROTOCOL, "truncated video tag (%zu bytes)", m->len);
		return;
	}
	if (v.form != s->form) {
		failf(s, EXIT_MODE_MISMATCH, "video tag %02x: expected %s",
		      m->len ? m->body[0] : 0, mode_names[s->form]);
		return;
	}
	if (v.pkt < 0)
		return;                 /* e.g. E-RTMP Metadata: tolerated */
	dump_tag(s, FLV_TAG_VIDEO, m->ts, m->body, m->len);
	if (v.pkt == FLV_PKT_SEQ) {
		n = flv_record_to_annexb(codec, v.body, v.len, s->conv, s->conv_cap);
		if (n <= 0) {
			failf(s, EXIT_PROTOCOL, "malformed decoder configuration record");
			return;
		}
		if (s->annexb)
			fwrite(s->conv, 1, (size_t)n, s->annexb);
		s->have_seq = 1;
		s->seq_headers++;
		return;
	}
	if (v.pkt == FLV_PKT_END) {
		s->seq_ends++;          /* the publisher's clean stop */
		return;
	}
	if (v.pkt != FLV_PKT_NALU)
		return;
	if (!s->have_seq) {
		failf(s, EXIT_PROTOCOL, "frame before the sequence header");
		return;
	}
	if (!s->frames && v.frame_type != 1) {
		failf(s, EXIT_PROTOCOL, "first frame is not a keyframe");
		return;
	}
	if (s->frames && m->ts < s->last_ts) {
		failf(s, EXIT_PROTOCOL, "timestamp went backwards: %u after %u",
		      m->ts, s->last_ts);
		return;
	}
	n = flv_lp_to_annexb(v.body, v.len, s->conv, s->conv_cap);
	if (n <= 0) {
		failf(s, EXIT_PROTOCOL, "frame %ld: bad NAL unit lengths", s->frames);
		return;
	}
	if (s->annexb)
		fwrite(s->conv, 1, (size_t)n, s->annexb);
	if (!s->frames)
		s->first_ts = m->ts;
	s->last_ts = m->ts;
	s->frames++;
	s->keyframes += v.frame_type == 1;
	if (s->threshold > 0 && s->frames >= s->threshold)
		s->ended = 1;
	if (s->drop_after > 0 && s->frames >= s->drop_after)
		s->ended = 1;
}

static void on_data(struct stub *s, const struct rtmp_msg *m)
{
	struct rtmp_cmd c;
	struct amf0_val v;
	const struct amf0_val *arr;
	int i = 0;

	if (rtmp_cmd_parse(m->body, m->len, &c) < 0)
		return;
	if (rtmp_cmd_is(&c, "@setDataFrame"))
		i = 1;
	if (c.n <= i + 1 || !amf0_streq(&c.v[i], "onMetaData"))
		return;
	arr = &c.v[i + 1];
	s->have_meta = 1;
	if (amf0_find(arr, "videocodecid", &v) == 0)
		s->meta_codecid = v.num;
	if (amf0_find(arr, "width", &v) == 0)
		s->meta_w = v.num;
	if (amf0_find(arr, "height", &v) == 0)
		s->meta_h = v.num;
	/* FLV script tag: "onMetaData" + array, without @setDataFrame */
	if (i)
		dump_tag(s, FLV_TAG_SCRIPT, 0, c.v[1].str - 3,
			 (size_t)(m->body + m->len - (c.v[1].str - 3)));
	if (s->meta_codecid != flv_videocodecid(s->form))
		failf(s, EXIT_MODE_MISMATCH, "onMetaData videocodecid %.0f, expected %.0f",
		      s->meta_codecid, flv_videocodecid(s->form));
}

/* Server side of docs/protocols.md §1.5. */
static void on_command(struct stub *s, const struct rtmp_msg *m)
{
	struct rtmp_cmd c;
	struct amf0_val v;
	uint8_t b[1024];

	if (rtmp_cmd_parse(m->body, m->len, &c) < 0) {
		failf(s, EXIT_PROTOCOL, "malformed AMF0 command");
		return;
	}
	if (rtmp_cmd_is(&c, "connect")) {
		if (c.n < 3 || amf0_find(&c.v[2], "app", &v) < 0) {
			failf(s, EXIT_PROTOCOL, "connect without app");
			return;
		}
		amf0_strcpy(&v, s->app, sizeof s->app);
		send_msg(s, 2, RTMP_MSG_WINDOW_ACK_SIZE, 0, b, rtmp_ctl_u32(b, sizeof b, 5000000));
		send_msg(s, 2, RTMP_MSG_SET_PEER_BW, 0, b, rtmp_ctl_peer_bw(b, sizeof b, 5000000, 2));
		send_msg(s, 2, RTMP_MSG_SET_CHUNK_SIZE, 0, b, rtmp_ctl_u32(b, sizeof b, OUT_CHUNK));
		send_msg(s, 3, RTMP_MSG_AMF0_CMD, 0, b, rtmp_cmd_connect_result(b, sizeof b, c.txn));
	} else if (rtmp_cmd_is(&c, "createStream")) {
		send_msg(s, 3, RTMP_MSG_AMF0_CMD, 0, b, rtmp_cmd_number_result(b, sizeof b, c.txn, 1));
	} else if (rtmp_cmd_is(&c, "publish")) {
		if (c.n >= 4)
			amf0_strcpy(&c.v[3], s->stream, sizeof s->stream);
		send_msg(s, 2, RTMP_MSG_USER_CONTROL, 0, b,
			 rtmp_ctl_user(b, sizeof b, RTMP_UC_STREAM_BEGIN, 1));
		send_msg(s, 5, RTMP_MSG_AMF0_CMD, 1, b, rtmp_cmd_on_status(b, sizeof b,
			 "status", "NetStream.Publish.Start", "Publishing."));
		s->published = 1;
	} else if (rtmp_cmd_is(&c, "FCUnpublish") || rtmp_cmd_is(&c, "deleteStream")) {
		if (s->published)
			s->ended = s->unpublished = 1;
	}
	/* releaseStream, FCPublish, others: tolerated without an answer */
}

static void on_message(struct stub *s, const struct rtmp_msg *m)
{
	switch (m->type) {
	case RTMP_MSG_VIDEO:
		if (!s->published)
			failf(s, EXIT_PROTOCOL, "video before publish");
		else
			on_video(s, m);
		break;
	case RTMP_MSG_AMF0_DATA:
		on_data(s, m);
		break;
	case RTMP_MSG_AMF0_CMD:
		on_command(s, m);
		break;
	default:
		break;
	}
}

/* Feed received bytes: the handshake first (C0+C1, C2), then chunks.
 * Returns how many trailing bytes (a partial chunk header) were left for
 * the caller to present again with the next read. */
static size_t on_bytes(struct stub *s, const uint8_t *p, size_t n)
{
	if (s->hslen < sizeof s->hs) {
		size_t take = sizeof s->hs - s->hslen < n ? sizeof s->hs - s->hslen : n;
		size_t before = s->hslen;

		memcpy(s->hs + s->hslen, p, take);
		s->hslen += take;
		p += take;
		n -= take;
		if (before < 1 + RTMP_HS_SIZE && s->hslen >= 1 + RTMP_HS_SIZE) {
			uint8_t out[1 + 2 * RTMP_HS_SIZE];
			int k;

			if (s->hs[0] != RTMP_VERSION) {
				failf(s, EXIT_PROTOCOL, "handshake version %u", s->hs[0]);
				return 0;
			}
			k = rtmp_hs_s0s1s2(out, sizeof out, s->hs + 1, 0, 12345);
			if (k < 0 || send_all(s->fd, out, (size_t)k) < 0) {
				failf(s, EXIT_PROTOCOL, "cannot send S0+S1+S2");
				return 0;
			}
		}
	}
	while (n && !s->ended) {
		struct rtmp_msg m;
		int done, c = rtmp_chunk_read(&s->rd, p, n, &m, &done);

		if (c < 0) {
			if (c == -EMSGSIZE)
				failf(s, EXIT_PROTOCOL, "message above %zu bytes", MAX_MSG);
			else
				failf(s, EXIT_PROTOCOL, "malformed chunk stream (%s)",
				      strerror(-c));
			return 0;
		}
		p += c;
		n -= (size_t)c;
		if (done)
			on_message(s, &m);
		else if (!c)
			break;
	}
	return n;
}

/* ---- main -------------------------------------------------------------- */

static int listen_on(const char *host, unsigned port, int small_rcvbuf)
{
	struct addrinfo hints, *ai = NULL;
	char ps[8];
	int fd, one = 1, rcv = 16384;

	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	snprintf(ps, sizeof ps, "%u", port);
	if (getaddrinfo(host, ps, &hints, &ai) != 0)
		return -1;
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		if (small_rcvbuf)       /* a stall must back up to the publisher */
			setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof rcv);
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 1) < 0) {
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(ai);
	return fd;
}

enum { G_SERVER, G_CHECK, G_OUTPUT, G_FAULT, G_GENERAL, G_COUNT };
enum { M_H264, M_H265_ENHANCED, M_H265_DOMESTIC, M_H265 };   /* modes[] */
enum { X_ENHANCED, X_DOMESTIC };                              /* expects[] */

static const char *const groups[G_COUNT] = {
	"Server", "Checks", "Output", "Misbehaviour (tests)", "General"
};
static const char *const modes[] = { "h264", "h265-enhanced", "h265-domestic", "h265", NULL };
static const char *const expects[] = { "enhanced|hvc1", "domestic", NULL };

#define ROW(name, type, group, field, min, max, choices, arg, help) \
	{ name, type, group, 0, OPT_OFF(struct stub, field), min, max, choices, arg, \
	  help, NULL, NULL }

/* Frame counts up to 2^30 (hours of video); durations up to a day (a
 * soak run's server lives minutes; poll() takes the rest as an int). */
#define DAY_MS 86400000L
static const struct opt rows[] = {
	ROW("listen-host", OPT_STR, G_SERVER, host, 0, 0, NULL, "H",
	    "address to listen on (default 127.0.0.1)"),
	ROW("listen-port", OPT_LONG, G_SERVER, port, 1, 65535, NULL, "P", "TCP port (required)"),
	ROW("mode", OPT_CHOICE, G_CHECK, mode, 0, 0, modes, "MODE",
	    "expected video form (required): h264, h265-enhanced,\n"
	    "                                 h265-domestic, or h265 with --expect-rtmp-mode"),
	ROW("expect-rtmp-mode", OPT_CHOICE, G_CHECK, expect, 0, 0, expects, "M",
	    "with --mode h265: enhanced (or hvc1) or domestic"),
	ROW("video-threshold", OPT_LONG, G_CHECK, threshold, 0, 1L << 30, NULL, "N",
	    "stop after N video frames; fewer at the end -> exit 4"),
	ROW("timeout-ms", OPT_LONG, G_CHECK, timeout_ms, 0, DAY_MS, NULL, "MS",
	    "give up after MS (default 10000) -> exit 124"),
	ROW("dump", OPT_STR, G_OUTPUT, dump, 0, 0, NULL, "FILE.flv",
	    "write what was received as an FLV file"),
	ROW("dump-annexb", OPT_STR, G_OUTPUT, dump_annexb, 0, 0, NULL, "FILE",
	    "write the video as an Annex B elementary stream"),
	ROW("json", OPT_FLAG, G_OUTPUT, json, 0, 0, NULL, NULL, "print the result as JSON"),
	ROW("stall-ms", OPT_LONG, G_FAULT, stall_ms, 0, DAY_MS, NULL, "MS",
	    "stop reading for MS after the first frame"),
	ROW("drop-after", OPT_LONG, G_FAULT, drop_after, 0, 1L << 30, NULL, "N",
	    "close the connection after N video frames"),
	ROW("help", OPT_FLAG, G_GENERAL, help, 0, 0, NULL, NULL, "show this help"),
};

/* The command line into s.  0 to go on, EXIT_USAGE after one line on
 * stderr, OPT_HELP_SHOWN after --help. */
static int parse_args(struct stub *s, int argc, char **argv)
{
	static struct opt_ctx c;
	const struct opt_block b = { rows, sizeof rows / sizeof rows[0], s };
	int rc, m;

	s->host = "127.0.0.1";
	s->timeout_ms = 10000;
	s->mode = s->expect = -1;
	c.blocks = &b;
	c.nblocks = 1;
	c.groups = groups;
	c.ngroups = G_COUNT;
	rc = opt_cli(&c, argc, argv, "rtmp_stub_tester", &s->help,
		     "Usage: rtmp_stub_tester --mode MODE --listen-port P [options]\n"
		     "Accept one RTMP publisher and validate what it sends.\n\n",
		     "\nExit codes: 0 ok, 2 usage, 4 threshold, 6 mode mismatch, 7 protocol, "
		     "124 timeout\n");
	c.blocks = NULL;        /* b ends here */
	if (rc)
		return rc;
	if (s->mode < 0 || !s->port) {
		fprintf(stderr, "rtmp_stub_tester: --mode and --listen-port are required\n");
		return EXIT_USAGE;
	}
	/* h265-enhanced and h265-domestic say it all; h265 needs the mode */
	m = s->mode;
	if (m == M_H264 && s->expect != X_DOMESTIC)
		s->form = FLV_AVC;
	else if (m == M_H265_ENHANCED || (m == M_H265 && s->expect == X_ENHANCED))
		s->form = FLV_HVC1;
	else if (m == M_H265_DOMESTIC || (m == M_H265 && s->expect == X_DOMESTIC))
		s->form = FLV_HEVC12;
	else {
		fprintf(stderr, "rtmp_stub_tester: --mode %s %s\n", modes[m],
			m == M_H264 ? "cannot be domestic (H.265 only)" :
			"needs --expect-rtmp-mode enhanced|domestic");
		return EXIT_USAGE;
	}
	return 0;
}

static void report(const struct stub *s)
{
	if (s->json) {
		printf("{\"mode\":\"%s\",\"exit\":%d,\"error\":\"%s\",\"app\":\"%s\","
		       "\"stream\":\"%s\",\"frames\":%ld,\"keyframes\":%ld,"
		       "\"seq_headers\":%ld,\"seq_ends\":%ld,\"unpublished\":%s,"
		       "\"bytes\":%llu,\"first_ts\":%u,"
		       "\"last_ts\":%u,\"metadata\":%s,\"videocodecid\":%.0f,"
		       "\"width\":%.0f,\"height\":%.0f}\n",
		       mode_names[s->form], s->rc, s->err, s->app, s->stream,
		       s->frames, s->keyframes, s->seq_headers, s->seq_ends,
		       s->unpublished ? "true" : "false",
		       (unsigned long long)s->in_total, s->first_ts, s->last_ts,
		       s->have_meta ? "true" : "false", s->meta_codecid,
		       s->meta_w, s->meta_h);
	} else {
		printf("rtmp_stub_tester: %s: %ld frames (%ld key), %ld sequence headers, "
		       "%llu bytes, ts %u..%u ms%s%s\n", mode_names[s->form], s->frames,
		       s->keyframes, s->seq_headers, (unsigned long long)s->in_total,
		       s->first_ts, s->last_ts, s->rc ? ": " : "", s->err);
	}
	if (s->rc)
		fprintf(stderr, "rtmp_stub_tester: %s\n", s->err);
}

int main(int argc, char **argv)
{
	static struct stub st;
	struct stub *s = &st;
	static uint8_t buf[65536 + 64];
	size_t keep = 0;
	uint64_t t0 = clock_mono_ns(), deadline, stall_until = 0;
	int lfd, stalled = 0, rc;

	signal(SIGPIPE, SIG_IGN);
	if ((rc = parse_args(s, argc, argv)) != 0)
		return rc == OPT_HELP_SHOWN ? EXIT_OK : rc;
	deadline = t0 + (uint64_t)s->timeout_ms * 1000000u;
	s->conv_cap = MAX_MSG + MAX_MSG / 2;
	s->conv = malloc(s->conv_cap);
	if (!s->conv || rtmp_chunk_reader_init(&s->rd, MAX_MSG) < 0) {
		fprintf(stderr, "rtmp_stub_tester: out of memory\n");
		return EXIT_INIT;
	}
	lfd = listen_on(s->host, (unsigned)s->port, s->stall_ms > 0);
	if (lfd < 0) {
		fprintf(stderr, "rtmp_stub_tester: cannot listen on %s:%ld: %s\n",
			s->host, s->port, strerror(errno));
		return EXIT_USAGE;
	}
	if (s->dump && !(s->flv = open_tmp(s->dump, s->flv_tmp, sizeof s->flv_tmp))) {
		fprintf(stderr, "rtmp_stub_tester: cannot write %s\n", s->dump);
		return EXIT_USAGE;
	}
	if (s->dump_annexb && !(s->annexb = open_tmp(s->dump_annexb, s->annexb_tmp,
						     sizeof s->annexb_tmp))) {
		fprintf(stderr, "rtmp_stub_tester: cannot write %s\n", s->dump_annexb);
		return EXIT_USAGE;
	}
	if (s->flv) {
		uint8_t h[FLV_FILE_HDR_LEN];

		flv_file_header(h, sizeof h, 0, 1);
		fwrite(h, 1, sizeof h, s->flv);
	}
	s->fd = -1;
	while (!s->ended) {
		uint64_t now = clock_mono_ns();
		struct pollfd pfd;
		int wait, r;
		ssize_t n;

		if (now >= deadline) {
			failf(s, EXIT_TIMEOUT, "timeout after %ld ms (%ld frames)",
			      s->timeout_ms, s->frames);
			break;
		}
		wait = (int)((deadline - now) / 1000000u) + 1;
		if (s->fd >= 0 && stall_until > now) {
			if (stall_until - now < (uint64_t)wait * 1000000u)
				wait = (int)((stall_until - now) / 1000000u) + 1;
			poll(NULL, 0, wait);
			continue;
		}
		pfd.fd = s->fd >= 0 ? s->fd : lfd;
		pfd.events = POLLIN;
		r = poll(&pfd, 1, wait);
		if (r <= 0)
			continue;
		if (s->fd < 0) {
			s->fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
			continue;
		}
		n = recv(s->fd, buf + keep, sizeof buf - keep, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (!s->published)
				failf(s, EXIT_PROTOCOL, "publisher left before publishing");
			break;
		}
		/* a chunk header split across reads stays in front of buf */
		s->in_total += (uint64_t)n;
		n += (ssize_t)keep;
		keep = on_bytes(s, buf, (size_t)n);
		memmove(buf, buf + (size_t)n - keep, keep);
		if (!stalled && s->stall_ms > 0 && s->frames > 0) {
			stalled = 1;
			stall_until = clock_mono_ns() + (uint64_t)s->stall_ms * 1000000u;
		}
	}
	if (s->fd >= 0)
		close(s->fd);
	close(lfd);
	if (!s->rc && s->threshold > 0 && s->frames < s->threshold)
		failf(s, EXIT_THRESHOLD, "%ld video frames, threshold %ld", s->frames,
		      s->threshold);
	close_dump(&s->flv, s->flv_tmp, s->dump, 1);
	close_dump(&s->annexb, s->annexb_tmp, s->dump_annexb, 1);
	report(s);
	rtmp_chunk_reader_free(&s->rd);
	free(s->conv);
	return s->rc;
}
