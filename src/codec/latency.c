/* SPDX-License-Identifier: GPL-2.0-or-later */
/* latency.c - see latency.h. */
#include "codec/latency.h"
#include "util/bytes.h"

#include <errno.h>

void latency_build(uint8_t out[LATENCY_SEI_SIZE], const struct latency_stamps *s)
{
	const uint8_t *end = out + LATENCY_SEI_SIZE;
	uint8_t *p = out;

	p = put_u8(p, end, 1);
	p = put_u8(p, end, s->capture_unix ? LATENCY_CAPTURE_UNIX : 0);
	p = put_be16(p, end, 0);
	p = put_be32(p, end, s->frame_id);
	p = put_be64(p, end, s->capture_ns);
	p = put_be64(p, end, s->announced_ns);
	p = put_be64(p, end, s->encoded_ns);
	put_be64(p, end, s->sent_ns);
}

int latency_parse(const uint8_t *p, size_t n, struct latency_stamps *s)
{
	const uint8_t *end = p + n;
	uint8_t version, flags;
	uint16_t reserved;

	if (n != LATENCY_SEI_SIZE)
		return -EINVAL;
	p = get_u8(p, end, &version);
	p = get_u8(p, end, &flags);
	p = get_be16(p, end, &reserved);
	p = get_be32(p, end, &s->frame_id);
	p = get_be64(p, end, &s->capture_ns);
	p = get_be64(p, end, &s->announced_ns);
	p = get_be64(p, end, &s->encoded_ns);
	p = get_be64(p, end, &s->sent_ns);
	if (!p || version != 1)
		return -EINVAL;
	s->capture_unix = (flags & LATENCY_CAPTURE_UNIX) != 0;
	return 0;
}
