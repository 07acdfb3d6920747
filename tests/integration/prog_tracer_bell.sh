#!/bin/bash
# prog_tracer_bell.sh BUILD — the tracer's doorbell: SEIZEs reach a tracer asleep in waitpid, with or without its doorbell, and nothing of it outlives the run.
# The tracer (supervisor/tracer.c) sleeps in waitpid; the supervisor wakes
# it for a SEIZE by signalling its doorbell, a traced child of the tracer.
# Each static image exec'd below is one SEIZE.  If the doorbell is killed
# (here from outside the tree, by pid), the tracer must notice and poll its
# socket instead, or the next SEIZE, and the run, would hang.  Run in a
# private pid namespace: the doorbell is found by name there.
B=$(cd "${1:-build}" && pwd) || exit 1
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"
why=$(it_shim_missing); [ -n "$why" ] && { echo "FAIL: $why"; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cc -static -O2 -o "$dir/alone" tests/integration/alone/alone.c || { echo "FAIL: static build"; exit 1; }

# The tree: a static image (the tracer starts, with its doorbell) forks a
# shell and stays, traced, until the shell ends: the tracer always has a
# tracee, so its waitpid never ends for want of children.  The shell runs
# another static image, then, once $dir/go exists, two more (two SEIZEs
# after whatever happened to the doorbell meanwhile).  setpgid goes
# through the tracer: "= 0" only when the image is traced (ENOSYS
# otherwise).
tree='"$1" ids | grep setpgid; echo "first $?"
while [ ! -e "$2/go" ]; do sleep 0.02; done
"$1" ids | grep setpgid; "$1" ids | grep setpgid; echo "last $?"'

# scenario KILL: the run's output, then what is left of the doorbell.
scenario() {
	timeout -k 5 60 $IT_NS bash -c '
		J=$1 A=$2 D=$3 kill=$4 tree=$5
		"$J" run -- "$A" exec /bin/sh -c "$tree" _ "$A" "$D" >"$D/out" 2>&1 &
		run=$!
		# -s: the background job may not have made $D/out yet.
		for _ in $(seq 1500); do grep -qs first "$D/out" && break; sleep 0.02; done
		bell=$(pgrep -x jobshim-bell)
		echo "doorbells: $(echo $bell | wc -w)"
		[ "$kill" = 1 ] && [ -n "$bell" ] && kill -KILL $bell
		touch "$D/go"
		wait $run
		echo "run: $?"
		grep -v "^alone: [pw]" "$D/out"
		echo "left: $(ps -e -o comm= | grep -c jobshim-bell)"
	' _ "$B/jobshim" "$dir/alone" "$dir" "$1" "$tree" </dev/null 2>&1
	rm -f "$dir/go" "$dir/out"
}

expect="doorbells: 1
run: 0
alone: setpgid(0, 0) = 0
first 0
alone: setpgid(0, 0) = 0
alone: setpgid(0, 0) = 0
last 0
left: 0"
it_expect "the doorbell wakes the tracer; gone with the run" "$(scenario 0)" "$expect"
it_expect "the doorbell killed: the tracer polls; no hang" "$(scenario 1)" "$expect"

[ "$it_failures" -eq 0 ]
