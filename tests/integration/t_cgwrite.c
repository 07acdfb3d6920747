/* t_cgwrite.c — a pid written into a cgroup's cgroup.procs (write, dprintf, stdio as libcgroup and LTP's SAFE_FILE_PRINTF write) moves that process (LTP mmap22, swapon01). */
#include "lib/itest.h"

#include <spawn.h>
#include <stdbool.h>
#include <sys/stat.h>

extern char **environ;

/* A new cgroup under the first writable hierarchy: its path in dir, false
 * when there is none (no root, no cgroup file system): then the test prints
 * what it would have. */
static bool make_cgroup(char *dir, size_t len)
{
	static const char *const bases[] = { "/sys/fs/cgroup/unified", "/sys/fs/cgroup/pids",
					     "/sys/fs/cgroup", NULL };
	for (int i = 0; bases[i] != NULL; i++) {
		snprintf(dir, len, "%s/jobshim-t-cgwrite-%d", bases[i], (int)getpid());
		if (mkdir(dir, 0755) == 0)
			return true;
	}
	return false;
}

/* Is pid's cgroup (/proc/<pid>/cgroup) the one named `leaf`? */
static bool in_cgroup(pid_t pid, const char *leaf)
{
	char path[64], line[512];
	bool found = false;

	snprintf(path, sizeof path, "/proc/%d/cgroup", (int)pid);
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return false;
	while (fgets(line, sizeof line, f) != NULL)
		found |= strstr(line, leaf) != NULL;
	fclose(f);
	return found;
}

/* The lines of the stream cases below, for a run without a cgroup. */
static const char *const no_cgroup_lines[] = {
	"fdopen stream, fprintf(main), fflush: ok",
	"main moved: yes",
	"stdout line-buffered on it (a shell's echo), printf(main), fflush: ok",
	"main moved: yes",
	"stdout is line-buffered again",
	"(printed after that line)",
	"stdout on it, printf(a pid nobody has), fflush: -2 ferror",
	"a child's stdout on it, printf(its parent), exit: parent moved",
	"freopen(\"w+\") of stdout, printf(its parent), exit: parent moved",
	"fopen(\"r+\"), fprintf(main), fclose: ok",
	"main moved: yes",
	"posix_spawn /bin/echo (main), addopen of it as descriptor 1: main moved",
	"posix_spawn /bin/echo (main), adddup2 of it onto descriptor 1: main moved",
	"posix_spawn /bin/echo (main), our descriptor 1 on it: main moved",
	"fork, dup2 onto 1, execv /bin/echo (main): main moved",
};
#define NO_CGROUP_LINES (sizeof(no_cgroup_lines) / sizeof(no_cgroup_lines[0]))

/* The writer back into the parent cgroup ("0": itself). */
static void back(const char *parent_procs)
{
	int fd = open(parent_procs, O_WRONLY);

	if (fd < 0 || write(fd, "0", 1) != 1)
		it_die("back to the parent cgroup");
	close(fd);
}

/* A shell's `echo N > cgroup.procs` (bash: stdout line-buffered, the file
 * opened and moved onto descriptor 1, the builtin's fflush, descriptor 1
 * put back): fflush's result, errno in *err. */
static int echo_redirected(const char *procs, int n, int *err)
{
	int saved = dup(1), fd = open(procs, O_WRONLY | O_CREAT | O_TRUNC, 0666), r, bad;

	if (saved < 0 || fd < 0 || dup2(fd, 1) != 1)
		it_die("redirect stdout");
	close(fd);
	printf("%d", n);
	putchar('\n');
	errno = 0;
	r = fflush(stdout);
	*err = errno;
	bad = ferror(stdout);
	clearerr(stdout);
	if (dup2(saved, 1) != 1)
		it_die("put stdout back");
	close(saved);
	return r == 0 && bad ? -2 : r;
}

/* This process's pid printed to stream f, then fflush (a line ending in
 * "fflush") or fclose: the result, and whether it moved. */
static void main_by_stream(FILE *f, const char *what, const char *leaf)
{
	bool flush = strstr(what, "fflush") != NULL;
	int r;

	if (f == NULL)
		it_die(what);
	fprintf(f, "%d\n", (int)getpid());
	r = flush ? fflush(f) : fclose(f);
	it_out("%s: %s", what, r == 0 ? "ok" : it_errname(errno));
	it_out("main moved: %s", in_cgroup(getpid(), leaf) ? "yes" : "no");
	if (flush)
		fclose(f);
}

/*
 * /bin/echo prints this process's pid on a descriptor 1 that is the pid
 * file, the way `how` says; 0 on success.  echo imports no process call,
 * only the stdio flushes: jobshim runs such an image without its shim
 * unless its descriptor 1 may be a pid file (shim/elfscan.c), which a
 * file action decides for a spawn.
 */
static int echo_main(const char *procs, const char *how)
{
	char num[16];
	char *argv[] = { "/bin/echo", num, NULL };
	posix_spawn_file_actions_t fa, *fap = NULL;
	int status = -1, fd = -1, saved = -1, rc;
	pid_t pid;

	snprintf(num, sizeof num, "%d", (int)getpid());
	if (strcmp(how, "fork") == 0) {
		pid = it_fork("echo");
		if (pid == 0) {
			fd = open(procs, O_WRONLY);
			if (fd < 0 || dup2(fd, 1) != 1)
				_exit(98);
			execv(argv[0], argv);
			_exit(99);
		}
		return waitpid(pid, &status, 0) == pid && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	}
	if (strcmp(how, "ours") == 0) {
		fflush(stdout);
		fd = open(procs, O_WRONLY);
		saved = dup(1);
		if (fd < 0 || saved < 0 || dup2(fd, 1) != 1)
			it_die("stdout onto the pid file");
	} else {
		posix_spawn_file_actions_init(&fa);
		fap = &fa;
		if (strcmp(how, "addopen") == 0) {
			posix_spawn_file_actions_addopen(&fa, 1, procs, O_WRONLY, 0);
		} else {
			fd = open(procs, O_WRONLY);
			if (fd < 0)
				it_die("open cgroup.procs");
			posix_spawn_file_actions_adddup2(&fa, fd, 1);
		}
	}
	rc = posix_spawn(&pid, argv[0], fap, NULL, argv, environ);
	if (saved >= 0 && dup2(saved, 1) != 1)
		it_die("put stdout back");
	if (saved >= 0)
		close(saved);
	if (fd >= 0)
		close(fd);
	if (fap != NULL)
		posix_spawn_file_actions_destroy(fap);
	if (rc != 0)
		return -1;
	return waitpid(pid, &status, 0) == pid && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* A child prints its parent's pid on its stdout, made the file by dup2
 * or by freopen("w+"), and leaves it to exit's flush. */
static void parent_by_child(const char *procs, bool reopen)
{
	pid_t w = it_fork("writer");

	if (w == 0) {
		int pfd = reopen ? -1 : open(procs, O_WRONLY);
		if (reopen ? freopen(procs, "w+", stdout) == NULL : pfd < 0 || dup2(pfd, 1) != 1)
			_exit(98);
		setvbuf(stdout, NULL, _IOFBF, BUFSIZ);
		printf("%d\n", (int)getppid());
		exit(0);
	}
	it_reap(w);
}

int main(int argc, char **argv)
{
	char dir[128], procs[160];
	const char *leaf;

	it_child_modes(argc, argv);
	it_init();
	struct it_chan ch = it_chan();
	pid_t c = it_fork("child");
	if (c == 0) {
		it_get(ch);
		_exit(0);
	}
	struct it_chan ch2 = it_chan();
	pid_t c2 = it_fork("second child");
	if (c2 == 0) {
		it_get(ch2);
		_exit(0);
	}
	if (!make_cgroup(dir, sizeof dir)) {
		/* the lines a run with a cgroup prints */
		it_out("dprintf(child): ok");
		it_out("child moved: yes");
		it_out("write(main): ok");
		it_out("main moved: yes");
		it_out("write(a pid nobody has): -1 ESRCH");
		it_out("dprintf(a pid nobody has): -1 ESRCH");
		it_out("fprintf(second child), fclose: ok");
		it_out("second child moved: yes");
		it_out("fprintf(a pid nobody has), fclose: -1 ESRCH");
		it_out("fileno of the stream: its descriptor");
		for (size_t i = 0; i < NO_CGROUP_LINES; i++)
			it_out("%s", no_cgroup_lines[i]);
		it_put(ch, 'x');
		it_put(ch2, 'x');
		it_reap(c);
		it_reap(c2);
		return 0;
	}
	leaf = strrchr(dir, '/') + 1;
	snprintf(procs, sizeof procs, "%s/cgroup.procs", dir);
	int fd = open(procs, O_WRONLY);
	if (fd < 0)
		it_die("open cgroup.procs");
	int r = dprintf(fd, "%d\n", (int)c);
	it_out("dprintf(child): %s", r > 0 ? "ok" : it_errname(errno));
	it_out("child moved: %s", in_cgroup(c, leaf) ? "yes" : "no");
	char num[16];
	int n = snprintf(num, sizeof num, "%d", (int)getpid());
	r = (int)write(fd, num, (size_t)n);
	it_out("write(main): %s", r == n ? "ok" : it_errname(errno));
	it_out("main moved: %s", in_cgroup(getpid(), leaf) ? "yes" : "no");
	pid_t dead = it_dead_pid();
	n = snprintf(num, sizeof num, "%d\n", (int)dead);
	errno = 0;
	r = (int)write(fd, num, (size_t)n);
	it_out("write(a pid nobody has): %d %s", r, r < 0 ? it_errname(errno) : "");
	errno = 0;
	r = dprintf(fd, "%d", (int)dead);
	it_out("dprintf(a pid nobody has): %d %s", r, r < 0 ? it_errname(errno) : "");
	close(fd);
	/* stdio: libc writes its buffer at fclose, with its internal write */
	FILE *f = fopen(procs, "w");
	if (f == NULL)
		it_die("fopen cgroup.procs");
	fprintf(f, "%d\n", (int)c2);
	r = fclose(f);
	it_out("fprintf(second child), fclose: %s", r == 0 ? "ok" : it_errname(errno));
	it_out("second child moved: %s", in_cgroup(c2, leaf) ? "yes" : "no");
	f = fopen(procs, "w");
	if (f == NULL)
		it_die("fopen cgroup.procs");
	fprintf(f, "%d", (int)dead);
	errno = 0;
	r = fclose(f);
	it_out("fprintf(a pid nobody has), fclose: %d %s", r, r < 0 ? it_errname(errno) : "");
	f = fopen(procs, "a");
	struct stat a, b;
	it_out("fileno of the stream: %s", f != NULL && fileno(f) >= 0 && fstat(fileno(f), &a) == 0 &&
	       stat(procs, &b) == 0 && a.st_ino == b.st_ino ? "its descriptor" : "none");
	if (f != NULL)
		fclose(f);
	it_put(ch, 'x');
	it_put(ch2, 'x');
	it_reap(c);
	it_reap(c2);
	char parent[160];
	snprintf(parent, sizeof parent, "%.*s/cgroup.procs", (int)(leaf - 1 - dir), dir);
	/* A stream libc made on the descriptor, flushed by fflush. */
	back(parent);
	fd = open(procs, O_WRONLY);
	main_by_stream(fd < 0 ? NULL : fdopen(fd, "w"), "fdopen stream, fprintf(main), fflush", leaf);
	back(parent);
	/* stdout, as a shell's builtin echo writes it */
	int err;
	fflush(stdout);
	setvbuf(stdout, NULL, _IOLBF, BUFSIZ);
	r = echo_redirected(procs, (int)getpid(), &err);
	it_out("stdout line-buffered on it (a shell's echo), printf(main), fflush: %s",
	       r == 0 ? "ok" : it_errname(err));
	it_out("main moved: %s", in_cgroup(getpid(), leaf) ? "yes" : "no");
	/* Line-buffered again once descriptor 1 is back: this line is out
	 * before the next, which is written with write(). */
	printf("stdout is line-buffered again\n");
	it_out("(printed after that line)");
	r = echo_redirected(procs, (int)dead, &err);
	it_out("stdout on it, printf(a pid nobody has), fflush: %d %s", r,
	       r == -1 ? it_errname(err) : r == -2 ? "ferror" : "");
	/* exit() flushes stdout last, with libc's own write. */
	back(parent);
	parent_by_child(procs, false);
	it_out("a child's stdout on it, printf(its parent), exit: parent %s",
	       in_cgroup(getpid(), leaf) ? "moved" : "not moved");
	back(parent);
	parent_by_child(procs, true);
	it_out("freopen(\"w+\") of stdout, printf(its parent), exit: parent %s",
	       in_cgroup(getpid(), leaf) ? "moved" : "not moved");
	back(parent);
	main_by_stream(fopen(procs, "r+"), "fopen(\"r+\"), fprintf(main), fclose", leaf);
	/* A plain image on the file: spawned with file actions, with ours, forked. */
	static const char *const hows[][2] = {
		{ "addopen", "posix_spawn /bin/echo (main), addopen of it as descriptor 1" },
		{ "adddup2", "posix_spawn /bin/echo (main), adddup2 of it onto descriptor 1" },
		{ "ours", "posix_spawn /bin/echo (main), our descriptor 1 on it" },
		{ "fork", "fork, dup2 onto 1, execv /bin/echo (main)" },
	};
	for (size_t i = 0; i < sizeof(hows) / sizeof(hows[0]); i++) {
		back(parent);
		r = echo_main(procs, hows[i][0]);
		it_out("%s: %s", hows[i][1],
		       r != 0 ? "echo failed" : in_cgroup(getpid(), leaf) ? "main moved" : "main not moved");
	}
	/* Back to the parent cgroup, then remove it. */
	back(parent);
	if (rmdir(dir) < 0)
		it_die("rmdir cgroup");
	return 0;
}
