/* SPDX-License-Identifier: GPL-2.0-or-later */
/* alloc_count.c - LD_PRELOAD shim that counts heap allocations (test only).
 *
 * Interposes malloc, calloc, realloc and the aligned allocators of glibc
 * and forwards them to glibc's own __libc_* entry points.  It also watches
 * the sinks' output calls (send, sendmmsg): the allocation count is noted
 * at output call number ALLOC_MARK (default 50, well after start-up) and
 * at the ALLOC_TAIL-th last (default 4: the shutdown's own outputs, such
 * as an RTCP BYE sent after the input has stopped, are not frames), so
 * "steady" = allocations between the two = allocations while frames
 * flow, without start-up or shutdown.  At exit
 * it writes "allocs N", "sends N" and "steady N" to ALLOC_COUNT_FILE.
 * Works for dynamic and mostly-static builds (glibc is dynamic there);
 * not for fully static ones.
 *
 * For a sink whose packets leave from a library's own threads (libsrt:
 * sendmsg() on its "SRT:SndQ" thread), ALLOC_SENDMSG=1 also counts
 * sendmsg() as an output call, and ALLOC_SKIP_THREADS=PREFIX does not
 * count allocations made on threads whose name starts with PREFIX (the
 * library's own; counted apart as "skipped N").  Allocations the library
 * makes on our threads (inside srt_sendmsg2(), say) still count.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

#define TAIL_MAX 16
static unsigned long long allocs, sends, at_mark, mark = 50, tail = 4;
static unsigned long long at_send[TAIL_MAX];   /* allocs at the last sends */
static unsigned long long skipped;
static char skip_prefix[16];
static size_t skip_len;
static int count_sendmsg;
static ssize_t (*real_send)(int, const void *, size_t, int);
static ssize_t (*real_sendmsg)(int, const struct msghdr *, int);
static int (*real_sendmmsg)(int, struct mmsghdr *, unsigned int, int);

/* The thread's name starts with ALLOC_SKIP_THREADS (read each time: a
 * library names its threads after they start). */
static int skipped_thread(void)
{
	char name[17] = "";

	if (!skip_len || prctl(PR_GET_NAME, name) != 0)
		return 0;
	return strncmp(name, skip_prefix, skip_len) == 0;
}

#define COUNT() __atomic_fetch_add(skipped_thread() ? &skipped : &allocs, 1, __ATOMIC_RELAXED)

static void on_output(void)
{
	unsigned long long n = __atomic_add_fetch(&sends, 1, __ATOMIC_RELAXED);
	unsigned long long a = __atomic_load_n(&allocs, __ATOMIC_RELAXED);

	if (n == mark)
		__atomic_store_n(&at_mark, a, __ATOMIC_RELAXED);
	__atomic_store_n(&at_send[n % TAIL_MAX], a, __ATOMIC_RELAXED);
}

__attribute__((constructor)) static void init(void)
{
	const char *m = getenv("ALLOC_MARK");

	if (m && atoi(m) > 0)
		mark = (unsigned long long)atoi(m);
	m = getenv("ALLOC_TAIL");
	if (m && atoi(m) > 0 && atoi(m) < TAIL_MAX)
		tail = (unsigned long long)atoi(m);
	m = getenv("ALLOC_SKIP_THREADS");
	if (m && *m) {
		strncpy(skip_prefix, m, sizeof skip_prefix - 1);
		skip_len = strlen(skip_prefix);
	}
	m = getenv("ALLOC_SENDMSG");
	count_sendmsg = m && *m == '1';
	real_send = (ssize_t (*)(int, const void *, size_t, int))dlsym(RTLD_NEXT, "send");
	real_sendmsg = (ssize_t (*)(int, const struct msghdr *, int))dlsym(RTLD_NEXT, "sendmsg");
	real_sendmmsg = (int (*)(int, struct mmsghdr *, unsigned int, int))
		dlsym(RTLD_NEXT, "sendmmsg");
}

ssize_t send(int fd, const void *b, size_t n, int flags)
{
	on_output();
	return real_send(fd, b, n, flags);
}

ssize_t sendmsg(int fd, const struct msghdr *m, int flags)
{
	if (count_sendmsg)
		on_output();
	if (!real_sendmsg) {
		errno = ENOSYS;
		return -1;
	}
	return real_sendmsg(fd, m, flags);
}

int sendmmsg(int fd, struct mmsghdr *v, unsigned int n, int flags)
{
	on_output();
	return real_sendmmsg(fd, v, n, flags);
}

void *malloc(size_t n)
{
	COUNT();
	return __libc_malloc(n);
}

void *calloc(size_t a, size_t b)
{
	COUNT();
	return __libc_calloc(a, b);
}

void *realloc(void *p, size_t n)
{
	COUNT();
	return __libc_realloc(p, n);
}

void *memalign(size_t al, size_t n)
{
	COUNT();
	return __libc_memalign(al, n);
}

void *aligned_alloc(size_t al, size_t n)
{
	COUNT();
	return __libc_memalign(al, n);
}

int posix_memalign(void **out, size_t al, size_t n)
{
	void *p;

	COUNT();
	p = __libc_memalign(al, n);
	if (!p)
		return ENOMEM;
	*out = p;
	return 0;
}

void free(void *p)
{
	__libc_free(p);
}

__attribute__((destructor)) static void report(void)
{
	const char *path = getenv("ALLOC_COUNT_FILE");
	FILE *f;

	if (!path || !(f = fopen(path, "w")))
		return;
	fprintf(f, "allocs %llu\nsends %llu\n", allocs, sends);
	if (skip_len)
		fprintf(f, "skipped %llu\n", skipped);
	/* the window is output call mark .. sends - tail (inclusive) */
	if (sends >= mark + tail)
		fprintf(f, "steady %llu\n", at_send[(sends - tail) % TAIL_MAX] - at_mark);
	fclose(f);
}
