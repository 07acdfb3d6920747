/* clone.c — glibc's clone(fn, stack, flags, arg, ...) making a process: a tracked fork whose child runs fn(arg). */
#include "shim.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/syscall.h>

/*
 * LTP's clone tests (and a few programs) make a child process with glibc's
 * clone(): without CLONE_VM or CLONE_THREAD.  libc's clone makes the
 * system call itself, so without this wrapper the child would be born
 * unknown to the model: clone() would return a real pid, the child's
 * getpid() its parent's vpid, waitpid(<that pid>) and waitpid(0) ECHILD.
 * Such a clone becomes our fork (shim_fork, the child numbered at fork
 * time) made with the raw clone system call and the caller's flags, then
 * the child runs fn(arg) and leaves with the exit system call and fn's
 * result, as glibc's child does (no atexit handlers, no stdio flush).
 *
 * Any exit signal (SIGCHLD, another one, 0): the kernel sends it and
 * decides which waits see the child (__WCLONE, __WALL), as natively; the
 * supervisor learns the exit from its pidfd, not from a signal.
 *
 * The *_SETTID words hold the vpid, as they hold the pid natively: the
 * kernel would write the real one, so those two flags are taken out of
 * the system call and the words written here instead -- the parent's
 * after the fork returns, the child's in the child before fn runs.  Each
 * write is skipped where the kernel's would fail (an unwritable word: the
 * kernel ignores that too).  CLONE_CHILD_CLEARTID stays the kernel's: it
 * clears a word in the child's own memory when the child exits.
 *
 * One difference: the child runs on its copy of the caller's stack, not on
 * `stack` (a fork child has its own copy of memory, so nothing else can
 * see which one it uses; a program that passes data through the top of
 * `stack` would).
 *
 * CLONE_VM (with or without CLONE_SIGHAND; LTP clone08, kcmp03, clone09):
 * a process that shares our memory, so it must run on `stack` and cannot
 * return through our frames.  The same fork bookkeeping numbers it, with
 * libc's clone as the real call; the child starts in vm_start (below),
 * whose arguments sit at the top of `stack`, enters its own identity in
 * the table self.c keeps for such children (our variables are its
 * variables), writes its *_SETTID words, puts back the caller's signal
 * mask and runs fn(arg).  What it asks the supervisor goes over our
 * connection, as ours (shim/README.md).
 *
 * CLONE_VM | CLONE_VFORK (a spawn made by hand; LTP clone05): the parent
 * sleeps until the child execs or exits, so this is our vfork -- the same
 * bookkeeping (vfork.c: the child's state in the thread's shim_vf, which
 * it shares with its sleeping parent), around libc's clone on `stack`.
 * The child starts in vfvm_start.
 *
 * Threads, CLONE_VFORK without CLONE_VM, CLONE_VM with CLONE_NEWPID,
 * CLONE_PARENT, CLONE_SETTLS and CLONE_PIDFD pass through untouched: their
 * child registers lazily, as before, and its *_SETTID words are the
 * kernel's real ids.
 */

/* Flags that keep a clone a plain fork besides its exit signal. */
#define CLONE_FORKLIKE (CLONE_FILES | CLONE_FS | CLONE_SYSVSEM | CLONE_IO | CLONE_UNTRACED | \
			CLONE_PTRACE | CLONE_NEWPID | CLONE_SETTID_WORDS | CLONE_CHILD_CLEARTID | \
			CLONE_OTHER_NS)
/* Namespaces: a CLONE_NEWPID child leaves the tree (nest.c); the others
 * keep it in our pid namespace, so it is tracked like any child (LTP
 * setns02 waits for it by the pid clone returned). */
#define CLONE_OTHER_NS (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | \
			CLONE_NEWCGROUP | CLONE_NEWUSER)
/* The words we write ourselves. */
#define CLONE_SETTID_WORDS (CLONE_PARENT_SETTID | CLONE_CHILD_SETTID)

/* Besides, for a child sharing our memory (not with CLONE_NEWPID: its
 * child checks the namespace in our fork path, which it does not run). */
#define CLONE_VMLIKE (CLONE_VM | CLONE_SIGHAND)

/* The caller's call, for clone_fork (same thread, between set and use). */
static SHIM_TLS struct {
	unsigned long flags;
	pid_t *ctid;
	/* CLONE_VM only */
	int (*fn)(void *);
	void *arg, *stack, *tls;
	pid_t *ptid;
	uint64_t mask;
} clone_cur;

/* A CLONE_VM child's start, at the top of its stack. */
struct vm_start {
	int (*fn)(void *);
	void *arg;
	pid_t *ptid, *ctid;
	unsigned long flags;
	uint64_t mask; /* the caller's signal mask (the kernel's 64 bits) */
	pid_t vpid, parent_v, parent_r;
};

/* The child: our fork path blocked every signal before the clone. */
static int vm_start(void *p)
{
	const struct vm_start *s = p;

	shim_vmkid_enter(s->vpid, s->parent_v, s->parent_r);
	if (s->flags & CLONE_PARENT_SETTID)
		shim_poke(s->ptid, &s->vpid, sizeof(s->vpid));
	if (s->flags & CLONE_CHILD_SETTID)
		shim_poke(s->ctid, &s->vpid, sizeof(s->vpid));
	shim_raw_syscall(SYS_rt_sigprocmask, SIG_SETMASK, (long)&s->mask, 0, sizeof(s->mask), 0, 0);
	return s->fn(s->arg);
}

/* A CLONE_VM | CLONE_VFORK child's start: its vfork state (the caller's
 * mask back), then its words, as vm_start. */
static int vfvm_start(void *p)
{
	const struct vm_start *s = p;

	shim_vfork_post(0);
	if (s->vpid > 0 && (s->flags & CLONE_PARENT_SETTID))
		shim_poke(s->ptid, &s->vpid, sizeof(s->vpid));
	if (s->vpid > 0 && (s->flags & CLONE_CHILD_SETTID))
		shim_poke(s->ctid, &s->vpid, sizeof(s->vpid));
	return s->fn(s->arg);
}

static struct vm_start *vm_start_at(void *stack)
{
	return (struct vm_start *)(((uintptr_t)stack - sizeof(struct vm_start)) & ~(uintptr_t)15);
}

static pid_t clone_vfork_vm(int (*fn)(void *), void *stack, int flags, void *arg, pid_t *ptid, void *tls,
			    pid_t *ctid)
{
	int rc = shim_vfork_pre();

	if (rc == 1)
		return REAL(clone)(fn, stack, flags, arg, ptid, tls, ctid);
	if (rc < 0)
		return -1;
	struct vm_start *s = vm_start_at(stack);
	*s = (struct vm_start){ .fn = fn, .arg = arg, .ptid = ptid, .ctid = ctid,
				.flags = (unsigned long)(unsigned int)flags, .vpid = shim_vf.vpid };
	/* Offline (no vpid): the kernel's words are the right ones. */
	int strip = s->vpid > 0 ? CLONE_SETTID_WORDS : 0;
	long r = REAL(clone)(vfvm_start, s, flags & ~strip, s, ptid, tls, ctid);
	pid_t pid = shim_vfork_post(r < 0 ? -(long)errno : r);
	if (pid > 0 && strip && (flags & CLONE_PARENT_SETTID))
		shim_poke(ptid, &pid, sizeof(pid));
	return pid;
}

/* The real call of a CLONE_VM child, made by shim_fork with its vpid taken. */
static pid_t clone_vm_fork(void)
{
	struct vm_start *s = vm_start_at(clone_cur.stack);

	s->fn = clone_cur.fn;
	s->arg = clone_cur.arg;
	s->ptid = clone_cur.ptid;
	s->ctid = clone_cur.ctid;
	s->flags = clone_cur.flags;
	s->mask = clone_cur.mask;
	s->vpid = shim_guard_fork_vpid();
	s->parent_v = shim_self_vpid();
	s->parent_r = shim_self_rpid();
	return REAL(clone)(vm_start, s, (int)(clone_cur.flags & ~(unsigned long)CLONE_SETTID_WORDS), s,
			   NULL, clone_cur.tls, clone_cur.ctid);
}

/*
 * The word where glibc keeps the calling thread's tid, in its thread
 * descriptor (struct pthread, at pthread_self()): glibc's own fork has the
 * kernel write the child's tid there (CLONE_CHILD_SETTID), and a program
 * that clones by hand can do the same to keep glibc's cache right.  glibc
 * passes that word to real system calls (pthread_sigqueue, pthread_kill
 * of another thread, pthread_getaffinity_np), so it must get the real
 * tid, never the vpid we write in other SETTID words: with the vpid, glibc
 * named no thread (ESRCH; t_clone_tidword).  Found by its value: the only int equal to the caller's real tid in the
 * descriptor's first 1 KiB (glibc 2.36: offset 720); NULL when not
 * exactly one.
 */
pid_t *shim_tcb_tid_word(void)
{
	const char *self = (const char *)pthread_self();
	pid_t words[256], tid = (pid_t)shim_raw_syscall(SYS_gettid, 0, 0, 0, 0, 0, 0);
	int at = -1;

	if (!shim_peek(words, self, sizeof(words)))
		return NULL;
	for (int i = 0; i < 256; i++) {
		if (words[i] != tid)
			continue;
		if (at >= 0)
			return NULL;
		at = i;
	}
	return at < 0 ? NULL : (pid_t *)(void *)(self + at * (int)sizeof(pid_t));
}

static pid_t clone_fork(void)
{
	/* x86-64 and aarch64 order: flags, stack, parent_tid, child_tid, tls.
	 * Only CLONE_CHILD_CLEARTID reads a word here. */
	long r = shim_raw_syscall(SYS_clone, (long)(clone_cur.flags & ~(unsigned long)CLONE_SETTID_WORDS),
				  0, 0, (long)clone_cur.ctid, 0, 0);

	if (r < 0 && r > -4096) {
		errno = (int)-r;
		return -1;
	}
	return (pid_t)r;
}

SHIM_EXPORT int clone(int (*fn)(void *), void *stack, int flags, void *arg, ...)
{
	va_list ap;
	pid_t *ptid, *ctid;
	void *tls;
	pid_t pid;

	/* glibc's clone reads these three whatever the flags say */
	va_start(ap, arg);
	ptid = va_arg(ap, pid_t *);
	tls = va_arg(ap, void *);
	ctid = va_arg(ap, pid_t *);
	va_end(ap);
	shim_init();
	unsigned long f = (unsigned long)(unsigned int)flags;
	bool vm = (f & CLONE_VM) && !(f & CLONE_NEWPID);
	if (vm && (f & CLONE_VFORK) && shim_mode() != SHIM_MODE_NONE && fn != NULL && stack != NULL &&
	    (f & ~CSIGNAL & ~CLONE_FORKLIKE & ~CLONE_VMLIKE & ~(unsigned long)CLONE_VFORK) == 0)
		return clone_vfork_vm(fn, stack, flags, arg, ptid, tls, ctid);
	if (shim_mode() == SHIM_MODE_NONE || (f & ~CSIGNAL & ~CLONE_FORKLIKE & ~(vm ? CLONE_VMLIKE : 0)) != 0 ||
	    fn == NULL || stack == NULL)
		return REAL(clone)(fn, stack, flags, arg, ptid, tls, ctid);
	clone_cur.flags = f;
	clone_cur.ctid = ctid;
	if (vm) {
		/* the caller's mask: ours is all blocked when the child starts */
		shim_raw_syscall(SYS_rt_sigprocmask, SIG_BLOCK, 0, (long)&clone_cur.mask, sizeof(clone_cur.mask), 0, 0);
		clone_cur.fn = fn;
		clone_cur.arg = arg;
		clone_cur.stack = stack;
		clone_cur.tls = tls;
		clone_cur.ptid = ptid;
		shim_vmkids_begin();
		/* The child uses our connection, as ours: it must find one
		 * (its own would be taken for ours, our identity for its). */
		shim_connect();
		pid = shim_fork(clone_vm_fork);
		if (pid > 0 && (flags & CLONE_PARENT_SETTID))
			shim_poke(ptid, &pid, sizeof(pid));
		return pid;
	}
	/* glibc's tid word, looked up in the parent: the child's copy of the
	 * descriptor holds the parent's tid until the word is written */
	pid_t *glibc_tid = (flags & CLONE_CHILD_SETTID) ? shim_tcb_tid_word() : NULL;
	pid = shim_fork(clone_fork);
	if (pid > 0 && (flags & CLONE_PARENT_SETTID))
		shim_poke(ptid, &pid, sizeof(pid));
	if (pid != 0)
		return pid;
	if (flags & CLONE_CHILD_SETTID) {
		pid_t self = ctid == glibc_tid && ctid != NULL ? (pid_t)shim_raw_syscall(SYS_gettid, 0, 0, 0, 0, 0, 0)
							       : shim_self_vpid();
		shim_poke(ctid, &self, sizeof(self));
	}
	shim_raw_syscall(SYS_exit, fn(arg), 0, 0, 0, 0, 0);
	__builtin_unreachable();
}
