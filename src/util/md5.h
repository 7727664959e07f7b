/* SPDX-License-Identifier: GPL-2.0-or-later */
/* md5.h - MD5 (RFC 1321), for HTTP/RTSP Digest authentication only
 * (RFC 7616 3.4.2 with algorithm=MD5, what RTSP clients implement).
 * Not for anything that needs collision resistance. */
#ifndef CVMMAP_MD5_H
#define CVMMAP_MD5_H

#include <stddef.h>
#include <stdint.h>

struct md5 {
	uint32_t h[4];
	uint64_t len;           /* bytes hashed */
	uint8_t buf[64];
};

void md5_init(struct md5 *m);
void md5_update(struct md5 *m, const void *p, size_t n);
void md5_final(struct md5 *m, uint8_t out[16]);

/* The lower-case hex digest of p[0..n) into hex[33] (NUL-terminated). */
void md5_hex(const void *p, size_t n, char hex[33]);

#endif
