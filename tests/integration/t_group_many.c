/* t_group_many.c — the orphan rule and setsid in a group of 300: more witnesses than the supervisor polls one by one. */
#include "lib/itest.h"

#include <sys/wait.h>

/*
 * A request that moves a process (setsid here) first applies the exits the
 * kernel already reports among its witnesses: the members of its group and
 * their parents.  Past SUP_SETTLE_BIG of them the supervisor applies every
 * reported exit instead of polling each (supervisor/procs.c,
 * procs_settle_all).  This runs that path against Linux:
 *
 *   main puts L in a group of its own; L forks NCHILD children into it.
 *   Child 0 stops itself; once it is stopped, L exits: L was the group's
 *   only link (its parent, main, is in another group of the session), so
 *   the group is orphaned with a stopped member and child 0 gets SIGHUP,
 *   then SIGCONT.  Then every other child calls setsid(): each must lead
 *   a new session and group of its own, and say so.
 */
#define NCHILD 300

int main(void)
{
	int go[2], res[2], ready[2];
	pid_t l;
	char ch;

	alarm(IT_GUARD_SECS);
	if (pipe(go) || pipe(res) || pipe(ready))
		it_die("pipe");
	l = fork();
	if (l < 0)
		it_die("fork");
	if (l == 0) {
		pid_t c0 = 0;
		int st;

		alarm(IT_GUARD_SECS);
		setpgid(0, 0);
		close(go[1]);
		close(res[0]);
		close(ready[0]);
		for (int i = 0; i < NCHILD; i++) {
			pid_t c = fork();
			if (c < 0)
				it_die("fork");
			if (c > 0) {
				if (i == 0)
					c0 = c;
				continue;
			}
			alarm(IT_GUARD_SECS);
			if (i == 0) {
				struct sigaction sa = {.sa_handler = SIG_IGN};
				sigaction(SIGHUP, &sa, NULL);
				raise(SIGSTOP);
				/* Continued: by the orphan rule's SIGCONT. */
				ch = 'c';
				if (write(res[1], &ch, 1) != 1)
					_exit(1);
				_exit(0);
			}
			while (read(go[0], &ch, 1) < 0 && errno == EINTR)
				;
			pid_t me = getpid();
			ch = setsid() == me && getsid(0) == me && getpgrp() == me ? 's' : 'x';
			if (write(res[1], &ch, 1) != 1)
				_exit(1);
			_exit(0);
		}
		/* The group's only link leaves once child 0 is stopped. */
		if (waitpid(c0, &st, WUNTRACED) != c0 || !WIFSTOPPED(st))
			it_die("waitpid WUNTRACED");
		ch = 'r';
		if (write(ready[1], &ch, 1) != 1)
			_exit(1);
		_exit(0);
	}
	setpgid(l, l);
	close(go[0]);
	close(res[1]);
	close(ready[1]);
	if (read(ready[0], &ch, 1) != 1)
		it_die("read ready");
	int st;
	if (waitpid(l, &st, 0) != l)
		it_die("waitpid L");
	/* Child 0 is continued only by the orphan rule. */
	while (read(res[0], &ch, 1) < 0 && errno == EINTR)
		;
	it_out("L exited, its group of %d orphaned: child 0 continued (%c)", NCHILD, ch);
	close(go[1]);
	int ok = 0, wrong = 0, n;
	while ((n = (int)read(res[0], &ch, 1)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			it_die("read res");
		if (ch == 's')
			ok++;
		else
			wrong++;
	}
	it_out("setsid in the group of %d: %d led a new session, %d did not", NCHILD, ok, wrong);
	return 0;
}
