/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_sendq.c - the send window without sockets (proto/sendq.h). */
#include "unit.h"
#include "proto/sendq.h"

#define MS 1000000ull

/* A queue script: each step puts a message (kind, time, one letter
 * repeated len times), or lets the "socket" take n bytes, or checks the
 * window at a time.  The unsent bytes at the end are compared. */
enum { PUT, TAKE, CHECK, DROP };

struct step {
	int op;
	int kind;          /* PUT */
	uint64_t t;        /* PUT, CHECK, DROP: ms */
	size_t n;          /* PUT: length, TAKE: bytes */
	char c;            /* PUT: fill byte */
	int want;          /* CHECK/DROP: return value */
	unsigned dropped;  /* CHECK/DROP: frames dropped */
};

#define P(k, t, n, c) { PUT, k, t, n, c, 0, 0 }
#define T(n) { TAKE, 0, 0, n, 0, 0, 0 }
#define C(t, w, d) { CHECK, 0, t, 0, 0, w, d }
#define D(t, w, d) { DROP, 0, t, 0, 0, w, d }

struct script {
	const char *name;
	struct step s[12];
	const char *unsent;   /* expected unsent bytes, letters */
};

static const struct script scripts[] = {
	{ "fresh frames stay", {
		P(SQ_CTL, 0, 2, 'c'), P(SQ_KEY, 0, 3, 'K'), P(SQ_INTER, 10, 2, 'i'),
		C(700, 0, 0),
	}, "ccKKKii" },
	{ "old frames go up to the newest fresh keyframe", {
		P(SQ_KEY, 0, 2, 'A'), P(SQ_INTER, 100, 1, 'a'),
		P(SQ_SEQ, 200, 1, 's'), P(SQ_KEY, 500, 2, 'B'), P(SQ_INTER, 600, 1, 'b'),
		C(800, 0, 2),
	}, "sBBb" },
	{ "no fresh keyframe: all frames go, control stays, wait for a key", {
		P(SQ_KEY, 0, 2, 'A'), P(SQ_CTL, 50, 1, 'c'), P(SQ_INTER, 100, 1, 'a'),
		C(900, SENDQ_NEED_KEY, 2),
	}, "c" },
	{ "a frame the socket started is finished", {
		P(SQ_KEY, 0, 4, 'A'), P(SQ_INTER, 10, 2, 'a'), T(1),
		C(900, SENDQ_NEED_KEY, 1),
	}, "AAA" },
	{ "the window is strict: exactly 700 ms old stays", {
		P(SQ_KEY, 0, 1, 'A'), C(700, 0, 0), C(701, SENDQ_NEED_KEY, 1),
	}, "" },
	{ "sent frames are gone, the rest in order", {
		P(SQ_KEY, 0, 2, 'A'), P(SQ_INTER, 0, 2, 'b'), T(3),
		P(SQ_INTER, 5, 1, 'c'), T(1),
	}, "c" },
	{ "drop on demand (a new message does not fit)", {
		P(SQ_KEY, 0, 2, 'A'), P(SQ_INTER, 1, 2, 'a'), P(SQ_KEY, 2, 1, 'B'),
		D(3, 0, 2),
	}, "B" },
};

static void t_scripts(void)
{
	size_t k, i;

	for (k = 0; k < sizeof scripts / sizeof scripts[0]; k++) {
		const struct script *sc = &scripts[k];
		struct sendq q;
		char got[64];
		size_t n;
		const uint8_t *p;

		CHECK_EQ(sendq_init(&q, 64, 8, 700 * MS), 0);
		for (i = 0; i < 12 && (sc->s[i].op || sc->s[i].n || sc->s[i].t); i++) {
			const struct step *s = &sc->s[i];
			unsigned d = 99;
			char b[16];

			switch (s->op) {
			case PUT:
				memset(b, s->c, s->n);
				CHECK_EQ(sendq_put(&q, b, s->n, s->kind, s->t * MS), 0);
				break;
			case TAKE:
				sendq_consumed(&q, s->n);
				break;
			case CHECK:
			case DROP:
				if ((s->op == CHECK ? sendq_check(&q, s->t * MS, &d) :
				     sendq_drop(&q, s->t * MS, &d)) != s->want || d != s->dropped) {
					printf("    %s: step %zu\n", sc->name, i);
					CHECK(0);
				}
				break;
			}
		}
		p = sendq_unsent(&q, &n);
		CHECK(n < sizeof got);
		memcpy(got, p, n);
		got[n] = '\0';
		if (strcmp(got, sc->unsent))
			printf("    %s: unsent '%s', want '%s'\n", sc->name, got, sc->unsent);
		CHECK_STR(got, sc->unsent);
		sendq_free(&q);
	}
}

static void t_full(void)
{
	struct sendq q;
	uint8_t b[40];

	memset(b, 'x', sizeof b);
	CHECK_EQ(sendq_init(&q, 100, 3, 700 * MS), 0);
	CHECK_EQ(sendq_put(&q, b, 40, SQ_KEY, 0), 0);
	CHECK_EQ(sendq_put(&q, b, 40, SQ_INTER, 0), 0);
	CHECK(sendq_put(&q, b, 40, SQ_INTER, 0) < 0);     /* bytes */
	sendq_consumed(&q, 40);                             /* frees the front */
	CHECK_EQ(sendq_put(&q, b, 40, SQ_INTER, 0), 0);   /* compaction made room */
	CHECK_EQ(q.frames_sent, 1);
	CHECK_EQ(sendq_put(&q, b, 1, SQ_CTL, 0), 0);
	CHECK(sendq_put(&q, b, 1, SQ_CTL, 0) < 0);         /* entries */
	CHECK_EQ(sendq_pending(&q), 81);
	sendq_reset(&q);
	CHECK_EQ(sendq_pending(&q), 0);
	sendq_free(&q);
}

static void t_deadline(void)
{
	struct sendq q;

	CHECK_EQ(sendq_init(&q, 64, 8, 700 * MS), 0);
	CHECK(sendq_deadline(&q) == 0);
	sendq_put(&q, "c", 1, SQ_CTL, 5 * MS);
	CHECK(sendq_deadline(&q) == 0);                     /* only frames age */
	sendq_put(&q, "k", 1, SQ_KEY, 10 * MS);
	CHECK(sendq_deadline(&q) == 710 * MS + 1);
	sendq_free(&q);
}

static const struct unit_case cases[] = {
	UNIT(t_scripts),
	UNIT(t_full),
	UNIT(t_deadline),
};
UNIT_MAIN(cases)
