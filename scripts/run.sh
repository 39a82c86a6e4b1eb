#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot the built kernel under QEMU with $CPUS CPUs, run the stress scenario,
# record what happened, and have scripts/judge.sh decide the verdict from
# the results directory, by general detection only:
#
#   PASS         none of the below, every planned test reported ok
#   FAIL         a bad console line (classifier; the first one decides
#                between HANG and FAIL), a KTAP 'not ok', a lost or
#                stuck worker, a guest that ended without a verdict, or a
#                booted kernel or initramfs that is not the one built
#   HANG         no console progress for HANG_TIMEOUT s, the run's time limit
#                ran out, or the kernel's own hang detectors fired, with no
#                warning or bug on the console before it (the run ends when
#                the guest's watcher has dumped the evidence, or
#                DUMP_TIMEOUT s after the report if it could not)
#   BOOT-FAILED  the kernel ran but the init never reported in (print the
#                last console lines)
#   ERROR        QEMU ended on its own error or a signal before the kernel
#                printed anything, or ACCEL=kvm does not work (print
#                QEMU's own message)
#   UNCOVERED    no bug seen, but the only 'not ok' is the coverage test: a
#                widened window was never crossed, so the run proved nothing
#
# The accelerator (ACCEL=auto): TCG unless /dev/kvm is usable; then KVM is
# tried with the run's real kernel, initramfs, CPU model and -smp, and if
# QEMU dies, or the console stays empty (or the init does not report) for
# four times what TCG needs on this host, the same run is restarted under
# TCG and that is remembered for this host in $CACHE_DIR/accel/ (keyed by
# the QEMU binary, the host kernel and CPU, and CPUS).
#
# The kernel and initramfs are booted from private copies in the results
# directory; every run gets a new results directory and results/latest
# points to it.
#
# Usage: scripts/run.sh [--check]

set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=scripts/judge.sh
source "$(dirname "$0")/judge.sh"

HANG_TIMEOUT=${HANG_TIMEOUT:-90}	# seconds without console output
BOOT_TIMEOUT=${BOOT_TIMEOUT:-180}	# seconds to reach the init
# Seconds from the kernel's first hang report to the guest watcher's dump
# (shs-watch waits up to 25 s for RCU's own report, then dumps at once).
DUMP_TIMEOUT=${DUMP_TIMEOUT:-60}
# The kernel's hang reports, as shs-watch matches them.
HANG_REPORTS='blocked for more than|rcu: INFO: |BUG: soft lockup|BUG: workqueue lockup|Watchdog detected hard LOCKUP'
QEMU_MEM=${QEMU_MEM:-512}
QEMU=${QEMU:-qemu-system-x86_64}
INITRAMFS=${INITRAMFS:-}	# boot this initramfs instead of the built one
KERNEL_IMAGE=${KERNEL_IMAGE:-}	# boot this image instead of the built one
MIN_OPS=${MIN_OPS:-}
BENCH_OPS=${BENCH_OPS:-0}	# >0: hotplug benchmark mode (scripts/bench.sh)
KVM_DEV=${KVM_DEV:-/dev/kvm}	# tests point this at a stand-in
# Bounds for a KVM attempt (seconds; default: 4x TCG's time on this host,
# at least 10 and 20; 30 and 60 when no TCG run has been timed here yet).
KVM_OUTPUT_BOUND=${KVM_OUTPUT_BOUND:-}
KVM_INIT_BOUND=${KVM_INIT_BOUND:-}
# Kernel parameters added to the run's command line (the guest reads
# shs.* ones; a scenario file may add its own).
EXTRA_CMDLINE=${EXTRA_CMDLINE:-}

usage() {
	cat <<EOT
Usage: ${0##*/} [--check]

--check only validates the settings.
Boots the kernel built from the current inputs (\$CACHE_DIR/images/<build id>)
with SCENARIO=$SCENARIO DURATION=$DURATION CPUS=$CPUS SEED=${SEED:-random}
DRIVER=$DRIVER ACCEL=$ACCEL and writes a results directory under
$RESULTS_DIR.  With injection, the shs driver goes on for up to
COVER_EXTEND s (default: DURATION) past DURATION while a window the
scenario requires is still uncrossed.  With BENCH_OPS=N the guest
instead times N hotplug operations with each driver in turn ($DRIVERS,
and shs again at SCHED_OTHER), each for at most DURATION s, with no load.
Exit status: 0 PASS, 1 FAIL, 2 HANG, 3 BOOT-FAILED, 4 error, 5 UNCOVERED.
EOT
}

QEMU_PID=
RES=

# cleanup: never leave a QEMU process behind, whatever ended the script.
# QEMU_PID is timeout(1)'s: if it does not end on SIGTERM within 5 s, its
# child (QEMU) is killed with it, never orphaned.
cleanup() {
	local pid=$QEMU_PID kids _

	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
	kids=$(pgrep -P "$pid" || true)
	kill -TERM "$pid" 2>/dev/null || true
	for _ in $(seq 25); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.2
	done
	# shellcheck disable=SC2086
	kill -KILL $kids "$pid" 2>/dev/null || true
}

# host_key: 16 hex digits naming what decides whether KVM works here: the
# QEMU binary (its content), the host kernel, the host CPU and -smp.
host_key() {
	local q

	q=$(command -v "$QEMU")
	{
		printf '%s\n' "$q"
		sha256sum <"$q"
		uname -srvm
		grep -m1 '^model name' /proc/cpuinfo || true
		printf 'smp %s\n' "$CPUS"
	} | sha256sum | cut -c1-16
}

# accel_plan: set ACCEL_TRY (the accelerator to boot first), FALLBACK (1:
# restart under TCG if KVM fails) and ACCEL_NOTE (why, for the summary).
accel_plan() {
	ACCEL_MEMO=$CACHE_DIR/accel/kvm-$(host_key)
	FALLBACK=0
	ACCEL_NOTE=
	case "$ACCEL" in
	tcg) ACCEL_TRY=tcg ACCEL_NOTE="asked for (ACCEL=tcg)" ;;
	kvm) ACCEL_TRY=kvm ACCEL_NOTE="asked for (ACCEL=kvm)" ;;
	auto)
		if [ ! -w "$KVM_DEV" ] || [ ! -r "$KVM_DEV" ]; then
			ACCEL_TRY=tcg ACCEL_NOTE="ACCEL=auto: no usable $KVM_DEV"
		elif [ -s "$ACCEL_MEMO" ]; then
			ACCEL_TRY=tcg
			ACCEL_NOTE="ACCEL=auto: KVM failed on this host before ($(head -n1 "$ACCEL_MEMO")); remembered in $ACCEL_MEMO, delete it to try KVM again"
		else
			ACCEL_TRY=kvm FALLBACK=1 ACCEL_NOTE="ACCEL=auto: $KVM_DEV is usable and KVM worked"
		fi
		;;
	esac
}

# kvm_bounds: set OUT_BOUND and INIT_BOUND, the seconds a KVM boot may take
# to print its first console line and to reach the init: four times what
# TCG took on this host (TCG_TIMES, written by every TCG run that booted),
# so KVM fails only where it would be no faster than TCG.
kvm_bounds() {
	local first="" init=""

	if [ -s "$TCG_TIMES" ]; then
		read -r first init <"$TCG_TIMES" || true
	fi
	OUT_BOUND=${KVM_OUTPUT_BOUND:-$(awk -v t="$first" 'BEGIN {
		if (t == "") print 30; else { b = int(4 * t + 0.999); print (b < 10 ? 10 : b) } }')}
	INIT_BOUND=${KVM_INIT_BOUND:-$(awk -v t="$init" 'BEGIN {
		if (t == "") print 60; else { b = int(4 * t + 0.999); print (b < 20 ? 20 : b) } }')}
}

# remember_tcg_times: after a TCG boot that reached the init, keep its
# host-side times (first console line, init) for kvm_bounds.
remember_tcg_times() {
	local first init

	first=$(sed -n 's/^host_first_output_s=//p' "$RES/timing.txt" | head -n1)
	init=$(sed -n 's/^host_booted_s=//p' "$RES/timing.txt" | head -n1)
	[ -n "$first" ] && [ -n "$init" ] || return 0
	mkdir -p "${TCG_TIMES%/*}"
	printf '%s %s\n' "$first" "$init" >"$TCG_TIMES.$$" && mv -f "$TCG_TIMES.$$" "$TCG_TIMES"
}

# new_results_dir: a directory nobody has used, named by date and scenario.
new_results_dir() {
	local base n=1 d

	base="$RESULTS_DIR/$(date +%Y%m%d-%H%M%S)-$RUN_LABEL"
	d=$base
	mkdir -p "$RESULTS_DIR"
	while ! mkdir "$d" 2>/dev/null; do
		n=$((n + 1))
		d="$base-$n"
		[ "$n" -lt 100 ] || die "cannot create a results directory under $RESULTS_DIR"
	done
	printf '%s\n' "$d"
}

# record_inputs IMG: what this run was made from, for whoever reads it
# later (and, with System.map, what its traces point at).
record_inputs() {
	local img=$1

	cp "$img/config" "$RES/config"
	cp "$img/build.env" "$RES/build.env"
	cp "$img/System.map" "$RES/System.map" 2>/dev/null || true
	cp "$img/build.log" "$RES/build.log" 2>/dev/null || true
	{
		printf 'project: %s\n' "$(git -C "$SHS_TOP" describe --always --dirty 2>/dev/null || echo unknown)"
		printf 'scenario: %s\nduration: %s\ncpus: %s\nseed: %s\naccel: %s\ninject: %s\n' \
			"$SC_NAME" "$DURATION" "$CPUS" "$SEED" "$ACCEL_TRY (planned: $ACCEL_NOTE)" "$INJECT_USED"
		printf 'scenario_file: %s (copied to %s.scenario)\n' "$SC_FILE" "$SC_NAME"
		printf 'cover_min_s: %s\ncover_extend: %s\n' "$COVER_MIN_S" "$COVER_EXTEND_USED"
		printf 'image_dir: %s\n' "$img"
		printf 'driver: %s\nbench_ops: %s\n' "$DRIVER" "$BENCH_OPS"
		printf 'kconfig: %s\nrelease: %s\nbuild_id: %s\n' "$KCONFIG" "$RELEASE" "$BUILD_ID"
		printf 'kernel_image: %s\n' "${KERNEL_IMAGE:-$img/bzImage}"
		printf 'initramfs_id: %s\ninitramfs: %s\n' "${INITRAMFS_ID:-unchecked}" "$INITRD_SRC"
		echo 'patches (sha256, name):'
		local p
		while read -r p; do
			printf '  %s %s\n' "$(sha256sum "$p" | cut -c1-16)" "$p"
		done < <(series_patches; extra_patches)
	} >"$RES/inputs.txt"
	cp "$SC_FILE" "$RES/$SC_NAME.scenario"
}

# scenario_cmdline: the scenario, as kernel parameters.  The guest's
# programs only do what these say: shs.* for the loads and sysctls, the
# series' own sched_hotplug_inject= for the windows (switched on at boot),
# shs.require= for the checks the coverage test needs to see fire.
scenario_cmdline() {
	local c inj

	c=" shs.loads=${SC_LOADS// /,} shs.hog_duty=$SC_HOG_DUTY"
	[ -z "$SC_RT_PERIOD_US" ] || c+=" shs.rt_period_us=$SC_RT_PERIOD_US"
	[ -z "$SC_HUNG_TASK_S" ] || c+=" shs.hung_task_s=$SC_HUNG_TASK_S"
	if [ "$INJECT_USED" = 1 ] && [ "$BENCH_OPS" = 0 ]; then
		# "on": no window, counters only (a scenario without inject=).
		inj=${SC_INJECT// /,}
		c+=" sched_hotplug_inject=${inj:-on}"
		[ -z "$SC_REQUIRE" ] || c+=" shs.require=${SC_REQUIRE// /,} shs.cover_extend=$COVER_EXTEND_USED"
	fi
	printf '%s' "$c"
}

# host_s: seconds since QEMU was started (QEMU_T0, in ns), 0.01 s steps.
host_s() { awk -v a="$QEMU_T0" -v b="$(date +%s%N)" 'BEGIN { printf "%.2f", (b - a) / 1e9 }'; }

# watch_qemu: follow the console while QEMU runs; kill it on silence or
# before-boot timeout, and under KVM when the console stays empty for
# OUT_BOUND s or the init does not report within INIT_BOUND s.  Sets
# WATCHDOG to the reason it killed QEMU, if any, and KVM_FAILED when
# that reason is that KVM does not work.  Writes host-side times
# (seconds after QEMU started, polled every 0.2 s) to timing.txt: the
# first console output, the init reporting in, the stress starting, the
# watchdog firing.
watch_qemu() {
	local accel=$1 log=$RES/console.log last_size=0 last_change shown=0 size now
	local start booted=0 stressed=0 output=0 reported=

	start=$(date +%s)
	last_change=$start
	WATCHDOG=
	KVM_FAILED=
	: >"$RES/timing.txt"
	while kill -0 "$QEMU_PID" 2>/dev/null; do
		sleep 0.2
		now=$(date +%s)
		size=$(stat -c %s "$log" 2>/dev/null || echo 0)
		if [ "$size" != "$last_size" ]; then
			last_size=$size
			last_change=$now
			if [ "$output" = 0 ]; then
				output=1
				echo "host_first_output_s=$(host_s)" >>"$RES/timing.txt"
			fi
			# Show the progress and result lines as they come.
			shown=$(show_new_lines "$log" "$shown")
			if [ "$booted" = 0 ] && grep -q 'SHS-BOOTED' "$log"; then
				booted=1
				echo "host_booted_s=$(host_s)" >>"$RES/timing.txt"
			fi
			if [ "$stressed" = 0 ] && grep -q 'SHS-STRESS-START' "$log"; then
				stressed=1
				echo "host_stress_s=$(host_s)" >>"$RES/timing.txt"
			fi
			if [ -z "$reported" ] && grep -qE "$HANG_REPORTS" "$log"; then
				reported=$now
			fi
		fi
		# The verdict is the report's; the dump is evidence.  A watcher
		# that cannot run (an RT task throttled for good, say) must not
		# keep the run going until the kernel falls silent.
		if [ -n "$reported" ] && [ $((now - reported)) -ge "$DUMP_TIMEOUT" ] &&
			! grep -q 'SHS-HANG-DUMP begin' "$log"; then
			WATCHDOG="the guest's hang watcher did not dump within $DUMP_TIMEOUT s of the kernel's hang report"
			break
		fi
		if [ "$accel" = kvm ] && [ "$output" = 0 ] && [ $((now - start)) -ge "$OUT_BOUND" ]; then
			KVM_FAILED="under KVM the guest printed nothing in $OUT_BOUND s"
			WATCHDOG=$KVM_FAILED
			break
		fi
		if [ "$accel" = kvm ] && [ "$booted" = 0 ] && [ $((now - start)) -ge "$INIT_BOUND" ]; then
			KVM_FAILED="under KVM the init did not report within $INIT_BOUND s (4x TCG's time here)"
			WATCHDOG=$KVM_FAILED
			break
		fi
		if [ "$booted" = 0 ] && [ $((now - start)) -ge "$BOOT_TIMEOUT" ]; then
			WATCHDOG="the init did not start within $BOOT_TIMEOUT s"
			break
		fi
		if [ "$booted" = 1 ] && [ $((now - last_change)) -ge "$HANG_TIMEOUT" ]; then
			WATCHDOG="no console output for $HANG_TIMEOUT s"
			break
		fi
	done
	show_new_lines "$log" "$shown" >/dev/null
	if [ -n "$WATCHDOG" ]; then
		echo "host_watchdog_s=$(host_s)" >>"$RES/timing.txt"
		info "watchdog: $WATCHDOG; killing QEMU"
		cleanup
	fi
}

# show_new_lines LOG N: print the interesting lines after line N to stderr,
# and print the new line count.
show_new_lines() {
	local log=$1 n=$2 total

	total=$(wc -l <"$log")
	[ "$total" -gt "$n" ] || { echo "$n"; return; }
	sed -n "$((n + 1)),${total}p" "$log" | tr -d '\r' |
		sed -E 's/^\[ *[0-9]+\.[0-9]+\] //' | grep -E '^(SHS-|KTAP|(not )?ok [0-9]|# (hotplug-driver: progress|totals)|# .*error)' |
		sed 's/^/  guest| /' >&2 || true
	echo "$total"
}

# boot ACCEL: one QEMU run of the prepared command line under ACCEL, in
# RES; sets QEMU_RC.
boot() {
	local accel=$1 accel_args total

	accel_args=(-accel "tcg,thread=multi")
	[ "$accel" = tcg ] || accel_args=(-accel kvm -cpu host)
	total=$((BOOT_TIMEOUT + DURATION + COVER_EXTEND_USED + 120))
	[ "$BENCH_OPS" = 0 ] || total=$((BOOT_TIMEOUT + 4 * DURATION + 120))	# four arms
	QEMU_CMD=(timeout -k 10 "$total" "$QEMU" "${accel_args[@]}"
		-smp "$CPUS" -m "$QEMU_MEM" -nodefaults -display none -no-reboot
		-kernel "$RES/bzImage" -initrd "$RES/initrd.cpio.gz" -append "$CMDLINE"
		-serial "file:$RES/console.log"
		-device "isa-debug-exit,iobase=0xf4,iosize=0x04")
	printf '%q ' "${QEMU_CMD[@]}" >"$RES/qemu-cmd"
	echo >>"$RES/qemu-cmd"
	info "qemu: $(cat "$RES/qemu-cmd")"
	: >"$RES/console.log"
	QEMU_T0=$(date +%s%N)
	QEMU_RC=0
	"${QEMU_CMD[@]}" </dev/null >"$RES/qemu.log" 2>&1 &
	QEMU_PID=$!
	watch_qemu "$accel"
	wait "$QEMU_PID" || QEMU_RC=$?
	QEMU_PID=
}

# kvm_failure: after a boot under KVM, print why KVM does not work here
# (QEMU died before the init reported, or a bound ran out), or nothing.
kvm_failure() {
	if [ -n "$KVM_FAILED" ]; then
		echo "$KVM_FAILED"
	elif ! grep -q 'SHS-BOOTED' "$RES/console.log" && [ -z "$WATCHDOG" ] &&
		{ [ ! -s "$RES/console.log" ] || { [ "$QEMU_RC" -gt 128 ] && [ "$QEMU_RC" != 137 ]; }; }; then
		echo "QEMU ended (status $QEMU_RC) before the init reported: $(qemu_msg)"
	fi
}

# set_aside DIR: move what a failed attempt left (console, QEMU log and
# command, timings) into DIR, for whoever wonders why it fell back.
set_aside() {
	local f

	mkdir -p "$1"
	for f in console.log qemu.log qemu-cmd timing.txt; do
		[ ! -e "$RES/$f" ] || mv "$RES/$f" "$1/"
	done
}

main() {
	local img check_only=0 why

	while [ $# -gt 0 ]; do
		case "$1" in
		--check) check_only=1 ;;
		-h | --help) usage; exit 0 ;;
		*) usage >&2; die "unknown argument '$1'" ;;
		esac
		shift
	done
	check_settings
	check_uint HANG_TIMEOUT "$HANG_TIMEOUT" 10 3600
	check_uint BOOT_TIMEOUT "$BOOT_TIMEOUT" 10 3600
	check_uint DUMP_TIMEOUT "$DUMP_TIMEOUT" 10 3600
	[ -z "$MIN_OPS" ] || check_uint MIN_OPS "$MIN_OPS" 0 1000000
	[ -z "$KVM_OUTPUT_BOUND" ] || check_uint KVM_OUTPUT_BOUND "$KVM_OUTPUT_BOUND" 1 3600
	[ -z "$KVM_INIT_BOUND" ] || check_uint KVM_INIT_BOUND "$KVM_INIT_BOUND" 1 3600
	[ "$check_only" = 0 ] || return 0
	need_tools "$QEMU" timeout pgrep
	BUILD_ID=$(build_id)
	img=$(image_dir)
	IMG=$img
	if [ ! -f "$img/build.env" ]; then
		local other
		other=$(sed -n 's/^RELEASE=//p' "$(build_dir)/.shs-build.env" 2>/dev/null || true)
		die "no kernel built from the current inputs (build id $BUILD_ID${other:+; the last build in $(build_dir) was $other}): run 'make kernel'"
	fi
	[ -z "$KERNEL_IMAGE" ] || [ -f "$KERNEL_IMAGE" ] || die "KERNEL_IMAGE=$KERNEL_IMAGE does not exist"
	RELEASE=$(kernel_release)
	if [ -n "$INITRAMFS" ]; then
		INITRD_SRC=$INITRAMFS
		INITRAMFS_ID=
	else
		INITRD_SRC=$(initramfs_path)
		INITRAMFS_ID=$(initramfs_id)
	fi
	[ -f "$INITRD_SRC" ] || die "no initramfs at $INITRD_SRC (id ${INITRAMFS_ID:-?}, for the current initramfs/ sources); run 'make initramfs' first"
	SRC_TREE=$(sed -n 's/^SRC=//p' "$img/build.env")
	check_uint BENCH_OPS "$BENCH_OPS" 0 100000
	RUN_LABEL=$SC_NAME
	[ "$DRIVER" = shs ] || RUN_LABEL+="-$DRIVER"
	[ "$BENCH_OPS" = 0 ] || RUN_LABEL=bench-boot
	[ -n "$SEED" ] || SEED=$(( $(date +%s%N) % 4294967296 ))
	: "${MIN_OPS:=$((DURATION / 6 + 1))}"
	INJECT_USED=0
	if grep -qx 'CONFIG_SCHED_HOTPLUG_INJECT=y' "$img/config"; then
		[ "$INJECT" = 0 ] || INJECT_USED=1
	elif [ "$INJECT" = 1 ]; then
		die "INJECT=1, but KCONFIG=$KCONFIG builds without CONFIG_SCHED_HOTPLUG_INJECT"
	fi
	COVER_MIN_S=$SC_COVER_MIN_S
	# Only the shs driver goes on past DURATION, only for required checks.
	COVER_EXTEND_USED=0
	if [ "$INJECT_USED" = 1 ] && [ "$BENCH_OPS" = 0 ] && [ -n "$SC_REQUIRE" ] && [ "$DRIVER" = shs ]; then
		COVER_EXTEND_USED=${COVER_EXTEND:-$DURATION}
	fi
	if [ "$INJECT_USED" = 1 ] && [ "$BENCH_OPS" = 0 ] &&
		[ $((DURATION + COVER_EXTEND_USED)) -lt "$COVER_MIN_S" ]; then
		info "note: DURATION=$DURATION is below the $COVER_MIN_S s a clean run needs to cross every window$(cover_extend_note): expect UNCOVERED unless a bug shows first"
	fi
	TCG_TIMES=$CACHE_DIR/accel/tcg-times-$(uname -n | sha256sum | cut -c1-8)
	accel_plan
	kvm_bounds

	RES=$(new_results_dir)
	ln -sfn "$RES" "$RESULTS_DIR/latest"
	record_inputs "$img"
	trap cleanup EXIT
	trap 'cleanup; exit 130' INT TERM
	info "results: $RES"

	# Private copies: a build or another clone may replace the cache's
	# files while this QEMU runs (a hard link when the store allows it:
	# images are never rewritten in place).
	ln -f "${KERNEL_IMAGE:-$img/bzImage}" "$RES/bzImage" 2>/dev/null ||
		cp "${KERNEL_IMAGE:-$img/bzImage}" "$RES/bzImage"
	# The kernel's modules (rcutorture) ride along as a second archive.
	if [ -f "$img/modules.cpio.gz" ] && [ -z "$KERNEL_IMAGE" ]; then
		cat "$INITRD_SRC" "$img/modules.cpio.gz" >"$RES/initrd.cpio.gz"
	else
		cp "$INITRD_SRC" "$RES/initrd.cpio.gz"
	fi

	CMDLINE="console=ttyS0,115200 panic=-1 oops=panic hung_task_panic=1"
	CMDLINE+=" softlockup_panic=1 printk.devkmsg=on"
	# sysrq 'y' dumps RCU's kthreads: the hang watcher's dump uses it.
	CMDLINE+=" rcutree.sysrq_rcu=1"
	CMDLINE+=" shs.scenario=$SC_NAME shs.duration=$DURATION shs.seed=$SEED"
	CMDLINE+=" shs.cpus=$CPUS shs.min_ops=$MIN_OPS shs.inject=$INJECT_USED"
	CMDLINE+=" shs.driver=$DRIVER shs.bench=$BENCH_OPS"
	CMDLINE+=$(scenario_cmdline)
	[ -z "$EXTRA_CMDLINE" ] || CMDLINE+=" $EXTRA_CMDLINE"

	ACCEL_USED=$ACCEL_TRY
	boot "$ACCEL_USED"
	if [ "$ACCEL_USED" = kvm ] && why=$(kvm_failure) && [ -n "$why" ]; then
		if [ "$FALLBACK" = 0 ]; then
			ACCEL_NOTE="asked for (ACCEL=kvm), did not work"
			echo "accel_error=ACCEL=kvm, but KVM does not work here: $why" >>"$RES/timing.txt"
			record_outcome
			judge_run "$RES"
		fi
		info "KVM does not work here ($why); restarting the same run under TCG"
		mkdir -p "${ACCEL_MEMO%/*}"
		printf '%s (%s)\n' "$why" "$(date '+%Y-%m-%d %H:%M')" >"$ACCEL_MEMO.$$"
		mv -f "$ACCEL_MEMO.$$" "$ACCEL_MEMO"
		set_aside "$RES/kvm-attempt"
		ACCEL_USED=tcg
		ACCEL_NOTE="ACCEL=auto: KVM did not work ($why), fell back to TCG; remembered in $ACCEL_MEMO"
		boot tcg
	fi
	[ "$ACCEL_USED" != tcg ] || ! grep -q 'SHS-BOOTED' "$RES/console.log" || remember_tcg_times
	record_outcome
	judge_run "$RES"
}

# record_outcome: what the boot step saw and the judge needs besides the
# console: the accelerator used, QEMU's status, the watchdog's reason.
record_outcome() {
	sed -i "s|^accel: .*|accel: $ACCEL_USED ($ACCEL_NOTE)|" "$RES/inputs.txt"
	echo "$QEMU_RC" >"$RES/qemu-status"
	[ -z "$WATCHDOG" ] || echo "watchdog=$WATCHDOG" >>"$RES/timing.txt"
}

main "$@"
