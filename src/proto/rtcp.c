/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rtcp.c - RTCP SR / SDES / BYE builders and a compound parser (rtcp.h).
 *
 * Common header, RFC 3550 6.4.1:
 *
 *    0                   1                   2                   3
 *   |V=2|P|   RC    |      PT       |   length (32-bit words - 1)   |
 *   |                         SSRC of sender                        |
 */
#include "proto/rtcp.h"

#include "util/bytes.h"

#include <errno.h>
#include <string.h>

uint64_t rtcp_ntp_from_unix_ns(uint64_t ns)
{
	uint64_t sec = ns / 1000000000u, frac = ns % 1000000000u;

	/* fraction in units of 2^-32 s: frac * 2^32 / 1e9 fits in 64 bits */
	return (sec + RTCP_NTP_UNIX_OFFSET) << 32 | ((frac << 32) / 1000000000u);
}

static uint8_t *put_common(uint8_t *p, const uint8_t *end, unsigned count,
			   unsigned pt, size_t bytes)
{
	p = put_u8(p, end, (uint8_t)(0x80 | count));
	p = put_u8(p, end, (uint8_t)pt);
	return put_be16(p, end, (uint16_t)(bytes / 4 - 1));
}

/* 6.4.1: header, SSRC, NTP (64), RTP timestamp, packet and octet counts. */
uint8_t *rtcp_put_sr(uint8_t *p, const uint8_t *end, const struct rtcp_sr *sr)
{
	p = put_common(p, end, 0, RTCP_SR, 28);
	p = put_be32(p, end, sr->ssrc);
	p = put_be64(p, end, sr->ntp);
	p = put_be32(p, end, sr->rtp_ts);
	p = put_be32(p, end, sr->packets);
	return put_be32(p, end, sr->octets);
}

/* 6.5: one chunk {SSRC, CNAME item (type 1, length, text), END (0)},
 * zero-padded to a 32-bit boundary (the END octet is part of the pad). */
uint8_t *rtcp_put_sdes_cname(uint8_t *p, const uint8_t *end, uint32_t ssrc,
			     const char *cname)
{
	size_t n = strlen(cname), body;

	if (n > RTCP_CNAME_MAX)
		n = RTCP_CNAME_MAX;
	body = (4 + 4 + 2 + n + 1 + 3) & ~(size_t)3;
	p = put_common(p, end, 1, RTCP_SDES, body);
	p = put_be32(p, end, ssrc);
	p = put_u8(p, end, 1);
	p = put_u8(p, end, (uint8_t)n);
	p = put_bytes(p, end, cname, n);
	return put_zero(p, end, body - (4 + 4 + 2 + n));
}

/* 6.6: BYE with one SSRC and no reason text. */
uint8_t *rtcp_put_bye(uint8_t *p, const uint8_t *end, uint32_t ssrc)
{
	p = put_common(p, end, 1, RTCP_BYE, 8);
	return put_be32(p, end, ssrc);
}

/* First SDES chunk: SSRC, then items until END; keep the CNAME. */
static void parse_sdes(const uint8_t *p, const uint8_t *end, struct rtcp_info *out)
{
	uint8_t type, len;

	if (!(p = get_be32(p, end, &out->sdes_ssrc)))
		return;
	out->has_sdes = 1;
	while ((p = get_u8(p, end, &type)) != NULL && type != 0) {
		if (!(p = get_u8(p, end, &len)) || !bytes_fit(p, end, len))
			return;
		if (type == 1) {
			memcpy(out->cname, p, len);
			out->cname[len] = '\0';
		}
		p += len;
	}
}

int rtcp_parse(const uint8_t *p, size_t n, struct rtcp_info *out)
{
	const uint8_t *end = p + n;
	int first = 1;

	memset(out, 0, sizeof *out);
	while (p < end) {
		uint8_t b0, pt;
		uint16_t words;
		const uint8_t *body, *next;

		if (!(body = get_be16(get_u8(get_u8(p, end, &b0), end, &pt), end, &words)))
			return -EINVAL;
		if ((b0 >> 6) != 2 || !bytes_fit(p, end, ((size_t)words + 1) * 4))
			return -EINVAL;
		next = p + ((size_t)words + 1) * 4;
		if (first && pt != RTCP_SR && pt != RTCP_RR)
			return -EINVAL;
		first = 0;
		if (pt == RTCP_SR) {
			const uint8_t *q = body;
			struct rtcp_sr *sr = &out->sr;
			uint32_t hi = 0, lo = 0;

			q = get_be32(q, next, &sr->ssrc);
			q = get_be32(q, next, &hi);
			q = get_be32(q, next, &lo);
			sr->ntp = (uint64_t)hi << 32 | lo;
			q = get_be32(q, next, &sr->rtp_ts);
			q = get_be32(q, next, &sr->packets);
			if (!get_be32(q, next, &sr->octets))
				return -EINVAL;
			out->has_sr = 1;
		} else if (pt == RTCP_SDES && (b0 & 0x1f)) {
			parse_sdes(body, next, out);
		} else if (pt == RTCP_BYE && (b0 & 0x1f)) {
			if (!get_be32(body, next, &out->bye_ssrc))
				return -EINVAL;
			out->has_bye = 1;
		}
		p = next;
	}
	return first ? -EINVAL : 0;
}
