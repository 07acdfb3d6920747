#!/bin/bash
# sup_trace_err.sh BUILD — a --trace that cannot be written: said once, the command runs on, exit 125 for a would-be 0.
# Runs itself inside a private pid namespace; the full file system is a
# 64 KiB tmpfs in a private mount namespace, and /dev/full.
set -u
. "$(dirname "$0")/lib/sup.sh" "${1:-build}" 120
[ -x "$J" ] || { echo "not ok - $J missing"; exit 1; }

PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)

# ~300 fork+exec+exit+reap: about 100 KiB of trace, more than the tmpfs holds.
busy='i=0; while [ $i -lt 300 ]; do /bin/true; i=$((i+1)); done; echo done'

mkdir "$T/mnt"
# full ARGS...: jobshim run --trace $T/mnt/t.jsonl ARGS... on the small tmpfs.
full() {
	timeout 60 unshare --mount sh -c \
		"mount -t tmpfs -o size=64k none \"$T/mnt\" && \"$J\" run --trace \"$T/mnt/t.jsonl\" \"\$@\"; rc=\$?; cp \"$T/mnt/t.jsonl\" \"$T/t.jsonl\"; exit \$rc" \
		sh "$@"
}

out=$(full -- sh -c "$busy" 2>"$T/err")
rc=$?
[ $rc -eq 125 ] && ok "full file system, command succeeded: exit 125" || bad "ENOSPC: exit $rc"
[ "$out" = done ] && ok "the command ran to its end, its output intact" || bad "command output '$out'"
n=$(grep -c "^jobshim: --trace $T/mnt/t.jsonl: No space left on device: the trace is incomplete" "$T/err")
[ "$n" -eq 1 ] && ok "said once on stderr" || bad "stderr ($n): $(cat "$T/err")"
[ "$(grep -c . "$T/err")" -eq 1 ] && ok "nothing else on stderr" || bad "stderr: $(cat "$T/err")"
size=$(stat -c %s "$T/t.jsonl")
if "$PY" -c '
import json, sys
data = open(sys.argv[1], "rb").read()
assert data.endswith(b"\n"), "cut mid-record"
for line in data.decode().splitlines():
    json.loads(line)
' "$T/t.jsonl" 2>"$T/pyerr"; then
	ok "the trace holds whole records only ($size bytes)"
else
	bad "trace of $size bytes: $(tail -n 1 "$T/pyerr")"
fi
[ "$size" -gt 30000 ] && ok "and keeps what fitted" || bad "trace cut to $size bytes"

# The command's own failure wins: its status is kept.
full -- sh -c "$busy; exit 7" >/dev/null 2>"$T/err"
rc=$?
[ $rc -eq 7 ] && ok "full file system, command failed: its status 7 kept" || bad "exit $rc, want 7"
grep -q "the trace is incomplete" "$T/err" && ok "and the trace error said" || bad "stderr: $(cat "$T/err")"

# /dev/full: every write fails.
out=$(timeout 60 "$J" run --trace /dev/full -- sh -c 'echo hello' 2>"$T/err")
rc=$?
[ $rc -eq 125 ] && [ "$out" = hello ] && ok "/dev/full: exit 125, output intact" || bad "/dev/full: rc $rc out '$out'"
[ "$(grep -c "^jobshim: --trace /dev/full: No space left on device: the trace is incomplete$" "$T/err")" -eq 1 ] &&
	ok "/dev/full: said once" || bad "/dev/full: $(cat "$T/err")"
timeout 60 "$J" run --timeout 300ms --trace /dev/full -- sleep 10 2>/dev/null
rc=$?
[ $rc -eq 124 ] && ok "/dev/full with --timeout: 124 kept" || bad "/dev/full timeout: exit $rc"

# --trace - on a full stderr: the same rule (the message is lost with it).
out=$(timeout 60 "$J" run --trace - -- sh -c 'echo hello' 2>/dev/full)
rc=$?
[ $rc -eq 125 ] && [ "$out" = hello ] && ok "--trace - on a full stderr: exit 125" || bad "--trace - full: rc $rc out '$out'"

# --trace - whose reader is gone (EPIPE): the trace stops quietly, the
# command runs on and its status is jobshim's.
res=$("$PY" -c '
import os, subprocess, sys
r, w = os.pipe()
os.close(r)
p = subprocess.run([sys.argv[1], "run", "--trace", "-", "--", "sh", "-c", sys.argv[2]],
                   stdout=subprocess.PIPE, stderr=w, timeout=60)
print(p.returncode, p.stdout.decode().strip())
' "$J" "$busy; exit 3")
[ "$res" = "3 done" ] && ok "--trace - with its reader gone: status and output kept" || bad "EPIPE: '$res'"
res=$("$PY" -c '
import os, subprocess, sys
r, w = os.pipe()
os.close(r)
p = subprocess.run([sys.argv[1], "run", "--trace", "-", "--", "sh", "-c", "echo hi"],
                   stdout=subprocess.PIPE, stderr=w, timeout=60)
print(p.returncode, p.stdout.decode().strip())
' "$J")
[ "$res" = "0 hi" ] && ok "--trace - with its reader gone: a success stays 0" || bad "EPIPE 0: '$res'"

# A trace that could be written: unchanged.
out=$(timeout 60 "$J" run --trace "$T/ok.jsonl" -- sh -c 'echo fine' 2>"$T/err")
rc=$?
[ $rc -eq 0 ] && [ "$out" = fine ] && [ ! -s "$T/err" ] && [ -s "$T/ok.jsonl" ] &&
	ok "a trace written whole: exit 0, nothing said" || bad "good trace: rc $rc $(cat "$T/err")"

exit $fail
