// SPDX-License-Identifier: GPL-2.0
/* shs-run: run one stress scenario (hotplug driver + loads), report in KTAP. */
#define _GNU_SOURCE
#include <dirent.h>
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

/*
 * What to run, from the scenario file the host read (scenarios/ in the
 * project; handed over as shs.* kernel parameters by the init).  The
 * injection points are configured by the kernel's own sched_hotplug_inject=
 * parameter; this program only checks and reports them.
 */
struct scenario {
	const char *name;
	char *loads;		/* load programs, space-separated */
	char *require;		/* checks that must fire, space-separated */
	const char *hog_duty;	/* rt-hogs --duty ON_MS:OFF_MS */
	const char *rt_period_us;	/* NULL: keep the kernel's 1 s period */
	const char *hung_task_s;	/* NULL: keep the kernel's threshold */
};

static const char * const known_loads[] = {
	"exec-storm", "affinity-storm", "rt-hogs", "rt-chase",
};

/* RT runtime for a period set above: the kernel's 95% share. */
static const char *rt_runtime_us(const char *period_us)
{
	static char buf[24];

	snprintf(buf, sizeof(buf), "%lu", strtoul(period_us, NULL, 10) / 20 * 19);
	return buf;
}

/* Write @val to the file @path; returns 0 or an errno value. */
static int write_file(const char *path, const char *val)
{
	int fd, err = 0;

	fd = open(path, O_WRONLY);
	if (fd < 0) {
		err = errno;
	} else {
		if (write(fd, val, strlen(val)) < 0)
			err = errno;
		close(fd);
	}
	if (err)
		diag("error: write '%s' to %s: %s", val, path, strerror(err));
	return err;
}

/* Write @val to SHI_DIR/@file; returns 0 or an errno value. */
static int shi_write(const char *file, const char *val)
{
	char path[256];

	snprintf(path, sizeof(path), SHI_DIR "/%s", file);
	return write_file(path, val);
}

/* Read the first line of @path into @buf; returns 0 or an errno value. */
static int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	int err = 0;

	if (!f)
		return errno;
	if (!fgets(buf, len, f))
		err = EIO;
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	return err;
}

/*
 * Print the windows the kernel was configured to widen (by its
 * sched_hotplug_inject= parameter), zero the counters and switch counting
 * on.  Returns 0, or an errno value if the kernel has no injection.
 */
static int inject_setup(void)
{
	char path[512], prob[32], lo[32], hi[32];
	struct dirent *de;
	DIR *dir;
	int err;

	dir = opendir(SHI_DIR);
	if (!dir) {
		err = errno;
		diag("error: open " SHI_DIR ": %s", strerror(err));
		return err;
	}
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), SHI_DIR "/%s/probability", de->d_name);
		if (read_line(path, prob, sizeof(prob)) || !strcmp(prob, "0"))
			continue;
		snprintf(path, sizeof(path), SHI_DIR "/%s/delay_min_us", de->d_name);
		err = read_line(path, lo, sizeof(lo));
		snprintf(path, sizeof(path), SHI_DIR "/%s/delay_max_us", de->d_name);
		err = err ?: read_line(path, hi, sizeof(hi));
		if (err)
			continue;
		diag("inject %s: %s%%, %s-%s us", de->d_name, prob, lo, hi);
	}
	closedir(dir);
	err = shi_write("reset", "1");
	return err ?: shi_write("enable", "1");
}

/*
 * Switch injection off, print every counter and check that each check
 * @sc requires fired at least once.  Returns 1 when all did.
 */
static int inject_report(const struct scenario *sc)
{
	char missing[512];
	unsigned int wanted = 0;
	char *req, *w, *save;
	int seen;

	shi_write("enable", "0");
	seen = shi_counters(SHI_DIR "/counters", sc->require, missing,
			    sizeof(missing), 1);
	if (seen < 0) {
		diag("error: open " SHI_DIR "/counters: %s", strerror(-seen));
		return 0;
	}
	req = strdup(sc->require);
	for (w = strtok_r(req, " ", &save); w; w = strtok_r(NULL, " ", &save))
		wanted++;
	free(req);
	if ((unsigned int)seen != wanted)
		diag("error: the kernel counts only %d of the %u required checks (%s)",
		     seen, wanted, sc->require);
	if (missing[0])
		diag("error: window never crossed:%s", missing);
	return !missing[0] && (unsigned int)seen == wanted;
}

/*
 * What drives CPU hotplug: ours, or for side-by-side runs the kernel's
 * own ways, wrapped to take the same options and print the same lines.
 */
static const struct {
	const char *name, *prog;
} drivers[] = {
	{ "shs", "hotplug-driver" },
	{ "shell", "hotplug-shell" },		/* the selftest's shell loop */
	{ "rcutorture", "hotplug-rcutorture" },	/* torture_onoff */
};

static void usage(void)
{
	fprintf(stderr,
"Usage: shs-run --loads LIST [--scenario NAME] [--duration S] [--seed N]\n"
"               [--cpus N] [--min-ops N] [--driver shs|shell|rcutorture]\n"
"               [--hog-duty ON_MS:OFF_MS] [--rt-period-us US]\n"
"               [--hung-task-s S] [--inject 0|1] [--require LIST]\n"
"               [--cover-extend S]\n"
"  Runs one scenario: starts the loads (LIST: comma-separated, of\n"
"  exec-storm, affinity-storm, rt-hogs, rt-chase), runs the hotplug driver\n"
"  (default shs: hotplug-driver) for S seconds (default 60), stops the loads\n"
"  and requires every one of them to come back.  Only hotplug-driver\n"
"  publishes CPU states for the loads to check.  NAME only labels the\n"
"  output.  With --inject 1, reports the race windows the kernel was told\n"
"  to widen (sched_hotplug_inject=) and requires each check of --require\n"
"  (comma-separated counters of " SHI_DIR "/counters)\n"
"  to have fired at least once.  With --cover-extend S, hotplug-driver\n"
"  goes on for up to S more seconds while one of them has not fired.\n");
	exit(2);
}

/* A copy of the comma-separated @list with spaces instead of commas. */
static char *words(const char *list)
{
	char *s = strdup(list), *p;

	if (!s)
		die_errno("strdup");
	for (p = s; *p; p++)
		if (*p == ',')
			*p = ' ';
	return s;
}

/* Does @loads name only known load programs, at least one? */
static int loads_valid(const char *loads)
{
	char *l = strdup(loads), *w, *save;
	unsigned int i, n = 0, ok = 1;

	for (w = strtok_r(l, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		for (i = 0; i < sizeof(known_loads) / sizeof(*known_loads); i++)
			if (!strcmp(w, known_loads[i]))
				break;
		if (i == sizeof(known_loads) / sizeof(*known_loads)) {
			diag("error: no load program '%s'", w);
			ok = 0;
		}
		n++;
	}
	free(l);
	return ok && n;
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
		{ "inject", required_argument, NULL, 'i' },
		{ "driver", required_argument, NULL, 'D' },
		{ "loads", required_argument, NULL, 'l' },
		{ "hog-duty", required_argument, NULL, 'H' },
		{ "rt-period-us", required_argument, NULL, 'r' },
		{ "hung-task-s", required_argument, NULL, 't' },
		{ "require", required_argument, NULL, 'R' },
		{ "cover-extend", required_argument, NULL, 'E' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long duration = 60, seed = 1, ncpus = 4, min_ops = 1;
	unsigned long inject = 0, extend = 0;
	const char *driver = "shs", *drv_prog = NULL;
	struct scenario scn = { .name = "unnamed", .loads = "", .require = "",
				.hog_duty = "1:0" }, *sc = &scn;
	int covered = 0, inject_err = 0;
	struct prog progs[MAX_PROGS] = { 0 }, *drv = &progs[0];
	unsigned int n = 1, i, failed = 0;
	uint64_t deadline;
	char drv_path[64];
	int o, status;

	shs_prog = "shs-run";
	/* One line per write(): the init points stdout at /dev/kmsg. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'S': sc->name = optarg; break;
		case 'l': sc->loads = words(optarg); break;
		case 'R': sc->require = words(optarg); break;
		case 'H': sc->hog_duty = optarg; break;
		case 'r':	/* empty: the kernel's own */
			if (*optarg && parse_ulong("--rt-period-us", optarg, 1000000000))
				sc->rt_period_us = optarg;
			break;
		case 't':
			if (*optarg && parse_ulong("--hung-task-s", optarg, 1000000000))
				sc->hung_task_s = optarg;
			break;
		case 'd': duration = parse_ulong("--duration", optarg, 86400); break;
		case 's': seed = parse_ulong("--seed", optarg, ~0UL); break;
		case 'n': ncpus = parse_ulong("--cpus", optarg, SHS_MAX_CPUS); break;
		case 'm': min_ops = parse_ulong("--min-ops", optarg, 1UL << 20); break;
		case 'i': inject = parse_ulong("--inject", optarg, 1); break;
		case 'E': extend = parse_ulong("--cover-extend", optarg, 86400); break;
		case 'D': driver = optarg; break;
		default: usage();
		}
	}
	for (i = 0; i < sizeof(drivers) / sizeof(*drivers); i++)
		if (!strcmp(driver, drivers[i].name))
			drv_prog = drivers[i].prog;
	if (optind != argc || !loads_valid(sc->loads) || !duration || !drv_prog)
		usage();
	snprintf(drv_path, sizeof(drv_path), BIN "%s", drv_prog);

	*drv = (struct prog){ .name = drv_prog, .argv = {
		drv_path, "--duration", fmt("%lu", duration),
		"--seed", fmt("%lu", seed), "--cpus", fmt("%lu", ncpus),
		"--min-ops", fmt("%lu", min_ops), NULL } };
	/*
	 * Only our driver can go on until every required window was crossed;
	 * the comparison drivers run exactly --duration.
	 */
	if (inject && extend && sc->require[0] && !strcmp(driver, "shs")) {
		char **a = drv->argv;

		while (*a)
			a++;
		*a++ = "--require";
		*a++ = sc->require;
		*a++ = "--cover-extend";
		*a = fmt("%lu", extend);
	}
	if (has_word(sc->loads, "exec-storm"))
		progs[n++] = (struct prog){ .name = "exec-storm", .argv = {
			BIN "exec-storm", "--workers", fmt("%lu", ncpus),
			"--seed", fmt("%lu", seed + 1), NULL } };
	if (has_word(sc->loads, "affinity-storm"))
		progs[n++] = (struct prog){ .name = "affinity-storm", .argv = {
			BIN "affinity-storm", "--workers", fmt("%lu", ncpus),
			"--cpus", fmt("%lu", ncpus),
			"--seed", fmt("%lu", seed + 2), NULL } };
	if (has_word(sc->loads, "rt-chase"))
		progs[n++] = (struct prog){ .name = "rt-chase", .argv = {
			BIN "rt-chase", "--cpus", fmt("%lu", ncpus), NULL } };
	if (has_word(sc->loads, "rt-hogs"))
		progs[n++] = (struct prog){ .name = "rt-hogs", .argv = {
			BIN "rt-hogs", "--cpus",
			fmt("%lu", ncpus), "--duty", (char *)sc->hog_duty,
			NULL } };

	printf("KTAP version 1\n1..%u\n", n + 1);
	diag("scenario=%s duration=%lus seed=%lu cpus=%lu programs=%u inject=%lu driver=%s",
	     sc->name, duration, seed, ncpus, n, inject, drv_prog);
	diag("loads=%s require=%s", sc->loads, inject ? sc->require : "");
	if (inject)
		inject_err = inject_setup();

	if (sc->rt_period_us) {
		const char *rt = rt_runtime_us(sc->rt_period_us);

		/* Runtime first: the period may not drop below it. */
		if (write_file("/proc/sys/kernel/sched_rt_runtime_us", rt) ||
		    write_file("/proc/sys/kernel/sched_rt_period_us",
			       sc->rt_period_us))
			return KSFT_FAIL;
		diag("sched_rt_period_us=%s sched_rt_runtime_us=%s",
		     sc->rt_period_us, rt);
	}
	if (sc->hung_task_s) {
		if (write_file("/proc/sys/kernel/hung_task_timeout_secs",
			       sc->hung_task_s))
			return KSFT_FAIL;
		diag("hung_task_timeout_secs=%s", sc->hung_task_s);
	}

	/*
	 * The state table must exist before any load looks for it.  Only
	 * hotplug-driver fills it in; without it the loads skip the checks
	 * that need to know which CPU was offline when.
	 */
	if (!strcmp(driver, "shs"))
		shs_state_map(1);
	printf("SHS-STRESS-START\n");
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
	if (inject && !sc->require[0]) {
		inject_report(sc);	/* the counters, for the record */
		printf("ok %u coverage # SKIP the scenario requires no check to fire\n",
		       n + 1);
	} else if (inject) {
		covered = !inject_err && inject_report(sc);
		printf("%s %u coverage%s\n", covered ? "ok" : "not ok", n + 1,
		       covered ? "" : " # window never crossed, or injection failed");
		failed += !covered;
	} else {
		printf("ok %u coverage # SKIP race-window injection not requested\n",
		       n + 1);
	}
	if (WIFEXITED(drv->status) && WEXITSTATUS(drv->status) == KSFT_SKIP)
		failed++;	/* a run that plugged no CPU proves nothing */
	printf("# totals: pass:%u fail:%u\n", n + 1 - failed, failed);
	fflush(stdout);
	return failed ? KSFT_FAIL : KSFT_PASS;
}
