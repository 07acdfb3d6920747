#!/bin/bash
# guard.sh PID IDLE — a hang guard for run.sh's scripts: TERM PID when its process tree made no progress for IDLE s.
#
# Progress: any change in the CPU time (utime, stime and those of reaped
# children) summed over PID and its descendants, or in the set of their
# pids.  A loaded machine makes a script slower, never still, so this
# fires on a hang (everything blocked) and never on a slow run, where a
# fixed time limit did both.  Polls once a second, ends with PID.
set -u
pid=$1 idle=$2 last="" still=0
# "CPU PIDS" of the tree: bash builtins only (mawk gives up on a /proc
# entry that vanished while it read the list).
tree_cpu() {
	local f line p sum=0 ids="" q
	local -A kids cpu
	for f in /proc/[0-9]*/stat; do
		read -r line 2>/dev/null <"$f" || continue
		p=${f#/proc/}; p=${p%/stat}
		# shellcheck disable=SC2086
		set -- ${line##*) }
		kids[$2]="${kids[$2]:-} $p"
		cpu[$p]=$((${12} + ${13} + ${14} + ${15}))
	done
	q=$pid
	while [ -n "$q" ]; do
		set -- $q
		p=$1; shift; q="$* ${kids[$p]:-}"; q=${q#"${q%%[! ]*}"}
		[ -n "${cpu[$p]:-}" ] || continue
		sum=$((sum + cpu[$p])); ids="$ids $p"
	done
	echo "$sum$ids"
}
while kill -0 "$pid" 2>/dev/null; do
	now=$(tree_cpu)
	if [ "$now" != "$last" ]; then last=$now; still=0; else still=$((still + 1)); fi
	if [ "$still" -ge "$idle" ]; then
		echo "guard: no progress (CPU time, processes) for $idle s: a hang; TERM $pid" >&2
		kill -TERM "$pid" 2>/dev/null
		exit 0
	fi
	sleep 1
done
