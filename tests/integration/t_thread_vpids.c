/* t_thread_vpids.c — threads take ids from the pid space: a process that started threads forks a child numbered above them, as under Linux. */
#include <pthread.h>
#include <stdlib.h>

#include "lib/itest.h"

/*
 * Linux gives every thread an id from the same allocator as processes, so
 * a process whose threads took ids P+1..P+N (and nothing else forked in
 * the namespace meanwhile) forks a child P+N+1: python starting a thread
 * and then running a command, node and its thread pool, a JVM.  Under
 * jobshim threads keep their real ids (shim/thread.c), and the child was
 * numbered P+1, as if the threads had never been (a command's $$ printed
 * there differed from the native run).  Each pthread_create now takes a
 * vpid it leaves unused (shim_thread_take_vpid, shim/fork.c).  "At least":
 * where real ids are small (a container's fresh pid namespace) the counter
 * also skips numbers that live threads hold, which only widens the gap.
 */

#define NTHREADS 3

static int hold[2];

static void *wait_release(void *arg)
{
	char c;

	while (read(hold[0], &c, 1) < 0)
		;
	return arg;
}

static pid_t fork_and_reap(void)
{
	int st;
	pid_t c = it_fork("child");

	if (c == 0)
		_exit(0);
	if (waitpid(c, &st, 0) != c)
		it_die("waitpid");
	return c;
}

int main(void)
{
	pthread_t t[NTHREADS];
	pid_t self, c1, c2;

	it_init();
	self = getpid();
	if (pipe(hold) != 0)
		it_die("pipe");
	for (int i = 0; i < NTHREADS; i++)
		if (pthread_create(&t[i], NULL, wait_release, NULL) != 0)
			it_die("pthread_create");
	c1 = fork_and_reap();
	it_out("%d threads started, then a fork: the child is at least %d above its parent: %s", NTHREADS,
	       NTHREADS + 1, c1 - self >= NTHREADS + 1 ? "yes" : "no");
	close(hold[1]);
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
	c2 = fork_and_reap();
	it_out("no thread started since: the next child is numbered after the first: %s", c2 > c1 ? "yes" : "no");
	return 0;
}
