/* micro.c — process-call micro benchmarks; run natively and under jobshim, prints ns/op. */
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* Each case runs `n` iterations and returns 0, or -1 when a call failed
 * (a benchmark that silently measures failures would lie). */
static int b_getpid(long n)
{
	volatile pid_t sink = 0;
	for (long i = 0; i < n; i++)
		sink += getpid();
	(void)sink;
	return 0;
}

static int b_getppid(long n)
{
	volatile pid_t sink = 0;
	for (long i = 0; i < n; i++)
		sink += getppid();
	(void)sink;
	return 0;
}

static int b_getpgrp(long n)
{
	for (long i = 0; i < n; i++)
		if (getpgrp() <= 0)
			return -1;
	return 0;
}

static int b_getsid(long n)
{
	for (long i = 0; i < n; i++)
		if (getsid(0) <= 0)
			return -1;
	return 0;
}

static int b_kill0(long n)
{
	pid_t self = getpid();
	for (long i = 0; i < n; i++)
		if (kill(self, 0) != 0)
			return -1;
	return 0;
}

/* A live child blocked on a pipe, for the calls that name another process. */
static int idle_fd = -1;
static pid_t idle_child(void)
{
	int pfd[2];
	if (pipe(pfd) != 0)
		return -1;
	pid_t c = fork();
	if (c == 0) {
		char ch;
		close(pfd[1]);
		while (read(pfd[0], &ch, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(pfd[0]);
	idle_fd = pfd[1];
	return c;
}

static int idle_end(pid_t c, int rc)
{
	close(idle_fd);
	waitpid(c, NULL, 0);
	return rc;
}

static int b_getpgid_child(long n)
{
	pid_t c = idle_child();
	int rc = c > 0 ? 0 : -1;
	for (long i = 0; i < n && rc == 0; i++)
		if (getpgid(c) <= 0)
			rc = -1;
	return idle_end(c, rc);
}

static int b_getsid_child(long n)
{
	pid_t c = idle_child();
	int rc = c > 0 ? 0 : -1;
	for (long i = 0; i < n && rc == 0; i++)
		if (getsid(c) <= 0)
			rc = -1;
	return idle_end(c, rc);
}

static int b_kill0_child(long n)
{
	pid_t c = idle_child();
	int rc = c > 0 ? 0 : -1;
	for (long i = 0; i < n && rc == 0; i++)
		rc = kill(c, 0);
	return idle_end(c, rc);
}

/* kill of another process: SIGWINCH, whose default action is to ignore it. */
static int b_kill_child(long n)
{
	pid_t c = idle_child();
	int rc = c > 0 ? 0 : -1;
	for (long i = 0; i < n && rc == 0; i++)
		rc = kill(c, SIGWINCH);
	return idle_end(c, rc);
}

/* setsid by a group leader: EPERM each time, as natively (a process can
 * make one session only; this is the call's cost, not a new session's). */
static int b_setsid(long n)
{
	pid_t c = fork();
	if (c == 0) {
		if (setpgid(0, 0) != 0)
			_exit(1);
		for (long i = 0; i < n; i++)
			if (setsid() != -1 || errno != EPERM)
				_exit(1);
		_exit(0);
	}
	int st;
	if (c < 0 || waitpid(c, &st, 0) != c || st != 0)
		return -1;
	return 0;
}

/* getppid after the parent exited (reparented to init): timed by the
 * grandchild itself and passed up, so the set-up is not counted. */
static double self_timed = -1;
static int b_getppid_reparented(long n)
{
	int pfd[2];
	double ns = -1;
	if (pipe(pfd) != 0)
		return -1;
	pid_t c = fork();
	if (c == 0) {
		pid_t g = fork();
		if (g == 0) {
			volatile pid_t sink = 0;
			while (getppid() == getpid()) /* never: just one call first */
				;
			for (int k = 0; k < 1000 && kill(c, 0) == 0; k++)
				usleep(1000); /* until our parent is gone */
			double t0 = now_ns();
			for (long i = 0; i < n; i++)
				sink += getppid();
			double per = (now_ns() - t0) / n;
			(void)sink;
			if (write(pfd[1], &per, sizeof(per)) != sizeof(per))
				_exit(1);
			_exit(0);
		}
		_exit(0);
	}
	close(pfd[1]);
	waitpid(c, NULL, 0);
	if (read(pfd[0], &ns, sizeof(ns)) != sizeof(ns))
		ns = -1;
	close(pfd[0]);
	self_timed = ns;
	return ns > 0 ? 0 : -1;
}

/* setpgid on a live child that stays in our group: the common shell call. */
static int b_setpgid(long n)
{
	int pfd[2];
	if (pipe(pfd) != 0)
		return -1;
	pid_t c = fork();
	if (c == 0) {
		char ch;
		close(pfd[1]);
		while (read(pfd[0], &ch, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(pfd[0]);
	int rc = 0;
	for (long i = 0; i < n && rc == 0; i++)
		rc = setpgid(c, getpgrp());
	close(pfd[1]);
	waitpid(c, NULL, 0);
	return rc;
}

static int b_fork(long n)
{
	for (long i = 0; i < n; i++) {
		pid_t c = fork();
		if (c == 0)
			_exit(0);
		if (c < 0 || waitpid(c, NULL, 0) != c)
			return -1;
	}
	return 0;
}

static char *true_argv[] = {"true", NULL};

/* vfork in a frame of its own: the child borrows the caller's stack, so the
 * loop's variables must not live in this frame. */
static __attribute__((noinline)) pid_t vfork_true(void)
{
	pid_t c = vfork();
	if (c == 0) {
		execve("/bin/true", true_argv, environ);
		_exit(127);
	}
	return c;
}

static int b_vfork_exec(long n)
{
	for (long i = 0; i < n; i++) {
		pid_t c = vfork_true();
		int st;
		if (c < 0 || waitpid(c, &st, 0) != c || st != 0)
			return -1;
	}
	return 0;
}

static int b_spawn(long n)
{
	for (long i = 0; i < n; i++) {
		pid_t c;
		int st;
		if (posix_spawn(&c, "/bin/true", NULL, NULL, true_argv, environ) != 0)
			return -1;
		if (waitpid(c, &st, 0) != c || st != 0)
			return -1;
	}
	return 0;
}

static int b_system(long n)
{
	for (long i = 0; i < n; i++)
		if (system("exit 0") != 0)
			return -1;
	return 0;
}

struct bcase {
	const char *name;
	int (*fn)(long);
	long n;
};

static const struct bcase cases[] = {
	{"getpid", b_getpid, 2000000},   {"getppid", b_getppid, 200000},
	{"getppid_reparented", b_getppid_reparented, 200000},
	{"getpgrp", b_getpgrp, 200000},  {"getsid", b_getsid, 200000},
	{"getpgid_child", b_getpgid_child, 200000}, {"getsid_child", b_getsid_child, 200000},
	{"kill0", b_kill0, 20000},       {"kill0_child", b_kill0_child, 20000},
	{"kill_child", b_kill_child, 20000}, {"setsid", b_setsid, 20000},
	{"setpgid", b_setpgid, 20000},
	{"fork", b_fork, 2000},          {"vfork_exec", b_vfork_exec, 1000},
	{"posix_spawn", b_spawn, 1000},  {"system", b_system, 300},
};

int main(int argc, char **argv)
{
	/* usage: micro [CASE [SCALE]]  — prints "CASE ns_per_op" lines */
	double scale = argc > 2 ? atof(argv[2]) : 1.0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (argc > 1 && strcmp(argv[1], "all") != 0 && strcmp(argv[1], cases[i].name) != 0)
			continue;
		long n = (long)(cases[i].n * scale);
		if (n < 1)
			n = 1;
		double t0 = now_ns();
		self_timed = -1;
		if (cases[i].fn(n) != 0) {
			fprintf(stderr, "micro: %s failed: %s\n", cases[i].name, strerror(errno));
			return 1;
		}
		printf("%s %.1f\n", cases[i].name, self_timed > 0 ? self_timed : (now_ns() - t0) / n);
		fflush(stdout); /* before the next case forks */
	}
	return 0;
}
