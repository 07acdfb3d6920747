#!/bin/bash
# prog_procfs.sh BUILD — ps, pgrep, pkill, pidof, killall, psutil and ls read /proc with the tree's pids, natively and under jobshim.
# shellcheck disable=SC2016  # single-quoted scripts expand in the shell under test
B=$(cd "${1:-build}" && pwd) || exit 1
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"
why=$(it_shim_missing); [ -n "$why" ] && { echo "FAIL: $why"; exit 1; }
for tool in ps pgrep pkill pidof killall; do
	command -v "$tool" >/dev/null || { echo "FAIL: $tool missing (scripts/deps.sh)"; exit 1; }
done
PY=/usr/bin/python3 # Debian's, with python3-psutil (not a pyenv one)
"$PY" -c 'import psutil' 2>/dev/null || { echo "FAIL: python3-psutil missing (scripts/deps.sh)"; exit 1; }

# Each case runs natively in a fresh pid namespace (the shell is pid 2, its
# children 3, 4, ...) and under jobshim (vpids numbered the same way): the
# tools must print the same numbers.  A background sleep is only matched by
# name once it has exec'd: wait for that (bounded) instead of a fixed sleep.
until_exec='for i in $(seq 500); do [ "$(cat /proc/$!/comm)" = sleep ] && break; sleep 0.01; done'

it_both 'pkill -x sleep' $'rc=0\nstatus=143\ngone' \
	sh -c 'sleep 50 & '"$until_exec"'; pkill -x sleep; echo rc=$?; wait $!; echo status=$?; pgrep -x sleep || echo gone'
it_both 'ps -o pid,ppid,pgid,sid -p $$' '2 1 2 2' \
	sh -c 'echo $(ps -o pid=,ppid=,pgid=,sid= -p $$)'
tmp=$(mktemp)
it_both 'ps -e lists the tree' $'1\n2 1 sh\n3 2 ps' \
	sh -c 'ps -e -o pid=,ppid=,comm= >"$0"; sed "s/^ *//; s/  */ /g; s/^1 .*/1/" "$0"' "$tmp"

it_both 'pgrep -g of a background job' '3' \
	sh -c 'sleep 50 & '"$until_exec"'; pgrep -g $$ -x sleep; kill $!; wait'
it_both 'pgrep -P' '3' \
	sh -c 'sleep 50 & '"$until_exec"'; pgrep -P $$ sleep; kill $!; wait'
it_both 'pidof (sysvinit: cwd /proc, relative paths)' '3' \
	sh -c 'sleep 50 & '"$until_exec"'; pidof sleep; kill $!; wait'
it_both 'killall (psmisc)' $'0\n143\n1' \
	sh -c 'sleep 50 & '"$until_exec"'; killall sleep; echo $?; wait $!; echo $?; killall -q sleep; echo $?'
it_both 'psutil ppid, pids, children' '2 True 2 True True' \
	sh -c 'sleep 50 & '"$until_exec"'; '"$PY"' -c "
import os, psutil
me = psutil.Process()
print(me.ppid(), sorted(psutil.pids()) == [1, 2, 3, os.getpid()], psutil.Process(3).ppid(),
      sorted(c.pid for c in psutil.Process(2).children()) == [3, os.getpid()],
      psutil.pid_exists(3))
"; kill $!; wait'
it_both 'ls /proc: the numeric entries' '1 2 3' \
	sh -c 'ls /proc >"$0"; echo $(grep -E "^[0-9]+$" "$0")' "$tmp"
rm -f "$tmp"
# 40 children: the listing comes from the supervisor in pages of 32.
it_both 'ls /proc with 43 processes' '43' \
	sh -c 'p=; for i in $(seq 40); do sleep 50 & p="$p $!"; done; ls /proc >"$0"; grep -cE "^[0-9]+$" "$0"; kill $p; wait' "$tmp"
it_both 'ls /proc/$$/task: the main thread is $$' '2' sh -c 'ls /proc/$$/task'
it_both 'status ids' $'Tgid:\t2\nPid:\t2\nPPid:\t1\nNStgid:\t2\nNSpid:\t2\nNSpgid:\t2\nNSsid:\t2' \
	sh -c 'grep -E "^(Tgid|Pid|PPid|NStgid|NSpid|NSpgid|NSsid):" /proc/$$/status'
it_both 'stat fields 1, 4, 5, 6 of self' '3 2 2 2' sh -c 'cut -d" " -f1,4,5,6 /proc/self/stat'
it_both 'stat of a setsid child' '3 2 3 3' \
	sh -c 'setsid sh -c "cut -d\" \" -f1,4,5,6 /proc/\$\$/stat"'
# A cwd in /proc inherited through exec: the new image learns it from the
# kernel (its getcwd names the real pid) at its first relative path.
it_both 'cwd /proc through exec: cut $$/stat' '2 1 2' \
	sh -c 'cd /proc && cut -d" " -f1,4,5 $$/stat'
it_both 'cwd /proc/$$ through exec: cut stat, of a child' '2 1 2' \
	sh -c 'cd /proc/$$ && cut -d" " -f1,4,5 stat; :'
[ "$it_failures" -eq 0 ]
