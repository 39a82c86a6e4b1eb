// SPDX-License-Identifier: GPL-2.0
/* rt-chase: SCHED_FIFO tasks that move onto a CPU the moment it comes online. */
#define _GNU_SOURCE
#include <getopt.h>
#include <sched.h>
#include "shs.h"

#define DEFAULT_PRIO	10	/* below the hotplug driver (90) */
#define DEFAULT_POLL_US	0	/* retry interval while the CPU is inactive */

/*
 * An RT application that wants a CPU back as soon as it returns retries
 * sched_setaffinity() while the CPU is inactive; the kernel accepts the mask
 * as soon as the CPU is in cpu_active_mask, which is set early in
 * sched_cpu_activate(), before the rest of that hotplug step (sched-domain
 * rebuild, runqueue online) has run.  Each chaser does exactly that for one
 * CPU, then busy-loops there like rt-hogs until a CPU offline pushes it
 * away, and starts over.  RT throttling must leave the CPU's CFS tasks,
 * among them the cpuhp thread finishing the online, their 5%.
 *
 * A landing counts as "fresh" when at least one attempt was refused just
 * before it: the chaser arrived on a CPU that had only just become active.
 * A run without a fresh landing never crossed that window and fails.
 *
 * The chasers share a priority and, while their CPUs are down, a CPU; so
 * they sched_yield() after every attempt and every spin round.  Without
 * that, a SCHED_FIFO chaser that never blocks starves its equals for
 * good, and one of them preempted inside an RCU read-side section (in
 * sched_setaffinity()) stops every grace period: the kernel can do
 * nothing about that without RCU priority boosting above our priority
 * (Documentation/RCU/stallwarn.rst).  Seen in a run of the first version:
 * synchronize_rcu() in sched_cpu_deactivate() stuck behind "P58", a
 * chaser runnable on the last active CPU behind an equal that spun.
 */
struct chase {
	unsigned long *fresh_total;	/* shared: summed by the chasers */
	unsigned int prio;
	unsigned int first;	/* first CPU chased */
	unsigned long poll_us;
};

static void usage(void)
{
	fprintf(stderr,
"Usage: rt-chase [--cpus N] [--first F] [--prio P] [--poll-us U]\n"
"  One SCHED_FIFO (priority P, default %d) task per CPU from F (default 1)\n"
"  to N-1 (default 4).  While its CPU is inactive, a chaser retries\n"
"  sched_setaffinity() to it every U us (default %d; 0: back to back,\n"
"  yielding to its equals, an RT busy loop itself); once accepted it\n"
"  busy-loops on the CPU until an offline moves it, then starts over.\n"
"  Runs until SIGTERM; fails if no chaser ever landed on a CPU that had\n"
"  just come online.\n",
		DEFAULT_PRIO, DEFAULT_POLL_US);
	exit(2);
}

static int chaser(unsigned int id, void *ctx)
{
	const struct chase *c = ctx;
	unsigned int cpu = c->first + id;
	struct sched_param sp = { .sched_priority = (int)c->prio };
	struct timespec poll = { 0, (long)c->poll_us * 1000 };
	unsigned long attempts = 0, refused = 0, landings = 0, fresh = 0;
	unsigned long long spun_ms = 0;
	volatile unsigned long sink = 0;
	int was_refused = 0;

	if (sched_setscheduler(0, SCHED_FIFO, &sp) < 0)
		die_errno("chaser %u: sched_setscheduler(SCHED_FIFO, %u)", cpu,
			  c->prio);
	while (!stop_requested) {
		uint64_t t0;
		unsigned int i;

		attempts++;
		if (shs_pin(cpu) < 0) {
			if (errno != EINVAL)
				die_errno("chaser %u: sched_setaffinity(cpu%u)",
					  cpu, cpu);
			/* cpu is not active (yet): try again shortly. */
			refused++;
			was_refused = 1;
			if (c->poll_us)
				nanosleep(&poll, NULL);
			else
				sched_yield();
			continue;
		}
		landings++;
		fresh += was_refused;
		was_refused = 0;
		/*
		 * The mask was accepted, but the move may still be on its
		 * way; spin while this CPU is ours, as an RT hog would.
		 */
		t0 = now_ns();
		do {
			for (i = 0; i < 20000; i++)
				sink += i;
			sched_yield();	/* to equals only: CFS still waits */
		} while (!stop_requested &&
			 (sched_getcpu() == (int)cpu || now_ns() - t0 < 1000000));
		spun_ms += (now_ns() - t0) / 1000000;
	}
	__atomic_fetch_add(c->fresh_total, fresh, __ATOMIC_RELAXED);
	diag("chaser %u: attempts=%lu refused=%lu landings=%lu fresh=%lu spun_ms=%llu",
	     cpu, attempts, refused, landings, fresh, spun_ms);
	return KSFT_PASS;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cpus", required_argument, NULL, 'n' },
		{ "first", required_argument, NULL, 'f' },
		{ "prio", required_argument, NULL, 'p' },
		{ "poll-us", required_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 },
	};
	struct chase c = { .prio = DEFAULT_PRIO, .first = 1,
			   .poll_us = DEFAULT_POLL_US };
	unsigned long ncpus = 4;
	unsigned int failed;
	int o;

	shs_prog = "rt-chase";
	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'n': ncpus = parse_ulong("--cpus", optarg, SHS_MAX_WORKERS); break;
		case 'f': c.first = parse_ulong("--first", optarg, SHS_MAX_WORKERS); break;
		case 'p': c.prio = parse_ulong("--prio", optarg, 99); break;
		case 'u': c.poll_us = parse_ulong("--poll-us", optarg, 1000000); break;
		default: usage();
		}
	}
	if (optind != argc || c.first >= ncpus || !c.prio)
		usage();
	c.fresh_total = mmap(NULL, sizeof(*c.fresh_total),
			     PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
			     -1, 0);
	if (c.fresh_total == MAP_FAILED)
		die_errno("mmap");
	failed = run_workers(ncpus - c.first, chaser, &c);
	diag("fresh_landings=%lu", *c.fresh_total);
	if (!*c.fresh_total) {
		diag("error: no chaser landed on a CPU that had just come online: the window was never crossed");
		return KSFT_FAIL;
	}
	return failed ? KSFT_FAIL : KSFT_PASS;
}
