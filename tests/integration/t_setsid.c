/* t_setsid.c — setsid(2): EPERM for a group leader or a live group with the caller's id; success. */
#include "lib/itest.h"

static void leader_rules(void)
{
	it_out("-- the caller leads its session and group");
	IT_RC("setsid()", setsid());
	IT_PID("getsid(0)", getsid(0));

	pid_t c1 = it_fork("c1");
	if (c1 == 0) {
		IT_RC("c1: setpgid(0, 0)", setpgid(0, 0));
		IT_RC("c1: setsid() (a group leader)", setsid());
		IT_PID("c1: getsid(0)", getsid(0));
		_exit(0);
	}
	it_out("c1: %s", it_status(it_reap(c1)));
}

static void success(pid_t me)
{
	it_out("-- a plain member of the caller's group");
	struct it_chan ready = it_chan(), rel = it_chan();
	pid_t c2 = it_fork("c2");
	if (c2 == 0) {
		IT_PID("c2: setsid()", setsid());
		IT_PID("c2: getsid(0)", getsid(0));
		IT_PID("c2: getpgrp()", getpgrp());
		IT_PID("c2: getppid()", getppid());
		IT_RC("c2: setsid() again", setsid());
		IT_RC("c2: setpgid(0, 0)", setpgid(0, 0));
		pid_t g = it_fork("g2");
		if (g == 0) {
			IT_PID("g2: getsid(0) (inherited)", getsid(0));
			IT_PID("g2: getpgrp() (inherited)", getpgrp());
			IT_PID("g2: setsid()", setsid());
			_exit(0);
		}
		it_out("g2: %s", it_status(it_reap(g)));
		it_put(ready, 'r');
		it_get(rel);
		_exit(0);
	}
	it_expect(ready, 'r');
	IT_PID("getsid(c2)", getsid(c2));
	IT_PID("getpgid(c2)", getpgid(c2));
	IT_PID("getsid(0)", getsid(0));
	IT_PID("getsid(main)", getsid(me));
	it_put(rel, 'x');
	it_out("c2: %s", it_status(it_reap(c2)));
}

/* The caller left the group named by its pid, but the group lives on in a
 * member (alive, then zombie): setsid stays EPERM until the member is reaped. */
static void group_remains(pid_t me)
{
	it_out("-- a group with the caller's id still exists");
	struct it_chan rel = it_chan();
	pid_t c3 = it_fork("c3");
	if (c3 == 0) {
		IT_RC("c3: setpgid(0, 0)", setpgid(0, 0));
		pid_t m = it_fork("m3");
		if (m == 0) {
			it_get(rel);
			_exit(0);
		}
		IT_RC("c3: setpgid(0, main) (leaves its group to m3)", setpgid(0, me));
		IT_PID("c3: getpgid(m3)", getpgid(m));
		IT_RC("c3: setsid() (m3 alive in group c3)", setsid());
		it_put(rel, 'x');
		it_await_zombie(m);
		IT_PID("c3: getpgid(m3) (zombie)", getpgid(m));
		IT_RC("c3: setsid() (m3 a zombie in group c3)", setsid());
		it_out("c3: m3 %s", it_status(it_reap(m)));
		IT_PID("c3: setsid() (group c3 gone)", setsid());
		IT_PID("c3: getpgrp()", getpgrp());
		_exit(0);
	}
	it_out("c3: %s", it_status(it_reap(c3)));
}

/* A member of another group whose id is not its own: setsid succeeds and
 * leaves that group behind. */
static void from_other_group(void)
{
	it_out("-- a member of another group");
	struct it_chan ready = it_chan(), rel = it_chan();
	pid_t c4 = it_fork("c4");
	if (c4 == 0) {
		IT_RC("c4: setpgid(0, 0)", setpgid(0, 0));
		it_put(ready, 'r');
		it_get(rel);
		_exit(0);
	}
	it_expect(ready, 'r');
	pid_t c5 = it_fork("c5");
	if (c5 == 0) {
		IT_RC("c5: setpgid(0, c4)", setpgid(0, c4));
		IT_PID("c5: setsid()", setsid());
		IT_PID("c5: getpgrp()", getpgrp());
		IT_PID("c5: getpgid(c4)", getpgid(c4));
		IT_PID("c5: getsid(c4)", getsid(c4));
		_exit(0);
	}
	it_out("c5: %s", it_status(it_reap(c5)));
	it_put(rel, 'x');
	it_out("c4: %s", it_status(it_reap(c4)));
}

int main(int argc, char **argv)
{
	it_child_modes(argc, argv);
	it_init();
	pid_t me = getpid();
	leader_rules();
	success(me);
	group_remains(me);
	from_other_group();
	return 0;
}
