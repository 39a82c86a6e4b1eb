#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Pack what the judge reads of a real results directory into one text file,
# a fixture for tests/unit.sh (which unpacks it, deletes nothing it needs,
# re-judges it and requires the verdict the live run gave).
#
# Usage: tests/data/runs/pack.sh RESULTS_DIR >tests/data/runs/KIND.run
set -euo pipefail
d=${1:?usage: pack.sh RESULTS_DIR}
echo '# SPDX-License-Identifier: GPL-2.0'
echo "# A real results directory of scripts/run.sh ($(basename "$d")), packed by"
echo '# tests/data/runs/pack.sh; tests/unit.sh re-judges it.'
for f in verdict inputs.txt qemu-status timing.txt build.env console.log "$d"/*.scenario; do
	f=${f##*/}
	[ -f "$d/$f" ] || continue
	echo "=== file: $f"
	cat "$d/$f"
	[ -z "$(tail -c1 "$d/$f")" ] || echo	# the next marker on its own line
done
