/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_cvmmap_meta.c - cvmmap_meta_parse over arbitrary metadata.
 *
 * Input: 256 metadata bytes, optionally followed by 8 bytes of object
 * size (LE) and 1 flags byte.  Beyond not crashing, every accepted frame
 * must describe planes inside the payload and the object, and must
 * survive build -> parse unchanged (the simulator's writer).
 */
#include "ipc/cvmmap_meta.h"
#include "util/bytes.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t m[CVMMAP_META_SIZE], again[CVMMAP_META_SIZE];
	uint64_t objsize = CVMMAP_SIZE_UNKNOWN;
	unsigned flags = 0, s;
	struct cvmmap_meta o, o2;

	if (size < CVMMAP_META_SIZE)
		return 0;
	memcpy(m, data, sizeof m);
	if (size >= CVMMAP_META_SIZE + 8)
		objsize = rd_le64(data + CVMMAP_META_SIZE);
	if (size >= CVMMAP_META_SIZE + 9)
		flags = data[CVMMAP_META_SIZE + 8] & 3;
	if (cvmmap_meta_parse(m, objsize, flags, &o) != META_OK)
		return 0;
	if (objsize != CVMMAP_SIZE_UNKNOWN &&
	    (uint64_t)o.payload_size + CVMMAP_PAYLOAD_OFFSET > objsize)
		abort();
	for (s = 0; s < CVMMAP_PLANES; s++) {
		const struct cvmmap_plane *p = &o.plane[s];

		if (p->active && ((uint64_t)p->offset + p->size > o.payload_size ||
				  (uint64_t)p->stride * p->height > p->size))
			abort();
	}
	cvmmap_meta_build(again, &o);
	if (cvmmap_meta_parse(again, objsize, flags, &o2) != META_OK ||
	    o2.frame_id != o.frame_id || o2.payload_size != o.payload_size)
		abort();
	for (s = 0; s < CVMMAP_PLANES; s++)
		if (o.plane[s].active &&
		    memcmp(&o2.plane[s], &o.plane[s], sizeof o.plane[s]))
			abort();
	return 0;
}
