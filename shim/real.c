/* real.c — the real libc entry points behind every interposed name (RTLD_NEXT's, nextsym.c), each looked up at its first use. */
#include "shim.h"

#include <stdatomic.h>
#include <stddef.h>

SHIM_START_DATA struct shim_real real;

/*
 * Each pointer is looked up at its first use (REAL, shim.h), not all of
 * them in our constructor: a program uses a handful of the hundred-odd names, and
 * the lookups were a third of the shim's start beyond an empty library's
 * (/bin/true, which uses none, spawned 4,000 times with the shim
 * preloaded: medians 523 -> 518 µs, an empty library 490 µs; 4 Dec 2026).  The list of objects searched is made once, in
 * the constructor (real_resolve: shim_next_prepare), before any thread
 * or handler can run; a lookup then only reads their symbol tables,
 * which is async-signal-safe, so a first use in a signal handler (a
 * SIGCHLD handler's waitpid) is too.  Only a name nextsym.c leaves to
 * dlsym (an IFUNC, a name with only an old version, such as __xstat on
 * glibc 2.33 and later) takes the loader's lock at its first use.
 * Two threads' first uses may race: both store the same answer.
 */

/* The name of each field, by its index in struct shim_real (all
 * pointers): __open_2 & co. are in the fields without the underscores. */
#define N(field, name) [offsetof(struct shim_real, field) / sizeof(void *)] = name
#define NSLOTS (sizeof(struct shim_real) / sizeof(void *))
static const char *const real_names[NSLOTS] = {
	N(fork, "fork"),
	N(_Fork, "_Fork"),
	N(execve, "execve"),
	N(execvpe, "execvpe"),
	N(fexecve, "fexecve"),
	N(posix_spawn, "posix_spawn"),
	N(posix_spawnp, "posix_spawnp"),
	N(system, "system"),
	N(pclose, "pclose"),
	N(popen, "popen"),
	N(daemon, "daemon"),
	N(getpgid, "getpgid"),
	N(getsid, "getsid"),
	N(setsid, "setsid"),
	N(setpgid, "setpgid"),
	N(kill, "kill"),
	N(raise, "raise"),
	N(sigqueue, "sigqueue"),
	N(wait4, "wait4"),
	N(waitid, "waitid"),
	N(sigaction, "sigaction"),
	N(sigwaitinfo, "sigwaitinfo"),
	N(sigtimedwait, "sigtimedwait"),
	N(tcgetpgrp, "tcgetpgrp"),
	N(tcsetpgrp, "tcsetpgrp"),
	N(tcgetsid, "tcgetsid"),
	N(ioctl, "ioctl"),
	N(fcntl, "fcntl"),
	N(read, "read"),
	N(__read_chk, "__read_chk"),
	N(signalfd, "signalfd"),
	N(fanotify_init, "fanotify_init"),
	N(dup, "dup"),
	N(dup2, "dup2"),
	N(dup3, "dup3"),
	N(pthread_create, "pthread_create"),
	N(write, "write"),
	N(fflush, "fflush"),
	N(fflush_unlocked, "fflush_unlocked"),
	N(fclose, "fclose"),
	N(recvmmsg, "recvmmsg"),
	N(sendmmsg, "sendmmsg"),
	N(vdprintf, "vdprintf"),
	N(clock_getcpuclockid, "clock_getcpuclockid"),
	N(pthread_getattr_np, "pthread_getattr_np"),
	N(pthread_getaffinity_np, "pthread_getaffinity_np"),
	N(pthread_setaffinity_np, "pthread_setaffinity_np"),
	N(pthread_getcpuclockid, "pthread_getcpuclockid"),
	N(pthread_kill, "pthread_kill"),
	N(pthread_sigqueue, "pthread_sigqueue"),
	N(msgctl, "msgctl"),
	N(shmctl, "shmctl"),
	N(semctl, "semctl"),
	N(timer_create, "timer_create"),
	N(getsockopt, "getsockopt"),
	N(sendmsg, "sendmsg"),
	N(recvmsg, "recvmsg"),
	N(syscall, "syscall"),
	N(prctl, "prctl"),
	N(tgkill, "tgkill"),
	N(sched_setaffinity, "sched_setaffinity"),
	N(sched_getaffinity, "sched_getaffinity"),
	N(sched_setscheduler, "sched_setscheduler"),
	N(sched_getscheduler, "sched_getscheduler"),
	N(sched_setparam, "sched_setparam"),
	N(sched_getparam, "sched_getparam"),
	N(sched_rr_get_interval, "sched_rr_get_interval"),
	N(getpriority, "getpriority"),
	N(setpriority, "setpriority"),
	N(process_vm_readv, "process_vm_readv"),
	N(process_vm_writev, "process_vm_writev"),
	N(pidfd_open, "pidfd_open"),
	N(open, "open"),
	N(open64, "open64"),
	N(openat, "openat"),
	N(openat64, "openat64"),
	N(fopen, "fopen"),
	N(fopen64, "fopen64"),
	N(freopen, "freopen"),
	N(freopen64, "freopen64"),
	N(opendir, "opendir"),
	N(fdopendir, "fdopendir"),
	N(clone, "clone"),
	N(fchdir, "fchdir"),
	N(closedir, "closedir"),
	N(readdir, "readdir"),
	N(readdir64, "readdir64"),
	N(stat, "stat"),
	N(stat64, "stat64"),
	N(lstat, "lstat"),
	N(lstat64, "lstat64"),
	N(fstatat, "fstatat"),
	N(fstatat64, "fstatat64"),
	N(statx, "statx"),
	N(access, "access"),
	N(faccessat, "faccessat"),
	N(euidaccess, "euidaccess"),
	N(eaccess, "eaccess"),
	N(readlink, "readlink"),
	N(readlinkat, "readlinkat"),
	N(chdir, "chdir"),
	N(realpath, "realpath"),
	N(realpath_chk, "__realpath_chk"),
	N(canonicalize_file_name, "canonicalize_file_name"),
	N(getcwd, "getcwd"),
	N(getcwd_chk, "__getcwd_chk"),
	N(get_current_dir_name, "get_current_dir_name"),
	N(scandir, "scandir"),
	N(scandir64, "scandir64"),
	N(scandirat, "scandirat"),
	N(scandirat64, "scandirat64"),
	N(readdir_r, "readdir_r"),
	N(readdir64_r, "readdir64_r"),
	N(glob, "glob"),
	N(glob64, "glob64"),
	N(ptrace, "ptrace"),
	N(open_2, "__open_2"),
	N(open64_2, "__open64_2"),
	N(openat_2, "__openat_2"),
	N(openat64_2, "__openat64_2"),
	N(xstat, "__xstat"),
	N(xstat64, "__xstat64"),
	N(lxstat, "__lxstat"),
	N(lxstat64, "__lxstat64"),
	N(fxstatat, "__fxstatat"),
	N(fxstatat64, "__fxstatat64"),
	N(fa_init, "posix_spawn_file_actions_init"),
	N(fa_destroy, "posix_spawn_file_actions_destroy"),
	N(fa_addchdir, "posix_spawn_file_actions_addchdir_np"),
	N(fa_addfchdir, "posix_spawn_file_actions_addfchdir_np"),
	N(fa_adddup2, "posix_spawn_file_actions_adddup2"),
	N(fa_addopen, "posix_spawn_file_actions_addopen"),
};
#undef N

/* Per slot: looked up (found or not: a name this libc lacks stays NULL,
 * which callers test, without a lookup at every use). */
static SHIM_START_DATA atomic_uchar looked[NSLOTS];

void *real_get_slow(void **slot)
{
	size_t i = (size_t)(slot - (void **)&real);
	void *p;

	if (i >= NSLOTS || real_names[i] == NULL)
		return NULL;
	if (atomic_load_explicit(&looked[i], memory_order_acquire))
		return __atomic_load_n(slot, __ATOMIC_RELAXED);
	p = shim_next_sym(real_names[i]);
	__atomic_store_n(slot, p, __ATOMIC_RELAXED);
	atomic_store_explicit(&looked[i], 1, memory_order_release);
	return p;
}

/*
 * The names a fork child commonly calls between the fork and its exec or
 * exit: a shell's redirections (open, dup2, fcntl), a job's setpgid and
 * tcsetpgrp, a pipe's read and write, a reset handler.  A child's own
 * first use looks the name up in libc's symbol tables -- three or four
 * page faults, and a copy of the page the answer is stored on -- all lost
 * at its exec or exit, in every child; looked up once in the parent, the
 * children inherit the answer.  `scale conc 1000`, whose children read a
 * pipe, took about 8 faults more per process than natively, 4 of them in
 * that lookup (perf record -e page-faults, 4 Dec 2026).
 */
static const size_t child_slots[] = {
	offsetof(struct shim_real, read) / sizeof(void *),
	offsetof(struct shim_real, write) / sizeof(void *),
	offsetof(struct shim_real, dup) / sizeof(void *),
	offsetof(struct shim_real, dup2) / sizeof(void *),
	offsetof(struct shim_real, fcntl) / sizeof(void *),
	offsetof(struct shim_real, open) / sizeof(void *),
	offsetof(struct shim_real, open64) / sizeof(void *),
	offsetof(struct shim_real, setpgid) / sizeof(void *),
	offsetof(struct shim_real, tcsetpgrp) / sizeof(void *),
	offsetof(struct shim_real, sigaction) / sizeof(void *),
	offsetof(struct shim_real, execve) / sizeof(void *),
	offsetof(struct shim_real, execvpe) / sizeof(void *),
};

void real_prime_children(void)
{
	static SHIM_START_DATA bool primed;

	if (primed)
		return;
	for (size_t i = 0; i < sizeof(child_slots) / sizeof(child_slots[0]); i++)
		(void)real_get((void **)&real + child_slots[i]);
	primed = true;
}

/* 0 not prepared, 1 being prepared, 2 done. */
static SHIM_START_DATA atomic_int resolved;

void real_resolve(void)
{
	int expect = 0;

	if (atomic_load_explicit(&resolved, memory_order_acquire) == 2)
		return;
	if (!atomic_compare_exchange_strong(&resolved, &expect, 1)) {
		/* Another thread prepares; wait for it (a few microseconds). */
		while (atomic_load_explicit(&resolved, memory_order_acquire) != 2)
			;
		return;
	}
	shim_next_prepare();
	atomic_store_explicit(&resolved, 2, memory_order_release);
}
