#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Regression mutants, A against B: for each tests/mutants/*.patch, build
# the series plus the mutant (through EXTRA_PATCHES, as a user would; only
# the touched files recompile), run the scenario its header names, and
# require the verdict its header expects; then run the same scenario, with
# the same seed and length, on the series alone and require PASS.  Mutants
# that share a scenario, length and injection setting share one seed and
# one clean run: a clean run is the same run whichever mutant it answers.
# The verdicts come from the harness's general detection: nothing in
# scripts/ knows which mutant is applied.  The mutant's run has no coverage
# extension (COVER_EXTEND=0): the claim is "caught within Duration", and a
# mutant that deletes a check silences that check's counter, so an
# extension would only add a minute after the bug was caught.  The clean
# run keeps it, as every user's run does.
#
# Mutant headers carry "Scenario:", "Expect:" (FAIL and/or HANG) and
# "Duration:" (seconds of stress, the detection bound) lines, and may
# carry "Inject:" (INJECT for both runs; default auto); scripts/lib.sh's
# mutant_spec reads them and ab_run makes each run, for this suite and for
# `make bench` alike.
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
# One clean run per "scenario duration inject": its seed, the mutants it
# answers, and (once run) its verdict word, operations and results.
declare -A seed_of names_of clean_word clean_ops clean_res
groups=()
rows=()

# boot VAR=value...: one run (scripts/lib.sh's ab_run), its output kept
# in this suite's directory.
boot() {
	ab_run "$T_OUT/boot$((T_N + 1)).log" "$@" || true
}

t_expect "build: the series alone" 0 'built in' scripts/kernel.sh
t_expect "build: initramfs" 0 'initramfs:' scripts/initramfs.sh
for m in "${mutants[@]}"; do
	if ! mutant_spec "$m"; then
		t_not_ok "$MUT_NAME" "header lacks Scenario:, Expect: or Duration:"
		continue
	fi
	name=$MUT_NAME scenario=$MUT_SCENARIO expect=$MUT_EXPECT duration=$MUT_DURATION
	key="$scenario $duration $MUT_INJECT"
	if [ -z "${seed_of[$key]:-}" ]; then
		seed_of[$key]=$(new_seed)
		groups+=("$key")
	fi
	names_of[$key]+=" $name"
	seed=${seed_of[$key]}
	t_expect "$name: builds on the series (EXTRA_PATCHES)" 0 'built in' \
		env EXTRA_PATCHES="$m" scripts/kernel.sh
	n=$(sed -n 's/^FILES_COMPILED=//p' "$(EXTRA_PATCHES=$m build_dir)/.shs-build.env")
	boot EXTRA_PATCHES="$m" SCENARIO="$scenario" DURATION="$duration" SEED="$seed" INJECT="$MUT_INJECT" \
		COVER_EXTEND=0
	got=$AB_WORD
	det=${AB_DETECT_S:-?}
	# Only a symptom of the bug counts as catching it (see coverage_only).
	if [ "$got" = UNCOVERED ]; then
		t_not_ok "$name: expected $expect within $duration s of $scenario" \
			"only the coverage test failed; no symptom of the bug ($AB_RES)"
	elif [ -n "$got" ] && [[ " $expect " == *" $got "* ]]; then
		t_ok "$name: $got within $duration s of $scenario (after ${det} s; $n files recompiled)"
	else
		t_not_ok "$name: expected $expect within $duration s of $scenario" "got: ${AB_VERDICT:-no verdict} (${AB_RES:-see $T_OUT})"
	fi
	# A hang must come with the evidence (initramfs/shs-watch.c).
	if [ "$got" = HANG ]; then
		t_true "$name: the hang came with the watcher's dump (tasks, runqueues, hotplug states)" \
			bash -c "grep -q 'SHS-HANG-DUMP end' '$AB_RES/console.log' &&
				grep -q '^# sched-debug: rt_rq\[' '$AB_RES/guest.log' &&
				grep -q '^# shs-watch: cpu0 hotplug_state=' '$AB_RES/guest.log'"
	fi
	# A trace in the summary of the default (DEBUG_INFO) kernel must come
	# decoded to file:line (scripts/judge.sh, kernel-config/debug.config).
	if grep -q '^trace:' "$AB_RES/summary.txt" 2>/dev/null; then
		traces=$((traces + 1))
		t_true "$name: the summary's first trace is decoded to file:line" \
			bash -c "grep -q '^trace: *first call trace, decoded by scripts/decode_stacktrace.sh' '$AB_RES/summary.txt' &&
				grep -Eq '^  .* \\([a-z0-9_/.-]+\\.[chS]:[0-9]+' '$AB_RES/summary.txt'"
	fi
	rows+=("$name|$MUT_RACE|$expect|$(echo "$AB_VERDICT" | cut -c1-70)|$det|${AB_RES##*/}|$key")
done

# The B half: the series alone, once per group, same seed and length.
t_expect "back to the series alone" 0 'built in' scripts/kernel.sh
for key in "${groups[@]}"; do
	read -r scenario duration inject <<<"$key"
	boot SCENARIO="$scenario" DURATION="$duration" SEED="${seed_of[$key]}" INJECT="$inject"
	clean_word[$key]=${AB_WORD:-none} clean_ops[$key]=${AB_OPS:-?} clean_res[$key]=${AB_RES##*/}
	what="the series alone passes $scenario, $duration s, seed ${seed_of[$key]} (the clean half of${names_of[$key]})"
	if [ "$AB_WORD" = PASS ]; then
		t_ok "$what: ${AB_OPS:-?} hotplug operations"
	else
		t_not_ok "$what" "got: ${AB_VERDICT:-no verdict} (${AB_RES:-see $T_OUT})"
	fi
done

printf '| mutant | seed race | expected | observed | detected after | clean run (same seed) |\n' >"$table"
printf '| --- | --- | --- | --- | --- | --- |\n' >>"$table"
for r in "${rows[@]}"; do
	IFS='|' read -r name race expect observed det mres key <<<"$r"
	printf '| %s | %s | %s | %s | %s s | %s, %s ops |\n' "$name" "$race" "$expect" \
		"$observed" "$det" "${clean_word[$key]:-not run}" "${clean_ops[$key]:-?}" >>"$table"
	printf '|  | results | | %s | | %s |\n' "$mres" "${clean_res[$key]:-}" >>"$table"
done
# Every bug so far left a call trace; none at all would leave decoding
# untested.
t_true "mutants: at least one summary showed a call trace to decode ($traces)" test "$traces" -gt 0
cp "$table" "$RESULTS_DIR/mutants-table.md"
sed 's/^/# /' "$table"
t_done
