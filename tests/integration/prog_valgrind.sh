#!/bin/bash
# prog_valgrind.sh BUILD — programs under valgrind's memcheck inside a jobshim tree: virtual ids, no error of the shim's own, the program's errors and exit status as natively.
# shellcheck disable=SC2016  # single-quoted scripts expand in the shell under test
#
# Two ways valgrind met jobshim: the shim's pointer probes (a futex on a
# page the program named) were reported as memcheck errors, so that
# `valgrind --error-exitcode=1 ./test` failed under jobshim only; and
# valgrind's tool is a static program, which jobshim filtered as an alone
# image while the program in it kept the shim: the program's fork returned
# a vpid that its shim took for a real pid (bash: "child setpgid (3 to 3):
# No such process").
B=$(cd "${1:-build}" && pwd) || exit 1
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"
why=$(it_shim_missing); [ -n "$why" ] && { echo "FAIL: $why"; exit 1; }
command -v valgrind >/dev/null || { echo "FAIL: valgrind missing (scripts/deps.sh installs it)"; exit 1; }

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cc -g -O0 -o "$dir/vg" "$(cd "$(dirname "$0")" && pwd)/lib/launches.c" || { echo "FAIL: cc"; exit 1; }
# --vgdb=no: valgrind's gdbserver FIFOs are /tmp/vgdb-pipe-*-<pid>-*, and
# two runs of this script at once (two suites) have processes with the
# same pid in their own namespaces: one unlinked the other's ("could not
# unlink" on stderr).
VG="valgrind -q --vgdb=no --error-exitcode=9"

it_both 'a C program: fork, vfork, posix_spawn, system, setpgid; no memcheck error' \
	$'spawned by 3\nsystem 3\npid 3 ppid 2 pgrp 3 children in order: 3 4 0 system 0\nrc 0' \
	sh -c '$1 "$2"; echo rc $?' _ "$VG" "$dir/vg"

cat >"$dir/jc.sh" <<'S'
set -m
(exit 3) & wait $!; echo "job $?"
/bin/sleep 0.1 & wait $!; echo "sleep $?"
echo "$$ $PPID $(sh -c 'echo $PPID') $(/bin/sh -c 'ps -o pgid= -p $$' 2>/dev/null | tr -d ' ')"
kill -0 $$ && echo alive
S
# (sh -c is pid 2, bash 3; the command substitution's sh runs in bash's
# group, 2's: a non-interactive shell's substitutions are no jobs.)
jc_want=$'job 3\nsleep 0\n3 2 3 2\nalive\nrc 0'
it_both 'bash with job control under valgrind' "$jc_want" \
	sh -c '$1 bash "$2" 2>&1; echo rc $?' _ "$VG" "$dir/jc.sh"
it_both 'the same with --trace-children=yes' "$jc_want" \
	sh -c '$1 --trace-children=yes bash "$2" 2>&1; echo rc $?' _ "$VG" "$dir/jc.sh"

# A static image exec'd from a program under valgrind: valgrind runs no
# seccomp(2), so the shim execs it through its trampoline, which valgrind
# runs natively; with --trace-children=yes valgrind runs the trampoline
# under its tool, and the static image under the tool again, filtered.
cat >"$dir/st.c" <<'C'
#include <stdio.h>
#include <unistd.h>
int main(void)
{
	printf("static %d %d\n", getpid(), getppid());
	return 0;
}
C
cc -static -O1 -o "$dir/st" "$dir/st.c" || { echo "FAIL: cc -static (libc6-dev's libc.a)"; exit 1; }
it_both 'a static image exec'"'"'d from under valgrind' $'static 4 3\nsh 3\nrc 0' \
	sh -c '$1 /bin/sh -c "\"\$0\"; echo sh \$\$" "$2" 2>&1; echo rc $?' _ "$VG" "$dir/st"
# (memcheck reports glibc's static start-up here: stdout only.)
it_both 'the same with --trace-children=yes' $'static 4 3\nsh 3' \
	sh -c '$1 --trace-children=yes /bin/sh -c "\"\$0\"; echo sh \$\$" "$2" 2>/dev/null' _ "$VG" "$dir/st"

# A static program under valgrind: the tool runs its calls, and is
# filtered as an alone image (memcheck reports glibc's static start-up,
# natively too: status 9 both ways).
it_both 'a static program under valgrind' $'static 3 2\nrc 9' \
	sh -c '$1 "$2" 2>/dev/null; echo rc $?' _ "$VG" "$dir/st"

# The program's own errors: the first line of memcheck's report and the
# status, the same both ways.
report() {
	"$@" 2>&1 >/dev/null | sed -n 's/^==[0-9]*== \(Invalid write of size [0-9]*\|[0-9]* bytes in 1 blocks are definitely lost\).*/\1/p' | head -1
}
for c in overflow leak; do
	n=$(report it_native sh -c '$1 --leak-check=full "$2" "$3"; echo rc $? >&2' _ "$VG" "$dir/vg" "$c")
	s=$(report it_shim -- sh -c '$1 --leak-check=full "$2" "$3"; echo rc $? >&2' _ "$VG" "$dir/vg" "$c")
	st_n=$(it_native sh -c '$1 --leak-check=full "$2" "$3" 2>/dev/null; echo $?' _ "$VG" "$dir/vg" "$c")
	st_s=$(it_shim -- sh -c '$1 --leak-check=full "$2" "$3" 2>/dev/null; echo $?' _ "$VG" "$dir/vg" "$c")
	case $c in
	overflow) want='Invalid write of size 1' ;;
	leak) want='77 bytes in 1 blocks are definitely lost' ;;
	esac
	it_expect "$c: memcheck's report (native)" "$n" "$want"
	it_expect "$c: memcheck's report (jobshim)" "$s" "$want"
	it_expect "$c: status (native)" "$st_n" 9
	it_expect "$c: status (jobshim)" "$st_s" 9
done
exit "$it_failures"
