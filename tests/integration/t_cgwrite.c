/* t_cgwrite.c — a pid written into a cgroup's cgroup.procs (write, dprintf, stdio as libcgroup and LTP's SAFE_FILE_PRINTF write) moves that process (LTP mmap22, swapon01). */
#include "lib/itest.h"

#include <stdbool.h>
#include <sys/stat.h>

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
	/* Back to the parent cgroup (0: the writer itself), then remove it. */
	char parent[160];
	snprintf(parent, sizeof parent, "%.*s/cgroup.procs", (int)(leaf - 1 - dir), dir);
	fd = open(parent, O_WRONLY);
	if (fd < 0 || write(fd, "0", 1) != 1)
		it_die("back to the parent cgroup");
	close(fd);
	if (rmdir(dir) < 0)
		it_die("rmdir cgroup");
	return 0;
}
