// SPDX-License-Identifier: GPL-2.0
/* affinity-storm: random sched_setaffinity() masks while CPUs come and go. */
#define _GNU_SOURCE
#include <getopt.h>
#include <sched.h>
#include "shs.h"

#define SPIN_LOOPS	20000	/* work between two checks */

struct storm {
	unsigned int ncpus;
	uint64_t end;
	uint64_t seed;
	struct shs_state *st;
};

static void usage(void)
{
	fprintf(stderr,
"Usage: affinity-storm [--workers N] [--cpus N] [--duration S] [--seed N]\n"
"  Runs N processes (default 4), each setting random CPU masks over CPUs\n"
"  below --cpus (default 4) and checking with sched_getcpu() that it never\n"
"  runs outside its mask, nor on a CPU the hotplug driver has offlined\n"
"  (read from " SHS_STATE_PATH ").\n");
	exit(2);
}

/*
 * Is @cpu offline for the whole time between two reads of its generation?
 * Only then is running on it a kernel bug rather than a race with the
 * driver's bookkeeping.
 */
static int ran_on_offline_cpu(struct shs_state *st, unsigned int cpu)
{
	uint32_t g1, g2, s;
	int again;

	if (!st || cpu >= SHS_MAX_CPUS)
		return 0;
	g1 = st->gen[cpu];
	__sync_synchronize();
	s = st->state[cpu];
	again = sched_getcpu();
	__sync_synchronize();
	g2 = st->gen[cpu];
	return g1 == g2 && !(g1 & 1) && s == SHS_CPU_OFFLINE &&
	       again == (int)cpu;
}

/* Sum of the driver's generation counters of the CPUs in @mask. */
static uint64_t mask_gen(const struct shs_state *st, const cpu_set_t *mask,
			 unsigned int ncpus)
{
	uint64_t g = 0;
	unsigned int c;

	for (c = 0; st && c < ncpus && c < SHS_MAX_CPUS; c++)
		if (CPU_ISSET(c, mask))
			g += st->gen[c];
	return g;
}

/*
 * Check where we run against @mask.  Returns 1 on a violation, 0 when fine;
 * *@broken is set when hotplug widened the mask (so the caller stops
 * checking this mask).  With @strict clear (no sleep since the mask was
 * set), running outside the mask is tolerated when a CPU of the mask
 * changed state meanwhile (or when no state table tells): the kernel refuses a migration to a CPU that is
 * going down and leaves the task where it is until it next wakes up (see
 * the "XXX __migrate_task() can fail" comment in migration_cpu_stop()).
 */
static int check_cpu(const struct storm *sc, unsigned int id,
		     const cpu_set_t *mask, unsigned int mbits, uint64_t gen0,
		     int strict, unsigned long *tolerated, int *broken)
{
	cpu_set_t now;
	int cpu = sched_getcpu();

	if (cpu < 0)
		die_errno("worker %u: sched_getcpu", id);
	if (ran_on_offline_cpu(sc->st, cpu)) {
		diag("error: worker %u ran on cpu%d, which was offline", id, cpu);
		return 1;
	}
	if (CPU_ISSET(cpu, mask))
		return 0;
	if (sched_getaffinity(0, sizeof(now), &now) < 0)
		die_errno("worker %u: sched_getaffinity", id);
	if (!CPU_EQUAL(&now, mask)) {
		*broken = 1;	/* hotplug widened the mask */
		return 0;
	}
	/* Without the driver's state table, any CPU may have changed state. */
	if (!strict && (!sc->st || mask_gen(sc->st, mask, sc->ncpus) != gen0)) {
		(*tolerated)++;
		return 0;
	}
	diag("error: worker %u ran on cpu%d outside its mask 0x%x%s", id, cpu,
	     mbits, strict ? " after a sleep" : "");
	return 1;
}

static int worker(unsigned int id, void *ctx)
{
	const struct storm *sc = ctx;
	unsigned int ncpus = sc->ncpus;
	unsigned long sets = 0, einval = 0, broken = 0, checks = 0, bad = 0;
	unsigned long tolerated = 0;
	uint64_t rng = sc->seed * 7919 + id;
	volatile unsigned long sink = 0;

	while (!stop_requested && now_ns() < sc->end) {
		unsigned int mbits = 1 + rnd_below(&rng, (1u << ncpus) - 1);
		struct timespec nap = { 0, 50000 };
		cpu_set_t mask;
		unsigned int c, k, i;
		uint64_t gen0;
		int br = 0;

		CPU_ZERO(&mask);
		for (c = 0; c < ncpus; c++)
			if (mbits & (1u << c))
				CPU_SET(c, &mask);
		gen0 = mask_gen(sc->st, &mask, ncpus);
		if (sched_setaffinity(0, sizeof(mask), &mask) < 0) {
			if (errno != EINVAL)
				die_errno("worker %u: sched_setaffinity 0x%x",
					  id, mbits);
			einval++;	/* no online CPU in the mask */
			continue;
		}
		sets++;
		/* Right after the call, then after a sleep (a new wakeup). */
		for (k = 0; k < 2 && !br; k++) {
			for (i = 0; i < SPIN_LOOPS; i++)
				sink += i;
			checks++;
			bad += check_cpu(sc, id, &mask, mbits, gen0, k,
					 &tolerated, &br);
			nanosleep(&nap, NULL);
		}
		broken += br;
	}
	diag("worker %u: setaffinity=%lu einval=%lu checks=%lu broken_by_hotplug=%lu tolerated=%lu bad=%lu",
	     id, sets, einval, checks, broken, tolerated, bad);
	return bad ? KSFT_FAIL : (sets ? KSFT_PASS : KSFT_FAIL);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "workers", required_argument, NULL, 'w' },
		{ "cpus", required_argument, NULL, 'n' },
		{ "duration", required_argument, NULL, 'd' },
		{ "seed", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long nworkers = 4, duration = 0;
	struct storm sc = { .ncpus = 4, .seed = 1 };
	int o;

	shs_prog = "affinity-storm";
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'w': nworkers = parse_ulong("--workers", optarg, SHS_MAX_WORKERS); break;
		case 'n': sc.ncpus = parse_ulong("--cpus", optarg, 31); break;
		case 'd': duration = parse_ulong("--duration", optarg, 86400); break;
		case 's': sc.seed = parse_ulong("--seed", optarg, ~0UL); break;
		default: usage();
		}
	}
	if (optind != argc || !nworkers || !sc.ncpus)
		usage();
	if (access(shs_state_path(), R_OK) == 0)
		sc.st = shs_state_map(0);
	else
		diag("no %s: offline checks disabled", shs_state_path());
	sc.end = duration ? now_ns() + duration * 1000000000ULL : UINT64_MAX;
	return run_workers(nworkers, worker, &sc) ? KSFT_FAIL : KSFT_PASS;
}
