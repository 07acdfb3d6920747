#!/bin/bash
# prog_python.sh BUILD — python3 under jobshim: os.fork/getpid/waitpid, subprocess, os.setsid, killpg.
# shellcheck disable=SC2016  # single-quoted scripts expand in the shell under test
B=$(cd "${1:-build}" && pwd) || exit 1
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"
why=$(it_shim_missing); [ -n "$why" ] && { echo "FAIL: $why"; exit 1; }
# The interpreter itself, not a wrapper script (pyenv's shims fork).
PY=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) || { echo "FAIL: no python3"; exit 1; }

script='
import os, signal, subprocess, sys
def say(*a): print(*a, flush=True)
say("main", os.getpid(), os.getppid(), os.getpgrp(), os.getsid(0))
pid = os.fork()
if pid == 0:
    say("child", os.getpid(), os.getppid(), os.getpgid(0))
    os._exit(3)
_, st = os.waitpid(pid, 0)
say("fork returned", pid, "exit", os.waitstatus_to_exitcode(st))
code = "import os; print(os.getpid(), os.getppid(), os.getpgrp(), os.getsid(0))"
r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
say("subprocess", r.stdout.strip(), "rc", r.returncode)
r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, start_new_session=True)
say("start_new_session", r.stdout.strip())
r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, process_group=0)
say("process_group=0", r.stdout.strip())
pid = os.fork()
if pid == 0:
    say("setsid", os.setsid(), os.getpid(), os.getsid(0), os.getpgrp())
    os._exit(0)
os.waitpid(pid, 0)
p = subprocess.Popen(["sleep", "100"], process_group=0)
os.killpg(p.pid, signal.SIGTERM)
say("killpg", p.pid, p.wait())
try:
    os.setsid()
except OSError as e:
    say("setsid in main:", e.strerror)
'
want='main 2 1 2 2
child 3 2 2
fork returned 3 exit 3
subprocess 4 2 2 2 rc 0
start_new_session 5 2 5 5
process_group=0 6 2 6 2
setsid None 7 7 7
killpg 8 -15
setsid in main: Operation not permitted'
it_both "python3" "$want" "$PY" -c "$script"
[ "$it_failures" -eq 0 ]
