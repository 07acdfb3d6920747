/* t_corename.c — a core file named by core_pattern's %p (or core_uses_pid) carries the dumped process's pid as its namespace sees it. */
#include "lib/itest.h"

#include <stdbool.h>
#include <sys/resource.h>
#include <sys/stat.h>

/*
 * LTP madvise08.  %p is "the PID of the dumped process, as seen in the PID
 * namespace in which the process resides" (core(5)): under jobshim, the
 * vpid (shim/corename.c renames the file the kernel named with the real
 * pid, before the parent's wait returns).  core_pattern is the machine's:
 * set to a directory of ours for the test's length only, and put back.
 * Root only; without a writable core_pattern, the test says so on both
 * sides alike.
 */

static char saved[512];

static bool write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_TRUNC);
	bool ok = fd >= 0 && write(fd, s, strlen(s)) == (ssize_t)strlen(s);

	if (fd >= 0)
		close(fd);
	return ok;
}

static bool read_file(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, cap - 1) : -1;

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	return true;
}

/* A child that aborts with a core; the file named with its pid? */
static void dump(const char *dir, const char *what, const char *prefix, const char *suffix)
{
	char path[512];
	pid_t p = it_fork("child");

	if (p == 0) {
		struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
		setrlimit(RLIMIT_CORE, &rl);
		signal(SIGABRT, SIG_DFL);
		abort();
	}
	int st = it_reap(p);
	snprintf(path, sizeof(path), "%s/%s%d%s", dir, prefix, (int)p, suffix);
	struct stat sb;
	bool there = stat(path, &sb) == 0;
	it_out("%s: %s; core file named with the child's pid: %s", what, it_status(st), there ? "yes" : "no");
	unlink(path);
}

/* An orphan dumps core: init reaps it (the supervisor under jobshim).
 * No it_die here: core_pattern must be put back. */
static void orphan_dump(const char *dir)
{
	char path[512];
	int idp[2], go[2];
	pid_t g = 0;

	if (pipe(idp) < 0 || pipe(go) < 0) {
		it_out("orphan: no pipe");
		return;
	}
	pid_t c = fork();
	if (c == 0) {
		close(idp[0]);
		close(go[1]);
		pid_t gc = fork();
		if (gc == 0) {
			struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
			char b;
			setrlimit(RLIMIT_CORE, &rl);
			signal(SIGABRT, SIG_DFL);
			close(idp[1]);
			while (read(go[0], &b, 1) < 0)
				; /* end of file: main lets it go, an orphan by then */
			abort();
		}
		_exit(write(idp[1], &gc, sizeof(gc)) == (ssize_t)sizeof(gc) ? 0 : 1);
	}
	close(idp[1]);
	close(go[0]);
	if (c > 0)
		waitpid(c, NULL, 0);
	bool got = c > 0 && read(idp[0], &g, sizeof(g)) == (ssize_t)sizeof(g) && g > 0;
	close(idp[0]);
	close(go[1]); /* the orphan reads end of file and aborts */
	if (!got) {
		it_out("orphan: no pid");
		return;
	}
	for (int ms = 0; ms < 5000 && kill(g, 0) == 0; ms++)
		usleep(1000);
	snprintf(path, sizeof(path), "%s/dump-%d", dir, (int)g);
	struct stat sb;
	bool there = false;
	for (int ms = 0; ms < 2000 && !(there = stat(path, &sb) == 0); ms += 10)
		usleep(10000);
	it_out("orphan reaped by init: core file named with its pid: %s", there ? "yes" : "no");
	unlink(path);
}

int main(void)
{
	char dir[] = "/tmp/jobshim-core-XXXXXX", pat[600], uses[16];

	it_init();
	if (geteuid() != 0 || !read_file("/proc/sys/kernel/core_pattern", saved, sizeof(saved)) ||
	    !read_file("/proc/sys/kernel/core_uses_pid", uses, sizeof(uses)) || mkdtemp(dir) == NULL) {
		it_out("no core_pattern to set: skipped");
		return 0;
	}
	chmod(dir, 0755);
	snprintf(pat, sizeof(pat), "%s/dump-%%p", dir);
	if (!write_file("/proc/sys/kernel/core_pattern", pat)) {
		it_out("no core_pattern to set: skipped");
		rmdir(dir);
		return 0;
	}
	dump(dir, "dump-%p", "dump-", "");
	orphan_dump(dir);
	snprintf(pat, sizeof(pat), "%s/core-%%s-%%p.x", dir);
	write_file("/proc/sys/kernel/core_pattern", pat);
	dump(dir, "core-%s-%p.x", "core-6-", ".x");
	/* no %p: core_uses_pid appends .PID */
	snprintf(pat, sizeof(pat), "%s/plain", dir);
	write_file("/proc/sys/kernel/core_pattern", pat);
	write_file("/proc/sys/kernel/core_uses_pid", "1");
	dump(dir, "plain, core_uses_pid", "plain.", "");
	write_file("/proc/sys/kernel/core_uses_pid", uses);
	write_file("/proc/sys/kernel/core_pattern", saved);
	rmdir(dir);
	return 0;
}
