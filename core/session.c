/* session.c — sessions: setsid and getsid. */
#include "eng_internal.h"

struct session *session_find(const struct eng *e, int32_t vsid)
{
	struct session *s;

	HASH_FIND(hh, e->sessions, &vsid, sizeof(vsid), s);
	return s;
}

int session_create(struct eng *e, int32_t vsid, struct session **out)
{
	struct session *s = eng_alloc(e, sizeof(*s));

	if (!s)
		return -ENOMEM;
	memset(s, 0, sizeof(*s));
	s->vsid = vsid;
	HASH_ADD(hh, e->sessions, vsid, sizeof(s->vsid), s);
	if (!ENG_HASH_ADDED(s, hh)) {
		eng_release(e, s, sizeof(*s));
		return -ENOMEM;
	}
	e->nsess++;
	*out = s;
	return 0;
}

void session_destroy(struct eng *e, struct session *s)
{
	HASH_DELETE(hh, e->sessions, s);
	e->nsess--;
	eng_release(e, s, sizeof(*s));
}

int eng_setsid(struct eng *e, int32_t caller, struct eng_fx *fx)
{
	struct proc *p = proc_find(e, caller);
	struct session *s;
	struct pgrp *g;
	int rc;

	if (!p || p->zombie)
		return -ESRCH;
	/* ksys_setsid: a session leader is always its group's leader, and a
	 * group still named after the caller (it left, others remain) would
	 * end up in two sessions. */
	if (p->pgrp->vpgid == caller || pgrp_find(e, caller))
		return -EPERM;
	rc = fx_reserve(e, fx, 1, 0);
	if (rc < 0)
		return rc;
	rc = session_create(e, caller, &s);
	if (rc < 0)
		return rc;
	rc = pgrp_create(e, caller, s, &g);
	if (rc < 0) {
		session_destroy(e, s);
		return rc;
	}
	/* No orphan check: setsid never triggers the rule (Linux checks at
	 * exit only), even if the caller was its old group's last link. */
	pgrp_move(e, p, g);
	fx_event(fx, ENG_EV_SETSID, caller, caller, 0, 0);
	return caller;
}

int eng_session_set_kernel(struct eng *e, int32_t vsid, bool on)
{
	struct session *s = session_find(e, vsid);

	if (!s)
		return -ESRCH;
	s->kernel_orphans = on;
	return 0;
}

int eng_getsid(const struct eng *e, int32_t caller, int32_t pid)
{
	const struct proc *p = proc_find(e, pid ? pid : caller);

	/* Linux answers for a process in another session too (no EPERM). */
	return p ? p->pgrp->sess->vsid : -ESRCH;
}
