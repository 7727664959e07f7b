/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rtp_receiver_tester - receive H.264/H.265 RTP on a UDP port and validate it.
 *
 * Checks (docs/protocols.md §4-5): RTP version 2, payload type, SSRC stability,
 * sequence continuity (gaps counted), FU start/end consistency, marker
 * at the end of each access unit (a timestamp change without a marker is
 * counted), parameter sets before the first keyframe.  RTCP on port+1 is
 * read when that port can be bound (SR/BYE counted, SSRC compared).
 *
 * --trace FILE (benchmarks, scripts/bench_latency.sh) writes one line per
 * access unit: "RTP-timestamp first-ns last-ns bytes", the arrival times
 * of its first and last packet on CLOCK_MONOTONIC.  Arrival is the
 * kernel's receive timestamp (SO_TIMESTAMPNS, CLOCK_REALTIME) moved onto
 * CLOCK_MONOTONIC with an offset sampled at start, so the time this
 * process waits to be scheduled is not counted.
 *
 * --latency reads the latency SEI (--latency-sei on, codec/latency.h) of
 * every AU and prints one line per AU: glass-to-receiver latency (capture
 * to the arrival of the AU's last packet when the capture timestamp is
 * Unix time, else announce to arrival) and its split ingest / encode /
 * send / network, all in microseconds; with --json, percentiles
 * (p50/p95/p99) instead.  Same host or NTP-synced clocks.
 *
 * Exit codes (util/exitcodes.h): 0 thresholds met; 2 bad usage; 3 payload
 * type mismatch; 4 something arrived but the thresholds were not met by
 * the deadline; 7 protocol error with --strict; 124 nothing arrived.
 */
#define _GNU_SOURCE
#include "codec/latency.h"
#include "codec/nal.h"
#include "codec/sei.h"
#include "config/opt.h"
#include "proto/rtcp.h"
#include "proto/rtp_depay.h"
#include "util/clock.h"
#include "util/exitcodes.h"
#include "util/log.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define TAG "rtp-tester"

struct tester {
	/* options */
	const char *host, *dump_path, *trace_path, *packets_path;
	long port, expect_pt, pkt_threshold, au_threshold, timeout_ms, idle_ms;
	int codec, json, strict, help, latency;

	int fd, rtcp_fd;
	FILE *dump, *trace, *packets;
	int64_t real_to_mono;   /* CLOCK_MONOTONIC - CLOCK_REALTIME, ns */
	uint64_t pkt_ns, prev_pkt_ns, au_first_ns;  /* --trace arrival times */
	uint32_t au_ts;
	int au_open;
	struct rtp_depay dp;

	/* stream state */
	int have_ssrc, have_seq, have_ts;
	uint32_t ssrc, last_ts;
	uint64_t ts_backwards;  /* in-order packets whose timestamp went back */
	int64_t sr_skew_ms;     /* last SR: its NTP time minus our wall clock */
	int pt;
	uint16_t next_seq;
	uint64_t bytes, gaps, reordered, bad_header, ssrc_changes, damaged_aus;
	uint64_t rtcp_packets, rtcp_sr, rtcp_bye, rtcp_bad, rtcp_foreign;
	char cname[RTCP_CNAME_MAX + 1];
	uint64_t first_ns, last_ns;
	int protocol_error;     /* --strict tripped */

	/* --latency: per-AU samples (us) of total, ingest, encode, send, net,
	 * and announce -> arrival (the streamer's part plus the network) */
	int64_t *lat[6];
	size_t nlat, lat_cap;
	uint64_t lat_missing;   /* AUs without the SEI */
	uint8_t *lat_scratch;
};
#define LAT_SCRATCH 4096

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

enum { G_LISTEN, G_CHECK, G_OUTPUT, G_GENERAL, G_COUNT };

static const char *const groups[G_COUNT] = {
	"Listening", "Checks", "Output", "General"
};
static const char *const codecs[] = { "h264", "h265", NULL };

#define ROW(name, type, group, field, min, max, choices, arg, help) \
	{ name, type, group, 0, OPT_OFF(struct tester, field), min, max, choices, arg, \
	  help, NULL, NULL }

/* Thresholds up to 2^30 packets or access units (hours of video);
 * durations up to an hour. */
static const struct opt rows[] = {
	ROW("port", OPT_LONG, G_LISTEN, port, 1, 65535, NULL, "PORT",
	    "UDP port to listen on (required; RTCP on PORT+1 if free)"),
	ROW("listen-host", OPT_STR, G_LISTEN, host, 0, 0, NULL, "ADDR",
	    "address to bind (default 127.0.0.1; ::1 for IPv6)"),
	ROW("codec", OPT_CHOICE, G_LISTEN, codec, 0, 0, codecs, "h264|h265",
	    "payload format (default h264)"),
	ROW("expect-pt", OPT_LONG, G_CHECK, expect_pt, 0, 127, NULL, "PT",
	    "required payload type (mismatch: exit 3; default any)"),
	ROW("packet-threshold", OPT_LONG, G_CHECK, pkt_threshold, 0, 1L << 30, NULL, "N",
	    "packets needed for success (default 1)"),
	ROW("au-threshold", OPT_LONG, G_CHECK, au_threshold, 0, 1L << 30, NULL, "N",
	    "access units needed for success (default 0)"),
	ROW("timeout-ms", OPT_LONG, G_CHECK, timeout_ms, 1, 3600000, NULL, "MS",
	    "deadline (default 5000)"),
	ROW("idle-ms", OPT_LONG, G_CHECK, idle_ms, 1, 3600000, NULL, "MS",
	    "stop MS after the last packet and report\n"
	    "                                 (default: stop as soon as the thresholds are met)"),
	ROW("strict", OPT_FLAG, G_CHECK, strict, 0, 0, NULL, NULL,
	    "exit 7 on malformed packets, SSRC changes, missing\n"
	    "                                 markers, timestamps going back or a keyframe\n"
	    "                                 before parameter sets"),
	ROW("dump", OPT_STR, G_OUTPUT, dump_path, 0, 0, NULL, "FILE",
	    "write the depacketised Annex B stream"),
	ROW("dump-packets", OPT_STR, G_OUTPUT, packets_path, 0, 0, NULL, "FILE",
	    "write every RTP datagram as it arrived, each\n"
	    "                                 preceded by its length (16-bit big endian)"),
	ROW("trace", OPT_STR, G_OUTPUT, trace_path, 0, 0, NULL, "FILE",
	    "per AU: RTP timestamp, CLOCK_MONOTONIC arrival\n"
	    "                                 of its first and last packet (ns), bytes"),
	ROW("latency", OPT_FLAG, G_OUTPUT, latency, 0, 0, NULL, NULL,
	    "per AU: latency and its split from the latency SEI\n"
	    "                                 (streamer --latency-sei on); percentiles in --json"),
	ROW("json", OPT_FLAG, G_OUTPUT, json, 0, 0, NULL, NULL,
	    "print a JSON summary on stdout"),
	ROW("help", OPT_FLAG, G_GENERAL, help, 0, 0, NULL, NULL, "show this help"),
};

/* The command line into t (defaults already there).  0 to go on,
 * EXIT_USAGE after one line on stderr, OPT_HELP_SHOWN after --help. */
static int parse_args(struct tester *t, int argc, char **argv)
{
	static struct opt_ctx c;
	const struct opt_block b = { rows, sizeof rows / sizeof rows[0], t };
	int rc;

	c.blocks = &b;
	c.nblocks = 1;
	c.groups = groups;
	c.ngroups = G_COUNT;
	rc = opt_cli(&c, argc, argv, "rtp_receiver_tester", &t->help,
		     "Usage: rtp_receiver_tester --port PORT [options]\n"
		     "Receive H.264/H.265 RTP and validate it.\n\n",
		     "\nExit codes: 0 ok, 2 usage, 3 payload type mismatch, 4 threshold not met,\n"
		     "7 protocol error (--strict), 124 nothing received.\n");
	c.blocks = NULL;        /* b ends here */
	if (rc)
		return rc;
	if (!t->port) {
		fprintf(stderr, "rtp_receiver_tester: --port is required\n");
		return EXIT_USAGE;
	}
	return 0;
}

/* Bind a non-blocking UDP socket to host:port; -1 with errno on failure. */
static int bind_udp(const char *host, long port)
{
	struct addrinfo hints, *ai;
	char serv[8];
	int fd, e;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	snprintf(serv, sizeof serv, "%ld", port);
	if ((e = getaddrinfo(host, serv, &hints, &ai)) != 0) {
		errno = EINVAL;
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		int rcvbuf = 4 << 20;

		/* bursts of a keyframe's packets must not overflow the queue */
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
			e = errno;
			close(fd);
			errno = e;
			fd = -1;
		}
	}
	freeaddrinfo(ai);
	return fd;
}

static const char *const lat_names[6] = { "total", "ingest", "encode", "send", "network",
					   "from_announce" };

/* The latency SEI of one AU (Annex B) and its arrival (Unix ns). */
static void latency_au(struct tester *t, const uint8_t *p, size_t n, uint64_t arrival)
{
	static const uint8_t uuid[16] = LATENCY_SEI_UUID;
	const uint8_t *end = p + n, *pl;
	struct latency_stamps ls;
	struct nal u;
	size_t len;
	int64_t v[6];
	int i;

	while ((p = annexb_next(p, end, &u)) != NULL) {
		if (nal_type(t->codec, &u) != (t->codec ? H265_NAL_SEI_PREFIX : H264_NAL_SEI) ||
		    sei_find_user_data(t->codec, &u, uuid, &pl, &len, t->lat_scratch,
				       LAT_SCRATCH) || latency_parse(pl, len, &ls))
			continue;
		if (t->nlat == t->lat_cap) {
			size_t cap = t->lat_cap ? t->lat_cap * 2 : 1024;

			for (i = 0; i < 6; i++) {
				int64_t *q = realloc(t->lat[i], cap * sizeof *q);

				if (!q)
					return;
				t->lat[i] = q;
			}
			t->lat_cap = cap;
		}
		v[0] = (int64_t)(arrival - (ls.capture_unix ? ls.capture_ns : ls.announced_ns));
		v[1] = ls.capture_unix ? (int64_t)(ls.announced_ns - ls.capture_ns) : 0;
		v[2] = (int64_t)(ls.encoded_ns - ls.announced_ns);
		v[3] = (int64_t)(ls.sent_ns - ls.encoded_ns);
		v[4] = (int64_t)(arrival - ls.sent_ns);
		v[5] = (int64_t)(arrival - ls.announced_ns);
		for (i = 0; i < 6; i++)
			t->lat[i][t->nlat] = v[i] / 1000;
		t->nlat++;
		if (!t->json)
			printf("latency frame=%u total_us=%lld ingest_us=%lld encode_us=%lld "
			       "send_us=%lld network_us=%lld%s\n", ls.frame_id,
			       (long long)(v[0] / 1000), (long long)(v[1] / 1000),
			       (long long)(v[2] / 1000), (long long)(v[3] / 1000),
			       (long long)(v[4] / 1000),
			       ls.capture_unix ? "" : " (capture clock not Unix: from announce)");
		return;
	}
	t->lat_missing++;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* ',"latency":{"aus":N,"missing":N,"total":{"p50":..,"p95":..,"p99":..},...}' */
static void latency_json(struct tester *t)
{
	static const int pct[3] = { 50, 95, 99 };
	int i, k;

	printf(",\"latency\":{\"aus\":%zu,\"missing\":%llu", t->nlat,
	       (unsigned long long)t->lat_missing);
	for (i = 0; i < 6 && t->nlat; i++) {
		qsort(t->lat[i], t->nlat, sizeof t->lat[i][0], cmp_i64);
		printf(",\"%s_us\":{", lat_names[i]);
		for (k = 0; k < 3; k++) {
			size_t r = (t->nlat * (size_t)pct[k] + 99) / 100;

			printf("%s\"p%d\":%lld", k ? "," : "", pct[k],
			       (long long)t->lat[i][r ? r - 1 : 0]);
		}
		printf("}");
	}
	printf("}");
}

static void on_au(void *opaque, const struct rtp_au *au)
{
	struct tester *t = opaque;

	t->damaged_aus += (uint64_t)au->damaged;
	/* An AU ended by its marker completes with this packet; one ended by
	 * a timestamp change completed with the previous packet. */
	if (t->latency)
		latency_au(t, au->data, au->size,
			   (uint64_t)((int64_t)(au->marker ? t->pkt_ns : t->prev_pkt_ns) -
				      t->real_to_mono));
	if (t->trace)
		fprintf(t->trace, "%u %llu %llu %zu\n", au->ts,
			(unsigned long long)t->au_first_ns,
			(unsigned long long)(au->marker ? t->pkt_ns : t->prev_pkt_ns), au->size);
	if (t->dump && fwrite(au->data, 1, au->size, t->dump) != au->size) {
		log_error(TAG, "writing %s: %s", t->dump_path, strerror(errno));
		fclose(t->dump);
		t->dump = NULL;
	}
}

static void strict_fail(struct tester *t, const char *what)
{
	static struct log_limit rl;

	log_limited(&rl, LOG_WARN, TAG, "%s", what);
	if (t->strict)
		t->protocol_error = 1;
}

/* Returns EXIT_PT_MISMATCH to stop at once, else 0. */
static int on_packet(struct tester *t, const uint8_t *p, size_t n)
{
	static int key_reported;
	struct rtp_hdr h;
	uint64_t no_marker;
	int lost = 0, late = 0, starts;

	t->bytes += n;
	t->last_ns = clock_mono_ns();
	if (t->packets) {
		uint8_t len[2] = { (uint8_t)(n >> 8), (uint8_t)n };

		if (fwrite(len, 1, 2, t->packets) != 2 || fwrite(p, 1, n, t->packets) != n) {
			log_error(TAG, "writing %s: %s", t->packets_path, strerror(errno));
			fclose(t->packets);
			t->packets = NULL;
		}
	}
	if (!t->first_ns)
		t->first_ns = t->last_ns;
	if (rtp_parse_header(p, n, &h) < 0) {
		t->bad_header++;
		strict_fail(t, "datagram is not an RTP v2 packet");
		return 0;
	}
	if (t->expect_pt >= 0 && h.pt != (unsigned)t->expect_pt) {
		log_error(TAG, "payload type %u, expected %ld", h.pt, t->expect_pt);
		t->pt = (int)h.pt;
		return EXIT_PT_MISMATCH;
	}
	t->pt = (int)h.pt;
	if (t->have_ssrc && h.ssrc != t->ssrc) {
		t->ssrc_changes++;
		t->have_seq = 0;
		strict_fail(t, "SSRC changed");
	}
	t->ssrc = h.ssrc;
	t->have_ssrc = 1;
	/* RFC 3550 A.1: forward jumps under half the space are losses,
	 * anything else a reordered or duplicated packet. */
	if (t->have_seq && h.seq != t->next_seq) {
		uint16_t d = (uint16_t)(h.seq - t->next_seq);

		if (d < 0x8000) {
			t->gaps += d;
			lost = 1;
		} else {
			t->reordered++;
			late = 1;
		}
	}
	/* RFC 3550 5.1: the timestamp of in-order packets never decreases
	 * (no B-frames); a sender must rebase across its own resets. */
	if (!late && t->have_ts && (int32_t)(h.ts - t->last_ts) < 0) {
		t->ts_backwards++;
		strict_fail(t, "RTP timestamp went backwards");
	}
	if (!late) {
		t->last_ts = h.ts;
		t->have_ts = 1;
	}
	if (!late)
		t->next_seq = (uint16_t)(h.seq + 1);
	t->have_seq = 1;
	no_marker = t->dp.missing_marker;
	starts = !t->au_open || h.ts != t->au_ts;
	if (rtp_depay_push(&t->dp, &h, lost) < 0)
		strict_fail(t, "malformed RTP payload");
	if (starts) {
		t->au_first_ns = t->pkt_ns;
		t->au_ts = h.ts;
	}
	t->au_open = !h.marker;
	if (t->dp.missing_marker != no_marker)
		strict_fail(t, "access unit ended without the marker bit");
	if (t->dp.first_key_params == 0 && !key_reported) {
		key_reported = 1;
		strict_fail(t, "first keyframe before its parameter sets");
	}
	return 0;
}

static void on_rtcp(struct tester *t, const uint8_t *p, size_t n)
{
	struct rtcp_info in;

	t->rtcp_packets++;
	if (rtcp_parse(p, n, &in) < 0) {
		t->rtcp_bad++;
		strict_fail(t, "malformed RTCP packet");
		return;
	}
	t->rtcp_sr += (uint64_t)in.has_sr;
	if (in.has_sr) {
		/* NTP 32.32 since 1900 -> Unix ms, against our clock now */
		int64_t ntp_ms = (int64_t)((in.sr.ntp >> 32) - RTCP_NTP_UNIX_OFFSET) * 1000 +
				 (int64_t)(((in.sr.ntp & 0xffffffffu) * 1000) >> 32);

		t->sr_skew_ms = ntp_ms - (int64_t)(clock_wall_ns() / 1000000u);
	}
	t->rtcp_bye += (uint64_t)in.has_bye;
	if (in.has_sdes)
		memcpy(t->cname, in.cname, sizeof t->cname);
	if (in.has_sr && t->have_ssrc && in.sr.ssrc != t->ssrc)
		t->rtcp_foreign++;
}

static int thresholds_met(const struct tester *t)
{
	return t->dp.packets >= (uint64_t)t->pkt_threshold &&
	       t->dp.aus >= (uint64_t)t->au_threshold;
}

static void summary(const struct tester *t, int rc)
{
	const struct rtp_depay *d = &t->dp;
	double ms = t->last_ns > t->first_ns ? (double)(t->last_ns - t->first_ns) / 1e6 : 0;

	log_info(TAG, "%llu packets, %llu bytes, %llu AUs (%llu keyframes), %llu gaps, "
		 "%llu malformed, %llu missing markers in %.0f ms -> exit %d",
		 (unsigned long long)d->packets, (unsigned long long)t->bytes,
		 (unsigned long long)d->aus, (unsigned long long)d->keyframes,
		 (unsigned long long)t->gaps,
		 (unsigned long long)(d->malformed + t->bad_header),
		 (unsigned long long)d->missing_marker, ms, rc);
	if (!t->json)
		return;
	printf("{\"packets\":%llu,\"bytes\":%llu,\"aus\":%llu,\"keyframes\":%llu,"
	       "\"gaps\":%llu,\"reordered\":%llu,\"ts_backwards\":%llu,\"malformed\":%llu,\"bad_header\":%llu,"
	       "\"missing_marker\":%llu,\"damaged_aus\":%llu,\"overflow\":%llu,"
	       "\"ssrc\":\"0x%08x\",\"ssrc_changes\":%llu,\"pt\":%d,"
	       "\"first_keyframe_has_params\":%s,\"rtcp_packets\":%llu,\"rtcp_sr\":%llu,"
	       "\"rtcp_bye\":%llu,\"rtcp_bad\":%llu,\"rtcp_foreign_ssrc\":%llu,\"sr_skew_ms\":%lld,"
	       "\"cname\":\"%s\",\"duration_ms\":%.0f,\"exit\":%d",
	       (unsigned long long)d->packets, (unsigned long long)t->bytes,
	       (unsigned long long)d->aus, (unsigned long long)d->keyframes,
	       (unsigned long long)t->gaps, (unsigned long long)t->reordered,
	       (unsigned long long)t->ts_backwards,
	       (unsigned long long)(d->malformed + t->bad_header),
	       (unsigned long long)t->bad_header, (unsigned long long)d->missing_marker,
	       (unsigned long long)t->damaged_aus, (unsigned long long)d->overflow,
	       t->ssrc, (unsigned long long)t->ssrc_changes, t->pt,
	       d->first_key_params < 0 ? "null" : d->first_key_params ? "true" : "false",
	       (unsigned long long)t->rtcp_packets, (unsigned long long)t->rtcp_sr,
	       (unsigned long long)t->rtcp_bye, (unsigned long long)t->rtcp_bad,
	       (unsigned long long)t->rtcp_foreign, (long long)t->sr_skew_ms, t->cname, ms, rc);
	if (t->latency)
		latency_json((struct tester *)t);
	printf("}\n");
	fflush(stdout);
}

/* recv() one datagram; with --trace also note its arrival time (kernel
 * receive timestamp when there is one, else now) in t->pkt_ns. */
static ssize_t recv_pkt(struct tester *t, int fd, uint8_t *buf, size_t cap)
{
	union { struct cmsghdr h; uint8_t b[CMSG_SPACE(sizeof(struct timespec))]; } ctl;
	struct iovec iov = { buf, cap };
	struct msghdr mh;
	struct cmsghdr *c;
	ssize_t n;

	if (!t->trace && !t->latency)
		return recv(fd, buf, cap, 0);
	memset(&mh, 0, sizeof mh);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = ctl.b;
	mh.msg_controllen = sizeof ctl.b;
	n = recvmsg(fd, &mh, 0);
	if (n < 0)
		return n;
	t->prev_pkt_ns = t->pkt_ns;
	t->pkt_ns = clock_mono_ns();
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
			struct timespec ts;

			memcpy(&ts, CMSG_DATA(c), sizeof ts);
			t->pkt_ns = (uint64_t)((int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec +
					       t->real_to_mono);
		}
	return n;
}

/* Drain one socket; returns a non-zero exit code to stop at once. */
static int drain(struct tester *t, int fd, int rtcp, uint8_t *buf, size_t cap)
{
	for (;;) {
		ssize_t n = rtcp ? recv(fd, buf, cap, 0) : recv_pkt(t, fd, buf, cap);

		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ||
			       errno == ECONNREFUSED ? 0 : EXIT_PROTOCOL;
		if (rtcp) {
			on_rtcp(t, buf, (size_t)n);
		} else {
			int rc = on_packet(t, buf, (size_t)n);

			if (rc)
				return rc;
		}
		if (t->protocol_error)
			return EXIT_PROTOCOL;
	}
}

static int run(struct tester *t)
{
	static uint8_t pkt[65536];
	uint64_t start = clock_mono_ns(), deadline = start + (uint64_t)t->timeout_ms * 1000000u;
	int rc = 0;

	while (!stop) {
		struct pollfd pf[2] = { { t->fd, POLLIN, 0 }, { t->rtcp_fd, POLLIN, 0 } };
		uint64_t now = clock_mono_ns(), until = deadline;
		int ms;

		if (t->idle_ms && t->last_ns) {
			uint64_t idle_end = t->last_ns + (uint64_t)t->idle_ms * 1000000u;

			until = idle_end < until ? idle_end : until;
		}
		if (now >= until)
			break;
		ms = (int)((until - now + 999999) / 1000000);
		if (poll(pf, t->rtcp_fd >= 0 ? 2 : 1, ms) < 0 && errno != EINTR) {
			log_error(TAG, "poll: %s", strerror(errno));
			return EXIT_PROTOCOL;
		}
		if ((pf[0].revents & POLLIN) && (rc = drain(t, t->fd, 0, pkt, sizeof pkt)))
			return rc;
		if (t->rtcp_fd >= 0 && (pf[1].revents & POLLIN) &&
		    (rc = drain(t, t->rtcp_fd, 1, pkt, sizeof pkt)))
			return rc;
		if (!t->idle_ms && t->dp.packets && thresholds_met(t))
			break;
	}
	rtp_depay_flush(&t->dp);
	if (t->strict && t->dp.missing_marker)
		return EXIT_PROTOCOL;
	if (!t->bytes)
		return EXIT_TIMEOUT;
	if (!thresholds_met(t))
		return EXIT_THRESHOLD;
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	struct tester t;
	size_t cap = (size_t)CONFIG_MAX_AU_KIB * 1024;
	uint8_t *aubuf;
	int rc, i;

	memset(&t, 0, sizeof t);
	t.host = "127.0.0.1";
	t.expect_pt = -1;
	t.pkt_threshold = 1;
	t.timeout_ms = 5000;
	t.pt = -1;
	t.fd = t.rtcp_fd = -1;
	if ((rc = parse_args(&t, argc, argv)) != 0)
		return rc == OPT_HELP_SHOWN ? EXIT_OK : rc;
	if ((t.fd = bind_udp(t.host, t.port)) < 0) {
		fprintf(stderr, "rtp_receiver_tester: cannot bind %s port %ld: %s\n",
			t.host, t.port, strerror(errno));
		return EXIT_USAGE;
	}
	if (t.port < 65535 && (t.rtcp_fd = bind_udp(t.host, t.port + 1)) < 0)
		log_warn(TAG, "RTCP port %ld busy: not checking RTCP", t.port + 1);
	if (t.dump_path && !(t.dump = fopen(t.dump_path, "wb"))) {
		fprintf(stderr, "rtp_receiver_tester: cannot create %s: %s\n",
			t.dump_path, strerror(errno));
		return EXIT_USAGE;
	}
	if (t.packets_path && !(t.packets = fopen(t.packets_path, "wb"))) {
		fprintf(stderr, "rtp_receiver_tester: cannot create %s: %s\n",
			t.packets_path, strerror(errno));
		return EXIT_USAGE;
	}
	if (t.trace_path && !(t.trace = fopen(t.trace_path, "w"))) {
		fprintf(stderr, "rtp_receiver_tester: cannot create %s: %s\n",
			t.trace_path, strerror(errno));
		return EXIT_USAGE;
	}
	if (t.latency && !(t.lat_scratch = malloc(LAT_SCRATCH))) {
		fprintf(stderr, "rtp_receiver_tester: out of memory\n");
		return EXIT_INIT;
	}
	if (t.trace || t.latency) {
		int on = 1;

		if (setsockopt(t.fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) < 0)
			log_warn(TAG, "SO_TIMESTAMPNS: %s: tracing user-space arrival",
				 strerror(errno));
		t.real_to_mono = (int64_t)clock_mono_ns() - (int64_t)clock_wall_ns();
	}
	if (!(aubuf = malloc(cap))) {
		fprintf(stderr, "rtp_receiver_tester: out of memory\n");
		return EXIT_INIT;
	}
	rtp_depay_init(&t.dp, t.codec, aubuf, cap, on_au, &t);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	rc = run(&t);
	summary(&t, rc);
	if (t.trace && fclose(t.trace) != 0)
		log_error(TAG, "closing %s: %s", t.trace_path, strerror(errno));
	if (t.packets && fclose(t.packets) != 0)
		log_error(TAG, "closing %s: %s", t.packets_path, strerror(errno));
	if (t.dump && fclose(t.dump) != 0)
		log_error(TAG, "closing %s: %s", t.dump_path, strerror(errno));
	free(aubuf);
	free(t.lat_scratch);
	for (i = 0; i < 6; i++)
		free(t.lat[i]);
	close(t.fd);
	if (t.rtcp_fd >= 0)
		close(t.rtcp_fd);
	return rc;
}
