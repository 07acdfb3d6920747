/* wait.c — wait, waitpid, wait3, wait4, waitid with virtual ids and groups. */
#include "shim.h"

#include <errno.h>
#include <stddef.h>
#include <limits.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define WAIT4_OPTS (WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL)
#define WAITID_OPTS (WNOHANG | WNOWAIT | WEXITED | WSTOPPED | WCONTINUED | __WNOTHREAD | \
		     __WCLONE | __WALL)
#define WAIT_KIND (__WNOTHREAD | __WCLONE | __WALL)
/* Back-off while an ineligible child keeps the blocking waitid ready. */
#define WAIT_BACKOFF_MIN_MS 1
#define WAIT_BACKOFF_MAX_MS 10

/* One wait in progress: wait4 or waitid flavour. */
struct waitop {
	bool is_waitid;
	int options;           /* the caller's options */
	int status;            /* wait4: the status */
	bool want_ru;          /* wait4: the caller passed an rusage */
	struct rusage ru;      /* wait4: ours, copied out after the reap */
	siginfo_t si;          /* waitid: the result */
};

/* A wait4 stop status that a tracer got for a ptrace-stop (event, syscall,
 * signal-delivery stop): not a job-control stop, the model must not hear
 * of it.  Events and syscall stops say so in the status; otherwise the
 * task's TracerPid says whether the report came to us as its tracer (a
 * real parent that is not the tracer only sees real group stops).
 * waitid says CLD_TRAPPED for all of them (status_of). */
static bool ptrace_stop(pid_t rpid, int status)
{
	pid_t tracer;

	if ((status >> 16) != 0 || WSTOPSIG(status) == (SIGTRAP | 0x80))
		return true;
	return shim_ptrace_status(rpid, NULL, NULL, &tracer) && tracer != 0 &&
	       tracer == shim_sys_getpid();
}

/* Report what we saw to the supervisor: a reap (one-way REAPED) or a
 * stop/continue (STATE), through the event FIFO when it can (events.c);
 * forget reaped children. */
static void report(pid_t vpid, pid_t rpid, int status)
{
	struct proto_req req = { .op = PROTO_OP_REAPED, .a = vpid > 0 ? vpid : 0, .b = rpid,
				 .c = status };

	if (WIFEXITED(status) || WIFSIGNALED(status)) {
		shim_child_del(rpid);
		shim_ptrace_forget(rpid);
		if (WIFSIGNALED(status) && WCOREDUMP(status))
			shim_core_rename(rpid, vpid, WTERMSIG(status));
	} else if (WIFSTOPPED(status) && ptrace_stop(rpid, status)) {
		return;
	} else if (WIFSTOPPED(status) || WIFCONTINUED(status)) {
		req.op = PROTO_OP_STATE;
		req.a = rpid;
		req.b = WIFSTOPPED(status) ? 1 : 0;
		req.c = 0;
	} else {
		return;
	}
	if (!shim_offline() && !shim_event(&req))
		shim_send(&req);
}

/* A wait status rebuilt from waitid's siginfo; -1 when it is not a change
 * the engine tracks (CLD_TRAPPED). */
static int status_of(const siginfo_t *si)
{
	switch (si->si_code) {
	case CLD_EXITED:
		return (si->si_status & 0xff) << 8;
	case CLD_KILLED:
		return si->si_status & 0x7f;
	case CLD_DUMPED:
		return (si->si_status & 0x7f) | 0x80;
	case CLD_STOPPED:
		return ((si->si_status & 0xff) << 8) | 0x7f;
	case CLD_CONTINUED:
		return 0xffff;
	default:
		return -1;
	}
}

/* rpid -> vpid for a result; the rpid itself when the supervisor does not
 * know it (better than a made-up id). */
static pid_t result_vpid(pid_t rpid)
{
	pid_t v;

	/* A debugger's tracees: their own table, and children not bound yet
	 * (ptrace.c). */
	if (shim_ptrace_tracing())
		return shim_ptrace_r2v(rpid);
	v = shim_r2v(rpid);
	return v > 0 ? v : rpid;
}

/* A wait's pid argument: our child, an id a tracer was shown, any vpid. */
static pid_t wait_target(pid_t pid)
{
	pid_t r = shim_child_v2r(pid);

	if (r <= 0)
		r = shim_ptrace_shown2r(pid);
	if (r <= 0)
		r = shim_v2r(pid);
	return r;
}

/*
 * A wait that the kernel answered ECHILD in a process that ignores SIGCHLD
 * (or set SA_NOCLDWAIT): the kernel reaped the children it waited for by
 * itself, and the supervisor learns of those exits from their pidfds, a
 * little later.  Ask it to apply them now (WAIT_SELECT with
 * PROTO_WAIT_SETTLE, the answer unused), so that what the caller reads
 * next -- getpgid(child), kill(child, 0) -- says they are gone, as Linux
 * does once the wait has returned.  One system call to learn the
 * disposition, and a round trip only for such a process.
 */
static void settle_after_echild(pid_t sel)
{
	struct { void *handler; unsigned long flags; void *restorer; uint64_t mask; } act;
	struct proto_req req = { .op = PROTO_OP_WAIT_SELECT, .a = sel, .b = WNOHANG, .d = PROTO_WAIT_SETTLE };
	struct proto_rep rep;

	if (sel == INT_MIN || shim_vf.active ||
	    shim_raw_syscall(SYS_rt_sigaction, SIGCHLD, 0, (long)&act, _NSIG / 8, 0, 0) != 0 ||
	    (act.handler != (void *)SIG_IGN && !(act.flags & SA_NOCLDWAIT)))
		return;
	(void)shim_call(&req, &rep);
}

/* Our children's exits, and our reaps no shim saw, applied in the model
 * now (wordexp.c): WAIT_SELECT of every child with PROTO_WAIT_SETTLE, the
 * answer unused. */
void shim_settle_children(void)
{
	struct proto_req req = { .op = PROTO_OP_WAIT_SELECT, .a = -1, .b = WNOHANG, .d = PROTO_WAIT_SETTLE };
	struct proto_rep rep;
	int saved = errno;

	if (!shim_offline() && !shim_vf.active)
		(void)shim_call(&req, &rep);
	shim_errno_keep(saved);
}

/* Finish a wait that returned rpid: translate, report, fill si_pid. */
static pid_t finish(struct waitop *op, pid_t rpid, pid_t vpid)
{
	if (vpid <= 0)
		vpid = result_vpid(rpid);
	if (op->is_waitid) {
		int st = status_of(&op->si);
		op->si.si_pid = vpid;
		if (st != -1 && !(op->options & WNOWAIT))
			report(vpid, rpid, st);
	} else {
		report(vpid, rpid, op->status);
	}
	return vpid;
}

/* One real wait on a real selector: > 0 rpid, 0 nothing (WNOHANG), -errno. */
static pid_t real_wait(struct waitop *op, idtype_t idtype, pid_t rsel, int extra)
{
	int saved = errno;
	pid_t r;

	if (op->is_waitid) {
		memset(&op->si, 0, sizeof(op->si));
		if (REAL(waitid)(idtype, (id_t)rsel, &op->si, op->options | extra) < 0)
			r = -errno;
		else
			r = op->si.si_pid;
	} else {
		/* Our own rusage, never the caller's: the kernel reaps before it
		 * copies the rusage out, so an unwritable one would give EFAULT
		 * for a child that is gone and that the model never hears of. */
		r = REAL(wait4)(rsel, &op->status, op->options | extra, op->want_ru ? &op->ru : NULL);
		if (r < 0)
			r = -errno;
	}
	shim_errno_keep(saved);
	return r;
}

/* The blocking step of a group wait: any change of any child, left
 * waitable (WNOWAIT).  >0 the child's rpid, -errno. */
static pid_t block_any(const struct waitop *op)
{
	siginfo_t si;
	int flags = WNOWAIT | (op->options & WAIT_KIND), saved = errno;

	if (op->is_waitid)
		flags |= op->options & (WEXITED | WSTOPPED | WCONTINUED);
	else
		flags |= WEXITED | ((op->options & WUNTRACED) ? WSTOPPED : 0) |
			 (op->options & WCONTINUED);
	memset(&si, 0, sizeof(si));
	if (REAL(waitid)(P_ALL, 0, &si, flags) < 0) {
		int e = errno;
		shim_errno_keep(saved);
		return -e;
	}
	return si.si_pid;
}

/*
 * wait4(0) / wait4(-G) / waitid(P_PGID): the engine names the eligible
 * children (WAIT_SELECT, paged by 32 pairs through c = offset); each is
 * polled with WNOHANG; then we block in waitid(P_ALL, WNOWAIT) until any
 * child changes and select again.  If the change is an ineligible child,
 * it stays ready, so we back off (1..10 ms) instead of spinning.
 */
static pid_t wait_group(struct waitop *op, pid_t sel)
{
	int backoff = WAIT_BACKOFF_MIN_MS;
	int sel_opts = op->options & (WNOHANG | WUNTRACED | WCONTINUED | WAIT_KIND);

	for (;;) {
		struct proto_req req = { .op = PROTO_OP_WAIT_SELECT, .a = sel, .b = sel_opts };
		struct proto_rep rep;
		pid_t hit_r = 0, hit_v = 0, changed;
		int offset = 0, waitable = 0;

		for (;;) {
			req.c = offset;
			if (shim_call(&req, &rep) < 0)
				return real_wait(op, op->is_waitid ? P_PGID : P_PID, sel, 0);
			if (rep.err < 0)
				return rep.err;
			for (uint32_t i = 0; i + 1 < rep.n; i += 2) {
				pid_t v = rep.ids[i], r = rep.ids[i + 1];
				if (r <= 0) {
					waitable++; /* not bound yet: seen by block_any */
					continue;
				}
				pid_t got = real_wait(op, P_PID, r, WNOHANG);
				/* ECHILD for one child: the kernel cannot report it
				 * with these options (a zombie without WEXITED). */
				if (got != -ECHILD)
					waitable++;
				if (got > 0) {
					hit_r = got;
					hit_v = v;
					break;
				}
			}
			if (hit_r > 0)
				return finish(op, hit_r, hit_v);
			/* Next page (terminates: offset grows by a full page). */
			offset += (int)rep.n / 2;
			if (rep.n < PROTO_MAX_IDS || offset >= rep.v[0])
				break;
		}
		/* Linux: a group whose children can none of them report under
		 * these options is ECHILD (do_wait's notask_error), not 0. */
		if (waitable == 0)
			return -ECHILD;
		if (op->options & WNOHANG) {
			if (op->is_waitid)
				memset(&op->si, 0, sizeof(op->si));
			return 0;
		}
		changed = block_any(op);
		/* EINTR as the real call gives it; ECHILD: the kernel says we
		 * have no child at all, so nothing could ever come (no spin). */
		if (changed < 0)
			return changed;
		bool eligible = false;
		for (uint32_t i = 0; i + 1 < rep.n; i += 2)
			if (rep.ids[i + 1] == changed)
				eligible = true;
		if (eligible) {
			backoff = WAIT_BACKOFF_MIN_MS;
			continue;
		}
		shim_sleep_ms(backoff);
		if (backoff < WAIT_BACKOFF_MAX_MS)
			backoff *= 2;
	}
}

/* LOST: real calls, with the pre-fallback children still translated. */
static pid_t wait4_offline(pid_t pid, int *status, int options, struct rusage *ru)
{
	pid_t r = pid, got, v;

	if (pid > 0 && shim_mode() == SHIM_MODE_LOST && (v = shim_child_v2r(pid)) > 0)
		r = v;
	got = REAL(wait4)(r, status, options, ru);
	if (got > 0 && shim_mode() == SHIM_MODE_LOST) {
		v = shim_child_r2v(got);
		if (status == NULL || WIFEXITED(*status) || WIFSIGNALED(*status))
			shim_child_del(got);
		if (v > 0)
			got = v;
	}
	return got;
}

pid_t shim_wait4(pid_t pid, int *status, int options, struct rusage *ru)
{
	struct waitop op = { .is_waitid = false, .options = options, .want_ru = ru != NULL };
	pid_t got, r;

	shim_init();
	if (shim_offline() || (options & ~WAIT4_OPTS) || pid == INT_MIN) {
		/* Offline, or Linux's own EINVAL / ESRCH for bad arguments. */
		got = wait4_offline(pid, status, options, ru);
		return got < 0 ? -errno : got;
	}
	if (pid == -1) {
		got = real_wait(&op, P_ALL, -1, 0);
		if (got > 0)
			got = finish(&op, got, 0);
	} else if (pid > 0) {
		r = wait_target(pid);
		if (r <= 0)
			return -ECHILD;
		got = real_wait(&op, P_PID, r, 0);
		if (got > 0)
			got = finish(&op, got, pid);
	} else {
		got = wait_group(&op, pid);
	}
	if (got == -ECHILD)
		settle_after_echild(pid);
	/* As the kernel: the child is reaped (and reported), then the status
	 * and the rusage are written, in that order; an unwritable one is
	 * EFAULT (never a fault in here). */
	if (got > 0 && status != NULL && !shim_poke(status, &op.status, sizeof(op.status)))
		return -EFAULT;
	if (got > 0 && ru != NULL && !shim_poke(ru, &op.ru, sizeof(op.ru)))
		return -EFAULT;
	return got;
}

SHIM_EXPORT pid_t wait4(pid_t pid, int *status, int options, struct rusage *ru)
{
	pid_t rc = shim_wait4(pid, status, options, ru);

	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return rc;
}

SHIM_EXPORT pid_t wait3(int *status, int options, struct rusage *ru)
{
	pid_t rc = shim_wait4(-1, status, options, ru);

	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return rc;
}

SHIM_EXPORT pid_t waitpid(pid_t pid, int *status, int options)
{
	pid_t rc = shim_wait4(pid, status, options, NULL);

	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return rc;
}

SHIM_EXPORT pid_t wait(int *status)
{
	pid_t rc = shim_wait4(-1, status, 0, NULL);

	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return rc;
}

static int waitid_any(idtype_t idtype, id_t id, siginfo_t *info, int options)
{
	struct waitop op = { .is_waitid = true, .options = options };
	pid_t got, r, sid = (pid_t)id;

	if (options & ~WAITID_OPTS || !(options & (WEXITED | WSTOPPED | WCONTINUED)) ||
	    (idtype == P_PID && sid <= 0) || (idtype == P_PGID && sid < 0) ||
	    (idtype != P_PID && idtype != P_PGID && idtype != P_ALL)) {
		/* Linux's own EINVAL, or P_PIDFD (real fds, nothing to map). */
		got = real_wait(&op, idtype, sid, 0);
		if (got > 0 && idtype == P_PIDFD)
			got = finish(&op, got, 0);
	} else if (idtype == P_ALL) {
		got = real_wait(&op, P_ALL, 0, 0);
		if (got > 0)
			got = finish(&op, got, 0);
	} else if (idtype == P_PID) {
		r = wait_target(sid);
		got = r <= 0 ? -ECHILD : real_wait(&op, P_PID, r, 0);
		if (got > 0)
			got = finish(&op, got, sid);
	} else if (sid == 1) {
		/* Group 1 is vpid 1's (session 1): no process of the tree can
		 * join it, so no child is in it.  (wait_group's -1 would mean
		 * every child, wait4's convention.) */
		got = -ECHILD;
	} else {
		got = wait_group(&op, sid == 0 ? 0 : -sid);
	}
	if (got == -ECHILD && (idtype == P_ALL || idtype == P_PID || idtype == P_PGID))
		settle_after_echild(idtype == P_ALL ? -1 : idtype == P_PID ? sid : sid == 0 ? 0 : -sid);
	if (got < 0) {
		/* The kernel fills *info whatever the outcome (zeroes up to
		 * si_status on an error), so an unwritable info is EFAULT even
		 * for EINVAL or ECHILD. */
		char zero[offsetof(siginfo_t, si_status) + sizeof(int)] = { 0 };
		if (info != NULL && !shim_poke(info, zero, sizeof(zero)))
			return -EFAULT;
		return got;
	}
	if (info != NULL && !shim_poke(info, &op.si, sizeof(op.si)))
		return -EFAULT; /* reaped all the same, as by the kernel */
	return 0;
}

SHIM_EXPORT int waitid(idtype_t idtype, id_t id, siginfo_t *info, int options)
{
	int rc;

	shim_init();
	if (shim_offline()) {
		rc = REAL(waitid)(idtype, id, info, options);
		if (rc == 0 && info != NULL && info->si_pid > 0 && shim_mode() == SHIM_MODE_LOST) {
			pid_t v = shim_child_r2v(info->si_pid);
			if (v > 0)
				info->si_pid = v;
		}
		return rc;
	}
	rc = waitid_any(idtype, id, info, options);
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return 0;
}

/* Hidden alias for syscall() (shim.h). */
extern __typeof(waitid) shim_waitid __attribute__((alias("waitid"), copy(waitid)));
