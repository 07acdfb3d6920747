/* t_ptrace_init.c — root may trace the init of its pid namespace: PTRACE_ATTACH of pid 1 stops it, waitpid(1) reports the stop, PTRACE_DETACH lets it go; the tree goes on meanwhile. */
#include "lib/itest.h"

#include <sys/ptrace.h>

/*
 * LTP ptrace11.  Under jobshim pid 1 is the supervisor, which a tracer may
 * not stop (every round trip of the tree would wait, the tracer's own
 * included): the tracer gets a stand-in (supervisor/initproxy.c).  While
 * "init" is stopped, a fork, a wait and a group's read still work, as
 * natively.  As root only (run.sh runs the tests as root, in a private pid
 * namespace whose init is native_init); a tracer of another uid gets EPERM.
 */

int main(void)
{
	it_init();
	if (geteuid() != 0) {
		it_out("not root: skipped");
		return 0;
	}
	IT_RC("ptrace(PTRACE_ATTACH, 1)", ptrace(PTRACE_ATTACH, 1, NULL, NULL));
	int st = 0;
	IT_PID("waitpid(1)", waitpid(1, &st, 0));
	it_out("  %s", it_status(st));
	/* init is stopped: the rest of the tree is not */
	pid_t me = getpid(), c = it_fork("child");
	if (c == 0)
		_exit(getppid() == me ? 9 : 8);
	IT_PID("waitpid(child)", waitpid(c, &st, 0));
	it_out("  %s", it_status(st));
	IT_RC("getpgid(0) is ours", getpgid(0) == getpgrp() ? 0 : -1);
	IT_RC("ptrace(PTRACE_DETACH, 1)", ptrace(PTRACE_DETACH, 1, NULL, NULL));
	IT_RC("ptrace(PTRACE_DETACH, 1) again", ptrace(PTRACE_DETACH, 1, NULL, NULL));
	IT_RC("ptrace(PTRACE_SEIZE, 1)", ptrace(PTRACE_SEIZE, 1, NULL, NULL));
	IT_RC("ptrace(PTRACE_INTERRUPT, 1)", ptrace(PTRACE_INTERRUPT, 1, NULL, NULL));
	IT_PID("waitpid(1) after the interrupt", waitpid(1, &st, 0));
	it_out("  stopped: %s", WIFSTOPPED(st) ? "yes" : "no");
	IT_RC("ptrace(PTRACE_DETACH, 1)", ptrace(PTRACE_DETACH, 1, NULL, NULL));
	IT_RC("waitpid(1, WNOHANG) once detached", waitpid(1, &st, WNOHANG));
	return 0;
}
