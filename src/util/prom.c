/* SPDX-License-Identifier: GPL-2.0-or-later */
/* prom.c - see prom.h.  Format: prometheus.io/docs/instrumenting/
 * exposition_formats ("Text-based format", version 0.0.4). */
#include "util/prom.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>

void prom_init(struct prom *p, char *buf, size_t cap)
{
	p->buf = buf;
	p->cap = cap;
	p->len = 0;
	p->full = !cap;
	if (cap)
		buf[0] = '\0';
}

static void put(struct prom *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (p->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(p->buf + p->len, p->cap - p->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= p->cap - p->len) {
		p->full = 1;
		p->buf[p->len] = '\0';  /* whole lines only */
		return;
	}
	p->len += (size_t)n;
}

void prom_family(struct prom *p, const char *name, const char *type, const char *help)
{
	put(p, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void prom_u64(struct prom *p, const char *name, const char *labels, unsigned long long v)
{
	put(p, "%s%s %llu\n", name, labels ? labels : "", v);
}

void prom_f64(struct prom *p, const char *name, const char *labels, double v)
{
	if (isinf(v))
		put(p, "%s%s %sInf\n", name, labels ? labels : "", v < 0 ? "-" : "+");
	else
		put(p, "%s%s %.9g\n", name, labels ? labels : "", v);
}

/* One character into out[*n], or *n = cap (overflow) when it is full. */
static void lab(char *out, size_t cap, size_t *n, char c)
{
	if (*n + 1 < cap)
		out[(*n)++] = c;
	else
		*n = cap;
}

const char *prom_labels(char *out, size_t cap, ...)
{
	va_list ap;
	const char *k, *v;
	size_t n = 0;

	if (!cap)
		return "";
	va_start(ap, cap);
	while ((k = va_arg(ap, const char *)) != NULL && n < cap) {
		v = va_arg(ap, const char *);
		lab(out, cap, &n, n ? ',' : '{');
		for (; *k; k++)
			lab(out, cap, &n, *k);
		lab(out, cap, &n, '=');
		lab(out, cap, &n, '"');
		for (; v && *v; v++) {
			if (*v == '\\' || *v == '"' || *v == '\n')
				lab(out, cap, &n, '\\');
			lab(out, cap, &n, *v == '\n' ? 'n' : *v);
		}
		lab(out, cap, &n, '"');
	}
	va_end(ap);
	if (n)
		lab(out, cap, &n, '}');
	if (n >= cap)
		n = 0;          /* too small: no labels rather than broken ones */
	out[n] = '\0';
	return out;
}
