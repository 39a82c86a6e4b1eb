#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot the built kernel under QEMU with $CPUS CPUs, run the stress scenario,
# and decide the verdict from general detection only:
#
#   BOOT-FAILED  the init never reported in (print the last console lines)
#   HANG         no console progress for HANG_TIMEOUT s, the run's time limit
#                ran out, or the kernel's own hang detectors fired, with no
#                warning or bug on the console before it
#   FAIL         a bad console line (classifier; the first one decides
#                between HANG and FAIL), a KTAP 'not ok', a lost or
#                stuck worker, a guest that ended without a verdict, or a
#                booted kernel that is not the one that was built
#   PASS         none of the above, every planned test reported ok
#
# Every run gets a new results directory; results/latest points to it.
#
# Usage: scripts/run.sh [--check]

set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"

HANG_TIMEOUT=${HANG_TIMEOUT:-90}	# seconds without console output
BOOT_TIMEOUT=${BOOT_TIMEOUT:-180}	# seconds to reach the init
QEMU_MEM=${QEMU_MEM:-512}
QEMU=${QEMU:-qemu-system-x86_64}
INITRAMFS=${INITRAMFS:-$CACHE_DIR/initramfs.cpio.gz}
KERNEL_IMAGE=${KERNEL_IMAGE:-}	# boot this image instead of the built one
MIN_OPS=${MIN_OPS:-}
BENCH_OPS=${BENCH_OPS:-0}	# >0: hotplug benchmark mode (scripts/bench.sh)

usage() {
	cat <<EOT
Usage: ${0##*/} [--check]

--check only validates the settings.
Boots $(build_dir)/arch/x86/boot/bzImage
with SCENARIO=$SCENARIO DURATION=$DURATION CPUS=$CPUS SEED=${SEED:-random}
DRIVER=$DRIVER ACCEL=$ACCEL and writes a results directory under
$RESULTS_DIR.  With BENCH_OPS=N the guest instead times N hotplug
operations with each driver in turn ($DRIVERS), each for at most
DURATION s, with no load.
Exit status: 0 PASS, 1 FAIL, 2 HANG, 3 BOOT-FAILED, 4 error.
EOT
}

QEMU_PID=
RES=

# cleanup: never leave a QEMU process behind, whatever ended the script.
cleanup() {
	if [ -n "$QEMU_PID" ] && kill -0 "$QEMU_PID" 2>/dev/null; then
		kill -TERM "$QEMU_PID" 2>/dev/null || true
		sleep 1
		kill -KILL "$QEMU_PID" 2>/dev/null || true
	fi
}

# pick_accel: KVM when asked or when /dev/kvm really works, else TCG.
pick_accel() {
	case "$ACCEL" in
	tcg) echo tcg ;;
	kvm)
		kvm_works || die "ACCEL=kvm but KVM does not work here (/dev/kvm missing or unusable)"
		echo kvm
		;;
	auto) if kvm_works; then echo kvm; else echo tcg; fi ;;
	esac
}

# kvm_works: boot a 512-byte boot sector that leaves through isa-debug-exit
# (mov al,0; out 0xf4,al); KVM counts only if that takes under 3 s.  On
# nested machines /dev/kvm may open and still run guests far slower than
# TCG: one such machine took 9.8 s for this, where TCG took 0.13 s.
kvm_works() {
	[ -w /dev/kvm ] || return 1
	local img rc=0

	img=$(mktemp)
	{ printf '\xb0\x00\xe6\xf4\xeb\xfe'; head -c 504 /dev/zero; printf '\x55\xaa'; } >"$img"
	timeout 3 "$QEMU" -accel kvm -display none -nodefaults -no-reboot \
		-drive "file=$img,format=raw,if=ide" \
		-device "isa-debug-exit,iobase=0xf4,iosize=0x04" >/dev/null 2>&1 || rc=$?
	rm -f "$img"
	[ "$rc" -eq 1 ]
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

# record_inputs: what this run was made from, for whoever reads it later.
record_inputs() {
	local build=$1

	cp "$build/.config" "$RES/config"
	cp "$build/.shs-build.env" "$RES/build.env"
	cp "$build/.shs-build.log" "$RES/build.log" 2>/dev/null || true
	{
		printf 'project: %s\n' "$(git -C "$SHS_TOP" describe --always --dirty 2>/dev/null || echo unknown)"
		printf 'scenario: %s\nduration: %s\ncpus: %s\nseed: %s\naccel: %s\ninject: %s\n' \
			"$SCENARIO" "$DURATION" "$CPUS" "$SEED" "$ACCEL_USED" "$INJECT_USED"
		printf 'driver: %s\nbench_ops: %s\n' "$DRIVER" "$BENCH_OPS"
		printf 'kconfig: %s\nrelease: %s\n' "$KCONFIG" "$RELEASE"
		echo 'patches (sha256, name):'
		local p
		while read -r p; do
			printf '  %s %s\n' "$(sha256sum "$p" | cut -c1-16)" "$p"
		done < <(series_patches; extra_patches)
	} >"$RES/inputs.txt"
}

# host_s: seconds since QEMU was started (QEMU_T0, in ns), 0.01 s steps.
host_s() { awk -v a="$QEMU_T0" -v b="$(date +%s%N)" 'BEGIN { printf "%.2f", (b - a) / 1e9 }'; }

# watch_qemu: follow the console while QEMU runs; kill it on silence or
# before-boot timeout.  Sets WATCHDOG to the reason it killed QEMU, if any.
# Writes host-side times (seconds after QEMU started, polled every 0.2 s)
# to timing.txt: when the init reported in, when the stress started, when
# the watchdog fired.
watch_qemu() {
	local log=$RES/console.log last_size=0 last_change shown=0 size now
	local start booted=0 stressed=0

	start=$(date +%s)
	last_change=$start
	WATCHDOG=
	: >"$RES/timing.txt"
	while kill -0 "$QEMU_PID" 2>/dev/null; do
		sleep 0.2
		now=$(date +%s)
		size=$(stat -c %s "$log" 2>/dev/null || echo 0)
		if [ "$size" != "$last_size" ]; then
			last_size=$size
			last_change=$now
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

# ktap_check: every planned test reported, all ok.  Prints the reason
# for a failure and returns 1.
ktap_check() {
	local log=$1 plan results notok

	grep -q '^KTAP version 1' "$log" || { echo "no KTAP output from the guest"; return 1; }
	plan=$(sed -n 's/^1\.\.\([0-9]\+\)$/\1/p' "$log" | head -n1)
	results=$(grep -cE '^(not )?ok [0-9]+ ' "$log" || true)
	notok=$(grep -E '^not ok [0-9]+ ' "$log" || true)
	if [ -n "$notok" ]; then
		echo "KTAP: $(echo "$notok" | head -n 3 | tr '\n' ';' | sed 's/;$//')"
		return 1
	fi
	[ -n "$plan" ] && [ "$results" -eq "$plan" ] ||
		{ echo "KTAP: planned ${plan:-?} tests, got $results results"; return 1; }
	return 0
}

# decide QEMU_RC: print "VERDICT reason" from what the run left behind.
decide() {
	local rc=$1 log=$RES/console.log booted bad reason

	booted=$(sed -n 's/^SHS-BOOTED release=\([^ ]*\).*/\1/p' "$RES/guest.log" | head -n1)
	"$SHS_TOP/scripts/console-badness.sh" "$log" >"$RES/badness.txt" || true
	if [ -z "$booted" ]; then
		echo "BOOT-FAILED ${WATCHDOG:-the guest ended (QEMU status $rc) before the init reported}"
		return
	fi
	if [ "$booted" != "$RELEASE" ]; then
		echo "FAIL booted kernel $booted, but the build is $RELEASE: stale image"
		return
	fi
	# The first sign decides: a kernel that warned and then hung failed
	# at the warning; the hang is a consequence, named after it.
	bad=$(head -n1 "$RES/badness.txt")
	case "$bad" in
	hang:*)
		echo "HANG ${bad#hang: }"
		return
		;;
	bug:* | warning:*)
		local after
		after=$(grep -m1 '^hang: ' "$RES/badness.txt" | cut -c7- || true)
		[ -n "$after" ] || [ -z "$WATCHDOG" ] || after=$WATCHDOG
		echo "FAIL console: $bad${after:+ (then: $after)}"
		return
		;;
	esac
	if [ -n "$WATCHDOG" ] || [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		echo "HANG ${WATCHDOG:-the run exceeded its time limit}"
		return
	fi
	if ! reason=$(ktap_check "$RES/ktap.txt"); then
		echo "FAIL $reason"
		return
	fi
	case "$rc" in
	1) ;;
	3) echo "FAIL the guest reported failure (exit code 1)"; return ;;
	*) echo "FAIL the guest ended without a verdict (QEMU status $rc)"; return ;;
	esac
	grep -q '^SHS-RESULT rc=0' "$RES/guest.log" ||
		{ echo "FAIL no 'SHS-RESULT rc=0' line from the init"; return; }
	echo "PASS all $(sed -n 's/^1\.\.\([0-9]\+\)$/\1/p' "$RES/ktap.txt" | head -n1) tests ok, console clean"
}

# ts_of LINE: the kernel time stamp of the first console line holding LINE.
ts_of() {
	grep -F -m1 -- "$1" "$RES/console.log" | sed -n 's/^\[ *\([0-9.]*\)\].*/\1/p'
}

# detect_time: for a run that did not pass, how long after the stress
# started the problem showed: from the kernel's time stamps when a console
# line shows it (classifier, a KTAP 'not ok' or an error line), from the
# host's clock when only the silence watchdog saw it.  Prints "SECONDS
# (how)" or nothing.
detect_time() {
	local t0 t1 first how=kernel

	t0=$(ts_of SHS-STRESS-START)
	first=$(sed -n '1s/^[a-z]*: //p' "$RES/badness.txt")
	[ -z "$first" ] || t1=$(ts_of "$first")
	if [ -z "${t1:-}" ]; then
		first=$(grep -m1 -E '^(not ok [0-9]+ |# [a-z-]+: error)' "$RES/guest.log" || true)
		[ -z "$first" ] || t1=$(ts_of "$first")
	fi
	if [ -n "${WATCHDOG:-}" ] && { [ -z "${t1:-}" ] || [ -z "$t0" ]; }; then
		t0=$(sed -n 's/^host_stress_s=//p' "$RES/timing.txt")
		t1=$(sed -n 's/^host_watchdog_s=//p' "$RES/timing.txt")
		how="host clock, watchdog"
	fi
	[ -n "$t0" ] && [ -n "${t1:-}" ] || return 0
	awk -v a="$t0" -v b="$t1" -v h="$how" 'BEGIN { printf "%.1f (%s)\n", b - a, h }'
}

# summarize: the short summary users read, also saved as summary.txt.
summarize() {
	{
		printf 'verdict:  %s\n' "$(cat "$RES/verdict")"
		printf 'kernel:   %s (%s, accel %s)\n' "$RELEASE" "$KCONFIG" "$ACCEL_USED"
		printf 'scenario: %s, %s s, %s CPUs, seed %s\n' "$SCENARIO" "$DURATION" "$CPUS" "$SEED"
		sed -n 's/^\[ *\([0-9.]*\)\] SHS-BOOTED.*/boot:     the init reported in at \1 s (kernel time)/p' \
			"$RES/console.log" | head -n1
		[ -z "$DETECT" ] || printf 'detected: %s s after the stress started\n' "$DETECT"
		grep -E '^# hotplug-[a-z]+: (ops=|offline_lat|online_lat)' "$RES/guest.log" |
			sed 's/^# \(hotplug-[a-z]*\): /hotplug:  \1: /' || true
		grep -E '^# [a-z-]+: workers=' "$RES/guest.log" | sed 's/^# /load:     /' || true
		grep -E '^# shs-run: counter ' "$RES/guest.log" | sed 's/^# shs-run: counter /counter:  /' || true
		[ ! -s "$RES/badness.txt" ] || { echo 'console:'; head -n 10 "$RES/badness.txt" | sed 's/^/  /'; }
		printf 'results:  %s\n' "$RES"
	} | tee "$RES/summary.txt"
}

main() {
	local build bzimage total rc=0 cmdline check_only=0

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
	[ -z "$MIN_OPS" ] || check_uint MIN_OPS "$MIN_OPS" 0 1000000
	extra_patches >/dev/null
	[ "$check_only" = 0 ] || return 0
	need_tools "$QEMU" timeout
	build=$(build_dir)
	bzimage=${KERNEL_IMAGE:-$build/arch/x86/boot/bzImage}
	[ -f "$bzimage" ] && [ -f "$build/.shs-build.env" ] ||
		die "no kernel built in $build (or no KERNEL_IMAGE=$KERNEL_IMAGE); run 'make kernel' first"
	[ -f "$INITRAMFS" ] || die "no initramfs at $INITRAMFS; run 'make initramfs' first"
	RELEASE=$(kernel_release)
	grep -qxF "RELEASE=$RELEASE" "$build/.shs-build.env" ||
		die "the kernel in $build was built from other inputs ($(sed -n 's/^RELEASE=//p' "$build/.shs-build.env")) than asked for ($RELEASE): run 'make kernel'"
	check_uint BENCH_OPS "$BENCH_OPS" 0 100000
	RUN_LABEL=$SCENARIO
	[ "$DRIVER" = shs ] || RUN_LABEL+="-$DRIVER"
	[ "$BENCH_OPS" = 0 ] || RUN_LABEL=bench-boot
	[ -n "$SEED" ] || SEED=$(( $(date +%s%N) % 4294967296 ))
	: "${MIN_OPS:=$((DURATION / 6 + 1))}"
	ACCEL_USED=$(pick_accel)
	INJECT_USED=0
	if grep -qx 'CONFIG_SCHED_HOTPLUG_INJECT=y' "$build/.config"; then
		[ "$INJECT" = 0 ] || INJECT_USED=1
	elif [ "$INJECT" = 1 ]; then
		die "INJECT=1, but KCONFIG=$KCONFIG builds without CONFIG_SCHED_HOTPLUG_INJECT"
	fi

	RES=$(new_results_dir)
	ln -sfn "$RES" "$RESULTS_DIR/latest"
	record_inputs "$build"
	trap cleanup EXIT
	trap 'cleanup; exit 130' INT TERM

	cmdline="console=ttyS0,115200 panic=-1 oops=panic hung_task_panic=1"
	cmdline+=" softlockup_panic=1 printk.devkmsg=on"
	cmdline+=" shs.scenario=$SCENARIO shs.duration=$DURATION shs.seed=$SEED"
	cmdline+=" shs.cpus=$CPUS shs.min_ops=$MIN_OPS shs.inject=$INJECT_USED"
	cmdline+=" shs.driver=$DRIVER shs.bench=$BENCH_OPS"
	total=$((BOOT_TIMEOUT + DURATION + 120))
	[ "$BENCH_OPS" = 0 ] || total=$((BOOT_TIMEOUT + 3 * DURATION + 120))
	# The kernel's modules (rcutorture) ride along as a second archive.
	local initrd=$INITRAMFS
	if [ -f "$build/modules.cpio.gz" ] && [ -z "$KERNEL_IMAGE" ]; then
		initrd=$RES/initrd.cpio.gz
		cat "$INITRAMFS" "$build/modules.cpio.gz" >"$initrd"
	fi
	local accel_args=(-accel "tcg,thread=multi")
	[ "$ACCEL_USED" = kvm ] && accel_args=(-accel kvm -cpu host)
	QEMU_CMD=(timeout -k 10 "$total" "$QEMU" "${accel_args[@]}"
		-smp "$CPUS" -m "$QEMU_MEM" -nodefaults -display none -no-reboot
		-kernel "$bzimage" -initrd "$initrd" -append "$cmdline"
		-serial "file:$RES/console.log"
		-device "isa-debug-exit,iobase=0xf4,iosize=0x04")
	printf '%q ' "${QEMU_CMD[@]}" >"$RES/qemu-cmd"
	echo >>"$RES/qemu-cmd"
	info "results: $RES"
	info "qemu: $(cat "$RES/qemu-cmd")"
	: >"$RES/console.log"
	QEMU_T0=$(date +%s%N)
	"${QEMU_CMD[@]}" </dev/null >"$RES/qemu.log" 2>&1 &
	QEMU_PID=$!
	watch_qemu
	wait "$QEMU_PID" || rc=$?
	QEMU_PID=
	echo "$rc" >"$RES/qemu-status"
	# The guest's lines come through printk: drop the time stamps.
	tr -d '\r' <"$RES/console.log" | sed -E 's/^\[ *[0-9]+\.[0-9]+\] //' >"$RES/guest.log"
	grep -E '^(KTAP|1\.\.|(not )?ok |# )' "$RES/guest.log" >"$RES/ktap.txt" || true
	grep -E '^# hotplug-driver: ' "$RES/guest.log" >"$RES/stats.txt" || true
	decide "$rc" >"$RES/verdict"
	DETECT=
	[ "$(cut -d' ' -f1 "$RES/verdict")" = PASS ] || DETECT=$(detect_time)
	[ -z "$DETECT" ] || echo "detect_s=${DETECT%% *}" >>"$RES/timing.txt"
	summarize
	case "$(cut -d' ' -f1 "$RES/verdict")" in
	PASS) exit "$EXIT_PASS" ;;
	HANG) tail -n 25 "$RES/console.log" | sed 's/^/  console| /' >&2; exit "$EXIT_HANG" ;;
	BOOT-FAILED) tail -n 40 "$RES/console.log" | sed 's/^/  console| /' >&2; exit "$EXIT_BOOT_FAILED" ;;
	*) exit "$EXIT_FAIL" ;;
	esac
}

main "$@"
