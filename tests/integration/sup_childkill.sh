#!/bin/bash
# sup_childkill.sh BUILD — a process signals the children it just forked without the supervisor: they end, and it reaps them, while the supervisor is stopped.
# Without this a parent's kill(child) right after its fork was a round trip
# (the model view is not fresh until the supervisor reads the child's BIND):
# a SCHED_FIFO parent then waited on the supervisor while its child ran
# (LTP's open_posix sched_setparam 2-1 failed under load).  Runs in a
# private pid namespace; only the run started here is stopped, by pid.
set -u
. "$(dirname "$0")/lib/sup.sh" "${1:-build}" 120
stopped_run childkill_nosup
# A hang guard, not a time limit: the cycles need no supervisor, so they
# end while it stays stopped; if they asked it they would never end.
for _ in $(seq 3000); do grep -qs '^done' "$T/out" && break; sleep 0.01; done
done_stopped=$(grep -c '^done' "$T/out")
kill -CONT "$run"
wait "$run"
rc=$?
want="cycle 0: kill 0, killed by 15
ready
cycle 1: kill 0, killed by 15
cycle 2: kill 0, killed by 15
cycle 3: kill 0, killed by 15
done"
# Asking it would also show: after its reply timeout the shim says the
# supervisor is unreachable and falls back to real calls.
[ "$done_stopped" = 1 ] && ! grep -q '^jobshim:' "$T/out" &&
	ok "three fork, kill, wait cycles ended with the supervisor stopped, never asking it" ||
	bad "the cycles needed the stopped supervisor: $(tr '\n' '|' <"$T/out")"
[ "$(cat "$T/out")" = "$want" ] && [ $rc -eq 0 ] && ok "each child killed by SIGTERM, run status 0" ||
	bad "rc $rc, output: $(tr '\n' '|' <"$T/out")"
exit $fail
