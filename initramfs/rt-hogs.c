// SPDX-License-Identifier: GPL-2.0
/* rt-hogs: a SCHED_FIFO busy loop pinned to each CPU, so RT throttling runs. */
#define _GNU_SOURCE
#include <getopt.h>
#include <sched.h>
#include "shs.h"

#define DEFAULT_PRIO	10	/* below the hotplug driver (90) */
#define REPIN_NS	(100 * 1000000ULL)

struct hogs {
	unsigned int prio;
	unsigned int first;	/* first CPU with a hog */
	uint64_t on_ns, off_ns;	/* duty cycle; off_ns 0: always on */
	uint64_t end;
};

static void usage(void)
{
	fprintf(stderr,
"Usage: rt-hogs [--cpus N] [--first F] [--prio P] [--duration S]\n"
"               [--duty ON_MS:OFF_MS]\n"
"  Runs one SCHED_FIFO (priority P, default %d) busy loop per CPU from F\n"
"  (default 0) to N-1 (default 4), each pinned to its CPU.  A hog whose CPU\n"
"  went offline is moved by the kernel; it pins itself back once the CPU\n"
"  returns.  With --duty, each hog spins ON_MS then sleeps OFF_MS (phases\n"
"  staggered by CPU); ON_MS over 950 still gets it throttled.\n",
		DEFAULT_PRIO);
	exit(2);
}

static int hog(unsigned int id, void *ctx)
{
	const struct hogs *h = ctx;
	unsigned int cpu = h->first + id;
	struct sched_param sp = { .sched_priority = (int)h->prio };
	unsigned long loops = 0, repins = 0, on_cpu = 0, checks = 0;
	volatile unsigned long sink = 0;
	uint64_t next = 0, t;

	if (shs_pin(cpu) < 0 && errno != EINVAL)
		die_errno("hog %u: pin to cpu%u", cpu, cpu);
	if (sched_setscheduler(0, SCHED_FIFO, &sp) < 0)
		die_errno("hog %u: sched_setscheduler(SCHED_FIFO, %u)", cpu,
			  h->prio);
	while (!stop_requested && (t = now_ns()) < h->end) {
		uint64_t period = h->on_ns + h->off_ns;
		unsigned int i;

		if (h->off_ns) {
			uint64_t phase = (t + id * period / 4) % period;

			if (phase >= h->on_ns) {
				uint64_t ns = period - phase;
				struct timespec ts = { ns / 1000000000ULL,
						       ns % 1000000000ULL };

				nanosleep(&ts, NULL);
				continue;
			}
		}

		for (i = 0; i < 100000; i++)
			sink += i;
		/*
		 * A hog whose CPU went offline shares another hog's CPU at
		 * the same priority: let it run too, or it starves for good,
		 * and if the kernel preempted it inside an RCU read-side
		 * section, every grace period waits with it (see rt-chase.c).
		 * Yielding goes to equals only: CFS tasks still wait.
		 */
		sched_yield();
		loops++;
		if (t < next)
			continue;
		next = t + REPIN_NS;
		checks++;
		if (sched_getcpu() == (int)cpu) {
			on_cpu++;
			continue;
		}
		/* Hotplug broke our affinity, or the CPU is still offline. */
		if (shs_pin(cpu) == 0)
			repins++;
		else if (errno != EINVAL)
			die_errno("hog %u: re-pin", cpu);
	}
	diag("hog %u: loops=%lu checks=%lu on_cpu=%lu repins=%lu",
	     cpu, loops, checks, on_cpu, repins);
	return loops ? KSFT_PASS : KSFT_FAIL;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cpus", required_argument, NULL, 'n' },
		{ "first", required_argument, NULL, 'f' },
		{ "duty", required_argument, NULL, 'D' },
		{ "prio", required_argument, NULL, 'p' },
		{ "duration", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long ncpus = 4, duration = 0, on, off;
	struct hogs h = { .prio = DEFAULT_PRIO };
	int o;

	shs_prog = "rt-hogs";
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'n': ncpus = parse_ulong("--cpus", optarg, SHS_MAX_WORKERS); break;
		case 'D':
			if (sscanf(optarg, "%lu:%lu", &on, &off) != 2 || !on ||
			    on > 60000 || off > 60000)
				usage();
			h.on_ns = on * 1000000ULL;
			h.off_ns = off * 1000000ULL;
			break;
		case 'f': h.first = parse_ulong("--first", optarg, SHS_MAX_WORKERS); break;
		case 'p': h.prio = parse_ulong("--prio", optarg, 99); break;
		case 'd': duration = parse_ulong("--duration", optarg, 86400); break;
		default: usage();
		}
	}
	if (optind != argc || h.first >= ncpus || !h.prio)
		usage();
	h.end = duration ? now_ns() + duration * 1000000000ULL : UINT64_MAX;
	return run_workers(ncpus - h.first, hog, &h) ? KSFT_FAIL : KSFT_PASS;
}
