/* SPDX-License-Identifier: GPL-2.0-or-later */
/* shm.h - read-only access to a cv-mmap POSIX shared-memory object.
 *
 * The consumer never maps the object: every byte it needs is copied out
 * with pread() on the SHM file descriptor (docs/contract.md §9 step 4).  A
 * producer that shrinks the object concurrently then yields a short read
 * instead of SIGBUS, and a fresh st_size is one fstat() away.
 */
#ifndef CVMMAP_SHM_H
#define CVMMAP_SHM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct shm_reader {
	char name[96];  /* "/cvmmap_default" */
	int fd;         /* -1 when closed */
	ino_t ino;
	dev_t dev;
	uint64_t size;  /* st_size at the last shm_refresh() */
};

void shm_init(struct shm_reader *r, const char *name);
/* shm_open(O_RDONLY) + fstat.  0 or -errno (-ENOENT: no producer yet). */
int shm_open_ro(struct shm_reader *r);
/* fstat the open object: 0 (r->size updated) or -errno. */
int shm_refresh(struct shm_reader *r);
/* Was the name re-created (new inode)?  Opens the name afresh; when the
 * inode differs, swaps the new descriptor in and returns 1.  0 = same
 * object, -errno = the name is gone (the old descriptor is kept). */
int shm_check_replaced(struct shm_reader *r);
/* Copy n bytes at absolute offset off.  0, or -EIO when the object ended
 * before off + n (it shrank), or -errno. */
int shm_read(const struct shm_reader *r, void *dst, size_t n, uint64_t off);
void shm_close(struct shm_reader *r);

#endif
