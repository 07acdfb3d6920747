#!/bin/bash
# sup_forkpte.sh BUILD — from its second fork on, an image's children get our text's page table entries (shim/forkpte.c), and its maps listing stays as it was.
# The shim's first segment gets one private page at the second fork, so
# that fork copies the segment's entries (no text fault in each child).
# What a program may see of it: one read-execute mapping of the library,
# as before (an mprotect of a part would have split it in two for good),
# and its children running as before.  smaps' Anonymous line of that
# mapping says whether it happened: 0 after one fork, one page after two.
set -u
. "$(dirname "$0")/lib/sup.sh" "${1:-build}" 120
[ -x "$J" ] || { echo "not ok - $J missing"; exit 1; }

# The shell reads its own maps and smaps with builtins (the redirection
# is the shell's open, of /proc/<its vpid>); `true &` is a fork of the
# shell itself.
"$J" run -- sh -c '
	text() {
		n=0 anon=-
		while read -r range perms off dev ino path; do
			case $path in *libjobshim.so) [ "$perms" = r-xp ] && n=$((n + 1)) ;; esac
		done </proc/$$/maps
		inside=0
		while read -r a b c; do
			case $a in
			*-*) case $b in r-xp) case "$c" in *libjobshim.so) inside=1 ;; *) inside=0 ;; esac ;; *) inside=0 ;; esac ;;
			Anonymous:) [ $inside = 1 ] && anon=$b && inside=0 ;;
			esac
		done </proc/$$/smaps
		echo "$1 mappings=$n anon=$anon"
	}
	text start
	true & wait
	text one
	true & wait
	text two
	child=$(sh -c "echo \$PPID")
	[ "$child" = $$ ] && echo "child ok" || echo "child ppid $child, not $$"
	(exit 3) & wait $!
	echo "status $?"
' >"$T/out" 2>&1
rc=$?
[ $rc = 0 ] && ok "the run ended with 0" || bad "the run ended with $rc: $(tr '\n' '|' <"$T/out")"
grep -qx 'start mappings=1 anon=0' "$T/out" && ok "before any fork: one text mapping, no private page" ||
	bad "before any fork: $(grep ^start "$T/out")"
grep -qx 'one mappings=1 anon=0' "$T/out" && ok "after one fork: unchanged" ||
	bad "after one fork: $(grep ^one "$T/out")"
grep -qx 'two mappings=1 anon=4' "$T/out" && ok "after two forks: one text mapping, one private page" ||
	bad "after two forks: $(grep ^two "$T/out")"
grep -qx 'child ok' "$T/out" && ok "a later child sees its parent" || bad "$(grep ^child "$T/out")"
grep -qx 'status 3' "$T/out" && ok "a later child's status" || bad "$(grep ^status "$T/out")"
exit $fail
