/* t_spawn.c — fork, vfork, _Fork, exec, posix_spawn(p) with SETPGROUP/SETSID, system, popen, daemon. */
#include <spawn.h>
#include <sys/mman.h>

#include "lib/itest.h"

extern char **environ;

/* Report pipes are inherited by exec (no close-on-exec). */
static struct it_chan report_pipe(void)
{
	int fd[2];
	if (pipe(fd) < 0)
		it_die("pipe");
	return (struct it_chan){ fd[0], fd[1] };
}

static void forks(void)
{
	it_out("-- fork, vfork, _Fork, exec");
	struct it_chan rp = report_pipe();
	pid_t c = it_fork("f");
	if (c == 0) {
		struct it_ids id = it_my_ids();
		it_put_rec(rp.w, &id, sizeof id);
		_exit(0);
	}
	it_show_ids("fork child f", it_read_ids(rp.r));
	it_out("f: %s", it_status(it_reap(c)));

	/* The vfork child only execs or _exits. */
	char fdarg[16];
	snprintf(fdarg, sizeof fdarg, "%d", rp.w);
	const char *exe = it_self_exe();
	char *rargv[] = { (char *)exe, "--report", fdarg, NULL };
	c = vfork();
	if (c == 0) {
		execv(exe, rargv);
		_exit(127);
	}
	if (c < 0)
		it_die("vfork");
	it_name(c, "v");
	it_show_ids("vfork+exec child v", it_read_ids(rp.r));
	it_out("v: %s", it_status(it_reap(c)));
	c = vfork();
	if (c == 0)
		_exit(5);
	it_name(c, "v2");
	IT_PID("vfork+_exit(5): waitpid(v2, 0)", waitpid(c, NULL, 0));

	c = _Fork();
	if (c == 0) {
		struct it_ids id = it_my_ids();
		it_put_rec(rp.w, &id, sizeof id);
		_exit(6);
	}
	if (c < 0)
		it_die("_Fork");
	it_name(c, "F");
	it_show_ids("_Fork child F", it_read_ids(rp.r));
	it_out("F: %s", it_status(it_reap(c)));

	c = it_fork("x");
	if (c == 0) {
		setpgid(0, 0);
		execv(exe, rargv);
		_exit(127);
	}
	it_show_ids("exec'd child x in its own group", it_read_ids(rp.r));
	it_out("x: %s", it_status(it_reap(c)));
	close(rp.r);
	close(rp.w);
}

/* posix_spawn(p) of this program in the --report role. */
static void spawn_one(const char *what, const char *name, int use_p, short flags, pid_t pgrp)
{
	struct it_chan rp = report_pipe();
	char fdarg[16];
	snprintf(fdarg, sizeof fdarg, "%d", rp.w);
	const char *exe = it_self_exe();
	const char *base = strrchr(exe, '/') + 1;
	char *argv[] = { (char *)(use_p ? base : exe), "--report", fdarg, NULL };
	posix_spawnattr_t at;
	posix_spawnattr_init(&at);
	if (flags) {
		posix_spawnattr_setflags(&at, flags);
		posix_spawnattr_setpgroup(&at, pgrp);
	}
	pid_t c = 0;
	int r;
	if (use_p) {
		/* posix_spawnp searches the caller's PATH: make it hold only this
		 * program's directory, so the search must find it there. */
		char dir[PATH_MAX], saved[PATH_MAX * 2];
		snprintf(dir, sizeof dir, "%.*s", (int)(base - exe - 1), exe);
		const char *old = getenv("PATH");
		snprintf(saved, sizeof saved, "%s", old ? old : "/usr/bin:/bin");
		setenv("PATH", dir, 1);
		r = posix_spawnp(&c, base, NULL, &at, argv, environ);
		setenv("PATH", saved, 1);
	} else {
		r = posix_spawn(&c, exe, NULL, &at, argv, environ);
	}
	posix_spawnattr_destroy(&at);
	close(rp.w);
	if (r != 0) {
		it_out("%s: error %s", what, it_errname(r));
		int st;
		pid_t w = waitpid(-1, &st, WNOHANG);
		it_out("  a child left behind: %s", w == -1 && errno == ECHILD ? "no" : "yes");
		close(rp.r);
		return;
	}
	it_name(c, name);
	it_show_ids(what, it_read_ids(rp.r));
	it_out("%s: %s", name, it_status(it_reap(c)));
	close(rp.r);
}

static void spawns(pid_t dead)
{
	it_out("-- posix_spawn, posix_spawnp");
	spawn_one("posix_spawn", "s1", 0, 0, 0);
	spawn_one("posix_spawn SETPGROUP 0", "s2", 0, POSIX_SPAWN_SETPGROUP, 0);
	spawn_one("posix_spawn SETSID", "s3", 0, POSIX_SPAWN_SETSID, 0);
	spawn_one("posix_spawnp SETPGROUP 0", "s4", 1, POSIX_SPAWN_SETPGROUP, 0);
	spawn_one("posix_spawnp SETSID", "s5", 1, POSIX_SPAWN_SETSID, 0);
	spawn_one("posix_spawnp", "s6", 1, 0, 0);

	/* Joining the group of a live child. */
	struct it_chan ready = it_chan(), rel = it_chan();
	pid_t h = it_fork("h");
	if (h == 0) {
		setpgid(0, 0);
		it_put(ready, 'r');
		it_get(rel);
		_exit(0);
	}
	it_expect(ready, 'r');
	spawn_one("posix_spawn SETPGROUP h", "s7", 0, POSIX_SPAWN_SETPGROUP, h);
	spawn_one("posix_spawn SETPGROUP main (a session leader's group)", "s8", 0,
		  POSIX_SPAWN_SETPGROUP, getpid());
	it_put(rel, 'x');
	it_out("h: %s", it_status(it_reap(h)));
	spawn_one("posix_spawn SETPGROUP dead", "s9", 0, POSIX_SPAWN_SETPGROUP, dead);
	spawn_one("posix_spawn SETSID|SETPGROUP 0", "s10", 0,
		  POSIX_SPAWN_SETSID | POSIX_SPAWN_SETPGROUP, 0);
}

static void shells(void)
{
	it_out("-- system, popen");
	struct it_chan rp = report_pipe();
	char cmd[PATH_MAX + 64];
	snprintf(cmd, sizeof cmd, "exec '%s' --report %d", it_self_exe(), rp.w);
	IT_RC("system(exec SELF --report)", system(cmd));
	it_show_ids("  the command", it_read_ids(rp.r));
	IT_RC("system(\"exit 3\")", system("exit 3"));
	IT_RC("system(\"kill -TERM $$\")", system("kill -TERM $$"));
	IT_RC("system(NULL) (a shell exists)", system(NULL) != 0);
	IT_RC("waitpid(-1, WNOHANG) (nothing left)", waitpid(-1, NULL, WNOHANG));
	close(rp.r);
	close(rp.w);

	snprintf(cmd, sizeof cmd, "exec '%s' --report-out", it_self_exe());
	FILE *f = popen(cmd, "r");
	if (!f)
		it_die("popen");
	struct it_ids id;
	if (fscanf(f, "%d %d %d %d", &id.pid, &id.ppid, &id.pgid, &id.sid) != 4)
		it_die("popen read");
	it_show_ids("popen(exec SELF --report-out, r)", id);
	IT_RC("  pclose", pclose(f));
	f = popen("exit 4", "r");
	IT_RC("popen(\"exit 4\", r): pclose", f ? pclose(f) : -1);
	f = popen("cat >/dev/null", "w");
	if (f)
		fputs("hello\n", f);
	IT_RC("popen(\"cat >/dev/null\", w): pclose", f ? pclose(f) : -1);
	IT_RC("waitpid(-1, WNOHANG) (nothing left)", waitpid(-1, NULL, WNOHANG));
}

/* daemon(): the caller's process exits, its child d starts a new session
 * and is reparented to init; d reports once its old parent has been reaped. */
static void daemons(void)
{
	it_out("-- daemon");
	struct it_chan rp = report_pipe(), go = it_chan();
	pid_t c = it_fork("c");
	if (c == 0) {
		if (daemon(1, 1) < 0)
			it_die("daemon");
		it_guard(); /* alarms do not survive daemon()'s fork */
		pid_t d = getpid();
		it_name(d, "d");
		it_put_rec(rp.w, &d, sizeof d);
		it_get(go);
		struct it_ids id = it_my_ids();
		it_put_rec(rp.w, &id, sizeof id);
		_exit(0);
	}
	pid_t d;
	if (it_get_rec(rp.r, &d, sizeof d) < 0)
		it_die("read d");
	it_name(d, "d");
	it_out("c: %s", it_status(it_reap(c)));
	it_put(go, 'g');
	it_show_ids("daemon d", it_read_ids(rp.r));
	/* d is init's to reap now; its pid goes away once init has. */
	it_out("d reaped by init: %s", it_await_gone(d) ? "yes" : "no");
	IT_RC("waitpid(d, WNOHANG) (not our child)", waitpid(d, NULL, WNOHANG));
}

/* An environment whose strings lie on many pages (as make's do), one of
 * them unmapped, or a string that runs into an unmapped page: EFAULT from
 * posix_spawn and from a fork child's execve, as the kernel answers.  The
 * shim reads those strings first and proves their pages readable, many
 * at once (shim/uaccess.c): it must never die of SIGSEGV instead, nor
 * refuse a readable one. */
static void bad_environments(void)
{
	enum { N = 40 };
	char *argv[] = { "true", NULL };

	it_out("-- environments on %d pages", N);
	for (int bad = -1; bad < N; bad += 13) {
		char *m = mmap(NULL, N * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		char *envp[N + 1];
		pid_t p;
		int st = 0;

		if (m == MAP_FAILED)
			it_die("mmap");
		for (int i = 0; i < N; i++) {
			snprintf(m + i * 4096, 32, "V%d=x", i);
			envp[i] = m + i * 4096;
		}
		envp[N] = NULL;
		if (bad >= 0)
			munmap(m + bad * 4096, 4096);
		int rc = posix_spawn(&p, "/bin/true", NULL, NULL, argv, envp);
		if (rc == 0)
			it_reap(p);
		pid_t c = fork();
		if (c == 0) {
			execve("/bin/true", argv, envp);
			_exit(errno == EFAULT ? 42 : 43);
		}
		if (c > 0)
			st = it_reap(c);
		it_out("page %d unmapped: posix_spawn %s, execve in a child: %s", bad,
		       rc == 0 ? "0" : strerror(rc), it_status(st));
		munmap(m, N * 4096);
	}
	/* The last string runs off its page into an unmapped one. */
	char *m = mmap(NULL, 8 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *envp[8];
	pid_t p;

	if (m == MAP_FAILED)
		it_die("mmap");
	for (int i = 0; i < 7; i++) {
		strcpy(m + i * 4096, "A=b");
		envp[i] = m + i * 4096;
	}
	memset(m + 7 * 4096 - 8, 'x', 8);
	munmap(m + 7 * 4096, 4096);
	envp[6] = m + 7 * 4096 - 8;
	envp[7] = NULL;
	int rc = posix_spawn(&p, "/bin/true", NULL, NULL, argv, envp);
	if (rc == 0)
		it_reap(p);
	it_out("a string into an unmapped page: posix_spawn %s", rc == 0 ? "0" : strerror(rc));
	munmap(m, 7 * 4096);
}

/* posix_spawn of /proc/<a pid nobody has>/exe: ENOENT, from the child's
 * exec; with an unreadable argv, SIGSEGV in the caller, where glibc
 * counts argv before any child runs (the shim answered ENOENT for the
 * pid outside the tree before glibc read argv). */
static void spawn_missing_proc(pid_t dead)
{
	char path[64], *argv[] = { "x", NULL };
	void *hole = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pid_t p;

	if (hole == MAP_FAILED)
		it_die("mmap");
	munmap(hole, 4096);
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)dead);
	int rc = posix_spawn(&p, path, NULL, NULL, argv, environ);
	if (rc == 0)
		it_reap(p);
	it_out("posix_spawn /proc/<dead>/exe: %s", rc == 0 ? "0" : strerror(rc));
	pid_t c = fork();
	if (c == 0) {
		rc = posix_spawn(&p, path, NULL, NULL, (char **)hole, environ);
		_exit(rc == ENOENT ? 2 : 3);
	}
	it_out("the same with argv unmapped: %s", it_status(it_reap(c)));
}

int main(int argc, char **argv)
{
	it_child_modes(argc, argv);
	it_init();
	pid_t dead = it_dead_pid();
	forks();
	spawns(dead);
	shells();
	daemons();
	bad_environments();
	spawn_missing_proc(dead);
	return 0;
}
