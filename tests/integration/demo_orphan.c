/* demo_orphan.c — `make demo`: a stopped process's group is orphaned and gets SIGHUP, SIGCONT; told in words. */
#include "lib/itest.h"

/*
 * The tree: this program M forks P; P forks S; S moves into a group of
 * its own and stops itself.  While P lives, S's group has a link to the
 * rest of the session (S's parent P, in M's group).  When P exits, S is
 * reparented to init, its group is orphaned and has a stopped member:
 * Linux (and jobshim) send SIGHUP then SIGCONT to every member.  Real pids
 * are printed: under jobshim they are the virtual ones (2, 3, 4, init 1).
 */

static int rec_w = -1;

static void on_sig(int sig)
{
	char b = sig == SIGHUP ? 'H' : 'C';
	it_write_all(rec_w, &b, 1);
}

int main(void)
{
	it_guard();
	struct it_chan rec = it_chan(), ctl = it_chan(), info = it_chan();
	rec_w = rec.w;
	pid_t m = getpid();
	it_out("pid %d: session %d, group %d, parent %d%s", (int)m, (int)getsid(0),
	       (int)getpgrp(), (int)getppid(), getppid() == 1 ? " (init)" : "");
	pid_t p = fork();
	if (p == 0) {
		it_guard();
		pid_t s = fork();
		if (s == 0) {
			it_guard();
			setpgid(0, 0);
			struct sigaction sa;
			memset(&sa, 0, sizeof sa);
			sa.sa_handler = on_sig;
			sa.sa_flags = SA_RESTART;
			sigaction(SIGHUP, &sa, NULL);
			sigaction(SIGCONT, &sa, NULL);
			raise(SIGSTOP);
			pid_t pp = getppid();
			it_put_rec(info.w, &pp, sizeof pp);
			_exit(0);
		}
		int st;
		waitpid(s, &st, WUNTRACED);
		it_put_rec(info.w, &s, sizeof s);
		it_get(ctl);
		_exit(0);
	}
	pid_t s, pp;
	if (it_get_rec(info.r, &s, sizeof s) < 0)
		it_die("read");
	/* Its group, asked while it is stopped: by the time the orphan rule
	 * has fired it may be gone (init reaps it at once). */
	pid_t g = getpgid(s);
	it_out("pid %d forked pid %d; pid %d forked pid %d", (int)m, (int)p, (int)p, (int)s);
	it_out("pid %d moved to group %d and stopped itself (SIGSTOP)", (int)s, (int)g);
	it_out("group %d is not orphaned: pid %d's parent, pid %d, is in group %d of the same session",
	       (int)g, (int)s, (int)p, (int)getpgid(p));
	it_out("pid %d exits", (int)p);
	it_put(ctl, 'x');
	/* Both signals, in either order; 5 s at most. */
	int hup = 0, cont = 0;
	struct pollfd pf = { rec.r, POLLIN, 0 };
	while (!(hup && cont) && poll(&pf, 1, 5000) > 0) {
		char b;
		if (read(rec.r, &b, 1) != 1)
			break;
		hup |= b == 'H';
		cont |= b == 'C';
	}
	if (hup && cont && it_get_rec(info.r, &pp, sizeof pp) == 0) {
		it_out("group %d is orphaned: pid %d's parent is now pid %d (%s)",
		       (int)g, (int)s, (int)pp, pp == 1 ? "init" : "a subreaper");
		it_out("pid %d got SIGHUP and SIGCONT, was continued and exits", (int)s);
	} else {
		it_out("pid %d got%s%s%s: the orphan rule did not fire", (int)s,
		       hup ? " SIGHUP" : "", cont ? " SIGCONT" : "", hup || cont ? "" : " nothing");
		kill(s, SIGKILL);
	}
	int st;
	waitpid(p, &st, 0);
	it_await_gone(s);
	return hup && cont ? 0 : 1;
}
