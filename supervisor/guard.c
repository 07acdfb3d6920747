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
 * So every run has a guard: a fork of the supervisor made at its start,
 * before the command, that holds nothing of ours (its descriptors closed
 * but stderr, every signal blocked, a session of its own so that neither
 * the terminal's signals nor a kill of the job's group reach it) and
 * sleeps on a pidfd of the supervisor.  The supervisor's cleanup kills
 * and reaps it; if the pidfd fires first, the supervisor died without
 * cleaning up, and the guard:
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
 * The guard of a nested jobshim is a process of the outer tree.  It
 * renames the outer run's variable in its own copy of the environment
 * strings (GUARD_MARK), and a process whose environment names another run
 * or a guard is not checked further: the outer guard, killing the inner
 * supervisor, leaves the inner guard to end the inner tree.
 * What it cannot see (a process of another uid without root, one that is
 * not dumpable) it cannot kill: the leftover is said, not hidden.
 */

#define GUARD_MAX_NS (5LL * 1000000000LL) /* rounds of kills, at most */
#define GUARD_ROUND_NS (2 * 1000000L)      /* between two rounds */
#define GUARD_ENV_MAX (4u << 20)            /* an environment is at most ARG_MAX-sized */
#define GUARD_MARK "JOBSHIM_GUARD_="        /* what a guard makes of its JOBSHIM_SOCKET= */
#define GUARD_VAR_LEN 15                    /* strlen of either */

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

/* The whole of /proc/PID/NAME into *buf (grown as needed): its length, or -1. */
static ssize_t read_all(int proc, pid_t pid, const char *name, char **buf, size_t *cap)
{
	char rel[48];
	size_t len = 0;
	ssize_t n;
	int fd;

	snprintf(rel, sizeof(rel), "%d/%s", (int)pid, name);
	fd = openat(proc, rel, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	for (;;) {
		if (len + 4096 > *cap) {
			size_t ncap = *cap ? 2 * *cap : 65536;
			char *nb = ncap <= GUARD_ENV_MAX ? realloc(*buf, ncap) : NULL;
			if (!nb)
				break;
			*buf = nb;
			*cap = ncap;
		}
		n = read(fd, *buf + len, *cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (*buf)
		(*buf)[len] = '\0';
	return (ssize_t)len;
}

/* Is PID of this run?  Its exec-time environment holds `var`
 * ("JOBSHIM_SOCKET=<ours>"): yes; another JOBSHIM_SOCKET (a nested run's
 * process) or a guard's mark: no; neither (a program that wrote its title
 * over its environment): when its maps name a file of `dir`. */
static bool of_this_run(int proc, pid_t pid, const char *var, const char *dir, char **buf, size_t *cap)
{
	size_t vlen = strlen(var);
	ssize_t n = read_all(proc, pid, "environ", buf, cap);

	for (ssize_t i = 0; n > 0 && i < n; i += (ssize_t)strlen(*buf + i) + 1) {
		const char *e = *buf + i;
		if ((size_t)(n - i) > vlen && !memcmp(e, var, vlen) && e[vlen] == '\0')
			return true;
		if (!strncmp(e, "JOBSHIM_SOCKET=", GUARD_VAR_LEN) || !strncmp(e, GUARD_MARK, GUARD_VAR_LEN))
			return false;
	}
	n = read_all(proc, pid, "maps", buf, cap);
	return n > 0 && strstr(*buf, dir) != NULL;
}

/* Is pid in the sorted set? Add it if not (false when added or no room). */
static bool seen_add(pid_t **set, size_t *n, size_t *cap, pid_t pid)
{
	size_t lo = 0, hi = *n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if ((*set)[mid] == pid)
			return true;
		if ((*set)[mid] < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (*n == *cap) {
		size_t ncap = *cap ? 2 * *cap : 256;
		pid_t *ns = realloc(*set, ncap * sizeof(*ns));
		if (!ns)
			return false;
		*set = ns;
		*cap = ncap;
	}
	memmove(*set + lo + 1, *set + lo, (*n - lo) * sizeof(**set));
	(*set)[lo] = pid;
	(*n)++;
	return false;
}

/* One pass over /proc: SIGKILL every process of this run.  How many were
 * alive to be signalled (already dying ones too). */
static int kill_round(int proc, const char *var, const char *dir, pid_t **seen, size_t *nseen, size_t *cap)
{
	static char *buf;
	static size_t bcap;
	int dfd = dup(proc), alive = 0;
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	struct dirent *de;
	pid_t self = getpid();

	if (!d) {
		if (dfd >= 0)
			close(dfd);
		return 0;
	}
	rewinddir(d);
	while ((de = readdir(d)) != NULL) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		int pfd;

		if (*end || pid <= 0 || pid == self)
			continue;
		pfd = sysio_pidfd_open((pid_t)pid);
		if (pfd < 0)
			continue;
		if (of_this_run(proc, (pid_t)pid, var, dir, &buf, &bcap) && sysio_pidfd_signal(pfd, SIGKILL) == 0) {
			alive++;
			seen_add(seen, nseen, cap, (pid_t)pid);
		}
		close(pfd);
	}
	closedir(d);
	return alive;
}

/* This run's variable out of our own copy of the environment strings (what
 * /proc/self/environ shows): an outer run's guard must not take us for
 * one of its tree while we do our work. */
static void hide_from_outer_guard(void)
{
	extern char **environ;

	for (char **e = environ; e && *e; e++)
		if (!strncmp(*e, "JOBSHIM_SOCKET=", GUARD_VAR_LEN))
			memcpy(*e, GUARD_MARK, GUARD_VAR_LEN);
}

static void guard_main(const struct sup *s, pid_t sup)
{
	char var[sizeof("JOBSHIM_SOCKET=") + sizeof(s->sock)], dir[sizeof(s->dir) + 1];
	struct pollfd p = {.events = POLLIN};
	pid_t *seen = NULL;
	size_t nseen = 0, cap = 0;
	struct timespec gap = {0, GUARD_ROUND_NS};
	int64_t until;
	sigset_t all;
	int null, proc;

	/* Neither the terminal's signals nor a kill of the job's group. */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
	setsid();
	prctl(PR_SET_NAME, "jobshim-guard");
	hide_from_outer_guard();
	null = open("/dev/null", O_RDWR);
	if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0)
		_exit(1);
	syscall(SYS_close_range, 3, ~0U, 0);
	p.fd = sysio_pidfd_open(sup);
	if (p.fd < 0 || getppid() != sup)
		_exit(0); /* no pidfd (Linux < 5.3), or it died already: nothing reliable to do */
	proc = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	snprintf(var, sizeof(var), "JOBSHIM_SOCKET=%s", s->sock);
	snprintf(dir, sizeof(dir), "%s/", s->dir);
	while (poll(&p, 1, -1) < 0 || !(p.revents & (POLLIN | POLLHUP | POLLERR)))
		;
	/* The supervisor died without its cleanup, which kills us first. */
	until = sup_now() + GUARD_MAX_NS;
	while (proc >= 0 && kill_round(proc, var, dir, &seen, &nseen, &cap) > 0 && sup_now() < until)
		nanosleep(&gap, NULL);
	if (s->dir[0])
		rundir_rmtree(AT_FDCWD, s->dir, RUNDIR_RMTREE_DEPTH);
	if (s->top[0])
		rundir_rmtree(AT_FDCWD, s->top, RUNDIR_RMTREE_DEPTH);
	if (nseen > 0)
		fprintf(stderr, "jobshim: the supervisor (pid %d) died without ending its tree: killed %zu process(es) of it\n",
			(int)sup, nseen);
	_exit(0);
}

void guard_start(struct sup *s)
{
	pid_t pid;

	fflush(stderr);
	pid = fork();
	if (pid == 0)
		guard_main(s, s->self_rpid);
	if (pid > 0)
		guard = pid;
}

void guard_stop(struct sup *s)
{
	(void)s;
	if (guard <= 0)
		return;
	/* Our own child, not reaped yet: its pid names it. */
	kill(guard, SIGKILL);
	while (waitpid(guard, NULL, 0) < 0 && errno == EINTR)
		;
	guard = 0;
}
