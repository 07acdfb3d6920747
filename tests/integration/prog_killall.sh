#!/bin/bash
# prog_killall.sh BUILD — kill(-1) inside the tree reaches the tree only: a process outside survives.
# shellcheck disable=SC2016  # single-quoted scripts expand in the shell under test
B=$(cd "${1:-build}" && pwd) || exit 1
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"
why=$(it_shim_missing); [ -n "$why" ] && { echo "FAIL: $why"; exit 1; }

# Everything happens in a private pid namespace (it_shim_missing insists on
# one): a bash driver starts the "outside" sleep, then jobshim trees that
# send kill(-1).  With a broken shim the signal would hit the driver and the
# sleep, both inside the namespace, never the machine.
# shellcheck disable=SC2016
driver='
sleep 1000 & outside=$!
"$1" run -- "$2"; echo "tree exit $?"
"$1" run -- bash -c "sleep 1000 & sleep 1000 & kill -TERM -1; wait; echo bash survived"
echo "tree exit $?"
if kill -0 "$outside" 2>/dev/null; then echo "outside alive"; else echo "outside gone"; fi
kill "$outside"; wait "$outside" 2>/dev/null
'
# shellcheck disable=SC2086
got=$(timeout -k 5 60 $IT_NS ${PIDPUSH:+"$PIDPUSH"} "$NATIVE_INIT" bash -c "$driver" _ "$JOBSHIM" "$B/itest/j_killall" </dev/null 2>&1)
want="$(cat "$(dirname "$0")/expected/j_killall.out")
tree exit 0
bash survived
tree exit 0
outside alive"
it_expect 'kill(-1) stays in the tree' "$got" "$want"
[ "$it_failures" -eq 0 ]
