/* shim_semantics.c — process-call semantics that must read the same natively and under the shim. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;
static int failures;

#define CHECK(name, cond)                                                          \
	do {                                                                       \
		if (cond)                                                          \
			printf("ok %s\n", name);                                   \
		else {                                                             \
			printf("FAIL %s (line %d, errno %s)\n", name, __LINE__,    \
			       strerror(errno));                                   \
			failures++;                                                \
		}                                                                  \
		fflush(stdout);                                                    \
	} while (0)

static void xwrite(int fd, const void *p, size_t n)
{
	if (write(fd, p, n) != (ssize_t)n)
		_exit(99);
}

static int xread_int(int fd)
{
	int v = -1;
	if (read(fd, &v, sizeof(v)) != sizeof(v))
		return -1;
	return v;
}

/* Child that blocks until its pipe closes. */
static pid_t child_waiting(int *release_fd, pid_t pgid_set)
{
	int p[2];
	pid_t pid;

	if (pipe(p) < 0)
		exit(2);
	pid = fork();
	if (pid == 0) {
		char c;
		close(p[1]);
		while (read(p[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(p[0]);
	if (pgid_set >= 0)
		setpgid(pid, pgid_set == 0 ? pid : pgid_set);
	*release_fd = p[1];
	return pid;
}

static void t_fork_ids(void)
{
	int p[2], vals[2];
	pid_t pid;

	if (pipe(p) < 0)
		exit(2);
	pid = fork();
	if (pid == 0) {
		int v[2] = { getpid(), getppid() };
		xwrite(p[1], v, sizeof(v));
		_exit(0);
	}
	if (read(p[0], vals, sizeof(vals)) != sizeof(vals))
		vals[0] = -1;
	CHECK("fork.child_getpid", vals[0] == pid);
	CHECK("fork.child_getppid", vals[1] == getpid());
	int st;
	CHECK("fork.waitpid", waitpid(pid, &st, 0) == pid && WIFEXITED(st));
	close(p[0]);
	close(p[1]);
}

static void t_groups(void)
{
	int ra, rb, st;
	pid_t a = child_waiting(&ra, 0);  /* own group */
	pid_t b = child_waiting(&rb, -1); /* our group */

	CHECK("setpgid.getpgid", getpgid(a) == a);
	CHECK("setpgid.same_group", getpgid(b) == getpgrp());
	CHECK("wait0.nohang", waitpid(0, &st, WNOHANG) == 0);
	close(rb);
	close(ra);
	usleep(100000);
	CHECK("wait0.only_own_group", waitpid(0, &st, 0) == b);
	CHECK("wait0.echild", waitpid(0, &st, WNOHANG) == -1 && errno == ECHILD);
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	CHECK("waitid.pgid", waitid(P_PGID, (id_t)a, &si, WEXITED) == 0 && si.si_pid == a &&
				      si.si_code == CLD_EXITED);
	CHECK("setpgid.einval", setpgid(0, -1) == -1 && errno == EINVAL);
	CHECK("setpgid.esrch", setpgid(a, a) == -1 && errno == ESRCH);
}

static void t_kill_group(void)
{
	int ra, st;
	pid_t a = child_waiting(&ra, 0);

	CHECK("killpg.ok", killpg(a, SIGTERM) == 0);
	CHECK("killpg.wait", waitpid(-a, &st, 0) == a && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
	close(ra);
	CHECK("killpg.einval", killpg(-3, SIGTERM) == -1 && errno == EINVAL);
	CHECK("kill.badsig", kill(getpid(), 65) == -1 && errno == EINVAL);
	CHECK("kill.self0", kill(getpid(), 0) == 0);
}

static void t_exec_eacces(void)
{
	int p[2];
	char c;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		exit(2);
	pid = fork();
	if (pid == 0) {
		execlp("sleep", "sleep", "5", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	CHECK("exec.wait_exec", read(p[0], &c, 1) == 0);
	close(p[0]);
	CHECK("exec.setpgid_eacces", setpgid(pid, pid) == -1 && errno == EACCES);
	kill(pid, SIGKILL);
	int st;
	CHECK("exec.reap", waitpid(pid, &st, 0) == pid && WIFSIGNALED(st));
}

static void t_setsid(void)
{
	int up[2], down[2];
	pid_t pid;
	int st;

	if (pipe(up) < 0 || pipe(down) < 0)
		exit(2);
	pid = fork();
	if (pid == 0) {
		int v[3];
		close(up[0]);
		close(down[1]);
		v[0] = setsid();
		v[1] = getsid(0);
		v[2] = getpgrp();
		xwrite(up[1], v, sizeof(v));
		char c;
		while (read(down[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(up[1]);
	close(down[0]);
	int v[3];
	if (read(up[0], v, sizeof(v)) != sizeof(v))
		v[0] = -2;
	CHECK("setsid.returns_pid", v[0] == pid && v[1] == pid && v[2] == pid);
	CHECK("setsid.getsid_other", getsid(pid) == pid);
	CHECK("setsid.setpgid_eperm", setpgid(pid, pid) == -1 && errno == EPERM);
	CHECK("getpgrp.is_getpgid0", getpgrp() == getpgid(0));
	close(down[1]);
	close(up[0]);
	waitpid(pid, &st, 0);
}

static volatile sig_atomic_t got_pid, got_code, got_val;

static void on_usr1(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	(void)ctx;
	got_pid = si->si_pid;
	got_code = si->si_code;
	got_val = si->si_value.sival_int;
}

static void t_siginfo(void)
{
	struct sigaction sa = { .sa_sigaction = on_usr1, .sa_flags = SA_SIGINFO | SA_RESTART }, old;
	pid_t pid;
	int st;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	CHECK("sigaction.oldact_is_user", sigaction(SIGUSR1, NULL, &old) == 0 &&
						  old.sa_sigaction == on_usr1);
	got_pid = 0;
	pid = fork();
	if (pid == 0) {
		kill(getppid(), SIGUSR1);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	CHECK("siginfo.kill_si_pid", got_pid == pid && got_code == SI_USER);
	got_pid = 0;
	pid = fork();
	if (pid == 0) {
		sigqueue(getppid(), SIGUSR1, (union sigval){ .sival_int = 42 });
		_exit(0);
	}
	waitpid(pid, &st, 0);
	CHECK("siginfo.sigqueue_si_pid", got_pid == pid && got_code == SI_QUEUE && got_val == 42);

	/* sigwaitinfo in a child, fed by our sigqueue */
	sigset_t set, oldm;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, &oldm);
	int p[2];
	if (pipe(p) < 0)
		exit(2);
	pid = fork();
	if (pid == 0) {
		siginfo_t si;
		int ok = sigwaitinfo(&set, &si) == SIGUSR2 && si.si_pid == getppid() &&
			 si.si_value.sival_int == 7;
		xwrite(p[1], &ok, sizeof(ok));
		_exit(0);
	}
	CHECK("sigqueue.child", sigqueue(pid, SIGUSR2, (union sigval){ .sival_int = 7 }) == 0);
	CHECK("sigwaitinfo.si_pid", xread_int(p[0]) == 1);
	waitpid(pid, &st, 0);
	sigprocmask(SIG_SETMASK, &oldm, NULL);
	close(p[0]);
	close(p[1]);
}

static void t_stop_cont(void)
{
	int r, st;
	pid_t pid = child_waiting(&r, -1);

	kill(pid, SIGSTOP);
	CHECK("wait.stopped", waitpid(pid, &st, WUNTRACED) == pid && WIFSTOPPED(st));
	kill(pid, SIGCONT);
	CHECK("wait.continued", waitpid(pid, &st, WCONTINUED) == pid && WIFCONTINUED(st));
	close(r);
	struct rusage ru;
	CHECK("wait4.rusage", wait4(pid, &st, 0, &ru) == pid && WIFEXITED(st));
	CHECK("wait.badopt", waitpid(-1, &st, 0x4000) == -1 && errno == EINVAL);
	CHECK("waitid.noflags", waitid(P_ALL, 0, NULL, 0) == -1 && errno == EINVAL);
	CHECK("waitid.pid0", waitid(P_PID, 0, NULL, WEXITED) == -1 && errno == EINVAL);
}

static void t_spawn(void)
{
	posix_spawnattr_t at;
	pid_t pid;
	int st;
	char *argv[] = { "sleep", "0.2", NULL };

	posix_spawnattr_init(&at);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setpgroup(&at, 0);
	CHECK("spawn.ok", posix_spawnp(&pid, "sleep", NULL, &at, argv, environ) == 0);
	CHECK("spawn.setpgroup", getpgid(pid) == pid);
	CHECK("spawn.wait", waitpid(pid, &st, 0) == pid && WIFEXITED(st));
	posix_spawnattr_destroy(&at);
	CHECK("system.status", system("exit 7") == 7 << 8);
	CHECK("system.null", system(NULL) == 1);
	FILE *f = popen("echo hello; exit 3", "r");
	char buf[32] = "";
	CHECK("popen.read", f != NULL && fgets(buf, sizeof(buf), f) != NULL && strcmp(buf, "hello\n") == 0);
	CHECK("pclose.status", f != NULL && pclose(f) == 3 << 8);
}

static void t_env_clear(void)
{
	int p[2];
	pid_t pid;
	char buf[64] = "";
	int st;

	if (pipe(p) < 0)
		exit(2);
	pid = fork();
	if (pid == 0) {
		char *env[] = { NULL };
		dup2(p[1], 1);
		execle("/bin/sh", "sh", "-c", "echo $$", (char *)NULL, env);
		_exit(127);
	}
	close(p[1]);
	ssize_t n = read(p[0], buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	waitpid(pid, &st, 0);
	CHECK("exec.env_cleared_keeps_identity", atoi(buf) == pid);
	close(p[0]);
}

static void t_daemon(void)
{
	int p[2];
	pid_t pid;
	int st;

	if (pipe(p) < 0)
		exit(2);
	pid = fork();
	if (pid == 0) {
		if (daemon(1, 1) < 0)
			_exit(1);
		int ok = getsid(0) == getpid() && getpgrp() == getpid();
		xwrite(p[1], &ok, sizeof(ok));
		_exit(0);
	}
	close(p[1]);
	waitpid(pid, &st, 0);
	CHECK("daemon.setsid", xread_int(p[0]) == 1);
	close(p[0]);
}

static void t_vfork(void)
{
	pid_t pid = vfork();
	int st;

	if (pid == 0) {
		execlp("true", "true", (char *)NULL);
		_exit(127);
	}
	CHECK("vfork.exec", waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static int reaped;

static void on_chld(int sig, siginfo_t *si, void *ctx)
{
	int st, saved = errno;
	(void)sig;
	(void)ctx;
	(void)si;
	while (waitpid(-1, &st, WNOHANG) > 0)
		__atomic_fetch_add(&reaped, 1, __ATOMIC_SEQ_CST); /* handlers may run on two threads */
	kill(getpid(), 0);
	errno = saved;
}

static void *hammer(void *arg)
{
	long bad = 0;
	(void)arg;
	for (int i = 0; i < 300; i++) {
		if (getppid() <= 0 || getpgrp() <= 0 || kill(getpid(), 0) != 0)
			bad++;
	}
	return (void *)bad;
}

static void t_threads_handlers(void)
{
	struct sigaction sa = { .sa_sigaction = on_chld, .sa_flags = SA_SIGINFO | SA_RESTART };
	pthread_t th[4];
	long bad = 0;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
	reaped = 0;
	for (int i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, hammer, NULL);
	for (int i = 0; i < 20; i++) {
		pid_t pid = fork();
		if (pid == 0)
			_exit(0);
	}
	for (int i = 0; i < 4; i++) {
		void *r;
		pthread_join(th[i], &r);
		bad += (long)r;
	}
	for (int i = 0; i < 200 && __atomic_load_n(&reaped, __ATOMIC_SEQ_CST) < 20; i++)
		usleep(10000);
	CHECK("threads.ids", bad == 0);
	CHECK("handler.reaped_all", reaped == 20);
	if (reaped != 20)
		printf("reaped %d\n", (int)reaped);
	signal(SIGCHLD, SIG_DFL);
}

/* Every test reaps what it made: nothing may be left behind. */
static void no_leftover(const char *after)
{
	int st;
	pid_t left = waitpid(-1, &st, WNOHANG);

	if (left > 0) {
		printf("FAIL leftover child after %s (status %#x)\n", after, st);
		failures++;
	}
}

static pid_t atfork_child_pid;

static void atfork_child(void)
{
	atfork_child_pid = getpid();
}

/* getpid inside an atfork child handler already answers the child's id. */
static void t_atfork(void)
{
	int p[2], st, ok = 0;
	pid_t pid;

	if (pipe(p) < 0)
		exit(2);
	pthread_atfork(NULL, NULL, atfork_child);
	pid = fork();
	if (pid == 0) {
		int v = atfork_child_pid == getpid();
		xwrite(p[1], &v, sizeof(v));
		_exit(0);
	}
	if (read(p[0], &ok, sizeof(ok)) != sizeof(ok))
		ok = 0;
	waitpid(pid, &st, 0);
	CHECK("atfork.child_getpid", ok == 1);
	close(p[0]);
	close(p[1]);
}

/* A child made by the raw system call (no wrapper) is not its parent: once
 * it makes a call that reaches the supervisor, it has its own id. */
static void t_raw_fork(void)
{
	int p[2], st, v[2] = { 0, 0 };
	pid_t pid;

	if (pipe(p) < 0)
		exit(2);
	pid = (pid_t)syscall(SYS_fork);
	if (pid == 0) {
		int w[2];
		w[0] = getpgrp();
		w[1] = getpid();
		xwrite(p[1], w, sizeof(w));
		_exit(0);
	}
	if (read(p[0], v, sizeof(v)) != sizeof(v))
		v[1] = -1;
	CHECK("rawfork.own_pid", v[1] > 0 && v[1] != getpid() && v[0] == getpgrp());
	CHECK("rawfork.wait_any", wait(&st) > 0 && WIFEXITED(st));
	close(p[0]);
	close(p[1]);
}

/* fds in 3..39 (the shim's socket and FIFO must sit higher: SHIM_FD_MIN). */
static int count_low_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int low = 0;

	while (d != NULL && (e = readdir(d)) != NULL) {
		int fd = atoi(e->d_name);
		if (e->d_name[0] != '.' && fd > 2 && fd < 40 && fd != dirfd(d))
			low++;
	}
	if (d != NULL)
		closedir(d);
	return low;
}

static int low_fds_at_start;

static void t_low_fds(void)
{
	getpgrp(); /* connected by now under the shim */
	CHECK("fds.none_low", count_low_fds() == low_fds_at_start);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	low_fds_at_start = count_low_fds();
	t_fork_ids();
	no_leftover("t_fork_ids");
	t_groups();
	no_leftover("t_groups");
	t_kill_group();
	no_leftover("t_kill_group");
	t_exec_eacces();
	no_leftover("t_exec_eacces");
	t_setsid();
	no_leftover("t_setsid");
	t_siginfo();
	no_leftover("t_siginfo");
	t_stop_cont();
	no_leftover("t_stop_cont");
	t_spawn();
	no_leftover("t_spawn");
	t_env_clear();
	no_leftover("t_env_clear");
	t_daemon();
	no_leftover("t_daemon");
	t_vfork();
	no_leftover("t_vfork");
	t_atfork();
	no_leftover("t_atfork");
	t_raw_fork();
	no_leftover("t_raw_fork");
	t_low_fds();
	t_threads_handlers();
	printf("%s\n", failures ? "FAILED" : "ALL OK");
	return failures != 0;
}
