#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Soak, repro and scale-out (issue 12), in three parts:
#
#   1. stand-in: the signature rules, the report on real and fabricated
#      results directories, the soak engine (rotation, jobs, SOAK_STOP,
#      SOAK_TIME, Ctrl-C) and make repro (argument handling, identity
#      checks, rebuild decision), with tests/data/soak/fake-run.sh and
#      fake-build.sh in place of run.sh and make: no QEMU, seconds.
#   2. multi-host: an sshd of our own on 127.0.0.1 (throwaway host key,
#      authorised key and port, in a temporary directory) and a soak with
#      SOAK_HOSTS pointing at it twice, so that GNU parallel's --sshlogin,
#      the remote preparation (rsync, build) and the return of the results
#      run for real; still with the stand-in instead of QEMU.
#   3. real (only with SOAK_E2E=1, which tests/run-all.sh sets): a short
#      soak of the real kernel under QEMU whose report is checked, and a
#      real repro of a failing mutant run.  Builds kernels and boots QEMU.
#
# Usage: tests/soak.sh     (SOAK_E2E=1 adds part 3; SOAK_E2E_DURATION=s)

set -uo pipefail
# shellcheck source=tests/testlib.sh
source "$(dirname "$0")/testlib.sh"
cd "$T_TOP" || exit 1

unset SCENARIO DURATION KCONFIG EXTRA_PATCHES INJECT DRIVER SEED KERNEL_IMAGE INITRAMFS \
	SOAK_TIME SOAK_RUNS SOAK_SCENARIOS SOAK_DRIVERS SOAK_STOP SOAK_JOBS SOAK_HOSTS SOAK_SEED \
	SOAK_SSH SOAK_REMOTE_DIR SOAK_RUN_CMD SOAK_BUILD_CMD REPRO_RUNS REPRO_ACCEL \
	REPRO_PATCH_PATH REPRO_RUN_CMD REPRO_BUILD_CMD MAKEFLAGS MAKELEVEL
SOAK_E2E=${SOAK_E2E:-0}
REAL_CACHE_DIR=${CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/sched-hotplug-stress}
REAL_RESULTS_DIR=${RESULTS_DIR:-$T_TOP/results}
# Parts 1 and 2 never touch the real cache or results.
export CACHE_DIR=$T_OUT/cache RESULTS_DIR=$T_OUT/results FAKE_BUILD_LOG=$T_OUT/fake-build.log
mkdir -p "$CACHE_DIR" "$RESULTS_DIR"
# shellcheck source=scripts/lib.sh
source scripts/lib.sh
# shellcheck source=scripts/soak-lib.sh
source scripts/soak-lib.sh

FAKE_RUN=tests/data/soak/fake-run.sh
FAKE_BUILD=tests/data/soak/fake-build.sh
FIX=tests/data/soak/runs

# The stand-in build refuses to replace a real initramfs: one test run
# with the user's CACHE_DIR did, and a real run booted "fake".
t_expect "stand-in build: never overwrites a real initramfs" 4 'is a real initramfs; set CACHE_DIR' \
	bash -c 'source scripts/lib.sh && p=$(initramfs_path) && mkdir -p "${p%/*}" && printf "\037\213real" >"$p" &&
		{ '"$FAKE_BUILD"'; rc=$?; ! echo fake | cmp -s - "$p" && rm -f "$p" && exit $rc; }'

# soak ENV...: a stand-in soak (fake build and run), output in $T_OUT/soak.log;
# sets SOAK_OUT to its soak directory and SOAK_RC to its exit status.
soak() {
	SOAK_RC=0
	env SOAK_BUILD_CMD="$FAKE_BUILD" "$@" scripts/soak.sh >"$T_OUT/soak.log" 2>&1 </dev/null || SOAK_RC=$?
	SOAK_OUT=$(sed -n 's/^soak.sh: soak: //p' "$T_OUT/soak.log" | head -n1)
}

# jq_is NAME FILE FILTER WANT: pass if jq -r FILTER on FILE prints WANT.
jq_is() {
	local got

	got=$(jq -r "$3" "$2" 2>&1)
	if [ "$got" = "$4" ]; then t_ok "$1"; else t_not_ok "$1" "jq '$3' gave '$got', expected '$4'"; fi
}

# fixture_soak DIR RUN...: a fabricated soak directory whose runs are
# copies of the fixtures named (tests/data/soak/runs/NAME).
fixture_soak() {
	local d=$1 i=0 f
	shift
	rm -rf "$d"
	mkdir -p "$d/runs"
	printf 'started=1795290000\nrelease=6.1.176-shs-test\nkconfig=debug\nextra_patches=\nscenarios=rt-chase\ndrivers=shs\nduration=60\ncpus=4\ninject=auto\naccel=tcg\nsoak_time=\nsoak_runs=%s\nsoak_stop=never\nsoak_seed=1\nhosts=local\nproject=test\nended=1795299000\n' "$#" >"$d/soak-info.txt"
	for f in "$@"; do
		i=$((i + 1))
		mkdir -p "$d/runs/$(printf %04d "$i")"
		cp -r "$FIX/$f"/* "$d/runs/$(printf %04d "$i")/"
		printf 'index=%04d\nscenario=rt-chase\ndriver=shs\nseed=%s\nhost=fixture\nstart=%s\nend=%s\nrc=2\n' \
			"$i" "$i" "$((1795290000 + i * 60))" "$((1795290000 + i * 60 + 50))" >"$d/runs/$(printf %04d "$i")/job.txt"
	done
}

echo "# --- part 1: stand-in (no QEMU)"

# --- signatures -------------------------------------------------------------

sig_is() {
	local got

	got=$(printf '%s\n' "$1" | soak_normalize)
	if [ "$got" = "$2" ]; then t_ok "signature: $3"; else t_not_ok "signature: $3" "got '$got'"; fi
}
sig_is '[   20.921905] INFO: task kworker/0:1:11 blocked for more than 10 seconds.' \
	'INFO: task kworker/N:M blocked for more than N seconds' \
	"hung kworker: time stamp, worker numbers, PID and seconds go (issue's example)"
sig_is 'INFO: shs-watch: cpu2 hotplug stuck at state 235 (target 236) for more than 10 seconds' \
	'INFO: shs-watch: cpuN hotplug stuck at state 235 (target 236) for more than N seconds' \
	"stuck hotplug: the CPU goes, the hotplug states stay (issue's example)"
sig_is 'WARNING: CPU: 1 PID: 23 at kernel/sched/core.c:3124 set_task_cpu+0x1a4/0x1e0' \
	'WARNING in set_task_cpu (kernel/sched/core.c)' \
	"WARNING: titled by function and file, as syzkaller does"
sig_is 'BUG: soft lockup - CPU#1 stuck for 22s! [kworker/1:2:123]' \
	'BUG: soft lockup - CPU#N stuck for Ns! [kworker/N:M]' "soft lockup"
sig_is 'BUG: unable to handle page fault for address: ffff888003a1c000' \
	'BUG: unable to handle page fault for address: X' "addresses go"
sig_is ' cpuhp_kick_ap+0x79/0x180 flags=0x00004000' ' cpuhp_kick_ap flags=0x...' "offsets and 0x values go"
sig_is 'INFO: task cpuhp/2:21 blocked for more than 21 seconds.' \
	'INFO: task cpuhp/N blocked for more than N seconds' "per-CPU thread names"

a=$(soak_signature "$FIX/hang235-cpu2/20261121-192641-rt-chase")
b=$(soak_signature "$FIX/hang235-cpu3/20261121-192817-rt-chase")
c=$(soak_signature "$FIX/hang234/20261121-193705-rt-chase")
t_true "signature: two real hangs at state 235 on cpu2 and cpu3 are one bug" test "$a" = "$b"
t_true "signature: ... and the hang at state 234 (target 153) is another" test "$a" != "$c"
t_true "signature: a silent guest: '$(soak_signature "$FIX/silent/20261121-191643-rt-chase")'" \
	test "$(soak_signature "$FIX/silent/20261121-191643-rt-chase")" = "HANG no console output for N s"
t_true "ops and stress time of a real pass (28 ops, 60.9 s)" \
	test "$(soak_ops "$FIX/pass/20261121-192453-rt-chase") $(soak_stress_s "$FIX/pass/20261121-192453-rt-chase")" = "28 60.9"
t_true "ops and stress time of a real hang (last progress line)" \
	test "$(soak_ops "$FIX/hang234/20261121-193705-rt-chase") $(soak_stress_s "$FIX/hang234/20261121-193705-rt-chase")" = "13 25"

# --- the report on fabricated soak directories ------------------------------

fs=$T_OUT/fixture-soak
fixture_soak "$fs" pass hang235-cpu2 hung-kworker hang235-cpu3 hang234 pass silent
t_expect "report: exits 1 when some run failed, prints the groups" 1 \
	'2x HANG INFO: shs-watch: cpuN hotplug stuck at state 235 \(target 236\)' \
	scripts/soak-report.sh "$fs"
jq_is "report: 7 runs, 2 PASS, 5 HANG" "$fs/soak.json" \
	'"\(.totals.runs) \(.totals.verdicts.PASS) \(.totals.verdicts.HANG)"' "7 2 5"
jq_is "report: four failure groups (state 235 twice, state 234, kworker, silence)" "$fs/soak.json" \
	'[.groups[].count] | map(tostring) | join(" ")' "2 1 1 1"
jq_is "report: a group's first occurrence is the earliest run" "$fs/soak.json" \
	'.groups[0] | "\(.first.index) \(.runs | join(","))"' "0002 0002,0004"
jq_is "report: ... with the exact command that reproduces it" "$fs/soak.json" \
	'.groups[0].repro | test("^make repro RUN=.*/runs/0002/20261121-192641-rt-chase$")' "true"
jq_is "report: guest-minutes of stress per scenario x driver" "$fs/soak.json" \
	'.combos[0] | "\(.scenario)/\(.driver) \(.runs) \(.guest_minutes)"' "rt-chase/shs 7 4.9"
t_true "report: soak.md has the table, the plot and the groups" \
	grep -q '^### [0-9]\. `HANG INFO: shs-watch: cpuN hotplug stuck at state 234 (target 153)' "$fs/soak.md"
t_true "report: soak.svg is an SVG drawn by gnuplot" grep -q '<svg' "$fs/soak.svg"
t_expect "report: a directory that is not a soak is refused" 4 'not a soak directory' \
	scripts/soak-report.sh "$FIX"

# --- the soak engine, with the stand-in --------------------------------------

t_expect "settings: an unknown scenario is refused before any work" 4 "SCENARIO='nosuch' is unknown" \
	env SOAK_SCENARIOS="exec-storm nosuch" scripts/soak.sh --plan
t_expect "settings: an unknown driver" 4 "SOAK_DRIVERS: 'fast' is unknown" \
	env SOAK_DRIVERS=fast scripts/soak.sh --plan
t_expect "settings: SOAK_STOP" 4 "SOAK_STOP='sometimes' is unknown" env SOAK_STOP=sometimes scripts/soak.sh --plan
t_expect "settings: SOAK_TIME" 4 "SOAK_TIME='8 hours' is not a time" env SOAK_TIME="8 hours" scripts/soak.sh --plan
t_expect "settings: SOAK_JOBS=0" 4 "SOAK_JOBS=0 is out of range" env SOAK_JOBS=0 scripts/soak.sh --plan
t_expect "settings: SOAK_HOSTS entry ':' is refused with the way to use this machine" 4 \
	'list localhost' env SOAK_HOSTS="a@b,:" scripts/soak.sh --plan
t_expect "settings: a bad DURATION is caught by the run checks" 4 "DURATION=1 is out of range" \
	env DURATION=1 scripts/soak.sh --plan
t_true "jobs rule: 2 cores, CPUS=4 -> 1 guest at once" test "$(soak_default_jobs 2 4)" = 1
t_true "jobs rule: 8 cores, CPUS=4 -> 2; 16 cores, CPUS=2 -> 8; 1 core -> 1" \
	test "$(soak_default_jobs 8 4) $(soak_default_jobs 16 2) $(soak_default_jobs 1 4)" = "2 8 1"

env SOAK_SCENARIOS="exec-storm rt-chase" SOAK_DRIVERS="shs shell" SOAK_RUNS=5 SOAK_SEED=9 \
	scripts/soak.sh --plan >"$T_OUT/plan1" 2>&1
env SOAK_SCENARIOS="exec-storm rt-chase" SOAK_DRIVERS="shs shell" SOAK_RUNS=5 SOAK_SEED=9 \
	scripts/soak.sh --plan >"$T_OUT/plan2" 2>&1
t_true "plan: rotates scenarios x drivers" test "$(cut -d' ' -f2,3 "$T_OUT/plan1" | tr '\n' ,)" = \
	"exec-storm shs,rt-chase shs,exec-storm shell,rt-chase shell,exec-storm shs,"
t_true "plan: a fresh seed for every run" test "$(cut -d' ' -f4 "$T_OUT/plan1" | sort -u | wc -l)" = 5
t_true "plan: the same SOAK_SEED gives the same plan" cmp -s "$T_OUT/plan1" "$T_OUT/plan2"

soak SOAK_RUNS=6 SOAK_SCENARIOS="exec-storm rt-chase mixed" SOAK_JOBS=2 \
	SOAK_RUN_CMD="FAKE_PLAN='rt-chase=HANG235 mixed=WARN' $FAKE_RUN"
t_true "soak: 6 runs, 2 jobs, stand-in: exit 1 (some failed), a soak directory" \
	test "$SOAK_RC" = 1 -a -d "$SOAK_OUT"
t_true "soak: it built once first, and said so" \
	bash -c "grep -c 'fake build' '$FAKE_BUILD_LOG' | grep -qx 1 && grep -q 'local: built 6.1.176-shs-' '$T_OUT/soak.log'"
t_true "soak: one progress line per run, each with the tally" \
	test "$(grep -c '^soak.sh: run [0-9]* .* | [0-9]* [A-Z]' "$T_OUT/soak.log")" = 6
t_true "soak: the last progress line has the full tally" \
	grep -q '| 2 PASS, 2 FAIL, 2 HANG |' "$T_OUT/soak.log"
t_true "soak: two runs went at once (joblog start times overlap)" \
	awk 'NR > 1 { s[NR] = $3; e[NR] = $3 + $4 } END { for (i in s) for (j in s) if (i != j && s[j] >= s[i] && s[j] < e[i]) f = 1; exit !f }' "$SOAK_OUT/joblog"
t_true "soak: each run in its own runs/INDEX/<date>-<scenario> directory" \
	test "$(find "$SOAK_OUT/runs" -mindepth 2 -maxdepth 2 -name '2*' -type d | wc -l)" = 6
t_true "soak: the runs' initrd copies are removed (SOAK_KEEP_INITRD=0)" \
	test -z "$(find "$SOAK_OUT/runs" -name initrd.cpio.gz)"
jq_is "soak: report groups the two bugs, two occurrences each" "$SOAK_OUT/soak.json" \
	'[.groups[] | "\(.count) \(.signature)"] | join("; ")' \
	"2 HANG INFO: shs-watch: cpuN hotplug stuck at state 235 (target 236) for more than N seconds; 2 FAIL WARNING in set_task_cpu (kernel/sched/core.c)"
t_true "soak: soak.md, soak.json, soak.svg written" test -s "$SOAK_OUT/soak.md" -a -s "$SOAK_OUT/soak.svg"
t_true "soak: every run boots what was built at the start: kernel and initramfs ids pinned in soak.env" \
	bash -c "source scripts/lib.sh && grep -qx \"SHS_PIN_BUILD_ID=\$(build_id)\" '$SOAK_OUT/soak.env' &&
		grep -qx \"SHS_PIN_INITRAMFS_ID=\$(initramfs_id)\" '$SOAK_OUT/soak.env'"
t_true "  ... and a pinned id is the one used, whatever the sources say now" \
	bash -c "source scripts/lib.sh && SHS_PIN_BUILD_ID=0123456789ab SHS_PIN_INITRAMFS_ID=ba9876543210 &&
		[ \"\$(image_dir) \$(initramfs_path)\" = \"\$CACHE_DIR/images/0123456789ab \$CACHE_DIR/initramfs/ba9876543210.cpio.gz\" ]"
first_soak=$SOAK_OUT

# make reverts: the matrix, through the soak engine, with the stand-ins.
# Revert 09 "fails" in the stand-in, revert 10 passes: the matrix must say
# caught 2/2 and 0/2, per driver and injection setting.
rv=tests/upstream-reverts
env SOAK_BUILD_CMD="$FAKE_BUILD" SOAK_RUN_CMD="FAKE_PLAN='patch:09-rt-period-timer-on-dead-cpu.patch=HANG235' $FAKE_RUN" \
	REVERT_RUNS=2 REVERT_INJECT="1 0" REVERT_DRIVERS=shs REVERT_DURATION=5 \
	scripts/reverts.sh "$rv/09-rt-period-timer-on-dead-cpu.patch" "$rv/10-set-cpus-allowed-invalid-cpu.patch" \
	>"$T_OUT/reverts.log" 2>&1 </dev/null
rmd=$RESULTS_DIR/latest-reverts/reverts.md
t_true "reverts: a matrix, one row per revert x injection setting x driver" \
	test "$(grep -c '^| [0-9][0-9]-' "$rmd" 2>/dev/null)" = 4
t_true "reverts: the failing revert caught in 2 of 2 runs, with and without injection" \
	test "$(grep -c '^| 09-rt-period-timer-on-dead-cpu | 5c0930ccaad5 | rt-hogs | shs | [01] | 5 | 2 / 2 | 100% \[34-100%\] | [^|]* | [^|]* | [0-9.]* | [0-9.]*,[0-9.]* | 2 HANG |' "$rmd")" = 2
t_true "reverts: the passing one missed, 0 of 2" \
	test "$(grep -c '^| 10-set-cpus-allowed-invalid-cpu | 714e501e16cd | affinity-storm | shs | [01] | 5 | 0 / 2 | 0% \[0-66%\] | 0% \[0-66%\] | 0% \[0-66%\] | - | - | 2 PASS |' "$rmd")" = 2
t_true "reverts: the series alone as control, per scenario and injection setting, no false alarm" \
	test "$(grep -c '^| (series alone) | - | \(rt-hogs\|affinity-storm\) | shs | [01] | 5 | 0 / 2 | 0% ' "$rmd")" = 4
# within_ok MD: every row's "within 30 s" and "within 60 s" count the
# times to detect listed in the same row that are at most 30 and 60 s.
within_ok() {
	grep '^| ' "$1" | sed 's/^| //; s/ |$//' | awk -F' [|] ' '$1 != "patch" && $1 != "---" {
		n = split($12, d, ","); w30 = w60 = 0
		for (i = 1; i <= n; i++) if (d[i] != "-") { w30 += d[i] <= 30; w60 += d[i] <= 60 }
		split($7, r, " / "); rows++
		if (index($9, (r[2] ? int(100 * w30 / r[2] + 0.5) : "n/a") "%") != 1 ||
		    index($10, (r[2] ? int(100 * w60 / r[2] + 0.5) : "n/a") "%") != 1) bad++ }
		END { exit !(rows > 0 && !bad) }'
}
# make detect-stats: the mutants (no Upstream: header) the same way, the
# control failing in one scenario, the table published.
env SOAK_BUILD_CMD="$FAKE_BUILD" SOAK_SEED=7 \
	SOAK_RUN_CMD="FAKE_PLAN='patch:seed000-race-3-leave-requests-unserved.patch=HUNG rt-chase=WARN' $FAKE_RUN" \
	REVERT_RUNS=3 REVERT_INJECT=1 REVERT_DRIVERS="shs rcutorture" \
	scripts/reverts.sh --name detect --publish "$T_OUT/DETECTION.md" \
	tests/mutants/seed000-race-3-leave-requests-unserved.patch tests/mutants/fix001-revert-rq-online-before-active.patch \
	>"$T_OUT/detect.log" 2>&1 </dev/null
drc=$?
dmd=$RESULTS_DIR/latest-detect/detect.md
t_true "detect-stats: a mutant without an Upstream: header runs, caught 3 of 3 per driver, in its Duration" \
	test "$(grep -c '^| seed000-race-3-leave-requests-unserved | - | exec-storm | \(shs\|rcutorture\) | 1 | 60 | 3 / 3 | 100% \[44-100%\] |' "$dmd" 2>/dev/null)" = 2
t_true "detect-stats: within 30 s and within 60 s count the row's own times to detect" within_ok "$dmd"
t_true "detect-stats: the run's seeds are the control's seeds (one SOAK_SEED for every soak)" \
	bash -c "cmp <(grep -h '^SOAK-RESULT' '$RESULTS_DIR'/latest-detect/seed000-race-3-*-shs-inject1/2*-soak/progress.log | cut -d' ' -f6 | sort) \
		<(grep -h '^SOAK-RESULT' '$RESULTS_DIR'/latest-detect/series-alone-exec-storm-60s-shs-inject1/2*-soak/progress.log | cut -d' ' -f6 | sort)"
t_true "detect-stats: the series alone failing its control is reported as a finding, exit 1" \
	bash -c "[ $drc = 1 ] && grep -q '^\*\*The series alone failed in a control run\*\*' '$dmd' &&
		grep -q '^| (series alone) | - | rt-chase | shs | 1 | 60 | 3 / 3 |' '$dmd'"
t_true "detect-stats: --publish wrote the table where it was told" cmp "$dmd" "$T_OUT/DETECTION.md"
t_expect "reverts: a revert without a Scenario header is refused before any build" 4 "no 'Scenario:' header" \
	scripts/reverts.sh tests/data/extra-hello.patch
t_expect "reverts: --plan lists what would run" 0 '^01-stop-one-cpu-nowait-vs-hotplug.patch: mixed, 180 s, inject 1 0, drivers shs rcutorture, 3 runs each' \
	scripts/reverts.sh --plan

soak SOAK_RUNS=2 SOAK_SCENARIOS=exec-storm SOAK_RUN_CMD="$FAKE_RUN"
t_true "soak: all PASS exits 0; a second soak gets a new directory, nothing overwritten" \
	test "$SOAK_RC" = 0 -a "$SOAK_OUT" != "$first_soak" -a -s "$first_soak/soak.md"
nsc=$(find scenarios -maxdepth 1 -name '*.scenario' | wc -l)
t_true "soak: default is one rotation ($nsc scenarios x shs) without SOAK_RUNS or SOAK_TIME" \
	test "$(env scripts/soak.sh --plan 2>/dev/null | wc -l)" = "$nsc"

soak SOAK_RUNS=12 SOAK_JOBS=1 SOAK_STOP=first SOAK_SCENARIOS="exec-storm affinity-storm rt-chase" \
	SOAK_RUN_CMD="FAKE_PLAN=rt-chase=HUNG $FAKE_RUN"
t_true "SOAK_STOP=first: stops after the first failure (run 3 of 12)" \
	test "$SOAK_RC" = 1 -a "$(jq -r .totals.runs "$SOAK_OUT/soak.json" 2>/dev/null)" = 3
t_true "SOAK_STOP=first: ... and its report has the failure" \
	grep -q 'HANG INFO: task kworker/N:M blocked for more than N seconds' "$SOAK_OUT/soak.md"

soak SOAK_RUNS=4 SOAK_JOBS=1 SOAK_STOP=first SOAK_SCENARIOS="exec-storm rt-hogs" \
	SOAK_RUN_CMD="FAKE_PLAN=rt-hogs=UNCOVERED $FAKE_RUN"
t_true "UNCOVERED (run.sh exit 5): no failure, SOAK_STOP=first goes on, exit 0" \
	test "$SOAK_RC" = 0 -a "$(jq -r .totals.runs "$SOAK_OUT/soak.json" 2>/dev/null)" = 4
jq_is "UNCOVERED: counted, not grouped as a failure" "$SOAK_OUT/soak.json" \
	'"\(.totals.verdicts.UNCOVERED) \(.groups | length)"' "2 0"

soak SOAK_RUNS=10 SOAK_JOBS=1 SOAK_SCENARIOS=exec-storm SOAK_RUN_CMD="FAKE_PLAN=exec-storm=ERROR $FAKE_RUN"
t_true "setup errors: the soak gives up after SOAK_MAX_ERRORS=3 runs that could not start" \
	test "$SOAK_RC" = 1 -a "$(jq -r .totals.runs "$SOAK_OUT/soak.json" 2>/dev/null)" = 3
jq_is "setup errors: grouped under the error message" "$SOAK_OUT/soak.json" \
	'"\(.groups[0].count) \(.groups[0].signature)"' "3 ERROR fake setup error, as FAKE_PLAN asked"

t0=$SECONDS
soak SOAK_TIME=4s SOAK_JOBS=1 SOAK_SCENARIOS=exec-storm SOAK_RUN_CMD="FAKE_SLEEP=1 $FAKE_RUN"
n=$(jq -r .totals.runs "$SOAK_OUT/soak.json" 2>/dev/null)
t_true "SOAK_TIME=4s: starts runs for 4 s only ($n runs of ~1 s, $((SECONDS - t0)) s in all)" \
	test "$SOAK_RC" = 0 -a "${n:-0}" -ge 2 -a "${n:-99}" -le 6 -a $((SECONDS - t0)) -le 15

# Ctrl-C: the terminal sends SIGINT to the whole process group.
# A background job of a script starts with SIGINT ignored, and bash cannot
# trap a signal ignored at entry: perl puts the default back, as a terminal has it.
setsid perl -e '$SIG{INT} = "DEFAULT"; exec @ARGV' env SOAK_BUILD_CMD="$FAKE_BUILD" SOAK_RUNS=4 SOAK_JOBS=2 SOAK_SCENARIOS="exec-storm mixed" \
	SOAK_RUN_CMD="FAKE_SLEEP=27.5 $FAKE_RUN" scripts/soak.sh >"$T_OUT/soak-int.log" 2>&1 </dev/null &
spid=$!
for _ in $(seq 50); do pgrep -f 'sleep 27.5' >/dev/null && break; sleep 0.2; done
sleep 1
kill -INT -- "-$spid" 2>/dev/null
rc=0
timeout 20 tail --pid="$spid" -f /dev/null || rc=timeout
wait "$spid" || rc=$?
so=$(sed -n 's/^soak.sh: soak: //p' "$T_OUT/soak-int.log" | head -n1)
t_true "Ctrl-C: the soak ends at once with 130" test "$rc" = 130
t_true "Ctrl-C: no run left behind" bash -c "! pgrep -f '[s]leep 27[.]5' >/dev/null"
t_true "Ctrl-C: the report is written for what ran (2 INCOMPLETE, marked interrupted)" \
	bash -c "grep -q 'interrupted' '$so/soak.md' && jq -e '.totals.verdicts.INCOMPLETE == 2' '$so/soak.json' >/dev/null"

# --- make repro, with the stand-in -------------------------------------------

R=$(ls -d "$first_soak"/runs/0002/2*)
export REPRO_BUILD_CMD=$FAKE_BUILD
t_expect "repro: no RUN is a usage error" 4 'no run given: make repro RUN=' scripts/repro.sh
t_expect "repro: a RUN that does not exist" 4 "is not a directory" scripts/repro.sh "$T_OUT/nosuch"
t_expect "repro: a directory that is not a run" 4 "has no inputs.txt" scripts/repro.sh "$first_soak"
t_expect "repro: a stand-in HANG run reproduces (same verdict, same signature)" 0 \
	'REPRODUCED on attempt 1 of 1: HANG' \
	env REPRO_RUN_CMD="FAKE_PLAN=rt-chase=HANG235 $FAKE_RUN" scripts/repro.sh "$R"
rlog=$T_OUT/t$T_N.log
t_true "  ... re-run with the recorded seed, scenario and driver" \
	grep -q "seed: $(soak_input "$R" seed)\$" "$(ls -td "$RESULTS_DIR"/2*-rt-chase | head -n1)/inputs.txt"
t_true "  ... and did not rebuild (the cached image is that kernel)" \
	grep -q 'not rebuilding' "$rlog"
t_expect "repro: a pass where the run hung is NOT REPRODUCED, exit 1" 1 \
	"NOT REPRODUCED in 2 attempt\(s\): was 'HANG INFO: shs-watch: cpuN" \
	env REPRO_RUNS=2 REPRO_RUN_CMD="$FAKE_RUN" scripts/repro.sh "$R"
t_expect "repro: a hung kworker where the run hung in hotplug is another signature" 1 \
	"got 'HANG INFO: task kworker/N:M" \
	env REPRO_RUN_CMD="FAKE_PLAN=rt-chase=HUNG $FAKE_RUN" scripts/repro.sh "$R"

# current_run SRC DEST: a copy of the real run SRC whose recorded patches
# and release are those of the series now, as if it had been made with
# it: the identity checks then pass whatever the series has become since
# the fixture was recorded, and everything else stays real.
current_run() {
	local p

	cp -r "$1" "$2"
	{
		sed '/^patches (sha256, name):/,$d; /^release: /d' "$1/inputs.txt"
		printf 'release: %s\n' "$KVER-shs-$(build_id)"
		echo 'patches (sha256, name):'
		while read -r p; do
			printf '  %s %s\n' "$(sha256sum "$p" | cut -c1-16)" "$p"
		done < <(series_patches)
	} >"$2/inputs.txt"
	sed -i "s/^RELEASE=.*/RELEASE=$KVER-shs-$(build_id)/; s/^BUILD_ID=.*/BUILD_ID=$(build_id)/" "$2/build.env"
}
CUR=$T_OUT/current-hang234
current_run "$FIX/hang234/20261121-193705-rt-chase" "$CUR"
REL=$KVER-shs-$(build_id)

# A real recorded run made with the current series: the identity checks
# pass and, with an empty cache, it is rebuilt first.
t_expect "repro: a real run (hang at state 234): patches match, empty cache -> rebuilt" 0 \
	"build: no image of $REL .*; running" \
	env CACHE_DIR="$T_OUT/cache-empty" REPRO_RUN_CMD="FAKE_PLAN=rt-chase=HANG235 $FAKE_RUN" \
	bash -c "scripts/repro.sh '$CUR'; test \$? = 1"
t_expect "repro: a real run made with an older series is refused" 4 \
	"refusing: the run had 5 series patches, patches/series now has $(series_patches | wc -l)" \
	scripts/repro.sh "$FIX/hang235-cpu2/20261121-192641-rt-chase"

# What run.sh records when ACCEL=auto fell back: the accelerator, then why.
cp -r "$CUR" "$T_OUT/verbose-accel"
sed -i 's/^accel: .*/accel: tcg (ACCEL=auto: KVM did not work (under KVM the guest printed nothing in 30 s), fell back to TCG)/' \
	"$T_OUT/verbose-accel/inputs.txt"
t_expect "repro: a recorded fallback reason does not make ACCEL unknown" 1 'ACCEL=tcg' \
	env CACHE_DIR="$T_OUT/cache-empty" REPRO_RUN_CMD="FAKE_PLAN=rt-chase=HANG235 $FAKE_RUN" \
	scripts/repro.sh "$T_OUT/verbose-accel"

first=$(series_patches | head -n1)
cp -r "$CUR" "$T_OUT/edited-run"
sed -i "s/^  $(sha256sum "$first" | cut -c1-16) /  0000000000000000 /" "$T_OUT/edited-run/inputs.txt"
t_expect "repro: a series patch whose sha256 changed is refused, named" 4 \
	"refusing: patches/${first##*/} no longer has the recorded sha256" \
	scripts/repro.sh "$T_OUT/edited-run"
cp -r "$CUR" "$T_OUT/edited-run2"
sed -i 's/^release: .*/release: 6.1.176-shs-000000000000/' "$T_OUT/edited-run2/inputs.txt"
t_expect "repro: a release that the same patches no longer build is refused" 4 \
	"refusing: these patches and kernel-config/ build $REL, the run was 6.1.176-shs-000000000000" \
	scripts/repro.sh "$T_OUT/edited-run2"

# Extra patches: recorded sha256, copies, and a changed patch.
cp tests/data/extra-hello.patch "$T_OUT/mine.patch"
env EXTRA_PATCHES="$T_OUT/mine.patch" SCENARIO=exec-storm FAKE_PLAN=exec-storm=WARN RESULTS_DIR="$T_OUT/xr" \
	$FAKE_RUN >/dev/null 2>&1
X=$(ls -d "$T_OUT"/xr/2*)
t_expect "repro: a run with an extra patch reproduces" 0 'REPRODUCED.*FAIL' \
	env REPRO_RUN_CMD="FAKE_PLAN=exec-storm=WARN $FAKE_RUN" scripts/repro.sh "$X"
echo "+ changed" >>"$T_OUT/mine.patch"
t_expect "repro: an extra patch that changed since the run is refused" 4 \
	"refusing: extra patch mine.patch no longer has the recorded sha256 [0-9a-f]{16}\.\.\.: found only $T_OUT/mine.patch" \
	env REPRO_RUN_CMD="$FAKE_RUN" scripts/repro.sh "$X"
mkdir -p "$T_OUT/pp" && cp tests/data/extra-hello.patch "$T_OUT/pp/mine.patch"
t_expect "repro: ... unless REPRO_PATCH_PATH holds the recorded one" 0 'REPRODUCED' \
	env REPRO_PATCH_PATH="$T_OUT/nothing:$T_OUT/pp" REPRO_RUN_CMD="FAKE_PLAN=exec-storm=WARN $FAKE_RUN" \
	scripts/repro.sh "$X"
unset REPRO_BUILD_CMD

t_expect "make: help lists soak and repro" 0 'soak .*SOAK_TIME' make -s help
t_expect "make repro without RUN= says how to use it" 2 'no run given: make repro RUN=' make -s repro

# --- part 2: several hosts, through sshd on 127.0.0.1 -----------------------

echo "# --- part 2: multi-host through a private sshd on 127.0.0.1"
SSHD_PID=
stop_sshd() { [ -z "$SSHD_PID" ] || kill "$SSHD_PID" 2>/dev/null; SSHD_PID=; }
trap stop_sshd EXIT

# start_sshd DIR PORT: our own sshd, key login only, for the current user.
start_sshd() {
	local d=$1 port=$2

	mkdir -p "$d" && chmod 700 "$d"
	ssh-keygen -q -t ed25519 -N '' -f "$d/host_key" &&
		ssh-keygen -q -t ed25519 -N '' -f "$d/user_key" || return 1
	cp "$d/user_key.pub" "$d/authorized_keys" && chmod 600 "$d/authorized_keys"
	cat >"$d/sshd_config" <<EOT
Port $port
ListenAddress 127.0.0.1
HostKey $d/host_key
AuthorizedKeysFile $d/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
StrictModes no
UsePAM no
PidFile $d/sshd.pid
EOT
	cat >"$d/ssh_config" <<EOT
Host *
	Port $port
	IdentityFile $d/user_key
	IdentitiesOnly yes
	StrictHostKeyChecking no
	UserKnownHostsFile $d/known_hosts
	BatchMode yes
	LogLevel ERROR
EOT
	[ "$(id -u)" != 0 ] || mkdir -p /run/sshd
	/usr/sbin/sshd -D -f "$d/sshd_config" -E "$d/sshd.log" &
	SSHD_PID=$!
	local _
	for _ in $(seq 50); do
		ssh -F "$d/ssh_config" "$(id -un)@127.0.0.1" true 2>/dev/null && return 0
		sleep 0.2
	done
	return 1
}

sd=$T_OUT/sshd
port=$((20000 + $$ % 20000))
if ! [ -x /usr/sbin/sshd ] || ! command -v parallel >/dev/null; then
	t_ok "multi-host # SKIP openssh-server or parallel missing (make deps installs them)"
elif ! start_sshd "$sd" "$port"; then
	t_not_ok "multi-host: sshd on 127.0.0.1:$port starts and accepts our key" "see $sd/sshd.log"
else
	t_ok "multi-host: sshd on 127.0.0.1:$port starts and accepts our key"
	u=$(id -un)
	rclone=$T_OUT/remote-clone
	soak SOAK_HOSTS="$u@127.0.0.1,$u@localhost" SOAK_SSH="ssh -F $sd/ssh_config" \
		SOAK_REMOTE_DIR="$rclone" SOAK_RUNS=4 SOAK_JOBS=1 SOAK_SCENARIOS="exec-storm rt-chase" \
		EXTRA_PATCHES=tests/data/extra-hello.patch \
		SOAK_BUILD_CMD="CACHE_DIR=$T_OUT/rcache $FAKE_BUILD" \
		SOAK_RUN_CMD="CACHE_DIR=$T_OUT/rcache FAKE_PLAN=rt-chase=HANG235 $FAKE_RUN"
	t_true "multi-host: soak over two sshlogins ends (exit 1: two hangs)" test "$SOAK_RC" = 1
	t_true "multi-host: the clone was rsynced to the remote directory" \
		test -x "$rclone/scripts/soak.sh" -a -f "$rclone/patches/series" -a ! -e "$rclone/.git"
	t_true "multi-host: ... built there, with the extra patch copied and renamed for it" \
		grep -q "fake build in $rclone: release .* EXTRA_PATCHES=$rclone/.soak/.*/patches/extra-hello.patch" "$rclone/.fake-build.log"
	t_true "multi-host: ... and the soak said what it did for each host" \
		test "$(grep -c 'rsynced [0-9]* files to .*, built build id [0-9a-f]\{12\} ' "$T_OUT/soak.log")" = 2
	t_true "multi-host: all 4 runs came back into the local soak directory" \
		test "$(find "$SOAK_OUT/runs" -mindepth 2 -maxdepth 2 -name verdict -o -mindepth 3 -maxdepth 3 -name verdict | wc -l)" = 4
	t_true "multi-host: both sshlogins ran jobs" \
		test "$(sed -n 's/^host=//p' "$SOAK_OUT"/runs/*/job.txt | sort -u | tr '\n' ' ')" = "$u@127.0.0.1 $u@localhost "
	t_true "multi-host: runs ran in the remote clone (inputs.txt names its patches)" \
		grep -q "$rclone/patches/" "$(find "$SOAK_OUT/runs" -name inputs.txt | head -n1)"
	t_true "multi-host: the remote soak directory is removed after collection" \
		test -z "$(ls -A "$rclone/.soak" 2>/dev/null)"
	jq_is "multi-host: the report counts 2 PASS and one group of 2 hangs" "$SOAK_OUT/soak.json" \
		'"\(.totals.verdicts.PASS) \(.groups | length) \(.groups[0].count)"' "2 1 2"
	rr=$(jq -r '.groups[0].first.dir' "$SOAK_OUT/soak.json")
	t_expect "multi-host: a remote run reproduces here (extra patch found in the soak's patches/)" 0 \
		'REPRODUCED' env REPRO_BUILD_CMD="$FAKE_BUILD" \
		REPRO_RUN_CMD="FAKE_PLAN=rt-chase=HANG235 $FAKE_RUN" scripts/repro.sh "$SOAK_OUT/$rr"

	setsid perl -e '$SIG{INT} = "DEFAULT"; exec @ARGV' env \
		SOAK_BUILD_CMD="CACHE_DIR=$T_OUT/rcache $FAKE_BUILD" SOAK_HOSTS="$u@127.0.0.1" SOAK_SSH="ssh -F $sd/ssh_config" SOAK_REMOTE_DIR="$rclone" \
		SOAK_RUNS=3 SOAK_JOBS=2 SOAK_SCENARIOS=exec-storm \
		SOAK_RUN_CMD="CACHE_DIR=$T_OUT/rcache FAKE_SLEEP=26.5 $FAKE_RUN" \
		scripts/soak.sh >"$T_OUT/soak-rint.log" 2>&1 </dev/null &
	spid=$!
	for _ in $(seq 100); do pgrep -f '[s]leep 26[.]5' >/dev/null && break; sleep 0.2; done
	sleep 1
	kill -INT -- "-$spid" 2>/dev/null
	rc=0
	timeout 30 tail --pid="$spid" -f /dev/null || rc=timeout
	wait "$spid" || rc=$?
	so=$(sed -n 's/^soak.sh: soak: //p' "$T_OUT/soak-rint.log" | head -n1)
	sleep 1
	t_true "multi-host Ctrl-C: the soak ends with 130" test "$rc" = 130
	t_true "multi-host Ctrl-C: no run left on the host" bash -c "! pgrep -f '[s]leep 26[.]5' >/dev/null"
	t_true "multi-host Ctrl-C: the runs cut short were collected and reported (2 INCOMPLETE)" \
		bash -c "jq -e '.totals.verdicts.INCOMPLETE == 2' '$so/soak.json' >/dev/null && test \$(find '$so/runs' -name job.txt | wc -l) = 2"
	stop_sshd
fi

# --- part 3: real QEMU (SOAK_E2E=1) ------------------------------------------

if [ "$SOAK_E2E" != 1 ]; then
	echo "# --- part 3 (real kernel and QEMU) skipped: set SOAK_E2E=1 (tests/run-all.sh does)"
	t_done
	exit
fi
echo "# --- part 3: real kernel and QEMU"
export CACHE_DIR=$REAL_CACHE_DIR RESULTS_DIR=$REAL_RESULTS_DIR
D=${SOAK_E2E_DURATION:-20}
jobs=$(soak_default_jobs "$(nproc)" 4)
[ "$jobs" -le 2 ] || jobs=2
soak_rc=0
env SOAK_RUNS=4 SOAK_SCENARIOS="exec-storm affinity-storm" SOAK_JOBS="$jobs" \
	DURATION="$D" scripts/soak.sh >"$T_OUT/soak-real.log" 2>&1 </dev/null || soak_rc=$?
so=$(sed -n 's/^soak.sh: soak: //p' "$T_OUT/soak-real.log" | head -n1)
t_true "real soak: 4 runs of $D s, 2 scenarios, $jobs job(s) at once: all PASS (exit 0)" test "$soak_rc" = 0
jq_is "real soak: the report counts 4 PASS over exec-storm and affinity-storm" "$so/soak.json" \
	'"\(.totals.verdicts.PASS) \([.combos[].scenario] | join(","))"' "4 affinity-storm,exec-storm"
jq_is "real soak: every run did hotplug operations and has stress time" "$so/soak.json" \
	'[.runs[] | select(.ops > 0 and .stress_s > 0)] | length' "4"
t_true "real soak: one progress line per run" \
	test "$(grep -c '^soak.sh: run [0-9]* ' "$T_OUT/soak-real.log")" = 4
t_true "real soak: soak.md and soak.svg written, no QEMU left" \
	bash -c "test -s '$so/soak.md' -a -s '$so/soak.svg' && ! pgrep -f '[q]emu-system-x86_64.*$so' >/dev/null"

# A mutant that fails within its duration (see its header), soaked once;
# then the kernel is put back to the series alone.  The repro must boot the
# mutant's kernel again: from the image store, which keeps every finished
# build, or by rebuilding it when the store lost it.
m=tests/mutants/seed000-races-1-2-drop-target-checks.patch
env SOAK_RUNS=1 SOAK_SCENARIOS="$(mutant_header Scenario "$m")" DURATION="$(mutant_header Duration "$m")" \
	EXTRA_PATCHES="$m" scripts/soak.sh >"$T_OUT/soak-mutant.log" 2>&1 </dev/null
so=$(sed -n 's/^soak.sh: soak: //p' "$T_OUT/soak-mutant.log" | head -n1)
fr=$(jq -r '.groups[0].first.dir // empty' "$so/soak.json" 2>/dev/null)
if [ -z "$fr" ]; then
	t_not_ok "real repro: the mutant ${m##*/} failed in its soak run" "no failure group in $so/soak.json"
else
	t_ok "real repro: the mutant ${m##*/} failed in its soak run ($(jq -r '.groups[0].signature' "$so/soak.json"))"
	t_expect "real repro: back to the series alone" 0 'built in' scripts/kernel.sh
	t_expect "real repro: make repro finds (or rebuilds) the mutant's kernel and reproduces within 3 attempts" 0 \
		"(the image store has .*-shs-[0-9a-f]+ .*not rebuilding|running 'make kernel initramfs').*REPRODUCED" \
		bash -c "REPRO_RUNS=3 make -s repro RUN='$so/$fr' 2>&1 | tr '\n' ' '; exit \${PIPESTATUS[0]}"
fi
t_expect "real repro: the kernel is left as the series alone" 0 'built in' scripts/kernel.sh
t_done
