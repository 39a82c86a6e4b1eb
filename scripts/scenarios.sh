#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The scenarios (scenarios/*.scenario, see load_scenario in lib.sh), for
# people: `make help` lists them and README.md's scenario table is made
# here, so that neither can disagree with the files.
#
# Usage: scripts/scenarios.sh list            one line per scenario
#        scripts/scenarios.sh table           README.md's markdown table
#        scripts/scenarios.sh update-readme   rewrite that table in README.md
#        scripts/scenarios.sh check FILE...   validate scenario files

set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"

BEGIN='<!-- scenarios: made by scripts/scenarios.sh update-readme; edit scenarios/*.scenario -->'
END='<!-- end of scenarios -->'

# md_points: SC_INJECT as "`point` p%, lo-hi us" items.
md_points() {
	local w out='' p

	for w in $SC_INJECT; do
		IFS=: read -r p prob lo hi <<<"$w"
		out+="${out:+; }\`$p\` $prob%, $lo-$hi us"
	done
	printf '%s' "${out:-none}"
}

table() {
	local s req

	echo '| scenario | what runs (load programs) | windows widened (`inject=`) | checks that must fire (`require=`) |'
	echo '| --- | --- | --- | --- |'
	for s in $SCENARIOS; do
		load_scenario "$s"
		req=$(printf '`%s` ' $SC_REQUIRE)	# one code span per check
		[ -n "$SC_REQUIRE" ] || req='none'
		printf '| `%s` | %s (%s) | %s | %s |\n' "$s" "$SC_SUMMARY" \
			"$SC_LOADS${SC_RT_PERIOD_US:+; RT period $SC_RT_PERIOD_US us}" \
			"$(md_points)" "${req% }"
	done
}

case "${1:-}" in
list)
	for s in $SCENARIOS; do
		load_scenario "$s"
		printf '  %-15s %s\n' "$s" "$SC_SUMMARY"
	done
	;;
table) table ;;
update-readme)
	readme=$SHS_TOP/README.md
	grep -qxF "$BEGIN" "$readme" && grep -qxF "$END" "$readme" ||
		die "README.md has no scenario table markers ($BEGIN ... $END)"
	new=$(mktemp "$readme.XXXXXX")
	awk -v b="$BEGIN" -v e="$END" -v t="$(table)" '
		$0 == b { print; print t; skip = 1; next }
		$0 == e { skip = 0 }
		!skip' "$readme" >"$new"
	mv -f "$new" "$readme"
	;;
check)
	shift
	[ $# -gt 0 ] || die "check needs scenario files"
	for f in "$@"; do
		[[ "$f" == */* || "$f" == *.scenario ]] || f=./$f
		load_scenario "$f"
		echo "$f: ok ($SC_NAME: loads $SC_LOADS)"
	done
	;;
*)
	sed -n '3,/^$/s/^# \{0,1\}//p' "$0" >&2
	exit 2
	;;
esac
