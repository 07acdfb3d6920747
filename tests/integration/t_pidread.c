/* t_pidread.c — pids in the bytes a descriptor reads: signalfd's ssi_pid (kill, sigqueue, SIGCHLD, mq_notify; its copies, syscall(SYS_read), a reused number), fanotify's event pid, a pidfd's fdinfo, set_tid_address. */
#include "lib/itest.h"

#include <stdbool.h>
#include <mqueue.h>
#include <pthread.h>
#include <sys/fanotify.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>

static void show_rec(const char *what, const struct signalfd_siginfo *r)
{
	const char *code = r->ssi_code == SI_USER	 ? "SI_USER"
			   : r->ssi_code == SI_QUEUE	 ? "SI_QUEUE"
			   : r->ssi_code == SI_TKILL	 ? "SI_TKILL"
			   : r->ssi_code == SI_MESGQ	 ? "SI_MESGQ"
			   : r->ssi_code == CLD_EXITED	 ? "CLD_EXITED"
			   : r->ssi_code == CLD_STOPPED	 ? "CLD_STOPPED"
			   : r->ssi_code == CLD_CONTINUED ? "CLD_CONTINUED"
			   : r->ssi_code == CLD_KILLED	 ? "CLD_KILLED"
							 : "?";
	it_out("%s: %s %s pid %s status %d int %d", what, it_signame((int)r->ssi_signo), code,
	       it_l((pid_t)r->ssi_pid), r->ssi_status, r->ssi_int);
}

/* One record from fd through `how` (read, syscall), shown. */
static void read_one(const char *what, int fd, bool raw, struct signalfd_siginfo *r)
{
	long n = raw ? syscall(SYS_read, fd, r, sizeof(*r)) : read(fd, r, sizeof(*r));

	if (n != (long)sizeof(*r)) {
		it_out("%s: read %ld %s", what, n, it_errname(errno));
		memset(r, 0, sizeof(*r));
		return;
	}
	show_rec(what, r);
}

/* SIGCHLD through a signalfd: the child's pid, waited for by that pid (a
 * process manager's loop); a stop and a continue. */
static void sigchld(int sfd)
{
	struct signalfd_siginfo r;

	it_out("-- SIGCHLD");
	pid_t c = it_fork("child");
	if (c == 0)
		_exit(3);
	read_one("read", sfd, false, &r);
	it_out("waitpid(ssi_pid): %s", it_status(it_reap((pid_t)r.ssi_pid)));

	struct it_chan ch = it_chan();
	pid_t s = it_fork("stopper");
	if (s == 0) {
		it_put(ch, 'r');
		for (;;)
			pause();
	}
	it_expect(ch, 'r');
	kill(s, SIGSTOP);
	read_one("stopped", sfd, true, &r);
	kill(s, SIGCONT);
	read_one("continued", sfd, false, &r);
	kill(s, SIGKILL);
	read_one("killed", sfd, false, &r);
	it_out("stopper: %s", it_status(it_reap(s)));
}

/* kill and sigqueue from a child: the sender. */
static void senders(int sfd)
{
	struct signalfd_siginfo r;

	it_out("-- senders");
	pid_t k = it_fork("killer");
	if (k == 0)
		_exit(kill(getppid(), SIGUSR1) == 0 ? 0 : 1);
	read_one("kill", sfd, false, &r);
	it_out("killer: %s", it_status(it_reap(k)));
	read_one("its SIGCHLD", sfd, false, &r);
	pid_t q = it_fork("queuer");
	if (q == 0)
		_exit(sigqueue(getppid(), SIGUSR1, (union sigval){ .sival_int = 42 }) == 0 ? 0 : 1);
	read_one("sigqueue", sfd, false, &r);
	it_out("queuer: %s", it_status(it_reap(q)));
	read_one("its SIGCHLD", sfd, false, &r);
	IT_RC("raise", raise(SIGUSR1));
	read_one("raise", sfd, false, &r);
}

/* mq_notify's signal names the process whose mq_send made the queue
 * non-empty. */
static void mesgq(int sfd)
{
	char name[64];
	struct signalfd_siginfo r;
	struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1 };

	it_out("-- mq_notify");
	snprintf(name, sizeof name, "/t_pidread.%d", (int)getpid());
	mqd_t q = mq_open(name, O_CREAT | O_RDWR | O_EXCL, 0600, NULL);
	if (q == (mqd_t)-1)
		it_die("mq_open");
	mq_unlink(name);
	IT_RC("mq_notify", mq_notify(q, &ev));
	pid_t c = it_fork("mq-sender");
	if (c == 0)
		_exit(mq_send(q, "x", 1, 0) == 0 ? 0 : 1);
	read_one("notified", sfd, false, &r);
	it_out("mq-sender: %s", it_status(it_reap(c)));
	read_one("its SIGCHLD", sfd, false, &r);
	mq_close(q);
}

/* The copies of a signalfd read the same; so does one the syscall() forms
 * made. */
static void copies(int sfd)
{
	struct signalfd_siginfo r;
	int d1 = dup(sfd), d2 = fcntl(sfd, F_DUPFD_CLOEXEC, 100), d3 = dup2(sfd, 200);

	it_out("-- copies");
	if (d1 < 0 || d2 < 0 || d3 != 200)
		it_die("dup");
	kill(getpid(), SIGUSR1);
	read_one("dup", d1, false, &r);
	kill(getpid(), SIGUSR1);
	read_one("F_DUPFD_CLOEXEC", d2, false, &r);
	kill(getpid(), SIGUSR1);
	read_one("dup2", d3, true, &r);
	close(d1);
	close(d2);
	close(d3);

	sigset_t usr1;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	int s4 = (int)syscall(SYS_signalfd4, -1, &usr1, sizeof(long), SFD_CLOEXEC);
	if (s4 < 0)
		it_die("signalfd4");
	pid_t k = it_fork("killer2");
	if (k == 0)
		_exit(kill(getppid(), SIGUSR1) == 0 ? 0 : 1);
	read_one("syscall signalfd4", s4, false, &r);
	it_out("killer2: %s", it_status(it_reap(k)));
	close(s4);
}

/* The number of a closed signalfd, reused by a pipe: what the pipe holds
 * comes out byte for byte, even a record that looks like a signal's. */
static void reused(int sfd)
{
	struct signalfd_siginfo fake, r;
	int p[2], keep = dup(sfd);

	it_out("-- a reused number");
	if (keep < 0)
		it_die("dup");
	close(sfd);
	if (pipe(p) < 0)
		it_die("pipe");
	if (p[0] != sfd && dup2(p[0], sfd) != sfd)
		it_die("dup2");
	memset(&fake, 0, sizeof(fake));
	fake.ssi_signo = SIGCHLD;
	fake.ssi_code = CLD_EXITED;
	fake.ssi_pid = 123456;
	it_write_all(p[1], &fake, sizeof(fake));
	if (read(sfd, &r, sizeof(r)) != (ssize_t)sizeof(r))
		it_die("read pipe");
	it_out("bytes unchanged: %s", memcmp(&fake, &r, sizeof(r)) == 0 ? "yes" : "no");
	close(p[0]);
	close(p[1]);
	if (dup2(keep, sfd) != sfd)
		it_die("dup2 back");
	close(keep);
}

static pid_t opener_tid;

static void *thread_open(void *path)
{
	opener_tid = (pid_t)syscall(SYS_gettid);
	int o = open(path, O_RDONLY);
	if (o >= 0)
		close(o);
	return NULL;
}

/* FAN_REPORT_TID: an open by another thread names that thread, also once
 * it has ended (LTP fanotify11's thread exits before the event is read;
 * the kernel keeps the id with the event). */
static void thread_event(const char *path)
{
	struct fanotify_event_metadata m;
	char buf[4096];
	pthread_t t;
	int fan = fanotify_init(FAN_CLASS_NOTIF | FAN_CLOEXEC | FAN_REPORT_TID, O_RDONLY);

	if (fan < 0 || fanotify_mark(fan, FAN_MARK_ADD, FAN_OPEN, AT_FDCWD, path) < 0) {
		it_out("open by an ended thread (FAN_REPORT_TID): event names it (refused)");
		if (fan >= 0)
			close(fan);
		return;
	}
	if (pthread_create(&t, NULL, thread_open, (void *)path) != 0 || pthread_join(t, NULL) != 0)
		it_die("thread");
	ssize_t n = read(fan, buf, sizeof(buf));
	if (n < (ssize_t)sizeof(m))
		it_die("read fanotify");
	memcpy(&m, buf, sizeof(m));
	if (m.fd >= 0)
		close(m.fd);
	it_out("open by an ended thread (FAN_REPORT_TID): event names %s",
	       m.pid == opener_tid ? "it" : it_l(m.pid));
	close(fan);
}

/* fanotify (root, and a kernel with it): an open by a child names the
 * child.  Where fanotify_init is refused, both runs print the same line. */
static void fanotify(void)
{
	char dir[] = "/tmp/t_pidread.XXXXXX", path[64], buf[4096];

	it_out("-- fanotify");
	if (!mkdtemp(dir))
		it_die("mkdtemp");
	snprintf(path, sizeof path, "%s/f", dir);
	int f = open(path, O_CREAT | O_WRONLY, 0600);
	if (f < 0)
		it_die("create");
	close(f);
	int fan = fanotify_init(FAN_CLASS_NOTIF | FAN_CLOEXEC, O_RDONLY);
	if (fan < 0) {
		it_out("open by child: event names child (fanotify_init refused)");
	} else if (fanotify_mark(fan, FAN_MARK_ADD, FAN_OPEN, AT_FDCWD, path) < 0) {
		it_out("open by child: event names child (fanotify_mark refused)");
	} else {
		pid_t c = it_fork("opener");
		if (c == 0) {
			int o = open(path, O_RDONLY);
			_exit(o < 0 ? 1 : 0);
		}
		it_reap(c);
		ssize_t n = read(fan, buf, sizeof(buf));
		struct fanotify_event_metadata m;
		if (n < (ssize_t)sizeof(m))
			it_die("read fanotify");
		memcpy(&m, buf, sizeof(m));
		if (m.fd >= 0)
			close(m.fd);
		if (m.pid == c)
			it_out("open by child: event names child");
		else
			it_out("open by child: event names %s", it_l(m.pid));
		close(fan);
	}
	thread_event(path);
	unlink(path);
	rmdir(dir);
}

/* The Pid and NSpid lines of fd's fdinfo, as labels. */
static void show_fdinfo(const char *what, int fd)
{
	char path[64], buf[1024];
	FILE *f;
	bool seen = false;

	snprintf(path, sizeof path, "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (f == NULL) {
		it_out("%s: fopen %s", what, it_errname(errno));
		return;
	}
	while (fgets(buf, sizeof buf, f) != NULL) {
		int v;
		if (sscanf(buf, "Pid:\t%d", &v) == 1) {
			it_out("%s: Pid %s", what, it_l(v));
			seen = true;
		}
		else if (sscanf(buf, "NSpid:\t%d", &v) == 1)
			it_out("%s: NSpid %s%s", what, it_l(v), strchr(strchr(buf, '\t') + 1, '\t') ? " and more" : "");
	}
	fclose(f);
	if (!seen)
		it_out("%s: no Pid line", what);
}

/* A pidfd's fdinfo names its process (lsof, libsystemd's pidfd_get_pid);
 * -1 once it is reaped.  Other descriptors' fdinfo has no Pid line. */
static void pidfd_fdinfo(void)
{
	it_out("-- pidfd fdinfo");
	struct it_chan ch = it_chan();
	pid_t c = it_fork("pidfd-child");
	if (c == 0) {
		it_get(ch);
		_exit(0);
	}
	int pfd = (int)syscall(SYS_pidfd_open, c, 0);
	if (pfd < 0)
		it_die("pidfd_open");
	show_fdinfo("live", pfd);
	int self = (int)syscall(SYS_pidfd_open, getpid(), 0);
	show_fdinfo("self", self);
	close(self);
	it_put(ch, 'x');
	it_reap(c);
	show_fdinfo("reaped", pfd);
	close(pfd);
	show_fdinfo("a pipe", ch.w);
}

int main(int argc, char **argv)
{
	sigset_t set;

	it_child_modes(argc, argv);
	it_init();
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	int sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sfd < 0)
		it_die("signalfd");
	sigchld(sfd);
	senders(sfd);
	mesgq(sfd);
	copies(sfd);
	reused(sfd);
	fanotify();
	pidfd_fdinfo();
	it_out("-- set_tid_address");
	it_out("returns getpid(): %s",
	       syscall(SYS_set_tid_address, NULL) == getpid() ? "yes" : "no");
	return 0;
}
