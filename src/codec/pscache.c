/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pscache.c - see pscache.h. */
#include "codec/pscache.h"

#include <errno.h>
#include <string.h>

int pscache_update(struct pscache *c, const struct param_sets *found)
{
	const struct nal *src[3] = { &found->vps, &found->sps, &found->pps };
	struct nal *dst[3] = { &c->ps.vps, &c->ps.sps, &c->ps.pps };
	int i;

	if (c->gen && paramsets_equal(found, &c->ps))
		return 0;
	for (i = 0; i < 3; i++) {
		if (src[i]->n > PSCACHE_MAX) {
			c->too_big++;
			return -ENOSPC;
		}
	}
	for (i = 0; i < 3; i++) {
		if (src[i]->n)          /* H.264 has no VPS */
			memcpy(c->buf[i], src[i]->p, src[i]->n);
		dst[i]->p = c->buf[i];
		dst[i]->n = src[i]->n;
	}
	c->gen++;
	if (!c->gen)
		c->gen = 1;
	return 1;
}
