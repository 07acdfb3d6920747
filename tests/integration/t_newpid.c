/* t_newpid.c — clone3 and glibc clone with CLONE_NEWPID (LTP clone301 shape): the child is pid 1 of its namespace, the parent waits for it by clone's result. */
#include <errno.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define STACK_SIZE (1 << 16)
static char child_stack[STACK_SIZE] __attribute__((aligned(16)));

/* The child's view: pid 1 of the new namespace, no parent in it. */
static int child_fn(void *p)
{
	printf("%s child: getpid() = %d, getppid() = %d\n", (const char *)p, getpid(), getppid());
	fflush(stdout);
	return 5;
}

static void report(const char *what, pid_t c, pid_t sel)
{
	int st = 0;
	pid_t w;

	if (c < 0) {
		printf("%s: failed: %s\n", what, strerror(errno));
		return;
	}
	w = waitpid(sel == 0 ? c : sel, &st, 0);
	printf("%s: waitpid(%s) = %s, exit %d\n", what, sel == 0 ? "clone's result" : "-1",
	       w == c ? "clone's result" : "another pid", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

int main(void)
{
	struct clone_args ca;
	long c;

	setvbuf(stdout, NULL, _IONBF, 0);
	printf("parent: getpid() = %d\n", getpid());
	/* raw clone3, as LTP's clone301 */
	memset(&ca, 0, sizeof(ca));
	ca.flags = CLONE_NEWPID;
	ca.exit_signal = SIGCHLD;
	c = syscall(SYS_clone3, &ca, sizeof(ca));
	if (c == 0)
		_exit(child_fn("clone3"));
	report("clone3(CLONE_NEWPID)", (pid_t)c, 0);
	c = syscall(SYS_clone3, &ca, sizeof(ca));
	if (c == 0)
		_exit(child_fn("clone3 again"));
	report("clone3(CLONE_NEWPID) again", (pid_t)c, -1);
	/* glibc's clone */
	c = clone(child_fn, child_stack + STACK_SIZE, CLONE_NEWPID | SIGCHLD, "clone");
	report("clone(CLONE_NEWPID)", (pid_t)c, 0);
	return 0;
}
