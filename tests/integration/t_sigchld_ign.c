/* t_sigchld_ign.c — children the kernel reaps by itself (SIGCHLD ignored, SA_NOCLDWAIT): once gone for the kernel, gone for every call. */
#include "lib/itest.h"

/*
 * A parent that ignores SIGCHLD, or set SA_NOCLDWAIT, has its children
 * reaped by the kernel as they exit: no zombie, and wait() blocks until
 * they are all gone, then fails with ECHILD.  No wait reports them to
 * jobshim: the supervisor learns of such an exit from the child's pidfd
 * (watched at once for a parent that said so at the fork, shim/fork.c's
 * bind_flags), and a call that finds a child gone first has the
 * supervisor apply its exit (kill: ops.c op_kill; wait's ECHILD:
 * PROTO_WAIT_SETTLE).  Before, the model kept such a child for half a
 * second (until its sweep): getpgid and getsid answered for it and
 * setpgid(child, child) succeeded, where Linux says ESRCH.
 *
 * Each observation is one Linux makes exact: kill(child, 0) failing,
 * waitpid(child, WNOHANG) failing with ECHILD, and (5 ms later) a blocking
 * wait() failing with ECHILD.  A zombie made before SIGCHLD was ignored
 * stays one (Linux reaps no zombie then).
 */

static void after(const char *how, pid_t c)
{
	errno = 0;
	pid_t g = getpgid(c);
	int eg = errno;
	errno = 0;
	pid_t s = getsid(c);
	int es = errno;
	int sp = setpgid(c, c) == 0 ? 0 : errno;
	it_out("%s: getpgid %s, getsid %s, setpgid(child, child) %s", how, g < 0 ? it_errname(eg) : "answered",
	       s < 0 ? it_errname(es) : "answered", sp ? it_errname(sp) : "succeeded");
}

static void rounds(const char *disp)
{
	int st;
	char what[96];

	for (int r = 0; r < 3; r++) {
		pid_t c = fork();
		if (c < 0)
			it_die("fork");
		if (c == 0)
			_exit(3);
		while (kill(c, 0) == 0)
			usleep(100);
		snprintf(what, sizeof(what), "%s, once kill(child, 0) failed (%s)", disp, it_errname(errno));
		after(what, c);

		c = fork();
		if (c < 0)
			it_die("fork");
		if (c == 0)
			_exit(3);
		pid_t w;
		while ((w = waitpid(c, &st, WNOHANG)) == 0)
			usleep(100);
		snprintf(what, sizeof(what), "%s, once waitpid(child, WNOHANG) = %d (%s)", disp, (int)w,
			 it_errname(errno));
		after(what, c);

		c = fork();
		if (c < 0)
			it_die("fork");
		if (c == 0) {
			usleep(20000);
			_exit(3);
		}
		w = wait(&st);
		snprintf(what, sizeof(what), "%s, once wait() = %d (%s)", disp, (int)w, it_errname(errno));
		/* Linux's blocking wait can return a moment before the child
		 * is released (1 call in 1,500 saw getsid answer natively). */
		usleep(5000);
		after(what, c);
	}
}

int main(void)
{
	struct sigaction sa = {.sa_handler = SIG_DFL};
	int st;

	it_init();
	signal(SIGCHLD, SIG_IGN);
	rounds("SIG_IGN");
	sa.sa_flags = SA_NOCLDWAIT;
	sigaction(SIGCHLD, &sa, NULL);
	rounds("SA_NOCLDWAIT");

	/* A zombie from before: ignoring SIGCHLD now does not reap it. */
	sa.sa_flags = 0;
	sigaction(SIGCHLD, &sa, NULL);
	pid_t z = fork();
	if (z < 0)
		it_die("fork");
	if (z == 0)
		_exit(5);
	it_await_zombie(z);
	signal(SIGCHLD, SIG_IGN);
	errno = 0;
	it_out("a zombie made before SIG_IGN: getpgid %s", getpgid(z) < 0 ? it_errname(errno) : "answered");
	pid_t w = waitpid(z, &st, 0);
	it_out("waitpid(zombie) %s %s", w == z ? "= zombie" : it_errname(errno), w == z ? it_status(st) : "");
	errno = 0;
	it_out("then: getpgid %s", getpgid(z) < 0 ? it_errname(errno) : "answered");
	return 0;
}
