/* nest.c — a nested `jobshim run` takes itself out of the enclosing namespace's shim. */
#include "shim.h"

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
	shim_self_detach();
}
