/* SPDX-License-Identifier: GPL-2.0-or-later */
/* unit.h - a one-header, table-driven unit-test harness.
 *
 *   static void t_something(void) { CHECK(1 + 1 == 2); CHECK_EQ(x, 3); }
 *   static const struct unit_case cases[] = { UNIT(t_something), ... };
 *   UNIT_MAIN(cases)
 *
 * Each binary prints one line per case ("ok"/"FAIL"/"skip") and ends with
 * "<name>: N passed, N failed[, N skipped]"; exit 0 only when nothing
 * failed.  test/run.sh adds the counts of all binaries and suites.
 *
 * A case fails on its first failing CHECK (the rest of the case is skipped
 * via longjmp), so later checks never run on garbage.  UNIT_SKIP("why")
 * ends a case as skipped.
 */
#ifndef CVMMAP_UNIT_H
#define CVMMAP_UNIT_H

#include <inttypes.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct unit_case {
	const char *name;
	void (*fn)(void);
};

#define UNIT(fn) { #fn, fn }

static jmp_buf unit_jmp;
static int unit_outcome; /* 0 ok, 1 fail, 2 skip */

static void unit_fail(const char *file, int line, const char *what)
{
	printf("    %s:%d: %s\n", file, line, what);
	unit_outcome = 1;
	longjmp(unit_jmp, 1);
}

#define CHECK(cond) \
	do { if (!(cond)) unit_fail(__FILE__, __LINE__, "CHECK(" #cond ")"); } while (0)

#define CHECK_EQ(a, b) \
	do { long long a_ = (long long)(a), b_ = (long long)(b); \
	     if (a_ != b_) { char m_[256]; \
		snprintf(m_, sizeof m_, "%s == %s (%lld != %lld)", #a, #b, a_, b_); \
		unit_fail(__FILE__, __LINE__, m_); } } while (0)

#define CHECK_STR(a, b) \
	do { const char *a_ = (a), *b_ = (b); \
	     if (!a_ || !b_ || strcmp(a_, b_)) { char m_[512]; \
		snprintf(m_, sizeof m_, "%s == %s (\"%.200s\" != \"%.200s\")", #a, #b, \
			 a_ ? a_ : "(null)", b_ ? b_ : "(null)"); \
		unit_fail(__FILE__, __LINE__, m_); } } while (0)

/* Compare n bytes; on mismatch print the first differing offset. */
#define CHECK_MEM(a, b, n) \
	do { const unsigned char *a_ = (const unsigned char *)(a), \
			    *b_ = (const unsigned char *)(b); size_t n_ = (n), i_; \
	     for (i_ = 0; i_ < n_ && a_[i_] == b_[i_]; i_++) ; \
	     if (i_ < n_) { char m_[256]; \
		snprintf(m_, sizeof m_, "%s == %s: differ at byte %zu (%02x != %02x)", \
			 #a, #b, i_, a_[i_], b_[i_]); \
		unit_fail(__FILE__, __LINE__, m_); } } while (0)

#define UNIT_SKIP(why) \
	do { printf("    skip: %s\n", why); unit_outcome = 2; longjmp(unit_jmp, 1); } while (0)

/* Parse whitespace-separated hex ("7d 00 01") into out; returns bytes or -1. */
static inline int unit_hex(const char *s, unsigned char *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;

	for (; *s; s++) {
		int v;
		if (*s >= '0' && *s <= '9') v = *s - '0';
		else if (*s >= 'a' && *s <= 'f') v = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F') v = *s - 'A' + 10;
		else continue;
		if (hi < 0) { hi = v; continue; }
		if (n >= cap) return -1;
		out[n++] = (unsigned char)(hi << 4 | v);
		hi = -1;
	}
	return hi < 0 ? (int)n : -1;
}

/* setjmp lives in its own frame so the caller's counters cannot be
 * clobbered by the longjmp of a failing CHECK. */
static int unit_call(void (*fn)(void))
{
	unit_outcome = 0;
	if (!setjmp(unit_jmp))
		fn();
	return unit_outcome;
}

static int unit_run(const char *prog, const struct unit_case *c, size_t n)
{
	int pass = 0, fail = 0, skip = 0;
	const char *only = getenv("UNIT_ONLY");
	size_t i;

	for (i = 0; i < n; i++) {
		if (only && strcmp(only, c[i].name))
			continue;
		int r = unit_call(c[i].fn);

		if (r == 0) { pass++; printf("ok   %s\n", c[i].name); }
		else if (r == 2) { skip++; printf("skip %s\n", c[i].name); }
		else { fail++; printf("FAIL %s\n", c[i].name); }
		fflush(stdout);
	}
	printf("%s: %d passed, %d failed, %d skipped\n", prog, pass, fail, skip);
	return fail ? 1 : 0;
}

#define UNIT_MAIN(cases) \
	int main(int argc, char **argv) { \
		const char *p_ = strrchr(argv[0], '/'); (void)argc; \
		return unit_run(p_ ? p_ + 1 : argv[0], cases, sizeof cases / sizeof cases[0]); }

#endif
