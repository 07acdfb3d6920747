#!/bin/bash
# sup_faults.sh BUILD — faults and hostile input: the supervisor SIGKILLed mid-run, lying and
# malformed requests from inside the tree, connections from outside the tree and from another uid.
set -u
. "$(dirname "$0")/lib/sup.sh" "${1:-build}" 120
R="$B/itest/raw_client"
H="$B/itest/fault_hostile"
N="$B/itest/fault_nosup"
chmod 755 "$T" # only jobshim's own 0711 run directory may keep other uids out
for f in "$J" "$R" "$H" "$N"; do [ -x "$f" ] || { echo "not ok - $f missing"; exit 1; }; done

# has PATTERN DESCRIPTION: grep the last output
has() { if grep -qE -- "$1" "$T/out"; then ok "$2"; else bad "$2"; sed 's/^/#   /' "$T/out" | head -20; fi; }
# inner FILE: the "ok/not ok" lines of a test program, indented; its failures count
inner() { sed 's/^/  /' "$1"; ! grep -q '^not ok' "$1"; }

# 1. The supervisor SIGKILLed mid-run.  The tree goes on with real calls and
# one warning (per tree, by the shared page; per image if an image cannot
# map it); `| cat` ends when the last writer is gone.
TMPDIR=$T timeout 30 bash -c "'$J' run -- '$N' 2>'$T/err' | cat" >"$T/out"
rc=$?
inner "$T/out" && ok "supervisor killed: the C program's calls fall back" || bad "fault_nosup"
[ "$rc" -ne 124 ] && ok "supervisor killed: nothing hangs" || bad "supervisor killed: timed out"
nw=$(grep -c '^jobshim: supervisor unreachable' "$T/err")
[ "$nw" -ge 1 ] && [ "$nw" -le 3 ] && ok "supervisor killed: $nw warning(s), one per tree (at most one per program image)" ||
	{ bad "supervisor killed: $nw warnings"; head -5 "$T/err" | sed 's/^/#   /'; }
other=$(grep -v '^jobshim: supervisor unreachable' "$T/err" | head -3)
[ -z "$other" ] && ok "supervisor killed: nothing else on stderr" || bad "stderr: $other"

# The same with a shell: jobs, pipelines and waits after the loss.
TMPDIR=$T timeout 30 bash -c "'$J' run -- sh -c 'sleep 0.2 & $N killsup; wait; \
	for i in 1 2 3; do sh -c \"exit \$i\" || echo \"child \$?\"; done | sort | tr \"\\n\" \" \"; \
	( sleep 0.1; echo sub ) & wait; echo done' 2>'$T/err' | cat" >"$T/out"
rc=$?
has '^child 1 child 2 child 3 sub$' "supervisor killed under sh: children, a pipeline, a background job"
has '^done$' "supervisor killed under sh: the shell finishes"
[ "$rc" -ne 124 ] && ok "supervisor killed under sh: nothing hangs" || bad "sh: timed out"
nw=$(grep -c '^jobshim: supervisor unreachable' "$T/err")
[ "$nw" -ge 1 ] && ok "supervisor killed under sh: $nw warning(s), one per tree" || bad "sh: no warning"

# 2. Lies and malformed messages from a tree process (fault_hostile.c).
TMPDIR=$T timeout 60 "$J" run -- "$H" >"$T/out" 2>"$T/err"
rc=$?
inner "$T/out" && ok "hostile client: every request refused or ignored, the supervisor serves on" ||
	bad "fault_hostile"
[ "$rc" -eq 0 ] && ok "hostile client: exit 0" || bad "hostile client: exit $rc"
[ ! -s "$T/err" ] && ok "hostile client: nothing on stderr" || { bad "stderr"; head -5 "$T/err"; }

# 4. The event FIFO (one-way news, supervisor/events.c) from a hostile tree process:
# bytes that are no record, then a well-formed BIND naming a process outside the tree.
# The supervisor must keep serving, keep its model consistent, and never watch or
# signal the outsider (teardown signals only what it watches).
sleep 60 &
outsider=$!
cat >"$T/forge.py" <<'PY'
import os, struct, sys, time
d = os.path.dirname(os.environ["JOBSHIM_SOCKET"])
ev = os.path.join(d, "events")
with open(ev, "wb", buffering=0) as f:
    f.write(os.urandom(1000))            # not whole records
    f.write(b"x")
time.sleep(0.05)
pid = os.fork()                          # a vpid the counter handed out, then gone
if pid == 0:
    os._exit(0)
os.waitpid(pid, 0)
import ctypes                            # the real pid: a raw openat (libc's open gets vpids)
libc = ctypes.CDLL(None, use_errno=True)
fd = libc.syscall(257, -100, b"/proc/self/stat", 0)
real = int(os.read(fd, 512).split()[0])
os.close(fd)
rec = struct.pack("<IHH8iQ80s", 0x314576ff, 1, 3,      # magic, version, BIND
                  os.getpid(), real, 0, 0,             # sender, no parent
                  pid, int(sys.argv[1]), 0, 1,         # child vpid, the outsider, d = counted
                  time.monotonic_ns(), b"")
with open(ev, "wb", buffering=0) as f:
    f.write(rec)
print("forged", len(rec))
PY
TMPDIR=$T timeout 30 "$J" run -- bash -c "python3 '$T/forge.py' $outsider
	for i in 1 2 3; do sh -c \"exit \$i\"; echo \"rc \$?\"; done
	sleep 5 & p=\$!; kill \$p; wait \$p; echo \"killed \$?\"
	'$R' --socket \"\$JOBSHIM_SOCKET\" hello=0,1 check" >"$T/out" 2>"$T/err"
rc=$?
has '^forged 128$' "event FIFO: garbage and a forged BIND written"
has '^rc 3$' "event FIFO: children still created and reaped after garbage"
has '^killed 143$' "event FIFO: kill of a background job still reaches it"
has '^check err=0 ' "event FIFO: the engine is consistent (CHECK)"
[ "$rc" -eq 0 ] && ok "event FIFO: exit 0" || bad "event FIFO: exit $rc"
[ ! -s "$T/err" ] && ok "event FIFO: nothing on stderr (no leftover, no crash)" ||
	{ bad "event FIFO: stderr"; head -5 "$T/err" | sed 's/^/#   /'; }
kill -0 "$outsider" 2>/dev/null && ok "event FIFO: the outsider named by the forged BIND was not signalled" ||
	bad "event FIFO: the outsider is gone"
kill "$outsider"
wait "$outsider" 2>/dev/null

# 3. Connections from outside the tree and from another uid.  The run
# directory is TOP/<secret>/ (supervisor/rundir.c): TOP 0711 hides the
# secret from other uids; whoever learns it may connect, and then only the
# pid decides (a tree process of any uid is in, a stranger is out).
TMPDIR="$T" "$J" run -- sleep 30 >/dev/null 2>&1 &
jp=$!
for i in $(seq 100); do s=$(ls "$T"/jobshim-$jp.*/*/sock 2>/dev/null) && break; sleep 0.05; done
sleep 0.2
if [ -z "${s:-}" ]; then bad "no socket for $jp"; else
	d=$(dirname "$s")
	top=$(dirname "$d")
	fd0=$(ls /proc/$jp/fd | wc -l)
	timeout 20 "$R" --socket "$s" hello=2 info=0 >"$T/out" 2>&1
	has '^hello=2 err=-1 ' "non-descendant claiming vpid 2: HELLO refused (EPERM)"
	has '^info=0 closed' "non-descendant: disconnected"
	timeout 20 setpriv --reuid=65534 --regid=65534 --clear-groups ls "$top" >"$T/out" 2>&1
	has 'Permission denied' "uid 65534 cannot list the run directory (the secret stays hidden)"
	timeout 20 setpriv --reuid=65534 --regid=65534 --clear-groups "$R" --socket "$top/sock" hello=0,1 >"$T/out" 2>&1
	has 'No such file' "uid 65534 without the secret finds no socket"
	timeout 20 setpriv --reuid=65534 --regid=65534 --clear-groups "$R" --socket "$s" hello=2 info=0 >"$T/out" 2>&1
	has '^hello=2 err=-1 ' "uid 65534 outside the tree, with the secret: HELLO refused (EPERM)"
	has '^info=0 closed' "uid 65534 outside the tree: disconnected"
	timeout 20 setpriv --reuid=65534 --regid=65534 --clear-groups "$R" --socket "$s" hello=0,1 check >"$T/out" 2>&1
	has '^hello=0,1 err=-1 ' "uid 65534 outside the tree: ps HELLO refused (EPERM)"
	has '^check closed' "uid 65534 ps tool: disconnected"
	timeout 20 "$R" --socket "$s" hello=0,1 check >"$T/out" 2>&1
	has '^check err=0 v=2,' "the supervisor still serves its own uid (2 live)"
	fd1=$(fds_back $jp "$fd0")
	[ "$fd0" = "$fd1" ] && ok "supervisor fds back to $fd0 after the refused connections" || bad "fds $fd0 -> $fd1"
	kill -TERM $jp
	wait $jp
fi

exit $fail
