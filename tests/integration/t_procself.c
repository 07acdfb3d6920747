/* t_procself.c — /proc as a process names itself and its children: the self links, the paths libc resolves through them (realpath, getcwd), children files, and the same files by descriptor (openat of /proc or /proc/<pid>, fdopendir of task). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * readlink("/proc/self") writes only the count it returns (a zeroed buffer
 * then reads as a string); "self" relative to a descriptor or a cwd of
 * procfs' root is the same link.  realpath and canonicalize_file_name
 * resolve the link inside libc, and getcwd after chdir("/proc/self") is
 * the kernel's answer: each must name getpid()'s /proc entry, so that
 * opening the result reads our own stat.  Printed as comparisons: the
 * pids differ between runs.  Then the same files by descriptor: "<pid>"
 * relative to a descriptor of /proc, "stat" or "task" relative to one of
 * /proc/<pid> (htop reads /proc this way).
 */

char *__realpath_chk(const char *path, char *resolved, size_t resolvedlen);
char *__getcwd_chk(char *buf, size_t size, size_t buflen);

static char want[64];            /* "/proc/<getpid()>" */
static char *volatile nowhere;  /* NULL, out of the compiler's sight */

/* Does the stat file under path (a /proc/<pid> directory) name pid? */
static const char *stat_pid(const char *dir, pid_t pid)
{
	char p[4200];
	FILE *f;
	int got = -1;

	snprintf(p, sizeof(p), "%s/stat", dir);
	f = fopen(p, "r");
	if (f == NULL)
		return strerror(errno);
	if (fscanf(f, "%d", &got) != 1)
		got = -1;
	fclose(f);
	return got == pid ? "same pid" : "another pid";
}

static void show_link(const char *what, int dirfd, const char *path, size_t len, const char *expect)
{
	char buf[64];
	ssize_t n;

	memset(buf, 0, sizeof(buf));
	errno = 0;
	n = dirfd == -100 ? readlink(path, buf, len) : readlinkat(dirfd, path, buf, len);
	if (n < 0) {
		printf("%s: %s\n", what, strerror(errno));
		return;
	}
	printf("%s: n %s, text %s, tail %s\n", what, (size_t)n == (len < strlen(expect) ? len : strlen(expect)) ? "ok" : "wrong",
	       strncmp(buf, expect, (size_t)n) == 0 ? "ok" : buf, buf[n] == '\0' ? "untouched" : "written");
}

static void show_path(const char *what, const char *r, const char *expect)
{
	if (r == NULL) {
		printf("%s: %s\n", what, strerror(errno));
		return;
	}
	printf("%s: %s", what, strcmp(r, expect) == 0 ? "ours" : r);
	if (strncmp(r, "/proc/", 6) == 0 && strchr(r + 6, '/') == NULL)
		printf(", %s", stat_pid(r, getpid()));
	printf("\n");
}

static void *thread_main(void *arg)
{
	char expect[96], link[64], *r;

	(void)arg;
	snprintf(expect, sizeof(expect), "%d/task/%d", getpid(), gettid());
	show_link("thread: readlink thread-self", -100, "/proc/thread-self", sizeof(link) - 1, expect);
	snprintf(expect, sizeof(expect), "%s/task/%d", want, gettid());
	r = realpath("/proc/thread-self", NULL);
	show_path("thread: realpath thread-self", r, expect);
	free(r);
	return NULL;
}

/* task/<tid>/children lists our children by the pids fork returned. */
static void show_children(void)
{
	pid_t kids[3];
	char path[96], buf[256], want_list[96] = "";
	int fd, n;

	for (int i = 0; i < 3; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			pause();
			_exit(0);
		}
		snprintf(want_list + strlen(want_list), sizeof(want_list) - strlen(want_list), "%d ", kids[i]);
	}
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", getpid(), getpid());
	fd = open(path, O_RDONLY);
	n = fd < 0 ? -1 : (int)read(fd, buf, sizeof(buf) - 1);
	if (n >= 0)
		buf[n] = '\0';
	printf("children, by pid: %s\n", n < 0 ? strerror(errno) : strcmp(buf, want_list) == 0 ? "ours" : buf);
	if (fd >= 0)
		close(fd);
	fd = open("/proc/self/task/self/children", O_RDONLY);
	printf("children under task/self: %s\n", fd < 0 ? strerror(errno) : "opened");
	FILE *f = fopen("/proc/thread-self/children", "r");
	n = f == NULL ? -1 : (int)fread(buf, 1, sizeof(buf) - 1, f);
	if (n >= 0)
		buf[n] = '\0';
	printf("children, thread-self: %s\n", n < 0 ? strerror(errno) : strcmp(buf, want_list) == 0 ? "ours" : buf);
	if (f != NULL)
		fclose(f);
	for (int i = 0; i < 3; i++) {
		kill(kids[i], SIGKILL);
		waitpid(kids[i], NULL, 0);
	}
	snprintf(path, sizeof(path), "/proc/self/task/%d/children", getpid());
	fd = open(path, O_RDONLY);
	n = fd < 0 ? -1 : (int)read(fd, buf, sizeof(buf) - 1);
	printf("children after the reaps: %s\n", n < 0 ? strerror(errno) : n == 0 ? "none" : "some");
	if (fd >= 0)
		close(fd);
}

/* Names relative to a descriptor of /proc (htop opens "<pid>" in the DIR
 * it lists), and a descriptor of another directory while the cwd is /proc:
 * its "1" is its own file. */
static void show_procfd(void)
{
	char path[64], buf[256], dir[] = "/tmp/t_procself.XXXXXX";
	int procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC), fd, other, n;
	struct stat st;
	pid_t kid;
	int piddir, ppid, got, cwd, dirfd_kid;
	FILE *f;
	DIR *task;
	struct dirent *de;

	kid = fork();
	if (kid == 0) {
		if (chdir("/") < 0)
			_exit(2);
		pause();
		_exit(0);
	}
	snprintf(path, sizeof(path), "%d/stat", kid);
	fd = openat(procfd, path, O_RDONLY);
	n = fd < 0 ? -1 : (int)read(fd, buf, sizeof(buf) - 1);
	if (n >= 0)
		buf[n] = '\0';
	printf("openat(/proc fd, \"<child>/stat\"): %s\n",
	       n < 0 ? strerror(errno) : atoi(buf) == kid ? "the child's" : "another's");
	if (fd >= 0)
		close(fd);
	snprintf(path, sizeof(path), "%d", kid);
	printf("fstatat(/proc fd, \"<child>\"): %s\n", fstatat(procfd, path, &st, 0) == 0 ? "0" : strerror(errno));
	/* then the files in the child's directory, by its descriptor */
	piddir = openat(procfd, path, O_PATH | O_DIRECTORY);
	fd = openat(piddir, "stat", O_RDONLY);
	n = fd < 0 ? -1 : (int)read(fd, buf, sizeof(buf) - 1);
	if (n >= 0)
		buf[n] = '\0';
	ppid = n < 0 || strrchr(buf, ')') == NULL ? -1 : atoi(strrchr(buf, ')') + 4);
	printf("openat(<child> fd, \"stat\"): %s, parent %s\n",
	       n < 0 ? strerror(errno) : atoi(buf) == kid ? "the child's" : "another's",
	       ppid == getpid() ? "us" : "another");
	if (fd >= 0)
		close(fd);
	snprintf(path, sizeof(path), "task/%d/status", kid);
	f = fdopen(openat(piddir, path, O_RDONLY), "r");
	got = 0;
	while (f != NULL && fgets(buf, sizeof(buf), f) != NULL)
		if (strncmp(buf, "PPid:", 5) == 0)
			got = atoi(buf + 6) == getpid() ? 1 : 2;
	printf("openat(<child> fd, \"task/<child>/status\"): %s\n",
	       f == NULL ? strerror(errno) : got == 1 ? "parent us" : "parent another");
	if (f != NULL)
		fclose(f);
	/* a cwd in the child's directory, by descriptor */
	cwd = open(".", O_RDONLY | O_DIRECTORY);
	snprintf(path, sizeof(path), "%d", kid);
	dirfd_kid = openat(procfd, path, O_RDONLY | O_DIRECTORY);
	fd = dirfd_kid >= 0 && fchdir(dirfd_kid) == 0 ? open("stat", O_RDONLY) : -1;
	n = fd < 0 ? -1 : (int)read(fd, buf, sizeof(buf) - 1);
	if (n >= 0)
		buf[n] = '\0';
	ppid = n < 0 || strrchr(buf, ')') == NULL ? -1 : atoi(strrchr(buf, ')') + 4);
	printf("fchdir(<child> fd), open(\"stat\"): %s, parent %s\n",
	       n < 0 ? strerror(errno) : atoi(buf) == kid ? "the child's" : "another's",
	       ppid == getpid() ? "us" : "another");
	if (fd >= 0)
		close(fd);
	if (cwd < 0 || fchdir(cwd) < 0)
		return;
	close(cwd);
	close(dirfd_kid);
	/* the child's task listing, by descriptor (htop) */
	task = fdopendir(openat(piddir, "task", O_RDONLY | O_DIRECTORY));
	got = 0;
	while (task != NULL && (de = readdir(task)) != NULL)
		if (de->d_name[0] != '.')
			got = atoi(de->d_name) == kid && got == 0 ? 1 : 2;
	printf("fdopendir(<child> fd, \"task\"): %s\n",
	       task == NULL ? strerror(errno) : got == 1 ? "the child's thread" : "other names");
	/* and the name it listed, relative to it (find's fstatat) */
	snprintf(path, sizeof(path), "%d", kid);
	printf("fstatat(<child>/task fd, \"<child>\"): %s\n",
	       task == NULL ? "-" : fstatat(dirfd(task), path, &st, 0) == 0 ? "0" : strerror(errno));
	snprintf(path, sizeof(path), "%d/stat", kid);
	fd = task == NULL ? -1 : openat(dirfd(task), path, O_RDONLY);
	n = fd < 0 ? -1 : (int)read(fd, buf, sizeof(buf) - 1);
	if (n >= 0)
		buf[n] = '\0';
	printf("openat(<child>/task fd, \"<child>/stat\"): %s\n",
	       n < 0 ? strerror(errno) : atoi(buf) == kid ? "the child's" : "another's");
	if (fd >= 0)
		close(fd);
	if (task != NULL)
		closedir(task);
	close(piddir);
	snprintf(path, sizeof(path), "/proc/%d/task/%d", getpid(), getpid());
	piddir = open(path, O_RDONLY | O_DIRECTORY);
	fd = openat(piddir, "children", O_RDONLY);
	n = fd < 0 ? -1 : (int)read(fd, buf, sizeof(buf) - 1);
	if (n >= 0)
		buf[n] = '\0';
	printf("openat(<our task> fd, \"children\"): %s\n", n < 0 ? strerror(errno) : atoi(buf) == kid ? "the child" : buf);
	if (fd >= 0)
		close(fd);
	close(piddir);
	snprintf(path, sizeof(path), "%d/cwd", kid);
	for (int i = 0; i < 2000; i++) {
		n = (int)readlinkat(procfd, path, buf, sizeof(buf) - 1);
		if (n == 1 && buf[0] == '/')
			break;
		usleep(1000);
	}
	printf("readlinkat(/proc fd, \"<child>/cwd\"): %.*s\n", n < 0 ? 0 : n, buf);
	printf("faccessat(/proc fd, \"2147483647\"): %s\n",
	       faccessat(procfd, "2147483647", F_OK, 0) == 0 ? "0" : strerror(errno));
	kill(kid, SIGKILL);
	waitpid(kid, NULL, 0);
	close(procfd);

	if (mkdtemp(dir) == NULL || (other = open(dir, O_RDONLY | O_DIRECTORY)) < 0)
		return;
	fd = openat(other, "1", O_WRONLY | O_CREAT, 0600);
	if (fd < 0 || write(fd, "mine\n", 5) != 5 || chdir("/proc") < 0)
		return;
	close(fd);
	fd = openat(other, "1", O_RDONLY);
	n = fd < 0 ? -1 : (int)read(fd, buf, sizeof(buf) - 1);
	printf("cwd /proc, openat(other dir, \"1\"): %s\n", n < 0 ? strerror(errno) : n == 5 ? "its file" : "something else");
	if (fd >= 0)
		close(fd);
	unlinkat(other, "1", 0);
	close(other);
	rmdir(dir);
}

/* Links of /proc whose target is in procfs (a cwd, an open directory)
 * name the process as getpid() does; a short buffer gets the first bytes. */
static void proc_links(void)
{
	int cwd = open(".", O_RDONLY | O_DIRECTORY), d;
	char path[64], buf[256], mine[64];
	ssize_t n;

	if (cwd < 0 || chdir("/proc/self") < 0)
		return;
	snprintf(mine, sizeof(mine), "/proc/%d", getpid());
	d = open("/proc/self", O_RDONLY | O_DIRECTORY);
	snprintf(path, sizeof(path), "/proc/%d/cwd", getpid());
	n = readlink(path, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	printf("readlink /proc/<pid>/cwd in /proc/self: %s\n", strcmp(buf, mine) == 0 ? "ours" : "another's");
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", getpid(), d);
	n = readlink(path, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	printf("readlink fd of /proc/self: %s\n", strcmp(buf, mine) == 0 ? "ours" : "another's");
	memset(buf, 'x', sizeof(buf));
	n = readlink(path, buf, 7);
	printf("the same, 7 bytes: %zd, %s, tail untouched %s\n", n,
	       n == 7 && memcmp(buf, mine, 7) == 0 ? "its first bytes" : "other bytes",
	       buf[7] == 'x' ? "yes" : "no");
	snprintf(path, sizeof(path), "fd/%d", d);
	n = readlink(path, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	printf("readlink fd/<n> relative: %s\n", strcmp(buf, mine) == 0 ? "ours" : "another's");
	n = readlinkat(d, "cwd", buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	printf("readlinkat(/proc/self fd, cwd): %s\n", strcmp(buf, mine) == 0 ? "ours" : "another's");
	close(d);
	if (fchdir(cwd) == 0)
		close(cwd);
}

/* A vfork child's chdir is its own: the parent, in /proc, still reads
 * "<pid>/stat" relative as the tree names it. */
static void vfork_chdir(void)
{
	int cwd = open(".", O_RDONLY | O_DIRECTORY), got = -1;
	char name[32];
	FILE *f;
	pid_t p;

	if (cwd < 0 || chdir("/proc") < 0)
		return;
	p = vfork();
	if (p == 0)
		_exit(chdir("/") < 0);
	waitpid(p, NULL, 0);
	snprintf(name, sizeof(name), "%d/stat", getpid());
	f = fopen(name, "r");
	if (f != NULL && fscanf(f, "%d", &got) != 1)
		got = -1;
	printf("after a vfork child's chdir, <pid>/stat in /proc: %s\n",
	       f == NULL ? strerror(errno) : got == getpid() ? "ours" : "another's");
	if (f != NULL)
		fclose(f);
	if (fchdir(cwd) == 0)
		close(cwd);
}

/* The same files through syscall(): a program (or a suite checking the
 * kernel, as LTP's tst_syscall does) may skip libc's wrappers. */
static void raw_calls(pid_t child)
{
	int cwd = open(".", O_RDONLY | O_DIRECTORY), fd, got = -1;
	char path[64], buf[256], mine[64];
	struct stat st;
	long n;

	snprintf(path, sizeof(path), "/proc/%d/stat", child);
	fd = (int)syscall(SYS_openat, AT_FDCWD, path, O_RDONLY, 0);
	n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	printf("SYS_openat <child>/stat: %s\n", fd < 0 ? strerror(errno) :
	       sscanf(buf, "%d", &got) == 1 && got == child ? "the child's" : "another's");
	if (fd >= 0)
		close(fd);
#ifdef SYS_open
	fd = (int)syscall(SYS_open, path, O_RDONLY);
	printf("SYS_open <child>/stat: %s\n", fd < 0 ? strerror(errno) : "opened");
	if (fd >= 0)
		close(fd);
#endif
	snprintf(path, sizeof(path), "/proc/%d", child);
	printf("SYS_newfstatat <child>: %ld\n", syscall(SYS_newfstatat, AT_FDCWD, path, &st, 0));
	printf("SYS_faccessat <child>: %ld\n", syscall(SYS_faccessat, AT_FDCWD, path, F_OK));
	snprintf(path, sizeof(path), "/proc/%d/cwd", child);
	n = syscall(SYS_readlinkat, AT_FDCWD, path, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	printf("SYS_readlinkat <child>/cwd: %s\n", n < 0 ? strerror(errno) : buf);
	n = syscall(SYS_readlinkat, AT_FDCWD, "/proc/self", buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	printf("SYS_readlinkat /proc/self: %s\n", n > 0 && atoi(buf) == getpid() ? "ours" : "another's");
	if (cwd < 0 || syscall(SYS_chdir, "/proc/self") != 0)
		return;
	snprintf(mine, sizeof(mine), "/proc/%d", getpid());
	n = syscall(SYS_getcwd, buf, sizeof(buf));
	printf("SYS_getcwd after SYS_chdir /proc/self: %s, length %s\n",
	       n < 0 ? strerror(errno) : strcmp(buf, mine) == 0 ? "ours" : "another's",
	       n == (long)strlen(mine) + 1 ? "with its NUL" : "other");
	printf("SYS_getcwd into 4 bytes: %s\n", syscall(SYS_getcwd, buf, 4) < 0 ? strerror(errno) : "fits");
	printf("SYS_getcwd into its length: %s\n",
	       syscall(SYS_getcwd, buf, strlen(mine) + 1) < 0 ? strerror(errno) : strcmp(buf, mine) == 0 ? "ours" : "another's");
	printf("SYS_getcwd to NULL: %s\n", syscall(SYS_getcwd, nowhere, 64) < 0 ? strerror(errno) : "fits");
	fd = (int)syscall(SYS_openat, AT_FDCWD, "stat", O_RDONLY, 0);
	n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	printf("SYS_openat stat in it: %s\n", fd < 0 ? strerror(errno) :
	       sscanf(buf, "%d", &got) == 1 && got == getpid() ? "ours" : "another's");
	if (fd >= 0)
		close(fd);
	if (syscall(SYS_fchdir, cwd) == 0)
		close(cwd);
	printf("SYS_fchdir back: %s\n", getcwd(buf, sizeof(buf)) && strncmp(buf, "/proc", 5) != 0 ? "out of /proc" : "in /proc");
}

int main(void)
{
	char self[32], buf[4200], small[8], expect[96], *r;
	int procfd;
	pthread_t t;
	pid_t child;

	setvbuf(stdout, NULL, _IONBF, 0);
	snprintf(self, sizeof(self), "%d", getpid());
	snprintf(want, sizeof(want), "/proc/%d", getpid());

	show_link("readlink /proc/self", -100, "/proc/self", 63, self);
	show_link("readlink /proc/self, 1 byte", -100, "/proc/self", 1, self);
	show_link("readlink /proc/self, 0 bytes", -100, "/proc/self", 0, self);
	errno = 0;
	printf("readlink /proc/self to NULL: %s\n",
	       readlink("/proc/self", nowhere, 10) < 0 ? strerror(errno) : "0");
	snprintf(expect, sizeof(expect), "%d/task/%d", getpid(), getpid());
	show_link("readlink thread-self", -100, "/proc/thread-self", 63, expect);
	procfd = open("/proc", O_RDONLY | O_DIRECTORY);
	show_link("readlinkat procfd self", procfd, "self", 63, self);
	show_link("readlinkat procfd thread-self", procfd, "thread-self", 63, expect);
	show_link("readlinkat cwd /proc/self", AT_FDCWD, "/proc/self", 63, self);

	r = realpath("/proc/self", NULL);
	show_path("realpath /proc/self", r, want);
	free(r);
	snprintf(expect, sizeof(expect), "%s/stat", want);
	show_path("realpath /proc/self/stat into buffer", realpath("/proc/self/stat", buf), expect);
	show_path("__realpath_chk", __realpath_chk("/proc/self/", buf, sizeof(buf)), want);
	r = canonicalize_file_name("/proc/self/.");
	show_path("canonicalize_file_name", r, want);
	free(r);
	snprintf(expect, sizeof(expect), "%s/task/%d", want, getpid());
	r = realpath("/proc/thread-self", NULL);
	show_path("realpath thread-self", r, expect);
	free(r);
	show_path("realpath of our own /proc/<pid>", realpath(want, buf), want);
	errno = 0;
	show_path("realpath /proc/self/nothing", realpath("/proc/self/nothing", buf), "");

	if (pthread_create(&t, NULL, thread_main, NULL) != 0 || pthread_join(t, NULL) != 0)
		return 2;

	/* a child's entry, and its cwd link */
	child = fork();
	if (child == 0) {
		if (chdir("/tmp") < 0)
			_exit(2);
		pause();
		_exit(0);
	}
	snprintf(buf, sizeof(buf), "/proc/%d", child);
	snprintf(expect, sizeof(expect), "/proc/%d", child);
	r = realpath(buf, NULL);
	printf("realpath of the child's entry: %s, %s\n", r && strcmp(r, expect) == 0 ? "its own" : r ? r : strerror(errno),
	       r ? stat_pid(r, child) : "-");
	free(r);
	for (int i = 0; i < 2000; i++) { /* until the child has moved */
		snprintf(buf, sizeof(buf), "/proc/%d/cwd", child);
		r = realpath(buf, NULL);
		if (r != NULL && strcmp(r, "/tmp") == 0)
			break;
		free(r);
		r = NULL;
		usleep(1000);
	}
	printf("realpath of the child's cwd: %s\n", r ? r : strerror(errno));
	free(r);
	raw_calls(child);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);

	show_children();
	show_procfd();
	vfork_chdir();
	proc_links();

	/* getcwd in our own /proc entry */
	if (chdir("/proc/self") < 0)
		return 2;
	show_path("getcwd after chdir /proc/self", getcwd(buf, sizeof(buf)), want);
	r = getcwd(NULL, 0);
	show_path("getcwd(NULL, 0)", r, want);
	free(r);
	r = getcwd(NULL, 64);
	show_path("getcwd(NULL, 64)", r, want);
	free(r);
	errno = 0;
	show_path("getcwd into 4 bytes", getcwd(small, 4), want);
	show_path("getcwd into 0 bytes", getcwd(small, 0), want);
	show_path("getcwd into its length", getcwd(buf, strlen(want) + 1), want);
	show_path("__getcwd_chk", __getcwd_chk(buf, sizeof(buf), sizeof(buf)), want);
	unsetenv("PWD");
	r = get_current_dir_name();
	show_path("get_current_dir_name", r, want);
	free(r);
	if (chdir(want) < 0 || chdir("task") < 0)
		return 2;
	snprintf(expect, sizeof(expect), "%s/task", want);
	show_path("getcwd after chdir /proc/<pid>/task", getcwd(buf, sizeof(buf)), expect);
	show_link("readlink self, cwd /proc/<pid>/task", -100, "self", 63, self);
	if (chdir("/proc") < 0)
		return 2;
	show_link("readlink self, cwd /proc", -100, "self", 63, self);
	snprintf(expect, sizeof(expect), "%d/task/%d", getpid(), getpid());
	show_link("readlink thread-self, cwd /proc", -100, "thread-self", 63, expect);
	return 0;
}
