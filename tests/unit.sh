#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host-side tests: the guest programs' logic run on the host (a fake
# /sys/devices/system/cpu made of plain files, a fake hotplug state table),
# the console classifier on sample logs, the host scripts' handling of bad
# input, and the run watchdog against a QEMU stand-in that goes silent.
# Nothing here boots a kernel: tests/e2e.sh does.
#
# Usage: tests/unit.sh

set -uo pipefail
# shellcheck source=tests/testlib.sh
source "$(dirname "$0")/testlib.sh"
cd "$T_TOP" || exit 1

BIN=$T_OUT/bin
mkdir -p "$BIN"
for c in initramfs/*.c; do
	gcc -O2 -Wall -Wextra -Werror -static -o "$BIN/$(basename "$c" .c)" "$c" ||
		{ t_not_ok "build ${c}" "gcc failed"; t_done; exit; }
done

# --- hotplug-driver against a fake CPU sysfs -------------------------------

# fake_sysfs DIR N: cpu0 with no online file (like x86), cpu1..N-1 online.
fake_sysfs() {
	local d=$1 n=$2 i
	rm -rf "$d"
	mkdir -p "$d/cpu0"
	for ((i = 1; i < n; i++)); do
		mkdir -p "$d/cpu$i"
		echo 1 >"$d/cpu$i/online"
	done
}

fs=$T_OUT/sysfs
fake_sysfs "$fs" 4
t_expect "driver: completes --count 500 and reports latencies" 0 \
	'ops=500 .*errors=0' \
	"$BIN/hotplug-driver" --sysfs "$fs" --prio 0 --no-state --duration 0 --count 500 --seed 7
t_true "driver: leaves every CPU online at the end" \
	bash -c "[ \"\$(cat $fs/cpu1/online $fs/cpu2/online $fs/cpu3/online | tr -d '\n')\" = 111 ]"

# All CPUs hotpluggable: the driver must never offline the last one.
rm -rf "$fs" && mkdir -p "$fs"/cpu{0,1} && echo 1 >"$fs/cpu0/online" && echo 1 >"$fs/cpu1/online"
"$BIN/hotplug-driver" --sysfs "$fs" --prio 0 --no-state --duration 0 --count 400 \
	--seed 3 --trace >"$T_OUT/trace.log" 2>&1
t_true "driver: never offlines the last online CPU (400 ops traced)" \
	bash -c "grep -c ' op ' $T_OUT/trace.log | grep -qx 400 && ! grep -q ' online=0\$' $T_OUT/trace.log"

fake_sysfs "$fs" 4
"$BIN/hotplug-driver" --sysfs "$fs" --prio 0 --no-state --duration 0 --count 100 --seed 42 --trace |
	grep ' op ' >"$T_OUT/seed-a.log"
fake_sysfs "$fs" 4
"$BIN/hotplug-driver" --sysfs "$fs" --prio 0 --no-state --duration 0 --count 100 --seed 42 --trace |
	grep ' op ' >"$T_OUT/seed-b.log"
t_true "driver: the same --seed repeats the same operations" \
	cmp -s "$T_OUT/seed-a.log" "$T_OUT/seed-b.log"

fake_sysfs "$fs" 3
ln -sf /dev/full "$fs/cpu2/online"
t_expect "driver: a failing write is reported with errno and fails the run" 1 \
	'error: op [0-9]+: cpu2 .*No space left on device \(errno 28\)' \
	"$BIN/hotplug-driver" --sysfs "$fs" --prio 0 --no-state --duration 0 --count 50 --seed 1

rm -rf "$fs" && mkdir -p "$fs/cpu0"
t_expect "driver: no hotpluggable CPU is a SKIP (exit 4), not a pass" 4 \
	'# SKIP no hotpluggable CPU' \
	"$BIN/hotplug-driver" --sysfs "$fs" --prio 0 --no-state --duration 1

fake_sysfs "$fs" 2
t_expect "driver: fewer operations than --min-ops fails" 1 \
	'fewer than the 1000 required' \
	"$BIN/hotplug-driver" --sysfs "$fs" --prio 0 --no-state --duration 0 --count 10 --min-ops 1000
t_expect "driver: a bad option value is a usage error" 2 \
	"--cpus: invalid value 'many'" \
	"$BIN/hotplug-driver" --cpus many

fake_sysfs "$fs" 4
t_expect "driver: --dump-latencies prints one line per completed operation" 0 '' \
	bash -c "'$BIN/hotplug-driver' --sysfs '$fs' --prio 0 --no-state --duration 0 --count 40 --seed 5 --dump-latencies |
		grep -cE '^# hotplug-driver: lat [0-9]+ (offline|online) [0-9]+\$' | grep -qx 40"

# elapsed_in LOG MIN MAX: the driver's elapsed_ms in LOG is in [MIN, MAX).
elapsed_in() {
	local ms
	ms=$(sed -n 's/.*elapsed_ms=\([0-9]*\).*/\1/p' "$1")
	[ -n "$ms" ] && [ "$ms" -ge "$2" ] && [ "$ms" -lt "$3" ]
}

# The coverage extension: past --duration, on while a required counter
# is zero (the kernel's counters file stood in for by a plain one).
fake_sysfs "$fs" 4
cnt=$T_OUT/counters
printf 'a.x 0\nb.y 3\nc.z 0\n' >"$cnt"
(sleep 2.5; printf 'a.x 1\nb.y 3\nc.z 0\n' >"$cnt.new" && mv "$cnt.new" "$cnt") &
t_expect "driver: goes on past --duration until every required counter fired" 0 \
	'coverage: extended [0-9]+ ms past --duration until every required counter fired' \
	"$BIN/hotplug-driver" --sysfs "$fs" --prio 0 --no-state --duration 1 --pause-ms 5 \
	--require a.x,b.y --cover-extend 20 --counters "$cnt"
wait
t_true "  ... no longer than it had to (elapsed 2-5 s)" elapsed_in "$T_OUT/t$T_N.log" 2000 5000
t_expect "driver: a counter that never fires: on to --cover-extend, then named" 0 \
	'coverage: extended [0-9]+ ms past --duration, still not crossed: c.z$' \
	"$BIN/hotplug-driver" --sysfs "$fs" --prio 0 --no-state --duration 1 --pause-ms 5 \
	--require a.x,c.z --cover-extend 2 --counters "$cnt"
log=$T_OUT/t$T_N.log
t_true "  ... which it says when --duration ends" grep -q 'not yet crossed at the end of --duration: c.z; going on for up to 2 s' "$log"
t_true "  ... and it stopped there (elapsed 3-4 s)" elapsed_in "$log" 3000 4000
t_expect "driver: every required counter fired at --duration: no extension" 0 \
	'elapsed_ms=1[0-9]{3} ' \
	"$BIN/hotplug-driver" --sysfs "$fs" --prio 0 --no-state --duration 1 --pause-ms 5 \
	--require b.y --cover-extend 20 --counters "$cnt"
t_true "  ... and says nothing of coverage" bash -c "! grep -q coverage '$T_OUT/t$T_N.log'"
t_expect "driver: unreadable counters end the run at --duration, with the error" 0 \
	'error: coverage: read /nonexistent: No such file or directory' \
	"$BIN/hotplug-driver" --sysfs "$fs" --prio 0 --no-state --duration 1 --pause-ms 5 \
	--require a.x --cover-extend 20 --counters /nonexistent

# --- the selftest's shell loop (busybox sh, as in the guest) ----------------

fake_sysfs "$fs" 4
t_expect "shell loop: --count 30 in busybox sh, with latency percentiles" 0 \
	'ops=30 offline=15 online=15 errors=0.*' \
	/bin/busybox sh initramfs/hotplug-shell --sysfs "$fs" --duration 0 --count 30
t_expect "shell loop: ... and its offline latency line" 0 \
	'offline_latency_us n=15 min=[0-9]+ p50=[0-9]+ p99=[0-9]+ max=[0-9]+ mean=[0-9]+' \
	/bin/busybox sh initramfs/hotplug-shell --sysfs "$fs" --duration 0 --count 30
t_true "shell loop: leaves every CPU online at the end" \
	bash -c "[ \"\$(cat $fs/cpu1/online $fs/cpu2/online $fs/cpu3/online | tr -d '\n')\" = 111 ]"
fake_sysfs "$fs" 3
ln -sf /dev/full "$fs/cpu2/online"
t_expect "shell loop: a failing write is reported and fails the run" 1 \
	'error: op [0-9]+: echo 0 > cpu2/online failed' \
	/bin/busybox sh initramfs/hotplug-shell --sysfs "$fs" --duration 0 --count 10
t_expect "shell loop: a bad option is a usage error" 2 'Usage: hotplug-shell' \
	/bin/busybox sh initramfs/hotplug-shell --count many

# --- loads on the host ------------------------------------------------------

t_expect "exec-storm: every child's exit status checked, none bad" 0 \
	'workers=2 failed=0' \
	"$BIN/exec-storm" --workers 2 --duration 1 --target "$BIN/exec-target"
t_expect "exec-storm: a target with the wrong exit status fails" 1 \
	'ended with status 0x100, expected exit' \
	"$BIN/exec-storm" --workers 1 --duration 1 --target /bin/false
t_expect "exec-storm: a missing target is an error" 1 \
	'exec target /nonexistent' \
	"$BIN/exec-storm" --workers 1 --duration 1 --target /nonexistent

t_expect "affinity-storm: random masks, never outside them" 0 \
	'workers=2 failed=0' \
	env SHS_STATE="$T_OUT/none" "$BIN/affinity-storm" --workers 2 --cpus 2 --duration 1

# A state table that says every CPU is offline (gen even: no change in
# flight): running anywhere must be reported.
python3 - "$T_OUT/offline-state" <<'PY'
import struct, sys
n = 64
state = [2] * n              # SHS_CPU_OFFLINE
gen = [2] * n                # even: stable
open(sys.argv[1], "wb").write(struct.pack("<I", n) + struct.pack("<%dI" % n, *state)
                              + struct.pack("<%dI" % n, *gen) + struct.pack("<I", 0))
PY
t_expect "affinity-storm: running on a CPU marked offline is caught" 1 \
	'error: worker 0 ran on cpu[0-9]+, which was offline' \
	env SHS_STATE="$T_OUT/offline-state" "$BIN/affinity-storm" --workers 1 --cpus 1 --duration 1

t_expect "rt-hogs: --first beyond --cpus is a usage error" 2 'Usage: rt-hogs' \
	"$BIN/rt-hogs" --cpus 2 --first 2
t_expect "shs-run: an unknown load is a usage error" 2 "no load program 'bogus'.*|Usage: shs-run" \
	"$BIN/shs-run" --scenario x --loads exec-storm,bogus
t_expect "shs-run: no load at all is a usage error" 2 'Usage: shs-run' \
	"$BIN/shs-run" --scenario x --loads ''
t_expect "qexit: a code out of range is a usage error" 2 'Usage: qexit' \
	"$BIN/qexit" 300

# --- console classifier -----------------------------------------------------

cb=scripts/console-badness.sh
cat >"$T_OUT/clean.log" <<'LOG'
[    1.0] smpboot: CPU 1 is now offline
[    1.1] sched: RT throttling activated
[    1.2] process 66 (affinity-storm) no longer affine to cpu1
[    0.1] Spectre V2 : WARNING: Unprivileged eBPF is enabled with eIBRS on
LOG
t_expect "classifier: a clean log, with known harmless lines, is clean" 0 '' "$cb" "$T_OUT/clean.log"
while IFS='|' read -r class line; do
	printf '[    2.0] %s\n' "$line" >"$T_OUT/bad.log"
	t_expect "classifier: '$line' is $class" 1 "^$class: " "$cb" "$T_OUT/bad.log"
done <<'CASES'
hang|INFO: task init:1 blocked for more than 10 seconds.
hang|watchdog: BUG: soft lockup - CPU#1 stuck for 22s! [rt-hogs:70]
hang|rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:
hang|rcu: INFO: rcu_preempt self-detected stall on CPU
bug|BUG: sleeping function called from invalid context at kernel/sched/core.c:9000
bug|kernel BUG at kernel/stop_machine.c:547!
bug|Oops: 0000 [#1] PREEMPT SMP
bug|Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000100
bug|general protection fault, probably for non-canonical address 0xdead
warning|WARNING: CPU: 2 PID: 51 at kernel/sched/core.c:3127 set_task_cpu+0x1e1/0x200
warning|WARNING: possible circular locking dependency detected
warning|WARNING: suspicious RCU usage
warning|Call Trace:
hang|rcu: INFO: rcu_preempt detected expedited stalls on CPUs/tasks: { 1-... } 21002 jiffies s: 1157 root: 0x2/.
hang|rcu: rcu_preempt kthread starved for 10502 jiffies! g8353 f0x0 RCU_GP_WAIT_FQS(5) ->state=0x0 ->cpu=1
hang|rcu: rcu_preempt kthread timer wakeup didn't happen for 10499 jiffies! g8353 f0x0 RCU_GP_WAIT_FQS(5) ->state=0x402
hang|rcu: INFO: Stall ended before state dump start
hang|BUG: workqueue lockup - pool cpus=1 node=0 flags=0x0 nice=0 stuck for 31s!
hang|NMI watchdog: Watchdog detected hard LOCKUP on cpu 2
bug|general protection fault, probably for non-canonical address 0xdffffc0000000000: 0000 [#1] PREEMPT SMP KASAN
bug|BUG: unable to handle page fault for address: ffffffffffffffe8
bug|Unable to handle kernel paging request at virtual address dead000000000108
bug|invalid opcode: 0000 [#1] PREEMPT SMP
bug|divide error: 0000 [#1] PREEMPT SMP
bug|UBSAN: shift-out-of-bounds in kernel/sched/core.c:1234:5
bug|UBSAN: array-index-out-of-bounds in kernel/stop_machine.c:88:12
bug|BUG: KASAN: use-after-free in set_task_cpu+0x1e/0x200
bug|KASAN: null-ptr-deref in range [0x0000000000000010-0x0000000000000017]
bug|list_add corruption. next->prev should be prev (ffff888004f3c7a8), but was 0000000000000000. (next=ffff888004f3c7a8).
bug|list_del corruption. next->prev should be ffff888004f3c7a8, but was dead000000000122. (next=ffff888004f3c7b0)
bug|refcount_t: underflow; use-after-free.
bug|rcu-torture: !!! Reader Pipe:  2 10 0 0 0 0 0 0 0 0 0
CASES
printf '[ 3.0] %s\n' 'rcu-torture: rtc: 000000004f9e0e4d ver: 1234 tfle: 0 rta: 1235 rtaf: 0 rtf: 1225' \
	'rcu-torture: Stopping torture_onoff task' 'rcu: Hierarchical RCU implementation.' \
	'list_lru: shrinker registered' >"$T_OUT/clean2.log"
t_expect "classifier: rcutorture's statistics and RCU's boot lines are clean" 0 '' "$cb" "$T_OUT/clean2.log"
t_expect "classifier: an unreadable log is an error (4)" 4 'cannot read' "$cb" /nonexistent

# --- scenario files -----------------------------------------------------------

for f in scenarios/*.scenario; do
	t_expect "scenario: ${f##*/} is valid" 0 ': ok ' scripts/scenarios.sh check "$f"
done
t_expect "scenario: tests/data/mixed-no-windows.scenario is valid" 0 ': ok ' \
	scripts/scenarios.sh check tests/data/mixed-no-windows.scenario
loads_of() { grep -E '^(loads|hog_duty|rt_period_us)=' "$1"; }
t_true "scenario: mixed-no-windows has the loads of mixed (injection-off figures)" \
	test "$(loads_of tests/data/mixed-no-windows.scenario)" = "$(loads_of scenarios/mixed.scenario)"
t_true "bench-quick's mutant is a file of tests/mutants/" \
	bash -c 'source scripts/lib.sh && test -f "$(quick_mutant)"'
# The names a scenario may use are the series' and the guest's own.
# The series' patches in their order: points and counters are added by
# more than one of them.
series_text() { (source scripts/lib.sh && series_patches) | xargs cat; }
patch_points() { series_text | sed -n 's/^+.*\[SHI_[A-Z_]*\][[:space:]]*= SHI_POINT("\([a-z_]*\)".*/\1/p' | xargs; }
patch_checks() { series_text | sed -n 's/^+.*\[SHI_C_[A-Z_]*\][[:space:]]*= "\([a-z_.]*\)".*/\1/p' | xargs; }
# lib_var NAME: the value scripts/lib.sh gives NAME.
lib_var() { (source scripts/lib.sh && printf '%s' "${!1}"); }
loads_are_programs() {
	local l
	for l in $(lib_var LOADS); do
		grep -q "\"$l\"" initramfs/shs-run.c && [ -f "initramfs/$l.c" ] || return 1
	done
}
readme_table() { sed -n '/^<!-- scenarios: made/,/^<!-- end of scenarios/p' README.md | sed '1d;$d'; }
t_true "scenario: lib.sh's injection points are the patch's ($(patch_points))" \
	test "$(patch_points)" = "$(lib_var INJECT_POINTS)"
t_true "scenario: lib.sh's checks are the patch's counters" test "$(patch_checks)" = "$(lib_var INJECT_CHECKS)"
t_true "scenario: lib.sh's loads are the ones shs-run starts, each a guest program" loads_are_programs
t_true "scenario: README.md's table is the one the files make (scripts/scenarios.sh update-readme)" \
	diff <(scripts/scenarios.sh table) <(readme_table)
t_expect "scenario: make help lists every scenario with its summary" 0 \
	'rt-chase +one SCHED_FIFO task per hotpluggable CPU' make -s help

# bad_scenario NAME PATTERN BODY: a scenario file with BODY is refused with
# exit 4 and a message matching PATTERN, before any build.
bad_scenario() {
	printf '%s\n' "$3" >"$T_OUT/bad.scenario"
	t_expect "scenario: $1" 4 "$2" env SCENARIO="$T_OUT/bad.scenario" scripts/run.sh --check
}
ok_body=$'summary=s\nloads=exec-storm'
bad_scenario "an unknown key names the file and line" 'bad.scenario:3: unknown key .loadz.' \
	"$ok_body"$'\nloadz=exec-storm'
bad_scenario "an unknown load names the choices" "bad.scenario:2: no load program 'exec_storm'; loads are: exec-storm" \
	$'summary=s\nloads=exec_storm'
bad_scenario "an unknown injection point" "no injection point 'exec_sel'" \
	"$ok_body"$'\ninject=exec_sel:10:1:2\nrequire=exec_select.inactive\ncover_min_s=1'
bad_scenario "a probability above 100" 'probability is a percentage' \
	"$ok_body"$'\ninject=migrate:101:1:2\nrequire=migrate.refused\ncover_min_s=1'
bad_scenario "min_us above max_us" 'min_us is above max_us' \
	"$ok_body"$'\ninject=migrate:10:5:2\nrequire=migrate.refused\ncover_min_s=1'
bad_scenario "a malformed window" "'migrate:10' is not point:probability:min_us:max_us" \
	"$ok_body"$'\ninject=migrate:10\nrequire=migrate.refused\ncover_min_s=1'
bad_scenario "an unknown check" "no check 'migrate.refusd'" \
	"$ok_body"$'\ninject=migrate:10:1:2\nrequire=migrate.refusd\ncover_min_s=1'
bad_scenario "windows without a required check" 'inject= needs require=' \
	"$ok_body"$'\ninject=migrate:10:1:2'
bad_scenario "required checks without cover_min_s" 'require= needs cover_min_s=' \
	"$ok_body"$'\ninject=migrate:10:1:2\nrequire=migrate.refused'
bad_scenario "a key given twice" 'bad.scenario:3: loads= given twice' "$ok_body"$'\nloads=rt-hogs'
bad_scenario "no summary" 'no summary= line' $'loads=exec-storm'
bad_scenario "a line that is not key=value" "bad.scenario:1: expected key=value or a # comment" 'loads exec-storm'
bad_scenario "a bad hog duty" "hog_duty='200' is not ON_MS:OFF_MS" "$ok_body"$'\nhog_duty=200'
bad_scenario "an RT period below 1 ms" 'rt_period_us=10 is below 1000' "$ok_body"$'\nrt_period_us=10'
t_expect "scenario: a path that is not a file" 4 "SCENARIO='/no/such.scenario': no such readable file" \
	env SCENARIO=/no/such.scenario scripts/run.sh --check
printf '%s\n' "$ok_body" >"$T_OUT/bad name.scenario"
t_expect "scenario: a file name unfit for a results directory" 4 'may only have letters, digits' \
	env SCENARIO="$T_OUT/bad name.scenario" scripts/run.sh --check

# --- host scripts: bad input ------------------------------------------------

export CACHE_DIR=$T_OUT/cache RESULTS_DIR=$T_OUT/results
t_expect "run.sh: unknown SCENARIO names the choices" 4 \
	"SCENARIO='bogus' is unknown; choose one of: affinity-storm exec-storm mixed" \
	env SCENARIO=bogus scripts/run.sh --check
t_expect "run.sh: DURATION must be a number" 4 "DURATION='1m' is not a whole number" \
	env DURATION=1m scripts/run.sh --check
t_expect "run.sh: COVER_EXTEND must be a number" 4 "COVER_EXTEND='1m' is not a whole number" \
	env COVER_EXTEND=1m scripts/run.sh --check
t_expect "run.sh: CPUS=1 is out of range" 4 'CPUS=1 is out of range \(expected 2..8\)' \
	env CPUS=1 scripts/run.sh --check
t_expect "run.sh: unknown ACCEL" 4 "ACCEL='xen' is unknown" env ACCEL=xen scripts/run.sh --check
t_expect "run.sh: unknown KCONFIG names the fragments" 4 "KCONFIG='nope'.*choose one of: .*debug" \
	env KCONFIG=nope scripts/run.sh --check
t_expect "run.sh: a missing EXTRA_PATCHES file" 4 "EXTRA_PATCHES: '/no/such.patch' is not a readable file" \
	env EXTRA_PATCHES=/no/such.patch scripts/run.sh --check
t_expect "make: bad settings fail before any build" 2 "SCENARIO='bogus' is unknown" \
	make -s SCENARIO=bogus
t_expect "run.sh: no kernel built yet" 4 "no kernel built from the current inputs \\(build id [0-9a-f]{12}\\): run 'make kernel'" \
	scripts/run.sh

printf 'not a kernel\n' >"$T_OUT/fake.tar.xz"
cp "$T_OUT/fake.tar.xz" "$T_OUT/fake.orig"
t_expect "tree.sh: a tarball with the wrong checksum is refused" 4 \
	'checksum mismatch for .*fake.tar.xz: got [0-9a-f]{64}, expected 9aad4025' \
	env KERNEL_TARBALL="$T_OUT/fake.tar.xz" scripts/tree.sh
t_true "tree.sh: ... and the user's tarball is left as it was" cmp -s "$T_OUT/fake.tar.xz" "$T_OUT/fake.orig"
t_expect "tree.sh: KERNEL_SHA256=skip on a non-kernel tarball still fails clearly" 4 \
	'could not unpack|does not hold a kernel tree' \
	env KERNEL_TARBALL="$T_OUT/fake.tar.xz" KERNEL_SHA256=skip scripts/tree.sh
t_true "tree.sh: ... leaving no half-unpacked tree" \
	bash -c "! ls -d $CACHE_DIR/src/*/ 2>/dev/null | grep -q ."
t_expect "tree.sh: KERNEL_SRC that is not a kernel tree" 4 \
	"KERNEL_SRC='/tmp' is not a kernel source tree" env KERNEL_SRC=/tmp scripts/tree.sh
t_expect "tree.sh: KERNEL_SRC and KERNEL_TARBALL together" 4 'not both' \
	env KERNEL_SRC=/tmp KERNEL_TARBALL="$T_OUT/fake.tar.xz" scripts/tree.sh

t_expect "kernel.sh: a missing EXTRA_PATCHES file stops it when called directly" 4 \
	"EXTRA_PATCHES: '/no/such.patch' is not a readable file" \
	env EXTRA_PATCHES=/no/such.patch scripts/kernel.sh --patch-only

# A warm cache for Debian's tarball: a user's tarball must not be taken for it.
warm=$(source scripts/lib.sh; printf '%s/src/%s' "$CACHE_DIR" "$(source_id)")
mkdir -p "$warm/kernel/sched" && echo 'VERSION = 6' >"$warm/Makefile"
t_expect "tree.sh: a corrupt KERNEL_TARBALL (no KERNEL_SHA256) with a warm cache is refused" 4 \
	'checksum mismatch for .*fake.tar.xz: got [0-9a-f]{64}, expected 9aad4025' \
	env KERNEL_TARBALL="$T_OUT/fake.tar.xz" scripts/tree.sh --print-src
t_true "  ... because its source id is its own content, not Debian's checksum" bash -c "
	a=\$(source scripts/lib.sh; source_id); b=\$(KERNEL_TARBALL='$T_OUT/fake.tar.xz'; source scripts/lib.sh; source_id)
	[ \"\$a\" != \"\$b\" ] && [ \"\$b\" = tar-\$(sha256sum <'$T_OUT/fake.tar.xz' | cut -c1-12) ]"
rm -rf "$warm"

# A user's tree of another version, edited after a build.
ksrc=$T_OUT/ksrc
mkdir -p "$ksrc/kernel/sched"
printf 'VERSION = 6\nPATCHLEVEL = 6\nSUBLEVEL = 30\nEXTRAVERSION = -rc1\n' >"$ksrc/Makefile"
echo 'int a;' >"$ksrc/kernel/sched/core.c"
t_expect "lib: the version comes from the tree's Makefile" 0 '^6\.6\.30-rc1$' \
	bash -c 'source scripts/lib.sh; tree_version "$1"' _ "$ksrc"
id1=$(KERNEL_SRC=$ksrc; source scripts/lib.sh; build_id)
sleep 1.1
echo 'int b;' >"$ksrc/kernel/sched/core.c"
id2=$(KERNEL_SRC=$ksrc; source scripts/lib.sh; build_id)
t_true "lib: editing a file of KERNEL_SRC changes the build id ($id1 -> $id2)" test "$id1" != "$id2"
t_true "lib: ... and the cache paths stay (objects are reused)" bash -c "
	[ \"\$(KERNEL_SRC='$ksrc'; source scripts/lib.sh; build_dir)\" = \"\$(KERNEL_SRC='$ksrc'; source scripts/lib.sh; build_dir)\" ]"
mkdir -p "$CACHE_DIR/images/$id1" && echo "RELEASE=6.6.30-rc1-shs-$id1" >"$CACHE_DIR/images/$id1/build.env"
t_expect "run.sh: after an edit of KERNEL_SRC the old image is not booted" 4 \
	"no kernel built from the current inputs \\(build id $id2" env KERNEL_SRC="$ksrc" scripts/run.sh
rm -rf "$CACHE_DIR/images/$id1"

t_expect "lib: with_lock waits for another holder instead of failing (make -j)" 0 \
	'waiting for .*/l\.lock' bash -c '
	source scripts/lib.sh
	(with_lock "$1/l.lock" sleep 3) &
	sleep 1
	with_lock "$1/l.lock" true
	wait' _ "$T_OUT"

# --- run.sh against a QEMU stand-in -------------------------------------------
# A real kernel cannot be told to go silent, abort under KVM or miss a
# window on cue; this stand-in takes QEMU's arguments, writes FAKE_LINES
# to the -serial file and exits with FAKE_RC, or goes quiet without it,
# which is what a hung guest looks like from the host.  With -accel kvm it
# does what FAKE_KVM says: abort (QEMU's message and status 134, as on one
# real host) or hang (silent), like the wrappers of tests/e2e.sh.

# fake_build: an image store entry and an initramfs for the current inputs.
fake_build() {
	local img ir
	img=$(source scripts/lib.sh; image_dir)
	ir=$(source scripts/lib.sh; initramfs_path)
	mkdir -p "$img" "${ir%/*}"
	: >"$img/bzImage"
	echo CONFIG_SCHED_HOTPLUG_INJECT=y >"$img/config"
	printf 'RELEASE=6.1.176-shs-%s\n' "$(source scripts/lib.sh; build_id)" >"$img/build.env"
	: >"$ir"
}
fake_build
cat >"$T_OUT/fake-qemu" <<'SH'
#!/bin/bash
# Stand-in for qemu-system-x86_64 (see tests/unit.sh).
ulimit -c 0
kvm=0 out=
while [ $# -gt 0 ]; do
	case "$1" in
	-serial) out=${2#file:}; shift ;;
	-accel) [ "$2" != kvm ] || kvm=1; shift ;;
	esac
	shift
done
echo $$ >>"$FAKE_PIDS"
echo "kvm=$kvm" >>"$FAKE_PIDS.calls"
if [ "$kvm" = 1 ]; then
	case "${FAKE_KVM:-boot}" in
	abort)
		echo 'qemu-system-x86_64: error: failed to set MSR 0x10a to 0x2000000ea' >&2
		echo 'qemu-system-x86_64: ../../target/i386/kvm/kvm.c:3194: kvm_buf_set_msrs: Assertion `ret == cpu->kvm_msr_buf->nmsrs'"'"' failed.' >&2
		kill -ABRT $$
		;;
	hang) exec sleep 600 ;;
	esac
fi
[ -z "${FAKE_STDERR:-}" ] || echo "$FAKE_STDERR" >&2
[ -z "${FAKE_LINES:-}" ] || printf '%s\n' "$FAKE_LINES" >"$out"
[ -z "${FAKE_RC:-}" ] || exit "$FAKE_RC"
exec sleep 600
SH
chmod +x "$T_OUT/fake-qemu"
rel=$(source scripts/lib.sh; kernel_release)
iid=$(source scripts/lib.sh; initramfs_id)
booted="SHS-BOOTED release=$rel cpus_online=0-3 initramfs=$iid"
pass_lines=$'KTAP version 1\n1..2\nok 1 hotplug-driver\nok 2 coverage\nSHS-RESULT rc=0'
export FAKE_PIDS=$T_OUT/fake-qemu.pids QEMU=$T_OUT/fake-qemu KVM_DEV=$T_OUT/kvm
: >"$FAKE_PIDS"
: >"$KVM_DEV"
t_expect "run.sh: a guest that goes silent after booting is a HANG" 2 \
	'verdict: +HANG no console output for 10 s' \
	env ACCEL=tcg HANG_TIMEOUT=10 FAKE_LINES="$booted" scripts/run.sh
t_expect "run.sh: a kernel that prints, then never reaches the init, is BOOT-FAILED" 3 \
	'verdict: +BOOT-FAILED the init did not start within 10 s' \
	env ACCEL=tcg BOOT_TIMEOUT=10 FAKE_LINES='[ 0.0] Linux version 6.1.176' scripts/run.sh
t_expect "run.sh: a QEMU that fails before the kernel prints is a setup ERROR (4) with QEMU's message" 4 \
	'verdict: +ERROR QEMU ended \(status 1\) before the kernel printed anything: qemu-system-x86_64: -device isa-debug-exit: bogus' \
	env ACCEL=tcg FAKE_RC=1 FAKE_STDERR='qemu-system-x86_64: -device isa-debug-exit: bogus' scripts/run.sh
t_expect "run.sh: a clean guest is a PASS" 0 'verdict: +PASS all 2 tests ok' \
	env ACCEL=tcg FAKE_RC=1 FAKE_LINES="$booted"$'\n'"$pass_lines" scripts/run.sh
t_expect "run.sh: ... whose results keep the kernel, initrd and id it booted" 0 '' \
	bash -c "d=\$(readlink -f '$RESULTS_DIR/latest'); [ -f \$d/bzImage ] && [ -f \$d/initrd.cpio.gz ] &&
		grep -q '^build_id: ' \$d/inputs.txt && grep -qx 'initramfs_id: $iid' \$d/inputs.txt"
uncov=$'KTAP version 1\n1..2\nok 1 hotplug-driver\n# shs-run: error: window never crossed: stop_queue.enoent\nnot ok 2 coverage # window never crossed, or injection failed\nSHS-RESULT rc=1'
t_expect "run.sh: a coverage miss alone is UNCOVERED (5), not FAIL" 5 \
	'verdict: +UNCOVERED no bug seen, but the check\(s\) stop_queue.enoent never fired' \
	env ACCEL=tcg DURATION=60 FAKE_RC=3 FAKE_LINES="$booted"$'\n'"$uncov" scripts/run.sh
t_expect "run.sh: ... and with a short DURATION the summary says it was expected" 5 \
	'note: +UNCOVERED is expected: DURATION=5 is below the 40 s' \
	env ACCEL=tcg DURATION=5 FAKE_RC=3 FAKE_LINES="$booted"$'\n'"$uncov" scripts/run.sh
t_true "  ... even with up to 5 s more, the summary says" grep -q 'even with up to 5 s more (COVER_EXTEND)' "$(readlink -f "$RESULTS_DIR/latest")/summary.txt"
ext=$'\n# hotplug-driver: coverage: extended 12345 ms past --duration until every required counter fired'
t_expect "run.sh: a run that went on past DURATION says so in its summary" 0 \
	'^coverage: extended 12345 ms past --duration until every required counter fired' \
	env ACCEL=tcg DURATION=30 FAKE_RC=1 FAKE_LINES="$booted$ext"$'\n'"$pass_lines" scripts/run.sh
d=$(readlink -f "$RESULTS_DIR/latest")
t_true "  ... it was allowed DURATION more, on the command line and in inputs.txt" bash -c "
	grep -q 'shs.require=[^ ]* shs.cover_extend=30 ' '$d/qemu-cmd' && grep -qx 'cover_extend: 30' '$d/inputs.txt'"
t_true "  ... and QEMU's time limit has room for it (180 + 30 + 30 + 120 s)" grep -q '^timeout -k 10 360 ' "$d/qemu-cmd"
t_expect "run.sh: COVER_EXTEND=0 switches it off" 0 '' \
	env ACCEL=tcg COVER_EXTEND=0 FAKE_RC=1 FAKE_LINES="$booted"$'\n'"$pass_lines" scripts/run.sh
t_true "  ... shs.cover_extend=0" grep -q 'shs.cover_extend=0 ' "$(readlink -f "$RESULTS_DIR/latest")/qemu-cmd"
t_expect "run.sh: the comparison drivers run exactly DURATION" 0 '' \
	env ACCEL=tcg DRIVER=shell FAKE_RC=1 FAKE_LINES="$booted"$'\n'"$pass_lines" scripts/run.sh
t_true "  ... shs.cover_extend=0" grep -q 'shs.cover_extend=0 ' "$(readlink -f "$RESULTS_DIR/latest")/qemu-cmd"
t_expect "run.sh: a coverage miss and another not ok is a FAIL" 1 \
	'verdict: +FAIL KTAP: not ok 1 exec-storm' \
	env ACCEL=tcg FAKE_RC=3 FAKE_LINES="$booted"$'\n'"${uncov/ok 1 hotplug-driver/not ok 1 exec-storm # lost}" scripts/run.sh
t_true "coverage_only: UNCOVERED and the old FAIL form count, other FAILs do not" bash -c '
	source scripts/lib.sh
	coverage_only "UNCOVERED no bug seen, but ..." &&
	coverage_only "FAIL KTAP: not ok 4 coverage # window never crossed, or injection failed" &&
	! coverage_only "FAIL KTAP: not ok 1 exec-storm # lost;not ok 4 coverage # window" &&
	! coverage_only "FAIL console: warning: WARNING: x"'
t_expect "run.sh: shs-watch 'stuck' lines are listed in the summary" 2 \
	$'stuck:\n  cpuhp/1:17 state=D wchan=synchronize_rcu_expedited' \
	env ACCEL=tcg HANG_TIMEOUT=10 FAKE_LINES="$booted"$'\n# shs-watch: stuck cpuhp/1:17 state=D wchan=synchronize_rcu_expedited\n# shs-watch: stuck init:1 state=D wchan=cpu_down' \
	scripts/run.sh
t_true "  ... every one of them" grep -q '^  init:1 state=D wchan=cpu_down' "$(readlink -f "$RESULTS_DIR/latest")/summary.txt"
# The stand-in image has no vmlinux.gz: decoding is tested on real
# kernels by tests/mutants.sh.
t_expect "run.sh: the first trace is shown in the summary (symbol+offset without DEBUG_INFO)" 1 \
	'trace: +first call trace \(symbol\+offset: the kernel has no CONFIG_DEBUG_INFO' \
	env ACCEL=tcg FAKE_RC=1 FAKE_LINES="$booted"$'\n[ 3.0] WARNING: CPU: 1 PID: 9 at kernel/sched/core.c:3127 set_task_cpu+0x1e1/0x200\n[ 3.0] RIP: 0010:set_task_cpu+0x1e1/0x200\n[ 3.0] Call Trace:\n[ 3.0]  <TASK>\n# shs-watch: interleaved\n[ 3.0]  sched_exec+0x9e/0x110\n[ 3.0]  </TASK>' \
	scripts/run.sh
t_true "  ... with its frames" grep -qx '   sched_exec+0x9e/0x110' "$(readlink -f "$RESULTS_DIR/latest")/summary.txt"
t_true "  ... and none of the guest's own lines interleaved with them" \
	bash -c "! grep -q 'shs-watch: interleaved' '$(readlink -f "$RESULTS_DIR/latest")/summary.txt'"
t_expect "run.sh: a guest reporting another initramfs is a stale initramfs (FAIL)" 1 \
	'verdict: +FAIL booted initramfs 000000000000, but the one built is' \
	env ACCEL=tcg FAKE_RC=1 FAKE_LINES="${booted% *} initramfs=000000000000"$'\n'"$pass_lines" scripts/run.sh
t_expect "run.sh: a guest reporting another kernel is a stale image (FAIL)" 1 \
	'verdict: +FAIL booted kernel 6.1.176-shs-000000000000, but the build is' \
	env ACCEL=tcg HANG_TIMEOUT=10 \
	FAKE_LINES="SHS-BOOTED release=6.1.176-shs-000000000000" scripts/run.sh
t_expect "run.sh: a WARNING, then a hang: FAIL at the WARNING, the hang named after it" 1 \
	'verdict: +FAIL console: warning: WARNING: CPU: 1 PID: 9 at x.c:1 f\+0x0/0x1 \(then: INFO: task a:7 blocked for more than 10 seconds.\)' \
	env ACCEL=tcg HANG_TIMEOUT=10 \
	FAKE_LINES="$booted"$'\n[ 3.0] WARNING: CPU: 1 PID: 9 at x.c:1 f+0x0/0x1\n[ 15.0] INFO: task a:7 blocked for more than 10 seconds.' \
	scripts/run.sh
t_expect "run.sh: a hang report and no dump from the guest's watcher: HANG, ended after DUMP_TIMEOUT, not HANG_TIMEOUT" 2 \
	'verdict: +HANG INFO: task kworker/0:1:11 blocked for more than 10 seconds' \
	env ACCEL=tcg HANG_TIMEOUT=60 DUMP_TIMEOUT=10 \
	FAKE_LINES="$booted"$'\n[ 21.2] INFO: task kworker/0:1:11 blocked for more than 10 seconds.' \
	scripts/run.sh
t_true "  ... and says why it ended the run" grep -qx "watchdog=the guest's hang watcher did not dump within 10 s of the kernel's hang report" \
	"$(readlink -f "$RESULTS_DIR/latest")/timing.txt"
t_expect "run.sh: DUMP_TIMEOUT must be a number" 4 "DUMP_TIMEOUT='x' is not a whole number" \
	env DUMP_TIMEOUT=x scripts/run.sh --check
t_expect "run.sh: a WARNING, then silence: FAIL at the WARNING, the silence named after it" 1 \
	'verdict: +FAIL console: warning: WARNING: CPU: 1 PID: 9 at x.c:1 f\+0x0/0x1 \(then: no console output for 10 s\)' \
	env ACCEL=tcg HANG_TIMEOUT=10 \
	FAKE_LINES="$booted"$'\n[ 3.0] WARNING: CPU: 1 PID: 9 at x.c:1 f+0x0/0x1' \
	scripts/run.sh
t_expect "run.sh: a hang, then a WARNING: HANG" 2 \
	'verdict: +HANG INFO: task a:7 blocked for more than 10 seconds.' \
	env ACCEL=tcg HANG_TIMEOUT=10 \
	FAKE_LINES="$booted"$'\n[ 15.0] INFO: task a:7 blocked for more than 10 seconds.\n[ 16.0] WARNING: CPU: 1 PID: 9 at x.c:1 f+0x0/0x1' \
	scripts/run.sh

# --- the accelerator ------------------------------------------------------------

calls() { tr '\n' ' ' <"$FAKE_PIDS.calls"; }
: >"$FAKE_PIDS.calls"
t_expect "accel: ACCEL=kvm where QEMU aborts under KVM is an ERROR (4) showing QEMU's message" 4 \
	'verdict: +ERROR ACCEL=kvm, but KVM does not work here: QEMU ended \(status 134\) .*failed to set MSR 0x10a' \
	env ACCEL=kvm FAKE_KVM=abort FAKE_RC=1 FAKE_LINES="$booted"$'\n'"$pass_lines" scripts/run.sh
t_true "  ... without trying TCG ($(calls))" bash -c "[ \"\$(tr '\n' ' ' <'$FAKE_PIDS.calls')\" = 'kvm=1 ' ]"
: >"$FAKE_PIDS.calls"
t_expect "accel: ACCEL=auto where QEMU aborts under KVM falls back to TCG and PASSes" 0 \
	'accel: +tcg \(ACCEL=auto: KVM did not work \(QEMU ended \(status 134\).*failed to set MSR 0x10a.*fell back to TCG' \
	env ACCEL=auto FAKE_KVM=abort FAKE_RC=1 FAKE_LINES="$booted"$'\n'"$pass_lines" scripts/run.sh
t_true "  ... with the fallback in inputs.txt and the attempt's log kept" bash -c "
	d=\$(readlink -f '$RESULTS_DIR/latest')
	grep -q '^accel: tcg (ACCEL=auto: KVM did not work' \$d/inputs.txt && grep -q 'MSR 0x10a' \$d/kvm-attempt/qemu.log"
: >"$FAKE_PIDS.calls"
t_expect "accel: ... and the next run remembers it (no KVM attempt)" 0 \
	'accel: +tcg \(ACCEL=auto: KVM failed on this host before' \
	env ACCEL=auto FAKE_KVM=abort FAKE_RC=1 FAKE_LINES="$booted"$'\n'"$pass_lines" scripts/run.sh
t_true "  ... ($(calls))" bash -c "[ \"\$(tr '\n' ' ' <'$FAKE_PIDS.calls')\" = 'kvm=0 ' ]"
memo=$(ls "$CACHE_DIR"/accel/kvm-* 2>/dev/null | head -n1)
t_true "accel: the memory is per QEMU binary (another QEMU tries KVM again)" bash -c "
	cp '$T_OUT/fake-qemu' '$T_OUT/fake-qemu2' && echo '# v2' >>'$T_OUT/fake-qemu2' &&
	: >'$FAKE_PIDS.calls' &&
	ACCEL=auto QEMU='$T_OUT/fake-qemu2' FAKE_KVM=boot FAKE_RC=1 FAKE_LINES='$booted'\$'\n''$pass_lines' \
		scripts/run.sh >/dev/null 2>&1 && [ \"\$(tr '\n' ' ' <'$FAKE_PIDS.calls')\" = 'kvm=1 ' ]"
rm -f "$memo"
: >"$FAKE_PIDS.calls"
t_expect "accel: ACCEL=auto where the KVM guest hangs silently falls back to TCG and PASSes" 0 \
	'accel: +tcg \(ACCEL=auto: KVM did not work \(under KVM the guest printed nothing in 3 s' \
	env ACCEL=auto KVM_OUTPUT_BOUND=3 FAKE_KVM=hang FAKE_RC=1 FAKE_LINES="$booted"$'\n'"$pass_lines" scripts/run.sh
t_true "  ... ($(calls))" bash -c "[ \"\$(tr '\n' ' ' <'$FAKE_PIDS.calls')\" = 'kvm=1 kvm=0 ' ]"
rm -f "$CACHE_DIR"/accel/kvm-*
t_expect "accel: ACCEL=auto without a usable /dev/kvm is TCG at once" 0 \
	'accel: +tcg \(ACCEL=auto: no usable /nonexistent/kvm\)' \
	env ACCEL=auto KVM_DEV=/nonexistent/kvm FAKE_RC=1 FAKE_LINES="$booted"$'\n'"$pass_lines" scripts/run.sh

# shellcheck disable=SC2046
t_true "run.sh: no QEMU stand-in left running ($(wc -l <"$FAKE_PIDS") started)" \
	bash -c "[ -s '$FAKE_PIDS' ] && ! kill -0 $(tr '\n' ' ' <"$FAKE_PIDS") 2>/dev/null"
t_true "run.sh: every run got its own results directory, with a verdict" \
	bash -c "n=0; for d in $RESULTS_DIR/*-mixed*; do [ -s \$d/verdict ] || exit 1; n=\$((n + 1)); done; [ \$n -ge 20 ]"

# --- the judge: every run above, re-judged from its directory alone --------

t_expect "judge: re-judging every run above gives the verdicts the live runs gave" 0 \
	're-judged [0-9]{2,} run\(s\) under .*: 0 verdict\(s\) changed' scripts/judge.sh all
for k in PASS FAIL HANG BOOT-FAILED ERROR UNCOVERED; do
	d=$(grep -l "^$k" "$RESULTS_DIR"/*/verdict 2>/dev/null | head -n1)
	d=${d%/verdict}
	[ -n "$d" ] || { t_not_ok "judge: a $k run to re-judge" "no $k run above"; continue; }
	cp "$d/verdict" "$T_OUT/verdict.live"
	rm -f "$d"/{verdict,summary.txt,guest.log,ktap.txt,badness.txt}
	rc=0
	scripts/judge.sh "$d" >/dev/null 2>&1 || rc=$?
	t_true "judge: a $k run, its derived files deleted, is judged $k again (exit $rc)" \
		cmp -s "$T_OUT/verdict.live" "$d/verdict"
done
# Real results directories (tests/data/runs/*.run, packed by pack.sh):
# unpacked with none of the files the judge derives, each must be judged
# as its live run was.
unpack_run() {
	awk -v d="$2" '/^=== file: / { f = d "/" substr($0, 11); printf "" >f; next }
		f { print >>f }' "$1"
}
for fx in tests/data/runs/*.run; do
	k=${fx##*/}
	d=$T_OUT/fixtures/${k%.run}
	rm -rf "$d" && mkdir -p "$d"
	unpack_run "$fx" "$d"
	mv "$d/verdict" "$d/verdict.live"
	rc=0
	scripts/judge.sh "$d" >"$T_OUT/judge-${k%.run}.log" 2>&1 || rc=$?
	t_true "judge: the real ${k%.run} run is judged as it was live: $(cut -c1-60 "$d/verdict.live") (exit $rc)" \
		cmp -s "$d/verdict.live" "$d/verdict"
done
# Without what decoding needs, the trace is shown as printed, with why.
d=$T_OUT/fixtures/fail-warning
t_true "judge: a trace with no config at hand is symbol+offset, and says why" \
	grep -q '^trace: *first call trace (symbol+offset: no config in the results directory' "$d/summary.txt"
echo '# CONFIG_DEBUG_INFO is not set' >"$d/config"
scripts/judge.sh "$d" >/dev/null 2>&1
t_true "judge: ... a kernel without DEBUG_INFO, and says so" \
	grep -q '^trace: *first call trace (symbol+offset: the kernel has no CONFIG_DEBUG_INFO' "$d/summary.txt"
echo 'CONFIG_DEBUG_INFO=y' >"$d/config"
scripts/judge.sh "$d" >/dev/null 2>&1
t_true "judge: ... a kernel with DEBUG_INFO whose vmlinux.gz is nowhere, and says so" \
	grep -q '^trace: *first call trace (symbol+offset: no vmlinux.gz in the results directory' "$d/summary.txt"
# The other two reasons, and a decode that resolves nothing, with a
# stand-in tree whose decode_stacktrace.sh is told what to do (the real one
# is run on real kernels by tests/mutants.sh).
echo 'not an ELF file' | gzip >"$d/vmlinux.gz"
sed -i "s|^SRC=.*|SRC=$T_OUT/nosuch-tree|" "$d/build.env"
scripts/judge.sh "$d" >/dev/null 2>&1
t_true "judge: ... no kernel tree to decode with, and says so" \
	grep -q "^trace: *first call trace (symbol+offset: no kernel tree with scripts/decode_stacktrace.sh at '$T_OUT/nosuch-tree'" "$d/summary.txt"
tree=$T_OUT/stand-in-tree
mkdir -p "$tree/scripts"
cat >"$tree/scripts/decode_stacktrace.sh" <<'SH'
#!/bin/sh
# stand-in: DECODE=cat leaves the trace unresolved
[ "$DECODE" = cat ] && exec cat
exec sed 's|+0x[0-9a-f]*/0x[0-9a-f]*$|& (kernel/x.c:1)|'
SH
chmod +x "$tree/scripts/decode_stacktrace.sh"
sed -i "s|^SRC=.*|SRC=$tree|" "$d/build.env"
DECODE="cat" scripts/judge.sh "$d" >/dev/null 2>&1
t_true "judge: ... a decode that resolved no frame is not shown as decoded, and says so" \
	grep -q '^trace: *first call trace (symbol+offset: scripts/decode_stacktrace.sh resolved no frame to file:line' "$d/summary.txt"
scripts/judge.sh "$d" >/dev/null 2>&1
t_true "judge: ... one that resolved frames is shown decoded" bash -c "
	grep -q '^trace: *first call trace, decoded by scripts/decode_stacktrace.sh' '$d/summary.txt' &&
	grep -q '^  .*move_queued_task+0x55/0x180 (kernel/x.c:1)' '$d/summary.txt'"
echo 'garbage' >"$d/vmlinux.gz"
scripts/judge.sh "$d" >/dev/null 2>&1
t_true "judge: ... a vmlinux.gz that does not unpack, and says so" \
	grep -q "^trace: *first call trace (symbol+offset: $d/vmlinux.gz does not unpack" "$d/summary.txt"
t_expect "judge: a directory that is not a run is an error" 4 'is not a finished run' \
	scripts/judge.sh "$T_OUT"
t_expect "make judge without RUN says what it needs" 2 'RUN=results/<dir> or RUN=all is needed' make -s judge

# --- the leftover-QEMU check of tests/e2e.sh can fail ---------------------------

t_true "leftover check: passes when no QEMU names the results directory" no_leftover_qemu "$RESULTS_DIR"
# As run.sh starts it: under timeout(1), which keeps the arguments.
timeout 600 "$T_OUT/fake-qemu" -serial "file:$RESULTS_DIR/left-on-purpose/console.log" &
left=$!
sleep 0.5
t_true "leftover check: fails when a QEMU is left over on purpose (pid $left)" \
	bash -c "! (source tests/testlib.sh; no_leftover_qemu '$RESULTS_DIR')"
kill "$left" 2>/dev/null
wait "$left" 2>/dev/null
t_true "leftover check: fails when pgrep is missing" \
	bash -c "! (source tests/testlib.sh; PATH=/nonexistent; no_leftover_qemu '$RESULTS_DIR')"

t_done
