/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cvmmap_nats.c - see cvmmap_nats.h. */
#include "nats/cvmmap_nats.h"

#include <stdio.h>
#include <string.h>

static const char *const suffix[] = {
	[CVMMAP_SUBJ_STATUS] = "status",
	[CVMMAP_SUBJ_BODY] = "body",
	[CVMMAP_SUBJ_PRODUCER_SOURCE_INFO] = "producer.source.info",
	[CVMMAP_SUBJ_CONTROL_SOURCE_INFO] = "control.source.info",
	[CVMMAP_SUBJ_STREAMER_STATUS] = "streamer.status",
	[CVMMAP_SUBJ_STREAMER_STATS] = "streamer.stats",
};

int cvmmap_subject(char *out, size_t cap, const char *key, enum cvmmap_subject which)
{
	const char *k;
	int n;

	if ((unsigned)which >= sizeof suffix / sizeof suffix[0] || !*key)
		return -1;
	for (k = key; *k; k++)
		if (*k <= ' ' || *k > '~' || *k == '.' || *k == '*' || *k == '>')
			return -1;
	n = snprintf(out, cap, "cvmmap.%s.%s", key, suffix[which]);
	return n < 0 || (size_t)n >= cap ? -1 : n;
}

int cvmmap_nats_key(char *out, size_t cap, const char *base_name)
{
	size_t i, n = strlen(base_name);

	if (n >= cap)
		return -1;
	for (i = 0; i <= n; i++)
		out[i] = base_name[i] == '.' ? '_' : base_name[i];
	return (int)n;
}
