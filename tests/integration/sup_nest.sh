#!/bin/bash
# sup_nest.sh BUILD — jobshim inside jobshim: a fresh namespace per run, torn down, traced and killed as one subtree.
# Runs itself inside a private pid namespace: kill(-1) and group signals are sent.
set -u
. "$(dirname "$0")/lib/sup.sh" "${1:-build}" 300
[ -x "$J" ] || { echo "not ok - $J missing"; exit 1; }
NI="$B/itest/native_init"
[ -x "$NI" ] || { echo "not ok - $NI missing"; exit 1; }

now_ms() { date +%s%3N; }

# The oracle for nesting is Linux's own: a pid namespace inside a pid
# namespace, each with native_init as the launcher (what `jobshim run` is,
# minus the virtualization).  Each scenario is one shell script that starts
# every level with $NEST, run once with NEST = a native nested namespace and
# once with NEST = `jobshim run --`: the outputs must be equal to WANT.
NATIVE_NEST="unshare --pid --fork --kill-child --mount-proc $NI"
JOBSHIM_NEST="$J run --"
both() { # WHAT WANT SCRIPT
	local what=$1 want=$2 script=$3 n s
	n=$(cd "$T" && NEST=$NATIVE_NEST timeout 60 sh -c "$script" 2>"$T/nerr" </dev/null)
	s=$(cd "$T" && NEST=$JOBSHIM_NEST timeout 60 sh -c "$script" 2>"$T/serr" </dev/null)
	[ "$n" = "$want" ] && ok "$what (native)" || bad "$what (native): got '$(echo $n)' want '$(echo $want)'"
	[ "$s" = "$want" ] && ok "$what (jobshim)" ||
		bad "$what (jobshim): got '$(echo $s)' want '$(echo $want)'; stderr: $(head -c 600 "$T/serr")"
	if grep -q '^jobshim' "$T/serr"; then
		bad "$what (jobshim stderr): $(grep '^jobshim' "$T/serr" | head -5)"
	fi
}
export NEST

both "nested run: the command is pid 2" 2 \
	'$NEST $NEST sh -c "echo \$\$"'

# (The outer tree's numbering is not compared: natively every process of
# the inner namespace also takes a pid of the outer one, under jobshim the
# inner processes have no outer vpid; see docs/internals.md, "Nesting".)
both "the inner tree's pids start over" "$(printf '2\n3\n2')" \
	'$NEST sh -c '\''sleep 0 & wait; $NEST sh -c "echo \$\$; sleep 0 & echo \$!; wait"; echo $$'\'

both "three levels deep" "$(printf '2\n3\n0')" \
	'$NEST $NEST $NEST sh -c "echo \$\$; sleep 0 & echo \$!; wait; echo \$?"'

# A pid namespace made inside the tree (unshare --pid) is a nested tree
# too: its first process is pid 1 there, its children 2, ..., as natively.
both "a pid namespace inside the tree" "$(printf '2\n1\n2\n2')" \
	'$NEST sh -c '\''echo $$; unshare --pid --fork --mount-proc sh -c "echo \$\$; sleep 0 & echo \$!; wait"; echo $$'\'

# kill(-1) in the inner tree reaches the inner tree only (the inner's
# sleep, not the outer's); the caller itself is spared, as natively.
both "inner kill(-1) stays inside" "$(printf 'inner-sleep-143\nouter-sleep-alive')" \
	'$NEST sh -c '\''sleep 30 & S=$!
	$NEST sh -c "sleep 30 & kill -TERM -1; wait \$!; echo inner-sleep-\$?"
	kill -0 $S && echo outer-sleep-alive; kill $S; wait'\'

# kill(-1) in the outer tree reaches the whole inner tree: nothing of it is
# left running (a SIGKILL to the inner supervisor alone would leave its
# processes behind, adopted by the outer).
both "outer kill(-1) reaches the inner tree" "$(printf 'left: 0\ndone')" \
	'$NEST sh -c '\''rm -f ready; $NEST sh -c "sleep 30 & touch ready; wait; echo not-reached" &
	while [ ! -e ready ]; do sleep 0.02; done
	kill -KILL -1; wait; sleep 0.2
	echo "left: $(pgrep -x sleep | wc -l)"; echo done'\'

# Traces: the inner run's trace is its own namespace (its command is pid 2,
# its children from 3); the outer's shows the inner jobshim as one process
# of the outer tree, and nothing of the inner tree's own calls.
timeout 60 "$J" run --trace "$T/outer.jsonl" -- sh -c \
	"$J run --trace $T/inner.jsonl -- sh -c 'sleep 0 & wait; exit 7'; echo \$?" >"$T/out" 2>"$T/err"
rc=$?
[ $rc -eq 0 ] && [ "$(cat "$T/out")" = 7 ] && ok "traced nested run: inner status passed up" ||
	bad "traced nested run: rc $rc out '$(cat "$T/out")' err $(head -c 400 "$T/err")"
if out=$(python3 "$(dirname "$0")/lib/tracecheck.py" "$T/inner.jsonl" \
	'find("fork", vpid=2, parent=1, via="command")' 'find("fork", vpid=3, parent=2)' \
	'any(e["path"].endswith("sleep") for e in find("exec", vpid=3))' \
	'find("exit", vpid=2)' 'not find("leftover")' 2>&1); then ok "inner trace: its own namespace"
else bad "inner trace: $out"; head -20 "$T/inner.jsonl" | sed 's/^/#   /'; fi
if out=$(python3 "$(dirname "$0")/lib/tracecheck.py" "$T/outer.jsonl" \
	'find("fork", vpid=3, parent=2)' \
	'any(e["path"].endswith("jobshim") for e in find("exec", vpid=3))' \
	'not any(e.get("path", "").endswith("sleep") for e in find("exec"))' \
	'find("exit", vpid=3)' 'not find("leftover")' 2>&1); then ok "outer trace: the inner jobshim is one process"
else bad "outer trace: $out"; head -20 "$T/outer.jsonl" | sed 's/^/#   /'; fi

# An inner leak is the inner run's: reported (and killed) by the inner, which
# fails with --fail-on-leak; the outer sees a clean tree.
timeout 60 "$J" run --fail-on-leak -- sh -c \
	"$J run --fail-on-leak -- sh -c 'setsid sleep 100 & sleep 0.2'; echo inner=\$?" >"$T/out" 2>"$T/err"
rc=$?
[ $rc -eq 0 ] && [ "$(cat "$T/out")" = inner=3 ] && ok "inner leak: inner exits 3, outer 0" ||
	bad "inner leak: rc $rc out '$(cat "$T/out")'"
grep -q '^jobshim: leftover: pid 3 (real [0-9]*) sid 3 pgid 3: sleep 100$' "$T/err" &&
	[ "$(grep -c leftover "$T/err")" = 1 ] && ok "inner leak reported once, in inner ids" ||
	bad "inner leak report: $(cat "$T/err")"
pgrep -x sleep >/dev/null && bad "inner leak survived" || ok "inner leak killed"

# The outer --timeout kills an inner tree that ignores SIGTERM: exit 124, no
# hang, and none of the inner processes left, checked by their real pids:
# each inner process writes its own (the first field of /proc/self/stat,
# which stays real) before it becomes sleep.
printf '%s\n' 'read -r me rest </proc/self/stat' 'echo "$me" >>"$RECORD"' >"$T/rec.sh"
export RECORD="$T/pids"
: >"$RECORD"
start=$(now_ms)
timeout 60 "$J" run --timeout 3s --grace 300ms -- sh -c \
	"$J run -- sh -c 'trap \"\" TERM; sh -c \". $T/rec.sh; exec sleep 100\" & . $T/rec.sh; exec sleep 100'" \
	>"$T/out" 2>"$T/err"
rc=$?
el=$(($(now_ms) - start))
pids=$(cat "$RECORD")
[ $rc -eq 124 ] && ok "outer --timeout over a nested tree exits 124 (${el} ms)" || bad "outer --timeout: rc $rc $(cat "$T/err")"
[ "$(echo "$pids" | wc -w)" -eq 2 ] && ok "nested tree was running: real pids $(echo $pids)" ||
	bad "nested tree not up before the timeout: '$(echo $pids)'"
left=""
for p in $pids; do kill -0 "$p" 2>/dev/null && left="$left $p"; done
[ -z "$left" ] && ok "no process of the nested tree left" || bad "left running:$left"
pgrep -x sleep >/dev/null && bad "a sleep survived the outer --timeout" || ok "no sleep left"

# The outer teardown's SIGTERM reaches the inner tree once, through the
# inner jobshim, with the grace period intact: a process that cleans up on
# SIGTERM finishes its clean-up (a second SIGTERM to the inner jobshim
# would have made it kill its tree at once).
out=$(timeout 60 "$J" run --timeout 1s --grace 5s -- sh -c \
	"$J run -- sh -c 'trap \"sleep 0.5; echo cleaned; exit 0\" TERM; sleep 100 & wait'; sleep 100" 2>"$T/err")
rc=$?
[ $rc -eq 124 ] && [ "$out" = cleaned ] && ok "outer teardown: the inner tree's SIGTERM handler runs to its end" ||
	bad "graceful inner: rc $rc out '$out' $(cat "$T/err")"

# Both runs remove their private directories (the outer one held the
# inner's marker).
mkdir "$T/tmp"
TMPDIR="$T/tmp" timeout 60 "$J" run -- "$J" run -- sh -c 'ls "$TMPDIR" | wc -l' >"$T/out" 2>"$T/err"
[ "$(cat "$T/out")" = 2 ] && [ -z "$(ls "$T/tmp")" ] && ok "both directories made and removed" ||
	bad "directories: saw '$(cat "$T/out")', left: $(ls -R "$T/tmp")"

# A shim that interposes jobshim but cannot be left (an older libjobshim.so
# without jobshim_detach; here a stand-in that wraps fork): refused, 125.
printf '%s\n' '#define _GNU_SOURCE' '#include <dlfcn.h>' '#include <unistd.h>' \
	'pid_t fork(void) { return ((pid_t (*)(void))dlsym(RTLD_NEXT, "fork"))(); }' >"$T/old.c"
if cc -shared -fPIC -o "$T/libjobshim-old.so" "$T/old.c" 2>"$T/err"; then
	JOBSHIM_SOCKET="$T/nosock" LD_PRELOAD="$T/libjobshim-old.so" timeout 60 "$J" run -- echo ran >"$T/out" 2>"$T/err"
	rc=$?
	[ $rc -eq 125 ] && [ ! -s "$T/out" ] && grep -q '^jobshim: cannot nest: .*libjobshim-old.so has no jobshim_detach' "$T/err" &&
		ok "a shim that cannot be left: refused (125)" || bad "old shim: rc $rc out '$(cat "$T/out")' err '$(cat "$T/err")'"
else
	bad "cannot build the stand-in shim: $(cat "$T/err")"
fi

# Signals from the outer tree to the inner jobshim's pid: like those from
# outside to any jobshim, forwarded to its tree (status 128+15 here).
out=$(timeout 60 "$J" run -- sh -c \
	"$J run -- sh -c 'sleep 100' & P=\$!; sleep 0.3; kill -TERM \$P; wait \$P; echo \$?" 2>"$T/err")
[ "$out" = 143 ] && ok "SIGTERM to the inner jobshim ends the inner tree" || bad "SIGTERM to inner: '$out' $(cat "$T/err")"
pgrep -x sleep >/dev/null && bad "inner sleep survived SIGTERM to its jobshim" || ok "inner tree gone"

exit $fail
