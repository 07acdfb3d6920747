/* t_wait.c — wait/waitpid/wait3/wait4: selectors, ECHILD, EINVAL, WNOHANG, statuses, rusage, EINTR. */
#include <dirent.h>
#include <time.h>

#include "lib/itest.h"

/* "what: LABEL STATUS", "what: 0" or "what: -1 ERRNO" for one wait call. */
#define W(what, call) do { int st_ = 0; errno = 0; pid_t r_ = (call); \
	wshow((what), r_, errno, st_); } while (0)

static void wshow(const char *what, pid_t r, int e, int st)
{
	if (r == -1)
		it_out("%s: -1 %s", what, it_errname(e));
	else if (r == 0)
		it_out("%s: 0", what);
	else
		it_out("%s: %s %s", what, it_l(r), it_status(st));
}

static pid_t child_exit(const char *name, pid_t pgid, int code, struct it_chan rel)
{
	pid_t p = it_fork(name);
	if (p == 0) {
		if (pgid)
			setpgid(0, pgid < 0 ? 0 : pgid);
		it_get(rel);
		_exit(code);
	}
	return p;
}

static void no_children(pid_t me, pid_t dead)
{
	it_out("-- no children");
	W("wait(&st)", wait(&st_));
	W("waitpid(-1, WNOHANG)", waitpid(-1, &st_, WNOHANG));
	W("waitpid(0, 0)", waitpid(0, &st_, 0));
	W("waitpid(-main, 0)", waitpid(-me, &st_, 0));
	W("waitpid(dead, 0)", waitpid(dead, &st_, 0));
	W("waitpid(init, 0) (not a child)", waitpid(getppid(), &st_, 0));
	W("wait3(WNOHANG)", wait3(&st_, WNOHANG, NULL));
	W("waitpid(-1, __WALL)", waitpid(-1, &st_, __WALL));
	W("waitpid(-1, 4) (WEXITED is not a wait4 option)", waitpid(-1, &st_, 4));
	W("waitpid(-1, WNOWAIT)", waitpid(-1, &st_, WNOWAIT));
	W("waitpid(dead, 0x10)", waitpid(dead, &st_, 0x10));
}

static void selectors(pid_t me, pid_t dead)
{
	it_out("-- selectors");
	struct it_chan rel = it_chan(), ready = it_chan();
	pid_t x1 = child_exit("x1", 0, 11, rel);
	pid_t x2 = child_exit("x2", -1, 12, rel);
	IT_RC("setpgid(x2, 0)", setpgid(x2, 0));
	pid_t x3 = child_exit("x3", 0, 13, rel);
	IT_RC("setpgid(x3, x2)", setpgid(x3, x2));
	W("waitpid(-1, WNOHANG) (all alive)", waitpid(-1, &st_, WNOHANG));
	W("waitpid(x1, WNOHANG)", waitpid(x1, &st_, WNOHANG));
	W("waitpid(0, WNOHANG)", waitpid(0, &st_, WNOHANG));
	W("waitpid(-x2, WNOHANG)", waitpid(-x2, &st_, WNOHANG));
	W("waitpid(-main, WNOHANG|__WALL)", waitpid(-me, &st_, WNOHANG | __WALL));
	W("waitpid(-dead, WNOHANG) (no such group)", waitpid(-dead, &st_, WNOHANG));
	W("waitpid(-x1, WNOHANG) (no group x1)", waitpid(-x1, &st_, WNOHANG));
	W("waitpid(-1, WNOHANG|4)", waitpid(-1, &st_, WNOHANG | 4));
	W("waitpid(x1, 0x100)", waitpid(x1, &st_, 0x100));
	for (int i = 0; i < 3; i++)
		it_put(rel, 'x');
	it_await_zombie(x1);
	it_await_zombie(x2);
	it_await_zombie(x3);
	W("waitpid(0, WNOHANG)", waitpid(0, &st_, WNOHANG));
	W("waitpid(0, WNOHANG) (the rest are in group x2)", waitpid(0, &st_, WNOHANG));
	W("waitpid(-main, 0)", waitpid(-me, &st_, 0));
	/* Which member of x2's group comes first is not part of the contract. */
	int st_a, st_b;
	pid_t a = waitpid(-x2, &st_a, 0), b = waitpid(-x2, &st_b, 0);
	if (a > 0 && b > 0 && a != x2) {
		pid_t t = a; a = b; b = t;
		int ts = st_a; st_a = st_b; st_b = ts;
	}
	wshow("waitpid(-x2, 0) (either)", a, errno, st_a);
	wshow("waitpid(-x2, 0) (the other)", b, errno, st_b);
	W("waitpid(-x2, WNOHANG) (group gone)", waitpid(-x2, &st_, WNOHANG));

	/* The caller's group at call time decides waitpid(0). */
	pid_t p = it_fork("p");
	if (p == 0) {
		struct it_chan qrel = it_chan();
		pid_t q1 = child_exit("q1", 0, 21, qrel);
		pid_t q2 = child_exit("q2", 0, 22, qrel);
		IT_RC("p: setpgid(0, 0)", setpgid(0, 0));
		it_put(qrel, 'x');
		it_put(qrel, 'x');
		it_await_zombie(q1);
		it_await_zombie(q2);
		W("p: waitpid(0, WNOHANG) (q1, q2 in main's group)", waitpid(0, &st_, WNOHANG));
		IT_RC("p: setpgid(q2, p) (a zombie joins p's group)", setpgid(q2, getpid()));
		IT_PID("p: getpgid(q2)", getpgid(q2));
		W("p: waitpid(0, 0)", waitpid(0, &st_, 0));
		W("p: waitpid(-main, 0)", waitpid(-me, &st_, 0));
		W("p: waitpid(-1, 0)", waitpid(-1, &st_, 0));
		W("p: waitpid(x1, 0) (a sibling)", waitpid(x1, &st_, 0));
		it_put(ready, 'r');
		_exit(0);
	}
	it_expect(ready, 'r');
	W("wait(&st)", wait(&st_));
	(void)dead;
}

static void statuses(void)
{
	it_out("-- statuses");
	pid_t c = it_fork("e3");
	if (c == 0)
		_exit(3);
	W("wait(&st)", wait(&st_));
	c = it_fork("e255");
	if (c == 0)
		_exit(255);
	W("waitpid(e255, 0)", waitpid(c, &st_, 0));
	struct it_chan rel = it_chan();
	c = child_exit("k", 0, 0, rel);
	IT_RC("kill(k, SIGKILL)", kill(c, SIGKILL));
	W("waitpid(k, 0)", waitpid(c, &st_, 0));
	c = it_fork("t");
	if (c == 0)
		raise(SIGTERM);
	W("waitpid(t, 0)", waitpid(c, &st_, 0));
	c = it_fork("a");
	if (c == 0) {
		struct rlimit rl = { 0, 0 };
		setrlimit(RLIMIT_CORE, &rl);
		abort();
	}
	W("waitpid(a, 0) (abort, RLIMIT_CORE 0)", waitpid(c, &st_, 0));
}

/* A core dump when the machine allows one: the test asserts only that the
 * status's core flag agrees with waitid's CLD_DUMPED (both translated). */
static void core_flag(void)
{
	char dir[] = "/tmp/itest-core-XXXXXX";
	if (!mkdtemp(dir))
		it_die("mkdtemp");
	pid_t c = it_fork("d");
	if (c == 0) {
		struct rlimit rl;
		getrlimit(RLIMIT_CORE, &rl);
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_CORE, &rl);
		if (chdir(dir) < 0)
			_exit(1);
		signal(SIGSEGV, SIG_DFL);
		raise(SIGSEGV);
		_exit(2);
	}
	siginfo_t si;
	memset(&si, 0, sizeof si);
	while (waitid(P_PID, (id_t)c, &si, WEXITED | WNOWAIT) < 0 && errno == EINTR)
		;
	int st = it_reap(c);
	int dumped = si.si_code == CLD_DUMPED, flag = WIFSIGNALED(st) && WCOREDUMP(st);
	it_out("d: killed by %s; core flag agrees with CLD_DUMPED: %s",
	       WIFSIGNALED(st) ? it_signame(WTERMSIG(st)) : "?",
	       dumped == flag && si.si_pid == c ? "yes" : "no");
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char path[sizeof dir + 300];
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		unlink(path);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

static void stop_continue(pid_t me)
{
	it_out("-- stopped and continued");
	struct it_chan rel = it_chan();
	pid_t s = it_fork("s");
	if (s == 0) {
		raise(SIGSTOP);
		it_get(rel);
		_exit(0);
	}
	W("waitpid(s, WUNTRACED)", waitpid(s, &st_, WUNTRACED));
	W("waitpid(s, WUNTRACED|WNOHANG) (reported once)", waitpid(s, &st_, WUNTRACED | WNOHANG));
	W("waitpid(s, WNOHANG)", waitpid(s, &st_, WNOHANG));
	W("waitpid(-1, WUNTRACED|WCONTINUED|WNOHANG)", waitpid(-1, &st_, WUNTRACED | WCONTINUED | WNOHANG));
	IT_RC("kill(s, SIGCONT)", kill(s, SIGCONT));
	W("waitpid(s, WCONTINUED)", waitpid(s, &st_, WCONTINUED));
	W("waitpid(s, WCONTINUED|WNOHANG) (reported once)", waitpid(s, &st_, WCONTINUED | WNOHANG));
	IT_RC("kill(s, SIGSTOP)", kill(s, SIGSTOP));
	W("waitpid(0, WUNTRACED)", waitpid(0, &st_, WUNTRACED));
	IT_RC("kill(s, SIGCONT)", kill(s, SIGCONT));
	W("waitpid(-main, WCONTINUED)", waitpid(-me, &st_, WCONTINUED));
	IT_RC("kill(s, SIGSTOP)", kill(s, SIGSTOP));
	W("wait3(WUNTRACED)", wait3(&st_, WUNTRACED, NULL));
	IT_RC("kill(s, SIGCONT)", kill(s, SIGCONT));
	W("wait4(-1, WCONTINUED)", wait4(-1, &st_, WCONTINUED, NULL));
	it_put(rel, 'x');
	W("waitpid(s, 0)", waitpid(s, &st_, 0));

	/* The same through a group selector of another group. */
	pid_t g = it_fork("g");
	if (g == 0) {
		setpgid(0, 0);
		raise(SIGSTOP);
		it_get(rel);
		_exit(5);
	}
	setpgid(g, g); /* either side may run first */
	W("waitpid(-g, WUNTRACED)", waitpid(-g, &st_, WUNTRACED));
	IT_RC("kill(g, SIGCONT)", kill(g, SIGCONT));
	W("waitpid(-g, WCONTINUED)", waitpid(-g, &st_, WCONTINUED));
	it_put(rel, 'x');
	W("waitpid(-g, 0)", waitpid(-g, &st_, 0));
}

static long cpu_us(const struct rusage *ru)
{
	return (ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) * 1000000L +
	       ru->ru_utime.tv_usec + ru->ru_stime.tv_usec;
}

static pid_t busy(const char *name)
{
	pid_t c = it_fork(name);
	if (c == 0) {
		struct rusage ru;
		volatile unsigned long x = 0;
		do {
			for (int i = 0; i < 100000; i++)
				x += (unsigned long)i;
			getrusage(RUSAGE_SELF, &ru);
		} while (cpu_us(&ru) < 20000);
		_exit(x == 1 ? 1 : 0); /* x is used: the loop is not optimized away */
	}
	return c;
}

static void rusage(void)
{
	it_out("-- rusage");
	struct rusage ru;
	int st;
	pid_t c = busy("b1");
	memset(&ru, 0, sizeof ru);
	IT_PID("wait4(b1, 0)", wait4(c, &st, 0, &ru));
	it_out("  cpu >= 10 ms: %s, maxrss > 0: %s", cpu_us(&ru) >= 10000 ? "yes" : "no",
	       ru.ru_maxrss > 0 ? "yes" : "no");
	c = busy("b2");
	memset(&ru, 0, sizeof ru);
	IT_PID("wait3(0)", wait3(&st, 0, &ru));
	it_out("  cpu >= 10 ms: %s, maxrss > 0: %s", cpu_us(&ru) >= 10000 ? "yes" : "no",
	       ru.ru_maxrss > 0 ? "yes" : "no");
	IT_RC("wait4(-1, 0, &ru) (no children)", wait4(-1, &st, 0, &ru));
}

/* An unwritable rusage: the kernel reaps the child, writes the status,
 * then fails EFAULT copying the rusage.  The child is gone for good (the
 * model too must know it: kill(c, 0) is ESRCH, a second wait ECHILD). */
static void rusage_fault(void)
{
	it_out("-- rusage unwritable");
	struct it_chan rel = it_chan();
	struct rusage *bad = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	const char *sel[] = { "c", "-1", "0" };
	siginfo_t si;

	munmap(bad, 4096);
	for (int i = 0; i < 3; i++) {
		pid_t c = child_exit("r", 0, 20 + i, rel);
		pid_t arg = i == 0 ? c : i == 1 ? -1 : 0;
		char what[64];
		it_put(rel, 'r');
		waitid(P_PID, (id_t)c, &si, WEXITED | WNOWAIT); /* a zombie now */
		snprintf(what, sizeof what, "wait4(%s, WNOHANG, bad ru)", sel[i]);
		W(what, wait4(arg, &st_, WNOHANG, bad));
		IT_RC("  kill(r, 0)", kill(c, 0));
		W("  waitpid(r, WNOHANG)", waitpid(c, &st_, WNOHANG));
	}
}

/* An unwritable status or siginfo: read-only, or an int that straddles
 * into a PROT_NONE page (the first bytes are writable: nothing may be
 * written there either, natively the copy fails whole).  The child is
 * reaped all the same; the writable half keeps what it held. */
static void status_fault(void)
{
	it_out("-- status unwritable");
	struct it_chan rel = it_chan();
	char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *two = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	mprotect(two + 4096, 4096, PROT_NONE);
	memset(two + 4094, 0x5a, 2);
	int *where[] = { (int *)(void *)ro, (int *)(void *)(two + 4094) };
	const char *name[] = { "read-only", "straddling" };
	for (int i = 0; i < 2; i++) {
		pid_t c = child_exit("s", 0, 30 + i, rel);
		char what[64];
		it_put(rel, 's');
		waitid(P_PID, (id_t)c, NULL, WEXITED | WNOWAIT); /* a zombie now */
		snprintf(what, sizeof what, "waitpid(s, %s status)", name[i]);
		W(what, waitpid(c, where[i], 0));
		IT_RC("  kill(s, 0)", kill(c, 0));
		it_out("  writable half untouched: %s", two[4094] == 0x5a && two[4095] == 0x5a ? "yes" : "no");
	}
	pid_t c = child_exit("i", 0, 33, rel);
	it_put(rel, 'i');
	IT_RC("waitid(i, read-only siginfo)", waitid(P_PID, (id_t)c, (siginfo_t *)(void *)ro, WEXITED));
	IT_RC("  kill(i, 0)", kill(c, 0));
	munmap(ro, 4096);
	munmap(two, 8192);
}

/* ---- a signal during a blocking wait ----------------------------------- */

struct pester {
	volatile int stop;     /* set by main: the pester child exits */
	volatile int handled;  /* main's handler runs */
};
static struct pester *pe;

static void on_usr1(int sig)
{
	(void)sig;
	pe->handled++;
}

/* A child that signals its parent every 2 ms until told to stop, or until
 * the parent's handler ran `until` times; it exits 7. */
static pid_t pester(const char *name, int until, pid_t pgid)
{
	pid_t c = it_fork(name);
	if (c == 0) {
		if (pgid)
			setpgid(0, pgid < 0 ? 0 : pgid);
		struct timespec ts = { 0, 2000000 };
		while (!pe->stop && (until == 0 || pe->handled < until)) {
			kill(getppid(), SIGUSR1);
			nanosleep(&ts, NULL);
		}
		_exit(7);
	}
	return c;
}

static void handler(int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
}

static void interrupted(void)
{
	it_out("-- a signal during a blocking wait");
	pe = mmap(NULL, sizeof *pe, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (pe == MAP_FAILED)
		it_die("mmap");
	handler(0);
	pid_t c = pester("i1", 0, 0);
	W("waitpid(i1, 0) (handler without SA_RESTART)", waitpid(c, &st_, 0));
	pe->stop = 1;
	W("waitpid(i1, 0)", waitpid(c, &st_, 0));
	pe->stop = 0;
	c = pester("i2", 0, 0);
	W("waitpid(0, 0) (handler without SA_RESTART)", waitpid(0, &st_, 0));
	pe->stop = 1;
	W("waitpid(i2, 0)", waitpid(c, &st_, 0));
	pe->stop = 0;
	c = pester("i3", 0, -1);
	setpgid(c, c);
	W("waitpid(-i3, 0) (handler without SA_RESTART)", waitpid(-c, &st_, 0));
	pe->stop = 1;
	W("waitpid(-i3, 0)", waitpid(-c, &st_, 0));

	pe->stop = 0;
	handler(SA_RESTART);
	pe->handled = 0;
	c = pester("r1", 3, 0);
	W("waitpid(r1, 0) (SA_RESTART)", waitpid(c, &st_, 0));
	it_out("  handler ran: %s", pe->handled >= 3 ? "yes" : "no");
	pe->handled = 0;
	c = pester("r2", 3, -1);
	setpgid(c, c);
	W("waitpid(-r2, 0) (SA_RESTART)", waitpid(-c, &st_, 0));
	it_out("  handler ran: %s", pe->handled >= 3 ? "yes" : "no");
	pe->handled = 0;
	c = pester("r3", 3, 0);
	W("waitpid(0, 0) (SA_RESTART)", waitpid(0, &st_, 0));
	it_out("  handler ran: %s", pe->handled >= 3 ? "yes" : "no");
	signal(SIGUSR1, SIG_IGN);
}

int main(int argc, char **argv)
{
	it_child_modes(argc, argv);
	it_init();
	pid_t me = getpid(), dead = it_dead_pid();
	no_children(me, dead);
	selectors(me, dead);
	statuses();
	core_flag();
	stop_continue(me);
	rusage();
	rusage_fault();
	status_fault();
	interrupted();
	return 0;
}
