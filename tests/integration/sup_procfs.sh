#!/bin/bash
# sup_procfs.sh BUILD — a /proc that is not jobshim's (another pid namespace's, none, hidepid): refuse, signal nothing.
# Runs itself inside a private pid namespace with its own /proc; each case
# nests one more pid namespace, so that the test's /proc is the foreign one.
set -u
. "$(dirname "$0")/lib/sup.sh" "${1:-build}" 120
[ -x "$J" ] || { echo "not ok - $J missing"; exit 1; }

# A process of this namespace that no case may touch: with a foreign /proc,
# jobshim used to take this namespace's processes for its leftovers and
# kill() them by number.
sleep 1000 &
sentinel=$!
sentinel_alive() { kill -0 $sentinel 2>/dev/null && [ "$(cut -d' ' -f3 /proc/$sentinel/stat)" != Z ]; }

# refused WHAT RC PATTERN: exit 125, the reason and the fix on stderr, the
# command never ran, the sentinel alive.
refused() {
	[ "$2" -eq 125 ] && ok "$1: exit 125" || bad "$1: exit $2"
	grep -q "$3" "$T/err" && ok "$1: says why" || bad "$1: stderr: $(cat "$T/err")"
	grep -q "unshare --pid --fork --mount-proc" "$T/err" && ok "$1: names the fix" || bad "$1: no fix named"
	[ ! -e "$T/ran" ] && ok "$1: command not run" || bad "$1: the command ran"
	sentinel_alive && ok "$1: nothing outside signalled" || bad "$1: the sentinel was signalled"
	rm -f "$T/ran"
}

# /proc of another pid namespace: `unshare --pid --fork` without --mount-proc.
timeout 30 unshare --pid --fork --kill-child "$J" run --fail-on-leak -- \
	sh -c "touch $T/ran; setsid sleep 100 & exit 0" 2>"$T/err"
refused "foreign /proc" $? "belongs to another pid namespace"

# The same namespace with its own /proc works, and its teardown reaches
# its own leftover only.
out=$(timeout 30 unshare --pid --fork --kill-child --mount-proc "$J" run -- \
	sh -c 'setsid sleep 100 & echo $$' 2>"$T/err")
rc=$?
[ $rc -eq 0 ] && [ "$out" = 2 ] && grep -q "leftover: .*: sleep 100$" "$T/err" &&
	ok "own /proc: runs, leftover torn down" || bad "own /proc: rc $rc out '$out' $(cat "$T/err")"
sentinel_alive && ok "own /proc: sentinel alive" || bad "own /proc: the sentinel was signalled"

# No proc file system at /proc.
timeout 30 unshare --mount --pid --fork --kill-child --mount-proc \
	sh -c "mount -t tmpfs none /proc && exec \"$J\" run -- touch $T/ran" 2>"$T/err"
refused "no /proc" $? "/proc is not mounted"

# hidepid: root sees every process (CAP_SYS_PTRACE): jobshim works.
out=$(timeout 30 unshare --mount --pid --fork --kill-child --mount-proc \
	sh -c "mount -o remount,hidepid=2 /proc && exec \"$J\" run -- sh -c 'setsid sleep 100 & echo \$\$'" 2>"$T/err")
rc=$?
[ $rc -eq 0 ] && [ "$out" = 2 ] && grep -q "leftover: .*: sleep 100$" "$T/err" &&
	ok "hidepid=2 as root: runs, leftover torn down" || bad "hidepid=2 root: rc $rc out '$out' $(cat "$T/err")"

# hidepid as another user: its own non-dumpable processes would be hidden.
# jobshim and the library in a directory that user can read.
if command -v setpriv >/dev/null; then
	D=$(mktemp -d)
	chmod 755 "$D"
	cp "$J" "$B/libjobshim.so" "$D/"
	asuser="setpriv --reuid=65534 --regid=65534 --clear-groups"
	for h in 1 2; do
		timeout 30 unshare --mount --pid --fork --kill-child --mount-proc \
			sh -c "mount -o remount,hidepid=$h /proc && exec $asuser \"$D/jobshim\" run -- touch $T/ran" 2>"$T/err"
		refused "hidepid=$h as uid 65534" $? "mounted with hidepid=.* and hides processes"
	done
	# The same user on a /proc without hidepid: accepted.
	out=$(timeout 30 unshare --mount --pid --fork --kill-child --mount-proc \
		$asuser "$D/jobshim" run -- sh -c 'echo $$' 2>"$T/err")
	rc=$?
	[ $rc -eq 0 ] && [ "$out" = 2 ] && ok "uid 65534 without hidepid: runs" ||
		bad "uid 65534: rc $rc out '$out' $(cat "$T/err")"
	rm -rf "$D"
else
	bad "setpriv (util-linux) missing"
fi

sentinel_alive && ok "sentinel alive at the end" || bad "sentinel gone"
kill $sentinel
exit $fail
