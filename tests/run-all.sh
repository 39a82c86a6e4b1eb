#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run every test suite (lint, unit, e2e, mutants, bench) and end with the line
# "N passed, N failed" that CI reads.  Each suite's output is kept in
# tests/out/.
#
# Usage: tests/run-all.sh [SUITE...]     (default: lint unit e2e mutants bench soak)

set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

suites=("$@")
[ "${#suites[@]}" -gt 0 ] || suites=(lint unit e2e mutants bench soak)
# tests/soak.sh boots real guests only when told to (its part 3).
export SOAK_E2E=${SOAK_E2E:-1}
mkdir -p tests/out
pass=0 fail=0
start=$(date +%s)
for s in "${suites[@]}"; do
	[ -x "tests/$s.sh" ] || { echo "run-all: no test suite tests/$s.sh" >&2; exit 4; }
	t0=$(date +%s)
	echo "# --- $s"
	tests/"$s".sh 2>&1 | tee "tests/out/$s.log" | grep --line-buffered -E '^(not )?ok |^# '
	p=$(grep -c '^ok ' "tests/out/$s.log")
	f=$(grep -c '^not ok ' "tests/out/$s.log")
	# A suite that died before its totals line failed, whatever it counted.
	grep -q "^# $s.sh: $p passed, $f failed" "tests/out/$s.log" || {
		echo "not ok - $s.sh ended early (see tests/out/$s.log)"
		f=$((f + 1))
	}
	echo "# $s: $p passed, $f failed in $(($(date +%s) - t0)) s"
	pass=$((pass + p))
	fail=$((fail + f))
done
echo "# all suites took $(($(date +%s) - start)) s"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
