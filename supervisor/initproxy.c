/* initproxy.c — the stand-in for vpid 1 that a tracer of the tree attaches to (LTP ptrace11). */
#include "sup.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/*
 * Linux lets root ptrace the init of its pid namespace: PTRACE_ATTACH
 * stops it, waitpid(1) reports the stop, PTRACE_DETACH lets it go.  Under
 * jobshim vpid 1 is the supervisor, and stopped it would hold every round
 * trip of the tree, the tracer's own included.  So a tracer's vpid 1 is
 * this process instead: a fork of the supervisor that does nothing and
 * holds nothing of ours (its descriptors closed, so no shim waits on it as
 * on us), started at the first PTRACE_ATTACH or PTRACE_SEIZE of vpid 1
 * (shim/ptrace.c) and ended with us (PR_SET_PDEATHSIG).  Its uid is ours,
 * as init's is the namespace's: a tracer of another uid gets EPERM from
 * the kernel.  It is none of the tree's: no vpid, no trace, no leftover
 * (sup_helper_child).  Signals by vpid 1 still reach the supervisor's
 * rules (shim/initsig.c); /proc/1 is still the supervisor.
 */

static pid_t proxy;

pid_t initproxy_pid(void)
{
	return proxy;
}

bool sup_helper_child(pid_t rpid)
{
	return rpid > 0 && (rpid == tracer_pid() || rpid == proxy || rpid == guard_pid());
}

void initproxy_reaped(pid_t rpid)
{
	if (rpid > 0 && rpid == proxy)
		proxy = 0;
}

int initproxy_get(struct sup *s)
{
	if (proxy > 0)
		return proxy;
	pid_t pid = fork();
	if (pid < 0)
		return -EPERM;
	if (pid == 0) {
		sigset_t all;
		int null = open("/dev/null", O_RDWR);

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != s->self_rpid)
			_exit(0);
		if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
			_exit(1);
		syscall(SYS_close_range, 3, ~0U, 0);
		/* Init takes no signal it has no handler for: every one blocked
		 * (SIGKILL and SIGSTOP cannot be; a tracer's stop is the point). */
		sigfillset(&all);
		sigprocmask(SIG_BLOCK, &all, NULL);
		for (;;)
			pause();
	}
	proxy = pid;
	return pid;
}
