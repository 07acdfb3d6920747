#!/bin/bash
# sup_proto.sh BUILD — the supervisor's side of the protocol, spoken by hand (raw_client), and `jobshim ps`.
set -u
. "$(dirname "$0")/lib/sup.sh" "${1:-build}" 300
R="$B/itest/raw_client"
[ -x "$J" ] || { echo "not ok - $J missing"; exit 1; }

# has PATTERN DESCRIPTION: grep the last output
has() { if grep -qE -- "$1" "$T/out"; then ok "$2"; else bad "$2"; sed 's/^/#   /' "$T/out" | head -20; fi; }

[ -x "$R" ] || { echo "not ok - $R missing (make $R)"; exit 1; }

# Inside the tree: HELLO, FORK + BIND, KILL, INFO, CHECK.
timeout 60 "$J" run -- sh -c "exec $R hello fork 'op=3,4,0' fork info=0 info=2 info=4 kill=0,0 kill=2,0 kill=-99,0 kill=0,99 check" >"$T/out" 2>&1
has '^hello err=0 v=2,1,2,2,' "HELLO of the command (exec'd raw client = vpid 2)"
has '^fork err=0 v=3,' "FORK gives vpid 3"
has '^op=3,4,0 sent' "BIND one-way"
has '^fork err=0 v=4,' "FORK gives vpid 4"
has '^info=0 err=0 v=1,0,1,1,[0-9]+,82 .*text=jobshim' "INFO 0 -> init"
has '^info=2 err=0 v=2,1,2,2,[0-9]+,82 .*text=raw_client' "INFO 2 -> the command"
has '^info=4 err=0 v=4,2,2,2,0,82 ' "INFO 4: unbound reservation"
has '^kill=0,0 err=0 v=0,1,' "KILL group 0: only the caller (v1=1), reservations skipped"
has '^kill=2,0 err=0 v=0,1,' "KILL self"
has '^kill=-99,0 err=-3 ' "KILL unknown group: ESRCH"
has '^kill=0,99 err=-22 ' "KILL bad signal: EINVAL"
has '^check err=0 v=4,' "CHECK: 4 processes"

# BIND of a real child: KILL then lists its rpid.
timeout 60 "$J" run -- sh -c "sleep 5 & exec $R hello info=3 kill=0,0 kill=3,0" >"$T/out" 2>&1
has '^info=3 err=0 v=3,2,2,2,[1-9][0-9]*,82 .*text=(sh|sleep)$' "child bound by the shell"
has '^kill=0,0 err=0 v=1,1,[0-9]*,0,0,0 n=1 ids=[1-9]' "KILL 0 lists the child's rpid (v2: the view's change count)"
has '^kill=3,0 err=0 v=1,0,' "KILL child"

# The virtual foreground group of a session (TCGETPGRP 15 / TCSETPGRP 16).
timeout 60 "$J" run -- sh -c "exec $R hello op=15 'op=16,99' 'op=16,1' 'op=16,-1' op=5" >"$T/out" 2>&1
has '^op=15 err=0 v=2,' "TCGETPGRP: the leader's group by default"
has '^op=16,99 err=-3 ' "TCSETPGRP unknown group: ESRCH"
has '^op=16,1 err=-1 ' "TCSETPGRP group of another session: EPERM"
has '^op=16,-1 err=-22 ' "TCSETPGRP negative: EINVAL"
has '^op=5 err=-1 ' "SETSID of a group leader: EPERM"
# The raw client is the shell's child, vpid 3: it claims it, as a shim would
# (without the claim, a HELLO read before the shell's BIND registers it anew).
timeout 60 "$J" run -- sh -c "$R hello=3 op=5 op=15 'op=16,2' op=15" >"$T/out" 2>&1
has '^op=5 err=0 v=3,' "SETSID of a child"
has '^op=15 err=0 v=3,' "TCGETPGRP in the new session"
has '^op=16,2 err=-1 ' "TCSETPGRP to the old session's group: EPERM"

# Malformed messages: error replies, the connection survives; garbage kicks.
timeout 60 "$J" run -- sh -c "exec $R hello short garbage=5 check garbage=20" >"$T/out" 2>&1
has '^short err=' "short message answered"
has '^garbage replies=5 errs=5 closed=no' "5 bad messages: error replies, still connected"
has '^check err=0 ' "still served after garbage"
has '^garbage replies=1[0-9] errs=1[0-9] closed=yes' "repeated garbage: disconnected"
timeout 60 "$J" run -- sh -c "exec $R check" >"$T/out" 2>&1
has '^check err=-71 ' "request before HELLO: EPROTO"
timeout 60 "$J" run -- sh -c "exec $R hello 'op=99,0,0,0,0' 'op=1,-5,7' check" >"$T/out" 2>&1
has '^op=99,0,0,0,0 closed' "unknown op: reply cannot carry it (op 0)"

# A supervisor serving outsiders and ps.
TMPDIR="$T" "$J" run -- sleep 30 >/dev/null 2>&1 &
jp=$!
for i in $(seq 100); do s=$(ls "$T"/jobshim-$jp.*/*/sock 2>/dev/null) && break; sleep 0.05; done
sleep 0.2
if [ -z "${s:-}" ]; then bad "no socket for $jp"; else
	fd0=$(ls /proc/$jp/fd | wc -l)
	timeout 20 "$R" --socket "$s" hello info=0 >"$T/out" 2>&1
	has '^hello err=-1 ' "outsider HELLO refused: EPERM"
	has '^info=0 closed' "outsider disconnected"
	timeout 20 "$R" --socket "$s" hello=0,1 info=0 fork >"$T/out" 2>&1
	has '^hello=0,1 err=0 ' "ps HELLO from outside accepted"
	has '^info=0 err=0 v=1,' "ps INFO from outside"
	has '^fork err=-1 ' "ps client may not FORK"
	for i in $(seq 30); do timeout 20 "$R" --socket "$s" hello=0,1 info=2 sleep=1 >/dev/null 2>&1 & done
	wait $(jobs -p | grep -v "^$jp$") 2>/dev/null
	timeout 20 "$R" --socket "$s" hello=0,1 garbage=40 >/dev/null 2>&1
	fd1=$(fds_back $jp "$fd0")
	[ "$fd0" = "$fd1" ] && ok "fd count back to $fd0 after 32 clients" || bad "fds $fd0 -> $fd1"
	timeout 20 "$J" ps --pid $jp >"$T/out" 2>&1
	has '^ +PID +PPID +PGID +SID +TTY +TPGID +STAT +COMMAND$' "ps --pid header"
	has '^ +1 +0 +1 +1 +[?] +-1 +Rs +jobshim$' "ps --pid: init"
	has '^ +2 +1 +2 +2 +[?] +-1 +Rs +sleep$' "ps --pid: the command, indented"
	timeout 20 "$J" ps --socket "$s" --json >"$T/out" 2>&1
	if python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); assert a[1]["pid"]==2 and a[1]["command"]=="sleep" and a[0]["rpid"]>0 and a[1]["tty"] is None and a[1]["tpgid"]==-1' "$T/out" 2>/dev/null; then
		ok "ps --json parses"; else bad "ps --json: $(cat "$T/out")"; fi
	kill -TERM $jp
	wait $jp
fi
timeout 20 "$J" ps --pid 1 >"$T/out" 2>&1
[ $? -eq 1 ] && has "no jobshim socket found for pid 1" "ps --pid of a non-supervisor fails" || bad "ps --pid 1 exit"
env -u JOBSHIM_SOCKET timeout 20 "$J" ps >"$T/out" 2>&1
has "not inside a jobshim tree" "ps outside without options"

# ps inside the tree: the tree with children under parents.
timeout 60 "$J" run -- sh -c "$IS_SLEEP"'sleep 5 & a=$!; setsid sleep 5 & is_sleep $a; is_sleep $!; '"$J"' ps; kill %1 %2' >"$T/out" 2>&1
has '^ +2 +1 +2 +2 +[?] +-1 +Rs +sh$' "ps inside: command"
has '^ +3 +2 +2 +2 +[?] +-1 +R +sleep$' "ps inside: child indented under it"
has '^ +4 +2 +4 +4 +[?] +-1 +Rs +sleep$' "ps inside: setsid child, own session"

exit $fail
