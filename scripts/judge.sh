#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The judge: (re)compute a run's verdict from its results directory alone,
# with no QEMU: guest.log, ktap.txt, stats.txt, badness.txt, verdict and
# summary.txt are all derived from console.log, qemu-status, timing.txt
# (the host watchdog's reason, if it fired) and inputs.txt.  scripts/run.sh only boots and records, then calls the same code,
# so a re-judged run gets the verdict the live run got, unless the
# classifier or these rules changed meanwhile (which is what re-judging is
# for: rcutorture's kvm-recheck.sh).
#
# Usage: scripts/judge.sh RUN        re-judge one results directory; prints
#                                    its summary, exits with its verdict's
#                                    code (0 PASS, 1 FAIL, 2 HANG, ...)
#        scripts/judge.sh all        re-judge every run under $RESULTS_DIR
#                                    and list the verdicts that changed
#
# A verdict that changes is kept as verdict.before-rejudge (the first one).

# judge_rec KEY: a "KEY: value" line of the run's inputs.txt.
judge_rec() { { sed -n "s/^$1: *//p" "$RES/inputs.txt" || true; } | head -n1; }

# judge_timing KEY: a "KEY=value" line of the run's timing.txt.
judge_timing() { { sed -n "s/^$1=//p" "$RES/timing.txt" 2>/dev/null || true; } | head -n1; }

# judge_load RUN: the run's recorded inputs, as the functions below use them.
judge_load() {
	local accel

	RES=$1
	[ -f "$RES/inputs.txt" ] && [ -f "$RES/console.log" ] && [ -f "$RES/qemu-status" ] ||
		die "$RES is not a finished run of scripts/run.sh (needs inputs.txt, console.log, qemu-status)"
	RELEASE=$(judge_rec release)
	INITRAMFS_ID=$(judge_rec initramfs_id)
	[ "$INITRAMFS_ID" != unchecked ] || INITRAMFS_ID=
	INITRD_SRC=$(judge_rec initramfs)
	KCONFIG=$(judge_rec kconfig)
	BUILD_ID=$(judge_rec build_id)
	accel=$(judge_rec accel)
	ACCEL_USED=${accel%% *}
	ACCEL_NOTE=$(sed -n 's/^[a-z]* (\(.*\))$/\1/p' <<<"$accel")
	SC_NAME=$(judge_rec scenario)
	DURATION=$(judge_rec duration)
	CPUS=$(judge_rec cpus)
	SEED=$(judge_rec seed)
	INJECT_USED=$(judge_rec inject)
	COVER_MIN_S=$(judge_rec cover_min_s)
	: "${COVER_MIN_S:=0}"
	COVER_EXTEND_USED=$(judge_rec cover_extend)	# older runs: none
	: "${COVER_EXTEND_USED:=0}"
	IMG=$(judge_rec image_dir)
	SRC_TREE=$({ sed -n 's/^SRC=//p' "$RES/build.env" 2>/dev/null || true; } | head -n1)
	QEMU_RC=$(cat "$RES/qemu-status")
	WATCHDOG=$(judge_timing watchdog)
	# Runs recorded before the reason was: the watchdog's time is there.
	[ -n "$WATCHDOG" ] || [ -z "$(judge_timing host_watchdog_s)" ] ||
		WATCHDOG="the host watchdog killed QEMU (this older run did not record why)"
	ACCEL_ERROR=$(judge_timing accel_error)
	[[ "$QEMU_RC" =~ ^[0-9]+$ ]] || die "$RES/qemu-status: '$QEMU_RC' is not a QEMU exit status"
}

# judge_run RUN: judge one run; prints its summary and exits with the
# verdict's code.
judge_run() {
	judge_load "$1"
	# The guest's lines come through printk: drop the time stamps.
	tr -d '\r' <"$RES/console.log" | sed -E 's/^\[ *[0-9]+\.[0-9]+\] //' >"$RES/guest.log"
	grep -E '^(KTAP|1\.\.|(not )?ok |# )' "$RES/guest.log" >"$RES/ktap.txt" || true
	grep -E '^# hotplug-driver: ' "$RES/guest.log" >"$RES/stats.txt" || true
	decide "$QEMU_RC" >"$RES/verdict.new"
	if [ -f "$RES/verdict" ] && ! cmp -s "$RES/verdict" "$RES/verdict.new" &&
		[ ! -f "$RES/verdict.before-rejudge" ]; then
		cp "$RES/verdict" "$RES/verdict.before-rejudge"
	fi
	mv -f "$RES/verdict.new" "$RES/verdict"
	finish
}

# ktap_check LOG: every planned test reported, all ok.  Prints the reason
# for a failure and returns 1; returns 2 when the only 'not ok' is the
# coverage test (some widened window was never crossed: UNCOVERED).
ktap_check() {
	local log=$1 plan results notok

	grep -q '^KTAP version 1' "$log" || { echo "no KTAP output from the guest"; return 1; }
	plan=$(sed -n 's/^1\.\.\([0-9]\+\)$/\1/p' "$log" | head -n1)
	results=$(grep -cE '^(not )?ok [0-9]+ ' "$log" || true)
	notok=$(grep -E '^not ok [0-9]+ ' "$log" || true)
	[ -n "$plan" ] && [ "$results" -eq "$plan" ] || {
		[ -z "$notok" ] || echo -n "KTAP: $(echo "$notok" | head -n 3 | tr '\n' ';')"
		echo "KTAP: planned ${plan:-?} tests, got $results results"
		return 1
	}
	if [ -n "$notok" ]; then
		echo "KTAP: $(echo "$notok" | head -n 3 | tr '\n' ';' | sed 's/;$//')"
		echo "$notok" | grep -qvE '^not ok [0-9]+ coverage( |$)' || return 2
		return 1
	fi
	return 0
}

# decide QEMU_RC: print "VERDICT reason" from what the run left behind.
decide() {
	local rc=$1 log=$RES/console.log booted bad reason kr=0

	booted=$(sed -n 's/^SHS-BOOTED release=\([^ ]*\).*/\1/p' "$RES/guest.log" | head -n1)
	"$SHS_TOP/scripts/console-badness.sh" "$log" >"$RES/badness.txt" || true
	if [ -n "$ACCEL_ERROR" ]; then
		echo "ERROR $ACCEL_ERROR"
		return
	fi
	if [ -z "$booted" ] && [ -z "$WATCHDOG" ] && [ ! -s "$log" ]; then
		# QEMU ended on its own before the kernel printed a byte: a
		# setup problem (bad option, no KVM, a signal), not a boot one.
		echo "ERROR QEMU ended (status $rc) before the kernel printed anything: $(qemu_msg)"
		return
	fi
	if [ -z "$booted" ]; then
		echo "BOOT-FAILED ${WATCHDOG:-the guest ended (QEMU status $rc) before the init reported}"
		return
	fi
	if [ "$booted" != "$RELEASE" ]; then
		echo "FAIL booted kernel $booted, but the build is $RELEASE: stale image"
		return
	fi
	booted=$(sed -n 's/^SHS-BOOTED .* initramfs=\([^ ]*\).*/\1/p' "$RES/guest.log" | head -n1)
	if [ -n "$INITRAMFS_ID" ] && [ "$booted" != "$INITRAMFS_ID" ]; then
		echo "FAIL booted initramfs ${booted:-without an id}, but the one built is $INITRAMFS_ID: stale initramfs"
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
	reason=$(ktap_check "$RES/ktap.txt") || kr=$?
	if [ "$kr" = 1 ]; then
		echo "FAIL $reason"
		return
	fi
	# The guest fails its run (exit code 1) when only the coverage
	# test failed, too.
	case "$rc:$kr" in
	1:0 | 3:2) ;;
	3:*) echo "FAIL the guest reported failure (exit code 1)"; return ;;
	*) echo "FAIL the guest ended without a verdict (QEMU status $rc)"; return ;;
	esac
	grep -q "^SHS-RESULT rc=$((kr == 2 ? 1 : 0))" "$RES/guest.log" ||
		{ echo "FAIL no 'SHS-RESULT rc=$((kr == 2 ? 1 : 0))' line from the init"; return; }
	if [ "$kr" = 2 ]; then
		local missing
		missing=$(sed -n 's/^# shs-run: error: window never crossed: *//p' "$RES/guest.log" | head -n1)
		echo "UNCOVERED no bug seen, but ${missing:+the check(s) $missing never fired: }$reason"
		return
	fi
	echo "PASS all $(sed -n 's/^1\.\.\([0-9]\+\)$/\1/p' "$RES/ktap.txt" | head -n1) tests ok, console clean"
}

# qemu_msg: QEMU's own last words (the last non-empty lines of qemu.log,
# on one line), or a note that it said nothing.
qemu_msg() {
	local m
	m=$(grep -v '^[[:space:]]*$' "$RES/qemu.log" 2>/dev/null | tail -n 3 | tr '\n' ' ' | sed 's/ $//')
	echo "${m:-QEMU printed nothing (qemu.log is empty)}"
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

# first_trace: the first call trace of the console, as "  frame" lines:
# decoded to file:line with the tree's scripts/decode_stacktrace.sh when
# a vmlinux with debug info is at hand (vmlinux.gz in the results
# directory, where a user may put one, or in the image store), else as
# the kernel printed it (symbol+offset; System.map is in the results
# directory).
first_trace() {
	local trace vmz="" why="" vm decoded

	# guest.log interleaves the guest's own "# ..." lines: not frames.
	trace=$(awk '/Call Trace:/ { on = 1; n = 0 }
		on && !/^# / && n++ < 30 { print }
		on && (/ <\/TASK>/ || /---\[ end trace/) { exit }' "$RES/guest.log")
	[ -n "$trace" ] || return 0
	if [ ! -f "$RES/config" ]; then
		why="no config in the results directory"
	elif ! grep -qx 'CONFIG_DEBUG_INFO=y' "$RES/config"; then
		why="the kernel has no CONFIG_DEBUG_INFO"
	elif [ -f "$RES/vmlinux.gz" ]; then
		vmz=$RES/vmlinux.gz
	elif [ -n "$IMG" ] && [ -f "$IMG/vmlinux.gz" ]; then
		vmz=$IMG/vmlinux.gz
	else
		why="no vmlinux.gz in the results directory or in ${IMG:-the image store}"
	fi
	if [ -n "$vmz" ] && { [ -z "$SRC_TREE" ] || [ ! -x "$SRC_TREE/scripts/decode_stacktrace.sh" ]; }; then
		why="no kernel tree with scripts/decode_stacktrace.sh at '${SRC_TREE}'"
		vmz=""
	fi
	if [ -n "$vmz" ]; then
		vm=$(mktemp "${TMPDIR:-/tmp}/shs-vmlinux.XXXXXX")
		if ! gzip -dc "$vmz" >"$vm" 2>/dev/null; then
			why="$vmz does not unpack"
		else
			decoded=$(echo "$trace" | (cd "$SRC_TREE" && scripts/decode_stacktrace.sh "$vm" "$SRC_TREE" 2>/dev/null)) || true
			# A decode that resolved nothing is no decode.
			if grep -qE ' \([^ ()]+:[0-9]+\)' <<<"$decoded"; then
				rm -f "$vm"
				echo "trace:    first call trace, decoded by scripts/decode_stacktrace.sh"
				echo "$decoded" | sed 's/^/  /'
				return 0
			fi
			why="scripts/decode_stacktrace.sh resolved no frame to file:line with $vmz"
		fi
		rm -f "$vm"
	fi
	echo "trace:    first call trace (symbol+offset: $why, so no file:line)"
	echo "$trace" | sed 's/^/  /'
}

# cover_extend_note: how long the run could go on past DURATION, if at all.
cover_extend_note() {
	[ "$COVER_EXTEND_USED" = 0 ] || printf ', even with up to %s s more (COVER_EXTEND)' "$COVER_EXTEND_USED"
}

# summarize: the short summary users read, also saved as summary.txt.
summarize() {
	local v

	v=$(cut -d' ' -f1 "$RES/verdict")
	{
		printf 'verdict:  %s\n' "$(cat "$RES/verdict")"
		printf 'kernel:   %s (%s, build id %s)\n' "$RELEASE" "$KCONFIG" "$BUILD_ID"
		printf 'guest:    initramfs %s\n' "${INITRAMFS_ID:-$INITRD_SRC (id not checked)}"
		printf 'accel:    %s (%s)\n' "$ACCEL_USED" "$ACCEL_NOTE"
		printf 'scenario: %s, %s s, %s CPUs, seed %s\n' "$SC_NAME" "$DURATION" "$CPUS" "$SEED"
		if [ "$v" = UNCOVERED ] && [ "$INJECT_USED" = 1 ] &&
			[ $((DURATION + COVER_EXTEND_USED)) -lt "$COVER_MIN_S" ]; then
			printf 'note:     UNCOVERED is expected: DURATION=%s is below the %s s a clean run needs to cross every window%s\n' \
				"$DURATION" "$COVER_MIN_S" "$(cover_extend_note)"
		fi
		sed -n 's/^\[ *\([0-9.]*\)\] SHS-BOOTED.*/boot:     the init reported in at \1 s (kernel time)/p' \
			"$RES/console.log" | head -n1
		[ -z "$DETECT" ] || printf 'detected: %s s after the stress started\n' "$DETECT"
		sed -n 's/^# hotplug-driver: coverage: extended /coverage: extended /p' "$RES/guest.log"
		grep -E '^# hotplug-[a-z]+: (ops=|offline_lat|online_lat)' "$RES/guest.log" |
			sed 's/^# \(hotplug-[a-z]*\): /hotplug:  \1: /' || true
		grep -E '^# [a-z-]+: workers=' "$RES/guest.log" | sed 's/^# /load:     /' || true
		grep -E '^# shs-run: counter ' "$RES/guest.log" | sed 's/^# shs-run: counter /counter:  /' || true
		[ ! -s "$RES/badness.txt" ] || { echo 'console:'; head -n 10 "$RES/badness.txt" | sed 's/^/  /'; }
		if grep -q '^# shs-watch: stuck ' "$RES/guest.log"; then
			echo 'stuck:'
			grep '^# shs-watch: stuck ' "$RES/guest.log" | sed 's/^# shs-watch: stuck /  /'
		fi
		[ "$v" = PASS ] || first_trace
		printf 'results:  %s\n' "$RES"
	} | tee "$RES/summary.txt"
}

# finish: summary, console or QEMU lines for the verdicts that need them,
# and the verdict's exit code (the process exits).
finish() {
	local v

	: >>"$RES/guest.log"
	: >>"$RES/badness.txt"
	DETECT=
	v=$(cut -d' ' -f1 "$RES/verdict")
	case "$v" in PASS | ERROR | UNCOVERED) ;; *) DETECT=$(detect_time) ;; esac
	sed -i '/^detect_s=/d' "$RES/timing.txt"
	[ -z "$DETECT" ] || echo "detect_s=${DETECT%% *}" >>"$RES/timing.txt"
	summarize
	case "$v" in
	PASS) exit "$EXIT_PASS" ;;
	UNCOVERED) exit "$EXIT_UNCOVERED" ;;
	HANG) tail -n 25 "$RES/console.log" | sed 's/^/  console| /' >&2; exit "$EXIT_HANG" ;;
	BOOT-FAILED) tail -n 40 "$RES/console.log" | sed 's/^/  console| /' >&2; exit "$EXIT_BOOT_FAILED" ;;
	ERROR)
		tail -n 20 "$RES/qemu.log" "$RES"/kvm-attempt/qemu.log 2>/dev/null | sed 's/^/  qemu| /' >&2 || true
		exit "$EXIT_ERROR"
		;;
	*) exit "$EXIT_FAIL" ;;
	esac
}


# judge_all: re-judge every run under RESULTS_DIR (soak runs included);
# one line per run whose verdict changed, and a count.
judge_all() {
	local d old new n=0 changed=0

	[ -d "$RESULTS_DIR" ] || die "RESULTS_DIR=$RESULTS_DIR does not exist"
	while read -r d; do
		d=${d%/inputs.txt}
		[ -f "$d/qemu-status" ] && [ -f "$d/console.log" ] || continue
		n=$((n + 1))
		old=$(cat "$d/verdict" 2>/dev/null || echo none)
		(judge_run "$d") >/dev/null 2>&1 </dev/null || true
		new=$(cat "$d/verdict" 2>/dev/null || echo none)
		[ "$old" != "$new" ] || continue
		changed=$((changed + 1))
		printf '%s\n  was: %s\n  now: %s\n' "${d#"$RESULTS_DIR"/}" "$old" "$new"
	done < <(find "$RESULTS_DIR" -name inputs.txt -not -path '*/kvm-attempt/*' | sort)
	echo "re-judged $n run(s) under $RESULTS_DIR: $changed verdict(s) changed"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -euo pipefail
	# shellcheck source=scripts/lib.sh
	source "$(dirname "$0")/lib.sh"
	case "${1:-}" in
	'' | -h | --help)
		sed -n '3,/^$/s/^# \{0,1\}//p' "$0" >&2
		exit 2
		;;
	all) judge_all ;;
	*)
		[ $# -eq 1 ] || die "judge one run (RUN=results/<dir>) or all (RUN=all), not $#"
		[ -d "$1" ] || die "RUN=$1: no such results directory"
		judge_run "${1%/}"
		;;
	esac
fi
