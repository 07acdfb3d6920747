/* initsig.c — may this process signal vpid 1?  The kernel's own permission check, made on the supervisor. */
#include "shim.h"

#include <errno.h>
#include <signal.h>

/*
 * Vpid 1 is the supervisor, which ignores every signal sent from inside
 * the tree, as a namespace's init ignores those it has no handler for.
 * But Linux checks permission before it drops anything: kill(1, sig) and
 * sigqueue(1, ...) from a process that may not signal init fail with
 * EPERM, sig 0 included.  The rule (kill_ok_by_cred: the sender's real or
 * effective uid equals the target's real or saved uid, or CAP_KILL in the
 * target's user namespace) is asked of the kernel itself with a real
 * kill(supervisor, 0), which delivers nothing.  The SIGCONT exception
 * (same session) never applies: init is alone in session 1, and no tree
 * process can join it (the command starts session 2), while the real
 * session, shared by the whole tree and the supervisor when jobshim runs
 * on a terminal, would wrongly allow it, so the check always uses 0.
 * 0, -EINVAL (bad signal: checked first, as Linux), -EPERM, or 0 when the
 * supervisor's pid is not known (nothing to check against).
 */
int shim_init_sig_check(int sig)
{
	pid_t sup = shim_conn_peer();
	int saved = errno, rc = 0;

	if (sig < 0 || sig >= _NSIG)
		return -EINVAL;
	if (sup <= 0)
		return 0;
	if (REAL(kill)(sup, 0) < 0 && errno == EPERM)
		rc = -EPERM;
	shim_errno_keep(saved);
	return rc;
}

/*
 * tgkill, rt_sigqueueinfo and rt_tgsigqueueinfo whose target translated to
 * the supervisor (vpid 1): the same check, and nothing is sent (a real
 * SIGKILL or SIGSTOP would reach it: the kernel protects a namespace's
 * init from those, not an ordinary process).  `main_thread`: the tid named
 * vpid 1's main thread (the supervisor has no other thread the tree can
 * name: ESRCH).  A siginfo is checked first, as the kernel does: EFAULT
 * when unreadable, EPERM for a si_code that only the kernel may send to
 * another process (>= 0, or SI_TKILL).
 */
long shim_init_tgsend(enum shim_tgsend kind, bool main_thread, long sig, const void *info)
{
	siginfo_t si;

	if (kind != SHIM_TG_KILL) {
		if (!shim_peek(&si, info, sizeof(si)))
			return -EFAULT;
		if (si.si_code >= 0 || si.si_code == SI_TKILL)
			return -EPERM;
	}
	if (kind != SHIM_TG_QUEUE && !main_thread)
		return -ESRCH;
	return shim_init_sig_check((int)sig);
}

/*
 * pidfd_send_signal(fd, sig, info, flags) through a pidfd that names the
 * supervisor (pidfd.c), in the kernel's order: the flags (at most one of
 * PIDFD_SIGNAL_THREAD, _THREAD_GROUP, _PROCESS_GROUP: 1, 2, 4), then the
 * siginfo (EFAULT, EINVAL when its si_signo is not sig, EPERM for a si_code
 * only the kernel may send to another process), then the signal and the
 * permission.  The flags are an unsigned int to the kernel: bits above 31
 * of a syscall() argument are not seen.
 *
 * PIDFD_SIGNAL_PROCESS_GROUP signals the group whose id is the pidfd's
 * pid (kill_pgrp_info on that struct pid), not the target's group.  In
 * the reference (native_init as pid 1 of a fresh pid namespace, or any
 * init that did not make its own group) no process is in group 1: ESRCH,
 * after the flags and the siginfo, before the signal number is looked at.
 * jobshim answers the same, although getpgid(1) says 1 under it: no tree
 * process can join group 1, so the group could only hold init, which
 * drops the signal either way; ESRCH is what the test suites compare.
 */
long shim_init_pidfd(long sig, const void *info, unsigned long lflags)
{
	unsigned int flags = (unsigned int)lflags;
	siginfo_t si;

	if ((flags & ~7u) != 0 || (flags & (flags - 1)) != 0)
		return -EINVAL;
	if (info != NULL) {
		if (!shim_peek(&si, info, sizeof(si)))
			return -EFAULT;
		if (si.si_signo != (int)sig)
			return -EINVAL;
		if (si.si_code >= 0 || si.si_code == SI_TKILL)
			return -EPERM;
	}
	if (flags == 4) /* PIDFD_SIGNAL_PROCESS_GROUP */
		return -ESRCH;
	return shim_init_sig_check((int)sig);
}
