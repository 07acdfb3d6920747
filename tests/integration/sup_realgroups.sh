#!/bin/bash
# sup_realgroups.sh BUILD — real process groups mirror the virtual ones (setpgid, setsid, posix_spawn,
# tcsetpgrp's group); a virtual setsid is a real session of the caller's own.
#
# /proc/self/stat holds the real numbers (field 1 the real pid, 5 the real
# group, 6 the real session) when opened by a raw openat system call, which
# the shim passes through (an open through libc gets the virtual ids).
set -u
. "$(dirname "$0")/lib/sup.sh" "${1:-build}" 120
command -v python3 >/dev/null || { echo "not ok - python3 missing (scripts/deps.sh installs it)"; exit 1; }

cat >"$T/groups.py" <<'EOF'
import ctypes, os, sys

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long

def raw_stat():
    # openat(AT_FDCWD, "/proc/self/stat", O_RDONLY) as a raw system call
    fd = libc.syscall(257, -100, b"/proc/self/stat", 0)
    if fd < 0:
        raise OSError(ctypes.get_errno(), "openat")
    try:
        return os.read(fd, 4096).decode()
    finally:
        os.close(fd)

def real():
    f = raw_stat().rsplit(")", 1)[1].split()
    return int(f[2]), int(f[3])                     # real pgrp, real session

def rpid():
    return int(raw_stat().split()[0])

if sys.argv[1:2] == ["--child"]:
    # A spawned child reports (its real pid == its real group, same real session).
    g, s = real()
    print("leader" if rpid() == g else "member", "same" if s == int(sys.argv[2]) else ("own" if s == rpid() else "other"))
    sys.exit(0)

def child_stat(argv_flag, **kw):
    r, w = os.pipe()
    pid = os.posix_spawn(sys.executable, [sys.executable, sys.argv[0], "--child", str(s0)], os.environ, file_actions=[(os.POSIX_SPAWN_DUP2, w, 1)], **kw)
    os.close(w)
    with os.fdopen(r) as f:
        out = f.read().split()  # to EOF: the child's output may come in pieces
    os.waitpid(pid, 0)
    return out[0], out[1]

g0, s0 = real()
print("start: real group is the command's:", g0 == rpid())


# A child moves into its own group (both sides call, as shells do).
pid = os.fork()
if pid == 0:
    os.setpgid(0, 0)
    g, s = real()
    os._exit(0 if (g == rpid() and s == s0) else 1)
try:
    os.setpgid(pid, pid)
except PermissionError:
    pass  # it has exec'd or exited meanwhile: fine
print("child in its own real group:", os.waitpid(pid, 0)[1] == 0)

# posix_spawn: SETPGROUP 0 -> a real group of its own; setsid -> a real session of its own.
print("spawn setpgroup=0:", child_stat(None, setpgroup=0) == ("leader", "same"))
print("spawn setsid:", child_stat(None, setsid=True) == ("leader", "own"))
# Joining our group: a member of it, not a leader.
print("spawn setpgroup=ours:", child_stat(None, setpgroup=os.getpgrp()) == ("member", "same"))

# setsid in a child: a real session and group of its own.
pid = os.fork()
if pid == 0:
    os.setsid()
    g, s = real()
    os._exit(0 if (g == rpid() and s == rpid()) else 1)
print("setsid child: own real session:", os.waitpid(pid, 0)[1] == 0)
EOF
out=$(timeout 60 "$J" run -- python3 "$T/groups.py" 2>"$T/err")
echo "$out" | sed 's/^/#   /'
for line in "start: real group is the command's: True" \
	"child in its own real group: True" \
	"spawn setpgroup=0: True" "spawn setsid: True" "spawn setpgroup=ours: True" \
	"setsid child: own real session: True"; do
	echo "$out" | grep -qxF "$line" && ok "$line" || { bad "$line"; head -5 "$T/err"; }
done
exit $fail
