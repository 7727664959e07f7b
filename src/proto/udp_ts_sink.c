/* SPDX-License-Identifier: GPL-2.0-or-later */
/* udp_ts_sink.c - MPEG-TS over UDP (CONFIG_UDP_TS): --udp-ts HOST:PORT.
 *
 * The transport of the pure TS writer (ts.h): each access unit becomes
 * TS packets in one buffer allocated in open(), sent as datagrams of 7
 * packets (1316 bytes, the form VLC, broadcast encoders and NVRs take;
 * the last datagram of an AU may be shorter, so nothing waits for the
 * next frame).  Unicast or multicast (--udp-ttl sets the TTL / hop
 * limit); the socket is connected, non-blocking, and a full socket
 * buffer or an ICMP-refused destination is counted in send_errors and
 * logged rate-limited, never waited for.
 *
 * Times: PTS/DTS are the AU's times through rtp_ticks_from_ns(), the
 * RTP sink's 90 kHz mapping (equal to the RTP timestamps minus RTP's
 * random base; equal under --bitexact).  When no AU comes for 80 ms the
 * sink sends a PCR (and PAT/PMT when due) on its own, so a slow stream
 * still has them at most 100 ms apart.
 *
 * A destination name that cannot be resolved yet is looked up again with
 * the reconnect backoff, as for RTP; the stream then starts with a
 * keyframe.
 */
#define _GNU_SOURCE
#include "proto/rtp.h"
#include "proto/sink.h"
#include "proto/ts.h"
#include "util/backoff.h"
#include "util/clock.h"
#include "util/exitcodes.h"
#include "util/log.h"
#include "util/net.h"
#include "util/prng.h"
#include "util/url.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#define TAG "udp-ts"
#define TS_PER_DGRAM 7
#define DGRAM (TS_PER_DGRAM * TS_PACKET)
#define BATCH 32                        /* datagrams per sendmmsg() */
#define IDLE_NS 80000000ull             /* a PCR at least this often */
#define RESOLVE_MIN_MS 500
#define RESOLVE_MAX_MS 30000

struct udp_ts_opts {
	const char *endpoint;           /* --udp-ts HOST:PORT (NULL: off) */
	long ttl;                       /* --udp-ttl; 0: the system's */
	long pcr_offset_ms;             /* --udp-ts-pcr-offset-ms */
};

struct udp_ts_stats {
	uint64_t packets, datagrams, bytes, aus, send_errors;
	uint64_t unsent;                /* AUs before the destination resolved */
	uint64_t idle;                  /* PCR-only packets sent */
};

struct udp_ts_sink {
	struct udp_ts_opts cfg;
	struct sink_env env;
	struct ts_writer ts;
	char host[256];
	unsigned port;
	int fd;
	int no_mmsg;                    /* sendmmsg() missing: send() each */
	int ipv6, multicast;
	char addr[64];                  /* numeric destination */
	uint8_t *buf;                   /* the TS packets of one AU */
	size_t cap;
	struct iovec iov[BATCH];
	struct mmsghdr msg[BATCH];
	uint64_t last_au_ns;            /* when the last AU went out */
	uint64_t idle_at;               /* next PCR-only packet (0: none) */
	int wait_key, kf_request;       /* started late: from a keyframe on */
	struct backoff backoff;
	uint64_t resolve_at;
	struct prng rng;
	struct udp_ts_stats st;
	struct log_limit rl_send, rl_pack, rl_resolve;
};

static struct udp_ts_opts udp_ts_cfg;

static const struct opt udp_ts_rows[] = {
	{ "udp-ts", OPT_STR, G_OUTPUT, 0, OPT_OFF(struct udp_ts_opts, endpoint), 0, 0, NULL,
	  "HOST:PORT", "MPEG-TS over UDP (7 packets a datagram), unicast or multicast; "
	  "[v6]:PORT for IPv6", NULL, NULL },
	{ "udp-ttl", OPT_LONG, G_OUTPUT, 0, OPT_OFF(struct udp_ts_opts, ttl), 0, 255, NULL, "N",
	  "TTL / hop limit of --udp-ts datagrams (default 0: the system's, 1 for multicast)",
	  NULL, NULL },
	{ "udp-ts-pcr-offset-ms", OPT_LONG, G_LATENCY, 0,
	  OPT_OFF(struct udp_ts_opts, pcr_offset_ms), 0, 1000, NULL, "MS",
	  "--udp-ts: PCR this far before each frame's DTS, the receiver's buffer (default 40)",
	  NULL, NULL },
};

static void udp_ts_defaults(void *cfg)
{
	struct udp_ts_opts *o = cfg;

	memset(o, 0, sizeof *o);
	o->pcr_offset_ms = 40;
}

static int udp_ts_enabled(const void *cfg)
{
	return ((const struct udp_ts_opts *)cfg)->endpoint != NULL;
}

static int udp_ts_validate(const void *cfg, const struct sink_env *env, char *err, size_t n)
{
	const struct udp_ts_opts *o = cfg;
	char host[256];
	unsigned port;

	if (hostport_parse(o->endpoint, host, sizeof host, &port)) {
		snprintf(err, n, "--udp-ts: '%s' is not HOST:PORT (use [addr]:PORT for IPv6)",
			 o->endpoint);
		return EXIT_USAGE;
	}
	if (env->codec != CODEC_H264 && env->codec != CODEC_H265) {
		snprintf(err, n, "--udp-ts carries H.264 or H.265 only");
		return EXIT_USAGE;
	}
	return 0;
}

/* ---- socket ------------------------------------------------------------- */

static int is_multicast(const struct net_addr *a)
{
	if (a->family == AF_INET)
		return IN_MULTICAST(ntohl(((const struct sockaddr_in *)&a->sa)->sin_addr.s_addr));
	return IN6_IS_ADDR_MULTICAST(&((const struct sockaddr_in6 *)&a->sa)->sin6_addr);
}

/* IP_TTL / IP_MULTICAST_TTL or their IPv6 twins. */
static int set_ttl(int fd, const struct net_addr *a, int multicast, int ttl)
{
	int level = a->family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6, opt;

	if (a->family == AF_INET)
		opt = multicast ? IP_MULTICAST_TTL : IP_TTL;
	else
		opt = multicast ? IPV6_MULTICAST_HOPS : IPV6_UNICAST_HOPS;
	return setsockopt(fd, level, opt, &ttl, sizeof ttl) < 0 ? -errno : 0;
}

/* Resolve, open and connect.  0, -EAGAIN (try again later) or -errno. */
static int open_socket(struct udp_ts_sink *s)
{
	struct net_addr a[NET_ADDR_MAX];
	int n = net_resolve(s->host, s->port, SOCK_DGRAM, a, NET_ADDR_MAX), fd, ret = 0;

	if (n < 0)
		return n;
	s->ipv6 = a[0].family == AF_INET6;
	s->multicast = is_multicast(&a[0]);
	net_addr_str(&a[0], s->addr, sizeof s->addr);
	fd = socket(a[0].family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		ret = -errno;
	else if (s->cfg.ttl > 0)
		ret = set_ttl(fd, &a[0], s->multicast, (int)s->cfg.ttl);
	/* connected, so an ICMP port unreachable comes back as ECONNREFUSED */
	if (!ret && connect(fd, (const struct sockaddr *)&a[0].sa, a[0].len) < 0)
		ret = -errno;
	if (ret) {
		log_error(TAG, "socket to %s port %u: %s", s->addr, s->port, strerror(-ret));
		if (fd >= 0)
			close(fd);
		return ret;
	}
	s->fd = fd;
	log_info(TAG, "sending %s in MPEG-TS to %s%s%s:%u (%s%s), PCR %ld ms before DTS",
		 codec_names[s->env.codec], s->ipv6 ? "[" : "", s->addr, s->ipv6 ? "]" : "",
		 s->port, s->multicast ? "multicast" : "unicast",
		 s->cfg.ttl > 0 ? ", TTL set" : "", s->cfg.pcr_offset_ms);
	return 0;
}

/* ---- sending ------------------------------------------------------------ */

static void count_error(struct udp_ts_sink *s, int err, uint64_t n)
{
	s->st.send_errors += n;
	log_limited(&s->rl_send, LOG_WARN, TAG, "send to %s:%u: %s (%llu datagrams dropped so far)",
		    s->addr, s->port, strerror(err), (unsigned long long)s->st.send_errors);
}

/* Send buf[0..len) as datagrams of DGRAM bytes, BATCH per system call.
 * A refused datagram is skipped (the error answered an earlier one); a
 * full socket buffer drops the rest. */
static void send_ts(struct udp_ts_sink *s, size_t len)
{
	size_t off = 0;

	while (off < len) {
		int nb = 0, i = 0, r;

		for (; nb < BATCH && off < len; nb++) {
			size_t k = len - off < DGRAM ? len - off : DGRAM;

			s->iov[nb].iov_base = s->buf + off;
			s->iov[nb].iov_len = k;
			off += k;
		}
		while (i < nb) {
			if (s->no_mmsg)
				r = send(s->fd, s->iov[i].iov_base, s->iov[i].iov_len, 0) < 0 ? -1 : 1;
			else
				r = sendmmsg(s->fd, s->msg + i, (unsigned)(nb - i), 0);
			if (r > 0) {
				for (; r > 0; r--, i++) {
					s->st.datagrams++;
					s->st.packets += s->iov[i].iov_len / TS_PACKET;
					s->st.bytes += s->iov[i].iov_len;
				}
				continue;
			}
			if (errno == EINTR)
				continue;
			if (errno == ENOSYS && !s->no_mmsg) {
				s->no_mmsg = 1;
				continue;
			}
			if (errno == ECONNREFUSED) {
				count_error(s, errno, 1);
				i++;
				continue;
			}
			count_error(s, errno, (uint64_t)(nb - i) + (len - off + DGRAM - 1) / DGRAM);
			return;
		}
	}
}

static void udp_ts_put(void *st, const struct access_unit *au, uint64_t now)
{
	struct udp_ts_sink *s = st;
	const struct pscache *pc = s->env.ps;
	struct ts_au ta = {
		au->data, au->size, rtp_ticks_from_ns(au->pts_ns), rtp_ticks_from_ns(au->dts_ns),
		au->keyframe, au->keyframe && !au->has_ps && pc && pc->gen ? &pc->ps : NULL,
	};
	uint8_t *end;

	if (s->fd < 0 || (s->wait_key && !au->keyframe)) {
		s->st.unsent++;         /* not resolved yet, or waiting for a keyframe */
		return;
	}
	s->wait_key = 0;
	end = ts_write_au(&s->ts, &ta, s->buf, s->buf + s->cap);
	if (!end) {
		log_limited(&s->rl_pack, LOG_WARN, TAG, "AU %u (%zu bytes) not sent: does not fit "
			    "%zu bytes of TS", au->seq, au->size, s->cap);
		s->st.unsent++;
		return;
	}
	send_ts(s, (size_t)(end - s->buf));
	s->st.aus++;
	s->last_au_ns = now;
	s->idle_at = now + IDLE_NS;
}

static int udp_ts_pollfds(void *st, struct pollfd *pfd, int max, int *timeout_ms, uint64_t now)
{
	struct udp_ts_sink *s = st;
	uint64_t dl = s->fd < 0 ? s->resolve_at : s->idle_at;

	sink_deadline(timeout_ms, dl, now);
	return 0;       /* UDP output: nothing to wait for */
}

static void udp_ts_service(void *st, const struct pollfd *pfd, int n, uint64_t now)
{
	struct udp_ts_sink *s = st;

	if (s->fd < 0) {
		int r;

		if (now < s->resolve_at)
			return;
		r = open_socket(s);
		if (r == -EAGAIN || r == -ENOENT) {
			unsigned d = backoff_next(&s->backoff, &s->rng);

			log_limited(&s->rl_resolve, LOG_WARN, TAG, "cannot resolve '%s' yet; "
				    "trying again in %u ms", s->host, d);
			s->resolve_at = now + (uint64_t)d * 1000000u;
		} else if (r < 0) {
			s->resolve_at = now + (uint64_t)RESOLVE_MAX_MS * 1000000u;
		} else {
			s->wait_key = s->kf_request = 1;
		}
		return;
	}
	if (s->idle_at && now >= s->idle_at) {
		uint8_t *end = ts_write_idle(&s->ts, rtp_ticks_from_ns(now - s->last_au_ns),
					     s->buf, s->buf + s->cap);

		if (end && end > s->buf) {
			send_ts(s, (size_t)(end - s->buf));
			s->st.idle++;
		}
		s->idle_at = now + IDLE_NS;
	}
}

static int udp_ts_keyframe_wanted(void *st)
{
	return sink_take(&((struct udp_ts_sink *)st)->kf_request);
}

static size_t udp_ts_pending(const void *st)
{
	return 0;       /* datagrams are sent at once or not at all */
}

static int udp_ts_stats(const void *st, int json, char *buf, size_t cap)
{
	const struct udp_ts_sink *s = st;

	return snprintf(buf, cap, json ? "{\"packets\":%llu,\"datagrams\":%llu,\"aus\":%llu,"
			"\"send_errors\":%llu}" : "pkts=%llu dgrams=%llu aus=%llu err=%llu",
			(unsigned long long)s->st.packets, (unsigned long long)s->st.datagrams,
			(unsigned long long)s->st.aus, (unsigned long long)s->st.send_errors);
}

static void udp_ts_metrics(const void *st, struct sink_metrics *m)
{
	const struct udp_ts_sink *s = st;

	m->bytes = s->st.bytes;
	m->aus = s->st.aus;
	m->dropped = s->st.unsent;
	m->connected = s->fd >= 0;
}

static void udp_ts_close(void *st)
{
	struct udp_ts_sink *s = st;

	if (!s)
		return;
	if (s->fd >= 0)
		close(s->fd);
	free(s->buf);
	free(s);
}

static int udp_ts_open(void **out, const void *cfg, const struct sink_env *env)
{
	const struct udp_ts_opts *o = cfg;
	struct udp_ts_sink *s;
	int i, ret;

	*out = NULL;
	if ((env->codec != CODEC_H264 && env->codec != CODEC_H265) || !o->endpoint ||
	    o->pcr_offset_ms < 0 || o->pcr_offset_ms > 1000 || o->ttl < 0 || o->ttl > 255)
		return -EINVAL;
	s = calloc(1, sizeof *s);
	if (!s)
		return -ENOMEM;
	s->cfg = *o;
	s->env = *env;
	s->fd = -1;
	if (hostport_parse(o->endpoint, s->host, sizeof s->host, &s->port)) {
		log_error(TAG, "'%s' is not HOST:PORT ([addr]:PORT for IPv6)", o->endpoint);
		free(s);
		return -EINVAL;
	}
	/* the largest AU, with the largest parameter sets put before it */
	s->cap = ts_au_bound((size_t)CONFIG_MAX_AU_KIB * 1024, 3 * PSCACHE_MAX);
	s->buf = malloc(s->cap);
	if (!s->buf) {
		udp_ts_close(s);
		return -ENOMEM;
	}
	for (i = 0; i < BATCH; i++) {
		s->msg[i].msg_hdr.msg_iov = &s->iov[i];
		s->msg[i].msg_hdr.msg_iovlen = 1;
	}
	ts_writer_init(&s->ts, env->codec,
		       (uint32_t)rtp_ticks_from_ns((uint64_t)o->pcr_offset_ms * 1000000u),
		       (uint32_t)(RTP_CLOCK_HZ / (env->fps > 0 ? env->fps : 30)));
	prng_seed(&s->rng, env->bitexact ? 1 : prng_random_seed());
	backoff_init(&s->backoff, RESOLVE_MIN_MS, RESOLVE_MAX_MS);
	ret = open_socket(s);
	if (ret == -EAGAIN) {
		/* no network yet: look the name up again later */
		log_warn(TAG, "cannot resolve '%s' now; will keep trying", s->host);
		s->resolve_at = clock_mono_ns() + (uint64_t)backoff_next(&s->backoff, &s->rng) *
				1000000u;
		ret = 0;
	} else if (ret == -ENOENT) {
		log_error(TAG, "cannot resolve '%s': no such host", s->host);
		ret = -EINVAL;
	}
	if (ret < 0) {
		udp_ts_close(s);
		return ret;
	}
	*out = s;
	return 0;
}

const struct sink_ops udp_ts_sink_ops = {
	.name = "udp-ts",
	.opts = udp_ts_rows,
	.nopts = sizeof udp_ts_rows / sizeof udp_ts_rows[0],
	.cfg = &udp_ts_cfg,
	.defaults = udp_ts_defaults,
	.enabled = udp_ts_enabled,
	.validate = udp_ts_validate,
	.open = udp_ts_open,
	.put = udp_ts_put,
	.pollfds = udp_ts_pollfds,
	.service = udp_ts_service,
	.keyframe_wanted = udp_ts_keyframe_wanted,
	.pending = udp_ts_pending,
	.stats = udp_ts_stats,
	.metrics = udp_ts_metrics,
	.close = udp_ts_close,
};
