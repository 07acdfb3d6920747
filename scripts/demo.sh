#!/bin/sh
# demo.sh BUILD — `make demo`: a stopped process's group is orphaned and gets SIGHUP+SIGCONT, under jobshim then natively.
set -u
B=${1:-build}
prog=$B/itest/demo_orphan
for f in "$B/jobshim" "$B/libjobshim.so" "$prog"; do
	[ -e "$f" ] || { echo "demo: $f is missing (run make)" >&2; exit 1; }
done

# The trace (readable text on stderr) tells the same story from the engine's side.
trace=""
"$B/jobshim" run --help 2>&1 | grep -q -- --trace && trace="--trace -"
echo "== under jobshim: $B/jobshim run $trace -- $prog"
echo "   (virtual pids: the command is pid 2, init is pid 1)"
echo
# shellcheck disable=SC2086
"$B/jobshim" run $trace -- "$prog" 2>&1
rc=$?
echo
echo "== natively, for comparison: setsid -w $prog"
echo "   (real pids; the parent after reparenting is the nearest subreaper or init)"
echo
setsid -w "$prog"
rc2=$?
[ "$rc" -eq 0 ] && [ "$rc2" -eq 0 ]
