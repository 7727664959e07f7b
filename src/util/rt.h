/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rt.h - latency knobs of the frame path (issue 23): --realtime,
 * --realtime-priority and --cpu-affinity.
 *
 *   rt_cpulist_parse()   "0", "0-1", "0,2-3" -> a CPU bitmap (pure)
 *   rt_setup()           once per process, before the frame-path threads
 *                        start: checks the CPUs, locks memory
 *   rt_thread()          first thing in each frame-path thread: names it,
 *                        pins it, makes it SCHED_FIFO
 *
 * Nothing here ends the process for want of a privilege: what the system
 * does not grant (SCHED_FIFO, locked memory, a pinning) is one warning
 * per kind, naming the limit and how to grant it, and the streamer runs
 * on as an ordinary process.  Only a CPU list that cannot be honoured at
 * all (a CPU this process may not run on) is an error.
 *
 * Threads a frame-path thread starts (an encoder's workers) inherit its
 * CPUs and its policy: they are the frame path too.  The io thread and
 * the libraries' threads (ZeroMQ, libsrt) keep the process's own.
 */
#ifndef CVMMAP_RT_H
#define CVMMAP_RT_H

#include <stddef.h>

/* Bits of struct rt_cpus: glibc's CPU_SETSIZE (rt.c checks that the C
 * library's is not larger; musl's is 128). */
#define RT_CPUS 1024

struct rt_cpus {
	unsigned long bits[RT_CPUS / (8 * sizeof(unsigned long))];
};

/* Parse a CPU list, the kernel's cpulist format without strides:
 * comma-separated CPU numbers and inclusive ranges N-M with N <= M,
 * no blanks, no empty items, every CPU below the C library's
 * CPU_SETSIZE.  Returns the number of CPUs in *out (>= 1), or -EINVAL
 * with the reason in err (one line, without the list itself). */
int rt_cpulist_parse(const char *s, struct rt_cpus *out, char *err, size_t errlen);

/* The set as a canonical list ("0,2-3"; "" when empty) into buf.
 * Returns its length, or -ENOSPC when it did not fit (buf holds a
 * truncated, terminated list). */
int rt_cpulist_format(const struct rt_cpus *c, char *buf, size_t cap);

/* 1 when cpu is in the set. */
int rt_cpus_has(const struct rt_cpus *c, unsigned cpu);

/* Once, from pipeline_run(), after the start-up allocations and before
 * the frame-path threads exist.  cpus (--cpu-affinity, NULL for none) is
 * parsed and checked against the CPUs this process may run on: a CPU
 * that is absent, offline or outside its cpuset is logged and returns
 * EXIT_USAGE.  With realtime, memory is locked: mlockall(MCL_CURRENT |
 * MCL_FUTURE) when RLIMIT_MEMLOCK is unlimited or CAP_IPC_LOCK is held,
 * else MCL_CURRENT only, so that no later allocation (an encoder opening
 * on the first frame) can fail on the limit.  Otherwise returns 0. */
int rt_setup(int realtime, int priority, const char *cpus);

/* First line of a frame-path thread: names it "cvmmap-<name>" (15
 * characters at most, as ps -L and /proc/PID/task/TID/comm show it),
 * pins it to rt_setup()'s CPUs and, with realtime, switches it to
 * SCHED_FIFO at the priority given.  Never fails: what was refused is
 * logged once per kind for the whole process. */
void rt_thread(const char *name);

#endif
