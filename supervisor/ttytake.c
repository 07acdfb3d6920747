/* ttytake.c — when jobshim leads its session, the command takes its controlling terminal. */
#include "sup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * tmux, `ssh -t`, `script -c`, `docker run -t` and a login start their
 * command as the leader of a new session whose controlling terminal is the
 * pty they made: run there, jobshim is the terminal's controlling process.
 * Natively the command would be: it leads (virtual) session 2, and the
 * kernel treats it so -- a hangup sends it SIGHUP and SIGCONT before any
 * reader sees end of file, its exit sends the foreground group SIGHUP, and
 * its group is orphaned (its parent is in another session), so a ^Z typed
 * while it is in front is discarded.  None of that can be played from
 * outside: by the time the supervisor has passed a hangup on, bash has read
 * end of file and exited 0 instead of dying of SIGHUP; and a ^Z stopped a
 * command whose real group had a parent (us) in its session.
 *
 * So the real structure follows the model, as without a terminal (run.c,
 * root_can_be_real): the command calls setsid, we give up the terminal
 * (TIOCNOTTY: we lead the session), and the command acquires it
 * (TIOCSCTTY).  We are then virtual init for real too: another session, no
 * terminal.  The order is forced: TIOCSCTTY fails while the terminal still
 * has a session, and TIOCNOTTY sends SIGHUP and SIGCONT to the terminal's
 * foreground group -- ours, which must by then hold nobody but us (the
 * child has left with setsid; our own pair is discarded).  Hence the two
 * pipes: child "I have my session" -> parent TIOCNOTTY -> parent
 * "released" -> child TIOCSCTTY.
 *
 * Only when nobody else is in our session (ttytake_plan): another process
 * there (`sh -c 'sleep 9 & exec jobshim run ...'`) would get that SIGHUP
 * and lose its terminal.  Then the command stays in our session as on a
 * user's terminal (term.c), with the differences listed in the README.
 */

/* Is any process other than us and our guard in session `sid`?  (Also
 * true when /proc cannot tell: then we leave the terminal alone.)  The
 * guard blocks every signal from its start and makes a session of its own
 * (guard.c), but on a busy machine it may not have done so yet.  A child
 * our earlier image left (`sh -c 'sleep 9 & exec jobshim run ...'`) is
 * someone else. */
static bool others_in_session(pid_t sid, pid_t self)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	bool found = false;
	pid_t guard = guard_pid();

	if (!d)
		return true;
	while (!found && (e = readdir(d)) != NULL) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);
		struct sysio_stat st;

		if (*end || pid <= 0 || pid == self)
			continue;
		if (sysio_stat((pid_t)pid, &st) == 0 && st.sid == sid && pid != guard)
			found = true;
	}
	closedir(d);
	return found;
}

/* Do we lead our session, its terminal ours and its foreground group our
 * own, with nobody else in it?  Then s->take_tty is that terminal and the
 * hand-over's pipes are made. */
bool ttytake_plan(struct sup *s)
{
	pid_t self = getpid();
	int fd;

	s->take_tty = -1;
	if (getsid(0) != self)
		return false;
	fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return false;
	if (tcgetpgrp(fd) != getpgrp() || others_in_session(self, self) ||
	    pipe2(s->take_pipe[0], O_CLOEXEC) < 0) {
		close(fd);
		return false;
	}
	if (pipe2(s->take_pipe[1], O_CLOEXEC) < 0) {
		close(s->take_pipe[0][0]);
		close(s->take_pipe[0][1]);
		close(fd);
		return false;
	}
	s->take_tty = fd;
	return true;
}

static void close_pair(int p[2])
{
	close(p[0]);
	close(p[1]);
}

/* The plan given up before the fork. */
void ttytake_abort(struct sup *s)
{
	if (s->take_tty < 0)
		return;
	close(s->take_tty);
	close_pair(s->take_pipe[0]);
	close_pair(s->take_pipe[1]);
	s->take_tty = -1;
}

/* In the command's child, after its setsid: wait for the terminal, take it. */
void ttytake_child(struct sup *s)
{
	char c = 0;
	ssize_t n;

	if (s->take_tty < 0)
		return;
	close(s->take_pipe[0][0]);
	close(s->take_pipe[1][1]);
	while (write(s->take_pipe[0][1], "s", 1) < 0 && errno == EINTR)
		;
	do
		n = read(s->take_pipe[1][0], &c, 1);
	while (n < 0 && errno == EINTR);
	if (n == 1 && c == 'r' && ioctl(s->take_tty, TIOCSCTTY, 0) < 0)
		fprintf(stderr, "jobshim: the command cannot take the terminal: %s\n", strerror(errno));
	close(s->take_pipe[0][1]);
	close(s->take_pipe[1][0]);
	close(s->take_tty);
	s->take_tty = -1;
}

/* The terminal's name for the trace ("/dev/pts/3"): the one of a standard
 * descriptor on the same device (TIOCGDEV: ours was opened as /dev/tty). */
static void tty_name(int fd, char *name, size_t len)
{
	unsigned int dev;
	struct stat st;

	if (ioctl(fd, TIOCGDEV, &dev) == 0)
		for (int i = 0; i <= 2; i++)
			if (fstat(i, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == (dev_t)dev &&
			    ttyname_r(i, name, len) == 0)
				return;
	snprintf(name, len, "/dev/tty");
}

/* Discard a pending `sig` of ours: setting SIG_IGN drops it (POSIX),
 * blocked or not; the disposition then goes back. */
static void discard_pending(int sig)
{
	struct sigaction ign = {.sa_handler = SIG_IGN}, cur;

	if (sigaction(sig, &ign, &cur) == 0)
		sigaction(sig, &cur, NULL);
}

/* In the parent, after the fork: once the child is in its own session,
 * give the terminal up and tell it so. */
void ttytake_parent(struct sup *s)
{
	char c = 0, name[64];
	ssize_t n;
	const char *r = "r";

	if (s->take_tty < 0)
		return;
	close(s->take_pipe[0][1]);
	close(s->take_pipe[1][0]);
	do
		n = read(s->take_pipe[0][0], &c, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1) {
		r = "x"; /* the child is gone */
	} else if (ioctl(s->take_tty, TIOCNOTTY) < 0) {
		fprintf(stderr, "jobshim: cannot hand the terminal to the command: %s\n", strerror(errno));
		r = "x";
	} else {
		/* TIOCNOTTY sent our group, the terminal's foreground, SIGHUP
		 * and SIGCONT: they are not a hangup from outside. */
		discard_pending(SIGHUP);
		discard_pending(SIGCONT);
	}
	while (write(s->take_pipe[1][1], r, 1) < 0 && errno == EINTR)
		;
	tty_name(s->take_tty, name, sizeof(name));
	close(s->take_pipe[0][0]);
	close(s->take_pipe[1][1]);
	close(s->take_tty);
	s->take_tty = -1;
	if (trace_on(&s->trace) && *r == 'r') {
		trace_begin(&s->trace, "ctty", s->opt.first_pid, s->cmd_rpid);
		trace_bool(&s->trace, "acquired", true);
		trace_str(&s->trace, "how", "handed");
		trace_int(&s->trace, "sid", s->opt.first_pid);
		trace_bool(&s->trace, "leader", true);
		trace_str(&s->trace, "tty", name);
		trace_end(&s->trace, "ctty: session %d acquired jobshim's terminal (handed over: jobshim led "
			  "its session, the command does now)", (int)s->opt.first_pid);
	}
}
