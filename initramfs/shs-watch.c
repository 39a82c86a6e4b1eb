// SPDX-License-Identifier: GPL-2.0
/* shs-watch: on a hang report, dump the evidence, then end the guest. */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <getopt.h>
#include <poll.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include "shs.h"

#define PRIO		99	/* above every load and the hotplug driver */
#define SETTLE_S	2	/* let the detector finish its own report */
#define RCU_WAIT_S	25	/* RCU reports a grace period stalled 21 s */
#define SCHED_DEBUG	"/sys/kernel/debug/sched/debug"
#define SYSRQ_KEYS	"wlt"	/* blocked tasks, all CPUs, all tasks */
#define HUNG_TASK_S	"/proc/sys/kernel/hung_task_timeout_secs"
#define BACKUP_S	10	/* the SCHED_OTHER backup's extra wait */

/*
 * The kernel's own hang detectors, as printed.  Matching one of them is what
 * makes us dump: the verdict itself stays with the host's classifier.
 */
static const char *const triggers[] = {
	"blocked for more than",		/* hung task */
	"rcu: INFO: ",				/* RCU (expedited) stall */
	"BUG: soft lockup",
	"BUG: workqueue lockup",
	"Watchdog detected hard LOCKUP",
};

static void usage(void)
{
	fprintf(stderr,
"Usage: shs-watch [--no-exit] [--stuck-s S]\n"
"  Runs at SCHED_FIFO %d, reads the kernel log and, on the first report of a\n"
"  hung task, an RCU stall or a lockup (after waiting up to %d s for RCU's\n"
"  own stall report, if that was not it), prints between SHS-HANG-DUMP begin\n"
"  and end lines: every CPU's hotplug state, every task in D state with its\n"
"  wait channel and kernel stack ('# shs-watch: stuck ...' lines), the\n"
"  scheduler's debugfs state (runqueues, rt_rq, dl_rq) and the sysrq '%s'\n"
"  dumps (plus 'y', RCU's kthreads, with rcutree.sysrq_rcu=1).  It turns\n"
"  hung_task_panic off while it watches, so that the dump comes first.\n"
"  It also reports, as a hang, a CPU whose hotplug state (sysfs\n"
"  cpuN/hotplug/state) has stood short of its target for longer than the\n"
"  hung-task threshold: the kernel's own detectors are CFS kthreads, and a\n"
"  runqueue that never throttles its RT tasks starves them, and starves a\n"
"  console_lock holder, so that nothing reaches the console.  It ends the\n"
"  guest with a sysrq crash, whose panic flushes the log past a stuck\n"
"  console_lock (unless --no-exit).  A SCHED_OTHER copy of it watches too\n"
"  and dumps %d s later if the SCHED_FIFO one has not begun: RT throttling\n"
"  that is never lifted (the RT period timer stranded on a dead CPU) stops\n"
"  every RT task, this one included, while CFS runs on.\n",
		PRIO, RCU_WAIT_S, SYSRQ_KEYS, BACKUP_S);
	exit(2);
}

/* Write @val to @path; quiet on failure (the guest may lack the file). */
static int put(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY), ret = -1;

	if (fd >= 0) {
		ret = write(fd, val, strlen(val)) < 0 ? -1 : 0;
		close(fd);
	}
	return ret;
}

/* Print @path line by line, each line prefixed with @tag. */
static void dump_file(const char *path, const char *tag)
{
	char line[400];
	FILE *f = fopen(path, "r");

	if (!f) {
		diag("error: open %s: %s", path, strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		printf("%s%s\n", tag, line);
	}
	fclose(f);
}

/* Read the first line of @path into @buf; "?" when unreadable. */
static void read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	snprintf(buf, len, "?");
	if (!f)
		return;
	if (fgets(buf, (int)len, f))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

/*
 * Each CPU's hotplug state and target.  Not cpuN/online: reading it takes
 * the device lock, which a stuck online_store() holds.
 */
static void dump_cpus(void)
{
	char path[128], mask[64], state[16], target[16];
	long n = sysconf(_SC_NPROCESSORS_CONF), cpu;

	read_line("/sys/devices/system/cpu/online", mask, sizeof(mask));
	diag("cpus online=%s", mask);
	read_line("/sys/devices/system/cpu/active", mask, sizeof(mask));
	if (strcmp(mask, "?"))
		diag("cpus active=%s", mask);
	for (cpu = 0; cpu < n; cpu++) {
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%ld/hotplug/state", cpu);
		read_line(path, state, sizeof(state));
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%ld/hotplug/target", cpu);
		read_line(path, target, sizeof(target));
		diag("cpu%ld hotplug_state=%s target=%s", cpu, state, target);
	}
}

/*
 * Every task (threads included) in uninterruptible sleep: one summary line
 * each, then its kernel stack.
 */
static void dump_stuck(void)
{
	DIR *proc = opendir("/proc"), *tdir;
	struct dirent *p, *t;
	char path[600], stat[512], wchan[128], *c;
	unsigned int n = 0;

	if (!proc) {
		diag("error: opendir /proc: %s", strerror(errno));
		return;
	}
	while ((p = readdir(proc))) {
		if (!isdigit((unsigned char)p->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/task", p->d_name);
		tdir = opendir(path);
		if (!tdir)
			continue;
		while ((t = readdir(tdir))) {
			char comm[64] = "?", st = '?';

			if (!isdigit((unsigned char)t->d_name[0]))
				continue;
			snprintf(path, sizeof(path), "/proc/%s/task/%s/stat",
				 p->d_name, t->d_name);
			read_line(path, stat, sizeof(stat));
			/* pid (comm) S ...: comm may hold spaces and ')'. */
			c = strrchr(stat, ')');
			if (!c || !c[1] || !c[2])
				continue;
			st = c[2];
			*c = '\0';
			if (strchr(stat, '('))
				snprintf(comm, sizeof(comm), "%s", strchr(stat, '(') + 1);
			if (st != 'D')
				continue;
			snprintf(path, sizeof(path), "/proc/%s/task/%s/wchan",
				 p->d_name, t->d_name);
			read_line(path, wchan, sizeof(wchan));
			diag("stuck %s:%s state=%c wchan=%s", comm, t->d_name,
			     st, wchan);
			snprintf(path, sizeof(path), "/proc/%s/task/%s/stack",
				 p->d_name, t->d_name);
			dump_file(path, "#   ");
			n++;
		}
		closedir(tdir);
	}
	closedir(proc);
	diag("%u task(s) in D state", n);
}

static void sysrq(char key)
{
	char k[2] = { key, '\0' };

	if (put("/proc/sysrq-trigger", k))
		diag("error: sysrq '%c': %s", key, strerror(errno));
	sleep(1);	/* the console drains before the next one */
}

/* Shared by the two watchers: set by whichever begins to dump. */
static volatile int *dumping;

/* Returns 0, doing nothing, if the other watcher began first. */
static int dump(const char *reason, int backup)
{
	char rcu[8];
	const char *k;

	if (__sync_lock_test_and_set(dumping, 1))
		return 0;
	if (backup) {
		diag("the SCHED_FIFO watcher has not dumped within %d s: the backup dumps", BACKUP_S);
		/* Its own finding reaches the console only now. */
		if (strstr(reason, "INFO: shs-watch: "))
			printf("%s\n", reason);
	}
	printf("SHS-HANG-DUMP begin: %s%s\n", reason,
	       backup ? " (by the SCHED_OTHER backup watcher)" : "");
	dump_cpus();
	dump_stuck();
	dump_file(SCHED_DEBUG, "# sched-debug: ");
	read_line("/sys/module/rcutree/parameters/sysrq_rcu", rcu, sizeof(rcu));
	for (k = SYSRQ_KEYS; *k; k++)
		sysrq(*k);
	if (rcu[0] == 'Y')
		sysrq('y');
	printf("SHS-HANG-DUMP end\n");
	return 1;
}

#define MAX_CPUS	64

/*
 * A hotplug operation that stopped moving: state short of target and
 * unchanged for @limit_s seconds.  Writes the reason to @reason and
 * returns 1.  The hotplug/ files are read without any kernel lock.
 */
static int hotplug_stuck(unsigned long limit_s, char *reason, size_t len)
{
	static char last[MAX_CPUS][16];
	static uint64_t since[MAX_CPUS];
	static int moved[MAX_CPUS];	/* seen in an operation at all */
	char path[128], state[16], target[16];
	long n = sysconf(_SC_NPROCESSORS_CONF), cpu;
	uint64_t t = now_ns();

	for (cpu = 0; cpu < n && cpu < MAX_CPUS; cpu++) {
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%ld/hotplug/state", cpu);
		read_line(path, state, sizeof(state));
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%ld/hotplug/target", cpu);
		read_line(path, target, sizeof(target));
		/*
		 * The boot CPU's target may never have been set: only a CPU
		 * whose state moved since we started is in an operation.
		 */
		if (last[cpu][0] && strcmp(state, last[cpu]))
			moved[cpu] = 1;
		if (!strcmp(state, target) || strcmp(state, last[cpu])) {
			snprintf(last[cpu], sizeof(last[cpu]), "%s", state);
			since[cpu] = t;
			continue;
		}
		if (!moved[cpu] || t - since[cpu] < limit_s * 1000000000ULL)
			continue;
		snprintf(reason, len,
			 "INFO: shs-watch: cpu%ld hotplug stuck at state %s (target %s) for more than %lu seconds",
			 cpu, state, target, limit_s);
		return 1;
	}
	return 0;
}

/* Does the kmsg record @rec report a hang? */
static int is_trigger(const char *rec)
{
	unsigned int i;

	for (i = 0; i < sizeof(triggers) / sizeof(*triggers); i++)
		if (strstr(rec, triggers[i]))
			return 1;
	return 0;
}

/*
 * Wait up to @ms for kernel log records; copy the first one that reports
 * a hang (or, with @want, that contains @want) to @out.  Returns 1 if one
 * did.
 */
static int next_trigger(int fd, int ms, const char *want, char *out, size_t len)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char rec[2048], *msg;
	ssize_t n;

	if (poll(&pfd, 1, ms) <= 0)
		return 0;
	while ((n = read(fd, rec, sizeof(rec) - 1)) != 0) {
		if (n < 0) {
			if (errno == EAGAIN)
				break;
			if (errno == EPIPE || errno == EINTR)
				continue;	/* overwritten: go on */
			die_errno("read /dev/kmsg");
		}
		rec[n] = '\0';
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		msg[strcspn(msg, "\n")] = '\0';
		if (strstr(msg, "shs-watch") ||
		    (want ? !strstr(msg, want) : !is_trigger(msg)))
			continue;
		snprintf(out, len, "%.200s", msg);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "no-exit", no_argument, NULL, 'n' },
		{ "stuck-s", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	struct sched_param sp = { .sched_priority = PRIO };
	char reason[256] = "", hung[32];
	unsigned long stuck_s = 0;
	int fd, o, no_exit = 0, backup;
	pid_t rt_pid;

	shs_prog = "shs-watch";
	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'n': no_exit = 1; break;
		case 's': stuck_s = parse_ulong("--stuck-s", optarg, 86400); break;
		default: usage();
		}
	}
	if (optind != argc)
		usage();
	dumping = mmap(NULL, sizeof(*dumping), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (dumping == MAP_FAILED)
		die_errno("mmap");
	rt_pid = getpid();
	backup = fork();
	if (backup < 0)
		die_errno("fork the backup watcher");
	backup = !backup;
	if (backup && (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != rt_pid))
		_exit(0);	/* the SCHED_FIFO watcher is gone: so are we */
	if (mlockall(MCL_CURRENT | MCL_FUTURE) < 0)
		die_errno("mlockall");
	if (!backup && sched_setscheduler(0, SCHED_FIFO, &sp) < 0)
		die_errno("sched_setscheduler(SCHED_FIFO, %d)", PRIO);
	fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (fd < 0)
		die_errno("open /dev/kmsg");
	/* Only what happens from now on: the boot log is not ours. */
	if (lseek(fd, 0, SEEK_END) < 0)
		die_errno("lseek /dev/kmsg");
	if (put("/proc/sys/kernel/hung_task_panic", "0"))
		die_errno("write 0 to /proc/sys/kernel/hung_task_panic");
	if (put("/proc/sys/kernel/sysrq", "1"))
		die_errno("write 1 to /proc/sys/kernel/sysrq");
	if (!backup)
		diag("watching for hangs (hung_task_panic off until a dump is done)");
	while (!reason[0]) {
		/* The scenario may change the threshold after we start. */
		if (!stuck_s) {
			read_line(HUNG_TASK_S, hung, sizeof(hung));
			o = atoi(hung);
		} else {
			o = (int)stuck_s;
		}
		if (o > 0 && hotplug_stuck((unsigned long)o, reason, sizeof(reason))) {
			if (!backup)
				printf("%s\n", reason);
			break;
		}
		next_trigger(fd, 1000, NULL, reason, sizeof(reason));
	}
	/*
	 * A hang that stops grace periods is reported by RCU itself 21 s
	 * after the grace period started, naming the CPUs and tasks that
	 * hold it up: worth the wait, since the dump ends the run.  Seen:
	 * 16.8 s after our stuck report, so 15 s was too short.
	 */
	if (!strstr(reason, "rcu: INFO: ")) {
		char rcu[256] = "";
		uint64_t end = now_ns() + RCU_WAIT_S * 1000000000ULL;

		if (!backup)
			diag("waiting up to %d s for an RCU stall report", RCU_WAIT_S);
		while (!rcu[0] && now_ns() < end)
			next_trigger(fd, 1000, "rcu: INFO: ", rcu, sizeof(rcu));
		if (!backup)
			diag("%s", rcu[0] ? "RCU reported a stall" : "no RCU stall report");
	}
	sleep(SETTLE_S);
	if (backup) {
		/* Only if the SCHED_FIFO watcher could not run by now. */
		sleep(BACKUP_S);
	}
	if (!dump(reason, backup))
		for (;;)
			pause();	/* the other one dumps and ends the guest */
	put("/proc/sys/kernel/hung_task_panic", "1");
	if (no_exit)
		return KSFT_PASS;
	/*
	 * A panic flushes the log to the console even when a starved task
	 * holds console_lock; panic=-1 and -no-reboot then end QEMU.
	 */
	printf("SHS-RESULT rc=hang: crashing the guest to flush the log\n");
	sysrq('c');
	die_errno("sysrq crash returned");
}
