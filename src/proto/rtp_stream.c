/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rtp_stream.c - see rtp_stream.h. */
#include "proto/rtp_stream.h"
#include "proto/rtcp.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define RTCP_INTERVAL_NS 2000000000ull  /* nominal; randomised 0.5..1.5x */

/* Fixed values under bitexact (RFC 3550 5.1 wants them random). */
#define BITEXACT_SSRC 0x43564d4du       /* "CVMM" */
#define BITEXACT_SEQ  0
#define BITEXACT_TS   0

void rtp_stream_init(struct rtp_stream *r, int codec, int pt, size_t mtu, int aggregate,
		     int bitexact, const char *cname)
{
	memset(r, 0, sizeof *r);
	if (bitexact) {
		prng_seed(&r->rng, 1);
		rtp_packer_init(&r->pk, codec, pt, BITEXACT_SSRC, BITEXACT_SEQ, mtu);
		r->ts_base = BITEXACT_TS;
	} else {
		prng_seed(&r->rng, prng_random_seed());
		rtp_packer_init(&r->pk, codec, pt, prng_u32(&r->rng),
				(uint16_t)prng_u32(&r->rng), mtu);
		r->ts_base = prng_u32(&r->rng);
	}
	r->pk.aggregate = aggregate;
	snprintf(r->cname, sizeof r->cname, "%s", cname);
}

void rtp_stream_cname(char *cname)
{
	strcpy(cname, "cvmmap@");
	if (gethostname(cname + 7, RTP_CNAME_MAX - 8))
		strcpy(cname + 7, "localhost");
	cname[RTP_CNAME_MAX - 1] = '\0';
}

uint32_t rtp_stream_ts(const struct rtp_stream *r, uint64_t ns)
{
	return r->ts_base + (uint32_t)rtp_ticks_from_ns(ns);
}

int rtp_stream_pack(struct rtp_stream *r, const struct access_unit *au,
		    const struct pscache *ps, uint64_t now_mono_ns,
		    rtp_emit_fn emit, void *opaque)
{
	struct nal prefix[3];
	uint32_t ts = rtp_stream_ts(r, au->pts_ns);
	int np = 0, ret;

	/* docs/protocols.md §6: parameter sets in-band before every keyframe */
	if (au->keyframe && !au->has_ps && ps && ps->gen) {
		if (r->pk.codec)
			prefix[np++] = ps->ps.vps;
		prefix[np++] = ps->ps.sps;
		prefix[np++] = ps->ps.pps;
	}
	ret = rtp_pack_au(&r->pk, prefix, np, au->data, au->size, ts, emit, opaque);
	if (ret < 0)
		return ret;
	r->aus++;
	/* RFC 6184 5.1: RTP time is presentation time; with B-frames the
	 * sender-report anchor stays on the newest frame. */
	if (!r->have_map || (int32_t)(ts - r->map_ts) >= 0) {
		r->have_map = 1;
		r->map_ts = ts;
		r->map_mono_ns = au->sync_mono_ns ? au->sync_mono_ns : now_mono_ns;
		r->map_capture_ns = au->capture_ns;
	}
	return ret;
}

int rtp_stream_rtcp_due(struct rtp_stream *r, uint64_t now)
{
	if (!r->have_map || now < r->next_rtcp_ns)
		return 0;
	/* RFC 3550 6.2: randomise to 0.5..1.5 times the interval. */
	r->next_rtcp_ns = now + RTCP_INTERVAL_NS / 2 +
			  (uint64_t)(prng_u32(&r->rng) % 1000u) * (RTCP_INTERVAL_NS / 1000u);
	return 1;
}

int rtp_stream_rtcp(const struct rtp_stream *r, uint64_t now, uint64_t wall_now,
		    int bye, uint8_t *buf, size_t cap)
{
	return rtp_stream_rtcp_to(r, r->sr_packets, r->sr_octets, now, wall_now, bye, buf, cap);
}

int rtp_stream_rtcp_to(const struct rtp_stream *r, uint32_t packets, uint32_t octets,
		       uint64_t now, uint64_t wall_now, int bye, uint8_t *buf, size_t cap)
{
	uint8_t *p = buf;
	const uint8_t *end = buf + cap;
	uint64_t since = now > r->map_mono_ns ? now - r->map_mono_ns : 0;
	uint64_t wall = r->capture_unix && r->map_capture_ns ? r->map_capture_ns + since :
			wall_now;
	struct rtcp_sr sr = {
		r->pk.ssrc, rtcp_ntp_from_unix_ns(wall),
		r->map_ts + (uint32_t)rtp_ticks_from_ns(since),
		packets, octets,
	};

	if (!r->have_map)
		return -EAGAIN;
	p = rtcp_put_sr(p, end, &sr);
	p = rtcp_put_sdes_cname(p, end, r->pk.ssrc, r->cname);
	if (bye)
		p = rtcp_put_bye(p, end, r->pk.ssrc);
	return p ? (int)(p - buf) : -ENOSPC;
}
