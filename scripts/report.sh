#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Reprint the summary of the last run (or of a given results directory).
#
# Usage: scripts/report.sh [RESULTS_SUBDIR]

set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"

usage() {
	cat <<EOT
Usage: ${0##*/} [DIR]

Prints the summary of DIR (default: $RESULTS_DIR/latest) and the
list of files it holds.
EOT
}

main() {
	local dir="$RESULTS_DIR/latest"

	case "${1:-}" in
	-h | --help) usage; exit 0 ;;
	'') ;;
	*) dir=$1 ;;
	esac
	[ $# -le 1 ] || { usage >&2; die "too many arguments"; }
	[ -e "$dir" ] || die "no results at $dir; run 'make' first"
	[ -f "$dir/summary.txt" ] ||
		die "$dir has no summary.txt: the run did not finish (see $dir/console.log)"
	cat "$dir/summary.txt"
	echo "files:    $(cd "$dir" && ls | tr '\n' ' ')"
}

main "$@"
