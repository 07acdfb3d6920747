/* t_tty_orphan.c — an orphaned stopped group gets SIGHUP and SIGCONT exactly once, in sessions with and without a terminal. */
#include "lib/itest.h"

#include <pty.h>

/*
 * Under jobshim a session made inside the tree is a real one, so the
 * kernel's orphan rule fires on the mirrored real groups; the engine's
 * rule must not send the pair a second time (docs/internals.md,
 * "Sessions").  Session 2 (main's own here) has no real counterpart: there
 * the engine alone sends it.  So three cases: main's session, a session
 * made by setsid without a terminal, and one whose leader acquired a pty.
 *
 * Shape: L (the case's session leader, or a child of main) forks X in its
 * group; X forks Y into a group of its own; Y stops; X exits, so Y's group
 * loses its last link in the session: orphaned with a stopped member.  Y
 * counts the signals with handlers, and its first SIGHUP handler stops it
 * again.  L waits until Y counted a SIGHUP and /proc shows it adopted and
 * stopped again (under jobshim the supervisor applies the engine's effects
 * before it answers with the new parent).  Then L continues Y: SIGHUP once and
 * SIGCONT twice (the kernel's and L's) is right; a second pair from a
 * second authority would find Y stopped and show as SIGHUP x2.
 */

struct counts {
	volatile int hup, cont;
};
static struct counts *cnt;

/* The first SIGHUP stops Y again: a second sender that finds the group
 * stopped at a later time would then send the pair once more. */
static void on_sig(int sig)
{
	if (sig != SIGHUP)
		__atomic_add_fetch(&cnt->cont, 1, __ATOMIC_SEQ_CST);
	else if (__atomic_add_fetch(&cnt->hup, 1, __ATOMIC_SEQ_CST) == 1)
		kill(getpid(), SIGSTOP);
}

/* Y's state and parent as /proc shows them (virtual ids under jobshim). */
static void proc_stat(pid_t pid, char *state, pid_t *ppid)
{
	char path[64], buf[512];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	*state = '?';
	*ppid = -1;
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	if (fgets(buf, sizeof buf, f)) {
		char *p = strrchr(buf, ')');
		if (p)
			sscanf(p + 1, " %c %d", state, ppid);
	}
	fclose(f);
}

static void orphan_case(const char *title, int own_session, int with_tty)
{
	it_out("-- %s", title);
	struct it_chan done = it_chan(), yp = it_chan();
	cnt->hup = cnt->cont = 0;
	pid_t l = it_fork("L");
	if (l == 0) {
		if (own_session)
			IT_PID("L: setsid", setsid());
		if (with_tty) {
			int m, s;
			char name[64];
			signal(SIGHUP, SIG_IGN);
			if (openpty(&m, &s, name, NULL, NULL) < 0)
				it_die("openpty");
			int fd = open(name, O_RDWR);
			IT_PID("L: terminal's session", tcgetsid(fd));
		}
		pid_t x = it_fork("X");
		if (x == 0) {
			pid_t y = it_fork("Y");
			if (y == 0) {
				struct sigaction sa = { .sa_handler = on_sig };
				sigaction(SIGHUP, &sa, NULL);
				sigaction(SIGCONT, &sa, NULL);
				setpgid(0, 0);
				raise(SIGSTOP);
				it_out("Y: SIGHUP x%d, SIGCONT x%d", cnt->hup, cnt->cont);
				it_put(done, 'y');
				_exit(0);
			}
			setpgid(y, y);
			it_put(yp, (char)(y & 0xff));
			it_put(yp, (char)((y >> 8) & 0xff));
			it_put(yp, (char)((y >> 16) & 0xff));
			int st;
			waitpid(y, &st, WUNTRACED);
			it_out("X: Y %s", it_status(st));
			_exit(0);
		}
		char st;
		pid_t pp;
		pid_t y = (pid_t)it_get(yp) | (pid_t)it_get(yp) << 8 | (pid_t)it_get(yp) << 16;
		/* Until Y has taken the first SIGHUP and stopped itself again.
		 * Not "adopted and stopped": natively the reparenting is visible
		 * in /proc before the kernel sends the pair (exit_notify), and a
		 * SIGCONT from L then could be merged with the kernel's before
		 * the handler's SIGSTOP, which nobody would continue.  The 'T'
		 * must be seen after the count: see the loop. */
		int hup;
		do {
			sched_yield();
			/* The count first, then /proc: a 'T' read before the
			 * handler ran is Y's first stop, and a SIGCONT sent on it
			 * would come before the handler's SIGSTOP. */
			hup = __atomic_load_n(&cnt->hup, __ATOMIC_SEQ_CST);
			proc_stat(y, &st, &pp);
		} while (hup == 0 || pp == x || st != 'T');
		IT_PID("L: Y's new parent", pp);
		kill(y, SIGCONT);
		it_expect(done, 'y'); /* X's exit, not its reaping, orphans */
		it_out("X: %s", it_status(it_reap(x)));
		_exit(0);
	}
	it_out("L: %s", it_status(it_reap(l)));
}

int main(void)
{
	it_init();
	cnt = mmap(NULL, sizeof *cnt, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (cnt == MAP_FAILED)
		it_die("mmap");
	orphan_case("in main's session", 0, 0);
	orphan_case("in a new session without a terminal", 1, 0);
	orphan_case("in a new session with a terminal", 1, 1);
	return 0;
}
