#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Lint: shellcheck on every shell script, the tree's checkpatch.pl --strict
# on every patch of the series, every mutant and every upstream revert, an
# SPDX line on every file git tracks, and the guest programs compiled with
# -Werror.
#
# Usage: tests/lint.sh

set -uo pipefail
# shellcheck source=tests/testlib.sh
source "$(dirname "$0")/testlib.sh"
cd "$T_TOP" || exit 1

mapfile -t sh_files < <(git ls-files '*.sh' .ci/run)
t_expect "shellcheck -S warning (${#sh_files[@]} files)" 0 '' \
	shellcheck -S warning -x "${sh_files[@]}"
t_expect "shellcheck -S warning initramfs/ shell programs (POSIX sh)" 0 "" \
	shellcheck -s sh -S warning initramfs/init initramfs/hotplug-shell initramfs/hotplug-rcutorture initramfs/shs-bench

src=$(scripts/tree.sh --print-src) || { t_not_ok "kernel tree for checkpatch" "scripts/tree.sh failed"; t_done; exit; }
while read -r p; do
	# Run from the tree, as a kernel developer does.  The tree is a
	# tarball, not a git clone, so checkpatch cannot look up the commit
	# ids a changelog cites (Fixes: tags, backports): it would flag each
	# as unknown.  Their format is still checked (GIT_COMMIT_ID).
	t_expect "checkpatch --strict ${p#"$T_TOP"/}" 0 'total: 0 errors, 0 warnings, 0 checks' \
		bash -c 'cd "$1" && scripts/checkpatch.pl --strict --ignore UNKNOWN_COMMIT_ID "$2"' _ "$src" "$p"
done < <(source scripts/lib.sh; series_patches; ls "$T_TOP"/tests/mutants/*.patch "$T_TOP"/tests/upstream-reverts/*.patch 2>/dev/null)

nospdx=$(git ls-files | while read -r f; do
	grep -q 'SPDX-License-Identifier: GPL-2.0' "$f" || echo "$f"
done)
if [ -z "$nospdx" ]; then
	t_ok "SPDX line on every tracked file"
else
	t_not_ok "SPDX line on every tracked file" "missing in: $(echo "$nospdx" | tr '\n' ' ')"
fi

for c in initramfs/*.c; do
	t_expect "gcc -Wall -Wextra -Werror ${c}" 0 '' \
		gcc -O2 -Wall -Wextra -Werror -static -o "$T_OUT/${c##*/}.bin" "$c"
done
t_done
