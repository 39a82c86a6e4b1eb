#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Regression mutants, A against B: for each tests/mutants/*.patch, build
# the series plus the mutant (through EXTRA_PATCHES, as a user would; only
# the touched files recompile), run the scenario its header names, and
# require the verdict its header expects; then run the same scenario, with
# the same seed and length, on the series alone and require PASS.  The
# verdicts come from the harness's general detection: nothing in
# scripts/ knows which mutant is applied.
#
# Mutant headers carry "Scenario:", "Expect:" (FAIL and/or HANG) and
# "Duration:" (seconds of stress, the detection bound) lines, and may
# carry "Inject:" (INJECT for both runs; default auto).
#
# Usage: tests/mutants.sh [MUTANT.patch...]

set -uo pipefail
# shellcheck source=tests/testlib.sh
source "$(dirname "$0")/testlib.sh"
cd "$T_TOP" || exit 1
export RESULTS_DIR=${RESULTS_DIR:-$T_TOP/results}
unset SCENARIO DURATION KCONFIG EXTRA_PATCHES INJECT DRIVER BENCH_OPS KERNEL_IMAGE INITRAMFS
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

mutants=("$@")
[ "${#mutants[@]}" -gt 0 ] || mutants=(tests/mutants/*.patch)
table=$T_OUT/table
traces=0


# boot VAR=value...: one run; sets VERDICT and RES (the verdict, not the
# exit status, is what is compared).
boot() {
	local log="$T_OUT/boot$((T_N + 1)).log"
	env "$@" scripts/run.sh >"$log" 2>&1 </dev/null
	VERDICT=$(sed -n 's/^verdict: *//p' "$log" | head -n1)
	RES=$(sed -n 's/^results: *//p' "$log")
}

# detect_s RES: seconds from the stress starting to the first sign of the
# bug, as run.sh worked it out (kernel time stamps, or the host's clock for
# the silence watchdog).
detect_s() {
	local v
	v=$(sed -n 's/^detect_s=//p' "$1/timing.txt" 2>/dev/null)
	echo "${v:-?}"
}

printf '| mutant | seed race | expected | observed | detected after | clean run (same seed) |\n' >"$table"
printf '| --- | --- | --- | --- | --- | --- |\n' >>"$table"
t_expect "build: the series alone" 0 'built in' scripts/kernel.sh
t_expect "build: initramfs" 0 'initramfs:' scripts/initramfs.sh
for m in "${mutants[@]}"; do
	name=$(basename "$m" .patch)
	scenario=$(mutant_header Scenario "$m")
	expect=$(mutant_header Expect "$m")
	duration=$(mutant_header Duration "$m")
	inject=$(mutant_header Inject "$m")
	inject=${inject:-auto}
	race=$(sed -n 's/^Regression mutant for \(\(seed\|finding\) [0-9]* ([0-9]*)[^:]*\):.*/\1/p' "$m")
	if [ -z "$scenario" ] || [ -z "$expect" ] || [ -z "$duration" ]; then
		t_not_ok "$name" "header lacks Scenario:, Expect: or Duration:"
		continue
	fi
	seed=$(( $(date +%s%N) % 4294967296 ))
	t_expect "$name: builds on the series (EXTRA_PATCHES)" 0 'built in' \
		env EXTRA_PATCHES="$m" scripts/kernel.sh
	n=$(sed -n 's/^FILES_COMPILED=//p' "$(EXTRA_PATCHES=$m build_dir)/.shs-build.env")
	boot EXTRA_PATCHES="$m" SCENARIO="$scenario" DURATION="$duration" SEED="$seed" INJECT="$inject"
	got=${VERDICT%% *}
	det=$(detect_s "$RES")
	# Only a symptom of the bug counts as catching it (see coverage_only).
	if coverage_only "$VERDICT"; then
		t_not_ok "$name: expected $expect within $duration s of $scenario" \
			"only the coverage test failed; no symptom of the bug ($RES)"
	elif [ -n "$got" ] && [[ " $expect " == *" $got "* ]]; then
		t_ok "$name: $got within $duration s of $scenario (after ${det} s; $n files recompiled)"
	else
		t_not_ok "$name: expected $expect within $duration s of $scenario" "got: $VERDICT ($RES)"
	fi
	# A hang must come with the evidence (initramfs/shs-watch.c).
	if [ "$got" = HANG ]; then
		t_true "$name: the hang came with the watcher's dump (tasks, runqueues, hotplug states)" \
			bash -c "grep -q 'SHS-HANG-DUMP end' '$RES/console.log' &&
				grep -q '^# sched-debug: rt_rq\[' '$RES/guest.log' &&
				grep -q '^# shs-watch: cpu0 hotplug_state=' '$RES/guest.log'"
	fi
	# A trace in the summary of the default (DEBUG_INFO) kernel must come
	# decoded to file:line (scripts/judge.sh, kernel-config/debug.config).
	if grep -q '^trace:' "$RES/summary.txt" 2>/dev/null; then
		traces=$((traces + 1))
		t_true "$name: the summary's first trace is decoded to file:line" \
			bash -c "grep -q '^trace: *first call trace, decoded by scripts/decode_stacktrace.sh' '$RES/summary.txt' &&
				grep -Eq '^  .* \\([a-z0-9_/.-]+\\.[chS]:[0-9]+' '$RES/summary.txt'"
	fi
	mres=$RES
	mverdict=$VERDICT
	t_expect "$name: back to the series alone" 0 'built in' scripts/kernel.sh
	boot SCENARIO="$scenario" DURATION="$duration" SEED="$seed" INJECT="$inject"
	ops=$(sed -n 's/^# hotplug-driver: ops=\([0-9]*\).*/\1/p' "$RES/guest.log")
	if [ "${VERDICT%% *}" = PASS ]; then
		t_ok "$name: the series alone passes the same run ($ops hotplug operations)"
	else
		t_not_ok "$name: the series alone passes the same run" "got: $VERDICT ($RES)"
	fi
	printf '| %s | %s | %s | %s | %s s | %s, %s ops |\n' "$name" "$race" "$expect" \
		"$(echo "$mverdict" | cut -c1-70)" "$det" "${VERDICT%% *}" "${ops:-?}" >>"$table"
	printf '|  | results | | %s | | %s |\n' "${mres##*/}" "${RES##*/}" >>"$table"
done
# Every bug so far left a call trace; none at all would leave decoding
# untested.
t_true "mutants: at least one summary showed a call trace to decode ($traces)" test "$traces" -gt 0
cp "$table" "$RESULTS_DIR/mutants-table.md"
sed 's/^/# /' "$table"
t_done
