#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Stand-in for `make kernel initramfs` in the soak and repro tests: builds
# nothing, but leaves what scripts/repro.sh checks (the build directory's
# .shs-build.env naming the release, a bzImage, the initramfs) and logs
# where and with which settings it ran, so that a test can see it ran on
# the remote host, in the remote clone.
#
# Usage: tests/data/soak/fake-build.sh     (FAKE_BUILD_LOG: where to log)

set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/../../../scripts/lib.sh"

FAKE_BUILD_LOG=${FAKE_BUILD_LOG:-$SHS_TOP/.fake-build.log}

[ $# -eq 0 ] || die "no arguments expected"
b=$(build_dir)
# Never overwrite a real build: the tests point CACHE_DIR elsewhere.
[ ! -e "$b/vmlinux" ] || die "$b holds a real kernel build; set CACHE_DIR to a scratch directory"
mkdir -p "$b/arch/x86/boot"
printf 'RELEASE=%s\nBUILD_ID=%s\nKCONFIG=%s\n' "$(kernel_release)" "$(build_id)" "$KCONFIG" >"$b/.shs-build.env"
echo fake >"$b/arch/x86/boot/bzImage"
echo fake >"$CACHE_DIR/initramfs.cpio.gz"
printf 'fake build in %s: release %s, KCONFIG=%s EXTRA_PATCHES=%s\n' \
	"$SHS_TOP" "$(kernel_release)" "$KCONFIG" "$EXTRA_PATCHES" | tee -a "$FAKE_BUILD_LOG"
