/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rtp_sink.c - RTP over UDP: packetiser + SDP file + RTCP (rtp_sink.h).
 *
 * The only I/O around the pure rtp.c / rtcp.c / sdp.c.  Everything is
 * allocated in rtp_sink_open(): the packet slots of one sendmmsg() batch,
 * copies of the last parameter sets, the SDP text buffer.  Sending an AU
 * copies each packet once into a slot and sends the slots in batches.
 *
 * Errors while streaming (EAGAIN/ENOBUFS from a full socket buffer,
 * ECONNREFUSED reported after an ICMP port unreachable) are counted in
 * send_errors and logged rate-limited; they never stop the pipeline.
 *
 * RTCP timing (RFC 3550 6.4.1): an SR describes "now".  Its RTP timestamp
 * is the last AU's timestamp plus the time elapsed since that AU was
 * captured (au->sync_mono_ns, or the send time when the producer gave
 * none).  Its NTP time is the wall clock now, or - when the producer's
 * timestamps are Unix-epoch time (rtp_sink_set_capture_clock) - the last
 * AU's capture timestamp plus the same elapsed time, so RTP time maps to
 * the camera's clock.  Either way NTP and RTP time describe the same
 * instant on the capture time line, not the send time line.
 */
#define _GNU_SOURCE
#include "proto/rtp_sink.h"

#include "codec/paramsets.h"
#include "config/opts.h"
#include "proto/rtcp.h"
#include "proto/rtp.h"
#include "proto/sdp.h"
#include "util/clock.h"
#include "util/log.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define TAG "rtp"
#define BATCH 32                        /* packets per sendmmsg() */
#define PS_MAX 4096                     /* bytes per saved parameter set */
#define SDP_MAX (3 * (PS_MAX / 3 + 1) * 4 + 1024)
#define RTCP_INTERVAL_NS 2000000000ull  /* nominal; randomised 0.5..1.5x */

/* Fixed values under bitexact (RFC 3550 5.1 wants them random). */
#define BITEXACT_SSRC 0x43564d4du       /* "CVMM" */
#define BITEXACT_SEQ  0
#define BITEXACT_TS   0

struct rtp_sink {
	struct rtp_sink_cfg cfg;
	struct rtp_packer pk;
	int fd, rtcp_fd;
	int no_mmsg;                    /* sendmmsg() missing: send() each */
	char addr[NI_MAXHOST];          /* numeric destination */
	int ipv6;
	unsigned port;
	uint32_t ts_base;
	struct rtp_sink_stats st;
	uint32_t sr_packets, sr_octets; /* RFC 3550 6.4.1 counters (wrap) */

	/* one batch of packets */
	uint8_t *slots;
	size_t slot_size;
	int nbatch;
	struct iovec iov[BATCH];
	struct mmsghdr msg[BATCH];

	/* last parameter sets, for the SDP and for keyframes without them */
	uint8_t ps_buf[3][PS_MAX];
	struct param_sets ps;
	int have_ps;

	/* SDP file */
	char *sdp_text, *sdp_tmp;
	uint64_t sess_id, sess_version;

	/* RTCP */
	int have_map;
	uint32_t last_ts;               /* RTP timestamp of the last AU ... */
	uint64_t last_capture_ns;       /* ... its producer timestamp */
	int capture_unix;               /* producer timestamps are Unix time */
	uint64_t last_capture_mono;     /* ... and its capture instant */
	uint64_t next_rtcp_ns;
	uint32_t rng;
	char cname[64];
};

static uint32_t random32(void)
{
	uint32_t v;

	if (getrandom(&v, sizeof v, GRND_NONBLOCK) != (ssize_t)sizeof v)
		v = (uint32_t)(clock_mono_ns() ^ clock_wall_ns() ^ (uint64_t)getpid() << 16);
	return v;
}

/* xorshift32: only for jittering the RTCP interval. */
static uint32_t next_rand(struct rtp_sink *s)
{
	uint32_t x = s->rng ? s->rng : 0x9e3779b9u;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return s->rng = x;
}

static int open_udp(const struct addrinfo *ai, unsigned port)
{
	struct sockaddr_storage sa;
	int fd;

	memcpy(&sa, ai->ai_addr, ai->ai_addrlen);
	if (sa.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&sa)->sin6_port = htons((uint16_t)port);
	else
		((struct sockaddr_in *)&sa)->sin_port = htons((uint16_t)port);
	fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* Connected, so an ICMP port unreachable comes back as ECONNREFUSED. */
	if (connect(fd, (struct sockaddr *)&sa, ai->ai_addrlen) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

/* Resolve cfg->endpoint once (getaddrinfo) and connect both sockets. */
static int open_sockets(struct rtp_sink *s)
{
	struct addrinfo hints, *ai = NULL;
	char host[256];
	int ret;

	if (cli_split_hostport(s->cfg.endpoint, host, sizeof host, &s->port)) {
		log_error(TAG, "endpoint '%s' is not HOST:PORT ([addr]:PORT for IPv6)",
			  s->cfg.endpoint);
		return -EINVAL;
	}
	if (s->cfg.rtcp && s->port == 65535) {
		log_error(TAG, "port 65535 leaves no room for RTCP on port+1");
		return -EINVAL;
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	ret = getaddrinfo(host, NULL, &hints, &ai);
	if (ret || !ai) {
		log_error(TAG, "cannot resolve '%s': %s", host, gai_strerror(ret));
		return -EINVAL;
	}
	s->ipv6 = ai->ai_family == AF_INET6;
	if (getnameinfo(ai->ai_addr, ai->ai_addrlen, s->addr, sizeof s->addr,
			NULL, 0, NI_NUMERICHOST))
		snprintf(s->addr, sizeof s->addr, "%s", host);
	s->fd = open_udp(ai, s->port);
	ret = s->fd < 0 ? s->fd : 0;
	if (!ret && s->cfg.rtcp) {
		s->rtcp_fd = open_udp(ai, s->port + 1);
		ret = s->rtcp_fd < 0 ? s->rtcp_fd : 0;
	}
	freeaddrinfo(ai);
	if (ret)
		log_error(TAG, "socket to %s port %u: %s", s->addr, s->port, strerror(-ret));
	return ret;
}

int rtp_sink_open(struct rtp_sink **out, const struct rtp_sink_cfg *cfg)
{
	struct rtp_sink *s;
	int i, ret;
	size_t mtu = cfg->mtu ? (size_t)cfg->mtu : RTP_MTU_DEFAULT;

	*out = NULL;
	if (cfg->payload_type < 96 || cfg->payload_type > 127 || mtu < 64 ||
	    mtu > 9000 || (cfg->codec != CODEC_H264 && cfg->codec != CODEC_H265) ||
	    !cfg->endpoint)
		return -EINVAL;
	s = calloc(1, sizeof *s);
	if (!s)
		return -ENOMEM;
	s->cfg = *cfg;
	s->fd = s->rtcp_fd = -1;
	s->slot_size = RTP_HDR_LEN + mtu;
	s->slots = malloc(BATCH * s->slot_size);
	s->sdp_text = malloc(SDP_MAX);
	s->sdp_tmp = cfg->sdp_path ? malloc(strlen(cfg->sdp_path) + 8) : NULL;
	if (!s->slots || !s->sdp_text || (cfg->sdp_path && !s->sdp_tmp)) {
		rtp_sink_close(s);
		return -ENOMEM;
	}
	if (cfg->sdp_path)
		sprintf(s->sdp_tmp, "%s.tmp", cfg->sdp_path);
	for (i = 0; i < BATCH; i++) {
		s->iov[i].iov_base = s->slots + (size_t)i * s->slot_size;
		s->msg[i].msg_hdr.msg_iov = &s->iov[i];
		s->msg[i].msg_hdr.msg_iovlen = 1;
	}
	if ((ret = open_sockets(s)) < 0) {
		rtp_sink_close(s);
		return ret;
	}
	if (cfg->bitexact) {
		rtp_packer_init(&s->pk, cfg->codec, cfg->payload_type, BITEXACT_SSRC,
				BITEXACT_SEQ, mtu);
		s->ts_base = BITEXACT_TS;
		s->sess_id = 1;
		s->rng = 1;
	} else {
		rtp_packer_init(&s->pk, cfg->codec, cfg->payload_type, random32(),
				(uint16_t)random32(), mtu);
		s->ts_base = random32();
		s->sess_id = clock_wall_ns() / 1000000000u + RTCP_NTP_UNIX_OFFSET;
		s->rng = random32();
	}
	s->pk.aggregate = cfg->aggregate;
	/* RFC 7022: a per-host CNAME is enough for one sender. */
	strcpy(s->cname, "cvmmap@");
	if (gethostname(s->cname + 7, sizeof s->cname - 8))
		strcpy(s->cname + 7, "localhost");
	s->cname[sizeof s->cname - 1] = '\0';
	log_info(TAG, "sending %s to %s%s%s:%u pt %d mtu %zu ssrc %08x%s",
		 codec_names[cfg->codec], s->ipv6 ? "[" : "", s->addr, s->ipv6 ? "]" : "",
		 s->port, cfg->payload_type, mtu, s->pk.ssrc,
		 cfg->rtcp ? ", RTCP on port+1" : "");
	*out = s;
	return 0;
}

/* ---- SDP -------------------------------------------------------------- */

/* Write the SDP atomically: a temp file in the same directory, then
 * rename() over the old one, so a player never reads half a file. */
static void write_sdp(struct rtp_sink *s)
{
	static struct log_limit rl;
	struct sdp_desc d = {
		s->cfg.codec, s->cfg.payload_type, s->addr, s->ipv6, s->port,
		s->cfg.rtcp, s->sess_id, ++s->sess_version,
		s->ps.vps, s->ps.sps, s->ps.pps,
	};
	int n = sdp_build(&d, s->sdp_text, SDP_MAX), fd;
	ssize_t w = -1;

	if (n < 0) {
		log_limited(&rl, LOG_WARN, TAG, "SDP does not fit %d bytes", SDP_MAX);
		return;
	}
	fd = open(s->sdp_tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0) {
		fchmod(fd, 0644);       /* whatever the umask: players read it */
		w = write(fd, s->sdp_text, (size_t)n);
		if (close(fd) < 0)
			w = -1;
	}
	if (w != n || rename(s->sdp_tmp, s->cfg.sdp_path) < 0) {
		log_limited(&rl, LOG_WARN, TAG, "cannot write %s: %s", s->cfg.sdp_path,
			    strerror(errno));
		unlink(s->sdp_tmp);
		return;
	}
	log_info(TAG, "wrote %s (version %llu)", s->cfg.sdp_path,
		 (unsigned long long)s->sess_version);
}

/* Keep copies of a complete, changed set of parameter sets. */
static int save_params(struct rtp_sink *s, const struct param_sets *ps)
{
	const struct nal *src[3] = { &ps->vps, &ps->sps, &ps->pps };
	struct nal *dst[3] = { &s->ps.vps, &s->ps.sps, &s->ps.pps };
	int i;

	for (i = 0; i < 3; i++) {
		if (src[i]->n > PS_MAX)
			return -ENOSPC;
	}
	for (i = 0; i < 3; i++) {
		if (src[i]->n)          /* H.264 has no VPS */
			memcpy(s->ps_buf[i], src[i]->p, src[i]->n);
		dst[i]->p = s->ps_buf[i];
		dst[i]->n = src[i]->n;
	}
	s->have_ps = 1;
	return 0;
}

/* ---- sending ---------------------------------------------------------- */

static void count_error(struct rtp_sink *s, int err, uint64_t n)
{
	static struct log_limit rl;

	s->st.send_errors += n;
	log_limited(&rl, LOG_WARN, TAG, "send to %s:%u: %s (%llu packets dropped so far)",
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
				s->sr_packets++;
				s->sr_octets += (uint32_t)(s->iov[i].iov_len - RTP_HDR_LEN);
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

int rtp_sink_send(struct rtp_sink *s, const struct access_unit *au, uint64_t now_mono_ns)
{
	static struct log_limit rl;
	struct param_sets ps;
	struct nal prefix[3];
	int np = 0, ret;
	uint32_t ts = s->ts_base + (uint32_t)rtp_ticks_from_ns(au->pts_ns);

	if (paramsets_extract(s->cfg.codec, au->data, au->size, &ps) == 0) {
		if (!s->have_ps || !paramsets_equal(&ps, &s->ps)) {
			if (save_params(s, &ps) < 0)
				log_limited(&rl, LOG_WARN, TAG, "parameter set over %d bytes", PS_MAX);
			else if (s->cfg.sdp_path)
				write_sdp(s);
		}
	} else if (au->keyframe && s->have_ps) {
		/* Keyframe without in-band parameter sets: repeat the last ones
		 * so a receiver joining here can start (PROTOCOLS.md 6). */
		if (s->cfg.codec)
			prefix[np++] = s->ps.vps;
		prefix[np++] = s->ps.sps;
		prefix[np++] = s->ps.pps;
	}
	ret = rtp_pack_au(&s->pk, prefix, np, au->data, au->size, ts, emit_packet, s);
	flush(s);
	if (ret < 0) {
		log_limited(&rl, LOG_WARN, TAG, "AU %u not sent: %s", au->seq, strerror(-ret));
		return ret;
	}
	s->st.aus++;
	s->have_map = 1;
	s->last_ts = ts;
	s->last_capture_mono = au->sync_mono_ns ? au->sync_mono_ns : now_mono_ns;
	s->last_capture_ns = au->capture_ns;
	return 0;
}

void rtp_sink_set_capture_clock(struct rtp_sink *s, int unix_epoch)
{
	s->capture_unix = unix_epoch;
}

/* ---- RTCP ------------------------------------------------------------- */

/* Compound packet (RFC 3550 6.1): SR + SDES CNAME [+ BYE], at "now". */
static void send_rtcp(struct rtp_sink *s, uint64_t now_mono_ns, int bye)
{
	static struct log_limit rl;
	uint8_t buf[28 + 4 + 4 + 2 + sizeof s->cname + 4 + 8], *p = buf;
	const uint8_t *end = buf + sizeof buf;
	uint64_t since = now_mono_ns > s->last_capture_mono ?
			 now_mono_ns - s->last_capture_mono : 0;
	uint64_t wall = s->capture_unix && s->last_capture_ns ?
			s->last_capture_ns + since :
			clock_wall_ns() - (clock_mono_ns() - now_mono_ns);
	struct rtcp_sr sr = {
		s->pk.ssrc, rtcp_ntp_from_unix_ns(wall),
		s->last_ts + (uint32_t)rtp_ticks_from_ns(since),
		s->sr_packets, s->sr_octets,
	};

	p = rtcp_put_sr(p, end, &sr);
	p = rtcp_put_sdes_cname(p, end, s->pk.ssrc, s->cname);
	if (bye)
		p = rtcp_put_bye(p, end, s->pk.ssrc);
	if (!p)
		return;
	if (send(s->rtcp_fd, buf, (size_t)(p - buf), 0) < 0) {
		log_limited(&rl, LOG_WARN, TAG, "RTCP send: %s", strerror(errno));
		return;
	}
	s->st.rtcp_packets++;
}

void rtp_sink_tick(struct rtp_sink *s, uint64_t now_mono_ns)
{
	if (!s->cfg.rtcp || !s->have_map || now_mono_ns < s->next_rtcp_ns)
		return;
	send_rtcp(s, now_mono_ns, 0);
	/* RFC 3550 6.2: randomise to 0.5..1.5 times the interval. */
	s->next_rtcp_ns = now_mono_ns + RTCP_INTERVAL_NS / 2 +
			  (uint64_t)(next_rand(s) % 1000u) * (RTCP_INTERVAL_NS / 1000u);
}

void rtp_sink_get_stats(const struct rtp_sink *s, struct rtp_sink_stats *st)
{
	*st = s->st;
}

void rtp_sink_close(struct rtp_sink *s)
{
	if (!s)
		return;
	if (s->rtcp_fd >= 0 && s->have_map)
		send_rtcp(s, clock_mono_ns(), 1);
	if (s->fd >= 0)
		close(s->fd);
	if (s->rtcp_fd >= 0)
		close(s->rtcp_fd);
	free(s->slots);
	free(s->sdp_text);
	free(s->sdp_tmp);
	free(s);
}
