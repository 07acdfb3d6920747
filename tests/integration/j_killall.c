/* j_killall.c — launcher-only: kill(-1) reaches every tree process but the caller and init. */
#include "lib/itest.h"

/*
 * Run only under jobshim, inside a private pid namespace (run.sh and
 * prog_killall.sh see to it): with a broken shim, kill(-1) would reach
 * every process the caller may signal.  prog_killall.sh also checks that
 * a process outside the tree survives.  The caller has no SIGUSR1 handler:
 * if kill(-1) hit the caller, it would die and the output would stop.
 */

struct target {
	const char *name;
	pid_t pid;
	struct it_chan rec, ctl;
};

static void serve(struct target *t)
{
	it_rec_install(t->rec.w, SIGUSR1);
	it_rec_end(t->rec.w); /* ready */
	for (;;) {
		int c = it_get(t->ctl);
		if (c != 'f')
			_exit(0);
		it_rec_end(t->rec.w);
	}
}

static void start(struct target *t, const char *name, int new_session, pid_t pgid)
{
	t->name = name;
	t->rec = it_chan();
	t->ctl = it_chan();
	t->pid = it_fork(name);
	if (t->pid == 0) {
		if (new_session)
			setsid();
		else if (pgid)
			setpgid(0, pgid < 0 ? 0 : pgid);
		serve(t);
	}
	it_rec_report(name, t->rec.r); /* "got nothing": ready */
}

int main(int argc, char **argv)
{
	it_child_modes(argc, argv);
	it_init();
	IT_RC("kill(-1, SIGUSR1) (alone in the tree)", kill(-1, SIGUSR1));
	struct target ts[3];
	start(&ts[0], "a", 0, 0);
	start(&ts[1], "b", 0, -1);
	start(&ts[2], "s", 1, 0);
	IT_RC("kill(-1, 65)", kill(-1, 65));
	IT_RC("kill(-1, 0)", kill(-1, 0));
	IT_RC("kill(-1, SIGUSR1)", kill(-1, SIGUSR1));
	for (int i = 0; i < 3; i++) {
		it_put(ts[i].ctl, 'f');
		it_rec_report(ts[i].name, ts[i].rec.r);
	}
	it_out("main survived");
	for (int i = 0; i < 3; i++) {
		it_put(ts[i].ctl, 'q');
		it_out("%s: %s", ts[i].name, it_status(it_reap(ts[i].pid)));
	}
	return 0;
}
