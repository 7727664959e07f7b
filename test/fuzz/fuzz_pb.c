/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_pb.c - protobuf decoders over arbitrary bytes: anything accepted
 * must re-encode to a message that decodes to the same values. */
#include "nats/pb.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pb_module_status m, m2;
	struct pb_source_info si, si2;
	struct pb_field f;
	const uint8_t *p = data, *end = data + size;
	static uint8_t out[1 << 16];
	uint8_t *e;

	while (p && p < end)
		p = pb_next(p, end, &f);
	if (pb_decode_module_status(data, size, &m) == 0) {
		if (m.instance_len > size)
			abort();
		e = pb_encode_module_status(out, out + sizeof out, &m);
		if (!e || pb_decode_module_status(out, (size_t)(e - out), &m2) ||
		    m2.status != m.status || m2.timestamp_ns != m.timestamp_ns ||
		    m2.instance_len != m.instance_len ||
		    (m.instance_len && memcmp(m2.instance, m.instance, m.instance_len)))
			abort();
	}
	if (pb_decode_source_info(data, size, &si) == 0) {
		e = pb_encode_source_info(out, out + sizeof out, &si);
		if (!e || pb_decode_source_info(out, (size_t)(e - out), &si2) ||
		    memcmp(&si, &si2, sizeof si))
			abort();
	}
	return 0;
}
