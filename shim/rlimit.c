/* rlimit.c — setrlimit and prlimit of oneself: a finite address-space limit takes the model view out of it. */
#include "shim.h"

#include <errno.h>
#include <sys/resource.h>
#include <sys/syscall.h>

/*
 * The model view (mview.c) is a 144 MiB read-only mapping, and Linux
 * counts every mapping against RLIMIT_AS.  An image started under a finite
 * limit never maps it (mv_open); a program that sets one on itself (bash's
 * `ulimit -v`, a test harness capping its own memory) would otherwise keep
 * it, and its own mmap and malloc fail where Linux's succeed.  So before a
 * finite soft RLIMIT_AS is set on the calling process, the view leaves the
 * address space (SHIM_MVIEW_HOLD_AS), and reads ask the supervisor while
 * the limit is finite; setting it back to RLIM_INFINITY lets the next read
 * map the view again.  A failed call (EPERM, EINVAL, EFAULT: the kernel's,
 * from the real call) restores what was.  Another process's limit is out
 * of reach: its view stays counted (README, known limits).
 *
 * The pid argument is a vpid (shim_xlate_tid); every errno is the real
 * call's.  struct rlimit and struct rlimit64 are the same two 64-bit words
 * on x86_64 (glibc makes setrlimit64 an alias).
 */

/* Before setting `lim` for real pid `rpid` (0: oneself): if it is a finite
 * soft address-space limit of this process, the view out.  Returns the
 * hold to restore if the call fails (-1: nothing to do). */
static int as_before(pid_t rpid, int res, const void *lim)
{
	struct rlimit rl;

	if (res != RLIMIT_AS || lim == NULL || shim_vf.active || shim_mode() == SHIM_MODE_NONE)
		return -1;
	if (rpid != 0 && rpid != (pid_t)shim_raw_syscall(SYS_getpid, 0, 0, 0, 0, 0, 0))
		return -1;
	if (!shim_peek(&rl, lim, sizeof(rl)))
		return -1; /* EFAULT, from the real call */
	if (rl.rlim_cur == RLIM_INFINITY)
		return 2; /* after success: held no more */
	return shim_mview_release(SHIM_MVIEW_HOLD_AS) ? 1 : -1;
}

/* After the real call: rc its raw result, how as_before's answer. */
static long as_after(int how, long rc)
{
	if (how == 1 && rc < 0)
		shim_mview_hold(SHIM_MVIEW_HOLD_AS, shim_mview_as_limited());
	else if (how == 2 && rc == 0)
		shim_mview_hold(SHIM_MVIEW_HOLD_AS, false);
	if (rc < 0) {
		errno = (int)-rc;
		return -1;
	}
	return rc;
}

long shim_sys_prlimit64(pid_t pid, int res, const void *lim, void *old)
{
	pid_t rpid = shim_xlate_tid(pid);
	int how = as_before(rpid, res, lim);

	return as_after(how, shim_raw_syscall(SYS_prlimit64, rpid, res, (long)lim, (long)old, 0, 0));
}

SHIM_EXPORT int prlimit(pid_t pid, enum __rlimit_resource res, const struct rlimit *lim,
			struct rlimit *old)
{
	shim_init();
	return (int)shim_sys_prlimit64(pid, (int)res, lim, old);
}

SHIM_EXPORT int prlimit64(pid_t pid, enum __rlimit_resource res, const struct rlimit64 *lim,
			  struct rlimit64 *old)
{
	shim_init();
	return (int)shim_sys_prlimit64(pid, (int)res, lim, old);
}

/* glibc's setrlimit is prlimit64(0, res, lim, NULL) (its EFAULT and EINVAL
 * included); setrlimit64 is the same function on x86_64. */
SHIM_EXPORT int setrlimit(__rlimit_resource_t res, const struct rlimit *lim)
{
	shim_init();
	return (int)shim_sys_prlimit64(0, (int)res, lim, NULL);
}

SHIM_EXPORT int setrlimit64(__rlimit_resource_t res, const struct rlimit64 *lim)
{
	shim_init();
	return (int)shim_sys_prlimit64(0, (int)res, lim, NULL);
}

/* syscall(SYS_setrlimit): the old system call (its own errnos). */
long shim_sys_setrlimit(int res, const void *lim)
{
	int how = as_before(0, res, lim);

	return as_after(how, shim_raw_syscall(SYS_setrlimit, res, (long)lim, 0, 0, 0, 0));
}
