// SPDX-License-Identifier: GPL-2.0
/* hotplug-driver: offline and online random CPUs, timing every operation. */
#define _GNU_SOURCE
#include <getopt.h>
#include <sched.h>
#include <sys/stat.h>
#include "shs.h"

#define DEFAULT_SYSFS		"/sys/devices/system/cpu"
#define DEFAULT_PRIO		90	/* above the rt-hogs load (prio 10) */
#define DEFAULT_PROGRESS_S	5
#define MAX_OPS			(1u << 20)

struct lat {
	uint64_t *ns;
	unsigned int n;
};

static void usage(void)
{
	fprintf(stderr,
"Usage: hotplug-driver [options]\n"
"  --duration S   run for S seconds (default 60; 0: until --count)\n"
"  --count N      stop after N operations (default 0: no limit)\n"
"  --seed N       PRNG seed (default: from the clock; always printed)\n"
"  --cpus N       only use CPUs below N (default: all present)\n"
"  --prio P       SCHED_FIFO priority, 0 for SCHED_OTHER (default %d)\n"
"  --sysfs DIR    CPU sysfs directory (default " DEFAULT_SYSFS ")\n"
"  --progress S   progress line every S seconds (default %d)\n"
"  --min-ops N    fail unless at least N operations completed (default 1)\n"
"  --pause-ms N   sleep N ms after each operation (default 0)\n"
"  --trace        print one line per operation\n"
"  --dump-latencies  after the run, print each operation's latency in order\n"
"  --no-state     do not publish CPU states in " SHS_STATE_PATH "\n"
"  --require LIST  counters (space- or comma-separated) that must be non-zero\n"
"                 for the run to end at --duration; see --cover-extend\n"
"  --cover-extend S  while one of --require is still zero at --duration,\n"
"                 go on for up to S more seconds (default 0)\n"
"  --counters FILE  where to read them (default " SHI_DIR "/counters)\n",
		DEFAULT_PRIO, DEFAULT_PROGRESS_S);
	exit(2);
}

/*
 * The coverage extension: past --duration, the run goes on while a
 * required counter is zero, up to @until, reading the counters every
 * COVER_POLL_NS.  A counter that is zero after a fixed time is a Poisson
 * miss, not a finding: a window crossed 6 times a minute on average stays
 * uncrossed for a whole minute in e^-6 = 0.25% of runs.
 */
#define COVER_POLL_NS	500000000ULL

struct cover {
	char *require;		/* space-separated, "" for none */
	const char *counters;
	uint64_t end, until, next;
	int extended;		/* 1: went past end; -1: could not read */
	char missing[512];
};

static int cover_wait(struct cover *c, uint64_t now)
{
	int seen;

	if (now < c->end)
		return 1;
	if (!c->require[0] || now >= c->until || c->extended < 0)
		return 0;
	if (c->extended && now < c->next)
		return 1;
	c->next = now + COVER_POLL_NS;
	seen = shi_counters(c->counters, c->require, c->missing,
			    sizeof(c->missing), 0);
	if (seen < 0) {
		diag("error: coverage: read %s: %s", c->counters,
		     strerror(-seen));
		c->extended = -1;
		return 0;
	}
	if (!c->missing[0])
		return 0;
	if (!c->extended)
		diag("coverage: not yet crossed at the end of --duration:%s; going on for up to %llu s",
		     c->missing,
		     (unsigned long long)((c->until - c->end) / 1000000000ULL));
	c->extended = 1;
	return 1;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of a sorted array, @pct in 0..100. */
static uint64_t percentile(const uint64_t *v, unsigned int n, unsigned int pct)
{
	unsigned int rank;

	if (!n)
		return 0;
	rank = (pct * n + 99) / 100;	/* ceil(pct/100 * n) */
	if (rank < 1)
		rank = 1;
	return v[rank - 1];
}

static void report_lat(const char *what, struct lat *l)
{
	uint64_t sum = 0;
	unsigned int i;

	for (i = 0; i < l->n; i++)
		sum += l->ns[i];
	qsort(l->ns, l->n, sizeof(*l->ns), cmp_u64);
	diag("%s_latency_us n=%u min=%llu p50=%llu p99=%llu max=%llu mean=%llu",
	     what, l->n,
	     (unsigned long long)(l->n ? l->ns[0] / 1000 : 0),
	     (unsigned long long)(percentile(l->ns, l->n, 50) / 1000),
	     (unsigned long long)(percentile(l->ns, l->n, 99) / 1000),
	     (unsigned long long)(l->n ? l->ns[l->n - 1] / 1000 : 0),
	     (unsigned long long)(l->n ? sum / l->n / 1000 : 0));
}

/* Read cpuN/online: 1, 0, or -1 when the CPU has no online file. */
static int read_online(const char *sysfs, unsigned int cpu)
{
	char path[256], c = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/cpu%u/online", sysfs, cpu);
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		if (errno == ENOENT)
			return -1;
		die_errno("open %s", path);
	}
	if (read(fd, &c, 1) != 1)
		die_errno("read %s", path);
	close(fd);
	return c == '1';
}

/* Write 0 or 1 to cpuN/online; returns 0 or an errno value. */
static int write_online(const char *sysfs, unsigned int cpu, int on)
{
	char path[256];
	int fd, err = 0;

	snprintf(path, sizeof(path), "%s/cpu%u/online", sysfs, cpu);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return errno;
	if (write(fd, on ? "1" : "0", 1) != 1)
		err = errno;
	if (close(fd) < 0 && !err)
		err = errno;
	return err;
}

static void set_state(struct shs_state *st, unsigned int cpu, uint32_t s)
{
	if (!st)
		return;
	st->gen[cpu]++;
	__sync_synchronize();
	st->state[cpu] = s;
	__sync_synchronize();
	st->gen[cpu]++;
	__sync_synchronize();
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "duration", required_argument, NULL, 'd' },
		{ "count", required_argument, NULL, 'c' },
		{ "seed", required_argument, NULL, 's' },
		{ "cpus", required_argument, NULL, 'n' },
		{ "prio", required_argument, NULL, 'p' },
		{ "sysfs", required_argument, NULL, 'S' },
		{ "progress", required_argument, NULL, 'P' },
		{ "min-ops", required_argument, NULL, 'm' },
		{ "no-state", no_argument, NULL, 'N' },
		{ "trace", no_argument, NULL, 'T' },
		{ "dump-latencies", no_argument, NULL, 'L' },
		{ "require", required_argument, NULL, 'R' },
		{ "cover-extend", required_argument, NULL, 'E' },
		{ "counters", required_argument, NULL, 'C' },
		{ "pause-ms", required_argument, NULL, 'W' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long duration = 60, count = 0, ncpus = SHS_MAX_CPUS;
	unsigned long prio = DEFAULT_PRIO, progress = DEFAULT_PROGRESS_S;
	unsigned long min_ops = 1, extend = 0, pause_ms = 0;
	struct cover cov = { .require = "", .counters = SHI_DIR "/counters" };
	uint64_t seed = 0, rng, t0, next_progress, end;
	const char *sysfs = DEFAULT_SYSFS;
	int have_seed = 0, publish = 1, trace = 0, dump = 0, o;
	int online[SHS_MAX_CPUS], hotpluggable[SHS_MAX_CPUS];
	unsigned int cand[SHS_MAX_CPUS], ncand = 0, present = 0, nonline = 0;
	unsigned int ops = 0, errors = 0, cpu, i;
	int err;
	struct lat down = { 0 }, up = { 0 }, all = { 0 };
	unsigned char *all_on = NULL;	/* with --dump-latencies: op was online */
	struct shs_state *st = NULL;

	shs_prog = "hotplug-driver";
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'd': duration = parse_ulong("--duration", optarg, 86400); break;
		case 'c': count = parse_ulong("--count", optarg, MAX_OPS); break;
		case 's': seed = parse_ulong("--seed", optarg, ~0UL); have_seed = 1; break;
		case 'n': ncpus = parse_ulong("--cpus", optarg, SHS_MAX_CPUS); break;
		case 'p': prio = parse_ulong("--prio", optarg, 99); break;
		case 'S': sysfs = optarg; break;
		case 'P': progress = parse_ulong("--progress", optarg, 3600); break;
		case 'm': min_ops = parse_ulong("--min-ops", optarg, MAX_OPS); break;
		case 'N': publish = 0; break;
		case 'T': trace = 1; break;
		case 'L': dump = 1; break;
		case 'R':
			cov.require = optarg;
			for (i = 0; optarg[i]; i++)
				if (optarg[i] == ',')
					optarg[i] = ' ';
			break;
		case 'E': extend = parse_ulong("--cover-extend", optarg, 86400); break;
		case 'C': cov.counters = optarg; break;
		case 'W': pause_ms = parse_ulong("--pause-ms", optarg, 60000); break;
		default: usage();
		}
	}
	if (optind != argc || (!duration && !count) || (extend && !duration))
		usage();
	if (!have_seed)
		seed = now_ns() ^ (uint64_t)getpid() << 32;
	rng = seed;

	install_stop_handler();

	if (prio) {
		struct sched_param sp = { .sched_priority = (int)prio };

		if (sched_setscheduler(0, SCHED_FIFO, &sp) < 0)
			die_errno("sched_setscheduler(SCHED_FIFO, %lu)", prio);
	}

	for (cpu = 0; cpu < ncpus; cpu++) {
		char path[256];
		struct stat sb;

		snprintf(path, sizeof(path), "%s/cpu%u", sysfs, cpu);
		if (stat(path, &sb) < 0)
			break;
		present++;
		online[cpu] = read_online(sysfs, cpu);
		hotpluggable[cpu] = online[cpu] >= 0;
		if (online[cpu] < 0)
			online[cpu] = 1;	/* no online file: always on */
		if (hotpluggable[cpu])
			cand[ncand++] = cpu;
		nonline += online[cpu];
	}
	if (publish) {
		st = shs_state_map(1);
		st->ncpus = present;
		for (cpu = 0; cpu < present; cpu++)
			set_state(st, cpu, online[cpu] ? SHS_CPU_ONLINE :
						     SHS_CPU_OFFLINE);
	}
	diag("seed=%llu present=%u hotpluggable=%u duration=%lus count=%lu prio=%lu",
	     (unsigned long long)seed, present, ncand, duration, count, prio);
	if (ncand == 0 || present < 2) {
		printf("# SKIP no hotpluggable CPU under %s\n", sysfs);
		return KSFT_SKIP;
	}

	down.ns = calloc(MAX_OPS, sizeof(uint64_t));
	up.ns = calloc(MAX_OPS, sizeof(uint64_t));
	if (dump) {
		all.ns = calloc(MAX_OPS, sizeof(uint64_t));
		all_on = calloc(MAX_OPS, 1);
	}
	if (!down.ns || !up.ns || (dump && (!all.ns || !all_on)))
		die_errno("calloc latency arrays");

	t0 = now_ns();
	end = duration ? t0 + duration * 1000000000ULL : UINT64_MAX;
	cov.end = end;
	cov.until = end + extend * 1000000000ULL;
	if (!extend)
		cov.require = "";
	next_progress = t0 + progress * 1000000000ULL;
	while (!stop_requested && (!count || ops < count) &&
	       cover_wait(&cov, now_ns()) && ops < MAX_OPS) {
		uint64_t t;
		int on;

		cpu = cand[rnd_below(&rng, ncand)];
		on = !online[cpu];
		if (!on && nonline <= 1)
			continue;	/* never the last online CPU */

		set_state(st, cpu, on ? SHS_CPU_COMING_UP : SHS_CPU_GOING_DOWN);
		t = now_ns();
		err = write_online(sysfs, cpu, on);
		t = now_ns() - t;
		ops++;
		if (err) {
			errors++;
			diag("error: op %u: cpu%u %s: %s (errno %d)", ops, cpu,
			     on ? "online" : "offline", strerror(err), err);
			/* Re-read the truth rather than trusting our view. */
			online[cpu] = read_online(sysfs, cpu) != 0;
		} else {
			struct lat *l = on ? &up : &down;

			l->ns[l->n++] = t;
			online[cpu] = on;
			if (dump) {
				all_on[all.n] = on;
				all.ns[all.n++] = t;
			}
		}
		set_state(st, cpu, online[cpu] ? SHS_CPU_ONLINE :
						  SHS_CPU_OFFLINE);
		for (nonline = 0, i = 0; i < present; i++)
			nonline += online[i];
		if (trace)
			diag("op %u cpu%u %s %s online=%u", ops, cpu,
			     on ? "online" : "offline", err ? "error" : "ok",
			     nonline);

		if (progress && now_ns() >= next_progress) {
			diag("progress t=%llus ops=%u errors=%u online=%u",
			     (unsigned long long)((now_ns() - t0) / 1000000000ULL),
			     ops, errors, nonline);
			next_progress += progress * 1000000000ULL;
		}
		if (pause_ms)
			usleep(pause_ms * 1000);
	}
	t0 = now_ns() - t0;
	if (cov.extended > 0 && cov.missing[0])
		diag("coverage: extended %llu ms past --duration, still not crossed:%s",
		     (unsigned long long)((t0 - duration * 1000000000ULL) / 1000000),
		     cov.missing);
	else if (cov.extended > 0)
		diag("coverage: extended %llu ms past --duration until every required counter fired",
		     (unsigned long long)((t0 - duration * 1000000000ULL) / 1000000));

	/* Leave every CPU online for whoever runs next. */
	for (i = 0; i < ncand; i++) {
		cpu = cand[i];
		if (online[cpu])
			continue;
		set_state(st, cpu, SHS_CPU_COMING_UP);
		err = write_online(sysfs, cpu, 1);
		if (err) {
			errors++;
			diag("error: final online of cpu%u: %s (errno %d)", cpu,
			     strerror(err), err);
		} else {
			online[cpu] = 1;
		}
		set_state(st, cpu, online[cpu] ? SHS_CPU_ONLINE :
						  SHS_CPU_OFFLINE);
	}

	diag("ops=%u offline=%u online=%u errors=%u elapsed_ms=%llu ops_per_s=%.1f",
	     ops, down.n, up.n, errors, (unsigned long long)(t0 / 1000000),
	     t0 ? ops * 1e9 / (double)t0 : 0.0);
	report_lat("offline", &down);
	report_lat("online", &up);
	for (i = 0; i < all.n; i++)
		diag("lat %u %s %llu", i + 1, all_on[i] ? "online" : "offline",
		     (unsigned long long)(all.ns[i] / 1000));
	if (count && ops < count && !stop_requested) {
		diag("error: planned %lu operations, completed %u", count, ops);
		return KSFT_FAIL;
	}
	if (ops < min_ops) {
		diag("error: %u operations, fewer than the %lu required", ops,
		     min_ops);
		return KSFT_FAIL;
	}
	return errors ? KSFT_FAIL : KSFT_PASS;
}
