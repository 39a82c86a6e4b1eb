// SPDX-License-Identifier: GPL-2.0
/* exec-storm: fork+exec loops, so sched_exec() balances tasks across CPUs. */
#define _GNU_SOURCE
#include <getopt.h>
#include "shs.h"

#define DEFAULT_TARGET	"/bin/exec-target"

struct storm {
	const char *target;
	uint64_t end;
	uint64_t seed;
};

static void usage(void)
{
	fprintf(stderr,
"Usage: exec-storm [--workers N] [--duration S] [--seed N] [--target PATH]\n"
"  Runs N processes (default 4), each forking and exec'ing PATH\n"
"  (default " DEFAULT_TARGET ") in a loop, until S seconds passed\n"
"  (default 0: until SIGTERM).  Every child's exit status is checked.\n");
	exit(2);
}

/* One worker: fork+exec until told to stop; returns the kselftest code. */
static int worker(unsigned int id, void *ctx)
{
	const struct storm *sc = ctx;
	const char *target = sc->target;
	unsigned long execs = 0, bad = 0;
	uint64_t rng = sc->seed + id;

	while (!stop_requested && now_ns() < sc->end) {
		unsigned int k = rnd_below(&rng, 1000000);
		char arg[16];
		int status;
		pid_t pid;

		snprintf(arg, sizeof(arg), "%u", k);
		pid = fork();
		if (pid < 0)
			die_errno("worker %u: fork", id);
		if (pid == 0) {
			char *const av[] = { (char *)target, arg, NULL };

			execv(target, av);
			_exit(254);	/* exec failed */
		}
		while (waitpid(pid, &status, 0) < 0) {
			if (errno != EINTR)
				die_errno("worker %u: waitpid %d", id, pid);
		}
		execs++;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != k % 200) {
			bad++;
			diag("error: worker %u: child %d (arg %u) ended with status 0x%x, expected exit %u",
			     id, pid, k, status, k % 200);
		}
	}
	diag("worker %u: execs=%lu bad=%lu", id, execs, bad);
	return bad ? KSFT_FAIL : (execs ? KSFT_PASS : KSFT_FAIL);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "workers", required_argument, NULL, 'w' },
		{ "duration", required_argument, NULL, 'd' },
		{ "seed", required_argument, NULL, 's' },
		{ "target", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long nworkers = 4, duration = 0;
	struct storm sc = { .target = DEFAULT_TARGET, .seed = 1 };
	int o;

	shs_prog = "exec-storm";
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'w': nworkers = parse_ulong("--workers", optarg, SHS_MAX_WORKERS); break;
		case 'd': duration = parse_ulong("--duration", optarg, 86400); break;
		case 's': sc.seed = parse_ulong("--seed", optarg, ~0UL); break;
		case 't': sc.target = optarg; break;
		default: usage();
		}
	}
	if (optind != argc || !nworkers)
		usage();
	if (access(sc.target, X_OK) < 0)
		die_errno("exec target %s", sc.target);
	sc.end = duration ? now_ns() + duration * 1000000000ULL : UINT64_MAX;
	return run_workers(nworkers, worker, &sc) ? KSFT_FAIL : KSFT_PASS;
}
