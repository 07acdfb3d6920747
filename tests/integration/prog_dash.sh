#!/bin/bash
# prog_dash.sh BUILD — dash under jobshim (it starts commands with vfork): ids, nested shells, wait.
# shellcheck disable=SC2016  # single-quoted scripts expand in the shell under test
B=$(cd "${1:-build}" && pwd) || exit 1
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"
why=$(it_shim_missing); [ -n "$why" ] && { echo "FAIL: $why"; exit 1; }

both() { it_both "$1" "$2" dash -c "$3"; } # WHAT WANT SCRIPT

both 'echo $$ $PPID' '2 1' 'echo $$ $PPID'
both 'a nested dash' $'2 1\n3 2\ndone' 'echo $$ $PPID; dash -c "echo \$\$ \$PPID"; echo done'
both 'background job and wait' $'3\n9' 'dash -c "exit 9" & echo $!; wait $!; echo $?'
both 'command substitution' '3 2' 'echo $(dash -c "echo \$\$ \$PPID")'
both 'exec keeps the pid' '2 1' 'exec dash -c "echo \$\$ \$PPID"'
both 'a killed child' '143' 'sleep 100 & kill $!; wait $!; echo $?'

[ "$it_failures" -eq 0 ]
