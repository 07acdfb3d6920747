/* tracer_calls.c — the calls the tracer rewrites: wait4/waitid, setpgid/setsid, the pid-taking calls, and the fork family's return value. */
#include "tracer_int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <signal.h>
#include <unistd.h>

/* What each call does is told in tracer.c's opening comment and in
 * docs/internals.md, "fork and wait: the tracer". */

/* ---- the tracee's memory and registers ------------------------------------ */

static bool peek32(pid_t tid, unsigned long addr, int32_t *v)
{
	long w;

	errno = 0;
	w = ptrace(PTRACE_PEEKDATA, tid, (void *)addr, 0);
	if (errno)
		return false;
	*v = (int32_t)(w & 0xffffffff); /* little endian: the first 4 bytes */
	return true;
}

static bool poke32(pid_t tid, unsigned long addr, int32_t v)
{
	long w;

	errno = 0;
	w = ptrace(PTRACE_PEEKDATA, tid, (void *)addr, 0);
	if (errno)
		return false;
	w = (long)(((unsigned long)w & ~0xffffffffUL) | (uint32_t)v);
	return ptrace(PTRACE_POKEDATA, tid, (void *)addr, (void *)w) == 0;
}

/* Skip the call at its seccomp stop: the kernel returns rax as it is. */
static void skip(pid_t tid, struct user_regs_struct *r, long err)
{
	r->orig_rax = (unsigned long long)-1;
	r->rax = (unsigned long long)err;
	ptrace(PTRACE_SETREGS, tid, 0, r);
}

/* The real process group of rpid (/proc/<rpid>/stat field 5), or -1. */
static long real_pgrp(pid_t rpid)
{
	char path[64], buf[512];
	ssize_t n;
	int fd;
	char *p;
	long pg;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)rpid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (p == NULL || sscanf(p + 1, " %*c %*d %ld", &pg) != 1)
		return -1;
	return pg;
}

/*
 * What a virtual wait selector (vpid > 0, 0, -pgid) is for the kernel, for
 * tid: *kind 0 = any child (-1), 1 = one pid, 2 = one real group; *id.
 * 0, or -errno (Linux's: ECHILD when nobody is eligible), or -ENOSYS when
 * no real selector names exactly the engine's choice (a virtual group
 * whose members are not alone in a real one).
 */
static int translate(struct tracee *t, int32_t sel, int32_t opts, int *kind, long *id)
{
	struct trc_msg r, all;
	pid_t tid = t->tid, known = sel > 0 ? trc_kid_rpid(t->tgid, sel) : 0;
	int rc;
	long pg = -1;

	/* One of its own children: as the shim's wait does (tracer_local.c). */
	if (known > 0) {
		*kind = 1;
		*id = known;
		t->wvpid = sel;
		return 0;
	}
	rc = trc_ask(TRC_SELECT, tid, sel, opts, 0, &r);
	if (rc < 0)
		return rc;
	if (sel > 0 || r.n == 2) {
		if (r.n < 2 || r.v[1] <= 0)
			return -ECHILD;
		*kind = 1;
		*id = r.v[1];
		t->wvpid = r.v[0];
		return 0;
	}
	if (r.n >= TRC_NV || trc_ask(TRC_ALL, tid, -1, 0, 0, &all) < 0 || all.n >= TRC_NV)
		return -ENOSYS; /* more children than one answer holds */
	if (all.n == r.n && r.n < TRC_NV) {
		*kind = 0;
		*id = -1;
		return 0;
	}
	/* The selection, alone in one real group? */
	for (int i = 1; i < r.n; i += 2) {
		long p = real_pgrp(r.v[i]);
		if (p <= 0 || (pg > 0 && p != pg))
			return -ENOSYS;
		pg = p;
	}
	for (int i = 1; i < all.n; i += 2) {
		bool in = false;
		for (int j = 1; j < r.n; j += 2)
			in = in || r.v[j] == all.v[i];
		if (!in && real_pgrp(all.v[i]) == pg)
			return -ENOSYS;
	}
	if (pg <= 0 || all.n >= TRC_NV)
		return -ENOSYS;
	*kind = 2;
	*id = pg;
	return 0;
}

#define WAIT4_OPTS (WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL)
#define WAITID_OPTS (WNOHANG | WNOWAIT | WEXITED | WSTOPPED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL)
#define SCRATCH 1024 /* below the red zone, for a NULL status or siginfo */

/* A wait call at its seccomp stop: translate its selector. */
static bool wait_enter(struct tracee *t, struct user_regs_struct *r)
{
	int kind = 0;
	long id = -1;
	int rc = 0;

	t->wvpid = 0;
	if (r->orig_rax == SYS_wait4) {
		int32_t pid = (int32_t)r->rdi;
		int opts = (int)r->rdx;
		if (opts & ~WAIT4_OPTS)
			return skip(t->tid, r, -EINVAL), false;
		if (pid == INT_MIN)
			return skip(t->tid, r, -ESRCH), false;
		if (pid != -1)
			rc = translate(t, pid, opts & (WNOHANG | WUNTRACED | WCONTINUED), &kind, &id);
		if (rc < 0)
			return skip(t->tid, r, rc), false;
		if (pid != -1)
			r->rdi = (unsigned long long)(kind == 0 ? -1 : kind == 1 ? id : -id);
		t->addr = r->rsi;
		if (r->rsi == 0)
			r->rsi = t->addr = (r->rsp - 128 - SCRATCH) & ~15ULL;
		t->nowait = false;
	} else {
		int idtype = (int)r->rdi;
		int32_t v = (int32_t)r->rsi;
		int opts = (int)r->r10;
		if ((opts & ~WAITID_OPTS) || !(opts & (WEXITED | WSTOPPED | WCONTINUED)))
			return skip(t->tid, r, -EINVAL), false;
		if ((idtype == P_PID && v <= 0) || (idtype == P_PGID && v < 0))
			return skip(t->tid, r, -EINVAL), false;
		if (idtype == P_PID || idtype == P_PGID) {
			rc = translate(t, idtype == P_PID ? v : -v,
				       opts & (WNOHANG | WSTOPPED | WCONTINUED), &kind, &id);
			if (rc < 0)
				return skip(t->tid, r, rc), false;
			r->rdi = (unsigned long long)(kind == 0 ? P_ALL : kind == 1 ? P_PID : P_PGID);
			r->rsi = (unsigned long long)(kind == 0 ? 0 : id);
		}
		t->addr = r->rdx;
		if (r->rdx == 0)
			r->rdx = t->addr = (r->rsp - 128 - SCRATCH) & ~15ULL;
		t->nowait = (opts & WNOWAIT) != 0;
	}
	t->restore = true;
	ptrace(PTRACE_SETREGS, t->tid, 0, r);
	return true;
}

/* setpgid or setsid at its seccomp stop: the engine decides; if it
 * agrees, the real call runs as the mirror (true), else the call is
 * skipped with the engine's errno. */
static bool ids_enter(struct tracee *t, struct user_regs_struct *r)
{
	struct trc_msg m;
	int rc;

	if (r->orig_rax == SYS_setsid) {
		rc = trc_ask(TRC_SETSID, t->tid, 0, 0, 0, &m);
		if (rc < 0)
			return skip(t->tid, r, rc), false;
		t->ret = m.v[0];
		return true;
	}
	rc = trc_ask(TRC_SETPGID, t->tid, (int32_t)r->rdi, (int32_t)r->rsi, 0, &m);
	if (rc < 0)
		return skip(t->tid, r, rc), false;
	t->ret = 0;
	if (m.v[0] < 0 || m.v[1] <= 0)
		return skip(t->tid, r, 0), false; /* no real mirror known: nothing to move */
	r->rdi = (unsigned long long)m.v[0];
	r->rsi = (unsigned long long)m.v[1];
	t->restore = true;
	ptrace(PTRACE_SETREGS, t->tid, 0, r);
	return true;
}

/* Argument register i (0..5) of a system call. */
static unsigned long long *arg_reg(struct user_regs_struct *r, int i)
{
	switch (i) {
	case 0: return &r->rdi;
	case 1: return &r->rsi;
	case 2: return &r->rdx;
	case 3: return &r->r10;
	case 4: return &r->r8;
	default: return &r->r9;
	}
}

#define IOPRIO_WHO_PROCESS 1
#define IOPRIO_WHO_PGRP 2

/* The arguments of call nr that name a process (kind 0) or a process
 * group (kind 1): their register numbers in idx, how many. */
static int pid_args(long nr, const struct user_regs_struct *r, int idx[2], int kind[2])
{
	kind[0] = kind[1] = 0;
	switch (nr) {
	case SYS_kcmp:
		idx[0] = 0;
		idx[1] = 1;
		return 2;
	case SYS_getpriority:
	case SYS_setpriority:
		idx[0] = 1;
		kind[0] = (int)r->rdi == PRIO_PGRP;
		return (int)r->rdi == PRIO_PROCESS || (int)r->rdi == PRIO_PGRP;
	case SYS_ioprio_get:
	case SYS_ioprio_set:
		idx[0] = 1;
		kind[0] = (int)r->rdi == IOPRIO_WHO_PGRP;
		return (int)r->rdi == IOPRIO_WHO_PROCESS || (int)r->rdi == IOPRIO_WHO_PGRP;
	case SYS_perf_event_open:
		idx[0] = 1; /* with PERF_FLAG_PID_CGROUP it is a cgroup's fd */
		return !(r->r8 & PERF_FLAG_PID_CGROUP);
	case SYS_prctl:
		idx[0] = 1; /* PR_SET_PTRACER's pid (PR_SET_PTRACER_ANY is -1) */
		return (int)r->rdi == PR_SET_PTRACER;
	case SYS_sched_setaffinity:
	case SYS_sched_getaffinity:
	case SYS_sched_setscheduler:
	case SYS_sched_getscheduler:
	case SYS_sched_setparam:
	case SYS_sched_getparam:
	case SYS_sched_setattr:
	case SYS_sched_getattr:
	case SYS_sched_rr_get_interval:
	case SYS_prlimit64:
	case SYS_process_vm_readv:
	case SYS_process_vm_writev:
	case SYS_get_robust_list:
	case SYS_migrate_pages:
	case SYS_move_pages:
		idx[0] = 0;
		return 1;
	}
	return 0;
}

/* TRC_XLATE's answer for the caller's own vpid, known here: its rpid
 * (shim_xlate_tid's rule; not for a group id).  sched_getparam(getpid())
 * and the like need no question. */
static bool own_v2r(const struct tracee *t, int32_t id, int kind, int32_t *out)
{
	if (kind == 1 || t->vpid <= 1 || t->tgid <= 0 || id != t->vpid)
		return false;
	*out = t->tgid;
	return true;
}

/* capget/capset: the pid is in the caller's header (struct
 * __user_cap_header_struct: version, then pid), rewritten in place and
 * put back at the exit (true: there is something to put back). */
static bool cap_enter(struct tracee *t, const struct user_regs_struct *r)
{
	unsigned long addr = (unsigned long)r->rdi + 4;
	struct trc_msg m;
	int32_t id;

	if (r->rdi == 0 || !peek32(t->tid, addr, &id) || id <= 0)
		return false;
	if (!own_v2r(t, id, 0, &m.v[0]) && trc_ask(TRC_XLATE, t->tid, id, 0, 0, &m) < 0)
		return false;
	if (m.v[0] == id)
		return false; /* a bad pointer is the kernel's EFAULT */
	if (!poke32(t->tid, addr, m.v[0]))
		return false;
	t->poke_addr = addr;
	t->poke_val = id;
	return true;
}

/* A pid-taking call at its seccomp stop: its ids made real (true: the
 * registers are to be put back at the exit). */
static bool pidcall_enter(struct tracee *t, struct user_regs_struct *r)
{
	int idx[2], kind[2], n = pid_args((long)r->orig_rax, r, idx, kind);
	bool changed = false;

	if (r->orig_rax == SYS_capget || r->orig_rax == SYS_capset)
		return cap_enter(t, r);

	t->subreaper = r->orig_rax == SYS_prctl && (int)r->rdi == PR_SET_CHILD_SUBREAPER;
	for (int i = 0; i < n; i++) {
		unsigned long long *reg = arg_reg(r, idx[i]);
		struct trc_msg m;
		int32_t id = (int32_t)*reg;
		if (id <= 0 || (!own_v2r(t, id, kind[i], &m.v[0]) &&
				trc_ask(TRC_XLATE, t->tid, id, kind[i], 0, &m) < 0))
			continue; /* the kernel's meaning, or a caller outside the tree */
		if (m.v[0] != id) {
			*reg = (unsigned long long)(uint32_t)m.v[0];
			changed = true;
		}
	}
	if (changed) {
		t->restore = true;
		ptrace(PTRACE_SETREGS, t->tid, 0, r);
	}
	return changed || t->subreaper;
}

/* ---- ids kept for a descriptor: owners, lock holders, a terminal's group --

 * The shim's rules (shim/fdowner.c, shim/tty.c) for the same calls made
 * from a filtered image's own code; the filter sends only these commands
 * and requests here (shim/seccomp_bpf.h).  Going in, an id is made real
 * in the register or in the caller's memory (put back at the exit, as
 * capget's); coming back, the kernel's real id is made virtual where the
 * kernel wrote it. */

/* Virtual id -> real for the kernel (TRC_XLATE): kind 1, a group, falls
 * back to the process of that number, as the kernel looks any id up; a
 * caller outside the tree keeps the kernel's meaning. */
static int32_t ask_v2r(const struct tracee *t, int32_t id, int kind)
{
	struct trc_msg m;
	pid_t tid = t->tid;

	if (id > 0 && own_v2r(t, id, kind, &m.v[0]))
		return m.v[0];
	if (id <= 0 || trc_ask(TRC_XLATE, tid, id, kind, 0, &m) < 0)
		return id;
	if (kind == 1 && m.v[0] == TRC_PID_NONE && trc_ask(TRC_XLATE, tid, id, 0, 0, &m) < 0)
		return id;
	return m.v[0];
}

/* Real id -> virtual (TRC_R2V); 0: none of the tree's.  A caller outside
 * the tree (a nested pid namespace's: the kernel's ids are its own) keeps
 * the kernel's. */
static int32_t ask_r2v(pid_t tid, int32_t id, int kind)
{
	struct trc_msg m;

	if (id <= 0 || trc_ask(TRC_R2V, tid, id, kind, 0, &m) < 0)
		return id;
	return m.v[0];
}

/* F_SETOWN's and FIOSETOWN's int: > 0 a process, < 0 a group (0 clears,
 * INT_MIN is the kernel's EINVAL). */
static int32_t owner_v2r(const struct tracee *t, int32_t who)
{
	if (who > 0)
		return ask_v2r(t, who, 0);
	if (who == 0 || who == INT_MIN)
		return who;
	/* Group 1 is the supervisor alone, whose real group is the user's
	 * job (shim/fdowner.c, sup_group): the supervisor, our parent, as a
	 * process instead. */
	if (who == -1)
		return (int32_t)getppid();
	return -ask_v2r(t, -who, 1);
}

static int32_t owner_r2v(pid_t tid, int32_t who)
{
	return who > 0 ? ask_r2v(tid, who, 0) : who < 0 ? -ask_r2v(tid, -who, 1) : 0;
}

/* Rewrite the pid word at addr for the call, to be put back at its exit. */
static bool poke_for_call(struct tracee *t, unsigned long addr, int32_t was, int32_t now)
{
	if (now == was || !poke32(t->tid, addr, now))
		return false;
	t->poke_addr = addr;
	t->poke_val = was;
	return true;
}

static bool fd_open_in(pid_t tid, int fd)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)tid, fd);
	return access(path, F_OK) == 0 || errno != ENOENT;
}

/* fcntl or ioctl at its seccomp stop (the filter let only the commands
 * below through): true when its exit stop is wanted. */
static bool fd_enter(struct tracee *t, struct user_regs_struct *r)
{
	unsigned long addr = r->rdx;
	int32_t v = 0, ex[2];

	t->sub = (uint32_t)r->rsi; /* the kernel takes cmd as an unsigned int */
	t->want = 0;
	t->none = false;
	if (r->orig_rax == SYS_fcntl) {
		switch (t->sub) {
		case F_SETOWN:
			v = owner_v2r(t, (int32_t)r->rdx);
			if (v == (int32_t)r->rdx)
				return false;
			r->rdx = (unsigned long long)(long long)v;
			t->restore = true;
			ptrace(PTRACE_SETREGS, t->tid, 0, r);
			return true;
		case F_SETOWN_EX:
			/* An unreadable struct is the kernel's EFAULT. */
			if (!peek32(t->tid, addr, &ex[0]) || !peek32(t->tid, addr + 4, &ex[1]) || ex[1] <= 0)
				return false;
			if (ex[0] != F_OWNER_TID && ex[0] != F_OWNER_PID && ex[0] != F_OWNER_PGRP)
				return false; /* the kernel's EINVAL */
			/* Group 1's real mirror is the user's job (owner_v2r):
			 * refused, the kernel's ESRCH for a group nobody has. */
			v = ex[0] == F_OWNER_PGRP && ex[1] == 1 ? TRC_PID_NONE
								: ask_v2r(t, ex[1], ex[0] == F_OWNER_PGRP);
			return poke_for_call(t, addr + 4, ex[1], v);
		default: /* F_GETOWN, F_GETOWN_EX, F_GETLK, F_OFD_GETLK: at the exit */
			return true;
		}
	}
	switch (t->sub) {
	case FIOSETOWN:
	case SIOCSPGRP:
		if (!peek32(t->tid, addr, &v))
			return false;
		return poke_for_call(t, addr, v, owner_v2r(t, v));
	case TIOCSPGRP:
		/* The kernel checks first, with the group's real mirror (ENOTTY,
		 * SIGTTOU for a background caller, EIO for an orphaned one,
		 * EPERM for another session); init's group is jobshim's own
		 * real one, never handed over.  A group without a known
		 * mirror gets a pid nobody has: the kernel's ESRCH, after its
		 * checks, is then replaced by the engine's verdict. */
		if (!peek32(t->tid, addr, &v) || v <= 0)
			return false; /* EFAULT, EINVAL, ESRCH: the kernel's */
		t->want = v;
		int32_t mirror = v > 1 ? ask_v2r(t, v, 1) : TRC_PID_NONE;
		t->none = mirror == TRC_PID_NONE;
		poke_for_call(t, addr, v, mirror);
		return true;
	default: /* FIOGETOWN, SIOCGPGRP, TIOCGPGRP, TIOCGSID: at the exit */
		return true;
	}
}

/* fcntl or ioctl at its exit: the kernel's real ids made virtual. */
static void fd_exit(struct tracee *t, struct user_regs_struct *r)
{
	long ret = (long)r->rax;
	unsigned long addr = t->orig.rdx;
	int32_t v, ex[2];
	struct trc_msg m;

	if (t->nr == SYS_fcntl) {
		switch (t->sub) {
		case F_GETOWN:
			/* -pgid for a group; its one error is EBADF */
			if (ret == -EBADF && !fd_open_in(t->tid, (int)t->orig.rdi))
				return;
			if (ret != 0)
				r->rax = (unsigned long long)(long long)owner_r2v(t->tid, (int32_t)ret);
			return;
		case F_GETOWN_EX:
			if (ret == 0 && peek32(t->tid, addr, &ex[0]) && peek32(t->tid, addr + 4, &ex[1]) &&
			    ex[1] > 0)
				poke32(t->tid, addr + 4, ask_r2v(t->tid, ex[1], ex[0] == F_OWNER_PGRP));
			return;
		case F_GETLK:
		case F_OFD_GETLK:
			/* struct flock: l_type (short) first, l_pid at 24; -1 for an OFD lock */
			if (ret == 0 && peek32(t->tid, addr, &ex[0]) && (short)ex[0] != F_UNLCK &&
			    peek32(t->tid, addr + 24, &v) && v > 0)
				poke32(t->tid, addr + 24, ask_r2v(t->tid, v, 0));
			return;
		}
		return;
	}
	switch (t->sub) {
	case FIOGETOWN:
	case SIOCGPGRP:
		if (ret == 0 && peek32(t->tid, addr, &v))
			poke32(t->tid, addr, owner_r2v(t->tid, v));
		return;
	case TIOCGPGRP:
		if (ret == 0 && peek32(t->tid, addr, &v) && v > 0 &&
		    trc_ask(TRC_TCPGRP, t->tid, 0, v, 0, &m) == 0)
			poke32(t->tid, addr, m.v[0]);
		return;
	case TIOCGSID:
		if (ret == 0 && peek32(t->tid, addr, &v) && v > 0) {
			int rc = trc_ask(TRC_R2V, t->tid, v, 2, 0, &m);
			if (rc == -ENOTTY)
				r->rax = (unsigned long long)-ENOTTY; /* a session outside the tree */
			else if (rc == 0 && m.v[0] > 0)
				poke32(t->tid, addr, m.v[0]);
		}
		return;
	case TIOCSPGRP:
		if (t->want <= 0 || (ret != 0 && !(t->none && ret == -ESRCH)))
			return; /* the kernel's error (a restart after SIGTTOU asks again) */
		/* The engine records the group (session 2's foreground), or,
		 * when the kernel could not be shown it, gives its verdict. */
		if (trc_ask(TRC_TCPGRP, t->tid, 1, t->want, 0, &m) < 0 && t->none)
			r->rax = (unsigned long long)(long long)m.err;
		else if (t->none)
			r->rax = 0;
		return;
	}
}

/* ---- CPU clocks of a pid, a timer's thread ------------------------------- */

/* Above PID_MAX_LIMIT (2^22): it still encodes in a clock id (TRC_PID_NONE
 * would wrap to CLOCK_REALTIME's bits) and names no process. */
#define CLOCK_PID_NONE 4194305
#define K_SIGEV_THREAD_ID 4

/*
 * A clock id naming a process's or a thread's CPU clock (negative:
 * ~pid << 3 | type, bit 2 for a thread; type 3 is a descriptor's clock,
 * left alone), made real as shim/clocks.c does for clock_getcpuclockid:
 * a static libc builds it from the vpid getpid gave (or from the real tid
 * it keeps for a thread), so every clock call carries it.  Pid 0 is the
 * caller.
 */
static int32_t clock_v2r(const struct tracee *t, int32_t clk)
{
	int32_t pid, real;

	if (clk >= 0 || (clk & 3) == 3)
		return clk;
	pid = ~(clk >> 3);
	if (pid <= 0)
		return clk;
	real = ask_v2r(t, pid, (clk & 4) ? 2 : 0);
	if (real <= 0 || real > (1 << 22))
		real = CLOCK_PID_NONE;
	return (int32_t)(~(uint32_t)real << 3 | (uint32_t)(clk & 7));
}

/* clock_gettime, _settime, _getres, _nanosleep with a CPU clock id (the
 * filter sends only those), timer_create (its clock, and its
 * SIGEV_THREAD_ID thread, in the caller's memory): true when something
 * is to be put back at the exit. */
static bool clock_enter(struct tracee *t, struct user_regs_struct *r)
{
	int32_t clk = (int32_t)r->rdi, real = clock_v2r(t, clk), notify, th;
	bool poked = false;

	if (r->orig_rax == SYS_timer_create && r->rsi != 0 && peek32(t->tid, r->rsi + 12, &notify) &&
	    (notify & K_SIGEV_THREAD_ID) && peek32(t->tid, r->rsi + 16, &th) && th > 0)
		poked = poke_for_call(t, r->rsi + 16, th, ask_v2r(t, th, 2));
	if (real == clk)
		return poked;
	r->rdi = (unsigned long long)(long long)real;
	t->restore = true;
	ptrace(PTRACE_SETREGS, t->tid, 0, r);
	return true;
}

/* sigwaitinfo/sigtimedwait (rt_sigtimedwait) at its seccomp stop: its exit
 * is wanted when it has a siginfo to fill. */
static bool sigwait_enter(struct tracee *t, const struct user_regs_struct *r)
{
	t->addr = r->rsi;
	return r->rsi != 0;
}

/* ... at its exit: a filtered image's kill, which the supervisor sent as
 * SI_QUEUE, shows kill's or tkill's code and the sender's vpid
 * (core/proto.h), as at a signal-delivery stop (tracer.c). */
static void sigwait_exit(struct tracee *t, long ret)
{
	int32_t code, lo, hi;
	int shown;

	if (ret <= 0 || !peek32(t->tid, t->addr + 8, &code) || !peek32(t->tid, t->addr + 24, &lo) ||
	    !peek32(t->tid, t->addr + 28, &hi))
		return;
	shown = proto_sig_code(code, (uint64_t)(uint32_t)hi << 32 | (uint32_t)lo);
	if (shown != code && poke32(t->tid, t->addr + 8, shown)) {
		poke32(t->tid, t->addr + 16, proto_sig_sender((uint32_t)lo));
		poke32(t->tid, t->addr + 24, 0);
		poke32(t->tid, t->addr + 28, 0);
	}
}

/* The wait status waitid's siginfo stands for (as wait4 would give it). */
static int wait_status_of(int code, int st)
{
	switch (code) {
	case CLD_EXITED: return (st & 0xff) << 8;
	case CLD_KILLED: return st & 0x7f;
	case CLD_DUMPED: return (st & 0x7f) | 0x80;
	case CLD_STOPPED: return ((st & 0xff) << 8) | 0x7f;
	case CLD_CONTINUED: return 0xffff;
	}
	return -1;
}

/* A wait returned rpid with status: the supervisor hears of it (through
 * the FIFO when the child is known here, else asked); the vpid to show,
 * 0 when none is known. */
static int32_t wait_done(struct tracee *t, pid_t rpid, int st, bool nowait)
{
	int32_t v = t->wvpid > 0 ? t->wvpid : trc_kid_vpid(t->tgid, rpid);
	struct trc_msg m;

	if (v > 1 && trc_local_done(t, v, rpid, st, nowait))
		return v;
	trc_ask(TRC_DONE, t->tid, rpid, st, nowait, &m);
	if ((WIFEXITED(st) || WIFSIGNALED(st)) && !nowait)
		trc_kid_gone(t->tgid, rpid);
	return m.v[0];
}

bool trc_is_fork_nr(long nr)
{
	return nr == SYS_fork || nr == SYS_vfork || nr == SYS_clone || nr == SYS_clone3;
}

void trc_call_exit(struct tracee *t)
{
	struct user_regs_struct r;
	long ret;

	if (ptrace(PTRACE_GETREGS, t->tid, 0, &r) < 0)
		return;
	ret = (long)r.rax;
	if (t->nr == SYS_wait4 && ret > 0) {
		int32_t st = 0, v;
		peek32(t->tid, t->addr, &st);
		v = wait_done(t, (pid_t)ret, st, false);
		if (v > 0)
			r.rax = (unsigned long long)v;
	} else if (t->nr == SYS_waitid && ret == 0) {
		int32_t code = 0, pid = 0, st = 0, v;
		if (peek32(t->tid, t->addr + 8, &code) && peek32(t->tid, t->addr + 16, &pid) &&
		    peek32(t->tid, t->addr + 24, &st) && pid > 0) {
			v = wait_done(t, pid, wait_status_of(code, st), t->nowait);
			if (v > 0)
				poke32(t->tid, t->addr + 16, v);
		}
	} else if (t->nr == SYS_setpgid || t->nr == SYS_setsid) {
		/* The engine's answer; a failed mirror is not the program's
		 * error (as in shim/ids.c). */
		r.rax = (unsigned long long)t->ret;
	} else if (t->nr == SYS_rt_sigtimedwait) {
		sigwait_exit(t, ret);
	} else if (t->nr == SYS_fcntl || t->nr == SYS_ioctl) {
		fd_exit(t, &r);
	} else if (t->subreaper) {
		struct trc_msg m;
		if (ret == 0)
			trc_ask(TRC_SUBREAPER, t->tid, t->orig.rsi != 0, 0, 0, &m);
	} else if (trc_is_fork_nr(t->nr) && ret > 0) {
		/* fork family: the child's vpid; unnumbered, it must not live
		 * with a real pid its parent would take for a virtual one. */
		if (t->vchild > 0) {
			r.rax = (unsigned long long)t->vchild;
		} else {
			kill((pid_t)ret, SIGKILL);
			r.rax = (unsigned long long)-EAGAIN;
		}
	}
	if (t->poke_addr) {
		poke32(t->tid, t->poke_addr, t->poke_val);
		t->poke_addr = 0;
	}
	if (t->restore) {
		r.rdi = t->orig.rdi;
		r.rsi = t->orig.rsi;
		r.rdx = t->orig.rdx;
		r.r10 = t->orig.r10;
	}
	ptrace(PTRACE_SETREGS, t->tid, 0, &r);
	t->nr = -1;
	t->vchild = 0;
	t->child = 0;
	t->restore = false;
	t->subreaper = false;
}

bool trc_call_enter(struct tracee *t, struct user_regs_struct *r)
{
	long nr = (long)r->orig_rax;

	if (nr == SYS_wait4 || nr == SYS_waitid)
		return wait_enter(t, r);
	if (nr == SYS_setpgid || nr == SYS_setsid)
		return ids_enter(t, r);
	if (nr == SYS_fcntl || nr == SYS_ioctl)
		return fd_enter(t, r);
	if (nr == SYS_rt_sigtimedwait)
		return sigwait_enter(t, r);
	if (nr == SYS_clock_gettime || nr == SYS_clock_settime || nr == SYS_clock_getres ||
	    nr == SYS_clock_nanosleep || nr == SYS_timer_create)
		return clock_enter(t, r);
	return pidcall_enter(t, r);
}
