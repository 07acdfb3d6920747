#!/bin/bash
# prog_bash.sh BUILD — bash under jobshim: $$ and $PPID, a subshell's $BASHPID, set -m job control.
# shellcheck disable=SC2016  # single-quoted scripts expand in the shell under test
B=$(cd "${1:-build}" && pwd) || exit 1
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"
why=$(it_shim_missing); [ -n "$why" ] && { echo "FAIL: $why"; exit 1; }

# Each script runs natively (bash is pid 2 of a fresh pid namespace, its
# children 3, 4, ...: the kernel numbers them as jobshim does) and under
# jobshim; the outputs must agree with each other and with the expectation.
both() { it_both "$1" "$2" bash -c "$3"; } # WHAT WANT SCRIPT

both 'echo $$ $PPID' '2 1' 'echo $$ $PPID'
both 'subshell: $BASHPID $$ $PPID' $'2 1\n3 2 1' 'echo $$ $PPID; (echo $BASHPID $$ $PPID)'
both 'background job: $! and wait status' $'3\n7' 'sh -c "exit 7" & echo $!; wait $!; echo $?'

# set -m: the job gets a group of its own; a stopped job shows as Stopped;
# kill + SIGCONT ends it with 128+15.  The wait for the stop is a bounded poll.
job='set -m; sleep 100 & kill -0 -- -$! && echo "job group $!"
kill -STOP %1
for i in $(seq 250); do s=$(jobs -l); case $s in *Stopped*) break;; esac; sleep 0.02; done
echo "$s"; kill %1; kill -CONT %1; wait %1; echo "wait: $?"'
both 'set -m job control' $'job group 3\n[1]+     3 Stopped (signal)        sleep 100\nwait: 143' "$job"

# A group send by the shell to the job's group.
both 'kill -TERM -- -$!' '143' 'set -m; sleep 100 & kill -TERM -- -$!; wait $!; echo $?'

[ "$it_failures" -eq 0 ]
