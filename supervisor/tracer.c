/* tracer.c — the tracer process: fork and wait of filtered images rewritten to virtual ids (ptrace). */
#include "tracer.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/perf_event.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/ptrace.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <unistd.h>

/*
 * A seccomp user notification answers a call with a value; it cannot
 * change the caller's registers.  fork, vfork, clone (without
 * CLONE_THREAD), clone3, wait4 and waitid from a filtered image's own code
 * need exactly that (the parent must see the child's vpid, wait must take
 * and return vpids), so the filter sends them to a tracer
 * (SECCOMP_RET_TRACE): this process, forked by the supervisor when the
 * first image is filtered, which seizes each filtered image before its
 * exec (TRC_SEIZE) and follows its children by the fork options.
 *
 *   - fork family: at the fork event the child's rpid is known
 *     (PTRACE_GETEVENTMSG); the supervisor numbers it as a preloaded
 *     fork would (TRC_FORK: FORK + BIND for the parent), before the child
 *     runs (it waits in its first stop until then); at the parent's
 *     syscall-exit stop the return register becomes the vpid.
 *   - wait4/waitid: the pid argument is translated at the seccomp stop
 *     (TRC_SELECT: the engine's selection of vpid, 0, -pgid), the result
 *     at the syscall-exit stop (return value, waitid's si_pid in the
 *     caller's memory), and the supervisor hears of the reap or the
 *     state change (TRC_DONE) before the caller runs on.
 *   - setpgid, setsid: the engine's operation first (TRC_SETPGID,
 *     TRC_SETSID), as the shim's own; then the real call runs as its
 *     mirror, with the arguments rewritten to real ids (the target's
 *     rpid, the group's real mirror), so that real groups and sessions
 *     follow the virtual ones for these images too (terminal job control,
 *     the kernel's orphan rule, group waits).  The caller gets the
 *     engine's answer; the mirror's own errors are not the program's.
 *   - calls that take a pid (sched_*, priorities, prlimit, process_vm_*,
 *     kcmp, ...; prctl's PR_SET_PTRACER; capget/capset, whose pid is in
 *     the caller's memory): the id is translated at the seccomp stop
 *     (TRC_XLATE, the shim's rule) and put back at the exit; the
 *     kernel's answer stays, errno and all.
 *     prctl(PR_SET_CHILD_SUBREAPER) runs for real, then the engine
 *     follows (TRC_SUBREAPER), as in shim/prctl.c.
 * Every other stop is handed back as the kernel made it: signals are
 * re-injected, group-stops are left stopped with PTRACE_LISTEN (job
 * control and the real parent's WUNTRACED wait behave as natively).
 * Children forked by code that is not filtered (a preloaded descendant's
 * libc, whose shim numbers them itself) are detached at their first stop.
 * No PTRACE_O_EXITKILL: if the tracer dies, the kernel detaches its
 * tracees, which run on; their traced calls then fail with ENOSYS (the
 * kernel's answer to SECCOMP_RET_TRACE without a tracer), never with a
 * real pid where a virtual one belongs.
 */

enum disp { D_UNKNOWN, D_KEEP, D_DETACH };

struct tt {
	pid_t tid;
	bool started;        /* its first stop seen (or seized) */
	enum disp disp;      /* what its first stop does */
	long nr;             /* the traced call it is in, -1 none */
	int32_t vchild;      /* fork: the child's vpid */
	pid_t child;         /* fork: the child's rpid */
	unsigned long addr;  /* wait4 status / waitid siginfo */
	bool nowait;
	long ret;            /* setpgid/setsid: the engine's answer */
	bool subreaper;      /* prctl(PR_SET_CHILD_SUBREAPER): tell the engine if it succeeds */
	unsigned long cap_addr; /* capget/capset: the header's pid word we rewrote, 0 none */
	int32_t cap_pid;     /* ... and the caller's value, put back at the exit */
	struct user_regs_struct orig; /* registers at the seccomp stop */
	bool restore;        /* argument registers changed: put them back */
};

/* Entries are allocated one by one: a pointer stays valid while the
 * table grows (a SEIZE may arrive during any question we ask). */
static struct tt **tab;
static size_t ntab, captab;
static int sfd = -1; /* the supervisor */

#define OPTS                                                                                 \
	(PTRACE_O_TRACESECCOMP | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE | \
	 PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEEXEC)

static struct tt *find(pid_t tid)
{
	for (size_t i = 0; i < ntab; i++)
		if (tab[i]->tid == tid)
			return tab[i];
	return NULL;
}

static struct tt *add(pid_t tid)
{
	struct tt *t = find(tid);

	if (t)
		return t;
	if (ntab == captab) {
		size_t cap = captab ? captab * 2 : 64;
		struct tt **m = realloc(tab, cap * sizeof(*m));
		if (m == NULL)
			return NULL;
		tab = m;
		captab = cap;
	}
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	tab[ntab++] = t;
	t->tid = tid;
	t->nr = -1;
	return t;
}

static void del(pid_t tid)
{
	for (size_t i = 0; i < ntab; i++) {
		if (tab[i]->tid == tid) {
			free(tab[i]);
			tab[i] = tab[--ntab];
			return;
		}
	}
}

/* ---- the supervisor ----------------------------------------------------- */

static void on_seize(const struct trc_msg *q);

static void send_msg(struct trc_msg *m)
{
	while (send(sfd, m, sizeof(*m), MSG_NOSIGNAL) < 0 && errno == EINTR)
		;
}

/* Ask, and wait for the answer (answering a SEIZE that crosses it). */
static int ask(int op, pid_t tid, int32_t a, int32_t b, int32_t c, struct trc_msg *r)
{
	struct trc_msg q = {.op = op, .tid = tid, .a = a, .b = b, .c = c};

	send_msg(&q);
	for (;;) {
		ssize_t n = recv(sfd, r, sizeof(*r), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n != (ssize_t)sizeof(*r))
			_exit(0); /* the supervisor is gone: so are we (tracees detach) */
		if (r->op == TRC_REPLY)
			return r->err;
		if (r->op == TRC_SEIZE)
			on_seize(r);
	}
}

static void on_seize(const struct trc_msg *q)
{
	struct trc_msg r = {.op = TRC_REPLY};
	struct tt *t = find(q->a);

	/* Already ours (a traced process exec'ing another filtered image). */
	if (t == NULL) {
		if (ptrace(PTRACE_SEIZE, q->a, 0, (void *)(long)OPTS) < 0) {
			r.err = -errno;
		} else if ((t = add(q->a)) == NULL) {
			ptrace(PTRACE_DETACH, q->a, 0, 0);
			r.err = -ENOMEM;
		} else {
			t->started = true;
			t->disp = D_KEEP;
		}
	}
	send_msg(&r);
}

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
static int translate(pid_t tid, int32_t sel, int32_t opts, int *kind, long *id)
{
	struct trc_msg r, all;
	int rc = ask(TRC_SELECT, tid, sel, opts, 0, &r);
	long pg = -1;

	if (rc < 0)
		return rc;
	if (sel > 0 || r.n == 2) {
		if (r.n < 2 || r.v[1] <= 0)
			return -ECHILD;
		*kind = 1;
		*id = r.v[1];
		return 0;
	}
	if (r.n >= TRC_NV || ask(TRC_ALL, tid, -1, 0, 0, &all) < 0 || all.n >= TRC_NV)
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
static bool wait_enter(struct tt *t, struct user_regs_struct *r)
{
	int kind = 0;
	long id = -1;
	int rc = 0;

	if (r->orig_rax == SYS_wait4) {
		int32_t pid = (int32_t)r->rdi;
		int opts = (int)r->rdx;
		if (opts & ~WAIT4_OPTS)
			return skip(t->tid, r, -EINVAL), false;
		if (pid == INT_MIN)
			return skip(t->tid, r, -ESRCH), false;
		if (pid != -1)
			rc = translate(t->tid, pid, opts & (WNOHANG | WUNTRACED | WCONTINUED), &kind, &id);
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
			rc = translate(t->tid, idtype == P_PID ? v : -v,
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
static bool ids_enter(struct tt *t, struct user_regs_struct *r)
{
	struct trc_msg m;
	int rc;

	if (r->orig_rax == SYS_setsid) {
		rc = ask(TRC_SETSID, t->tid, 0, 0, 0, &m);
		if (rc < 0)
			return skip(t->tid, r, rc), false;
		t->ret = m.v[0];
		return true;
	}
	rc = ask(TRC_SETPGID, t->tid, (int32_t)r->rdi, (int32_t)r->rsi, 0, &m);
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

/* capget/capset: the pid is in the caller's header (struct
 * __user_cap_header_struct: version, then pid), rewritten in place and
 * put back at the exit (true: there is something to put back). */
static bool cap_enter(struct tt *t, const struct user_regs_struct *r)
{
	unsigned long addr = (unsigned long)r->rdi + 4;
	struct trc_msg m;
	int32_t id;

	if (r->rdi == 0 || !peek32(t->tid, addr, &id) || id <= 0 ||
	    ask(TRC_XLATE, t->tid, id, 0, 0, &m) < 0 || m.v[0] == id)
		return false; /* a bad pointer is the kernel's EFAULT */
	if (!poke32(t->tid, addr, m.v[0]))
		return false;
	t->cap_addr = addr;
	t->cap_pid = id;
	return true;
}

/* A pid-taking call at its seccomp stop: its ids made real (true: the
 * registers are to be put back at the exit). */
static bool pidcall_enter(struct tt *t, struct user_regs_struct *r)
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
		if (id <= 0 || ask(TRC_XLATE, t->tid, id, kind[i], 0, &m) < 0)
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

static bool is_fork_nr(long nr)
{
	return nr == SYS_fork || nr == SYS_vfork || nr == SYS_clone || nr == SYS_clone3;
}

/* At the syscall-exit stop of a traced call. */
static void call_exit(struct tt *t)
{
	struct user_regs_struct r;
	long ret;

	if (ptrace(PTRACE_GETREGS, t->tid, 0, &r) < 0)
		return;
	ret = (long)r.rax;
	if (t->nr == SYS_wait4 && ret > 0) {
		int32_t st = 0;
		struct trc_msg m;
		peek32(t->tid, t->addr, &st);
		ask(TRC_DONE, t->tid, (int32_t)ret, st, 0, &m);
		if (m.v[0] > 0)
			r.rax = (unsigned long long)m.v[0];
	} else if (t->nr == SYS_waitid && ret == 0) {
		int32_t code = 0, pid = 0, st = 0;
		struct trc_msg m;
		if (peek32(t->tid, t->addr + 8, &code) && peek32(t->tid, t->addr + 16, &pid) &&
		    peek32(t->tid, t->addr + 24, &st) && pid > 0) {
			ask(TRC_DONE, t->tid, pid, wait_status_of(code, st), t->nowait, &m);
			if (m.v[0] > 0)
				poke32(t->tid, t->addr + 16, m.v[0]);
		}
	} else if (t->nr == SYS_setpgid || t->nr == SYS_setsid) {
		/* The engine's answer; a failed mirror is not the program's
		 * error (as in shim/ids.c). */
		r.rax = (unsigned long long)t->ret;
	} else if (t->subreaper) {
		struct trc_msg m;
		if (ret == 0)
			ask(TRC_SUBREAPER, t->tid, t->orig.rsi != 0, 0, 0, &m);
	} else if (is_fork_nr(t->nr) && ret > 0) {
		/* fork family: the child's vpid; unnumbered, it must not live
		 * with a real pid its parent would take for a virtual one. */
		if (t->vchild > 0) {
			r.rax = (unsigned long long)t->vchild;
		} else {
			kill((pid_t)ret, SIGKILL);
			r.rax = (unsigned long long)-EAGAIN;
		}
	}
	if (t->cap_addr) {
		poke32(t->tid, t->cap_addr, t->cap_pid);
		t->cap_addr = 0;
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

/* ---- stops ------------------------------------------------------------ */

static void on_seccomp(struct tt *t)
{
	struct user_regs_struct r;
	long nr;

	if (ptrace(PTRACE_GETREGS, t->tid, 0, &r) < 0)
		return;
	nr = (long)r.orig_rax;
	t->orig = r;
	t->restore = false;
	t->subreaper = false;
	t->cap_addr = 0;
	t->nr = -1;
	if (is_fork_nr(nr)) {
		/* fork and vfork take no flags (rdi is whatever it was) */
		unsigned long long flags = nr == SYS_clone ? r.rdi : 0;
		if (nr == SYS_clone3) {
			errno = 0;
			flags = (unsigned long long)ptrace(PTRACE_PEEKDATA, t->tid, (void *)r.rdi, 0);
			if (errno)
				flags = 0; /* the kernel's EFAULT follows */
		}
		if (!(flags & CLONE_THREAD))
			t->nr = nr;
	} else if (nr == SYS_wait4 || nr == SYS_waitid) {
		if (wait_enter(t, &r))
			t->nr = nr;
	} else if (nr == SYS_setpgid || nr == SYS_setsid) {
		if (ids_enter(t, &r))
			t->nr = nr;
	} else if (pidcall_enter(t, &r)) {
		t->nr = nr;
	}
	ptrace(t->nr >= 0 ? PTRACE_SYSCALL : PTRACE_CONT, t->tid, 0, 0);
}

/* A new task's first stop, once its disposition is known. */
static void release(struct tt *c)
{
	if (c->disp == D_DETACH) {
		ptrace(PTRACE_DETACH, c->tid, 0, 0);
		del(c->tid);
	} else {
		ptrace(PTRACE_CONT, c->tid, 0, 0);
	}
}

static bool is_thread(pid_t tid)
{
	char path[64], buf[1024];
	ssize_t n;
	int fd;
	char *p;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	p = strstr(buf, "\nTgid:");
	return p && strtol(p + 6, NULL, 10) != tid;
}

static void on_fork_event(struct tt *t, int ev)
{
	unsigned long msg = 0;
	pid_t child;
	struct tt *c;
	pid_t ptid = t->tid;
	bool traced = t->nr >= 0;

	ptrace(PTRACE_GETEVENTMSG, ptid, 0, &msg);
	child = (pid_t)msg;
	if (child > 0 && (c = add(child)) != NULL) {
		bool thread = ev == PTRACE_EVENT_CLONE && !traced && is_thread(child);
		if (traced) {
			struct trc_msg m;
			if (ask(TRC_FORK, ptid, child, 0, 0, &m) == 0 && m.v[0] > 1)
				find(ptid)->vchild = m.v[0];
			c = find(child);
			c->disp = find(ptid)->vchild > 0 ? D_KEEP : D_DETACH;
		} else {
			c->disp = thread ? D_KEEP : D_DETACH;
		}
		if (c->started)
			release(c);
	}
	t = find(ptid);
	ptrace(t && t->nr >= 0 ? PTRACE_SYSCALL : PTRACE_CONT, ptid, 0, 0);
}

static void on_stop(pid_t tid, int status)
{
	struct tt *t = find(tid);
	int sig = WSTOPSIG(status), ev = status >> 16;

	if (t == NULL) {
		/* A new child whose parent's fork event is still to come. */
		t = add(tid);
		if (t == NULL) {
			ptrace(PTRACE_DETACH, tid, 0, 0);
			return;
		}
	}
	if (!t->started && ev == PTRACE_EVENT_STOP) {
		t->started = true;
		if (t->disp != D_UNKNOWN)
			release(t);
		return; /* parked until its parent's event says */
	}
	t->started = true;
	switch (ev) {
	case PTRACE_EVENT_SECCOMP:
		on_seccomp(t);
		return;
	case PTRACE_EVENT_FORK:
	case PTRACE_EVENT_VFORK:
	case PTRACE_EVENT_CLONE:
		on_fork_event(t, ev);
		return;
	case PTRACE_EVENT_EXEC: {
		unsigned long old = 0;
		ptrace(PTRACE_GETEVENTMSG, tid, 0, &old);
		if ((pid_t)old != tid)
			del((pid_t)old); /* a thread exec'd: it has the leader's tid now */
		t = find(tid);
		if (t)
			t->nr = -1;
		ptrace(PTRACE_CONT, tid, 0, 0);
		return;
	}
	case PTRACE_EVENT_STOP:
		if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU)
			ptrace(PTRACE_LISTEN, tid, 0, 0); /* group-stop: stays stopped */
		else
			ptrace(PTRACE_CONT, tid, 0, 0);
		return;
	}
	if (sig == (SIGTRAP | 0x80)) {
		if (t->nr >= 0)
			call_exit(t);
		ptrace(PTRACE_CONT, tid, 0, 0);
		return;
	}
	/* Signal-delivery stop: the signal goes on. */
	ptrace(PTRACE_CONT, tid, 0, (void *)(long)sig);
}

static void reap_stops(void)
{
	for (;;) {
		int status;
		pid_t tid = waitpid(-1, &status, __WALL | WNOHANG);
		if (tid <= 0)
			return;
		if (WIFEXITED(status) || WIFSIGNALED(status))
			del(tid);
		else if (WIFSTOPPED(status))
			on_stop(tid, status);
	}
}

void tracer_main(int fd)
{
	sigset_t all;
	int sigfd;

	sfd = fd;
	/* Signals from the terminal or the tree are not for us; the
	 * supervisor's end closing (or its death) ends us. */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_NAME, "jobshim-tracer");
	sigemptyset(&all);
	sigaddset(&all, SIGCHLD);
	sigfd = signalfd(-1, &all, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sigfd < 0)
		_exit(1);
	for (;;) {
		struct pollfd p[2] = {{.fd = sfd, .events = POLLIN}, {.fd = sigfd, .events = POLLIN}};
		struct signalfd_siginfo si;

		if (poll(p, 2, -1) < 0 && errno != EINTR)
			_exit(1);
		if (p[1].revents & POLLIN) {
			while (read(sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
				;
			reap_stops();
		}
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			struct trc_msg q;
			ssize_t n = recv(sfd, &q, sizeof(q), MSG_DONTWAIT);
			if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
				_exit(0);
			if (n == (ssize_t)sizeof(q) && q.op == TRC_SEIZE)
				on_seize(&q);
		}
	}
}
