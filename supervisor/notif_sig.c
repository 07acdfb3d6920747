/* notif_sig.c — signals a filtered image sends: translated targets, the kernel's permission rule with the caller's credentials, sent for it. */
#include "notif.h"
#include "../core/killtally.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

/* ---- the kernel's permission rule, with the caller's credentials --------- */

static void cred_read(pid_t pid, struct cred *cr)
{
	char buf[2048], line[128];

	cr->ok = false;
	if (notif_status_read(pid, buf, sizeof(buf)) < 0)
		return;
	if (notif_status_get(buf, "Uid:", line, sizeof(line)) < 0)
		return;
	if (sscanf(line, "%ld %ld %ld", &cr->uid[0], &cr->uid[1], &cr->uid[2]) != 3)
		return;
	if (notif_status_get(buf, "CapEff:", line, sizeof(line)) < 0)
		return;
	cr->capeff = strtoull(line, NULL, 16);
	cr->ok = true;
}

/*
 * kernel/signal.c check_kill_permission/kill_ok_by_cred: the sender's real
 * or effective uid equals the target's real or saved uid, or the sender
 * has CAP_KILL (one user namespace assumed: the tree's).  SIGCONT within
 * a session is always allowed: the virtual session decides here (every
 * tree process shares one real session).  LSMs are not consulted.
 */
static int may_signal(struct sup *s, const struct cred *caller, int32_t caller_v, pid_t target_r,
		      int sig)
{
	struct cred t;

	if (!caller->ok)
		return -EPERM;
	if (caller->capeff & (1ULL << 5)) /* CAP_KILL */
		return 0;
	if (sig == SIGCONT) {
		int32_t tv = eng_rpid_to_vpid(s->eng, target_r);
		if (tv > 1 && eng_getsid(s->eng, caller_v, tv) == eng_getsid(s->eng, caller_v, 0))
			return 0;
	}
	cred_read(target_r, &t);
	if (!t.ok)
		return -ESRCH;
	if (caller->uid[1] == t.uid[2] || caller->uid[1] == t.uid[0] ||
	    caller->uid[0] == t.uid[2] || caller->uid[0] == t.uid[0])
		return 0;
	return -EPERM;
}

/* vpid 1: init ignores it once permitted (shim/initsig.c's rule). */
static int init_check(struct sup *s, const struct cred *caller, int32_t caller_v, int sig)
{
	if (sig < 0 || sig >= _NSIG)
		return -EINVAL;
	return may_signal(s, caller, caller_v, s->self_rpid, 0);
}

static const struct cred *caller_cred(struct call *k)
{
	if (!k->cr_read) {
		cred_read(k->c.rpid, &k->cr);
		k->cr_read = true;
	}
	return &k->cr;
}


/*
 * Send sig to rpid r (thread t when > 0) for the caller.  A plain kill
 * from us would name us as the sender (si_pid = the supervisor, which a
 * receiver sees as vpid 1); SI_USER cannot be forged for another process,
 * but SI_QUEUE can: the receiver's si_pid is the caller's (its shim shows
 * the caller's vpid) and si_uid its real uid.  si_value marks it as a kill
 * (t == 0) or a tkill/tgkill (PROTO_SIGVAL_*), so that the receiver's shim
 * or the tracer shows SI_USER or SI_TKILL, as natively: Go's runtime, for
 * one, ignores a SIGTRAP that signal.Ignore covers only when it comes from
 * kill, and takes any other for a trap.  Signal 0 delivers nothing: the
 * plain call checks existence.
 */
static int send_as(struct call *k, pid_t r, pid_t t, int sig)
{
	siginfo_t si;
	long rc;

	if (sig == 0 || sig < 0 || sig >= _NSIG)
		rc = t > 0 ? syscall(SYS_tgkill, r, t, sig) : syscall(SYS_kill, r, sig);
	else {
		memset(&si, 0, sizeof(si));
		si.si_signo = sig;
		si.si_code = SI_QUEUE;
		si.si_pid = k->c.rpid;
		si.si_uid = caller_cred(k)->ok ? (uid_t)k->cr.uid[0] : getuid();
		si.si_value.sival_ptr = (void *)(uintptr_t)proto_sigval(k->c.vpid, t > 0);
		rc = t > 0 ? syscall(SYS_rt_tgsigqueueinfo, r, t, sig, &si)
			   : syscall(SYS_rt_sigqueueinfo, r, sig, &si);
	}
	return rc < 0 ? -errno : 0;
}

/* kill(2) on the caller's behalf: shim/kill.c's kill_online, with the
 * permission check the kernel would make for the caller. */
static long do_kill(struct call *k, int32_t pid, int sig)
{
	struct proto_rep r;
	struct kill_tally tally = KILL_TALLY_INIT;
	int total, offset = 0, rc;
	bool me = false;

	for (;;) {
		rc = notif_run_op(k, PROTO_OP_KILL, pid, sig, offset, &r);
		if (rc < 0)
			return offset == 0 ? rc : kill_tally_partial(&tally);
		total = r.v[0];
		if (r.v[1] == 1)
			me = true;
		for (uint32_t i = 0; i < r.n; i++) {
			pid_t t = r.ids[i];
			if (t == k->c.rpid) {
				me = true;
				continue;
			}
			rc = t > 0 ? may_signal(k->s, caller_cred(k), k->c.vpid, t, sig) : -ESRCH;
			if (rc == 0)
				rc = send_as(k, t, 0, sig);
			kill_tally_add(&tally, rc);
		}
		offset += (int)r.n;
		if (r.n == 0 || offset >= total)
			break;
	}
	if (me)
		kill_tally_add(&tally, send_as(k, k->c.rpid, 0, sig));
	if (tally.sent == 0)
		return pid == 1 ? init_check(k->s, caller_cred(k), k->c.vpid, sig) : 0;
	return kill_tally_result(&tally, pid);
}

/* fork is not filtered: without our tracer a filtered parent knows its
 * children by their real pids.  kill(pid > 1) where pid is no vpid of the
 * tree but a real child of the caller's goes to that child (nobody else: a
 * real pid is never taken for a stranger).  Not for a caller our tracer
 * has: its forks gave it vpids, and where real ids are small (a fresh pid
 * namespace) the vpid of a child it reaped may be the real pid of another
 * child, alive -- kill(reaped, 0) then said it still existed.  1 = not
 * such a child. */
static long kill_own_child(struct call *k, int32_t pid, int sig)
{
	struct sysio_stat st;
	pid_t tracer = tracer_pid();
	int rc;

	if (pid <= 1 || eng_vpid_to_rpid(k->s->eng, pid) != -ESRCH || sysio_stat(pid, &st) < 0 ||
	    st.ppid != k->c.rpid)
		return 1;
	if (tracer > 0 && notif_status_field(k->tid, "TracerPid:", NULL, 0) == tracer)
		return 1;
	rc = may_signal(k->s, caller_cred(k), k->c.vpid, pid, sig);
	return rc < 0 ? rc : send_as(k, pid, 0, sig);
}

/* A tid argument: a vpid names its main thread; else a real thread id of
 * a tree process's other thread (gettid stays real for those); else
 * ESRCH.  1 = the supervisor. */
static pid_t xlate_tid(struct sup *s, pid_t tid)
{
	int64_t r;
	long tg;

	if (tid <= 0)
		return -EINVAL;
	if (tid == 1)
		return 1;
	r = eng_vpid_to_rpid(s->eng, tid);
	if (r > 0)
		return (pid_t)r;
	tg = notif_tgid_of(tid);
	if (tg > 0 && tg != tid && eng_rpid_to_vpid(s->eng, tg) > 1)
		return tid;
	return -ESRCH;
}

static bool read_caller(struct call *k, uint64_t addr, void *buf, size_t len)
{
	struct iovec l = {buf, len}, r = {(void *)addr, len};

	return syscall(SYS_process_vm_readv, k->c.rpid, &l, 1, &r, 1, 0) == (ssize_t)len;
}

/* tkill, tgkill, rt_sigqueueinfo, rt_tgsigqueueinfo. */
static long do_tgsend(struct call *k, long nr, const __u64 *a)
{
	struct sup *s = k->s;
	siginfo_t si;
	pid_t tg = 0, t = 0;
	int sig;
	bool self;
	int rc;
	bool queue = nr == SYS_rt_sigqueueinfo || nr == SYS_rt_tgsigqueueinfo;

	/* The kernel's order for the queue calls: the siginfo is read first
	 * (EFAULT), then rt_tgsigqueueinfo's ids (EINVAL), then the si_code
	 * only the kernel may send to another task (EPERM: compared with the
	 * caller's own id as it knows it), then the target (ESRCH). */
	if (queue) {
		pid_t me = k->tid == k->c.rpid ? k->c.vpid : k->tid;
		pid_t to = nr == SYS_rt_sigqueueinfo ? (pid_t)a[0] : (pid_t)a[1];
		if (!read_caller(k, nr == SYS_rt_sigqueueinfo ? a[2] : a[3], &si, sizeof(si)))
			return -EFAULT;
		if (nr == SYS_rt_tgsigqueueinfo && ((pid_t)a[0] <= 0 || (pid_t)a[1] <= 0))
			return -EINVAL;
		if (si.si_code >= 0 || si.si_code == SI_TKILL) {
			if (to != me)
				return -EPERM;
			/* to oneself, sent by us: only SI_QUEUE passes */
			si.si_code = SI_QUEUE;
		}
		/* The receiver's shim translates si_pid as a real pid. */
		si.si_pid = k->c.rpid;
	}
	switch (nr) {
	case SYS_tkill:
		t = xlate_tid(s, (pid_t)a[0]);
		sig = (int)a[1];
		break;
	case SYS_tgkill:
	case SYS_rt_tgsigqueueinfo:
		if ((pid_t)a[0] <= 0 || (pid_t)a[1] <= 0)
			return -EINVAL;
		tg = (pid_t)a[0] == 1 ? 1 : (pid_t)eng_vpid_to_rpid(s->eng, (pid_t)a[0]);
		if (tg <= 0)
			return -ESRCH;
		/* A real thread of that group is what the id means (Go's
		 * runtime preempts its threads so); a vpid would name
		 * another process, never one of tg's threads.  Not tg's own
		 * real id: its main thread is named by its vpid, and where
		 * real ids are small that number is some vpid
		 * (tgkill(ppid, pid) reached the parent when the parent's
		 * real pid was the caller's vpid). */
		if ((pid_t)a[1] == (pid_t)a[0])
			t = tg;
		else if (tg > 1 && (pid_t)a[1] != tg && notif_is_thread_of((pid_t)a[1], tg))
			t = (pid_t)a[1];
		else
			t = xlate_tid(s, (pid_t)a[1]);
		sig = (int)a[2];
		break;
	default: /* rt_sigqueueinfo */
		if ((pid_t)a[0] <= 0)
			return -ESRCH;
		tg = (pid_t)a[0] == 1 ? 1 : (pid_t)eng_vpid_to_rpid(s->eng, (pid_t)a[0]);
		if (tg <= 0)
			return -ESRCH;
		t = tg;
		sig = (int)a[1];
		break;
	}
	if (t < 0)
		return t;
	/* Within one thread group the kernel checks no permission. */
	self = t == k->c.rpid || tg == k->c.rpid;
	if (t == 1 || tg == 1)
		return init_check(s, caller_cred(k), k->c.vpid, sig);
	if (!self) {
		rc = may_signal(s, caller_cred(k), k->c.vpid, tg > 0 ? tg : t, sig);
		if (rc < 0)
			return rc;
	}
	switch (nr) {
	case SYS_tkill:
		if (tg <= 0) {
			long g = notif_tgid_of(t);
			if (g <= 0)
				return -ESRCH;
			tg = (pid_t)g;
		}
		return send_as(k, tg, t, sig);
	case SYS_tgkill:
		return send_as(k, tg, t, sig);
	case SYS_rt_sigqueueinfo:
		rc = (int)syscall(SYS_rt_sigqueueinfo, tg, sig, &si);
		break;
	default:
		rc = (int)syscall(SYS_rt_tgsigqueueinfo, tg, t, sig, &si);
		break;
	}
	return rc < 0 ? -errno : 0;
}

/* pidfd_open(vpid): opened here, installed in the caller.  Returns the
 * caller's new fd, or -errno; *done when the ADDFD answered the call. */

long notif_kill(struct call *k, int32_t pid, int sig)
{
	long rc = kill_own_child(k, pid, sig);

	return rc == 1 ? do_kill(k, pid, sig) : rc;
}

long notif_tgsend(struct call *k, long nr, const __u64 *a)
{
	return do_tgsend(k, nr, a);
}
