/* SPDX-License-Identifier: GPL-2.0-or-later */
/* opt.h - the one table-driven option engine of every program (pure).
 *
 * A program describes its options as rows of struct opt, grouped in
 * blocks that each fill one struct (the streamer's core options, each
 * sink's own options, a tool's settings).  opt_parse() reads argv into
 * those structs; opt_help() prints the rows grouped by section, with the
 * range of every number, so --help is the same everywhere.
 *
 *   static const struct opt rows[] = {
 *       { "port", OPT_LONG, 0, OFF(struct t, port), 1, 65535, NULL, "PORT",
 *         "UDP port to listen on" },
 *       ...
 *   };
 *   struct opt_block b = { rows, ARRAY_SIZE(rows), &t };
 *   struct opt_ctx c = { &b, 1, groups, 1 };
 *   if (opt_parse(&c, argc, argv)) { fprintf(stderr, "x: %s\n", c.err); return 2; }
 *
 * The tools (src/tools/) call opt_cli() instead, which does both and
 * prints the one-line usage error or the --help text itself.
 *
 * Accepted forms: "--name value", "--name=value", "--" ends the options.
 * Anything else that does not start with "--" is a positional argument
 * (only where the program gave room for them).  Errors are one line in
 * ctx->err naming the option, the value and what was expected;
 * opt_parse() prints nothing and never exits.
 *
 * Secrets (OPT_SECRET rows: URLs with credentials, stream keys, tokens)
 * are also read from "--NAME-file PATH" (first line of the file) and,
 * when neither form is given, from the row's environment variable, so
 * they need not appear in /proc/PID/cmdline.  A value read from a file
 * lives in ctx->store; nothing is allocated.
 */
#ifndef CVMMAP_OPT_H
#define CVMMAP_OPT_H

#include <stddef.h>
#include <stdio.h>

enum opt_type {
	OPT_FLAG,     /* --name              int = 1 */
	OPT_LONG,     /* --name N            long in [min, max] */
	OPT_STR,      /* --name TEXT         const char * (non-empty) */
	OPT_CHOICE,   /* --name WORD         int = min + index of WORD in choices */
	OPT_LIST,     /* --name TEXT, again  struct opt_list */
};

/* Row flags. */
#define OPT_HIDDEN 1u  /* accepted, not listed in --help */
#define OPT_SECRET 2u  /* OPT_STR: also --NAME-file PATH and the env variable */
#define OPT_NOARGV 4u  /* OPT_SECRET: only those two (a password in argv
			* would show in ps) */

/* Longest value read from a --NAME-file, and room for all of them. */
#define OPT_SECRET_MAX 2048
#define OPT_STORE 4096

/* The longest duration any option takes, in milliseconds (24.8 days):
 * fits poll()'s int timeout and, in nanoseconds, any uint64_t. */
#define OPT_MS_MAX 2147483647L

struct opt {
	const char *name;             /* without the leading "--" */
	unsigned char type;           /* enum opt_type */
	unsigned char group;          /* --help section, index into ctx->groups */
	unsigned short flags;         /* OPT_HIDDEN, OPT_SECRET, OPT_NOARGV */
	size_t off;                   /* field of the block's struct */
	long min, max;                /* OPT_LONG range; OPT_CHOICE: min = value of choices[0] */
	const char *const *choices;   /* OPT_CHOICE: "word" or "word|alias", NULL-terminated */
	const char *arg;              /* metavariable in --help ("N", "URL") */
	const char *help;             /* one line (may contain "\n" + indent) */
	const char *alias;            /* a second name (e.g. the original project's), or NULL */
	const char *env;              /* OPT_SECRET: environment variable, or NULL */
};

/* OPT_LIST storage: the values in command-line order. */
struct opt_list {
	const char **v;
	int n, max;
};

struct opt_block {
	const struct opt *rows;
	size_t n;
	void *base;                   /* the struct the rows' offsets point into */
};

struct opt_ctx {
	const struct opt_block *blocks;
	size_t nblocks;
	const char *const *groups;    /* section titles of --help */
	size_t ngroups;
	char **pos;                   /* room for positional arguments ... */
	int maxpos;                   /* ... (0: none allowed) */
	int npos;                     /* out: how many there were */
	char store[OPT_STORE];        /* values read from --NAME-file */
	size_t used;
	char err[256];                /* the one-line error */
};

#define OPT_OFF(type, field) offsetof(type, field)

/* Parse argv[1..argc-1] into the blocks.  Returns 0, or EXIT_USAGE with
 * the reason in c->err. */
int opt_parse(struct opt_ctx *c, int argc, char **argv);

/* The rows grouped by section, ranges and choices spelled out. */
void opt_help(const struct opt_ctx *c, FILE *f);

/* What opt_cli() returns after printing --help (the caller exits 0). */
#define OPT_HELP_SHOWN (-1)

/* The whole command line of a small program (the tools): opt_parse(),
 * then its --help.  On a usage error prints the one line "prog: reason"
 * on stderr and returns EXIT_USAGE.  When the int that help points to
 * (the program's --help row) is set, prints head, the rows and tail (each
 * may be NULL) on stdout and returns OPT_HELP_SHOWN.  Otherwise 0. */
int opt_cli(struct opt_ctx *c, int argc, char **argv, const char *prog,
	    const int *help, const char *head, const char *tail);

/* "a, b or c" for a choice row (for messages); returns buf. */
const char *opt_choices_text(const struct opt *o, char *buf, size_t cap);

/* Saturating milliseconds -> nanoseconds (durations from options). */
static inline unsigned long long opt_ms_to_ns(long ms)
{
	if (ms <= 0)
		return 0;
	if ((unsigned long long)ms > ~0ull / 1000000ull)
		return ~0ull;
	return (unsigned long long)ms * 1000000ull;
}

#endif
