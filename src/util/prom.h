/* SPDX-License-Identifier: GPL-2.0-or-later */
/* prom.h - the Prometheus text exposition format 0.0.4, written into a
 * caller's buffer (pure code).
 *
 *   prom_family(&p, "x_total", "counter", "Things seen.");
 *   prom_u64(&p, "x_total", prom_labels(l, sizeof l, "sink", "rtp", NULL), 3);
 *
 * A family's HELP and TYPE lines come once, before its samples; label
 * values are escaped (\\, \", \n).  When the buffer is full, p.full is set
 * and nothing more is written, so a truncated page is never served as a
 * complete one.
 */
#ifndef CVMMAP_PROM_H
#define CVMMAP_PROM_H

#include <stddef.h>

struct prom {
	char *buf;
	size_t cap, len;
	int full;
};

void prom_init(struct prom *p, char *buf, size_t cap);
/* "# HELP name help" and "# TYPE name type". */
void prom_family(struct prom *p, const char *name, const char *type, const char *help);
/* One sample; labels is "" / NULL or the text prom_labels() built. */
void prom_u64(struct prom *p, const char *name, const char *labels, unsigned long long v);
void prom_f64(struct prom *p, const char *name, const char *labels, double v);
/* '{k="v",...}' from NULL-terminated key, value pairs, values escaped.
 * Returns out ("" when out is too small). */
const char *prom_labels(char *out, size_t cap, ...);

#endif
