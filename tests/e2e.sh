#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# End-to-end: the real tree, quilt, kbuild, qemu-system-x86_64 and busybox,
# started the way a user starts them.  Builds the test kernel with and
# without the injection option, boots every scenario and checks the
# verdicts, then checks that bad input (a patch that does not apply, a
# config symbol that does not survive, a stale image, a guest that cannot
# boot) is caught with a clear message.
#
# Then the cases of issue 10: KVM that aborts or hangs (QEMU wrappers)
# must fall back to TCG and PASS, an interrupted mutant build followed by
# the clean build must boot the clean kernel, two runs at once while a
# build relinks the kernel, make -j4, and a coverage miss (UNCOVERED).
#
# Usage: tests/e2e.sh     (E2E_DURATION=s sets the per-scenario run length;
#                          E2E_ONLY=issue10 runs the builds and those cases)

set -uo pipefail
# shellcheck source=tests/testlib.sh
source "$(dirname "$0")/testlib.sh"
cd "$T_TOP" || exit 1

D=${E2E_DURATION:-30}
export RESULTS_DIR=${RESULTS_DIR:-$T_TOP/results}
unset SCENARIO DURATION KCONFIG EXTRA_PATCHES INJECT DRIVER BENCH_OPS SEED KERNEL_IMAGE INITRAMFS
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

# verdict_of LOG: the verdict word run.sh printed.
verdict_of() { sed -n 's/^verdict: *\([A-Z-]*\).*/\1/p' "$1" | head -n1; }

# run_case NAME WANT_RC WANT_VERDICT [VAR=value...]: one real boot.
run_case() {
	local name=$1 want_rc=$2 want=$3 rc=0 log v
	shift 3
	log="$T_OUT/run$((T_N + 1)).log"
	env "$@" scripts/run.sh >"$log" 2>&1 </dev/null || rc=$?
	v=$(verdict_of "$log")
	if [ "$rc" = "$want_rc" ] && [ "$v" = "$want" ]; then
		t_ok "$name ($(grep -m1 '^verdict:' "$log" | cut -c11-90))"
	else
		t_not_ok "$name" "exit $rc, verdict '$v', expected $want_rc/$want; $(grep -m1 '^verdict:' "$log"); results: $(sed -n 's/^results: *//p' "$log")"
	fi
	LAST_RES=$(sed -n 's/^results: *//p' "$log")
}

# Every run this suite makes is re-judged at the end (rejudge_own_runs).
touch "$T_OUT/e2e-start"

# rejudge_own_runs: re-judge, from its directory alone, every run made
# under RESULTS_DIR since this suite started; each must get its live
# verdict again.  Prints how many, and fails naming the ones that differ.
rejudge_own_runs() {
	local d n=0 bad=''

	while read -r d; do
		[ -f "$d/qemu-status" ] || continue
		n=$((n + 1))
		cp "$d/verdict" "$T_OUT/live-verdict"
		scripts/judge.sh "$d" >/dev/null 2>&1 </dev/null || true
		cmp -s "$T_OUT/live-verdict" "$d/verdict" || bad+=" ${d##*/}"
	done < <(find "$RESULTS_DIR" -mindepth 1 -maxdepth 1 -type d -name '2*' -newer "$T_OUT/e2e-start")
	echo "$n run(s)${bad:+; changed:$bad}"
	[ -z "$bad" ] && [ "$n" -gt 0 ]
}

# counter_of NAME: a coverage counter of the last run.
counter_of() { sed -n "s/^# shs-run: counter $1=//p" "$LAST_RES/guest.log"; }

t_expect "build: debug kernel (injection compiled in)" 0 'built in' scripts/kernel.sh
# Under a parent make (make soak runs 'make kernel'), sub-makes print
# "Entering directory" unless told not to; the release check must not
# read those lines as the release.
t_expect "build: under a parent make that prints directories (make soak's case)" 0 'built in' \
	env MAKEFLAGS=w MAKELEVEL=1 scripts/kernel.sh
t_expect "build: initramfs" 0 'initramfs:' scripts/initramfs.sh

# older_cases: the cases from before issue 10.
older_cases() {

run_case "boot: mixed scenario, 60 s" 0 PASS SCENARIO=mixed DURATION=60
# Every check scenarios/mixed.scenario requires, read from the file.
for c in $(sed -n 's/^require=//p' scenarios/mixed.scenario); do
	v=$(counter_of "$c")
	if [ "${v:-0}" -gt 0 ]; then t_ok "coverage (mixed): $c=$v"; else t_not_ok "coverage (mixed): $c" "never fired (${v:-missing})"; fi
done
# Configured only through the kernel's sched_hotplug_inject=: the guest
# must have found each window of scenarios/mixed.scenario as written there.
windows_as_written() {
	local w p prob lo hi
	for w in $(sed -n 's/^inject=//p' scenarios/mixed.scenario); do
		IFS=: read -r p prob lo hi <<<"$w"
		grep -q "^# shs-run: inject $p: $prob%, $lo-$hi us\$" "$LAST_RES/guest.log" || return 1
	done
}
t_true "  ... with every window configured at boot as scenarios/mixed.scenario says" windows_as_written
for s in exec-storm affinity-storm rt-hogs; do
	run_case "boot: $s scenario, $D s" 0 PASS SCENARIO="$s" DURATION="$D"
	t_true "  ... its KTAP coverage test passed" grep -q '^ok [0-9]* coverage$' "$LAST_RES/ktap.txt"
done
# rt-chase has no injection point: its load checks its own window.
run_case "boot: rt-chase scenario (finding 1's reproducer, fixed), $D s" 0 PASS \
	SCENARIO=rt-chase DURATION="$D"
t_true "  ... its chasers landed on CPUs that had just come online" \
	grep -q '^# rt-chase: fresh_landings=[1-9]' "$LAST_RES/guest.log"
# Another driver: the loads lose the state table and must not misread it.
run_case "boot: affinity-storm driven by the selftest's shell loop, $D s" 0 PASS \
	SCENARIO=affinity-storm DRIVER=shell DURATION="$D"
t_true "  ... which did the hotplugging" grep -q '^# hotplug-shell: ops=[1-9]' "$LAST_RES/guest.log"
# rcutorture's torture_onoff under the exec storm: the pair that hung the
# unmodified harness (docs/findings/exec-storm-rcutorture-reader-starved.txt).
run_case "boot: exec-storm driven by rcutorture's torture_onoff, $D s" 0 PASS \
	SCENARIO=exec-storm DRIVER=rcutorture DURATION="$D"
t_true "  ... which did the hotplugging" grep -q '^# hotplug-rcutorture: ops=[1-9]' "$LAST_RES/guest.log"

t_expect "build: noinject kernel (option off)" 0 'built in' env KCONFIG=noinject scripts/kernel.sh
noinject=$(KCONFIG=noinject build_dir)
t_true "noinject: the option adds no symbol when off" \
	bash -c "! nm '$noinject/vmlinux' | grep -qE ' (__)?shi_'"
t_true "debug: ... while the debug kernel has them" \
	bash -c "nm '$(build_dir)/vmlinux' | grep -q ' __shi_widen'"
run_case "boot: noinject kernel passes the mixed scenario, $D s" 0 PASS \
	KCONFIG=noinject SCENARIO=mixed DURATION="$D"
t_true "  ... with coverage reported as SKIP, not as a pass" \
	grep -q '^ok [0-9]* coverage # SKIP' "$LAST_RES/ktap.txt"

run_case "identity: booting another build's image is caught" 1 FAIL \
	KERNEL_IMAGE="$noinject/arch/x86/boot/bzImage" SCENARIO=exec-storm DURATION=5
t_true "  ... as a stale image" grep -q 'stale image' "$LAST_RES/verdict"
printf 'this is not an initramfs\n' >"$T_OUT/garbage.cpio.gz"
run_case "boot failure: a guest without a usable init is BOOT-FAILED" 3 BOOT-FAILED \
	INITRAMFS="$T_OUT/garbage.cpio.gz" SCENARIO=exec-storm DURATION=5
t_true "  ... and no QEMU is left behind" no_leftover_qemu "$RESULTS_DIR"

t_expect "patch: one that does not apply is named, with file and hunk" 4 \
	'patch extra-1-does-not-apply.patch does not apply: kernel/sched/core.c, hunk #1 at line [0-9]+; the work tree was restored' \
	env EXTRA_PATCHES=tests/data/does-not-apply.patch scripts/kernel.sh --patch-only
work=$(work_tree)
src=$(scripts/tree.sh --print-src)
t_true "  ... and the work tree is left pristine" \
	bash -c "[ ! -e '$work/.pc' ] && diff -r -q '$src/kernel' '$work/kernel' >/dev/null"

kdir=$T_OUT/kconfig
mkdir -p "$kdir"
cp kernel-config/common.config "$kdir/"
printf '# SPDX-License-Identifier: GPL-2.0\n# injection without its dependency\nCONFIG_SCHED_HOTPLUG_INJECT=y\n# CONFIG_FAULT_INJECTION is not set\n' \
	>"$kdir/broken.config"
t_expect "config: a symbol that does not survive olddefconfig is named" 4 \
	'CONFIG_SCHED_HOTPLUG_INJECT=y +got: absent' \
	env KCONFIG_DIR="$kdir" KCONFIG=broken scripts/kernel.sh
rm -rf "$(KCONFIG=broken build_dir)"

t_expect "extra patch: stacked with EXTRA_PATCHES, rebuilt incrementally" 0 'built in' \
	env EXTRA_PATCHES=tests/data/extra-hello.patch scripts/kernel.sh
n=$(sed -n 's/^FILES_COMPILED=//p' "$(build_dir)/.shs-build.env")
t_true "  ... compiling few files ($n)" test "${n:-9999}" -lt 40
run_case "  ... and the booted kernel has it" 0 PASS \
	EXTRA_PATCHES=tests/data/extra-hello.patch SCENARIO=exec-storm DURATION=10 INJECT=0
t_true "  ... (its line is on the console)" \
	grep -q 'EXTRA_PATCHES test patch is in this kernel' "$LAST_RES/console.log"
t_true "  ... and the results name it" grep -q 'extra-hello.patch' "$LAST_RES/inputs.txt"
}

# wrapper NAME WHAT: a QEMU stand-in that, given -accel kvm, aborts with
# status 134 and QEMU's message (WHAT=abort, as on the host that reported
# it) or hangs printing nothing (WHAT=hang); otherwise it execs the real
# qemu-system-x86_64.  Its path is in it, so each test run is a new QEMU
# for the accelerator memory.
wrapper() {
	local w=$T_OUT/$1 real
	real=$(command -v qemu-system-x86_64)
	cat >"$w" <<EOF
#!/bin/bash
# $w: QEMU stand-in for tests/e2e.sh ($2 under KVM)
for a in "\$@"; do
	[ "\$a" = kvm ] || continue
	if [ $2 = abort ]; then
		echo 'qemu-system-x86_64: error: failed to set MSR 0x10a to 0x2000000ea' >&2
		ulimit -c 0
		kill -ABRT \$\$
	fi
	exec sleep 3600
done
exec $real "\$@"
EOF
	chmod +x "$w"
	echo "$w"
}

# wait_for_newer FILE STAMP SECONDS: wait until FILE is newer than STAMP.
wait_for_newer() {
	local i
	for ((i = 0; i < $3 * 2; i++)); do
		[ "$1" -nt "$2" ] && return 0
		sleep 0.5
	done
	return 1
}

issue10_cases() {
	local q build stamp pid log a b ra rb rc

	# 1. KVM that does not work: make must still PASS, by falling back.
	[ -w /dev/kvm ] || t_ok "accel: # SKIP no writable /dev/kvm, ACCEL=auto never tries KVM here"
	q=$(wrapper qemu-kvm-abort abort)
	log=$T_OUT/make-rerun.log
	make -s rerun QEMU="$q" ACCEL=auto SCENARIO=exec-storm DURATION=10 INJECT=0 >"$log" 2>&1 </dev/null
	t_true "accel: make rerun with a QEMU that aborts under KVM (status 134) PASSes under TCG" \
		grep -qE '^verdict: +PASS' "$log"
	LAST_RES=$(sed -n 's/^results: *//p' "$log")
	t_true "  ... saying so in the summary and inputs.txt ($LAST_RES)" bash -c "
		grep -q '^accel: *tcg (ACCEL=auto: KVM did not work (QEMU ended (status 134)' '$LAST_RES/summary.txt' &&
		grep -q '^accel: tcg (ACCEL=auto: KVM did not work' '$LAST_RES/inputs.txt'"
	t_expect "accel: ACCEL=kvm with that QEMU is an error (4) showing QEMU's message" 4 \
		'failed to set MSR 0x10a' env QEMU="$q" ACCEL=kvm SCENARIO=exec-storm DURATION=10 INJECT=0 scripts/run.sh

	# 2. ... and one that hangs silently under KVM, through make -j4 (the
	# whole chain: deps, tree, kernel, initramfs, run in parallel).
	q=$(wrapper qemu-kvm-hang hang)
	log=$T_OUT/make-j4.log
	make -s -j4 QEMU="$q" ACCEL=auto SCENARIO=exec-storm DURATION=10 INJECT=0 >"$log" 2>&1 </dev/null
	t_true "make -j4 with a QEMU that hangs under KVM PASSes, falling back to TCG" \
		grep -qE '^verdict: +PASS' "$log"
	LAST_RES=$(sed -n 's/^results: *//p' "$log")
	t_true "  ... after the console stayed empty ($LAST_RES)" \
		grep -q 'KVM did not work (under KVM the guest printed nothing in' "$LAST_RES/summary.txt"

	# 3. A mutant build killed after recompiling core.o, then the clean
	# build: the clean kernel must be what boots.
	build=$(build_dir)
	stamp=$T_OUT/stamp
	touch "$stamp"
	sleep 1
	setsid env EXTRA_PATCHES=tests/data/extra-hello.patch scripts/kernel.sh >"$T_OUT/killed.log" 2>&1 </dev/null &
	pid=$!
	if wait_for_newer "$build/kernel/sched/.core.o.cmd" "$stamp" 900; then
		kill -TERM -- "-$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		t_ok "interrupted build: killed after recompiling core.o with the mutant"
	else
		kill -TERM -- "-$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		t_not_ok "interrupted build: killed after recompiling core.o with the mutant" "core.o was not rebuilt in 900 s"
	fi
	# Its stored image would boot clean whatever the objects are: drop it,
	# so that what boots is what this build made of them.
	rm -rf "$(image_dir)"
	t_expect "  ... then the clean build (its image dropped first)" 0 'built in' scripts/kernel.sh
	t_true "  ... recompiling core.o again" grep -q ' kernel/sched/core\.o$' "$build/.shs-build.log"
	run_case "  ... boots" 0 PASS SCENARIO=exec-storm DURATION=10 INJECT=0
	t_true "  ... the clean kernel, without the mutant's line ($LAST_RES)" \
		bash -c "! grep -q 'EXTRA_PATCHES test patch is in this kernel' '$LAST_RES/console.log'"

	# 4. Two runs at once from two clones sharing the cache (two results
	# directories), while a build relinks the kernel under them.
	a=$T_OUT/clone-a
	b=$T_OUT/clone-b
	RESULTS_DIR=$a SCENARIO=exec-storm DURATION=15 INJECT=0 scripts/run.sh >"$T_OUT/a.log" 2>&1 </dev/null &
	ra=$!
	RESULTS_DIR=$b SCENARIO=exec-storm DURATION=15 INJECT=0 scripts/run.sh >"$T_OUT/b.log" 2>&1 </dev/null &
	rb=$!
	sleep 5
	t_expect "concurrent: a build relinking the kernel during both runs" 0 'built in' \
		env EXTRA_PATCHES=tests/data/extra-hello.patch scripts/kernel.sh
	wait "$ra"
	t_true "concurrent: run A PASSes ($(sed -n 's/^results: *//p' "$T_OUT/a.log"))" grep -qE '^verdict: +PASS' "$T_OUT/a.log"
	wait "$rb"
	t_true "concurrent: run B PASSes ($(sed -n 's/^results: *//p' "$T_OUT/b.log"))" grep -qE '^verdict: +PASS' "$T_OUT/b.log"
	t_true "concurrent: both booted the clean kernel, not the one built meanwhile" bash -c "
		! grep -q 'EXTRA_PATCHES test patch' $a/*/console.log $b/*/console.log"
	t_true "concurrent: and no QEMU of theirs is left" bash -c "
		source tests/testlib.sh; no_leftover_qemu '$a' && no_leftover_qemu '$b'"

	# 5. A coverage miss: a scenario whose load cannot reach the window it
	# requires is UNCOVERED, exit 5, every time, not PASS and not FAIL.
	log=$T_OUT/uncovered.log
	rc=0
	env SCENARIO=tests/data/unreachable-window.scenario DURATION=10 scripts/run.sh >"$log" 2>&1 </dev/null || rc=$?
	LAST_RES=$(sed -n 's/^results: *//p' "$log")
	t_true "coverage: a run that never crossed its window is UNCOVERED, exit 5 ($(grep -m1 '^verdict:' "$log" | cut -c11-140))" \
		test "$rc:$(verdict_of "$log")" = 5:UNCOVERED
	t_true "  ... naming the check that never fired" grep -qE '^verdict: +UNCOVERED.*cpu_dead\.rt_throttled' "$log"
	t_true "  ... and the summary says it was expected" grep -q '^note: *UNCOVERED is expected' "$LAST_RES/summary.txt"
	t_true "  ... after the driver went on for the whole COVER_EXTEND (DURATION more), naming it" \
		grep -qE '^coverage: extended (9[5-9][0-9][0-9]|1[0-9]{4}) ms past --duration, still not crossed: cpu_dead\.rt_throttled$' "$LAST_RES/summary.txt"

	# 6. Adding a scenario is adding a file: the README's example, run from
	# a path outside scenarios/, configured only through the kernel's
	# sched_hotplug_inject= parameter and the shs.* ones.
	awk '/^<!-- example scenario/ { m = 1; next }
		m && /^```/ { if (in_block) exit; in_block = 1; next }
		in_block' README.md >"$T_OUT/exec-select-hard.scenario"
	t_true "scenario file: the README's example is a valid scenario" \
		scripts/scenarios.sh check "$T_OUT/exec-select-hard.scenario"
	log=$T_OUT/example.log
	rc=0
	env SCENARIO="$T_OUT/exec-select-hard.scenario" DURATION=15 scripts/run.sh >"$log" 2>&1 </dev/null || rc=$?
	LAST_RES=$(sed -n 's/^results: *//p' "$log")
	t_true "scenario file: the README's example PASSes ($(grep -m1 '^verdict:' "$log" | cut -c11-100); $LAST_RES)" \
		test "$rc:$(verdict_of "$log")" = 0:PASS
	t_true "  ... in a results directory named after it, with a copy of it" \
		cmp "$T_OUT/exec-select-hard.scenario" "$LAST_RES/exec-select-hard.scenario"
	t_true "  ... the kernel took its window from sched_hotplug_inject=" \
		grep -q '^sched_hotplug_inject: exec_select:25:1000:40000$' "$LAST_RES/guest.log"
	t_true "  ... and the guest saw it configured so, and nothing else" bash -c "
		grep -q '^# shs-run: inject exec_select: 25%, 1000-40000 us$' '$LAST_RES/guest.log' &&
		[ \$(grep -c '^# shs-run: inject ' '$LAST_RES/guest.log') = 1 ]"
	t_true "  ... and its check fired" grep -qE '^# shs-run: counter exec_select.inactive=[1-9]' "$LAST_RES/guest.log"
}

[ "${E2E_ONLY:-}" = issue10 ] || older_cases
issue10_cases
t_true "no QEMU of any e2e run is left behind" no_leftover_qemu "$RESULTS_DIR"
t_expect "judge: every real run of this suite, re-judged from its directory, gets its live verdict" 0 \
	'^[1-9][0-9]* run\(s\)$' rejudge_own_runs

t_done
