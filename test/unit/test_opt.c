/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_opt.c - the table-driven option engine (config/opt.h). */
#include "unit.h"
#include "config/opt.h"
#include "util/exitcodes.h"

#include <stdlib.h>
#include <unistd.h>

struct t {
	int flag, mode;
	long n;
	const char *s, *secret;
	const char *lv[3];
	struct opt_list list;
};

static const char *const modes[] = { "one|uno", "two", NULL };
static const char *const groups[] = { "First", "Second" };

static const struct opt rows[] = {
	{ "flag", OPT_FLAG, 0, 0, OPT_OFF(struct t, flag), 0, 0, NULL, NULL, "a flag", NULL, NULL },
	{ "num", OPT_LONG, 0, 0, OPT_OFF(struct t, n), -3, 64, NULL, "N", "a number", "count", NULL },
	{ "str", OPT_STR, 1, 0, OPT_OFF(struct t, s), 0, 0, NULL, "S", "a string", NULL, NULL },
	{ "mode", OPT_CHOICE, 1, 0, OPT_OFF(struct t, mode), 5, 0, modes, "M", "a mode", NULL, NULL },
	{ "item", OPT_LIST, 1, 0, OPT_OFF(struct t, list), 0, 0, NULL, "I", "repeatable", NULL, NULL },
	{ "key", OPT_STR, 1, OPT_SECRET, OPT_OFF(struct t, secret), 0, 0, NULL, "K", "a secret",
	  NULL, "TEST_OPT_KEY" },
	{ "quiet", OPT_FLAG, 1, OPT_HIDDEN, OPT_OFF(struct t, flag), 0, 0, NULL, NULL, "hidden",
	  NULL, NULL },
};

static struct t v;
static struct opt_block blk = { rows, sizeof rows / sizeof rows[0], &v };
static struct opt_ctx ctx;
static char *pos[2];

/* Parse a space-separated line; returns opt_parse()'s code. */
static int run(const char *line)
{
	static char buf[1024];
	char *argv[32], *p;
	int argc = 0;

	memset(&v, 0, sizeof v);
	v.list.v = v.lv;
	v.list.max = 3;
	memset(&ctx, 0, sizeof ctx);
	ctx.blocks = &blk;
	ctx.nblocks = 1;
	ctx.groups = groups;
	ctx.ngroups = 2;
	ctx.pos = pos;
	ctx.maxpos = 2;
	snprintf(buf, sizeof buf, "prog %s", line);
	for (p = strtok(buf, " "); p && argc < 32; p = strtok(NULL, " "))
		argv[argc++] = p;
	return opt_parse(&ctx, argc, argv);
}

struct row {
	const char *line;
	int rc;
	const char *err_has;
};

static const struct row table[] = {
	{ "--flag --num 7 --str x --mode two", 0, NULL },
	{ "--num -3", 0, NULL },                        /* both ends of the range */
	{ "--num 64", 0, NULL },
	{ "--num -4", EXIT_USAGE, "--num: '-4' is not a number in -3..64" },
	{ "--num 65", EXIT_USAGE, "--num: '65' is not a number in -3..64" },
	{ "--num 99999999999999999999", EXIT_USAGE, "is not a number" },
	{ "--num 1x", EXIT_USAGE, "is not a number" },
	{ "--num", EXIT_USAGE, "--num needs a value (N)" },
	{ "--count=5", 0, NULL },                       /* alias */
	{ "--flag=1", EXIT_USAGE, "--flag takes no value" },
	{ "--mode three", EXIT_USAGE, "--mode: unknown value 'three' (expected one, uno or two)" },
	{ "--str=", EXIT_USAGE, "--str: empty value" },
	{ "--nope", EXIT_USAGE, "unknown option '--nope'" },
	{ "--nope=3", EXIT_USAGE, "unknown option '--nope'" },
	{ "a b", 0, NULL },
	{ "a b c", EXIT_USAGE, "unexpected argument 'c'" },
	{ "-- --flag", 0, NULL },                       /* after --, a positional */
	{ "--item a --item b --item c --item d", EXIT_USAGE, "--item: at most 3 times" },
	{ "--key-file /nonexistent/x", EXIT_USAGE, "--key-file: cannot read '/nonexistent/x'" },
	{ "--quiet", 0, NULL },
};

static void t_table(void)
{
	size_t i;

	for (i = 0; i < sizeof table / sizeof table[0]; i++) {
		int rc = run(table[i].line);

		if (rc != table[i].rc || (table[i].err_has && !strstr(ctx.err, table[i].err_has))) {
			printf("    '%s' -> %d '%s'\n", table[i].line, rc, ctx.err);
			CHECK(0);
		}
		CHECK(!strchr(ctx.err, '\n'));
	}
}

static void t_values(void)
{
	CHECK_EQ(run("--flag --num=-3 --str hello --mode uno --item a --item=b p1"), 0);
	CHECK_EQ(v.flag, 1);
	CHECK_EQ(v.n, -3);
	CHECK_STR(v.s, "hello");
	CHECK_EQ(v.mode, 5);            /* min + index */
	CHECK_EQ(v.list.n, 2);
	CHECK_STR(v.list.v[1], "b");
	CHECK_EQ(ctx.npos, 1);
	CHECK_STR(ctx.pos[0], "p1");
	CHECK_EQ(run("--mode two"), 0);
	CHECK_EQ(v.mode, 6);
	CHECK_EQ(run("-- --flag"), 0);
	CHECK_EQ(v.flag, 0);
	CHECK_STR(ctx.pos[0], "--flag");
}

static void t_secret(void)
{
	char path[] = "/tmp/test_opt_XXXXXX", line[64];
	int fd = mkstemp(path);
	FILE *f;

	CHECK(fd >= 0);
	f = fdopen(fd, "w");
	fputs("rtmp://user:pw@h/app/key\r\nsecond line\n", f);
	fclose(f);
	unsetenv("TEST_OPT_KEY");
	snprintf(line, sizeof line, "--key-file %s", path);
	CHECK_EQ(run(line), 0);
	CHECK_STR(v.secret, "rtmp://user:pw@h/app/key");   /* first line, no CR/LF */
	/* the environment when the command line says nothing ... */
	setenv("TEST_OPT_KEY", "from-env", 1);
	CHECK_EQ(run("--flag"), 0);
	CHECK_STR(v.secret, "from-env");
	/* ... and the command line wins over it */
	CHECK_EQ(run("--key direct"), 0);
	CHECK_STR(v.secret, "direct");
	CHECK_EQ(run(line), 0);
	CHECK_STR(v.secret, "rtmp://user:pw@h/app/key");
	unsetenv("TEST_OPT_KEY");
	/* an empty file is an error, not an empty secret */
	f = fopen(path, "w");
	fclose(f);
	CHECK_EQ(run(line), EXIT_USAGE);
	CHECK(strstr(ctx.err, "is empty") != NULL);
	/* a first line longer than OPT_SECRET_MAX is refused */
	f = fopen(path, "w");
	for (fd = 0; fd < OPT_SECRET_MAX + 10; fd++)
		fputc('a', f);
	fclose(f);
	CHECK_EQ(run(line), EXIT_USAGE);
	CHECK(strstr(ctx.err, "longer than") != NULL);
	unlink(path);
}

static void t_help(void)
{
	char buf[4096];
	FILE *f = fmemopen(buf, sizeof buf, "w");

	CHECK(f != NULL);
	run("");
	opt_help(&ctx, f);
	fclose(f);
	CHECK(strstr(buf, "First:\n") == buf);
	CHECK(strstr(buf, "\nSecond:\n") != NULL);
	CHECK(strstr(buf, "--num N") && strstr(buf, "a number [-3..64]"));
	CHECK(strstr(buf, "also spelt --count") != NULL);
	CHECK(strstr(buf, "or --key-file PATH, or $TEST_OPT_KEY") != NULL);
	CHECK(strstr(buf, "--quiet") == NULL);
}

/* Run opt_cli() on line with stdout and stderr captured into out/err. */
static int cli(const char *line, int *help, char *out, char *err, size_t cap)
{
	static char buf[1024];
	char *argv[32], *p, path[2][32] = { "/tmp/test_opt_oXXXXXX", "/tmp/test_opt_eXXXXXX" };
	int argc = 0, rc, fd[2], save[2], i;

	memset(&ctx, 0, sizeof ctx);
	memset(&v, 0, sizeof v);
	v.list.v = v.lv;
	v.list.max = 3;
	ctx.blocks = &blk;
	ctx.nblocks = 1;
	ctx.groups = groups;
	ctx.ngroups = 2;
	snprintf(buf, sizeof buf, "prog %s", line);
	for (p = strtok(buf, " "); p && argc < 32; p = strtok(NULL, " "))
		argv[argc++] = p;
	fflush(stdout);
	fflush(stderr);
	for (i = 0; i < 2; i++) {
		fd[i] = mkstemp(path[i]);
		save[i] = dup(i + 1);
		dup2(fd[i], i + 1);
	}
	rc = opt_cli(&ctx, argc, argv, "prog", help, "HEAD\n", "TAIL\n");
	fflush(stdout);
	fflush(stderr);
	for (i = 0; i < 2; i++) {
		char *dst = i ? err : out;
		ssize_t n;

		dup2(save[i], i + 1);
		close(save[i]);
		n = pread(fd[i], dst, cap - 1, 0);
		dst[n > 0 ? n : 0] = '\0';
		close(fd[i]);
		unlink(path[i]);
	}
	return rc;
}

static void t_cli(void)
{
	char out[4096], err[512];

	/* --flag plays the program's --help row */
	CHECK_EQ(cli("--flag", &v.flag, out, err, sizeof out), OPT_HELP_SHOWN);
	CHECK(strstr(out, "HEAD\nFirst:\n") == out);
	CHECK(strstr(out, "a number [-3..64]") != NULL);
	CHECK(strlen(out) > 5 && !strcmp(out + strlen(out) - 5, "TAIL\n"));
	CHECK_STR(err, "");
	CHECK_EQ(cli("--num 5", &v.flag, out, err, sizeof out), 0);
	CHECK_EQ(v.n, 5);
	CHECK_STR(out, "");
	CHECK_STR(err, "");
	/* a usage error: exactly one line, nothing on stdout, --help not shown */
	CHECK_EQ(cli("--flag --num 65", &v.flag, out, err, sizeof out), EXIT_USAGE);
	CHECK_STR(err, "prog: --num: '65' is not a number in -3..64\n");
	CHECK_STR(out, "");
	CHECK_EQ(cli("--flag", NULL, out, err, sizeof out), 0);  /* no help row */
	CHECK_STR(out, "");
}

static void t_ms_to_ns(void)
{
	CHECK(opt_ms_to_ns(0) == 0);
	CHECK(opt_ms_to_ns(-5) == 0);
	CHECK(opt_ms_to_ns(1500) == 1500000000ull);
	CHECK(opt_ms_to_ns(OPT_MS_MAX) == (unsigned long long)OPT_MS_MAX * 1000000ull);
	CHECK(opt_ms_to_ns(0x7fffffffffffffffL) == ~0ull);     /* saturates */
}

static const struct unit_case cases[] = {
	UNIT(t_table),
	UNIT(t_values),
	UNIT(t_secret),
	UNIT(t_help),
	UNIT(t_cli),
	UNIT(t_ms_to_ns),
};
UNIT_MAIN(cases)
