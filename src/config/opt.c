/* SPDX-License-Identifier: GPL-2.0-or-later */
/* opt.c - table-driven option engine (see opt.h). */
#include "config/opt.h"
#include "util/exitcodes.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ROWS 256   /* rows over all blocks (for "given" tracking) */

static int fail(struct opt_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int fail(struct opt_ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof c->err, fmt, ap);
	va_end(ap);
	return EXIT_USAGE;
}

/* The i-th word of a "word|alias" choice into buf; NULL past the end. */
static const char *choice_word(const char *s, int i, char *buf, size_t cap)
{
	const char *bar;

	for (; i > 0; i--) {
		bar = strchr(s, '|');
		if (!bar)
			return NULL;
		s = bar + 1;
	}
	bar = strchr(s, '|');
	snprintf(buf, cap, "%.*s", (int)(bar ? (size_t)(bar - s) : strlen(s)), s);
	return buf;
}

const char *opt_choices_text(const struct opt *o, char *buf, size_t cap)
{
	size_t k = 0, n = 0;
	int i, j;
	char w[64];

	buf[0] = '\0';
	for (i = 0; o->choices && o->choices[i]; i++)
		for (j = 0; choice_word(o->choices[i], j, w, sizeof w); j++)
			n++;
	for (i = 0; o->choices && o->choices[i]; i++) {
		for (j = 0; choice_word(o->choices[i], j, w, sizeof w); j++) {
			const char *sep = !k ? "" : k + 1 == n ? " or " : ", ";
			size_t len = strlen(buf);

			k++;
			if (len < cap)
				snprintf(buf + len, cap - len, "%s%s", sep, w);
		}
	}
	return buf;
}

static int parse_long(const char *s, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end)
		return -1;
	*out = v;
	return 0;
}

/* Read the first line of path into the store; its start, or NULL. */
static const char *read_secret(struct opt_ctx *c, const char *name, const char *path)
{
	char *dst = c->store + c->used;
	size_t room = sizeof c->store - c->used, n;
	FILE *f;

	if (room < 2) {
		fail(c, "--%s-file: no room for another secret", name);
		return NULL;
	}
	if (room > OPT_SECRET_MAX + 1)
		room = OPT_SECRET_MAX + 1;
	f = fopen(path, "r");
	if (!f) {
		fail(c, "--%s-file: cannot read '%s': %s", name, path, strerror(errno));
		return NULL;
	}
	if (!fgets(dst, (int)room, f))
		dst[0] = '\0';
	fclose(f);
	n = strlen(dst);
	if (n == room - 1 && dst[n - 1] != '\n') {
		fail(c, "--%s-file: the first line of '%s' is longer than %d bytes",
		     name, path, OPT_SECRET_MAX);
		return NULL;
	}
	while (n && (dst[n - 1] == '\n' || dst[n - 1] == '\r'))
		dst[--n] = '\0';
	if (!n) {
		fail(c, "--%s-file: '%s' is empty", name, path);
		return NULL;
	}
	c->used += n + 1;
	return dst;
}

static int set_value(struct opt_ctx *c, const struct opt *o, void *base, const char *val)
{
	char *p = (char *)base + o->off, w[64], list[256];
	long v;
	int i, j;

	switch (o->type) {
	case OPT_FLAG:
		*(int *)p = 1;
		return 0;
	case OPT_STR:
		if (!*val)
			return fail(c, "--%s: empty value", o->name);
		*(const char **)p = val;
		return 0;
	case OPT_LIST: {
		struct opt_list *l = (struct opt_list *)p;

		if (!*val)
			return fail(c, "--%s: empty value", o->name);
		if (l->n >= l->max)
			return fail(c, "--%s: at most %d times", o->name, l->max);
		l->v[l->n++] = val;
		return 0;
	}
	case OPT_LONG:
		if (parse_long(val, &v) || v < o->min || v > o->max)
			return fail(c, "--%s: '%s' is not a number in %ld..%ld",
				    o->name, val, o->min, o->max);
		*(long *)p = v;
		return 0;
	case OPT_CHOICE:
		for (i = 0; o->choices[i]; i++)
			for (j = 0; choice_word(o->choices[i], j, w, sizeof w); j++)
				if (!strcmp(val, w)) {
					*(int *)p = (int)o->min + i;
					return 0;
				}
		return fail(c, "--%s: unknown value '%s' (expected %s)", o->name, val,
			    opt_choices_text(o, list, sizeof list));
	}
	return fail(c, "--%s: bad option table", o->name);
}

/* Find the row called name[0..n) (or its alias); *file is set when the
 * name is a secret row's NAME-file form. */
static const struct opt *find(const struct opt_ctx *c, const char *name, size_t n,
			      void **base, int *file, unsigned *idx)
{
	size_t b, k;
	unsigned i = 0;

	for (b = 0; b < c->nblocks; b++) {
		for (k = 0; k < c->blocks[b].n; k++, i++) {
			const struct opt *o = &c->blocks[b].rows[k];
			size_t on = strlen(o->name);

			*base = c->blocks[b].base;
			*idx = i;
			*file = 0;
			if ((on == n && !strncmp(o->name, name, n)) ||
			    (o->alias && strlen(o->alias) == n && !strncmp(o->alias, name, n)))
				return o;
			if ((o->flags & OPT_SECRET) && n == on + 5 &&
			    !strncmp(o->name, name, on) && !strncmp(name + on, "-file", 5)) {
				*file = 1;
				return o;
			}
		}
	}
	return NULL;
}

int opt_parse(struct opt_ctx *c, int argc, char **argv)
{
	unsigned char given[MAX_ROWS];
	size_t b, k;
	unsigned idx;
	int i, only_pos = 0, rc;

	memset(given, 0, sizeof given);
	c->npos = 0;
	c->used = 0;
	c->err[0] = '\0';
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *eq, *val = NULL;
		const struct opt *o;
		void *base;
		size_t n;
		int file;

		if (only_pos || strncmp(a, "--", 2) || !a[2]) {
			if (!only_pos && !strcmp(a, "--")) {
				only_pos = 1;
				continue;
			}
			if (c->npos >= c->maxpos)
				return fail(c, "unexpected argument '%s' (see --help)", a);
			c->pos[c->npos++] = argv[i];
			continue;
		}
		a += 2;
		eq = strchr(a, '=');
		n = eq ? (size_t)(eq - a) : strlen(a);
		o = find(c, a, n, &base, &file, &idx);
		if (!o)
			return fail(c, "unknown option '%.*s' (see --help)", (int)(n + 2), argv[i]);
		if (o->type == OPT_FLAG) {
			if (eq)
				return fail(c, "--%s takes no value", o->name);
		} else if (eq) {
			val = eq + 1;
		} else if (i + 1 < argc) {
			val = argv[++i];
		} else {
			return fail(c, "--%s%s needs a value (%s)", o->name, file ? "-file" : "",
				    file ? "PATH" : o->arg ? o->arg : "VALUE");
		}
		if (!file && (o->flags & OPT_NOARGV))
			return fail(c, "--%s is not taken on the command line (ps shows it): use "
				    "--%s-file PATH%s%s", o->name, o->name, o->env ? " or $" : "",
				    o->env ? o->env : "");
		if (file && !(val = read_secret(c, o->name, val)))
			return EXIT_USAGE;
		rc = set_value(c, o, base, val);
		if (rc)
			return rc;
		if (idx < MAX_ROWS)
			given[idx] = 1;
	}
	/* Secrets not given on the command line come from the environment. */
	for (idx = 0, b = 0; b < c->nblocks; b++) {
		for (k = 0; k < c->blocks[b].n; k++, idx++) {
			const struct opt *o = &c->blocks[b].rows[k];
			const char *e;

			if (!(o->flags & OPT_SECRET) || !o->env || (idx < MAX_ROWS && given[idx]))
				continue;
			e = getenv(o->env);
			if (e && *e && (rc = set_value(c, o, c->blocks[b].base, e)) != 0)
				return rc;
		}
	}
	return idx > MAX_ROWS ? fail(c, "more than %d option rows", MAX_ROWS) : 0;
}

void opt_help(const struct opt_ctx *c, FILE *f)
{
	size_t g, b, k;

	for (g = 0; g < c->ngroups; g++) {
		int header = 0;

		for (b = 0; b < c->nblocks; b++) {
			for (k = 0; k < c->blocks[b].n; k++) {
				const struct opt *o = &c->blocks[b].rows[k];
				char lhs[80], extra[160] = "";

				if (o->group != g || (o->flags & OPT_HIDDEN))
					continue;
				if (!header) {
					fprintf(f, "%s%s:\n", g ? "\n" : "", c->groups[g]);
					header = 1;
				}
				if (o->flags & OPT_NOARGV)
					snprintf(lhs, sizeof lhs, "--%s-file PATH", o->name);
				else
					snprintf(lhs, sizeof lhs, "--%s%s%s", o->name,
						 o->arg ? " " : "", o->arg ? o->arg : "");
				if (o->type == OPT_LONG)
					snprintf(extra, sizeof extra, " [%ld..%ld]", o->min, o->max);
				fprintf(f, "  %-30s %s%s\n", lhs, o->help ? o->help : "", extra);
				if (o->alias)
					fprintf(f, "  %-30s also spelt --%s\n", "", o->alias);
				if (o->flags & OPT_NOARGV)
					fprintf(f, "  %-30s or $%s (never on the command line)\n", "",
						o->env ? o->env : "?");
				else if (o->flags & OPT_SECRET)
					fprintf(f, "  %-30s or --%s-file PATH%s%s (kept out of ps)\n", "",
						o->name, o->env ? ", or $" : "", o->env ? o->env : "");
			}
		}
	}
}

int opt_cli(struct opt_ctx *c, int argc, char **argv, const char *prog,
	    const int *help, const char *head, const char *tail)
{
	int rc = opt_parse(c, argc, argv);

	if (rc) {
		fprintf(stderr, "%s: %s\n", prog, c->err);
		return rc;
	}
	if (!help || !*help)
		return 0;
	if (head)
		fputs(head, stdout);
	opt_help(c, stdout);
	if (tail)
		fputs(tail, stdout);
	fflush(stdout);
	return OPT_HELP_SHOWN;
}
