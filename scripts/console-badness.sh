#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Console classifier, in the style of rcutorture's console-badness.sh:
# prints every line of a guest console log that shows the kernel in
# trouble, prefixed with its class, and leaves out an explicit list of
# lines known to be harmless.
#
#   hang:    hung task, soft or hard lockup, RCU stall (normal or
#            expedited, or RCU's grace-period kthread starved or not woken),
#            workqueue lockup, a CPU hotplug operation the guest's watcher
#            (initramfs/shs-watch.c) saw stuck
#   bug:     BUG, Oops, kernel panic, general protection fault, page fault
#            ("Unable to handle"), invalid opcode, divide error, KASAN,
#            UBSAN, KFENCE, list corruption, refcount_t, rcutorture's "!!!"
#   warning: WARNING, lockdep reports, suspicious RCU usage, Call Trace,
#            "Badness"
#
# The patterns cover those of rcutorture's console-badness.sh and the
# crash titles of syzkaller's Linux report parser (pkg/report/linux.go).
#
# Usage: scripts/console-badness.sh CONSOLE_LOG
# Exit status: 0 when nothing was found, 1 when something was, 4 on error.

set -euo pipefail

usage() {
	cat <<EOT
Usage: ${0##*/} CONSOLE_LOG

Prints "<class>: <line>" for every bad console line (class: hang, bug,
warning); exits 1 if there was any, 0 if none.
EOT
}

[ $# -eq 1 ] || { usage >&2; exit 4; }
[ "$1" != -h ] && [ "$1" != --help ] || { usage; exit 0; }
[ -r "$1" ] || { echo "${0##*/}: error: cannot read '$1'" >&2; exit 4; }

# Carriage returns from the serial line would defeat the anchors below.
tr -d '\r' <"$1" | awk '
# Known harmless: lines that match a pattern below but are not trouble.
# Each entry says why it is harmless.
function harmless(l) {
	# Boot-time notice about the mitigation config, not a kernel warning.
	if (l ~ /Spectre V2 : WARNING: Unprivileged eBPF/) return 1
	# Printed by the hung-task detector itself when it is configured.
	if (l ~ /hung_task: .*timeout/ && l !~ /blocked for more than/) return 1
	return 0
}
{
	line = $0
	sub(/^\[ *[0-9]+\.[0-9]+\] /, "", line)	# printk time stamp
	# The hang watcher'"'"'s evidence (initramfs/shs-watch.c): task dumps
	# asked for after a hang was reported, then a deliberate sysrq crash
	# that flushes the log.  The report that started it was classified
	# before it; its contents are not new trouble.
	if (line ~ /^SHS-HANG-DUMP begin/) { in_dump = 1; next }
	if (line ~ /^SHS-HANG-DUMP end/) { in_dump = 0; next }
	if (in_dump || line ~ /^SHS-RESULT rc=hang/) { after_dump = after_dump || !in_dump; next }
	if (after_dump) next
	if (harmless(line)) next
	class = ""
	if (line ~ /INFO: task .* blocked for more than [0-9]+ seconds/ ||
	    line ~ /BUG: soft lockup/ ||
	    line ~ /Watchdog detected hard LOCKUP/ ||
	    line ~ /rcu: INFO: .* detected stalls? on CPU/ ||
	    line ~ /rcu: INFO: .* self-detected stall/ ||
	    line ~ /detected stall(s)? on CPUs?\/tasks/ ||
	    line ~ /detected expedited stalls/ ||
	    line ~ /Stall ended before state dump start/ ||
	    line ~ /rcu_.*kthread starved for/ ||
	    line ~ /rcu_.*kthread timer wakeup didn.t happen/ ||
	    line ~ /BUG: workqueue lockup/ ||
	    line ~ /INFO: shs-watch: .* stuck .* for more than [0-9]+ seconds/)
		class = "hang"
	else if (line ~ /(^|[^a-zA-Z_])BUG: / || line ~ /kernel BUG at/ ||
		 line ~ /Oops: / || line ~ /Oops#/ ||
		 line ~ /Kernel panic - not syncing/ ||
		 line ~ /general protection fault/ ||
		 line ~ /[Uu]nable to handle/ ||
		 line ~ /invalid opcode: / || line ~ /divide error: / ||
		 line ~ /stack segment: / || line ~ /kernel stack overflow/ ||
		 line ~ /(^|[^a-zA-Z_])(KASAN|UBSAN|KFENCE|KCSAN|KMSAN): / ||
		 line ~ /list_(add|del) corruption/ ||
		 line ~ /refcount_t: / ||
		 line ~ /torture.*!!!/)
		class = "bug"
	else if (line ~ /(^|[^a-zA-Z_])WARNING: / ||
		 line ~ /Badness at/ ||
		 line ~ /possible circular locking dependency/ ||
		 line ~ /possible recursive locking detected/ ||
		 line ~ /inconsistent lock state/ ||
		 line ~ /possible irq lock inversion/ ||
		 line ~ /suspicious RCU usage/ ||
		 line ~ /DEBUG_LOCKS_WARN_ON/ ||
		 line ~ /Call Trace:/)
		class = "warning"
	if (class != "") {
		print class ": " line
		found = 1
	}
}
END { exit found ? 1 : 0 }'
