/* pgrp.c — process groups: membership, setpgid/getpgid, and the orphaned-group predicate and signals. */
#include "eng_internal.h"

#include <signal.h>

struct pgrp *pgrp_find(const struct eng *e, int32_t vpgid)
{
	struct pgrp *g;

	HASH_FIND(hh, e->pgrps, &vpgid, sizeof(vpgid), g);
	return g;
}

int pgrp_create(struct eng *e, int32_t vpgid, struct session *sess, struct pgrp **out)
{
	struct pgrp *g = eng_alloc(e, sizeof(*g));

	if (!g)
		return -ENOMEM;
	memset(g, 0, sizeof(*g));
	g->vpgid = vpgid;
	g->sess = sess;
	HASH_ADD(hh, e->pgrps, vpgid, sizeof(g->vpgid), g);
	if (!ENG_HASH_ADDED(g, hh)) {
		eng_release(e, g, sizeof(*g));
		return -ENOMEM;
	}
	sess->ngroups++;
	e->ngrp++;
	*out = g;
	return 0;
}

static void pgrp_destroy(struct eng *e, struct pgrp *g)
{
	struct session *s = g->sess;

	HASH_DELETE(hh, e->pgrps, g);
	e->ngrp--;
	eng_release(e, g, sizeof(*g));
	if (--s->ngroups == 0)
		session_destroy(e, s);
}

void pgrp_add(struct pgrp *g, struct proc *p)
{
	DL_APPEND2(g->members, p, mem_prev, mem_next);
	g->nmembers++;
	p->pgrp = g;
}

void pgrp_remove(struct eng *e, struct proc *p)
{
	struct pgrp *g = p->pgrp;

	DL_DELETE2(g->members, p, mem_prev, mem_next);
	p->pgrp = NULL;
	if (--g->nmembers == 0)
		pgrp_destroy(e, g);
}

void pgrp_move(struct eng *e, struct proc *p, struct pgrp *g)
{
	pgrp_remove(e, p);
	pgrp_add(g, p);
}

/* ---- orphaned groups ---------------------------------------------------- */

bool pgrp_orphaned(const struct eng *e, const struct pgrp *g, const struct proc *ignore)
{
	const struct proc *p;

	DL_FOREACH2(g->members, p, mem_next) {
		const struct proc *par = p->parent;

		/* A zombie no longer links its group to anything, and init is
		 * outside every job-control session of the tree. */
		if (p == ignore || p->zombie || !par || par == e->init)
			continue;
		if (par->pgrp != g && par->pgrp->sess == g->sess)
			return false;
	}
	return true;
}

bool eng_pgrp_orphaned(const struct eng *e, int32_t pgid, int32_t ignore)
{
	const struct pgrp *g = pgrp_find(e, pgid);

	if (!g)
		return false;
	return pgrp_orphaned(e, g, ignore ? proc_find(e, ignore) : NULL);
}

/* Append g's live members and their parents (init left out) to out. */
static void witness_group(const struct eng *e, const struct pgrp *g, int32_t *out, size_t cap,
			  size_t *n)
{
	const struct proc *p;

	if (!g)
		return;
	DL_FOREACH2(g->members, p, mem_next) {
		if (p->zombie)
			continue;
		if (*n < cap)
			out[*n] = p->vpid;
		(*n)++;
		if (p->parent && p->parent != e->init) {
			if (*n < cap)
				out[*n] = p->parent->vpid;
			(*n)++;
		}
	}
}

/*
 * Which exits does moving vpid to group to_pgid (0: a new group of its
 * own, as setsid makes) reorder?  The kernel decides the orphan rule at
 * each exit, against the groups as they are then; the model learns an
 * exit later (a pidfd, a parent's REAPED), and a move handled in between
 * would make it judge the exit against the groups after the move.  An
 * exit's judgement looks at the exiting process's group and its
 * children's groups; the move changes the links of vpid's old and new
 * groups and of its children's groups.  So the witnesses are the live
 * members of those groups and their parents, plus vpid's parent.  Writes
 * up to cap vpids (repeats possible) and returns how many there are in
 * all; 0 for an unknown or zombie vpid.  Pure.
 */
size_t eng_move_witnesses(const struct eng *e, int32_t vpid, int32_t to_pgid, int32_t *out,
			  size_t cap)
{
	const struct proc *t = proc_find(e, vpid), *c;
	size_t n = 0;

	if (!t || t->zombie)
		return 0;
	if (t->parent && t->parent != e->init) {
		if (n < cap)
			out[n] = t->parent->vpid;
		n++;
	}
	witness_group(e, t->pgrp, out, cap, &n);
	if (to_pgid > 0 && to_pgid != t->pgrp->vpgid)
		witness_group(e, pgrp_find(e, to_pgid), out, cap, &n);
	DL_FOREACH2(t->children, c, sib_next)
		if (c->pgrp != t->pgrp)
			witness_group(e, c->pgrp, out, cap, &n);
	return n;
}

/*
 * Which exits does a change of a member's stopped state reorder?  The
 * kernel asks has_stopped_jobs() at the exit; the model asks /proc when it
 * learns of the exit, which may be after a SIGCONT, SIGKILL or stop handled
 * in between.  The exits that judge group pgid are those of its live
 * members and of their parents.  Same contract as eng_move_witnesses.
 */
size_t eng_pgrp_witnesses(const struct eng *e, int32_t pgid, int32_t *out, size_t cap)
{
	size_t n = 0;

	witness_group(e, pgrp_find(e, pgid), out, cap, &n);
	return n;
}

/* Append g's links (live members with a parent outside g in g's session)
 * to out, when g has another live member their exit could orphan. */
static void links_of(const struct eng *e, const struct pgrp *g, int32_t *out, size_t cap, size_t *n)
{
	const struct proc *p;
	size_t live = 0;

	if (!g)
		return;
	DL_FOREACH2(g->members, p, mem_next)
		live += !p->zombie;
	if (live < 2)
		return;
	DL_FOREACH2(g->members, p, mem_next) {
		const struct proc *par = p->parent;
		if (p->zombie || !par || par == e->init || par->pgrp == g || par->pgrp->sess != g->sess)
			continue;
		if (*n < cap)
			out[*n] = p->vpid;
		(*n)++;
	}
}

/*
 * After vpid moved (from group old_pgid; 0: unknown), the processes whose
 * exit may now orphan a group with other live members: the links of its
 * old and new groups and of its children's groups.  The supervisor learns
 * such an exit at once (a pidfd) rather than lazily.  Same contract as
 * eng_move_witnesses.
 */
size_t eng_move_links(const struct eng *e, int32_t vpid, int32_t old_pgid, int32_t *out, size_t cap)
{
	const struct proc *t = proc_find(e, vpid), *c;
	size_t n = 0;

	if (!t)
		return 0;
	links_of(e, t->pgrp, out, cap, &n);
	if (old_pgid > 0 && old_pgid != t->pgrp->vpgid)
		links_of(e, pgrp_find(e, old_pgid), out, cap, &n);
	DL_FOREACH2(t->children, c, sib_next)
		if (c->pgrp != t->pgrp && c->pgrp->vpgid != old_pgid)
			links_of(e, c->pgrp, out, cap, &n);
	return n;
}

static bool pgrp_member_stopped(const struct eng *e, const struct proc *p)
{
	/* A zombie is not in a group stop (its signal state says "exiting"). */
	if (p->zombie)
		return false;
	if (!e->is_stopped)
		return p->stopped;
	/* In a real session the kernel has sent the pair by the time the exit
	 * reaches us: a member it continued runs again, and the stop its
	 * parent last reported (the record) is what says it was stopped. */
	return e->is_stopped(e->ctx, p->vpid, p->rpid) || (p->pgrp->sess->kernel_orphans && p->stopped);
}

/* Is vpid among the ids added to fx since `from` (the stopped members)? */
static bool listed(const struct eng_fx *fx, size_t from, int32_t vpid)
{
	for (size_t i = from; i < fx->nids; i++)
		if (fx->ids[i] == vpid)
			return true;
	return false;
}

/* A member that is neither a zombie nor listed as stopped since `from`. */
static bool running_member(const struct pgrp *g, const struct eng_fx *fx, size_t from)
{
	const struct proc *p;

	DL_FOREACH2(g->members, p, mem_next)
		if (!p->zombie && !listed(fx, from, p->vpid))
			return true;
	return false;
}

void pgrp_orphan_check(struct eng *e, struct pgrp *g, const struct proc *ignore,
		       const struct proc *culprit, enum eng_orphan_cause cause, struct eng_fx *fx)
{
	struct proc *p;
	size_t ev, nids_before = fx->nids;

	/* The predicate first: the stopped oracle may read /proc, and it is
	 * only needed for a group that really is orphaned. */
	if (!pgrp_orphaned(e, g, ignore))
		return;
	ev = fx_event(fx, ENG_EV_ORPHAN, 0, g->vpgid, culprit->vpid,
		      (int32_t)cause | (g->sess->kernel_orphans ? ENG_ORPHAN_KERNEL : 0));
	DL_FOREACH2(g->members, p, mem_next)
		if (pgrp_member_stopped(e, p))
			fx_add_id(fx, ev, p->vpid);
	if (fx->nids == nids_before) {
		/* has_stopped_jobs() is false: nothing to wake, no event. */
		fx->n = ev;
		return;
	}
	/* __kill_pgrp_info(SIGHUP), then SIGCONT, to every task attached to
	 * the group: zombies included (the supervisor skips those).  Some
	 * kernels send the SIGHUP to the stopped members only: asked only when
	 * a member is running, so that the answer can matter.  The event says
	 * which, also where the kernel signals the group itself. */
	bool hup_all = true;
	if (e->orphan_hup_all && running_member(g, fx, nids_before))
		hup_all = e->orphan_hup_all(e->ctx);
	if (!hup_all)
		fx->v[ev].c |= ENG_ORPHAN_HUP_STOPPED;
	/* The kernel signals a real session's group itself: the event only
	 * explains it, so that nobody gets the pair twice.  Its SIGCONT
	 * continued every stopped member: the records follow, a CONT event
	 * each (in the room eng_exit kept for the pair), so that a later exit
	 * does not take a stale record for a stop. */
	if (g->sess->kernel_orphans) {
		DL_FOREACH2(g->members, p, mem_next)
			if (p->stopped && !p->zombie) {
				p->stopped = false;
				fx_event(fx, ENG_EV_CONT, p->vpid, 0, 0, 0);
			}
		return;
	}
	DL_FOREACH2(g->members, p, mem_next)
		if (hup_all || listed(fx, nids_before, p->vpid))
			fx_signal(fx, p->vpid, SIGHUP);
	DL_FOREACH2(g->members, p, mem_next)
		fx_signal(fx, p->vpid, SIGCONT);
}

/* ---- setpgid / getpgid ---------------------------------------------------- */

/*
 * Rule order follows kernel/sys.c: the child checks (other session EPERM,
 * exec'd EACCES) come before the session-leader EPERM.  eng.h lists the
 * leader check first; the results are the same, because a child that is a
 * session leader is necessarily in another session (EPERM either way).
 */
int eng_setpgid(struct eng *e, int32_t caller, int32_t pid, int32_t pgid, struct eng_fx *fx)
{
	struct proc *cp, *t;
	struct pgrp *g;
	struct session *sess;
	int32_t old;
	int rc;

	/* The kernel substitutes first and then refuses a negative pgid:
	 * setpgid(-1, 0) is EINVAL (pgid became -1), not ESRCH. */
	if (pid == 0)
		pid = caller;
	if (pgid == 0)
		pgid = pid;
	if (pgid < 0)
		return -EINVAL;
	cp = proc_find(e, caller);
	if (!cp || cp->zombie)
		return -ESRCH;
	t = proc_find(e, pid);
	if (!t)
		return -ESRCH;
	sess = cp->pgrp->sess;
	if (t->parent == cp) {
		if (t->pgrp->sess != sess)
			return -EPERM;
		if (t->execed)
			return -EACCES;
	} else if (t != cp) {
		return -ESRCH;
	}
	if (t->pgrp->sess->vsid == t->vpid)
		return -EPERM;
	g = pgrp_find(e, pgid);
	/* A group named after the target is always in the target's session
	 * (eng_check verifies it), so only a foreign group needs the test. */
	if (pgid != pid && (!g || g->sess != sess))
		return -EPERM;
	if (g == t->pgrp)
		return 0;
	rc = fx_reserve(e, fx, 1, 0);
	if (rc < 0)
		return rc;
	if (!g) {
		rc = pgrp_create(e, pgid, sess, &g);
		if (rc < 0)
			return rc;
	}
	/* A zombie child moves too, as with the kernel's change_pid(): it
	 * stays attached to its pid until it is reaped. */
	old = t->pgrp->vpgid;
	pgrp_move(e, t, g);
	fx_event(fx, ENG_EV_SETPGID, t->vpid, old, pgid, caller);
	return 0;
}

int eng_getpgid(const struct eng *e, int32_t caller, int32_t pid)
{
	const struct proc *p = proc_find(e, pid ? pid : caller);

	return p ? p->pgrp->vpgid : -ESRCH;
}
