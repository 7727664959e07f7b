/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sei.c - user_data_unregistered SEI (see sei.h).
 *
 * sei_rbsp (H.264 7.3.2.3.1 / H.265 7.3.5): messages of
 *   payloadType  ff-coded: 0xFF per 255, then the remainder byte
 *   payloadSize  ff-coded the same way
 *   sei_payload  user_data_unregistered: uuid_iso_iec_11578 (16) + bytes
 * followed by rbsp_trailing_bits (0x80), the whole RBSP then escaped.
 */
#include "codec/sei.h"
#include "util/bytes.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

/* A writer that inserts emulation-prevention bytes as it goes (H.264
 * 7.4.1 / H.265 7.4.2), so the RBSP never needs a scratch copy. */
struct epb_writer {
	uint8_t *p;
	const uint8_t *end;
	int zeros;
};

static void epb_put(struct epb_writer *w, uint8_t b)
{
	if (w->zeros >= 2 && b <= 3) {
		w->p = put_u8(w->p, w->end, 3);
		w->zeros = 0;
	}
	w->p = put_u8(w->p, w->end, b);
	w->zeros = b ? 0 : w->zeros + 1;
}

/* ff-coded value (payloadType / payloadSize). */
static void epb_put_ff(struct epb_writer *w, size_t v)
{
	for (; v >= 255; v -= 255)
		epb_put(w, 0xff);
	epb_put(w, (uint8_t)v);
}

int sei_build_user_data(int codec, const uint8_t uuid[16], const uint8_t *payload,
			size_t n, uint8_t *out, size_t cap)
{
	struct epb_writer w = { out, out + cap, 0 };
	size_t i;

	if (n > INT_MAX / 2)
		return -EINVAL;
	if (codec) {
		w.p = put_u8(w.p, w.end, H265_NAL_SEI_PREFIX << 1); /* layer 0 */
		w.p = put_u8(w.p, w.end, 1);                        /* TemporalId 0 */
	} else {
		w.p = put_u8(w.p, w.end, H264_NAL_SEI);             /* nal_ref_idc 0 */
	}
	epb_put_ff(&w, SEI_USER_DATA_UNREGISTERED);
	epb_put_ff(&w, 16 + n);
	for (i = 0; i < 16; i++)
		epb_put(&w, uuid[i]);
	for (i = 0; i < n && w.p; i++)
		epb_put(&w, payload[i]);
	epb_put(&w, 0x80);                                          /* rbsp_trailing_bits */
	return w.p ? (int)(w.p - out) : -ENOSPC;
}

int annexb_insert_sei(int codec, const uint8_t *au, size_t n,
		      const uint8_t *sei_nal, size_t sei_n, uint8_t *out, size_t cap)
{
	static const uint8_t sc[4] = { 0, 0, 0, 1 };
	const uint8_t *p = au, *end = au + n, *at = NULL, *prev_end = NULL;
	uint8_t *w = out, *wend = out + cap;
	struct nal u;

	while ((p = annexb_next(p, end, &u)) != NULL) {
		if (nal_is_vcl(codec, &u)) {
			/* Behind the previous NAL's last byte, so the VCL NAL
			 * keeps its own start code (3 or 4 bytes). */
			at = prev_end ? prev_end : u.p - 3;
			break;
		}
		prev_end = u.p + u.n;
	}
	if (!at)
		return -EINVAL;
	if (!prev_end)          /* first NAL: step back over a zero_byte too */
		while (at > au && at[-1] == 0)
			at--;
	w = put_bytes(w, wend, au, (size_t)(at - au));
	w = put_bytes(w, wend, sc, sizeof sc);
	w = put_bytes(w, wend, sei_nal, sei_n);
	w = put_bytes(w, wend, at, (size_t)(end - at));
	if (!w || w - out > INT_MAX)
		return -ENOSPC;
	return (int)(w - out);
}

/* ff-coded read over the unescaped RBSP. */
static const uint8_t *get_ff(const uint8_t *p, const uint8_t *end, size_t *v)
{
	uint8_t b = 0xff;

	*v = 0;
	while (p && b == 0xff) {
		p = get_u8(p, end, &b);
		*v += b;
	}
	return p;
}

int sei_find_user_data(int codec, const struct nal *n, const uint8_t uuid[16],
		       const uint8_t **payload, size_t *len, uint8_t *scratch, size_t cap)
{
	size_t hdr = codec ? 2 : 1, m;
	const uint8_t *p, *end;
	int t = nal_type(codec, n);

	if (codec ? t != H265_NAL_SEI_PREFIX && t != H265_NAL_SEI_SUFFIX
		  : t != H264_NAL_SEI)
		return -ENOENT;
	if (n->n < hdr)
		return -EINVAL;
	m = nal_unescape(n->p + hdr, n->n - hdr, scratch, cap);
	if (m == (size_t)-1)
		return -ENOSPC;
	p = scratch;
	end = scratch + m;
	/* more_rbsp_data(): stop at the 0x80 trailing byte. */
	while (end - p > 1 || (p < end && *p != 0x80)) {
		size_t type, size;

		p = get_ff(p, end, &type);
		p = get_ff(p, end, &size);
		if (!p || !bytes_fit(p, end, size))
			return -EINVAL;
		if (type == SEI_USER_DATA_UNREGISTERED && size >= 16 &&
		    !memcmp(p, uuid, 16)) {
			*payload = p + 16;
			*len = size - 16;
			return 0;
		}
		p += size;
	}
	return -ENOENT;
}
