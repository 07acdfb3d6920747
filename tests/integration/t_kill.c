/* t_kill.c — kill/killpg: EINVAL, probes, zombies, kill(0), group sends, an exec'd member, ESRCH. */
#include <sys/ioctl.h>

#include "lib/itest.h"

/*
 * Group sends use labels the test made itself (its own group, groups of
 * its children); kill(-1) is never sent here: it is a launcher-only test
 * run in a private pid namespace (j_killall, prog_killall.sh).
 */

/* One signal target: records deliveries of SIGUSR1/SIGUSR2 on `rec`, and
 * on each 'f' byte of `ctl` writes an end mark ("all I got so far"). */
struct target {
	const char *name;
	pid_t pid;
	int rec_r;  /* main's end of the records */
	int ctl_w;  /* main's end of the control pipe */
};

static void serve(int rec_w, int ctl_r)
{
	/* The label table does not survive exec: records need it_sh->step. */
	if (!it_sh) {
		it_sh = mmap(NULL, sizeof *it_sh, PROT_READ | PROT_WRITE,
			     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (it_sh == MAP_FAILED)
			it_die("mmap");
	}
	it_guard();
	it_rec_install(rec_w, SIGUSR1);
	it_rec_install(rec_w, SIGUSR2);
	it_rec_end(rec_w); /* ready */
	struct it_chan ctl = { ctl_r, -1 };
	for (;;) {
		int c = it_get(ctl);
		if (c == 'f')
			it_rec_end(rec_w);
		else if (c == 'p') {
			kill(getppid(), SIGUSR2);
			it_rec_end(rec_w);
		} else
			_exit(0);
	}
}

/* A target child; setsid_first gives it its own session, pgid puts it in a
 * group (0: stay in main's group), exec_self makes it exec first. */
static struct target start(const char *name, int setsid_first, pid_t pgid, int exec_self)
{
	struct it_chan rec = it_chan(), ctl = it_chan();
	struct target t = { name, 0, rec.r, ctl.w };
	t.pid = it_fork(name);
	if (t.pid == 0) {
		if (setsid_first && setsid() < 0)
			it_die("setsid");
		if (pgid && setpgid(0, pgid < 0 ? 0 : pgid) < 0)
			it_die("setpgid");
		if (exec_self) {
			it_inherit(rec.w);
			it_inherit(ctl.r);
			it_exec_self("--serve", it_itoa(rec.w), it_itoa(ctl.r));
		}
		serve(rec.w, ctl.r);
	}
	close(rec.w);
	close(ctl.r);
	char b[2];
	if (it_get_rec(t.rec_r, b, 2) < 0 || b[0] != 'E')
		it_die("target ready");
	return t;
}

static struct it_chan main_rec;

/* After a send: every target's deliveries so far, one line each. */
static void collect(struct target *ts, int n)
{
	it_rec_end(main_rec.w);
	it_rec_report("  main", main_rec.r);
	for (int i = 0; i < n; i++) {
		char who[40];
		snprintf(who, sizeof who, "  %s", ts[i].name);
		it_write_all(ts[i].ctl_w, "f", 1);
		it_rec_report(who, ts[i].rec_r);
	}
}

static void probes(pid_t me, pid_t dead)
{
	it_out("-- invalid signals and probes");
	IT_RC("kill(main, 65)", kill(me, 65));
	/* Linux looks the target up first: no target, ESRCH (SEMANTICS.md
	 * says "EINVAL before any lookup"; the kernel is the oracle). */
	IT_RC("kill(dead, 65) (lookup first)", kill(dead, 65));
	IT_RC("kill(0, -1)", kill(0, -1));
	IT_RC("kill(-main, 65)", kill(-me, 65));
	IT_RC("kill(-dead, 65) (lookup first)", kill(-dead, 65));
	IT_RC("kill(INT_MIN, 65)", kill(INT_MIN, 65));
	IT_RC("killpg(main, 65)", killpg(me, 65));
	IT_RC("killpg(-1, 65)", killpg(-1, 65));
	IT_RC("kill(main, 0)", kill(me, 0));
	IT_RC("kill(dead, 0)", kill(dead, 0));
	IT_RC("kill(init, 0)", kill(getppid(), 0));
	IT_RC("kill(0, 0)", kill(0, 0));
	IT_RC("kill(-main, 0)", kill(-me, 0));
	IT_RC("kill(-dead, 0)", kill(-dead, 0));
	IT_RC("kill(INT_MIN, 0)", kill(INT_MIN, 0));
	IT_RC("killpg(-1, 0)", killpg(-1, 0));
	IT_RC("killpg(dead, 0)", killpg(dead, 0));
	IT_RC("killpg(main, 0)", killpg(me, 0));

	pid_t z = it_fork("z");
	if (z == 0) {
		setpgid(0, 0);
		_exit(0);
	}
	it_await_zombie(z);
	IT_RC("kill(z, 0) (a zombie)", kill(z, 0));
	IT_RC("kill(z, SIGUSR1) (a zombie)", kill(z, SIGUSR1));
	IT_RC("kill(-z, 0) (a group of one zombie)", kill(-z, 0));
	IT_RC("kill(-z, SIGUSR1) (a group of one zombie)", kill(-z, SIGUSR1));
	it_out("z: %s", it_status(it_reap(z)));
	IT_RC("kill(z, 0) after the reap", kill(z, 0));
	IT_RC("kill(-z, 0) after the reap", kill(-z, 0));
}

static void sends(pid_t me, pid_t dead)
{
	it_out("-- deliveries");
	main_rec = it_chan();
	it_rec_install(main_rec.w, SIGUSR1);
	it_rec_install(main_rec.w, SIGUSR2);
	struct target ts[6];
	ts[0] = start("a", 0, 0, 0);          /* main's group */
	ts[1] = start("b", 0, -1, 0);         /* its own group B */
	ts[2] = start("b2", 0, ts[1].pid, 1); /* group B, exec'd */
	ts[3] = start("s", 1, 0, 0);          /* another session */
	ts[4] = start("a2", 0, 0, 1);         /* main's group, exec'd */
	pid_t b = ts[1].pid, b2 = ts[2].pid, a = ts[0].pid, s = ts[3].pid;
	IT_PID("getpgid(b2)", getpgid(b2));

	it_sh->step = 0;
	IT_RC("kill(0, SIGUSR1)", kill(0, SIGUSR1));
	collect(ts, 5);
	IT_RC("kill(-b, SIGUSR1)", kill(-b, SIGUSR1));
	collect(ts, 5);
	IT_RC("killpg(b, SIGUSR2)", killpg(b, SIGUSR2));
	collect(ts, 5);
	IT_RC("kill(b2, SIGUSR2) (exec'd)", kill(b2, SIGUSR2));
	collect(ts, 5);
	IT_RC("kill(a, SIGUSR1)", kill(a, SIGUSR1));
	collect(ts, 5);
	IT_RC("killpg(0, SIGUSR2)", killpg(0, SIGUSR2));
	collect(ts, 5);
	IT_RC("kill(-s, SIGUSR1) (a group of another session)", kill(-s, SIGUSR1));
	collect(ts, 5);
	IT_RC("kill(-main, SIGUSR2)", kill(-me, SIGUSR2));
	collect(ts, 5);

	/* A signal to oneself is delivered before kill() returns. */
	IT_RC("kill(main, SIGUSR1)", kill(me, SIGUSR1));
	int queued = 0;
	ioctl(main_rec.r, FIONREAD, &queued);
	it_out("  delivered before kill returned: %s", queued > 0 ? "yes" : "no");
	collect(ts, 5);

	it_out("a sends SIGUSR2 to its parent");
	it_write_all(ts[0].ctl_w, "p", 1);
	{
		char e[2];
		if (it_get_rec(ts[0].rec_r, e, 2) < 0)
			it_die("a ack");
	}
	collect(ts, 5);

	IT_RC("kill(-dead, SIGUSR1)", kill(-dead, SIGUSR1));
	IT_RC("kill(INT_MIN, SIGUSR1)", kill(INT_MIN, SIGUSR1));
	IT_RC("killpg(-1, SIGUSR1)", killpg(-1, SIGUSR1));
	IT_RC("killpg(dead, SIGUSR1)", killpg(dead, SIGUSR1));
	collect(ts, 5);

	/* Two signals to one group in a row (under jobshim the second may
	 * reuse the first's targets: shim/kill.c, the kill list), and in
	 * between a member leaves, or one joins. */
	it_out("-- second signals to a group");
	IT_RC("kill(-b, SIGUSR1)", kill(-b, SIGUSR1));
	IT_RC("kill(-b, SIGUSR2) at once", kill(-b, SIGUSR2));
	collect(ts, 5);
	IT_RC("kill(-b, SIGUSR1)", kill(-b, SIGUSR1));
	IT_RC("setpgid(b, main's group)", setpgid(b, getpgrp()));
	IT_RC("kill(-b, SIGUSR2) (b has left)", kill(-b, SIGUSR2));
	collect(ts, 5);
	IT_RC("kill(-b, SIGUSR1)", kill(-b, SIGUSR1));
	ts[5] = start("b3", 0, b, 0); /* joins group B (b2 keeps it) */
	IT_RC("kill(-b, SIGUSR2) (b3 has joined)", kill(-b, SIGUSR2));
	collect(ts, 6);

	for (int i = 0; i < 6; i++) {
		it_write_all(ts[i].ctl_w, "q", 1);
		it_out("%s: %s", ts[i].name, it_status(it_reap(ts[i].pid)));
	}
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "--serve") == 0)
		serve(atoi(argv[2]), atoi(argv[3]));
	it_child_modes(argc, argv);
	it_init();
	pid_t me = getpid(), dead = it_dead_pid();
	probes(me, dead);
	sends(me, dead);
	return 0;
}
