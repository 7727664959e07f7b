/* nal.c - Annex B scanning and NAL classification (see nal.h). */
#include "codec/nal.h"

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
