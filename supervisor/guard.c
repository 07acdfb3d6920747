/* guard.c — the watch on the supervisor's own death: a SIGKILLed or crashed supervisor leaves no tree behind. */
#include "sup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * Init of a pid namespace that dies takes every process of the namespace
 * with it (the kernel SIGKILLs them).  The supervisor is the tree's init,
 * and tears the tree down itself when it ends, on a signal, a --timeout
 * or the command's exit (teardown.c).  A SIGKILL (an outer `timeout -s
 * KILL`, the OOM killer, `kill -9` of a stuck run) or a crash ends it
 * before it can: without this process the tree ran on, orphaned, with
 * every daemon a test had leaked.
 *
 * So every run has a guard: this binary again (/proc/self/exe, argv[0]
 * "jobshim-guard"), started at the supervisor's set-up, before the
 * command, with vfork and exec -- a fork that stayed would write-protect
 * every page of the supervisor, whose next write to each would then copy
 * it: about 4 ms of CPU per run on a VM where a fault costs 20 µs.  The
 * exec is made by a raw system call with an environment of our own, so
 * that an outer run's shim (a nested jobshim) neither loads into the
 * guard nor puts its variables back.  The guard holds nothing of ours
 * (stdin and stdout /dev/null, only stderr kept; every signal blocked; a
 * session of its own, so that neither the terminal's signals nor a kill
 * of the job's group reach it) and sleeps on a pidfd of the supervisor.
 * The supervisor's cleanup kills and reaps it; if the pidfd fires first,
 * the supervisor died without cleaning up, and the guard:
 *
 *   - kills every process that carries this run's JOBSHIM_SOCKET in its
 *     environment as the kernel keeps it (/proc/PID/environ: the strings
 *     of its exec, which every image of the tree gets, the shim's exec
 *     wrappers putting the variable back where a program dropped it), or
 *     maps a file of this run's directory (a shimmed program that
 *     rewrote its environment area for its title, as postgres does);
 *   - through a pidfd opened before the check, so that a pid reused in
 *     between names nobody: what is killed is what was checked;
 *   - again and again until a round finds none alive (a fork in flight
 *     inherits the environment: the next round finds the child), for at
 *     most GUARD_MAX_NS;
 *   - then removes the run directory and says on stderr how many it killed.
 *
 * The guard of a nested jobshim is a process of the outer tree, without
 * the outer run's variable (its environment is only GUARD_MARK), and a
 * process whose environment names another run or a guard is not checked
 * further: the outer guard, killing the inner supervisor, leaves the
 * inner guard to end the inner tree.
 * What it cannot see (a process of another uid without root, one that is
 * not dumpable) it cannot kill.
 */


static pid_t guard;

pid_t guard_pid(void)
{
	return guard;
}

void guard_reaped(pid_t rpid)
{
	if (rpid > 0 && rpid == guard)
		guard = 0;
}

/* A system call past any shim (an outer run's, when jobshim is nested:
 * the vfork child must exec with our environment, not have it fixed). */
static long guard_raw(long nr, long a1, long a2, long a3)
{
#if defined(__x86_64__)
	long ret;

	__asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a1), "S"(a2), "d"(a3) : "rcx", "r11", "memory");
	return ret;
#elif defined(__aarch64__)
	register long x8 __asm__("x8") = nr;
	register long x0 __asm__("x0") = a1;
	register long x1 __asm__("x1") = a2;
	register long x2 __asm__("x2") = a3;

	__asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
	return x0;
#else
	long r = syscall(nr, a1, a2, a3);
	return r < 0 ? -errno : r;
#endif
}

/* `jobshim-guard SUP_RPID`, its environment only GUARD_MARK=SOCK: the guard
 * (main.c).  The socket's path names the run's secret directory: it is
 * passed where only who may ptrace us can read it, never in argv, which
 * every user can (/proc/PID/cmdline). */
int guard_main(int argc, char **argv)
{
	char var[sizeof("JOBSHIM_SOCKET=") + 256], dir[256], top[256], *slash;
	const char *sock = getenv(GUARD_MARK);
	struct pollfd p = {.events = POLLIN};
	size_t killed;
	sigset_t all;
	int null;
	pid_t sup;

	if (argc != 2 || (sup = (pid_t)atoi(argv[1])) <= 1 || !sock || strlen(sock) >= sizeof(dir)) {
		fprintf(stderr, "jobshim-guard: started by jobshim run only\n");
		return 2;
	}
	/* SOCK is TOP/<secret>/sock (rundir.c) */
	snprintf(var, sizeof(var), "JOBSHIM_SOCKET=%s", sock);
	snprintf(top, sizeof(top), "%s", sock);
	for (int i = 0; i < 2; i++)
		if ((slash = strrchr(top, '/')) != NULL)
			*slash = '\0';
	snprintf(dir, sizeof(dir), "%s", sock);
	if ((slash = strrchr(dir, '/')) != NULL)
		slash[1] = '\0'; /* "TOP/<secret>/": what a map of the run's files names */
	if (!slash || !top[0])
		return 2;
	/* Neither the terminal's signals nor a kill of the job's group. */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
	setsid();
	prctl(PR_SET_NAME, "jobshim-guard");
	null = open("/dev/null", O_RDWR);
	if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0)
		return 1;
	syscall(SYS_close_range, 3, ~0U, 0);
	p.fd = sysio_pidfd_open(sup);
	if (p.fd == -ENOSYS)
		return 0; /* Linux < 5.3: nothing to watch with */
	/* The pidfd was opened first: while our parent is `sup` it names it.
	 * Otherwise (or no pidfd: ESRCH) the supervisor is gone already. */
	if (p.fd >= 0 && getppid() == sup)
		while (poll(&p, 1, -1) < 0 || !(p.revents & (POLLIN | POLLHUP | POLLERR)))
			;
	/* The supervisor died without its cleanup, which kills us first. */
	killed = guard_kill_tree(var, dir);
	rundir_rmtree(AT_FDCWD, top, RUNDIR_RMTREE_DEPTH); /* and DIR below it */
	if (killed > 0)
		fprintf(stderr, "jobshim: the supervisor (pid %d) died without ending its tree: killed %zu process(es) of it\n",
			(int)sup, killed);
	return 0;
}

void guard_start(struct sup *s)
{
	char rpid[16], mark[sizeof(GUARD_MARK "=") + sizeof(s->sock)];
	char *argv[] = {"jobshim-guard", rpid, NULL};
	char *envp[] = {mark, NULL};
	pid_t pid;

	if (!s->dir[0] || !s->top[0])
		return;
	/* Our real pid, past an outer shim: the guard watches the process. */
	snprintf(rpid, sizeof(rpid), "%ld", guard_raw(SYS_getpid, 0, 0, 0));
	snprintf(mark, sizeof(mark), "%s=%s", GUARD_MARK, s->sock);
	fflush(stderr);
	pid = vfork();
	if (pid == 0) {
		guard_raw(SYS_execve, (long)"/proc/self/exe", (long)argv, (long)envp);
		guard_raw(SYS_exit, 127, 0, 0);
	}
	if (pid > 0)
		guard = pid;
}

void guard_stop(struct sup *s)
{
	(void)s;
	if (guard > 0)
		kill(guard, SIGKILL); /* our own child, not reaped yet: its pid names it */
}

void guard_reap(struct sup *s)
{
	(void)s;
	/* Killed at the start of the cleanup (guard_stop), dead by now in
	 * most runs: reaped, so that nothing of ours outlives jobshim. */
	if (guard > 0)
		while (waitpid(guard, NULL, 0) < 0 && errno == EINTR)
			;
	guard = 0;
}
