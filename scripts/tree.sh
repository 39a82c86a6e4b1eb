#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Obtain the vanilla kernel source: Debian's pristine upstream tarball of
# Linux 6.1.176 (downloaded once with apt's source download and cached),
# or a tarball or tree of the user's.  Verifies the checksum and unpacks a
# pristine copy into the cache; the pristine copy is never patched.
#
# Usage: scripts/tree.sh [--print-src]
#
# Environment: KERNEL_TARBALL, KERNEL_SHA256 (or 'skip'), KERNEL_SRC,
# CACHE_DIR (see scripts/lib.sh).

set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"

usage() {
	cat <<EOT
Usage: ${0##*/} [--print-src]

Makes sure an unpacked, pristine source tree is in the cache, and with
--print-src prints its path.
  KERNEL_TARBALL=path   use this tarball instead of downloading Debian's
  KERNEL_SHA256=hex     its expected sha256 ('skip': do not check)
  KERNEL_SRC=path       use this unpacked tree (copied, never modified)
EOT
}

# add_deb_src: derive deb-src entries from the machine's own Debian entries
# (same URIs and suites, Types deb-src), so no mirror is named here.
add_deb_src() {
	local out=/etc/apt/sources.list.d/sched-hotplug-stress-src.sources f tmp

	tmp=$(mktemp)
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] && [ "$f" != "$out" ] || continue
		# deb822 stanzas that are Debian archive entries with Types: deb
		awk 'BEGIN { RS = ""; ORS = "\n\n" }
		     /(^|\n)Types:[ \t]*deb[ \t]*(\n|$)/ && /debian-archive-keyring/ {
			sub(/Types:[ \t]*deb[ \t]*(\n|$)/, "Types: deb-src\n"); print }' \
			"$f" >>"$tmp"
	done
	if [ -f /etc/apt/sources.list ]; then
		sed -n 's/^deb[ \t]\+\(.*debian.*\)$/Types: deb-src\nURIs: \1\n/p' \
			/etc/apt/sources.list | awk '
			/^URIs:/ { n = split($0, a, /[ \t]+/)
				   print "URIs: " a[2]; print "Suites: " a[3]
				   c = ""; for (i = 4; i <= n; i++) c = c " " a[i]
				   print "Components:" c; next } { print }' >>"$tmp"
	fi
	[ -s "$tmp" ] || { rm -f "$tmp"; die "no Debian 'deb' entry in /etc/apt to derive a deb-src entry from; pass KERNEL_TARBALL=path instead"; }
	info "adding deb-src entries derived from the machine's apt sources ($out)"
	if [ "$(id -u)" -eq 0 ]; then
		install -m 0644 "$tmp" "$out"
		apt-get update -q >/dev/null
	else
		sudo install -m 0644 "$tmp" "$out"
		sudo apt-get update -q >/dev/null
	fi
	rm -f "$tmp"
}

# download_tarball DEST: fetch linux_6.1.176.orig.tar.xz with apt-get source.
# Everything else apt-get source brings (.dsc, debian.tar.xz) is dropped.
download_tarball() {
	local dest=$1 tmp

	need_tools apt-get
	if ! apt-get source --download-only --print-uris "linux=$KDEB_VERSION" \
		>/dev/null 2>&1; then
		add_deb_src
	fi
	tmp=$(mktemp -d "$CACHE_DIR/dl/.apt-XXXXXX")
	info "downloading $KTARBALL_NAME with apt-get source (about 140 MB)"
	if ! (cd "$tmp" && apt-get source -q --download-only "linux=$KDEB_VERSION" \
		>"$tmp/apt.log" 2>&1); then
		tail -n 5 "$tmp/apt.log" >&2
		rm -rf "$tmp"
		die "apt-get source linux=$KDEB_VERSION failed; pass KERNEL_TARBALL=path to use a tarball you have"
	fi
	mv "$tmp/$KTARBALL_NAME" "$dest"
	rm -rf "$tmp"
}

# verify_tarball FILE: die unless FILE has the expected sha256.
# A user's file is never touched; a bad download of ours is set aside.
verify_tarball() {
	local file=$1 want got

	[ "$KERNEL_SHA256" = skip ] && { info "checksum check skipped (KERNEL_SHA256=skip)"; return 0; }
	want=$(tarball_sha256)
	[[ "$want" =~ ^[0-9a-f]{64}$ ]] ||
		die "KERNEL_SHA256='$want' is not a sha256 (64 hex digits) or 'skip'"
	got=$(sha256sum "$file" | cut -d' ' -f1)
	if [ "$got" != "$want" ]; then
		if [ -z "$KERNEL_TARBALL" ]; then
			mv "$file" "$file.rejected"
			info "set the bad download aside as $file.rejected"
		fi
		die "checksum mismatch for $file: got $got, expected $want (set KERNEL_SHA256=<hex> or KERNEL_SHA256=skip if this tarball is what you want)"
	fi
}

# unpack TARBALL DEST: unpack into DEST atomically (temporary dir + rename),
# so an interrupted unpack never leaves a half tree that looks complete.
unpack() {
	local tarball=$1 dest=$2 tmp

	mkdir -p "$(dirname "$dest")"
	tmp=$(mktemp -d "$dest.tmp-XXXXXX")
	info "unpacking ${tarball##*/}"
	if ! tar -xf "$tarball" -C "$tmp" --strip-components=1; then
		rm -rf "$tmp"
		die "could not unpack $tarball (is it a kernel source tarball?)"
	fi
	[ -f "$tmp/Makefile" ] && [ -d "$tmp/kernel/sched" ] || {
		rm -rf "$tmp"
		die "$tarball does not hold a kernel tree (no Makefile, kernel/sched)"
	}
	mv "$tmp" "$dest"
}

# pristine_src: print the path of the pristine tree, creating it if needed.
pristine_src() {
	local tarball dest

	if [ -n "$KERNEL_SRC" ]; then
		[ -f "$KERNEL_SRC/Makefile" ] && [ -d "$KERNEL_SRC/kernel/sched" ] ||
			die "KERNEL_SRC='$KERNEL_SRC' is not a kernel source tree (no Makefile, kernel/sched)"
		[ ! -e "$KERNEL_SRC/.config" ] && [ ! -d "$KERNEL_SRC/include/config" ] ||
			die "KERNEL_SRC='$KERNEL_SRC' holds in-tree build output (.config); run 'make mrproper' there or use a clean tree"
		realpath "$KERNEL_SRC"
		return 0
	fi
	dest="$CACHE_DIR/src/$(source_id)"
	if [ -f "$dest/Makefile" ]; then
		printf '%s\n' "$dest"
		return 0
	fi
	mkdir -p "$CACHE_DIR/dl"
	if [ -n "$KERNEL_TARBALL" ]; then
		[ -f "$KERNEL_TARBALL" ] ||
			die "KERNEL_TARBALL='$KERNEL_TARBALL' does not exist"
		tarball=$KERNEL_TARBALL
	else
		tarball="$CACHE_DIR/dl/$KTARBALL_NAME"
		[ -f "$tarball" ] || download_tarball "$tarball"
	fi
	verify_tarball "$tarball"
	need_tools tar xz
	unpack "$tarball" "$dest"
	printf '%s\n' "$dest"
}

main() {
	local print=0 src

	while [ $# -gt 0 ]; do
		case "$1" in
		--print-src) print=1 ;;
		-h | --help) usage; exit 0 ;;
		*) usage >&2; die "unknown argument '$1'" ;;
		esac
		shift
	done
	[ -z "$KERNEL_SRC" ] || [ -z "$KERNEL_TARBALL" ] ||
		die "set KERNEL_SRC or KERNEL_TARBALL, not both"
	mkdir -p "$CACHE_DIR"
	src=$(with_lock "$CACHE_DIR/.tree.lock" pristine_src)
	if [ "$print" = 1 ]; then
		printf '%s\n' "$src"
	else
		info "source tree: $src"
	fi
}

main "$@"
