#!/bin/bash
# sup_drainorder.sh BUILD — a request waits for the records its caller wrote before it, also while the supervisor identifies a stranger's record (itest/drainorder).
# The supervisor is stopped while drainorder lays out the FIFO (1023
# records, one from an unknown child, then its fork's BIND) and asks; it
# is continued once the request waits for its answer (the caller is in
# recvfrom).  Runs in a private pid namespace; only the run started here
# is stopped, by pid.
set -u
. "$(dirname "$0")/lib/sup.sh" "${1:-build}" 120
stopped_run drainorder
for _ in $(seq 3000); do [ -e "$T/asking" ] && break; sleep 0.01; done
# Waiting for the answer: in recvfrom (x86_64 45, aarch64 207), read from
# /proc/PID/syscall.  A hang guard, not a time limit.
r=$(cat "$T/rpid" 2>/dev/null)
for _ in $(seq 3000); do
	read -r nr _ <"/proc/$r/syscall" 2>/dev/null
	case "${nr:-}" in 45 | 207) break ;; esac
	sleep 0.01
done
kill -CONT "$run"
wait "$run"
rc=$?
want="reaped child: getpgid ESRCH
ready
getpgid of the child forked before asking: our group"
[ "$(cat "$T/out")" = "$want" ] && [ $rc -eq 0 ] &&
	ok "getpgid(child) waited for the child's BIND, written before it asked" ||
	bad "rc $rc, output: $(tr '\n' '|' <"$T/out")"
exit $fail
