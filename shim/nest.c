/* nest.c — leaving the tree's shim: a nested `jobshim run`, and the init of a nested pid namespace. */
#include "shim.h"

#include <unistd.h>

extern char **environ;

/*
 * A `jobshim run` started inside a tree is an ordinary process of that
 * tree (the outer supervisor knows it from its fork and exec), but it is
 * the supervisor of a namespace of its own: its own fork, getpid, kill,
 * wait, prctl and /proc reads must be the kernel's, and the environment it
 * gives its command (its socket, JOBSHIM_SELF) must reach that command
 * unchanged.  Interposed, none of that holds: getpid answers the outer
 * vpid, the exec wrapper replaces JOBSHIM_SELF with the outer identity, and
 * the inner command joins the outer tree.  So the supervisor calls this
 * (found with dlsym: a jobshim not preloaded finds nothing) before anything
 * else, and the shim passes every call through from then on, as in a
 * process that was never under jobshim.  The inner supervisor's own
 * processes carry the inner socket and talk to the inner supervisor only.
 */
__attribute__((visibility("default"))) void jobshim_detach(void)
{
	shim_init();
	shim_self_detach();
}

/* Drop JOBSHIM_SOCKET, JOBSHIM_LIB and JOBSHIM_SELF from environ in place
 * (no allocation: this may run in a fork child of a threaded program), so
 * that the images below start with the shim inert (mode NONE).  The shim
 * stays in LD_PRELOAD, passing every call through. */
static void env_drop_ours(void)
{
	static const char *const names[] = { "JOBSHIM_SOCKET=", "JOBSHIM_LIB=", "JOBSHIM_SELF=" };
	char **to = environ;

	if (environ == NULL)
		return;
	for (char **e = environ; *e != NULL; e++) {
		bool ours = false;
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && !ours; i++) {
			const char *n = names[i], *v = *e;
			while (*n != '\0' && *n == *v) {
				n++;
				v++;
			}
			ours = *n == '\0';
		}
		if (!ours)
			*to++ = *e;
	}
	*to = NULL;
}

/*
 * A process whose parent is outside its pid namespace (getppid() is 0: the
 * first process of a namespace made with unshare(CLONE_NEWPID) or clone,
 * or a child forked after setns) cannot be a process of the tree: its real
 * pids (its own, the ones fork returns to it, those in /proc) are numbers
 * of another namespace than the supervisor's, so a BIND or kill in them
 * would name unrelated processes of the supervisor's namespace.  It and
 * everything below it leave the tree: the shim passes their calls through,
 * which is what Linux gives them (getpid() is 1 in the new namespace).
 * The supervisor still sees them as real descendants, which its teardown
 * and kill(-1) reach (docs/internals.md, "Nesting").
 */
void shim_nest_check(void)
{
	if (shim_sys_getppid() != 0)
		return;
	shim_self_detach();
	env_drop_ours();
}
