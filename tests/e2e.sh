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
# Usage: tests/e2e.sh     (E2E_DURATION=s sets the per-scenario run length)

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

# counter_of NAME: a coverage counter of the last run.
counter_of() { sed -n "s/^# shs-run: counter $1=//p" "$LAST_RES/guest.log"; }

t_expect "build: debug kernel (injection compiled in)" 0 'built in' scripts/kernel.sh
t_expect "build: initramfs" 0 'initramfs:' scripts/initramfs.sh

run_case "boot: mixed scenario, 60 s" 0 PASS SCENARIO=mixed DURATION=60
for c in exec_select.inactive exec_stop.refused stop_queue.enoent migrate.refused cpu_dead.rt_throttled; do
	v=$(counter_of "$c")
	if [ "${v:-0}" -gt 0 ]; then t_ok "coverage (mixed): $c=$v"; else t_not_ok "coverage (mixed): $c" "never fired (${v:-missing})"; fi
done
for s in exec-storm affinity-storm rt-hogs rt-chase; do
	run_case "boot: $s scenario, $D s" 0 PASS SCENARIO="$s" DURATION="$D"
	t_true "  ... its KTAP coverage test passed" grep -q '^ok [0-9]* coverage$' "$LAST_RES/ktap.txt"
done
# Another driver: the loads lose the state table and must not misread it.
run_case "boot: affinity-storm driven by the selftest's shell loop, $D s" 0 PASS \
	SCENARIO=affinity-storm DRIVER=shell DURATION="$D"
t_true "  ... which did the hotplugging" grep -q '^# hotplug-shell: ops=[1-9]' "$LAST_RES/guest.log"

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
t_true "  ... and no QEMU is left behind" bash -c "! pgrep -f '[q]emu-system-x86_64.*$T_OUT' >/dev/null"

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
	EXTRA_PATCHES=tests/data/extra-hello.patch SCENARIO=exec-storm DURATION=10
t_true "  ... (its line is on the console)" \
	grep -q 'EXTRA_PATCHES test patch is in this kernel' "$LAST_RES/console.log"
t_true "  ... and the results name it" grep -q 'extra-hello.patch' "$LAST_RES/inputs.txt"

t_done
