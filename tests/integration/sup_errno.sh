#!/bin/sh
# sup_errno.sh BUILD — bad input, errno by errno, natively and under jobshim (tests/errno/README.md): the make check subset.
#
# Deterministic: `jserrno check` (every call; each argument over all its
# classes, the others valid) as root, after setresuid(65534) (drop) and
# around a temporary seteuid(65534) (euid).  Left to `make errno-fuzz`,
# which runs every call: calls whose shim code another call of the subset
# already runs (the other exec and spawn variants, system, popen,
# prlimit64, wait3, ...; for time).
set -u
B=${1:-build}
cd "$(dirname "$0")/../.." || exit 1
[ -x "$B/errno/jserrno" ] || { echo "FAIL: $B/errno/jserrno is missing (make)"; exit 1; }
B=$B exec sh tests/errno/run.sh -u root,drop,euid \
	-x execv -x execvp -x execvpe -x execl -x execle -x execlp -x fexecve \
	-x posix_spawnp -x system -x popen+pclose -x prlimit64 -x wait3 \
	-x "syscall(wait4)" -x "syscall(execve)" -x process_vm_writev -x "syscall(ioprio_set)" check
