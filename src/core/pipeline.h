/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pipeline.h - ingest -> encode/passthrough -> sinks, run until done. */
#ifndef CVMMAP_PIPELINE_H
#define CVMMAP_PIPELINE_H

#include "config/opts.h"

/* Runs the streamer described by validated options; returns the process
 * exit code (util/exitcodes.h). */
int pipeline_run(const struct streamer_opts *o);

#endif
