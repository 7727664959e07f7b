/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rtp.c - H.264 / H.265 RTP packetiser (see rtp.h).
 *
 * RTP fixed header, RFC 3550 5.1:
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |V=2|P|X|  CC   |M|     PT      |       sequence number         |
 *   |                           timestamp                           |
 *   |                             SSRC                              |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Payload formats: RFC 6184 (H.264, packetization-mode=1: single NAL,
 * STAP-A, FU-A) and RFC 7798 (H.265: single NAL, AP, FU; never DONL).
 */
#include "proto/rtp.h"

#include "util/bytes.h"

#include <errno.h>

enum {
	H264_STAP_A = 24, H264_FU_A = 28,     /* RFC 6184 5.2 */
	H265_AP = 48, H265_FU = 49,           /* RFC 7798 4.4 */
	FU_S = 0x80, FU_E = 0x40,             /* FU header start/end bits */
};

void rtp_packer_init(struct rtp_packer *pk, int codec, int pt, uint32_t ssrc,
		     uint16_t first_seq, size_t mtu)
{
	pk->codec = codec;
	pk->pt = (uint8_t)(pt & 0x7f);
	pk->ssrc = ssrc;
	pk->seq = first_seq;
	pk->mtu = mtu < RTP_MTU_MIN ? RTP_MTU_MIN : mtu;
	pk->aggregate = 0;
}

/* ---- NAL walk: the AU's NALs with the prefix spliced in --------------- */

struct nal_iter {
	int codec;
	const uint8_t *cur, *end;
	const struct nal *prefix;
	int np, pi, prefix_done, have;
	struct nal pending;     /* next NAL of the AU, already scanned */
};

static int is_aud(int codec, const struct nal *u)
{
	return nal_type(codec, u) == (codec ? H265_NAL_AUD : H264_NAL_AUD);
}

/* Next NAL in send order; 0 at the end.  Empty NALs are skipped. */
static int it_next(struct nal_iter *it, struct nal *out)
{
	while (!it->have) {
		it->cur = annexb_next(it->cur, it->end, &it->pending);
		if (!it->cur)
			return 0;
		it->have = it->pending.n != 0;
	}
	if (!it->prefix_done && !is_aud(it->codec, &it->pending)) {
		if (it->pi < it->np) {
			*out = it->prefix[it->pi++];
			return 1;
		}
		it->prefix_done = 1;
	}
	*out = it->pending;
	it->have = 0;
	return 1;
}

/* ---- packet output ---------------------------------------------------- */

/* RFC 3550 5.1 fixed header into hdr[12]. */
static void put_rtp_header(struct rtp_packer *pk, uint8_t *hdr, int marker, uint32_t ts)
{
	uint8_t *p = hdr, *end = hdr + RTP_HDR_LEN;

	p = put_u8(p, end, 0x80);                       /* V=2 P=0 X=0 CC=0 */
	p = put_u8(p, end, (uint8_t)(marker << 7 | pk->pt));
	p = put_be16(p, end, pk->seq++);
	p = put_be32(p, end, ts);
	put_be32(p, end, pk->ssrc);
}

/* One packet: RTP header + hl bytes of payload header in hdr[], then the
 * spans v[1..nv). */
static int emit_packet(struct rtp_packer *pk, uint8_t *hdr, size_t hl,
		       struct rtp_span *v, int nv, int marker, uint32_t ts,
		       rtp_emit_fn emit, void *opaque)
{
	put_rtp_header(pk, hdr, marker, ts);
	v[0].p = hdr;
	v[0].n = RTP_HDR_LEN + hl;
	return emit(opaque, v, nv);
}

/* Single NAL unit packet (RFC 6184 5.6, RFC 7798 4.4.1): the NAL as is. */
static int send_single(struct rtp_packer *pk, const struct nal *u, int marker,
		       uint32_t ts, rtp_emit_fn emit, void *opaque)
{
	uint8_t hdr[RTP_HDR_LEN];
	struct rtp_span v[2] = { { NULL, 0 }, { u->p, u->n } };

	return emit_packet(pk, hdr, 0, v, 2, marker, ts, emit, opaque);
}

/* Fragmentation units.
 *
 * H.264 FU-A (RFC 6184 5.8):   H.265 FU (RFC 7798 4.4.3):
 *   FU indicator F|NRI|28        payload header F|49|LayerId|TID (2 bytes)
 *   FU header    S|E|R|Type      FU header      S|E|FuType(6)
 *
 * The NAL header itself is not sent; the receiver rebuilds it from the
 * indicator and the FU header.  S only on the first fragment, E only on
 * the last.  The marker goes on the last fragment when the NAL ends the AU. */
static int send_fu(struct rtp_packer *pk, const struct nal *u, int marker,
		   uint32_t ts, rtp_emit_fn emit, void *opaque)
{
	uint8_t hdr[RTP_HDR_LEN + 3], *ph = hdr + RTP_HDR_LEN;
	size_t nh = pk->codec ? 2 : 1, hl = nh + 1, room = pk->mtu - hl;
	const uint8_t *p = u->p + nh, *end = u->p + u->n;
	uint8_t type;
	int ret, first = 1;

	if (pk->codec) {
		ph[0] = (uint8_t)((u->p[0] & 0x81) | H265_FU << 1);
		ph[1] = u->p[1];
		type = (uint8_t)((u->p[0] >> 1) & 0x3f);
	} else {
		ph[0] = (uint8_t)((u->p[0] & 0xe0) | H264_FU_A);
		type = (uint8_t)(u->p[0] & 0x1f);
	}
	while (p < end) {
		size_t len = (size_t)(end - p) < room ? (size_t)(end - p) : room;
		int last = p + len == end;
		struct rtp_span v[2] = { { NULL, 0 }, { p, len } };

		ph[nh] = (uint8_t)(type | (first ? FU_S : 0) | (last ? FU_E : 0));
		ret = emit_packet(pk, hdr, hl, v, 2, marker && last, ts, emit, opaque);
		if (ret < 0)
			return ret;
		first = 0;
		p += len;
	}
	return 0;
}

/* Aggregation packet of u[0..k), k >= 2, already known to fit the MTU.
 *
 * H.264 STAP-A (RFC 6184 5.7.1): header F|NRI|24, F = OR, NRI = max.
 * H.265 AP (RFC 7798 4.4.2): header F|48|LayerId|TID with F = OR and the
 * lowest LayerId and TID.  Then {u16 size, NAL} per unit, no DON. */
static int send_agg(struct rtp_packer *pk, const struct nal *u, int k, int marker,
		    uint32_t ts, rtp_emit_fn emit, void *opaque)
{
	uint8_t hdr[RTP_HDR_LEN + 2], *ph = hdr + RTP_HDR_LEN;
	uint8_t sz[RTP_AGG_MAX][2];
	struct rtp_span v[RTP_SPANS_MAX];
	unsigned f = 0, nri = 0, layer = 63, tid = 7;
	int i;

	for (i = 0; i < k; i++) {
		const uint8_t *h = u[i].p;

		f |= h[0] & 0x80;
		if (pk->codec) {
			unsigned l = (unsigned)(h[0] & 1) << 5 | h[1] >> 3;
			layer = l < layer ? l : layer;
			tid = (h[1] & 7u) < tid ? h[1] & 7u : tid;
		} else if ((h[0] & 0x60u) > nri) {
			nri = h[0] & 0x60u;
		}
		wr_be16(sz[i], (uint16_t)u[i].n);
		v[1 + 2 * i].p = sz[i];
		v[1 + 2 * i].n = 2;
		v[2 + 2 * i] = (struct rtp_span){ u[i].p, u[i].n };
	}
	if (pk->codec) {
		ph[0] = (uint8_t)(f | H265_AP << 1 | layer >> 5);
		ph[1] = (uint8_t)((layer & 31) << 3 | tid);
	} else {
		ph[0] = (uint8_t)(f | nri | H264_STAP_A);
	}
	return emit_packet(pk, hdr, pk->codec ? 2 : 1, v, 1 + 2 * k, marker, ts,
			   emit, opaque);
}

/* The smallest valid NAL: its header (1 byte H.264, 2 bytes H.265). */
static int nal_ok(const struct rtp_packer *pk, const struct nal *u)
{
	return u->n >= (size_t)(pk->codec ? 2 : 1);
}

int rtp_pack_au(struct rtp_packer *pk, const struct nal *prefix, int np,
		const uint8_t *au, size_t n, uint32_t ts,
		rtp_emit_fn emit, void *opaque)
{
	struct nal_iter it = { pk->codec, au, au + n, prefix, np, 0, 0, 0, { NULL, 0 } };
	struct nal run[RTP_AGG_MAX], next;
	int have, have_next, packets = 0, ret;
	uint16_t seq0 = pk->seq;

	have = it_next(&it, &run[0]);
	if (!have)
		return -EINVAL;
	while (have) {
		size_t hl = pk->codec ? 2 : 1, size = hl + 2 + run[0].n;
		int k = 1;

		have_next = it_next(&it, &next);
		/* Greedy aggregation of consecutive small NALs (RFC 6184 5.7). */
		while (pk->aggregate && have_next && k < RTP_AGG_MAX &&
		       nal_ok(pk, &run[0]) && nal_ok(pk, &next) &&
		       size + 2 + next.n <= pk->mtu) {
			size += 2 + next.n;
			run[k++] = next;
			have_next = it_next(&it, &next);
		}
		if (k > 1)
			ret = send_agg(pk, run, k, !have_next, ts, emit, opaque);
		else if (run[0].n <= pk->mtu || !nal_ok(pk, &run[0]))
			ret = send_single(pk, &run[0], !have_next, ts, emit, opaque);
		else
			ret = send_fu(pk, &run[0], !have_next, ts, emit, opaque);
		if (ret < 0)
			return ret;
		run[0] = next;
		have = have_next;
	}
	packets = (uint16_t)(pk->seq - seq0);
	return packets;
}
