// SPDX-License-Identifier: GPL-2.0
/* shs-run: run one stress scenario (hotplug driver + loads), report in KTAP. */
#define _GNU_SOURCE
#include <getopt.h>
#include "shs.h"

#define BIN		"/bin/"
#define GRACE_S		30	/* how long a load may take to stop */
#define MAX_PROGS	8

struct prog {
	const char *name;
	char *argv[16];
	pid_t pid;
	int status;
	int exited;		/* reaped */
	int early;		/* exited before it was asked to stop */
	int stuck;		/* still running GRACE_S after SIGTERM */
};

static const char *const scenarios[] = {
	"exec-storm", "affinity-storm", "rt-hogs", "mixed",
};

static void usage(void)
{
	fprintf(stderr,
"Usage: shs-run --scenario NAME [--duration S] [--seed N] [--cpus N]\n"
"  NAME: exec-storm, affinity-storm, rt-hogs or mixed (all three loads).\n"
"  Starts the loads, runs the hotplug driver for S seconds (default 60),\n"
"  stops the loads and requires every one of them to come back.\n");
	exit(2);
}

static char *fmt(const char *f, unsigned long v)
{
	char *s;

	if (asprintf(&s, f, v) < 0)
		die_errno("asprintf");
	return s;
}

static void start(struct prog *p)
{
	p->pid = fork();
	if (p->pid < 0)
		die_errno("fork %s", p->name);
	if (p->pid == 0) {
		execv(p->argv[0], p->argv);
		diag("error: exec %s: %s", p->argv[0], strerror(errno));
		_exit(127);
	}
}

/* Reap whatever has exited; returns how many of @progs are still running. */
static unsigned int reap(struct prog *progs, unsigned int n, int stopping)
{
	unsigned int i, running = 0;

	for (i = 0; i < n; i++) {
		struct prog *p = &progs[i];

		if (p->exited)
			continue;
		if (waitpid(p->pid, &p->status, WNOHANG) == p->pid) {
			p->exited = 1;
			p->early = !stopping;
		} else {
			running++;
		}
	}
	return running;
}

static int passed(const struct prog *p)
{
	return p->exited && !p->early && !p->stuck &&
	       WIFEXITED(p->status) && WEXITSTATUS(p->status) == KSFT_PASS;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "scenario", required_argument, NULL, 'S' },
		{ "duration", required_argument, NULL, 'd' },
		{ "seed", required_argument, NULL, 's' },
		{ "cpus", required_argument, NULL, 'n' },
		{ "min-ops", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long duration = 60, seed = 1, ncpus = 4, min_ops = 1;
	const char *scenario = NULL;
	struct prog progs[MAX_PROGS] = { 0 }, *drv = &progs[0];
	unsigned int n = 1, i, failed = 0;
	uint64_t deadline;
	int o, known = 0, status;

	shs_prog = "shs-run";
	/* One line per write(): the init points stdout at /dev/kmsg. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'S': scenario = optarg; break;
		case 'd': duration = parse_ulong("--duration", optarg, 86400); break;
		case 's': seed = parse_ulong("--seed", optarg, ~0UL); break;
		case 'n': ncpus = parse_ulong("--cpus", optarg, SHS_MAX_CPUS); break;
		case 'm': min_ops = parse_ulong("--min-ops", optarg, 1UL << 20); break;
		default: usage();
		}
	}
	for (i = 0; scenario && i < sizeof(scenarios) / sizeof(*scenarios); i++)
		known |= !strcmp(scenario, scenarios[i]);
	if (optind != argc || !known || !duration)
		usage();

	*drv = (struct prog){ .name = "hotplug-driver", .argv = {
		BIN "hotplug-driver", "--duration", fmt("%lu", duration),
		"--seed", fmt("%lu", seed), "--cpus", fmt("%lu", ncpus),
		"--min-ops", fmt("%lu", min_ops), NULL } };
	if (!strcmp(scenario, "exec-storm") || !strcmp(scenario, "mixed"))
		progs[n++] = (struct prog){ .name = "exec-storm", .argv = {
			BIN "exec-storm", "--workers", fmt("%lu", ncpus),
			"--seed", fmt("%lu", seed + 1), NULL } };
	if (!strcmp(scenario, "affinity-storm") || !strcmp(scenario, "mixed"))
		progs[n++] = (struct prog){ .name = "affinity-storm", .argv = {
			BIN "affinity-storm", "--workers", fmt("%lu", ncpus),
			"--cpus", fmt("%lu", ncpus),
			"--seed", fmt("%lu", seed + 2), NULL } };
	if (!strcmp(scenario, "rt-hogs") || !strcmp(scenario, "mixed"))
		progs[n++] = (struct prog){ .name = "rt-hogs", .argv = {
			BIN "rt-hogs", "--cpus", fmt("%lu", ncpus), NULL } };

	printf("KTAP version 1\n1..%u\n", n);
	fflush(stdout);
	diag("scenario=%s duration=%lus seed=%lu cpus=%lu programs=%u",
	     scenario, duration, seed, ncpus, n);

	/* The state table must exist before any load looks for it. */
	shs_state_map(1);
	for (i = 1; i < n; i++)
		start(&progs[i]);
	start(drv);
	while (waitpid(drv->pid, &drv->status, 0) < 0)
		if (errno != EINTR)
			die_errno("waitpid hotplug-driver");
	drv->exited = 1;

	/* Loads run until told to stop: one that ended already is lost. */
	reap(progs + 1, n - 1, 0);
	for (i = 1; i < n; i++)
		if (!progs[i].exited)
			kill(progs[i].pid, SIGTERM);
	deadline = now_ns() + GRACE_S * 1000000000ULL;
	while (reap(progs + 1, n - 1, 1) && now_ns() < deadline)
		usleep(100000);
	for (i = 1; i < n; i++) {
		if (progs[i].exited)
			continue;
		progs[i].stuck = 1;
		kill(progs[i].pid, SIGKILL);
		waitpid(progs[i].pid, &status, 0);
	}

	for (i = 0; i < n; i++) {
		const struct prog *p = &progs[i];
		int ok = passed(p);

		failed += !ok;
		if (p->stuck)
			printf("not ok %u %s # stuck: still running %ds after SIGTERM\n",
			       i + 1, p->name, GRACE_S);
		else if (p->early)
			printf("not ok %u %s # lost: exited (status 0x%x) before the stress ended\n",
			       i + 1, p->name, p->status);
		else if (WIFEXITED(p->status) && WEXITSTATUS(p->status) == KSFT_SKIP)
			printf("ok %u %s # SKIP\n", i + 1, p->name);
		else
			printf("%s %u %s%s\n", ok ? "ok" : "not ok", i + 1, p->name,
			       ok ? "" : " # failed: see its diagnostics above");
	}
	if (WIFEXITED(drv->status) && WEXITSTATUS(drv->status) == KSFT_SKIP)
		failed++;	/* a run that plugged no CPU proves nothing */
	printf("# totals: pass:%u fail:%u\n", n - failed, failed);
	fflush(stdout);
	return failed ? KSFT_FAIL : KSFT_PASS;
}
