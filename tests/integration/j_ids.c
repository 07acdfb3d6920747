/* j_ids.c — launcher-only facts (run only under jobshim): raw virtual ids, creation order, init. */
#include <spawn.h>

#include "lib/itest.h"

/*
 * Raw numbers on purpose: under `jobshim run` the command is vpid 2
 * (parent 1, session 2, group 2) and its descendants are numbered 3, 4, ...
 * in creation order, the same on every run.  Natively none of this holds,
 * so this program has no native run.
 */

extern char **environ;

static void show(const char *who)
{
	it_out("%s: pid %d ppid %d pgid %d sid %d", who, (int)getpid(), (int)getppid(),
	       (int)getpgrp(), (int)getsid(0));
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--show") == 0) {
		show("exec'd");
		return 0;
	}
	it_child_modes(argc, argv);
	it_init();
	show("command");
	IT_RC("getpgid(1)", getpgid(1));
	IT_RC("getsid(1)", getsid(1));

	pid_t c = fork();
	if (c == 0) {
		show("first child");
		pid_t g = fork();
		if (g == 0) {
			show("grandchild");
			_exit(0);
		}
		/* Print after the reap: the child's own line comes first
		 * whatever the scheduler does. */
		it_reap(g);
		it_out("first child: fork returned %d", (int)g);
		_exit(0);
	}
	it_reap(c);
	it_out("command: fork returned %d", (int)c);

	c = fork();
	if (c == 0) {
		setpgid(0, 0);
		show("second child");
		_exit(0);
	}
	it_reap(c);

	c = vfork();
	if (c == 0)
		_exit(0);
	it_out("command: vfork returned %d", (int)c);
	it_reap(c);

	const char *exe = it_self_exe();
	char *av[] = { (char *)exe, "--show", NULL };
	posix_spawnattr_t at;
	posix_spawnattr_init(&at);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSID);
	if (posix_spawn(&c, exe, NULL, &at, av, environ) != 0)
		it_die("posix_spawn");
	it_reap(c);
	it_out("command: posix_spawn gave %d", (int)c);

	/* vpid 1 ignores signals from inside: it is still there to serve. */
	IT_RC("kill(1, 0)", kill(1, 0));
	IT_RC("kill(1, SIGTERM)", kill(1, SIGTERM));
	IT_RC("kill(1, SIGKILL)", kill(1, SIGKILL));
	IT_RC("kill(-1, 0) (nobody else in the tree)", kill(-1, 0));
	c = fork();
	if (c == 0)
		_exit(3);
	it_out("command: fork after kill(1) returned %d", (int)c);
	it_out("%d: %s", (int)c, it_status(it_reap(c)));
	return 0;
}
