/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sendq.c - byte-bounded, time-judged send window (see sendq.h). */
#include "proto/sendq.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static struct sendq_ent *at(const struct sendq *q, unsigned i)
{
	return &q->q[(q->qh + i) % q->qmax];
}

static int is_frame(int kind)
{
	return kind == SQ_KEY || kind == SQ_INTER;
}

int sendq_init(struct sendq *q, size_t cap, unsigned qmax, uint64_t window_ns)
{
	memset(q, 0, sizeof *q);
	q->buf = malloc(cap);
	q->q = calloc(qmax, sizeof *q->q);
	if (!q->buf || !q->q || !qmax) {
		sendq_free(q);
		return -ENOMEM;
	}
	q->cap = cap;
	q->qmax = qmax;
	q->window_ns = window_ns;
	return 0;
}

void sendq_free(struct sendq *q)
{
	free(q->buf);
	free(q->q);
	q->buf = NULL;
	q->q = NULL;
}

void sendq_reset(struct sendq *q)
{
	q->head = q->tail = 0;
	q->qh = q->qn = 0;
}

/* Move the unsent bytes to the front of buf. */
static void compact(struct sendq *q)
{
	size_t sh = q->head;
	unsigned i;

	if (!sh)
		return;
	memmove(q->buf, q->buf + sh, q->tail - sh);
	q->tail -= sh;
	q->head = 0;
	for (i = 0; i < q->qn; i++) {
		struct sendq_ent *e = at(q, i);

		if (e->off < sh) {      /* the partly sent head: keep the rest */
			e->len -= sh - e->off;
			e->off = 0;
		} else {
			e->off -= sh;
		}
	}
}

uint8_t *sendq_reserve(struct sendq *q, size_t n)
{
	if (q->qn == q->qmax)
		return NULL;
	if (q->cap - q->tail < n)
		compact(q);
	if (q->cap - q->tail < n)
		return NULL;
	return q->buf + q->tail;
}

int sendq_commit(struct sendq *q, size_t len, int kind, uint64_t now_ns)
{
	struct sendq_ent *e;

	if (q->qn == q->qmax || q->cap - q->tail < len)
		return -ENOSPC;
	e = at(q, q->qn++);
	e->off = q->tail;
	e->len = len;
	e->t_ns = now_ns;
	e->kind = kind;
	e->started = 0;
	q->tail += len;
	return 0;
}

int sendq_put(struct sendq *q, const void *p, size_t len, int kind, uint64_t now_ns)
{
	uint8_t *dst = sendq_reserve(q, len);

	if (!dst)
		return -ENOSPC;
	memcpy(dst, p, len);
	return sendq_commit(q, len, kind, now_ns);
}

const uint8_t *sendq_unsent(const struct sendq *q, size_t *n)
{
	*n = q->tail - q->head;
	return q->buf + q->head;
}

unsigned sendq_consumed(struct sendq *q, size_t n)
{
	unsigned frames = 0;

	if (n > q->tail - q->head)
		n = q->tail - q->head;
	q->head += n;
	q->bytes_sent += n;
	while (q->qn) {
		struct sendq_ent *e = at(q, 0);

		if (e->off + e->len > q->head)
			break;
		frames += is_frame(e->kind);
		q->qh = (q->qh + 1) % q->qmax;
		q->qn--;
	}
	if (q->qn && at(q, 0)->off < q->head)
		at(q, 0)->started = 1;
	if (q->head == q->tail)
		q->head = q->tail = 0;
	q->frames_sent += frames;
	return frames;
}

/* Index of the first entry not yet touched by the socket. */
static unsigned first_unsent(const struct sendq *q)
{
	return q->qn && at(q, 0)->started ? 1 : 0;
}

int sendq_drop(struct sendq *q, uint64_t now_ns, unsigned *dropped)
{
	unsigned i, n = q->qn, keep_from = n, out, d = 0;
	size_t w;

	for (i = first_unsent(q); i < n; i++) {
		struct sendq_ent *e = at(q, i);

		if (e->kind == SQ_KEY && now_ns - e->t_ns < q->window_ns)
			keep_from = i;
	}
	i = first_unsent(q);
	out = i;
	w = i ? at(q, 0)->off + at(q, 0)->len : q->head;
	for (; i < n; i++) {
		struct sendq_ent tmp = *at(q, i);

		if (is_frame(tmp.kind) && i < keep_from) {
			d++;
			continue;
		}
		if (w != tmp.off)
			memmove(q->buf + w, q->buf + tmp.off, tmp.len);
		tmp.off = w;
		w += tmp.len;
		*at(q, out++) = tmp;
	}
	q->qn = out;
	q->tail = w;
	q->frames_dropped += d;
	if (dropped)
		*dropped = d;
	return keep_from == n ? SENDQ_NEED_KEY : 0;
}

int sendq_check(struct sendq *q, uint64_t now_ns, unsigned *dropped)
{
	unsigned i;

	if (dropped)
		*dropped = 0;
	for (i = first_unsent(q); i < q->qn; i++) {
		struct sendq_ent *e = at(q, i);

		if (is_frame(e->kind))
			return now_ns - e->t_ns > q->window_ns ? sendq_drop(q, now_ns, dropped) : 0;
	}
	return 0;
}

uint64_t sendq_deadline(const struct sendq *q)
{
	unsigned i;

	for (i = first_unsent(q); i < q->qn; i++) {
		const struct sendq_ent *e = at(q, i);

		if (is_frame(e->kind))
			return e->t_ns + q->window_ns + 1;
	}
	return 0;
}
