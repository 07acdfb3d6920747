/* t_proclocks.c — the pids inside /proc/locks (each lock's holder, a blocked waiter's), a locked file's fdinfo, the first line of /proc/<pid>/sched and ns_last_pid, as a process of the tree reads them. */
#include <pthread.h>
#include <stdbool.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "lib/itest.h"

/*
 * lslocks reads /proc/locks and then each holder's /proc/<pid>/comm; the
 * kernel writes the holder in the pid namespace procfs was mounted in.
 * So the holder of each lock must be the pid its owner's getpid() gives:
 * a flock and a POSIX lock held by c1, a POSIX lock of main, an OFD lock
 * (no holder: -1), and c2 waiting on c1's POSIX lock (a "->" line).  Our
 * lines are found by inode and printed in our own order.  sched's first
 * line, "comm (pid, #threads: n)", names the process, or the thread for a
 * task/<tid> or thread-self file.  A descriptor's fdinfo has a "lock:"
 * line per lock on its file, named the same way.  ns_last_pid is the last
 * pid the namespace gave (read before any thread is made: a thread takes
 * a pid natively, none under jobshim).
 */

enum { F_A, F_B, F_C, F_D, NFILES };
static const char *fname[NFILES] = { "A", "B", "C", "D" };
static ino_t ino[NFILES];

/* A line of /proc/locks: its tokens other than "->"; blocked when it had
 * one.  False for a line of another shape. */
struct lockline {
	char type[16], access[16];
	long pid;
	unsigned long ino;
	bool blocked;
};

static bool parse_line(char *line, struct lockline *l)
{
	char *tok[8], *save = NULL;
	int n = 0;

	l->blocked = false;
	for (char *t = strtok_r(line, " \n", &save); t && n < 8; t = strtok_r(NULL, " \n", &save)) {
		if (strcmp(t, "->") == 0)
			l->blocked = true;
		else
			tok[n++] = t;
	}
	if (n < 6)
		return false;
	/* id: type mode access pid dev:ino start end */
	snprintf(l->type, sizeof l->type, "%s", tok[1]);
	snprintf(l->access, sizeof l->access, "%s", tok[3]);
	l->pid = strtol(tok[4], NULL, 10);
	char *last = strrchr(tok[5], ':');
	l->ino = last ? strtoul(last + 1, NULL, 10) : 0;
	return true;
}

static const char *holder(long pid)
{
	return pid > 0 ? it_l((pid_t)pid) : it_itoa((int)pid);
}

/* Our lines of /proc/locks (read with fopen as lslocks does, or with
 * open and read): one output line each, by file; how many blocked lines. */
static int show_locks(const char *how, bool print)
{
	char buf[65536], *save = NULL;
	size_t len = 0;
	int blocked = 0;
	struct lockline got[NFILES][4];
	int ngot[NFILES] = { 0 };

	if (strcmp(how, "fopen") == 0) {
		FILE *f = fopen("/proc/locks", "r");
		if (f == NULL)
			it_die("fopen /proc/locks");
		len = fread(buf, 1, sizeof buf - 1, f);
		fclose(f);
	} else {
		int fd = open("/proc/locks", O_RDONLY | O_CLOEXEC);
		ssize_t n;
		if (fd < 0)
			it_die("open /proc/locks");
		while (len < sizeof buf - 1 && (n = read(fd, buf + len, sizeof buf - 1 - len)) > 0)
			len += (size_t)n;
		close(fd);
	}
	buf[len] = '\0';
	for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct lockline l;
		char copy[256];
		snprintf(copy, sizeof copy, "%s", line);
		if (!parse_line(copy, &l))
			continue;
		for (int i = 0; i < NFILES; i++)
			if (l.ino == ino[i] && ngot[i] < 4)
				got[i][ngot[i]++] = l;
	}
	for (int i = 0; i < NFILES; i++)
		for (int j = 0; j < ngot[i]; j++) {
			struct lockline *l = &got[i][j];
			blocked += l->blocked;
			if (print)
				it_out("%s %s: %s %s%s, holder %s", how, fname[i], l->type,
				       l->blocked ? "(waiting) " : "", l->access, holder(l->pid));
		}
	return blocked;
}

/* The "lock:" lines of a descriptor's fdinfo (the /proc/locks line after
 * the tab): one output line each. */
static void show_fdinfo(const char *what, pid_t pid, int fd)
{
	char path[64], buf[4096], *save = NULL;
	int in;
	ssize_t n;

	snprintf(path, sizeof path, "/proc/%d/fdinfo/%d", pid, fd);
	in = open(path, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		it_die("open fdinfo");
	n = read(in, buf, sizeof buf - 1);
	close(in);
	buf[n > 0 ? n : 0] = '\0';
	for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct lockline l;
		if (strncmp(line, "lock:\t", 6) == 0 && parse_line(line + 6, &l))
			it_out("fdinfo %s: %s %s%s, holder %s", what, l.type,
			       l.blocked ? "(waiting) " : "", l.access, holder(l.pid));
	}
}

/* The pid in the first line of the sched file open as fd (closed), or -1
 * with the open's errno (fd -1). */
static long sched_pid_fd(int fd, int *err)
{
	char buf[512];
	ssize_t n;
	char *mark, *num;

	*err = 0;
	if (fd < 0) {
		*err = errno;
		return -1;
	}
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return -2;
	buf[n] = '\0';
	mark = strstr(buf, ", #threads: ");
	if (mark == NULL)
		return -2;
	for (num = mark; num > buf && num[-1] >= '0' && num[-1] <= '9'; num--)
		;
	return strtol(num, NULL, 10);
}

static void show_sched_fd(const char *what, int fd, long want)
{
	int err;
	long got = sched_pid_fd(fd, &err);

	if (got == -1)
		it_out("sched %s: %s", what, it_errname(err));
	else
		it_out("sched %s: %s", what, got == want ? "names it" : "another pid");
}

static void show_sched(const char *what, const char *path, long want)
{
	show_sched_fd(what, open(path, O_RDONLY | O_CLOEXEC), want);
}

static void *thread_main(void *arg)
{
	char path[64];
	long tid = syscall(SYS_gettid);

	(void)arg;
	show_sched("thread-self", "/proc/thread-self/sched", tid);
	snprintf(path, sizeof path, "/proc/%d/task/%ld/sched", getpid(), tid);
	show_sched("task/<tid>", path, tid);
	return NULL;
}

int main(void)
{
	char dir[] = "/tmp/t_proclocks.XXXXXX", path[NFILES][64];
	int fd[NFILES];
	struct it_chan ready = it_chan(), done = it_chan();
	pid_t c1, c2;
	char cpath[64];
	pthread_t th;

	it_init();
	pid_t c0 = it_fork("c0");
	if (c0 == 0)
		_exit(0);
	it_reap(c0);
	char last[32] = "";
	int lfd = open("/proc/sys/kernel/ns_last_pid", O_RDONLY | O_CLOEXEC);
	ssize_t ln = lfd < 0 ? -1 : read(lfd, last, sizeof(last) - 1);
	if (lfd >= 0)
		close(lfd);
	last[ln > 0 ? ln : 0] = '\0';
	it_out("ns_last_pid after c0: %s", ln > 0 ? it_l((pid_t)atoi(last)) : it_errname(errno));
	if (mkdtemp(dir) == NULL)
		it_die("mkdtemp");
	for (int i = 0; i < NFILES; i++) {
		struct stat st;
		snprintf(path[i], sizeof path[i], "%s/%s", dir, fname[i]);
		fd[i] = open(path[i], O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (fd[i] < 0 || fstat(fd[i], &st) < 0)
			it_die("open");
		ino[i] = st.st_ino;
	}

	c1 = it_fork("c1");
	if (c1 == 0) {
		struct flock w = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
		if (flock(fd[F_A], LOCK_EX) < 0 || fcntl(fd[F_B], F_SETLK, &w) < 0)
			it_die("c1 lock");
		it_put(ready, 'r');
		it_expect(done, 'd');
		_exit(0);
	}
	it_expect(ready, 'r');
	struct flock r = { .l_type = F_RDLCK, .l_whence = SEEK_SET };
	struct flock ofd = { .l_type = F_RDLCK, .l_whence = SEEK_SET };
	if (fcntl(fd[F_C], F_SETLK, &r) < 0 || fcntl(fd[F_D], F_OFD_SETLK, &ofd) < 0)
		it_die("main lock");

	c2 = it_fork("c2");
	if (c2 == 0) {
		struct flock w = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
		if (fcntl(fd[F_B], F_SETLKW, &w) < 0)
			it_die("c2 lock");
		_exit(0);
	}
	/* c2's wait shows as a "->" line once it sleeps in F_SETLKW (the
	 * guard ends a wait that never comes). */
	while (show_locks("fopen", false) == 0)
		usleep(2000);
	show_locks("fopen", true);
	show_locks("read", true);
	show_fdinfo("A of c1", c1, fd[F_A]);
	show_fdinfo("B of main", getpid(), fd[F_B]);
	show_fdinfo("C of main", getpid(), fd[F_C]);

	show_sched("self", "/proc/self/sched", getpid());
	snprintf(cpath, sizeof cpath, "/proc/%d/sched", c1);
	show_sched("c1", cpath, c1);
	snprintf(cpath, sizeof cpath, "/proc/%d/task/%d/sched", c1, c1);
	show_sched("c1 task/c1", cpath, c1);
	snprintf(cpath, sizeof cpath, "/proc/%d", c1);
	int dfd = open(cpath, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		it_die("open /proc/<c1>");
	show_sched_fd("openat(<c1> fd)", openat(dfd, "sched", O_RDONLY | O_CLOEXEC), c1);
	close(dfd);
	if (pthread_create(&th, NULL, thread_main, NULL) != 0 || pthread_join(th, NULL) != 0)
		it_die("pthread");
	snprintf(cpath, sizeof cpath, "/proc/%d/sched", it_dead_pid());
	show_sched("of no process", cpath, 0);

	it_put(done, 'd');
	it_out("c1: %s", it_status(it_reap(c1)));
	it_out("c2: %s", it_status(it_reap(c2)));
	it_out("after the children: %d waiting", show_locks("fopen", true));
	for (int i = 0; i < NFILES; i++) {
		close(fd[i]);
		unlink(path[i]);
	}
	it_out("after the closes: %d waiting", show_locks("fopen", true));
	rmdir(dir);
	return 0;
}
