#!/bin/bash
# sup_tidspace.sh BUILD — where real ids start at 1 (a container's fresh pid namespace, no pidpush), a threaded parent's calls on its children reach the children, not its own threads.
# itest/tidspace says why: its threads hold real ids in the range its
# children's vpids come from, and the shim reads a number equal to one of
# the caller's threads as that thread.  The vpid counter now skips the ids
# of live threads (core/proto.h, proto_vpids_take_free).  Natively and
# under jobshim, each in its own private pid namespace whose real ids
# start at 1 (the other tests push them to 10000 and more: lib/sup.sh).
set -u
B=$(cd "${1:-build}" && pwd)
J="$B/jobshim"
fail=0
ok() { echo "ok - $*"; }
bad() { echo "not ok - $*"; fail=1; }
for f in "$J" "$B/itest/native_init" "$B/itest/tidspace"; do
	[ -x "$f" ] || { echo "not ok - $f missing"; exit 1; }
done
ns() { timeout -k 5 60 unshare --pid --fork --kill-child --mount-proc "$B/itest/native_init" "$@" </dev/null 2>&1; }

want=$(ns "$B/itest/tidspace")
case $want in
*"children found in /proc: 6"*) ;;
*) echo "not ok - native run: $want"; exit 1 ;;
esac
got=$(ns "$J" run -- "$B/itest/tidspace")
if [ "$got" = "$want" ]; then
	ok "a threaded parent with small real ids: its children's ids name them"
else
	bad "a threaded parent with small real ids"
	diff <(echo "$want") <(echo "$got") | sed 's/^/#   /'
fi

# The same parent started by a shell started by a shell: its threads' ids
# are further from the vpids that the first processes took.
# shellcheck disable=SC2016 # $1 is the inner shell's
got=$(ns "$J" run -- sh -c 'sh -c "$1"' sh "$B/itest/tidspace")
if [ "$got" = "$want" ]; then
	ok "the same, two shells down"
else
	bad "the same, two shells down"
	diff <(echo "$want") <(echo "$got") | sed 's/^/#   /'
fi
# A real program: psutil's children(), ppid(), name() and pid_exists() of
# a threaded Python process's children (they read /proc/<child>).
PY=/usr/bin/python3 # Debian's, with python3-psutil (not a pyenv one)
"$PY" -c 'import psutil' 2>/dev/null || { echo "not ok - python3-psutil missing (scripts/deps.sh)"; exit 1; }
prog='
import os, subprocess, threading, psutil
ev = threading.Event()
ts = [threading.Thread(target=ev.wait) for _ in range(6)]
for t in ts: t.start()
ps = [subprocess.Popen(["sleep", "30"]) for _ in range(4)]
kids = psutil.Process().children()
print(sorted(k.pid for k in kids) == sorted(p.pid for p in ps), [k.ppid() == os.getpid() for k in kids])
print([psutil.Process(p.pid).name() for p in ps], [psutil.pid_exists(p.pid) for p in ps])
for p in ps: p.kill(); p.wait()
ev.set()
for t in ts: t.join()'
want=$(ns "$PY" -c "$prog")
got=$(ns "$J" run -- "$PY" -c "$prog")
if [ "$got" = "$want" ] && [ "${want%%$'\n'*}" = "True [True, True, True, True]" ]; then
	ok "psutil in a threaded Python process: its children"
else
	bad "psutil in a threaded Python process: its children"
	diff <(echo "$want") <(echo "$got") | sed 's/^/#   /'
fi
exit $fail
