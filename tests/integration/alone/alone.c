/* alone.c — a program the shim cannot be in (built static with glibc and musl, or with raw `syscall` instructions): its ids and pid calls. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/syscall.h>
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
	__asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10) : "rcx", "r11", "memory");
	return ret;
}
#else
static long sc4(long nr, long a, long b, long c, long d)
{
	long r = syscall(nr, a, b, c, d);
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
	if (strcmp(mode, "selfsig") == 0) {
		/* A signal to oneself by vpid arrives (default action: dies). */
		sc(SYS_kill, pid, SIGTERM, 0);
		return 1;
	}
	return 2;
}
