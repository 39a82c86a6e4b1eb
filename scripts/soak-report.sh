#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Write the report of a soak directory (scripts/soak.sh makes them):
# soak.json (every run, counts per scenario x driver, failures grouped by
# signature), soak.md (the same for people) and soak.svg (gnuplot: verdicts
# and guest-minutes of stress per scenario x driver).  Reads only the runs'
# directories, so it can be run again on an old or interrupted soak.
#
# Usage: scripts/soak-report.sh SOAK_DIR
# Exit status: 0 no run failed, 1 some run did not pass, 4 error.  Runs cut
# short by an interruption (INCOMPLETE) are counted but are no failure.

set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=scripts/soak-lib.sh
source "$(dirname "$0")/soak-lib.sh"

usage() {
	cat <<EOT
Usage: ${0##*/} SOAK_DIR

Writes SOAK_DIR/soak.json, soak.md and soak.svg from SOAK_DIR/runs/*/
and prints the totals and the failure groups.
Exit status: 0 every run passed, 1 some run did not, 4 error.
EOT
}

SD=

# parse_args ARGS...: exactly one soak directory.
parse_args() {
	while [ $# -gt 0 ]; do
		case "$1" in
		-h | --help) usage; exit 0 ;;
		-*) usage >&2; die "unknown option '$1'" ;;
		*) [ -z "$SD" ] || die "one soak directory only"; SD=$1 ;;
		esac
		shift
	done
	[ -n "$SD" ] || { usage >&2; die "no soak directory given"; }
	[ -d "$SD/runs" ] || die "'$SD' is not a soak directory (no runs/ in it)"
	SD=$(cd "$SD" && pwd)
	need_tools jq gnuplot
}

# repro_path DIR: DIR as the user types it for make: relative to the top
# of the clone when it is inside, else absolute.
repro_path() {
	case "$1" in
	"$SHS_TOP"/*) printf '%s\n' "${1#"$SHS_TOP"/}" ;;
	*) printf '%s\n' "$1" ;;
	esac
}

# job_field FILE KEY: a key=value of a run's job.txt.
job_field() { sed -n "s/^$2=//p" "$1" | tail -n1; }

# collect_runs: one TSV line per run, in index order.
collect_runs() {
	local j r res word sig line

	for j in "$SD"/runs/*/job.txt; do
		[ -f "$j" ] || continue
		r=${j%/job.txt}
		res=$(find "$r" -mindepth 1 -maxdepth 1 -type d -name '2*' | sort | tail -n1)
		if [ -n "$res" ]; then
			word=$(soak_verdict_word "$res")
			sig=$(soak_signature "$res")
			line=$(head -n1 "$res/verdict" 2>/dev/null || true)
		else
			word=INCOMPLETE sig="INCOMPLETE no results directory" line=
		fi
		if [ "$word" = INCOMPLETE ] && [ "$(job_field "$j" rc)" != 130 ] &&
			[ -n "$(job_field "$j" rc)" ]; then
			# run.sh stopped before a verdict: a setup error, named by it.
			word=ERROR
			line=$(grep -m1 'error:' "$r/run.log" 2>/dev/null || echo "exit $(job_field "$j" rc)")
			sig="ERROR $(printf '%s\n' "${line#*error: }" | soak_normalize)"
		fi
		printf '%s\t' "$(job_field "$j" index)" "$(job_field "$j" scenario)" \
			"$(job_field "$j" driver)" "$(job_field "$j" seed)" "$(job_field "$j" host)" \
			"$(job_field "$j" start)" "$(job_field "$j" end)" "$word" \
			"$( [ -z "$res" ] || soak_ops "$res")" "$( [ -z "$res" ] || soak_stress_s "$res")" \
			"${res:+${res#"$SD"/}}" "$( [ -z "$res" ] || repro_path "$res")" "$sig"
		printf '%s\n' "$line"
	done
}

# write_json: soak.json from the runs and soak-info.txt.
write_json() {
	jq -n --rawfile runs "$SD/runs.tsv" --rawfile info "$SD/soak-info.txt" '
	def num: if . == "" or . == null then 0 else tonumber end;
	($info | split("\n") | map(select(test("^[a-z_]+=")) | capture("^(?<k>[a-z_]+)=(?<v>.*)$"))
		| map({(.k): .v}) | add // {}) as $i
	| ($runs | split("\n") | map(select(length > 0) | split("\t") | {
		index: .[0], scenario: .[1], driver: .[2], seed: (.[3] | num),
		host: .[4], start: (.[5] | num), end: (.[6] | num), verdict: .[7],
		ops: (.[8] | num), stress_s: (.[9] | num), dir: .[10],
		repro: (if .[11] == "" then null else "make repro RUN=" + .[11] end),
		signature: .[12], verdict_line: .[13] })) as $r
	| def counts: group_by(.verdict) | map({(.[0].verdict): length}) | add // {};
	  def gmin: (map(.stress_s) | add // 0) / 60 * 10 | round / 10;
	{
		soak: $i,
		totals: { runs: ($r | length), guest_minutes: ($r | gmin), verdicts: ($r | counts) },
		combos: ($r | group_by([.scenario, .driver]) | map({
			scenario: .[0].scenario, driver: .[0].driver, runs: length,
			guest_minutes: gmin, verdicts: counts })),
		groups: ($r | map(select(.verdict | IN("PASS", "UNCOVERED", "INCOMPLETE") | not))
			| group_by(.signature) | map(sort_by(.start, .index) | {
			signature: .[0].signature, verdict: .[0].verdict, count: length,
			first: { index: .[0].index, start: .[0].start, dir: .[0].dir,
				scenario: .[0].scenario, driver: .[0].driver, seed: .[0].seed,
				verdict_line: .[0].verdict_line },
			repro: .[0].repro, runs: map(.index) }) | sort_by(-.count, .first.start, .first.index)),
		runs: $r
	}' >"$SD/soak.json"
}

# write_plot: soak.svg, verdicts stacked per scenario x driver, with the
# guest-minutes of stress beside them.
write_plot() {
	local n

	jq -r '.combos[] | [.scenario + "/" + .driver, .verdicts.PASS // 0, .verdicts.FAIL // 0,
		.verdicts.HANG // 0, .verdicts["BOOT-FAILED"] // 0, .verdicts.UNCOVERED // 0,
		((.verdicts.INCOMPLETE // 0) + (.verdicts.ERROR // 0)), .guest_minutes] | @tsv' \
		"$SD/soak.json" >"$SD/soak-plot.tsv"
	n=$(grep -c . "$SD/soak-plot.tsv" || true)
	[ "$n" -gt 0 ] || { rm -f "$SD/soak-plot.tsv"; return 0; }
	gnuplot >"$SD/soak-plot.log" 2>&1 <<EOT || die "gnuplot failed; see $SD/soak-plot.log"
set terminal svg size $((400 + 90 * n)),480 dynamic font 'sans,11'
set output '$SD/soak.svg'
set datafile separator '\t'
set multiplot layout 2,1 title 'Soak $(basename "$SD")'
set style data histograms
set style histogram rowstacked
set style fill solid 0.8 border -1
set boxwidth 0.6
set key outside right top
set ylabel 'runs'
set yrange [0:*]
set xtics rotate by -20 noenhanced
plot '$SD/soak-plot.tsv' using 2:xtic(1) title 'PASS' lc rgb '#4daf4a', \
	'' using 3 title 'FAIL' lc rgb '#e41a1c', '' using 4 title 'HANG' lc rgb '#984ea3', \
	'' using 5 title 'BOOT-FAILED' lc rgb '#ff7f00', '' using 6 title 'UNCOVERED' lc rgb '#ffff33', \
	'' using 7 title 'other' lc rgb '#999999'
set style histogram clustered
set ylabel 'guest-minutes of stress'
plot '$SD/soak-plot.tsv' using 8:xtic(1) title 'stress' lc rgb '#377eb8'
unset multiplot
EOT
	rm -f "$SD/soak-plot.tsv"
}

# write_md: soak.md from soak.json.
write_md() {
	jq -r '
	def vc($v): [["PASS", "FAIL", "HANG", "BOOT-FAILED", "UNCOVERED", "INCOMPLETE", "ERROR"][]
		| select($v[.]) | "\($v[.]) \(.)"] | join(", ");
	def t: if . == 0 or . == null then "?" else (. | strftime("%Y-%m-%d %H:%M:%S UTC")) end;
	"# Soak \(.soak.started // "0" | tonumber | t)\n",
	"- kernel: `\(.soak.release)` (KCONFIG=\(.soak.kconfig), EXTRA_PATCHES: \(if (.soak.extra_patches // "") == "" then "none" else .soak.extra_patches end)), project \(.soak.project)",
	"- plan: scenarios \(.soak.scenarios); drivers \(.soak.drivers); DURATION=\(.soak.duration) s, CPUS=\(.soak.cpus), INJECT=\(.soak.inject), ACCEL=\(.soak.accel)",
	"- limits: SOAK_TIME=\(if (.soak.soak_time // "") == "" then "-" else .soak.soak_time end), SOAK_RUNS=\(if (.soak.soak_runs // "") == "" then "-" else .soak.soak_runs end), SOAK_STOP=\(.soak.soak_stop), SOAK_SEED=\(.soak.soak_seed), hosts: \(.soak.hosts)",
	"- ran: \(.totals.runs) runs, \(.totals.guest_minutes) guest-minutes of stress, until \(.soak.ended // "0" | tonumber | t)\(if .soak.interrupted == "1" then " (interrupted: the runs cut short are INCOMPLETE)" else "" end)",
	"- verdicts: \(vc(.totals.verdicts) | if . == "" then "none" else . end)",
	"",
	"## Runs per scenario x driver",
	"",
	"| scenario | driver | runs | guest-minutes | verdicts |",
	"| --- | --- | ---: | ---: | --- |",
	(.combos[] | "| \(.scenario) | \(.driver) | \(.runs) | \(.guest_minutes) | \(vc(.verdicts)) |"),
	"",
	"![verdicts and stress per scenario x driver](soak.svg)",
	"",
	"## Failures by signature",
	"",
	(if (.groups | length) == 0 then "None." else empty end),
	(.groups | to_entries[] | .key as $k | .value |
		"### \($k + 1). `\(.signature)`: \(.count) run\(if .count > 1 then "s" else "" end)\n",
		"- first: run \(.first.index) (\(.first.scenario)/\(.first.driver), seed \(.first.seed)) at \(.first.start | t): [\(.first.dir)](\(.first.dir))",
		"- verdict: `\(.first.verdict_line)`",
		"- reproduce: `\(.repro)`",
		"- runs: \(.runs | join(" "))",
		""),
	"## Every run",
	"",
	"| run | scenario | driver | seed | host | verdict | ops | stress s | directory |",
	"| ---: | --- | --- | ---: | --- | --- | ---: | ---: | --- |",
	(.runs[] | "| \(.index) | \(.scenario) | \(.driver) | \(.seed) | \(.host) | \(.verdict) | \(.ops) | \(.stress_s) | \(.dir) |")
	' "$SD/soak.json" >"$SD/soak.md"
}

# print_summary: the totals and the groups on the terminal.
print_summary() {
	jq -r '
	"soak: \(.totals.runs) runs, \(.totals.guest_minutes) guest-minutes: " +
		([.totals.verdicts | to_entries[] | "\(.value) \(.key)"] | join(", ")),
	(.groups[] | "  \(.count)x \(.signature)\n     first: run \(.first.index); reproduce: \(.repro // "-")")
	' "$SD/soak.json"
	echo "report: $SD/soak.md"
}

main() {
	parse_args "$@"
	collect_runs >"$SD/runs.tsv"
	write_json
	write_plot
	write_md
	print_summary
	jq -e '[.runs[] | select(.verdict | IN("PASS", "UNCOVERED", "INCOMPLETE") | not)] | length == 0' \
		"$SD/soak.json" >/dev/null || return 1
}

main "$@"
