/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cvmmap_nats.h - cv-mmap NATS subject names (pure).
 *
 * docs/contract.md §6.2: every subject is "cvmmap.<key>.<suffix>" where <key>
 * is the NATS target key (section 2: the base name with '.' -> '_').
 * The producer answers control requests under ".producer" (E3) or
 * ".control" (E2); the streamer's own subjects live under ".streamer"
 * (project subjects, docs/nats.md).
 */
#ifndef CVMMAP_CVMMAP_NATS_H
#define CVMMAP_CVMMAP_NATS_H

#include <stddef.h>

enum cvmmap_subject {
	CVMMAP_SUBJ_STATUS,               /* cvmmap.<key>.status (ModuleStatusEvent) */
	CVMMAP_SUBJ_BODY,                 /* cvmmap.<key>.body (body tracking v1) */
	CVMMAP_SUBJ_PRODUCER_SOURCE_INFO, /* cvmmap.<key>.producer.source.info (E3) */
	CVMMAP_SUBJ_CONTROL_SOURCE_INFO,  /* cvmmap.<key>.control.source.info (E2) */
	CVMMAP_SUBJ_STREAMER_STATUS,      /* cvmmap.<key>.streamer.status (ours, JSON) */
	CVMMAP_SUBJ_STREAMER_STATS,       /* cvmmap.<key>.streamer.stats (ours, req/rep) */
};

/* Write the subject into out[cap] (NUL-terminated).  Returns its length,
 * or -1 when the key is not one NATS token (empty, '.', '*', '>',
 * whitespace) or the result does not fit. */
int cvmmap_subject(char *out, size_t cap, const char *key, enum cvmmap_subject which);

/* NATS target key from a base name ("cvmmap_cam.1" -> "cvmmap_cam_1").
 * Returns the length, or -1 when it does not fit. */
int cvmmap_nats_key(char *out, size_t cap, const char *base_name);

#endif
