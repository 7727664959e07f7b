/* SPDX-License-Identifier: GPL-2.0-or-later */
/* progress.c - progress lines on stderr (progress.h). */
#include "zed/progress.h"
#include "util/clock.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

void progress_format(char *buf, unsigned cap, const char *unit, uint64_t done,
		     uint64_t total, uint64_t elapsed_ns, int bar_width)
{
	double secs = elapsed_ns ? (double)elapsed_ns / 1e9 : 1e-9;
	double rate = (double)done / secs;
	char bar[128], eta[32] = "--:--";
	int n = 0, i, fill;

	if (total && done <= total && rate > 0) {
		unsigned long s = (unsigned long)((double)(total - done) / rate + 0.5);
		snprintf(eta, sizeof(eta), "%lu:%02lu", s / 60, s % 60);
	}
	if (bar_width > (int)sizeof(bar) - 3)
		bar_width = (int)sizeof(bar) - 3;
	if (total)
		n = snprintf(buf, cap, "%3u%% ", (unsigned)(done * 100 / (total ? total : 1)));
	if (bar_width > 0 && total && n >= 0 && (unsigned)n < cap) {
		fill = (int)(done * (uint64_t)bar_width / total);
		bar[0] = '|';
		for (i = 0; i < bar_width; i++)
			bar[1 + i] = i < fill ? '#' : '-';
		bar[1 + bar_width] = '|';
		bar[2 + bar_width] = 0;
		n += snprintf(buf + n, cap - (unsigned)n, "%s ", bar);
	}
	if (!total && n >= 0 && (unsigned)n < cap)
		snprintf(buf + n, cap - (unsigned)n, "%llu %s  %.1f %s/s",
			 (unsigned long long)done, unit, rate, unit);
	else if (n >= 0 && (unsigned)n < cap)
		snprintf(buf + n, cap - (unsigned)n, "%llu/%llu %s  %.1f %s/s  ETA %s",
			 (unsigned long long)done, (unsigned long long)total, unit,
			 rate, unit, eta);
}

void progress_start(struct progress *p, const char *label, const char *unit,
		    uint64_t total, int quiet)
{
	memset(p, 0, sizeof(*p));
	p->label = label;
	p->unit = unit;
	p->total = total;
	p->quiet = quiet;
	p->tty = isatty(STDERR_FILENO);
	p->t0_ns = p->last_ns = clock_mono_ns();
}

static void draw(struct progress *p, uint64_t now, int final)
{
	char line[256];

	progress_format(line, sizeof(line), p->unit, p->done, p->total,
			now - p->t0_ns, p->tty ? 24 : 0);
	if (p->tty)
		fprintf(stderr, "\r%s %s\033[K%s", p->label, line, final ? "\n" : "");
	else
		fprintf(stderr, "%s: %s\n", p->label, line);
	p->drawn = 1;
}

void progress_update(struct progress *p, uint64_t done)
{
	uint64_t now;

	p->done = done;
	if (p->quiet)
		return;
	now = clock_mono_ns();
	if (now - p->last_ns < (p->tty ? 100000000ull : 5000000000ull))
		return;
	p->last_ns = now;
	draw(p, now, 0);
}

void progress_done(struct progress *p)
{
	if (!p->quiet)
		draw(p, clock_mono_ns(), 1);
}
