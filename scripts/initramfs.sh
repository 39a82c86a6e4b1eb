#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the guest's initramfs: Debian's static busybox, the init script and
# the stress programs of initramfs/ compiled statically, packed with cpio.
#
# Usage: scripts/initramfs.sh [--out FILE]

set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"

PROGRAMS=(shs-run shs-watch hotplug-driver exec-storm exec-target affinity-storm rt-hogs
	rt-chase qexit)
# Shell programs: the comparison drivers and the benchmark's guest half.
SCRIPTS=(hotplug-shell hotplug-rcutorture shs-bench)
# The busybox applets the init and the shell programs call.
APPLETS=(sh mount cat echo mkdir uname sleep ls dmesg sync grep sed awk sort
	tr cut tail rm insmod rmmod renice)
CFLAGS=(-O2 -Wall -Wextra -Werror -static)

usage() {
	cat <<EOT
Usage: ${0##*/} [--out FILE]

Compiles ${PROGRAMS[*]}
statically and packs them with $BUSYBOX, initramfs/init and
${SCRIPTS[*]} into a gzip'd newc cpio archive
(default: \$CACHE_DIR/initramfs/<id>.cpio.gz, where <id> hashes all of
that; the archive carries it as /shs-initramfs-id, which the init prints).
EOT
}

build() {
	local out=$1 id=$2 stage p tmp applets

	need_tools gcc cpio gzip file
	[ -x "$BUSYBOX" ] || die "no busybox at $BUSYBOX; run 'make deps' (busybox-static)"
	file -L "$BUSYBOX" 2>/dev/null | grep -q 'dynamically' &&
		die "$BUSYBOX is dynamically linked; install busybox-static"
	stage=$(mktemp -d)
	# shellcheck disable=SC2064
	trap "rm -rf '$stage'" EXIT
	mkdir -p "$stage"/{bin,dev,proc,sys,run,tmp}
	for p in "${PROGRAMS[@]}"; do
		run gcc "${CFLAGS[@]}" -o "$stage/bin/$p" "$SHS_TOP/initramfs/$p.c" ||
			die "compiling initramfs/$p.c failed"
	done
	for p in "${SCRIPTS[@]}"; do
		install -m 0755 "$SHS_TOP/initramfs/$p" "$stage/bin/$p"
	done
	cp "$BUSYBOX" "$stage/bin/busybox"
	# Listed once: with pipefail, 'busybox --list | grep -q' fails when
	# grep quits first and busybox gets SIGPIPE.
	applets=$("$BUSYBOX" --list)
	for p in "${APPLETS[@]}"; do
		grep -qx "$p" <<<"$applets" || die "$BUSYBOX has no '$p' applet"
		ln -s busybox "$stage/bin/$p"
	done
	install -m 0755 "$SHS_TOP/initramfs/init" "$stage/init"
	printf '%s\n' "$id" >"$stage/shs-initramfs-id"
	mkdir -p "$(dirname "$out")"
	# A private temporary name beside OUT (rename is atomic there): two
	# clones may pack at the same time, and a run may be reading OUT.
	tmp=$(mktemp "$(dirname "$out")/.initramfs-XXXXXX")
	(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) |
		gzip -9 >"$tmp"
	chmod 0644 "$tmp"
	mv -f "$tmp" "$out"
	info "initramfs: $out (id $id, $(du -h "$out" | cut -f1))"
}

main() {
	local out id

	while [ $# -gt 0 ]; do
		case "$1" in
		--out) [ $# -ge 2 ] || die "--out needs a file"; out=$2; shift ;;
		-h | --help) usage; exit 0 ;;
		*) usage >&2; die "unknown argument '$1'" ;;
		esac
		shift
	done
	# Fixed before anything is read, like the kernel's build id.
	id=$(initramfs_id)
	build "${out:-$(initramfs_path)}" "$id"
}

main "$@"
