#!/bin/bash
# prog_debuggers.sh BUILD — strace -f, strace -f -p and gdb -p inside the tree: the debuggers see virtual pids (native vs jobshim).
# shellcheck disable=SC2016  # single-quoted scripts expand in the shell under test
B=$(cd "${1:-build}" && pwd) || exit 1
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"
why=$(it_shim_missing); [ -n "$why" ] && { echo "FAIL: $why"; exit 1; }
for t in strace gdb python3 mkfifo; do
	command -v "$t" >/dev/null || { echo "FAIL: $t missing (scripts/deps.sh installs it)"; exit 1; }
done
unset DEBUGINFOD_URLS # gdb must not go to the network
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT

# run MODE CMD...: natively or under jobshim (trace in $d/trace.jsonl), in
# $d/MODE as the working directory; stdout in $d/MODE.out, stderr .err.
run() {
	local mode=$1
	shift
	rm -rf "${d:?}/$mode" && mkdir "$d/$mode"
	if [ "$mode" = native ]; then
		(cd "$d/$mode" && it_native "$@") >"$d/$mode.out" 2>"$d/$mode.err"
	else
		(cd "$d/$mode" && it_shim --trace "$d/trace.jsonl" -- "$@") >"$d/$mode.out" 2>"$d/$mode.err"
	fi
	echo "rc $?" >>"$d/$mode.out"
	if grep -q '^jobshim' "$d/$mode.err"; then
		it_expect "jobshim stderr" "$(grep '^jobshim' "$d/$mode.err")" ""
	fi
}

# A strace -o file without its times: the CPU-time fields of SIGCHLD vary.
norm() { sed -E 's/, si_utime=[^}]*//' "$1" | sort; }

# jcheck WHAT ASSERTION...: Python expressions over the jobshim trace
# (evs: the events; find(ev, **fields)).
jcheck() {
	local what=$1 out
	shift
	out=$(python3 - "$d/trace.jsonl" "$@" 2>&1 <<'EOF'
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1])]
def find(ev, **kw):
    return [e for e in evs if e["ev"] == ev and all(e.get(k) == v for k, v in kw.items())]
for a in sys.argv[2:]:
    if not eval(a):
        print("failed: " + a)
EOF
)
	it_expect "$what" "$out" ""
}

# 0. What debuggers list to find a process's threads: /proc/<pid>/task
# names the main thread by the pid (ls and python use readdir).
it_both 'ls /proc/$$/task' 'same' sh -c 'ls /proc/$$/task | grep -qx $$ && echo same'
it_both 'python3 os.listdir(/proc/pid/task)' 'True' \
	python3 -c 'import os; print(os.listdir("/proc/%d/task" % os.getpid()) == [str(os.getpid())])'

# 1. strace -f of a dash job-control script: the pids in strace's output
# (its prefixes, exits, SIGCHLD's si_pid) are the ones the script prints.
S='echo $$; sleep 0.1 & echo $!; wait'
for mode in native jobshim; do
	run "$mode" strace -f -e trace=none -o t sh -c "$S"
	read -r p c _ < <(tr '\n' ' ' <"$d/$mode.out")
	it_expect "strace -f sh: the script ran ($mode)" "$(sed -n 3p "$d/$mode.out")" "rc 0"
	it_expect "strace -f sh: pids in the trace are \$\$ and \$! ($mode)" \
		"$(awk '{print $1}' "$d/$mode/t" | sort -u | tr '\n' ' ')" "$(printf '%s\n' "$p" "$c" | sort | tr '\n' ' ')"
	it_expect "strace -f sh: exits and SIGCHLD ($mode)" \
		"$(grep -c -e "^$c  *+++ exited with 0 +++" -e "^$p  *+++ exited with 0 +++" \
			-e "^$p  *--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=$c," "$d/$mode/t")" 3
done
it_expect "strace -f sh: the same trace natively and under jobshim" "$(norm "$d/jobshim/t")" "$(norm "$d/native/t")"
it_expect "strace -f sh: the same output" "$(cat "$d/jobshim.out")" "$(cat "$d/native.out")"
# strace's child stops itself (SIGSTOP) before its exec: that one stop is
# real; the ptrace-stops that follow are not job-control stops.
jcheck "strace -f sh: ptrace-stops are no job-control stops" \
	"[e['vpid'] for e in find('stop')] == [$p]" "find('reap', vpid=$c, parent=$p, status=0)"

# 2. bash: a background job's status, a pipeline, a command substitution;
# python: subprocess (vfork + exec).
S='echo $$; (exit 3) & echo $!; wait $!; echo $?; sleep 0.05 | cat & echo $!; wait; x=$(echo sub); echo $x'
for mode in native jobshim; do
	run "$mode" strace -f -e trace=none -o t bash -c "$S"
done
it_expect "strace -f bash: the script's output" "$(cat "$d/jobshim.out")" "$(cat "$d/native.out")"
# Two children of the pipeline exit together: which one a SIGCHLD names is
# timing (standard signals coalesce), so those lines are checked apart.
it_expect "strace -f bash: the same trace natively and under jobshim" \
	"$(norm "$d/jobshim/t" | grep -v SIGCHLD)" "$(norm "$d/native/t" | grep -v SIGCHLD)"
it_expect "strace -f bash: every SIGCHLD names a child that exited" \
	"$(grep -o 'si_pid=[0-9]*' "$d/jobshim/t" | cut -d= -f2 | while read -r c; do
		grep -q "^$c  *+++ exited" "$d/jobshim/t" || echo "$c"; done)" ""
jcheck "strace -f bash: no job-control stop but strace's own" \
	"[e['vpid'] for e in find('stop')] == [$(head -n 1 "$d/jobshim.out")]"
S='import os, subprocess; p = subprocess.Popen(["sh", "-c", "exit 2"]); print(os.getpid(), p.pid, p.wait())'
for mode in native jobshim; do
	run "$mode" strace -f -e trace=none -o t python3 -c "$S"
done
it_expect "strace -f python3 subprocess: output" "$(cat "$d/jobshim.out")" "$(cat "$d/native.out")"
it_expect "strace -f python3 subprocess: the same trace" "$(norm "$d/jobshim/t")" "$(norm "$d/native/t")"

# Threads that start children at once: the run ends (with one marker for
# the whole process, two children in flight were shown under one vpid and
# strace never resumed one of them).  Which vpid an ambiguous child shows
# first is a documented limit (shim/README.md), so only the end is checked,
# and that every child subprocess reports ran.
S='import subprocess, threading
ok = []
def f():
    for i in range(4): ok.append(subprocess.Popen(["true"]).wait() == 0)
ts = [threading.Thread(target=f) for i in range(3)]
[t.start() for t in ts]; [t.join() for t in ts]; print(ok.count(True))'
run jobshim strace -f -e trace=none -o t python3 -c "$S"
it_expect "strace -f, threads forking at once: the run ends" "$(cat "$d/jobshim.out")" $'12\nrc 0'

# 3. strace -f -p VPID: attach to a running subshell, which then forks a
# job and exits; the trace names both by their vpids, with their statuses.
S='mkfifo f; (read x <f; (exit 5) & echo $! >c; wait $!; exit 7) & p=$!
strace -f -e trace=none -o t -p $p 2>e & s=$!
until grep -qs attached e; do sleep 0.01; done
echo go >f; wait $p; echo "status $?"; wait $s; echo "strace $?"; echo $p; cat c'
for mode in native jobshim; do
	run "$mode" sh -c "$S"
	read -r st1 st2 p c < <(sed -n '1s/status //p;2s/strace //p;3p;4p' "$d/$mode.out" | tr '\n' ' ')
	it_expect "strace -p: statuses ($mode)" "$st1 $st2" "7 0"
	it_expect "strace -p: the subshell and its job in the trace ($mode)" \
		"$(grep -c -e "^$p  *+++ exited with 7 +++" -e "^$c  *+++ exited with 5 +++" \
			-e "^$p  *--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=$c," "$d/$mode/t")" 3
done
jcheck "strace -p: exits in the model, no stop" 'not find("stop")' \
	"find('reap', vpid=$p, status=7<<8)" "find('reap', vpid=$c, parent=$p, status=5<<8)"

# 4. gdb -batch -p VPID: attaches to a subshell (the shim is loaded in it)
# blocked in open(), prints its stack, detaches; the subshell goes on and
# exits with its own status, reaped by its parent.
S='mkfifo f; (read x <f; exit 6) & p=$!
gdb -batch -nx -p $p -ex "info inferiors" -ex bt >g 2>&1; echo "gdb $?"
echo go >f; wait $p; echo "status $?"; echo $p'
for mode in native jobshim; do
	run "$mode" sh -c "$S"
	p=$(sed -n 3p "$d/$mode.out")
	it_expect "gdb -p: gdb and the target's status ($mode)" "$(sed -n '1p;2p;4p' "$d/$mode.out")" \
		$'gdb 0\nstatus 6\nrc 0'
	it_expect "gdb -p: attached to the vpid, a stack, detached ($mode)" \
		"$(grep -c -E -e "^\* 1 +process $p " -e '^#0 ' -e "^\[Inferior 1 \(process $p\) detached\]" \
			"$d/$mode/g")" 3
done
jcheck "gdb -p: the target's exit and reap, no stop" 'not find("stop")' \
	"find('reap', vpid=$p, via='wait', status=6<<8)"

[ "$it_failures" -eq 0 ]
