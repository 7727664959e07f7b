/* SPDX-License-Identifier: GPL-2.0-or-later */
/* helper_bench_run - run one command and report what it cost (benchmarks).
 *
 *   helper_bench_run OUT command [args...]
 *
 * Forks, execs the command, waits with wait4() and writes one line to OUT:
 *   "start_ns=S end_ns=E utime_us=U stime_us=T maxrss_kb=R status=X"
 * S and E are CLOCK_MONOTONIC just before fork() and after the wait, so a
 * trace on the same clock (rtp_receiver_tester --trace) gives the time
 * from start to the first packet.  CPU times are microsecond rusage of the
 * command and every child it waited for; maxrss is its peak RSS (VmHWM).
 * The command's PID is written to OUT.pid as soon as it runs (the scripts
 * sample /proc/PID/task/<tid>/schedstat with it).
 * SIGINT/SIGTERM are passed on to the command.  Exits with the command's
 * status (128 + signal when killed), 127 when it could not be started.
 */
#define _GNU_SOURCE
#include "util/clock.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile pid_t child;

static void forward(int sig)
{
	if (child > 0)
		kill(child, sig);
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	struct rusage ru;
	uint64_t start, end;
	int status = 0, code;
	pid_t pid;
	FILE *f;

	if (argc < 3) {
		fprintf(stderr, "usage: helper_bench_run OUT command [args...]\n");
		return 2;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = forward;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	start = clock_mono_ns();
	pid = fork();
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		fprintf(stderr, "helper_bench_run: %s: cannot execute\n", argv[2]);
		_exit(127);
	}
	if (pid < 0)
		return 127;
	child = pid;
	{
		char path[4096];

		snprintf(path, sizeof path, "%s.pid", argv[1]);
		if ((f = fopen(path, "w")) != NULL) {
			fprintf(f, "%ld\n", (long)pid);
			fclose(f);
		}
	}
	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR)
			return 127;
	end = clock_mono_ns();
	code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	f = fopen(argv[1], "w");
	if (f) {
		fprintf(f, "start_ns=%llu end_ns=%llu utime_us=%lld stime_us=%lld maxrss_kb=%ld status=%d\n",
			(unsigned long long)start, (unsigned long long)end,
			(long long)ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec,
			(long long)ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec,
			ru.ru_maxrss, code);
		fclose(f);
	}
	return code;
}
