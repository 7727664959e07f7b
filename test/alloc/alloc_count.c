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
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

#define TAIL_MAX 16
static unsigned long long allocs, sends, at_mark, mark = 50, tail = 4;
static unsigned long long at_send[TAIL_MAX];   /* allocs at the last sends */
static ssize_t (*real_send)(int, const void *, size_t, int);
static int (*real_sendmmsg)(int, struct mmsghdr *, unsigned int, int);

#define COUNT() __atomic_fetch_add(&allocs, 1, __ATOMIC_RELAXED)

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
	real_send = (ssize_t (*)(int, const void *, size_t, int))dlsym(RTLD_NEXT, "send");
	real_sendmmsg = (int (*)(int, struct mmsghdr *, unsigned int, int))
		dlsym(RTLD_NEXT, "sendmmsg");
}

ssize_t send(int fd, const void *b, size_t n, int flags)
{
	on_output();
	return real_send(fd, b, n, flags);
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
	/* the window is output call mark .. sends - tail (inclusive) */
	if (sends >= mark + tail)
		fprintf(f, "steady %llu\n", at_send[(sends - tail) % TAIL_MAX] - at_mark);
	fclose(f);
}
