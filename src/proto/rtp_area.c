/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rtp_area.c - see rtp_area.h. */
#include "proto/rtp_area.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int rtp_area_init(struct rtp_area *a, size_t au_max)
{
	memset(a, 0, sizeof *a);
	/* payload, RTP and FU headers (~1 % at the smallest MTU we use) and
	 * 4 bytes a packet; at most one packet per 256 bytes of AU plus
	 * one per NAL unit of the smallest kind */
	a->cap = au_max + au_max / 16 + 64 * 1024;
	a->pk_max = au_max / 256 + 1024;
	a->buf = malloc(a->cap);
	a->pk = malloc(a->pk_max * sizeof *a->pk);
	if (!a->buf || !a->pk) {
		rtp_area_free(a);
		return -ENOMEM;
	}
	return 0;
}

void rtp_area_free(struct rtp_area *a)
{
	free(a->buf);
	free(a->pk);
	memset(a, 0, sizeof *a);
}

int rtp_area_emit(void *opaque, const struct rtp_span *v, int nv)
{
	struct rtp_area *a = opaque;
	size_t off = a->n, n = 0;
	int i;

	for (i = 0; i < nv; i++)
		n += v[i].n;
	/* 10.12: the length field is 16 bits */
	if (a->npk == a->pk_max || n > 0xffff || 4 + n > a->cap - off)
		return -ENOSPC;
	off += 4;
	for (i = 0; i < nv; i++) {
		memcpy(a->buf + off, v[i].p, v[i].n);
		off += v[i].n;
	}
	a->pk[a->npk].off = a->n;
	a->pk[a->npk].len = n;
	a->npk++;
	a->n = off;
	return 0;
}

int rtp_area_queue(const struct rtp_area *a, struct sendq *q, int ch, int kind,
		   uint64_t now, uint32_t *packets, uint32_t *octets)
{
	uint8_t *p = sendq_reserve(q, a->n);
	size_t i;

	if (!p)
		return -ENOSPC;
	memcpy(p, a->buf, a->n);
	for (i = 0; i < a->npk; i++) {
		uint8_t *h = p + a->pk[i].off;

		h[0] = '$';
		h[1] = (uint8_t)ch;
		h[2] = (uint8_t)(a->pk[i].len >> 8);
		h[3] = (uint8_t)a->pk[i].len;
		*packets += 1;
		*octets += (uint32_t)(a->pk[i].len - RTP_HDR_LEN);
	}
	return sendq_commit(q, a->n, kind, now);
}
