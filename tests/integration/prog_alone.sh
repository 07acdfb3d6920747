#!/bin/bash
# prog_alone.sh BUILD — images the shim cannot be in (static glibc, static musl, raw `syscall`, Go with and without cgo) see the namespace.
# shellcheck disable=SC2016  # single-quoted scripts expand in the shell under test
B=$(cd "${1:-build}" && pwd) || exit 1
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"
why=$(it_shim_missing); [ -n "$why" ] && { echo "FAIL: $why"; exit 1; }
T=$(cd "$(dirname "$0")" && pwd)

# The helpers are built here (scripts/deps.sh installs musl-tools and
# golang-go; Go uses only its standard library: no network).  Each runs
# natively and under jobshim in a private pid namespace: the numbers are
# the namespace's, the same in both (shim runs have real pids >= 10000).
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
build() { # NAME CMD...: build, or count a failure saying why
	local name=$1
	shift
	if "$@" >"$dir/$name.err" 2>&1; then
		imgs="$imgs $name"
	else
		it_expect "$name builds" "$(head -c 400 "$dir/$name.err")" ''
	fi
}
imgs=""
build glibc cc -static -O2 -o "$dir/glibc" "$T/alone/alone.c"
build raw cc -static -O2 -DRAW -o "$dir/raw" "$T/alone/alone.c"
build musl musl-gcc -static -O2 -o "$dir/musl" "$T/alone/alone.c"
export GOCACHE="$dir/gocache" GO111MODULE=off GOFLAGS=
build go env -C "$T/go" CGO_ENABLED=0 go build -o "$dir/go" .
build gocgo env -C "$T/go" CGO_ENABLED=1 go build -tags withcgo -o "$dir/gocgo" .
cc -O2 -o "$dir/parent" "$T/alone/parent.c" || exit 1
if [ -x "$dir/gocgo" ] && ! file "$dir/gocgo" 2>/dev/null | grep -q dynamically; then
	it_expect 'the cgo build links libc dynamically' "$(file "$dir/gocgo")" 'dynamically linked'
fi

# mode_agrees MODE WHAT MIN: the image's MODE output and exit status are
# the same natively and under jobshim, and at least MIN lines long.
mode_agrees() {
	local n s
	n=$(it_native "$X" "$1" 2>&1; echo "rc $?")
	s=$(it_shim -- "$X" "$1" 2>&1; echo "rc $?")
	it_expect "$img: $2" "$s" "$n"
	[ "$(grep -c . <<<"$n")" -ge "$3" ] || it_expect "$img: $1 mode printed everything" "$n" "($3 lines)"
}

for img in $imgs; do
	X=$dir/$img
	p=go
	[ "${img#go}" = "$img" ] && p=alone
	# Its own ids, its setpgid, under a shell that forks it.
	it_both "$img: ids and setpgid(0, 0)" \
		"$p: pid 3 ppid 2 pgrp 2 sid 2 tid==pid $( [ $p = go ] && echo true || echo 1)
$p: getpgid(ppid) == getpgrp $( [ $p = go ] && echo true || echo = 1)
$p: setpgid(0, 0) = 0
$p: pgrp now 3
rc 7" sh -c '"$1"; echo rc $?' _ "$X"
	# The same, exec'd from a full descriptor table (every number below a
	# soft limit of 64 in use; the exec needs none): the shim's scan of
	# the image and its filter's listener get room above the limit
	# (shim/fdroom.c).  It ran unfiltered, in real ids, before.
	[ $p = alone ] && it_both "$img: ids and setpgid(0, 0), exec'd from a full descriptor table" \
		"$p: pid 3 ppid 2 pgrp 2 sid 2 tid==pid 1
$p: getpgid(ppid) == getpgrp = 1
$p: setpgid(0, 0) = 0
$p: pgrp now 3
rc 7" bash -c 'ulimit -Sn 64; for ((i = 3; i < 64; i++)); do eval "exec $i</dev/null"; done; "$1"; echo rc $?' _ "$X"
	# posix_spawn'd from a full table: its trampoline (jobshim-exec, dynamic)
	# gets room to load for the spawn's length, and puts the limit back.
	[ $p = alone ] && [ -x /usr/bin/python3 ] && it_both "$img: posix_spawn'd from a full descriptor table" \
		"$p: pid 3 ppid 2 pgrp 2 sid 2 tid==pid 1
$p: getpgid(ppid) == getpgrp = 1
$p: setpgid(0, 0) = 0
$p: pgrp now 3
rc 7" /usr/bin/python3 -c '
import os, resource, sys
resource.setrlimit(resource.RLIMIT_NOFILE, (64, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
try:
    while True:
        os.set_inheritable(os.open("/dev/null", os.O_RDONLY), True)
except OSError:
    pass
p = os.posix_spawn(sys.argv[1], [sys.argv[1]], os.environ)
print("rc", os.waitpid(p, 0)[1] >> 8, flush=True)' "$X"
	# The command itself (exec'd by the supervisor, not by a shim).
	n=$(it_native "$X" ids 2>&1; echo "rc $?")
	s=$(it_shim -- "$X" ids 2>&1; echo "rc $?")
	it_expect "$img: run as the command, same as Linux" "$s" "$n"
	# Bad input: Linux's errno (and nothing signalled outside).
	n=$(it_native sh -c '"$1" errno' _ "$X" 2>&1)
	s=$(it_shim -- sh -c '"$1" errno' _ "$X" 2>&1)
	it_expect "$img: errno of bad pid calls, same as Linux" "$s" "$n"
	[ -n "$n" ] || it_expect "$img: errno mode printed something" "" "something"
	# A preloaded parent and the image agree: the child's setpgid is seen
	# by the parent, its kill(getppid(), SIGUSR1) reaches the parent and
	# names the child as the sender with kill's si_code, the parent's
	# waitpid collects it.
	it_both "$img: preloaded parent and alone child agree" \
		"parent: pid 2
parent: child 3
$p: pid 3 ppid 2 pgrp 2 sid 2 tid==pid $( [ $p = go ] && echo true || echo 1)
$p: getpgid(ppid) == getpgrp $( [ $p = go ] && echo true || echo = 1)
$p: setpgid(0, 0) = 0
$p: pgrp now 3
parent: SIGUSR1 from the child: yes, by kill (SI_USER): yes
parent: getpgid(child) == child: yes
parent: child exit 7" "$dir/parent" "$X"
	# fork, vfork, clone, clone3 return the child's pid (what the child
	# says getpid is), wait4/waitid take and give pids (a tracer rewrites
	# them: supervisor/tracer.c).  Go's threads take pids natively, so
	# its numbers are compared, not printed.
	if [ $p = go ]; then
		it_both "$img: fork returns the child's pid, wait takes it" \
			"go: fork returned == child's getpid: true
go: child's getppid == getpid: true
go: wait gave the same pid: true
go: wait4(-1) with no child = -1 ECHILD
go: wait4(99999) = -1 ECHILD" "$X" fork
		# Groups and a session made in Go's forkExec child, mirrored
		# into real ones (the tracer): a group kill, group waits.
		it_both "$img: groups and a session its children make" \
			"go: getpgid(a) == a true, getpgid(b) == a true
go: kill(-a, SIGTERM) = 0
go: wait4(-a) twice: both true, terminated terminated (0, 0)
go: sid == pid true
go: leads its real group true and real session true
(<nil>)" "$X" pgrp
		# A kill to itself arrives as kill's (SI_USER): an ignored
		# SIGTRAP stays ignored; a lock's holder is named by its pid.
		it_both "$img: kill(self, SIGTRAP) under signal.Ignore" \
			"go: kill(pid, SIGTRAP) = 0
go: still here" "$X" sigtrap
		it_both "$img: F_GETLK names the parent holding the lock" \
			"go: F_SETLK = 0
go: child: F_GETLK 0, held by the parent true
go: child ran: <nil>" "$X" flock
		continue
	fi
	# A preloaded shell below the image (traced with it) forks a child
	# (with its libc: the tracer lets that child go) that execs the image
	# again: the kernel refuses a second listener in one filter chain
	# (EBUSY), so the exec wrapper asks only to be traced again; without
	# that, this image's setpgid, fork and wait failed with ENOSYS.
	n=$(it_native "$X" exec /bin/sh -c '"$1" ids; "$1" fork | grep -c "= -1 ENOSYS"' _ "$X" 2>&1; echo "rc $?")
	s=$(it_shim -- "$X" exec /bin/sh -c '"$1" ids; "$1" fork | grep -c "= -1 ENOSYS"' _ "$X" 2>&1; echo "rc $?")
	it_expect "$img: below a shell below itself, same as Linux" "$s" "$n"
	n=$(it_native "$X" fork 2>&1; echo "rc $?")
	s=$(it_shim -- "$X" fork 2>&1; echo "rc $?")
	it_expect "$img: fork family and wait family, same as Linux" "$s" "$n"
	it_expect "$img: each fork returned what its child's getpid says" \
		"$(awk '/^child: getpid/ {g = $3} /^(fork|clone|clone3) = / {print ($3 == g)}' <<<"$s" | sort -u)" 1
	[ "$(grep -c . <<<"$n")" -ge 30 ] || it_expect "$img: fork mode printed everything" "$n" "(30 lines)"
	# Groups and sessions it makes as a shell would (setpgid of its
	# children, a child's setsid): the engine's answers, and real groups
	# and sessions that follow them (the tracer mirrors them), so that a
	# group wait names exactly the group.
	mode_agrees pgrp "groups and sessions it makes, same as Linux" 24
	# Calls that take a pid (priorities, sched_*, prlimit, process_vm_*,
	# kcmp) with the pids it knows, bad ones included, and a subreaper
	# that adopts an orphan in the model too.
	mode_agrees pidcalls "pid-taking calls and a subreaper, same as Linux" 25
	# Ids kept for a descriptor: fcntl's owner (F_SETOWN/F_GETOWN and the
	# _EX forms) and lock holder (F_GETLK, F_OFD_GETLK), a socket's owner
	# ioctls, a terminal's foreground group and session (TIOCSPGRP,
	# TIOCGPGRP, TIOCGSID on a pty of a session of its own).
	mode_agrees fdowner "owners, lock holders and a terminal's group, same as Linux" 47
	# The si_code its signals arrive with (kill's SI_USER, tgkill's
	# SI_TKILL, sigqueue's SI_QUEUE and value), to itself (delivered to a
	# handler, and dequeued by sigwaitinfo/sigtimedwait) and from a child.
	mode_agrees sigcode "signals arrive with kill's, tgkill's and sigqueue's si_code" 12
	# Calls the supervisor answers, interrupted by signals whose handler
	# has no SA_RESTART: never EINTR.
	mode_agrees noeintr "notified calls never fail with EINTR" 3
	# CPU clocks named by pid (the pid inside the clock id) and a timer
	# that signals a thread by id.
	mode_agrees clocks "CPU clocks by pid and timers by thread id, same as Linux" 14
	# set*id with a second thread: the libc's own signal to each thread
	# must look like its own tgkill (SI_TKILL, si_pid == getpid()), or the
	# call waits forever.
	mode_agrees setxid "set*id with two threads" 3
	# 600 children one after another, then 600 at once, each waited for
	# by pid: past the tracer's own table of children.
	mode_agrees forkmany "many children, each waited for by pid" 3
	# kill(-1, 0) right after a child vanished: the other child answers.
	mode_agrees killgone "kill(-1) does not answer for a child already gone" 2
	# The orphan rule across it: its session leader's exit orphans a group
	# with a stopped member (SIGHUP and SIGCONT once each), with the
	# tracer (a real session: the kernel's rule) and without (the engine's).
	want='leader: setsid() == getpid = 1
leader: its child stopped 1
wait4(leader) = 1 exit 0
the orphaned group'"'"'s stopped member got: CH'
	it_both "$img: an orphaned group with a stopped member" "$want" "$X" orphan
	s=$(JOBSHIM_NOTRACE=1 it_shim -- "$X" orphan 2>&1)
	it_expect "$img: the same without the tracer (JOBSHIM_NOTRACE=1)" "$s" "$want"
	# Its preloaded child (a shell) agrees with it on both ids.
	n=$(it_native sh -c '"$1" exec /bin/sh -c "echo sh: \$\$ ppid \$PPID"' _ "$X" 2>&1)
	s=$(it_shim -- sh -c '"$1" exec /bin/sh -c "echo sh: \$\$ ppid \$PPID"' _ "$X" 2>&1)
	it_expect "$img: a preloaded child and its alone parent agree" "$s" "$n"
done

# A signal to oneself by vpid arrives (a kill the supervisor sends for the
# caller); a virtual pid that names nobody reaches nobody.
if [ -x "$dir/glibc" ]; then
	it_both 'static: kill(getpid(), SIGTERM) kills itself' 'rc 143' \
		sh -c '"$1" selfsig; echo rc $?' _ "$dir/glibc"
fi
# kill(-1) reaches every process of the tree, and the tracer is none of
# them: forks after it are still rewritten.
if [ -x "$dir/glibc" ]; then
	it_both 'static: fork after kill(-KILL, -1) in the tree' '4
done' sh -c '"$1" fork >/dev/null; kill -KILL -1; "$1" fork | grep -cE "^(fork|clone|clone3|vfork) = [0-9]"; echo done' _ "$dir/glibc"
fi
# A tree without such images installs no filter.
s=$(it_shim -- sh -c 'grep ^Seccomp: /proc/self/status')
it_expect 'dynamic programs run unfiltered' "$s" $'Seccomp:\t0'
[ "$it_failures" -eq 0 ]
