/* t_namespace.c — one pid namespace through libc calls, raw syscall(), gettid() and /proc/<pid> paths. */
#include "lib/itest.h"

#include <dirent.h>
#include <linux/sched.h>
#include <pthread.h>
#include <sys/stat.h>
#include <sys/syscall.h>

/*
 * Every line states a relation that holds natively; under jobshim it must
 * hold too, with virtual ids on one side and whatever the kernel shows on
 * the other.  The numbers inside /proc/<pid>/stat and status are the
 * kernel's (real under jobshim): they are only compared with each other.
 */

static const char *yn(int b)
{
	return b ? "yes" : "no";
}

/* Field 1 (pid) or 4 (ppid) of a /proc/.../stat file, -1 when unreadable. */
static long stat_field(const char *path, int field)
{
	char buf[512], *p;
	long v = -1;
	int fd = open(path, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if (field == 1)
		sscanf(buf, "%ld", &v);
	else if ((p = strrchr(buf, ')')) != NULL)
		sscanf(p + 1, " %*c %ld", &v);
	return v;
}

static const char *errname_of(int rc)
{
	return rc == 0 ? "0" : it_errname(errno);
}

/* ---- 1. ids through libc and through syscall() --------------------------- */

static void ids(void)
{
	it_out("== ids: libc and syscall() agree");
	it_out("getpid() == syscall(SYS_getpid): %s", yn(getpid() == syscall(SYS_getpid)));
	it_out("getppid() == syscall(SYS_getppid): %s", yn(getppid() == syscall(SYS_getppid)));
	it_out("getpgid(0) == syscall(SYS_getpgid, 0): %s", yn(getpgid(0) == syscall(SYS_getpgid, 0)));
	it_out("getsid(0) == syscall(SYS_getsid, 0): %s", yn(getsid(0) == syscall(SYS_getsid, 0)));
#ifdef SYS_getpgrp
	it_out("getpgrp() == syscall(SYS_getpgrp): %s", yn(getpgrp() == syscall(SYS_getpgrp)));
#else
	it_out("getpgrp() == syscall(SYS_getpgrp): yes");
#endif
	it_out("main thread: gettid() == getpid(): %s", yn(gettid() == getpid()));
	it_out("main thread: syscall(SYS_gettid) == getpid(): %s", yn(syscall(SYS_gettid) == getpid()));
	it_out("syscall(SYS_getuid) == getuid(): %s", yn(syscall(SYS_getuid) == (long)getuid()));
	it_out("syscall(SYS_write, 1, ...) passes through: %ld",
	       syscall(SYS_write, 1, "(written by syscall)\n", 21));
	IT_PID("syscall(SYS_getppid)", syscall(SYS_getppid));
}

/* ---- 2. threads ----------------------------------------------------------- */

static pid_t thread_tid;
static volatile sig_atomic_t got_usr1_in_thread;
static pthread_t worker_thread;

static void on_usr1(int sig)
{
	(void)sig;
	if (pthread_equal(pthread_self(), worker_thread))
		got_usr1_in_thread = 1;
}

static void *worker(void *arg)
{
	struct it_chan *c = arg;
	cpu_set_t cs;

	thread_tid = gettid();
	it_out("thread: gettid() != getpid(): %s", yn(thread_tid != getpid()));
	it_out("thread: syscall(SYS_gettid) == gettid(): %s", yn(syscall(SYS_gettid) == thread_tid));
	IT_RC("thread: sched_getaffinity(gettid())", sched_getaffinity(gettid(), sizeof cs, &cs));
	IT_RC("thread: getpriority(PRIO_PROCESS, gettid())", getpriority(PRIO_PROCESS, (id_t)gettid()));
	char path[96];
	snprintf(path, sizeof path, "/proc/%d/task/%d/stat", (int)getpid(), (int)gettid());
	it_out("thread: /proc/<getpid()>/task/<gettid()>/stat readable: %s", yn(stat_field(path, 1) > 0));
	snprintf(path, sizeof path, "/proc/%d/stat", (int)gettid());
	it_out("thread: /proc/<gettid()>/stat readable: %s", yn(stat_field(path, 1) > 0));
	it_put(*c, 'r');
	it_get(*c); /* until main is done with us */
	return NULL;
}

static void threads(void)
{
	it_out("== threads");
	struct it_chan up = it_chan(), down = it_chan();
	struct it_chan both = { down.r, up.w };
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	if (pthread_create(&worker_thread, NULL, worker, &both) != 0)
		it_die("pthread_create");
	it_expect(up, 'r');
	IT_RC("tgkill(getpid(), getpid(), 0)", tgkill(getpid(), getpid(), 0));
	IT_RC("syscall(SYS_tgkill, getpid(), getpid(), 0)", syscall(SYS_tgkill, getpid(), getpid(), 0));
	IT_RC("syscall(SYS_tkill, getpid(), 0)", syscall(SYS_tkill, getpid(), 0));
	IT_RC("tgkill(getpid(), thread, SIGUSR1)", tgkill(getpid(), thread_tid, SIGUSR1));
	IT_RC("syscall(SYS_tkill, thread, 0)", syscall(SYS_tkill, thread_tid, 0));
	it_put(down, 'g');
	pthread_join(worker_thread, NULL);
	it_out("thread got SIGUSR1: %s", yn(got_usr1_in_thread));
	signal(SIGUSR1, SIG_DFL);
}

/* ---- 3. /proc paths ----------------------------------------------------------- */

static void proc_paths(void)
{
	char path[128], link[64], want[64];
	struct stat a, b;

	it_out("== /proc/<pid> paths");
	snprintf(path, sizeof path, "/proc/%d/stat", (int)getpid());
	it_out("/proc/<getpid()>/stat pid field == /proc/self/stat's: %s",
	       yn(stat_field(path, 1) > 0 && stat_field(path, 1) == stat_field("/proc/self/stat", 1)));
	snprintf(path, sizeof path, "/proc/%d", (int)getpid());
	it_out("stat(/proc/<getpid()>) is /proc/self: %s",
	       yn(stat(path, &a) == 0 && stat("/proc/self", &b) == 0 && a.st_ino == b.st_ino));
	it_out("lstat(/proc/<getpid()>) is a directory: %s", yn(lstat(path, &a) == 0 && S_ISDIR(a.st_mode)));
	snprintf(path, sizeof path, "/proc/%d/status", (int)getpid());
	IT_RC("access(/proc/<getpid()>/status, R_OK)", access(path, R_OK));
	IT_RC("faccessat(AT_FDCWD, /proc/<getpid()>/status)", faccessat(AT_FDCWD, path, R_OK, 0));
	FILE *f = fopen(path, "r");
	it_out("fopen(/proc/<getpid()>/status): %s", yn(f != NULL));
	if (f)
		fclose(f);
	int fd = openat(AT_FDCWD, path, O_RDONLY);
	it_out("openat(/proc/<getpid()>/status): %s", yn(fd >= 0));
	if (fd >= 0)
		close(fd);
	struct statx sx;
	IT_RC("statx(/proc/<getpid()>/status)", statx(AT_FDCWD, path, 0, STATX_BASIC_STATS, &sx));
	IT_RC("fstatat(/proc/<getpid()>/status)", fstatat(AT_FDCWD, path, &a, 0));
	snprintf(path, sizeof path, "/proc/%d/task/%d", (int)getpid(), (int)gettid());
	IT_RC("stat(/proc/<getpid()>/task/<gettid()>)", stat(path, &a));
	snprintf(path, sizeof path, "/proc/self/task/%d", (int)gettid());
	IT_RC("stat(/proc/self/task/<gettid()>)", stat(path, &a));
	snprintf(path, sizeof path, "/proc/%d/exe", (int)getpid());
	ssize_t n = readlink(path, link, sizeof link - 1);
	char self_exe[64];
	ssize_t m = readlink("/proc/self/exe", self_exe, sizeof self_exe - 1);
	it_out("readlink(/proc/<getpid()>/exe) == readlink(/proc/self/exe): %s",
	       yn(n > 0 && n == m && memcmp(link, self_exe, (size_t)n) == 0));
	n = readlink("/proc/self", link, sizeof link - 1);
	link[n > 0 ? n : 0] = '\0';
	snprintf(want, sizeof want, "%d", (int)getpid());
	it_out("readlink(/proc/self) == getpid(): %s", yn(strcmp(link, want) == 0));
	n = readlinkat(AT_FDCWD, "/proc/thread-self", link, sizeof link - 1);
	link[n > 0 ? n : 0] = '\0';
	snprintf(want, sizeof want, "%d/task/%d", (int)getpid(), (int)gettid());
	it_out("readlinkat(/proc/thread-self) == getpid()/task/gettid(): %s", yn(strcmp(link, want) == 0));
	snprintf(path, sizeof path, "/proc/%d/task", (int)getpid());
	DIR *d = opendir(path);
	int tasks = 0;
	struct dirent *de;
	while (d && (de = readdir(d)) != NULL)
		tasks += de->d_name[0] != '.';
	if (d)
		closedir(d);
	it_out("opendir(/proc/<getpid()>/task): %d thread(s)", tasks);
	snprintf(path, sizeof path, "/proc/%d/stat", (int)getppid());
	it_out("/proc/<getppid()>/stat readable: %s", yn(stat_field(path, 1) > 0));
	it_out("/proc/1 exists: %s", yn(stat("/proc/1", &a) == 0));
	it_out("/proc/self/stat's ppid field == /proc/<getppid()>/stat's pid field: %s",
	       yn(stat_field("/proc/self/stat", 4) == stat_field(path, 1)));

	/* A child: its entry, and the relation between the two entries. */
	struct it_chan c = it_chan(), go = it_chan();
	pid_t k = it_fork("K");
	if (k == 0) {
		long own = stat_field("/proc/self/stat", 1);
		it_put_rec(c.w, &own, sizeof own);
		it_get(go); /* its parent reads its entry, then lets it go */
		_exit(0);
	}
	long kpid;
	if (it_get_rec(c.r, &kpid, sizeof kpid) < 0)
		it_die("child report");
	snprintf(path, sizeof path, "/proc/%d/stat", (int)k);
	it_out("/proc/<child>/stat pid field == the child's /proc/self/stat: %s",
	       yn(stat_field(path, 1) == kpid));
	it_out("/proc/<child>/stat ppid field == my /proc/self/stat pid: %s",
	       yn(stat_field(path, 4) == stat_field("/proc/self/stat", 1)));
	snprintf(path, sizeof path, "/proc/%d", (int)k);
	fd = open(".", O_RDONLY | O_DIRECTORY);
	IT_RC("chdir(/proc/<child>)", chdir(path));
	it_out("relative ./stat there is the child's: %s", yn(stat_field("stat", 1) == kpid));
	if (fd >= 0) {
		if (fchdir(fd) < 0)
			it_die("fchdir");
		close(fd);
	}
	snprintf(path, sizeof path, "/proc/%d/task/%d/stat", (int)k, (int)k);
	it_out("/proc/<child>/task/<child>/stat pid field: the child's: %s", yn(stat_field(path, 1) == kpid));
	it_put(go, 'x');
	it_reap(k);

	/* Pids that name no process. */
	pid_t dead = it_dead_pid();
	snprintf(path, sizeof path, "/proc/%d", (int)dead);
	errno = 0;
	it_out("stat(/proc/<dead>): %s", errname_of(stat(path, &a)));
	errno = 0;
	it_out("access(/proc/<dead>/stat): %s", errname_of(access(path, F_OK)));
	snprintf(path, sizeof path, "/proc/%d/stat", (int)dead);
	errno = 0;
	it_out("open(/proc/<dead>/stat): %s", errname_of(open(path, O_RDONLY) < 0 ? -1 : 0));
	errno = 0;
	it_out("fopen(/proc/<dead>/stat): %s", errname_of(fopen(path, "r") == NULL ? -1 : 0));
	snprintf(path, sizeof path, "/proc/%d/exe", (int)dead);
	errno = 0;
	it_out("readlink(/proc/<dead>/exe): %s", errname_of(readlink(path, link, sizeof link) < 0 ? -1 : 0));
	snprintf(path, sizeof path, "/proc/%d/fd", (int)dead);
	errno = 0;
	it_out("opendir(/proc/<dead>/fd): %s", errname_of(opendir(path) == NULL ? -1 : 0));
	errno = 0;
	it_out("chdir(/proc/<dead>/fd): %s", errname_of(chdir(path)));
	errno = 0;
	it_out("stat(/proc/2000000000): %s", errname_of(stat("/proc/2000000000", &a)));
	snprintf(path, sizeof path, "/proc/0%d", (int)getpid());
	errno = 0;
	it_out("stat(/proc/0<getpid()>): %s", errname_of(stat(path, &a)));
}

/* ---- 4. raw process calls ------------------------------------------------------- */

static volatile sig_atomic_t queued_from_parent = -1;
static pid_t expected_sender;

static void on_queued(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	(void)ctx;
	queued_from_parent = si->si_pid == expected_sender && si->si_value.sival_int == 77;
}

/* A child made by a raw system call reports its ids through a pipe. */
static void raw_child_report(struct it_chan c)
{
	pid_t v[4] = { getpid(), (pid_t)syscall(SYS_getpid), getppid(), gettid() };
	it_put_rec(c.w, v, sizeof v);
	_exit(5);
}

static void raw_child_check(const char *how, pid_t got, struct it_chan c)
{
	pid_t v[4];
	if (got < 0) {
		it_out("%s: -1 %s", how, it_errname(errno));
		return;
	}
	if (it_get_rec(c.r, v, sizeof v) < 0)
		it_die("raw child report");
	it_name(got, how);
	it_out("%s: returns the child's getpid(): %s; its syscall(SYS_getpid) agrees: %s; "
	       "gettid: %s; its parent: %s", how, yn(v[0] == got), yn(v[1] == got),
	       yn(v[3] == got), it_l(v[2]));
	int st;
	pid_t w = (pid_t)syscall(SYS_wait4, got, &st, 0, NULL);
	it_out("%s: syscall(SYS_wait4) = the child: %s, %s", how, yn(w == got), it_status(st));
}

/* tgkill(a, b, 0) with a and b two different processes: ESRCH, b is no
 * thread of a.  Eight children: where real ids are small (run.sh's run
 * without pidpush) one child's real pid is another's vpid, and a tid equal
 * to the group's real pid reached the group's main thread. */
static void tgkill_other(void)
{
	enum { N = 8 };
	pid_t kid[N];
	int wrong = 0, wrong_raw = 0;

	for (int i = 0; i < N; i++) {
		kid[i] = fork();
		if (kid[i] < 0)
			it_die("fork");
		if (kid[i] == 0) {
			pause();
			_exit(0);
		}
	}
	for (int i = 0; i < N; i++) {
		for (int j = 0; j < N; j++) {
			if (i == j)
				continue;
			errno = 0;
			wrong += !(tgkill(kid[i], kid[j], 0) == -1 && errno == ESRCH);
			errno = 0;
			wrong_raw += !(syscall(SYS_tgkill, kid[i], kid[j], 0) == -1 && errno == ESRCH);
		}
	}
	for (int i = 0; i < N; i++) {
		kill(kid[i], SIGKILL);
		it_reap(kid[i]);
	}
	it_out("tgkill(child, another child, 0) is ESRCH: %s; by syscall(): %s", yn(wrong == 0),
	       yn(wrong_raw == 0));
}

static void raw_calls(void)
{
	it_out("== raw syscall() process calls");
	struct it_chan c = it_chan();

	pid_t k = (pid_t)syscall(SYS_clone, SIGCHLD, 0, NULL, NULL, 0);
	if (k == 0)
		raw_child_report(c);
	raw_child_check("clone(SIGCHLD)", k, c);

	struct clone_args ca;
	memset(&ca, 0, sizeof ca);
	ca.exit_signal = SIGCHLD;
	k = (pid_t)syscall(SYS_clone3, &ca, sizeof ca);
	if (k == 0)
		raw_child_report(c);
	raw_child_check("clone3", k, c);
#ifdef SYS_fork
	k = (pid_t)syscall(SYS_fork);
#else
	k = (pid_t)syscall(SYS_clone, SIGCHLD, 0, NULL, NULL, 0);
#endif
	if (k == 0)
		raw_child_report(c);
	raw_child_check("fork", k, c);

	/* setpgid / getpgid / kill / waitid on a child, all raw. */
	k = it_fork("R");
	if (k == 0) {
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_sigaction = on_queued;
		sa.sa_flags = SA_SIGINFO;
		expected_sender = getppid();
		sigaction(SIGUSR2, &sa, NULL);
		/* Blocked from before the parent may send it until sigsuspend
		 * unblocks it atomically: with pause(), a signal arriving
		 * between the test and the call was handled there and
		 * pause() then waited for ever. */
		sigset_t usr2, wait_mask;
		sigemptyset(&usr2);
		sigaddset(&usr2, SIGUSR2);
		sigprocmask(SIG_BLOCK, &usr2, &wait_mask);
		sigdelset(&wait_mask, SIGUSR2);
		it_put(c, 'r');
		while (queued_from_parent < 0)
			sigsuspend(&wait_mask);
		it_get(c); /* the parent has printed its line: ours comes next */
		it_out("R: rt_sigqueueinfo's si_pid is its parent, value kept: %s", yn(queued_from_parent == 1));
		_exit(0);
	}
	it_expect(c, 'r');
	IT_RC("syscall(SYS_setpgid, R, R)", syscall(SYS_setpgid, k, k));
	IT_PID("syscall(SYS_getpgid, R)", syscall(SYS_getpgid, k));
	IT_PID("syscall(SYS_getsid, R)", syscall(SYS_getsid, k));
	IT_RC("syscall(SYS_kill, R, 0)", syscall(SYS_kill, k, 0));
	IT_RC("syscall(SYS_tgkill, R, R, 0)", syscall(SYS_tgkill, k, k, 0));
	siginfo_t si;
	memset(&si, 0, sizeof si);
	si.si_signo = SIGUSR2;
	si.si_code = SI_QUEUE;
	si.si_pid = getpid();
	si.si_uid = getuid();
	si.si_value.sival_int = 77;
	IT_RC("syscall(SYS_rt_sigqueueinfo, R, SIGUSR2)", syscall(SYS_rt_sigqueueinfo, k, SIGUSR2, &si));
	it_put(c, 'x');
	memset(&si, 0, sizeof si);
	IT_RC("syscall(SYS_waitid, P_PID, R)", syscall(SYS_waitid, P_PID, k, &si, WEXITED, NULL));
	IT_PID("  si_pid", si.si_pid);
	pid_t dead = it_dead_pid();
	IT_RC("syscall(SYS_kill, dead, 0)", syscall(SYS_kill, dead, 0));
	IT_RC("syscall(SYS_tkill, dead, 0)", syscall(SYS_tkill, dead, 0));
	IT_RC("tgkill(dead, dead, 0)", tgkill(dead, dead, 0));
	IT_RC("syscall(SYS_wait4, -1) with no child", syscall(SYS_wait4, -1, NULL, WNOHANG, NULL));
}

int main(int argc, char **argv)
{
	it_child_modes(argc, argv);
	it_init();
	ids();
	threads();
	tgkill_other();
	proc_paths();
	raw_calls();
	return 0;
}
