/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sdp.h - the SDP file describing our RTP stream (RFC 8866), pure.
 *
 * One video m= line with the payload format parameters of RFC 6184 8.1
 * (H.264) or RFC 7798 7.1 (H.265).  The parameter sets are passed as
 * explicit NAL spans (header included, no start code); empty spans are
 * left out of the fmtp line.
 */
#ifndef CVMMAP_SDP_H
#define CVMMAP_SDP_H

#include "codec/nal.h"

#include <stddef.h>
#include <stdint.h>

struct sdp_desc {
	int codec;              /* enum codec_id */
	int pt;                 /* 96..127 */
	const char *addr;       /* numeric destination address */
	int ipv6;               /* addr is IPv6 */
	unsigned port;          /* RTP port */
	int rtcp;               /* add a=rtcp:<port+1> */
	uint64_t sess_id, sess_version;  /* o= line (RFC 8866 5.2) */
	struct nal vps, sps, pps;
	int rtsp;               /* for DESCRIBE: a=control (RFC 2326 C.1.1, C.3)
				 * and a=range:npt=now- (C.1.5); no a=rtcp */
};

/* Write the SDP text, NUL-terminated, into out[cap].  Returns its length
 * (without the NUL) or -ENOSPC. */
int sdp_build(const struct sdp_desc *d, char *out, size_t cap);

/* RFC 4648 4 base64 (with padding) of src[n] at p; (ptr,end) writer. */
uint8_t *put_base64(uint8_t *p, const uint8_t *end, const uint8_t *src, size_t n);

#endif
