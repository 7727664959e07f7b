/* SPDX-License-Identifier: GPL-2.0-or-later */
/* shm.h - read-only access to a cv-mmap POSIX shared-memory object.
 *
 * Small reads (the 256-byte metadata, its re-check) are pread() copies:
 * a producer that shrinks the object concurrently yields a short read,
 * and a fresh st_size is one fstat() away.  The large payloads are read
 * where they are, through a read-only mapping (shm_map), so a frame is
 * converted straight from the producer's memory into the encoder's
 * picture (docs/contract.md §9 step 4).  A shrink under such a read
 * raises SIGBUS; shm_guarded() turns it into an error return on the
 * reading thread.
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
	const uint8_t *map; /* read-only view of map_len bytes, or NULL */
	size_t map_len;
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
/* Map the open object read-only, at least r->size bytes.  The view
 * only grows: it is replaced when the object outgrew it, kept when the
 * object shrank (reads past the end then fault: use shm_guarded).
 * 0 or -errno. */
int shm_map(struct shm_reader *r);
/* Run fn(arg) under this thread's SIGBUS guard: a fault in a mapped read
 * (the producer truncated the object under us) abandons fn and returns
 * -EFAULT instead of killing the process; otherwise 0.  fn must only
 * read the mapping and write the caller's buffers (it is cut short at
 * any point), and must not nest another shm_guarded(). */
int shm_guarded(void (*fn)(void *arg), void *arg);
/* 0 when the environment says CVMMAP_SHM_READ=copy: read with
 * shm_read() only.  For systems that do not hand the SIGBUS of a
 * truncated mapping to the program (qemu-user 7.2 kills it instead: the
 * aarch64 suites set it); 1 otherwise. */
int shm_map_allowed(void);
void shm_close(struct shm_reader *r);

#endif
