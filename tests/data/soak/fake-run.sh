#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Stand-in for scripts/run.sh in the soak tests: no QEMU.  Takes the same
# settings, writes a results directory of the same shape (verdict,
# inputs.txt with the real patch checksums, build.env, console.log,
# guest.log, badness.txt, timing.txt, summary.txt, initrd.cpio.gz), prints
# "results:" and "verdict:" lines and exits with run.sh's status codes.
#
# The verdict comes from FAKE_PLAN, "scenario=OUTCOME ..." or
# "patch:NAME=OUTCOME" (when EXTRA_PATCHES has NAME) (default: PASS);
# OUTCOME is PASS, HANG235 (a hotplug stuck at state 235), HUNG (a hung
# kworker), WARN (a WARNING in set_task_cpu), BOOT, UNCOVERED or ERROR.  The CPU, PID
# and time numbers in the console lines come from the seed, so that two
# runs of one outcome differ in their noise but not in their signature.
# FAKE_SLEEP: seconds to take (default 0.2).
#
# Usage: tests/data/soak/fake-run.sh

set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/../../../scripts/lib.sh"

FAKE_PLAN=${FAKE_PLAN:-}
FAKE_SLEEP=${FAKE_SLEEP:-0.2}

usage() {
	cat <<EOT
Usage: ${0##*/}

A stand-in for scripts/run.sh: SCENARIO=$SCENARIO DRIVER=$DRIVER SEED=${SEED:-random},
outcome from FAKE_PLAN ('$FAKE_PLAN').
EOT
}

# outcome: this scenario's entry of FAKE_PLAN, or PASS.
outcome() {
	local e k

	for e in $FAKE_PLAN; do
		k=${e%%=*}
		[ "$k" != "$SCENARIO" ] || { echo "${e#*=}"; return; }
		# "patch:NAME=OUTCOME": when EXTRA_PATCHES has NAME (reverts).
		[[ "$k" != patch:* ]] || [[ " $EXTRA_PATCHES " != *"/${k#patch:} "* ]] ||
			{ echo "${e#*=}"; return; }
	done
	echo PASS
}

main() {
	local res label o cpu pid t line=
	[ $# -eq 0 ] || { usage >&2; die "no arguments expected"; }
	check_settings
	[ -n "$SEED" ] || SEED=$(($(date +%s%N) % 4294967296))
	o=$(outcome)
	[ "$o" != ERROR ] || die "fake setup error, as FAKE_PLAN asked"
	label=$SCENARIO
	[ "$DRIVER" = shs ] || label+="-$DRIVER"
	mkdir -p "$RESULTS_DIR"
	res=$RESULTS_DIR/$(date +%Y%m%d-%H%M%S)-$label
	local base=$res n=1
	while ! mkdir "$res" 2>/dev/null; do n=$((n + 1)); res=$base-$n; done
	ln -sfn "$res" "$RESULTS_DIR/latest"
	cpu=$((SEED % 3 + 1)) pid=$((SEED % 50 + 10)) t=$((SEED % 30 + 10))
	# What run.sh would boot: the release of the current build id.
	local release
	release=$KVER-shs-$(build_id)
	{
		echo "project: fake"
		printf 'scenario: %s\nduration: %s\ncpus: %s\nseed: %s\naccel: tcg\n' \
			"$SCENARIO" "$DURATION" "$CPUS" "$SEED"
		printf 'inject: %s\ndriver: %s\nbench_ops: 0\nkconfig: %s\nrelease: %s\n' \
			"$([ "$INJECT" = 0 ] && echo 0 || echo 1)" "$DRIVER" "$KCONFIG" "$release"
		echo 'patches (sha256, name):'
		local p
		while read -r p; do
			printf '  %s %s\n' "$(sha256sum "$p" | cut -c1-16)" "$p"
		done < <(series_patches; extra_patches)
	} >"$res/inputs.txt"
	printf 'RELEASE=%s\nBUILD_ID=%s\nKCONFIG=%s\nEXTRA_PATCHES=%s\n' \
		"$release" "$(build_id)" "$KCONFIG" "$(extra_patches | tr '\n' ' ')" >"$res/build.env"
	head -c 1000 /dev/zero >"$res/initrd.cpio.gz"
	sleep "$FAKE_SLEEP"
	case "$o" in
	HANG235) line="INFO: shs-watch: cpu$cpu hotplug stuck at state 235 (target 236) for more than $t seconds" ;;
	HUNG) line="INFO: task kworker/$cpu:$((cpu + 1)):$pid blocked for more than $t seconds." ;;
	WARN) line="WARNING: CPU: $cpu PID: $pid at kernel/sched/core.c:$((3000 + t)) set_task_cpu+0x1a4/0x1e0" ;;
	esac
	{
		printf '[    1.%06d] SHS-BOOTED release=%s\n' "$pid" "$release"
		printf '[    1.500000] SHS-STRESS-START\n'
		printf '[    6.000000] # hotplug-driver: progress t=5s ops=%d errors=0 online=2\n' "$((t / 2))"
		[ -z "$line" ] || printf '[   %d.123456] %s\n' "$t" "$line"
		[ -n "$line" ] || [ "$o" = BOOT ] ||
			printf '[   61.000000] # hotplug-driver: ops=%d offline=1 online=1 errors=0 elapsed_ms=%d ops_per_s=1.0\n' \
				"$((t * 3))" "$((DURATION * 1000 + 17))"
	} >"$res/console.log"
	[ "$o" != BOOT ] || : >"$res/console.log"
	sed -E 's/^\[ *[0-9]+\.[0-9]+\] //' "$res/console.log" >"$res/guest.log"
	case "$o" in
	HANG235 | HUNG) echo "hang: $line" >"$res/badness.txt"; echo "HANG $line" ;;
	WARN) echo "warning: $line" >"$res/badness.txt"; echo "FAIL console: warning: $line" ;;
	BOOT) : >"$res/badness.txt"; echo "BOOT-FAILED the init did not start within 180 s" ;;
	UNCOVERED) : >"$res/badness.txt"; echo "UNCOVERED exec_select.inactive never fired" ;;
	*) : >"$res/badness.txt"; echo "PASS all 3 tests ok, console clean" ;;
	esac >"$res/verdict"
	[ -z "$line" ] || printf 'detect_s=%s.5\n' "$t" >"$res/timing.txt"
	printf 'verdict:  %s\nresults:  %s\n' "$(cat "$res/verdict")" "$res" | tee "$res/summary.txt"
	case "$o" in
	PASS) exit "$EXIT_PASS" ;;
	WARN) exit "$EXIT_FAIL" ;;
	BOOT) exit "$EXIT_BOOT_FAILED" ;;
	UNCOVERED) exit 5 ;;
	*) exit "$EXIT_HANG" ;;
	esac
}

main "$@"
