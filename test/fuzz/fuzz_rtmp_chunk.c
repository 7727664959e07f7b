/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_rtmp_chunk.c - the chunk reader and what the stub does with its
 * messages (commands, video tags), over arbitrary server/client bytes.
 *
 * Byte 0 sets the read size (1..256) so split headers and payloads are
 * exercised; the rest is the byte stream after the handshake.
 */
#include "proto/flv.h"
#include "proto/rtmp_chunk.h"
#include "proto/rtmp_msg.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void on_message(const struct rtmp_msg *m)
{
	static uint8_t conv[16384];
	struct rtmp_cmd c;
	struct flv_video v;
	char level[32], code[64];

	if (m->type == RTMP_MSG_AMF0_CMD || m->type == RTMP_MSG_AMF0_DATA) {
		if (rtmp_cmd_parse(m->body, m->len, &c) == 0)
			rtmp_cmd_status(&c, level, sizeof level, code, sizeof code);
	} else if (m->type == RTMP_MSG_VIDEO && flv_video_parse(m->body, m->len, &v) == 0) {
		if (v.pkt == FLV_PKT_SEQ)
			flv_record_to_annexb(v.form != FLV_AVC, v.body, v.len, conv, sizeof conv);
		else
			flv_lp_to_annexb(v.body, v.len, conv, sizeof conv);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rtmp_chunk_reader r;
	uint8_t buf[256 + 32];
	size_t step, have = 0, off;

	if (size < 1 || rtmp_chunk_reader_init(&r, 4096) < 0)
		return 0;
	step = (size_t)data[0] + 1;
	data++;
	size--;
	for (off = 0; off < size;) {
		size_t add = size - off < step ? size - off : step;
		const uint8_t *p = buf;
		int done, k = 0;

		memcpy(buf + have, data + off, add);
		off += add;
		have += add;
		while (have) {
			struct rtmp_msg m;

			k = rtmp_chunk_read(&r, p, have, &m, &done);
			if (k < 0)
				break;
			p += k;
			have -= (size_t)k;
			if (done)
				on_message(&m);
			else if (!k)
				break;
		}
		if (k < 0)
			break;
		if (have >= 18)
			abort();            /* only a partial header may be left */
		memmove(buf, p, have);
	}
	rtmp_chunk_reader_free(&r);
	return 0;
}
