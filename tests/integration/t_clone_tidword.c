/* t_clone_tidword.c — a fork-like clone that asks the kernel to write the child's tid into glibc's own tid word (as glibc's fork does): glibc then signals and queries the thread by it. */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * glibc keeps each thread's kernel tid in its thread descriptor and uses
 * it in real system calls (pthread_sigqueue, pthread_getaffinity_np,
 * pthread_getattr_np).  A program that clones by hand can keep that word
 * right the way glibc's fork does: CLONE_CHILD_SETTID aimed at it.  The
 * shim shows a vpid in other SETTID words; in this one it wrote the vpid
 * too, and glibc then named no thread (ESRCH).  The word's place is found
 * from a second thread, whose tid the shim leaves real.
 */

static long off = -1;

static void *find_word(void *unused)
{
	pid_t tid = (pid_t)syscall(SYS_gettid);
	const char *self = (const char *)pthread_self();

	for (long o = 0; o < 1024; o += 4)
		if (*(const pid_t *)(self + o) == tid) {
			off = o;
			break;
		}
	return unused;
}

static void check(const char *who)
{
	union sigval v = {.sival_int = 1};
	cpu_set_t set;
	sigset_t usr1;

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	int q = pthread_sigqueue(pthread_self(), SIGUSR1, v);
	int a = pthread_getaffinity_np(pthread_self(), sizeof(set), &set);
	int got = q == 0 ? sigwaitinfo(&usr1, NULL) : -1;
	printf("%s: pthread_sigqueue(self) %s%s, pthread_getaffinity_np(self) %s\n", who, strerror(q),
	       q == 0 ? (got == SIGUSR1 ? " (received)" : " (lost)") : "", strerror(a));
	fflush(stdout);
}

static int child_fn(void *unused)
{
	(void)unused;
	check("clone() child");
	return 0;
}

int main(void)
{
	static char stack[1 << 16];
	pthread_t t;
	pid_t pid;

	pthread_create(&t, NULL, find_word, NULL);
	pthread_join(t, NULL);
	if (off < 0) {
		printf("no tid word found\n");
		return 1;
	}
	pid_t *word = (pid_t *)(void *)((char *)pthread_self() + off);
	pid = (pid_t)syscall(SYS_clone, SIGCHLD | CLONE_CHILD_SETTID, 0, 0, word, 0);
	if (pid == 0) {
		check("syscall(SYS_clone) child");
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	pid = clone(child_fn, stack + sizeof(stack), SIGCHLD | CLONE_CHILD_SETTID, NULL, NULL, NULL, word);
	waitpid(pid, NULL, 0);
	check("parent");
	return 0;
}
