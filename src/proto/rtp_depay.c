/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rtp_depay.c - RTP header parser and H.264/H.265 depacketiser (rtp_depay.h).
 *
 * Packet types accepted are those a packetization-mode=1 (RFC 6184 6.3)
 * or non-DONL (RFC 7798 4.4) sender may use: single NAL, STAP-A / AP,
 * FU-A / FU.  Anything else is counted as malformed and dropped.
 */
#include "proto/rtp_depay.h"

#include "codec/nal.h"
#include "util/bytes.h"

#include <errno.h>
#include <string.h>

/* RFC 3550 5.1 (fixed header, CSRC list), 5.3.1 (extension: 16-bit
 * profile, 16-bit length in words), padding: last octet = pad count. */
int rtp_parse_header(const uint8_t *p, size_t n, struct rtp_hdr *h)
{
	const uint8_t *end = p + n, *q;
	uint8_t b0, b1;
	uint16_t ext_words;
	size_t pad = 0;

	q = get_u8(p, end, &b0);
	q = get_u8(q, end, &b1);
	q = get_be16(q, end, &h->seq);
	q = get_be32(q, end, &h->ts);
	q = get_be32(q, end, &h->ssrc);
	if (!q || b0 >> 6 != 2)
		return -EINVAL;
	h->version = b0 >> 6;
	h->cc = b0 & 15;
	h->marker = b1 >> 7;
	h->pt = b1 & 0x7f;
	q = get_skip(q, end, 4u * h->cc);
	if (q && (b0 & 0x10)) {
		q = get_be16(get_skip(q, end, 2), end, &ext_words);
		q = get_skip(q, end, 4u * ext_words);
	}
	if (!q)
		return -EINVAL;
	if (b0 & 0x20) {
		pad = n ? p[n - 1] : 0;
		if (!pad || pad > (size_t)(end - q))
			return -EINVAL;
	}
	h->payload = q;
	h->payload_len = (size_t)(end - q) - pad;
	return 0;
}

void rtp_depay_init(struct rtp_depay *d, int codec, uint8_t *buf, size_t cap,
		    rtp_au_fn on_au, void *opaque)
{
	memset(d, 0, sizeof *d);
	d->codec = codec;
	d->buf = buf;
	d->cap = cap;
	d->on_au = on_au;
	d->opaque = opaque;
	d->first_key_params = -1;
}

/* ---- AU buffer -------------------------------------------------------- */

static int put_piece(struct rtp_depay *d, const uint8_t *p, size_t n)
{
	if (n > d->cap - d->len) {
		d->overflow += !d->damaged;
		d->damaged = 1;
		return -1;
	}
	memcpy(d->buf + d->len, p, n);
	d->len += n;
	return 0;
}

static int put_start_code(struct rtp_depay *d)
{
	static const uint8_t sc[4] = { 0, 0, 0, 1 };

	return put_piece(d, sc, 4);
}

/* A whole NAL is in the buffer: note parameter sets and keyframes. */
static void nal_done(struct rtp_depay *d, const uint8_t *hdr, size_t n)
{
	struct nal u = { hdr, n };
	int t = nal_type(d->codec, &u);
	unsigned need = d->codec ? 7 : 6;

	if (d->codec && t == H265_NAL_VPS)
		d->params |= 1;
	if (t == (d->codec ? H265_NAL_SPS : H264_NAL_SPS))
		d->params |= 2;
	if (t == (d->codec ? H265_NAL_PPS : H264_NAL_PPS))
		d->params |= 4;
	d->seen |= d->params;
	if (nal_is_keyframe(d->codec, &u)) {
		d->keyframe = 1;
		if (d->first_key_params < 0)
			d->first_key_params = (d->seen & need) == need;
	}
}

/* A complete NAL from one packet, with its start code. */
static void put_nal(struct rtp_depay *d, const uint8_t *p, size_t n)
{
	size_t at = d->len;

	if (put_start_code(d) || put_piece(d, p, n)) {
		d->len = at;
		return;
	}
	nal_done(d, d->buf + at + 4, n);
}

static void drop_fu(struct rtp_depay *d)
{
	if (d->fu == 1)
		d->len = d->fu_start;
	d->fu = 0;
}

static void finish_au(struct rtp_depay *d, int marker)
{
	struct rtp_au au;
	unsigned need = d->codec ? 7 : 6;

	if (d->fu) {
		d->damaged = 1;
		drop_fu(d);
	}
	if (d->len) {
		au.data = d->buf;
		au.size = d->len;
		au.ts = d->ts;
		au.marker = marker;
		au.keyframe = d->keyframe;
		au.has_params = (d->params & need) == need;
		au.damaged = d->damaged;
		d->aus++;
		d->keyframes += (uint64_t)d->keyframe;
		if (d->on_au)
			d->on_au(d->opaque, &au);
	}
	d->active = 0;
	d->len = 0;
}

/* ---- payload formats -------------------------------------------------- */

/* Single NAL unit packet (RFC 6184 5.6 / RFC 7798 4.4.1).  An open FU
 * that did not end before it is dropped and counted. */
static int depay_single(struct rtp_depay *d, const uint8_t *p, size_t n)
{
	int bad = d->fu == 1;

	drop_fu(d);
	put_nal(d, p, n);
	return bad ? -EINVAL : 0;
}

/* STAP-A (RFC 6184 5.7.1) / AP (RFC 7798 4.4.2) body: {u16 size, NAL}+. */
static int depay_agg(struct rtp_depay *d, const uint8_t *p, const uint8_t *end)
{
	size_t min = d->codec ? 2 : 1;
	uint16_t n;
	int units = 0, bad = d->fu == 1;

	drop_fu(d);
	while (p < end) {
		if (!(p = get_be16(p, end, &n)) || n < min || !bytes_fit(p, end, n))
			return -EINVAL;
		put_nal(d, p, n);
		p += n;
		units++;
	}
	return units && !bad ? 0 : -EINVAL;
}

/* FU-A (RFC 6184 5.8) / FU (RFC 7798 4.4.3).  nalhdr is the rebuilt NAL
 * header (hl bytes), fh the FU header, data the fragment. */
static int depay_fu(struct rtp_depay *d, const uint8_t *nalhdr, size_t hl,
		    uint8_t fh, const uint8_t *data, size_t n)
{
	int s = fh & 0x80, e = fh & 0x40;

	if (s && e)
		return -EINVAL;       /* a NAL that fits must be a single packet */
	if (s) {
		int bad = d->fu == 1; /* previous FU never ended */

		drop_fu(d);
		d->fu_start = d->len;
		if (put_start_code(d) || put_piece(d, nalhdr, hl)) {
			d->len = d->fu_start;
			d->fu = 2;
		} else {
			d->fu = 1;
		}
		if (bad)
			return -EINVAL;
	} else if (!d->fu) {
		return -EINVAL;       /* middle or end without a start */
	}
	if (d->fu == 1 && put_piece(d, data, n)) {
		d->len = d->fu_start;
		d->fu = 2;
	}
	if (e) {
		if (d->fu == 1)
			nal_done(d, d->buf + d->fu_start + 4, d->len - d->fu_start - 4);
		d->fu = 0;
	}
	return 0;
}

static int depay_h264(struct rtp_depay *d, const uint8_t *p, size_t n)
{
	const uint8_t *end = p + n;
	uint8_t hdr;
	int t;

	if (n < 1 || (p[0] & 0x80))
		return -EINVAL;       /* empty, or forbidden_zero_bit set */
	t = p[0] & 0x1f;
	if (t >= 1 && t <= 23)
		return depay_single(d, p, n);
	if (t == 24)
		return depay_agg(d, p + 1, end);
	if (t == 28 && n >= 3) {
		hdr = (uint8_t)((p[0] & 0xe0) | (p[1] & 0x1f));
		if (p[1] & 0x20)
			return -EINVAL;   /* R bit must be 0 */
		return depay_fu(d, &hdr, 1, p[1], p + 2, n - 2);
	}
	return -EINVAL;               /* STAP-B, MTAP, FU-B, reserved */
}

static int depay_h265(struct rtp_depay *d, const uint8_t *p, size_t n)
{
	uint8_t hdr[2];
	int t;

	if (n < 2 || (p[0] & 0x80))
		return -EINVAL;
	t = (p[0] >> 1) & 0x3f;
	if (t <= 47)
		return depay_single(d, p, n);
	if (t == 48)
		return depay_agg(d, p + 2, p + n);
	if (t == 49 && n >= 4) {
		hdr[0] = (uint8_t)((p[0] & 0x81) | (p[2] & 0x3f) << 1);
		hdr[1] = p[1];
		return depay_fu(d, hdr, 2, p[2], p + 3, n - 3);
	}
	return -EINVAL;               /* PACI, reserved */
}

int rtp_depay_push(struct rtp_depay *d, const struct rtp_hdr *h, int lost)
{
	int ret;

	d->packets++;
	if (d->active && h->ts != d->ts) {
		d->missing_marker++;
		finish_au(d, 0);
	}
	if (!d->active) {
		d->active = 1;
		d->ts = h->ts;
		d->params = 0;
		d->keyframe = 0;
		d->damaged = 0;
		d->fu = 0;
	}
	if (lost) {             /* the lost packets may have held any FU part */
		d->damaged = 1;
		if (d->fu == 1)
			d->len = d->fu_start;
		d->fu = 2;
	}
	ret = d->codec ? depay_h265(d, h->payload, h->payload_len)
		       : depay_h264(d, h->payload, h->payload_len);
	if (ret < 0) {
		d->malformed++;
		d->damaged = 1;
	}
	if (h->marker)
		finish_au(d, 1);
	return ret < 0 ? -EINVAL : 0;
}

void rtp_depay_flush(struct rtp_depay *d)
{
	if (d->active) {
		d->missing_marker++;
		finish_au(d, 0);
	}
}
