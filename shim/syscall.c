/* syscall.c — syscall(): pid-related numbers go through the wrappers, the rest pass untouched; the shim's raw system call. */
#include "shim.h"
#include "vgquiet.h"
#include "../core/rawcall.h"

#include <sys/mman.h>

#include <errno.h>
#include <linux/futex.h>
#include <stddef.h>
#include <sched.h>
#include <stdarg.h>
#include <string.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

/*
 * Programs (and conformance suites: LTP compares getpid() with
 * syscall(SYS_getpid)) reach the kernel through the generic entry too.
 * Every number that takes or returns a pid runs the same code as its libc
 * wrapper, and so does every path call the shim rewrites for /proc (a
 * suite checking the kernel opens /proc/<pid>/stat this way); every other number is passed on with its six arguments as they
 * came.  Results follow syscall(2): -1 with errno on failure.
 *
 * clone / clone3 / fork / vfork become our fork (bookkeeping: a vpid, the
 * child's identity) when they create a plain process returning on the
 * caller's stack: no CLONE_VM, CLONE_THREAD, CLONE_PARENT, CLONE_SETTLS,
 * CLONE_SIGHAND, no namespace flag but CLONE_NEWPID, no child stack; any
 * exit signal (the kernel sends it and applies __WCLONE/__WALL to the
 * waits, as natively; the supervisor learns exits from pidfds, never from
 * SIGCHLD).  The system call itself stays the program's (same flags, same
 * pointers); the CLONE_*_SETTID words the kernel wrote with the real id
 * are then written again with the vpid (the parent's after the call
 * returns, the child's in the child before it returns to the program).
 * Anything else (threads, vfork-style clones on a new stack, namespaces)
 * passes through; such a child registers lazily (HELLO) on its first call
 * that needs the supervisor.
 */

SHIM_FORK_TEXT long shim_raw_syscall(long nr, long a1, long a2, long a3, long a4, long a5, long a6)
{
#if RAWCALL_NATIVE
	return rawcall6(nr, a1, a2, a3, a4, a5, a6);
#else
	/* Elsewhere: libc's entry (resolved by shim_init, which every path
	 * runs before its first system call). */
	int saved = errno;
	long r;

	shim_init();
	r = REAL(syscall)(nr, a1, a2, a3, a4, a5, a6);
	if (r == -1) {
		r = -errno;
		shim_errno_keep(saved);
	}
	return r;
#endif
}

/* A kernel-style result (-errno) as syscall(2) returns it. */
static long sys_result(long r)
{
	if (r < 0 && r > -4096) {
		errno = (int)-r;
		return -1;
	}
	return r;
}

/* ---- fork-like clones ------------------------------------------------------ */

#define CLONE_ARGS_VER0 64 /* clone3: size of the first struct clone_args */
#define CLONE_ARGS_VER1 80 /* ... with set_tid, set_tid_size */
#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x1000
#endif
/* Namespaces that keep the child in ours pid-wise. */
#define CLONE_OTHER_NS (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | \
			CLONE_NEWCGROUP | CLONE_NEWUSER)

#ifndef CLONE_CLEAR_SIGHAND
#define CLONE_CLEAR_SIGHAND 0x100000000ULL
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

/* Flags that keep a clone a plain fork (besides the exit signal).
 * CLONE_NEWPID too (LTP clone301): the parent gets the child's vpid and
 * waits for it by that number; the child, first of its own pid namespace,
 * leaves the tree in the fork wrapper (nest.c: getppid() is 0) and sees
 * the kernel's ids there (getpid() is 1).  The other namespaces (mount,
 * uts, ipc, net, cgroup, user) leave the child in our pid namespace, so
 * it stays in the tree: its parent waits for it by vpid (LTP setns02).
 * A child that cannot reach the supervisor from there (a mount
 * namespace without the run directory) goes offline on its own. */
#define FORKLIKE_FLAGS                                                                    \
	((uint64_t)CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | CLONE_PARENT_SETTID |      \
	 CLONE_PIDFD | CLONE_FILES | CLONE_FS | CLONE_SYSVSEM | CLONE_IO | CLONE_UNTRACED | \
	 CLONE_PTRACE | CLONE_CLEAR_SIGHAND | CLONE_INTO_CGROUP | CLONE_NEWPID |           \
	 CLONE_OTHER_NS)

/* The layout of the kernel's struct clone_args (fixed ABI, 8-byte fields). */
struct sys_clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
	uint64_t set_tid, set_tid_size, cgroup;
};

/* The system call our fork wrapper makes instead of libc's fork: set just
 * before shim_fork, read by clone_real in the same thread. */
struct clone_call {
	long nr;
	long a[6];
};
static SHIM_TLS struct clone_call clone_cur;

static pid_t clone_real(void)
{
	const struct clone_call *c = &clone_cur;
	long r = shim_raw_syscall(c->nr, c->a[0], c->a[1], c->a[2], c->a[3], c->a[4], c->a[5]);

	return (pid_t)sys_result(r);
}

/* Whether the page holding addr is one we can read, without reading it.
 * A private FUTEX_CMP_REQUEUE that wakes and moves no waiter (both counts
 * 0, from and to the same word) reads the word at the page's start
 * (get_user, no lookup of the page for writing) and answers EFAULT for a
 * page a read would fault on (unmapped, PROT_NONE, past the end of its
 * file); else EAGAIN, the word not being the odd value we name, or 0 if
 * it is -- no waiter of the program's is touched either way (the kernel
 * stops before its first: moved - woken >= 0).  It costs about 0.25 µs,
 * where process_vm_readv on ourselves costs 0.9 µs and a getpid to name
 * us -- per page of every path, argv and environment the shim reads.  A
 * FUTEX_WAIT with a zero timeout (until session 24) reads the word as
 * well but arms and cancels a timer: 0.33 µs.  Not a
 * shared FUTEX_WAKE: its key lookup asks for the page writable first,
 * which in a fork child copies each page it probes (the environment of a
 * shell's child about to exec: four copies).  An odd mapping (VM_IO,
 * execute-only) may answer EFAULT though a read would work: a false "no"
 * only sends the caller to its fallback, the real call.  futex refused
 * otherwise (a seccomp filter): ask process_vm_readv. */
bool shim_page_readable(const void *addr)
{
	uintptr_t page = (uintptr_t)addr & ~(uintptr_t)4095;
	SHIM_PROBE_QUIET();
	/* futex(uaddr, op, nr_wake, nr_requeue (the timeout's slot), uaddr2, cmpval) */
	long r = shim_raw_syscall(SYS_futex, (long)page, FUTEX_CMP_REQUEUE | FUTEX_PRIVATE_FLAG, 0, 0,
				  (long)page, (long)0x9e3779b9u);
	char byte;
	struct iovec local = { &byte, 1 }, remote = { (void *)page, 1 };

	if (r != 0 && r != -EAGAIN && r != -EFAULT)
		r = shim_raw_syscall(SYS_process_vm_readv, shim_sys_getpid(), (long)&local, 1,
				     (long)&remote, 1, 0) == 1 ? 0 : -EFAULT;
	SHIM_PROBE_LOUD();
	return r != -EFAULT;
}

/* Copy n bytes of our own memory that the program handed us, without
 * faulting on a bad pointer (the kernel would answer EFAULT: so may we). */
bool shim_peek(void *dst, const void *src, size_t n)
{
	uintptr_t a = (uintptr_t)src;

	if (n == 0)
		return true;
	if (a + n < a)
		return false;
	for (uintptr_t p = a & ~(uintptr_t)4095; p < a + n; p += 4096)
		if (!shim_page_readable((const void *)p))
			return false;
	memcpy(dst, src, n);
	return true;
}

/* Whether the page holding addr is one we may write, without writing
 * anything.  A private FUTEX_WAKE_OP adds 0 to the word at the page's
 * start, atomically (a concurrent writer loses nothing): the kernel
 * faults the page in writable, copying it if a fork shares it, as the
 * store that follows would, and answers EFAULT for a page a write would
 * fault on (unmapped, read-only, PROT_NONE).  It wakes nobody.  0.2 µs,
 * where process_vm_writev on ourselves costs 1.5 µs with the getpid that
 * names us -- on every wait that reports a status.  -1: futex refused
 * (a seccomp filter), and shim_poke lets process_vm_writev write. */
static int page_writable(void *addr)
{
	uintptr_t page = (uintptr_t)addr & ~(uintptr_t)4095;
	SHIM_PROBE_QUIET();
	long r = shim_raw_syscall(SYS_futex, (long)page, FUTEX_WAKE_OP | FUTEX_PRIVATE_FLAG, 0, 0,
				  (long)page, FUTEX_OP(FUTEX_OP_ADD, 0, FUTEX_OP_CMP_EQ, 0));
	SHIM_PROBE_LOUD();

	if (r >= 0 || r == -EFAULT)
		return r >= 0;
	return -1; /* no answer */
}

/* The other way: write n bytes where the program asked for a result (a
 * wait status, a siginfo); false, having written nothing, when the kernel
 * would have answered EFAULT there.  Each page is proven writable first
 * (page_writable), then written directly; as with shim_peek, a page the
 * program unmaps from another thread meanwhile is its own race. */
bool shim_poke(void *dst, const void *src, size_t n)
{
	uintptr_t a = (uintptr_t)dst;
	bool asked = true;

	if (n == 0)
		return true;
	if (a + n < a)
		return false;
	for (uintptr_t p = a & ~(uintptr_t)4095; p < a + n && asked; p += 4096) {
		int w = page_writable((void *)p);
		if (w == 0)
			return false;
		asked = w > 0;
	}
	if (asked) {
		memcpy(dst, src, n);
		return true;
	}
	struct iovec local = { (void *)(uintptr_t)src, n }, remote = { dst, n };
	long r = shim_raw_syscall(SYS_process_vm_writev, shim_sys_getpid(), (long)&local, 1,
				  (long)&remote, 1, 0);

	return r == (long)n;
}

static bool forklike(uint64_t flags, uint64_t exit_signal, uint64_t stack)
{
	/* An invalid exit signal is the kernel's EINVAL (clone3), or its
	 * business (clone masks it to CSIGNAL): not ours to judge. */
	return (flags & ~FORKLIKE_FLAGS) == 0 && exit_signal < _NSIG && stack == 0;
}

/* A *_SETTID word the kernel wrote with the real id gets the vpid: skipped
 * where the kernel's own write failed (it ignores that as well). */
static void settid(uint64_t flags, uint64_t want, uint64_t word, pid_t id)
{
	if ((flags & want) && word != 0)
		shim_poke((void *)(uintptr_t)word, &id, sizeof(id));
}

/* clone(flags, stack, ...) or clone3(args, size): our fork when fork-like;
 * 1 = not ours, pass it through. */
static long clone_any(long nr, const long a[6])
{
	uint64_t flags, sig, stack, ptid, ctid;
	long r;

	if (nr == SYS_clone) {
		flags = (uint64_t)a[0] & ~(uint64_t)CSIGNAL;
		sig = (uint64_t)a[0] & CSIGNAL;
		stack = (uint64_t)a[1];
		/* flags, stack, parent_tid, child_tid, tls (x86-64, aarch64) */
		ptid = (uint64_t)a[2];
		ctid = (uint64_t)a[3];
	} else {
		struct sys_clone_args ca;
		size_t size = (size_t)a[1];

		memset(&ca, 0, sizeof(ca));
		if (a[0] == 0 || size < CLONE_ARGS_VER0 ||
		    !shim_peek(&ca, (const void *)a[0], size < sizeof(ca) ? size : sizeof(ca)))
			return 1;
		if (size >= CLONE_ARGS_VER1 && ca.set_tid_size != 0)
			return 1; /* chosen real pids: not a plain fork */
		flags = ca.flags;
		sig = ca.exit_signal;
		stack = ca.stack | ca.stack_size;
		ptid = ca.parent_tid;
		ctid = ca.child_tid;
	}
	if (!forklike(flags, sig, stack))
		return 1;
	clone_cur.nr = nr;
	memcpy(clone_cur.a, a, sizeof(clone_cur.a));
	/* glibc's own tid word keeps the kernel's value (clone.c) */
	pid_t *glibc_tid = (flags & CLONE_CHILD_SETTID) ? shim_tcb_tid_word() : NULL;
	r = shim_fork(clone_real);
	if (r > 0)
		settid(flags, CLONE_PARENT_SETTID, ptid, (pid_t)r);
	else if (r == 0 && !(glibc_tid != NULL && (uint64_t)(uintptr_t)glibc_tid == ctid))
		settid(flags, CLONE_CHILD_SETTID, ctid, shim_self_vpid());
	return r;
}

/* ---- pid arguments ------------------------------------------------------------ */

/* Translate argument `i` (a pid or thread id) and make the call. */
static long with_pid_arg(long nr, long a[6], int i)
{
	a[i] = shim_xlate_tid((pid_t)a[i]);
	return sys_result(shim_raw_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]));
}

static long waitid_raw(long a[6])
{
	siginfo_t si;
	int rc = shim_waitid((idtype_t)a[0], (id_t)a[1], a[2] ? &si : NULL, (int)a[3]);

	if (rc < 0) {
		/* As waitid: the kernel writes *info on errors too. */
		char zero[offsetof(siginfo_t, si_status) + sizeof(int)] = { 0 };
		if (a[2] && !shim_poke((void *)a[2], zero, sizeof(zero)))
			return sys_result(-EFAULT);
		return -1;
	}
	if (a[2] && !shim_poke((void *)a[2], &si, sizeof(si)))
		return sys_result(-EFAULT);
	/* The wrapper cannot report the child's rusage (glibc's waitid never
	 * asks for it): zeroes, never another process's numbers. */
	if (a[4]) {
		struct rusage zero;
		memset(&zero, 0, sizeof(zero));
		if (!shim_poke((void *)a[4], &zero, sizeof(zero)))
			return sys_result(-EFAULT);
	}
	return 0;
}

/* The numbers we route; 1 = not one of them (pass through). */
static long route(long nr, long a[6], bool *done)
{
	*done = true;
	switch (nr) {
	case SYS_getpid:
		return shim_self_vpid();
	case SYS_getppid:
		return shim_getppid();
	/* The exec wrappers: the new image keeps the shim and its identity
	 * even when the environment passed leaves them out. */
	case SYS_execve:
		return shim_execve((const char *)a[0], (char *const *)a[1], (char *const *)a[2]);
	case SYS_chroot: { /* the supervisor kept within reach (chroot.c) */
		long rc = shim_sys_chroot((const char *)a[0]);
		if (rc < 0) {
			errno = (int)-rc;
			return -1;
		}
		return rc;
	}
	case SYS_prlimit64: /* a finite RLIMIT_AS of oneself (rlimit.c) */
		return shim_sys_prlimit64((pid_t)a[0], (int)a[1], (const void *)a[2], (void *)a[3]);
	case SYS_setrlimit:
		return shim_sys_setrlimit((int)a[0], (const void *)a[1]);
	case SYS_mlockall:
		return mlockall((int)a[0]);
	case SYS_munlockall:
		return munlockall();
	case SYS_execveat:
		return shim_execveat((int)a[0], (const char *)a[1], (char *const *)a[2],
				     (char *const *)a[3], (int)a[4]);
	case SYS_gettid:
		return shim_gettid();
#ifdef SYS_getpgrp
	case SYS_getpgrp:
		return shim_getpgid(0);
#endif
	case SYS_getpgid:
		return shim_getpgid((pid_t)a[0]);
	case SYS_setpgid:
		return shim_setpgid((pid_t)a[0], (pid_t)a[1]);
	case SYS_getsid:
		return shim_getsid((pid_t)a[0]);
	case SYS_setsid:
		return shim_setsid();
	case SYS_kill:
		return shim_kill((pid_t)a[0], (int)a[1]);
	case SYS_tkill: {
		/* A debugger stops its tracees' threads by the ids it was shown. */
		pid_t tr = shim_ptrace_shown2r((pid_t)a[0]);
		if (tr > 0) {
			a[0] = tr;
			return sys_result(shim_raw_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]));
		}
		/* vpid 1 is the supervisor: checked, never sent (initsig.c). */
		pid_t r = shim_xlate_tid((pid_t)a[0]);
		if (r > 0 && r == shim_conn_peer())
			return sys_result(shim_init_tgsend(SHIM_TG_KILL, true, a[1], NULL));
		return with_pid_arg(nr, a, 0);
	}
	case SYS_ptrace:
		return shim_ptrace((int)a[0], (pid_t)a[1], (void *)a[2], (void *)a[3]);
	case SYS_tgkill:
		return sys_result(shim_sys_tgsend(SHIM_TG_KILL, a[0], a[1], a[2], NULL));
	case SYS_pidfd_send_signal: /* vpid 1's pidfd: checked, never sent (pidfd.c) */
		return sys_result(shim_sys_pidfd_send_signal(a[0], a[1], (void *)a[2], a[3]));
	case SYS_rt_sigqueueinfo:
		return sys_result(shim_sys_tgsend(SHIM_TG_QUEUE, a[0], 0, a[1], (void *)a[2]));
	case SYS_rt_tgsigqueueinfo:
		return sys_result(shim_sys_tgsend(SHIM_TG_TGQUEUE, a[0], a[1], a[2], (void *)a[3]));
	case SYS_wait4: {
		pid_t r = shim_wait4((pid_t)a[0], (int *)a[1], (int)a[2], (struct rusage *)a[3]);
		return sys_result(r);
	}
	case SYS_waitid:
		return waitid_raw(a);
	case SYS_getpriority:
		return sys_result(shim_sys_priority(false, a[0], a[1], 0));
	case SYS_setpriority:
		return sys_result(shim_sys_priority(true, a[0], a[1], a[2]));
	case SYS_capget:
	case SYS_capset:
		return sys_result(shim_sys_cap(nr, (void *)a[0], (void *)a[1]));
	case SYS_ioprio_get:
		return sys_result(shim_sys_ioprio(false, a[0], a[1], 0));
	case SYS_ioprio_set:
		return sys_result(shim_sys_ioprio(true, a[0], a[1], a[2]));
	case SYS_prctl:
		return shim_prctl((int)a[0], (unsigned long)a[1], (unsigned long)a[2],
				  (unsigned long)a[3], (unsigned long)a[4]);
	case SYS_sched_setaffinity:
	case SYS_sched_getaffinity:
	case SYS_sched_setscheduler:
	case SYS_sched_getscheduler:
	case SYS_sched_setparam:
	case SYS_sched_getparam:
	case SYS_sched_setattr:
	case SYS_sched_getattr:
	case SYS_sched_rr_get_interval:
	case SYS_process_vm_readv:
	case SYS_process_vm_writev:
	case SYS_pidfd_open:
	case SYS_get_robust_list:
	case SYS_migrate_pages:
	case SYS_move_pages:
		return with_pid_arg(nr, a, 0);
	case SYS_perf_event_open:
		return with_pid_arg(nr, a, 1);
	case SYS_fcntl: /* F_SETOWN & co. (fdowner.c) */
		return sys_result(shim_sys_fcntl((int)a[0], (int)a[1], a[2]));
	case SYS_timer_create: /* SIGEV_THREAD_ID (clocks.c) */
		return sys_result(shim_sys_timer_create(a[0], (const void *)a[1], (void *)a[2]));
	case SYS_rt_sigtimedwait: { /* si_pid virtual, as sigtimedwait's (sig.c) */
		long r = shim_raw_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
		if (r > 0 && a[1] != 0)
			shim_sig_translate((siginfo_t *)a[1]);
		return sys_result(r);
	}
	case SYS_msgctl: /* the status's pids (sysvipc.c) */
	case SYS_shmctl:
	case SYS_semctl:
		return sys_result(shim_sys_ipcctl(nr, a[0], a[1], a[2], a[3]));
	/* The path calls the shim rewrites for /proc (paths.c, realpath.c):
	 * the same wrappers as libc's entries, which keep the kernel's
	 * errors and return -1 with errno as syscall(2) does.  Each is the
	 * libc call the kernel's number does: faccessat without flags (the
	 * system call has none), a cwd through raw_getcwd. */
#ifdef SYS_open
	case SYS_open:
		return open((const char *)a[0], (int)a[1], (mode_t)a[2]);
#endif
	case SYS_openat:
		return openat((int)a[0], (const char *)a[1], (int)a[2], (mode_t)a[3]);
#ifdef SYS_creat
	case SYS_creat:
		return creat((const char *)a[0], (mode_t)a[1]);
#endif
#ifdef SYS_openat2
	case SYS_openat2:
		return sys_result(shim_sys_openat2((int)a[0], (const char *)a[1], (const void *)a[2],
						   (size_t)a[3]));
#endif
#ifdef SYS_stat
	case SYS_stat:
		return stat((const char *)a[0], (struct stat *)a[1]);
#endif
#ifdef SYS_lstat
	case SYS_lstat:
		return lstat((const char *)a[0], (struct stat *)a[1]);
#endif
#ifdef SYS_newfstatat
	case SYS_newfstatat:
		return fstatat((int)a[0], (const char *)a[1], (struct stat *)a[2], (int)a[3]);
#endif
	case SYS_statx:
		return statx((int)a[0], (const char *)a[1], (int)a[2], (unsigned int)a[3],
			     (struct statx *)a[4]);
#ifdef SYS_access
	case SYS_access:
		return access((const char *)a[0], (int)a[1]);
#endif
	case SYS_faccessat:
		return faccessat((int)a[0], (const char *)a[1], (int)a[2], 0);
#ifdef SYS_faccessat2
	case SYS_faccessat2:
		return faccessat((int)a[0], (const char *)a[1], (int)a[2], (int)a[3]);
#endif
	case SYS_chdir:
		return chdir((const char *)a[0]);
	case SYS_fchdir:
		return fchdir((int)a[0]);
#ifdef SYS_readlink
	case SYS_readlink:
		return readlink((const char *)a[0], (char *)a[1], (size_t)a[2]);
#endif
	case SYS_readlinkat:
		return readlinkat((int)a[0], (const char *)a[1], (char *)a[2], (size_t)a[3]);
	case SYS_getcwd:
		return sys_result(shim_sys_getcwd((char *)a[0], (size_t)a[1]));
	case SYS_acct: /* the file remembered, its records' pids (acct.c) */
		return sys_result(shim_sys_acct((const char *)a[0]));
	case SYS_read: /* a signalfd's or fanotify's pids (pidread.c) */
		return sys_result(shim_pidread_sys((int)a[0], (void *)a[1], (size_t)a[2]));
	case SYS_write: /* a pid into a cgroup pid file (cgwrite.c) */
		return sys_result(shim_cgwrite_sys((int)a[0], (const void *)a[1], (size_t)a[2]));
	case SYS_signalfd4:
#ifdef SYS_signalfd
	case SYS_signalfd:
#endif
	case SYS_fanotify_init: {
		long r = shim_raw_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
		if (r >= 0)
			shim_pidread_mark((int)r);
		return sys_result(r);
	}
	case SYS_dup:
#ifdef SYS_dup2
	case SYS_dup2:
#endif
	case SYS_dup3: {
		long r = shim_raw_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
		if (r >= 0 && r != a[0])
			shim_pidread_dup((int)a[0], (int)r);
		return sys_result(r);
	}
	case SYS_seccomp: {
		/* The program's own filter or strict mode: real calls from now
		 * on (self.c, shim_self_sandboxed). */
		if (a[0] == SECCOMP_SET_MODE_STRICT || a[0] == SECCOMP_SET_MODE_FILTER)
			shim_self_sandboxing();
		long r = shim_raw_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
		if (r >= 0 && (a[0] == SECCOMP_SET_MODE_STRICT || a[0] == SECCOMP_SET_MODE_FILTER) &&
		    shim_mode() != SHIM_MODE_NONE)
			shim_self_sandboxed();
		return sys_result(r);
	}
	case SYS_set_tid_address: {
		/* The caller's thread id: its vpid for the main thread, as
		 * gettid (thread.c).  Never fails. */
		long r = shim_raw_syscall(nr, a[0], 0, 0, 0, 0, 0);
		return r < 0 ? sys_result(r) : shim_gettid();
	}
	case SYS_kcmp:
		a[0] = shim_xlate_tid((pid_t)a[0]);
		return with_pid_arg(nr, a, 1);
	case SYS_clone:
	case SYS_clone3: {
		long r = clone_any(nr, a);
		if (r != 1)
			return r;
		break;
	}
#ifdef SYS_fork
	case SYS_fork:
	case SYS_vfork: /* the caller's stack frame would be shared: a fork is safer */
		clone_cur.nr = SYS_fork;
		memset(clone_cur.a, 0, sizeof(clone_cur.a));
		return shim_fork(clone_real);
#endif
	default:
		break;
	}
	*done = false;
	return 0;
}

SHIM_EXPORT long syscall(long nr, ...)
{
	long a[6], r;
	bool done;
	va_list ap;

	/* Six arguments, as the kernel takes them: whatever the caller passed
	 * (reading unused slots is what libc's own syscall does too). */
	va_start(ap, nr);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	shim_init();
	if (nr == SYS_brk) /* a break libc's __curbrk does not follow (uaccess.c) */
		shim_uaccess_heap_off();
	if (shim_mode() != SHIM_MODE_NONE) { /* offline and nested: each wrapper knows */
		r = route(nr, a, &done);
		if (done)
			return r;
	}
	return REAL(syscall)(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}
