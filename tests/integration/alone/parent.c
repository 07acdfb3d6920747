/* parent.c — a dynamic (preloaded) parent of an alone image: does it agree with its child on every id? */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t got;
static volatile pid_t from;
static volatile int code = 99;

static void on_usr1(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	got = 1;
	from = si->si_pid;
	code = si->si_code;
}

/* parent CHILD_IMAGE [ARGS...]: fork, exec the image with "child"; the
 * child makes itself a group and signals us by our (v)pid. */
int main(int argc, char **argv)
{
	struct sigaction sa = {.sa_sigaction = on_usr1, .sa_flags = SA_SIGINFO};
	sigset_t block, old;
	pid_t c;
	int st;

	if (argc < 2)
		return 2;
	setvbuf(stdout, NULL, _IONBF, 0);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, &old);
	sigaction(SIGUSR1, &sa, NULL);
	printf("parent: pid %d\n", getpid());
	/* The child execs (and prints) only once our line about it is out:
	 * the output's order must not depend on the scheduler. */
	int go[2];
	char b;
	if (pipe(go) < 0)
		return 2;
	c = fork();
	if (c == 0) {
		close(go[1]);
		if (read(go[0], &b, 1) != 1)
			_exit(126);
		close(go[0]);
		execv(argv[1], (char *[]){argv[1], "child", NULL});
		_exit(127);
	}
	close(go[0]);
	printf("parent: child %d\n", c);
	if (write(go[1], "g", 1) != 1)
		return 2;
	close(go[1]);
	while (!got)
		sigsuspend(&old);
	printf("parent: SIGUSR1 from the child: %s, by kill (SI_USER): %s\n", from == c ? "yes" : "no",
	       code == SI_USER ? "yes" : "no");
	printf("parent: getpgid(child) == child: %s\n", getpgid(c) == c ? "yes" : "no");
	if (waitpid(c, &st, 0) != c)
		perror("waitpid");
	printf("parent: child exit %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	return 0;
}
