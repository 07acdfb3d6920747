/* clone.c — glibc's clone(fn, stack, flags, arg, ...) making a process: a tracked fork whose child runs fn(arg). */
#include "shim.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/syscall.h>

/*
 * LTP's clone tests (and a few programs) make a child process with glibc's
 * clone(): without CLONE_VM or CLONE_THREAD.  libc's clone makes the
 * system call itself, so without this wrapper the child would be born
 * unknown to the model: clone() would return a real pid, the child's
 * getpid() its parent's vpid, waitpid(<that pid>) and waitpid(0) ECHILD.
 * Such a clone becomes our fork (shim_fork, the child numbered at fork
 * time) made with the raw clone system call and the caller's flags, then
 * the child runs fn(arg) and leaves with the exit system call and fn's
 * result, as glibc's child does (no atexit handlers, no stdio flush).
 *
 * Any exit signal (SIGCHLD, another one, 0): the kernel sends it and
 * decides which waits see the child (__WCLONE, __WALL), as natively; the
 * supervisor learns the exit from its pidfd, not from a signal.
 *
 * The *_SETTID words hold the vpid, as they hold the pid natively: the
 * kernel would write the real one, so those two flags are taken out of
 * the system call and the words written here instead -- the parent's
 * after the fork returns, the child's in the child before fn runs.  Each
 * write is skipped where the kernel's would fail (an unwritable word: the
 * kernel ignores that too).  CLONE_CHILD_CLEARTID stays the kernel's: it
 * clears a word in the child's own memory when the child exits.
 *
 * One difference: the child runs on its copy of the caller's stack, not on
 * `stack` (a fork child has its own copy of memory, so nothing else can
 * see which one it uses; a program that passes data through the top of
 * `stack` would).  Threads, CLONE_VM (a process sharing our memory shares
 * our identity cache too: it cannot have an identity of its own),
 * CLONE_PARENT, CLONE_SETTLS, CLONE_VFORK and CLONE_PIDFD pass through
 * untouched: their child registers lazily, as before, and its *_SETTID
 * words are the kernel's real ids.
 */

/* Flags that keep a clone a plain fork besides its exit signal. */
#define CLONE_FORKLIKE (CLONE_FILES | CLONE_FS | CLONE_SYSVSEM | CLONE_IO | CLONE_UNTRACED | \
			CLONE_PTRACE | CLONE_NEWPID | CLONE_SETTID_WORDS | CLONE_CHILD_CLEARTID | \
			CLONE_OTHER_NS)
/* Namespaces: a CLONE_NEWPID child leaves the tree (nest.c); the others
 * keep it in our pid namespace, so it is tracked like any child (LTP
 * setns02 waits for it by the pid clone returned). */
#define CLONE_OTHER_NS (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | \
			CLONE_NEWCGROUP | CLONE_NEWUSER)
/* The words we write ourselves. */
#define CLONE_SETTID_WORDS (CLONE_PARENT_SETTID | CLONE_CHILD_SETTID)

/* The caller's call, for clone_fork (same thread, between set and use). */
static SHIM_TLS struct {
	unsigned long flags;
	pid_t *ctid;
} clone_cur;

static pid_t clone_fork(void)
{
	/* x86-64 and aarch64 order: flags, stack, parent_tid, child_tid, tls.
	 * Only CLONE_CHILD_CLEARTID reads a word here. */
	long r = shim_raw_syscall(SYS_clone, (long)(clone_cur.flags & ~(unsigned long)CLONE_SETTID_WORDS),
				  0, 0, (long)clone_cur.ctid, 0, 0);

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
	if (shim_mode() == SHIM_MODE_NONE || (flags & ~CSIGNAL & ~CLONE_FORKLIKE) != 0 ||
	    fn == NULL || stack == NULL)
		return REAL(clone)(fn, stack, flags, arg, ptid, tls, ctid);
	clone_cur.flags = (unsigned long)(unsigned int)flags;
	clone_cur.ctid = ctid;
	pid = shim_fork(clone_fork);
	if (pid > 0 && (flags & CLONE_PARENT_SETTID))
		shim_poke(ptid, &pid, sizeof(pid));
	if (pid != 0)
		return pid;
	if (flags & CLONE_CHILD_SETTID) {
		pid_t self = shim_self_vpid();
		shim_poke(ctid, &self, sizeof(self));
	}
	shim_raw_syscall(SYS_exit, fn(arg), 0, 0, 0, 0, 0);
	__builtin_unreachable();
}
