/* t_cgroup_procs.c — a cgroup's cgroup.procs and cgroup.threads read inside the tree list its members by the ids the program knows (LTP clone303). */
#include <fcntl.h>
#include <linux/sched.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "lib/itest.h"

/*
 * A child joins a fresh cgroup (clone3 with CLONE_INTO_CGROUP, or by
 * writing "0", itself, to cgroup.procs); the parent reads the member list
 * relative to the cgroup's directory descriptor (as LTP's library does)
 * and by its absolute path, and names each member.  Then a child with a
 * second thread: cgroup.threads lists its main thread by the child's pid
 * and the other by the id gettid() gave that thread.  Needs a cgroup2
 * mount (found in /proc/self/mountinfo) and the right to make a cgroup
 * there; otherwise one line says so, the same on both sides.
 */

static char mnt[256];

static bool find_cgroup2(void)
{
	FILE *f = fopen("/proc/self/mountinfo", "r");
	char line[1024];

	if (!f)
		return false;
	while (fgets(line, sizeof line, f)) {
		char *dash = strstr(line, " - cgroup2 ");
		char path[256];
		if (dash && sscanf(line, "%*d %*d %*s %*s %255s", path) == 1) {
			snprintf(mnt, sizeof mnt, "%s", path);
			fclose(f);
			return true;
		}
	}
	fclose(f);
	return false;
}

/* The members, read with openat(dirfd, "cgroup.procs") or open(path). */
static void show_members(const char *how, int dirfd, const char *path)
{
	char buf[512];
	int fd = dirfd >= 0 ? openat(dirfd, "cgroup.procs", O_RDONLY | O_CLOEXEC)
			    : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		it_out("%s: open: %s", how, it_errname(errno));
		return;
	}
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	char line[256] = "";
	for (char *s = strtok(buf, "\n"); s; s = strtok(NULL, "\n")) {
		strncat(line, " ", sizeof line - strlen(line) - 1);
		strncat(line, it_l(atoi(s)), sizeof line - strlen(line) - 1);
	}
	it_out("%s:%s", how, line[0] ? line : " (none)");
}

static int tid_pipe[2], hold_pipe[2];

static void *second_thread(void *arg)
{
	pid_t tid = gettid();
	char c;

	(void)arg;
	it_put_rec(tid_pipe[1], &tid, sizeof tid);
	if (read(hold_pipe[0], &c, 1) < 0)
		it_die("hold");
	return NULL;
}

/* A child with two threads joins; cgroup.threads names both. */
static void threaded(int dirfd, const char *procs)
{
	pid_t pid, tid = 0;

	if (pipe(tid_pipe) != 0 || pipe(hold_pipe) != 0)
		it_die("pipe");
	pid = fork();
	if (pid < 0)
		it_die("fork");
	if (pid == 0) {
		pthread_t t;
		int fd = open(procs, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, "0", 1) != 1)
			it_die("join cgroup");
		close(fd);
		if (pthread_create(&t, NULL, second_thread, NULL) != 0)
			it_die("pthread_create");
		pthread_join(t, NULL);
		_exit(0);
	}
	it_name(pid, "threaded");
	if (it_get_rec(tid_pipe[0], &tid, sizeof tid) != 0)
		it_die("tid");
	int fd = openat(dirfd, "cgroup.threads", O_RDONLY | O_CLOEXEC);
	char buf[512], line[256] = "";
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	for (char *s = strtok(buf, "\n"); s; s = strtok(NULL, "\n")) {
		pid_t id = atoi(s);
		strncat(line, id == pid ? " threaded" : id == tid ? " its-thread" : " other",
			sizeof line - strlen(line) - 1);
	}
	it_out("threaded in the cgroup: cgroup.threads:%s", fd < 0 ? it_errname(errno) : line[0] ? line : " (none)");
	if (write(hold_pipe[1], "x", 1) != 1)
		it_die("release");
	it_reap(pid);
	close(tid_pipe[0]);
	close(tid_pipe[1]);
	close(hold_pipe[0]);
	close(hold_pipe[1]);
}

static void one(const char *name, bool into, int dirfd, const char *procs)
{
	struct it_chan up = it_chan(), down = it_chan(); /* child -> parent, back */
	pid_t pid;

	if (into) {
		struct clone_args ca;
		memset(&ca, 0, sizeof ca);
		ca.flags = CLONE_INTO_CGROUP;
		ca.exit_signal = SIGCHLD;
		ca.cgroup = (uint64_t)dirfd;
		pid = (pid_t)syscall(SYS_clone3, &ca, sizeof ca);
	} else {
		pid = fork();
	}
	if (pid < 0)
		it_die("clone3/fork");
	if (pid == 0) {
		if (!into) {
			int fd = open(procs, O_WRONLY | O_CLOEXEC);
			if (fd < 0 || write(fd, "0", 1) != 1)
				it_die("join cgroup");
			close(fd);
		}
		it_put(up, 'j');
		it_get(down); /* until the parent has looked */
		_exit(0);
	}
	it_name(pid, name);
	it_expect(up, 'j');
	it_out("%s in the cgroup", name);
	show_members("  openat(dirfd, cgroup.procs)", dirfd, NULL);
	show_members("  open(<cgroup>/cgroup.procs)", -1, procs);
	it_put(down, 'x');
	it_reap(pid);
	close(up.r);
	close(up.w);
	close(down.r);
	close(down.w);
	show_members("  after its exit", dirfd, NULL);
}

int main(int argc, char **argv)
{
	it_child_modes(argc, argv);
	it_init();
	char dir[512], procs[600];

	if (!find_cgroup2()) {
		it_out("no cgroup2 mount: nothing to check");
		return 0;
	}
	/* a name of our own (pids repeat across pid namespaces): random, and
	 * never in the output */
	unsigned long rnd = 0;
	int ufd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (ufd < 0 || read(ufd, &rnd, sizeof rnd) != (ssize_t)sizeof rnd)
		it_die("urandom");
	close(ufd);
	snprintf(dir, sizeof dir, "%s/jobshim-t-cgroup-%lx", mnt, rnd);
	if (mkdir(dir, 0755) != 0) {
		it_out("cannot make a cgroup: nothing to check");
		return 0;
	}
	snprintf(procs, sizeof procs, "%s/cgroup.procs", dir);
	int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		it_die("open cgroup");
	show_members("empty cgroup", dirfd, NULL);
	one("into", true, dirfd, procs);
	one("joined", false, dirfd, procs);
	threaded(dirfd, procs);
	close(dirfd);
	if (rmdir(dir) != 0)
		it_die("rmdir cgroup");
	return 0;
}
