/* t_tidword_mend.c — a clone() child that mends glibc's cached tid by hand with syscall(SYS_gettid), as Firefox's sandbox does: glibc's pthread calls still reach the thread. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * A child made by a plain clone() keeps its parent's tid in glibc's
 * descriptor.  Firefox (SandboxLaunch.cpp, ForkWithFlags) reads glibc's
 * value as an error-checking mutex's owner, compares it with
 * syscall(SYS_gettid), and writes the latter over the word at
 * pthread_self() that holds the former.  Under jobshim the main thread's
 * gettid is its vpid, which then sat in the word: pthread_getattr_np
 * asked sched_getaffinity about the vpid and failed with ESRCH, and every
 * sandboxed Firefox child crashed on it (shim/tidword.c).  The child
 * checks glibc's calls on itself, then a second thread's calls on it;
 * then again under a seccomp filter of its own, as Firefox's children
 * run (the shim then keeps its ids: shim/self.c, shim_self_sandboxed).
 */

static pid_t glibc_tid(void)
{
	pthread_mutexattr_t a;
	pthread_mutex_t m;
	pid_t v;

	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
	pthread_mutex_init(&m, &a);
	pthread_mutex_lock(&m);
	v = m.__data.__owner;
	pthread_mutex_unlock(&m);
	pthread_mutex_destroy(&m);
	return v;
}

/* Firefox's mending, step by step. */
static const char *mend(void)
{
	pid_t want = (pid_t)syscall(SYS_gettid), have = glibc_tid();
	char *self = (char *)pthread_self();
	int at = -1;

	if (have == want)
		return "already right";
	for (int o = 0; o < 1024; o += 4)
		if (*(pid_t *)(void *)(self + o) == have) {
			if (at >= 0)
				return "word not unique";
			at = o;
		}
	if (at < 0)
		return "word not found";
	*(pid_t *)(void *)(self + at) = want;
	return glibc_tid() == want ? "mended" : "mending failed";
}

static volatile sig_atomic_t got_usr1, got_usr2;
static void on_usr1(int s) { (void)s; got_usr1++; }
static void on_usr2(int s) { (void)s; got_usr2++; }

static const char *clock_check(pthread_t t)
{
	clockid_t c;
	struct timespec ts;
	int e = pthread_getcpuclockid(t, &c);

	if (e != 0)
		return strerror(e);
	return clock_gettime(c, &ts) == 0 ? "Success" : strerror(errno);
}

static pthread_t main_thread;

static void *other(void *unused)
{
	union sigval v = {.sival_int = 2};
	cpu_set_t set;

	printf("  thread -> main: pthread_kill %s, pthread_sigqueue %s, pthread_getaffinity_np %s, "
	       "pthread_getcpuclockid %s\n",
	       strerror(pthread_kill(main_thread, SIGUSR1)), strerror(pthread_sigqueue(main_thread, SIGUSR2, v)),
	       strerror(pthread_getaffinity_np(main_thread, sizeof(set), &set)), clock_check(main_thread));
	fflush(stdout);
	return unused;
}

static void checks(int mended)
{
	union sigval v = {.sival_int = 1};
	pthread_attr_t attr;
	cpu_set_t set;
	pthread_t t;
	int e;

	got_usr1 = got_usr2 = 0;
	e = pthread_getattr_np(pthread_self(), &attr);
	if (e == 0)
		pthread_attr_destroy(&attr);
	printf("  self: pthread_getattr_np %s", strerror(e));
	e = pthread_getaffinity_np(pthread_self(), sizeof(set), &set);
	printf(", pthread_getaffinity_np %s", strerror(e));
	printf(", pthread_setaffinity_np %s", strerror(e == 0 ? pthread_setaffinity_np(pthread_self(), sizeof(set), &set) : e));
	printf(", pthread_getcpuclockid %s", clock_check(pthread_self()));
	e = pthread_sigqueue(pthread_self(), SIGUSR2, v);
	printf(", pthread_sigqueue %s (%s)\n", strerror(e), got_usr2 == 1 ? "received" : "not received");
	fflush(stdout);

	got_usr1 = got_usr2 = 0;
	main_thread = pthread_self();
	pthread_create(&t, NULL, other, NULL);
	pthread_join(t, NULL);
	for (int i = 0; i < 2000 && (got_usr1 == 0 || got_usr2 == 0); i++)
		usleep(1000);
	printf("  main received: SIGUSR1 %d, SIGUSR2 %d\n", (int)got_usr1, (int)got_usr2);
	if (mended)
		printf("  glibc's word after the calls: %s\n",
		       glibc_tid() == (pid_t)syscall(SYS_gettid) ? "as mended" : "changed");
	fflush(stdout);
}

static int clone_entry(void *ctx)
{
	longjmp(*(jmp_buf *)ctx, 1);
}

int main(void)
{
	static char stack[1 << 16];
	static jmp_buf ctx;
	pid_t pid;
	int st;

	signal(SIGUSR1, on_usr1);
	signal(SIGUSR2, on_usr2);
	alarm(20);
	fflush(stdout);
	if (setjmp(ctx) == 0) {
		pid = clone(clone_entry, stack + sizeof(stack), SIGCHLD, &ctx);
		if (pid < 0) {
			perror("clone");
			return 1;
		}
		waitpid(pid, &st, 0);
		printf("child: %s\n", WIFEXITED(st) ? "exited" : "killed");
		printf("parent\n");
		checks(0);
		return 0;
	}
	printf("clone() child: %s\n", mend());
	checks(1);
	static struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	struct sock_fprog prog = { .len = 1, .filter = &allow };
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
		printf("seccomp: %s\n", strerror(errno));
	printf("clone() child, under its own seccomp filter:\n");
	checks(1);
	fflush(stdout);
	_exit(0);
}
