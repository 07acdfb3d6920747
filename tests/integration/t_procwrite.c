/* t_procwrite.c — /proc/<pid> paths through the calls that are not open: creat (glibc makes the creat system call itself), syscall(SYS_creat) and syscall(SYS_openat2); stat and status opened read-only stay read-only. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * A child names itself (PR_SET_NAME) and waits; its parent sets the
 * child's oom_score_adj through creat, then through syscall(SYS_creat),
 * reads it back with fopen, and reads the child's comm through
 * syscall(SYS_openat2).  Chromium's WriteFile sets a renderer's
 * oom_score_adj with creat: under jobshim that path reached the real
 * /proc/<vpid>, another process's (every run is in a private pid
 * namespace, so a broken shim reaches only the test's own processes).
 */

static void show_oom(pid_t pid)
{
	char path[64], buf[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", (int)pid);
	f = fopen(path, "r");
	if (f == NULL || fgets(buf, sizeof(buf), f) == NULL)
		printf("read oom_score_adj: %s\n", strerror(errno));
	else
		printf("oom_score_adj now %s", buf);
	if (f != NULL)
		fclose(f);
}

static void set_oom(pid_t pid, const char *value, int raw)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", (int)pid);
	fd = raw ? (int)syscall(SYS_creat, path, 0666) : creat(path, 0666);
	if (fd < 0) {
		printf("%s: %s\n", raw ? "syscall(SYS_creat)" : "creat", strerror(errno));
		return;
	}
	if (write(fd, value, strlen(value)) < 0)
		printf("write: %s\n", strerror(errno));
	close(fd);
	printf("%s: set %s\n", raw ? "syscall(SYS_creat)" : "creat", value);
	show_oom(pid);
}

static void show_comm(pid_t pid)
{
	struct open_how how = {.flags = O_RDONLY | O_CLOEXEC};
	char path[64], buf[32] = "";
	ssize_t n;
	long fd;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	fd = syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));
	if (fd < 0) {
		printf("openat2: %s\n", strerror(errno));
		return;
	}
	n = read((int)fd, buf, sizeof(buf) - 1);
	close((int)fd);
	printf("openat2: comm %s", n > 0 ? buf : "(nothing)\n");
	/* the kernel still checks open_how: an unknown flag is EINVAL */
	how.flags = 1ULL << 40;
	errno = 0;
	fd = syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));
	printf("openat2 with an unknown flag: %ld %s\n", fd, strerror(errno));
}

/* /proc/<pid>/stat and status opened read-only are read-only descriptors:
 * the shim's rewritten copy was a read-write memfd, and Chromium, which
 * CHECKs a file it opened for reading, died on its first stat. */
static void show_mode(pid_t pid, const char *name)
{
	char path[64];
	int fd, fl;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		printf("%s: %s\n", name, strerror(errno));
		return;
	}
	fl = fcntl(fd, F_GETFL);
	errno = 0;
	printf("%s: access mode %s, close-on-exec %d, write: %s\n", name,
	       (fl & O_ACCMODE) == O_RDONLY ? "O_RDONLY" : "not O_RDONLY",
	       (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0, write(fd, "x", 1) < 0 ? strerror(errno) : "written");
	close(fd);
}

int main(void)
{
	int ready[2], go[2];
	char c;
	pid_t pid;

	if (pipe(ready) < 0 || pipe(go) < 0)
		return 1;
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_NAME, "procwrite-kid");
		if (write(ready[1], "r", 1) != 1 || read(go[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	if (pid < 0 || read(ready[0], &c, 1) != 1)
		return 1;
	set_oom(pid, "123", 0);
	set_oom(pid, "456", 1);
	show_comm(pid);
	show_mode(pid, "stat");
	show_mode(pid, "status");
	if (write(go[1], "g", 1) != 1)
		return 1;
	waitpid(pid, NULL, 0);
	return 0;
}
