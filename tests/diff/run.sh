#!/bin/sh
# run.sh — run scenarios natively and under jobshim in a private pid namespace; diff the logs.
#
# usage: run.sh [-n] [-r N] [-q] [-c] [-o DIR] SCN...
#   -n      native only (no jobshim needed); with -r, checks determinism
#   -r N    run natively N times and require identical logs (default 1)
#   -q      print only failures and the tally
#   -c      remove the run directories of scenarios that agreed
#   -o DIR  keep run directories under DIR (default $B/diff/runs)
# Environment: B (build dir, default build), JSDIFF_SETTLE_MS (see README),
# IT_PIDPUSH=0 (the jobshim side without pidpush: real ids start at 1, as
# in a container's fresh pid namespace, where they meet the vpids).
# Exit status: 0 when every scenario agreed, 1 otherwise.
set -u
B=${B:-build}
JSDIFF=$(realpath "$B/diff/jsdiff")
JOBSHIM=$(realpath -m "$B/jobshim")
PIDPUSH=$(realpath -m "$B/itest/pidpush")
native_only=0 repeat=1 quiet=0 clean=0 out=$B/diff/runs
while getopts nr:qco: opt; do
	case $opt in
	n) native_only=1 ;;
	r) repeat=$OPTARG ;;
	q) quiet=1 ;;
	c) clean=1 ;;
	o) out=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || { echo "usage: run.sh [-n] [-r N] [-q] [-c] [-o DIR] SCN..." >&2; exit 2; }
[ -x "$JSDIFF" ] || { echo "run.sh: $B/diff/jsdiff missing (make diff)" >&2; exit 2; }
if [ $native_only = 0 ] && { [ ! -x "$JOBSHIM" ] || [ ! -f "$B/libjobshim.so" ] || [ ! -x "$PIDPUSH" ]; }; then
	echo "run.sh: $B/jobshim, $B/libjobshim.so or $B/itest/pidpush missing (make)" >&2
	exit 2
fi

# One run: $1 = native|shim, $2 = scenario, $3 = run directory.  Every run
# is in its own pid namespace, so kill(-1) and group signals stay inside;
# --kill-child and the timeout make sure nothing outlives it.  The jobshim
# side starts as pidpush, which moves the real pids to 10000 and more and
# execs jobshim (pid 1 still): real and virtual pids never coincide, so a
# missing translation shows.  The native side keeps the kernel's numbers.
# jobshim starts in a session of its own, without a controlling terminal,
# as the native side's P0 is (jsdiff init calls setsid): run from a
# terminal, jobshim would keep the command in the terminal's session, and
# the known difference of that way (known/README) would show.
run_one() {
	rm -rf "$3" && mkdir -p "$3/logs"
	if [ "$1" = native ]; then
		timeout -k 2 20 unshare --pid --fork --kill-child --mount-proc \
			"$JSDIFF" init "$2" "$3/logs" </dev/null >"$3/stdout" 2>"$3/stderr"
	elif [ "${IT_PIDPUSH:-1}" = 0 ]; then
		timeout -k 2 20 unshare --pid --fork --kill-child --mount-proc setsid \
			"$JOBSHIM" run -- "$JSDIFF" run "$2" "$3/logs" </dev/null >"$3/stdout" 2>"$3/stderr"
	else
		timeout -k 2 20 unshare --pid --fork --kill-child --mount-proc setsid \
			"$PIDPUSH" "$JOBSHIM" run -- "$JSDIFF" run "$2" "$3/logs" </dev/null >"$3/stdout" 2>"$3/stderr"
	fi
	rc=$?
	"$JSDIFF" merge "$2" "$3/logs" >"$3/log"
	echo "status: $rc" >>"$3/log"
}

pass=0 fail=0
for scn in "$@"; do
	scn=$(realpath "$scn")
	name=$(basename "$scn" .scn)
	dir=$out/$name
	why=
	if ! err=$("$JSDIFF" check "$scn" 2>&1); then
		fail=$((fail + 1))
		echo "FAIL $name: invalid scenario: $err"
		continue
	fi
	run_one native "$scn" "$dir/native"
	# 90: executor error, 124/137: timeout.  Both runs failing alike must
	# not count as agreement.
	case $rc in 90 | 124 | 137) why="native run failed (status $rc)" ;; esac
	grep -qE ': (timeout|never created)$' "$dir/native/log" && why="native run hit a sync timeout"
	i=2
	while [ -z "$why" ] && [ $i -le "$repeat" ]; do
		run_one native "$scn" "$dir/native$i"
		cmp -s "$dir/native/log" "$dir/native$i/log" || { why="native run $i differs"; break; }
		i=$((i + 1))
	done
	other=native$i
	[ -d "$dir/$other" ] || other=native
	if [ -z "$why" ] && [ $native_only = 0 ]; then
		run_one shim "$scn" "$dir/shim"
		other=shim
		cmp -s "$dir/native/log" "$dir/shim/log" || why="native and jobshim differ"
	fi
	if [ -z "$why" ]; then
		pass=$((pass + 1))
		[ $quiet = 1 ] || echo "ok   $name"
		[ $clean = 0 ] || rm -rf "$dir"
		continue
	fi
	fail=$((fail + 1))
	echo "FAIL $name: $why ($dir)"
	diff -u --label native --label "$other" "$dir/native/log" "$dir/$other/log" | sed -n '3,60p'
	for f in "$dir/native/stderr" "$dir/$other/stderr"; do
		[ -s "$f" ] && { echo "  stderr of $f:"; head -5 "$f" | sed 's/^/    /'; }
	done
done
echo "diff: $pass agreed, $fail disagreed"
[ $fail -eq 0 ]
