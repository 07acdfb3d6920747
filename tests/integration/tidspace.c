/* tidspace.c — a threaded parent's calls on its children, where real ids are small: a child's vpid must never be one of its threads' ids. */

/*
 * Usage: tidspace   (prints what it sees; sup_tidspace.sh compares the
 * lines natively and under jobshim, both in a fresh pid namespace whose
 * real ids start at 1 -- a container's -- without pidpush).
 *
 * Threads keep their real ids under jobshim (gettid), while processes get
 * vpids 1, 2, 3, ...  In a fresh pid namespace the two ranges meet: our
 * threads hold real ids 3..10, say, while our children are vpids 4..9.
 * The shim reads a number equal to one of the caller's own threads as that
 * thread (shim/thread.c), so each call below on a child reached a thread
 * of ours instead: /proc/<child>/stat showed our thread (ppid wrong),
 * setpriority(child) changed our thread's nice value, pidfd_open(child)
 * failed with ENOENT, tgkill(child, child, 0) with ESRCH, and a /proc
 * scan for our children (Java's ProcessHandle.children) found none.
 * Linux has one id space: a child's pid is never a live thread's id.
 * Each line holds only what must be equal natively and under jobshim.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define NTHREADS 8
#define NKIDS 6

static _Atomic pid_t tids[NTHREADS];

static void *idle(void *arg)
{
	tids[(long)arg] = (pid_t)syscall(SYS_gettid);
	for (;;)
		pause();
	return NULL;
}

/* Fields 1 and 4 of /proc/<id>/stat: the id and its parent. */
static int stat_ids(pid_t id, long *self, long *ppid)
{
	char path[64], buf[1024], *p;
	FILE *f;
	int ok = 0;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)id);
	f = fopen(path, "r");
	if (f == NULL)
		return -errno;
	if (fgets(buf, sizeof buf, f) && (p = strrchr(buf, ')')) != NULL &&
	    sscanf(buf, "%ld", self) == 1 && sscanf(p + 2, "%*c %ld", ppid) == 1)
		ok = 1;
	fclose(f);
	return ok ? 0 : -EIO;
}

/* Children of ours found by a scan of /proc, as ProcessHandle.children. */
static int scan_children(void)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	long self, ppid;
	int n = 0;

	if (d == NULL)
		return -errno;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		if (stat_ids((pid_t)atoi(de->d_name), &self, &ppid) == 0 && ppid == getpid())
			n++;
	}
	closedir(d);
	return n;
}

int main(void)
{
	pthread_t th[NTHREADS];
	pid_t kids[NKIDS];
	long self, ppid;

	for (long i = 0; i < NTHREADS; i++) {
		if (pthread_create(&th[i], NULL, idle, (void *)i) != 0) {
			printf("pthread_create failed\n");
			return 1;
		}
		while (tids[i] == 0)
			sched_yield();
	}
	for (int i = 0; i < NKIDS; i++) {
		kids[i] = fork();
		if (kids[i] < 0) {
			printf("fork: %s\n", strerror(errno));
			return 1;
		}
		if (kids[i] == 0) {
			for (;;)
				pause();
		}
	}

	for (int i = 0; i < NKIDS; i++) {
		pid_t k = kids[i];
		int collide = 0, st, pr, gp, tg;
		long fd;

		for (int t = 0; t < NTHREADS; t++)
			collide |= tids[t] == k;
		st = stat_ids(k, &self, &ppid);
		errno = 0;
		pr = setpriority(PRIO_PROCESS, (id_t)k, 5) == 0 ? 0 : errno;
		errno = 0;
		gp = getpriority(PRIO_PROCESS, (id_t)k);
		fd = syscall(SYS_pidfd_open, k, 0);
		errno = 0;
		tg = syscall(SYS_tgkill, k, k, 0) == 0 ? 0 : errno;
		printf("child %d: one of our thread ids %s; /proc stat %s, ppid %s; "
		       "setpriority %s, getpriority %d; pidfd_open %s; tgkill %s\n",
		       i, collide ? "yes" : "no", st == 0 && self == k ? "its own" : "wrong",
		       st == 0 && ppid == getpid() ? "us" : "wrong", pr ? strerror(pr) : "ok", gp,
		       fd >= 0 ? "ok" : strerror(errno), tg ? strerror(tg) : "ok");
		if (fd >= 0)
			close((int)fd);
	}
	printf("children found in /proc: %d\n", scan_children());

	/* Our own threads still answer to their ids. */
	for (int t = 0; t < NTHREADS; t++) {
		pid_t id = tids[t];
		int tg = syscall(SYS_tgkill, getpid(), id, 0) == 0 ? 0 : errno;
		int st = stat_ids(id, &self, &ppid);
		errno = 0;
		int gp = getpriority(PRIO_PROCESS, (id_t)id);
		printf("thread %d: tgkill %s; /proc stat %s; getpriority %d\n", t,
		       tg ? strerror(tg) : "ok", st == 0 && self == id ? "its own" : "wrong", gp);
	}

	for (int i = 0; i < NKIDS; i++)
		kill(kids[i], SIGKILL);
	for (int i = 0; i < NKIDS; i++) {
		int status;
		pid_t w = waitpid(kids[i], &status, 0);
		if (w != kids[i] || !WIFSIGNALED(status))
			printf("child %d: waitpid %d\n", i, (int)w);
	}
	return 0;
}
