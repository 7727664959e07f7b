/* SPDX-License-Identifier: GPL-2.0-or-later */
/* prng.c - see prng.h. */
#define _GNU_SOURCE
#include "util/prng.h"
#include "util/clock.h"

#include <sys/random.h>
#include <unistd.h>

uint64_t prng_random_seed(void)
{
	uint64_t v;

	if (getrandom(&v, sizeof v, GRND_NONBLOCK) != (ssize_t)sizeof v)
		v = clock_mono_ns() ^ clock_wall_ns() ^ (uint64_t)getpid() << 32;
	return v;
}
