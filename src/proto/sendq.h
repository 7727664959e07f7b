/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sendq.h - the send window of a stream socket (pure: no socket, no clock).
 *
 * One linear buffer, allocated once, holds whole messages back to back
 * (RTMP chunks, RTSP interleaved packets, MPEG-TS packets ...), with a
 * ring of entries describing them: kind and the time they were queued.
 * The transport writes from sendq_unsent() and reports what the socket
 * took with sendq_consumed(); the window never blocks anyone.
 *
 * Congestion is judged in time, as latest-frame semantics want: when the
 * oldest unsent frame is older than the window (sendq_check), or a new
 * message does not fit, whole unsent frames are removed up to the newest
 * fresh keyframe - or all of them, and then the owner must wait for the
 * next keyframe (SENDQ_NEED_KEY).  A message partly written to the
 * socket, control messages and sequence headers are never removed, and
 * the order of what stays is kept.
 */
#ifndef CVMMAP_SENDQ_H
#define CVMMAP_SENDQ_H

#include <stddef.h>
#include <stdint.h>

enum sendq_kind {
	SQ_CTL,     /* protocol/control message: never dropped */
	SQ_SEQ,     /* codec configuration (sequence header): never dropped */
	SQ_KEY,     /* a keyframe */
	SQ_INTER,   /* any other frame */
};

struct sendq_ent {
	size_t off, len;        /* bytes in buf */
	uint64_t t_ns;          /* when queued */
	int kind;               /* enum sendq_kind */
	int started;            /* partly written: must be finished */
};

struct sendq {
	uint8_t *buf;
	size_t cap, head, tail; /* buf[head, tail) is unsent */
	struct sendq_ent *q;
	unsigned qmax, qh, qn;
	uint64_t window_ns;
	uint64_t frames_sent, frames_dropped, bytes_sent;
};

/* Result bits of sendq_drop() / sendq_check(). */
#define SENDQ_NEED_KEY 1   /* no fresh keyframe was left: wait for the next one */

/* Allocate cap bytes and qmax entries.  0 or -ENOMEM. */
int sendq_init(struct sendq *q, size_t cap, unsigned qmax, uint64_t window_ns);
void sendq_free(struct sendq *q);
/* Forget everything (new connection); counters stay. */
void sendq_reset(struct sendq *q);

/* Room for a message of up to n bytes at the tail, or NULL when it does
 * not fit (even after moving the unsent bytes to the front). */
uint8_t *sendq_reserve(struct sendq *q, size_t n);
/* The message just written at sendq_reserve()'s pointer is len bytes. */
int sendq_commit(struct sendq *q, size_t len, int kind, uint64_t now_ns);
/* Copy a message in (reserve + memcpy + commit).  0 or -ENOSPC. */
int sendq_put(struct sendq *q, const void *p, size_t len, int kind, uint64_t now_ns);

/* The unsent bytes, in order; *n = 0 when none. */
const uint8_t *sendq_unsent(const struct sendq *q, size_t *n);
/* The socket took n of them.  Returns the frames (SQ_KEY/SQ_INTER) that
 * went out completely. */
unsigned sendq_consumed(struct sendq *q, size_t n);
static inline size_t sendq_pending(const struct sendq *q) { return q->tail - q->head; }

/* Remove unsent frames up to the newest keyframe younger than the window
 * (all of them when there is none).  Returns SENDQ_NEED_KEY when no
 * keyframe was kept; the count goes to frames_dropped (*dropped too). */
int sendq_drop(struct sendq *q, uint64_t now_ns, unsigned *dropped);
/* The time rule: drop when the oldest unsent frame is older than the
 * window.  Same return as sendq_drop (0 when nothing was too old). */
int sendq_check(struct sendq *q, uint64_t now_ns, unsigned *dropped);
/* When the oldest unsent frame will be too old (0: no unsent frame). */
uint64_t sendq_deadline(const struct sendq *q);

#endif
