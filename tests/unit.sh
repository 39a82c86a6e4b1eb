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
t_expect "shs-run: an unknown scenario is a usage error" 2 'Usage: shs-run' \
	"$BIN/shs-run" --scenario bogus
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
CASES
t_expect "classifier: an unreadable log is an error (4)" 4 'cannot read' "$cb" /nonexistent

# --- host scripts: bad input ------------------------------------------------

export CACHE_DIR=$T_OUT/cache RESULTS_DIR=$T_OUT/results
t_expect "run.sh: unknown SCENARIO names the choices" 4 \
	"SCENARIO='bogus' is unknown; choose one of: exec-storm" \
	env SCENARIO=bogus scripts/run.sh --check
t_expect "run.sh: DURATION must be a number" 4 "DURATION='1m' is not a whole number" \
	env DURATION=1m scripts/run.sh --check
t_expect "run.sh: CPUS=1 is out of range" 4 'CPUS=1 is out of range \(expected 2..8\)' \
	env CPUS=1 scripts/run.sh --check
t_expect "run.sh: unknown ACCEL" 4 "ACCEL='xen' is unknown" env ACCEL=xen scripts/run.sh --check
t_expect "run.sh: unknown KCONFIG names the fragments" 4 "KCONFIG='nope'.*choose one of: .*debug" \
	env KCONFIG=nope scripts/run.sh --check
t_expect "run.sh: a missing EXTRA_PATCHES file" 4 "EXTRA_PATCHES: '/no/such.patch' is not a readable file" \
	env EXTRA_PATCHES=/no/such.patch scripts/run.sh --check
t_expect "make: bad settings fail before any build" 2 "SCENARIO='bogus' is unknown" \
	make -s SCENARIO=bogus
t_expect "run.sh: no kernel built yet" 4 "no kernel built in .*run 'make kernel' first" \
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

# --- the run watchdog, against a QEMU stand-in --------------------------------
# A real kernel cannot be told to go silent on cue; this stand-in takes
# QEMU's arguments, writes to the -serial file and then goes quiet, which
# is what a hung guest looks like from the host.

fake_build() {
	local b
	b=$(source scripts/lib.sh; build_dir)
	mkdir -p "$b/arch/x86/boot"
	: >"$b/arch/x86/boot/bzImage"
	: >"$b/.config"
	printf 'RELEASE=%s\n' "$(source scripts/lib.sh; kernel_release)" >"$b/.shs-build.env"
	: >"$CACHE_DIR/initramfs.cpio.gz"
}
fake_build
cat >"$T_OUT/fake-qemu" <<'SH'
#!/bin/bash
# Stand-in for qemu-system-x86_64: boots "silently" after $FAKE_LINES lines.
while [ $# -gt 0 ]; do
	case "$1" in -serial) out=${2#file:}; shift ;; esac
	shift
done
[ -z "${FAKE_LINES:-}" ] || printf '%s\n' "$FAKE_LINES" >"$out"
echo $$ >>"$FAKE_PIDS"
exec sleep 600
SH
chmod +x "$T_OUT/fake-qemu"
rel=$(source scripts/lib.sh; kernel_release)
export FAKE_PIDS=$T_OUT/fake-qemu.pids
t_expect "run.sh: a guest that goes silent after booting is a HANG" 2 \
	'verdict: +HANG no console output for 10 s' \
	env QEMU="$T_OUT/fake-qemu" ACCEL=tcg HANG_TIMEOUT=10 FAKE_LINES="SHS-BOOTED release=$rel" \
	scripts/run.sh
t_expect "run.sh: a guest that never reaches the init is BOOT-FAILED" 3 \
	'verdict: +BOOT-FAILED the init did not start within 10 s' \
	env QEMU="$T_OUT/fake-qemu" ACCEL=tcg BOOT_TIMEOUT=10 scripts/run.sh
# shellcheck disable=SC2046
t_true "run.sh: no QEMU stand-in left running ($(wc -l <"$FAKE_PIDS") started)" \
	bash -c "[ -s '$FAKE_PIDS' ] && ! kill -0 $(tr '\n' ' ' <"$FAKE_PIDS") 2>/dev/null"
t_expect "run.sh: a guest reporting another kernel is a stale image (FAIL)" 1 \
	'verdict: +FAIL booted kernel 6.1.176-shs-000000000000, but the build is' \
	env QEMU="$T_OUT/fake-qemu" ACCEL=tcg HANG_TIMEOUT=10 \
	FAKE_LINES="SHS-BOOTED release=6.1.176-shs-000000000000" scripts/run.sh
t_expect "run.sh: a WARNING, then a hang: FAIL at the WARNING, the hang named after it" 1 \
	'verdict: +FAIL console: warning: WARNING: CPU: 1 PID: 9 at x.c:1 f\+0x0/0x1 \(then: INFO: task a:7 blocked for more than 10 seconds.\)' \
	env QEMU="$T_OUT/fake-qemu" ACCEL=tcg HANG_TIMEOUT=10 \
	FAKE_LINES=$'SHS-BOOTED release='"$rel"$'\n[ 3.0] WARNING: CPU: 1 PID: 9 at x.c:1 f+0x0/0x1\n[ 15.0] INFO: task a:7 blocked for more than 10 seconds.' \
	scripts/run.sh
t_expect "run.sh: a WARNING, then silence: FAIL at the WARNING, the silence named after it" 1 \
	'verdict: +FAIL console: warning: WARNING: CPU: 1 PID: 9 at x.c:1 f\+0x0/0x1 \(then: no console output for 10 s\)' \
	env QEMU="$T_OUT/fake-qemu" ACCEL=tcg HANG_TIMEOUT=10 \
	FAKE_LINES=$'SHS-BOOTED release='"$rel"$'\n[ 3.0] WARNING: CPU: 1 PID: 9 at x.c:1 f+0x0/0x1' \
	scripts/run.sh
t_expect "run.sh: a hang, then a WARNING: HANG" 2 \
	'verdict: +HANG INFO: task a:7 blocked for more than 10 seconds.' \
	env QEMU="$T_OUT/fake-qemu" ACCEL=tcg HANG_TIMEOUT=10 \
	FAKE_LINES=$'SHS-BOOTED release='"$rel"$'\n[ 15.0] INFO: task a:7 blocked for more than 10 seconds.\n[ 16.0] WARNING: CPU: 1 PID: 9 at x.c:1 f+0x0/0x1' \
	scripts/run.sh
t_true "run.sh: every run got its own results directory" \
	bash -c "[ \$(ls -d $RESULTS_DIR/*-mixed* | wc -l) -eq 6 ]"

t_done
