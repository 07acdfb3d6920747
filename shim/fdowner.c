/* fdowner.c — pids that travel through a descriptor: fcntl's owners and lock holders, the socket owner ioctls, SO_PEERCRED. */
#include "shim.h"

#include <stdatomic.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

/*
 * A program names a process or a group to the kernel and reads one back:
 *   - fcntl F_SETOWN / F_GETOWN (pid > 0, -pgid < 0), F_SETOWN_EX /
 *     F_GETOWN_EX (struct f_owner_ex: TID, PID or PGRP): who gets SIGIO
 *     and SIGURG for the descriptor;
 *   - ioctl FIOSETOWN / SIOCSPGRP and FIOGETOWN / SIOCGPGRP on a socket:
 *     the same owner through an int pointer;
 *   - fcntl F_GETLK / F_OFD_GETLK: l_pid of a conflicting lock's holder;
 *   - getsockopt SO_PEERCRED: the peer's pid.
 * Passed on untranslated, `fcntl(fd, F_SETOWN, getpid())` named the real
 * process that happens to have our vpid's number (root may signal any of
 * them: SIGIO to a stranger) or failed with ESRCH, and F_GETOWN, l_pid and
 * SO_PEERCRED showed real pids the rest of the namespace never shows.
 *
 * Going in: a pid or thread id as every pid argument (shim_xlate_tid); a
 * group as its real mirror (ids.c keeps real groups equal to virtual
 * ones), found from a live member's real pgid -- a group with no member is
 * the process of that number, if any, as the kernel looks the number up
 * whatever it names.  A number that names nothing in the tree becomes
 * SHIM_PID_NONE, so the kernel answers ESRCH itself, after its own checks
 * (EINVAL for INT_MIN, EFAULT, EBADF) in its own order.
 * Coming back: real -> virtual; a process outside the tree reads 0, as a
 * pid namespace shows a process it cannot see.  A real group maps back
 * through the groups this process set as owners, else its leader's vpid.
 *
 * Everything else (every other fcntl command and ioctl request) goes to
 * libc untouched: fcntl is called often, and this is one comparison.
 */

/* The groups this process handed to F_SETOWN & co.: real pgid -> vpgid,
 * so that F_GETOWN gives back the number set even when the group's leader
 * has gone.  A handful is plenty (each descriptor has one owner). */
#define OWNED_GROUPS 8
static struct {
	pid_t rpgid, vpgid;
} owned[OWNED_GROUPS];
static unsigned owned_next;

static void owned_note(pid_t rpgid, pid_t vpgid)
{
	for (unsigned i = 0; i < OWNED_GROUPS; i++)
		if (owned[i].rpgid == rpgid) {
			owned[i].vpgid = vpgid;
			return;
		}
	owned[owned_next % OWNED_GROUPS].rpgid = rpgid;
	owned[owned_next % OWNED_GROUPS].vpgid = vpgid;
	owned_next++;
}

static bool first_member(pid_t rpid, void *ctx)
{
	*(pid_t *)ctx = rpid;
	return false;
}

/* Virtual group g (> 0) -> the real group that mirrors it, or the real pid
 * of process g when g is no group, or SHIM_PID_NONE. */
static pid_t group_v2r(pid_t g)
{
	pid_t member = 0;
	long r;

	if (g == shim_getpgid(0)) {
		r = shim_raw_syscall(SYS_getpgid, 0, 0, 0, 0, 0, 0);
	} else {
		if (shim_pgrp_each(g, first_member, &member) != 0 || member <= 0)
			return shim_xlate_tid(g);
		r = shim_raw_syscall(SYS_getpgid, member, 0, 0, 0, 0, 0);
	}
	if (r <= 0)
		return SHIM_PID_NONE;
	owned_note((pid_t)r, g);
	return (pid_t)r;
}

/* Real group rg (> 0) -> virtual, 0 when it is none of the tree's. */
static pid_t group_r2v(pid_t rg)
{
	for (unsigned i = 0; i < OWNED_GROUPS; i++)
		if (owned[i].rpgid == rg && owned[i].vpgid > 0)
			return owned[i].vpgid;
	if (rg == shim_raw_syscall(SYS_getpgid, 0, 0, 0, 0, 0, 0))
		return shim_getpgid(0);
	return shim_r2v(rg);
}

/* A thread id the kernel gave back: our main thread is our vpid, another
 * of our threads stays real (thread.c), anything else is a process. */
static pid_t tid_r2v(pid_t tid)
{
	if (tid <= 0)
		return tid;
	if (tid != shim_sys_getpid() &&
	    shim_raw_syscall(SYS_tgkill, shim_sys_getpid(), tid, 0, 0, 0, 0) == 0)
		return tid;
	return shim_r2v(tid);
}

/*
 * The supervisor's real group is not the tree's: it is the job the user's
 * shell started (jobshim, and `timeout`, a pipeline's other commands ...).
 * Virtual group 1 holds the supervisor alone, and its real mirror would be
 * that job: as an owner, SIGIO would reach processes outside the tree.
 * So group 1 is the supervisor as a process (it ignores asynchronous
 * signals, as init does), and the descriptor is marked so that its owner
 * reads back as group 1 (descriptors below G1_FDS; the mark is the
 * descriptor number's, not its open file's: a dup reads process 1).
 */
#define G1_FDS 1024
static _Atomic uint64_t g1_marks[G1_FDS / 64];

static void g1_mark(int fd, bool on)
{
	uint64_t bit;

	if (fd < 0 || fd >= G1_FDS)
		return;
	bit = 1ull << (fd % 64);
	if (on)
		atomic_fetch_or(&g1_marks[fd / 64], bit);
	else
		atomic_fetch_and(&g1_marks[fd / 64], ~bit);
}

/* The supervisor's real pid when real group rg is its group, else 0. */
static pid_t sup_group(pid_t rg)
{
	pid_t sup = shim_xlate_tid(1);

	if (rg <= 0 || sup <= 0 || sup == SHIM_PID_NONE ||
	    shim_raw_syscall(SYS_getpgid, sup, 0, 0, 0, 0, 0) != rg)
		return 0;
	return sup;
}

/* Is fd's real process owner rpid the supervisor standing for group 1? */
static bool is_init_group(int fd, pid_t rpid)
{
	return fd >= 0 && fd < G1_FDS && (atomic_load(&g1_marks[fd / 64]) >> (fd % 64) & 1) &&
	       rpid > 0 && rpid == shim_xlate_tid(1);
}

/* F_SETOWN's and FIOSETOWN's int: > 0 a process, < 0 a group. */
static long owner_v2r(long arg, bool *g1)
{
	int who = (int)arg;

	if (who > 0)
		return shim_xlate_tid(who);
	pid_t rg, sup;

	if (who == 0 || who == INT_MIN) /* the kernel's: clear, EINVAL */
		return arg;
	rg = group_v2r(-who);
	sup = sup_group(rg);
	*g1 = sup > 0;
	return sup > 0 ? sup : -(long)rg;
}

static pid_t owner_r2v(int fd, pid_t who)
{
	if (who > 0)
		return is_init_group(fd, who) ? -1 : shim_r2v(who);
	if (who < 0)
		return -group_r2v(-who);
	return 0;
}

static long raw_fcntl(int fd, int cmd, long arg)
{
	return shim_raw_syscall(SYS_fcntl, fd, cmd, arg, 0, 0, 0);
}

static bool owner_cmd(int cmd)
{
	return cmd == F_SETOWN || cmd == F_GETOWN || cmd == F_SETOWN_EX || cmd == F_GETOWN_EX ||
	       cmd == F_GETLK || cmd == F_OFD_GETLK;
}

/* F_GETOWN as F_GETOWN_EX (as glibc asks it): 0 and *owner (-pgid for a
 * group), or -errno, so that a group is never mistaken for an error. */
static long getown(int fd, pid_t *owner)
{
	struct f_owner_ex ex;
	long r = raw_fcntl(fd, F_GETOWN_EX, (long)&ex);

	if (r < 0)
		return r;
	if (ex.type == F_OWNER_PGRP)
		*owner = ex.pid > 0 ? -group_r2v(ex.pid) : 0;
	else if (ex.type == F_OWNER_PID && is_init_group(fd, ex.pid))
		*owner = -1;
	else
		*owner = ex.type == F_OWNER_TID ? tid_r2v(ex.pid) : shim_r2v(ex.pid);
	return 0;
}

/*
 * fcntl's commands that carry a pid, as the kernel answers them (-errno on
 * failure).  F_GETOWN's result is the kernel's form (-pgid for a group,
 * which a raw syscall() caller tells from an error as best it can).
 */
long shim_sys_fcntl(int fd, int cmd, long arg)
{
	struct f_owner_ex ex;
	pid_t owner;
	long r;

	shim_init();
	if (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC) {
		r = raw_fcntl(fd, cmd, arg);
		if (r >= 0)
			shim_pidread_dup(fd, (int)r);
		return r;
	}
	if (!owner_cmd(cmd) || shim_offline())
		return raw_fcntl(fd, cmd, arg);
	switch (cmd) {
	case F_SETOWN: {
		bool g1 = false;
		r = raw_fcntl(fd, cmd, owner_v2r(arg, &g1));
		if (r == 0)
			g1_mark(fd, g1);
		return r;
	}
	case F_GETOWN:
		r = getown(fd, &owner);
		return r < 0 ? r : owner;
	case F_SETOWN_EX:
		/* An unreadable struct is the kernel's EFAULT. */
		if (!shim_peek(&ex, (const void *)arg, sizeof(ex)))
			return raw_fcntl(fd, cmd, arg);
		bool g1 = false;
		if (ex.pid > 0 && ex.type == F_OWNER_PGRP) {
			pid_t sup;
			ex.pid = group_v2r(ex.pid);
			if ((sup = sup_group(ex.pid)) > 0) {
				ex.type = F_OWNER_PID;
				ex.pid = sup;
				g1 = true;
			}
		} else if (ex.pid > 0 && (ex.type == F_OWNER_TID || ex.type == F_OWNER_PID)) {
			ex.pid = shim_xlate_tid(ex.pid);
		}
		r = raw_fcntl(fd, cmd, (long)&ex);
		if (r == 0)
			g1_mark(fd, g1);
		return r;
	case F_GETOWN_EX:
		r = raw_fcntl(fd, cmd, arg);
		if (r < 0)
			return r;
		/* The kernel has just written it: it is ours to read. */
		struct f_owner_ex *out = (struct f_owner_ex *)arg;
		if (out->type == F_OWNER_PGRP) {
			out->pid = out->pid > 0 ? group_r2v(out->pid) : 0;
		} else if (out->type == F_OWNER_PID && is_init_group(fd, out->pid)) {
			out->type = F_OWNER_PGRP;
			out->pid = 1;
		} else
			out->pid = out->type == F_OWNER_TID ? tid_r2v(out->pid) : shim_r2v(out->pid);
		return r;
	default: { /* F_GETLK, F_OFD_GETLK: the holder (-1 for an OFD lock) */
		r = raw_fcntl(fd, cmd, arg);
		if (r < 0)
			return r;
		struct flock *fl = (struct flock *)arg;
		if (fl->l_type != F_UNLCK && fl->l_pid > 0)
			fl->l_pid = shim_r2v(fl->l_pid);
		return r;
	}
	}
}

static int fcntl_any(int fd, int cmd, va_list ap)
{
	/* One machine word, as the kernel reads the third argument. */
	long arg = va_arg(ap, long);
	long r;

	if (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC) {
		/* A copy of a signalfd reads virtual pids too (pidread.c). */
		r = REAL(fcntl)(fd, cmd, arg);
		if (r >= 0)
			shim_pidread_dup(fd, (int)r);
		return (int)r;
	}
	if (!owner_cmd(cmd)) {
		return REAL(fcntl)(fd, cmd, arg);
	}
	shim_init();
	if (shim_offline())
		return REAL(fcntl)(fd, cmd, arg);
	if (cmd == F_GETOWN) {
		pid_t owner;
		r = getown(fd, &owner);
		if (r < 0) {
			errno = (int)-r;
			return -1;
		}
		return owner;
	}
	r = shim_sys_fcntl(fd, cmd, arg);
	if (r < 0 && r > -4096) {
		errno = (int)-r;
		return -1;
	}
	return (int)r;
}

SHIM_EXPORT int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	int r;

	va_start(ap, cmd);
	r = fcntl_any(fd, cmd, ap);
	va_end(ap);
	return r;
}

/* glibc 2.28's name for the same call, which programs built with
 * _FILE_OFFSET_BITS=64 import (one function in glibc too). */
SHIM_EXPORT int fcntl64(int fd, int cmd, ...) __attribute__((alias("fcntl")));

/*
 * The socket forms (ioctl): FIOSETOWN and SIOCSPGRP read the owner from an
 * int pointer, FIOGETOWN and SIOCGPGRP write it there (-pgid for a group).
 * true when req is one of them, the result in *rc.  An unreadable pointer
 * and a descriptor that is no socket are the kernel's to answer.
 */
bool shim_ioctl_owner(int fd, unsigned long req, void *arg, int *rc)
{
	int who;

	if (req != FIOSETOWN && req != SIOCSPGRP && req != FIOGETOWN && req != SIOCGPGRP)
		return false;
	if (shim_offline()) {
		*rc = REAL(ioctl)(fd, req, arg);
		return true;
	}
	if (req == FIOSETOWN || req == SIOCSPGRP) {
		if (!shim_peek(&who, arg, sizeof(who))) {
			*rc = REAL(ioctl)(fd, req, arg);
			return true;
		}
		bool g1 = false;
		who = (int)owner_v2r(who, &g1);
		*rc = REAL(ioctl)(fd, req, &who);
		if (*rc == 0)
			g1_mark(fd, g1);
		return true;
	}
	*rc = REAL(ioctl)(fd, req, arg);
	if (*rc == 0) {
		/* The kernel has just written it. */
		int *out = arg;
		*out = owner_r2v(fd, *out);
	}
	return true;
}

/* SO_PEERCRED: the peer's pid in the namespace (0 outside the tree, as a
 * pid namespace shows it).  Every other option is libc's. */
SHIM_EXPORT int getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
	int rc;

	rc = REAL(getsockopt)(fd, level, name, val, len);
	if (rc == 0 && level == SOL_SOCKET && name == SO_PEERCRED && val != NULL &&
	    *len >= (socklen_t)sizeof(pid_t)) {
		shim_init();
		if (!shim_offline()) {
			pid_t *pid = val; /* struct ucred starts with the pid */
			*pid = *pid > 0 ? shim_r2v_acting(*pid) : *pid;
		}
	}
	return rc;
}
