/* clone.c — glibc's clone(fn, stack, flags, arg, ...) making a process: a tracked fork whose child runs fn(arg). */
#include "shim.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/syscall.h>

/*
 * LTP's clone tests (and a few programs) make a child process with glibc's
 * clone(): without CLONE_VM or CLONE_THREAD, exit signal SIGCHLD.  libc's
 * clone makes the system call itself, so without this wrapper the child
 * would be born unknown to the model: clone() would return a real pid,
 * the child's getpid() its parent's vpid, waitpid(<that pid>) and
 * waitpid(0) ECHILD.  Such a clone becomes our fork (shim_fork, the child
 * numbered at fork time) made with the raw clone system call and the
 * caller's flags, then the child runs fn(arg) and leaves with the exit
 * system call and fn's result, as glibc's child does (no atexit handlers,
 * no stdio flush).
 *
 * One difference: the child runs on its copy of the caller's stack, not on
 * `stack` (a fork child has its own copy of memory, so nothing else can
 * see which one it uses; a program that passes data through the top of
 * `stack` would).  Threads, CLONE_VM, CLONE_PARENT, CLONE_SETTLS, the
 * *_SETTID words (they would hold real ids), namespaces other than
 * CLONE_NEWPID (whose child leaves the tree: nest.c), CLONE_VFORK,
 * CLONE_PIDFD and other exit signals pass through untouched: their child
 * registers lazily, as before.
 */

/* Flags that keep a clone a plain fork besides its exit signal. */
#define CLONE_FORKLIKE (CLONE_FILES | CLONE_FS | CLONE_SYSVSEM | CLONE_IO | CLONE_UNTRACED | \
			CLONE_PTRACE | CLONE_NEWPID)

/* The caller's flags, for clone_fork (same thread, between set and use). */
static SHIM_TLS unsigned long clone_flags;

static pid_t clone_fork(void)
{
	long r = shim_raw_syscall(SYS_clone, (long)clone_flags, 0, 0, 0, 0, 0);

	if (r < 0 && r > -4096) {
		errno = (int)-r;
		return -1;
	}
	return (pid_t)r;
}

SHIM_EXPORT int clone(int (*fn)(void *), void *stack, int flags, void *arg, ...)
{
	va_list ap;
	pid_t *ptid, *ctid;
	void *tls;
	pid_t pid;

	/* glibc's clone reads these three whatever the flags say */
	va_start(ap, arg);
	ptid = va_arg(ap, pid_t *);
	tls = va_arg(ap, void *);
	ctid = va_arg(ap, pid_t *);
	va_end(ap);
	shim_init();
	if (shim_mode() == SHIM_MODE_NONE || (flags & CSIGNAL) != SIGCHLD ||
	    (flags & ~CSIGNAL & ~CLONE_FORKLIKE) != 0 || fn == NULL || stack == NULL)
		return real.clone(fn, stack, flags, arg, ptid, tls, ctid);
	clone_flags = (unsigned long)(unsigned int)flags;
	pid = shim_fork(clone_fork);
	if (pid != 0)
		return pid;
	shim_raw_syscall(SYS_exit, fn(arg), 0, 0, 0, 0, 0);
	__builtin_unreachable();
}
