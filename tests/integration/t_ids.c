/* t_ids.c — getpgid/getsid/getpgrp/getppid: 0 = caller, ESRCH, zombies, other sessions, reparenting. */
#include "lib/itest.h"

static void own_ids(pid_t dead)
{
	it_out("-- the caller");
	IT_PID("getpid()", getpid());
	IT_PID("getppid()", getppid());
	IT_PID("getpgrp()", getpgrp());
	IT_PID("getpgid(0)", getpgid(0));
	IT_PID("getsid(0)", getsid(0));
	IT_PID("getpgid(main)", getpgid(getpid()));
	IT_PID("getsid(main)", getsid(getpid()));
	IT_RC("getpgid(dead)", getpgid(dead));
	IT_RC("getsid(dead)", getsid(dead));
	IT_RC("getpgid(-1)", getpgid(-1));
	IT_RC("getsid(-1)", getsid(-1));
	IT_RC("getpgid(INT_MIN)", getpgid(INT_MIN));
}

static void other_processes(pid_t me)
{
	it_out("-- children, grandchildren, another session");
	struct it_chan ready = it_chan(), rel = it_chan();
	pid_t c1 = it_fork("c1");
	if (c1 == 0) {
		IT_RC("c1: setpgid(0, 0)", setpgid(0, 0));
		pid_t g = it_fork("g1");
		if (g == 0) {
			IT_PID("g1: getppid()", getppid());
			IT_PID("g1: getpgrp()", getpgrp());
			IT_PID("g1: getsid(0)", getsid(0));
			IT_PID("g1: getpgid(main) (any process)", getpgid(me));
			IT_PID("g1: getsid(main)", getsid(me));
			it_put(ready, 'r');
			it_get(rel);
			_exit(0);
		}
		it_get(rel);
		it_put(rel, 'x'); /* pass the release on to g1 */
		it_reap(g);
		_exit(0);
	}
	it_expect(ready, 'r');
	pid_t c2 = it_fork("c2");
	if (c2 == 0) {
		IT_PID("c2: setsid()", setsid());
		it_put(ready, 'r');
		it_get(rel);
		_exit(0);
	}
	it_expect(ready, 'r');
	IT_PID("getpgid(c1)", getpgid(c1));
	IT_PID("getsid(c1)", getsid(c1));
	IT_PID("getsid(c2) (another session)", getsid(c2));
	IT_PID("getpgid(c2) (another session)", getpgid(c2));
	pid_t c3 = it_fork("c3");
	if (c3 == 0) {
		IT_PID("c3: getsid(c2) (a sibling in another session)", getsid(c2));
		IT_PID("c3: getpgid(c1) (a sibling's group)", getpgid(c1));
		_exit(0);
	}
	it_reap(c3);
	it_put(rel, 'x');
	it_put(rel, 'x');
	it_out("c1: %s", it_status(it_reap(c1)));
	it_out("c2: %s", it_status(it_reap(c2)));
}

static void zombie(void)
{
	it_out("-- a zombie still reports its ids");
	pid_t z = it_fork("z");
	if (z == 0) {
		setpgid(0, 0);
		_exit(0);
	}
	it_await_zombie(z);
	IT_PID("getpgid(z)", getpgid(z));
	IT_PID("getsid(z)", getsid(z));
	it_out("z: %s", it_status(it_reap(z)));
	IT_RC("getpgid(z) after the reap", getpgid(z));
	IT_RC("getsid(z) after the reap", getsid(z));
}

/* o's parent p exits: o is reparented to init (native_init or vpid 1). */
static void reparented(void)
{
	it_out("-- reparenting");
	struct it_chan ready = it_chan(), go = it_chan(), done = it_chan();
	pid_t p = it_fork("p");
	if (p == 0) {
		pid_t o = it_fork("o");
		if (o == 0) {
			IT_PID("o: getppid() before", getppid());
			it_put(ready, 'r');
			it_get(go);
			IT_PID("o: getppid() after its parent's exit", getppid());
			IT_PID("o: getpgrp()", getpgrp());
			IT_PID("o: getsid(0)", getsid(0));
			pid_t me = getpid();
			it_put_rec(done.w, &me, sizeof me);
			_exit(0);
		}
		it_expect(ready, 'r');
		_exit(0);
	}
	it_out("p: %s", it_status(it_reap(p)));
	it_put(go, 'g');
	pid_t o;
	if (it_get_rec(done.r, &o, sizeof o) < 0)
		it_die("read o");
	it_out("o reaped by init: %s", it_await_gone(o) ? "yes" : "no");
}

int main(int argc, char **argv)
{
	it_child_modes(argc, argv);
	it_init();
	pid_t dead = it_dead_pid();
	own_ids(dead);
	other_processes(getpid());
	zombie();
	reparented();
	return 0;
}
