/* t_thread_ids.c — a thread's id in the pid calls: kill signals its process, getpgid and getsid answer its process's ids, setpgid refuses it (EINVAL), and it never becomes a process of the tree. */
#include <dirent.h>
#include <pthread.h>
#include <sys/resource.h>
#include <stdlib.h>
#include <sys/syscall.h>

#include "lib/itest.h"

/*
 * Linux finds any task by its id (find_task_by_vpid): kill(tid, sig)
 * signals the thread's process, getpgid(tid) and getsid(tid) answer for
 * it, setpgid(tid, ...) is EINVAL (not a group leader).  Under jobshim the
 * ids of threads other than the main one stay real (shim/thread.c), so
 * the supervisor must tell a thread's id from a process's: kill(tid, 0)
 * used to register the thread as a new process adopted by init (a
 * "jobshim: pidfd_open(N)" line on stderr, one more pid in /proc), and
 * getpgid(tid) said ESRCH.
 */

static volatile pid_t tid;
static volatile sig_atomic_t got;

static void *spin(void *arg)
{
	tid = (pid_t)syscall(SYS_gettid);
	for (;;)
		pause();
	return arg;
}

static void on_usr1(int sig)
{
	got = sig;
}

static int count_procs(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	if (!d)
		it_die("opendir /proc");
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] >= '1' && e->d_name[0] <= '9')
			n++;
	closedir(d);
	return n;
}

static void calls(const char *whose, pid_t t, pid_t pgid, pid_t sid)
{
	errno = 0;
	pid_t g = getpgid(t);
	it_out("%s thread: getpgid(tid) %s", whose, g == pgid ? "= its process's group" : g < 0 ? it_errname(errno) : "= another group");
	errno = 0;
	pid_t s = getsid(t);
	it_out("%s thread: getsid(tid) %s", whose, s == sid ? "= its process's session" : s < 0 ? it_errname(errno) : "= another session");
	it_out("%s thread: setpgid(tid, 0) %s", whose, setpgid(t, 0) == 0 ? "= 0" : it_errname(errno));
	it_out("%s thread: setpgid(tid, getpgrp()) %s", whose, setpgid(t, getpgrp()) == 0 ? "= 0" : it_errname(errno));
	it_out("%s thread: kill(tid, 0) %s", whose, kill(t, 0) == 0 ? "= 0" : it_errname(errno));
	it_out("%s thread: sigqueue(tid, 0) %s", whose, sigqueue(t, 0, (union sigval){0}) == 0 ? "= 0" : it_errname(errno));
	errno = 0;
	int prio = getpriority(PRIO_PROCESS, (id_t)t);
	it_out("%s thread: getpriority(PRIO_PROCESS, tid) %s", whose, prio == -1 && errno ? it_errname(errno) : "answered");
}

int main(void)
{
	pthread_t th;
	int before;

	it_init();
	before = count_procs();
	if (pthread_create(&th, NULL, spin, NULL) != 0)
		it_die("pthread_create");
	while (!tid)
		usleep(100);
	calls("own", tid, getpgrp(), getsid(0));
	it_out("processes in /proc after the calls: %+d", count_procs() - before);

	/* A child's thread: the child leads a group of its own. */
	struct it_chan up = it_chan(), down = it_chan();
	pid_t c = fork();
	if (c < 0)
		it_die("fork");
	if (c == 0) {
		signal(SIGUSR1, on_usr1);
		setpgid(0, 0);
		tid = 0;
		if (pthread_create(&th, NULL, spin, NULL) != 0)
			_exit(1);
		while (!tid)
			usleep(100);
		pid_t t = tid;
		if (write(up.w, &t, sizeof(t)) != sizeof(t))
			_exit(1);
		while (!got)
			usleep(1000);
		it_put(up, 'u');
		it_get(down);
		_exit(0);
	}
	pid_t ct;
	if (read(up.r, &ct, sizeof(ct)) != sizeof(ct))
		it_die("read tid");
	calls("a child's", ct, c, getsid(0));
	{
		char path[64], buf[512];
		snprintf(path, sizeof(path), "/proc/%d/stat", (int)ct);
		FILE *f = fopen(path, "r");
		long id = 0, ppid = 0, pgrp = 0;
		char *cl = f && fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
		if (cl)
			id = strtol(buf, NULL, 10), sscanf(cl + 2, "%*c %ld %ld", &ppid, &pgrp);
		it_out("a child's thread: /proc/tid/stat %s: id %s, parent %s, group %s", f ? "read" : it_errname(errno),
		       id == ct ? "= tid" : "?", ppid == getpid() ? "= us" : "?", pgrp == c ? "= the child" : "?");
		if (f)
			fclose(f);
	}
	it_out("a child's thread: kill(tid, SIGUSR1) %s", kill(ct, SIGUSR1) == 0 ? "= 0" : it_errname(errno));
	it_expect(up, 'u');
	it_out("the child got SIGUSR1");
	it_out("processes in /proc with the child: %+d", count_procs() - before);
	it_put(down, 'x');
	it_out("child: %s", it_status(it_reap(c)));
	return 0;
}
