/* thread.c — thread ids: gettid, tgkill, and the pid / thread id rule for every pid-taking call. */
#include "shim.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/*
 * Thread ids under jobshim: the main thread's id is the process's vpid
 * (programs test "am I the main thread?" with gettid() == getpid()); the
 * ids of other threads stay real.  They only ever mean something to the
 * kernel together with their process (tgkill checks the pair), and every
 * thread-taking call below accepts them as they are.
 *
 * An id handed to the kernel (shim_xlate_tid): 0 and negative values keep
 * the kernel's meaning; the caller's vpid is its real pid; a real thread id
 * of one of the caller's own threads stays (it wins over an equal vpid of
 * another process: the kernel's answer then concerns the caller, never a
 * stranger); any other vpid is its process's real pid (the main thread).
 * A number that names nothing in the tree becomes SHIM_PID_NONE, a pid no
 * process has: the kernel then checks the call's other arguments in its
 * own order (EINVAL before ESRCH where Linux does so) and fails the lookup
 * itself.  The result is always an id, never an errno: a caller's negative
 * id (-1, -13) is the kernel's to judge, and reading it as -errno gave
 * EPERM or EACCES where Linux says ESRCH or EINVAL.
 */

static pid_t sys_gettid(void)
{
	return (pid_t)shim_raw_syscall(SYS_gettid, 0, 0, 0, 0, 0, 0);
}

pid_t shim_gettid(void)
{
	pid_t tid = sys_gettid();

	shim_init();
	if (shim_mode() == SHIM_MODE_NONE || tid != shim_sys_getpid())
		return tid;
	return shim_self_vpid();
}

SHIM_EXPORT pid_t gettid(void)
{
	return shim_gettid();
}

/* Is tid another thread of ours (real id)?  Not the main thread: its
 * real id is our real pid, a number that as a vpid names some other
 * process (the main thread's id is our vpid).  tgkill with signal 0
 * checks the pair and sends nothing. */
static bool own_thread(pid_t rpid, pid_t tid)
{
	return tid != rpid &&
	       (tid == sys_gettid() || shim_raw_syscall(SYS_tgkill, rpid, tid, 0, 0, 0, 0) == 0);
}

/* ---- threads this process started -------------------------------------- */

/*
 * The ids of the last THREADS_SEEN threads pthread_create started in this
 * process, each with its process's real pid (a fork child inherits the
 * ring, not the threads).  A fanotify event with FAN_REPORT_TID names the
 * thread that caused it, and the kernel keeps that id with the event: the
 * thread may have ended by the time the event is read (LTP fanotify11),
 * where tgkill no longer tells it from a stranger (pidread.c).  Costs a
 * malloc and a gettid per pthread_create.
 */
#define THREADS_SEEN 64
static _Atomic uint64_t threads_seen[THREADS_SEEN]; /* real pid << 32 | tid */
static _Atomic unsigned threads_next;

struct thread_start {
	void *(*fn)(void *);
	void *arg;
};

static void *thread_begin(void *p)
{
	struct thread_start st = *(struct thread_start *)p;
	unsigned i = atomic_fetch_add_explicit(&threads_next, 1, memory_order_relaxed) % THREADS_SEEN;

	free(p);
	atomic_store_explicit(&threads_seen[i],
			      (uint64_t)(uint32_t)shim_sys_getpid() << 32 | (uint32_t)sys_gettid(),
			      memory_order_relaxed);
	return st.fn(st.arg);
}

SHIM_EXPORT int pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
	struct thread_start *st = malloc(sizeof(*st));
	pid_t vpid;
	int r;

	if (st == NULL)
		return REAL(pthread_create)(t, attr, fn, arg);
	st->fn = fn;
	st->arg = arg;
	/* The id Linux's thread would take from the pid space (fork.c). */
	vpid = shim_thread_take_vpid();
	r = REAL(pthread_create)(t, attr, thread_begin, st);
	if (r != 0) {
		free(st);
		shim_fork_give_back(vpid);
	}
	return r;
}

bool shim_thread_was_ours(pid_t tid)
{
	uint64_t want = (uint64_t)(uint32_t)shim_sys_getpid() << 32 | (uint32_t)tid;

	for (int i = 0; i < THREADS_SEEN; i++)
		if (atomic_load_explicit(&threads_seen[i], memory_order_relaxed) == want)
			return true;
	return false;
}

pid_t shim_xlate_tid(pid_t id)
{
	pid_t self_r, r;

	shim_init();
	if (id <= 0 || shim_mode() == SHIM_MODE_NONE)
		return id;
	self_r = shim_sys_getpid();
	if (id == shim_self_vpid() || id == shim_last_vpid())
		return self_r;
	if (own_thread(self_r, id))
		return id;
	if (shim_offline()) {
		/* LOST: what we know for sure (our children, and our parent
		 * when confined with our ids kept), as kill does. */
		r = shim_child_v2r(id);
		if (r > 0)
			return r;
		if (shim_self_kept() && (r = shim_sys_getppid()) > 1 && shim_ppid_cached(r) == id)
			return r;
		return SHIM_PID_NONE;
	}
	r = shim_v2r(id);
	return r > 0 ? r : SHIM_PID_NONE;
}

/* tgkill(id, id) finds only a thread-group leader; kill(id) finds the
 * group of any thread (a thread id works as kill's target).  Signal 0
 * sends nothing; EPERM still means the id exists. */
bool shim_id_is_thread(int32_t id)
{
	long k;

	if (shim_raw_syscall(SYS_tgkill, id, id, 0, 0, 0, 0) != -ESRCH)
		return false;
	k = shim_raw_syscall(SYS_kill, id, 0, 0, 0, 0, 0);
	return k == 0 || k == -EPERM;
}

/*
 * tgkill(tgid, tid) and rt_(tg)sigqueueinfo.  The tgid is a process: the
 * caller or a vpid.  A tid equal to the (virtual) tgid is the main thread;
 * any other tid is a real thread id, passed on: the kernel checks that it
 * belongs to tgid -- but not the group's own real id, which is read as a
 * vpid.  A siginfo whose si_pid is our vpid gets our real pid
 * (receivers translate si_pid from real to virtual, see sig.c).
 */
long shim_sys_tgsend(enum shim_tgsend kind, long tgid, long tid, long sig, const void *info)
{
	pid_t rt = (pid_t)tgid, rtid = (pid_t)tid;
	siginfo_t si;

	shim_init();
	/* The kernel reads the ids as ints: syscall()'s longs may carry
	 * garbage above bit 31 (an int passed through varargs). */
	if (shim_mode() != SHIM_MODE_NONE && rt > 0) {
		rt = shim_xlate_tid(rt);
		/* vpid 1: checked, never sent (initsig.c).  A tid <= 0 is the
		 * kernel's EINVAL (after the siginfo's EFAULT), with nothing
		 * sent: the real call answers it. */
		if (rt == shim_conn_peer() && (kind == SHIM_TG_QUEUE || rtid > 0))
			return shim_init_tgsend(kind, rtid == (pid_t)tgid, sig, info);
		if (rtid == (pid_t)tgid)
			rtid = rt;
		else if (rtid == rt)
			/* The group's real id names its main thread to the
			 * kernel, but the program names that thread by its
			 * vpid: the number means what a vpid means (where
			 * real ids are small, tgkill(ppid, pid) reached the
			 * parent when the parent's real pid was our vpid). */
			rtid = shim_xlate_tid(rtid);
	}
	if (kind == SHIM_TG_KILL)
		return shim_raw_syscall(SYS_tgkill, rt, rtid, sig, 0, 0, 0);
	if (info != NULL && shim_mode() != SHIM_MODE_NONE) {
		pid_t self_v = shim_self_vpid(), self_r = shim_sys_getpid();

		if (shim_peek(&si, info, sizeof(si)) && si.si_pid == self_v && self_v != self_r) {
			si.si_pid = self_r;
			info = &si;
		}
	}
	if (kind == SHIM_TG_QUEUE)
		return shim_raw_syscall(SYS_rt_sigqueueinfo, rt, sig, (long)info, 0, 0, 0);
	return shim_raw_syscall(SYS_rt_tgsigqueueinfo, rt, rtid, sig, (long)info, 0, 0);
}

SHIM_EXPORT int tgkill(pid_t tgid, pid_t tid, int sig)
{
	long rc = shim_sys_tgsend(SHIM_TG_KILL, tgid, tid, sig, NULL);

	if (rc < 0) {
		errno = (int)-rc;
		return -1;
	}
	return 0;
}
