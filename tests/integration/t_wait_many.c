/* t_wait_many.c — group waits with more children than one WAIT_SELECT reply holds (paging). */
#include "lib/itest.h"

/* 80 children, more than the 32 (vpid, rpid) pairs of one reply: wait4(0)
 * and wait4(-pgid) must find every one of them, each exactly once, and then
 * say ECHILD. */
#define NCHILD 80

static void spawn_all(void)
{
	for (int i = 0; i < NCHILD; i++) {
		pid_t c = fork();
		if (c == 0)
			_exit(i % 50);
		if (c < 0) {
			perror("fork");
			exit(1);
		}
	}
}

static void reap_all(pid_t sel, const char *what)
{
	int n = 0, sum = 0, st;
	pid_t r;

	while ((r = waitpid(sel, &st, 0)) > 0) {
		n++;
		sum += WEXITSTATUS(st);
	}
	int e = errno;
	char line[160];
	snprintf(line, sizeof(line), "%s: reaped %d, exit codes sum %d, then %s\n", what, n, sum,
		 r < 0 ? strerrorname_np(e) : "0");
	if (write(1, line, strlen(line)) < 0)
		exit(1);
}

int main(void)
{
	alarm(IT_GUARD_SECS);
	spawn_all();
	reap_all(0, "waitpid(0)");
	spawn_all();
	reap_all(-getpgrp(), "waitpid(-pgrp)");
	return 0;
}
