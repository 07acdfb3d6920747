/* guard.c — the watch on the supervisor's own death: a SIGKILLed or crashed supervisor leaves no tree behind. */
#include "sup.h"
#include "../core/rawcall.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <stdint.h>
#include <sys/mman.h>
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
 * KILL`, a CI runner killing the job's group, `kill -9` of a stuck run) or
 * a crash ends it before it can: without the guard the tree ran on,
 * orphaned, with every daemon a test had leaked.
 *
 * So every run has a guard, started at the supervisor's set-up, before
 * the command: a clone of the supervisor that shares its memory
 * (CLONE_VM), with descriptors and signal actions of its own.  It closes
 * our descriptors (stdin and stdout become /dev/null, stderr stays),
 * blocks every signal, makes a session of its own (neither the terminal's
 * signals nor a kill of the job's group reach it) and sleeps on a pidfd of
 * the supervisor.  The supervisor's cleanup kills it first and reaps it
 * last.  If the pidfd fires first, the supervisor died without cleaning
 * up, and the guard execs this binary again (/proc/self/exe, argv[0]
 * "jobshim-guard", guard_main) to do the work of guard_kill.c in an
 * address space and a libc of its own.
 *
 * Why so: a fork that stayed would write-protect every page of the
 * supervisor, and each page it then wrote would be copied (about 4 ms of
 * CPU per run, on a VM where a page fault costs 20 µs); an exec at the
 * start costs the loader's work in every run (3 ms there).  The clone
 * costs neither; its price is that the waiting guard may make raw system
 * calls only, and that the kernel's OOM killer, which kills every process
 * sharing its victim's memory, takes the guard along with the supervisor.
 * The exec is a raw system call with an environment of our own
 * (GUARD_MARK=<socket>, the socket's path naming the run's secret
 * directory: never in argv, which every user can read), so that an outer
 * run's shim (a nested jobshim) neither loads into the guard nor puts its
 * variables back.
 *
 * The guard of a nested run is a process of the outer tree; guard_kill.c
 * never kills a guard, so the outer guard, killing the inner supervisor
 * and its tree, leaves the inner guard to finish.  What a guard cannot
 * see (a process of another uid, or not dumpable, when jobshim is not
 * root) it cannot kill.
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

#if !RAWCALL_NATIVE
#error "guard.c: the waiting guard makes raw system calls (core/rawcall.h): x86_64 and aarch64"
#endif

/* A system call past any shim, touching no errno and no other thread-local
 * state: the waiting guard shares the supervisor's memory (and, in a
 * nested run, an outer run's shim must not fix its exec's environment). */
static long guard_raw(long nr, long a1, long a2, long a3, long a4, long a5)
{
	return rawcall6(nr, a1, a2, a3, a4, a5, 0);
}

/* What the waiting guard needs, in memory it shares with us and that
 * outlives our death (static: the supervisor's data, kept by the guard's
 * hold on the address space). */
static struct {
	pid_t sup;           /* our real pid */
	char rpid[16];       /* the same, as text */
	char mark[sizeof(GUARD_MARK "=") + 216];
	char *argv[3], *envp[2];
} ga;

#define GUARD_STACK (64 * 1024)

/* The waiting guard: a clone of the supervisor sharing its memory
 * (CLONE_VM), with descriptors and signal actions of its own.  Only raw
 * system calls until the exec: the supervisor's thread-local state (errno,
 * the stack guard) is its own, and the supervisor may have died holding
 * any lock of libc's. */
static int guard_wait(void *unused)
{
	uint64_t all = ~0ULL;
	struct pollfd p = {.events = POLLIN};
	long fd, null;

	(void)unused;
	/* Neither the terminal's signals nor a kill of the job's group. */
	guard_raw(SYS_rt_sigprocmask, SIG_BLOCK, (long)&all, 0, sizeof(all), 0);
	guard_raw(SYS_setsid, 0, 0, 0, 0, 0);
	guard_raw(SYS_prctl, PR_SET_NAME, (long)"jobshim-guard", 0, 0, 0);
	/* None of our descriptors (our listening socket held by a guard would
	 * take connections nobody answers), stdin and stdout /dev/null. */
	null = guard_raw(SYS_openat, AT_FDCWD, (long)"/dev/null", O_RDWR, 0, 0);
	if (null >= 0) {
		guard_raw(SYS_dup3, null, 0, 0, 0, 0);
		guard_raw(SYS_dup3, null, 1, 0, 0, 0);
	}
	guard_raw(SYS_close_range, 3, ~0U, 0, 0, 0);
	fd = guard_raw(SYS_pidfd_open, ga.sup, 0, 0, 0, 0);
	if (fd == -ENOSYS)
		guard_raw(SYS_exit, 0, 0, 0, 0, 0); /* Linux < 5.3: nothing to watch with */
	p.fd = (int)fd;
	/* The pidfd was opened first: while our parent is `sup` it names it.
	 * Otherwise (or no pidfd: ESRCH) the supervisor is gone already. */
	while (fd >= 0 && guard_raw(SYS_getppid, 0, 0, 0, 0, 0) == ga.sup) {
		long n = guard_raw(SYS_ppoll, (long)&p, 1, 0, 0, 0);

		if (n > 0 && (p.revents & (POLLIN | POLLHUP | POLLERR)))
			break;
		if (n < 0 && n != -EINTR)
			guard_raw(SYS_exit, 1, 0, 0, 0, 0); /* never a kill on a doubt */
	}
	/* The supervisor died without its cleanup (which kills us first):
	 * the rest in a fresh image, with malloc and stdio of its own. */
	guard_raw(SYS_execve, (long)"/proc/self/exe", (long)ga.argv, (long)ga.envp, 0, 0);
	guard_raw(SYS_exit, 127, 0, 0, 0, 0);
	return 0;
}

/* `jobshim-guard SUP_RPID`, its environment only GUARD_MARK=SOCK: what
 * guard_wait execs once the supervisor is dead (main.c).  Its signals
 * stay blocked, its session and descriptors are guard_wait's. */
int guard_main(int argc, char **argv)
{
	char var[sizeof("JOBSHIM_SOCKET=") + 256], dir[256], top[256], *slash;
	const char *sock = getenv(GUARD_MARK);
	size_t killed;
	pid_t sup;

	if (argc != 2 || (sup = (pid_t)atoi(argv[1])) <= 1 || !sock || strlen(sock) >= sizeof(dir)) {
		fprintf(stderr, "jobshim-guard: started by jobshim run only\n");
		return 2;
	}
	prctl(PR_SET_NAME, "jobshim-guard"); /* the exec named us "exe" */
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
	killed = guard_kill_tree(var, dir);
	rundir_rmtree(AT_FDCWD, top, RUNDIR_RMTREE_DEPTH); /* and DIR below it */
	if (killed > 0)
		fprintf(stderr, "jobshim: the supervisor (pid %d) died without ending its tree: killed %zu process(es) of it\n",
			(int)sup, killed);
	return 0;
}

void guard_start(struct sup *s)
{
	static char *stack;
	pid_t pid;

	if (!s->dir[0] || !s->top[0] || strlen(s->sock) + sizeof(GUARD_MARK "=") > sizeof(ga.mark))
		return;
	if (!stack) {
		stack = mmap(NULL, GUARD_STACK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
		if (stack == MAP_FAILED) {
			stack = NULL;
			return;
		}
	}
	/* Our real pid, past an outer shim: the guard watches the process. */
	ga.sup = (pid_t)guard_raw(SYS_getpid, 0, 0, 0, 0, 0);
	snprintf(ga.rpid, sizeof(ga.rpid), "%d", (int)ga.sup);
	snprintf(ga.mark, sizeof(ga.mark), "%s=%s", GUARD_MARK, s->sock);
	ga.argv[0] = "jobshim-guard";
	ga.argv[1] = ga.rpid;
	ga.envp[0] = ga.mark;
	/* Born with its name (a clone copies ours), not given it when it
	 * first runs, which on a busy machine can come after the command has
	 * started: what looks for the guard by name (ps; a test that kills
	 * the supervisor and its guard, as `pkill -9 jobshim` would, to see
	 * the tree live on) finds it from the start.  Nothing of the tree
	 * exists yet to see us so named. */
	char name[16] = "jobshim";
	(void)prctl(PR_GET_NAME, name);
	(void)prctl(PR_SET_NAME, "jobshim-guard");
	pid = clone(guard_wait, stack + GUARD_STACK, CLONE_VM | SIGCHLD, NULL);
	(void)prctl(PR_SET_NAME, name);
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
