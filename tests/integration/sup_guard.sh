#!/bin/bash
# sup_guard.sh BUILD — a supervisor killed by SIGKILL (or crashing) leaves no tree behind: its guard (supervisor/guard.c) kills it, nested runs and forks in flight included; a run that ends normally leaves no guard.
# Runs itself inside a private pid namespace: it SIGKILLs supervisors and counts what is left.
set -u
. "$(dirname "$0")/lib/sup.sh" "${1:-build}" 300
[ -x "$J" ] || { echo "not ok - $J missing"; exit 1; }

# Processes of this namespace other than the script's own: pid 1 (pidpush
# or the script), the script and its children by comm name.
count() { pgrep -c -x "$1" 2>/dev/null || true; }
# until_none COMM...: wait (hang guard: 30 s) until no process has one of these names.
until_none() {
	local i n c
	for ((i = 0; i < 300; i++)); do
		n=0
		for c in "$@"; do n=$((n + $(count "$c"))); done
		[ "$n" -eq 0 ] && return 0
		sleep 0.1
	done
	return 1
}
# until_count COMM N: wait until N processes (at least) have that name.
until_count() {
	local i
	for ((i = 0; i < 300; i++)); do
		[ "$(count "$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

mkdir -m 711 "$T/tmp"
export TMPDIR=$T/tmp

# 1. SIGKILL to the supervisor's whole real group (an outer timeout -s KILL,
# a CI runner killing the job): the command leads a session of its own, a
# setsid'd daemon and a double-forked one are elsewhere; all die.
setsid "$J" run -- sh -c 'sleep 300 & setsid sleep 301 & (sleep 302 &); exec sleep 303' 2>"$T/err" &
jp=$!
until_count sleep 4 || bad "the tree did not start: $(cat "$T/err")"
# and the subshell that forked sleep 302 has exited: the tree is the 4 sleeps
until_none sh || bad "a shell of the tree is still there"
[ "$(count jobshim-guard)" -eq 1 ] && ok "one guard while the run lives" || bad "guards: $(count jobshim-guard)"
kill -KILL -- "-$jp"
wait "$jp"
rc=$?
[ $rc -eq 137 ] && ok "jobshim died of SIGKILL" || bad "jobshim exit $rc"
until_none sleep jobshim-guard && ok "nothing left of the tree, nor the guard" ||
	bad "left: $(ps -eo pid,ppid,pgid,sid,comm | grep -v -e ps -e ' bash$')"
grep -q "^jobshim: the supervisor (pid $jp) died without ending its tree: killed 4 process(es) of it$" "$T/err" &&
	ok "the guard says what it killed" || bad "guard's message: $(cat "$T/err")"
[ -z "$(ls -A "$T/tmp")" ] && ok "run directory removed" || bad "left in TMPDIR: $(ls -A "$T/tmp")"

# 2. A tree that forks all the time: the children forked while the guard
# kills (they inherit the environment) die in its next rounds.
"$J" run -- sh -c 'while :; do /bin/true; done & while :; do sh -c "sleep 300 & exit 0"; done & exec sleep 303' 2>"$T/err" &
jp=$!
until_count sleep 3 || bad "forking tree did not start: $(cat "$T/err")"
kill -KILL "$jp"
wait "$jp"
until_none sleep sh true jobshim-guard && ok "forks in flight killed too" ||
	bad "forking tree left: $(ps -eo pid,ppid,pgid,sid,comm | grep -v -e ps -e ' bash$')"

# 3. A crash (SIGSEGV, SIGABRT) is a death without cleanup as well.
for sig in SEGV ABRT; do
	"$J" run -- sh -c 'setsid sleep 301 & exec sleep 303' 2>"$T/err" &
	jp=$!
	until_count sleep 2 || bad "$sig: the tree did not start"
	kill -"$sig" "$jp"
	wait "$jp"
	until_none sleep jobshim-guard && ok "SIG$sig of the supervisor: tree killed" ||
		bad "SIG$sig: left: $(ps -eo pid,ppid,pgid,sid,comm | grep -v -e ps -e ' bash$')"
done

# 4. Nested: the outer guard kills the inner supervisor, whose own guard
# (a process of the outer tree, which it must leave alone) ends the inner tree.
"$J" run -- sh -c "sleep 300 & exec $J run -- sh -c 'sleep 301 & setsid sleep 302 & exec sleep 303'" 2>"$T/err" &
jp=$!
until_count sleep 4 || bad "nested tree did not start: $(cat "$T/err")"
[ "$(count jobshim-guard)" -eq 2 ] && ok "nested: a guard per run" || bad "nested guards: $(count jobshim-guard)"
kill -KILL "$jp"
wait "$jp"
until_none sleep jobshim jobshim-guard && ok "nested: both trees killed" ||
	bad "nested: left: $(ps -eo pid,ppid,pgid,sid,comm | grep -v -e ps -e ' bash$')"
# The outer guard kills the inner tree too (descendants of the inner
# jobshim, as a pid namespace's death reaches the namespaces below it),
# so how many each guard counts depends on which came first.
# so the inner guard may find nothing left to kill (and then says nothing).
grep -q "^jobshim: the supervisor (pid $jp) died without ending its tree: killed [0-9]* process(es) of it$" "$T/err" &&
	[ "$(grep -c 'died without ending its tree' "$T/err")" -le 2 ] &&
	ok "nested: the outer guard acted" || bad "nested messages: $(cat "$T/err")"

# 5. A static image and what it forks (the tracer's tracees; the tracer
# dies with the supervisor).
cat >"$T/st.c" <<'EOF'
#include <unistd.h>
int main(void) { if (fork() == 0) setsid(); for (;;) pause(); }
EOF
if cc -static -O2 -o "$T/stpause" "$T/st.c" 2>"$T/cc.err"; then
	"$J" run -- "$T/stpause" 2>"$T/err" &
	jp=$!
	until_count stpause 2 || bad "static tree did not start: $(cat "$T/err")"
	kill -KILL "$jp"
	wait "$jp"
	until_none stpause jobshim-tracer jobshim-guard && ok "static image and its fork killed" ||
		bad "static: left: $(ps -eo pid,ppid,pgid,sid,comm | grep -v -e ps -e ' bash$')"
else
	bad "cc -static: $(cat "$T/cc.err")"
fi

# 5b. A child that a static image exec'd with an empty environment carries
# no mark of the run: it dies as a descendant of one that does.
cat >"$T/stexec.c" <<'EOF'
#include <unistd.h>
int main(void)
{
	char *argv[] = {"sleep", "301", 0}, *envp[] = {0};
	execve("/bin/sleep", argv, envp);
	return 127;
}
EOF
if cc -static -O2 -o "$T/stexec" "$T/stexec.c" 2>"$T/cc.err"; then
	"$J" run -- sh -c "'$T/stexec' & exec sleep 303" 2>"$T/err" &
	jp=$!
	until_count sleep 2 || bad "clean-environment child did not start: $(cat "$T/err")"
	pid=$(pgrep -f '^sleep 301$')
	[ -n "$pid" ] && ! tr '\0' '\n' <"/proc/$pid/environ" | grep -q JOBSHIM &&
		ok "the exec'd child has no JOBSHIM_ variable" || bad "child's environment: $(tr '\0' ' ' <"/proc/$pid/environ" 2>&1)"
	kill -KILL "$jp"
	wait "$jp"
	until_none sleep jobshim-guard && ok "a descendant without the run's mark killed" ||
		bad "clean environment: left: $(ps -eo pid,ppid,pgid,sid,comm | grep -v -e ps -e ' bash$')"
else
	bad "cc -static: $(cat "$T/cc.err")"
fi

# 6. A run that ends on its own, or on a signal it handles, ends its
# guard; the guard is not in the tree (no vpid: pgrep inside finds none).
"$J" run -- true 2>"$T/err"
[ "$(count jobshim-guard)" -eq 0 ] && ok "normal end: no guard left" || bad "normal end left a guard"
out=$("$J" run -- sh -c 'pgrep -x jobshim-guard; echo rc=$?' 2>&1)
[ "$out" = "rc=1" ] && ok "the guard is not of the tree" || bad "pgrep inside: $out"
"$J" run -- sleep 300 2>"$T/err" &
jp=$!
until_count sleep 1 || bad "sleep did not start"
kill -TERM "$jp"
wait "$jp"
rc=$?
[ $rc -eq 143 ] && ok "SIGTERM: jobshim exits 143" || bad "SIGTERM: exit $rc"
until_none sleep jobshim-guard && ok "SIGTERM: tree and guard gone" || bad "SIGTERM: left"
grep -q "died without ending" "$T/err" && bad "SIGTERM: the guard acted: $(cat "$T/err")" || ok "SIGTERM: the supervisor ended the tree itself"
exit $fail
