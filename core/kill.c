/* kill.c — resolution of kill(pid, sig) into per-process signal effects. */
#include "eng_internal.h"

/* Signal every member of g except init (which ignores signals sent from
 * inside its namespace); returns how many effects were added. */
static int32_t kill_group(const struct eng *e, const struct pgrp *g, int sig, struct eng_fx *fx)
{
	const struct proc *p;
	int32_t n = 0;

	DL_FOREACH2(g->members, p, mem_next) {
		if (p == e->init)
			continue;
		fx_signal(fx, p->vpid, sig);
		n++;
	}
	return n;
}

int eng_kill(struct eng *e, int32_t caller, int32_t pid, int sig, struct eng_fx *fx)
{
	const struct proc *cp, *p = NULL;
	const struct pgrp *g = NULL;
	size_t ev, need;
	int32_t n = 0;
	int rc;

	/* -INT_MIN does not exist; Linux refuses it before any lookup. */
	if (pid == INT32_MIN)
		return -ESRCH;
	cp = proc_find(e, caller);
	if (!cp)
		return -ESRCH;
	/* Linux looks the targets up first and validates the signal per target
	 * (check_kill_permission): kill(unknown, 65) is ESRCH, not EINVAL. */
	if (pid > 0) {
		p = proc_find(e, pid);
		if (!p)
			return -ESRCH;
		need = 2;
	} else if (pid == 0) {
		g = cp->pgrp;
		need = 1 + g->nmembers;
	} else if (pid == -1) {
		/* Everything but init and the caller: nothing else -> ESRCH. */
		if (e->nproc <= (cp == e->init ? 1u : 2u))
			return -ESRCH;
		need = 1 + e->nproc;
	} else {
		g = pgrp_find(e, -pid);
		if (!g)
			return -ESRCH;
		need = 1 + g->nmembers;
	}
	if (sig < 0 || sig > ENG_SIG_MAX)
		return -EINVAL;
	rc = fx_reserve(e, fx, need, 0);
	if (rc < 0)
		return rc;
	ev = fx_event(fx, ENG_EV_KILL, caller, pid, sig, 0);
	if (pid > 0) {
		/* A zombie exists and is a target; init drops it silently. */
		if (p != e->init) {
			fx_signal(fx, p->vpid, sig);
			n = 1;
		}
	} else if (pid == -1) {
		for (p = e->ordered; p; p = p->ord_next) {
			if (p == e->init || p == cp)
				continue;
			fx_signal(fx, p->vpid, sig);
			n++;
		}
	} else {
		n = kill_group(e, g, sig, fx);
	}
	if (ev < fx->n)
		fx->v[ev].c = n;
	return 0;
}
