/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_zsync.c - the ZMQ sync (0x7D) and legacy status (0x5A) parsers
 * over arbitrary frames; an accepted sync must rebuild to the same bytes
 * apart from the reserved ones (docs/contract.md §5.3). */
#include "ipc/zsync.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zsync s;
	struct zstatus z;
	uint8_t b[ZSYNC_SIZE];

	if (zsync_parse(data, size, &s) == ZMSG_OK) {
		if (strlen(s.label) > ZLABEL_SIZE)
			abort();
		zsync_build(b, s.frame_count, s.timestamp_ns, s.label, 0);
		/* bytes 0, 2 and 4..7, 16..47 survive; 3 (minor) is rebuilt as 0 */
		if (memcmp(b + 4, data + 4, 4) || memcmp(b + 16, data + 16, 8) ||
		    strncmp((const char *)b + 24, (const char *)data + 24, ZLABEL_SIZE))
			abort();
		(void)zlabel_eq(s.label, "default");
	}
	if (zstatus_parse(data, size, &z) == ZMSG_OK && strlen(z.label) > ZLABEL_SIZE)
		abort();
	return 0;
}
