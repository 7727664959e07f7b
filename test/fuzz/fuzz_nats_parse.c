/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_nats_parse.c - the NATS server->client parser over arbitrary
 * bytes: fed whole and one byte at a time it must give the same result
 * and the same callbacks (hashed); INFO scanning, HMSG status and URL
 * parsing must not crash. */
#include "nats/nats_parse.h"
#include "nats/nats_write.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t mix(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n--)
		h = (h ^ *b++) * 0x100000001b3ull;
	return h;
}

static int on_ev(void *arg, const struct nats_event *ev)
{
	uint64_t *h = arg;
	struct nats_info info;

	*h = mix(*h, &ev->op, sizeof ev->op);
	if (ev->text) {
		*h = mix(*h, ev->text, ev->text_len);
		if (ev->op == NATS_OP_INFO)
			(void)nats_info_parse(ev->text, ev->text_len, &info);
	}
	if (ev->op == NATS_OP_MSG) {
		*h = mix(*h, ev->subject, ev->subject_len);
		*h = mix(*h, &ev->sid, sizeof ev->sid);
		if (ev->reply)
			*h = mix(*h, ev->reply, ev->reply_len);
		*h = mix(*h, ev->data, ev->len);
		if (ev->hdr_len)
			*h = mix(*h, ev->hdr, ev->hdr_len) + (uint64_t)nats_hdr_status(ev->hdr, ev->hdr_len);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct nats_parser a, b;
	static uint8_t buf_a[64], buf_b[64];
	uint64_t ha = 14695981039346656037ull, hb = ha;
	struct nats_url u;
	char s[512];
	int ra, rb = 0;
	size_t i;

	nats_parse_init(&a, buf_a, sizeof buf_a, on_ev, &ha);
	nats_parse_init(&b, buf_b, sizeof buf_b, on_ev, &hb);
	ra = nats_parse(&a, data, size);
	for (i = 0; i < size && rb == 0; i++)
		rb = nats_parse(&b, data + i, 1);
	if (ra != rb || ha != hb || a.skipped != b.skipped)
		abort();
	if (size < sizeof s) {
		memcpy(s, data, size);
		s[size] = '\0';
		if (nats_url_parse(s, &u) == 0 && (!u.host[0] || !u.port))
			abort();
		(void)nats_subject_valid(s, 1);
	}
	return 0;
}
