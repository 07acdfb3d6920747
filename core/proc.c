/* proc.c — processes: vpid allocation, fork/exec/exit/reap, the rpid binding, parent links and inspection. */
#include "eng_internal.h"

/* How many ids below a new vpid are probed for its predecessor in the
 * ordered list before falling back to a scan (only after a wrap). */
#define PROC_ORDER_PROBES 64

struct proc *proc_find(const struct eng *e, int32_t vpid)
{
	struct proc *p;

	HASH_FIND(hh, e->procs, &vpid, sizeof(vpid), p);
	return p;
}

struct proc *proc_find_rpid(const struct eng *e, int64_t rpid)
{
	struct proc *p;

	HASH_FIND(hr, e->by_rpid, &rpid, sizeof(rpid), p);
	return p;
}

/* An id is in use while a process, a group or a session carries it (like
 * Linux's struct pid, which lives as long as anything refers to it). */
static bool proc_id_in_use(const struct eng *e, int32_t id)
{
	return proc_find(e, id) || pgrp_find(e, id) || session_find(e, id);
}

/* Is id held by a thread outside the model (eng_id_busy_fn)? */
static bool proc_id_busy(const struct eng *e, int32_t id)
{
	return e->id_busy != NULL && e->id_busy(e->ctx, id);
}

/* Where the numbering goes on past vpid_max: ENG_RESERVED_IDS once the
 * cursor is above it (Linux's alloc_pid), else 2 (1 is init's).  An
 * engine whose vpid_max is that small (tests) wraps to 2. */
static int32_t proc_wrap_to(const struct eng *e)
{
	return e->vpid_max > ENG_RESERVED_IDS && e->next_vpid > ENG_RESERVED_IDS ? ENG_RESERVED_IDS : 2;
}

/* Next free vpid, without committing it; -EAGAIN when none is free. */
static int32_t proc_pick_vpid(const struct eng *e)
{
	int32_t v = e->next_vpid;
	int32_t span = e->vpid_max - 1; /* size of [2, vpid_max] */

	/* Before the first wrap nothing at or above next_vpid was ever handed
	 * out, so the candidate is free without a lookup. */
	if (!e->wrapped && v <= e->vpid_max && !proc_id_busy(e, v))
		return v;
	for (int32_t i = 0; i < span; i++, v++) {
		if (v > e->vpid_max)
			v = proc_wrap_to(e);
		if (!proc_id_in_use(e, v) && !proc_id_busy(e, v))
			return v;
	}
	return -EAGAIN;
}

static void proc_commit_vpid(struct eng *e, int32_t v)
{
	if (v < e->next_vpid)
		e->wrapped = true;
	else if (e->next_vpid > e->vpid_max)
		e->wrapped = true;
	e->next_vpid = v + 1;
}

/* Insert p into the vpid-ordered list.  Before a wrap every new vpid is the
 * largest, so this is an append. */
static void proc_order_insert(struct eng *e, struct proc *p)
{
	struct proc *before = NULL;

	if (!e->ordered || e->ordered->ord_prev->vpid < p->vpid) {
		DL_APPEND2(e->ordered, p, ord_prev, ord_next);
		return;
	}
	for (int32_t v = p->vpid - 1, i = 0; v >= 1 && i < PROC_ORDER_PROBES; v--, i++) {
		before = proc_find(e, v);
		if (before)
			break;
	}
	if (!before) {
		for (struct proc *q = e->ordered; q && q->vpid < p->vpid; q = q->ord_next)
			before = q;
	}
	/* init (vpid 1) is always present and smallest, so `before` exists. */
	DL_APPEND_ELEM2(e->ordered, before, p, ord_prev, ord_next);
}

static void proc_add_child(struct proc *parent, struct proc *c)
{
	DL_APPEND2(parent->children, c, sib_prev, sib_next);
	parent->nchildren++;
	c->parent = parent;
}

static void proc_del_child(struct proc *c)
{
	struct proc *parent = c->parent;

	DL_DELETE2(parent->children, c, sib_prev, sib_next);
	parent->nchildren--;
	c->parent = NULL;
}

/* A new record with its vpid in the table, not yet linked anywhere. */
static int proc_create(struct eng *e, int32_t vpid, struct proc **out)
{
	struct proc *p = eng_alloc(e, sizeof(*p));

	if (!p)
		return -ENOMEM;
	memset(p, 0, sizeof(*p));
	p->vpid = vpid;
	HASH_ADD(hh, e->procs, vpid, sizeof(p->vpid), p);
	if (!ENG_HASH_ADDED(p, hh)) {
		eng_release(e, p, sizeof(*p));
		return -ENOMEM;
	}
	e->nproc++;
	*out = p;
	return 0;
}

static void proc_unbind(struct eng *e, struct proc *p)
{
	if (!p->rpid)
		return;
	HASH_DELETE(hr, e->by_rpid, p);
	p->rpid = 0;
	e->nbound--;
}

/* Remove p from every table and list and free it (p has no children). */
static void proc_destroy(struct eng *e, struct proc *p)
{
	if (p->parent)
		proc_del_child(p);
	pgrp_remove(e, p);
	proc_unbind(e, p);
	DL_DELETE2(e->ordered, p, ord_prev, ord_next);
	HASH_DELETE(hh, e->procs, p);
	if (p->zombie)
		e->nzombie--;
	e->nproc--;
	eng_release(e, p, sizeof(*p));
}

int proc_make_init(struct eng *e)
{
	struct session *s;
	struct pgrp *g;
	struct proc *p;
	int rc;

	rc = session_create(e, ENG_VPID_INIT, &s);
	if (rc < 0)
		return rc;
	rc = pgrp_create(e, ENG_VPID_INIT, s, &g);
	if (rc < 0)
		return rc; /* eng_free releases the session */
	rc = proc_create(e, ENG_VPID_INIT, &p);
	if (rc < 0)
		return rc;
	pgrp_add(g, p);
	DL_APPEND2(e->ordered, p, ord_prev, ord_next);
	e->init = p;
	return 0;
}

void proc_free_all(struct eng *e)
{
	struct proc *p, *ptmp;
	struct pgrp *g, *gtmp;
	struct session *s, *stmp;

	HASH_CLEAR(hr, e->by_rpid);
	HASH_ITER(hh, e->procs, p, ptmp) {
		HASH_DELETE(hh, e->procs, p);
		eng_release(e, p, sizeof(*p));
	}
	HASH_ITER(hh, e->pgrps, g, gtmp) {
		HASH_DELETE(hh, e->pgrps, g);
		eng_release(e, g, sizeof(*g));
	}
	HASH_ITER(hh, e->sessions, s, stmp) {
		HASH_DELETE(hh, e->sessions, s);
		eng_release(e, s, sizeof(*s));
	}
}

/* ---- fork / abort / bind / exec ----------------------------------------- */

/* The common tail of eng_fork and eng_fork_at: v is free and in range. */
static int proc_fork_as(struct eng *e, struct proc *par, int32_t v, struct eng_fx *fx)
{
	struct proc *p;
	int rc;

	rc = fx_reserve(e, fx, 1, 0);
	if (rc < 0)
		return rc;
	rc = proc_create(e, v, &p);
	if (rc < 0)
		return rc;
	pgrp_add(par->pgrp, p);
	proc_add_child(par, p);
	proc_order_insert(e, p);
	fx_event(fx, ENG_EV_FORK, v, par->vpid, 0, 0);
	return 0;
}

int eng_fork(struct eng *e, int32_t parent, int32_t *child, struct eng_fx *fx)
{
	struct proc *par = proc_find(e, parent);
	int32_t v;
	int rc;

	if (!par || par->zombie)
		return -ESRCH;
	v = proc_pick_vpid(e);
	if (v < 0)
		return v;
	rc = proc_fork_as(e, par, v, fx);
	if (rc < 0)
		return rc;
	proc_commit_vpid(e, v);
	*child = v;
	return 0;
}

int eng_reserve_run(struct eng *e, int32_t want, int32_t *first, int32_t *count)
{
	int32_t v, n = 1;

	if (want < 1)
		return -EINVAL;
	v = proc_pick_vpid(e);
	if (v < 0)
		return v;
	while (n < want && v + n <= e->vpid_max && !proc_id_in_use(e, v + n))
		n++;
	if (v < e->next_vpid || e->next_vpid > e->vpid_max)
		e->wrapped = true;
	e->next_vpid = v + n;
	*first = v;
	*count = n;
	return 0;
}

int eng_fork_at(struct eng *e, int32_t parent, int32_t vpid, struct eng_fx *fx)
{
	struct proc *par;
	int rc;

	if (vpid < 2 || vpid > e->vpid_max)
		return -EINVAL;
	if (proc_id_in_use(e, vpid))
		return -EEXIST;
	par = proc_find(e, parent);
	if (!par || par->zombie)
		return -ESRCH;
	rc = proc_fork_as(e, par, vpid, fx);
	if (rc < 0)
		return rc;
	/* eng_fork never hands this id out again: everything at or above the
	 * cursor stays unused before a wrap (proc_pick_vpid relies on it). */
	if (vpid >= e->next_vpid)
		e->next_vpid = vpid + 1;
	return 0;
}

int eng_set_last_pid(struct eng *e, int32_t last)
{
	if (last < 0 || last > e->vpid_max)
		return -EINVAL;
	/* Linux's pid_ns_ctl_handler: idr_set_cursor(last + 1).  Ids at and
	 * above the cursor may be in use now, so every candidate is checked
	 * from here on, as after a wrap. */
	e->next_vpid = last + 1;
	e->wrapped = true;
	return 0;
}

int eng_last_pid(const struct eng *e)
{
	return e->next_vpid - 1;
}

int eng_fork_abort(struct eng *e, int32_t child)
{
	struct proc *p = proc_find(e, child);
	struct pgrp *own;
	struct session *sess;

	if (!p)
		return -ESRCH;
	/* Only a fresh, unobserved record may vanish: anything else has been
	 * seen by someone (a bound pid, an exec, children, other members). */
	if (p == e->init || p->zombie || p->nchildren || p->rpid || p->execed)
		return -EBUSY;
	own = pgrp_find(e, child);
	if (own && (own != p->pgrp || own->nmembers > 1))
		return -EBUSY;
	sess = session_find(e, child);
	if (sess && sess->ngroups > 1)
		return -EBUSY;
	proc_destroy(e, p);
	return 0;
}

int eng_bind(struct eng *e, int32_t vpid, int64_t rpid)
{
	struct proc *p, *other;

	if (rpid <= 0)
		return -EINVAL;
	p = proc_find(e, vpid);
	/* A zombie's real pid may already have been reaped and reused. */
	if (!p || p->zombie)
		return -ESRCH;
	if (p->rpid == rpid)
		return 0;
	if (p->rpid)
		return -EEXIST;
	other = proc_find_rpid(e, rpid);
	if (other && !other->zombie)
		return -EEXIST;
	p->rpid = rpid;
	HASH_ADD(hr, e->by_rpid, rpid, sizeof(p->rpid), p);
	if (!ENG_HASH_ADDED(p, hr)) {
		p->rpid = 0;
		return -ENOMEM;
	}
	e->nbound++;
	/* The kernel reused the pid of a zombie that its real parent already
	 * reaped: the zombie's binding is stale, drop it so nobody signals the
	 * new process by mistake. */
	if (other)
		proc_unbind(e, other);
	return 0;
}

int64_t eng_vpid_to_rpid(const struct eng *e, int32_t vpid)
{
	const struct proc *p = proc_find(e, vpid);

	return p ? p->rpid : -ESRCH;
}

int32_t eng_rpid_to_vpid(const struct eng *e, int64_t rpid)
{
	const struct proc *p = rpid > 0 ? proc_find_rpid(e, rpid) : NULL;

	return p ? p->vpid : -ESRCH;
}

int eng_exec(struct eng *e, int32_t vpid, struct eng_fx *fx)
{
	struct proc *p = proc_find(e, vpid);
	int rc;

	/* A zombie is accepted: the mark may be learnt after the exit (the
	 * kernel's EACCES for an exec'd zombie child), and it still matters
	 * to setpgid until the reap. */
	if (!p)
		return -ESRCH;
	rc = fx_reserve(e, fx, 1, 0);
	if (rc < 0)
		return rc;
	p->execed = true;
	fx_event(fx, ENG_EV_EXEC, vpid, 0, 0, 0);
	return 0;
}

/* ---- exit / reap ---------------------------------------------------------- */

/*
 * Mark, for every group that has a child of t in it, the last such child in
 * t's children list: the kernel evaluates a group once all of t's children in
 * it are reparented, i.e. at that last child (earlier ones still have t as a
 * live parent connecting the group).  Returns the effects and ids the exit
 * may produce at most.
 */
static void proc_exit_plan(struct eng *e, struct proc *t, size_t *neff, size_t *nids)
{
	uint64_t serial = ++e->exit_serial;
	struct proc *c;

	*neff = 1 + t->nchildren + 1 + 2 * (size_t)t->pgrp->nmembers;
	*nids = t->pgrp->nmembers;
	if (!t->children)
		return;
	c = t->children->sib_prev; /* tail; walk backwards */
	for (;;) {
		struct pgrp *g = c->pgrp;

		if (g->stamp != serial) {
			g->stamp = serial;
			c->exit_mark = true;
			if (g != t->pgrp && g->sess == t->pgrp->sess) {
				*neff += 1 + 2 * (size_t)g->nmembers;
				*nids += g->nmembers;
			}
		}
		if (c == t->children)
			break;
		c = c->sib_prev;
	}
}

/* kernel/exit.c find_new_reaper: the nearest subreaper among t's
 * ancestors that is not exiting, else init.  In the model every ancestor
 * of a live process is alive (a zombie has no children), so the zombie
 * test only mirrors the kernel's find_alive_thread. */
static struct proc *proc_new_reaper(const struct eng *e, const struct proc *t)
{
	struct proc *r;

	for (r = t->parent; r && r != e->init; r = r->parent)
		if (r->subreaper && !r->zombie)
			return r;
	return e->init;
}

int eng_set_subreaper(struct eng *e, int32_t vpid, bool on)
{
	struct proc *p = proc_find(e, vpid);

	if (!p || p->zombie)
		return -ESRCH;
	if (p == e->init)
		return -EINVAL;
	p->subreaper = on;
	return 0;
}

int eng_exit(struct eng *e, int32_t vpid, int wstatus, struct eng_fx *fx)
{
	struct proc *t = proc_find(e, vpid), *c, *tmp, *init = e->init, *reaper;
	size_t neff, nids;
	int rc;

	if (!t)
		return -ESRCH;
	if (t == init)
		return -EPERM;
	if (t->zombie)
		return -EALREADY;
	proc_exit_plan(e, t, &neff, &nids);
	rc = fx_reserve(e, fx, neff, nids);
	if (rc < 0) {
		DL_FOREACH2(t->children, c, sib_next)
			c->exit_mark = false;
		return rc;
	}

	reaper = proc_new_reaper(e, t);
	t->zombie = true;
	t->stopped = false;
	t->wstatus = wstatus;
	e->nzombie++;
	fx_event(fx, ENG_EV_EXIT, vpid, wstatus, 0, 0);

	/* Rule 1 (forget_original_parent + reparent_leader): reparent each
	 * child to the new reaper; at the last child of each group, a group
	 * in t's session but not t's group may have lost its last outside
	 * link (the reaper, a subreaper, may be a new one). */
	DL_FOREACH_SAFE2(t->children, c, tmp, sib_next) {
		proc_del_child(c);
		proc_add_child(reaper, c);
		fx_event(fx, ENG_EV_REPARENT, c->vpid, vpid, reaper->vpid, 0);
		if (!c->exit_mark)
			continue;
		c->exit_mark = false;
		if (c->pgrp != t->pgrp && c->pgrp->sess == t->pgrp->sess)
			pgrp_orphan_check(e, c->pgrp, NULL, t, ENG_ORPHAN_PARENT_EXIT, fx);
	}

	/* Rule 2 (kill_orphaned_pgrp(tsk, NULL), after rule 1 as in
	 * exit_notify): t itself may have been its group's last link. */
	if (t->parent->pgrp != t->pgrp && t->parent->pgrp->sess == t->pgrp->sess)
		pgrp_orphan_check(e, t->pgrp, t, t, ENG_ORPHAN_SELF_EXIT, fx);
	return 0;
}

int eng_reap(struct eng *e, int32_t parent, int32_t child, struct eng_fx *fx)
{
	struct proc *c = proc_find(e, child);
	int rc;

	if (!c || !c->parent || c->parent->vpid != parent || !c->zombie)
		return -ECHILD;
	rc = fx_reserve(e, fx, 1, 0);
	if (rc < 0)
		return rc;
	/* No orphan check here: a zombie stopped connecting its group when it
	 * exited (kernel/exit.c checks only at exit). */
	proc_destroy(e, c);
	fx_event(fx, ENG_EV_REAP, child, parent, 0, 0);
	return 0;
}

int eng_set_stopped(struct eng *e, int32_t vpid, bool stopped, struct eng_fx *fx)
{
	struct proc *p = proc_find(e, vpid);
	int rc;

	if (!p)
		return -ESRCH;
	/* A zombie is never stopped; a late observation changes nothing.
	 * Repeated observations of the same state are not events either. */
	if (p->zombie || p->stopped == stopped)
		return 0;
	rc = fx_reserve(e, fx, 1, 0);
	if (rc < 0)
		return rc;
	p->stopped = stopped;
	fx_event(fx, stopped ? ENG_EV_STOP : ENG_EV_CONT, vpid, 0, 0, 0);
	return 0;
}

/* ---- inspection ----------------------------------------------------------- */

int eng_getppid(const struct eng *e, int32_t caller)
{
	const struct proc *p = proc_find(e, caller);

	if (!p)
		return -ESRCH;
	return p->parent ? p->parent->vpid : 0;
}

int eng_info(const struct eng *e, int32_t vpid, struct eng_pinfo *out)
{
	const struct proc *p = proc_find(e, vpid);

	if (!p)
		return -ESRCH;
	out->vpid = p->vpid;
	out->ppid = p->parent ? p->parent->vpid : 0;
	out->pgid = p->pgrp->vpgid;
	out->sid = p->pgrp->sess->vsid;
	out->rpid = p->rpid;
	out->state = p->zombie ? ENG_P_ZOMBIE : p->stopped ? ENG_P_STOPPED : ENG_P_RUNNING;
	out->execed = p->execed;
	out->subreaper = p->subreaper;
	return 0;
}

int32_t eng_next(const struct eng *e, int32_t from)
{
	const struct proc *p;

	if (from <= ENG_VPID_INIT)
		return e->ordered->vpid;
	p = proc_find(e, from);
	if (p)
		return p->vpid;
	/* The usual iteration asks for last + 1: continue from `last`. */
	p = proc_find(e, from - 1);
	if (p)
		return p->ord_next ? p->ord_next->vpid : -ESRCH;
	for (p = e->ordered; p; p = p->ord_next)
		if (p->vpid >= from)
			return p->vpid;
	return -ESRCH;
}
