/* t_rawcalls.c — syscall(SYS_rt_sigtimedwait)'s si_pid, and clone() children in new non-pid namespaces waited by the pid clone returned. */
#include "lib/itest.h"

#include <sched.h>
#include <sys/syscall.h>

static void raw_sigtimedwait(void)
{
	sigset_t set;
	siginfo_t si;

	it_out("-- syscall(SYS_rt_sigtimedwait)");
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	pid_t me = getpid();
	pid_t c = it_fork("sender");
	if (c == 0) {
		IT_RC("sender: kill(main, SIGUSR1)", kill(me, SIGUSR1));
		_exit(0);
	}
	long r = syscall(SYS_rt_sigtimedwait, &set, &si, NULL, _NSIG / 8);
	/* printed once the sender is gone: its line comes first */
	it_out("sender: %s", it_status(it_reap(c)));
	it_out("rt_sigtimedwait: %s, si_pid %s, si_code %s", r == SIGUSR1 ? "SIGUSR1" : "?",
	       it_l(si.si_pid), si.si_code == SI_USER ? "SI_USER" : "?");
	struct timespec zero = { 0, 0 };
	IT_RC("rt_sigtimedwait, nothing pending", syscall(SYS_rt_sigtimedwait, &set, &si, &zero, _NSIG / 8));
	IT_RC("rt_sigtimedwait, bad sigsetsize", syscall(SYS_rt_sigtimedwait, &set, &si, &zero, 3));
}

static char stack[64 * 1024] __attribute__((aligned(16)));

static int child_fn(void *arg)
{
	(void)arg;
	return 7;
}

static void ns_clone(const char *what, int flags)
{
	errno = 0;
	pid_t c = clone(child_fn, stack + sizeof(stack), flags | SIGCHLD, NULL);
	if (c < 0) {
		it_out("%s: -1 %s", what, it_errname(errno));
		return;
	}
	it_name(c, what);
	int st;
	pid_t w = waitpid(c, &st, 0);
	it_out("%s: waitpid(clone's pid) = %s, %s", what, it_l(w), it_status(st));
}

int main(int argc, char **argv)
{
	it_child_modes(argc, argv);
	it_init();
	raw_sigtimedwait();
	it_out("-- clone() into new namespaces");
	ns_clone("plain", 0);
	ns_clone("newuts", CLONE_NEWUTS);
	ns_clone("newipc", CLONE_NEWIPC);
	ns_clone("newns", CLONE_NEWNS);
	ns_clone("newuts+newipc", CLONE_NEWUTS | CLONE_NEWIPC);
	/* The raw system call, fork-like (no stack). */
	pid_t c = (pid_t)syscall(SYS_clone, CLONE_NEWUTS | SIGCHLD, 0, 0, 0, 0);
	if (c == 0)
		_exit(9);
	if (c < 0) {
		it_out("syscall(SYS_clone, CLONE_NEWUTS): -1 %s", it_errname(errno));
	} else {
		it_name(c, "rawuts");
		int st;
		pid_t w = waitpid(c, &st, 0);
		it_out("rawuts: waitpid(clone's pid) = %s, %s", it_l(w), it_status(st));
	}
	return 0;
}
