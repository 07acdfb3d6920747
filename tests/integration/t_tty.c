/* t_tty.c — controlling terminals on a pty: acquiring, dropping, the tc and TIOC ids, tty job control, forkpty, login_tty. */
#include "lib/itest.h"

#include <pty.h>
#include <spawn.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <utmp.h>

/*
 * Every scenario makes its own pty (openpty) and a new session (setsid)
 * in a child, so that the test owns the terminal whatever runs it.  The
 * ids go through the labels: natively real, under jobshim virtual, the
 * same lines either way.  SIGHUP is ignored where a session leader drops
 * or loses its terminal (Linux sends its foreground group SIGHUP then).
 */

static int ptm, pts;
static char ptsname_buf[64];

static void new_pty(void)
{
	if (openpty(&ptm, &pts, ptsname_buf, NULL, NULL) < 0)
		it_die("openpty");
}

/* The terminal's ids as the three ways to ask see them. */
static void show_tty(const char *who, int fd)
{
	pid_t g = -1, s = -1;
	char a[80], b[80];

	snprintf(a, sizeof a, "%s: tcgetpgrp", who);
	IT_PID(a, tcgetpgrp(fd));
	snprintf(a, sizeof a, "%s: tcgetsid", who);
	IT_PID(a, tcgetsid(fd));
	errno = 0;
	int r1 = ioctl(fd, TIOCGPGRP, &g), e1 = errno;
	errno = 0;
	int r2 = ioctl(fd, TIOCGSID, &s), e2 = errno;
	snprintf(a, sizeof a, "%s", r1 < 0 ? it_errname(e1) : it_l(g));
	snprintf(b, sizeof b, "%s", r2 < 0 ? it_errname(e2) : it_l(s));
	it_out("%s: TIOCGPGRP %s TIOCGSID %s", who, a, b);
}

/* Field 8 of /proc/self/stat: the foreground group of our terminal, as
 * ps reads it (after the command name, which may hold spaces). */
static pid_t stat_tpgid(void)
{
	char buf[1024], *p;
	int tpgid = 0;
	FILE *f = fopen("/proc/self/stat", "r");

	if (!f)
		return -1;
	p = fgets(buf, sizeof buf, f) ? strrchr(buf, ')') : NULL;
	fclose(f);
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %d", &tpgid) != 1)
		return -1;
	return tpgid;
}

/* posix_spawn with SETPGROUP 0 and addtcsetpgrp_np: glibc's child makes
 * its new group the foreground one before it execs. */
static void spawn_in_front(int fd)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	char *argv[] = { "sleep", "30", NULL };
	pid_t sp;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addtcsetpgrp_np(&fa, fd);
	posix_spawnattr_init(&at);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setpgroup(&at, 0);
	if (posix_spawnp(&sp, "sleep", &fa, &at, argv, environ) != 0)
		it_die("posix_spawnp");
	it_name(sp, "spawned");
	IT_PID("after spawn with addtcsetpgrp_np: tcgetpgrp", tcgetpgrp(fd));
	IT_PID("after spawn with addtcsetpgrp_np: /proc/self/stat tpgid", stat_tpgid());
	kill(sp, SIGKILL);
	it_out("spawned: %s", it_status(it_reap(sp)));
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
}

static void acquire_drop(void)
{
	it_out("-- acquiring and dropping a terminal");
	new_pty();
	struct it_chan done = it_chan(), go = it_chan(), jr = it_chan();
	pid_t c = it_fork("leader");
	if (c == 0) {
		signal(SIGHUP, SIG_IGN);
		signal(SIGTTOU, SIG_IGN); /* an orphaned group: else ENOTTY (EIO) */
		IT_PID("setsid", setsid());
		IT_RC("open /dev/tty after setsid", open("/dev/tty", O_RDWR));
		IT_RC("tcgetpgrp(slave) not ours yet", tcgetpgrp(pts));
		IT_RC("tcgetsid(slave) not ours yet", tcgetsid(pts));
		int fd = open(ptsname_buf, O_RDWR | O_NOCTTY);
		IT_RC("O_NOCTTY: /dev/tty still", open("/dev/tty", O_RDWR));
		close(fd);
		fd = open(ptsname_buf, O_RDWR);
		show_tty("acquired by open", fd);
		int t = open("/dev/tty", O_RDWR);
		IT_RC("open /dev/tty now", t >= 0 ? 0 : -1);
		close(t);
		IT_RC("TIOCNOTTY", ioctl(fd, TIOCNOTTY));
		IT_RC("tcgetpgrp after TIOCNOTTY", tcgetpgrp(fd));
		IT_RC("TIOCSCTTY 0", ioctl(fd, TIOCSCTTY, 0));
		show_tty("acquired by TIOCSCTTY", fd);
		pid_t g = it_fork("job");
		if (g == 0) {
			setpgid(0, 0);
			it_put(jr, 'j');
			for (;;)
				pause();
		}
		setpgid(g, g);
		it_expect(jr, 'j');
		IT_RC("tcsetpgrp(job)", tcsetpgrp(fd, g));
		show_tty("job in front", fd);
		pid_t me = getpgrp();
		IT_RC("TIOCSPGRP(leader)", ioctl(fd, TIOCSPGRP, &me));
		IT_PID("tcgetpgrp", tcgetpgrp(fd));
		IT_RC("TIOCSPGRP bad pointer", ioctl(fd, TIOCSPGRP, (pid_t *)8));
		IT_RC("TIOCGPGRP bad pointer", ioctl(fd, TIOCGPGRP, (pid_t *)8));
		IT_RC("tcsetpgrp(unknown group)", tcsetpgrp(fd, it_dead_pid()));
		IT_RC("tcsetpgrp(main) (another session)", tcsetpgrp(fd, getppid()));
		spawn_in_front(fd);
		IT_RC("tcsetpgrp(job)", tcsetpgrp(fd, g));
		it_put(done, 'r');
		it_expect(go, 'x'); /* main looked through the master */
		kill(g, SIGKILL);
		it_out("job: %s", it_status(it_reap(g)));
		_exit(0);
	}
	it_expect(done, 'r');
	show_tty("main via master", ptm);
	show_tty("main via slave (not its terminal)", pts);
	/* As root, another session leader takes the terminal away. */
	pid_t th = it_fork("thief");
	if (th == 0) {
		setsid();
		IT_RC("thief: TIOCSCTTY 0 (another session's)", ioctl(pts, TIOCSCTTY, 0));
		IT_RC("thief: TIOCSCTTY 1", ioctl(pts, TIOCSCTTY, 1));
		show_tty("thief", pts);
		_exit(0);
	}
	it_out("thief: %s", it_status(it_reap(th)));
	it_put(go, 'x');
	it_out("leader: %s", it_status(it_reap(c)));
	close(ptm);
	close(pts);
}

enum bg_act { BG_READ, BG_TCSETPGRP, BG_TCSETATTR, BG_WRITE };

/* A child in a background group of its own does ACT on the terminal fd:
 * print how it stopped (or ended), then kill it and print its end. */
static void bg_try(const char *name, enum bg_act act, int fd, const struct termios *t)
{
	char ch;
	int st;
	pid_t p = it_fork(name);

	if (p == 0) {
		setpgid(0, 0);
		switch (act) {
		case BG_READ: IT_RC("read", read(fd, &ch, 1)); break;
		case BG_TCSETPGRP: IT_RC("tcsetpgrp", tcsetpgrp(fd, getpgrp())); break;
		case BG_TCSETATTR: IT_RC("tcsetattr", tcsetattr(fd, TCSANOW, t)); break;
		case BG_WRITE: IT_RC("write", write(fd, "x", 1)); break;
		}
		_exit(0);
	}
	setpgid(p, p);
	waitpid(p, &st, WUNTRACED);
	it_out("%s: %s", name, it_status(st));
	kill(p, SIGKILL);
	waitpid(p, &st, 0);
	it_out("%s: %s", name, it_status(st));
}

/* A background reader stops with SIGTTIN; a background writer with
 * TOSTOP stops with SIGTTOU; an orphaned background reader reads EIO. */
static void background(void)
{
	it_out("-- the kernel's rules for the background");
	new_pty();
	struct it_chan ready = it_chan();
	pid_t c = it_fork("leader2");
	if (c == 0) {
		char ch;
		struct termios t;
		signal(SIGHUP, SIG_IGN);
		setsid();
		int fd = open(ptsname_buf, O_RDWR);
		tcgetattr(fd, &t);
		t.c_lflag |= TOSTOP;
		tcsetattr(fd, TCSANOW, &t);
		bg_try("reader", BG_READ, fd, &t);
		bg_try("setter", BG_TCSETPGRP, fd, &t);
		IT_PID("tcgetpgrp after the stopped setter", tcgetpgrp(fd));
		bg_try("attr", BG_TCSETATTR, fd, &t);
		bg_try("writer", BG_WRITE, fd, &t);
		/* An orphaned background group: its parent exits, and it is
		 * adopted outside the session. */
		pid_t m = it_fork("middle");
		if (m == 0) {
			pid_t o = it_fork("orphan");
			if (o == 0) {
				setpgid(0, 0);
				it_put(ready, 'o');
				while (getppid() == m)
					sched_yield(); /* until middle is gone */
				IT_RC("orphan: read", read(fd, &ch, 1));
				it_put(ready, 'e');
				_exit(0);
			}
			setpgid(o, o);
			it_expect(ready, 'o');
			_exit(0);
		}
		it_reap(m);
		it_expect(ready, 'e');
		_exit(0);
	}
	it_out("leader2: %s", it_status(it_reap(c)));
	close(ptm);
	close(pts);
}

static volatile sig_atomic_t got;
static void on_sig(int sig)
{
	got = sig;
}

/* Wait for the handler to have run, with the signal blocked until
 * sigsuspend: `while (!got) pause()` loses a signal that lands between
 * the test and the pause (and then waits for the guard's SIGALRM). */
static void await_sig(void)
{
	sigset_t none;

	sigemptyset(&none);
	while (!got)
		sigsuspend(&none);
}

/* The controlling process exits: the kernel sends its terminal's
 * foreground group SIGHUP. */
static void leader_exit(void)
{
	it_out("-- the controlling process exits");
	new_pty();
	struct it_chan ready = it_chan(), rec = it_chan();
	pid_t c = it_fork("leader3");
	if (c == 0) {
		setsid();
		int fd = open(ptsname_buf, O_RDWR);
		pid_t f = it_fork("fg");
		if (f == 0) {
			sigset_t hup;
			sigemptyset(&hup);
			sigaddset(&hup, SIGHUP);
			sigprocmask(SIG_BLOCK, &hup, NULL);
			signal(SIGHUP, on_sig);
			setpgid(0, 0);
			it_put(ready, 'f');
			await_sig();
			it_put(rec, (char)got);
			_exit(0);
		}
		setpgid(f, f);
		it_expect(ready, 'f');
		IT_RC("tcsetpgrp(fg)", tcsetpgrp(fd, f));
		_exit(0);
	}
	it_out("leader3: %s", it_status(it_reap(c)));
	it_out("fg got %s", it_signame(it_get(rec)));
	close(ptm);
	close(pts);
}

/* The master is closed: the terminal hangs up.  The kernel signals the
 * session leader, and the leader's exit then its foreground group. */
static void master_hangup(void)
{
	it_out("-- the master is closed");
	new_pty();
	struct it_chan fready = it_chan(), lready = it_chan(), rec = it_chan();
	sigset_t hup, old;
	sigemptyset(&hup);
	sigaddset(&hup, SIGHUP);
	pid_t c = it_fork("leader4");
	if (c == 0) {
		close(ptm);
		setsid();
		int fd = open(ptsname_buf, O_RDWR);
		sigprocmask(SIG_BLOCK, &hup, &old);
		signal(SIGHUP, on_sig);
		pid_t f = it_fork("fg4");
		if (f == 0) {
			setpgid(0, 0);
			it_put(fready, 'f');
			await_sig();
			it_put(rec, 'F');
			_exit(0);
		}
		setpgid(f, f);
		it_expect(fready, 'f');
		IT_RC("leader4: tcsetpgrp(fg4)", tcsetpgrp(fd, f));
		it_put(lready, 'l');
		await_sig();
		it_put(rec, 'L');
		_exit(0);
	}
	it_expect(lready, 'l');
	close(ptm);
	int a = it_get(rec), b = it_get(rec);
	it_out("leader4 got SIGHUP: %s", a == 'L' || b == 'L' ? "yes" : "no");
	it_out("fg4 got SIGHUP: %s", a == 'F' || b == 'F' ? "yes" : "no");
	it_out("leader4: %s", it_status(it_reap(c)));
	close(pts);
}

/* What a child wrote on the pty, up to the hangup (EIO), line by line. */
static void relay(int m)
{
	char buf[2048];
	size_t n = 0;
	ssize_t r;

	while (n < sizeof buf - 1 && (r = read(m, buf + n, sizeof buf - 1 - n)) > 0)
		n += (size_t)r;
	buf[n] = 0;
	for (char *line = strtok(buf, "\r\n"); line; line = strtok(NULL, "\r\n"))
		it_out("  %s", line);
}

/* forkpty: a tracked child (its pid waits), leader of a session on the pty;
 * login_tty likewise in a forked child. */
static void fork_pty(void)
{
	it_out("-- forkpty and login_tty");
	int m;
	pid_t c = forkpty(&m, NULL, NULL, NULL);
	if (c < 0)
		it_die("forkpty");
	if (c == 0) {
		it_name(getpid(), "ptychild");
		it_guard();
		IT_PID("ptychild: getsid", getsid(0));
		IT_PID("ptychild: tcgetpgrp(0)", tcgetpgrp(0));
		IT_PID("ptychild: tcgetsid(0)", tcgetsid(0));
		_exit(7);
	}
	it_name(c, "ptychild");
	relay(m);
	it_out("ptychild: %s", it_status(it_reap(c)));
	close(m);
	new_pty();
	pid_t l = it_fork("login");
	if (l == 0) {
		close(ptm);
		IT_RC("login: login_tty", login_tty(pts));
		IT_PID("login: getsid", getsid(0));
		IT_PID("login: tcgetpgrp(1)", tcgetpgrp(1));
		_exit(0);
	}
	close(pts);
	relay(ptm);
	it_out("login: %s", it_status(it_reap(l)));
	close(ptm);
}

int main(void)
{
	it_init();
	acquire_drop();
	background();
	leader_exit();
	master_hangup();
	fork_pty();
	return 0;
}
