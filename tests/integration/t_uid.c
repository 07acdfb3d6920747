/* t_uid.c — a process that changes its uid stays in the tree: ids, setpgid, kill/sigqueue permissions, exec, a set-uid image. */
#include <grp.h>
#include <linux/capability.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "lib/itest.h"

/*
 * Run as root (the suite's pid namespace is root's).  Three processes
 * leave uid 0:
 *   u   setresuid(65534) for good, then setpgid of itself and of its
 *       child, kill/sigqueue/setpriority to root's processes (EPERM), to
 *       its own child (0), to init (EPERM, sig 0 too), kill(-1, 0), wait,
 *       fork + exec of an ordinary image under the new uid;
 *   t   seteuid(65534) for a while (its first call to the supervisor is
 *       made then), and back to 0;
 *   s   65534 exec'ing a set-uid root copy of this program (runs without
 *       the shim under jobshim: the kernel drops LD_PRELOAD), whose group,
 *       session and exit status the tree still knows.
 * The parent's view of each (getpgid, getsid, waitpid) must agree.
 */

#define NOBODY 65534

static char tmpdir[] = "/tmp/t_uid.XXXXXX";
static char plain[sizeof tmpdir + 16], suid[sizeof tmpdir + 16];

/* Copy this program to `dst` with `mode` (a set-uid copy must be ours:
 * root's, in a directory without nosuid). */
static void copy_self(const char *dst, mode_t mode)
{
	char buf[65536];
	ssize_t n;
	int in = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	int out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0700);

	if (in < 0 || out < 0)
		it_die("copy_self open");
	while ((n = read(in, buf, sizeof buf)) > 0)
		it_write_all(out, buf, (size_t)n);
	if (n < 0 || fchmod(out, mode) < 0)
		it_die("copy_self");
	close(in);
	close(out);
}

static void become_nobody(void)
{
	if (setgroups(0, NULL) < 0 || setresgid(NOBODY, NOBODY, NOBODY) < 0 ||
	    setresuid(NOBODY, NOBODY, NOBODY) < 0)
		it_die("setresuid");
}

/* The set-uid image: its real and effective uids, then exit 9 when told. */
static void suid_mode(int rec_fd, int ctl_fd)
{
	int ids[2] = { (int)getuid(), (int)geteuid() };
	struct it_chan ctl = { ctl_fd, -1 };

	it_guard();
	it_put_rec(rec_fd, ids, sizeof ids);
	it_get(ctl);
	_exit(9);
}

/* A fresh image under uid 65534 that forks (it maps the shared vpid
 * counter and opens the event FIFO itself): its child's ids, then its
 * own, then the child's wait status. */
static void fork_report_mode(int fd)
{
	it_guard();
	pid_t c = fork();
	if (c < 0)
		_exit(98);
	if (c == 0) {
		struct it_ids id = it_my_ids();
		it_put_rec(fd, &id, sizeof id);
		_exit(4);
	}
	int st = 0;
	pid_t r = waitpid(c, &st, 0);
	struct it_ids id = it_my_ids();
	int tail[2] = { r == c, st };
	it_put_rec(fd, &id, sizeof id);
	it_put_rec(fd, tail, sizeof tail);
	_exit(0);
}

static void show_uids(const char *who)
{
	uid_t r, e, sv;

	if (getresuid(&r, &e, &sv) < 0)
		it_die("getresuid");
	it_out("%s: uids %d %d %d", who, (int)r, (int)e, (int)sv);
}

/* capget/capset name a process by pid (libcap-ng and setpriv pass
 * getpid()); "caps" tells root's full set from an empty one. */
static void show_capget(const char *what, pid_t pid)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, pid };
	struct __user_cap_data_struct d[2] = { { 0, 0, 0 }, { 0, 0, 0 } };
	long r = syscall(SYS_capget, &h, d);

	if (r < 0)
		it_out("%s: -1 %s", what, it_errname(errno));
	else
		it_out("%s: 0 effective %s, header pid %s", what, d[0].effective ? "some" : "none",
		       h.pid == pid ? "kept" : "changed");
}

static void show_capset(const char *what, pid_t pid)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, pid };
	struct __user_cap_data_struct d[2] = { { 0, 0, 0 }, { 0, 0, 0 } };

	errno = 0;
	long r = syscall(SYS_capset, &h, d);
	it_show(what, r, errno, 0);
}

/* u: everything under uid 65534 for good. */
static void part_u(pid_t mainp, pid_t root1, struct it_chan to_main, struct it_chan from_main)
{
	union sigval sv = { .sival_int = 0 };

	/* Connected as root first (a translation needs the supervisor): the
	 * connection must outlive the uid change. */
	IT_PID("u: getpgid(root1) [as root]", getpgid(root1));
	become_nobody();
	show_uids("u");
	/* Every other process is root's: none may be signalled, and Linux
	 * still answers 0 (kill(-1) reports EPERM from no target). */
	IT_RC("u: kill(-1, 0) [others all root's]", kill(-1, 0));
	IT_RC("u: setpgid(0, 0)", setpgid(0, 0));
	IT_PID("u: getpgrp()", getpgrp());
	IT_PID("u: getsid(0)", getsid(0));
	IT_PID("u: getppid()", getppid());
	IT_PID("u: getpgid(main)", getpgid(mainp));
	IT_PID("u: getsid(root1)", getsid(root1));
	IT_RC("u: kill(root1, 0)", kill(root1, 0));
	IT_RC("u: kill(root1, SIGTERM)", kill(root1, SIGTERM));
	IT_RC("u: kill(main, SIGUSR1)", kill(mainp, SIGUSR1));
	IT_RC("u: kill(main, SIGCONT) [same session]", kill(mainp, SIGCONT));
	IT_RC("u: kill(-main, 0) [root's group]", kill(-mainp, 0));
	IT_RC("u: kill(1, 0)", kill(1, 0));
	IT_RC("u: kill(1, SIGTERM)", kill(1, SIGTERM));
	IT_RC("u: kill(1, SIGCONT) [another session]", kill(1, SIGCONT));
	IT_RC("u: kill(1, 65)", kill(1, 65));
	IT_RC("u: sigqueue(root1, SIGUSR1)", sigqueue(root1, SIGUSR1, sv));
	IT_RC("u: sigqueue(1, 0)", sigqueue(1, 0, sv));
	IT_RC("u: sigqueue(1, SIGKILL)", sigqueue(1, SIGKILL, sv));
	IT_RC("u: tgkill(1, 1, 0)", syscall(SYS_tgkill, 1, 1, 0));
	IT_RC("u: tgkill(1, 1, SIGKILL)", syscall(SYS_tgkill, 1, 1, SIGKILL));
	IT_RC("u: tkill(1, SIGKILL)", syscall(SYS_tkill, 1, SIGKILL));
	siginfo_t qi = { .si_signo = SIGUSR1, .si_code = SI_QUEUE };
	IT_RC("u: rt_sigqueueinfo(1, SIGUSR1, SI_QUEUE)", syscall(SYS_rt_sigqueueinfo, 1, SIGUSR1, &qi));
	IT_RC("u: setpriority(PRIO_PROCESS, root1, 5)", setpriority(PRIO_PROCESS, (id_t)root1, 5));
	show_capget("u: capget(getpid())", getpid());
	show_capget("u: capget(root1)", root1);
	show_capget("u: capget(dead)", it_dead_pid());
	show_capset("u: capset(main)", mainp);
	show_capset("u: capset(getpid())", getpid());
	char byte = 0, theirs = 0;
	struct iovec lv = { &byte, 1 }, rv = { &theirs, 1 };
	IT_RC("u: process_vm_readv(root1)", process_vm_readv(root1, &lv, 1, &rv, 1, 0));

	struct it_chan hold = it_chan();
	pid_t uc = it_fork("uc");
	if (uc == 0) {
		close(hold.w);
		it_get(hold); /* until u closes its end */
		_exit(3);
	}
	close(hold.r);
	IT_RC("u: setpgid(uc, uc)", setpgid(uc, uc));
	IT_PID("u: getpgid(uc)", getpgid(uc));
	IT_PID("u: getsid(uc)", getsid(uc));
	IT_RC("u: kill(uc, 0)", kill(uc, 0));
	IT_RC("u: sigqueue(uc, 0)", sigqueue(uc, 0, sv));
	IT_RC("u: setpriority(PRIO_PGRP, uc, 5)", setpriority(PRIO_PGRP, (id_t)uc, 5));
	errno = 0;
	int prio = getpriority(PRIO_PGRP, (id_t)uc);
	it_out("u: getpriority(PRIO_PGRP, uc): %d %s", prio, errno ? it_errname(errno) : "");
	IT_RC("u: kill(-1, 0) [uc is ours]", kill(-1, 0));

	it_put(to_main, 'a'); /* main looks at u and uc */
	it_expect(from_main, 'b');
	close(hold.w);
	int st;
	IT_PID("u: waitpid(uc)", waitpid(uc, &st, 0));
	it_out("u: uc status %s", it_status(st));

	/* A fresh image under the new uid connects again. */
	struct it_chan rec = it_chan();
	pid_t ue = it_fork("ue");
	if (ue == 0) {
		it_inherit(rec.w);
		char *argv[] = { plain, "--report", (char *)it_itoa(rec.w), NULL };
		execv(plain, argv);
		it_die("execv plain");
	}
	close(rec.w);
	it_show_ids("ue (exec'd as 65534)", it_read_ids(rec.r));
	IT_PID("u: waitpid(ue)", waitpid(ue, &st, 0));
	it_out("u: ue status %s", it_status(st));

	/* A fresh image under the new uid forks: its child is numbered and
	 * parented in the tree. */
	struct it_chan frec = it_chan();
	pid_t uf = it_fork("uf");
	if (uf == 0) {
		it_inherit(frec.w);
		char *argv[] = { plain, "--fork-report", (char *)it_itoa(frec.w), NULL };
		execv(plain, argv);
		it_die("execv plain");
	}
	close(frec.w);
	struct it_ids child = it_read_ids(frec.r), self = it_read_ids(frec.r);
	int tail[2];
	if (it_get_rec(frec.r, tail, sizeof tail) < 0)
		it_die("fork-report tail");
	it_show_ids("uf (exec'd as 65534)", self);
	it_show_ids("uf's child", child);
	it_out("uf: waitpid(child) returned the child: %s, status %s", tail[0] ? "yes" : "no",
	       it_status(tail[1]));
	IT_PID("u: waitpid(uf)", waitpid(uf, &st, 0));
	it_out("u: uf status %s", it_status(st));
	_exit(0);
}

/* t: euid 65534 only for a while; its first supervisor call is made then. */
static void part_t(pid_t mainp, pid_t root1)
{
	if (seteuid(NOBODY) < 0)
		it_die("seteuid");
	show_uids("t");
	IT_RC("t: setpgid(0, 0) [euid 65534]", setpgid(0, 0));
	IT_PID("t: getpgrp()", getpgrp());
	/* Real uid 0 matches root's processes and init: allowed. */
	IT_RC("t: kill(root1, 0) [ruid 0]", kill(root1, 0));
	IT_RC("t: kill(1, 0) [ruid 0]", kill(1, 0));
	pid_t tc = it_fork("tc");
	if (tc == 0) {
		IT_PID("tc: getppid() [euid 65534]", getppid());
		IT_PID("tc: getpgrp()", getpgrp());
		_exit(5);
	}
	int st;
	IT_PID("t: waitpid(tc)", waitpid(tc, &st, 0));
	it_out("t: tc status %s", it_status(st));
	if (seteuid(0) < 0)
		it_die("seteuid 0");
	show_uids("t");
	IT_PID("t: getpgrp()", getpgrp());
	IT_RC("t: setpgid(0, main)", setpgid(0, mainp));
	IT_PID("t: getpgrp()", getpgrp());
	_exit(0);
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "--suid") == 0)
		suid_mode(atoi(argv[2]), atoi(argv[3]));
	if (argc == 3 && strcmp(argv[1], "--fork-report") == 0)
		fork_report_mode(atoi(argv[2]));
	it_child_modes(argc, argv);
	it_init();
	if (geteuid() != 0) {
		it_out("FATAL not root");
		return 1;
	}
	pid_t mainp = getpid();
	/* Root may signal init (which ignores it): sig 0 only. */
	IT_RC("main: kill(1, 0)", kill(1, 0));
	IT_RC("main: tgkill(1, 1, 0)", syscall(SYS_tgkill, 1, 1, 0));
	IT_RC("main: tkill(1, 0)", syscall(SYS_tkill, 1, 0));
	if (!mkdtemp(tmpdir) || chmod(tmpdir, 0755) < 0)
		it_die("mkdtemp");
	snprintf(plain, sizeof plain, "%s/plain", tmpdir);
	snprintf(suid, sizeof suid, "%s/suid", tmpdir);
	copy_self(plain, 0755);
	copy_self(suid, 04755);

	struct it_chan hold = it_chan();
	pid_t root1 = it_fork("root1");
	if (root1 == 0) {
		close(hold.w);
		it_get(hold); /* until main closes its end */
		_exit(0);
	}
	close(hold.r);

	/* u */
	struct it_chan to_main = it_chan(), from_main = it_chan();
	pid_t u = it_fork("u");
	if (u == 0)
		part_u(mainp, root1, to_main, from_main);
	it_expect(to_main, 'a');
	pid_t uc = 0;
	for (int i = 0; i < it_sh->n; i++)
		if (strcmp(it_sh->lab[i].name, "uc") == 0)
			uc = it_sh->lab[i].pid;
	IT_PID("main: getpgid(u)", getpgid(u));
	IT_PID("main: getsid(u)", getsid(u));
	IT_PID("main: getpgid(uc)", getpgid(uc));
	IT_RC("main: kill(uc, 0)", kill(uc, 0));
	it_put(from_main, 'b');
	int st = it_reap(u);
	it_out("main: u status %s", it_status(st));

	/* t */
	pid_t t = it_fork("t");
	if (t == 0)
		part_t(mainp, root1);
	st = it_reap(t);
	it_out("main: t status %s", it_status(st));

	/* s: a set-uid root image exec'd by 65534 */
	struct it_chan rec = it_chan(), ctl = it_chan();
	pid_t s = it_fork("s");
	if (s == 0) {
		become_nobody();
		it_inherit(rec.w);
		it_inherit(ctl.r);
		char a1[16], a2[16];
		snprintf(a1, sizeof a1, "%d", rec.w);
		snprintf(a2, sizeof a2, "%d", ctl.r);
		char *av[] = { suid, "--suid", a1, a2, NULL };
		execv(suid, av);
		it_die("execv suid");
	}
	close(rec.w);
	close(ctl.r);
	int ids[2];
	if (it_get_rec(rec.r, ids, sizeof ids) < 0)
		it_die("suid record");
	it_out("s: ruid %d euid %d", ids[0], ids[1]);
	IT_PID("main: getpgid(s)", getpgid(s));
	IT_PID("main: getsid(s)", getsid(s));
	IT_RC("main: kill(s, 0)", kill(s, 0));
	it_put(ctl, 'x');
	IT_PID("main: waitpid(s)", waitpid(s, &st, 0));
	it_out("main: s status %s", it_status(st));
	IT_PID("main: getpgid(s) after reap", getpgid(s));

	close(hold.w);
	it_reap(root1);
	unlink(plain);
	unlink(suid);
	rmdir(tmpdir);
	it_out("main: done");
	return 0;
}
