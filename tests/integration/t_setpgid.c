/* t_setpgid.c — setpgid(2): every errno rule and success case of SEMANTICS.md. */
#include "lib/itest.h"

/* A child that waits on `rel` until released, so the parent can act on it. */
static pid_t hold(const char *name, struct it_chan rel)
{
	pid_t p = it_fork(name);
	if (p == 0) {
		it_get(rel);
		_exit(0);
	}
	return p;
}

/* A child that execs this program in the --hold role: once `ready` gives a
 * byte the child has exec'd; one byte on `rel` ends it.  do_setsid first
 * moves it into a session of its own. */
static pid_t hold_execd(const char *name, struct it_chan ready, struct it_chan rel,
			int do_setsid)
{
	pid_t p = it_fork(name);
	if (p == 0) {
		if (do_setsid && setsid() < 0)
			it_die("setsid");
		it_inherit(rel.r);
		it_inherit(ready.w);
		it_exec_self("--hold", it_itoa(rel.r), it_itoa(ready.w));
	}
	it_expect(ready, 'r');
	return p;
}

static void caller_rules(pid_t me, pid_t dead)
{
	it_out("-- the caller is a session leader");
	IT_RC("setpgid(0, -1)", setpgid(0, -1));
	IT_RC("setpgid(dead, -1) (EINVAL before the lookup)", setpgid(dead, -1));
	IT_RC("setpgid(0, 0)", setpgid(0, 0));
	IT_RC("setpgid(main, main) (already its group)", setpgid(me, me));
	IT_RC("setpgid(main, 0)", setpgid(me, 0));
	IT_RC("setpgid(dead, 0)", setpgid(dead, 0));
	IT_RC("setpgid(init, 0) (not a child)", setpgid(getppid(), 0));
	IT_PID("getpgrp()", getpgrp());
}

static void child_rules(pid_t me, pid_t dead, struct it_chan rel)
{
	it_out("-- a child in the caller's session");
	pid_t c1 = hold("c1", rel);
	IT_RC("setpgid(c1, main) (already there)", setpgid(c1, me));
	IT_RC("setpgid(c1, -2)", setpgid(c1, -2));
	IT_RC("setpgid(c1, 0)", setpgid(c1, 0));
	IT_PID("getpgid(c1)", getpgid(c1));
	IT_RC("setpgid(c1, c1) (already there)", setpgid(c1, c1));
	IT_RC("setpgid(c1, main)", setpgid(c1, me));
	IT_PID("getpgid(c1)", getpgid(c1));
	IT_RC("setpgid(c1, c1)", setpgid(c1, c1));
	IT_RC("setpgid(c1, dead) (no such group)", setpgid(c1, dead));
	IT_PID("getpgid(c1)", getpgid(c1));

	/* c2 joins c1's group and tries the rules on itself and its kin. */
	struct it_chan gpid = it_chan(), gack = it_chan(), grel = it_chan();
	pid_t c2 = it_fork("c2");
	if (c2 == 0) {
		IT_RC("c2: setpgid(0, c1)", setpgid(0, c1));
		IT_PID("c2: getpgrp()", getpgrp());
		IT_RC("c2: setpgid(main, 0) (its parent)", setpgid(me, 0));
		IT_RC("c2: setpgid(c1, 0) (a sibling)", setpgid(c1, 0));
		IT_RC("c2: setpgid(0, dead)", setpgid(0, dead));
		IT_RC("c2: setpgid(getpid(), 0)", setpgid(getpid(), 0));
		IT_PID("c2: getpgrp()", getpgrp());
		IT_RC("c2: setpgid(0, main) (a group leader may leave)", setpgid(0, me));
		IT_PID("c2: getpgrp()", getpgrp());
		IT_PID("c2: getpgid(0)", getpgid(0));
		pid_t g = hold("g2", grel);
		it_put_rec(gpid.w, &g, sizeof g);
		it_get(gack); /* main is done with g2 */
		it_put(grel, 'x');
		it_reap(g);
		_exit(0);
	}
	pid_t g;
	if (it_get_rec(gpid.r, &g, sizeof g) < 0)
		it_die("read g2");
	IT_RC("setpgid(g2, 0) (a grandchild)", setpgid(g, 0));
	IT_RC("setpgid(g2, main) (a grandchild)", setpgid(g, me));
	IT_PID("getpgid(g2)", getpgid(g));
	it_put(gack, 'x');
	it_out("c2: %s", it_status(it_reap(c2)));
	it_put(rel, 'x');
	it_out("c1: %s", it_status(it_reap(c1)));
}

static void other_session(pid_t me, struct it_chan rel)
{
	it_out("-- a child in another session");
	struct it_chan ready = it_chan();
	pid_t c3 = it_fork("c3");
	if (c3 == 0) {
		IT_PID("c3: setsid()", setsid());
		IT_RC("c3: setpgid(0, 0) (a session leader)", setpgid(0, 0));
		IT_RC("c3: setpgid(0, main) (group of another session)", setpgid(0, me));
		it_put(ready, 'r');
		it_get(rel);
		_exit(0);
	}
	it_expect(ready, 'r');
	pid_t c4 = hold("c4", rel);
	IT_RC("setpgid(c3, -1)", setpgid(c3, -1));
	IT_RC("setpgid(c3, 0)", setpgid(c3, 0));
	IT_RC("setpgid(c3, c3)", setpgid(c3, c3));
	IT_RC("setpgid(c3, main)", setpgid(c3, me));
	IT_RC("setpgid(c4, c3) (group of another session)", setpgid(c4, c3));
	IT_PID("getpgid(c4)", getpgid(c4));
	it_put(rel, 'x');
	it_put(rel, 'x');
	it_out("c3: %s", it_status(it_reap(c3)));
	it_out("c4: %s", it_status(it_reap(c4)));
}

static void execd_child(pid_t me, pid_t dead, struct it_chan rel)
{
	it_out("-- a child that has exec'd");
	struct it_chan ready = it_chan();
	pid_t c5 = hold_execd("c5", ready, rel, 0);
	IT_RC("setpgid(c5, -1)", setpgid(c5, -1));
	IT_RC("setpgid(c5, 0)", setpgid(c5, 0));
	IT_RC("setpgid(c5, main) (already there)", setpgid(c5, me));
	IT_RC("setpgid(c5, dead)", setpgid(c5, dead));
	IT_PID("getpgid(c5)", getpgid(c5));
	pid_t c6 = hold_execd("c6", ready, rel, 1);
	IT_RC("setpgid(c6, 0) (exec'd, other session: session first)", setpgid(c6, 0));
	it_put(rel, 'x');
	it_put(rel, 'x');
	it_out("c5: %s", it_status(it_reap(c5)));
	it_out("c6: %s", it_status(it_reap(c6)));
}

/*
 * A fork child's own setpgid(0, 0) -- the child's half of a job-control
 * shell's launch, which jobshim answers in the shim and posts one-way --
 * is seen by every other process as soon as the child says it returned:
 * the parent, a sibling's kill of the new group, and the child's own
 * next read.  Also after its parent moved it to another group first, in
 * the setpgrp() and setpgid(getpid(), getpid()) forms, and in a grandchild.
 */
static void own_group(void)
{
	it_out("-- a fork child's own setpgid, read at once");
	struct it_chan done = it_chan(), rel = it_chan();
	pid_t c7 = it_fork("c7");
	if (c7 == 0) {
		IT_RC("c7: setpgid(0, 0)", setpgid(0, 0));
		it_put(done, 'd');
		it_get(rel);
		IT_PID("c7: getpgrp()", getpgrp());
		_exit(0);
	}
	it_expect(done, 'd');
	IT_PID("getpgid(c7)", getpgid(c7));
	IT_RC("kill(-c7, 0)", kill(-c7, 0));
	it_put(rel, 'x');
	it_out("c7: %s", it_status(it_reap(c7)));

	struct it_chan hrel = it_chan(), moved = it_chan(), done8 = it_chan(), rel8 = it_chan();
	pid_t h = hold("h9", hrel);
	IT_RC("setpgid(h9, h9)", setpgid(h, h));
	pid_t c8 = it_fork("c8");
	if (c8 == 0) {
		struct it_chan gdone = it_chan(), grel = it_chan();
		it_expect(moved, 'm'); /* its parent put it in h9's group */
		IT_PID("c8: getpgrp()", getpgrp());
		IT_RC("c8: setpgrp()", setpgrp());
		IT_PID("c8: getpgrp()", getpgrp());
		IT_RC("c8: setpgid(getpid(), getpid()) (already there)", setpgid(getpid(), getpid()));
		pid_t g = it_fork("g8");
		if (g == 0) {
			IT_RC("g8: setpgid(0, getpid())", setpgid(0, getpid()));
			it_put(gdone, 'd');
			it_get(grel);
			_exit(0);
		}
		it_expect(gdone, 'd');
		IT_PID("c8: getpgid(g8)", getpgid(g));
		IT_RC("c8: setpgid(g8, c8) (back)", setpgid(g, getpid()));
		IT_PID("c8: getpgid(g8)", getpgid(g));
		it_put(grel, 'x');
		it_out("c8: g8: %s", it_status(it_reap(g)));
		it_put(done8, 'd');
		it_get(rel8);
		_exit(0);
	}
	IT_RC("setpgid(c8, h9)", setpgid(c8, h));
	it_put(moved, 'm');
	it_expect(done8, 'd');
	IT_PID("getpgid(c8)", getpgid(c8));
	it_put(rel8, 'x');
	it_out("c8: %s", it_status(it_reap(c8)));
	it_put(hrel, 'x');
	it_out("h9: %s", it_status(it_reap(h)));
}

static void zombie_child(pid_t me, pid_t dead)
{
	it_out("-- a zombie child");
	pid_t z = it_fork("z");
	if (z == 0)
		_exit(0);
	it_await_zombie(z);
	IT_RC("setpgid(z, main) (already there)", setpgid(z, me));
	IT_RC("setpgid(z, 0)", setpgid(z, 0));
	IT_PID("getpgid(z)", getpgid(z));
	IT_RC("setpgid(z, dead)", setpgid(z, dead));
	IT_RC("setpgid(z, -1)", setpgid(z, -1));
	it_out("z: %s", it_status(it_reap(z)));
	IT_RC("setpgid(z, 0) after the reap", setpgid(z, 0));
}

int main(int argc, char **argv)
{
	it_child_modes(argc, argv);
	it_init();
	pid_t me = getpid();
	pid_t dead = it_dead_pid();
	struct it_chan rel = it_chan();

	caller_rules(me, dead);
	child_rules(me, dead, rel);
	other_session(me, rel);
	execd_child(me, dead, rel);
	own_group();
	zombie_child(me, dead);
	return 0;
}
