/* t_clone_vm_errno.c — a CLONE_VM child shares its parent's errno (no TLS of its own): its successful calls must leave the EINTR its signals give the parent's wait alone. */
#include <sched.h>

#include "lib/itest.h"

/*
 * glibc's clone() without CLONE_SETTLS gives the child its parent's
 * thread pointer, so both processes' errno is one word.  Natively a call
 * that succeeds writes no errno, so the parent's loop below -- waitpid(0)
 * retried on EINTR while the child sends it SIGCONT after SIGCONT -- ends
 * with the child.  Under jobshim the child's kill is a round trip whose
 * socket reads failed with EAGAIN and whose end put the caller's errno
 * back: either write could land between the parent's EINTR and its test
 * of errno, and the wait ended with -1 (EAGAIN, or the value the child
 * had saved).  The t_clone_vm test met it once under load; here the
 * child signals in a loop, so every round has hundreds of chances.
 */

#define ROUNDS 20
#define SIGNALS 300
#define STACK_SIZE (1 << 16)

static char child_stack[STACK_SIZE] __attribute__((aligned(16)));
static volatile sig_atomic_t conts;
static volatile int sent;

static void on_cont(int sig)
{
	(void)sig;
	conts++;
}

static int signaller(void *arg)
{
	pid_t parent = getppid();

	(void)arg;
	for (int i = 0; i < SIGNALS; i++) {
		if (kill(parent, SIGCONT) == 0)
			sent++;
		sched_yield();
	}
	return 7;
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	int wrong = 0, all_sent = 1, exits_ok = 1;

	it_child_modes(argc, argv);
	it_init();
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_cont;
	sigaction(SIGCONT, &sa, NULL);
	for (int round = 0; round < ROUNDS; round++) {
		int st = 0;
		pid_t r, pid;

		sent = 0;
		pid = clone(signaller, child_stack + STACK_SIZE, CLONE_VM, NULL);
		if (pid < 0)
			it_die("clone");
		while ((r = waitpid(0, &st, __WALL)) < 0 && errno == EINTR)
			;
		if (r != pid) {
			if (wrong++ == 0)
				it_out("round %d: waitpid = %d, errno %s (not the child)", round, (int)r,
				       r < 0 ? it_errname(errno) : "-");
			/* the child still to reap, whatever errno says now */
			while (waitpid(pid, &st, __WALL) < 0 && errno == EINTR)
				;
		}
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 7)
			exits_ok = 0;
		if (sent != SIGNALS)
			all_sent = 0;
	}
	it_out("%d rounds of %d SIGCONTs from a CLONE_VM child to its waiting parent", ROUNDS, SIGNALS);
	it_out("waits that ended on something else than the child: %d", wrong);
	it_out("every kill succeeded: %s; every child exited 7: %s", all_sent ? "yes" : "no",
	       exits_ok ? "yes" : "no");
	it_out("waitpid(-1) with no child: %s", waitpid(-1, NULL, __WALL) < 0 ? it_errname(errno) : "a child");
	return 0;
}
