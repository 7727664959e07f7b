/* SPDX-License-Identifier: GPL-2.0-or-later */
/* target.h - cv-mmap target names -> SHM object, ZMQ endpoint, NATS key.
 *
 * docs/contract.md §2: a target is a plain instance name ("default") or
 * a URI "cvmmap://<instance>[@<prefix>][?namespace=<ns>]".  Pure code: no
 * I/O, nothing allocated.
 */
#ifndef CVMMAP_TARGET_H
#define CVMMAP_TARGET_H

#include <stddef.h>

#define CVMMAP_INSTANCE_MAX 23   /* fits the 24-byte label with a NUL */
#define CVMMAP_NAMESPACE_MAX 32
#define CVMMAP_SUN_PATH_MAX 107  /* <prefix>/<base_name>, sun_path limit */

struct cvmmap_target {
	char instance[CVMMAP_INSTANCE_MAX + 1];   /* "default" */
	char ns[CVMMAP_NAMESPACE_MAX + 1];        /* "cvmmap" */
	char prefix[CVMMAP_SUN_PATH_MAX + 1];     /* "/tmp" */
	char base_name[CVMMAP_NAMESPACE_MAX + CVMMAP_INSTANCE_MAX + 2];
	char shm_name[CVMMAP_NAMESPACE_MAX + CVMMAP_INSTANCE_MAX + 3]; /* "/cvmmap_default" */
	char zmq_endpoint[CVMMAP_SUN_PATH_MAX + 7];  /* "ipc:///tmp/cvmmap_default" */
	char nats_key[CVMMAP_NAMESPACE_MAX + CVMMAP_INSTANCE_MAX + 2];
	char label[CVMMAP_INSTANCE_MAX + 1];      /* label in binary messages */
};

/* Resolve a plain name or cvmmap:// URI.  Returns 0, or -EINVAL with one
 * human-readable line in err (which rule was broken). */
int cvmmap_target_resolve(const char *target, struct cvmmap_target *out,
			  char *err, size_t errlen);

/* The original tool's explicit form: --shm-name NAME --zmq-endpoint URI
 * (label may be NULL: accept any instance).  A missing leading '/' is
 * added to the SHM name.  Returns 0 or -EINVAL with err. */
int cvmmap_target_explicit(const char *shm_name, const char *zmq_endpoint,
			   const char *label, struct cvmmap_target *out,
			   char *err, size_t errlen);

/* 1 when s is a valid instance name (docs/contract.md §2), else 0. */
int cvmmap_instance_valid(const char *s);

#endif
