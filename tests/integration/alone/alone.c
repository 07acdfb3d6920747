/* alone.c — a program the shim cannot be in (built static with glibc and musl, or with raw `syscall` instructions): its ids and pid calls. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <termios.h>
#include <sys/prctl.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * Built three ways by prog_alone.sh: gcc -static, musl-gcc -static, and
 * with -DRAW (every call below made with the `syscall` instruction itself,
 * no libc wrapper).  Its output must be the same natively and under
 * jobshim: the numbers are those of a private pid namespace.
 */
#ifdef RAW
static long sc(long nr, long a, long b, long c)
{
	long ret;
	__asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
	return ret;
}
static long sc4(long nr, long a, long b, long c, long d)
{
	long ret;
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = 0;
	__asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8) : "rcx", "r11", "memory");
	return ret;
}
static long sc6(long nr, long a, long b, long c, long d, long e, long f)
{
	long ret;
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	__asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9) : "rcx", "r11", "memory");
	return ret;
}
#else
static long sc6(long nr, long a, long b, long c, long d, long e, long f)
{
	long r = syscall(nr, a, b, c, d, e, f);
	return r < 0 ? -errno : r;
}
static long sc4(long nr, long a, long b, long c, long d)
{
	long r = syscall(nr, a, b, c, d, 0L);
	return r < 0 ? -errno : r;
}
static long sc(long nr, long a, long b, long c)
{
	long r = syscall(nr, a, b, c);
	return r < 0 ? -errno : r;
}
#endif

/* musl has no strerrorname_np */
static const char *ename(long e)
{
	static char buf[32];

	switch (e) {
	case EPERM: return "EPERM";
	case ESRCH: return "ESRCH";
	case EINVAL: return "EINVAL";
	case ECHILD: return "ECHILD";
	case EFAULT: return "EFAULT";
	case ENOSYS: return "ENOSYS";
	}
	snprintf(buf, sizeof(buf), "errno %ld", e);
	return buf;
}

static void show(const char *what, long r)
{
	if (r < 0)
		printf("%s = -1 %s\n", what, ename(-r));
	else
		printf("%s = %ld\n", what, r);
}

/* A vfork child that exits at once (one asm block: the child must not
 * return through a frame its parent still needs).  Its pid, or -errno. */
static long vfork_exit(int code)
{
	long ret;

	__asm__ volatile("syscall\n\ttest %%rax, %%rax\n\tjnz 1f\n\t"
			 "mov $60, %%eax\n\tmov %2, %%edi\n\tsyscall\n1:"
			 : "=a"(ret) : "a"((long)SYS_vfork), "r"(code) : "rcx", "r11", "rdi", "memory");
	return ret;
}

static void wstat(const char *what, long r, const int *stp)
{
	int st = *stp;

	if (r < 0)
		printf("%s = -1 %s\n", what, ename(-r));
	else if (r == 0)
		printf("%s = 0\n", what);
	else if (WIFEXITED(st))
		printf("%s = %ld exit %d\n", what, r, WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		printf("%s = %ld killed %d\n", what, r, WTERMSIG(st));
	else if (WIFSTOPPED(st))
		printf("%s = %ld stopped %d\n", what, r, WSTOPSIG(st));
	else if (WIFCONTINUED(st))
		printf("%s = %ld continued\n", what, r);
}

static void sinfo(const char *what, long r, const siginfo_t *si)
{
	if (r < 0)
		printf("%s = -1 %s\n", what, ename(-r));
	else
		printf("%s = %ld si_pid %d code %d status %d\n", what, r, si->si_pid, si->si_code,
		       si->si_status);
}

static int ready[2] = {-1, -1}, go_w = -1;

/* A child that says its pid, then waits for a byte on fd (or -1: no wait)
 * and exits with code; grp: make its own group first.  The parent goes on
 * when the child has said it (one line at a time). */
static long child(long (*mk)(void), int fd, int code, int grp)
{
	long c = mk();
	char b = 0;

	if (c != 0) {
		if (c > 0 && fd >= 0)
			while (sc(SYS_read, ready[0], (long)&b, 1) < 0)
				;
		return c;
	}
	if (go_w >= 0)
		sc(SYS_close, go_w, 0, 0);
	if (grp)
		sc(SYS_setpgid, 0, 0, 0);
	printf("child: getpid %ld getppid %ld\n", sc(SYS_getpid, 0, 0, 0), sc(SYS_getppid, 0, 0, 0));
	if (fd >= 0) {
		sc(SYS_write, ready[1], (long)&b, 1);
		char b;
		while (sc(SYS_read, fd, (long)&b, 1) < 0)
			;
	}
	sc(SYS_exit, code, 0, 0);
	return 0;
}

static long mk_fork(void) { return sc(SYS_fork, 0, 0, 0); }
static long mk_clone(void) { return sc4(SYS_clone, SIGCHLD, 0, 0, 0); }
static long mk_clone3(void)
{
	/* struct clone_args: flags, pidfd, child_tid, parent_tid, exit_signal, ... */
	unsigned long long args[11] = {0, 0, 0, 0, SIGCHLD};
	return sc(SYS_clone3, (long)args, 88, 0);
}

/* The fork family returns the child's pid (what it says getpid is), wait4
 * and waitid take and give pids, as Linux. */
static int fork_mode(void)
{
	int st = 0, p[2];
	long c, a, b1, b2, r;
	siginfo_t si;
	char buf[96];
	long (*mk[])(void) = {mk_fork, mk_clone, mk_clone3};
	const char *names[] = {"fork", "clone", "clone3"};

	for (int i = 0; i < 3; i++) {
		c = child(mk[i], -1, 3 + i, 0);
		r = sc4(SYS_wait4, c, (long)&st, 0, 0);
		printf("%s = %ld\n", names[i], c);
		snprintf(buf, sizeof(buf), "wait4(%s child)", names[i]);
		wstat(buf, r, &st);
	}
	c = vfork_exit(6);
	r = sc4(SYS_wait4, -1, (long)&st, 0, 0);
	printf("vfork = %ld\n", c);
	wstat("wait4(-1)", r, &st);
	/* groups: a in its own, b1 and b2 in ours */
	if (pipe(p) < 0 || pipe(ready) < 0)
		return 1;
	go_w = p[1];
	a = child(mk_fork, p[0], 10, 1);
	b1 = child(mk_fork, p[0], 11, 0);
	b2 = child(mk_fork, p[0], 12, 0);
	printf("a %ld b1 %ld b2 %ld\n", a, b1, b2);
	wstat("wait4(0, WNOHANG)", sc4(SYS_wait4, 0, (long)&st, WNOHANG, 0), &st);
	memset(&si, 0, sizeof(si));
	sinfo("waitid(P_ALL, WNOHANG)", sc4(SYS_waitid, P_ALL, 0, (long)&si, WEXITED | WNOHANG), &si);
	close(p[1]);
	r = sc4(SYS_wait4, -a, (long)&st, 0, 0);
	wstat("wait4(-a)", r, &st);
	memset(&si, 0, sizeof(si));
	sinfo("waitid(P_PID b1, WNOWAIT)", sc4(SYS_waitid, P_PID, b1, (long)&si, WEXITED | WNOWAIT), &si);
	memset(&si, 0, sizeof(si));
	sinfo("waitid(P_PGID 0)", sc4(SYS_waitid, P_PGID, 0, (long)&si, WEXITED), &si);
	r = sc4(SYS_wait4, 0, 0, 0, 0);
	printf("wait4(0, NULL) = %ld, the other of b1 b2: %d\n", r, r == b1 || r == b2);
	wstat("wait4(-1) none left", sc4(SYS_wait4, -1, (long)&st, 0, 0), &st);
	close(p[0]);
	/* a child that stops and is continued */
	if (pipe(p) < 0)
		return 1;
	c = sc(SYS_fork, 0, 0, 0);
	if (c == 0) {
		char b;
		sc(SYS_close, p[1], 0, 0);
		sc(SYS_kill, sc(SYS_getpid, 0, 0, 0), SIGSTOP, 0);
		while (sc(SYS_read, p[0], (long)&b, 1) < 0)
			;
		sc(SYS_exit, 7, 0, 0);
	}
	close(p[0]);
	wstat("wait4(c, WUNTRACED)", sc4(SYS_wait4, c, (long)&st, WUNTRACED, 0), &st);
	sc(SYS_kill, c, SIGCONT, 0);
	wstat("wait4(c, WCONTINUED)", sc4(SYS_wait4, c, (long)&st, WCONTINUED, 0), &st);
	close(p[1]);
	memset(&si, 0, sizeof(si));
	sinfo("waitid(P_PID c)", sc4(SYS_waitid, P_PID, c, (long)&si, WEXITED), &si);
	printf("c %ld\n", c);
	/* bad input */
	wstat("wait4(99999)", sc4(SYS_wait4, 99999, (long)&st, 0, 0), &st);
	wstat("wait4(-99999)", sc4(SYS_wait4, -99999, (long)&st, 0, 0), &st);
	wstat("wait4(INT_MIN)", sc4(SYS_wait4, INT_MIN, (long)&st, 0, 0), &st);
	wstat("wait4(-1, bad options)", sc4(SYS_wait4, -1, (long)&st, 0x100000, 0), &st);
	wstat("wait4(0) no child", sc4(SYS_wait4, 0, (long)&st, 0, 0), &st);
	sinfo("waitid(P_PID 0)", sc4(SYS_waitid, P_PID, 0, (long)&si, WEXITED), &si);
	sinfo("waitid(P_PID 99999)", sc4(SYS_waitid, P_PID, 99999, (long)&si, WEXITED), &si);
	sinfo("waitid(P_PGID -1)", sc4(SYS_waitid, P_PGID, -1, (long)&si, WEXITED), &si);
	sinfo("waitid(P_ALL, no options)", sc4(SYS_waitid, P_ALL, 0, (long)&si, 0), &si);
	sinfo("waitid(P_ALL) no child", sc4(SYS_waitid, P_ALL, 0, (long)&si, WEXITED), &si);
	return 0;
}

/*
 * Many children, one after the other and all at once, each waited for by
 * its pid: the tracer numbers them from the shared counter and knows its
 * tracees' children itself (supervisor/tracer_local.c), past the size of
 * its table (then it asks).  A reaped child is gone for kill and getpgid
 * at once, a child still waitable (WNOWAIT) is not.
 */
#define MANY 600
static int forkmany_mode(void)
{
	static long kids[MANY];
	int st = 0, p[2], same = 1, gone = 1, order = 1;
	siginfo_t si;
	long c, r;

	for (int i = 0; i < MANY; i++) {
		c = sc(SYS_fork, 0, 0, 0);
		if (c == 0)
			sc(SYS_exit, i % 100, 0, 0);
		if (i % 2) {
			memset(&si, 0, sizeof(si));
			r = sc4(SYS_waitid, P_PID, c, (long)&si, WEXITED | WNOWAIT);
			same &= r == 0 && si.si_pid == c && si.si_status == i % 100;
			gone &= sc(SYS_kill, c, 0, 0) == 0;
		}
		r = sc4(SYS_wait4, c, (long)&st, 0, 0);
		same &= r == c && WIFEXITED(st) && WEXITSTATUS(st) == i % 100;
		gone &= sc(SYS_kill, c, 0, 0) == -ESRCH && sc(SYS_getpgid, c, 0, 0) == -ESRCH;
	}
	printf("one after another: each wait gave the fork's pid and status %d, each reaped pid gone %d\n",
	       same, gone);
	if (pipe(p) < 0)
		return 1;
	same = gone = 1;
	for (int i = 0; i < MANY; i++) {
		char b;
		c = sc(SYS_fork, 0, 0, 0);
		if (c == 0) {
			sc(SYS_close, p[1], 0, 0);
			while (sc(SYS_read, p[0], (long)&b, 1) < 0)
				;
			sc(SYS_exit, i % 100, 0, 0);
		}
		kids[i] = c;
		order &= c > 0 && (i == 0 || c > kids[i - 1]);
	}
	close(p[0]);
	close(p[1]);
	for (int i = MANY - 1; i >= 0; i--) {
		r = sc4(SYS_wait4, kids[i], (long)&st, 0, 0);
		same &= r == kids[i] && WIFEXITED(st) && WEXITSTATUS(st) == i % 100;
		gone &= sc(SYS_kill, kids[i], 0, 0) == -ESRCH && sc(SYS_getpgid, kids[i], 0, 0) == -ESRCH;
	}
	printf("all at once: pids rising %d, each wait gave its pid and status %d, each gone %d\n",
	       order, same, gone);
	wstat("wait4(-1) none left", sc4(SYS_wait4, -1, (long)&st, 0, 0), &st);
	return 0;
}

/* kill(-1, 0) just after a child vanished (the kernel reaped it: SIGCHLD
 * ignored): Linux answers for the processes that exist, 0 here (the older
 * child); the gone one, still in the model for a few ms, must not turn
 * the answer into ESRCH (core/killtally.h; t_killall_gone for the shim). */
static int killgone_mode(void)
{
	int failed = 0;
	long older, c, k, err = 0;
	char b;

	signal(SIGCHLD, SIG_IGN);
	older = sc(SYS_fork, 0, 0, 0);
	if (older == 0)
		for (;;)
			pause();
	for (int r = 0; r < 20; r++) {
		int p[2];
		if (pipe(p) < 0)
			return 1;
		c = sc(SYS_fork, 0, 0, 0);
		if (c == 0)
			sc(SYS_exit, 0, 0, 0);
		close(p[1]);
		while (read(p[0], &b, 1) < 0)
			; /* end of file: it has exited, and is reaped at once */
		close(p[0]);
		usleep(1000);
		k = sc(SYS_kill, -1, 0, 0);
		if (k < 0) {
			failed++;
			err = k;
		}
	}
	printf("kill(-1, 0) after a child vanished: %d of 20 failed%s%s\n", failed, failed ? " with " : "",
	       failed ? ename(-err) : "");
	show("kill(older, SIGKILL)", sc(SYS_kill, older, SIGKILL, 0));
	/* Gone (reaped by the kernel) before we exit: no leftover for init. */
	for (int i = 0; i < 5000 && sc(SYS_kill, older, 0, 0) == 0; i++)
		usleep(1000);
	return 0;
}

/* Its real group and session (/proc/self/stat is the kernel's, not
 * translated for such an image): are they led by itself? */
static void stat_self(const char *who)
{
	char buf[512], *q;
	long n, rpid, ppid, pg, sid;
	int fd = open("/proc/self/stat", O_RDONLY);

	n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	rpid = atol(buf);
	q = strrchr(buf, ')');
	if (q == NULL || sscanf(q + 2, "%*c %ld %ld %ld", &ppid, &pg, &sid) != 3)
		return;
	printf("%s: leads its real group %d and real session %d\n", who, pg == rpid, sid == rpid);
}

/* Two waits for one group: both members, in either order. */
static void wait_two(const char *what, long grp, long x, long y)
{
	int s1 = 0, s2 = 0;
	long r1 = sc4(SYS_wait4, -grp, (long)&s1, 0, 0), r2 = sc4(SYS_wait4, -grp, (long)&s2, 0, 0);

	printf("%s: both members %d, status %d %d\n", what, (r1 == x && r2 == y) || (r1 == y && r2 == x),
	       r1 == x ? s1 : s2, r1 == x ? s2 : s1);
}

/* Groups and sessions made as a shell makes them (the parent's setpgid of
 * its children, a child's setsid): the engine's answers, and real groups
 * and sessions that follow them (a group wait names exactly the group). */
static int pgrp_mode(void)
{
	int st = 0, p[2];
	long a, b, c, s;
	char x = 0;

	if (pipe(p) < 0 || pipe(ready) < 0)
		return 1;
	go_w = p[1];
	a = child(mk_fork, p[0], 20, 0);
	show("setpgid(a, a)", sc(SYS_setpgid, a, a, 0));
	b = child(mk_fork, p[0], 21, 0);
	show("setpgid(b, a)", sc(SYS_setpgid, b, a, 0));
	c = child(mk_fork, p[0], 22, 0);
	printf("getpgid(a) == a %d, getpgid(b) == a %d, getpgid(c) == getpgrp %d\n",
	       sc(SYS_getpgid, a, 0, 0) == a, sc(SYS_getpgid, b, 0, 0) == a,
	       sc(SYS_getpgid, c, 0, 0) == sc(SYS_getpgrp, 0, 0, 0));
	wstat("wait4(-a, WNOHANG)", sc4(SYS_wait4, -a, (long)&st, WNOHANG, 0), &st);
	close(p[1]);
	go_w = -1;
	wait_two("wait4(-a) twice", a, a, b);
	wstat("wait4(-a) none left", sc4(SYS_wait4, -a, (long)&st, 0, 0), &st);
	printf("wait4(0) is c: %d\n", sc4(SYS_wait4, 0, (long)&st, 0, 0) == c);
	wstat("wait4(0) none left", sc4(SYS_wait4, 0, (long)&st, 0, 0), &st);
	close(p[0]);

	/* a group the parent kills */
	if (pipe(p) < 0)
		return 1;
	go_w = p[1];
	a = child(mk_fork, p[0], 30, 0);
	show("setpgid(a, 0)", sc(SYS_setpgid, a, 0, 0));
	b = child(mk_fork, p[0], 31, 0);
	show("setpgid(b, a)", sc(SYS_setpgid, b, a, 0));
	show("kill(-a, SIGTERM)", sc(SYS_kill, -a, SIGTERM, 0));
	wait_two("wait4(-a) after the kill", a, a, b);
	close(p[0]);
	close(p[1]);
	go_w = -1;

	/* a child's setsid */
	if (pipe(p) < 0)
		return 1;
	s = sc(SYS_fork, 0, 0, 0);
	if (s == 0) {
		sc(SYS_close, p[1], 0, 0);
		show("s: setsid() == getpid", sc(SYS_setsid, 0, 0, 0) == sc(SYS_getpid, 0, 0, 0));
		show("s: getpgrp() == getpid", sc(SYS_getpgrp, 0, 0, 0) == sc(SYS_getpid, 0, 0, 0));
		stat_self("s");
		sc(SYS_write, ready[1], (long)&x, 1);
		while (sc(SYS_read, p[0], (long)&x, 1) < 0)
			;
		sc(SYS_exit, 23, 0, 0);
	}
	close(p[0]);
	while (sc(SYS_read, ready[0], (long)&x, 1) < 0)
		;
	show("setpgid(s, s) after its setsid", sc(SYS_setpgid, s, s, 0));
	show("getsid(s) == s", sc(SYS_getsid, s, 0, 0) == s);
	show("getsid(0) == getsid(s)", sc(SYS_getsid, 0, 0, 0) == s);
	close(p[1]);
	wstat("wait4(s) is s", sc4(SYS_wait4, s, (long)&st, 0, 0) == s ? 1 : -ECHILD, &st);
	return 0;
}

/* Calls that take a pid, with the pids the image knows (the tracer makes
 * them real), and a subreaper the engine follows. */
static volatile long secret = 4242;

static int pidcalls_mode(void)
{
	long me = sc(SYS_getpid, 0, 0, 0), c, m, r;
	int p[2], st = 0;
	char x = 0;
	long buf = 0;
	struct rlimit rl, own;
	struct { int prio; } sp;

	if (pipe(p) < 0 || pipe(ready) < 0)
		return 1;
	c = sc(SYS_fork, 0, 0, 0);
	if (c == 0) {
		sc(SYS_close, p[1], 0, 0);
		sc(SYS_write, ready[1], (long)&x, 1);
		while (sc(SYS_read, p[0], (long)&x, 1) < 0)
			;
		printf("child: getpriority(PRIO_PROCESS, 0) = %ld\n", sc(SYS_getpriority, PRIO_PROCESS, 0, 0));
		sc(SYS_exit, 0, 0, 0);
	}
	close(p[0]);
	while (sc(SYS_read, ready[0], (long)&x, 1) < 0)
		;
	show("setpriority(PRIO_PROCESS, c, 5)", sc(SYS_setpriority, PRIO_PROCESS, c, 5));
	show("getpriority(PRIO_PROCESS, c)", sc(SYS_getpriority, PRIO_PROCESS, c, 0));
	show("getpriority(PRIO_PROCESS, me)", sc(SYS_getpriority, PRIO_PROCESS, me, 0));
	show("getpriority(PRIO_PGRP, 0)", sc(SYS_getpriority, PRIO_PGRP, 0, 0));
	show("getpriority(PRIO_PROCESS, 99999)", sc(SYS_getpriority, PRIO_PROCESS, 99999, 0));
	show("setpriority(PRIO_PROCESS, -1, 0)", sc(SYS_setpriority, PRIO_PROCESS, -1, 0));
	show("sched_getscheduler(c)", sc(SYS_sched_getscheduler, c, 0, 0));
	show("sched_getparam(c)", sc(SYS_sched_getparam, c, (long)&sp, 0));
	show("sched_getparam(-1)", sc(SYS_sched_getparam, -1, (long)&sp, 0));
	show("sched_getscheduler(99999)", sc(SYS_sched_getscheduler, 99999, 0, 0));
	sc4(SYS_prlimit64, 0, RLIMIT_NOFILE, 0, (long)&own);
	r = sc4(SYS_prlimit64, c, RLIMIT_NOFILE, 0, (long)&rl);
	show("prlimit64(c, NOFILE)", r);
	printf("prlimit64(c): the same as ours %d\n", r == 0 && rl.rlim_cur == own.rlim_cur);
	show("prlimit64(99999, NOFILE)", sc4(SYS_prlimit64, 99999, RLIMIT_NOFILE, 0, (long)&rl));
	{
		struct iovec l = {&buf, sizeof(buf)}, rv = {(void *)&secret, sizeof(secret)};
		r = sc6(SYS_process_vm_readv, c, (long)&l, 1, (long)&rv, 1, 0);
		printf("process_vm_readv(c) = %ld, read %ld\n", r, buf);
		show("process_vm_readv(99999)", sc6(SYS_process_vm_readv, 99999, (long)&l, 1, (long)&rv, 1, 0));
	}
	/* kcmp(KCMP_VM = 1): equal for the same process; KCMP_FILES = 2 */
	show("kcmp(c, c, KCMP_VM)", sc4(SYS_kcmp, c, c, 1, 0));
	show("kcmp(me, c, KCMP_FILES) != 0", sc4(SYS_kcmp, me, c, 2, 0) > 0);
	show("kcmp(99999, c, KCMP_VM)", sc4(SYS_kcmp, 99999, c, 1, 0));
	{
		/* capget: the pid is in the header (version 3, 0x20080522) */
		struct { uint32_t version; int32_t pid; } hdr = {0x20080522, (int32_t)c};
		struct { uint32_t eff, perm, inh; } data[2];
		show("capget(c)", sc(SYS_capget, (long)&hdr, (long)data, 0));
		printf("capget(c): the header still says c %d\n", hdr.pid == c);
		hdr.pid = 99999;
		show("capget(99999)", sc(SYS_capget, (long)&hdr, (long)data, 0));
		hdr.pid = (int32_t)c;
		show("capset(c)", sc(SYS_capset, (long)&hdr, (long)data, 0));
		hdr.pid = (int32_t)me;
		show("capget(me)", sc(SYS_capget, (long)&hdr, (long)data, 0));
	}
	close(p[1]);
	wstat("wait4(c)", sc4(SYS_wait4, c, (long)&st, 0, 0) == c ? 1 : -ECHILD, &st);

	/* A subreaper: an orphaned grandchild is adopted by us, in the model too. */
	show("prctl(PR_SET_CHILD_SUBREAPER, 1)", sc(SYS_prctl, PR_SET_CHILD_SUBREAPER, 1, 0));
	m = sc(SYS_fork, 0, 0, 0);
	if (m == 0) {
		long mid = sc(SYS_getpid, 0, 0, 0);
		long g = sc(SYS_fork, 0, 0, 0);
		if (g == 0) {
			struct timespec ms = {0, 1000000};
			for (int i = 0; i < 10000 && sc(SYS_getppid, 0, 0, 0) == mid; i++)
				nanosleep(&ms, NULL);
			printf("grandchild: adopted by the subreaper %d\n", sc(SYS_getppid, 0, 0, 0) == me);
			sc(SYS_exit, 9, 0, 0);
		}
		sc(SYS_exit, 0, 0, 0);
	}
	{
		int stm = 0;
		long rm = sc4(SYS_wait4, m, (long)&stm, 0, 0);
		/* the orphan has printed once it is collected: print after it */
		r = sc4(SYS_wait4, -1, (long)&st, 0, 0);
		wstat("wait4(m) is m", rm == m ? 1 : -ECHILD, &stm);
		wstat("wait4(-1): the orphan, not m", r > 0 && r != m ? 1 : r, &st);
	}
	return 0;
}

/* Ids the kernel keeps for a descriptor (fcntl's owner and lock holder,
 * a socket's owner, a terminal's foreground group and session), set and
 * read with the image's own calls: the tracer makes them real going in
 * and virtual coming back, as the shim does for libc's callers. */
static int fdowner_mode(void)
{
	long me = sc(SYS_getpid, 0, 0, 0), pg = sc(SYS_getpgid, 0, 0, 0), c, r;
	char path[] = "/tmp/jobshim-alone-XXXXXX";
	int fd = mkstemp(path), sv[2], p[2], st = 0, owner = 0;
	struct f_owner_ex ex;
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10};
	char x = 0;

	if (fd < 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0 || pipe(p) < 0 || pipe(ready) < 0)
		return 1;
	unlink(path);
	show("F_SETOWN(me)", sc(SYS_fcntl, fd, F_SETOWN, me));
	printf("F_GETOWN is me %d\n", sc(SYS_fcntl, fd, F_GETOWN, 0) == me);
	show("F_SETOWN(-pgrp)", sc(SYS_fcntl, fd, F_SETOWN, -pg));
	printf("F_GETOWN is -pgrp %d\n", sc(SYS_fcntl, fd, F_GETOWN, 0) == -pg);
	show("F_SETOWN(99999)", sc(SYS_fcntl, fd, F_SETOWN, 99999));
	show("F_SETOWN(-99999)", sc(SYS_fcntl, fd, F_SETOWN, -99999));
	show("F_GETOWN(bad fd)", sc(SYS_fcntl, 999, F_GETOWN, 0));
	ex.type = F_OWNER_PID;
	ex.pid = (pid_t)me;
	show("F_SETOWN_EX(PID, me)", sc(SYS_fcntl, fd, F_SETOWN_EX, (long)&ex));
	printf("F_SETOWN_EX left the struct alone %d\n", ex.pid == me);
	memset(&ex, 0, sizeof(ex));
	show("F_GETOWN_EX", sc(SYS_fcntl, fd, F_GETOWN_EX, (long)&ex));
	printf("F_GETOWN_EX: type %d, me %d\n", ex.type, ex.pid == me);
	ex.type = F_OWNER_PGRP;
	ex.pid = (pid_t)pg;
	show("F_SETOWN_EX(PGRP, pgrp)", sc(SYS_fcntl, fd, F_SETOWN_EX, (long)&ex));
	memset(&ex, 0, sizeof(ex));
	sc(SYS_fcntl, fd, F_GETOWN_EX, (long)&ex);
	printf("F_GETOWN_EX: type %d, pgrp %d\n", ex.type, ex.pid == pg);
	ex.type = F_OWNER_PID;
	ex.pid = 99999;
	show("F_SETOWN_EX(PID, 99999)", sc(SYS_fcntl, fd, F_SETOWN_EX, (long)&ex));
	show("F_SETOWN_EX(bad pointer)", sc(SYS_fcntl, fd, F_SETOWN_EX, 8));
	owner = (int)me;
	show("FIOSETOWN(me)", sc(SYS_ioctl, sv[0], FIOSETOWN, (long)&owner));
	printf("FIOSETOWN left the int alone %d\n", owner == me);
	owner = 0;
	show("FIOGETOWN", sc(SYS_ioctl, sv[0], FIOGETOWN, (long)&owner));
	printf("FIOGETOWN is me %d\n", owner == me);
	owner = (int)-pg;
	show("SIOCSPGRP(-pgrp)", sc(SYS_ioctl, sv[0], SIOCSPGRP, (long)&owner));
	owner = 0;
	show("SIOCGPGRP", sc(SYS_ioctl, sv[0], SIOCGPGRP, (long)&owner));
	printf("SIOCGPGRP is -pgrp %d\n", owner == -pg);

	/* A lock's holder, seen from a child: us (a POSIX lock), then -1 (an
	 * OFD lock, which no process holds). */
	show("F_SETLK(write, 0..9)", sc(SYS_fcntl, fd, F_SETLK, (long)&fl));
	fl.l_start = 20;
	show("F_OFD_SETLK(write, 20..29)", sc(SYS_fcntl, fd, F_OFD_SETLK, (long)&fl));
	c = sc(SYS_fork, 0, 0, 0);
	if (c == 0) {
		char self[64];
		int ofd;
		snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
		ofd = open(self, O_RDWR);
		struct flock q = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10};
		show("child: F_GETLK(0..9)", sc(SYS_fcntl, fd, F_GETLK, (long)&q));
		printf("child: held by a write lock %d of the parent %d\n", q.l_type == F_WRLCK,
		       q.l_pid == sc(SYS_getppid, 0, 0, 0));
		struct flock o = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10};
		show("child: F_OFD_GETLK(0..9)", sc(SYS_fcntl, ofd, F_OFD_GETLK, (long)&o));
		printf("child: the parent's POSIX lock %d\n", o.l_pid == sc(SYS_getppid, 0, 0, 0));
		struct flock d = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 20, .l_len = 10};
		show("child: F_OFD_GETLK(20..29)", sc(SYS_fcntl, ofd, F_OFD_GETLK, (long)&d));
		printf("child: an OFD lock, l_pid %d\n", d.l_pid);
		struct flock u = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 40, .l_len = 10};
		sc(SYS_fcntl, fd, F_GETLK, (long)&u);
		printf("child: 40..49 unlocked %d\n", u.l_type == F_UNLCK);
		sc(SYS_exit, 0, 0, 0);
	}
	r = sc4(SYS_wait4, c, (long)&st, 0, 0);
	wstat("wait4(c) is c", r == c ? 1 : r, &st);

	/* A terminal of our own: a child leads a session on a pty's slave,
	 * hands the foreground to its child's group and reads it back. */
	c = sc(SYS_fork, 0, 0, 0);
	if (c == 0) {
		int m = posix_openpt(O_RDWR | O_NOCTTY), s, g = 0, who = 0;
		char name[64];
		long l, gc;
		signal(SIGTTOU, SIG_IGN);
		if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0 || ptsname_r(m, name, sizeof(name)) != 0)
			sc(SYS_exit, 3, 0, 0);
		l = sc(SYS_setsid, 0, 0, 0);
		s = open(name, O_RDWR); /* a session leader without one: our terminal now */
		show("tty: TIOCGPGRP", sc(SYS_ioctl, s, TIOCGPGRP, (long)&g));
		printf("tty: the leader's group is in front %d\n", g == l);
		show("tty: TIOCGSID", sc(SYS_ioctl, s, TIOCGSID, (long)&who));
		printf("tty: the session is ours %d\n", who == l);
		gc = sc(SYS_fork, 0, 0, 0);
		if (gc == 0) {
			sc(SYS_setpgid, 0, 0, 0);
			pause();
			sc(SYS_exit, 0, 0, 0);
		}
		sc(SYS_setpgid, gc, gc, 0);
		g = (int)gc;
		show("tty: TIOCSPGRP(child's group)", sc(SYS_ioctl, s, TIOCSPGRP, (long)&g));
		printf("tty: TIOCSPGRP left the int alone %d\n", g == gc);
		g = 0;
		sc(SYS_ioctl, s, TIOCGPGRP, (long)&g);
		printf("tty: the child's group is in front %d\n", g == gc);
		printf("tty: tcgetpgrp of the master agrees %d\n", tcgetpgrp(m) == gc);
		g = 99999;
		show("tty: TIOCSPGRP(99999)", sc(SYS_ioctl, s, TIOCSPGRP, (long)&g));
		g = -1;
		show("tty: TIOCSPGRP(-1)", sc(SYS_ioctl, s, TIOCSPGRP, (long)&g));
		g = (int)me;
		show("tty: TIOCSPGRP(a group of another session)", sc(SYS_ioctl, s, TIOCSPGRP, (long)&g));
		show("tty: TIOCSPGRP(bad pointer)", sc(SYS_ioctl, s, TIOCSPGRP, 8));
		g = (int)l;
		show("tty: TIOCSPGRP(ours again)", sc(SYS_ioctl, s, TIOCSPGRP, (long)&g));
		sc(SYS_kill, gc, SIGKILL, 0);
		sc4(SYS_wait4, gc, 0, 0, 0);
		sc(SYS_exit, 0, 0, 0);
	}
	r = sc4(SYS_wait4, c, (long)&st, 0, 0);
	wstat("wait4(tty child) is it", r == c ? 1 : r, &st);
	(void)p;
	(void)x;
	return 0;
}

/* The si_code a signal arrives with: kill's SI_USER, tgkill's SI_TKILL,
 * sigqueue's SI_QUEUE and value (the supervisor sends the first two for
 * the image as SI_QUEUE; the tracer shows them as the kernel would). */
static volatile int got_code = 99, got_val = -1, got_pid = -1;

static void on_code(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	got_pid = si->si_pid;
	got_code = si->si_code;
	got_val = si->si_code == SI_QUEUE ? si->si_value.sival_int : -1;
}

static const char *code_name(int c)
{
	return c == SI_USER ? "SI_USER" : c == SI_TKILL ? "SI_TKILL" : c == SI_QUEUE ? "SI_QUEUE" : "?";
}

static int sigcode_mode(void)
{
	struct sigaction sa = {.sa_sigaction = on_code, .sa_flags = SA_SIGINFO};
	long me = sc(SYS_getpid, 0, 0, 0), c;
	siginfo_t qi;
	int st = 0;

	sigaction(SIGUSR1, &sa, NULL);
	show("kill(me, SIGUSR1)", sc(SYS_kill, me, SIGUSR1, 0));
	printf("  arrived as %s from me %d\n", code_name(got_code), got_pid == me);
	got_code = 99;
	show("tgkill(me, me, SIGUSR1)", sc(SYS_tgkill, me, sc(SYS_gettid, 0, 0, 0), SIGUSR1));
	printf("  arrived as %s\n", code_name(got_code));
	got_code = 99;
	memset(&qi, 0, sizeof(qi));
	qi.si_signo = SIGUSR1;
	qi.si_code = SI_QUEUE;
	qi.si_value.sival_int = 42;
	show("rt_sigqueueinfo(me, SIGUSR1, 42)", sc(SYS_rt_sigqueueinfo, me, SIGUSR1, (long)&qi));
	printf("  arrived as %s value %d\n", code_name(got_code), got_val);
	{
		/* dequeued by sigwaitinfo and sigtimedwait rather than delivered */
		sigset_t w;
		siginfo_t wi;
		struct timespec ts = {5, 0};
		sigemptyset(&w);
		sigaddset(&w, SIGUSR2);
		sigprocmask(SIG_BLOCK, &w, NULL);
		sc(SYS_kill, me, SIGUSR2, 0);
		memset(&wi, 0, sizeof(wi));
		show("sigwaitinfo after kill(me, SIGUSR2)", sigwaitinfo(&w, &wi));
		printf("  dequeued as %s from me %d\n", code_name(wi.si_code), wi.si_pid == me);
		sc(SYS_tgkill, me, sc(SYS_gettid, 0, 0, 0), SIGUSR2);
		memset(&wi, 0, sizeof(wi));
		show("sigtimedwait after tgkill(me, me, SIGUSR2)", sigtimedwait(&w, &wi, &ts));
		printf("  dequeued as %s\n", code_name(wi.si_code));
	}
	got_code = 99;
	c = sc(SYS_fork, 0, 0, 0);
	if (c == 0) {
		sc(SYS_kill, sc(SYS_getppid, 0, 0, 0), SIGUSR1, 0);
		sc(SYS_exit, 0, 0, 0);
	}
	while (got_code == 99)
		;
	printf("child's kill(ppid, SIGUSR1) arrived as %s from the child %d\n", code_name(got_code),
	       got_pid == c);
	wstat("wait4(c) is c", sc4(SYS_wait4, c, (long)&st, 0, 0) == c ? 1 : -ECHILD, &st);
	return 0;
}

/* Calls the supervisor answers never fail with EINTR, as natively, while
 * signals whose handler has no SA_RESTART keep arriving (a call a signal
 * interrupts before the supervisor took it is made again: tracer.c). */
static volatile int nsig;

static void count_sig(int sig)
{
	(void)sig;
	nsig++;
}

static int noeintr_mode(void)
{
	struct sigaction sa = {.sa_handler = count_sig}; /* no SA_RESTART */
	long me = sc(SYS_getpid, 0, 0, 0), c, r;
	int eintr = 0, other = 0, st = 0, p[2];
	char x;

	sigaction(SIGUSR1, &sa, NULL);
	if (pipe(p) < 0)
		return 1;
	c = sc(SYS_fork, 0, 0, 0);
	if (c == 0) {
		close(p[0]);
		for (int i = 0; i < 3000; i++)
			sc(SYS_kill, me, SIGUSR1, 0);
		sc(SYS_exit, 0, 0, 0);
	}
	close(p[1]);
	/* until the child is done (its end of the pipe closes) */
	for (int i = 0; i < 2000000; i++) {
		r = sc(i % 3 == 0 ? SYS_getpid : i % 3 == 1 ? SYS_getppid : SYS_getpgrp, 0, 0, 0);
		if (r == -EINTR)
			eintr++;
		else if (r < 0)
			other++;
		r = sc(SYS_kill, me, 0, 0);
		if (r == -EINTR)
			eintr++;
		else if (r < 0)
			other++;
		if (i % 64 == 0) {
			struct pollfd pf = {.fd = p[0], .events = POLLIN};
			if (poll(&pf, 1, 0) > 0 && read(p[0], &x, 1) == 0)
				break;
		}
	}
	wstat("wait4(c) is c", sc4(SYS_wait4, c, (long)&st, 0, 0) == c ? 1 : -ECHILD, &st);
	printf("signals handled: %s; EINTR: %d, other errors: %d\n", nsig > 0 ? "some" : "none", eintr, other);
	return 0;
}

/* CPU clocks named by pid (clock_getcpuclockid: the pid inside the clock
 * id) and a timer signalling a thread by id (SIGEV_THREAD_ID). */
static volatile int timer_fired;

static void on_timer(int sig)
{
	(void)sig;
	timer_fired = 1;
}

static int clocks_mode(void)
{
	long me = sc(SYS_getpid, 0, 0, 0), c;
	clockid_t ck;
	struct timespec ts;
	int p[2], st = 0;
	char x = 0;

	if (pipe(p) < 0)
		return 1;
	printf("clock_getcpuclockid(me) = %d\n", clock_getcpuclockid((pid_t)me, &ck));
	show("clock_gettime(it)", sc(SYS_clock_gettime, ck, (long)&ts, 0));
	show("clock_getres(it)", sc(SYS_clock_getres, ck, (long)&ts, 0));
	printf("clock_getcpuclockid(0) = %d\n", clock_getcpuclockid(0, &ck));
	printf("clock_getcpuclockid(99999) = %s\n", ename(clock_getcpuclockid(99999, &ck)));
	c = sc(SYS_fork, 0, 0, 0);
	if (c == 0) {
		while (sc(SYS_read, p[0], (long)&x, 1) < 0)
			;
		sc(SYS_exit, 0, 0, 0);
	}
	printf("clock_getcpuclockid(child) = %d\n", clock_getcpuclockid((pid_t)c, &ck));
	show("clock_gettime(the child's)", sc(SYS_clock_gettime, ck, (long)&ts, 0));
	sc(SYS_write, p[1], (long)&x, 1);
	wstat("wait4(c) is c", sc4(SYS_wait4, c, (long)&st, 0, 0) == c ? 1 : -ECHILD, &st);
	{
		/* the kernel's struct sigevent: SIGEV_THREAD_ID's tid at 16 */
		struct { union sigval v; int signo, notify, tid, pad[11]; } ev = {
			.signo = SIGALRM, .notify = 4 /* SIGEV_THREAD_ID */ | SIGEV_SIGNAL,
			.tid = (int)sc(SYS_gettid, 0, 0, 0)};
		int tm = -1;
		struct itimerspec its = {.it_value = {0, 1000000}};
		sigset_t w;
		signal(SIGALRM, on_timer);
		long r = sc(SYS_timer_create, CLOCK_MONOTONIC, (long)&ev, (long)&tm);
		show("timer_create(SIGEV_THREAD_ID, gettid())", r);
		printf("timer_create left the sigevent alone %d\n", ev.tid == sc(SYS_gettid, 0, 0, 0));
		if (r == 0)
			r = sc4(SYS_timer_settime, tm, 0, (long)&its, 0);
		show("timer_settime(1 ms)", r);
		sigemptyset(&w);
		while (r == 0 && !timer_fired)
			sigsuspend(&w);
		printf("the timer fired %d\n", timer_fired);
		ev.tid = 99999;
		show("timer_create(SIGEV_THREAD_ID, 99999)",
		     sc(SYS_timer_create, CLOCK_MONOTONIC, (long)&ev, (long)&tm));
	}
	return 0;
}

/* A set*id call with a second thread: the libc tells every thread with a
 * signal of its own (glibc's SIGSETXID, sent with tgkill from the image)
 * and each checks that it came from its own process (si_code SI_TKILL,
 * si_pid == getpid()): the supervisor sends it, the tracer shows it so. */
static void *idle_thread(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static int setxid_mode(void)
{
	pthread_t th;

	if (pthread_create(&th, NULL, idle_thread, NULL) != 0)
		return 1;
	show("setegid(getegid()) with two threads", setegid(getegid()) < 0 ? -errno : 0);
	show("seteuid(geteuid()) with two threads", seteuid(geteuid()) < 0 ? -errno : 0);
	return 0;
}

/* The orphaned-group rule across such images: a session leader's child
 * in a group of its own stops; the leader exits, which orphans that group
 * with a stopped member: SIGHUP then SIGCONT, once each (the kernel's rule
 * in a real session, which the tracer's mirrored setsid makes it). */
static int rec_fd = -1;

static void rec(int sig)
{
	char c = sig == SIGHUP ? 'H' : sig == SIGCONT ? 'C' : '?';

	sc(SYS_write, rec_fd, (long)&c, 1);
}

static int orphan_mode(void)
{
	int out[2], pidp[2], st = 0;
	char buf[16];
	long l, n = 0, r;
	int32_t orphan = 0;

	if (pipe(out) < 0 || pipe(pidp) < 0)
		return 1;
	l = sc(SYS_fork, 0, 0, 0);
	if (l == 0) {
		long c;
		close(out[0]);
		close(pidp[0]);
		show("leader: setsid() == getpid", sc(SYS_setsid, 0, 0, 0) == sc(SYS_getpid, 0, 0, 0));
		c = sc(SYS_fork, 0, 0, 0);
		if (c == 0) {
			struct sigaction sa;
			memset(&sa, 0, sizeof(sa));
			sa.sa_handler = rec;
			sigaction(SIGHUP, &sa, NULL);
			sigaction(SIGCONT, &sa, NULL);
			rec_fd = out[1];
			sc(SYS_setpgid, 0, 0, 0);
			sc(SYS_kill, sc(SYS_getpid, 0, 0, 0), SIGSTOP, 0);
			/* continued: both handlers have run on the way back */
			sc(SYS_exit, 0, 0, 0);
		}
		r = sc4(SYS_wait4, c, (long)&st, WUNTRACED, 0);
		printf("leader: its child stopped %d\n", r == c && WIFSTOPPED(st));
		orphan = (int32_t)c;
		sc(SYS_write, pidp[1], (long)&orphan, sizeof(orphan));
		sc(SYS_exit, 0, 0, 0); /* orphans the child's group */
	}
	close(out[1]);
	close(pidp[1]);
	wstat("wait4(leader)", sc4(SYS_wait4, l, (long)&st, 0, 0) == l ? 1 : -ECHILD, &st);
	if (read(pidp[0], &orphan, sizeof(orphan)) != sizeof(orphan))
		orphan = 0;
	/* Until the orphan closes its end (it exits once continued); a rule
	 * that never fires is released after 10 s and shows as nothing. */
	for (;;) {
		struct pollfd pf = {out[0], POLLIN, 0};
		if (poll(&pf, 1, 10000) <= 0) {
			if (orphan > 0)
				sc(SYS_kill, orphan, SIGKILL, 0);
			break;
		}
		r = read(out[0], buf + n, sizeof(buf) - 1 - (size_t)n);
		if (r <= 0)
			break;
		n += r;
	}
	buf[n] = '\0';
	printf("the orphaned group's stopped member got: %s\n", buf);
	return 0;
}

/* The modes that print their results, compared with Linux by prog_alone.sh. */
static const struct {
	const char *name;
	int (*run)(void);
} modes[] = {
	{"fork", fork_mode},	   {"pgrp", pgrp_mode},	      {"pidcalls", pidcalls_mode},
	{"orphan", orphan_mode},   {"fdowner", fdowner_mode}, {"sigcode", sigcode_mode},
	{"noeintr", noeintr_mode}, {"clocks", clocks_mode},   {"setxid", setxid_mode},
	{"forkmany", forkmany_mode}, {"killgone", killgone_mode},
};

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "ids";
	long pid = sc(SYS_getpid, 0, 0, 0), ppid = sc(SYS_getppid, 0, 0, 0);

	setvbuf(stdout, NULL, _IONBF, 0);
	if (strcmp(mode, "ids") == 0 || strcmp(mode, "child") == 0) {
		printf("alone: pid %ld ppid %ld pgrp %ld sid %ld tid==pid %d\n", pid, ppid,
		       sc(SYS_getpgid, 0, 0, 0), sc(SYS_getsid, 0, 0, 0),
		       sc(SYS_gettid, 0, 0, 0) == pid);
		show("alone: getpgid(ppid) == getpgrp", sc(SYS_getpgid, ppid, 0, 0) == sc(SYS_getpgrp, 0, 0, 0));
		show("alone: setpgid(0, 0)", sc(SYS_setpgid, 0, 0, 0));
		printf("alone: pgrp now %ld\n", sc(SYS_getpgrp, 0, 0, 0));
		/* The result as the exit status: the parent prints from now on. */
		if (strcmp(mode, "child") == 0 && sc(SYS_kill, ppid, SIGUSR1, 0) != 0)
			return 8;
		return 7;
	}
	if (strcmp(mode, "errno") == 0) {
		/* Bad input: Linux's answers, never a stranger signalled. */
		show("kill(99999, 0)", sc(SYS_kill, 99999, 0, 0));
		show("kill(INT_MIN, 0)", sc(SYS_kill, INT_MIN, 0, 0));
		show("kill(-99999, 0)", sc(SYS_kill, -99999, 0, 0));
		show("kill(ppid, 65)", sc(SYS_kill, ppid, 65, 0));
		show("kill(ppid, -1)", sc(SYS_kill, ppid, -1, 0));
		show("kill(99999, 65)", sc(SYS_kill, 99999, 65, 0));
		show("kill(ppid, 0)", sc(SYS_kill, ppid, 0, 0));
		show("kill(0, 0)", sc(SYS_kill, 0, 0, 0));
		show("kill(pid, 0)", sc(SYS_kill, pid, 0, 0));
		show("tkill(pid, 0)", sc(SYS_tkill, pid, 0, 0));
		show("tkill(99999, 0)", sc(SYS_tkill, 99999, 0, 0));
		show("tkill(0, 0)", sc(SYS_tkill, 0, 0, 0));
		show("tkill(-5, 0)", sc(SYS_tkill, -5, 0, 0));
		show("tgkill(pid, pid, 0)", sc(SYS_tgkill, pid, pid, 0));
		show("tgkill(ppid, pid, 0)", sc(SYS_tgkill, ppid, pid, 0));
		show("tgkill(99999, 99999, 0)", sc(SYS_tgkill, 99999, 99999, 0));
		show("tgkill(0, pid, 0)", sc(SYS_tgkill, 0, pid, 0));
		show("tgkill(pid, pid, 99)", sc(SYS_tgkill, pid, pid, 99));
		show("getpgid(99999)", sc(SYS_getpgid, 99999, 0, 0));
		show("getpgid(-1)", sc(SYS_getpgid, -1, 0, 0));
		show("getsid(99999)", sc(SYS_getsid, 99999, 0, 0));
		show("getsid(ppid) == getsid(0)", sc(SYS_getsid, ppid, 0, 0) == sc(SYS_getsid, 0, 0, 0));
		show("setpgid(99999, 0)", sc(SYS_setpgid, 99999, 0, 0));
		show("setpgid(0, -1)", sc(SYS_setpgid, 0, -1, 0));
		show("setpgid(0, 99999)", sc(SYS_setpgid, 0, 99999, 0));
		show("setpgid(ppid, 0)", sc(SYS_setpgid, ppid, 0, 0));
		show("setsid()", sc(SYS_setsid, 0, 0, 0));
		show("setsid() again", sc(SYS_setsid, 0, 0, 0));
		show("getsid(0) == pid", sc(SYS_getsid, 0, 0, 0) == pid);
		{
			siginfo_t si;
			long fd;
			memset(&si, 0, sizeof(si));
			si.si_signo = SIGUSR2;
			si.si_code = SI_QUEUE;
			signal(SIGUSR2, SIG_IGN);
			show("rt_sigqueueinfo(pid, SIGUSR2, SI_QUEUE)", sc(SYS_rt_sigqueueinfo, pid, SIGUSR2, (long)&si));
			show("rt_sigqueueinfo(99999, SIGUSR2, SI_QUEUE)", sc(SYS_rt_sigqueueinfo, 99999, SIGUSR2, (long)&si));
			show("rt_sigqueueinfo(ppid, 0, SI_QUEUE)", sc(SYS_rt_sigqueueinfo, ppid, 0, (long)&si));
			show("rt_sigqueueinfo(pid, SIGUSR2, NULL)", sc(SYS_rt_sigqueueinfo, pid, SIGUSR2, 0));
			si.si_code = SI_USER;
			show("rt_sigqueueinfo(ppid, 0, SI_USER)", sc(SYS_rt_sigqueueinfo, ppid, 0, (long)&si));
			show("rt_sigqueueinfo(pid, SIGUSR2, SI_USER)", sc(SYS_rt_sigqueueinfo, pid, SIGUSR2, (long)&si));
			show("rt_tgsigqueueinfo(0, pid, 0, SI_USER)", sc4(SYS_rt_tgsigqueueinfo, 0, pid, 0, (long)&si));
			si.si_code = SI_QUEUE;
			show("rt_tgsigqueueinfo(pid, pid, 0)", sc4(SYS_rt_tgsigqueueinfo, pid, pid, 0, (long)&si));
			show("rt_tgsigqueueinfo(ppid, pid, 0)", sc4(SYS_rt_tgsigqueueinfo, ppid, pid, 0, (long)&si));
			fd = sc(SYS_pidfd_open, ppid, 0, 0);
			show("pidfd_open(ppid) >= 0", fd >= 0);
			if (fd >= 0)
				close((int)fd);
			show("pidfd_open(99999)", sc(SYS_pidfd_open, 99999, 0, 0));
			show("pidfd_open(0)", sc(SYS_pidfd_open, 0, 0, 0));
			show("pidfd_open(-1)", sc(SYS_pidfd_open, -1, 0, 0));
			show("pidfd_open(99999, 12345)", sc(SYS_pidfd_open, 99999, 12345, 0));
		}
		show("getpgrp() == pid", sc(SYS_getpgrp, 0, 0, 0) == pid);
		return 0;
	}
	if (strcmp(mode, "bench") == 0) {
		/* scripts/bench.sh: ns per call of a filtered getpid, kill(self, 0)
		 * and fork + wait (fork itself is not filtered). */
		int n = argc > 2 ? atoi(argv[2]) : 10000;
		struct timespec t0, t1;
		const char *names[] = {"getpid", "kill0", "fork"};
		for (int w = 0; w < 3; w++) {
			int m = w == 2 ? n / 20 + 1 : n;
			clock_gettime(CLOCK_MONOTONIC, &t0);
			for (int i = 0; i < m; i++) {
				if (w == 0) {
					sc(SYS_getpid, 0, 0, 0);
				} else if (w == 1) {
					sc(SYS_kill, pid, 0, 0);
				} else {
					pid_t c = fork();
					if (c == 0)
						_exit(0);
					waitpid(c, NULL, 0);
				}
			}
			clock_gettime(CLOCK_MONOTONIC, &t1);
			printf("%s %.0f\n", names[w],
			       ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / m);
		}
		return 0;
	}
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (strcmp(mode, modes[i].name) == 0)
			return modes[i].run();
	if (strcmp(mode, "exec") == 0 && argc > 2) {
		/* A preloaded child (a shell) agrees with its alone parent. */
		int st = 0;
		long c = sc(SYS_fork, 0, 0, 0), r;
		if (c == 0) {
			execv(argv[2], argv + 2);
			_exit(127);
		}
		r = sc4(SYS_wait4, c, (long)&st, 0, 0);
		printf("alone: pid %ld fork = %ld\n", pid, c);
		wstat("alone: wait4(child)", r, &st);
		return 0;
	}
	if (strcmp(mode, "selfsig") == 0) {
		/* A signal to oneself by vpid arrives (default action: dies). */
		sc(SYS_kill, pid, SIGTERM, 0);
		return 1;
	}
	return 2;
}
