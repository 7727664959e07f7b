/* SPDX-License-Identifier: GPL-2.0-or-later */
/* progress.h - progress on stderr for the offline tools.
 *
 * On a TTY: one bar redrawn in place at most 10 times a second,
 *   "name  42% |#########-----------|  315/750 frames  48.2 fps  ETA 0:09"
 * otherwise (logs, pipes): one plain line every 5 s.  progress_done()
 * prints the final line.  quiet suppresses everything.
 */
#ifndef CVMMAP_PROGRESS_H
#define CVMMAP_PROGRESS_H

#include <stdint.h>

struct progress {
	const char *label, *unit;
	uint64_t total, done;
	uint64_t t0_ns, last_ns;
	int tty, quiet, drawn;
};

void progress_start(struct progress *p, const char *label, const char *unit,
		    uint64_t total, int quiet);
void progress_update(struct progress *p, uint64_t done);
void progress_done(struct progress *p);

/* Format "done/total unit  rate  ETA" into buf (pure; used by the bar and
 * the plain lines).  elapsed_ns > 0. */
void progress_format(char *buf, unsigned cap, const char *unit, uint64_t done,
		     uint64_t total, uint64_t elapsed_ns, int bar_width);

#endif
