#!/bin/bash
# prog_owner_init.sh BUILD — SIGIO owned by group 1 stays in the tree: group 1's real mirror would be jobshim's real group, the user's job.
# Virtual group 1 is the supervisor alone; its real group holds whatever
# the user's shell started with it (here the sh around it).  As an owner it
# is the supervisor as a process instead (shim/fdowner.c, sup_group; for
# an image without the shim supervisor/tracer_calls.c, owner_v2r).  Run in
# a private pid namespace: a wrong answer signals a whole real group.
B=$(cd "${1:-build}" && pwd) || exit 1
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"
why=$(it_shim_missing); [ -n "$why" ] && { echo "FAIL: $why"; exit 1; }
[ -n "$IT_NS" ] || { echo "FAIL: no private pid namespace"; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# The job: timeout leads a group of its own (as a user's `timeout 30
# jobshim run ...`), jobshim its child in that group.
job() { timeout -k 5 60 $IT_NS setsid sh -c 'timeout 30 "$1" run -- "$2"; echo "job: still here $?"' _ "$B/jobshim" "$1" </dev/null 2>&1; }

it_expect "dynamic: group 1 as an owner, the job untouched" "$(job "$B/itest/owner_init")" \
"F_SETOWN -1: 0
F_GETOWN: -1
F_SETOWN_EX group 1: 0
F_GETOWN_EX: type 2 pid 1
alive
job: still here 0"
if cc -static -O2 -D_GNU_SOURCE -o "$dir/owner_init" tests/integration/owner_init.c 2>/dev/null; then
	# Without the shim: F_SETOWN(-1) names the supervisor (F_GETOWN then
	# shows no group), F_SETOWN_EX's group 1 is refused (ESRCH).
	it_expect "static: group 1 as an owner, the job untouched" "$(job "$dir/owner_init")" \
"F_SETOWN -1: 0
F_GETOWN: 0
F_SETOWN_EX group 1: -1
F_GETOWN_EX: type 0 pid 0
alive
job: still here 0"
fi

[ "$it_failures" -eq 0 ]
