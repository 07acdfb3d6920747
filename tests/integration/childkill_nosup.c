/* childkill_nosup.c DIR — forks, signals and reaps its children while the supervisor is stopped (sup_childkill.sh). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * kill(child, sig) of a child not yet reaped needs neither the model view
 * (not fresh until the supervisor has read the child's BIND) nor a round
 * trip: the shim's own table of children names its real pid
 * (shim/viewwrite.c, shim_child_kill).  So this runs to its end with the
 * supervisor stopped: a warm-up cycle while it runs (the first fork maps
 * the shared files and opens the event FIFO), "ready", then, once
 * DIR/stopped exists, three cycles of fork, kill(child, SIGTERM) and
 * waitpid, each printing how the child ended.
 */
static pid_t start_child(void)
{
	pid_t c = fork();

	if (c == 0) {
		for (;;)
			pause();
	}
	return c;
}

static void cycle(int n)
{
	pid_t c = start_child();
	int st, rc;

	if (c < 0) {
		printf("fork: %s\n", strerror(errno));
		exit(1);
	}
	rc = kill(c, SIGTERM);
	if (waitpid(c, &st, 0) != c) {
		printf("waitpid: %s\n", strerror(errno));
		exit(1);
	}
	printf("cycle %d: kill %d, %s %d\n", n, rc, WIFSIGNALED(st) ? "killed by" : "status",
	       WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
	fflush(stdout);
}

int main(int argc, char **argv)
{
	char path[4096];
	struct timespec tick = {0, 10 * 1000 * 1000};

	if (argc != 2)
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	cycle(0);
	printf("ready\n");
	snprintf(path, sizeof(path), "%s/stopped", argv[1]);
	while (access(path, F_OK) != 0)
		nanosleep(&tick, NULL);
	for (int i = 1; i <= 3; i++)
		cycle(i);
	printf("done\n");
	return 0;
}
