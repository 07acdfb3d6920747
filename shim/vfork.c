/* vfork.c — a real vfork: the bookkeeping around the assembly entry (vfork_x86_64.S). */
#include "shim.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

SHIM_TLS struct shim_vf shim_vf;

static void vfork_pass_stops(uint64_t stops, pid_t child);

/* Set by the entry when not under jobshim (or nested): no bookkeeping. */
static SHIM_TLS bool vf_plain;
/* The fork marker slot of the vfork in flight (ptrace.c), -1 none. */
static SHIM_TLS int vf_marker = -1;

/*
 * Called by the assembly entry before the vfork system call, as an
 * ordinary function.  Returns 0 (bookkeeping: the child's state is in
 * shim_vf, signals blocked), 1 (plain vfork), or -1 with errno set (the
 * engine refused a new process).  The vpid comes from the shared counter
 * (else a FORK round trip), taken here with the lock taken and released: the parent thread is suspended during the
 * child's life, but other threads are not, and the child never takes the
 * lock (see struct shim_vf).
 */
__attribute__((used)) int shim_vfork_pre(void)
{
	pid_t vpid = 0, parent_v, parent_r;
	bool counted = false;
	sigset_t old;
	int rc;

	shim_init();
	if (shim_vf.active || shim_mode() == SHIM_MODE_NONE || shim_guarded()) {
		vf_plain = true;
		return 1;
	}
	if (!shim_offline()) {
		/* The counter is taken here, in the parent: the child must not
		 * write memory the parent relies on. */
		vpid = shim_fork_counted_unlocked();
		counted = vpid > 0;
	}
	if (!shim_offline() && !counted) {
		rc = shim_fork_reserve(0, 0, &vpid, NULL);
		if (rc < 0) {
			errno = -rc;
			return -1;
		}
		if (rc == 1)
			vpid = 0;
	}
	parent_v = shim_self_vpid();
	parent_r = shim_sys_getpid();
	/* Signals stay blocked until each side has its state straight: a
	 * handler in the parent must never see the child's context. */
	shim_block(&old);
	vf_marker = vpid > 0 ? shim_forking_begin(vpid, parent_r) : -1; /* for a tracer (ptrace.c) */
	uint32_t gkill = shim_gkill_seen();
	shim_vf = (struct shim_vf){ .active = true, .vpid = vpid, .counted = counted, .gkill = gkill,
				    .parent_v = parent_v,
				    .parent_r = parent_r, .conn = { .fd = -1 }, .oldmask = old };
	return 0;
}

/*
 * Called by the entry after the system call on both sides, with the
 * system call's result: 0 in the child, the rpid (or -errno) in the parent
 * once it resumes (the child has exec'd or exited by then).  Returns what
 * vfork returns.
 */
__attribute__((used)) pid_t shim_vfork_post(long rc)
{
	if (vf_plain) {
		if (rc == 0)
			return 0;
		vf_plain = false;
		if (rc < 0) {
			errno = (int)-rc;
			return -1;
		}
		return (pid_t)rc;
	}
	if (rc == 0) {
		shim_vf.rpid = shim_sys_getpid();
		shim_unblock(&shim_vf.oldmask);
		return 0;
	}
	/* The parent, resumed: take back the thread's state. */
	sigset_t old = shim_vf.oldmask;
	pid_t vpid = shim_vf.vpid;
	bool counted = shim_vf.counted;
	void *map = shim_vf.map;
	size_t maplen = shim_vf.maplen;
	bool exec_noted = shim_vf.exec_noted;
	uint64_t stops = shim_vf.stop_sigs;
	uint32_t gkill = shim_vf.gkill;
	uint64_t exec_at = shim_vf.exec_at;
	char exec_path[sizeof(shim_vf.exec_path)];
	memcpy(exec_path, shim_vf.exec_path, sizeof(exec_path));
	shim_vf = (struct shim_vf){ .active = false, .conn = { .fd = -1 } };
	if (map != NULL)
		munmap(map, maplen);
	int marker = vf_marker;
	vf_marker = -1;
	shim_forking_end(marker, (pid_t)rc);
	if (rc < 0) {
		if (vpid > 0 && counted)
			shim_fork_give_back(vpid);
		if (vpid > 0)
			shim_fork_bind(vpid, 0, counted, 0);
		shim_forking_release(marker);
		shim_unblock(&old);
		errno = (int)-rc;
		return -1;
	}
	vfork_pass_stops(stops, (pid_t)rc);
	if (vpid > 0) {
		shim_fork_bind(vpid, (pid_t)rc, counted, gkill);
		/* The child's EXEC note (exec.c), after its BIND. */
		if (exec_noted)
			shim_event_exec_for(vpid, (pid_t)rc, exec_path, strnlen(exec_path, sizeof(exec_path)),
					    exec_at);
	} else if (shim_mode() == SHIM_MODE_LOST)
		shim_child_add((pid_t)rc, (pid_t)rc);
	shim_forking_release(marker);
	shim_unblock(&old);
	return vpid > 0 ? vpid : (pid_t)rc;
}

/*
 * A stop signal in a vfork child before its exec.  The parent waits for
 * the exec in the kernel, where no stop signal stops it: a child stopped
 * before its exec holds the whole job, which its shell then never sees
 * stop (dash vforks every command: ^Z at the wrong moment hung
 * `jobshim run -- sh -c 'sleep 3; ...'` under an interactive bash).
 * Natively that window is the few instructions between vfork and execve;
 * a ^Z typed while the child is inside its execve is pending in both, the
 * child stops in its new image and the parent as soon as the exec lets
 * it go.  The shim's exec wrapper works in that window (the image scan,
 * the new environment, a round trip), so it holds every signal meanwhile
 * and, just before the real execve, takes off a pending SIGTSTP, SIGTTIN
 * or SIGTTOU that would stop the child (default action, not blocked by
 * the caller).  The parent, resumed, sends it to the exec'd child: what
 * the kernel does with a signal that came during the exec.  The parent's
 * own copy of a group's signal stops it once it unblocks.  A failed exec
 * keeps the record for the next try (dash tries each PATH directory); a
 * child that exits instead never gets it, as if it came later.
 */
void shim_vfork_exec_hold(sigset_t *old)
{
	shim_block(old);
}

void shim_vfork_exec_release(const sigset_t *old)
{
	static const int stops[] = { SIGTSTP, SIGTTIN, SIGTTOU };
	struct { void *handler; unsigned long flags; void *restorer; uint64_t mask; } act;
	uint64_t pending = 0, callers = 0;

	memcpy(&callers, old, sizeof(callers));
	if (shim_raw_syscall(SYS_rt_sigpending, (long)&pending, _NSIG / 8, 0, 0, 0, 0) == 0) {
		for (size_t i = 0; i < sizeof(stops) / sizeof(stops[0]); i++) {
			int sig = stops[i];
			uint64_t bit = 1ull << (sig - 1);
			if (!(pending & bit) || (callers & bit) ||
			    shim_raw_syscall(SYS_rt_sigaction, sig, 0, (long)&act, _NSIG / 8, 0, 0) != 0 ||
			    act.handler != NULL)
				continue;
			struct timespec zero = { 0, 0 };
			if (shim_raw_syscall(SYS_rt_sigtimedwait, (long)&bit, 0, (long)&zero, _NSIG / 8, 0,
					     0) == sig)
				shim_vf.stop_sigs |= 1ull << sig;
		}
	}
	shim_unblock(old);
}

/* The parent: the stop signals its vfork child took before its exec go to
 * the exec'd child, if it is still our live child (not exited, not reaped
 * by the kernel: then its pid could name another process). */
static void vfork_pass_stops(uint64_t stops, pid_t child)
{
	siginfo_t si;

	if (stops == 0 || child <= 0)
		return;
	memset(&si, 0, sizeof(si));
	if (shim_raw_syscall(SYS_waitid, P_PID, child, (long)&si, WEXITED | WNOHANG | WNOWAIT, 0, 0) !=
		    0 ||
	    si.si_pid != 0)
		return;
	for (int sig = 1; sig < 64; sig++)
		if (stops & (1ull << sig))
			shim_raw_syscall(SYS_kill, child, sig, 0, 0, 0, 0);
}

#ifndef __x86_64__
/* No assembly entry for this architecture: vfork is a full fork (same
 * behaviour for every correct vfork program, only slower). */
SHIM_EXPORT pid_t vfork(void)
{
	shim_init();
	return shim_fork(REAL(fork));
}
#endif
