#!/bin/bash
# sup_killzero.sh BUILD — kill(0, sig) reaches the other members of the caller's group before its round trip: a member gets it while the supervisor is stopped.
# timeout(1) ends a job with kill(child, sig), answered at once from the
# shim's table of children, then kill(0, sig).  Natively the second comes
# a microsecond after the first and the two are one pending signal; when
# kill(0) waited for a round trip first, the child had handled the first
# one by then, and a bash `trap ... INT` ran twice (shim/kill.c,
# kill_own_group).  Here the caller's kill(0) must reach a member while
# the supervisor is stopped, as it would without one.  Runs in a private
# pid namespace; only the run started here is stopped, by pid.
set -u
. "$(dirname "$0")/lib/sup.sh" "${1:-build}" 120
[ -x "$J" ] || { echo "not ok - $J missing"; exit 1; }
mkfifo "$T/go" "$T/never"

# The member waits in a blocking open of a FIFO nobody opens (a plain
# system call: no request to the supervisor); its trap writes a file.
# The caller ignores the signal, says it is armed, waits for "go" in the
# same way, then signals its group.
"$J" run -- sh -c '
	T=$1
	sh -c "trap \"echo got >$T/got; exit 0\" USR1; echo ready >$T/ready; read x 2>/dev/null <$T/never" &
	member=$!
	trap "" USR1
	while [ ! -s "$T/ready" ]; do sleep 0.01; done
	echo armed >"$T/armed"
	read x <"$T/go"
	kill -USR1 0
	wait $member
	echo "member=$?"
' sh "$T" >"$T/out" 2>&1 &
run=$!
for _ in $(seq 3000); do [ -s "$T/armed" ] && break; sleep 0.01; done
[ -s "$T/armed" ] || bad "the run never armed: $(tr '\n' '|' <"$T/out")"
kill -STOP "$run"
echo go >"$T/go"
# A hang guard, not a time limit: the member needs no supervisor.
for _ in $(seq 1000); do [ -s "$T/got" ] && break; sleep 0.01; done
got_stopped=$([ -s "$T/got" ] && echo yes || echo no)
kill -CONT "$run"
wait "$run"
rc=$?
[ "$got_stopped" = yes ] && ok "the member got kill(0)'s signal with the supervisor stopped" ||
	bad "the member got nothing while the supervisor was stopped"
[ "$(cat "$T/out")" = "member=0" ] && [ $rc -eq 0 ] && ok "the member's trap ended it (status 0), run status 0" ||
	bad "rc $rc, output: $(tr '\n' '|' <"$T/out")"
exit $fail
