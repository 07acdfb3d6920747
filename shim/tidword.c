/* tidword.c — glibc's cached thread id when a program wrote its vpid there: the pthread calls that hand it to the kernel get the real id. */
#include "shim.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/*
 * glibc keeps each thread's kernel id in its descriptor (struct pthread,
 * the tid word) and hands that word to the kernel itself, by internal
 * system calls no wrapper sees: pthread_getattr_np and
 * pthread_{get,set}affinity_np (sched_getaffinity), pthread_kill and
 * pthread_sigqueue (tgkill, rt_tgsigqueueinfo), pthread_getcpuclockid (the
 * clock id is built from it); also pthread_{get,set}schedparam and
 * pthread_setschedprio, not wrapped (below).
 *
 * A child made by a plain clone() keeps its parent's word (glibc's fork
 * has the kernel rewrite it; clone does not), and a program may mend it
 * by hand: Firefox's sandbox clone (SandboxLaunch.cpp, ForkWithFlags)
 * reads glibc's value through an error-checking mutex's owner, compares
 * it with syscall(SYS_gettid), and writes the latter into
 * pthread_self()'s word when they differ.  Under jobshim the main
 * thread's gettid() is the vpid (thread.c), so the word got the vpid:
 * the content process's pthread_getattr_np asked sched_getaffinity about
 * pid 93, ESRCH, and Firefox crashed on it (SIGSEGV, MOZ_CRASH) in every
 * sandboxed child.
 *
 * The word then means "the main thread", as the program wants; glibc's
 * own comparisons (a mutex's owner) stay consistent with it.  Only what
 * reaches the kernel is wrong, so the calls above are wrapped: when the
 * target's word holds our vpid (not our real pid, and not a real thread
 * id of ours that equals it by chance), the call is made with our real
 * pid, the main thread's real id -- directly for the simple ones
 * (affinity, kill, sigqueue, the clock id), and for the others by
 * setting the word to the real id for the length of the call, only when
 * the caller is that thread itself (no other thread's word is touched,
 * so no mutex it locks meanwhile records the other value).  Another
 * thread asking glibc about the main thread's attributes or scheduling
 * still reaches the kernel with the vpid (a gap, shim/README.md).
 */

static int tid_off = -1; /* the word's offset in struct pthread; -2: not found */

/* glibc's value of the calling thread's word: what an error-checking
 * mutex records as its owner (no system call). */
static pid_t glibc_tid_self(void)
{
	pthread_mutex_t m;
	pthread_mutexattr_t a;
	pid_t v = 0;

	if (pthread_mutexattr_init(&a) != 0)
		return 0;
	if (pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK) == 0 && pthread_mutex_init(&m, &a) == 0) {
		if (pthread_mutex_lock(&m) == 0) {
			v = m.__data.__owner;
			pthread_mutex_unlock(&m);
		}
		pthread_mutex_destroy(&m);
	}
	pthread_mutexattr_destroy(&a);
	return v;
}

/* Where the word is: the one int in the caller's descriptor's first KiB
 * equal to glibc's value (glibc 2.36 x86-64: 720).  Found once; -1 when
 * not exactly one (then nothing here changes anything). */
static int tidword_offset(void)
{
	int off = __atomic_load_n(&tid_off, __ATOMIC_RELAXED);
	pid_t words[256], v;
	int at = -1;

	if (off != -1)
		return off < 0 ? -1 : off;
	v = glibc_tid_self();
	/* Plain reads: the descriptor (over 2 KiB) is ours, and under a
	 * program's seccomp filter no probing system call is made. */
	if (v > 0) {
		memcpy(words, (const void *)pthread_self(), sizeof(words));
		for (int i = 0; i < 256; i++) {
			if (words[i] != v)
				continue;
			if (at >= 0) {
				at = -1;
				break;
			}
			at = i;
		}
	}
	off = at < 0 ? -2 : at * (int)sizeof(pid_t);
	__atomic_store_n(&tid_off, off, __ATOMIC_RELAXED);
	return off < 0 ? -1 : off;
}

/* th's word, when it holds our vpid meaning the main thread: then its
 * address, else NULL (the usual case: the word is a real id). */
static pid_t *vpid_word(pthread_t th)
{
	pid_t vpid, rpid, *w;
	int off;

	/* Online, or confined with our ids kept (self.c): a sandboxed
	 * Firefox child is both the mender and, from its filter on, kept. */
	if (shim_vf.active || (shim_offline() && !shim_self_kept()))
		return NULL;
	vpid = shim_self_vpid();
	if (vpid <= 1 || (off = tidword_offset()) < 0)
		return NULL;
	w = (pid_t *)(void *)((char *)th + off);
	/* The usual case ends here, without a system call. */
	if (__atomic_load_n(w, __ATOMIC_RELAXED) != vpid || vpid == (rpid = shim_sys_getpid()))
		return NULL;
	/* A real thread of ours whose id is that number (tgkill checks the
	 * pair, signal 0 sends nothing): the word is right as it is. */
	if (shim_raw_syscall(SYS_tgkill, rpid, vpid, 0, 0, 0, 0) == 0)
		return NULL;
	return w;
}

/* The caller's own word set to its real id for the call (its stack
 * bounds, and sched_getaffinity with the word), then given back. */
SHIM_EXPORT int pthread_getattr_np(pthread_t th, pthread_attr_t *attr)
{
	pid_t *w, v = 0;
	int rc;

	shim_init();
	w = pthread_equal(th, pthread_self()) ? vpid_word(th) : NULL;
	if (w != NULL) {
		v = *w;
		*w = (pid_t)shim_raw_syscall(SYS_gettid, 0, 0, 0, 0, 0, 0);
	}
	rc = REAL(pthread_getattr_np)(th, attr);
	if (w != NULL)
		*w = v;
	return rc;
}

/* The kernel's -errno as the pthread calls' error number. */
static int err_of(long r)
{
	return r < 0 && r > -4096 ? (int)-r : 0;
}

SHIM_EXPORT int pthread_getaffinity_np(pthread_t th, size_t size, cpu_set_t *set)
{
	shim_init();
	if (vpid_word(th) == NULL)
		return REAL(pthread_getaffinity_np)(th, size, set);
	/* glibc's own steps, with the real id: the kernel fills what it
	 * has, the rest of the caller's set is cleared. */
	long r = shim_raw_syscall(SYS_sched_getaffinity, shim_sys_getpid(), (long)size, (long)set, 0, 0, 0);
	if (err_of(r))
		return err_of(r);
	memset((char *)set + r, 0, size - (size_t)r);
	return 0;
}

SHIM_EXPORT int pthread_setaffinity_np(pthread_t th, size_t size, const cpu_set_t *set)
{
	shim_init();
	if (vpid_word(th) == NULL)
		return REAL(pthread_setaffinity_np)(th, size, set);
	return err_of(shim_raw_syscall(SYS_sched_setaffinity, shim_sys_getpid(), (long)size, (long)set, 0, 0, 0));
}

/* A thread's CPU-time clock, as glibc builds it from the id (the
 * kernel's MAKE_THREAD_CPUCLOCK: ~tid << 3, per-thread, SCHED). */
SHIM_EXPORT int pthread_getcpuclockid(pthread_t th, clockid_t *clock)
{
	shim_init();
	if (vpid_word(th) == NULL)
		return REAL(pthread_getcpuclockid)(th, clock);
	*clock = (clockid_t)((~(unsigned)shim_sys_getpid() << 3) | 4 | 2);
	return 0;
}

/* glibc's signals of its own (SIGCANCEL 32, SIGSETXID 33) are refused. */
static bool glibc_internal_signal(int sig)
{
	return sig == 32 || sig == 33;
}

SHIM_EXPORT int pthread_kill(pthread_t th, int sig)
{
	shim_init();
	/* The caller signalling itself: glibc asks the kernel for its id. */
	if (pthread_equal(th, pthread_self()) || vpid_word(th) == NULL)
		return REAL(pthread_kill)(th, sig);
	if (glibc_internal_signal(sig))
		return EINVAL;
	pid_t r = shim_sys_getpid();
	return err_of(shim_raw_syscall(SYS_tgkill, r, r, sig, 0, 0, 0));
}

SHIM_EXPORT int pthread_sigqueue(pthread_t th, int sig, const union sigval value)
{
	siginfo_t info;

	shim_init();
	if (vpid_word(th) == NULL)
		return REAL(pthread_sigqueue)(th, sig, value);
	if (glibc_internal_signal(sig))
		return EINVAL;
	/* What glibc sends: SI_QUEUE from our real pid and uid (the
	 * receiver's shim makes si_pid virtual, sig.c). */
	memset(&info, 0, sizeof(info));
	info.si_signo = sig;
	info.si_code = SI_QUEUE;
	info.si_pid = shim_sys_getpid();
	info.si_uid = (uid_t)shim_raw_syscall(SYS_getuid, 0, 0, 0, 0, 0, 0);
	info.si_value = value;
	pid_t r = shim_sys_getpid();
	return err_of(shim_raw_syscall(SYS_rt_tgsigqueueinfo, r, r, sig, (long)&info, 0, 0));
}
