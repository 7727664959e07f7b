/* SPDX-License-Identifier: GPL-2.0-or-later */
/* null_sink.c - an output that discards (CONFIG_SINK_NULL).
 *
 * `--null` encodes and throws the access units away, counting them:
 * the cost of capture + encode alone (benchmarks), and the smallest
 * example of a sink-table row (docs/hacking.md).
 */
#include "proto/sink.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct null_opts {
	int enable;
};

struct null_sink {
	uint64_t aus, bytes, keyframes;
};

static struct null_opts null_cfg;

static const struct opt null_rows[] = {
	{ "null", OPT_FLAG, G_OUTPUT, 0, OPT_OFF(struct null_opts, enable), 0, 0, NULL, NULL,
	  "discard the encoded stream (benchmarks, tests)", NULL, NULL },
};

static void null_defaults(void *cfg)
{
	memset(cfg, 0, sizeof(struct null_opts));
}

static int null_enabled(const void *cfg)
{
	return ((const struct null_opts *)cfg)->enable;
}

static int null_open(void **out, const void *cfg, const struct sink_env *env)
{
	*out = calloc(1, sizeof(struct null_sink));
	return *out ? 0 : -ENOMEM;
}

static void null_put(void *st, const struct access_unit *au, uint64_t now)
{
	struct null_sink *s = st;

	s->aus++;
	s->bytes += au->size;
	s->keyframes += au->keyframe != 0;
}

static int null_stats(const void *st, int json, char *buf, size_t cap)
{
	const struct null_sink *s = st;

	return snprintf(buf, cap, json ? "{\"aus\":%llu,\"bytes\":%llu,\"keyframes\":%llu}" :
			"aus=%llu bytes=%llu keyframes=%llu", (unsigned long long)s->aus,
			(unsigned long long)s->bytes, (unsigned long long)s->keyframes);
}

static void null_metrics(const void *st, struct sink_metrics *m)
{
	const struct null_sink *s = st;

	m->bytes = s->bytes;
	m->aus = s->aus;
	m->connected = 1;
}

static void null_close(void *st)
{
	free(st);
}

const struct sink_ops null_sink_ops = {
	.name = "null",
	.opts = null_rows,
	.nopts = 1,
	.cfg = &null_cfg,
	.defaults = null_defaults,
	.enabled = null_enabled,
	.open = null_open,
	.put = null_put,
	.metrics = null_metrics,
	.stats = null_stats,
	.close = null_close,
};
