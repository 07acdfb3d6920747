/* tty_fgwin.c — a shell's tcsetpgrp moves the terminal at once, not after a round trip: driven by sup_tty_fgwin.sh, which holds the supervisor stopped meanwhile. */
#include "lib/itest.h"

#include <pty.h>
#include <sys/ioctl.h>
#include <termios.h>

/*
 * Usage: tty_fgwin READY GO FRONT (three fifos the driver holds open).
 *
 * A session leader S on a new pty (the "shell") and its child J in a
 * group of its own (the "job", in the background).  J probes the terminal
 * with SIGTTIN ignored: a read from the background is EIO, from the
 * foreground EAGAIN (O_NONBLOCK, nothing typed).  S says READY, waits for
 * GO, then makes J's group the foreground one.  J writes "front" on FRONT
 * as soon as it reads in front.
 *
 * Under jobshim the driver stops the supervisor between READY and GO, and
 * waits for FRONT before continuing it: J must get the terminal while no
 * round trip can be answered, as natively, where tcsetpgrp is one system
 * call.  bash's `fg` of a job it believes running sends no SIGCONT after
 * its tcsetpgrp, so a job that reads between the shell's decision and the
 * real move stops with SIGTTIN and the shell reports it Stopped again
 * (issue 11's expect dialogue stalling under load).  J and the driver
 * never ask the supervisor between GO and FRONT: read, nanosleep and write
 * are not interposed.
 */

static int open_fifo(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);
	if (fd < 0)
		it_die(path);
	return fd;
}

/* The job: probe until the terminal is ours (1 ms apart; 20 s at most). */
static void job(int front, struct it_chan ready)
{
	struct timespec ms = { 0, 1000000 };
	char c;
	int fd, i;

	signal(SIGTTIN, SIG_IGN);
	fd = open("/dev/tty", O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		it_die("job: open /dev/tty");
	errno = 0;
	IT_RC("job: read from the background", read(fd, &c, 1));
	it_put(ready, 'r');
	for (i = 0; i < 20000; i++) {
		if (read(fd, &c, 1) < 0 && errno == EIO) {
			nanosleep(&ms, NULL);
			continue;
		}
		it_write_all(front, "front\n", 6);
		it_out("job: reads in front: %s", errno == EAGAIN ? "EAGAIN" : it_errname(errno));
		_exit(0);
	}
	it_out("job: still in the background after 20 s");
	_exit(1);
}

static void shell(int pts, int rdy, int go, int front)
{
	struct it_chan ready = it_chan();
	char c;

	if (setsid() < 0 || ioctl(pts, TIOCSCTTY, 0) < 0)
		it_die("shell: setsid, TIOCSCTTY");
	pid_t j = it_fork("job");
	if (j == 0) {
		close(ready.r);
		IT_RC("job: setpgid(0, 0)", setpgid(0, 0));
		job(front, ready);
	}
	close(ready.w);
	setpgid(j, j); /* both sides, as a shell does; one of them is EACCES or a no-op */
	it_expect(ready, 'r');
	IT_PID("shell: tcgetpgrp before", tcgetpgrp(pts));
	it_write_all(rdy, "ready\n", 6);
	if (read(go, &c, 1) != 1)
		it_die("shell: GO");
	IT_RC("shell: tcsetpgrp(job)", tcsetpgrp(pts, j));
	IT_PID("shell: tcgetpgrp after", tcgetpgrp(pts));
	it_out("job: %s", it_status(it_reap(j)));
	_exit(0);
}

int main(int argc, char **argv)
{
	int ptm, pts;

	if (argc != 4) {
		fprintf(stderr, "usage: tty_fgwin READY GO FRONT\n");
		return 2;
	}
	it_init();
	int rdy = open_fifo(argv[1], O_WRONLY), go = open_fifo(argv[2], O_RDONLY);
	int front = open_fifo(argv[3], O_WRONLY);
	if (openpty(&ptm, &pts, NULL, NULL, NULL) < 0)
		it_die("openpty");
	pid_t s = it_fork("shell");
	if (s == 0) {
		close(ptm);
		shell(pts, rdy, go, front);
	}
	close(pts);
	it_out("shell: %s", it_status(it_reap(s)));
	close(ptm);
	return 0;
}
