#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Helpers for the test scripts: each check prints one KTAP-style line,
# "ok N name" or "not ok N name # reason", and t_done prints the totals
# line tests/run-all.sh adds up.  Sourced, never run.

T_N=0
T_PASS=0
T_FAIL=0
# shellcheck disable=SC2034  # used by the scripts that source this
T_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
T_OUT=${T_OUT:-$(mktemp -d)}

# t_ok NAME / t_not_ok NAME REASON: record one result.
# The reason is what a user reads first when the test fails.
t_ok() {
	T_N=$((T_N + 1))
	T_PASS=$((T_PASS + 1))
	printf 'ok %d %s\n' "$T_N" "$1"
}

t_not_ok() {
	T_N=$((T_N + 1))
	T_FAIL=$((T_FAIL + 1))
	printf 'not ok %d %s # %s\n' "$T_N" "$1" "$2"
}

# t_expect NAME RC PATTERN CMD...: pass if CMD exits with RC and its
# output (stdout and stderr) matches the extended regex PATTERN.
t_expect() {
	local name=$1 want=$2 pat=$3 rc=0 log
	shift 3

	log="$T_OUT/t$((T_N + 1)).log"
	"$@" >"$log" 2>&1 </dev/null || rc=$?
	if [ "$rc" != "$want" ]; then
		t_not_ok "$name" "exit $rc, expected $want; last lines: $(tail -n 3 "$log" | tr '\n' '|')"
	elif [ -n "$pat" ] && ! grep -Eq -- "$pat" "$log"; then
		t_not_ok "$name" "output lacks /$pat/; last lines: $(tail -n 3 "$log" | tr '\n' '|')"
	else
		t_ok "$name"
	fi
}

# t_true NAME CMD...: pass if CMD succeeds (a condition, not a program run).
t_true() {
	local name=$1
	shift
	if "$@"; then t_ok "$name"; else t_not_ok "$name" "condition failed: $*"; fi
}

# leftover_qemu DIR: the PIDs of QEMU processes (and their timeout(1))
# still running a run of DIR, a results directory: every run.sh passes
# "-serial file:<its results dir>/console.log".  Returns 2 without pgrep.
leftover_qemu() {
	local pat

	command -v pgrep >/dev/null 2>&1 || { echo "pgrep is missing (procps)" >&2; return 2; }
	pat=$(printf '%s' "-serial file:$1/" | sed 's/[][\\.*^$+?(){}|]/\\&/g')
	pgrep -f -- "$pat" || true
}

# no_leftover_qemu DIR: succeed only when pgrep works and no QEMU of a run
# in DIR is left; names the ones that are.
no_leftover_qemu() {
	local pids

	pids=$(leftover_qemu "$1") || return 1
	[ -z "$pids" ] && return 0
	echo "QEMU left running: $(echo "$pids" | tr '\n' ' ')" >&2
	return 1
}

# t_done: print the totals line and exit 1 if anything failed.
t_done() {
	printf '# %s: %d passed, %d failed\n' "${0##*/}" "$T_PASS" "$T_FAIL"
	[ "$T_FAIL" -eq 0 ]
}
