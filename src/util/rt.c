/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rt.c - see rt.h. */
#define _GNU_SOURCE
#include "util/rt.h"
#include "util/exitcodes.h"
#include "util/log.h"

#include <errno.h>
#include <linux/capability.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#define TAG "rt"
#define LONG_BITS (8 * sizeof(unsigned long))

#if CPU_SETSIZE > RT_CPUS
#error "struct rt_cpus is smaller than this C library's cpu_set_t"
#endif

/* What rt_setup() decided, read by every rt_thread() (written before
 * the threads exist). */
static struct {
	int realtime, priority;
	int pin;
	cpu_set_t set;
	char list[64];          /* the set as a list, for the log */
} rt;

/* One warning per kind of refusal for the whole process, whichever
 * frame-path thread meets it first (rt_setup() runs once: locking memory
 * needs no flag). */
enum { W_FIFO, W_AFFINITY, W_COUNT };
static int warned[W_COUNT];

static int first_time(int kind)
{
	return !__atomic_exchange_n(&warned[kind], 1, __ATOMIC_RELAXED);
}

/* ------------------------------------------------------------ CPU lists */

/* the parser's errors: the message in err, -EINVAL */
#define fail(err, errlen, ...) errf(err, errlen, -EINVAL, __VA_ARGS__)

/* The decimal number at *p (saturated at RT_CPUS * 10, which no check
 * lets through), *p moved past it; -1 when *p is not a digit. */
static long cpu_number(const char **p)
{
	const char *s = *p;
	long v = 0;

	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		v = v * 10 + (*s - '0');
		if (v > RT_CPUS * 10L)
			v = RT_CPUS * 10L;
	}
	*p = s;
	return v;
}

int rt_cpulist_parse(const char *s, struct rt_cpus *out, char *err, size_t errlen)
{
	const char *p = s;
	long lo, hi, c;
	int n = 0;

	memset(out, 0, sizeof *out);
	if (!s || !*s)
		return fail(err, errlen, "empty");
	for (;;) {
		const char *item = p, *last = p;        /* the item, its last number */
		size_t len = strcspn(item, ",");

		if (!len)
			return fail(err, errlen, "an empty item");
		lo = hi = cpu_number(&p);
		if (lo >= 0 && *p == '-') {
			last = ++p;
			hi = cpu_number(&p);
		}
		if (lo < 0 || hi < 0 || (*p && *p != ','))
			return fail(err, errlen, "'%.*s' is neither a CPU nor a range N-M",
				    (int)(len < 32 ? len : 32), item);
		if (hi < lo)
			return fail(err, errlen, "the range %ld-%ld is empty", lo, hi);
		if (hi >= CPU_SETSIZE)     /* as typed: hi may be saturated */
			return fail(err, errlen, "CPU %.*s is not below CPU_SETSIZE (%d)",
				    (int)(p - last < 32 ? p - last : 32), last, CPU_SETSIZE);
		for (c = lo; c <= hi; c++) {
			unsigned long bit = 1ul << (c % LONG_BITS);

			n += !(out->bits[c / LONG_BITS] & bit);
			out->bits[c / LONG_BITS] |= bit;
		}
		if (!*p)
			return n;
		p++;            /* the ',' */
		if (!*p)
			return fail(err, errlen, "an empty item");
	}
}

int rt_cpus_has(const struct rt_cpus *c, unsigned cpu)
{
	return cpu < RT_CPUS && (c->bits[cpu / LONG_BITS] >> (cpu % LONG_BITS) & 1);
}

int rt_cpulist_format(const struct rt_cpus *c, char *buf, size_t cap)
{
	size_t n = 0;
	unsigned i, j;
	int k;

	if (!cap)
		return -ENOSPC;
	buf[0] = '\0';
	for (i = 0; i < RT_CPUS; i = j) {
		if (!rt_cpus_has(c, i)) {
			j = i + 1;
			continue;
		}
		for (j = i + 1; j < RT_CPUS && rt_cpus_has(c, j); j++)
			;
		k = j - 1 == i ? snprintf(buf + n, cap - n, "%s%u", n ? "," : "", i)
			       : snprintf(buf + n, cap - n, "%s%u-%u", n ? "," : "", i, j - 1);
		if (k < 0 || (size_t)k >= cap - n)
			return -ENOSPC;
		n += (size_t)k;
	}
	return (int)n;
}

/* ------------------------------------------------------------ privileges */

/* 1 when the calling thread holds capability cap (CAP_SYS_NICE,
 * CAP_IPC_LOCK) in its effective set.  capget(2) rather than
 * /proc/self/status: an initramfs may have no /proc. */
static int has_cap(int cap)
{
	struct __user_cap_header_struct h;
	struct __user_cap_data_struct d[2];

	memset(&h, 0, sizeof h);
	memset(d, 0, sizeof d);
	h.version = _LINUX_CAPABILITY_VERSION_3;
	if (syscall(SYS_capget, &h, d))
		return 0;
	return (int)(d[cap / 32].effective >> (cap % 32) & 1);
}

/* A resource limit as text: "unlimited" or the number (in KiB for
 * RLIMIT_MEMLOCK). */
static const char *limit_text(int resource, char *buf, size_t cap)
{
	struct rlimit rl;

	if (getrlimit(resource, &rl))
		snprintf(buf, cap, "unknown");
	else if (rl.rlim_cur == RLIM_INFINITY)
		snprintf(buf, cap, "unlimited");
	else if (resource == RLIMIT_MEMLOCK)
		snprintf(buf, cap, "%llu KiB", (unsigned long long)rl.rlim_cur / 1024);
	else
		snprintf(buf, cap, "%llu", (unsigned long long)rl.rlim_cur);
	return buf;
}

#define HOW_MEMLOCK "grant it with systemd LimitMEMLOCK=infinity (or ulimit -l unlimited) " \
		    "or CAP_IPC_LOCK"

/* mlockall() without making a later allocation fail: MCL_FUTURE makes
 * every later mapping count against RLIMIT_MEMLOCK, so with a finite
 * limit and no CAP_IPC_LOCK only what exists now is locked.
 * MCL_ONFAULT (Linux 4.4) locks a page when it is first touched instead
 * of faulting in every preallocated byte: the frame slots are sized for
 * the largest frame the build takes, and a 720p stream touches a few
 * percent of them.  Kernels without it get the plain call. */
static int lock_all(int flags)
{
#ifdef MCL_ONFAULT
	if (!mlockall(flags | MCL_ONFAULT))
		return 0;
	if (errno != EINVAL)
		return -1;
#endif
	return mlockall(flags);
}

static void lock_memory(void)
{
	struct rlimit rl;
	char lim[32];
	int unlimited;

	unlimited = (!getrlimit(RLIMIT_MEMLOCK, &rl) && rl.rlim_cur == RLIM_INFINITY) ||
		    has_cap(CAP_IPC_LOCK);
	limit_text(RLIMIT_MEMLOCK, lim, sizeof lim);
	if (unlimited && !lock_all(MCL_CURRENT | MCL_FUTURE)) {
		log_info(TAG, "memory locked (mlockall, current and future)");
		return;
	}
	if (unlimited) {        /* ENOMEM: not that much RAM; the flags were not set */
		log_warn(TAG, "memory not locked: mlockall: %s (RLIMIT_MEMLOCK %s): page "
			 "faults may stall the frame path", strerror(errno), lim);
		return;
	}
	if (!lock_all(MCL_CURRENT)) {
		log_warn(TAG, "memory locked, later allocations not: RLIMIT_MEMLOCK is %s and "
			 "no CAP_IPC_LOCK, which MCL_FUTURE would turn into failed allocations; "
			 HOW_MEMLOCK, lim);
		return;
	}
	log_warn(TAG, "memory not locked: mlockall: %s (RLIMIT_MEMLOCK is %s, no CAP_IPC_LOCK): "
		 "page faults may stall the frame path; " HOW_MEMLOCK, strerror(errno), lim);
}

/* ------------------------------------------------------------ set-up */

int rt_setup(int realtime, int priority, const char *cpus)
{
	struct rt_cpus want, may;
	cpu_set_t cur;
	char err[128], list[256];
	int i;

	memset(&rt, 0, sizeof rt);
	rt.realtime = realtime;
	rt.priority = priority;
	if (cpus) {
		/* cli_validate() refused bad lists already: this is a guard */
		if (rt_cpulist_parse(cpus, &want, err, sizeof err) < 0) {
			log_error(TAG, "--cpu-affinity: '%s' is not a CPU list: %s", cpus, err);
			return EXIT_USAGE;
		}
		CPU_ZERO(&cur);
		if (sched_getaffinity(0, sizeof cur, &cur) == 0) {
			memset(&may, 0, sizeof may);
			for (i = 0; i < CPU_SETSIZE; i++)
				if (CPU_ISSET(i, &cur))
					may.bits[i / LONG_BITS] |= 1ul << (i % LONG_BITS);
			for (i = 0; i < CPU_SETSIZE; i++) {
				if (!rt_cpus_has(&want, (unsigned)i) || rt_cpus_has(&may, (unsigned)i))
					continue;
				rt_cpulist_format(&may, list, sizeof list);
				log_error(TAG, "--cpu-affinity %s: CPU %d is not present or not "
					  "available to this process (it may run on %s)", cpus, i,
					  list);
				return EXIT_USAGE;
			}
		}
		CPU_ZERO(&rt.set);
		for (i = 0; i < CPU_SETSIZE; i++)
			if (rt_cpus_has(&want, (unsigned)i))
				CPU_SET(i, &rt.set);
		rt_cpulist_format(&want, rt.list, sizeof rt.list);
		rt.pin = 1;
	}
	if (realtime)
		lock_memory();
	return 0;
}

/* ------------------------------------------------------------ per thread */

/* SCHED_FIFO was refused (r): say why and how to grant it, once. */
static void fifo_refused(int r)
{
	char lim[32], why[160];

	if (r == EPERM && has_cap(CAP_SYS_NICE))
		snprintf(why, sizeof why, "refused although CAP_SYS_NICE is held: a cgroup "
			 "without real-time runtime, or RestrictRealtime=yes");
	else
		snprintf(why, sizeof why, "%s; RLIMIT_RTPRIO is %s, no CAP_SYS_NICE",
			 strerror(r), limit_text(RLIMIT_RTPRIO, lim, sizeof lim));
	log_warn(TAG, "SCHED_FIFO priority %d not granted (%s): the frame threads stay "
		 "SCHED_OTHER; grant it with systemd CPUSchedulingPolicy=fifo + "
		 "CPUSchedulingPriority=%d, or LimitRTPRIO=%d + RestrictRealtime=no "
		 "(or ulimit -r %d), or CAP_SYS_NICE", rt.priority, why, rt.priority,
		 rt.priority, rt.priority);
}

void rt_thread(const char *name)
{
	struct sched_param sp;
	char comm[16], pol[48];
	int r = 0, policy, rtnow;

	/* best effort: the name is how ps -L, top -H and the tests find it */
	snprintf(comm, sizeof comm, "cvmmap-%s", name);
	pthread_setname_np(pthread_self(), comm);
	if (!rt.pin && !rt.realtime)
		return;
	if (rt.pin && (r = pthread_setaffinity_np(pthread_self(), sizeof rt.set, &rt.set)) &&
	    first_time(W_AFFINITY))
		log_warn(TAG, "%s thread not pinned to CPUs %s: %s", name, rt.list, strerror(r));
	r = 0;
	if (rt.realtime) {
		memset(&sp, 0, sizeof sp);
		sp.sched_priority = rt.priority;
		r = pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
	}
	if (pthread_getschedparam(pthread_self(), &policy, &sp)) {
		policy = SCHED_OTHER;
		sp.sched_priority = 0;
	}
	rtnow = policy == SCHED_FIFO || policy == SCHED_RR;
	/* Refused, but real-time already: the service manager set the policy
	 * before we started (CPUSchedulingPolicy=) and forbids changing it
	 * (RestrictRealtime=).  That is what was asked for. */
	if (r && !rtnow && first_time(W_FIFO))
		fifo_refused(r);
	if (rtnow)
		snprintf(pol, sizeof pol, "%s priority %d%s", policy == SCHED_FIFO ?
			 "SCHED_FIFO" : "SCHED_RR", sp.sched_priority, r ? " (set before start)" : "");
	else
		snprintf(pol, sizeof pol, "SCHED_OTHER");
	if (rt.pin)
		log_info(TAG, "%s thread: CPUs %s, %s", name, rt.list, pol);
	else
		log_info(TAG, "%s thread: %s", name, pol);
}
