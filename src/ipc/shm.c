/* SPDX-License-Identifier: GPL-2.0-or-later */
/* shm.c - reads of a cv-mmap SHM object that a shrink cannot crash (shm.h). */
#include "ipc/shm.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

void shm_init(struct shm_reader *r, const char *name)
{
	memset(r, 0, sizeof *r);
	snprintf(r->name, sizeof r->name, "%s", name);
	r->fd = -1;
}

static int open_stat(const char *name, int *fd, struct stat *st)
{
	*fd = shm_open(name, O_RDONLY, 0);
	if (*fd < 0)
		return -errno;
	if (fstat(*fd, st) < 0) {
		int e = -errno;

		close(*fd);
		*fd = -1;
		return e;
	}
	return 0;
}

int shm_open_ro(struct shm_reader *r)
{
	struct stat st;
	int fd, e;

	e = open_stat(r->name, &fd, &st);
	if (e)
		return e;
	shm_close(r);
	r->fd = fd;
	r->ino = st.st_ino;
	r->dev = st.st_dev;
	r->size = (uint64_t)st.st_size;
	return 0;
}

int shm_refresh(struct shm_reader *r)
{
	struct stat st;

	if (r->fd < 0)
		return -EBADF;
	if (fstat(r->fd, &st) < 0)
		return -errno;
	r->size = (uint64_t)st.st_size;
	return 0;
}

int shm_check_replaced(struct shm_reader *r)
{
	struct stat st;
	int fd, e;

	e = open_stat(r->name, &fd, &st);
	if (e)
		return e;
	if (r->fd >= 0 && st.st_ino == r->ino && st.st_dev == r->dev) {
		close(fd);
		return 0;
	}
	shm_close(r);
	r->fd = fd;
	r->ino = st.st_ino;
	r->dev = st.st_dev;
	r->size = (uint64_t)st.st_size;
	return 1;
}

int shm_read(const struct shm_reader *r, void *dst, size_t n, uint64_t off)
{
	uint8_t *d = dst;

	while (n) {
		ssize_t k = pread(r->fd, d, n, (off_t)off);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (k == 0)
			return -EIO;
		d += k;
		n -= (size_t)k;
		off += (uint64_t)k;
	}
	return 0;
}

int shm_map(struct shm_reader *r)
{
	void *m;

	if (r->fd < 0)
		return -EBADF;
	if (r->map && r->map_len >= r->size)
		return 0;
	if (r->size == 0 || r->size > SIZE_MAX)
		return -EINVAL;
	m = mmap(NULL, (size_t)r->size, PROT_READ, MAP_SHARED, r->fd, 0);
	if (m == MAP_FAILED)
		return -errno;
	if (r->map)
		munmap((void *)r->map, r->map_len);
	r->map = m;
	r->map_len = (size_t)r->size;
	return 0;
}

/* The guard: one jump buffer per thread, armed only while fn runs.  The
 * handler is installed once for the process (SA_NODEFER: the jump out
 * of it leaves SIGBUS unblocked, so no signal mask needs saving).  A
 * SIGBUS outside a guarded read is not ours: the default action. */
static __thread sigjmp_buf *guard_env;
static pthread_once_t guard_once = PTHREAD_ONCE_INIT;

static void on_sigbus(int sig, siginfo_t *si, void *ctx)
{
	sigjmp_buf *env = guard_env;

	(void)si;
	(void)ctx;
	if (env) {
		guard_env = NULL;
		siglongjmp(*env, 1);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void guard_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_sigbus;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
}

int shm_guarded(void (*fn)(void *arg), void *arg)
{
	sigjmp_buf env;

	pthread_once(&guard_once, guard_install);
	if (sigsetjmp(env, 0))
		return -EFAULT;         /* guard_env was cleared by the handler */
	guard_env = &env;
	fn(arg);
	guard_env = NULL;
	return 0;
}

int shm_map_allowed(void)
{
	const char *v = getenv("CVMMAP_SHM_READ");

	return !v || strcmp(v, "copy") != 0;
}

void shm_close(struct shm_reader *r)
{
	if (r->map)
		munmap((void *)r->map, r->map_len);
	r->map = NULL;
	r->map_len = 0;
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
}
