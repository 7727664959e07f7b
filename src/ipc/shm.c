/* SPDX-License-Identifier: GPL-2.0-or-later */
/* shm.c - SIGBUS-free reads of a cv-mmap SHM object (shm.h). */
#include "ipc/shm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
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

void shm_close(struct shm_reader *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
}
