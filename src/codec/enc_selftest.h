/* SPDX-License-Identifier: GPL-2.0-or-later */
/* enc_selftest.h - cvmmap_streamer --self-test (enc_selftest.c). */
#ifndef CVMMAP_ENC_SELFTEST_H
#define CVMMAP_ENC_SELFTEST_H

#include "codec/encoder.h"

#include <stdio.h>

/* Open an encoder for cfg, print to f what it opened (the device,
 * binding, formats and buffers of a hardware one) and the encode time of
 * frames test frames; EXIT_OK, or EXIT_INIT when none opened. */
int encoder_self_test(const struct encoder_cfg *cfg, long frames, FILE *f);

#endif
