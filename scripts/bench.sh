#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: how fast the loop turns a patch into a verdict, and how our
# hotplug driver compares with the kernel's own ways of driving hotplug,
# measured on this machine in one run:
#
#   1 build    a no-op `make kernel`, a rebuild after touching
#              kernel/sched/core.c, a rebuild after changing one config
#              fragment, and (not with --quick) a cold build of the same
#              tree and .config into an empty object directory, no ccache
#   2 boot     QEMU start to the init's first line, and to the stress
#   3 hotplug  the same number of offline/online operations, in one boot,
#              with no load, by hotplug-driver, by the selftest's shell loop
#              (hotplug-shell) and by rcutorture's torture_onoff
#              (hotplug-rcutorture); ops/s and latencies, with ratios
#   4 detect   each regression mutant of tests/mutants/ (--quick: the
#              first), same scenario, seed and kernel, with hotplug-driver
#              and with torture_onoff driving hotplug, and with
#              hotplug-driver and the injection off: time from the stress
#              starting to the verdict; plus torture_onoff on the series
#              alone, which must report no bug
#   5 option   section 3's hotplug-driver throughput on the debug kernel
#              with the injection compiled in but off, against the
#              noinject kernel built without it
#   6 soak     what `make soak` gets through here: guest-minutes of
#              stress per wall-clock hour, one guest at a time and with
#              the default SOAK_JOBS
#
# Raw numbers go to bench.tsv and bench.json in a new results directory,
# with BENCHMARKS.md generated from them.  Without --quick, BENCHMARKS.md
# at the top of the project is regenerated too.
#
# Usage: scripts/bench.sh [--quick]

set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=scripts/soak-lib.sh
source "$(dirname "$0")/soak-lib.sh"

usage() {
	cat <<EOT
Usage: ${0##*/} [--quick]

Runs the benchmark (about an hour; --quick: under 10 minutes, fewer and
shorter runs, no cold build, one mutant) and writes bench.tsv, bench.json,
BENCHMARKS.md and latency.svg to a new directory under $RESULTS_DIR.
Without --quick it also regenerates $SHS_TOP/BENCHMARKS.md.
EOT
}

QUICK=0
# The arms of a benchmark boot, in the order initramfs/shs-bench runs them:
# hotplug-driver at SCHED_FIFO 90 (as the scenarios run it) and at
# SCHED_OTHER (the others' policy), the selftest's shell loop, torture_onoff.
BENCH_ARMS="shs shs-cfs shell rcutorture"
OUT=
TSV=
FAILED=0
STEP=0
LOGN=0
LAST_LOG=

# rec SECTION NAME VALUE [UNIT]: one raw number (or word) of the run.
rec() {
	printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "${4:-}" >>"$TSV"
}

# val SECTION NAME: a recorded value ("n/a" when none).
val() { tsv_get "$TSV" "$1" "$2"; }

# field FILE PREFIX KEY: the KEY=value of the first line of FILE that
# starts with PREFIX.
field() {
	grep -m1 -F -- "$2" "$1" 2>/dev/null | tr ' ' '\n' | sed -n "s/^$3=//p" | head -n1
}

# step MESSAGE: a progress line with the elapsed time.
step() {
	STEP=$((STEP + 1))
	info "[$STEP, $(($(date +%s) - BENCH_T0)) s] $*"
}

# timed VAR CMD...: run CMD (output to LAST_LOG, in $OUT/logs), store its
# wall time in seconds in VAR; a failing CMD fails the benchmark.
timed() {
	local var=$1 t0 rc=0 log
	shift
	LOGN=$((LOGN + 1))
	log="$OUT/logs/$(printf '%03d' "$LOGN")-${1##*/}.log"
	LAST_LOG=$log
	t0=$(date +%s%N)
	"$@" >"$log" 2>&1 || rc=$?
	printf -v "$var" '%s' "$(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')"
	if [ "$rc" -ne 0 ]; then
		tail -n 5 "$log" >&2
		die "'$*' failed (exit $rc; log: $log)"
	fi
}

# compiled LOG: how many files a kbuild log shows compiled.
compiled() { grep -c '^  CC ' "$1" || true; }

# kbuild_direct: make bzImage and modules in the debug object directory
# directly (with the CC kernel.sh uses, so kbuild sees no command change),
# holding the work-tree lock as kernel.sh does (in a subshell, so the lock
# goes with it).
kbuild_direct() (
	with_lock "$(work_tree).lock" true
	cd "$(work_tree)" && make -j"$JOBS" O="$(KCONFIG=debug build_dir)" CC="$(kbuild_cc)" bzImage modules
)

# cold_build DIR: olddefconfig and a full build into the empty DIR, plain
# gcc, in a subshell for the lock.
cold_build() (
	with_lock "$(work_tree).lock" true
	cd "$(work_tree)" && make O="$1" olddefconfig &&
		make -j"$JOBS" O="$1" CC=gcc bzImage modules
)

section_build() {
	local reps i t s cold tmp

	reps=$((QUICK ? 1 : 3))
	step "build: bringing the debug kernel up to date"
	KCONFIG=debug timed t scripts/kernel.sh
	step "build: $reps no-op make kernel"
	for i in $(seq "$reps"); do
		KCONFIG=debug timed t scripts/kernel.sh
		rec build noop_s_$i "$t" s
	done
	step "build: $reps rebuild(s) after touching kernel/sched/core.c (ccache off)"
	for i in $(seq "$reps"); do
		touch "$(work_tree)/kernel/sched/core.c"
		CCACHE_DISABLE=1 timed t kbuild_direct
		rec build touch_core_s_$i "$t" s
		rec build touch_core_files_$i "$(compiled "$LAST_LOG")"
	done
	# One fragment changed and changed back: two samples (four in full).
	tmp=$(mktemp -d)
	cp -r "$KCONFIG_DIR/." "$tmp/"
	sed -i 's/^CONFIG_DEFAULT_HUNG_TASK_TIMEOUT=.*/CONFIG_DEFAULT_HUNG_TASK_TIMEOUT=11/' "$tmp/common.config"
	grep -q '^CONFIG_DEFAULT_HUNG_TASK_TIMEOUT=11$' "$tmp/common.config" ||
		die "cannot change CONFIG_DEFAULT_HUNG_TASK_TIMEOUT in a copy of common.config"
	step "build: rebuilds after changing a config fragment (CONFIG_DEFAULT_HUNG_TASK_TIMEOUT) and back"
	for i in $(seq $((QUICK ? 1 : 2))); do
		KCONFIG=debug KCONFIG_DIR=$tmp timed t scripts/kernel.sh
		rec build config_s_$((2 * i - 1)) "$t" s
		KCONFIG=debug timed t scripts/kernel.sh
		rec build config_s_$((2 * i)) "$t" s
	done
	rm -rf "$tmp"
	if [ "$QUICK" = 1 ]; then
		rec build cold_s skipped
	else
		step "build: cold build into an empty object directory, no ccache (several minutes)"
		cold="$CACHE_DIR/bench-cold.$$"
		rm -rf "$cold"
		mkdir -p "$cold"
		cp "$(KCONFIG=debug build_dir)/.config" "$cold/.config"
		# shellcheck disable=SC2064
		trap "rm -rf '$cold'" EXIT
		timed t cold_build "$cold"
		rec build cold_s "$t" s
		rec build cold_files "$(compiled "$LAST_LOG")"
		rm -rf "$cold"
		trap - EXIT
	fi
	for s in noop touch_core config; do
		rec build "${s}_median_s" "$(awk -F'\t' -v p="${s}_s_" '$1 == "build" && index($2, p) == 1 { print $3 }' "$TSV" | median)" s
	done
}

# pass_run WHAT KEY LOG VAR=value...: a measuring run, which must PASS
# (scripts/lib.sh's ab_run; its output in LOG), recorded as KEY.  Fails,
# and marks the benchmark failed, when it did not pass: a figure from a
# run that found a bug measures the bug.
pass_run() {
	local what=$1 key=$2 log=$3
	shift 3
	ab_run "$log" "$@" || die "the $what left no results (see $log)"
	rec run "$key" "$AB_RES"
	[ "$AB_WORD" != PASS ] || return 0
	info "  $what: $AB_VERDICT ($AB_RES)"
	FAILED=1
	return 1
}

# bench_boot KCONFIG REP: one benchmark boot (section 3) of a kernel;
# records its boot times, per-driver figures and latency series.
bench_boot() {
	local kc=$1 rep=$2 res d prog log t

	step "hotplug: $kc kernel, boot $rep: $BENCH_OPS operations per driver"
	pass_run "$kc benchmark boot $rep" "$kc-$rep" "$OUT/logs/run-$kc-$rep.log" \
		KCONFIG="$kc" BENCH_OPS="$BENCH_OPS" DURATION="$CAP" INJECT=0 DRIVER=shs || return 0
	res=$AB_RES
	rec boot "host_init_s_$kc-$rep" "$(sed -n 's/^host_booted_s=//p' "$res/timing.txt")" s
	rec boot "host_stress_s_$kc-$rep" "$(sed -n 's/^host_stress_s=//p' "$res/timing.txt")" s
	t=$(sed -n 's/^\[ *\([0-9.]*\)\] SHS-BOOTED.*/\1/p' "$res/console.log" | head -n1)
	rec boot "kernel_init_s_$kc-$rep" "$t" s
	for d in $BENCH_ARMS; do
		case $d in
		shs | shs-cfs) prog=hotplug-driver ;;
		shell) prog=hotplug-shell ;;
		rcutorture) prog=hotplug-rcutorture ;;
		esac
		# Each arm's lines follow its "# shs-bench: arm" line.
		log=$OUT/logs/arm-$kc-$rep-$d.log
		awk -v a="$d" '/^# shs-bench: arm / { on = ($4 == a); next } on' "$res/guest.log" >"$log"
		rec hotplug "${kc}_${d}_ops_$rep" "$(field "$log" "# $prog: ops=" ops)"
		rec hotplug "${kc}_${d}_ops_per_s_$rep" "$(field "$log" "# $prog: ops=" ops_per_s)" ops/s
		for k in offline online; do
			for q in p50 p99 max mean; do
				t=$(field "$log" "# $prog: ${k}_latency_us" "$q")
				[ -z "$t" ] || rec hotplug "${kc}_${d}_${k}_${q}_us_$rep" "$t" us
			done
		done
		grep -F "# $prog: lat " "$log" | awk '{ print $4, $5, $6 }' >"$OUT/lat-$kc-$rep-$d.dat" || true
	done
	log=$OUT/logs/arm-$kc-$rep-shell.log
	rec hotplug "${kc}_shell_clock_overhead_us_$rep" \
		"$(field "$log" "# hotplug-shell: cpus=" clock_overhead_us)" us
}

# med SECTION PREFIX: median over the reps of the values named PREFIX_<rep>.
med() {
	awk -F'\t' -v s="$1" -v p="$2_" '$1 == s && index($2, p) == 1 && substr($2, length(p) + 1) ~ /^[0-9]+$/ { print $3 }' "$TSV" |
		grep -E '^[0-9.]+$' | median
}

section_hotplug() {
	local reps kc r d k q

	reps=$((QUICK ? 1 : 5))
	for kc in debug noinject; do
		step "hotplug: bringing the $kc kernel up to date"
		KCONFIG=$kc timed r scripts/kernel.sh
	done
	# Alternate which kernel boots first, so that neither always runs
	# on a machine that has just finished the other.
	for r in $(seq "$reps"); do
		if [ $((r % 2)) = 1 ]; then
			bench_boot debug "$r"
			bench_boot noinject "$r"
		else
			bench_boot noinject "$r"
			bench_boot debug "$r"
		fi
	done
	for kc in debug noinject; do
		for d in $BENCH_ARMS; do
			rec hotplug "${kc}_${d}_ops_per_s" "$(med hotplug "${kc}_${d}_ops_per_s")" ops/s
			for k in offline online; do
				for q in p50 p99 max mean; do
					rec hotplug "${kc}_${d}_${k}_${q}_us" "$(med hotplug "${kc}_${d}_${k}_${q}_us")" us
				done
			done
		done
	done
	rec hotplug shell_clock_overhead_us "$(med hotplug debug_shell_clock_overhead_us)" us
	for k in host_init host_stress kernel_init; do
		awk -F'\t' -v p="${k}_s_" '$1 == "boot" && index($2, p) == 1 { print $3 }' "$TSV" |
			grep -E '^[0-9.]+$' | median | { read -r m; rec boot "${k}_median_s" "$m" s; }
	done
}

# detect_run NAME ARM VAR=value...: one time-to-detect run (scripts/lib.sh's
# ab_run, as tests/mutants.sh makes its runs); ARM names the way hotplug
# was driven (shs, rcutorture, shs-noinject).
detect_run() {
	local name=$1 d=$2
	shift 2
	ab_run "$OUT/logs/detect-$name-$d.log" "$@" ||
		die "no results from the $name/$d run (see $OUT/logs/detect-$name-$d.log)"
	rec detect "${name}_${d}_verdict" "$AB_WORD"
	rec detect "${name}_${d}_seconds" "$AB_DETECT_S" s
	rec detect "${name}_${d}_ops" "$AB_OPS"
	rec detect "${name}_${d}_results" "$AB_RES"
	info "  $name, $d: $(echo "$AB_VERDICT" | cut -c1-100)"
}

section_detect() {
	local m name scenario duration inject seed t mutants=() scenarios=""

	mutants=(tests/mutants/*.patch)
	[ "$QUICK" = 0 ] || mutants=("$(quick_mutant)")
	for m in "${mutants[@]}"; do
		mutant_spec "$m" || die "$m lacks a Scenario:, Expect: or Duration: header"
		name=$MUT_NAME scenario=$MUT_SCENARIO duration=$MUT_DURATION inject=$MUT_INJECT
		[ "$QUICK" = 0 ] || duration=20
		[[ " $scenarios " == *" $scenario "* ]] || scenarios+=" $scenario"
		seed=$(new_seed)
		step "detect: $name (building the series + mutant)"
		KCONFIG=debug EXTRA_PATCHES=$m timed t scripts/kernel.sh
		rec detect "${name}_scenario" "$scenario"
		rec detect "${name}_duration_s" "$duration" s
		rec detect "${name}_seed" "$seed"
		# Caught within Duration or not: no coverage extension (see
		# tests/mutants.sh).
		for d in shs rcutorture; do
			step "detect: $name with $d driving hotplug ($scenario, up to $duration s)"
			detect_run "$name" "$d" KCONFIG=debug EXTRA_PATCHES="$m" SCENARIO="$scenario" \
				DURATION="$duration" SEED="$seed" INJECT="$inject" DRIVER="$d" COVER_EXTEND=0
		done
		# What the injection adds: the same run, our driver, windows as
		# narrow as vanilla's.
		step "detect: $name with shs driving hotplug, injection off ($scenario, up to $duration s)"
		detect_run "$name" shs-noinject KCONFIG=debug EXTRA_PATCHES="$m" SCENARIO="$scenario" \
			DURATION="$duration" SEED="$seed" INJECT=0 DRIVER=shs
	done
	step "detect: back to the series alone"
	KCONFIG=debug timed t scripts/kernel.sh
	for scenario in $scenarios; do
		duration=$((QUICK ? 20 : 60))
		step "detect: control, torture_onoff on the series alone ($scenario, $duration s)"
		rec detect "control-${scenario}_duration_s" "$duration" s
		detect_run "control-$scenario" rcutorture KCONFIG=debug SCENARIO="$scenario" \
			DURATION="$duration" DRIVER=rcutorture
		case "$(val detect "control-${scenario}_rcutorture_verdict")" in
		PASS | UNCOVERED) ;;
		*) FAILED=1 ;;
		esac
	done
}

# loaded_run KCONFIG REP SEED: one run of the default scenario with the
# injection off; records hotplug ops/s and the loads' execs/s and
# sched_setaffinity()/s.
loaded_run() {
	local kc=$1 rep=$2 seed=$3 log res g secs

	step "option: $kc kernel under load, run $rep (mixed, injection off, $LOADED_S s)"
	log=$OUT/logs/loaded-$kc-$rep.log
	pass_run "$kc loaded run $rep" "loaded-$kc-$rep" "$log" \
		KCONFIG="$kc" SCENARIO=mixed DURATION="$LOADED_S" SEED="$seed" INJECT=0 DRIVER=shs || return 0
	res=$AB_RES
	g=$res/guest.log
	secs=$(field "$g" "# hotplug-driver: ops=" elapsed_ms)
	rec option "${kc}_loaded_ops_per_s_$rep" "$(field "$g" "# hotplug-driver: ops=" ops_per_s)" ops/s
	rec option "${kc}_loaded_execs_per_s_$rep" "$(sed -n 's/^# exec-storm: worker [0-9]*: execs=\([0-9]*\) .*/\1/p' "$g" |
		awk -v ms="$secs" '{ n += $1 } END { if (NR && ms > 0) printf "%.1f", n * 1000 / ms }')" execs/s
	rec option "${kc}_loaded_setaffinity_per_s_$rep" "$(sed -n 's/^# affinity-storm: worker [0-9]*: setaffinity=\([0-9]*\) .*/\1/p' "$g" |
		awk -v ms="$secs" '{ n += $1 } END { if (NR && ms > 0) printf "%.1f", n * 1000 / ms }')" calls/s
}

# The option's cost: with no load (section 3's hotplug-driver figures,
# where the hooks are never reached), and under the default scenario's
# load with the injection switched off, where every hook runs and finds it
# off, against the noinject kernel that has no hooks.  Same seed for both
# kernels in each pair; the kernel booted first alternates.
section_option() {
	local reps r seed kc m

	rec option debug_off_ops_per_s "$(val hotplug debug_shs_ops_per_s)" ops/s
	rec option noinject_ops_per_s "$(val hotplug noinject_shs_ops_per_s)" ops/s
	rec option ratio "$(ratio "$(val hotplug debug_shs_ops_per_s)" "$(val hotplug noinject_shs_ops_per_s)")"
	reps=$((QUICK ? 1 : 3))
	LOADED_S=$((QUICK ? 20 : 60))
	rec option loaded_duration_s "$LOADED_S" s
	for kc in debug noinject; do
		step "option: bringing the $kc kernel up to date"
		KCONFIG=$kc timed m scripts/kernel.sh
	done
	for r in $(seq "$reps"); do
		seed=$(new_seed)
		rec option "loaded_seed_$r" "$seed"
		if [ $((r % 2)) = 1 ]; then
			loaded_run debug "$r" "$seed"
			loaded_run noinject "$r" "$seed"
		else
			loaded_run noinject "$r" "$seed"
			loaded_run debug "$r" "$seed"
		fi
	done
	for kc in debug noinject; do
		for m in ops execs setaffinity; do
			rec option "${kc}_loaded_${m}_per_s" "$(med option "${kc}_loaded_${m}_per_s")"
		done
	done
	for m in ops execs setaffinity; do
		rec option "loaded_${m}_ratio" "$(ratio "$(val option "debug_loaded_${m}_per_s")" "$(val option "noinject_loaded_${m}_per_s")")"
	done
}

# The soak's throughput (issue 12), for sizing an overnight `make soak`:
# the default scenario back to back on the built kernel, with one guest at
# a time and, where it differs, with the default SOAK_JOBS.  Wall time is
# that of the runs (first start to last end), boots and judging included.
section_soak() {
	local runs dur def jobs sd log

	runs=$((QUICK ? 2 : 6)) dur=$((QUICK ? 20 : 60))
	def=$(soak_default_jobs "$(nproc)" "$CPUS")
	rec soak runs "$runs"
	rec soak duration_s "$dur" s
	rec soak default_jobs "$def"
	for jobs in 1 $([ "$def" = 1 ] || echo "$def"); do
		step "soak: $runs runs of mixed, $dur s each, SOAK_JOBS=$jobs"
		log=$OUT/logs/soak-jobs$jobs.log
		mkdir -p "$OUT/soak-jobs$jobs"
		env RESULTS_DIR="$OUT/soak-jobs$jobs" SOAK_RUNS="$runs" SOAK_JOBS="$jobs" \
			SOAK_SCENARIOS=mixed SOAK_DRIVERS=shs DURATION="$dur" KCONFIG=debug \
			EXTRA_PATCHES='' INJECT=auto scripts/soak.sh >"$log" 2>&1 || FAILED=1
		sd=$(readlink -f "$OUT/soak-jobs$jobs/latest-soak" || true)
		[ -n "$sd" ] && [ -f "$sd/soak.json" ] || die "the SOAK_JOBS=$jobs soak wrote no soak.json (see $log)"
		rec run "soak-jobs$jobs" "$sd"
		rec soak "jobs${jobs}_guest_min" "$(jq '.totals.guest_minutes' "$sd/soak.json")" min
		rec soak "jobs${jobs}_wall_s" "$(jq '([.runs[].end] | max) - ([.runs[].start] | min)' "$sd/soak.json")" s
		rec soak "jobs${jobs}_guest_min_per_h" "$(jq '.totals.guest_minutes * 3600 /
			(([.runs[].end] | max) - ([.runs[].start] | min)) * 10 | round / 10' "$sd/soak.json")" guest-min/h
		rec soak "jobs${jobs}_verdicts" "$(jq -r '.totals.verdicts | to_entries |
			map("\(.value) \(.key)") | join(", ")' "$sd/soak.json")"
	done
}

# to_json: bench.tsv as JSON: {"section": {"name": value or "string"}}.
to_json() {
	awk -F'\t' '
	function q(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); return "\"" s "\"" }
	{ if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 }
	  v = ($3 ~ /^-?[0-9]+(\.[0-9]+)?$/) ? $3 : q($3)
	  body[$1] = body[$1] (body[$1] == "" ? "" : ",\n") "    " q($2) ": " v }
	END {
		print "{"
		for (i = 1; i <= n; i++)
			printf "  %s: {\n%s\n  }%s\n", q(order[i]), body[order[i]], i < n ? "," : ""
		print "}"
	}' "$TSV"
}

plot() {
	local svg=$1 a="$OUT/lat-debug-1-shs.dat" b="$OUT/lat-debug-1-shell.dat"

	[ -s "$a" ] && [ -s "$b" ] || { info "no latency series to plot"; return 0; }
	need_tools gnuplot
	gnuplot <<EOT >"$OUT/logs/gnuplot.log" 2>&1 || { info "gnuplot failed (see $OUT/logs/gnuplot.log)"; return 0; }
set terminal svg size 900,480 dynamic font "sans,11"
set output "$svg"
set title "CPU hotplug latency per operation, same boot, no load (4 vCPUs, TCG)"
set xlabel "operation"
set ylabel "latency (ms)"
set logscale y
set key top right
plot "< grep offline $a" using 1:(\$3/1000) with points pt 7 ps 0.4 title "hotplug-driver: offline", \
     "< grep ' online' $a" using 1:(\$3/1000) with points pt 5 ps 0.4 title "hotplug-driver: online", \
     "< grep offline $b" using 1:(\$3/1000) with points pt 6 ps 0.5 title "shell loop: offline", \
     "< grep ' online' $b" using 1:(\$3/1000) with points pt 4 ps 0.5 title "shell loop: online"
EOT
	# Every file of the project carries its licence, generated ones too.
	sed -i '1a <!-- SPDX-License-Identifier: GPL-2.0 -->' "$svg"
}

main() {
	while [ $# -gt 0 ]; do
		case "$1" in
		--quick) QUICK=1 ;;
		-h | --help) usage; exit 0 ;;
		*) usage >&2; die "unknown argument '$1'" ;;
		esac
		shift
	done
	KCONFIG=debug check_settings
	need_tools awk sort gnuplot jq parallel
	cd "$SHS_TOP"
	BENCH_T0=$(date +%s)
	if [ "$QUICK" = 1 ]; then
		BENCH_OPS=${BENCH_OPS:-40} CAP=120
	else
		BENCH_OPS=${BENCH_OPS:-200} CAP=300
	fi
	check_uint BENCH_OPS "$BENCH_OPS" 4 100000
	mkdir -p "$RESULTS_DIR"
	OUT="$RESULTS_DIR/$(date +%Y%m%d-%H%M%S)-bench$([ "$QUICK" = 0 ] || echo -quick)"
	mkdir "$OUT" || die "cannot create $OUT (exists already?)"
	mkdir "$OUT/logs"
	TSV=$OUT/bench.tsv
	: >"$TSV"
	info "results: $OUT"
	rec meta mode "$([ "$QUICK" = 1 ] && echo quick || echo full)"
	rec meta date "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	rec meta project "$(git describe --always --dirty 2>/dev/null || echo unknown)"
	rec meta cpu "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)"
	rec meta host_cpus "$(nproc)"
	rec meta host_mem_gib "$(awk '/^MemTotal/ { printf "%.0f", $2 / 1048576 }' /proc/meminfo)"
	rec meta host_kernel "$(uname -r)"
	rec meta qemu "$(qemu-system-x86_64 --version | head -n1)"
	rec meta gcc "$(gcc --version | head -n1)"
	rec meta guest_cpus "$CPUS"
	rec meta kernel "$KVER"
	rec meta bench_ops "$BENCH_OPS"
	rec meta jobs "$JOBS"

	section_build
	section_hotplug
	section_detect
	section_option
	section_soak
	rec meta accel "$(sed -n 's/^accel: //p' "$(val run debug-1)/inputs.txt" 2>/dev/null || echo n/a)"
	rec meta total_s "$(($(date +%s) - BENCH_T0))" s
	to_json >"$OUT/bench.json"
	plot "$OUT/latency.svg"
	"$SHS_TOP/scripts/bench-report.sh" "$OUT" >"$OUT/BENCHMARKS.md"
	if [ "$QUICK" = 0 ]; then
		cp "$OUT/BENCHMARKS.md" "$SHS_TOP/BENCHMARKS.md"
		[ ! -f "$OUT/latency.svg" ] || cp "$OUT/latency.svg" "$SHS_TOP/docs/bench-latency.svg"
		info "regenerated $SHS_TOP/BENCHMARKS.md"
	fi
	info "done in $(($(date +%s) - BENCH_T0)) s: $OUT/BENCHMARKS.md"
	[ "$FAILED" = 0 ] || die "some benchmark runs did not pass (see above and $OUT/bench.tsv)"
}

main "$@"
