/* vfork.c — a real vfork: the bookkeeping around the assembly entry (vfork_x86_64.S). */
#include "shim.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

SHIM_TLS struct shim_vf shim_vf;

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
	shim_vf = (struct shim_vf){ .active = true, .vpid = vpid, .counted = counted,
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
		if (vpid > 0)
			shim_fork_bind(vpid, 0, counted);
		shim_forking_release(marker);
		shim_unblock(&old);
		errno = (int)-rc;
		return -1;
	}
	if (vpid > 0) {
		shim_fork_bind(vpid, (pid_t)rc, counted);
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

#ifndef __x86_64__
/* No assembly entry for this architecture: vfork is a full fork (same
 * behaviour for every correct vfork program, only slower). */
SHIM_EXPORT pid_t vfork(void)
{
	shim_init();
	return shim_fork(REAL(fork));
}
#endif
