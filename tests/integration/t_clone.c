/* t_clone.c — glibc clone(fn, stack, SIGCHLD, arg): the child has its own pid, its parent and group; waitable by clone's result, waitpid(0) and waitpid(-1). */
#include "lib/itest.h"

#define STACK_SIZE (1 << 16)
static char child_stack[STACK_SIZE] __attribute__((aligned(16)));

struct carg {
	const char *name;
	int code;
};

/* The child names itself by its own getpid(): if clone's result and the
 * child's pid disagreed, the two sides would print different labels. */
static int child_fn(void *p)
{
	const struct carg *a = p;
	char what[64];

	it_name(getpid(), a->name);
	snprintf(what, sizeof what, "%s: getpid()", a->name);
	IT_PID(what, getpid());
	snprintf(what, sizeof what, "%s: getppid()", a->name);
	IT_PID(what, getppid());
	snprintf(what, sizeof what, "%s: getpgrp()", a->name);
	IT_PID(what, getpgrp());
	return a->code;
}

/* clone, then wait with `sel` (the child's id, 0 or -1): the child's lines
 * come first, as the parent prints only after the wait. */
static void clone_and_wait(const char *name, int code, int how)
{
	struct carg a = { name, code };
	int st = 0;
	pid_t pid = clone(child_fn, child_stack + STACK_SIZE, SIGCHLD, &a);
	pid_t sel = how == 1 ? pid : how == 0 ? 0 : -1;
	pid_t r;

	if (pid < 0)
		it_die("clone");
	it_name(pid, name);
	while ((r = waitpid(sel, &st, 0)) < 0 && errno == EINTR)
		;
	it_out("%s: clone() = %s, waitpid(%s) = %s, %s", name, it_l(pid),
	       how == 1 ? name : how == 0 ? "0" : "-1", it_l(r), it_status(st));
}

int main(int argc, char **argv)
{
	it_child_modes(argc, argv);
	it_init();
	clone_and_wait("c1", 7, 1);
	clone_and_wait("c2", 0, 0);
	clone_and_wait("c3", 3, -1);
	IT_RC("clone(NULL fn)", clone(NULL, child_stack + STACK_SIZE, SIGCHLD, NULL));
	IT_RC("clone(NULL stack)", clone(child_fn, NULL, SIGCHLD, NULL));
	IT_RC("waitpid(-1) with no child", waitpid(-1, NULL, 0));
	return 0;
}
