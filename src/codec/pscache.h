/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pscache.h - the stream's current parameter sets, one copy for all sinks.
 *
 * The encode thread finds the parameter sets inside each access unit once
 * (access_unit.ps, pointers into the AU); the I/O thread offers them to
 * this cache before the sinks see the AU.  When they differ from the
 * cached ones, the cache keeps copies and bumps gen, and the AU is tagged
 * with the new generation: a sink writes its SDP or sequence header when
 * the generation it sent last is not the AU's, and repeats the cached
 * sets before a keyframe that came without them.
 */
#ifndef CVMMAP_PSCACHE_H
#define CVMMAP_PSCACHE_H

#include "codec/paramsets.h"

#include <stdint.h>

#define PSCACHE_MAX 4096    /* bytes per parameter set */

struct pscache {
	uint8_t buf[3][PSCACHE_MAX];
	struct param_sets ps;   /* into buf; valid when gen != 0 */
	uint32_t gen;           /* 0: none seen yet; bumped on every change */
	uint64_t too_big;       /* sets over PSCACHE_MAX, not taken */
};

/* Take a complete set (from paramsets_extract).  Returns 1 when it
 * changed the cache, 0 when it was the same, -ENOSPC when too big. */
int pscache_update(struct pscache *c, const struct param_sets *found);

#endif
