#!/bin/sh
# build.sh BUILD — fetch and build the LTP subset that tests/ltp/run.sh runs (process and signal calls).
#
# Source: $LTP_SRC when set (a checkout), else a local mirror
# (/work/.mirror/linux-test-project+ltp/repo) when there is one, else
# github.com/linux-test-project/ltp (shallow).  Into BUILD/ltp-src, built
# in place; only lib/ and the directories below are built (nice, -j2).
# The open_posix tests are compiled one file each into BUILD/ltp-posix/.
# Needs autoconf, automake, m4, make, gcc, git (scripts/deps.sh: LTP=1).
set -eu
B=${1:-build}
mkdir -p "$B"
B=$(cd "$B" && pwd)
S=$B/ltp-src
MIRROR=/work/.mirror/linux-test-project+ltp/repo
SYSCALLS="kill getpid getppid getpgid getpgrp getsid setpgid setsid setpgrp wait wait4 waitid
waitpid clone clone3 fork vfork execve getpriority setpriority sched_getparam sched_setparam
cma tkill tgkill rt_sigqueueinfo pidfd_open pidfd_send_signal pidfd_getfd prctl
fcntl getrlimit setrlimit sched_setaffinity sched_getaffinity sched_setscheduler
sched_getscheduler sched_rr_get_interval ptrace gettid unshare setns exit exit_group
rt_sigaction sigaction rt_sigprocmask sigprocmask rt_sigsuspend sigsuspend
rt_sigtimedwait sigtimedwait sigwait sigwaitinfo pause alarm signal
setuid setreuid setresuid execl execle execlp execv execvp execveat
open openat access faccessat faccessat2 stat lstat fstatat statx readlink readlinkat
chdir fchdir getcwd timer_create msgctl msgsnd msgrcv shmctl semctl"
POSIX="fork getpid kill killpg sigaction sigqueue raise sigwait sigwaitinfo sigtimedwait pthread_atfork
sigprocmask pthread_sigmask pthread_kill sigpending sigsuspend sighold sigignore sigrelse sigset
signal sigpause sched_getparam sched_setparam sched_getscheduler sched_setscheduler
sched_rr_get_interval clock_getcpuclockid timer_create"

if [ ! -d "$S/.git" ] && [ ! -f "$S/configure.ac" ]; then
	if [ -n "${LTP_SRC:-}" ]; then git clone -q "$LTP_SRC" "$S"
	elif [ -d "$MIRROR" ]; then git clone -q "$MIRROR" "$S"
	else git clone -q --depth 1 https://github.com/linux-test-project/ltp "$S"
	fi
fi
cd "$S"
if [ ! -f include/config.h ]; then
	nice -n 10 make autotools >"$B/ltp-configure.log" 2>&1
	nice -n 10 ./configure >>"$B/ltp-configure.log" 2>&1
fi
nice -n 10 make -j2 -C lib >"$B/ltp-lib.log" 2>&1 || { echo "ltp: lib failed: $B/ltp-lib.log"; exit 1; }
# LTP_ALL=1: every syscall directory (runtest/syscalls whole, about 2,300
# entries with the subset's; some fail to build on a given kernel or libc:
# not tests then).
if [ "${LTP_ALL:-}" = 1 ]; then
	SYSCALLS=$(cd testcases/kernel/syscalls && for d in */; do [ -f "$d/Makefile" ] && echo "${d%/}"; done)
fi
for d in $SYSCALLS; do
	if ! nice -n 10 make -j2 -C "testcases/kernel/syscalls/$d" >"$B/ltp-build-$d.log" 2>&1; then
		echo "ltp: $d did not build: $B/ltp-build-$d.log"
	fi
done

# open_posix: one binary per test file (their own make system builds the
# whole suite); a file that does not compile is not a test here.
# LTP_STATIC=1: linked static into BUILD/ltp-posix-static instead (images
# the shim cannot be in: the seccomp filter and the tracer serve them).
P=$B/ltp-posix
STATIC=
if [ "${LTP_STATIC:-}" = 1 ]; then P=$B/ltp-posix-static; STATIC=-static; fi
O=testcases/open_posix_testsuite
mkdir -p "$P"
# LTP_ALL=1: every open_posix conformance interface.
if [ "${LTP_ALL:-}" = 1 ]; then
	POSIX=$(cd "$O/conformance/interfaces" && for d in */; do echo "${d%/}"; done)
fi
for d in $POSIX; do
	for c in "$O/conformance/interfaces/$d"/*.c; do
		[ -f "$c" ] || continue
		n=$d-$(basename "$c" .c)
		[ -x "$P/$n" ] && [ "$P/$n" -nt "$c" ] && continue
		# Most define test_main, run by the suite's lib/common.c.
		lib=""
		grep -q 'test_main' "$c" && lib="$O/lib/common.c"
		nice -n 10 cc $STATIC -std=gnu11 -D_GNU_SOURCE -w -I"$O/include" "$c" $lib \
			-o "$P/$n" -pthread -lrt >/dev/null 2>&1 || rm -f "$P/$n"
	done
done
echo "ltp: built in $S and $P"
