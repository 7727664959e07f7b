/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sdp.c - SDP text for one H.264/H.265 RTP stream (see sdp.h).
 *
 *   v=0                                          RFC 8866 5.1
 *   o=- <sess-id> <version> IN IP4 <addr>        5.2
 *   s=cvmmap-streamer                            5.3
 *   c=IN IP4 <addr>                              5.7
 *   t=0 0                                        5.9
 *   m=video <port> RTP/AVP <pt>                  5.14
 *   a=rtpmap:<pt> H264/90000                     6.6
 *   a=fmtp:<pt> <RFC 6184 8.1 / RFC 7798 7.1 parameters>
 *   a=rtcp:<port+1>                              RFC 3605
 *   a=sendonly
 *
 * For RTSP DESCRIBE (d->rtsp) the session gets a=control:* and
 * a=range:npt=now- before m=, and the track a=control:trackID=0
 * (RFC 2326 C.1.1, C.1.5, C.3).
 *
 * Lines end in CRLF (RFC 8866 5).
 */
#include "proto/sdp.h"

#include "util/bytes.h"

#include <errno.h>
#include <stdio.h>

static const char b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

uint8_t *put_base64(uint8_t *p, const uint8_t *end, const uint8_t *src, size_t n)
{
	size_t i;

	if (!bytes_fit(p, end, (n + 2) / 3 * 4))
		return NULL;
	for (i = 0; i + 2 < n; i += 3) {
		uint32_t v = (uint32_t)src[i] << 16 | (uint32_t)src[i + 1] << 8 | src[i + 2];

		*p++ = (uint8_t)b64[v >> 18];
		*p++ = (uint8_t)b64[v >> 12 & 63];
		*p++ = (uint8_t)b64[v >> 6 & 63];
		*p++ = (uint8_t)b64[v & 63];
	}
	if (i < n) {
		uint32_t v = (uint32_t)src[i] << 16 | (i + 1 < n ? (uint32_t)src[i + 1] << 8 : 0);

		*p++ = (uint8_t)b64[v >> 18];
		*p++ = (uint8_t)b64[v >> 12 & 63];
		*p++ = (uint8_t)(i + 1 < n ? b64[v >> 6 & 63] : '=');
		*p++ = '=';
	}
	return p;
}

/* Decimal number; (ptr,end) writer. */
static uint8_t *put_uint(uint8_t *p, const uint8_t *end, uint64_t v)
{
	char tmp[24];
	int n = snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)v);

	return put_bytes(p, end, tmp, (size_t)n);
}

static uint8_t *put_hex_byte(uint8_t *p, const uint8_t *end, uint8_t v)
{
	static const char hex[] = "0123456789abcdef";

	p = put_u8(p, end, (uint8_t)hex[v >> 4]);
	return put_u8(p, end, (uint8_t)hex[v & 15]);
}

/* "name=<base64>" with sep before it unless first. */
static uint8_t *put_sprop(uint8_t *p, const uint8_t *end, int *first,
			  const char *name, const struct nal *u)
{
	if (!u->n)
		return p;
	if (!*first)
		p = put_u8(p, end, ';');
	*first = 0;
	p = put_str(p, end, name);
	return put_base64(p, end, u->p, u->n);
}

/* RFC 6184 8.1: packetization-mode=1 always (absent would mean 0);
 * profile-level-id is SPS bytes 1..3 (profile_idc, constraint flags,
 * level_idc); sprop-parameter-sets is "<b64 SPS>,<b64 PPS>".
 * RFC 7798 7.1: sprop-vps/sps/pps; no sprop-max-don-diff or
 * sprop-depack-buf-nalus, so receivers expect no DONL fields. */
static uint8_t *put_fmtp(uint8_t *p, const uint8_t *end, const struct sdp_desc *d)
{
	int first = 1;

	p = put_str(p, end, "a=fmtp:");
	p = put_uint(p, end, (unsigned)d->pt);
	p = put_u8(p, end, ' ');
	if (d->codec) {
		p = put_sprop(p, end, &first, "sprop-vps=", &d->vps);
		p = put_sprop(p, end, &first, "sprop-sps=", &d->sps);
		p = put_sprop(p, end, &first, "sprop-pps=", &d->pps);
	} else {
		p = put_str(p, end, "packetization-mode=1");
		if (d->sps.n >= 4) {
			p = put_str(p, end, ";profile-level-id=");
			p = put_hex_byte(p, end, d->sps.p[1]);
			p = put_hex_byte(p, end, d->sps.p[2]);
			p = put_hex_byte(p, end, d->sps.p[3]);
		}
		if (d->sps.n && d->pps.n) {
			p = put_str(p, end, ";sprop-parameter-sets=");
			p = put_base64(p, end, d->sps.p, d->sps.n);
			p = put_u8(p, end, ',');
			p = put_base64(p, end, d->pps.p, d->pps.n);
		}
	}
	return put_str(p, end, "\r\n");
}

int sdp_build(const struct sdp_desc *d, char *out, size_t cap)
{
	uint8_t *p = (uint8_t *)out, *end = p + (cap ? cap - 1 : 0);
	const char *ip = d->ipv6 ? " IN IP6 " : " IN IP4 ";

	if (!cap)
		return -ENOSPC;
	p = put_str(p, end, "v=0\r\no=- ");
	p = put_uint(p, end, d->sess_id);
	p = put_u8(p, end, ' ');
	p = put_uint(p, end, d->sess_version);
	p = put_str(p, end, ip);
	p = put_str(p, end, d->addr);
	p = put_str(p, end, "\r\ns=cvmmap-streamer\r\nc=");
	p = put_str(p, end, ip + 1);
	p = put_str(p, end, d->addr);
	p = put_str(p, end, "\r\nt=0 0\r\n");
	if (d->rtsp)
		p = put_str(p, end, "a=control:*\r\na=range:npt=now-\r\n");
	p = put_str(p, end, "m=video ");
	p = put_uint(p, end, d->port);
	p = put_str(p, end, " RTP/AVP ");
	p = put_uint(p, end, (unsigned)d->pt);
	p = put_str(p, end, "\r\na=rtpmap:");
	p = put_uint(p, end, (unsigned)d->pt);
	p = put_str(p, end, d->codec ? " H265/90000\r\n" : " H264/90000\r\n");
	if (d->sps.n || d->pps.n || d->vps.n || !d->codec)
		p = put_fmtp(p, end, d);
	if (d->rtcp) {
		p = put_str(p, end, "a=rtcp:");
		p = put_uint(p, end, d->port + 1);
		p = put_str(p, end, "\r\n");
	}
	if (d->rtsp)
		p = put_str(p, end, "a=control:trackID=0\r\n");
	p = put_str(p, end, "a=sendonly\r\n");
	if (!p)
		return -ENOSPC;
	*p = '\0';
	return (int)(p - (uint8_t *)out);
}
