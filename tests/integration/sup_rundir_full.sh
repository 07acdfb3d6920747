#!/bin/bash
# sup_rundir_full.sh BUILD — a run directory on a tmpfs that fills up: the supervisor reserves each
# page of its shared maps before its first store (supervisor/mview.c, rundir.c), so a full file
# system costs the model view (the shims ask instead), never a SIGBUS; the answers stay right.
# And where the run directory goes without $TMPDIR: /dev/shm only when it is a tmpfs with 16 MiB
# free and not noexec (rundir.c, run_base).  Runs in a private mount namespace (its own tmpfs
# mounts, /dev/shm's included) inside a private pid namespace.
set -u
. "$(dirname "$0")/lib/sup.sh" "${1:-build}" 120
[ -x "$J" ] || { echo "not ok - $J missing"; exit 1; }
if [ "${SUP_IN_MNT:-}" != 1 ]; then
	SUP_IN_MNT=1 exec unshare --mount --propagation private "$0" "$B"
fi
S="$T/small"
mkdir "$S"
mount -t tmpfs -o size=256k,mode=1777 jobshim-test "$S" || { echo "not ok - mount tmpfs"; exit 1; }
# Leave 16 KiB: the image cache (64 KiB) cannot be made, the counter and the
# view's header fit, and the view's pages of processes and real pids soon do
# not.  (Before pages were reserved, sparse files here made shims and the
# supervisor die of SIGBUS: "Bus error".)
dd if=/dev/zero of="$S/fill" bs=4k count=60 status=none
# The background sleep lives until ps has looked (killed then): a 0.1 s one
# was gone before ps ran on a loaded machine.
script='for i in $(seq 200); do /bin/true; done
sh -c "echo \$\$ \$PPID"; sleep 60 & p=$!; sh -c "ps -o pid=,ppid= -p $p"; kill $p; wait
df -k --output=avail "$1" | tail -1 >"$2"; echo end'
out=$(TMPDIR="$S" timeout 60 "$J" run -- sh -c "$script" sh "$S" "$T/free" 2>"$T/err")
rc=$?
free=$(tr -d ' ' <"$T/free")
want=$(printf '204 2\n%7s %7s\nend' 205 2)
if [ $rc -eq 0 ] && [ "$(echo "$out" | sed 's/^ *//; s/  */ /g')" = "$(echo "$want" | sed 's/^ *//; s/  */ /g')" ] &&
	! grep -q "jobshim" "$T/err"; then
	ok "a full tmpfs: exit 0, the same ids, nothing on stderr"
else
	bad "full tmpfs: exit $rc, out '$(echo $out)', want '$(echo $want)'"; sed 's/^/#   /' "$T/err" | head -5
fi
[ -n "$free" ] && [ "$free" -lt 8 ] && ok "the file system did fill up during the run (${free} KiB free)" ||
	bad "the test never filled the file system: '${free}' KiB free"
left=$(ls "$S" | grep -v '^fill$')
[ -z "$left" ] && ok "the run directory is gone" || bad "left: $left"
umount "$S"

# base OPTIONS: where a run without $TMPDIR puts its directory, with /dev/shm mounted so
base() {
	umount /dev/shm 2>/dev/null
	mount -t tmpfs -o "$1" jobshim-shm /dev/shm || { echo "mount failed"; return; }
	env -u TMPDIR timeout 60 "$J" run -- sh -c 'echo "$JOBSHIM_SOCKET"' 2>/dev/null
}
case "$(base size=64m,mode=1777)" in /dev/shm/jobshim-*/sock) ok "a tmpfs /dev/shm with room: used" ;;
*) bad "/dev/shm with room not used: '$(base size=64m,mode=1777)'" ;; esac
case "$(base size=64m,mode=1777,noexec)" in /tmp/jobshim-*/sock) ok "a noexec /dev/shm (Docker's): /tmp instead" ;;
*) bad "noexec /dev/shm: '$(base size=64m,mode=1777,noexec)'" ;; esac
case "$(base size=8m,mode=1777)" in /tmp/jobshim-*/sock) ok "a /dev/shm with less than 16 MiB free: /tmp instead" ;;
*) bad "small /dev/shm: '$(base size=8m,mode=1777)'" ;; esac
case "$(base size=64m,mode=0755)" in /tmp/jobshim-*/sock) ok "a /dev/shm not every uid may write: /tmp instead" ;;
*) bad "0755 /dev/shm: '$(base size=64m,mode=0755)'" ;; esac
umount /dev/shm
exit $fail
