/* t_orphan_stop.c — SIGTSTP/SIGTTIN/SIGTTOU are discarded in an orphaned group unless caught. */
#include "lib/itest.h"

/*
 * Linux discards a SIGTSTP, SIGTTIN or SIGTTOU whose action is the default
 * when it reaches a member of an orphaned process group: nobody in the
 * session could continue it.  Here s is alone in its group, and its parent
 * p exits: the group is orphaned.  Main sends s each signal (kill, killpg)
 * and s raises SIGTSTP itself; after each, s must still answer a SIGUSR1
 * (its handler writes a byte) -- a stopped s would not, and main says so
 * after WAIT_MS, then continues it.  A caught SIGTSTP runs its handler.
 * The control: the same SIGTSTP to c, in a group of its own that is not
 * orphaned, stops it.  Every signal names one process or s's own group, by pid.
 */
#define WAIT_MS 3000

static int answers_w = -1;

static void on_usr1(int sig)
{
	char b = 'u';
	(void)sig;
	if (write(answers_w, &b, 1) < 0) {
		/* main reports the silence */
	}
}

static void on_tstp(int sig)
{
	char b = 't';
	(void)sig;
	if (write(answers_w, &b, 1) < 0) {
		/* main reports the silence */
	}
}

/* The byte s writes next, or 0 when it stays silent for WAIT_MS. */
static char answer(int fd)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	char b;
	int r;
	while ((r = poll(&pfd, 1, WAIT_MS)) < 0 && errno == EINTR)
		;
	if (r <= 0 || read(fd, &b, 1) != 1)
		return 0;
	return b;
}

/* After a stop signal: does s still run its SIGUSR1 handler? */
static void probe(const char *what, pid_t s, int fd)
{
	kill(s, SIGUSR1);
	char b = answer(fd);
	it_out("%s: s %s", what, b == 'u' ? "runs on (discarded)" : b ? "answered oddly" : "is stopped");
	if (b != 'u') {
		kill(s, SIGCONT);
		answer(fd); /* the SIGUSR1 answer, late */
	}
}

int main(int argc, char **argv)
{
	it_child_modes(argc, argv);
	it_init();
	struct it_chan ans = it_chan(), cmd = it_chan(), pidc = it_chan(), go = it_chan();
	answers_w = ans.w;

	it_out("-- a stopped-by-default signal in an orphaned group");
	pid_t p = it_fork("p");
	if (p == 0) {
		pid_t s = it_fork("s");
		if (s == 0) {
			signal(SIGUSR1, on_usr1);
			setpgid(0, 0);
			pid_t me = getpid();
			it_put_rec(pidc.w, &me, sizeof me);
			for (;;) {
				int c = it_get(cmd);
				if (c == 'r') {
					raise(SIGTSTP);
					it_out("s: raise(SIGTSTP) returned");
					it_put(ans, 'r');
				} else if (c == 'h') {
					signal(SIGTSTP, on_tstp);
					it_put(ans, 'h');
				} else {
					_exit(0);
				}
			}
		}
		it_expect(go, 'g'); /* s is in its own group by then */
		_exit(0);
	}
	pid_t s;
	if (it_get_rec(pidc.r, &s, sizeof s) < 0)
		it_die("read s");
	it_name(s, "s");
	it_put(go, 'g');
	it_out("p: %s", it_status(it_reap(p)));
	/* s is reparented: its group has no member with a parent in the
	 * session outside it any more. */
	while (getpgid(s) != s)
		sched_yield();
	IT_PID("getpgid(s)", getpgid(s));

	kill(s, SIGTSTP);
	probe("kill(s, SIGTSTP)", s, ans.r);
	kill(s, SIGTTIN);
	probe("kill(s, SIGTTIN)", s, ans.r);
	killpg(s, SIGTTOU);
	probe("killpg(s, SIGTTOU)", s, ans.r);

	it_put(cmd, 'r');
	char b = answer(ans.r);
	it_out("s after raise(SIGTSTP): %s", b == 'r' ? "went on" : "is stopped");
	if (b != 'r') {
		kill(s, SIGCONT);
		answer(ans.r);
	}

	it_put(cmd, 'h');
	answer(ans.r);
	kill(s, SIGTSTP);
	b = answer(ans.r);
	it_out("caught SIGTSTP: %s", b == 't' ? "the handler ran" : "no handler run");
	it_put(cmd, 'x');
	it_out("s reaped by init: %s", it_await_gone(s) ? "yes" : "no");

	/* main leads its own session: its group is orphaned too (its parent
	 * is init, in another session).  c's own group is not: main, c's
	 * parent, is in the same session and another group. */
	it_out("-- the control: a group that is not orphaned");
	pid_t c = it_fork("c");
	if (c == 0) {
		setpgid(0, 0);
		for (;;) /* until killed: no condition to miss a signal for */
			pause();
	}
	if (setpgid(c, c) < 0 && errno != EACCES)
		it_die("setpgid c");
	kill(c, SIGTSTP);
	int st;
	pid_t w = waitpid(c, &st, WUNTRACED);
	it_out("c: %s", w == c ? it_status(st) : "waitpid failed");
	kill(c, SIGKILL);
	kill(c, SIGCONT);
	it_out("c: %s", it_status(it_reap(c)));
	return 0;
}
