/* SPDX-License-Identifier: GPL-2.0-or-later */
/* inputs.c - the table of inputs this build has (input.h). */
#include "ipc/dummy.h"
#include "ipc/ingest.h"

#include <stddef.h>

const struct input_ops *const input_table[] = {
	IF_CVMMAP(&cvmmap_input_ops,)
	&dummy_input_ops,
	NULL
};
