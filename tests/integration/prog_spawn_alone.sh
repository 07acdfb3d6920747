#!/bin/bash
# prog_spawn_alone.sh BUILD — posix_spawn(p) of a static image: it sees the namespace (through jobshim-exec) as its parent does.
B=$(cd "${1:-build}" && pwd) || exit 1
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"
why=$(it_shim_missing); [ -n "$why" ] && { echo "FAIL: $why"; exit 1; }

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# The static child prints its ids and argv; getpid is filtered only if the
# seccomp filter was installed before its exec (glibc's posix_spawn execs
# inside libc, so the shim spawns its trampoline, which execs it).
cat >"$dir/ids.c" <<'C'
#include <stdio.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	printf("child: pid %d ppid %d pgid %d argv0 %s argc %d\n", (int)getpid(), (int)getppid(),
	       (int)getpgid(0), argv[0], argc);
	return 7;
}
C
if ! cc -static -O2 -o "$dir/ids" "$dir/ids.c" 2>"$dir/cc.err"; then
	it_expect 'static helper builds' "$(cat "$dir/cc.err")" ''
	exit 1
fi
# posix_spawn by path, posix_spawnp by name (PATH), and one with
# POSIX_SPAWN_SETPGROUP: the vpid the parent gets is the child's getpid.
cat >"$dir/spawn.py" <<'PY'
import os, sys
d = sys.argv[1]
def show(what, spawn, *args, **kw):
    r, w = os.pipe()
    pid = spawn(*args, file_actions=[(os.POSIX_SPAWN_DUP2, w, 1)], **kw)
    os.close(w)
    line = os.read(r, 200).decode().split()
    os.close(r)
    p, st = os.waitpid(pid, 0)
    cpid, cppid, cpgid = int(line[2]), int(line[4]), int(line[6])
    print(what, "child is what spawn returned:", cpid == pid, "reaped:", p == pid,
          "exit", os.waitstatus_to_exitcode(st))
    print(what, "parent is me:", cppid == os.getpid(), "group:",
          "mine" if cpgid == os.getpgrp() else "own" if cpgid == cpid else cpgid,
          "argv0", line[8], "argc", line[10])
show("spawn", os.posix_spawn, d + "/ids", ["name0", "a"], os.environ)
os.environ["PATH"] = d + ":" + os.environ["PATH"]
show("spawnp", os.posix_spawnp, "ids", ["name1"], os.environ)
show("setpgroup", os.posix_spawn, d + "/ids", ["name2"], os.environ, setpgroup=0)
PY
want='spawn child is what spawn returned: True reaped: True exit 7
spawn parent is me: True group: mine argv0 name0 argc 2
spawnp child is what spawn returned: True reaped: True exit 7
spawnp parent is me: True group: mine argv0 name1 argc 1
setpgroup child is what spawn returned: True reaped: True exit 7
setpgroup parent is me: True group: own argv0 name2 argc 1'
it_both 'posix_spawn of a static image' "$want" python3 "$dir/spawn.py" "$dir"
[ "$it_failures" -eq 0 ]
