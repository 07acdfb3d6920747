#!/bin/bash
# sup_chroot.sh BUILD — a chroot inside the tree: no loader error, static images still see the namespace (shim/chroot.c).
# shellcheck disable=SC2016  # single-quoted scripts expand in the shell under test
B=$(cd "${1:-build}" && pwd) || exit 1
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"
why=$(it_shim_missing); [ -n "$why" ] && { echo "FAIL: $why"; exit 1; }
T=$(cd "$(dirname "$0")" && pwd)

# A small root: dash as /bin/sh with the libraries it loads, and a static
# program (alone.c) that prints its ids.  Neither the shim's library nor
# the run directory is inside it.
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
chmod 755 "$root"
mkdir -p "$root/bin" "$root/tmp"
cp /bin/dash "$root/bin/sh"
for lib in $(ldd /bin/dash | grep -o '/[^ ]*'); do
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
done
cc -static -O2 -o "$root/bin/alone" "$T/alone/alone.c" || { echo "FAIL: alone.c does not build static"; exit 1; }

# same WHAT CMD...: output (stdout and stderr) and status natively and
# under jobshim are the same.
same() {
	local what=$1 n s
	shift
	n=$(it_native "$@" 2>&1; echo "rc $?")
	s=$(it_shim -- "$@" 2>&1; echo "rc $?")
	it_expect "$what" "$s" "$n"
}

# A dynamic image inside: before, the loader printed "ERROR: ld.so:
# object ... cannot be preloaded" for it and for each image it ran.
same 'dynamic images in the root print what they print natively' \
	chroot "$root" /bin/sh -c 'echo hi; /bin/sh -c "echo there; exit 4"; echo $?; exit 3'
# A static image exec'd by the chrooting process: filtered, its ids the
# namespace's (before: "supervisor unreachable" and real ids).
same 'a static image exec'\''d into the root sees the namespace' chroot "$root" /bin/alone
# Exec'd by a fork child of the chrooting process, which connects to the
# supervisor after the chroot, through the run directory kept open.
same 'a fork child after the chroot reaches the supervisor' "$B/itest/chroot_fork" "$root" /bin/alone
# A dynamic image inside runs without the shim, with real ids: the static
# one it runs is not filtered either (README, "A chroot"), but runs, and
# nothing is printed that natively is not.
out=$(it_shim -- chroot "$root" /bin/sh -c '/bin/alone >/tmp/out; echo "rc $?"; while read -r l; do echo "$l"; done </tmp/out' 2>&1)
it_expect 'a static image under a dynamic one in the root runs, silently' \
	"$(sed -e 's/[0-9][0-9]*/N/g' <<<"$out")" \
	"rc N
alone: pid N ppid N pgrp N sid N tid==pid N
alone: getpgid(ppid) == getpgrp = N
alone: setpgid(N, N) = N
alone: pgrp now N"

[ "$it_failures" -eq 0 ]
