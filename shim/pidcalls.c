/* pidcalls.c — calls that take a pid: sched_*, get/setpriority, process_vm_*, pidfd_open, ioprio. */
#include "shim.h"

#include <errno.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

/*
 * Each wrapper translates its pid argument with shim_xlate_tid (thread.c:
 * 0 and negative ids stay, the caller's vpid, a real thread id of the
 * caller, or another vpid; anything else becomes a pid no process has) and
 * makes the real call, so every errno (EINVAL for -1, ESRCH, EFAULT, ...)
 * is the kernel's, in the kernel's order.  Group
 * forms (PRIO_PGRP, IOPRIO_WHO_PGRP) do not go to the kernel: a virtual
 * group id is no real one, and the engine (not the real groups that mirror
 * it, ids.c) is the authority on members, so they come from the engine
 * (PGRP_RPIDS) and the call
 * is made on each, combining the results as the kernel does.  Only the
 * members' main threads are concerned (the kernel's group forms visit
 * every thread).  pidfd-based calls (pidfd_send_signal, pidfd_getfd,
 * waitid(P_PIDFD)) take no pid and are not wrapped.
 */

#define IOPRIO_WHO_PROCESS 1
#define IOPRIO_WHO_PGRP 2

int shim_pgrp_each(pid_t pgid, bool (*fn)(pid_t rpid, void *ctx), void *ctx)
{
	struct proto_req req = { .op = PROTO_OP_PGRP_RPIDS, .a = pgid };
	struct proto_rep rep;
	int offset = 0;

	if (pgid < 0 || pgid > PROTO_PID_MAX)
		return -ESRCH;
	for (;;) {
		req.c = offset;
		if (shim_call(&req, &rep) < 0)
			return 1;
		if (rep.err < 0)
			return rep.err;
		for (uint32_t i = 0; i < rep.n; i++)
			if (rep.ids[i] > 0 && !fn(rep.ids[i], ctx))
				return 0;
		offset += (int)rep.n;
		if (rep.n == 0 || offset >= rep.v[0])
			return 0;
	}
}

/* ---- priority ------------------------------------------------------------- */

/* Raw-syscall convention of getpriority: 20 - nice (1..40). */
struct prio_op {
	bool set;
	int prio;  /* set: the nice value */
	int best;  /* get: highest raw value seen, 0 none */
	int err;   /* set: the kernel's running result (-ESRCH until one is found) */
};

static bool prio_one(pid_t rpid, void *ctx)
{
	struct prio_op *op = ctx;
	long r = shim_raw_syscall(op->set ? SYS_setpriority : SYS_getpriority, PRIO_PROCESS,
				  rpid, op->prio, 0, 0, 0);

	if (!op->set) {
		if (r > op->best)
			op->best = (int)r;
	} else if (r < 0) {
		op->err = (int)r; /* a failure is kept (kernel/sys.c set_one_prio) */
	} else if (op->err == -ESRCH) {
		op->err = 0;
	}
	return true;
}

long shim_sys_priority(bool set, long which, long who, long prio)
{
	struct prio_op op = { .set = set, .prio = (int)prio, .err = -ESRCH };
	int rc;

	shim_init();
	if (shim_mode() == SHIM_MODE_NONE || which == PRIO_USER || (which == PRIO_PGRP && shim_offline()))
		goto real_call; /* LOST: the tree's real group, as kill(0) */
	if (which == PRIO_PROCESS) {
		who = shim_xlate_tid((pid_t)who);
		goto real_call;
	}
	if (which != PRIO_PGRP)
		goto real_call; /* EINVAL from the kernel */
	rc = shim_pgrp_each((pid_t)who, prio_one, &op);
	if (rc == 1)
		goto real_call;
	if (rc < 0)
		return rc;
	if (set)
		return op.err;
	return op.best > 0 ? op.best : -ESRCH;
real_call:
	return shim_raw_syscall(set ? SYS_setpriority : SYS_getpriority, which, who, prio, 0, 0, 0);
}

SHIM_EXPORT int getpriority(__priority_which_t which, id_t who)
{
	long r = shim_sys_priority(false, which, (long)who, 0);

	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	return 20 - (int)r;
}

SHIM_EXPORT int setpriority(__priority_which_t which, id_t who, int prio)
{
	long r = shim_sys_priority(true, which, (long)who, prio);

	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	return 0;
}

/* ---- I/O priority (no libc wrapper: syscall() only) -------------------------- */

struct ioprio_op {
	bool set;
	int prio;
	int best; /* get: lowest value seen (kernel ioprio_best), -1 none */
	int err;  /* set: first failure stops the walk, as the kernel's loop */
};

static bool ioprio_one(pid_t rpid, void *ctx)
{
	struct ioprio_op *op = ctx;
	long r = shim_raw_syscall(op->set ? SYS_ioprio_set : SYS_ioprio_get, IOPRIO_WHO_PROCESS,
				  rpid, op->prio, 0, 0, 0);

	if (op->set) {
		op->err = r < 0 ? (int)r : 0;
		return r >= 0;
	}
	/* The kernel folds every member through ioprio_best(), which reads
	 * class NONE (0) as best-effort level 4 (measured on 6.18: a group of
	 * one process whose own ioprio_get is 0 answers 16388). */
	if (r >= 0 && (r >> 13) == 0)
		r = (2 << 13) | 4;
	if (r >= 0 && (op->best < 0 || r < op->best))
		op->best = (int)r;
	return true;
}

long shim_sys_ioprio(bool set, long which, long who, long prio)
{
	struct ioprio_op op = { .set = set, .prio = (int)prio, .best = -1, .err = -ESRCH };
	int rc;

	shim_init();
	if (shim_mode() == SHIM_MODE_NONE || (which == IOPRIO_WHO_PGRP && shim_offline()))
		goto real_call;
	if (which == IOPRIO_WHO_PROCESS) {
		who = shim_xlate_tid((pid_t)who);
		goto real_call;
	}
	if (which != IOPRIO_WHO_PGRP)
		goto real_call; /* IOPRIO_WHO_USER: a uid */
	rc = shim_pgrp_each((pid_t)who, ioprio_one, &op);
	if (rc == 1)
		goto real_call;
	if (rc < 0)
		return rc;
	if (set)
		return op.err;
	return op.best >= 0 ? op.best : -ESRCH;
real_call:
	return shim_raw_syscall(set ? SYS_ioprio_set : SYS_ioprio_get, which, who, prio, 0, 0, 0);
}

/* ---- one pid argument -------------------------------------------------------- */

/* Translate `pid` for the kernel (it judges every id, errno included). */
static void xlate_pid(pid_t *pid)
{
	*pid = shim_xlate_tid(*pid);
}

SHIM_EXPORT int sched_setaffinity(pid_t pid, size_t size, const cpu_set_t *set)
{
	xlate_pid(&pid);
	return REAL(sched_setaffinity)(pid, size, set);
}

SHIM_EXPORT int sched_getaffinity(pid_t pid, size_t size, cpu_set_t *set)
{
	xlate_pid(&pid);
	return REAL(sched_getaffinity)(pid, size, set);
}

SHIM_EXPORT int sched_setscheduler(pid_t pid, int policy, const struct sched_param *param)
{
	xlate_pid(&pid);
	return REAL(sched_setscheduler)(pid, policy, param);
}

SHIM_EXPORT int sched_getscheduler(pid_t pid)
{
	xlate_pid(&pid);
	return REAL(sched_getscheduler)(pid);
}

SHIM_EXPORT int sched_setparam(pid_t pid, const struct sched_param *param)
{
	xlate_pid(&pid);
	return REAL(sched_setparam)(pid, param);
}

SHIM_EXPORT int sched_getparam(pid_t pid, struct sched_param *param)
{
	xlate_pid(&pid);
	return REAL(sched_getparam)(pid, param);
}

SHIM_EXPORT int sched_rr_get_interval(pid_t pid, struct timespec *ts)
{
	xlate_pid(&pid);
	return REAL(sched_rr_get_interval)(pid, ts);
}

SHIM_EXPORT ssize_t process_vm_readv(pid_t pid, const struct iovec *local, unsigned long nl,
				     const struct iovec *remote, unsigned long nr,
				     unsigned long flags)
{
	xlate_pid(&pid);
	return REAL(process_vm_readv)(pid, local, nl, remote, nr, flags);
}

SHIM_EXPORT ssize_t process_vm_writev(pid_t pid, const struct iovec *local, unsigned long nl,
				      const struct iovec *remote, unsigned long nr,
				      unsigned long flags)
{
	xlate_pid(&pid);
	return REAL(process_vm_writev)(pid, local, nl, remote, nr, flags);
}

/* A pidfd refers to the real process: everything done with it afterwards
 * (pidfd_send_signal, waitid(P_PIDFD), poll) needs no translation. */
SHIM_EXPORT int pidfd_open(pid_t pid, unsigned int flags)
{
	xlate_pid(&pid);
	if (REAL(pidfd_open) == NULL) { /* libc before 2.36 */
		long r = shim_raw_syscall(SYS_pidfd_open, pid, flags, 0, 0, 0, 0);
		if (r < 0) {
			errno = (int)-r;
			return -1;
		}
		return (int)r;
	}
	return REAL(pidfd_open)(pid, flags);
}
