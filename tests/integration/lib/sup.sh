# sup.sh — shared prologue of the sup_*.sh scripts (sourced, bash).
# usage: . lib/sup.sh BUILD [NS_TIMEOUT]
# Sets B (absolute build dir), J (jobshim), T (a temp dir removed at exit),
# fail=0, and ok/bad for TAP-like lines.  With NS_TIMEOUT the script re-runs
# itself inside a private pid namespace first (under that hang guard), so
# that a wrong group signal or kill(-1) can never reach a process outside;
# its real pids start at 10000 or more (pidpush), far from the virtual ones.
# IT_PIDPUSH=0 leaves pidpush out: real ids from 1, as in a container.
B=$(cd "${1:-build}" && pwd)
if [ -n "${2:-}" ] && [ "${SUP_IN_NS:-}" != 1 ]; then
	push="$B/itest/pidpush"
	[ "${IT_PIDPUSH:-1}" = 0 ] && push=
	SUP_IN_NS=1 exec timeout "$2" unshare --pid --fork --kill-child --mount-proc \
		${push:+"$push"} "$0" "$B"
fi
J="$B/jobshim"
T=$(mktemp -d)
# 0711 like /tmp's own subdirectories would need: a run with TMPDIR=$T/...
# keeps its directory there only if every uid may pass (supervisor/rundir.c).
chmod 711 "$T"
trap 'rm -rf "$T"' EXIT
fail=0
ok() { echo "ok - $*"; }
bad() { echo "not ok - $*"; fail=1; }

# progress_guard IDLE CMD...: run CMD; end it (SIGTERM, then SIGKILL 5 s
# later; status 124, as timeout's) only when nothing advanced for IDLE
# seconds: no process was created in this pid namespace (ns_last_pid stood
# still).  A slow machine makes the loads slower, never still, so this
# catches a hang without failing a loaded run; a fixed time limit did both.
# Inside the private namespace only (NS_TIMEOUT above): the host's pids
# would move for other reasons.  The watcher itself creates no process
# while it watches (builtins only: read -t on a FIFO that stays empty).
progress_guard() {
	local idle=$1 pid rc w
	shift
	[ "${SUP_IN_NS:-}" = 1 ] || { echo "progress_guard: not in a private pid namespace" >&2; return 125; }
	rm -f "$T/.guard" "$T/.guard_fired"
	mkfifo "$T/.guard"
	# An asynchronous command of a non-interactive shell starts with
	# SIGINT and SIGQUIT ignored; timeout's command did not.
	(trap - INT QUIT; exec "$@") &
	pid=$!
	# The watcher is told to stop through the FIFO, never with a signal:
	# a subshell signalled before it has reset its traps runs the
	# script's EXIT trap (rm -rf "$T").
	(
		exec 3<>"$T/.guard"
		last=; still=0
		until read -r -t 1 -u 3 _; do
			read -r now </proc/sys/kernel/ns_last_pid
			if [ "$now" != "$last" ]; then last=$now; still=0; else still=$((still + 1)); fi
			if [ "$still" -ge "$idle" ]; then
				echo "progress_guard: no new process for $idle s: a hang; ending $*" >&2
				: >"$T/.guard_fired" # before the kill: the wait below returns at once
				kill -TERM "$pid" 2>/dev/null
				for _ in 1 2 3 4 5; do read -r -t 1 -u 3 _ && exit 0; done
				kill -KILL "$pid" 2>/dev/null
				exit 0
			fi
		done
	) &
	w=$!
	wait "$pid"
	rc=$?
	# Read-write: never blocks, whether or not the watcher still reads.
	exec 4<>"$T/.guard"
	echo stop >&4
	exec 4>&-
	wait "$w"
	[ -f "$T/.guard_fired" ] && rc=124
	rm -f "$T/.guard" "$T/.guard_fired"
	return "$rc"
}

# fds_back PID N: wait until PID has N open fds again (a supervisor closes
# a finished client when it handles the hang-up, at its own pace); prints
# the last count.  Gives up after 10 s: then the fds really leaked.
fds_back() {
	local n
	for _ in $(seq 200); do
		n=$(ls /proc/"$1"/fd | wc -l)
		[ "$n" = "$2" ] && break
		sleep 0.05
	done
	echo "$n"
}

# For a shell in the tree: `is_sleep PID` waits until PID has exec'd sleep
# (after its setsid, if it runs setsid), where a fixed pause lost the race
# under load.  `read` is a builtin: the shell's own open of /proc/VPID goes
# through the shim, which translates the vpid.  Usage: sh -c "$IS_SLEEP"'...'
# shellcheck disable=SC2016
IS_SLEEP='is_sleep() { until read c 2>/dev/null </proc/$1/comm && [ "$c" = sleep ]; do sleep 0.01; done; };'

# stopped_run NAME: run itest program NAME under jobshim in the background
# (`NAME $T`, output in $T/out; its pid in `run`), and once it has printed
# "ready", stop the run (the supervisor, by pid) and create $T/stopped, the
# program's cue to go on without it.  Exits the test when NAME is missing.
stopped_run() {
	local p="$B/itest/$1"
	[ -x "$J" ] && [ -x "$p" ] || { echo "not ok - $J or $p missing"; exit 1; }
	"$J" run -- "$p" "$T" >"$T/out" 2>&1 &
	run=$!
	for _ in $(seq 3000); do grep -qs '^ready' "$T/out" && break; sleep 0.01; done
	kill -STOP "$run"
	touch "$T/stopped"
}
