# sup.sh — shared prologue of the sup_*.sh scripts (sourced, bash).
# usage: . lib/sup.sh BUILD [NS_TIMEOUT]
# Sets B (absolute build dir), J (jobshim), T (a temp dir removed at exit),
# fail=0, and ok/bad for TAP-like lines.  With NS_TIMEOUT the script re-runs
# itself inside a private pid namespace first (under that hang guard), so
# that a wrong group signal or kill(-1) can never reach a process outside;
# its real pids start at 10000 or more (pidpush), far from the virtual ones.
B=$(cd "${1:-build}" && pwd)
if [ -n "${2:-}" ] && [ "${SUP_IN_NS:-}" != 1 ]; then
	SUP_IN_NS=1 exec timeout "$2" unshare --pid --fork --kill-child --mount-proc \
		"$B/itest/pidpush" "$0" "$B"
fi
J="$B/jobshim"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail=0
ok() { echo "ok - $*"; }
bad() { echo "not ok - $*"; fail=1; }

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
