/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_rt.c - the --cpu-affinity list parser and formatter (util/rt.h). */
#define _GNU_SOURCE
#include "unit.h"
#include "util/rt.h"

#include <errno.h>
#include <sched.h>

struct row {
	const char *in;
	int n;                  /* CPUs in the set, or -EINVAL */
	const char *out;        /* canonical list, or a substring of the error */
};

static const struct row rows[] = {
	{ "0", 1, "0" },
	{ "1", 1, "1" },
	{ "0-1", 2, "0-1" },
	{ "0,2-3", 3, "0,2-3" },
	{ "3,0-1", 3, "0-1,3" },
	{ "0,1,2,5", 4, "0-2,5" },
	{ "2-2", 1, "2" },
	{ "0,0", 1, "0" },              /* repeats count once */
	{ "0-3,2-5", 6, "0-5" },        /* overlaps too */
	{ "007", 1, "7" },
	{ "1-0", -EINVAL, "the range 1-0 is empty" },
	{ "5-3,1", -EINVAL, "the range 5-3 is empty" },
	{ "", -EINVAL, "empty" },
	{ ",", -EINVAL, "an empty item" },
	{ "0,", -EINVAL, "an empty item" },
	{ ",0", -EINVAL, "an empty item" },
	{ "0,,1", -EINVAL, "an empty item" },
	{ "x", -EINVAL, "'x' is neither a CPU nor a range N-M" },
	{ "0,x", -EINVAL, "'x' is neither" },
	{ "-1", -EINVAL, "'-1' is neither" },
	{ "+1", -EINVAL, "'+1' is neither" },
	{ "1-", -EINVAL, "'1-' is neither" },
	{ "-", -EINVAL, "'-' is neither" },
	{ "0-1-2", -EINVAL, "'0-1-2' is neither" },
	{ "0 ", -EINVAL, "'0 ' is neither" },
	{ " 0", -EINVAL, "' 0' is neither" },
	{ "0;1", -EINVAL, "'0;1' is neither" },
	{ "0:2", -EINVAL, "neither" },  /* no strides */
	{ "9999", -EINVAL, "CPU 9999 is not below CPU_SETSIZE" },
	{ "0-9999", -EINVAL, "CPU 9999 is not below CPU_SETSIZE" },
	{ "99999999999999999999999", -EINVAL, "CPU 99999999999999999999999 is not below" },
	{ "1-0x", -EINVAL, "neither" },
};

static void t_rows(void)
{
	struct rt_cpus c;
	char err[128], out[256];
	size_t i;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		int n;

		err[0] = out[0] = '\0';
		n = rt_cpulist_parse(rows[i].in, &c, err, sizeof err);
		if (n > 0)
			rt_cpulist_format(&c, out, sizeof out);
		if (n != rows[i].n || !strstr(n > 0 ? out : err, rows[i].out)) {
			printf("    row %zu: '%s' -> %d, '%s' / '%s'\n", i, rows[i].in, n, out, err);
			CHECK(0);
		}
		CHECK(!strchr(err, '\n'));
	}
}

/* Both ends of the range the C library can pin: 0 and CPU_SETSIZE - 1. */
static void t_setsize(void)
{
	struct rt_cpus c;
	char in[32], err[128], out[64];

	CHECK(CPU_SETSIZE <= RT_CPUS);
	snprintf(in, sizeof in, "%d", CPU_SETSIZE - 1);
	CHECK_EQ(rt_cpulist_parse(in, &c, err, sizeof err), 1);
	CHECK(rt_cpus_has(&c, CPU_SETSIZE - 1) && !rt_cpus_has(&c, 0));
	CHECK(rt_cpulist_format(&c, out, sizeof out) > 0);
	CHECK_STR(out, in);
	snprintf(in, sizeof in, "0-%d", CPU_SETSIZE - 1);
	CHECK_EQ(rt_cpulist_parse(in, &c, err, sizeof err), CPU_SETSIZE);
	snprintf(in, sizeof in, "%d", CPU_SETSIZE);
	CHECK_EQ(rt_cpulist_parse(in, &c, err, sizeof err), -EINVAL);
	CHECK(!rt_cpus_has(&c, 0));     /* nothing is left set on failure */
	CHECK(!rt_cpus_has(&c, RT_CPUS));
}

/* Every other CPU: the longest list; a short buffer says so. */
static void t_format(void)
{
	struct rt_cpus c;
	char err[128], small[8], big[8192];
	int i, n;

	memset(&c, 0, sizeof c);
	CHECK_EQ(rt_cpulist_format(&c, big, sizeof big), 0);
	CHECK_STR(big, "");
	CHECK_EQ(rt_cpulist_parse("0,2,4,6,8,10", &c, err, sizeof err), 6);
	CHECK_EQ(rt_cpulist_format(&c, small, sizeof small), -ENOSPC);
	CHECK(strlen(small) < sizeof small);
	n = rt_cpulist_format(&c, big, sizeof big);
	CHECK_EQ(n, (int)strlen("0,2,4,6,8,10"));
	CHECK_STR(big, "0,2,4,6,8,10");
	/* the formatter's output parses back into the same set */
	memset(&c, 0, sizeof c);
	for (i = 0; i < CPU_SETSIZE; i += 3)
		c.bits[i / (8 * sizeof c.bits[0])] |= 1ul << (i % (8 * sizeof c.bits[0]));
	CHECK(rt_cpulist_format(&c, big, sizeof big) > 0);
	{
		struct rt_cpus back;

		CHECK_EQ(rt_cpulist_parse(big, &back, err, sizeof err), (CPU_SETSIZE + 2) / 3);
		CHECK_MEM(&back, &c, sizeof c);
	}
}

static const struct unit_case cases[] = {
	UNIT(t_rows),
	UNIT(t_setsize),
	UNIT(t_format),
};
UNIT_MAIN(cases)
