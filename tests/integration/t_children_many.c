/* t_children_many.c — more children alive at once than the shim's table has hot slots (shim/children.c). */
#include "lib/itest.h"

/*
 * 1,100 children, all alive together (each blocks reading a pipe until the
 * parent closes it), so that most of them live past the 512 slots on the
 * shim's fork page.  Then, for children from every part of the table:
 * kill(pid) by the id fork returned, waitpid(pid) of one child, and
 * wait(-1) for the rest; every id a wait returns must be one fork
 * returned, exactly once, with the status that child was given.  Child i
 * exits with i % 200; every 7th is killed with SIGTERM first.
 */
#define NCHILD 1100
#define NWAITPID 40 /* the last ones forked: beyond the hot slots */

static pid_t pids[NCHILD];
static int done[NCHILD];

static int index_of(pid_t p)
{
	for (int i = 0; i < NCHILD; i++)
		if (pids[i] == p)
			return i;
	return -1;
}

/* Does st say what child i was told to do? */
static int status_ok(int i, int st)
{
	if (i % 7 == 0)
		return WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM;
	return WIFEXITED(st) && WEXITSTATUS(st) == i % 200;
}

int main(void)
{
	int pfd[2], bad = 0, n = 0;
	pid_t r;
	int st;

	alarm(IT_GUARD_SECS);
	if (pipe(pfd) != 0)
		it_die("pipe");
	for (int i = 0; i < NCHILD; i++) {
		pid_t c = fork();
		if (c == 0) {
			char ch;
			close(pfd[1]);
			while (read(pfd[0], &ch, 1) < 0 && errno == EINTR)
				;
			_exit(i % 200);
		}
		if (c < 0)
			it_die("fork");
		pids[i] = c;
	}
	close(pfd[0]);

	int killed = 0, kill_err = 0;
	for (int i = 0; i < NCHILD; i += 7) {
		if (kill(pids[i], SIGTERM) == 0)
			killed++;
		else
			kill_err++;
	}
	it_out("fork: %d children alive; kill(pid, SIGTERM): %d sent, %d failed", NCHILD, killed,
	       kill_err);
	close(pfd[1]);

	for (int i = NCHILD - NWAITPID; i < NCHILD; i++) {
		r = waitpid(pids[i], &st, 0);
		if (r != pids[i] || !status_ok(i, st))
			bad++;
		else
			done[i] = 1;
	}
	it_out("waitpid(pid) of the last %d: %d wrong", NWAITPID, bad);

	bad = 0;
	while ((r = wait(&st)) > 0) {
		int i = index_of(r);
		if (i < 0 || done[i] || !status_ok(i, st))
			bad++;
		else
			done[i] = 1;
		n++;
	}
	int e = errno, missing = 0;
	for (int i = 0; i < NCHILD; i++)
		missing += !done[i];
	it_out("wait(): %d reaped, %d unknown, repeated or wrong, %d never reaped, then %s", n, bad,
	       missing, it_errname(e));
	return 0;
}
