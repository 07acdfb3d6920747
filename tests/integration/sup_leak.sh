#!/bin/bash
# sup_leak.sh BUILD — what --fail-on-leak calls a leak: still running --settle after the command, not dying.
# Runs itself inside a private pid namespace: the supervisor sends group signals.
#
# The definition (docs/jobshim.1, LEFTOVERS): a leftover is a process of the
# tree still running when the command has exited and the settle time has
# passed (longer while the rest of the tree is visibly busy, up to 10 times
# that), exits already in flight collected; a process already dying
# (exiting, a zombie, SIGKILL pending) is none.  Each false-leak case runs
# many times in a row: the races it had were lost in ~1 run of 4.  Python's
# multiprocessing helpers: sup_leak_mp.sh.
set -u
. "$(dirname "$0")/lib/sup.sh" "${1:-build}" 400
[ -x "$J" ] || { echo "not ok - $J missing"; exit 1; }

now_ms() { date +%s%3N; }

# runs N WANT_RC WANT_OUT CMD...: N runs under --fail-on-leak; every one must
# exit WANT_RC with stdout WANT_OUT.  Prints how many did not, and the first
# such run's stderr.
runs() {
	local n=$1 want_rc=$2 want_out=$3 i rc out badn=0
	shift 3
	for i in $(seq "$n"); do
		out=$(timeout 60 "$J" run --fail-on-leak "$@" 2>"$T/err")
		rc=$?
		if [ $rc -ne "$want_rc" ] || [ "$out" != "$want_out" ]; then
			[ $badn -eq 0 ] && cp "$T/err" "$T/first_err" && echo "rc $rc out '$out'" >>"$T/first_err"
			badn=$((badn + 1))
		fi
	done
	echo $badn
}

check_runs() {
	local what=$1 n=$2 badn
	shift 2
	badn=$(runs "$n" "$@")
	if [ "$badn" -eq 0 ]; then
		ok "$what: $n of $n"
	else
		bad "$what: $badn of $n runs wrong; first: $(tr '\n' '|' <"$T/first_err")"
	fi
	rm -f "$T/first_err"
}

# A parent that kills its child and exits at once: the child is dying, or
# already gone, when the command's exit is seen.
check_runs "SIGTERM to a child, then exit" 40 0 "" -- bash -c 'sleep 3 & kill $!'
check_runs "SIGKILL to a child, then exit" 20 0 "" -- bash -c 'sleep 3 & kill -KILL $!'
# The same with a stopped child: SIGKILL ends a stopped process too.
check_runs "stopped child, SIGKILL" 40 0 "" -- bash -c 'sleep 3 & kill -STOP $!; kill -KILL $!'
# But a stopped child that its session leader leaves behind stays stopped
# (natively too: its group is the leader's own, so the leader's exit
# orphans no group with a parent in the session): a leak, every time.
check_runs "stopped child left behind: a leak" 3 3 "" -- bash -c 'sleep 3 & kill -STOP $!'
# Dying is not a leak even with no settle time at all: SIGKILL is pending
# (or done) before kill() returns, so this is exact, not a race won.
check_runs "--settle 0: a child with SIGKILL pending" 20 0 "" --settle 0 -- bash -c 'sleep 3 & kill -KILL $!'

# A real leak is still reported, and --fail-on-leak exits 3.
start=$(now_ms)
out=$(timeout 60 "$J" run --fail-on-leak -- sh -c 'setsid sleep 300 & echo started' 2>"$T/err")
rc=$?
el=$(($(now_ms) - start))
[ $rc -eq 3 ] && [ "$out" = started ] && ok "setsid sleep 300: exit 3" || bad "real leak: rc $rc out '$out'"
grep -q '^jobshim: leftover: pid 3 (real [0-9]*) sid 3 pgid 3: sleep 300$' "$T/err" &&
	ok "setsid sleep 300 reported" || bad "real leak report: $(cat "$T/err")"
[ "$(grep -c leftover "$T/err")" -eq 1 ] && ok "reported once" || bad "report: $(cat "$T/err")"
# The report waits for the settle time (1 s by default), not longer.
[ $el -ge 950 ] && [ $el -lt 20000 ] && ok "report after the settle time (${el} ms)" ||
	bad "real leak took ${el} ms"
pgrep -x sleep >/dev/null && bad "the leak survived" || ok "the leak was killed"

# A process whose main thread has exited (a zombie in /proc) while another
# thread runs is alive: a leak, not a dying process.
out=$(timeout 60 "$J" run --fail-on-leak --settle 200ms -- sh -c "$B/itest/leak_mainexit & sleep 0.2" 2>"$T/err")
rc=$?
[ $rc -eq 3 ] && grep -q '^jobshim: leftover: pid 3 ' "$T/err" && ok "main thread gone, another running: a leak" ||
	bad "pthread_exit main: rc $rc $(cat "$T/err")"

# The settle time is the line: a process that ends 0.5 s after the command
# is no leak within the default 1 s; a sleeping one is with --settle 100ms
# (at most 10 x 100ms even if the tree looked busy).
out=$(timeout 60 "$J" run --fail-on-leak -- sh -c 'sleep 0.5 &' 2>"$T/err")
rc=$?
[ $rc -eq 0 ] && [ ! -s "$T/err" ] && ok "ends 0.5 s later: no leak" || bad "0.5 s: rc $rc $(cat "$T/err")"
out=$(timeout 60 "$J" run --fail-on-leak --settle 100ms -- sh -c 'sleep 3 &' 2>"$T/err")
rc=$?
[ $rc -eq 3 ] && grep -q '^jobshim: leftover: .*: sleep 3$' "$T/err" && ok "--settle 100ms: a leak" ||
	bad "--settle 100ms: rc $rc $(cat "$T/err")"

# A busy leak is given more time, but not more than 10 times the settle
# time; a sleeping one beside it changes nothing.
start=$(now_ms)
timeout 60 "$J" run --fail-on-leak --settle 300ms -- sh -c 'setsid sh -c "while :; do :; done" & setsid sleep 100 &' 2>"$T/err"
rc=$?
el=$(($(now_ms) - start))
[ $rc -eq 3 ] && [ "$(grep -c leftover "$T/err")" -eq 2 ] && [ $el -ge 2900 ] && [ $el -lt 20000 ] &&
	ok "a busy leak: reported after 10 x --settle (${el} ms)" || bad "busy leak: rc $rc ${el} ms $(cat "$T/err")"

# A tree that empties does not wait for the settle time.
start=$(now_ms)
timeout 60 "$J" run --fail-on-leak --settle 30s -- sh -c '(sleep 0.1; true) & sleep 0.05' 2>"$T/err"
rc=$?
el=$(($(now_ms) - start))
[ $rc -eq 0 ] && [ $el -lt 10000 ] && ok "an emptied tree ends at once (${el} ms)" ||
	bad "emptied tree: rc $rc ${el} ms $(cat "$T/err")"
timeout 10 "$J" run --settle nonsense -- true 2>"$T/err"
rc=$?
[ $rc -eq 125 ] && grep -q "invalid duration for --settle" "$T/err" && ok "--settle checks its argument" ||
	bad "--settle nonsense: rc $rc $(cat "$T/err")"

exit $fail
