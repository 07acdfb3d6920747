/* t_closefds.c — a process that closes every fd (daemons, Python's subprocess) keeps its job-control view. */
#include <time.h>

#include "lib/itest.h"

/*
 * Programs routinely close every descriptor above 2 before exec or when
 * they daemonize (close_range, or a loop up to the fd limit).  Whatever a
 * preloaded library keeps open is closed too; ids, sessions and waits must
 * still behave as natively afterwards.  The child talks to main only
 * through the shared label table (it_sh->step): it has no pipe left.
 */

static void await_step(int n)
{
	struct timespec ts = { 0, 1000000 };
	while (it_sh->step != n)
		nanosleep(&ts, NULL);
}

static void after_close(const char *who, pid_t me)
{
	char what[80];
	snprintf(what, sizeof what, "%s: getppid()", who);
	IT_PID(what, getppid());
	snprintf(what, sizeof what, "%s: setsid()", who);
	IT_PID(what, setsid());
	snprintf(what, sizeof what, "%s: getsid(0)", who);
	IT_PID(what, getsid(0));
	snprintf(what, sizeof what, "%s: getpgid(main)", who);
	IT_PID(what, getpgid(me));
	pid_t g = it_fork("g");
	if (g == 0) {
		IT_PID("g: getppid()", getppid());
		IT_PID("g: getsid(0)", getsid(0));
		_exit(4);
	}
	snprintf(what, sizeof what, "%s: waitpid(g)", who);
	int st = 0;
	errno = 0;
	pid_t r = waitpid(g, &st, 0);
	if (r < 0)
		it_out("%s: -1 %s", what, it_errname(errno));
	else
		it_out("%s: %s %s", what, it_l(r), it_status(st));
}

static void one(const char *name, int use_close_range, pid_t me, int step)
{
	pid_t c = it_fork(name);
	if (c == 0) {
		/* A call that needs the supervisor before the close, as Python's
		 * child makes with process_group=0. */
		getpgid(me);
		if (use_close_range) {
			if (close_range(3, ~0U, 0) < 0)
				it_die("close_range");
		} else {
			for (int fd = 3; fd < 4096; fd++)
				close(fd);
		}
		after_close(name, me);
		it_sh->step = step;
		await_step(step + 1);
		_exit(0);
	}
	await_step(step);
	IT_PID("getsid(child)", getsid(c));
	IT_PID("getpgid(child)", getpgid(c));
	it_sh->step = step + 1;
	it_out("%s: %s", name, it_status(it_reap(c)));
}

int main(int argc, char **argv)
{
	it_child_modes(argc, argv);
	it_init();
	pid_t me = getpid();
	it_out("-- close_range(3, ~0U) in a child");
	one("c1", 1, me, 1);
	it_out("-- close(3..4095) in a child");
	one("c2", 0, me, 3);
	return 0;
}
