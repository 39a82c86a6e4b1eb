#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The benchmark cannot rot: run `scripts/bench.sh --quick` (what `make
# bench-quick` runs) and check that every section produced real numbers:
# build times, boot times, a throughput and latencies for each of the four
# arms (our driver at SCHED_FIFO and at SCHED_OTHER, the shell loop,
# torture_onoff), a verdict for the mutant with both drivers (ours must
# catch it), a passing control, the option's cost with no load and under
# load, valid JSON and a generated BENCHMARKS.md with no figure missing.
#
# Usage: tests/bench.sh

set -uo pipefail
# shellcheck source=tests/testlib.sh
source "$(dirname "$0")/testlib.sh"
cd "$T_TOP" || exit 1
export RESULTS_DIR=${RESULTS_DIR:-$T_TOP/results}
unset SCENARIO DURATION KCONFIG EXTRA_PATCHES INJECT DRIVER SEED KERNEL_IMAGE INITRAMFS BENCH_OPS
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

t_expect "build: initramfs" 0 'initramfs:' scripts/initramfs.sh
log="$T_OUT/t$((T_N + 1)).log"
t_expect "bench-quick runs to the end" 0 'BENCHMARKS.md' scripts/bench.sh --quick
out=$(sed -n 's/^bench.sh: results: //p' "$log" | head -n1)
tsv=$out/bench.tsv
[ -f "$tsv" ] || { t_not_ok "bench.tsv written" "no $tsv (see $log)"; t_done; exit; }

# v SECTION NAME: a value from bench.tsv.
v() { awk -F'\t' -v s="$1" -v n="$2" '$1 == s && $2 == n { x = $3 } END { print x }' "$tsv"; }
# positive X: X is a number above zero.
positive() { awk -v x="$1" 'BEGIN { exit !(x ~ /^[0-9.]+$/ && x > 0) }'; }

for n in noop_median_s touch_core_median_s config_median_s; do
	t_true "build: $n is a time ($(v build $n))" positive "$(v build $n)"
done
t_true "build: touching core.c recompiled files ($(v build touch_core_files_1))" positive "$(v build touch_core_files_1)"
for n in host_init_median_s host_stress_median_s kernel_init_median_s; do
	t_true "boot: $n is a time ($(v boot $n))" positive "$(v boot $n)"
done
for k in debug noinject; do
	for d in shs shs-cfs shell rcutorture; do
		t_true "hotplug: $k kernel, $d driver: ops/s ($(v hotplug ${k}_${d}_ops_per_s))" \
			positive "$(v hotplug ${k}_${d}_ops_per_s)"
		t_true "hotplug: $k kernel, $d driver: mean offline latency ($(v hotplug ${k}_${d}_offline_mean_us) us)" \
			positive "$(v hotplug ${k}_${d}_offline_mean_us)"
	done
	t_true "hotplug: $k kernel: ours did the planned operations ($(v hotplug ${k}_shs_ops_1)/$(v meta bench_ops))" \
		test "$(v hotplug ${k}_shs_ops_1)" = "$(v meta bench_ops)"
	t_true "hotplug: $k kernel: ... at SCHED_OTHER too ($(v hotplug ${k}_shs-cfs_ops_1)/$(v meta bench_ops))" \
		test "$(v hotplug ${k}_shs-cfs_ops_1)" = "$(v meta bench_ops)"
	for m in ops execs setaffinity; do
		t_true "option: $k kernel under load: $m/s ($(v option ${k}_loaded_${m}_per_s))" \
			positive "$(v option ${k}_loaded_${m}_per_s)"
	done
done
m=$(basename "$(quick_mutant)" .patch)
t_true "detect: hotplug-driver caught $m ($(v detect ${m}_shs_verdict) after $(v detect ${m}_shs_seconds) s)" \
	bash -c '[[ "$1" == FAIL || "$1" == HANG ]] && [ -n "$2" ]' _ "$(v detect ${m}_shs_verdict)" "$(v detect ${m}_shs_seconds)"
t_true "detect: the torture_onoff run of $m has a verdict ($(v detect ${m}_rcutorture_verdict))" \
	bash -c '[[ "$1" =~ ^(PASS|UNCOVERED|FAIL|HANG)$ ]]' _ "$(v detect ${m}_rcutorture_verdict)"
t_true "detect: the run of $m with the injection off has a verdict ($(v detect ${m}_shs-noinject_verdict))" \
	bash -c '[[ "$1" =~ ^(PASS|UNCOVERED|FAIL|HANG)$ ]]' _ "$(v detect ${m}_shs-noinject_verdict)"
s=$(v detect ${m}_scenario)
t_true "detect: torture_onoff on the series alone reports no bug in $s ($(v detect control-${s}_rcutorture_verdict))" \
	bash -c '[[ "$1" =~ ^(PASS|UNCOVERED)$ ]]' _ "$(v detect control-${s}_rcutorture_verdict)"
t_true "option: cost ratio computed ($(v option ratio))" positive "$(v option ratio)"
t_true "option: ... and under load ($(v option loaded_ops_ratio), $(v option loaded_execs_ratio), $(v option loaded_setaffinity_ratio))" \
	bash -c 'for r; do awk -v x="$r" "BEGIN { exit !(x ~ /^[0-9.]+\$/ && x > 0) }" || exit 1; done' _ \
	"$(v option loaded_ops_ratio)" "$(v option loaded_execs_ratio)" "$(v option loaded_setaffinity_ratio)"
t_true "soak: guest-minutes per hour with one guest at a time ($(v soak jobs1_guest_min_per_h), $(v soak jobs1_verdicts))" \
	positive "$(v soak jobs1_guest_min_per_h)"
# 20 s (40 with the coverage extension) may leave a window uncrossed:
# UNCOVERED is no bug; anything else on the series alone would be.
t_true "soak: ... no run of the series alone found a bug ($(v soak jobs1_verdicts) of $(v soak runs))" \
	bash -c '[[ "$1" =~ ^[0-9]+\ (PASS|UNCOVERED)(,\ [0-9]+\ (PASS|UNCOVERED))?$ ]]' _ "$(v soak jobs1_verdicts)"
t_expect "bench.json is valid JSON" 0 '' jq empty "$out/bench.json"
# torture_onoff keeps no percentiles: its row may say n/a, no other may.
t_true "BENCHMARKS.md generated, no figure missing" \
	bash -c '[ -s "$1" ] && ! grep -v "^| rcutorture torture_onoff" "$1" | grep -q "n/a"' _ "$out/BENCHMARKS.md"
t_true "latency.svg plotted" test -s "$out/latency.svg"
t_done
