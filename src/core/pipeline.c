/* pipeline.c - placeholder until the pipeline lands (issue 7). */
#include "core/pipeline.h"
#include "util/exitcodes.h"
#include "util/log.h"

int pipeline_run(const struct streamer_opts *o)
{
	(void)o;
	log_error("pipeline", "the streaming pipeline is not implemented yet");
	return EXIT_INIT;
}
