#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Detection statistics through the soak engine.  `make reverts` (issue 14):
# each tests/upstream-reverts/*.patch puts back one real bug upstream fixed.
# `make detect-stats` (issue 12): the same for the regression mutants,
# tests/mutants/*.patch, 20 seeds each.  Each patch is run as a user's patch
# (EXTRA_PATCHES) through the soak engine, REVERT_RUNS seeds per variant,
# in the scenario its header names, for the header's Duration (no coverage
# extension: the claim is "within Duration"), with the injection on and
# off and with our hotplug driver and rcutorture's torture_onoff.  Then,
# as the control, the series alone in the same scenarios, settings and
# seeds: its FAIL, HANG and BOOT-FAILED are false alarms.  The verdicts
# come from the usual general detection: nothing here knows what a patch
# breaks.
#
# Writes RESULTS_DIR/<date>-NAME/ with NAME.md (the matrix: caught or
# missed, detection probability overall, within 30 s and within 60 s of
# stress, each with its 95% Wilson interval, the median and every time to
# detect) and NAME.tsv, and points RESULTS_DIR/latest-NAME at it.
#
# Exit status: 0, or 1 when the series alone failed in a control run.
#
# Usage: scripts/reverts.sh [--plan] [--name NAME] [--publish FILE] [PATCH...]
#   (default: every tests/upstream-reverts/*.patch, NAME reverts)
#   --publish FILE        also copy NAME.md there (DETECTION.md)
#   REVERT_RUNS=N         seeds per patch and variant (default 3)
#   REVERT_INJECT="1 0"   injection settings to try
#   REVERT_DRIVERS="shs rcutorture"
#   REVERT_DURATION=S     override every header's Duration
#   REVERT_CONTROL=1      also run the series alone (0: do not)
#   SOAK_JOBS, SOAK_HOSTS as for make soak

set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"

REVERT_RUNS=${REVERT_RUNS:-3}
REVERT_INJECT=${REVERT_INJECT:-1 0}
REVERT_DRIVERS=${REVERT_DRIVERS:-shs rcutorture}
REVERT_DURATION=${REVERT_DURATION:-}
REVERT_CONTROL=${REVERT_CONTROL:-1}
REVERT_DIR=$SHS_TOP/tests/upstream-reverts
NAME=reverts
PUBLISH=
# The run plan's seed base, one for every soak here: run i of every
# variant and of the control gets the same seed (scripts/soak-lib.sh).
SOAK_SEED=${SOAK_SEED:-$(new_seed)}
export SOAK_SEED

# wilson K N: "p [lo, hi]" in percent, the 95% Wilson score interval.
wilson() {
	awk -v k="$1" -v n="$2" 'BEGIN {
		if (n == 0) { print "n/a"; exit }
		z = 1.96; p = k / n; d = 1 + z * z / n
		c = (p + z * z / (2 * n)) / d
		h = z * sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
		lo = c - h; hi = c + h; if (lo < 0) lo = 0; if (hi > 1) hi = 1
		printf "%d%% [%d-%d%%]\n", 100 * p + 0.5, 100 * lo + 0.5, 100 * hi + 0.5 }'
}

# header FIELD PATCH: a revert's header field, or die naming it.
header() {
	local v
	v=$(mutant_header "$1" "$2")
	[ -n "$v" ] || die "${2#"$SHS_TOP"/}: no '$1:' header line (see tests/upstream-reverts/README)"
	printf '%s\n' "$v"
}

# upstream_id PATCH: the first upstream commit a revert names, 12 digits;
# "-" for a patch without one (a regression mutant).
upstream_id() {
	[ -n "$(mutant_header Upstream "$1")" ] || { echo -; return 0; }
	header Upstream "$1" | sed 's/^commit //' | cut -c1-12
}

# median_of LIST: the median of a comma-separated list of times, or "-".
median_of() {
	local m
	m=$(tr ',' '\n' <<<"$1" | grep -E '^[0-9.]+$' | median)
	if [ "$m" = n/a ]; then echo -; else echo "$m"; fi
}

# control_failed TSV: did the series alone fail in any control run?
control_failed() { awk -F'\t' '$1 == "(series alone)" && $7 > 0 { f = 1 } END { exit !f }' "$1"; }

# variant_runs SOAKDIR: "word detect_s" per finished run of a soak.
variant_runs() {
	local tag word rest res t
	while read -r tag _ word rest; do
		[ "$tag" = SOAK-RESULT ] || continue
		res=$1/${rest##* }
		t=$(sed -n 's/^detect_s=//p' "$res/timing.txt" 2>/dev/null | head -n1)
		printf '%s %s\n' "$word" "${t:--}"
	done <"$1/progress.log"
}

main() {
	local plan=0 p reverts=() out n=0 total
	while [ $# -gt 0 ]; do
		case "$1" in
		--plan) plan=1 ;;
		--publish)
			[ $# -ge 2 ] || die "--publish needs a file name"
			PUBLISH=$2
			shift
			;;
		--name)
			[ $# -ge 2 ] && [[ "$2" =~ ^[a-z][a-z0-9-]*$ ]] ||
				die "--name needs a name of lower-case letters, digits and dashes"
			NAME=$2
			shift
			;;
		-h | --help) sed -n '3,/^$/s/^# \{0,1\}//p' "$0"; exit 0 ;;
		-*) die "unknown option '$1' (see --help)" ;;
		*) reverts+=("$(cd "$(dirname "$1")" && pwd)/$(basename "$1")") ;;
		esac
		shift
	done
	[ "${#reverts[@]}" -gt 0 ] || reverts=("$REVERT_DIR"/*.patch)
	check_uint REVERT_RUNS "$REVERT_RUNS" 1 1000
	[ -z "$REVERT_DURATION" ] || check_uint REVERT_DURATION "$REVERT_DURATION" 5 86400
	case "$REVERT_CONTROL" in 0 | 1) ;; *) die "REVERT_CONTROL='$REVERT_CONTROL': use 1 or 0" ;; esac
	check_uint SOAK_SEED "$SOAK_SEED" 0 4294967295
	for p in $REVERT_INJECT; do
		case "$p" in 0 | 1) ;; *) die "REVERT_INJECT='$REVERT_INJECT': use 1, 0 or both" ;; esac
	done
	for p in $REVERT_DRIVERS; do
		in_list "$p" "$DRIVERS" || die "REVERT_DRIVERS: '$p' is unknown; choose from: $DRIVERS"
	done
	# Every header is checked before the first hour-long build.
	for p in "${reverts[@]}"; do
		[ -r "$p" ] || die "$p: no such revert"
		check_scenario "$(header Scenario "$p")"
		header Duration "$p" >/dev/null
		# Only a revert of an upstream fix must name it.
		[ "$(dirname "$p")" != "$REVERT_DIR" ] || header Upstream "$p" >/dev/null
	done
	total=$((${#reverts[@]} * $(wc -w <<<"$REVERT_INJECT") * $(wc -w <<<"$REVERT_DRIVERS")))
	if [ "$plan" = 1 ]; then
		for p in "${reverts[@]}"; do
			printf '%s: %s, %s s, inject %s, drivers %s, %s runs each\n' "${p##*/}" \
				"$(header Scenario "$p")" "${REVERT_DURATION:-$(header Duration "$p")}" \
				"$REVERT_INJECT" "$REVERT_DRIVERS" "$REVERT_RUNS"
		done
		[ "$REVERT_CONTROL" = 0 ] || echo "then the series alone, the same way, in each scenario above"
		return 0
	fi
	out=$RESULTS_DIR/$(date +%Y%m%d-%H%M%S)-$NAME
	mkdir -p "$RESULTS_DIR"
	mkdir "$out" || die "$out exists already"
	printf 'revert\tupstream\tscenario\tdriver\tinject\truns\tcaught\tverdicts\tdetect_s\tsoak\tduration\n' >"$out/$NAME.tsv"
	local sc dur inj drv controls=() c
	for p in "${reverts[@]}"; do
		sc=$(header Scenario "$p")
		dur=${REVERT_DURATION:-$(header Duration "$p")}
		in_list "$sc:$dur" "${controls[*]}" || controls+=("$sc:$dur")
		for inj in $REVERT_INJECT; do
			for drv in $REVERT_DRIVERS; do
				n=$((n + 1))
				info "[$n/$total] ${p##*/}: $sc, driver $drv, inject $inj, $REVERT_RUNS x $dur s"
				variant "$out" "$p" "$sc" "$dur" "$drv" "$inj"
			done
		done
	done
	if [ "$REVERT_CONTROL" = 1 ]; then
		for c in "${controls[@]}"; do
			for inj in $REVERT_INJECT; do
				for drv in $REVERT_DRIVERS; do
					info "control: the series alone, ${c%:*}, driver $drv, inject $inj, $REVERT_RUNS x ${c#*:} s"
					variant "$out" "" "${c%:*}" "${c#*:}" "$drv" "$inj"
				done
			done
		done
	fi
	report "$out"
	ln -sfn "$out" "$RESULTS_DIR/latest-$NAME"
	[ -z "$PUBLISH" ] || cp "$out/$NAME.md" "$PUBLISH" || die "cannot write $PUBLISH"
	cat "$out/$NAME.md"
	# A false alarm of the series alone is a finding, never noise.
	! control_failed "$out/$NAME.tsv" ||
		{ info "the series alone failed in some control run: a finding (see $out/$NAME.md)"; return 1; }
}

# variant OUT PATCH SCENARIO DURATION DRIVER INJECT: one soak of
# REVERT_RUNS runs of PATCH on the series ("": the series alone), one row
# of OUT/NAME.tsv.
variant() {
	local out=$1 p=$2 sc=$3 dur=$4 drv=$5 inj=$6 sd label words caught det up=-

	[ -z "$p" ] || up=$(upstream_id "$p")
	label=${p##*/}
	label=${label%.patch}
	[ -n "$p" ] || label="series-alone-$sc-${dur}s"
	sd=$out/$label-$drv-inject$inj
	mkdir -p "$sd"
	(env RESULTS_DIR="$sd" EXTRA_PATCHES="$p" SOAK_RUNS="$REVERT_RUNS" \
		SOAK_SCENARIOS="$sc" SOAK_DRIVERS="$drv" INJECT="$inj" \
		DURATION="$dur" COVER_EXTEND=0 "$SHS_TOP/scripts/soak.sh") >"$sd.log" 2>&1 || true
	[ -n "$p" ] || label="(series alone)"
	if [ ! -f "$sd/latest-soak/progress.log" ]; then
		info "  the soak did not run; see $sd.log"
		printf '%s\t%s\t%s\t%s\t%s\t0\t0\terror\t-\t%s\t%s\n' "$label" \
			"$up" "$sc" "$drv" "$inj" "${sd#"$out"/}.log" "$dur" \
			>>"$out/$NAME.tsv"
		return 0
	fi
	words=$(variant_runs "$sd/latest-soak")
	caught=$(awk '$1 ~ /^(FAIL|HANG|BOOT-FAILED)$/' <<<"$words" | wc -l)
	det=$(awk '$1 ~ /^(FAIL|HANG|BOOT-FAILED)$/ && $2 != "-" { print $2 }' <<<"$words" |
		sort -n | tr '\n' ',' | sed 's/,$//')
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$label" \
		"$up" "$sc" "$drv" "$inj" \
		"$(grep -c . <<<"$words")" "$caught" \
		"$(cut -d' ' -f1 <<<"$words" | sort | uniq -c | awk '{ printf "%s%s %s", s, $1, $2; s = ", " }')" \
		"${det:--}" "$(readlink "$sd/latest-soak" | sed "s|^$out/||")" "$dur" >>"$out/$NAME.tsv"
	info "  caught in $caught of $(grep -c . <<<"$words") run(s)"
}

# report OUT: NAME.md from NAME.tsv.
report() {
	local out=$1 r up sc drv inj runs caught verdicts det _soak dur w30 w60
	{
		echo '<!-- SPDX-License-Identifier: GPL-2.0 -->'
		if [ "$NAME" = reverts ]; then
			echo '# Upstream reverts: caught or missed'
		else
			echo "# Detection statistics ($NAME)"
		fi
		echo
		echo "REVERT_RUNS=$REVERT_RUNS seeds per variant (run i of every row has the same seed,"
		echo "from SOAK_SEED=$SOAK_SEED); \"caught\" is FAIL, HANG or BOOT-FAILED from general"
		echo 'detection (console classifier, hang watchers, worker accounting), within the'
		echo 'Duration of stress (no coverage extension).  Each probability with its 95% Wilson'
		echo 'interval: caught at all, within 30 s and within 60 s of stress (a run shorter'
		echo 'than 60 s counts as missed past its end).  For the series alone, a "caught" run'
		echo 'is a false alarm.  Times to detect in seconds after the stress started.'
		echo "Made by \`REVERT_RUNS=$REVERT_RUNS REVERT_INJECT=\"$REVERT_INJECT\" REVERT_DRIVERS=\"$REVERT_DRIVERS\"$([ -z "$REVERT_DURATION" ] || echo " REVERT_DURATION=$REVERT_DURATION")"
		echo "scripts/reverts.sh --name $NAME\` on $(date -u '+%Y-%m-%d') ($(hostname), $(nproc) cores),"
		echo "project $(git -C "$SHS_TOP" describe --always --dirty 2>/dev/null || echo unknown); results \`${out##*/}\`."
		echo
		echo '| patch | upstream | scenario | driver | inject | s | caught / runs | probability | within 30 s | within 60 s | median (s) | detect (s) | verdicts |'
		echo '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |'
		while IFS=$'\t' read -r r up sc drv inj runs caught verdicts det _soak dur; do
			[ "$r" != revert ] || continue
			w30=$(tr ',' '\n' <<<"$det" | awk '$1 != "-" && $1 + 0 <= 30' | wc -l)
			w60=$(tr ',' '\n' <<<"$det" | awk '$1 != "-" && $1 + 0 <= 60' | wc -l)
			printf '| %s | %s | %s | %s | %s | %s | %s / %s | %s | %s | %s | %s | %s | %s |\n' "${r%.patch}" \
				"${up:--}" "$sc" "$drv" "$inj" "$dur" "$caught" "$runs" "$(wilson "$caught" "$runs")" \
				"$(wilson "$w30" "$runs")" "$(wilson "$w60" "$runs")" "$(median_of "$det")" "$det" "$verdicts"
		done <"$out/$NAME.tsv"
		if control_failed "$out/$NAME.tsv"; then
			echo
			echo '**The series alone failed in a control run** (rows "(series alone)" above): a'
			echo 'finding to reproduce (`make repro RUN=...` on its run); a patch "caught" in the'
			echo 'same scenario may have been caught by that bug, not by its own.'
		fi
	} >"$out/$NAME.md"
}

main "$@"
