#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Remove the objects of the current KCONFIG and the initramfs.  The
# downloaded tarball, the pristine tree and the results are kept.
#
# Usage: scripts/clean.sh

set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"

[ $# -eq 0 ] || die "usage: ${0##*/} (no arguments)"
check_settings
b=$(build_dir)
case "$b" in
"$CACHE_DIR"/build/?*) ;;
*) die "refusing to remove '$b': not under $CACHE_DIR/build" ;;
esac
img=$(image_dir)
info "removing $b, $img and the initramfs"
rm -rf "$b" "$img" "$(initramfs_path)" "$CACHE_DIR/initramfs.cpio.gz"
