#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Re-run exactly what a past run was: the same kernel (checked: every patch
# named in its inputs.txt must still have the recorded sha256, and the
# kernel release must come out the same), scenario, driver, seed, duration,
# CPUs, injection and accelerator; rebuild only when the cached image is not
# that kernel; then say whether the verdict reproduced (same verdict word
# and same signature, scripts/soak-lib.sh).
#
# Usage: scripts/repro.sh RUN_DIR      (make repro RUN=RUN_DIR)

set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=scripts/soak-lib.sh
source "$(dirname "$0")/soak-lib.sh"

REPRO_RUNS=${REPRO_RUNS:-1}
REPRO_ACCEL=${REPRO_ACCEL:-}
REPRO_PATCH_PATH=${REPRO_PATCH_PATH:-}
REPRO_RUN_CMD=${REPRO_RUN_CMD:-scripts/run.sh}
REPRO_BUILD_CMD=${REPRO_BUILD_CMD:-make kernel initramfs}

usage() {
	cat <<EOT
Usage: ${0##*/} RUN_DIR        (make repro RUN=RUN_DIR)

Re-runs what RUN_DIR was (its inputs.txt and build.env) into a new results
directory under RESULTS_DIR=$RESULTS_DIR, building first with
'$REPRO_BUILD_CMD' only when the cached kernel is not the recorded one.
Refuses when a patch named in inputs.txt no longer has its recorded sha256.

  REPRO_RUNS=N           try up to N times, stop at the first reproduction
  REPRO_ACCEL=tcg|kvm    override the recorded accelerator
  REPRO_PATCH_PATH=D:D   more directories to look for the extra patches in
                         (also searched: the recorded path, the same path in
                         this clone, the soak's patches/, tests/mutants/)
  REPRO_RUN_CMD, REPRO_BUILD_CMD  stand-ins for tests

Exit status: 0 reproduced, 1 not reproduced, 4 error or refusal.
EOT
}

RUN=

# parse_args ARGS...: exactly one run directory.
parse_args() {
	while [ $# -gt 0 ]; do
		case "$1" in
		-h | --help) usage; exit 0 ;;
		-*) usage >&2; die "unknown option '$1'" ;;
		*) [ -z "$RUN" ] || die "one run directory only (got '$RUN' and '$1')"; RUN=$1 ;;
		esac
		shift
	done
	[ -n "$RUN" ] || { usage >&2; die "no run given: make repro RUN=results/<dir>"; }
	[ -d "$RUN" ] || die "RUN='$RUN' is not a directory"
	RUN=$(cd "$RUN" && pwd)
	[ -f "$RUN/inputs.txt" ] || die "$RUN has no inputs.txt: not a results directory of scripts/run.sh"
	[ -f "$RUN/build.env" ] || die "$RUN has no build.env: cannot tell which kernel it ran"
	check_uint REPRO_RUNS "$REPRO_RUNS" 1 1000
	case "$REPRO_ACCEL" in '' | tcg | kvm) ;; *) die "REPRO_ACCEL='$REPRO_ACCEL': use tcg or kvm" ;; esac
}

# read_run: the recorded settings, each checked as run.sh would.
read_run() {
	local k

	for k in scenario duration cpus seed inject driver kconfig release accel; do
		[ -n "$(soak_input "$RUN" "$k")" ] || die "$RUN/inputs.txt has no '$k:' line"
	done
	SCENARIO=$(soak_input "$RUN" scenario)
	# The scenario as it was then: the copy run.sh keeps (older runs
	# have none and name a shipped scenario).
	[ ! -f "$RUN/$SCENARIO.scenario" ] || SCENARIO=$RUN/$SCENARIO.scenario
	DURATION=$(soak_input "$RUN" duration)
	# Runs from before the coverage extension had none.
	COVER_EXTEND=$(soak_input "$RUN" cover_extend)
	COVER_EXTEND=${COVER_EXTEND:-0}
	CPUS=$(soak_input "$RUN" cpus)
	SEED=$(soak_input "$RUN" seed)
	INJECT=$(soak_input "$RUN" inject)
	DRIVER=$(soak_input "$RUN" driver)
	KCONFIG=$(soak_input "$RUN" kconfig)
	# inputs.txt may say why: "tcg (ACCEL=auto: KVM failed ...)".
	ACCEL=${REPRO_ACCEL:-$(soak_input "$RUN" accel | cut -d' ' -f1)}
	WANT_RELEASE=$(soak_input "$RUN" release)
	REC_EXTRA=$(sed -n 's/^EXTRA_PATCHES=//p' "$RUN/build.env" | head -n1)
	EXTRA_PATCHES=
	check_settings
	ORIG_WORD=$(soak_verdict_word "$RUN")
	ORIG_SIG=$(soak_signature "$RUN")
}

# recorded_patches: "SHA16 PATH" of each patch in inputs.txt, in order.
recorded_patches() {
	sed -n '/^patches (sha256, name):$/,$ { /^  [0-9a-f]\{16\} /s/^  //p }' "$RUN/inputs.txt"
}

# sha16 FILE: the first 16 hex digits of FILE's sha256, as inputs.txt has.
sha16() { sha256sum "$1" | cut -c1-16; }

# soak_patch_dir: the patches/ of the soak holding RUN, if any.
# A soak keeps a copy of its EXTRA_PATCHES there (scripts/soak.sh).
soak_patch_dir() {
	local d=$RUN

	while [ "$d" != / ] && [ -n "$d" ]; do
		[ ! -f "$d/soak-info.txt" ] || { printf '%s\n' "$d/patches"; return; }
		d=$(dirname "$d")
	done
}

# resolve_patches: check the series against the recorded checksums and
# find each extra patch by name and checksum; sets EXTRA_PATCHES.
resolve_patches() {
	local -a rec cur cands dirs
	local nextra=0 nseries i sha path name cand found='' bad='' top d p

	mapfile -t rec < <(recorded_patches)
	[ "${#rec[@]}" -gt 0 ] || die "$RUN/inputs.txt lists no patches"
	for p in $REC_EXTRA; do nextra=$((nextra + 1)); done
	nseries=$((${#rec[@]} - nextra))
	mapfile -t cur < <(series_patches)
	[ "$nseries" -eq "${#cur[@]}" ] ||
		die "refusing: the run had $nseries series patches, patches/series now has ${#cur[@]}; check out the project as it was ($(soak_input "$RUN" project))"
	top=
	for ((i = 0; i < nseries; i++)); do
		sha=${rec[$i]%% *} path=${rec[$i]#* }
		name=${path##*/}
		[ "$name" = "${cur[$i]##*/}" ] ||
			die "refusing: series patch $((i + 1)) was $name, now ${cur[$i]##*/}"
		[ "$(sha16 "${cur[$i]}")" = "$sha" ] ||
			die "refusing: patches/$name no longer has the recorded sha256 ($sha..., now $(sha16 "${cur[$i]}")...); check out the project as it was ($(soak_input "$RUN" project))"
		[ -n "$top" ] || top=${path%/patches/"$name"}
	done
	for ((i = nseries; i < ${#rec[@]}; i++)); do
		sha=${rec[$i]%% *} path=${rec[$i]#* }
		name=${path##*/}
		found='' bad=''
		cands=("$path" "$SHS_TOP/${path#"$top"/}" "$(soak_patch_dir)/$name")
		IFS=: read -ra dirs <<<"$REPRO_PATCH_PATH"
		for d in "${dirs[@]}"; do cands+=("$d/$name"); done
		cands+=("$SHS_TOP/tests/mutants/$name")
		for cand in "${cands[@]}"; do
			[ -f "$cand" ] || continue
			if [ "$(sha16 "$cand")" = "$sha" ]; then found=$cand; break; fi
			bad+="$cand ($(sha16 "$cand")...) "
		done
		[ -n "$found" ] && { EXTRA_PATCHES+="${EXTRA_PATCHES:+ }$(realpath "$found")"; continue; }
		[ -z "$bad" ] ||
			die "refusing: extra patch $name no longer has the recorded sha256 $sha...: found only $bad"
		die "refusing: extra patch $name (sha256 $sha...) not found; put it in REPRO_PATCH_PATH"
	done
	# The release ends in the build id, which hashes the source, every
	# patch and the config: the same id is the same kernel, built or not.
	RELEASE=${WANT_RELEASE%-shs-*}-shs-$(build_id)
	[ "$RELEASE" = "$WANT_RELEASE" ] ||
		die "refusing: these patches and kernel-config/ build $RELEASE, the run was $WANT_RELEASE (the config fragments or the source changed)"
	info "kernel: $RELEASE, patches checked (${#rec[@]}, $nextra extra${EXTRA_PATCHES:+: $EXTRA_PATCHES})"
	local now was
	now=$(git -C "$SHS_TOP" describe --always --dirty 2>/dev/null || echo unknown)
	was=$(soak_input "$RUN" project)
	[ "$now" = "$was" ] ||
		info "note: the run was made with project $was, this is $now (guest programs may differ)"
}

# ensure_build: build only when the cached kernel is not the recorded one.
ensure_build() {
	local b

	b=$(image_dir)
	export KCONFIG EXTRA_PATCHES
	if grep -qxF "RELEASE=$RELEASE" "$b/build.env" 2>/dev/null &&
		[ -f "${INITRAMFS:-$(initramfs_path)}" ]; then
		info "build: the image store has $RELEASE ($b); not rebuilding"
		return
	fi
	info "build: no image of $RELEASE (or no initramfs of these guest programs) yet; running '$REPRO_BUILD_CMD'"
	(cd "$SHS_TOP" && bash -c "$REPRO_BUILD_CMD") </dev/null >&2 ||
		die "build failed ('$REPRO_BUILD_CMD')"
	grep -qxF "RELEASE=$RELEASE" "$b/build.env" 2>/dev/null ||
		die "after the build, the image store has no $RELEASE ($b)"
}

# attempt N: one run; prints the new results directory.
attempt() {
	local log res

	log=$(mktemp)
	info "attempt $1/$REPRO_RUNS: SCENARIO=$SCENARIO DRIVER=$DRIVER SEED=$SEED DURATION=$DURATION CPUS=$CPUS INJECT=$INJECT ACCEL=$ACCEL"
	(cd "$SHS_TOP" && env SCENARIO="$SCENARIO" DRIVER="$DRIVER" SEED="$SEED" \
		DURATION="$DURATION" COVER_EXTEND="$COVER_EXTEND" CPUS="$CPUS" INJECT="$INJECT" ACCEL="$ACCEL" \
		KCONFIG="$KCONFIG" EXTRA_PATCHES="$EXTRA_PATCHES" RESULTS_DIR="$RESULTS_DIR" \
		bash -c "$REPRO_RUN_CMD") </dev/null 2>&1 | tee "$log" >&2 || true
	res=$(sed -n 's/^results: *//p' "$log" | tail -n1)
	rm -f "$log"
	[ -n "$res" ] && [ -d "$res" ] || die "the run ended without a results directory"
	printf '%s\n' "$res"
}

main() {
	local n res word sig ok=1

	parse_args "$@"
	read_run
	resolve_patches
	ensure_build
	info "original: $ORIG_SIG ($RUN)"
	for ((n = 1; n <= REPRO_RUNS; n++)); do
		res=$(attempt "$n")
		word=$(soak_verdict_word "$res")
		sig=$(soak_signature "$res")
		ok=1
		[ "$word" = "$ORIG_WORD" ] && [ "$sig" = "$ORIG_SIG" ] && ok=0
		{
			printf 'original: %s\noriginal_signature: %s\n' "$RUN" "$ORIG_SIG"
			printf 'signature: %s\nreproduced: %s\n' "$sig" "$([ "$ok" = 0 ] && echo yes || echo no)"
		} >"$res/repro.txt"
		info "this run: $sig ($res)"
		[ "$ok" != 0 ] || break
	done
	if [ "$ok" = 0 ]; then
		echo "repro: REPRODUCED on attempt $n of $REPRO_RUNS: $word, same signature"
	else
		echo "repro: NOT REPRODUCED in $REPRO_RUNS attempt(s): was '$ORIG_SIG', got '$sig'"
	fi
	echo "results: $res"
	return "$ok"
}

main "$@"
