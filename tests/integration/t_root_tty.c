/* t_root_tty.c — the command's own session is a real one: its leader acquires a terminal, its children share it, TIOCNOTTY hangs up its foreground. */
#include "lib/itest.h"

#include <sys/ioctl.h>
#include <termios.h>

/*
 * Natively the test is pid 2 of its pid namespace, leader of session 2 with
 * no controlling terminal (native_init calls setsid).  Under jobshim it is
 * vpid 2, leader of virtual session 2, and jobshim runs without a
 * controlling terminal (native_init made it a session leader too), so the
 * command leads a real session of its own (supervisor/run.c,
 * root_can_be_real): opening a terminal without O_NOCTTY makes it the
 * session's controlling terminal, as for any session leader.  Were session
 * 2 still jobshim's real session, the open would acquire nothing (the
 * command would lead no real session) and every line below the first open
 * would differ.  t_tty covers the sessions made inside the tree.
 */

static int open_slave(int *ptm)
{
	*ptm = posix_openpt(O_RDWR | O_NOCTTY);
	if (*ptm < 0 || grantpt(*ptm) < 0 || unlockpt(*ptm) < 0)
		it_die("posix_openpt");
	return open(ptsname(*ptm), O_RDWR); /* no O_NOCTTY: a leader acquires it */
}

static void show(const char *who, int fd)
{
	char a[80];

	snprintf(a, sizeof a, "%s: tcgetpgrp", who);
	IT_PID(a, tcgetpgrp(fd));
	snprintf(a, sizeof a, "%s: tcgetsid", who);
	IT_PID(a, tcgetsid(fd));
}

static void got_hup(int sig)
{
	(void)sig;
	it_out("SIGHUP");
}

int main(void)
{
	int ptm, pts, t;

	it_init();
	IT_PID("getsid(0)", getsid(0));
	IT_PID("getpgrp", getpgrp());
	IT_RC("open /dev/tty before", open("/dev/tty", O_RDWR));
	pts = open_slave(&ptm);
	IT_RC("open slave without O_NOCTTY", pts >= 0 ? 0 : -1);
	show("root", pts);
	t = open("/dev/tty", O_RDWR);
	IT_RC("open /dev/tty after", t >= 0 ? 0 : -1);
	if (t >= 0)
		close(t);

	/* A child of the session shares the terminal; a job of its own can
	 * be put in front and back, as a shell does. */
	struct it_chan ready = it_chan(), go = it_chan();
	pid_t c = it_fork("job");
	if (c == 0) {
		setpgid(0, 0);
		t = open("/dev/tty", O_RDWR);
		IT_RC("job: open /dev/tty", t >= 0 ? 0 : -1);
		it_put(ready, 'r');
		it_expect(go, 'g');
		show("job in front", t);
		_exit(0);
	}
	setpgid(c, c);
	it_expect(ready, 'r');
	IT_RC("tcsetpgrp(job)", tcsetpgrp(pts, c));
	it_put(go, 'g');
	it_out("job: %s", it_status(it_reap(c)));
	signal(SIGTTOU, SIG_IGN); /* we are in the background now */
	IT_RC("tcsetpgrp(root)", tcsetpgrp(pts, getpgrp()));
	show("root in front again", pts);

	/* The session leader lets go: the kernel hangs up the foreground
	 * group, ours. */
	signal(SIGHUP, got_hup);
	IT_RC("TIOCNOTTY", ioctl(pts, TIOCNOTTY));
	IT_RC("open /dev/tty after TIOCNOTTY", open("/dev/tty", O_RDWR));
	IT_RC("tcgetpgrp after TIOCNOTTY", tcgetpgrp(pts));
	close(pts);
	close(ptm);
	return 0;
}
