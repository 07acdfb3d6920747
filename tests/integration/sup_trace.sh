#!/bin/bash
# sup_trace.sh BUILD — `jobshim run --trace`: JSON Lines schema, event order, the orphan event, text mode.
set -u
. "$(dirname "$0")/lib/sup.sh" "${1:-build}" 300
[ -x "$J" ] || { echo "not ok - $J missing"; exit 1; }

command -v python3 >/dev/null || { echo "not ok - python3 missing (scripts/deps.sh installs it)"; exit 1; }

# lib/tracecheck.py TRACE ASSERTION...: the trace is valid JSON Lines; each
# assertion is a Python expression over `evs` (the list of events).
check() { # DESCRIPTION ASSERTION...
	local what=$1
	shift
	if out=$(python3 "$(dirname "$0")/lib/tracecheck.py" "$T/t.jsonl" "$@" 2>&1); then ok "$what"; else
		bad "$what: $out"; head -30 "$T/t.jsonl" | sed 's/^/#   /'; fi
}

timeout 60 "$J" run --trace "$T/t.jsonl" -- sh -c "$IS_SLEEP"'sh -c "exit 3"; setsid sleep 100 & is_sleep $!; exit 0' 2>/dev/null
check "basic run: valid JSON Lines, monotonic times" 'len(evs) > 5'
check "fork of the command and its setsid" \
	'find("fork", vpid=2, parent=1, via="command")' 'find("setsid", vpid=2, sid=2)'
check "fork, bind and exec of a child" \
	'find("fork", vpid=3, parent=2, pgid=2, sid=2)' 'find("call", vpid=2, op="bind")' \
	'any(e["path"].endswith("sh") for e in find("exec", vpid=3))'
check "reap with the reported status" 'find("reap", vpid=3, parent=2, via="wait", status=3<<8)'
check "setsid call with result and ids after" 'find("call", op="setsid", result=4, pgid=4, sid=4)'
check "exit of the command, known status" 'find("exit", vpid=2, code=0, status_known=True)'
check "reparent to init" 'find("reparent", vpid=4, to=1)'
check "leftover and teardown" 'find("leftover", vpid=4, sid=4, pgid=4)' 'find("teardown", reason="exit", signal="SIGTERM")'
check "leftover exits by SIGTERM" 'find("exit", vpid=4, signal="SIGTERM")'
check "every process reaped" 'set(e["vpid"] for e in find("reap")) == set(e["vpid"] for e in find("fork"))'

timeout 60 "$J" run --trace "$T/t.jsonl" -- sh -c 'kill -0 0; kill -0 -77; setpgid_fail=1' 2>/dev/null
check "kill event and call" 'find("kill", vpid=2, pid=0, sig="0", targets=1)' \
	'find("call", op="kill", errno="ESRCH")'

# The orphan rule: the command exits while its child, alone in its own
# group, is stopped -> SIGHUP + SIGCONT to that group.
cat >"$T/orphan.py" <<'EOF'
import os, signal, sys
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    os.setpgid(0, 0)
    def hup(s, f):
        os.write(1, b"child got SIGHUP\n"); os._exit(0)
    signal.signal(signal.SIGHUP, hup)
    os.kill(os.getpid(), signal.SIGSTOP)
    signal.pause()
    os._exit(1)
os.waitpid(pid, os.WUNTRACED)
os._exit(0)
EOF
out=$(timeout 60 "$J" run --wait --trace "$T/t.jsonl" -- python3 "$T/orphan.py" 2>&1)
[ "$out" = "child got SIGHUP" ] && ok "orphaned stopped child got SIGHUP" || bad "orphan output: '$out'"
check "stop observed" 'find("stop")'
check "orphan event" 'len(find("orphan", cause="parent_exit", exited=2, signals=["SIGHUP","SIGCONT"])) == 1' \
	'find("orphan")[0]["stopped"] == find("orphan")[0]["members"] == [find("orphan")[0]["pgid"]]'
check "orphan right after the exit and reparent" \
	'[e["ev"] for e in evs[evs.index(find("orphan")[0]) - 2:evs.index(find("orphan")[0])]] == ["exit", "reparent"]'

# Children reaped by the kernel (SIGCHLD ignored: no REAPED message) are
# reaped in the model as soon as their exits are known (supervisor/procs.c,
# reap_autoreaped: "autoreap"), not left to the periodic sweep.
cat >"$T/ign.py" <<'EOF2'
import os, signal, time
signal.signal(signal.SIGCHLD, signal.SIG_IGN)
for i in range(3):
    if os.fork() == 0:
        os._exit(0)
time.sleep(1.2)
EOF2
timeout 60 "$J" run --trace "$T/t.jsonl" -- python3 "$T/ign.py" 2>/dev/null
# While the command still runs (its sleep outlasts two sweep periods), not
# by the teardown.  Only python's own children count: python3 may be a
# wrapper script (pyenv's shim forks helpers of its own).
PY_SET='{x["vpid"] for x in find("exec") + find("fork") if "python" in (x.get("path") or "")}'
PY_AUTO="[e for e in find(\"reap\", via=\"autoreap\") if e[\"parent\"] in $PY_SET]"
PY_SWEPT="[e for e in find(\"reap\", via=\"sweep\") if e[\"parent\"] in $PY_SET]"
check "auto-reaped children reaped as the kernel did, not swept" \
	"len($PY_AUTO) == 3" "len($PY_SWEPT) == 0" \
	"all(e[\"t\"] < find(\"exit\", vpid=2)[0][\"t\"] for e in $PY_AUTO)"

# A spawned child's exec happens inside glibc, out of the exec wrapper's
# reach: its parent notes it once posix_spawn returned (spawn.c), with the
# file posix_spawnp found.
timeout 60 "$J" run --trace "$T/t.jsonl" -- python3 -c 'import os
os.posix_spawn("/bin/true", ["true"], os.environ); os.wait()
os.posix_spawnp("sh", ["sh", "-c", "exit 0"], os.environ); os.wait()' 2>/dev/null
check "exec of posix_spawn and posix_spawnp children" \
	'any(e["path"] == "/bin/true" for e in find("exec"))' \
	'any(e["path"].startswith("/") and e["path"].endswith("/sh") for e in find("exec"))' \
	'all(any(f["vpid"] == e["vpid"] for f in find("fork")) for e in find("exec"))'

# Text mode on stderr.
out=$(timeout 60 "$J" run --trace - -- sh -c 'sh -c "exit 2"; true' 2>&1 >/dev/null)
echo "$out" | grep -qE '^jobshim: +[0-9.]+ fork: pid 3 \(parent 2\)$' && ok "text: fork" || bad "text fork: $out"
echo "$out" | grep -qE '^jobshim: +[0-9.]+ reap: pid 3 by 2 via wait: exit 2$' && ok "text: reap" || bad "text reap: $out"
echo "$out" | grep -qE '^jobshim: +[0-9.]+ exit: pid 2 exit 0$' && ok "text: exit" || bad "text exit: $out"

# An unwritable trace file is a jobshim failure.
timeout 60 "$J" run --trace /nonexistent/dir/t.jsonl -- true 2>"$T/err"
[ $? -eq 125 ] && grep -q "^jobshim: --trace" "$T/err" && ok "bad trace path: 125" || bad "bad trace path"

exit $fail
