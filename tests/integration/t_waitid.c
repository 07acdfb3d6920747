/* t_waitid.c — waitid(2): EINVAL rules, P_PID/P_PGID/P_ALL, WNOWAIT, WNOHANG, siginfo values. */
#include "lib/itest.h"

static const char *code_name(int code)
{
	switch (code) {
	case CLD_EXITED: return "CLD_EXITED";
	case CLD_KILLED: return "CLD_KILLED";
	case CLD_DUMPED: return "CLD_DUMPED";
	case CLD_STOPPED: return "CLD_STOPPED";
	case CLD_CONTINUED: return "CLD_CONTINUED";
	case CLD_TRAPPED: return "CLD_TRAPPED";
	default: return it_itoa(code);
	}
}

/* One waitid call; siginfo is pre-filled with garbage so that what the
 * call leaves (or zeroes) shows. */
static void wid(const char *what, idtype_t type, id_t id, int options)
{
	siginfo_t si;
	memset(&si, 0x5a, sizeof si);
	errno = 0;
	int r = waitid(type, id, &si, options);
	if (r < 0) {
		it_out("%s: -1 %s", what, it_errname(errno));
		return;
	}
	if (si.si_pid == 0) {
		it_out("%s: %d si_pid 0 si_signo %d", what, r, si.si_signo);
		return;
	}
	int st = si.si_status;
	it_out("%s: %d si_pid %s si_signo %s si_code %s si_status %s si_uid %s", what, r,
	       it_l(si.si_pid), it_signame(si.si_signo), code_name(si.si_code),
	       si.si_code == CLD_EXITED ? it_itoa(st) : it_signame(st),
	       si.si_uid == getuid() ? "me" : "other");
}

static pid_t child_exit(const char *name, int own_group, int code, struct it_chan rel)
{
	pid_t p = it_fork(name);
	if (p == 0) {
		if (own_group)
			setpgid(0, 0);
		it_get(rel);
		_exit(code);
	}
	if (own_group)
		setpgid(p, p); /* either side may run first */
	return p;
}

static void einval(pid_t dead)
{
	it_out("-- EINVAL and ECHILD");
	wid("waitid(P_ALL, 0, WNOHANG) (no event type)", P_ALL, 0, WNOHANG);
	wid("waitid(P_ALL, 0, 0)", P_ALL, 0, 0);
	wid("waitid(P_PID, 0, WEXITED)", P_PID, 0, WEXITED);
	wid("waitid(P_PID, -1, WEXITED)", P_PID, (id_t)-1, WEXITED);
	wid("waitid(P_ALL, 0, WEXITED) (no children)", P_ALL, 0, WEXITED);
	wid("waitid(P_PID, dead, WEXITED)", P_PID, (id_t)dead, WEXITED);
	wid("waitid(P_PID, init, WEXITED) (not a child)", P_PID, (id_t)getppid(), WEXITED);
	wid("waitid(P_PGID, 0, WEXITED)", P_PGID, 0, WEXITED);
	wid("waitid(P_PGID, dead, WEXITED)", P_PGID, (id_t)dead, WEXITED);
	wid("waitid(42, 0, WEXITED) (bad idtype)", (idtype_t)42, 0, WEXITED);
	wid("waitid(P_ALL, 0, WEXITED|0x10)", P_ALL, 0, WEXITED | 0x10);
}

static void selectors(pid_t me)
{
	it_out("-- selectors, WNOHANG, WNOWAIT");
	struct it_chan rel = it_chan();
	pid_t c1 = child_exit("c1", 0, 7, rel);
	pid_t c2 = child_exit("c2", 1, 8, rel);
	wid("waitid(P_ALL, 0, WEXITED|WNOHANG) (all alive)", P_ALL, 0, WEXITED | WNOHANG);
	wid("waitid(P_PID, c1, WEXITED|WNOHANG)", P_PID, (id_t)c1, WEXITED | WNOHANG);
	wid("waitid(P_PGID, 0, WEXITED|WNOHANG)", P_PGID, 0, WEXITED | WNOHANG);
	wid("waitid(P_PGID, c2, WEXITED|WNOHANG)", P_PGID, (id_t)c2, WEXITED | WNOHANG);
	it_put(rel, 'x');
	it_put(rel, 'x');
	it_await_zombie(c1);
	it_await_zombie(c2);
	wid("waitid(P_PID, c1, WSTOPPED|WNOHANG) (exit not asked for)", P_PID, (id_t)c1,
	    WSTOPPED | WNOHANG);
	wid("waitid(P_PGID, 0, WEXITED|WNOWAIT)", P_PGID, 0, WEXITED | WNOWAIT);
	wid("waitid(P_PGID, 0, WEXITED|WNOWAIT) (still there)", P_PGID, 0, WEXITED | WNOWAIT);
	wid("waitid(P_PGID, main, WEXITED)", P_PGID, (id_t)me, WEXITED);
	wid("waitid(P_PGID, 0, WEXITED|WNOHANG) (c1 reaped)", P_PGID, 0, WEXITED | WNOHANG);
	wid("waitid(P_PID, c2, WEXITED|WNOWAIT)", P_PID, (id_t)c2, WEXITED | WNOWAIT);
	IT_PID("waitpid(c2, 0) (left waitable)", waitpid(c2, NULL, 0));
	wid("waitid(P_ALL, 0, WEXITED|WNOHANG) (none left)", P_ALL, 0, WEXITED | WNOHANG);
}

static void states(void)
{
	it_out("-- siginfo of each state");
	pid_t k = it_fork("k");
	if (k == 0) {
		raise(SIGSTOP);
		struct it_chan never = it_chan();
		it_get(never);
		_exit(0);
	}
	wid("waitid(P_PID, k, WSTOPPED|WNOWAIT)", P_PID, (id_t)k, WSTOPPED | WNOWAIT);
	wid("waitid(P_PID, k, WSTOPPED)", P_PID, (id_t)k, WSTOPPED);
	wid("waitid(P_PID, k, WSTOPPED|WNOHANG) (reported once)", P_PID, (id_t)k, WSTOPPED | WNOHANG);
	IT_RC("kill(k, SIGCONT)", kill(k, SIGCONT));
	wid("waitid(P_ALL, 0, WCONTINUED)", P_ALL, 0, WCONTINUED);
	wid("waitid(P_ALL, 0, WCONTINUED|WNOHANG) (reported once)", P_ALL, 0, WCONTINUED | WNOHANG);
	IT_RC("kill(k, SIGTERM)", kill(k, SIGTERM));
	wid("waitid(P_PGID, 0, WEXITED)", P_PGID, 0, WEXITED);

	pid_t e = it_fork("e");
	if (e == 0)
		_exit(200);
	wid("waitid(P_PID, e, WEXITED|WSTOPPED|WCONTINUED)", P_PID, (id_t)e,
	    WEXITED | WSTOPPED | WCONTINUED);
	pid_t a = it_fork("a");
	if (a == 0) {
		struct rlimit rl = { 0, 0 };
		setrlimit(RLIMIT_CORE, &rl);
		abort();
	}
	wid("waitid(P_ALL, 0, WEXITED) (abort, no core)", P_ALL, 0, WEXITED);
	wid("waitid(P_ALL, 0, WEXITED|WNOHANG) (no children)", P_ALL, 0, WEXITED | WNOHANG);
}

int main(int argc, char **argv)
{
	it_child_modes(argc, argv);
	it_init();
	pid_t me = getpid(), dead = it_dead_pid();
	einval(dead);
	selectors(me);
	states();
	return 0;
}
