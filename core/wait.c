/* wait.c — which children a wait4(sel, options) may collect. */
#include "eng_internal.h"

#include <sys/wait.h>

/* kernel_wait4()'s accepted options (numeric values from <sys/wait.h>). */
#define WAIT_OPTIONS ((unsigned)WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL)

int eng_wait_select(const struct eng *e, int32_t caller, int32_t sel, int options,
		    int32_t *out, size_t cap)
{
	const struct proc *cp, *c;
	const struct pgrp *g = NULL;
	size_t n = 0;

	if ((unsigned)options & ~WAIT_OPTIONS)
		return -EINVAL;
	/* kernel_wait4: -INT_MIN is not a group, ESRCH before anything. */
	if (sel == INT32_MIN)
		return -ESRCH;
	cp = proc_find(e, caller);
	if (!cp)
		return -ECHILD;
	/* eligible_child()'s exit-signal rule (__WCLONE, __WALL) is the
	 * kernel's: a clone3 child may have any exit signal, which the model
	 * does not keep; the caller's wait of each candidate applies it. */
	if (sel > 0) {
		c = proc_find(e, sel);
		if (!c || c->parent != cp)
			return -ECHILD;
		if (cap)
			out[0] = sel;
		return 1;
	}
	if (sel == 0) {
		g = cp->pgrp;
	} else if (sel < -1) {
		g = pgrp_find(e, -sel);
		if (!g)
			return -ECHILD;
	}
	DL_FOREACH2(cp->children, c, sib_next) {
		if (g && c->pgrp != g)
			continue;
		if (n < cap)
			out[n] = c->vpid;
		n++;
	}
	if (n == 0)
		return -ECHILD;
	return n > INT32_MAX ? INT32_MAX : (int)n;
}
