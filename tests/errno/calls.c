/* calls.c — jserrno's call table: every name libjobshim interposes, with the kind of each argument. */
#include "args.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <linux/capability.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/fanotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/*
 * One entry per interposed name (shim/libjobshim.map; syscall() once per
 * routed number).  The wrappers call the libc names directly: under
 * jobshim the preloaded shim's definitions are what they bind to.  A
 * "valid" buffer is filled with something the kernel accepts just before
 * the call.  Calls that create processes make ones that exit at once (the
 * case process leaves right after, main.c).
 */

/* Old glibc entry points, still exported (and interposed). */
extern int __xstat(int, const char *, struct stat *);
extern int __lxstat(int, const char *, struct stat *);
extern int __fxstatat(int, int, const char *, struct stat *, int);
extern int __open_2(const char *, int);
extern int __openat_2(int, const char *, int);
extern pid_t __getpgid(pid_t);
/* In glibc, declared by libcap's header only. */
extern int capget(cap_user_header_t, cap_user_data_t);
extern int capset(cap_user_header_t, const cap_user_data_t);

static char remote_buf[64]; /* the same address in every process of a run (fork) */

/* An fd a call returned: closed, and reported as 0 (its number is not
 * the point, and would make cases depend on each other). */
static long fdret(long fd)
{
	if (fd >= 0) {
		close((int)fd);
		return 0;
	}
	return fd;
}

#define A(i) (v[i].n)
#define P(i) (v[i].p)
#define PID(i) ((pid_t)v[i].n)

static void fill_sigset(const struct val *x)
{
	if (x->valid) {
		sigemptyset((sigset_t *)x->p);
		sigaddset((sigset_t *)x->p, SIGURG);
	}
}

static void fill_iov(const struct val *x, void *base)
{
	if (x->valid)
		*(struct iovec *)x->p = (struct iovec){ base, 8 };
}

static long c_fork(const struct val *v) { (void)v; pid_t p = fork(); if (p == 0) _exit(0); return p; }
static long c__Fork(const struct val *v) { (void)v; pid_t p = _Fork(); if (p == 0) _exit(0); return p; }
static long c_vfork(const struct val *v) { (void)v; pid_t p = vfork(); if (p == 0) _exit(0); return p; }
/* glibc's clone() making a process (clone.c): the flags, always with
 * CLONE_PARENT_SETTID so that the word's pointer classes reach the call
 * (the kernel ignores a word it cannot write); reaped with __WALL (an
 * exit signal other than SIGCHLD makes a clone child). */
static char clone_stack[1 << 16] __attribute__((aligned(16)));
static int clone_child(void *a) { (void)a; return 0; }
static long clone_with(const struct val *v, int add)
{
	pid_t p = clone(clone_child, clone_stack + sizeof(clone_stack), (int)A(0) | CLONE_PARENT_SETTID | add,
			NULL, P(1), NULL, NULL);
	if (p > 0)
		waitpid(p, NULL, __WALL);
	return p;
}
static long c_clone(const struct val *v) { return clone_with(v, 0); }
static long c_clone_vm(const struct val *v) { return clone_with(v, CLONE_VM); }
static long c_daemon(const struct val *v) { return daemon((int)A(0), 1); }
static long c_system(const struct val *v) { return system(P(0)); }
static long c_popen(const struct val *v)
{
	FILE *f = popen(P(0), P(1));
	if (f == NULL)
		return 0;
	return pclose(f);
}
static long c_posix_spawn(const struct val *v)
{
	return posix_spawn(P(0), P(1), NULL, NULL, P(2), P(3));
}
static long c_posix_spawnp(const struct val *v)
{
	return posix_spawnp(P(0), P(1), NULL, NULL, P(2), P(3));
}
/* The file actions the shim notes (spawnfa.c): glibc's checks, forwarded. */
static long c_fa_adddup2(const struct val *v)
{
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	long rc = posix_spawn_file_actions_adddup2(&fa, (int)A(0), (int)A(1));
	posix_spawn_file_actions_destroy(&fa);
	return rc;
}
static long c_fa_addopen(const struct val *v)
{
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	long rc = posix_spawn_file_actions_addopen(&fa, (int)A(0), P(1), (int)A(2), 0644);
	posix_spawn_file_actions_destroy(&fa);
	return rc;
}
static long c_fa_addchdir(const struct val *v)
{
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	long rc = posix_spawn_file_actions_addchdir_np(&fa, P(0));
	posix_spawn_file_actions_destroy(&fa);
	return rc;
}
static long c_fa_addfchdir(const struct val *v)
{
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	long rc = posix_spawn_file_actions_addfchdir_np(&fa, (int)A(0));
	posix_spawn_file_actions_destroy(&fa);
	return rc;
}
static long c_spawn_pgroup(const struct val *v)
{
	posix_spawnattr_t at;
	pid_t pid;
	int rc;

	posix_spawnattr_init(&at);
	posix_spawnattr_setflags(&at, (short)A(1));
	posix_spawnattr_setpgroup(&at, PID(0));
	rc = posix_spawn(&pid, "/bin/true", NULL, &at, (char *[]){ "true", NULL }, NULL);
	posix_spawnattr_destroy(&at);
	return rc;
}
static long c_execve(const struct val *v) { return execve(P(0), P(1), P(2)); }
static long c_execv(const struct val *v) { return execv(P(0), P(1)); }
static long c_execvp(const struct val *v) { return execvp(P(0), P(1)); }
static long c_execvpe(const struct val *v) { return execvpe(P(0), P(1), P(2)); }
static long c_execl(const struct val *v) { return execl(P(0), "true", (char *)NULL); }
static long c_execle(const struct val *v) { return execle(P(0), "true", (char *)NULL, P(1)); }
static long c_execlp(const struct val *v) { return execlp(P(0), "true", (char *)NULL); }
static long c_fexecve(const struct val *v) { return fexecve((int)A(0), P(1), P(2)); }
static long c_mlockall(const struct val *v)
{
	long rc = mlockall((int)A(0));
	int e = errno;

	munlockall();
	errno = e;
	return rc;
}
static long c_execveat(const struct val *v) { return execveat((int)A(0), P(1), P(2), environ, (int)A(3)); }
static long s_execve(const struct val *v) { return syscall(SYS_execve, P(0), P(1), P(2)); }
static long s_execveat(const struct val *v) { return syscall(SYS_execveat, A(0), P(1), P(2), environ, A(3)); }
static long c_getpid(const struct val *v) { (void)v; return getpid(); }
static long c_getppid(const struct val *v) { (void)v; return getppid(); }
static long c_getpgid(const struct val *v) { return getpgid(PID(0)); }
static long c___getpgid(const struct val *v) { return __getpgid(PID(0)); }
static long c_getpgrp(const struct val *v) { (void)v; return getpgrp(); }
static long c_getsid(const struct val *v) { return getsid(PID(0)); }
static long c_setsid(const struct val *v) { (void)v; return setsid(); }
static long c_setpgid(const struct val *v) { return setpgid(PID(0), PID(1)); }
static long c_setpgrp(const struct val *v) { (void)v; return setpgrp(); }
static long c_tcgetpgrp(const struct val *v) { return tcgetpgrp((int)A(0)); }
static long c_tcsetpgrp(const struct val *v) { return tcsetpgrp((int)A(0), PID(1)); }
static long c_tcgetsid(const struct val *v) { return tcgetsid((int)A(0)); }
static long c_kill(const struct val *v) { return kill(PID(0), (int)A(1)); }
static long c_killpg(const struct val *v) { return killpg(PID(0), (int)A(1)); }
static long c_sigqueue(const struct val *v) { return sigqueue(PID(0), (int)A(1), (union sigval){ 0 }); }
static long c_raise(const struct val *v) { return raise((int)A(0)); }
static long c_wait(const struct val *v) { return wait(P(0)); }
static long c_waitpid(const struct val *v) { return waitpid(PID(0), P(1), (int)A(2)); }
static long c_wait3(const struct val *v) { return wait3(P(0), (int)A(1), P(2)); }
static long c_wait4(const struct val *v) { return wait4(PID(0), P(1), (int)A(2), P(3)); }
static long c_waitid(const struct val *v) { return waitid(P_PID, (id_t)PID(0), P(1), (int)A(2)); }
static long c_waitid_pgid(const struct val *v) { return waitid(P_PGID, (id_t)PID(0), P(1), (int)A(2)); }
static long c_waitid_all(const struct val *v) { return waitid((idtype_t)A(0), 0, P(1), (int)A(2)); }
static long c_sigaction(const struct val *v)
{
	if (v[1].valid)
		*(struct sigaction *)P(1) = (struct sigaction){ .sa_handler = SIG_IGN };
	return sigaction((int)A(0), P(1), P(2));
}
/* SIGURG is pending (main.c raises it, blocked) so that valid sets return at once. */
static long c_sigwaitinfo(const struct val *v) { fill_sigset(&v[0]); return sigwaitinfo(P(0), P(1)); }
static long c_sigtimedwait(const struct val *v)
{
	fill_sigset(&v[0]);
	if (v[2].valid)
		*(struct timespec *)P(2) = (struct timespec){ 0, 0 };
	return sigtimedwait(P(0), P(1), P(2));
}
static long c_gettid(const struct val *v) { (void)v; return gettid(); }
static long c_tgkill(const struct val *v) { return tgkill(PID(0), PID(1), (int)A(2)); }
static long c_prctl_ptracer(const struct val *v) { return prctl(PR_SET_PTRACER, A(0), 0, 0, 0); }
static long c_prctl_subreaper(const struct val *v) { return prctl(PR_SET_CHILD_SUBREAPER, A(0), 0, 0, 0); }
static long c_prctl_getsub(const struct val *v) { return prctl(PR_GET_CHILD_SUBREAPER, P(0), 0, 0, 0); }
static long c_prctl_bad(const struct val *v) { return prctl((int)A(0), 0, 0, 0, 0); }
static long c_setaffinity(const struct val *v)
{
	if (v[2].valid)
		sched_getaffinity(0, sizeof(cpu_set_t), P(2));
	return sched_setaffinity(PID(0), (size_t)(A(1) == 2 ? (long)sizeof(cpu_set_t) : A(1)), P(2));
}
static long c_getaffinity(const struct val *v)
{
	return sched_getaffinity(PID(0), (size_t)(A(1) == 2 ? (long)sizeof(cpu_set_t) : A(1)), P(2));
}
static long c_setscheduler(const struct val *v) { return sched_setscheduler(PID(0), (int)A(1), P(2)); }
static long c_getscheduler(const struct val *v) { return sched_getscheduler(PID(0)); }
static long c_setparam(const struct val *v) { return sched_setparam(PID(0), P(1)); }
static long c_getparam(const struct val *v) { return sched_getparam(PID(0), P(1)); }
static long c_rr_interval(const struct val *v) { return sched_rr_get_interval(PID(0), P(1)); }
/* fdowner.c: owners and peers through descriptors. */
static long c_fcntl_setown(const struct val *v) { return fcntl((int)A(0), F_SETOWN, PID(1)); }
static long s_fcntl_setown(const struct val *v) { return syscall(SYS_fcntl, A(0), F_SETOWN, PID(1)); }
static long setown_ex(const struct val *v, int type)
{
	struct f_owner_ex ex = { type, PID(1) };
	return fcntl((int)A(0), F_SETOWN_EX, &ex);
}
static long c_fcntl_setown_pid(const struct val *v) { return setown_ex(v, F_OWNER_PID); }
static long c_fcntl_setown_pgrp(const struct val *v) { return setown_ex(v, F_OWNER_PGRP); }
/* The owner read back, as a pid (a group's sign dropped: the pid names
 * it by role, and the sign only repeats the argument's). */
static long c_fcntl_getown(const struct val *v)
{
	int p[2];
	long r;
	if (pipe(p) < 0)
		return -1;
	r = fcntl(p[0], F_SETOWN, PID(0));
	if (r == 0)
		r = fcntl(p[0], F_GETOWN);
	if (r < -1)
		r = -r;
	close(p[0]);
	close(p[1]);
	return r;
}
static long c_fiosetown(const struct val *v)
{
	int sv[2];
	long r;
	int who = PID(0);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return -1;
	r = ioctl(sv[0], FIOSETOWN, &who);
	close(sv[0]);
	close(sv[1]);
	return r;
}
static long c_peercred(const struct val *v)
{
	socklen_t len = sizeof(struct ucred);
	return getsockopt((int)A(0), SOL_SOCKET, SO_PEERCRED, P(1), &len);
}
/* pidread.c: reads of a signalfd (one SIGURG pending: every signal is
 * blocked in a case process), its copies, fanotify_init. */
extern ssize_t __read_chk(int, void *, size_t, size_t);
static int urg_signalfd(void)
{
	sigset_t urg;
	sigemptyset(&urg);
	sigaddset(&urg, SIGURG);
	int fd = signalfd(-1, &urg, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd >= 0)
		kill(getpid(), SIGURG);
	return fd;
}
static long read_signalfd(const struct val *v, int how)
{
	int fd = urg_signalfd();
	long r;
	if (fd < 0)
		return -1;
	r = how == 0 ? read(fd, P(0), (size_t)A(1))
	    : how == 1 ? syscall(SYS_read, fd, P(0), A(1))
		       : __read_chk(fd, P(0), (size_t)A(1), 65536);
	close(fd);
	return r;
}
static long c_read_signalfd(const struct val *v) { return read_signalfd(v, 0); }
static long s_read_signalfd(const struct val *v) { return read_signalfd(v, 1); }
static long c_read_chk_signalfd(const struct val *v) { return read_signalfd(v, 2); }
static long c_signalfd(const struct val *v)
{
	fill_sigset(&v[1]);
	return fdret(signalfd((int)A(0), P(1), (int)A(2)));
}
/* The copies land on 100: never on the case process's own 0, 1 and 2. */
static long c_dup(const struct val *v) { return fdret(dup((int)A(0))); }
static long c_dup2(const struct val *v) { return fdret(dup2((int)A(0), 100)); }
static long c_dup3(const struct val *v) { return fdret(dup3((int)A(0), 100, (int)A(1))); }
static long s_dup3(const struct val *v) { return fdret(syscall(SYS_dup3, A(0), 100, A(1))); }
/* cgwrite.c: write and dprintf pass through for any descriptor but a
 * cgroup pid file's. */
static long c_write(const struct val *v) { return write((int)A(0), P(1), (size_t)A(2)); }
static long s_write(const struct val *v) { return syscall(SYS_write, A(0), P(1), A(2)); }
static long c_dprintf(const struct val *v) { return dprintf((int)A(0), "%d", 1); }
/* ns_last_pid (cgwrite.c: the kernel's write first, then the supervisor
 * told): the bytes as given; a valid buffer is zeroes, which the kernel
 * refuses, so no case moves the next pid. */
static long c_write_lastpid(const struct val *v)
{
	int fd = open("/proc/sys/kernel/ns_last_pid", O_WRONLY | O_CLOEXEC);
	long r;

	if (fd < 0)
		return -2;
	r = write(fd, P(0), (size_t)A(1));
	close(fd);
	return r;
}
/* scmcreds.c: the mmsg forms (a file is no socket: ENOTSOCK at base). */
static long c_recvmmsg(const struct val *v) { return recvmmsg((int)A(0), P(1), (unsigned)A(2), MSG_DONTWAIT, NULL); }
static long c_sendmmsg(const struct val *v) { return sendmmsg((int)A(0), P(1), (unsigned)A(2), MSG_DONTWAIT); }
/* SCM_CREDENTIALS naming a pid by role, sent over a socketpair that
 * passes credentials; the pid received, by role (the kernel checks the
 * sender may name it: ESRCH, EPERM). */
static long scm_creds(const struct val *v, bool mmsg)
{
	struct ucred uc = { PID(0), getuid(), getgid() };
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(struct ucred))];
	} su, ru;
	char c = 'x', rc;
	struct iovec iov = { &c, 1 }, riov = { &rc, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = su.b,
			    .msg_controllen = sizeof(su.b) };
	struct msghdr rm = { .msg_iov = &riov, .msg_iovlen = 1, .msg_control = ru.b,
			     .msg_controllen = sizeof(ru.b) };
	struct cmsghdr *h = CMSG_FIRSTHDR(&m);
	int sv[2], on = 1, e;
	long r;

	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) < 0 ||
	    setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) < 0)
		return -1;
	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_CREDENTIALS;
	h->cmsg_len = CMSG_LEN(sizeof(uc));
	memcpy(CMSG_DATA(h), &uc, sizeof(uc));
	if (mmsg) {
		struct mmsghdr mv = { .msg_hdr = m }, rv = { .msg_hdr = rm };
		r = sendmmsg(sv[0], &mv, 1, 0);
		if (r == 1)
			r = recvmmsg(sv[1], &rv, 1, MSG_DONTWAIT, NULL);
		rm = rv.msg_hdr;
		r = r == 1 ? 1 : -1;
	} else {
		r = sendmsg(sv[0], &m, 0);
		if (r == 1)
			r = recvmsg(sv[1], &rm, MSG_DONTWAIT);
	}
	e = errno;
	close(sv[0]);
	close(sv[1]);
	errno = e;
	if (r < 0)
		return -1;
	for (h = CMSG_FIRSTHDR(&rm); h != NULL; h = CMSG_NXTHDR(&rm, h))
		if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_CREDENTIALS) {
			memcpy(&uc, CMSG_DATA(h), sizeof(uc));
			return uc.pid;
		}
	return 0;
}
static long c_scm_msg(const struct val *v) { return scm_creds(v, false); }
static long c_scm_mmsg(const struct val *v) { return scm_creds(v, true); }
static long c_fanotify_init(const struct val *v) { return fdret(fanotify_init((unsigned)A(0), (unsigned)A(1))); }
static long s_set_tid_address(const struct val *v) { return syscall(SYS_set_tid_address, P(0)); }
/* clocks.c: a pid inside a clock id or a timer's target thread. */
static long c_cpuclockid(const struct val *v)
{
	clockid_t clk;
	return clock_getcpuclockid(PID(0), &clk); /* an errno number, or 0 */
}
static long timer_thread(const struct val *v, bool raw)
{
	struct sigevent sev = { .sigev_notify = SIGEV_THREAD_ID, .sigev_signo = SIGURG };
	timer_t t;
	int kt;
	long r;
	sev._sigev_un._tid = PID(0);
	r = raw ? syscall(SYS_timer_create, CLOCK_MONOTONIC, &sev, &kt)
		: timer_create(CLOCK_MONOTONIC, &sev, &t);
	if (r == 0)
		raw ? syscall(SYS_timer_delete, kt) : timer_delete(t);
	return r;
}
static long c_timer_thread(const struct val *v) { return timer_thread(v, false); }
static long s_timer_thread(const struct val *v) { return timer_thread(v, true); }
static long c_getpriority(const struct val *v) { return getpriority((int)A(0), (id_t)PID(1)); }
static long c_setpriority(const struct val *v) { return setpriority((int)A(0), (id_t)PID(1), (int)A(2)); }
static long c_prlimit(const struct val *v)
{
	if (v[2].valid)
		getrlimit(RLIMIT_CORE, P(2));
	return prlimit(PID(0), (int)A(1) == 0 ? RLIMIT_CORE : (int)A(1), P(2), P(3));
}
static long c_prlimit64(const struct val *v)
{
	if (v[2].valid)
		getrlimit64(RLIMIT_CORE, P(2));
	return prlimit64(PID(0), (int)A(1) == 0 ? RLIMIT_CORE : (int)A(1), P(2), P(3));
}
/* setrlimit: resource 0 stands for RLIMIT_AS (the shim's view leaves the
 * address space for a finite one, rlimit.c); a valid new limit is the
 * current one with a finite 1 GiB soft limit where the hard one allows. */
static int rlim_res(const struct val *v)
{
	int res = (int)A(0) == 0 ? RLIMIT_AS : (int)A(0);

	if (v[1].valid && getrlimit(res, P(1)) == 0 && res == RLIMIT_AS) {
		struct rlimit *r = P(1);
		if (r->rlim_max >= (1ul << 30))
			r->rlim_cur = 1ul << 30;
	}
	return res;
}
static long c_setrlimit(const struct val *v)
{
	int res = rlim_res(v);
	long rc = setrlimit(res, P(1));
	int e = errno;

	if (rc == 0 && getpgrp() != getpgid(0))
		return -2; /* the ids must still answer */
	errno = e;
	return rc;
}
static long c_setrlimit64(const struct val *v)
{
	int res = rlim_res(v);
	return setrlimit64(res, P(1));
}
static long s_setrlimit(const struct val *v)
{
	int res = rlim_res(v);
	return syscall(SYS_setrlimit, res, P(1));
}
static long c_vm_readv(const struct val *v)
{
	static char local[64];
	static struct iovec liov;
	liov = (struct iovec){ local, 8 };
	fill_iov(&v[1], remote_buf);
	return process_vm_readv(PID(0), &liov, 1, P(1), 1, (unsigned long)A(2));
}
static long c_vm_writev(const struct val *v)
{
	static char local[64];
	static struct iovec liov;
	liov = (struct iovec){ local, 8 };
	fill_iov(&v[1], remote_buf);
	return process_vm_writev(PID(0), &liov, 1, P(1), 1, (unsigned long)A(2));
}
static long c_pidfd_open(const struct val *v) { return fdret(pidfd_open(PID(0), (unsigned)A(1))); }
/* syscall(): the numbers the shim routes. */
static long s_tkill(const struct val *v) { return syscall(SYS_tkill, PID(0), A(1)); }
static long s_tgkill(const struct val *v) { return syscall(SYS_tgkill, PID(0), PID(1), A(2)); }
static long s_sigqueueinfo(const struct val *v)
{
	if (v[2].valid) {
		siginfo_t *si = P(2);
		si->si_code = SI_QUEUE;
		si->si_pid = getpid();
		si->si_uid = getuid();
	}
	return syscall(SYS_rt_sigqueueinfo, PID(0), A(1), P(2));
}
static long s_tgsigqueueinfo(const struct val *v)
{
	return syscall(SYS_rt_tgsigqueueinfo, PID(0), PID(0), SIGURG, P(1));
}
static long s_kill(const struct val *v) { return syscall(SYS_kill, PID(0), A(1)); }
static long s_getpgid(const struct val *v) { return syscall(SYS_getpgid, PID(0)); }
static long s_getsid(const struct val *v) { return syscall(SYS_getsid, PID(0)); }
static long s_setpgid(const struct val *v) { return syscall(SYS_setpgid, PID(0), PID(1)); }
static long s_getpriority(const struct val *v) { return syscall(SYS_getpriority, A(0), PID(1)); }
static long s_ioprio_get(const struct val *v) { return syscall(SYS_ioprio_get, A(0), PID(1)); }
static long s_ioprio_set(const struct val *v) { return syscall(SYS_ioprio_set, A(0), PID(1), 0); }
/* pidfd.c: a pidfd of the process by role, then the signal through it
 * (an info's si_pid is a vpid for the shim to translate). */
static long pidfd_send(const struct val *v, bool raw)
{
	int fd = pidfd_open(PID(0), 0);
	long r;

	if (fd < 0)
		return -1;
	r = raw ? syscall(SYS_pidfd_send_signal, fd, A(1), P(2), A(3))
		: pidfd_send_signal(fd, (int)A(1), P(2), (unsigned)A(3));
	int e = errno;
	close(fd);
	errno = e;
	return r;
}
static long c_pidfd_send(const struct val *v) { return pidfd_send(v, false); }
static long s_pidfd_send(const struct val *v) { return pidfd_send(v, true); }
static long s_pidfd_open(const struct val *v) { return fdret(syscall(SYS_pidfd_open, PID(0), A(1))); }
static long s_getparam(const struct val *v) { return syscall(SYS_sched_getparam, PID(0), P(1)); }
static long s_getscheduler(const struct val *v) { return syscall(SYS_sched_getscheduler, PID(0)); }
static long s_prlimit64(const struct val *v) { return syscall(SYS_prlimit64, PID(0), RLIMIT_CORE, NULL, P(1)); }
static long s_wait4(const struct val *v) { return syscall(SYS_wait4, PID(0), P(1), A(2), NULL); }
static long s_waitid(const struct val *v) { return syscall(SYS_waitid, P_PID, PID(0), P(1), A(2), NULL); }
static long s_vm_readv(const struct val *v)
{
	static char local[64];
	struct iovec l = { local, 8 }, r = { remote_buf, 8 };
	return syscall(SYS_process_vm_readv, PID(0), &l, 1, &r, 1, 0);
}
/* kcmp orders by kernel addresses: only equal (0) or not (1) is stable. */
static long s_kcmp(const struct val *v)
{
	long r = syscall(SYS_kcmp, PID(0), PID(1), 0 /* KCMP_FILE */, 0, 0);
	return r > 0 ? 1 : r;
}
static long s_get_robust_list(const struct val *v)
{
	static size_t len;
	return syscall(SYS_get_robust_list, PID(0), P(1), &len);
}
/* caps.c: the capability header names a pid. */
static long caps(long nr, const struct val *v, bool raw)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, PID(0) };

	if (raw)
		return syscall(nr, &h, P(1));
	return nr == SYS_capget ? capget(&h, P(1)) : capset(&h, P(1));
}
static long c_capget(const struct val *v) { return caps(SYS_capget, v, false); }
static long c_capset(const struct val *v) { return caps(SYS_capset, v, false); }
static long s_capget(const struct val *v) { return caps(SYS_capget, v, true); }
static long s_capset(const struct val *v) { return caps(SYS_capset, v, true); }
/* ptrace.c: PTRACE_SEIZE attaches without a stop (the tracee goes free
 * when the case process exits); PEEKDATA of a process not traced by us is
 * ESRCH, whoever it is. */
static long c_ptrace_seize(const struct val *v) { return ptrace(PTRACE_SEIZE, PID(0), NULL, NULL); }
static long c_ptrace_peek(const struct val *v) { errno = 0; return ptrace(PTRACE_PEEKDATA, PID(0), P(1), NULL) == -1 && errno ? -1 : 0; }
static long s_ptrace_seize(const struct val *v) { return syscall(SYS_ptrace, PTRACE_SEIZE, PID(0), NULL, NULL); }
/* Paths. */
static long c_open(const struct val *v) { return fdret(open(P(0), (int)A(1))); }
static long c_open64(const struct val *v) { return fdret(open64(P(0), (int)A(1))); }
static long c___open_2(const struct val *v) { return fdret(__open_2(P(0), (int)A(1))); }
static long c_openat(const struct val *v) { return fdret(openat((int)A(0), P(1), (int)A(2))); }
static long c___openat_2(const struct val *v) { return fdret(__openat_2((int)A(0), P(1), (int)A(2))); }
static long c_fopen(const struct val *v) { FILE *f = fopen(P(0), P(1)); return f != NULL; }
static long c_freopen(const struct val *v)
{
	FILE *f = fopen("/dev/null", "r");
	return f != NULL && freopen(P(0), "r", f) != NULL;
}
static long c_opendir(const struct val *v) { return opendir(P(0)) != NULL; }
static long c_stat(const struct val *v) { return stat(P(0), P(1)); }
static long c_lstat(const struct val *v) { return lstat(P(0), P(1)); }
static long c_stat64(const struct val *v) { return stat64(P(0), P(1)); }
static long c_lstat64(const struct val *v) { return lstat64(P(0), P(1)); }
static long c_fstatat(const struct val *v) { return fstatat((int)A(0), P(1), P(2), (int)A(3)); }
static long c_statx(const struct val *v) { return statx((int)A(0), P(1), (int)A(2), STATX_BASIC_STATS, P(3)); }
static long c___xstat(const struct val *v) { return __xstat((int)A(0) + 1, P(1), P(2)); }
static long c___lxstat(const struct val *v) { return __lxstat((int)A(0) + 1, P(1), P(2)); }
static long c___fxstatat(const struct val *v) { return __fxstatat(1, (int)A(0), P(1), P(2), (int)A(3)); }
static long c_access(const struct val *v) { return access(P(0), (int)A(1)); }
static long c_faccessat(const struct val *v) { return faccessat((int)A(0), P(1), (int)A(2), (int)A(3)); }
static long c_euidaccess(const struct val *v) { return euidaccess(P(0), (int)A(1)); }
static long c_eaccess(const struct val *v) { return eaccess(P(0), (int)A(1)); }
/* A link's length without its digits: /proc/self and thread-self name pids,
 * whose width may differ between the runs (threads take real pids
 * natively, no vpid under jobshim); what the digits are is not an errno
 * matter.  -1 stays -1. */
static long link_len(long n, const char *buf)
{
	long len = n;

	for (long i = 0; i < n && buf; i++)
		if (buf[i] >= '0' && buf[i] <= '9')
			len--;
	return len;
}
static long c_readlink(const struct val *v)
{
	long n = readlink(P(0), P(1), (size_t)(A(2) == 0 ? 64 : A(2) == 2 ? 0 : A(2)));
	return n > 0 ? link_len(n, P(1)) : n;
}
static long c_readlinkat(const struct val *v)
{
	long n = readlinkat((int)A(0), P(1), P(2), 64);
	return n > 0 ? link_len(n, P(2)) : n;
}
static long c_chdir(const struct val *v) { return chdir(P(0)); }
/* acct.c: accounting switched off again at once when a case turned it on */
static long c_acct(const struct val *v)
{
	long r = acct(P(0));
	int e = errno;

	if (r == 0 && P(0) != NULL)
		acct(NULL);
	errno = e;
	return r;
}
/* A resolved path: its length without digits (as link_len), plus 10000
 * when it names a /proc/<pid> entry that opens, 20000 when one that does
 * not (the pid in it is not the caller's name for that process). */
static long resolved(const char *r)
{
	long n;

	if (r == NULL)
		return -1;
	n = link_len((long)strlen(r), r);
	if (strncmp(r, "/proc/", 6) == 0 && r[6] >= '1' && r[6] <= '9')
		n += access(r, F_OK) == 0 ? 10000 : 20000;
	return n;
}
static long c_realpath(const struct val *v)
{
	char *r = realpath(P(0), P(1));
	long n = resolved(r);

	if (P(1) == NULL)
		free(r);
	return n;
}
static long c_canonicalize_file_name(const struct val *v)
{
	char *r = canonicalize_file_name(P(0));
	long n = resolved(r);

	free(r);
	return n;
}
static long c_scandir(const struct val *v)
{
	struct dirent **list;
	int n = scandir(P(0), &list, NULL, NULL);

	for (int i = 0; i < n; i++)
		free(list[i]);
	if (n >= 0)
		free(list);
	return n;
}
static long c_getcwd(const struct val *v)
{
	char *r = getcwd(P(0), (size_t)A(1));
	long n = resolved(r);

	if (P(0) == NULL)
		free(r);
	return n;
}
/* The path calls through syscall() (shim/syscall.c routes them to the
 * wrappers above); results as theirs. */
static long s_openat(const struct val *v) { return fdret(syscall(SYS_openat, A(0), P(1), A(2), 0)); }
static long s_newfstatat(const struct val *v) { return syscall(SYS_newfstatat, A(0), P(1), P(2), A(3)); }
static long s_statx(const struct val *v) { return syscall(SYS_statx, A(0), P(1), A(2), STATX_BASIC_STATS, P(3)); }
static long s_faccessat2(const struct val *v) { return syscall(SYS_faccessat2, A(0), P(1), A(2), A(3)); }
static long s_readlinkat(const struct val *v)
{
	long n = syscall(SYS_readlinkat, A(0), P(1), P(2), 64);
	return n > 0 ? link_len(n, P(2)) : n;
}
static long s_chdir(const struct val *v) { return syscall(SYS_chdir, P(0)); }
static long s_getcwd(const struct val *v)
{
	long n = syscall(SYS_getcwd, P(0), A(1));
	return n > 0 ? resolved(P(0)) : n;
}

/* Shorthands for the table: argument lists with their kinds and names. */
#define ARGS0 0, { 0 }, { 0 }
#define ARGS1(k0, n0) 1, { k0 }, { n0 }
#define ARGS2(k0, n0, k1, n1) 2, { k0, k1 }, { n0, n1 }
#define ARGS3(k0, n0, k1, n1, k2, n2) 3, { k0, k1, k2 }, { n0, n1, n2 }
#define ARGS4(k0, n0, k1, n1, k2, n2, k3, n3) 4, { k0, k1, k2, k3 }, { n0, n1, n2, n3 }

/* Base classes: the index into args.c's tables of the value an argument
 * keeps while another one is varied (0 = the kind's first class). */
#define B_ZOMBIE 7
#define B_PROCDIR 1
#define W_EXITED 1

const struct call calls[] = {
	{ "fork", ARGS0, R_PID, { 0 }, c_fork, false },
	{ "_Fork", ARGS0, R_PID, { 0 }, c__Fork, false },
	{ "vfork", ARGS0, R_PID, { 0 }, c_vfork, false },
	{ "clone", ARGS2(K_INT, "flags", K_OUT, "ptid"), R_PID, { 0 }, c_clone, false },
	{ "clone(CLONE_VM)", ARGS2(K_INT, "flags", K_OUT, "ptid"), R_PID, { 0 }, c_clone_vm, false },
	{ "daemon", ARGS1(K_INT, "nochdir"), R_INT, { 0 }, c_daemon, false },
	{ "system", ARGS1(K_PATH, "cmd"), R_INT, { 23 }, c_system, false },
	{ "popen+pclose", ARGS2(K_PATH, "cmd", K_PATH, "mode"), R_INT, { 23, 24 }, c_popen, false },
	{ "posix_spawn", ARGS4(K_OUT, "pid", K_PATH, "path", K_ARGV, "argv", K_ARGV, "envp"), R_INT, { 0, 22 }, c_posix_spawn, false },
	{ "posix_spawnp", ARGS4(K_OUT, "pid", K_PATH, "file", K_ARGV, "argv", K_ARGV, "envp"), R_INT, { 0, 23 }, c_posix_spawnp, false },
	{ "posix_spawn_file_actions_adddup2", ARGS2(K_FD, "fd", K_FD, "newfd"), R_INT, { 0, 0 }, c_fa_adddup2, true },
	{ "posix_spawn_file_actions_addopen", ARGS3(K_FD, "fd", K_PATH, "path", K_INT, "oflag"), R_INT, { 0, 0, 0 }, c_fa_addopen, true },
	{ "posix_spawn_file_actions_addchdir_np", ARGS1(K_PATH, "path"), R_INT, { 0 }, c_fa_addchdir, true },
	{ "posix_spawn_file_actions_addfchdir_np", ARGS1(K_FD, "fd"), R_INT, { 0 }, c_fa_addfchdir, true },
	{ "posix_spawn(SETPGROUP)", ARGS2(K_PID, "pgroup", K_INT, "flags"), R_INT, { 1, 7 }, c_spawn_pgroup, false },
	{ "execve", ARGS3(K_PATH, "path", K_ARGV, "argv", K_ARGV, "envp"), R_INT, { 22 }, c_execve, false },
	{ "execv", ARGS2(K_PATH, "path", K_ARGV, "argv"), R_INT, { 22 }, c_execv, false },
	{ "execvp", ARGS2(K_PATH, "file", K_ARGV, "argv"), R_INT, { 23 }, c_execvp, false },
	{ "execvpe", ARGS3(K_PATH, "file", K_ARGV, "argv", K_ARGV, "envp"), R_INT, { 23 }, c_execvpe, false },
	{ "execl", ARGS1(K_PATH, "path"), R_INT, { 22 }, c_execl, false },
	{ "execle", ARGS2(K_PATH, "path", K_ARGV, "envp"), R_INT, { 22 }, c_execle, false },
	{ "execlp", ARGS1(K_PATH, "file"), R_INT, { 23 }, c_execlp, false },
	{ "fexecve", ARGS3(K_FD, "fd", K_ARGV, "argv", K_ARGV, "envp"), R_INT, { 0 }, c_fexecve, false },
	{ "mlockall", ARGS1(K_INT, "flags"), R_INT, { 1 }, c_mlockall, false },
	{ "execveat", ARGS4(K_FD, "dirfd", K_PATH, "path", K_ARGV, "argv", K_INT, "flags"), R_INT, { 4, 22 }, c_execveat, false },
	{ "syscall(execve)", ARGS3(K_PATH, "path", K_ARGV, "argv", K_ARGV, "envp"), R_INT, { 22 }, s_execve, false },
	{ "syscall(execveat)", ARGS4(K_FD, "dirfd", K_PATH, "path", K_ARGV, "argv", K_INT, "flags"), R_INT, { 4, 22 }, s_execveat, false },
	{ "getpid", ARGS0, R_PID, { 0 }, c_getpid, true },
	{ "getppid", ARGS0, R_PID, { 0 }, c_getppid, true },
	{ "getpgid", ARGS1(K_PID, "pid"), R_PID, { 0 }, c_getpgid, true },
	{ "__getpgid", ARGS1(K_PID, "pid"), R_PID, { 0 }, c___getpgid, true },
	{ "getpgrp", ARGS0, R_PID, { 0 }, c_getpgrp, true },
	{ "getsid", ARGS1(K_PID, "pid"), R_PID, { 0 }, c_getsid, true },
	{ "setsid", ARGS0, R_PID, { 0 }, c_setsid, false },
	{ "setpgid", ARGS2(K_PID, "pid", K_PID, "pgid"), R_INT, { 6, 1 }, c_setpgid, false },
	{ "setpgrp", ARGS0, R_INT, { 0 }, c_setpgrp, false },
	{ "tcgetpgrp", ARGS1(K_FD, "fd"), R_PID, { 0 }, c_tcgetpgrp, true },
	{ "tcsetpgrp", ARGS2(K_FD, "fd", K_PID, "pgid"), R_INT, { 0 }, c_tcsetpgrp, false },
	{ "tcgetsid", ARGS1(K_FD, "fd"), R_PID, { 0 }, c_tcgetsid, true },
	{ "kill", ARGS2(K_PID, "pid", K_SIG, "sig"), R_INT, { 0 }, c_kill, true },
	{ "killpg", ARGS2(K_PID, "pgrp", K_SIG, "sig"), R_INT, { 1 }, c_killpg, true },
	{ "sigqueue", ARGS2(K_PID, "pid", K_SIG, "sig"), R_INT, { 0 }, c_sigqueue, true },
	{ "raise", ARGS1(K_SIG, "sig"), R_INT, { 0 }, c_raise, false },
	{ "wait", ARGS1(K_OUT, "status"), R_PID, { 0 }, c_wait, false },
	{ "waitpid", ARGS3(K_PID, "pid", K_OUT, "status", K_WOPT, "options"), R_PID, { B_ZOMBIE }, c_waitpid, false },
	{ "wait3", ARGS3(K_OUT, "status", K_WOPT, "options", K_OUT, "rusage"), R_PID, { 0 }, c_wait3, false },
	{ "wait4", ARGS4(K_PID, "pid", K_OUT, "status", K_WOPT, "options", K_OUT, "rusage"), R_PID, { B_ZOMBIE }, c_wait4, false },
	{ "waitid(P_PID)", ARGS3(K_PID, "id", K_OUT, "info", K_WOPT, "options"), R_INT, { B_ZOMBIE, 0, W_EXITED }, c_waitid, false },
	{ "waitid(P_PGID)", ARGS3(K_PID, "id", K_OUT, "info", K_WOPT, "options"), R_INT, { 1, 0, W_EXITED }, c_waitid_pgid, false },
	{ "waitid(type)", ARGS3(K_INT, "idtype", K_OUT, "info", K_WOPT, "options"), R_INT, { 0, 0, W_EXITED }, c_waitid_all, false },
	{ "sigaction", ARGS3(K_SIG, "sig", K_IN, "act", K_OUT, "oact"), R_INT, { 0 }, c_sigaction, false },
	{ "sigwaitinfo", ARGS2(K_IN, "set", K_OUT, "info"), R_INT, { 0 }, c_sigwaitinfo, false },
	{ "sigtimedwait", ARGS3(K_IN, "set", K_OUT, "info", K_IN, "timeout"), R_INT, { 0 }, c_sigtimedwait, false },
	{ "gettid", ARGS0, R_PID, { 0 }, c_gettid, true },
	{ "tgkill", ARGS3(K_PID, "tgid", K_PID, "tid", K_SIG, "sig"), R_INT, { 0 }, c_tgkill, true },
	{ "prctl(PR_SET_PTRACER)", ARGS1(K_PID, "pid"), R_INT, { 0 }, c_prctl_ptracer, true },
	{ "prctl(PR_SET_CHILD_SUBREAPER)", ARGS1(K_INT, "on"), R_INT, { 0 }, c_prctl_subreaper, false },
	{ "prctl(PR_GET_CHILD_SUBREAPER)", ARGS1(K_OUT, "out"), R_INT, { 0 }, c_prctl_getsub, true },
	{ "prctl(option)", ARGS1(K_INT, "option"), R_INT, { 2 }, c_prctl_bad, true },
	{ "sched_setaffinity", ARGS3(K_PID, "pid", K_INT, "size", K_IN, "set"), R_INT, { 0, 7 }, c_setaffinity, false },
	{ "sched_getaffinity", ARGS3(K_PID, "pid", K_INT, "size", K_OUT, "set"), R_INT, { 0, 7 }, c_getaffinity, true },
	{ "sched_setscheduler", ARGS3(K_PID, "pid", K_INT, "policy", K_IN, "param"), R_INT, { 0 }, c_setscheduler, false },
	{ "sched_getscheduler", ARGS1(K_PID, "pid"), R_INT, { 0 }, c_getscheduler, true },
	{ "sched_setparam", ARGS2(K_PID, "pid", K_IN, "param"), R_INT, { 0 }, c_setparam, false },
	{ "sched_getparam", ARGS2(K_PID, "pid", K_OUT, "param"), R_INT, { 0 }, c_getparam, true },
	{ "sched_rr_get_interval", ARGS2(K_PID, "pid", K_OUT, "ts"), R_INT, { 0 }, c_rr_interval, true },
	{ "getpriority", ARGS2(K_INT, "which", K_PID, "who"), R_INT, { 0 }, c_getpriority, true },
	{ "fcntl(F_SETOWN)", ARGS2(K_FD, "fd", K_PID, "owner"), R_INT, { 0 }, c_fcntl_setown, false },
	{ "fcntl(F_SETOWN_EX PID)", ARGS2(K_FD, "fd", K_PID, "owner"), R_INT, { 0 }, c_fcntl_setown_pid, false },
	{ "fcntl(F_SETOWN_EX PGRP)", ARGS2(K_FD, "fd", K_PID, "owner"), R_INT, { 0 }, c_fcntl_setown_pgrp, false },
	{ "fcntl(F_GETOWN)", ARGS1(K_PID, "owner set"), R_PID, { 0 }, c_fcntl_getown, true },
	{ "ioctl(FIOSETOWN)", ARGS1(K_PID, "owner"), R_INT, { 0 }, c_fiosetown, true },
	{ "getsockopt(SO_PEERCRED)", ARGS2(K_FD, "fd", K_OUT, "cred"), R_INT, { 0 }, c_peercred, true },
	{ "read(signalfd)", ARGS2(K_OUT, "buf", K_INT, "count"), R_INT, { 0, 6 }, c_read_signalfd, false },
	{ "__read_chk(signalfd)", ARGS2(K_OUT, "buf", K_INT, "count"), R_INT, { 0, 6 }, c_read_chk_signalfd, false },
	{ "signalfd", ARGS3(K_FD, "fd", K_IN, "mask", K_INT, "flags"), R_INT, { 2 }, c_signalfd, true },
	{ "dup", ARGS1(K_FD, "fd"), R_INT, { 0 }, c_dup, true },
	{ "dup2", ARGS1(K_FD, "fd"), R_INT, { 0 }, c_dup2, true },
	{ "dup3", ARGS2(K_FD, "fd", K_INT, "flags"), R_INT, { 0 }, c_dup3, true },
	{ "write", ARGS3(K_FD, "fd", K_IN, "buf", K_INT, "count"), R_INT, { 0, 0, 1 }, c_write, false },
	{ "write(ns_last_pid)", ARGS2(K_IN, "buf", K_INT, "count"), R_INT, { 0, 1 }, c_write_lastpid, false },
	{ "dprintf", ARGS1(K_FD, "fd"), R_INT, { 0 }, c_dprintf, false },
	{ "recvmmsg", ARGS3(K_FD, "fd", K_OUT, "vec", K_INT, "vlen"), R_INT, { 0, 0, 1 }, c_recvmmsg, true },
	{ "sendmsg+recvmsg(SCM_CREDENTIALS)", ARGS1(K_PID, "ucred.pid"), R_PID, { 0 }, c_scm_msg, true },
	{ "sendmmsg+recvmmsg(SCM_CREDENTIALS)", ARGS1(K_PID, "ucred.pid"), R_PID, { 0 }, c_scm_mmsg, true },
	{ "sendmmsg", ARGS3(K_FD, "fd", K_IN, "vec", K_INT, "vlen"), R_INT, { 0, 0, 1 }, c_sendmmsg, true },
	{ "fanotify_init", ARGS2(K_INT, "flags", K_INT, "event_f_flags"), R_INT, { 0 }, c_fanotify_init, true },
	{ "clock_getcpuclockid", ARGS1(K_PID, "pid"), R_INT, { 0 }, c_cpuclockid, true },
	{ "capget", ARGS2(K_PID, "hdr.pid", K_OUT, "data"), R_INT, { 0 }, c_capget, true },
	{ "capset", ARGS2(K_PID, "hdr.pid", K_IN, "data"), R_INT, { 0 }, c_capset, false },
	{ "ptrace(PTRACE_SEIZE)", ARGS1(K_PID, "pid"), R_INT, { 0 }, c_ptrace_seize, false },
	{ "ptrace(PTRACE_PEEKDATA)", ARGS2(K_PID, "pid", K_IN, "addr"), R_INT, { 0 }, c_ptrace_peek, true },
	{ "timer_create(SIGEV_THREAD_ID)", ARGS1(K_PID, "tid"), R_INT, { 0 }, c_timer_thread, true },
	{ "setpriority", ARGS3(K_INT, "which", K_PID, "who", K_INT, "prio"), R_INT, { 0 }, c_setpriority, false },
	{ "prlimit", ARGS4(K_PID, "pid", K_INT, "resource", K_IN, "new", K_OUT, "old"), R_INT, { 0, 0, 1 }, c_prlimit, false },
	{ "prlimit64", ARGS4(K_PID, "pid", K_INT, "resource", K_IN, "new", K_OUT, "old"), R_INT, { 0, 0, 1 }, c_prlimit64, false },
	{ "setrlimit", ARGS2(K_INT, "resource", K_IN, "new"), R_INT, { 0, 0 }, c_setrlimit, false },
	{ "setrlimit64", ARGS2(K_INT, "resource", K_IN, "new"), R_INT, { 0, 0 }, c_setrlimit64, false },
	{ "process_vm_readv", ARGS3(K_PID, "pid", K_IN, "remote", K_INT, "flags"), R_INT, { 0 }, c_vm_readv, true },
	{ "process_vm_writev", ARGS3(K_PID, "pid", K_IN, "remote", K_INT, "flags"), R_INT, { 0 }, c_vm_writev, false },
	{ "pidfd_open", ARGS2(K_PID, "pid", K_INT, "flags"), R_INT, { 0 }, c_pidfd_open, true },
	{ "pidfd_send_signal", ARGS4(K_PID, "pidfd of", K_SIG, "sig", K_IN, "info", K_INT, "flags"), R_INT, { 0, 0, 1, 0 }, c_pidfd_send, true },
	{ "syscall(tkill)", ARGS2(K_PID, "tid", K_SIG, "sig"), R_INT, { 0 }, s_tkill, true },
	{ "syscall(tgkill)", ARGS3(K_PID, "tgid", K_PID, "tid", K_SIG, "sig"), R_INT, { 0 }, s_tgkill, true },
	{ "syscall(rt_sigqueueinfo)", ARGS3(K_PID, "pid", K_SIG, "sig", K_IN, "info"), R_INT, { 0 }, s_sigqueueinfo, false },
	{ "syscall(rt_tgsigqueueinfo)", ARGS2(K_PID, "tgid", K_IN, "info"), R_INT, { 0 }, s_tgsigqueueinfo, false },
	{ "syscall(kill)", ARGS2(K_PID, "pid", K_SIG, "sig"), R_INT, { 0 }, s_kill, true },
	{ "syscall(getpgid)", ARGS1(K_PID, "pid"), R_PID, { 0 }, s_getpgid, true },
	{ "syscall(getsid)", ARGS1(K_PID, "pid"), R_PID, { 0 }, s_getsid, true },
	{ "syscall(setpgid)", ARGS2(K_PID, "pid", K_PID, "pgid"), R_INT, { 6, 1 }, s_setpgid, false },
	{ "syscall(getpriority)", ARGS2(K_INT, "which", K_PID, "who"), R_INT, { 0 }, s_getpriority, true },
	{ "syscall(fcntl F_SETOWN)", ARGS2(K_FD, "fd", K_PID, "owner"), R_INT, { 0 }, s_fcntl_setown, false },
	{ "syscall(timer_create SIGEV_THREAD_ID)", ARGS1(K_PID, "tid"), R_INT, { 0 }, s_timer_thread, true },
	{ "syscall(ioprio_get)", ARGS2(K_INT, "which", K_PID, "who"), R_INT, { 1 }, s_ioprio_get, true },
	{ "syscall(ioprio_set)", ARGS2(K_INT, "which", K_PID, "who"), R_INT, { 1 }, s_ioprio_set, false },
	{ "syscall(pidfd_open)", ARGS2(K_PID, "pid", K_INT, "flags"), R_INT, { 0 }, s_pidfd_open, true },
	{ "syscall(pidfd_send_signal)", ARGS4(K_PID, "pidfd of", K_SIG, "sig", K_IN, "info", K_INT, "flags"), R_INT, { 0, 0, 1, 0 }, s_pidfd_send, true },
	{ "syscall(sched_getparam)", ARGS2(K_PID, "pid", K_OUT, "param"), R_INT, { 0 }, s_getparam, true },
	{ "syscall(sched_getscheduler)", ARGS1(K_PID, "pid"), R_INT, { 0 }, s_getscheduler, true },
	{ "syscall(prlimit64)", ARGS2(K_PID, "pid", K_OUT, "old"), R_INT, { 0 }, s_prlimit64, true },
	{ "syscall(setrlimit)", ARGS2(K_INT, "resource", K_IN, "new"), R_INT, { 0, 0 }, s_setrlimit, false },
	{ "syscall(wait4)", ARGS3(K_PID, "pid", K_OUT, "status", K_WOPT, "options"), R_PID, { B_ZOMBIE }, s_wait4, false },
	{ "syscall(read signalfd)", ARGS2(K_OUT, "buf", K_INT, "count"), R_INT, { 0, 6 }, s_read_signalfd, false },
	{ "syscall(write)", ARGS3(K_FD, "fd", K_IN, "buf", K_INT, "count"), R_INT, { 0, 0, 1 }, s_write, false },
	{ "syscall(dup3)", ARGS2(K_FD, "fd", K_INT, "flags"), R_INT, { 0 }, s_dup3, true },
	{ "syscall(set_tid_address)", ARGS1(K_OUT, "tidptr"), R_PID, { 0 }, s_set_tid_address, false },
	{ "syscall(waitid)", ARGS3(K_PID, "id", K_OUT, "info", K_WOPT, "options"), R_INT, { B_ZOMBIE, 0, W_EXITED }, s_waitid, false },
	{ "syscall(process_vm_readv)", ARGS1(K_PID, "pid"), R_INT, { 0 }, s_vm_readv, true },
	{ "syscall(kcmp)", ARGS2(K_PID, "pid1", K_PID, "pid2"), R_INT, { 0 }, s_kcmp, true },
	{ "syscall(get_robust_list)", ARGS2(K_PID, "pid", K_OUT, "head"), R_INT, { 0 }, s_get_robust_list, true },
	{ "syscall(capget)", ARGS2(K_PID, "hdr.pid", K_OUT, "data"), R_INT, { 0 }, s_capget, true },
	{ "syscall(capset)", ARGS2(K_PID, "hdr.pid", K_IN, "data"), R_INT, { 0 }, s_capset, false },
	{ "syscall(ptrace PTRACE_SEIZE)", ARGS1(K_PID, "pid"), R_INT, { 0 }, s_ptrace_seize, false },
	{ "open", ARGS2(K_PATH, "path", K_INT, "flags"), R_INT, { 0 }, c_open, true },
	{ "open64", ARGS2(K_PATH, "path", K_INT, "flags"), R_INT, { 0 }, c_open64, true },
	{ "__open_2", ARGS2(K_PATH, "path", K_INT, "flags"), R_INT, { 0 }, c___open_2, true },
	{ "openat", ARGS3(K_FD, "dirfd", K_PATH, "path", K_INT, "flags"), R_INT, { 4 }, c_openat, true },
	{ "__openat_2", ARGS3(K_FD, "dirfd", K_PATH, "path", K_INT, "flags"), R_INT, { 4 }, c___openat_2, true },
	{ "fopen", ARGS2(K_PATH, "path", K_PATH, "mode"), R_INT, { 0, 24 }, c_fopen, true },
	{ "freopen", ARGS1(K_PATH, "path"), R_INT, { 0 }, c_freopen, true },
	{ "opendir", ARGS1(K_PATH, "path"), R_INT, { B_PROCDIR }, c_opendir, true },
	{ "stat", ARGS2(K_PATH, "path", K_OUT, "buf"), R_INT, { 0 }, c_stat, true },
	{ "lstat", ARGS2(K_PATH, "path", K_OUT, "buf"), R_INT, { 0 }, c_lstat, true },
	{ "stat64", ARGS2(K_PATH, "path", K_OUT, "buf"), R_INT, { 0 }, c_stat64, true },
	{ "lstat64", ARGS2(K_PATH, "path", K_OUT, "buf"), R_INT, { 0 }, c_lstat64, true },
	{ "fstatat", ARGS4(K_FD, "dirfd", K_PATH, "path", K_OUT, "buf", K_INT, "flags"), R_INT, { 4 }, c_fstatat, true },
	{ "statx", ARGS4(K_FD, "dirfd", K_PATH, "path", K_INT, "flags", K_OUT, "buf"), R_INT, { 4 }, c_statx, true },
	{ "__xstat", ARGS3(K_INT, "ver-1", K_PATH, "path", K_OUT, "buf"), R_INT, { 0 }, c___xstat, true },
	{ "__lxstat", ARGS3(K_INT, "ver-1", K_PATH, "path", K_OUT, "buf"), R_INT, { 0 }, c___lxstat, true },
	{ "__fxstatat", ARGS4(K_FD, "dirfd", K_PATH, "path", K_OUT, "buf", K_INT, "flags"), R_INT, { 4 }, c___fxstatat, true },
	{ "access", ARGS2(K_PATH, "path", K_INT, "mode"), R_INT, { 0 }, c_access, true },
	{ "faccessat", ARGS4(K_FD, "dirfd", K_PATH, "path", K_INT, "mode", K_INT, "flags"), R_INT, { 4 }, c_faccessat, true },
	{ "euidaccess", ARGS2(K_PATH, "path", K_INT, "mode"), R_INT, { 0 }, c_euidaccess, true },
	{ "eaccess", ARGS2(K_PATH, "path", K_INT, "mode"), R_INT, { 0 }, c_eaccess, true },
	{ "readlink", ARGS3(K_PATH, "path", K_OUT, "buf", K_INT, "size"), R_INT, { 0 }, c_readlink, true },
	{ "readlinkat", ARGS3(K_FD, "dirfd", K_PATH, "path", K_OUT, "buf"), R_INT, { 4 }, c_readlinkat, true },
	{ "chdir", ARGS1(K_PATH, "path"), R_INT, { B_PROCDIR }, c_chdir, true },
	{ "acct", ARGS1(K_PATH, "path"), R_INT, { 0 }, c_acct, false },
	{ "realpath", ARGS2(K_PATH, "path", K_OUT, "resolved"), R_INT, { 0 }, c_realpath, true },
	{ "canonicalize_file_name", ARGS1(K_PATH, "path"), R_INT, { 0 }, c_canonicalize_file_name, true },
	{ "scandir", ARGS1(K_PATH, "dir"), R_INT, { 0 }, c_scandir, true },
	{ "getcwd", ARGS2(K_OUT, "buf", K_INT, "size"), R_INT, { 0, 6 }, c_getcwd, true },
	{ "syscall(openat)", ARGS3(K_FD, "dirfd", K_PATH, "path", K_INT, "flags"), R_INT, { 4 }, s_openat, true },
	{ "syscall(newfstatat)", ARGS4(K_FD, "dirfd", K_PATH, "path", K_OUT, "buf", K_INT, "flags"), R_INT, { 4 }, s_newfstatat, true },
	{ "syscall(statx)", ARGS4(K_FD, "dirfd", K_PATH, "path", K_INT, "flags", K_OUT, "buf"), R_INT, { 4 }, s_statx, true },
	{ "syscall(faccessat2)", ARGS4(K_FD, "dirfd", K_PATH, "path", K_INT, "mode", K_INT, "flags"), R_INT, { 4 }, s_faccessat2, true },
	{ "syscall(readlinkat)", ARGS3(K_FD, "dirfd", K_PATH, "path", K_OUT, "buf"), R_INT, { 4 }, s_readlinkat, true },
	{ "syscall(chdir)", ARGS1(K_PATH, "path"), R_INT, { B_PROCDIR }, s_chdir, true },
	{ "syscall(getcwd)", ARGS2(K_OUT, "buf", K_INT, "size"), R_INT, { 0, 6 }, s_getcwd, true },
};

const size_t ncalls = sizeof(calls) / sizeof(calls[0]);
