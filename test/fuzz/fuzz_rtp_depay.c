/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_rtp_depay.c - the receive path of rtp_receiver_tester on any bytes.
 *
 * Byte 0: bit 0 codec, bits 1-7 AU buffer size / 8 (small buffers
 * exercise the overflow path).  The rest is a list of datagrams, each
 * a big-endian u16 length followed by that many bytes (a short last one
 * is cut).  Every datagram goes through rtp_parse_header + the
 * depacketiser and through rtcp_parse; every AU reported must lie inside
 * the buffer.  Then the raw input is packetised as if it were an AU and
 * each packet must respect the MTU.
 */
#include "proto/rtcp.h"
#include "proto/rtp.h"
#include "proto/rtp_depay.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t aubuf[1024];
static size_t aucap;

static void on_au(void *opaque, const struct rtp_au *au)
{
	(void)opaque;
	if (au->data != aubuf || au->size > aucap || !au->size)
		abort();
}

static int check_mtu(void *opaque, const struct rtp_span *v, int nv)
{
	size_t n = 0, mtu = *(const size_t *)opaque;
	int i;

	for (i = 0; i < nv; i++)
		n += v[i].n;
	if (nv < 1 || nv > RTP_SPANS_MAX || n > RTP_HDR_LEN + mtu)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p, *end = data + size;
	struct rtp_depay d;
	struct rtp_packer pk;
	struct rtcp_info ri;
	size_t mtu;
	int codec;

	if (size < 1)
		return 0;
	codec = data[0] & 1;
	aucap = (size_t)(data[0] >> 1) * 8;
	rtp_depay_init(&d, codec, aubuf, aucap, on_au, NULL);
	for (p = data + 1; end - p >= 2;) {
		size_t n = (size_t)p[0] << 8 | p[1];
		struct rtp_hdr h;

		p += 2;
		if (n > (size_t)(end - p))
			n = (size_t)(end - p);
		if (rtp_parse_header(p, n, &h) == 0) {
			if (h.payload < p || h.payload + h.payload_len > p + n)
				abort();
			rtp_depay_push(&d, &h, (h.seq & 7) == 0);
		}
		rtcp_parse(p, n, &ri);
		p += n;
	}
	rtp_depay_flush(&d);

	mtu = RTP_MTU_MIN + (size % 64);
	rtp_packer_init(&pk, codec, 96, 1, 0, mtu);
	pk.aggregate = size & 2;
	rtp_pack_au(&pk, NULL, 0, data, size, 0, check_mtu, &mtu);
	return 0;
}
