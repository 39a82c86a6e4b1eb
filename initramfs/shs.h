/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shs.h - helpers shared by the in-guest stress programs: error reporting,
 * a seeded PRNG, monotonic time, and the hotplug state table that the
 * hotplug driver publishes and the loads read.
 *
 * Header-only so that each program stays one static binary from one file.
 */
#ifndef SHS_H
#define SHS_H

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SHS_MAX_CPUS	64
#define SHS_STATE_PATH	"/run/shs-state"
/* The series' injection points and counters (CONFIG_SCHED_HOTPLUG_INJECT) */
#define SHI_DIR		"/sys/kernel/debug/sched/hotplug_inject"

/* kselftest exit codes */
#define KSFT_PASS	0
#define KSFT_FAIL	1
#define KSFT_SKIP	4

enum shs_cpu_state {
	SHS_CPU_ONLINE = 0,	/* online, no operation in flight */
	SHS_CPU_GOING_DOWN,	/* write of 0 to .../online in progress */
	SHS_CPU_OFFLINE,	/* the write of 0 returned success */
	SHS_CPU_COMING_UP,	/* write of 1 to .../online in progress */
};

/*
 * Published by the hotplug driver in a shared file mapping.  gen[cpu] is
 * bumped around every state change, so a reader can tell that a state it
 * read held for the whole interval between two reads of gen[cpu].
 */
struct shs_state {
	volatile uint32_t ncpus;
	volatile uint32_t state[SHS_MAX_CPUS];
	volatile uint32_t gen[SHS_MAX_CPUS];
	volatile uint32_t stop;		/* set by the runner: wind down */
};

static const char *shs_prog = "shs";

/* Print a diagnostic line in KTAP form ("# prog: ..."). */
static inline void diag(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	n = snprintf(buf, sizeof(buf), "# %s: ", shs_prog);
	va_start(ap, fmt);
	vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	va_end(ap);
	/* One write per line, so lines of concurrent programs do not mix. */
	n = strlen(buf);
	if (n < (int)sizeof(buf) - 1) {
		buf[n++] = '\n';
		buf[n] = '\0';
	}
	if (write(STDOUT_FILENO, buf, n) < 0)
		return;
}

/* Report a failed system call with errno and what was being done, exit 1. */
#define die_errno(what, ...)	do {					\
	int __e = errno;						\
	char __w[400];							\
	snprintf(__w, sizeof(__w), what, ##__VA_ARGS__);		\
	diag("error: %s: %s (errno %d)", __w, strerror(__e), __e);	\
	exit(KSFT_FAIL);						\
} while (0)

/* xorshift64*: small, seedable, good enough to pick CPUs and masks. */
static inline uint64_t rnd_next(uint64_t *s)
{
	uint64_t x = *s ? *s : 0x9e3779b97f4a7c15ULL;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dULL;
}

/* Uniform-enough integer in [0, n). */
static inline unsigned int rnd_below(uint64_t *s, unsigned int n)
{
	return n ? (unsigned int)(rnd_next(s) % n) : 0;
}

/* Monotonic time in nanoseconds. */
static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Where the state table lives: $SHS_STATE (host tests) or the default. */
static inline const char *shs_state_path(void)
{
	const char *p = getenv("SHS_STATE");

	return p && *p ? p : SHS_STATE_PATH;
}

/* Map the driver's state table; create it when @create is set. */
static inline struct shs_state *shs_state_map(int create)
{
	const char *path = shs_state_path();
	struct shs_state *st;
	int fd;

	fd = open(path, create ? O_RDWR | O_CREAT : O_RDWR, 0644);
	if (fd < 0)
		die_errno("open %s", path);
	if (create && ftruncate(fd, sizeof(*st)) < 0)
		die_errno("ftruncate %s", path);
	st = mmap(NULL, sizeof(*st), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (st == MAP_FAILED)
		die_errno("mmap %s", path);
	close(fd);
	return st;
}

/* Parse a non-negative integer option, or exit with a usage error. */
static inline unsigned long parse_ulong(const char *opt, const char *val,
					unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(val, &end, 0);
	if (errno || end == val || *end || v > max || val[0] == '-') {
		fprintf(stderr, "%s: %s: invalid value '%s' (0..%lu)\n",
			shs_prog, opt, val, max);
		exit(2);
	}
	return v;
}

/* Is @word one of the space-separated words of @list? */
static inline int has_word(const char *list, const char *word)
{
	size_t n = strlen(word);
	const char *p = list;

	while (n && (p = strstr(p, word))) {
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return 1;
		p += n;
	}
	return 0;
}

/*
 * Read the counters file @path ("name value" lines, the kernel's
 * SHI_DIR/counters) and list in @missing (space-prefixed) those of the
 * space-separated @require that are still zero; with @print, print every
 * counter.  Returns how many of @require the file has, or -errno.
 */
static inline int shi_counters(const char *path, const char *require,
			       char *missing, size_t len, int print)
{
	char line[128], name[96];
	unsigned long val;
	int seen = 0;
	FILE *f;

	missing[0] = 0;
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%95s %lu", name, &val) != 2)
			continue;
		if (print)
			diag("counter %s=%lu", name, val);
		if (!has_word(require, name))
			continue;
		seen++;
		if (!val)
			snprintf(missing + strlen(missing),
				 len - strlen(missing), " %s", name);
	}
	fclose(f);
	return seen;
}

static volatile sig_atomic_t stop_requested;

static void shs_on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* SIGTERM and SIGINT set stop_requested (and interrupt blocking calls). */
static inline void install_stop_handler(void)
{
	struct sigaction sa = { .sa_handler = shs_on_signal };

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}

#ifdef CPU_SETSIZE	/* the includer has <sched.h> with _GNU_SOURCE */
/* Pin the calling task to @cpu; returns sched_setaffinity()'s result. */
static inline int shs_pin(unsigned int cpu)
{
	cpu_set_t m;

	CPU_ZERO(&m);
	CPU_SET(cpu, &m);
	return sched_setaffinity(0, sizeof(m), &m);
}
#endif

#define SHS_MAX_WORKERS	64

/*
 * Fork @n workers running @fn(id, @ctx), forward a stop request to them and
 * reap every one.  Returns the number of workers that did not exit with
 * KSFT_PASS; each of those is named in a diagnostic line.
 */
static inline unsigned int run_workers(unsigned int n,
				       int (*fn)(unsigned int id, void *ctx),
				       void *ctx)
{
	pid_t pids[SHS_MAX_WORKERS];
	unsigned int i, failed = 0, reaped = 0;
	int forwarded = 0;

	install_stop_handler();
	for (i = 0; i < n && i < SHS_MAX_WORKERS; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			die_errno("fork worker %u", i);
		if (pids[i] == 0)
			exit(fn(i, ctx));
	}
	while (reaped < i) {
		unsigned int w;
		int status;
		pid_t pid = waitpid(-1, &status, 0);

		if (pid < 0) {
			if (errno != EINTR)
				die_errno("waitpid");
			if (stop_requested && !forwarded++)
				for (w = 0; w < i; w++)
					kill(pids[w], SIGTERM);
			continue;
		}
		for (w = 0; w < i && pids[w] != pid; w++)
			;
		if (w == i)
			continue;	/* not one of ours */
		reaped++;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != KSFT_PASS) {
			failed++;
			diag("error: worker %u (pid %d) ended with status 0x%x",
			     w, pid, status);
		}
	}
	diag("workers=%u failed=%u", i, failed);
	return failed;
}

#endif /* SHS_H */
