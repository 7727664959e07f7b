/* SPDX-License-Identifier: GPL-2.0-or-later */
/* main.c - cvmmap_streamer: command line -> configuration -> pipeline. */
#include "codec/enc_selftest.h"
#include "config/opts.h"
#include "core/pipeline.h"
#include "proto/sink.h"
#include "util/exitcodes.h"
#include "util/log.h"

#include <stdio.h>
#include <string.h>

/* Features, then the outputs: the sink table's rows and what it left out. */
static void print_version(void)
{
	const struct sink_ops *const *t;
	const char *const *a;
	size_t i;

	printf("cvmmap_streamer %s (%s link)\nfeatures:", CVMMAP_VERSION,
	       CONFIG_LINK_FULLY_STATIC ? "fully static" :
	       CONFIG_LINK_MOSTLY_STATIC ? "mostly static" : "dynamic");
	for (i = 0; build_features[i].name; i++)
		printf(" %c%s", build_features[i].on ? '+' : '-', build_features[i].name);
	for (t = sink_table; *t; t++)
		printf(" +%s", (*t)->name);
	for (a = sink_absent; *a; a++)
		printf(" -%s", *a);
	printf("\n");
}

/* --self-test: the encoder alone, on frames of the dummy input's size. */
static int self_test(const struct streamer_opts *o)
{
	struct encoder_cfg c;

	cli_encoder_cfg(o, &c);
	c.width = (uint32_t)o->dummy_width & ~1u;
	c.height = (uint32_t)o->dummy_height & ~1u;
	c.fps_num = (uint32_t)o->dummy_fps;
	c.fps_den = 1;
	return encoder_self_test(&c, o->dummy_frames > 0 ? o->dummy_frames : 10, stdout);
}

int main(int argc, char **argv)
{
	struct streamer_opts o;
	char err[256];
	int rc;

	cli_defaults(&o);
	rc = cli_parse(&o, argc, argv, err, sizeof err);
	if (rc) {
		fprintf(stderr, "cvmmap_streamer: %s\n", err);
		return rc;
	}
	if (o.help) {
		cli_help(stdout, "cvmmap_streamer");
		return EXIT_OK;
	}
	if (o.version) {
		print_version();
		return EXIT_OK;
	}
	rc = cli_validate(&o, err, sizeof err);
	if (rc) {
		fprintf(stderr, "cvmmap_streamer: %s\n", err);
		return rc;
	}
	log_set_level((enum log_level)o.log_level);
	if (o.self_test)
		return self_test(&o);
	return pipeline_run(&o);
}
