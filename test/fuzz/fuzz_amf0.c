/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_amf0.c - AMF0 reader, property lookup and command parsing. */
#include "proto/amf0.h"
#include "proto/rtmp_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	struct amf0_val v, f;
	struct rtmp_cmd c;
	char s[64], level[16], code[64];

	while (p && p < end) {
		p = amf0_get(p, end, &v);
		if (!p)
			break;
		amf0_strcpy(&v, s, sizeof s);
		if (amf0_find(&v, "code", &f) == 0)
			amf0_strcpy(&f, s, sizeof s);
		amf0_find(&v, "videocodecid", &f);
	}
	if (rtmp_cmd_parse(data, size, &c) == 0) {
		rtmp_cmd_is(&c, "_result");
		rtmp_cmd_status(&c, level, sizeof level, code, sizeof code);
	}
	return 0;
}
