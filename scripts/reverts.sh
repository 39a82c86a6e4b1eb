#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The upstream-revert matrix (issue 14): each tests/upstream-reverts/*.patch
# puts back one real bug upstream fixed.  Each is run as a user's patch
# (EXTRA_PATCHES) through the soak engine, REVERT_RUNS seeds per variant,
# in the scenario its header names, with the injection on and off and with
# our hotplug driver and rcutorture's torture_onoff.  The verdicts come from
# the usual general detection: nothing here knows what a revert breaks.
#
# Writes RESULTS_DIR/<date>-reverts/ with reverts.md (the matrix: caught or
# missed, detection probability with its 95% Wilson interval, time to
# detect) and reverts.tsv, and points RESULTS_DIR/latest-reverts at it.
#
# Usage: scripts/reverts.sh [--plan] [REVERT.patch...]
#   (default: every tests/upstream-reverts/*.patch)
#   REVERT_RUNS=N         seeds per revert and variant (default 3)
#   REVERT_INJECT="1 0"   injection settings to try
#   REVERT_DRIVERS="shs rcutorture"
#   REVERT_DURATION=S     override every header's Duration
#   SOAK_JOBS, SOAK_HOSTS as for make soak

set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"

REVERT_RUNS=${REVERT_RUNS:-3}
REVERT_INJECT=${REVERT_INJECT:-1 0}
REVERT_DRIVERS=${REVERT_DRIVERS:-shs rcutorture}
REVERT_DURATION=${REVERT_DURATION:-}
REVERT_DIR=$SHS_TOP/tests/upstream-reverts

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

# upstream_id PATCH: the first upstream commit a revert names, 12 digits.
upstream_id() { header Upstream "$1" | sed 's/^commit //' | cut -c1-12; }

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
		-h | --help) sed -n '3,/^$/s/^# \{0,1\}//p' "$0"; exit 0 ;;
		-*) die "unknown option '$1' (see --help)" ;;
		*) reverts+=("$(cd "$(dirname "$1")" && pwd)/$(basename "$1")") ;;
		esac
		shift
	done
	[ "${#reverts[@]}" -gt 0 ] || reverts=("$REVERT_DIR"/*.patch)
	check_uint REVERT_RUNS "$REVERT_RUNS" 1 1000
	[ -z "$REVERT_DURATION" ] || check_uint REVERT_DURATION "$REVERT_DURATION" 5 86400
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
		header Upstream "$p" >/dev/null
	done
	total=$((${#reverts[@]} * $(wc -w <<<"$REVERT_INJECT") * $(wc -w <<<"$REVERT_DRIVERS")))
	if [ "$plan" = 1 ]; then
		for p in "${reverts[@]}"; do
			printf '%s: %s, %s s, inject %s, drivers %s, %s runs each\n' "${p##*/}" \
				"$(header Scenario "$p")" "${REVERT_DURATION:-$(header Duration "$p")}" \
				"$REVERT_INJECT" "$REVERT_DRIVERS" "$REVERT_RUNS"
		done
		return 0
	fi
	out=$RESULTS_DIR/$(date +%Y%m%d-%H%M%S)-reverts
	mkdir -p "$RESULTS_DIR"
	mkdir "$out" || die "$out exists already"
	printf 'revert\tupstream\tscenario\tdriver\tinject\truns\tcaught\tverdicts\tdetect_s\tsoak\n' >"$out/reverts.tsv"
	local sc dur inj drv sd words caught det
	for p in "${reverts[@]}"; do
		sc=$(header Scenario "$p")
		dur=${REVERT_DURATION:-$(header Duration "$p")}
		for inj in $REVERT_INJECT; do
			for drv in $REVERT_DRIVERS; do
				n=$((n + 1))
				info "[$n/$total] ${p##*/}: $sc, driver $drv, inject $inj, $REVERT_RUNS x $dur s"
				sd=$out/${p##*/}
				sd=${sd%.patch}-$drv-inject$inj
				mkdir -p "$sd"
				(env RESULTS_DIR="$sd" EXTRA_PATCHES="$p" SOAK_RUNS="$REVERT_RUNS" \
					SOAK_SCENARIOS="$sc" SOAK_DRIVERS="$drv" INJECT="$inj" \
					DURATION="$dur" "$SHS_TOP/scripts/soak.sh") >"$sd.log" 2>&1 || true
				if [ ! -f "$sd/latest-soak/progress.log" ]; then
					info "  the soak did not run; see $sd.log"
					printf '%s\t%s\t%s\t%s\t%s\t0\t0\terror\t-\t%s\n' "${p##*/}" \
						"$(upstream_id "$p")" "$sc" "$drv" "$inj" "${sd#"$out"/}.log" \
						>>"$out/reverts.tsv"
					continue
				fi
				words=$(variant_runs "$sd/latest-soak")
				caught=$(awk '$1 ~ /^(FAIL|HANG|BOOT-FAILED)$/' <<<"$words" | wc -l)
				det=$(awk '$1 ~ /^(FAIL|HANG|BOOT-FAILED)$/ && $2 != "-" { print $2 }' <<<"$words" |
					sort -n | tr '\n' ',' | sed 's/,$//')
				printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "${p##*/}" \
					"$(upstream_id "$p")" "$sc" "$drv" "$inj" \
					"$(grep -c . <<<"$words")" "$caught" \
					"$(cut -d' ' -f1 <<<"$words" | sort | uniq -c | awk '{ printf "%s%s %s", s, $1, $2; s = ", " }')" \
					"${det:--}" "$(readlink "$sd/latest-soak" | sed "s|^$out/||")" >>"$out/reverts.tsv"
				info "  caught in $caught of $(grep -c . <<<"$words") run(s)"
			done
		done
	done
	report "$out"
	ln -sfn "$out" "$RESULTS_DIR/latest-reverts"
	cat "$out/reverts.md"
}

# report OUT: reverts.md from reverts.tsv.
report() {
	local out=$1 r up sc drv inj runs caught verdicts det
	{
		echo '# Upstream reverts: caught or missed'
		echo
		echo "REVERT_RUNS=$REVERT_RUNS seeds per variant; \"caught\" is FAIL, HANG or BOOT-FAILED"
		echo 'from general detection (console classifier, hang watchers, worker accounting).'
		echo 'Detection probability with its 95% Wilson interval; time to detect in seconds'
		echo 'after the stress started, per caught run.  Made by `make reverts`'
		echo "(scripts/reverts.sh) on $(date -u '+%Y-%m-%d'), project $(git -C "$SHS_TOP" describe --always --dirty 2>/dev/null || echo unknown)."
		echo
		echo '| revert | upstream | scenario | driver | inject | caught / runs | probability | detect (s) | verdicts |'
		echo '| --- | --- | --- | --- | --- | --- | --- | --- | --- |'
		while IFS=$'\t' read -r r up sc drv inj runs caught verdicts det _; do
			[ "$r" != revert ] || continue
			printf '| %s | %s | %s | %s | %s | %s / %s | %s | %s | %s |\n' "${r%.patch}" "$up" "$sc" \
				"$drv" "$inj" "$caught" "$runs" "$(wilson "$caught" "$runs")" "$det" "$verdicts"
		done <"$out/reverts.tsv"
	} >"$out/reverts.md"
}

main "$@"
