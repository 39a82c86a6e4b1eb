#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Patch, configure and build the test kernel, out of tree.
#
#  patch:  sync the work tree from the pristine source and apply
#          patches/series plus EXTRA_PATCHES with quilt; on failure name the
#          patch, file and hunk and leave the work tree pristine.
#  config: merge kernel-config/common.config and kernel-config/$KCONFIG.config
#          onto allnoconfig with the tree's merge_config.sh, add the build id
#          as CONFIG_LOCALVERSION, and check every requested symbol survived.
#  build:  make bzImage and modules in the object directory kept in the
#          cache, printing progress lines; the full log goes to the object
#          directory.  The modules (rcutorture, for the comparison runs) are
#          packed into modules.cpio.gz there, which run.sh appends to the
#          initramfs: the initramfs itself stays kernel-independent.
#
# Usage: scripts/kernel.sh [--patch-only]

set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"

usage() {
	cat <<EOT
Usage: ${0##*/} [--patch-only]

Applies patches/series and EXTRA_PATCHES to a copy of the source, merges
the config fragments (KCONFIG=$KCONFIG) and builds bzImage in
$(build_dir)
EOT
}

QUILT=(quilt --quiltrc "$SHS_TOP/.quiltrc")

# sync_work SRC WORK: make WORK an unpatched copy of SRC (rsync keeps the
# mtimes, so unchanged files keep their objects), with no quilt state.
sync_work() {
	local src=$1 work=$2

	mkdir -p "$work"
	run rsync -a --delete --exclude=/.pc/ --exclude=/patches \
		--exclude=/.git/ --exclude=/.shs-* "$src/" "$work/"
	rm -rf "$work/.pc" "$work/patches"
}

# stack_files WORK: every file the applied quilt stack touches, one a line.
stack_files() {
	local work=$1

	[ -d "$work/.pc" ] || return 0
	(cd "$work/.pc" && find . -mindepth 2 -type f ! -name .timestamp |
		cut -d/ -f3- | sort -u)
}

# report_quilt_failure LOG: turn quilt's output into one line naming the
# patch, the file and the hunks that failed.
report_quilt_failure() {
	awk '
	/^Applying patch / { patch = $3 }
	/^patching file /  { file = $3 }
	/^Hunk #[0-9]+ FAILED at/ { hunks = hunks (hunks ? ", " : "") "#" substr($2, 2) " at line " $5; hf = file }
	/^can.t find file to patch/ { missing = 1 }
	/does not apply/ { fail = $2 }
	END {
		sub(/\.$/, "", hunks)
		if (missing) printf "patch %s does not apply: a file it patches does not exist in the tree\n", fail
		else if (hunks) printf "patch %s does not apply: %s, hunk %s\n", fail, hf, hunks
		else printf "patch %s does not apply (see quilt output above)\n", fail
	}' "$1"
}

# apply_stack WORK: apply series + extra patches; on failure restore WORK
# to pristine and die naming what failed.
apply_stack() {
	local work=$1 p n=0 log

	mkdir -p "$work/patches"
	: >"$work/patches/series"
	while read -r p; do
		cp "$p" "$work/patches/${p##*/}"
		printf '%s\n' "${p##*/}" >>"$work/patches/series"
	done < <(series_patches)
	while read -r p; do
		n=$((n + 1))
		cp "$p" "$work/patches/extra-$n-${p##*/}"
		printf '%s\n' "extra-$n-${p##*/}" >>"$work/patches/series"
	done < <(extra_patches)
	[ -s "$work/patches/series" ] || return 0
	log=$(mktemp)
	if ! (cd "$work" && "${QUILT[@]}" push -a) >"$log" 2>&1; then
		grep -E 'Applying|FAILED|does not apply|can.t find' "$log" >&2 || true
		msg=$(report_quilt_failure "$log")
		rm -f "$log"
		echo "$msg" >"$work/.shs-patch-failed"
		return 1
	fi
	rm -f "$log"
	info "applied $(wc -l <"$work/patches/series") patch(es): $(tr '\n' ' ' <"$work/patches/series")"
}

# refresh_mtimes WORK BUILD: after a new stack is applied, make kbuild
# rebuild exactly the files whose content differs from the last build in
# BUILD: those get the current time, the others their recorded mtime.
refresh_mtimes() {
	local work=$1 build=$2 rec="$2/.shs-stack-files" f sum mt
	declare -A old_sum=() old_mt=()

	if [ -f "$rec" ]; then
		while read -r sum mt f; do
			old_sum[$f]=$sum
			old_mt[$f]=$mt
		done <"$rec"
	fi
	while read -r f; do
		[ -n "$f" ] || continue
		if [ ! -e "$work/$f" ]; then
			continue
		fi
		sum=$(sha256sum "$work/$f" | cut -c1-64)
		if [ "${old_mt[$f]:-0}" != 0 ] && [ "${old_sum[$f]:-}" = "$sum" ]; then
			touch -d "@${old_mt[$f]}" "$work/$f"
		else
			touch "$work/$f"
		fi
	done < <({ stack_files "$work"; [ -f "$rec" ] && cut -d' ' -f3- "$rec"; } | sort -u)
}

# invalidate_stack BUILD WORK: before a build starts, mark every file of
# the record and of the new stack as "content unknown", and forget the
# build record, so that if this build does not finish (killed after
# recompiling a mutant's core.o, or pack_modules failing) the next one
# gives those files the current time and recompiles them, instead of
# giving them their old mtime back over objects built from other content.
invalidate_stack() {
	local build=$1 work=$2 rec="$1/.shs-stack-files"

	rm -f "$build/.shs-build.env"
	{ stack_files "$work"; [ ! -f "$rec" ] || cut -d' ' -f3- "$rec"; } | sort -u |
		sed 's/^/unknown 0 /' >"$rec.new"
	mv -f "$rec.new" "$rec"
}

# record_stack WORK BUILD: after a good build, remember the content and
# mtime of every file the stack touches (see refresh_mtimes).
record_stack() {
	local work=$1 build=$2 f

	stack_files "$work" | while read -r f; do
		[ -e "$work/$f" ] || continue
		printf '%s %s %s\n' "$(sha256sum "$work/$f" | cut -c1-64)" \
			"$(stat -c %Y "$work/$f")" "$f"
	done >"$build/.shs-stack-files.new"
	mv "$build/.shs-stack-files.new" "$build/.shs-stack-files"
}

do_patch() {
	local src work build

	src=$("$SHS_TOP/scripts/tree.sh" --print-src)
	work=$(work_tree)
	build=$(build_dir)
	mkdir -p "$build"
	need_tools quilt rsync
	sync_work "$src" "$work"
	rm -f "$work/.shs-patch-failed"
	if ! apply_stack "$work"; then
		local msg
		msg=$(cat "$work/.shs-patch-failed")
		# Leave nothing half-patched behind.
		sync_work "$src" "$work"
		refresh_mtimes "$work" "$build"
		die "$msg; the work tree was restored to the pristine source"
	fi
	refresh_mtimes "$work" "$build"
}

# check_config BUILD: every symbol the fragments set must be in .config
# with the same value; names the ones that did not survive, like the
# #CHECK# lines of rcutorture.
check_config() {
	local build=$1 line sym bad=()

	while read -r line; do
		case "$line" in
		CONFIG_*=*) grep -qxF "$line" "$build/.config" || bad+=("$line") ;;
		'# CONFIG_'*' is not set')
			sym=${line#\# }
			sym=${sym%% *}
			! grep -q "^$sym=" "$build/.config" || bad+=("$line")
			;;
		esac
	done < <(cat "$KCONFIG_DIR/common.config" "$KCONFIG_DIR/$KCONFIG.config")
	if [ "${#bad[@]}" -gt 0 ]; then
		for line in "${bad[@]}"; do
			sym=${line#\# }
			sym=${sym%%[= ]*}
			printf '  %-40s got: %s\n' "$line" \
				"$(grep -E "^($sym=|# $sym is not set)" "$build/.config" || echo 'absent (missing dependency?)')" >&2
		done
		die "${#bad[@]} config symbol(s) did not survive olddefconfig (see above); fix $KCONFIG_DIR/$KCONFIG.config"
	fi
}

do_config() {
	local work build frag

	work=$(work_tree)
	build=$(build_dir)
	frag="$build/.shs-localversion.config"
	printf 'CONFIG_LOCALVERSION="-shs-%s"\nCONFIG_LOCALVERSION_AUTO=n\n' \
		"$BUILD_ID" >"$frag"
	(cd "$work" && run scripts/kconfig/merge_config.sh -n -O "$build" \
		"$KCONFIG_DIR/common.config" "$KCONFIG_DIR/$KCONFIG.config" "$frag") \
		>"$build/.shs-config.log" 2>&1 || {
		tail -n 20 "$build/.shs-config.log" >&2
		die "merge_config.sh failed (log: $build/.shs-config.log)"
	}
	check_config "$build"
	grep -qxF "CONFIG_LOCALVERSION=\"-shs-$BUILD_ID\"" "$build/.config" ||
		die "CONFIG_LOCALVERSION did not reach .config"
}

# pack_modules WORK BUILD: install the modules into a staging root and pack
# it as BUILD/modules.cpio.gz (lib/modules/RELEASE/...), to be appended to
# the initramfs.  Without depmod on the host, modules_install only warns;
# the guest loads modules by path with insmod.
pack_modules() {
	local work=$1 build=$2 root="$2/.shs-modroot"

	rm -rf "$root"
	(cd "$work" && make -s O="$build" INSTALL_MOD_PATH="$root" \
		INSTALL_MOD_STRIP=1 DEPMOD=true modules_install) >>"$build/.shs-build.log" 2>&1 ||
		die "make modules_install failed (log: $build/.shs-build.log)"
	# The build and source links point into this host.
	rm -f "$root"/lib/modules/*/build "$root"/lib/modules/*/source
	(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) |
		gzip -9 >"$build/modules.cpio.gz.tmp"
	mv "$build/modules.cpio.gz.tmp" "$build/modules.cpio.gz"
}

# publish_image BUILD: copy what a run needs from a finished build into
# the image store (image_dir), through a temporary directory renamed into
# place, so an entry is complete or absent, and never rewritten.
publish_image() {
	local build=$1 img tmp

	img=$(image_dir)
	if [ -f "$img/build.env" ]; then
		info "image: $img (already there)"
		return 0
	fi
	mkdir -p "${img%/*}"
	tmp=$(mktemp -d "$img.tmp-XXXXXX")
	cp "$build/arch/x86/boot/bzImage" "$build/System.map" "$tmp/"
	cp "$build/.config" "$tmp/config"
	cp "$build/modules.cpio.gz" "$tmp/" 2>/dev/null || true
	cp "$build/.shs-build.log" "$tmp/build.log"
	# vmlinux only when it can give file:line (CONFIG_DEBUG_INFO), gzipped:
	# 41 MB -> 13 MB for the debug config; judge.sh unpacks it to decode.
	! grep -qx 'CONFIG_DEBUG_INFO=y' "$build/.config" || gzip -1 -c "$build/vmlinux" >"$tmp/vmlinux.gz"
	cp "$build/.shs-build.env" "$tmp/build.env"
	chmod 0755 "$tmp"
	mv -T "$tmp" "$img" 2>/dev/null || rm -rf "$tmp"
	info "image: $img"
}

do_build() {
	local work build log start pid n=0 last=0 now rc=0

	work=$(work_tree)
	build=$(build_dir)
	log="$build/.shs-build.log"
	start=$(date +%s)
	invalidate_stack "$build" "$work"
	info "building $RELEASE in $build (log: $log)"
	local cc
	cc=$(kbuild_cc)
	(cd "$work" && exec make -j"$JOBS" O="$build" CC="$cc" bzImage modules) \
		>"$log" 2>&1 &
	pid=$!
	# shellcheck disable=SC2064
	trap "kill $pid 2>/dev/null" EXIT INT TERM
	while kill -0 "$pid" 2>/dev/null; do
		sleep 2
		now=$(date +%s)
		if [ $((now - last)) -ge 30 ] || [ "$V" = 1 ]; then
			n=$(grep -c '^  CC ' "$log" || true)
			[ "$last" = 0 ] || info "  ... $((now - start)) s, $n files compiled"
			last=$now
		fi
	done
	wait "$pid" || rc=$?
	trap - EXIT INT TERM
	if [ "$rc" -ne 0 ]; then
		# The first errors, not the noise of parallel jobs after them.
		grep -E -m 10 -A3 ': (error|fatal error):|Error [0-9]' "$log" >&2 ||
			tail -n 30 "$log" >&2
		die "kernel build failed (full log: $log)"
	fi
	pack_modules "$work" "$build"
	n=$(grep -c '^  CC ' "$log" || true)
	info "built in $(($(date +%s) - start)) s ($n files compiled): $build/arch/x86/boot/bzImage"
	local got
	got=$(cd "$work" && make -s --no-print-directory O="$build" kernelrelease 2>/dev/null) ||
		die "make kernelrelease failed in $build"
	[ "$got" = "$RELEASE" ] || die "the build says its release is '$got', expected '$RELEASE'"
	record_stack "$work" "$build"
	{
		printf 'RELEASE=%s\n' "$RELEASE"
		printf 'BUILD_ID=%s\n' "$BUILD_ID"
		printf 'SOURCE_ID=%s\n' "$(source_id)"
		printf 'SOURCE_CONTENT=%s\n' "$SOURCE_CONTENT"
		printf 'SRC=%s\n' "$work"
		printf 'KCONFIG=%s\n' "$KCONFIG"
		printf 'PATCHES=%s\n' "$(tr '\n' ' ' <"$work/patches/series" 2>/dev/null)"
		printf 'EXTRA_PATCHES=%s\n' "$(extra_patches | tr '\n' ' ')"
		printf 'BUILD_SECONDS=%s\n' "$(($(date +%s) - start))"
		printf 'FILES_COMPILED=%s\n' "$n"
	} >"$build/.shs-build.env.new"
	mv -f "$build/.shs-build.env.new" "$build/.shs-build.env"
	publish_image "$build"
}

main() {
	local patch_only=0

	while [ $# -gt 0 ]; do
		case "$1" in
		--patch-only) patch_only=1 ;;
		-h | --help) usage; exit 0 ;;
		*) usage >&2; die "unknown argument '$1'" ;;
		esac
		shift
	done
	check_settings
	need_tools make gcc flex bison bc perl cpio gzip rsync
	mkdir -p "$CACHE_DIR/work"
	# The lock covers patch, config and build: all use the one work tree.
	with_lock "$(work_tree).lock" true
	# Fixed once, before anything is read: a patch edited during the
	# build must not relabel a kernel built from its old content.
	BUILD_ID=$(build_id)
	SOURCE_CONTENT=$(source_content_id)
	do_patch
	# The release comes from the tree's own Makefile, not from a version
	# this project assumes: a user's tree may be another one.
	RELEASE=$(tree_version "$(work_tree)")-shs-$BUILD_ID ||
		die "cannot read the kernel version from $(work_tree)/Makefile"
	[ "$patch_only" = 1 ] && return 0
	do_config
	do_build
}

main "$@"
