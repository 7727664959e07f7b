/* SPDX-License-Identifier: GPL-2.0-or-later */
/* latency.c - see latency.h. */
#include "codec/latency.h"
#include "util/bytes.h"

#include <errno.h>
#include <string.h>

void latency_build(uint8_t out[LATENCY_SEI_SIZE], const struct latency_stamps *s)
{
	memset(out, 0, LATENCY_SEI_SIZE);
	out[0] = 1;
	out[1] = s->capture_unix ? LATENCY_CAPTURE_UNIX : 0;
	wr_be32(out + 4, s->frame_id);
	put_be64(out + 8, out + LATENCY_SEI_SIZE, s->capture_ns);
	put_be64(out + 16, out + LATENCY_SEI_SIZE, s->announced_ns);
	put_be64(out + 24, out + LATENCY_SEI_SIZE, s->encoded_ns);
	put_be64(out + 32, out + LATENCY_SEI_SIZE, s->sent_ns);
}

int latency_parse(const uint8_t *p, size_t n, struct latency_stamps *s)
{
	if (n != LATENCY_SEI_SIZE || p[0] != 1)
		return -EINVAL;
	s->capture_unix = (p[1] & LATENCY_CAPTURE_UNIX) != 0;
	s->frame_id = rd_be32(p + 4);
	s->capture_ns = (uint64_t)rd_be32(p + 8) << 32 | rd_be32(p + 12);
	s->announced_ns = (uint64_t)rd_be32(p + 16) << 32 | rd_be32(p + 20);
	s->encoded_ns = (uint64_t)rd_be32(p + 24) << 32 | rd_be32(p + 28);
	s->sent_ns = (uint64_t)rd_be32(p + 32) << 32 | rd_be32(p + 36);
	return 0;
}
