#!/bin/bash
# prog_coreutils.sh BUILD — timeout, nohup, setsid, env -i, xargs under jobshim.
# shellcheck disable=SC2016  # single-quoted scripts expand in the shell under test
B=$(cd "${1:-build}" && pwd) || exit 1
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"
why=$(it_shim_missing); [ -n "$why" ] && { echo "FAIL: $why"; exit 1; }

# timeout puts itself in a group of its own and, on expiry, signals that
# group with kill(0, SIGTERM).
it_both 'timeout 5 sleep 0.1' '0' sh -c 'timeout 5 sleep 0.1; echo $?'
it_both 'timeout 0.2 sleep 5' '124' sh -c 'timeout 0.2 sleep 5; echo $?'
# The group it kills keeps forking: none of its members is left over
# (jobshim reports a leftover on stderr).  Before supervisor/gkill.c and
# the one list for a KILL's pages, about 250 of them were.
it_both 'timeout ends a group that forks all the time' '124' \
	sh -c 'timeout 0.3 sh -c "while :; do sleep 5 & done"; echo $?'
it_both 'nohup true' '0' sh -c 'nohup true 2>/dev/null; echo $?'
it_both 'nohup keeps the pid through exec' '2 1' nohup sh -c 'echo $$ $PPID'
it_both 'setsid true (not a group leader)' '0' sh -c 'setsid true; echo $?'
# setsid as a group leader forks first: the shell is pid 3.
it_both 'setsid -w (a group leader forks)' '3 2' setsid -w sh -c 'echo $$ $PPID'
it_both 'env -i keeps the shim' '2 1' env -i /bin/sh -c 'echo $$ $PPID'
it_both 'xargs' $'a 4\nb 4' sh -c 'echo a b | xargs -n1 sh -c "echo \$0 \$PPID"'
# vpid 1 (natively: pid 1 of the namespace) ignores signals from inside.
it_both 'kill -TERM 1 is ignored' '0 alive' sh -c 'kill -TERM 1; echo $? alive'
[ "$it_failures" -eq 0 ]
