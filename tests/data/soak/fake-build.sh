#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Stand-in for `make kernel initramfs` in the soak and repro tests: builds
# nothing, but leaves what scripts/repro.sh checks (an image store entry
# whose build.env names the release, a bzImage, the initramfs) and logs
# where and with which settings it ran, so that a test can see it ran on
# the remote host, in the remote clone.
#
# Usage: tests/data/soak/fake-build.sh     (FAKE_BUILD_LOG: where to log)

set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/../../../scripts/lib.sh"

FAKE_BUILD_LOG=${FAKE_BUILD_LOG:-$SHS_TOP/.fake-build.log}

[ $# -eq 0 ] || die "no arguments expected"
b=$(image_dir)
# real FILE: FILE exists and is not one of ours ("fake").
real() { [ -e "$1" ] && ! echo fake | cmp -s - "$1"; }
# Never overwrite a real build, kernel or initramfs (the initramfs id does
# not depend on EXTRA_PATCHES, so a stand-in build of any patch would
# replace the one real runs boot): the tests point CACHE_DIR elsewhere.
if [ -e "$b/System.map" ] || real "$b/bzImage"; then
	die "$b holds a real kernel image; set CACHE_DIR to a scratch directory"
fi
if real "$(initramfs_path)"; then
	die "$(initramfs_path) is a real initramfs; set CACHE_DIR to a scratch directory"
fi
release=$KVER-shs-$(build_id)
mkdir -p "$b" "$(dirname "$(initramfs_path)")"
printf 'RELEASE=%s\nBUILD_ID=%s\nKCONFIG=%s\n' "$release" "$(build_id)" "$KCONFIG" >"$b/build.env"
echo fake >"$b/bzImage"
echo fake >"$(initramfs_path)"
printf 'fake build in %s: release %s, KCONFIG=%s EXTRA_PATCHES=%s\n' \
	"$SHS_TOP" "$release" "$KCONFIG" "$EXTRA_PATCHES" | tee -a "$FAKE_BUILD_LOG"
