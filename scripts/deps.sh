#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian packages the harness needs, only those missing.
#
# Usage: scripts/deps.sh [--check]

set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"

# Debian package names: kernel build, quilt, QEMU, the guest's busybox, the
# initramfs packer, the linters `make lint` runs, gnuplot for the latency
# plot of `make bench` and jq to check its JSON; procps (pgrep: run.sh's
# cleanup, the tests' leftover-QEMU check), file (initramfs.sh checks that
# busybox is static), python3 (tests/unit.sh writes a binary state table),
# git (inputs.txt names the project revision).  `make soak`: GNU parallel,
# ssh and rsync for remote hosts, and the sshd its test starts on 127.0.0.1.
PACKAGES=(
	build-essential bc bison flex libelf-dev libssl-dev cpio gzip xz-utils
	rsync ccache quilt perl busybox-static qemu-system-x86 shellcheck
	ca-certificates gnuplot-nox jq procps file python3 git
	parallel openssh-client openssh-server
)

usage() {
	cat <<EOT
Usage: ${0##*/} [--check]

Installs, with apt-get, the Debian packages of this list that are missing:
  ${PACKAGES[*]}
--check only lists the missing ones and exits 1 if there are any.
Uses sudo when not run as root.
EOT
}

missing_packages() {
	local p

	for p in "${PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
			grep -q '^install ok installed$' || printf '%s\n' "$p"
	done
}

# as_root CMD...: run CMD as root, through sudo when we are not root.
# Dies with a clear message when neither is possible.
as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo "$@"
	else
		die "need root (or sudo) to run: $*"
	fi
}

main() {
	local check=0 missing

	while [ $# -gt 0 ]; do
		case "$1" in
		--check) check=1 ;;
		-h | --help) usage; exit 0 ;;
		*) usage >&2; die "unknown argument '$1'" ;;
		esac
		shift
	done
	command -v dpkg-query >/dev/null ||
		die "this needs a Debian-based system (no dpkg-query)"
	mapfile -t missing < <(missing_packages)
	if [ "${#missing[@]}" -eq 0 ]; then
		[ "$check" = 1 ] && info "all packages installed"
		return 0
	fi
	if [ "$check" = 1 ]; then
		info "missing: ${missing[*]}"
		exit 1
	fi
	info "installing: ${missing[*]}"
	as_root apt-get update -q >/dev/null
	as_root env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null ||
		die "apt-get install failed for: ${missing[*]}"
}

main "$@"
