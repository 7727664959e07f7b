/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rtp_sink.c - RTP over UDP: a transport for rtp_stream, the SDP file and
 * RTCP on port+1 (rtp_sink.h).
 *
 * Everything is allocated in open(): the packet slots of one sendmmsg()
 * batch and the SDP text buffer.  Sending an AU copies each packet once
 * into a slot and sends the slots in batches.  Errors while streaming
 * (EAGAIN/ENOBUFS from a full socket buffer, ECONNREFUSED reported after
 * an ICMP port unreachable) are counted in send_errors and logged
 * rate-limited; they never stop the pipeline.
 *
 * A destination name that cannot be resolved yet (no network at boot,
 * DNS down) is looked up again with the reconnect backoff; until then
 * access units are not sent (counted in unsent).  Once it resolves, the
 * sink asks for a keyframe and starts with it (a receiver cannot decode
 * from a P-frame).  A name that does not exist is a configuration error
 * at start-up.
 */
#define _GNU_SOURCE
#include "proto/rtp_sink.h"

#include "proto/rtcp.h"
#include "proto/rtp_stream.h"
#include "proto/sdp.h"
#include "util/backoff.h"
#include "util/clock.h"
#include "util/exitcodes.h"
#include "util/log.h"
#include "util/net.h"
#include "util/url.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define TAG "rtp"
#define BATCH 32                        /* packets per sendmmsg() */
#define SDP_MAX (3 * (PSCACHE_MAX / 3 + 1) * 4 + 1024)
#define SDP_RETRY_NS 1000000000ull    /* a failed SDP write is retried */
#define BYE_AFTER_NS 40000000ull      /* BYE no sooner after the last AU */
#define RESOLVE_MIN_MS 500
#define RESOLVE_MAX_MS 30000

struct rtp_sink {
	struct rtp_opts cfg;
	struct sink_env env;
	struct rtp_stream rs;
	char host[256];
	unsigned port;
	int fd, rtcp_fd;
	int no_mmsg;                    /* sendmmsg() missing: send() each */
	char addr[64];                  /* numeric destination */
	int ipv6;
	struct rtp_sink_stats st;

	/* name lookup that failed for now: retried with backoff */
	struct backoff backoff;
	uint64_t resolve_at;

	/* one batch of packets */
	uint8_t *slots;
	size_t slot_size;
	int nbatch;
	struct iovec iov[BATCH];
	struct mmsghdr msg[BATCH];

	/* SDP file */
	char *sdp_text, *sdp_tmp;
	uint64_t sess_id, sess_version;
	uint64_t last_send_ns;          /* when the last AU went out */
	uint32_t sdp_gen;               /* parameter sets written last */
	int sdp_failed;                 /* the last write failed: try again */
	int wait_key, kf_request;       /* started late: from a keyframe on */
	uint64_t sdp_retry_at;
	struct log_limit rl_send, rl_pack, rl_sdp, rl_rtcp, rl_resolve;
};

static struct rtp_opts rtp_cfg;

static const struct opt rtp_rows[] = {
	{ "rtp", OPT_FLAG, G_OUTPUT, 0, OPT_OFF(struct rtp_opts, enable), 0, 0, NULL, NULL,
	  "enable the RTP output", NULL, NULL },
	{ "rtp-endpoint", OPT_STR, G_OUTPUT, 0, OPT_OFF(struct rtp_opts, endpoint), 0, 0, NULL,
	  "HOST:PORT", "RTP destination (RTCP goes to PORT+1); [v6]:PORT for IPv6", NULL, NULL },
	{ "rtp-payload-type", OPT_LONG, G_OUTPUT, 0, OPT_OFF(struct rtp_opts, payload_type),
	  96, 127, NULL, "PT", "dynamic payload type (default 96)", NULL, NULL },
	{ "rtp-sdp", OPT_STR, G_OUTPUT, 0, OPT_OFF(struct rtp_opts, sdp), 0, 0, NULL, "PATH",
	  "write the SDP for players here (atomically)", NULL, NULL },
	{ "rtp-mtu", OPT_LONG, G_OUTPUT, 0, OPT_OFF(struct rtp_opts, mtu), 200, 9000, NULL,
	  "BYTES", "largest RTP payload (default 1200)", NULL, NULL },
	{ "no-rtcp", OPT_FLAG, G_OUTPUT, 0, OPT_OFF(struct rtp_opts, no_rtcp), 0, 0, NULL, NULL,
	  "do not send RTCP", NULL, NULL },
};

static void rtp_defaults(void *cfg)
{
	struct rtp_opts *o = cfg;

	memset(o, 0, sizeof *o);
	o->payload_type = 96;
	o->mtu = 1200;
}

static int rtp_enabled(const void *cfg)
{
	return ((const struct rtp_opts *)cfg)->enable;
}

/* The SDP file is written (renamed into place) in its directory: that
 * directory must exist and take new files.  1 with the reason in err. */
static int sdp_dir_check(const char *path, char *err, size_t n)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	struct stat st;

	if (!slash)
		snprintf(dir, sizeof dir, ".");
	else if (slash == path)
		snprintf(dir, sizeof dir, "/");
	else
		snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
	if (!*path || (slash && !slash[1])) {
		snprintf(err, n, "--rtp-sdp: '%s' names a directory, not a file", path);
		return 1;
	}
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, n, "--rtp-sdp: directory '%s' does not exist", dir);
		return 1;
	}
	if (access(dir, W_OK | X_OK) < 0) {
		snprintf(err, n, "--rtp-sdp: cannot create files in '%s': %s", dir, strerror(errno));
		return 1;
	}
	return 0;
}

static int rtp_validate(const void *cfg, const struct sink_env *env, char *err, size_t n)
{
	const struct rtp_opts *o = cfg;
	char host[256];
	unsigned port;

	if (!o->endpoint)
		snprintf(err, n, "--rtp needs --rtp-endpoint HOST:PORT");
	else if (hostport_parse(o->endpoint, host, sizeof host, &port))
		snprintf(err, n, "--rtp-endpoint: '%s' is not HOST:PORT (use [addr]:PORT for "
			 "IPv6)", o->endpoint);
	else if (!o->no_rtcp && port == 65535)
		snprintf(err, n, "--rtp-endpoint: port 65535 leaves no room for RTCP on port+1 "
			 "(use --no-rtcp)");
	else if (o->sdp && sdp_dir_check(o->sdp, err, n))
		;
	else
		return 0;
	return EXIT_USAGE;
}

/* ---- sockets ------------------------------------------------------------ */

static int open_udp(const struct net_addr *a)
{
	int fd = socket(a->family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	/* Connected, so an ICMP port unreachable comes back as ECONNREFUSED. */
	if (connect(fd, (const struct sockaddr *)&a->sa, a->len) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

/* Resolve the destination and connect both sockets.  0, -EAGAIN (try
 * again later), or another -errno. */
static int open_sockets(struct rtp_sink *s)
{
	struct net_addr a[NET_ADDR_MAX];
	int n = net_resolve(s->host, s->port, SOCK_DGRAM, a, NET_ADDR_MAX), ret;

	if (n < 0)
		return n;
	s->ipv6 = a[0].family == AF_INET6;
	net_addr_str(&a[0], s->addr, sizeof s->addr);
	s->fd = open_udp(&a[0]);
	ret = s->fd < 0 ? s->fd : 0;
	if (!ret && !s->cfg.no_rtcp) {
		net_addr_set_port(&a[0], s->port + 1);
		s->rtcp_fd = open_udp(&a[0]);
		ret = s->rtcp_fd < 0 ? s->rtcp_fd : 0;
	}
	if (ret) {
		log_error(TAG, "socket to %s port %u: %s", s->addr, s->port, strerror(-ret));
		return ret;
	}
	log_info(TAG, "sending %s to %s%s%s:%u pt %ld mtu %ld ssrc %08x%s",
		 codec_names[s->env.codec], s->ipv6 ? "[" : "", s->addr, s->ipv6 ? "]" : "",
		 s->port, s->cfg.payload_type, s->cfg.mtu, s->rs.pk.ssrc,
		 s->cfg.no_rtcp ? "" : ", RTCP on port+1");
	return 0;
}

/* ---- SDP -------------------------------------------------------------- */

/* Write the SDP atomically: a temp file in the same directory, then
 * rename() over the old one, so a player never reads half a file. */
static void write_sdp(struct rtp_sink *s)
{
	const struct param_sets *ps = &s->env.ps->ps;
	struct sdp_desc d = {
		s->env.codec, (int)s->cfg.payload_type, s->addr, s->ipv6, s->port,
		!s->cfg.no_rtcp, s->sess_id, ++s->sess_version, ps->vps, ps->sps, ps->pps, 0,
	};
	int n = sdp_build(&d, s->sdp_text, SDP_MAX), fd;
	ssize_t w = -1;

	s->sdp_gen = s->env.ps->gen;
	if (n < 0) {
		log_limited(&s->rl_sdp, LOG_WARN, TAG, "SDP does not fit %d bytes", SDP_MAX);
		return;
	}
	fd = open(s->sdp_tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0) {
		fchmod(fd, 0644);       /* whatever the umask: players read it */
		w = write(fd, s->sdp_text, (size_t)n);
		if (close(fd) < 0)
			w = -1;
	}
	if (w != n || rename(s->sdp_tmp, s->cfg.sdp) < 0) {
		log_limited(&s->rl_sdp, LOG_WARN, TAG, "cannot write %s: %s (will try again)",
			    s->cfg.sdp, strerror(errno));
		unlink(s->sdp_tmp);
		s->st.sdp_errors++;
		s->sdp_failed = 1;
		s->sdp_retry_at = clock_mono_ns() + SDP_RETRY_NS;
		return;
	}
	s->sdp_failed = 0;
	log_info(TAG, "wrote %s (version %llu)", s->cfg.sdp,
		 (unsigned long long)s->sess_version);
}

/* ---- sending ---------------------------------------------------------- */

static void count_error(struct rtp_sink *s, int err, uint64_t n)
{
	s->st.send_errors += n;
	log_limited(&s->rl_send, LOG_WARN, TAG, "send to %s:%u: %s (%llu packets dropped so far)",
		    s->addr, s->port, strerror(err), (unsigned long long)s->st.send_errors);
}

/* Send the batch.  A refused packet is skipped (the error was the ICMP
 * reply to an earlier one); a full buffer drops the rest of the batch. */
static void flush(struct rtp_sink *s)
{
	int i = 0, r;

	while (i < s->nbatch) {
		if (s->no_mmsg)
			r = send(s->fd, s->iov[i].iov_base, s->iov[i].iov_len, 0) < 0 ? -1 : 1;
		else
			r = sendmmsg(s->fd, s->msg + i, (unsigned)(s->nbatch - i), 0);
		if (r > 0) {
			for (; r > 0; r--, i++) {
				s->st.packets++;
				s->st.bytes += s->iov[i].iov_len;
				rtp_stream_sent(&s->rs, s->iov[i].iov_len);
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
		count_error(s, errno, (uint64_t)(s->nbatch - i));
		break;
	}
	s->nbatch = 0;
}

/* rtp_emit_fn: copy one packet into the next slot. */
static int emit_packet(void *opaque, const struct rtp_span *v, int nv)
{
	struct rtp_sink *s = opaque;
	uint8_t *slot = s->iov[s->nbatch].iov_base, *p = slot;
	int i;

	for (i = 0; i < nv; i++) {
		if (v[i].n > s->slot_size - (size_t)(p - slot))
			return -EMSGSIZE;       /* packer broke its MTU promise */
		memcpy(p, v[i].p, v[i].n);
		p += v[i].n;
	}
	s->iov[s->nbatch].iov_len = (size_t)(p - slot);
	if (++s->nbatch == BATCH)
		flush(s);
	return 0;
}

static void rtp_put(void *st, const struct access_unit *au, uint64_t now)
{
	struct rtp_sink *s = st;
	int ret;

	if (s->fd < 0 || (s->wait_key && !au->keyframe)) {
		s->st.unsent++;         /* not resolved yet, or waiting for a keyframe */
		return;
	}
	s->wait_key = 0;
	if (s->cfg.sdp && s->env.ps->gen && au->ps_gen != s->sdp_gen)
		write_sdp(s);
	ret = rtp_stream_pack(&s->rs, au, s->env.ps, now, emit_packet, s);
	flush(s);
	if (ret < 0) {
		log_limited(&s->rl_pack, LOG_WARN, TAG, "AU %u not sent: %s", au->seq,
			    strerror(-ret));
		return;
	}
	s->st.aus++;
	s->last_send_ns = now;
}

/* ---- RTCP ------------------------------------------------------------- */

static void send_rtcp(struct rtp_sink *s, uint64_t now, int bye)
{
	uint8_t buf[28 + 4 + 4 + 2 + RTP_CNAME_MAX + 4 + 8];
	uint64_t wall = clock_wall_ns() - (clock_mono_ns() - now);
	int n = rtp_stream_rtcp(&s->rs, now, wall, bye, buf, sizeof buf);

	if (n < 0)
		return;
	if (send(s->rtcp_fd, buf, (size_t)n, 0) < 0) {
		log_limited(&s->rl_rtcp, LOG_WARN, TAG, "RTCP send: %s", strerror(errno));
		return;
	}
	s->st.rtcp_packets++;
}

static int rtp_pollfds(void *st, struct pollfd *pfd, int max, int *timeout_ms, uint64_t now)
{
	struct rtp_sink *s = st;
	uint64_t dl = s->fd < 0 ? s->resolve_at : s->rs.have_map && !s->cfg.no_rtcp ?
		      s->rs.next_rtcp_ns : 0;

	if (s->sdp_failed && (!dl || s->sdp_retry_at < dl))
		dl = s->sdp_retry_at;

	sink_deadline(timeout_ms, dl, now);
	return 0;       /* UDP output: nothing to wait for */
}

static int rtp_keyframe_wanted(void *st)
{
	return sink_take(&((struct rtp_sink *)st)->kf_request);
}

static void rtp_service(void *st, const struct pollfd *pfd, int n, uint64_t now)
{
	struct rtp_sink *s = st;

	if (s->fd < 0) {
		int r;

		if (now < s->resolve_at)
			return;
		r = open_sockets(s);
		if (r == -EAGAIN || r == -ENOENT) {
			unsigned d = backoff_next(&s->backoff, &s->rs.rng);

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
	if (!s->cfg.no_rtcp && s->rtcp_fd >= 0 && rtp_stream_rtcp_due(&s->rs, now))
		send_rtcp(s, now, 0);
	if (s->sdp_failed && now >= s->sdp_retry_at)
		write_sdp(s);
}

static void rtp_capture_clock(void *st, int unix_epoch)
{
	((struct rtp_sink *)st)->rs.capture_unix = unix_epoch;
}

void rtp_sink_get_stats(const void *st, struct rtp_sink_stats *out)
{
	*out = ((const struct rtp_sink *)st)->st;
}

static int rtp_stats(const void *st, int json, char *buf, size_t cap)
{
	const struct rtp_sink *s = st;

	if (json)
		return snprintf(buf, cap, "{\"packets\":%llu,\"aus\":%llu,\"send_errors\":%llu}",
				(unsigned long long)s->st.packets, (unsigned long long)s->st.aus,
				(unsigned long long)s->st.send_errors);
	return snprintf(buf, cap, "pkts=%llu aus=%llu err=%llu",
			(unsigned long long)s->st.packets, (unsigned long long)s->st.aus,
			(unsigned long long)s->st.send_errors);
}

static void rtp_metrics(const void *st, struct sink_metrics *m)
{
	const struct rtp_sink *s = st;

	m->bytes = s->st.bytes;
	m->aus = s->st.aus;
	m->dropped = s->st.unsent;
	m->connected = s->fd >= 0;
}

static size_t rtp_pending(const void *st)
{
	return 0;       /* datagrams are sent at once or not at all */
}

/* RTCP BYE, close sockets, free. */
static void rtp_close(void *st)
{
	struct rtp_sink *s = st;

	if (!s)
		return;
	if (s->rtcp_fd >= 0) {
		/* FFmpeg reads a pending RTCP packet before pending RTP and stops
		 * at BYE: let the last AU arrive first (one frame interval). */
		uint64_t now = clock_mono_ns(), due = s->last_send_ns + BYE_AFTER_NS;

		if (s->last_send_ns && now < due)
			clock_sleep_ns(due - now);
		send_rtcp(s, clock_mono_ns(), 1);
	}
	if (s->fd >= 0)
		close(s->fd);
	if (s->rtcp_fd >= 0)
		close(s->rtcp_fd);
	free(s->slots);
	free(s->sdp_text);
	free(s->sdp_tmp);
	free(s);
}

static int rtp_open(void **out, const void *cfg, const struct sink_env *env)
{
	const struct rtp_opts *o = cfg;
	struct rtp_sink *s;
	char cname[RTP_CNAME_MAX];
	size_t mtu = (size_t)o->mtu;
	int i, ret;

	*out = NULL;
	if (o->payload_type < 96 || o->payload_type > 127 || mtu < 64 || mtu > 9000 ||
	    (env->codec != CODEC_H264 && env->codec != CODEC_H265) || !o->endpoint)
		return -EINVAL;
	s = calloc(1, sizeof *s);
	if (!s)
		return -ENOMEM;
	s->cfg = *o;
	s->env = *env;
	s->fd = s->rtcp_fd = -1;
	if (hostport_parse(o->endpoint, s->host, sizeof s->host, &s->port)) {
		log_error(TAG, "endpoint '%s' is not HOST:PORT ([addr]:PORT for IPv6)",
			  o->endpoint);
		free(s);
		return -EINVAL;
	}
	s->slot_size = RTP_HDR_LEN + mtu;
	s->slots = malloc(BATCH * s->slot_size);
	s->sdp_text = malloc(SDP_MAX);
	s->sdp_tmp = o->sdp ? malloc(strlen(o->sdp) + 8) : NULL;
	if (!s->slots || !s->sdp_text || (o->sdp && !s->sdp_tmp)) {
		rtp_close(s);
		return -ENOMEM;
	}
	if (o->sdp)
		sprintf(s->sdp_tmp, "%s.tmp", o->sdp);
	for (i = 0; i < BATCH; i++) {
		s->iov[i].iov_base = s->slots + (size_t)i * s->slot_size;
		s->msg[i].msg_hdr.msg_iov = &s->iov[i];
		s->msg[i].msg_hdr.msg_iovlen = 1;
	}
	rtp_stream_cname(cname);
	rtp_stream_init(&s->rs, env->codec, (int)o->payload_type, mtu, o->aggregate, env->bitexact,
			cname);
	s->sess_id = env->bitexact ? 1 : clock_wall_ns() / 1000000000u + RTCP_NTP_UNIX_OFFSET;
	backoff_init(&s->backoff, RESOLVE_MIN_MS, RESOLVE_MAX_MS);
	ret = open_sockets(s);
	if (ret == -EAGAIN) {
		/* no network yet: look the name up again later */
		log_warn(TAG, "cannot resolve '%s' now; will keep trying", s->host);
		s->resolve_at = clock_mono_ns() +
				(uint64_t)backoff_next(&s->backoff, &s->rs.rng) * 1000000u;
		ret = 0;
	} else if (ret == -ENOENT) {
		log_error(TAG, "cannot resolve '%s': no such host", s->host);
		ret = -EINVAL;
	}
	if (ret < 0) {
		rtp_close(s);
		return ret;
	}
	*out = s;
	return 0;
}

const struct sink_ops rtp_sink_ops = {
	.name = "rtp",
	.opts = rtp_rows,
	.nopts = sizeof rtp_rows / sizeof rtp_rows[0],
	.cfg = &rtp_cfg,
	.defaults = rtp_defaults,
	.enabled = rtp_enabled,
	.validate = rtp_validate,
	.open = rtp_open,
	.put = rtp_put,
	.pollfds = rtp_pollfds,
	.service = rtp_service,
	.keyframe_wanted = rtp_keyframe_wanted,
	.pending = rtp_pending,
	.capture_clock = rtp_capture_clock,
	.stats = rtp_stats,
	.metrics = rtp_metrics,
	.close = rtp_close,
};
