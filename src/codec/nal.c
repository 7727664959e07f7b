/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nal.c - Annex B scanning and NAL classification (see nal.h). */
#include "codec/nal.h"
#include "util/bytes.h"

#include <errno.h>
#include <limits.h>

/* Annex B (H.264 B.1 / H.265 B.2): a NAL unit starts after 00 00 01 and
 * ends before the next 00 00 00 or 00 00 01; trailing zero bytes belong
 * to the next start code, not to the NAL. */
const uint8_t *annexb_next(const uint8_t *p, const uint8_t *end, struct nal *out)
{
	const uint8_t *s, *q;

	if (!p || p >= end)
		return NULL;
	for (s = p; end - s >= 3; s++) {
		if (s[0] == 0 && s[1] == 0 && s[2] == 1)
			break;
	}
	if (end - s < 3)
		return NULL;
	s += 3;
	for (q = s; end - q >= 3; q++) {
		if (q[0] == 0 && q[1] == 0 && q[2] <= 1)
			break;
	}
	if (end - q < 3)
		q = end;
	out->p = s;
	out->n = (size_t)(q - s);
	while (out->n && s[out->n - 1] == 0)
		out->n--;
	return q;
}

int nal_type(int codec, const struct nal *n)
{
	return codec ? h265_nal_type(n) : h264_nal_type(n);
}

int nal_is_keyframe(int codec, const struct nal *n)
{
	int t = nal_type(codec, n);

	if (codec)
		return t >= H265_NAL_BLA_W_LP && t <= H265_NAL_IRAP_MAX;
	return t == H264_NAL_IDR;
}

int annexb_is_keyframe(int codec, const uint8_t *p, size_t n)
{
	const uint8_t *end = p + n;
	struct nal u;

	while ((p = annexb_next(p, end, &u)) != NULL) {
		if (nal_is_keyframe(codec, &u))
			return 1;
	}
	return 0;
}

int nal_is_vcl(int codec, const struct nal *n)
{
	int t = nal_type(codec, n);

	if (codec)
		return t >= 0 && t <= 31;
	return t >= H264_NAL_SLICE && t <= H264_NAL_IDR;
}

int nal_is_aud(const struct nal *n)
{
	return (n->n == 2 && n->p[0] == 0x09) ||
	       (n->n == 3 && (n->p[0] & 0xfe) == H265_NAL_AUD << 1);
}

size_t nal_unescape(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
	size_t i, o = 0;
	int zeros = 0;

	for (i = 0; i < n; i++) {
		if (zeros >= 2 && in[i] == 3) {
			zeros = 0;
			continue;
		}
		if (o == cap)
			return (size_t)-1;
		out[o++] = in[i];
		zeros = in[i] ? 0 : zeros + 1;
	}
	return o;
}

size_t nal_escape(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
	size_t i, o = 0;
	int zeros = 0;

	for (i = 0; i <= n; i++) {
		/* At i == n: the data ended in 00 00 (cabac_zero_word). */
		int need = zeros >= 2 && (i == n || in[i] <= 3);

		if (need) {
			if (o == cap)
				return (size_t)-1;
			out[o++] = 3;
			zeros = 0;
		}
		if (i == n)
			break;
		if (o == cap)
			return (size_t)-1;
		out[o++] = in[i];
		zeros = in[i] ? 0 : zeros + 1;
	}
	return o;
}

int annexb_to_lp(const uint8_t *au, size_t n, int flags, uint8_t *out, size_t cap)
{
	const uint8_t *p = au, *end = au + n;
	uint8_t *w = out, *wend = out + cap;
	struct nal u;

	while ((p = annexb_next(p, end, &u)) != NULL) {
		if (!u.n || ((flags & LP_DROP_AUD) && nal_is_aud(&u)))
			continue;
		w = put_be32(w, wend, (uint32_t)u.n);
		w = put_bytes(w, wend, u.p, u.n);
		if (!w)
			return -ENOSPC;
	}
	if (w - out > INT_MAX)
		return -ENOSPC;
	return (int)(w - out);
}

const uint8_t *lp_next(const uint8_t *p, const uint8_t *end, struct nal *out)
{
	uint32_t len;
	const uint8_t *q;

	if (!p || !(q = get_be32(p, end, &len)) || !bytes_fit(q, end, len))
		return NULL;
	out->p = q;
	out->n = len;
	return q + len;
}
