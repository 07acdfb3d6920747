/* clocks.c — pids inside clock ids and timer notifications: clock_getcpuclockid, timer_create's SIGEV_THREAD_ID. */
#include "shim.h"

#include <errno.h>
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>

/*
 * Two calls carry a pid the kernel reads inside something else:
 *   - clock_getcpuclockid(pid) builds a CPU-time clock id out of the pid
 *     (glibc asks the kernel with clock_getres whether the process exists):
 *     built from a vpid, it is another process's clock, or ESRCH;
 *   - timer_create with SIGEV_THREAD_ID names the thread to signal in
 *     _sigev_un._tid; the main thread's id is our vpid (thread.c),
 *     so `_tid = gettid()` (or getpid(), as LTP timer_create01 does) is EINVAL
 *     from the kernel unless translated.
 * The id goes through shim_xlate_tid like every pid argument (0 and
 * negatives stay, another thread of ours stays, a stranger becomes a pid
 * no process has), so every error is the kernel's.  The clock id handed
 * back holds the real pid: it is only ever used with the clock calls.
 * A clock id a program builds itself from a pid (MAKE_PROCESS_CPUCLOCK,
 * as glibc does internally) stays real: syscall(SYS_clock_*) is not
 * translated (shim/README.md, "What stays real").
 */

SHIM_EXPORT int clock_getcpuclockid(pid_t pid, clockid_t *clock_id)
{
	shim_init();
	/* A pid above PID_MAX_LIMIT (2^22) names no process anywhere: it goes
	 * untranslated, so that glibc's arithmetic gives what it gives
	 * natively (the id keeps 29 bits of ~pid: INT_MAX wraps to a valid
	 * clock).  Below it, one that names nothing is ESRCH, glibc's answer:
	 * SHIM_PID_NONE would wrap the same way. */
	if (pid > 0 && pid <= SHIM_PID_MAX_LIMIT && !shim_offline()) {
		pid = shim_xlate_tid(pid);
		if (pid == SHIM_PID_NONE)
			return ESRCH;
	}
	return REAL(clock_getcpuclockid)(pid, clock_id);
}

/* The sigevent to hand the kernel: *copy with the thread id translated,
 * or sev itself (not SIGEV_THREAD_ID, NULL, or unreadable: the kernel's
 * EFAULT). */
static const struct sigevent *timer_event(const struct sigevent *sev, struct sigevent *copy)
{
	if (sev == NULL || shim_offline() || !shim_peek(copy, sev, sizeof(*copy)))
		return sev;
	if (!(copy->sigev_notify & SIGEV_THREAD_ID) || copy->_sigev_un._tid <= 0)
		return sev;
	copy->_sigev_un._tid = shim_xlate_tid(copy->_sigev_un._tid);
	return copy;
}

SHIM_EXPORT int timer_create(clockid_t clock, struct sigevent *sev, timer_t *timer)
{
	struct sigevent copy;

	shim_init();
	return REAL(timer_create)(clock, (struct sigevent *)timer_event(sev, &copy), timer);
}

/* syscall(SYS_timer_create, clock, sev, &id): the kernel's result. */
long shim_sys_timer_create(long clock, const void *sev, void *timer)
{
	struct sigevent copy;

	shim_init();
	return shim_raw_syscall(SYS_timer_create, clock, (long)timer_event(sev, &copy), (long)timer,
				0, 0, 0);
}
