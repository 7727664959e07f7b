/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rtcp.h - RTCP sender reports, SDES CNAME and BYE (RFC 3550 6), pure.
 *
 * Builders are (ptr,end) writers: they return the advanced cursor or
 * NULL when the packet does not fit (and stay NULL through a chain), so
 * a compound packet is  p = rtcp_put_sr(..); p = rtcp_put_sdes(..);.
 * rtcp_parse() walks a received compound packet for the tester.
 */
#ifndef CVMMAP_RTCP_H
#define CVMMAP_RTCP_H

#include <stddef.h>
#include <stdint.h>

enum { RTCP_SR = 200, RTCP_RR = 201, RTCP_SDES = 202, RTCP_BYE = 203 };

#define RTCP_NTP_UNIX_OFFSET 2208988800u   /* 1900-01-01 .. 1970-01-01, s */
#define RTCP_CNAME_MAX       255

struct rtcp_sr {
	uint32_t ssrc;
	uint64_t ntp;           /* 32.32 fixed point seconds since 1900 */
	uint32_t rtp_ts;        /* RTP timestamp of the same instant */
	uint32_t packets;       /* sender's packet count */
	uint32_t octets;        /* sender's payload octet count */
};

/* Unix-epoch nanoseconds -> 64-bit NTP timestamp (RFC 3550 4). */
uint64_t rtcp_ntp_from_unix_ns(uint64_t ns);

/* SR without report blocks, 28 bytes (6.4.1). */
uint8_t *rtcp_put_sr(uint8_t *p, const uint8_t *end, const struct rtcp_sr *sr);
/* SDES with one chunk holding one CNAME item, padded to 32 bits (6.5). */
uint8_t *rtcp_put_sdes_cname(uint8_t *p, const uint8_t *end, uint32_t ssrc,
			     const char *cname);
/* BYE for one SSRC, no reason (6.6). */
uint8_t *rtcp_put_bye(uint8_t *p, const uint8_t *end, uint32_t ssrc);

/* What a compound packet said. */
struct rtcp_info {
	int has_sr, has_sdes, has_bye;
	struct rtcp_sr sr;
	uint32_t sdes_ssrc, bye_ssrc;
	char cname[RTCP_CNAME_MAX + 1];
};

/* Parse a compound RTCP packet (6.1): every packet must have version 2
 * and a length inside the datagram; the first must be SR or RR.
 * Unknown packet types are skipped.  0 or -EINVAL; never reads outside
 * p[0..n). */
int rtcp_parse(const uint8_t *p, size_t n, struct rtcp_info *out);

#endif
