#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Soak: run guests back to back on the built kernel, rotating scenarios x
# drivers with a fresh seed each run, on this machine or spread over ssh
# hosts with GNU parallel, until SOAK_TIME has passed or SOAK_RUNS have run.
# Prints one line per finished run and a running tally; at the end, or on
# Ctrl-C, writes RESULTS_DIR/<date>-soak/ with soak.md, soak.json and
# soak.svg (scripts/soak-report.sh).
#
# Usage: scripts/soak.sh [--plan]
#        scripts/soak.sh --job SOAKDIR INDEX SCENARIO DRIVER SEED   (internal)

set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=scripts/soak-lib.sh
source "$(dirname "$0")/soak-lib.sh"

SOAK_TIME=${SOAK_TIME:-}
SOAK_RUNS=${SOAK_RUNS:-}
SOAK_SCENARIOS=${SOAK_SCENARIOS:-$SCENARIOS}
SOAK_DRIVERS=${SOAK_DRIVERS:-shs}
SOAK_STOP=${SOAK_STOP:-never}
SOAK_JOBS=${SOAK_JOBS:-}
SOAK_HOSTS=${SOAK_HOSTS:-}
SOAK_SEED=${SOAK_SEED:-}
SOAK_SSH=${SOAK_SSH:-ssh}
SOAK_REMOTE_DIR=${SOAK_REMOTE_DIR:-.cache/sched-hotplug-stress/soak-clone}
SOAK_RUN_CMD=${SOAK_RUN_CMD:-scripts/run.sh}
SOAK_BUILD_CMD=${SOAK_BUILD_CMD:-make kernel initramfs}
SOAK_MAX_ERRORS=${SOAK_MAX_ERRORS:-3}
SOAK_KEEP_INITRD=${SOAK_KEEP_INITRD:-0}

usage() {
	cat <<EOT
Usage: ${0##*/} [--plan]

Runs guests back to back on the built kernel (KCONFIG=$KCONFIG,
EXTRA_PATCHES=${EXTRA_PATCHES:-none}), each DURATION=$DURATION s with
CPUS=$CPUS, rotating SOAK_SCENARIOS x SOAK_DRIVERS, a fresh seed each run.
Builds first with SOAK_BUILD_CMD ('$SOAK_BUILD_CMD'), on every host.

  SOAK_TIME=8h|90m|600s  start no run after this long (runs started finish)
  SOAK_RUNS=N            stop after N runs (default without SOAK_TIME: one
                         rotation, every scenario x driver once)
  SOAK_SCENARIOS=...     default: $SCENARIOS
  SOAK_DRIVERS=...       default: shs (choose from: $DRIVERS)
  SOAK_STOP=first|never  first: start no run after the first FAIL, HANG or
                         BOOT-FAILED; runs already going finish (default never)
  SOAK_JOBS=N            guests at once on each host; default, per host:
                         floor(nproc / min(CPUS, nproc)), at least 1, since a
                         TCG guest keeps up to CPUS host cores busy and an
                         overloaded guest is a false hang waiting to happen
  SOAK_HOSTS=u@a,u@b     run on these ssh hosts instead of here (GNU parallel
                         --sshlogin); each gets the clone by rsync in
                         SOAK_REMOTE_DIR (default ~/$SOAK_REMOTE_DIR)
                         and builds there.  List localhost to use this
                         machine too.  SOAK_SSH: the ssh command (default ssh)
  SOAK_SEED=N            seed of the run plan (default random; in soak.json)
  SOAK_RUN_CMD, SOAK_BUILD_CMD  stand-ins for tests (relative to the clone)
  SOAK_MAX_ERRORS=N      give up after N runs that could not start (default 3)
  SOAK_KEEP_INITRD=1     keep each run's initrd.cpio.gz copy (default: delete;
                         it is the cached initramfs plus the kernel's modules)

--plan prints the first runs of the plan and exits.
Exit status: 0 every run passed, 1 some did not, 4 error, 130 interrupted.
EOT
}

# --- one run (GNU parallel calls this, here or on a remote host) ----------

# job SOAKDIR INDEX SCENARIO DRIVER SEED: one run into SOAKDIR/runs/INDEX;
# prints one SOAK-RESULT line; its status tells GNU parallel when to halt.
job() {
	local sd idx=$2 scen=$3 drv=$4 seed=$5 rdir rc=0 res word t0

	sd=$(cd "$1" && pwd) || die "--job: no soak directory '$1'"
	# shellcheck source=/dev/null
	source "$sd/soak.env"
	# Two sshlogins may share one remote directory: GNU parallel knows
	# which one runs this job.
	[ -z "${PARALLEL_SSHLOGIN:-}" ] || [ "$PARALLEL_SSHLOGIN" = : ] ||
		SOAK_HOST=$(printf '%s\n' "$PARALLEL_SSHLOGIN" | sed -E 's|^[0-9]+/||')
	if [ -n "$SOAK_DEADLINE" ] && [ "$(date +%s)" -ge "$SOAK_DEADLINE" ]; then
		echo "SOAK-SKIP $idx"
		return 0
	fi
	rdir=$sd/runs/$idx
	mkdir -p "$rdir"
	t0=$(date +%s)
	printf 'index=%s\nscenario=%s\ndriver=%s\nseed=%s\nhost=%s\nstart=%s\n' \
		"$idx" "$scen" "$drv" "$seed" "$SOAK_HOST" "$t0" >"$rdir/job.txt"
	(cd "$SHS_TOP" && env SCENARIO="$scen" DRIVER="$drv" SEED="$seed" \
		RESULTS_DIR="$rdir" DURATION="$DURATION" COVER_EXTEND="$COVER_EXTEND" CPUS="$CPUS" KCONFIG="$KCONFIG" \
		EXTRA_PATCHES="$EXTRA_PATCHES" INJECT="$INJECT" ACCEL="$ACCEL" \
		SHS_PIN_BUILD_ID="${SHS_PIN_BUILD_ID:-}" SHS_PIN_INITRAMFS_ID="${SHS_PIN_INITRAMFS_ID:-}" \
		bash -c "$SOAK_RUN_CMD") >"$rdir/run.log" 2>&1 </dev/null || rc=$?
	printf 'end=%s\nrc=%s\n' "$(date +%s)" "$rc" >>"$rdir/job.txt"
	res=$(find "$rdir" -mindepth 1 -maxdepth 1 -type d -name '2*' | sort | tail -n1)
	if [ -n "$res" ]; then
		[ "$SOAK_KEEP_INITRD" = 1 ] || rm -f "$res/initrd.cpio.gz"
		word=$(soak_verdict_word "$res")
	else
		word=INCOMPLETE
	fi
	[ "$word" != INCOMPLETE ] || [ "$rc" = 130 ] || word=ERROR
	printf 'SOAK-RESULT %s %s %s %s %s %s %s %s %s\n' "$idx" "$word" "$scen" "$drv" \
		"$seed" "$( [ -z "$res" ] || soak_ops "$res")" \
		"$( [ -z "$res" ] || soak_stress_s "$res")" "$SOAK_HOST" "${res#"$sd"/}"
	case "$word" in
	PASS | UNCOVERED) return 0 ;;
	ERROR | INCOMPLETE) return "$EXIT_ERROR" ;;
	*) [ "$SOAK_STOP" = first ] && return 1 ;;
	esac
	return 0
}

# --- the soak ---------------------------------------------------------------

PLAN_ONLY=0

# parse_args ARGS...: --plan, --help, or the internal --job.
parse_args() {
	while [ $# -gt 0 ]; do
		case "$1" in
		--plan) PLAN_ONLY=1 ;;
		--job)
			[ $# -eq 6 ] || die "--job needs SOAKDIR INDEX SCENARIO DRIVER SEED"
			shift
			job "$@"
			exit
			;;
		-h | --help) usage; exit 0 ;;
		*) usage >&2; die "unknown argument '$1'" ;;
		esac
		shift
	done
}

# check_soak_settings: every SOAK_* value, and the run settings, checked
# before anything is built.
check_soak_settings() {
	local s

	[ -n "$SOAK_SCENARIOS" ] || die "SOAK_SCENARIOS is empty"
	for s in $SOAK_SCENARIOS; do check_scenario "$s"; done
	[ -n "$SOAK_DRIVERS" ] || die "SOAK_DRIVERS is empty"
	for s in $SOAK_DRIVERS; do
		[[ " $DRIVERS " == *" $s "* ]] ||
			die "SOAK_DRIVERS: '$s' is unknown; choose from: $DRIVERS"
	done
	SCENARIO=${SOAK_SCENARIOS%% *} DRIVER=${SOAK_DRIVERS%% *} SEED=
	check_settings
	extra_patches >/dev/null
	[ -z "$SOAK_RUNS" ] || check_uint SOAK_RUNS "$SOAK_RUNS" 1 1000000
	DEADLINE=
	if [ -n "$SOAK_TIME" ]; then
		DEADLINE=$(soak_parse_time "$SOAK_TIME") || exit "$EXIT_ERROR"
		DEADLINE=$(($(date +%s) + DEADLINE))
	fi
	if [ -z "$SOAK_RUNS" ] && [ -z "$SOAK_TIME" ]; then
		set -- $SOAK_SCENARIOS
		SOAK_RUNS=$#
		set -- $SOAK_DRIVERS
		SOAK_RUNS=$((SOAK_RUNS * $#))
	fi
	case "$SOAK_STOP" in
	first | never) ;;
	*) die "SOAK_STOP='$SOAK_STOP' is unknown; use first or never" ;;
	esac
	[ -z "$SOAK_JOBS" ] || check_uint SOAK_JOBS "$SOAK_JOBS" 1 256
	[ -z "$SOAK_SEED" ] || check_uint SOAK_SEED "$SOAK_SEED" 0 4294967295
	: "${SOAK_SEED:=$(($(date +%s%N) % 4294967296))}"
	check_uint SOAK_MAX_ERRORS "$SOAK_MAX_ERRORS" 1 1000
	case "$SOAK_KEEP_INITRD" in 0 | 1) ;; *) die "SOAK_KEEP_INITRD='$SOAK_KEEP_INITRD': use 0 or 1" ;; esac
	HOSTS=()
	if [ -n "$SOAK_HOSTS" ]; then
		IFS=, read -ra HOSTS <<<"$SOAK_HOSTS"
		for s in "${HOSTS[@]}"; do
			[[ "$s" =~ ^([A-Za-z0-9._-]+@)?[A-Za-z0-9._:-]+$ ]] && [ "$s" != : ] ||
				die "SOAK_HOSTS: '$s' is not user@host or host (to use this machine too, list localhost)"
		done
	fi
	[[ "$SOAK_REMOTE_DIR" =~ ^[A-Za-z0-9._/-]+$ ]] && [[ "$SOAK_REMOTE_DIR" != *..* ]] ||
		die "SOAK_REMOTE_DIR='$SOAK_REMOTE_DIR': use a plain path without '..'"
	read -ra SSH_CMD <<<"$SOAK_SSH"
	need_tools parallel
	[ "${#HOSTS[@]}" -eq 0 ] || need_tools rsync "${SSH_CMD[0]}"
}

# plan_line INDEX: "INDEX SCENARIO DRIVER SEED" of run INDEX (from 1):
# scenarios x drivers in turn, a seed of its own.
plan_line() {
	local i=$1 scen drv
	local -a ss dd

	read -ra ss <<<"$SOAK_SCENARIOS"
	read -ra dd <<<"$SOAK_DRIVERS"
	scen=${ss[$(((i - 1) % ${#ss[@]}))]}
	drv=${dd[$((((i - 1) / ${#ss[@]}) % ${#dd[@]}))]}
	printf '%04d %s %s %s\n' "$i" "$scen" "$drv" "$(soak_seed "$SOAK_SEED" "$i")"
}

# make_soak_dir: a new RESULTS_DIR/<date>-soak, never an existing one.
make_soak_dir() {
	local base n=1

	mkdir -p "$RESULTS_DIR"
	base=$RESULTS_DIR/$(date +%Y%m%d-%H%M%S)-soak
	SOAK_DIR=$base
	while ! mkdir "$SOAK_DIR" 2>/dev/null; do
		n=$((n + 1))
		SOAK_DIR=$base-$n
		[ "$n" -lt 100 ] || die "cannot create a soak directory under $RESULTS_DIR"
	done
	SOAK_DIR=$(cd "$SOAK_DIR" && pwd)
	SOAK_NAME=${SOAK_DIR##*/}
	mkdir -p "$SOAK_DIR/runs" "$SOAK_DIR/patches"
	info "soak: $SOAK_DIR"
}

# write_env FILE HOST EXTRA [INITRAMFS_ID]: the settings a job reads
# (scripts/soak.sh --job).  Every run boots the kernel (and, here, the
# initramfs) built when the soak started, even if the clone is edited
# meanwhile: their ids are pinned.  A remote host builds its own
# initramfs (its busybox and gcc may differ), so only the kernel's id,
# checked equal, is pinned there.
write_env() {
	{
		printf '# SPDX-License-Identifier: GPL-2.0\n# written by scripts/soak.sh\n'
		printf '%s=%q\n' DURATION "$DURATION" COVER_EXTEND "$COVER_EXTEND" CPUS "$CPUS" KCONFIG "$KCONFIG" \
			EXTRA_PATCHES "$3" INJECT "$INJECT" ACCEL "$ACCEL" \
			SOAK_RUN_CMD "$SOAK_RUN_CMD" SOAK_STOP "$SOAK_STOP" \
			SOAK_DEADLINE "$DEADLINE" SOAK_KEEP_INITRD "$SOAK_KEEP_INITRD" SOAK_HOST "$2" \
			SHS_PIN_BUILD_ID "$(build_id)" SHS_PIN_INITRAMFS_ID "${4:-}"
	} >"$1"
}

# record_soak: what the soak is, for the report and for whoever reads it.
record_soak() {
	local p

	for p in $(extra_patches); do cp "$p" "$SOAK_DIR/patches/"; done
	{
		printf 'started=%s\nproject=%s\n' "$(date +%s)" \
			"$(git -C "$SHS_TOP" describe --always --dirty 2>/dev/null || echo unknown)"
		printf 'release=%s\nkconfig=%s\nextra_patches=%s\n' "$(kernel_release)" "$KCONFIG" "$EXTRA_PATCHES"
		printf 'scenarios=%s\ndrivers=%s\nduration=%s\ncpus=%s\ninject=%s\naccel=%s\n' \
			"$SOAK_SCENARIOS" "$SOAK_DRIVERS" "$DURATION" "$CPUS" "$INJECT" "$ACCEL"
		printf 'soak_time=%s\nsoak_runs=%s\nsoak_stop=%s\nsoak_seed=%s\nhosts=%s\n' \
			"$SOAK_TIME" "$SOAK_RUNS" "$SOAK_STOP" "$SOAK_SEED" "${SOAK_HOSTS:-local}"
	} >"$SOAK_DIR/soak-info.txt"
}

# prepare_local: build here once, and settle the number of jobs.
prepare_local() {
	local t0=$SECONDS

	info "local: building with '$SOAK_BUILD_CMD' (log: $SOAK_DIR/prepare-local.log)"
	(cd "$SHS_TOP" && bash -c "$SOAK_BUILD_CMD") >"$SOAK_DIR/prepare-local.log" 2>&1 </dev/null ||
		die "local build failed; see $SOAK_DIR/prepare-local.log"
	SLOTS=${SOAK_JOBS:-$(soak_default_jobs "$(nproc)" "$CPUS")}
	write_env "$SOAK_DIR/soak.env" "$(hostname)" "$EXTRA_PATCHES" "$(initramfs_id)"
	info "local: built $(kernel_release) in $((SECONDS - t0)) s; $SLOTS job(s) at once ($(nproc) cores, CPUS=$CPUS)"
	echo "local: $(kernel_release), $SLOTS jobs, $(nproc) cores" >>"$SOAK_DIR/hosts.txt"
}

# rsh HOST CMD: run a shell command on HOST with the soak's ssh command.
# CMD is one string, as ssh passes it to the remote shell.
rsh() { "${SSH_CMD[@]}" "$1" "$2"; }

# q WORD: WORD quoted for a remote shell command line.
# Every value that goes into an rsh command passes through here.
q() { printf '%q' "$1"; }

# prepare_host HOST: rsync the clone to HOST, build there, check that it
# builds the same kernel as here, and say how many jobs it takes.
prepare_host() {
	local h=$1 log="$SOAK_DIR/prepare-${1//[^A-Za-z0-9._-]/_}.log" rdir nfiles
	local wd=$SOAK_REMOTE_DIR/.soak/$SOAK_NAME extra="" p rel nproc jobs t0=$SECONDS

	info "$h: copying the clone to $SOAK_REMOTE_DIR, building (log: $log)"
	: >"$log"
	rsh "$h" "mkdir -p $(q "$wd/patches") $(q "$wd/runs") && cd $(q "$SOAK_REMOTE_DIR") && pwd" >"$SOAK_DIR/.rdir" 2>>"$log" ||
		die "$h: cannot reach it with '$SOAK_SSH' or create $SOAK_REMOTE_DIR; see $log"
	rdir=$(tail -n1 "$SOAK_DIR/.rdir")
	rm -f "$SOAK_DIR/.rdir"
	nfiles=$(cd "$SHS_TOP" && git ls-files -co --exclude-standard | grep -c .)
	(cd "$SHS_TOP" && git ls-files -co --exclude-standard |
		rsync -a --files-from=- -e "$SOAK_SSH" . "$h:$SOAK_REMOTE_DIR/") >>"$log" 2>&1 ||
		die "$h: rsync of the clone failed; see $log"
	for p in $(extra_patches); do
		rsync -a -e "$SOAK_SSH" "$p" "$h:$wd/patches/" >>"$log" 2>&1 ||
			die "$h: rsync of $p failed; see $log"
		extra+="$rdir/.soak/$SOAK_NAME/patches/${p##*/} "
	done
	extra=${extra% }
	rsh "$h" "cd $(q "$SOAK_REMOTE_DIR") && env KCONFIG=$(q "$KCONFIG") EXTRA_PATCHES=$(q "$extra") bash -c $(q "$SOAK_BUILD_CMD")" \
		>>"$log" 2>&1 </dev/null || die "$h: build failed ('$SOAK_BUILD_CMD'); see $log"
	# The build id names the kernel whatever cache either side uses.
	rel=$(rsh "$h" "cd $(q "$SOAK_REMOTE_DIR") && env KCONFIG=$(q "$KCONFIG") EXTRA_PATCHES=$(q "$extra") bash -c 'source scripts/lib.sh && build_id'" 2>>"$log" </dev/null) ||
		die "$h: cannot compute its build id; see $log"
	[ "$rel" = "$(build_id)" ] ||
		die "$h: would run the kernel of build id $rel, but this clone builds $(build_id)"
	nproc=$(rsh "$h" nproc </dev/null)
	jobs=${SOAK_JOBS:-$(soak_default_jobs "$nproc" "$CPUS")}
	write_env "$SOAK_DIR/soak-$SOAK_NAME.env" "$h" "$extra"
	rsync -a -e "$SOAK_SSH" "$SOAK_DIR/soak-$SOAK_NAME.env" "$h:$wd/soak.env" >>"$log" 2>&1 ||
		die "$h: cannot copy soak.env; see $log"
	rm -f "$SOAK_DIR/soak-$SOAK_NAME.env"
	SSHLOGINS+="${SSHLOGINS:+,}$jobs/$h"
	SLOTS=$((SLOTS + jobs))
	info "$h: rsynced $nfiles files to $rdir, built build id $rel with '$SOAK_BUILD_CMD' in $((SECONDS - t0)) s; $jobs job(s) at once ($nproc cores)"
	echo "$h: build id $rel, $jobs jobs, $nproc cores, clone in $rdir" >>"$SOAK_DIR/hosts.txt"
}

# generate: the plan lines, never more than SLOTS + 1 ahead of the runs
# that finished, so that a SOAK_TIME soak stops starting runs on time.
generate() {
	local i=1 done_n

	while { [ -z "$SOAK_RUNS" ] || [ "$i" -le "$SOAK_RUNS" ]; }; do
		while :; do
			[ -z "$DEADLINE" ] || [ "$(date +%s)" -lt "$DEADLINE" ] || return 0
			done_n=$(grep -c '^SOAK-' "$SOAK_DIR/progress.log" 2>/dev/null || true)
			[ "$i" -gt $((${done_n:-0} + SLOTS + 1)) ] || break
			sleep 1
		done
		plan_line "$i"
		i=$((i + 1))
	done
}

# show_progress: one line per run finished since the last call, with the
# tally so far.
SHOWN=0
declare -A TALLY=()
show_progress() {
	local line n=0 tag idx word scen drv seed ops host tally v

	while IFS= read -r line; do
		n=$((n + 1))
		[ "$n" -gt "$SHOWN" ] || continue
		SHOWN=$n
		read -r tag idx word scen drv seed ops _ host _ <<<"$line"
		[ "$tag" = SOAK-RESULT ] || continue
		TALLY[$word]=$((${TALLY[$word]:-0} + 1))
		tally=
		for v in PASS FAIL HANG BOOT-FAILED UNCOVERED INCOMPLETE ERROR; do
			[ -z "${TALLY[$v]:-}" ] || tally+="${tally:+, }${TALLY[$v]} $v"
		done
		printf '%s: run %s %-11s %s/%s seed=%s ops=%s on %s | %s | %dm%02ds\n' \
			"${0##*/}" "$idx" "$word" "$scen" "$drv" "$seed" "${ops:-0}" "$host" \
			"$tally" $((SECONDS / 60)) $((SECONDS % 60))
	done <"$SOAK_DIR/progress.log"
}

INTERRUPTED=0
PAR_PID=
GEN_PID=

# on_signal: Ctrl-C or TERM: let GNU parallel stop its jobs (they kill
# their QEMU), then the report is written for what ran.
on_signal() {
	INTERRUPTED=1
	[ -z "$PAR_PID" ] || kill -INT "$PAR_PID" 2>/dev/null || true
}

# run_soak: GNU parallel runs the plan, here or on the hosts.
run_soak() {
	local -a par=(parallel --colsep ' ' --joblog "$SOAK_DIR/joblog"
		--halt "soon,fail=$([ "$SOAK_STOP" = first ] && echo 1 || echo "$SOAK_MAX_ERRORS")")
	local wd=$SOAK_REMOTE_DIR/.soak/$SOAK_NAME

	if [ "${#HOSTS[@]}" -eq 0 ]; then
		par+=(-j "$SLOTS" "$(printf %q "$SHS_TOP/scripts/soak.sh")" --job
			"$(printf %q "$SOAK_DIR")" '{1}' '{2}' '{3}' '{4}')
	else
		par+=(--ssh "$SOAK_SSH" -S "$SSHLOGINS" --workdir "$wd"
			--return 'runs/{1}' --cleanup
			../../scripts/soak.sh --job . '{1}' '{2}' '{3}' '{4}')
	fi
	: >"$SOAK_DIR/progress.log"
	exec {gen_fd}< <(generate)
	GEN_PID=$!
	trap on_signal INT TERM
	info "running: ${SOAK_RUNS:-unlimited} runs${SOAK_TIME:+ for $SOAK_TIME}, $SLOTS at once, stop: $SOAK_STOP"
	(cd "$SOAK_DIR" && exec "${par[@]}") <&"$gen_fd" >>"$SOAK_DIR/progress.log" 2>"$SOAK_DIR/parallel.log" &
	PAR_PID=$!
	while kill -0 "$PAR_PID" 2>/dev/null; do
		show_progress
		sleep 1 || true
	done
	wait "$PAR_PID" 2>/dev/null || true
	PAR_PID=
	show_progress
	kill "$GEN_PID" 2>/dev/null || true
	exec {gen_fd}<&-
	grep -v '^parallel: Warning: Only enough' "$SOAK_DIR/parallel.log" >&2 || true
}

# collect: bring back what the hosts still hold (runs cut short by an
# interruption are never returned by GNU parallel), then remove it there.
collect() {
	local h wd=$SOAK_REMOTE_DIR/.soak/$SOAK_NAME

	for h in "${HOSTS[@]}"; do
		rsync -a -e "$SOAK_SSH" "$h:$wd/runs/" "$SOAK_DIR/runs/" >>"$SOAK_DIR/collect.log" 2>&1 ||
			info "$h: could not collect leftover runs; see $SOAK_DIR/collect.log"
		rsh "$h" "rm -rf $(q "$wd")" </dev/null >>"$SOAK_DIR/collect.log" 2>&1 || true
	done
}

# report: soak.md, soak.json and the plot; the exit status of the soak.
report() {
	local rc=0

	[ "$INTERRUPTED" = 0 ] || echo "interrupted=1" >>"$SOAK_DIR/soak-info.txt"
	echo "ended=$(date +%s)" >>"$SOAK_DIR/soak-info.txt"
	ln -sfn "$SOAK_DIR" "$RESULTS_DIR/latest-soak"
	"$SHS_TOP/scripts/soak-report.sh" "$SOAK_DIR" || rc=$?
	[ "$INTERRUPTED" = 0 ] || exit 130
	[ "$rc" -le 1 ] || die "the report could not be written"
	exit "$rc"
}

main() {
	parse_args "$@"
	check_soak_settings
	if [ "$PLAN_ONLY" = 1 ]; then
		local i
		for ((i = 1; i <= ${SOAK_RUNS:-10}; i++)); do plan_line "$i"; done
		return 0
	fi
	make_soak_dir
	record_soak
	SLOTS=0 SSHLOGINS=
	if [ "${#HOSTS[@]}" -eq 0 ]; then
		prepare_local
	else
		for h in "${HOSTS[@]}"; do prepare_host "$h"; done
	fi
	run_soak
	collect
	report
}

main "$@"
