/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_body.c - body tracking v1 parser over arbitrary bytes: an
 * accepted packet's view stays inside the input. */
#include "nats/body.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct body_view v;
	struct body_record r;
	unsigned i;

	if (body_parse(data, size, &v) != BODY_OK)
		return 0;
	if (v.packet != data || v.packet_size > size || strlen(v.label) > 24 ||
	    v.packet_size != BODY_HEADER_SIZE + (size_t)v.body_count * BODY_RECORD_SIZE)
		abort();
	for (i = 0; i < v.body_count; i++)
		body_record_get(&v, i, &r);
	return 0;
}
