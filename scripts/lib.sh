#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Shared helpers for the host-side scripts.  Sourced, never run.
#
# Every setting can come from the environment (the Makefile exports the make
# variables of the same name); the defaults below are what `make` uses.

# shellcheck disable=SC2034	# variables used by the scripts that source us

SHS_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# The tree this project targets: Debian's pristine upstream tarball.
KVER=6.1.176
KDEB_VERSION=6.1.176-1
KTARBALL_NAME=linux_${KVER}.orig.tar.xz
KTARBALL_SHA256_DEFAULT=9aad4025973feea3f0d978e82ab7db97d8d5ce3f59fcc6b1f316153d66e3a504

CACHE_DIR=${CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/sched-hotplug-stress}
RESULTS_DIR=${RESULTS_DIR:-$SHS_TOP/results}
KERNEL_TARBALL=${KERNEL_TARBALL:-}
KERNEL_SHA256=${KERNEL_SHA256:-}
KERNEL_SRC=${KERNEL_SRC:-}
EXTRA_PATCHES=${EXTRA_PATCHES:-}
KCONFIG=${KCONFIG:-debug}
KCONFIG_DIR=${KCONFIG_DIR:-$SHS_TOP/kernel-config}
SCENARIO=${SCENARIO:-mixed}
DURATION=${DURATION:-60}
# How long past DURATION the shs driver may go on while a window the
# scenario requires is still uncrossed (empty: DURATION; 0: never).
COVER_EXTEND=${COVER_EXTEND:-}
CPUS=${CPUS:-4}
SEED=${SEED:-}
ACCEL=${ACCEL:-auto}
INJECT=${INJECT:-auto}
DRIVER=${DRIVER:-shs}
JOBS=${JOBS:-$(($(nproc) + 1))}
V=${V:-0}
BUSYBOX=${BUSYBOX:-/bin/busybox}

# Scenarios are files: scenarios/<name>.scenario (see load_scenario).
SCENARIO_DIR=$SHS_TOP/scenarios
SCENARIOS=$(cd "$SCENARIO_DIR" 2>/dev/null && for f in *.scenario; do
	[ -f "$f" ] && printf '%s ' "${f%.scenario}"; done)
SCENARIOS=${SCENARIOS% }
# What a scenario file may name: the guest's load programs (initramfs/),
# and the series' injection points and the checks they count (the names in
# patches/sched-debug-add-hotplug-race-window-injection.patch; tests/unit.sh
# keeps these lists equal to the patch's).
LOADS="exec-storm affinity-storm rt-hogs rt-chase"
INJECT_POINTS="exec_select exec_stop stop_queue migrate cpu_dead stop_drain stop_cpus rt_timer"
INJECT_CHECKS="exec_select.inactive exec_stop.refused stop_queue.enoent migrate.refused cpu_dead.rt_throttled stop_drain.drained stop_cpus.drained drain.unwidened exec_select.inactive_unwidened stop_queue.enoent_unwidened migrate.refused_unwidened rt_timer.moved rt_timer.there_unwidened rt_timer.stranded"
# What drives CPU hotplug in the guest: our hotplug-driver, the shell loop
# of tools/testing/selftests/cpu-hotplug, or rcutorture's torture_onoff.
DRIVERS="shs shell rcutorture"

# Exit codes, shared by every script (documented in README.md).
EXIT_PASS=0
EXIT_FAIL=1
EXIT_HANG=2
EXIT_BOOT_FAILED=3
EXIT_ERROR=4
EXIT_UNCOVERED=5

# die MESSAGE...: print an error naming the script, exit EXIT_ERROR.
# Used for bad input and setup problems, never for a test verdict.
die() {
	printf '%s: error: %s\n' "${0##*/}" "$*" >&2
	exit "$EXIT_ERROR"
}

# info MESSAGE...: one progress line on stderr, prefixed with the script.
# Kept short: the full output of long steps goes to log files.
info() {
	printf '%s: %s\n' "${0##*/}" "$*" >&2
}

# run CMD...: run a command, echoing it first when V=1.
# Keeps `make V=1` useful without cluttering normal output.
run() {
	[ "$V" = 1 ] && printf '+ %s\n' "$*" >&2
	"$@"
}

# need_tools TOOL...: die naming every missing tool and how to get it.
# The package names are the Debian ones `make deps` installs.
need_tools() {
	local t missing=()

	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 || missing+=("$t")
	done
	[ "${#missing[@]}" -eq 0 ] ||
		die "missing tool(s): ${missing[*]}; run 'make deps' (installs Debian packages)"
}

# check_uint NAME VALUE MIN MAX: die unless VALUE is an integer in range.
# For the make variables a user types (DURATION, CPUS, SEED, ...).
check_uint() {
	local name=$1 val=$2 min=$3 max=$4

	[[ "$val" =~ ^[0-9]+$ ]] && [ "${#val}" -le 12 ] ||
		die "$name='$val' is not a whole number (expected $min..$max)"
	[ "$val" -ge "$min" ] && [ "$val" -le "$max" ] ||
		die "$name=$val is out of range (expected $min..$max)"
}

# scenario_file SCENARIO: the file SCENARIO names: a shipped scenario's
# name, or a path (it has a '/' or ends in .scenario) to a user's own.
scenario_file() {
	if [[ "$1" == */* || "$1" == *.scenario ]]; then
		[ -f "$1" ] && [ -r "$1" ] ||
			die "SCENARIO='$1': no such readable file (a scenario is a name, one of: $SCENARIOS, or the path of a .scenario file)"
		printf '%s\n' "$1"
	elif [[ " $SCENARIOS " == *" $1 "* ]]; then
		printf '%s\n' "$SCENARIO_DIR/$1.scenario"
	else
		die "SCENARIO='$1' is unknown; choose one of: $SCENARIOS (or give the path of a .scenario file)"
	fi
}

# in_list WORD LIST: is WORD one of the space-separated words of LIST?
in_list() { [[ " $2 " == *" $1 "* ]]; }

# known_words WHERE WHAT WHATS KNOWN VALUE: die (naming WHERE) unless every
# word of VALUE is one of KNOWN, e.g. "no check 'x'; checks are: ...".
known_words() {
	local w
	for w in $5; do
		in_list "$w" "$4" || die "$1: no $2 '$w'; $3 are: $4"
	done
}

# words STRING: STRING's words, one space between them.
words() {
	local -a w
	read -ra w <<<"$1"
	printf '%s' "${w[*]}"
}

# load_scenario SCENARIO: parse and check a scenario file; die with its
# file and line on anything wrong.  Sets SC_FILE, SC_NAME (the file's name
# without .scenario), SC_SUMMARY, SC_LOADS, SC_INJECT (point:probability:
# min_us:max_us words), SC_REQUIRE (checks that must fire), SC_HOG_DUTY,
# SC_RT_PERIOD_US, SC_HUNG_TASK_S (empty: the kernel's own) and
# SC_COVER_MIN_S (the shortest DURATION in which a clean run crosses every
# required window; UNCOVERED is expected below it).
#
# The format: "# comment" lines saying what the scenario is for, and
# key=value lines, each key at most once:
#   summary=      one line for `make help` and the README (required)
#   loads=        load programs, space-separated (required): $LOADS
#   inject=       point:probability:min_us:max_us ..., handed to the
#                 kernel as sched_hotplug_inject= (points: $INJECT_POINTS)
#   require=      checks that must fire for the run to count as covered
#                 (with inject=; checks: $INJECT_CHECKS)
#   hog_duty=     rt-hogs ON_MS:OFF_MS (default 1:0, always on)
#   rt_period_us= kernel.sched_rt_period_us (runtime: the kernel's 95%)
#   hung_task_s=  kernel.hung_task_timeout_secs
#   cover_min_s=  see SC_COVER_MIN_S (required with require=)
load_scenario() {
	local f n=0 line key val where w seen=" " len

	f=$(scenario_file "$1") || exit "$EXIT_ERROR"
	SC_FILE=$f SC_NAME=${f##*/}
	SC_NAME=${SC_NAME%.scenario}
	SC_SUMMARY='' SC_LOADS='' SC_INJECT='' SC_REQUIRE='' SC_HOG_DUTY=1:0
	SC_RT_PERIOD_US='' SC_HUNG_TASK_S='' SC_COVER_MIN_S=''
	[[ "$SC_NAME" =~ ^[A-Za-z0-9_-]+$ ]] ||
		die "$f: a scenario's file name may only have letters, digits, '-' and '_' before .scenario (it names results directories)"
	while IFS= read -r line || [ -n "$line" ]; do
		n=$((n + 1))
		where="$f:$n"
		[[ "$line" =~ ^[[:space:]]*(#.*)?$ ]] && continue
		[[ "$line" =~ ^([a-z_]+)=(.*)$ ]] ||
			die "$where: expected key=value or a # comment, got '$line'"
		key=${BASH_REMATCH[1]} val=${BASH_REMATCH[2]}
		val=${val%"${val##*[![:space:]]}"}
		in_list "$key" "$seen" && die "$where: $key= given twice"
		seen+="$key "
		case "$key" in
		summary) SC_SUMMARY=$val ;;
		loads)
			known_words "$where" "load program" loads "$LOADS" "$val"
			SC_LOADS=$(words "$val")
			;;
		inject)
			for w in $val; do
				[[ "$w" =~ ^([a-z_]+):([0-9]{1,3}):([0-9]{1,9}):([0-9]{1,9})$ ]] ||
					die "$where: '$w' is not point:probability:min_us:max_us"
				in_list "${BASH_REMATCH[1]}" "$INJECT_POINTS" ||
					die "$where: no injection point '${BASH_REMATCH[1]}'; points are: $INJECT_POINTS"
				[ "${BASH_REMATCH[2]}" -le 100 ] || die "$where: '$w': the probability is a percentage (0-100)"
				[ "${BASH_REMATCH[3]}" -le "${BASH_REMATCH[4]}" ] || die "$where: '$w': min_us is above max_us"
			done
			SC_INJECT=$(words "$val")
			len=${#SC_INJECT}
			[ "$len" -le 255 ] ||
				die "$where: inject= is $len characters; the kernel's sched_hotplug_inject= takes at most 255"
			;;
		require)
			known_words "$where" check checks "$INJECT_CHECKS" "$val"
			SC_REQUIRE=$(words "$val")
			;;
		hog_duty)
			[[ "$val" =~ ^[0-9]{1,6}:[0-9]{1,6}$ ]] && [ "${val%%:*}" -gt 0 ] ||
				die "$where: hog_duty='$val' is not ON_MS:OFF_MS with ON_MS above 0"
			SC_HOG_DUTY=$val
			;;
		rt_period_us | hung_task_s | cover_min_s)
			[[ "$val" =~ ^[0-9]{1,9}$ ]] || die "$where: $key='$val' is not a whole number"
			case "$key" in
			rt_period_us)
				[ "$val" -ge 1000 ] || die "$where: rt_period_us=$val is below 1000 (1 ms)"
				SC_RT_PERIOD_US=$val ;;
			hung_task_s) SC_HUNG_TASK_S=$val ;;
			cover_min_s) SC_COVER_MIN_S=$val ;;
			esac
			;;
		*) die "$where: unknown key '$key'; keys are: summary loads inject require hog_duty rt_period_us hung_task_s cover_min_s" ;;
		esac
	done <"$f"
	[ -n "$SC_SUMMARY" ] || die "$f: no summary= line (one line for make help and the README)"
	[ -n "$SC_LOADS" ] || die "$f: no loads= line (at least one of: $LOADS)"
	if [ -n "$SC_REQUIRE" ]; then
		[ -n "$SC_COVER_MIN_S" ] ||
			die "$f: require= needs cover_min_s= (the shortest DURATION in which a clean run crosses every window)"
	else
		[ -z "$SC_INJECT" ] ||
			die "$f: inject= needs require= (the checks that show the windows were crossed; a run that never crossed them proves nothing)"
		SC_COVER_MIN_S=0
	fi
}

# check_scenario SCENARIO: die unless SCENARIO is a valid scenario.
check_scenario() { load_scenario "$1"; }

# check_settings: validate every run setting before any work starts.
# Bad values must fail in a second, not after a ten-minute build.
check_settings() {
	check_scenario "$SCENARIO"
	check_uint DURATION "$DURATION" 5 86400
	[ -z "$COVER_EXTEND" ] || check_uint COVER_EXTEND "$COVER_EXTEND" 0 86400
	check_uint CPUS "$CPUS" 2 8
	[ -z "$SEED" ] || check_uint SEED "$SEED" 0 4294967295
	extra_patches >/dev/null
	local p
	while read -r p; do
		[ -r "$p" ] || die "patches/series names ${p##*/}, which is not a readable file"
	done < <(series_patches)
	case "$ACCEL" in
	auto | kvm | tcg) ;;
	*) die "ACCEL='$ACCEL' is unknown; use auto, kvm or tcg" ;;
	esac
	case "$INJECT" in
	auto | 0 | 1) ;;
	*) die "INJECT='$INJECT' is unknown; use auto (on when compiled in), 0 or 1" ;;
	esac
	[[ " $DRIVERS " == *" $DRIVER "* ]] ||
		die "DRIVER='$DRIVER' is unknown; choose one of: $DRIVERS"
	[[ "$KCONFIG" =~ ^[A-Za-z0-9_-]+$ ]] && [ "$KCONFIG" != common ] &&
		[ -f "$KCONFIG_DIR/$KCONFIG.config" ] ||
		die "KCONFIG='$KCONFIG': no $KCONFIG_DIR/$KCONFIG.config; choose one of: $(list_kconfigs)"
}

# list_kconfigs: the scenario config fragments (all but common.config).
# Their names are the values KCONFIG accepts.
list_kconfigs() {
	local f

	for f in "$KCONFIG_DIR"/*.config; do
		f=${f##*/}
		[ "$f" = common.config ] || printf '%s ' "${f%.config}"
	done
}

# series_patches: the patches of patches/series, in order, one per line.
# Comment lines and quilt options (-p1 ...) are left out.
series_patches() {
	local p _

	while read -r p _; do
		case "$p" in '' | '#'*) continue ;; esac
		printf '%s\n' "$SHS_TOP/patches/$p"
	done <"$SHS_TOP/patches/series"
}

# extra_patches: EXTRA_PATCHES as absolute paths, one per line; dies on a
# path that is not a readable file, so a typo never runs the wrong kernel.
# Called in a process substitution the die is lost: check_settings calls
# it in the main shell first.
extra_patches() {
	local p

	for p in $EXTRA_PATCHES; do
		[ -f "$p" ] && [ -r "$p" ] ||
			die "EXTRA_PATCHES: '$p' is not a readable file"
		printf '%s\n' "$(realpath "$p")"
	done
}

# file_sha256 FILE: the sha256 of FILE, remembered in the cache under its
# path, device, inode, size and change time, so that a 140 MB tarball is
# read once, not at every call.
file_sha256() {
	local f=$1 key memo sum

	key=$(stat -L -c '%d %i %s %y %z' "$f" 2>/dev/null) || { echo missing; return 0; }
	key=$(printf '%s %s\n' "$(realpath "$f")" "$key" | sha256sum | cut -c1-32)
	memo=$CACHE_DIR/sums/$key
	if [ -s "$memo" ]; then
		cat "$memo"
		return 0
	fi
	sum=$(sha256sum <"$f" | cut -c1-64)
	mkdir -p "$CACHE_DIR/sums"
	printf '%s\n' "$sum" >"$memo.$$" && mv -f "$memo.$$" "$memo"
	printf '%s\n' "$sum"
}

# tarball_id: the sha256 of the tarball the source comes from: the file's
# own for KERNEL_TARBALL (so a user's tarball is never taken for another),
# else Debian's, which tree.sh checks after downloading it.
tarball_id() {
	if [ -n "$KERNEL_TARBALL" ]; then
		file_sha256 "$KERNEL_TARBALL"
	else
		printf '%s\n' "$KTARBALL_SHA256_DEFAULT"
	fi
}

# source_id: a short name for the source tree, part of every cache path.
# A tarball is named by its content, a user tree by its real path.
source_id() {
	if [ -n "$KERNEL_SRC" ]; then
		printf 'src-%s\n' "$(realpath "$KERNEL_SRC" | sha256sum | cut -c1-12)"
	else
		printf 'tar-%s\n' "$(tarball_id | cut -c1-12)"
	fi
}

# source_content_id: what the source holds, for the build id.  A tarball
# is its checksum; a user tree (KERNEL_SRC) is the name, size and mtime of
# every file kernel.sh copies, the same signs kbuild trusts, so that any
# edit gives a new id (about a second for a whole tree).
source_content_id() {
	if [ -n "$KERNEL_SRC" ]; then
		(cd "$KERNEL_SRC" && find . \( -path ./.git -o -path ./.pc -o -path ./patches \) -prune -o \
			! -name '.shs-*' \( -type f -printf '%P %s %T@\n' -o -type l -printf '%P -> %l\n' \)) |
			LC_ALL=C sort | sha256sum | sed 's/^\([0-9a-f]*\).*/src-content-\1/'
	else
		printf 'tar-%s\n' "$(tarball_id)"
	fi
}

# tarball_sha256: the checksum the tarball must have (KERNEL_SHA256 wins).
# KERNEL_SHA256=skip turns the check off for a user's own tarball.
tarball_sha256() {
	if [ -n "$KERNEL_SHA256" ] && [ "$KERNEL_SHA256" != skip ]; then
		printf '%s\n' "$KERNEL_SHA256"
	elif [ -n "$KERNEL_TARBALL" ] && [ "$KERNEL_SHA256" = skip ]; then
		file_sha256 "$KERNEL_TARBALL"
	else
		printf '%s\n' "$KTARBALL_SHA256_DEFAULT"
	fi
}

# work_tree / build_dir: where the patched tree and the objects live.
# One work tree per source; one object directory per source and config.
work_tree() { printf '%s/work/%s\n' "$CACHE_DIR" "$(source_id)"; }
build_dir() { printf '%s/build/%s-%s\n' "$CACHE_DIR" "$(source_id)" "$KCONFIG"; }

# build_id: 12 hex digits naming exactly what a kernel is built from: the
# source's content, every patch (series and extra, content and order) and
# the config.  SHS_PIN_BUILD_ID, set by `make soak` for its runs, pins the
# kernel built when the soak started, whatever is edited meanwhile.
build_id() {
	[ -z "${SHS_PIN_BUILD_ID:-}" ] || { printf '%s\n' "$SHS_PIN_BUILD_ID"; return 0; }
	{
		source_content_id
		local p
		while read -r p; do
			printf '== %s\n' "${p##*/}"
			cat "$p"
		done < <(series_patches; extra_patches)
		printf '== config %s\n' "$KCONFIG"
		cat "$KCONFIG_DIR/common.config" "$KCONFIG_DIR/$KCONFIG.config"
	} | sha256sum | cut -c1-12
}

# image_dir: where kernel.sh publishes the kernel of build_id once its
# build has finished: never written again, so a run can boot it while
# another build runs, and an unfinished build never has one.
image_dir() { printf '%s/images/%s\n' "$CACHE_DIR" "$(build_id)"; }

# tree_version DIR: the kernel version a source tree's Makefile declares
# (VERSION.PATCHLEVEL.SUBLEVEL plus EXTRAVERSION), e.g. 6.1.176.
tree_version() {
	awk -F'= *' '/^VERSION *=/ { v = $2 } /^PATCHLEVEL *=/ { p = $2 }
		/^SUBLEVEL *=/ { s = $2 } /^EXTRAVERSION *=/ { e = $2 }
		END { if (v == "") exit 1; printf "%s.%s%s%s\n", v, p, (s == "" ? "" : "." s), e }' "$1/Makefile"
}

# kernel_release: the `uname -r` the kernel of build_id must report, as
# recorded when it was built (CONFIG_LOCALVERSION carries the build id,
# see scripts/kernel.sh); empty when it was never built.
kernel_release() {
	sed -n 's/^RELEASE=//p' "$(image_dir)/build.env" 2>/dev/null | head -n1
}

# initramfs_id: 12 hex digits naming what goes into the guest's initramfs:
# every file of initramfs/, the packer, busybox and the compiler.  The
# archive carries it in /shs-initramfs-id and the init prints it.
# SHS_PIN_INITRAMFS_ID pins it as SHS_PIN_BUILD_ID does the kernel.
initramfs_id() {
	[ -z "${SHS_PIN_INITRAMFS_ID:-}" ] || { printf '%s\n' "$SHS_PIN_INITRAMFS_ID"; return 0; }
	{
		local f
		for f in "$SHS_TOP"/initramfs/* "$SHS_TOP/scripts/initramfs.sh"; do
			printf '== %s\n' "${f##*/}"
			cat "$f"
		done
		printf '== busybox\n'
		sha256sum <"$BUSYBOX" 2>/dev/null || echo none
		gcc --version 2>/dev/null | head -n1
	} | sha256sum | cut -c1-12
}

# initramfs_path: where scripts/initramfs.sh puts the initramfs of
# initramfs_id; one file per id, so clones sharing a cache never swap
# each other's guest programs.
initramfs_path() { printf '%s/initramfs/%s.cpio.gz\n' "$CACHE_DIR" "$(initramfs_id)"; }

# kbuild_cc: the CC every kbuild call uses; one value, so that kbuild
# never sees its command line change between kernel.sh and bench.sh.
kbuild_cc() {
	if command -v ccache >/dev/null; then echo "ccache gcc"; else echo gcc; fi
}

# quick_mutant: the one mutant `make bench-quick` runs, for 20 s: named, not
# the first of a glob, so that a new mutant cannot take its place.  Its bug
# shows in well under a second (a WARNING); the hangs show after 15-45 s.
quick_mutant() {
	printf '%s\n' "$SHS_TOP/tests/mutants/seed000-races-1-2-drop-target-checks.patch"
}

# mutant_header FIELD PATCH: the value of a "  Field: value" header line
# of a regression mutant (tests/mutants/*.patch).
mutant_header() { sed -n "s/^ *$1: *//p" "$2" | head -n1; }

# mutant_spec PATCH: a regression mutant's header, read into MUT_NAME,
# MUT_SCENARIO, MUT_EXPECT (FAIL and/or HANG), MUT_DURATION (seconds of
# stress, the detection bound), MUT_INJECT (INJECT for its runs, auto when
# absent) and MUT_RACE (the race its first line names).  Fails when
# Scenario:, Expect: or Duration: is missing.  tests/mutants.sh and
# scripts/bench.sh read mutants only through it.
mutant_spec() {
	MUT_NAME=$(basename "$1" .patch)
	MUT_SCENARIO=$(mutant_header Scenario "$1")
	MUT_EXPECT=$(mutant_header Expect "$1")
	MUT_DURATION=$(mutant_header Duration "$1")
	MUT_INJECT=$(mutant_header Inject "$1")
	MUT_INJECT=${MUT_INJECT:-auto}
	MUT_RACE=$(sed -n 's/^Regression mutant for \(\(seed\|finding\) [0-9]* ([0-9]*)[^:]*\):.*/\1/p' "$1")
	[ -n "$MUT_SCENARIO" ] && [ -n "$MUT_EXPECT" ] && [ -n "$MUT_DURATION" ]
}

# median: the median of the numbers on stdin (n/a when none).
median() {
	sort -g | awk '{ v[NR] = $1 } END {
		if (!NR) print "n/a"
		else if (NR % 2) print v[(NR + 1) / 2]
		else printf "%g\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# new_seed: a fresh 32-bit seed for a run (and the runs compared with it).
new_seed() { echo $(( $(date +%s%N) % 4294967296 )); }

# ab_run LOG VAR=value...: one arm of an A/B comparison, the one
# implementation tests/mutants.sh and scripts/bench.sh share: scripts/run.sh
# under the given settings, its output in LOG, then what the run recorded.
# Sets AB_RES (the results directory), AB_VERDICT (the verdict line),
# AB_WORD (its first word; UNCOVERED also for the older coverage-only
# FAIL), AB_DETECT_S (seconds from the stress starting to the first sign of
# a bug, as run.sh worked it out; empty for a PASS) and AB_OPS (hotplug
# operations, whichever driver).  The verdict, not run.sh's exit status, is
# what callers compare; fails only when run.sh left no finished results
# directory (a setup error, in LOG).
ab_run() {
	local log=$1
	shift
	AB_RES='' AB_VERDICT='' AB_WORD='' AB_DETECT_S='' AB_OPS=''
	env "$@" "$SHS_TOP/scripts/run.sh" >"$log" 2>&1 </dev/null || true
	AB_RES=$(sed -n 's/^results: *//p' "$log" | tail -n1)
	[ -n "$AB_RES" ] && [ -f "$AB_RES/verdict" ] || return 1
	AB_VERDICT=$(head -n1 "$AB_RES/verdict")
	AB_WORD=${AB_VERDICT%% *}
	! coverage_only "$AB_VERDICT" || AB_WORD=UNCOVERED
	AB_DETECT_S=$(sed -n 's/^detect_s=//p' "$AB_RES/timing.txt" 2>/dev/null)
	AB_OPS=$(grep -m1 -E '^# hotplug-[a-z]+: ops=' "$AB_RES/guest.log" 2>/dev/null |
		tr ' ' '\n' | sed -n 's/^ops=//p')
	return 0
}

# coverage_only VERDICT: is VERDICT UNCOVERED (no bug seen, but some
# widened window was never crossed), in its own word or in the older form
# "FAIL KTAP: not ok N coverage # ..." of results written before it had
# one?  A mutant that deletes a check also silences its counter, so such
# a verdict shows no symptom of a bug.
coverage_only() {
	[[ "$1" =~ ^UNCOVERED( |$) ]] ||
		[[ "$1" =~ ^FAIL\ KTAP:\ not\ ok\ [0-9]+\ coverage\ \#[^\;]*$ ]]
}

# tsv_get TSV SECTION NAME: a value of a bench.tsv, or n/a.
tsv_get() {
	awk -F'\t' -v s="$2" -v n="$3" '$1 == s && $2 == n { v = $3 } END { print (v == "" ? "n/a" : v) }' "$1"
}

# ratio A B: A / B to two decimals, or n/a when either is not a number.
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0) printf "%.2f", a / b
		else print "n/a" }'
}

# with_lock FILE CMD...: run CMD holding an exclusive lock on FILE, waiting
# for it if another build or run holds it (make -j, two clones, one cache).
with_lock() {
	local lock=$1
	shift
	mkdir -p "$(dirname "$lock")"
	exec {lockfd}>"$lock"
	if ! flock -n "$lockfd"; then
		info "waiting for $lock (another build holds it)"
		flock "$lockfd" || die "cannot lock $lock"
	fi
	"$@"
}
