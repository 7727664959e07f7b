/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_zmtp.c - the ZMTP subscriber session (src/ipc/zmtp.c) over
 * arbitrary peer bytes.  The first input byte picks our minor version
 * and the chunk size the rest is fed in; whatever the split, every
 * delivered frame must fit the buffer, output must stay within its
 * buffer, and the session must consume input monotonically. */
#include "ipc/zmtp.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct zmtp_sub s;
	static struct zmtp_endpoint e;
	uint8_t buf[48];
	size_t off = 1, chunk, used, piece;
	char uri[160];
	int r;

	if (!size)
		return 0;
	zmtp_sub_init(&s, data[0] & 1, buf, sizeof buf);
	s.sub_command = (data[0] >> 1) & 1;
	chunk = (data[0] >> 2) + 1u;
	while (off < size) {
		piece = size - off < chunk ? size - off : chunk;
		r = zmtp_sub_input(&s, data + off, piece, &used);
		if (used > piece || s.out_len > sizeof s.out)
			abort();
		off += used;
		if (r < 0) {
			if (s.phase != ZMTP_DEAD || !zmtp_reason_str(r))
				abort();
			break;
		}
		if (r == 1 && (s.msg_len > sizeof buf || s.msg_len > s.msg_size ||
			       s.phase != ZMTP_OPEN))
			abort();
		if (r == 0 && used != piece)
			abort();
		zmtp_sub_sent(&s, s.out_len / 2);
	}
	/* the same bytes as an endpoint string */
	piece = size < sizeof uri - 1 ? size : sizeof uri - 1;
	memcpy(uri, data, piece);
	uri[piece] = 0;
	if (!zmtp_endpoint_parse(uri, &e) &&
	    (strlen(e.addr) >= sizeof e.addr || (e.transport == ZMTP_TCP && (!e.port || e.port > 65535))))
		abort();
	return 0;
}
