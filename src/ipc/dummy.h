/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dummy.h - the built-in frame generator (--input-mode dummy).
 *
 * The upstream dummy producer's BGR pattern (pattern.h), frame n at
 * media time n / fps, paced on CLOCK_MONOTONIC, through the same next()
 * contract as the cv-mmap consumer (input.h).  Needs no libzmq: a build
 * without cv-mmap still streams it.
 */
#ifndef CVMMAP_DUMMY_H
#define CVMMAP_DUMMY_H

#include "ipc/input.h"

extern const struct input_ops dummy_input_ops;

#endif
