#!/bin/bash
# prog_pidtools.sh BUILD — renice, ionice, taskset, chrt, prlimit and getpcaps name a tree process by its pid, natively and under jobshim.
# shellcheck disable=SC2016  # single-quoted scripts expand in the shell under test
B=$(cd "${1:-build}" && pwd) || exit 1
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"
why=$(it_shim_missing); [ -n "$why" ] && { echo "FAIL: $why"; exit 1; }
for tool in renice ionice taskset chrt prlimit getpcaps setpriv; do
	command -v "$tool" >/dev/null || { echo "FAIL: $tool missing (scripts/deps.sh)"; exit 1; }
done

# Each tool changes or reads an attribute of a background sleep (vpid 3,
# natively pid 3 of a fresh namespace) by the pid the shell gives it, and
# the attribute is read back from /proc/3 or by the tool itself.  Under
# jobshim real pids are pushed away from the virtual ones (pidpush), so a
# pid passed to the kernel untranslated names nothing, or someone else.
until_exec='for i in $(seq 500); do [ "$(cat /proc/$!/comm)" = sleep ] && break; sleep 0.01; done'
bg='sleep 50 & '"$until_exec"'; '
end='; kill $!; wait'

# The old priority is whatever the runner's is: only the new one counts.
it_both 'renice -p' $'3 (process ID) new priority 3\n3' \
	sh -c "$bg"'renice -n 3 -p $! | sed "s/old priority.*, //"; cut -d" " -f19 /proc/$!/stat'"$end"
it_both 'ionice -p' 'idle' sh -c "$bg"'ionice -c3 -p $!; ionice -p $!'"$end"
# The first CPU this runner may use (a cpuset may leave CPU 0 out).
cpu=$(taskset -pc $$ | sed 's/.*: //; s/[-,].*//')
it_both 'taskset -p' "pid 3's current affinity list: $cpu" \
	sh -c "$bg"'taskset -pc '"$cpu"' $! >/dev/null; taskset -pc $!'"$end"
it_both 'chrt -p' "pid 3's current scheduling policy: SCHED_BATCH" \
	sh -c "$bg"'chrt -b -p 0 $!; chrt -p $! | head -1'"$end"
it_both 'prlimit --pid' '100 200' \
	sh -c "$bg"'prlimit --pid $! --nofile=100:200; echo $(prlimit --pid $! --nofile -o SOFT,HARD --noheadings)'"$end"
# getpcaps links libcap, whose cap_get_pid asks the kernel by pid: an
# image that imports nothing of ours but links libcap keeps the shim
# (shim/elfscan.c).  The sleep runs with CAP_CHOWN out of its bounding
# set, so its capabilities differ from every other process's.
it_both 'getpcaps of a process without CAP_CHOWN' '3: chown' \
	sh -c 'setpriv --bounding-set=-chown sleep 50 & '"$until_exec"'; echo "$(getpcaps $! | cut -d" " -f1) $(getpcaps $! | grep -o chown)"'"$end"
it_both 'a pid outside the tree' '1 1 1 1 1 1' \
	sh -c 'for t in "renice -n 1 -p" "ionice -p" "taskset -p" "chrt -p" "prlimit --pid" getpcaps; do
		$t 99999 >/dev/null 2>&1; printf "%s " $?; done | sed "s/ \$//"'
[ "$it_failures" -eq 0 ]
