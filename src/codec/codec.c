/* SPDX-License-Identifier: GPL-2.0-or-later */
/* codec.c - see codec.h. */
#include "codec/codec.h"

#include <stddef.h>

const char *const codec_names[] = { "h264", "h265", NULL };
