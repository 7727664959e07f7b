/* SPDX-License-Identifier: GPL-2.0-or-later */
/* slot.c - frame slot buffers (see slot.h).  Outside ingest.c so the
 * dummy input can use slots in a build without cv-mmap (CONFIG_CVMMAP). */
#include "ipc/slot.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int frame_slot_alloc(struct frame_slot *s, size_t pix_cap, size_t au_cap)
{
	memset(s, 0, sizeof *s);
	s->pix = pix_cap ? malloc(pix_cap) : NULL;
	s->au = au_cap ? malloc(au_cap) : NULL;
	if ((pix_cap && !s->pix) || (au_cap && !s->au)) {
		frame_slot_free(s);
		return -ENOMEM;
	}
	s->pix_cap = pix_cap;
	s->au_cap = au_cap;
	return 0;
}

void frame_slot_free(struct frame_slot *s)
{
	free(s->pix);
	free(s->au);
	memset(s, 0, sizeof *s);
}
