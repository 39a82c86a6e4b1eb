#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Helpers shared by the soak verbs (scripts/soak.sh, soak-report.sh,
# repro.sh): reading a finished run's directory and naming its failure.
# Sourced after scripts/lib.sh, never run.  Kept apart from lib.sh only so
# that the branch adding them touches no line another branch edits.

# EXIT_UNCOVERED is being added to lib.sh by another branch; until then:
EXIT_UNCOVERED=${EXIT_UNCOVERED:-5}

# soak_normalize: stdin to stdout, each line with its noise removed.
# Removes what differs between two occurrences of one bug (time stamps,
# PIDs, CPU numbers, durations, addresses, code offsets, source line
# numbers) and keeps what tells bugs apart (function names, hotplug states).
soak_normalize() {
	sed -E \
		-e 's/\r//g; s/^\[ *[0-9]+\.[0-9]+\] //' \
		-e 's/[[:space:]]+$//; s/\.$//' \
		-e 's/WARNING: CPU: [0-9]+ PID: [0-9]+ at ([^ :]+):[0-9]+ ([A-Za-z0-9_.]+)\+0x[0-9a-fA-F]+\/0x[0-9a-fA-F]+.*/WARNING in \2 (\1)/' \
		-e 's/\+0x[0-9a-fA-F]+\/0x[0-9a-fA-F]+//g' \
		-e 's/\b0x[0-9a-fA-F]+\b/0x.../g' \
		-e 's/\b[0-9a-f]{8,}\b/X/g' \
		-e 's/(\.[chS]):[0-9]+/\1:N/g' \
		-e 's/task ([^ ]+):[0-9]+ blocked/task \1 blocked/g' \
		-e 's/\[([^] ]+):[0-9]+\]/[\1]/g' \
		-e 's/\b(kworker\/u?)[0-9]+:[0-9]+/\1N:M/g' \
		-e 's/\b([A-Za-z_][A-Za-z0-9_-]*)\/[0-9]+\b/\1\/N/g' \
		-e 's/\b(cpu|CPU)(#|: ?| )?[0-9]+\b/\1\2N/g' \
		-e 's/\b(cpus|pid|PID|tgid|ppid|node)(: ?|=| )[0-9]+\b/\1\2N/g' \
		-e 's/\b[0-9]+(\.[0-9]+)?( ?)(seconds?|secs?|s|ms|us|ns|jiffies|ticks)\b/N\2\3/g'
}

# soak_verdict_word RUN: PASS, FAIL, HANG, BOOT-FAILED, UNCOVERED, or
# INCOMPLETE when the run left no verdict (interrupted, or a setup error).
soak_verdict_word() {
	local w=

	[ -s "$1/verdict" ] && w=$(head -n1 "$1/verdict" | cut -d' ' -f1)
	printf '%s\n' "${w:-INCOMPLETE}"
}

# soak_signature RUN: the title that groups a run with its twins, e.g.
# "HANG INFO: task kworker/N:M blocked for more than N seconds".
soak_signature() {
	local word reason

	word=$(soak_verdict_word "$1")
	[ "$word" != INCOMPLETE ] || { echo "INCOMPLETE no verdict"; return; }
	reason=$(head -n1 "$1/verdict" | cut -s -d' ' -f2-)
	# "FAIL console: warning: LINE (then: LINE2)": LINE is what happened.
	reason=$(printf '%s\n' "$reason" |
		sed -E 's/^console: (hang|bug|warning): //; s/ \(then: .*\)$//')
	printf '%s %s\n' "$word" "$(printf '%s\n' "$reason" | soak_normalize)"
}

# soak_ops RUN: hotplug operations the guest completed (the driver's
# totals line, else its last progress line, else 0).
soak_ops() {
	local g=$1/guest.log n=

	if [ -f "$g" ]; then
		n=$(sed -nE 's/^# hotplug-[a-z]+: ops=([0-9]+) .*/\1/p' "$g" | tail -n1)
		[ -n "$n" ] ||
			n=$(sed -nE 's/^# hotplug-[a-z]+: progress .*ops=([0-9]+).*/\1/p' "$g" | tail -n1)
	fi
	printf '%s\n' "${n:-0}"
}

# soak_stress_s RUN: seconds of stress the guest ran (the driver's
# elapsed_ms, else its last progress time, else the detection time).
soak_stress_s() {
	local r=$1 s=

	if [ -f "$r/guest.log" ]; then
		s=$(sed -nE 's/^# hotplug-[a-z]+: ops=.* elapsed_ms=([0-9]+).*/\1/p' "$r/guest.log" |
			tail -n1 | awk 'NF { printf "%.1f", $1 / 1000 }')
		[ -n "$s" ] ||
			s=$(sed -nE 's/^# hotplug-[a-z]+: progress t=([0-9]+)s .*/\1/p' "$r/guest.log" | tail -n1)
	fi
	[ -n "$s" ] || [ ! -f "$r/timing.txt" ] ||
		s=$(sed -n 's/^detect_s=//p' "$r/timing.txt" | tail -n1)
	printf '%s\n' "${s:-0}"
}

# soak_input RUN KEY: a "key: value" line of the run's inputs.txt.
# Prints nothing when the run has no such line.
soak_input() {
	[ -f "$1/inputs.txt" ] || return 0
	sed -n "s/^$2: //p" "$1/inputs.txt" | head -n1
}

# soak_parse_time VALUE: seconds in "8h", "90m", "45s", "1d" or "3600".
# Dies on anything else.
soak_parse_time() {
	local v=$1 n unit

	[[ "$v" =~ ^([0-9]{1,7})([smhd]?)$ ]] || die "SOAK_TIME='$v' is not a time (examples: 8h, 90m, 600s, 600)"
	n=${BASH_REMATCH[1]} unit=${BASH_REMATCH[2]}
	case "$unit" in
	'' | s) echo "$n" ;;
	m) echo $((n * 60)) ;;
	h) echo $((n * 3600)) ;;
	d) echo $((n * 86400)) ;;
	esac
}

# soak_default_jobs NPROC CPUS: guests one host can run without
# overloading it: floor(NPROC / min(CPUS, NPROC)), at least 1.
soak_default_jobs() {
	local nproc=$1 cpus=$2 per

	per=$((cpus < nproc ? cpus : nproc))
	[ "$per" -ge 1 ] || per=1
	echo $((nproc / per > 0 ? nproc / per : 1))
}

# soak_seed BASE INDEX: the seed of run INDEX of a soak started from BASE;
# different for every run, and the same plan again from the same BASE.
soak_seed() {
	echo $(((($1 * 6364136223846793005) + ($2 * 1442695040888963407) + 1) >> 16 & 0xffffffff))
}
