/* tty.c — terminal calls with virtual ids: tcgetpgrp/tcsetpgrp/tcgetsid, their ioctl forms, login_tty, forkpty. */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>
#include <utmp.h>

/*
 * A virtual setsid is a real one (ids.c), so the kernel keeps every
 * session's controlling terminal and foreground group: acquiring (open
 * without O_NOCTTY, TIOCSCTTY) and dropping (TIOCNOTTY) a terminal need
 * nothing here.  What needs the shim is the ids: the kernel answers with
 * real groups and sessions and takes real ones.  A real group is named
 * after the rpid of the process that made it, whose vpid names the virtual
 * group, so a real answer translates as a pid (XLATE); a virtual group
 * becomes real through the engine (TCSETPGRP's reply names its mirror).
 * The root session, when jobshim runs on a terminal, is the exception
 * (docs/internals.md, "Sessions"): its terminal is the user's, whose
 * foreground may be a group outside the tree
 * (jobshim's own, the user's shell); then the engine's record of session
 * 2's virtual foreground group answers.
 */

/* ---- acquiring and dropping, for the trace ------------------------------ */

/* Whether this process leads a session with no controlling terminal: the
 * one case where an open() acquires one.  Known per process (a forked
 * child leads nothing), worked out on first need: a session leader whose
 * /dev/tty does not open (ENXIO) has none. */
static pid_t free_pid;
static bool free_state;

static bool leader(void)
{
	return REAL(getsid)(0) == shim_sys_getpid();
}

static bool tty_free(void)
{
	pid_t me = shim_sys_getpid();

	if (free_pid != me) {
		int saved = errno, fd = -1;

		free_pid = me;
		free_state = leader() && (fd = REAL(open)("/dev/tty", O_RDONLY | O_NOCTTY | O_CLOEXEC)) < 0 &&
			     errno == ENXIO;
		if (fd >= 0)
			shim_close(fd);
		shim_errno_keep(saved);
	}
	return free_state;
}

void shim_tty_new_session(void)
{
	free_pid = shim_sys_getpid();
	free_state = true;
}

/* Tell the supervisor (trace, virtual foreground group); errno kept. */
static void report(bool acquired, int how, int fd)
{
	struct proto_req req = { .op = PROTO_OP_CTTY, .a = acquired, .b = how };
	struct proto_rep rep;
	int saved = errno;

	req.c = leader();
	if (ttyname_r(fd, req.text, sizeof(req.text)) != 0)
		req.text[0] = 0;
	(void)shim_call(&req, &rep);
	shim_errno_keep(saved);
}

bool shim_tty_watch(int flags)
{
	return !(flags & O_NOCTTY) && !shim_offline() && tty_free();
}

int shim_tty_opened(int fd, bool watch)
{
	pid_t sid;
	int saved = errno;

	if (watch && fd >= 0 && REAL(ioctl)(fd, TIOCGSID, &sid) == 0 && sid == shim_sys_getpid()) {
		free_state = false;
		report(true, PROTO_CTTY_OPEN, fd);
	}
	shim_errno_keep(saved);
	return fd;
}

/* ---- the ids ---------------------------------------------------------------- */

static pid_t tty_getpgrp(int fd)
{
	pid_t rpgid, v;
	int rc;

	if (shim_offline())
		return REAL(tcgetpgrp)(fd);
	rpgid = REAL(tcgetpgrp)(fd);
	if (rpgid <= 0)
		return rpgid; /* the real error; 0: a pty whose slave has no session */
	v = shim_r2v(rpgid);
	if (v > 1)
		return v;
	rc = shim_ask(PROTO_OP_TCGETPGRP, 0, 0, &v);
	if (rc == 1)
		return rpgid;
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return v;
}

/*
 * The real mirror of virtual group `pgid` when it is known here, without a
 * round trip: its leader is the caller, one of its children (a shell's
 * job), or in the model view, and still leads a real group of its own.
 * 0: ask the supervisor.
 */
static pid_t mirror_here(pid_t pgid)
{
	pid_t r;
	int saved = errno;

	if (pgid <= 1)
		return 0; /* init's group is jobshim's own real one: never hand it over */
	if (pgid == shim_self_vpid())
		r = shim_sys_getpid();
	else if ((r = shim_child_v2r(pgid)) <= 0)
		r = shim_mview_v2r(pgid);
	if (r > 0 && REAL(getpgid)(r) != r)
		r = 0;
	shim_errno_keep(saved);
	return r > 0 ? r : 0;
}

/* A hand-over whose checks were already made (the caller may be in the
 * background by now): SIGTTOU blocked, so the kernel lets it through
 * without stopping the caller; errno kept. */
static void hand_over(int fd, pid_t rpgid)
{
	sigset_t old;
	int saved = errno;

	shim_block(&old);
	(void)REAL(tcsetpgrp)(fd, rpgid);
	shim_unblock(&old);
	shim_errno_keep(saved);
}

/*
 * The kernel moves the terminal the moment the caller asks, and a shell
 * relies on that: bash's `fg` of a job it believes running hands it the
 * terminal without a SIGCONT, so the job must not meet the background
 * between the shell's decision and the move.  A job that had just been
 * continued by `bg` and reads during a round trip made before the move
 * gets SIGTTIN, stops, and bash reports it Stopped again (issue 11: the
 * expect dialogue under load; cat's SIGTTIN fell inside the round trip
 * every time).  So when the group's mirror is known here, the real call
 * comes first -- one system call, as natively, with the kernel's checks:
 * ENOTTY, SIGTTOU for a background caller, EIO for an orphaned one, EPERM
 * for a group of another session -- and the engine records the group after
 * (should it refuse what the kernel took, the terminal goes back).  When
 * the mirror must be asked for, the kernel's checks come first by handing
 * the terminal to the group that already has it (ESRCH when that group is
 * gone: the checks passed), then the engine checks the group (ESRCH,
 * EPERM) and records it, and its real mirror takes the terminal.
 */
static int tty_setpgrp(int fd, pid_t pgid)
{
	struct proto_req req = { .op = PROTO_OP_TCSETPGRP, .a = pgid };
	struct proto_rep rep;
	pid_t cur, mirror;
	int saved;

	if (shim_offline())
		return REAL(tcsetpgrp)(fd, pgid);
	cur = REAL(tcgetpgrp)(fd);
	if (cur < 0)
		return -1;
	mirror = mirror_here(pgid);
	saved = errno;
	if (REAL(tcsetpgrp)(fd, mirror > 0 ? mirror : cur) < 0 && (mirror > 0 || errno != ESRCH))
		return -1;
	shim_errno_keep(saved);
	if (shim_call(&req, &rep) < 0)
		return mirror > 0 ? 0 : REAL(tcsetpgrp)(fd, pgid);
	if (rep.err < 0) {
		if (mirror > 0)
			hand_over(fd, cur);
		errno = -rep.err;
		return -1;
	}
	if (rep.v[1] > 0 && rep.v[1] != mirror)
		hand_over(fd, (pid_t)rep.v[1]);
	return 0;
}

/* Our own terminal's session is ours (on a terminal the root's real
 * session is the user's, and its virtual id 2; without one it is the
 * command's own, named after its rpid); a pty master answers for its
 * slave's session, named after the rpid of its leader. */
static pid_t tty_getsid(int fd)
{
	pid_t rsid, v;

	if (shim_offline())
		return REAL(tcgetsid)(fd);
	rsid = REAL(tcgetsid)(fd);
	if (rsid < 0)
		return -1;
	if (rsid == REAL(getsid)(0))
		return shim_getsid(0);
	v = shim_r2v(rsid);
	if (v > 1)
		return v;
	errno = ENOTTY; /* a session outside the tree has no virtual id */
	return -1;
}

SHIM_EXPORT pid_t tcgetpgrp(int fd)
{
	return tty_getpgrp(fd);
}

SHIM_EXPORT int tcsetpgrp(int fd, pid_t pgid)
{
	return tty_setpgrp(fd, pgid);
}

SHIM_EXPORT pid_t tcgetsid(int fd)
{
	return tty_getsid(fd);
}

/* Read or write the caller's int at p as the kernel would: EFAULT, not a
 * crash, for a bad pointer. */
static int user_int(void *p, pid_t *val, bool write)
{
	struct iovec local = { val, sizeof(*val) }, remote = { p, sizeof(*val) };
	long n = write ? REAL(syscall)(SYS_process_vm_writev, shim_sys_getpid(), &local, 1, &remote, 1, 0)
		       : REAL(syscall)(SYS_process_vm_readv, shim_sys_getpid(), &local, 1, &remote, 1, 0);

	return n == (long)sizeof(*val) ? 0 : -1;
}

/*
 * The raw forms: TIOCGPGRP, TIOCSPGRP and TIOCGSID carry a pid_t through a
 * pointer; every other request passes through untouched (the third
 * argument as the kernel sees it, one machine word).
 */
SHIM_EXPORT int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;
	pid_t v;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (shim_offline())
		return REAL(ioctl)(fd, req, arg);
	if (req == TIOCSCTTY || req == TIOCNOTTY) {
		bool lead = leader();
		int rc = REAL(ioctl)(fd, req, arg);
		if (rc == 0 && (req == TIOCSCTTY || lead)) {
			free_pid = shim_sys_getpid();
			free_state = req == TIOCNOTTY;
			report(req == TIOCSCTTY, req == TIOCSCTTY ? PROTO_CTTY_TIOCSCTTY : PROTO_CTTY_TIOCNOTTY, fd);
		}
		return rc;
	}
	if (req != TIOCGPGRP && req != TIOCSPGRP && req != TIOCGSID) {
		int rc;
		if (shim_ioctl_owner(fd, req, arg, &rc)) /* sockets' owners: fdowner.c */
			return rc;
		return REAL(ioctl)(fd, req, arg);
	}
	if (req == TIOCSPGRP) {
		if (user_int(arg, &v, false) < 0) {
			errno = EFAULT;
			return -1;
		}
		return tty_setpgrp(fd, v);
	}
	v = req == TIOCGPGRP ? tty_getpgrp(fd) : tty_getsid(fd);
	if (v < 0)
		return -1;
	if (user_int(arg, &v, true) < 0) {
		errno = EFAULT;
		return -1;
	}
	return 0;
}

/* glibc's login_tty calls its internal setsid, which the model would never
 * see: ours is the virtual setsid (a real one too), then the terminal. */
SHIM_EXPORT int login_tty(int fd)
{
	shim_init();
	(void)shim_setsid(); /* ignored, as glibc does: a leader keeps its session */
	if (REAL(ioctl)(fd, TIOCSCTTY, 0) < 0)
		return -1;
	free_state = false;
	if (!shim_offline())
		report(true, PROTO_CTTY_LOGIN_TTY, fd);
	(void)dup2(fd, 0);
	(void)dup2(fd, 1);
	(void)dup2(fd, 2);
	if (fd > 2)
		shim_close(fd);
	return 0;
}

/* glibc's forkpty forks inside libc: ours is openpty, the shim's fork (the
 * parent gets the child's vpid and can wait for it) and login_tty. */
SHIM_EXPORT pid_t forkpty(int *amaster, char *name, const struct termios *termp,
			  const struct winsize *winp)
{
	int master, slave;
	pid_t pid;

	shim_init();
	if (openpty(&master, &slave, name, termp, winp) < 0)
		return -1;
	pid = shim_fork(REAL(fork));
	if (pid < 0) {
		shim_close(master);
		shim_close(slave);
		return -1;
	}
	if (pid == 0) {
		shim_close(master);
		if (login_tty(slave) < 0)
			_exit(1);
		return 0;
	}
	*amaster = master;
	shim_close(slave);
	return pid;
}
