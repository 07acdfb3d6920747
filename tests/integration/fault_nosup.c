/* fault_nosup.c — SIGKILL the supervisor from inside the tree, then keep working: nothing may hang. */

/*
 * Run as the command of `jobshim run` (its real parent is the supervisor).
 * A child is forked first (under the supervisor); then the supervisor is
 * SIGKILLed with a raw kill(2) (the shim would take the pid for a virtual
 * one); after it is gone every call falls back to the real one, with one
 * warning on stderr: fork, wait, setpgid, kill of a child, setsid,
 * posix_spawn, system.  Prints "ok - ..." / "not ok - ..."; exit 0 when all ok.
 *
 * `fault_nosup killsup` only kills the supervisor (found by SO_PEERCRED on
 * $JOBSHIM_SOCKET) and waits until it is gone: for shells in the tree.
 * Its guard is killed first (kill_guard), or it would end the tree.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "lib/rawstat.h"
#include "lib/rawsys.h"

extern char **environ;
static int nf_fail;

static void check(int ok, const char *what, long got)
{
	printf("%s - %s (%ld)\n", ok ? "ok" : "not ok", what, got);
	nf_fail |= !ok;
}

/* kill(2) and getsockopt(2) without libc (lib/rawsys.h): the shim
 * interposes kill() and syscall() and would take the supervisor's real pid
 * for a virtual one, and its getsockopt shows SO_PEERCRED's pid virtual
 * (the supervisor is vpid 1). */
static long raw_kill(long pid, long sig)
{
	return raw_syscall5(SYS_kill, pid, sig, 0, 0, 0);
}

/* Field 4 (ppid) or 1 (pid) of /proc/self/stat: real ids (raw_self_stat). */
static long self_stat(int field)
{
	char buf[512], *p;
	FILE *f = raw_self_stat();
	long pid = -1, ppid = -1;

	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')) != NULL) {
		sscanf(buf, "%ld", &pid);
		sscanf(p + 1, " %*c %ld", &ppid);
	}
	fclose(f);
	return field == 1 ? pid : ppid;
}

/* By a raw system call (lib/rawstat.h): the shim translates /proc/<pid>
 * paths as virtual pids (shim/procpath.c). */
static int gone(long pid)
{
	char path[64], buf[512], *p;
	int fd;
	FILE *f;
	char state = 0;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	fd = raw_open(path, O_RDONLY);
	f = fd < 0 ? NULL : fdopen(fd, "r");
	if (!f)
		return 1;
	if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')) != NULL)
		sscanf(p + 1, " %c", &state);
	fclose(f);
	return state == 'Z' || state == 'X';
}

/* The supervisor's real pid, from the socket's peer credentials. */
static long peer_of_socket(void)
{
	const char *path = getenv("JOBSHIM_SOCKET");
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct ucred cred = {0};
	socklen_t len = sizeof(cred);
	int fd;

	if (!path || strlen(path) >= sizeof(sa.sun_path))
		return -1;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    raw_syscall5(SYS_getsockopt, fd, SOL_SOCKET, SO_PEERCRED, (long)&cred, (long)&len) < 0)
		cred.pid = -1;
	if (fd >= 0)
		close(fd);
	return cred.pid;
}

/* The supervisor's guard (supervisor/guard.c: the child named
 * jobshim-guard), killed first: it would end the tree whose life after
 * the supervisor's death this program tests.  So both die, as by a
 * `pkill -9 jobshim`. */
static void kill_guard(long sup)
{
	char path[96], kids[4096], comm[32];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%ld/task/%ld/children", sup, sup);
	fd = raw_open(path, O_RDONLY);
	n = fd < 0 ? -1 : read(fd, kids, sizeof(kids) - 1);
	if (fd >= 0)
		close(fd);
	kids[n > 0 ? n : 0] = '\0';
	for (char *tok = strtok(kids, " \n"); tok; tok = strtok(NULL, " \n")) {
		long kid = atol(tok);

		snprintf(path, sizeof(path), "/proc/%ld/comm", kid);
		fd = raw_open(path, O_RDONLY);
		n = fd < 0 ? -1 : read(fd, comm, sizeof(comm) - 1);
		if (fd >= 0)
			close(fd);
		comm[n > 0 ? n : 0] = '\0';
		if (strcmp(comm, "jobshim-guard\n") != 0 || raw_kill(kid, SIGKILL) != 0)
			continue;
		for (int i = 0; i < 500 && !gone(kid); i++)
			nanosleep(&(struct timespec){.tv_nsec = 10000000}, NULL);
	}
}

static int kill_sup(long sup)
{
	long rc;
	int dead = 0;

	kill_guard(sup);
	rc = raw_kill(sup, SIGKILL);

	for (int i = 0; i < 500 && rc == 0 && !(dead = gone(sup)); i++)
		nanosleep(&(struct timespec){.tv_nsec = 10000000}, NULL);
	if (rc != 0 || !dead) {
		fprintf(stderr, "fault_nosup: kill(%ld, SIGKILL) = %ld, still there:\n", sup, rc);
		(void)!system("ps -eo pid,ppid,pgid,stat,wchan:20,comm >&2");
	}
	return rc == 0 && dead ? 0 : -1;
}

int main(int argc, char **argv)
{
	int hold[2], st = 0;
	long sup = self_stat(4);
	pid_t c1, pid, w;
	char c;

	if (argc > 1 && strcmp(argv[1], "killsup") == 0)
		return kill_sup(peer_of_socket()) == 0 ? 0 : 1;
	setvbuf(stdout, NULL, _IOLBF, 0);
	alarm(20); /* a failed step must not leave us waiting forever */
	if (pipe(hold) < 0)
		return 2;
	c1 = fork(); /* under the supervisor */
	if (c1 == 0) {
		close(hold[1]);
		while (read(hold[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(5);
	}
	close(hold[0]);
	check(c1 > 0, "fork under the supervisor", c1);
	check(kill_sup(sup) == 0, "raw SIGKILL of the supervisor: gone", sup);

	close(hold[1]);
	w = waitpid(-1, &st, 0);
	check(w > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 5,
	      "the child forked before the loss exits and is reaped (wait -1)", w);

	pid = fork();
	if (pid == 0)
		_exit(7);
	w = waitpid(pid, &st, 0);
	check(pid > 0 && w == pid && WIFEXITED(st) && WEXITSTATUS(st) == 7, "fork + waitpid(pid)", w);

	pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		for (;;) /* until killed: no condition to miss a signal for */
			pause();
	}
	check(setpgid(pid, pid) == 0 || errno == EACCES, "setpgid of a child", pid);
	while (getpgid(pid) != pid)
		sched_yield();
	/* Offline, the shim signals only what it is sure of (shim/kill.c):
	 * itself, its own children, its real group; another group is ESRCH. */
	errno = 0;
	w = kill(-pid, 0);
	check(w == -1 && errno == ESRCH, "kill of another group refused offline (ESRCH)", errno);
	check(kill(pid, SIGTERM) == 0, "kill of a child", pid);
	w = waitpid(pid, &st, 0);
	check(w == pid && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM, "killed child reaped", w);

	pid = fork();
	if (pid == 0)
		_exit(setsid() > 0 && getsid(0) == getpid() ? 0 : 1);
	w = waitpid(pid, &st, 0);
	check(w == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0, "setsid in a child", w);

	{
		char *sargv[] = {"sh", "-c", "exit 4", NULL};
		posix_spawnattr_t at;
		posix_spawnattr_init(&at);
		posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP);
		st = posix_spawn(&pid, "/bin/sh", NULL, &at, sargv, environ);
		posix_spawnattr_destroy(&at);
		w = st == 0 ? waitpid(pid, &st, 0) : -1;
		check(w == pid && WIFEXITED(st) && WEXITSTATUS(st) == 4, "posix_spawn SETPGROUP + wait", w);
	}
	st = system("exit 3");
	check(WIFEXITED(st) && WEXITSTATUS(st) == 3, "system()", st);
	check(getpid() == self_stat(1), "getpid() is the real pid now", (long)getpid());
	return nf_fail;
}
