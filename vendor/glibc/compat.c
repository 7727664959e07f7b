/* SPDX-License-Identifier: GPL-2.0-or-later */
/* compat.c - keep the mostly-static glibc floor at 2.35.
 *
 * Debian 12's libstdc++.a (std::random_device, pulled in by libzmq and
 * x265) calls arc4random, which glibc gained in 2.36.  Defining it here
 * resolves the reference inside the binary, so the only versioned glibc
 * symbols left are <= GLIBC_2.35 and the binary runs on Ubuntu 22.04 /
 * JetPack 6.  `make check` verifies the floor with objdump.
 */
#include <stdint.h>
#include <sys/random.h>
#include <sys/types.h>

uint32_t arc4random(void);

uint32_t arc4random(void)
{
	uint32_t v = 0;

	while (getrandom(&v, sizeof v, 0) != (ssize_t)sizeof v)
		;
	return v;
}
