#!/bin/bash
# prog_fork_guard.sh BUILD — a static image the tracer cannot seize: its forks fail with ENOSYS, never return a real pid.
# The tracer takes fork, vfork and clone at their fork events, without a
# seccomp stop (shim/seccomp_bpf.h): an image nobody traces would fork
# for real and get its child's real pid.  When the supervisor says the
# seize failed, the exec wrapper adds the fork guard, whose traced calls
# fail with ENOSYS without a tracer.  A seize fails for a supervisor that
# is not root and a tracee that is not dumpable (nodump.c execs the image
# after PR_SET_DUMPABLE 0; the exec makes it dumpable again, after the
# seize).  As uid 65534, so jobshim and its library are copied where that
# user can read them; in a private pid namespace with its own /proc.
B=$(cd "${1:-build}" && pwd) || exit 1
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"
why=$(it_shim_missing); [ -n "$why" ] && { echo "FAIL: $why"; exit 1; }
command -v setpriv >/dev/null || { echo "FAIL: setpriv (util-linux) missing"; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
chmod 755 "$dir"
cc -static -O2 -o "$dir/alone" tests/integration/alone/alone.c || { echo "FAIL: static build"; exit 1; }
cc -O2 -o "$dir/nodump" tests/integration/alone/nodump.c || { echo "FAIL: nodump build"; exit 1; }
cp "$B/jobshim" "$B/libjobshim.so" "$B/jobshim-exec" "$dir/" || exit 1
chmod 755 "$dir"/*

asuser() {
	timeout -k 5 60 unshare --pid --fork --kill-child --mount-proc \
		setpriv --reuid=65534 --regid=65534 --clear-groups "$@" </dev/null 2>&1
}

# The four ways to fork, each "= -38" (ENOSYS); a real pid would be > 0.
got=$(asuser "$dir/jobshim" run -- "$dir/nodump" "$dir/alone" fork | grep -E '^(fork|clone|clone3|vfork) = ')
it_expect "not seized: fork, clone, clone3, vfork fail with ENOSYS" "$got" "fork = -38
clone = -38
clone3 = -38
vfork = -38"
# Dumpable, the same image is seized and its forks are numbered.
got=$(asuser "$dir/jobshim" run -- "$dir/alone" fork | grep -E '^(fork|clone|clone3|vfork) = ')
it_expect "seized: the same forks numbered" "$got" "fork = 3
clone = 4
clone3 = 5
vfork = 6"

[ "$it_failures" -eq 0 ]
