#!/bin/bash
# prog_cgshell.sh BUILD — a shell's `echo $$ > cgroup.procs` moves the shell (builtin echo and printf, /bin/echo, a job's $!, exec >): bash, dash, and zsh and mksh when installed.
# shellcheck disable=SC2016  # single-quoted scripts expand in the shell under test
B=$(cd "${1:-build}" && pwd) || exit 1
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"
why=$(it_shim_missing); [ -n "$why" ] && { echo "FAIL: $why"; exit 1; }

# A cgroup of this test's own under the first writable hierarchy.
D=
for base in /sys/fs/cgroup/unified /sys/fs/cgroup/pids /sys/fs/cgroup; do
	if mkdir "$base/jobshim-prog-cgshell-$$" 2>/dev/null; then
		D=$base/jobshim-prog-cgshell-$$
		break
	fi
done
if [ -z "$D" ]; then
	echo "ok - not run: no cgroup hierarchy this user can write"
	exit 0
fi
trap 'rmdir "$D" 2>/dev/null' EXIT

# The job is killed with SIGKILL: mksh catches SIGTERM, and its child
# keeps that handler until it execs, so a SIGTERM that came first (a
# loaded machine) left `sleep 100` running and `wait` waiting, natively
# too.
# In the cgroup? Then back to the parent ("0": the writer itself).  The
# pid nobody has is above any pid_max: no process anywhere is moved, with
# or without a pid namespace.
script='
D=$1 L=${1##*/}
check() { if grep -q "/$L\$" /proc/self/cgroup; then echo "$1: moved"; else echo "$1: not moved"; fi
	echo 0 > "${D%/*}/cgroup.procs"; }
echo $$ > "$D/cgroup.procs"; check "builtin echo $?"
printf "%d\n" $$ > "$D/cgroup.procs"; check "builtin printf $?"
/bin/echo $$ > "$D/cgroup.procs"; check "/bin/echo $?"
(exec > "$D/cgroup.procs"; echo $$); check "exec > (a subshell)"
sleep 100 & j=$!
echo $j > "$D/cgroup.procs"
if grep -q "/$L\$" /proc/$j/cgroup; then echo "a job: moved"; else echo "a job: not moved"; fi
kill -KILL $j; wait $j 2>/dev/null
{ echo 1 2 > "$D/cgroup.procs"; } 2>/dev/null; echo "two numbers: $?"
{ echo 2147483647 > "$D/cgroup.procs"; } 2>/dev/null; echo "a pid nobody has: $?"
'
want='builtin echo 0: moved
builtin printf 0: moved
/bin/echo 0: moved
exec > (a subshell): moved
a job: moved
two numbers: 1
a pid nobody has: 1'
for sh in bash dash zsh mksh; do
	command -v "$sh" >/dev/null || { [ "$sh" = zsh ] || [ "$sh" = mksh ]; } || { echo "FAIL: no $sh"; exit 1; }
	command -v "$sh" >/dev/null || continue
	it_both "$sh" "$want" "$sh" -c "$script" "$sh" "$D"
done

[ "$it_failures" -eq 0 ]
