/* ops.c — one handler per protocol request from an identified tree process. */
#include "sup.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/*
 * Each handler runs the engine operation for the caller (c->vpid), applies
 * its effects at once (so signals and trace events keep the engine's
 * order) and returns 0 or -errno as Linux would; values go into the reply.
 * Messages are already validated (proto_unpack_req), and the caller is the
 * connection's SO_PEERCRED process: a process only ever speaks for itself.
 */

/* FORK, including posix_spawn's SETSID / SETPGROUP applied before the child
 * can run.  glibc's child calls setsid() then setpgid(0, pgrp) itself, so
 * the model does the same with the child as the caller (setsid first: a
 * session leader then fails setpgid with EPERM, as natively).  Reply v0 =
 * the child, v1 = the real group a SETPGROUP child joins when it is not a
 * new one (procs_group_rpgid; 0: its own, or unknown). */
static int op_fork(struct sup *s, struct sup_client *c, const struct proto_req *q,
		   struct proto_rep *r)
{
	int32_t child;
	int rc = procs_fork(s, c->vpid, &child);

	if (rc < 0) {
		eng_fx_clear(&s->fx);
		return rc;
	}
	if (rc >= 0 && ((uint32_t)q->a & PROTO_FORK_SETSID)) {
		rc = eng_setsid(s->eng, child, &s->fx);
		if (rc >= 0)
			eng_session_set_kernel(s->eng, child, true);
	}
	if (rc >= 0 && ((uint32_t)q->a & PROTO_FORK_SETPGROUP))
		rc = eng_setpgid(s->eng, child, 0, q->b, &s->fx);
	if (rc < 0) {
		/* The spawn fails before the child exists for anyone. */
		eng_fx_clear(&s->fx);
		sup_fork_abort(s, child);
		procs_forget(s, child);
		return rc;
	}
	effects_apply(s, 0);
	r->v[0] = child;
	if ((uint32_t)q->a & PROTO_FORK_SETPGROUP)
		r->v[1] = procs_group_rpgid(s, eng_getpgid(s->eng, child, 0), child);
	return 0;
}

/* BIND d=1 (one-way): the caller forked child q->b as vpid q->a, taken
 * from the shared counter.  Created here at the moment of the caller's
 * history when it forked (the BIND follows the fork on its connection),
 * unless the child's own HELLO came first and created it: then it is
 * bound already, and that is accepted silently. */
static int op_bind_counted(struct sup *s, struct sup_client *c, const struct proto_req *q)
{
	struct eng_pinfo pi;
	int rc;

	if (eng_info(s->eng, q->a, &pi) == 0) {
		if (pi.rpid == q->b) {
			gkill_replay(s, q->a, q->c); /* its HELLO came first */
			return 0;
		}
		if (pi.rpid == 0 && pi.ppid == c->vpid && pi.state != ENG_P_ZOMBIE) {
			rc = procs_bind(s, q->a, q->b);
			if (rc == 0)
				gkill_replay(s, q->a, q->c);
			return rc;
		}
		return -EEXIST;
	}
	if (!procs_vpid_handed(s, q->a))
		return -ESRCH;
	/* Born, exited and already collected by the model (the child said
	 * hello first, then the sweep saw it reaped): nothing to create. */
	if (procs_reaped_vpid(s, q->b) == q->a)
		return 0;
	rc = procs_fork_at(s, c->vpid, q->a);
	if (rc == 0) {
		rc = procs_bind(s, q->a, q->b);
		if (rc < 0) {
			eng_fx_clear(&s->fx);
			sup_fork_abort(s, q->a);
			procs_forget(s, q->a);
			return rc;
		}
	}
	if (rc < 0) {
		eng_fx_clear(&s->fx);
		return rc;
	}
	effects_apply(s, 0);
	gkill_replay(s, q->a, q->c);
	return 0;
}

/* BIND (one-way): only for the caller's own children. */
static int op_bind_one(struct sup *s, struct sup_client *c, const struct proto_req *q)
{
	struct eng_pinfo pi;
	int rc;

	if (q->d & PROTO_BIND_COUNTED)
		return op_bind_counted(s, c, q);
	rc = eng_info(s->eng, q->a, &pi);

	if (rc < 0)
		return rc;
	if (pi.ppid != c->vpid)
		return -ESRCH;
	if (q->b <= 0) {
		if (pi.rpid != 0)
			return -EBUSY; /* the child said hello: it exists after all */
		rc = sup_fork_abort(s, q->a);
		if (rc == 0)
			procs_forget(s, q->a);
		return rc;
	}
	rc = procs_bind(s, q->a, q->b);
	if (rc == 0)
		gkill_replay(s, q->a, q->c);
	return rc;
}

/* The child of a parent the kernel reaps for (PROTO_BIND_AUTOREAP) is
 * watched at once (procs_bind). */
static int op_bind(struct sup *s, struct sup_client *c, const struct proto_req *q)
{
	struct sup_proc *parent = procs_find(s, c->vpid);
	int rc;

	if (parent)
		parent->reaps_kids = (q->d & PROTO_BIND_AUTOREAP) != 0; /* its disposition now */
	s->bind_autoreap = (q->d & PROTO_BIND_AUTOREAP) != 0;
	rc = op_bind_one(s, c, q);
	s->bind_autoreap = false;
	return rc;
}

/* EXEC (one-way): only the command name for ps and the trace.  The model's
 * "has exec'd" flag is set when the kernel says so (SETPGID d=1). */
static int op_exec(struct sup *s, struct sup_client *c, const struct proto_req *q)
{
	struct sup_proc *p = procs_find(s, c->vpid);
	char path[PROTO_TEXT_REQ + 1];
	const char *base;

	memcpy(path, q->text, PROTO_TEXT_REQ);
	path[PROTO_TEXT_REQ] = '\0';
	base = strrchr(path, '/');
	base = base && base[1] ? base + 1 : path;
	if (p)
		snprintf(p->name, sizeof(p->name), "%.*s", (int)sizeof(p->name) - 1, base);
	if (trace_on(&s->trace)) {
		trace_begin(&s->trace, "exec", c->vpid, c->rpid);
		trace_str(&s->trace, "path", path);
		trace_end(&s->trace, "exec: pid %d %s", (int)c->vpid, path);
	}
	return 0;
}

/* An engine query for a list of vpids: eng_move_witnesses (a move of
 * target to group pgid), eng_pgrp_witnesses (group pgid) or
 * eng_move_links (target, which left group pgid). */
enum vpid_query { Q_MOVE_WITNESSES, Q_GROUP_WITNESSES, Q_MOVE_LINKS };
struct witness_q {
	enum vpid_query kind;
	int32_t target, pgid;
};

static size_t query(struct sup *s, const struct witness_q *w, int32_t *out, size_t cap)
{
	switch (w->kind) {
	case Q_MOVE_WITNESSES:
		return eng_move_witnesses(s->eng, w->target, w->pgid, out, cap);
	case Q_GROUP_WITNESSES:
		return eng_pgrp_witnesses(s->eng, w->pgid, out, cap);
	default:
		return eng_move_links(s->eng, w->target, w->pgid, out, cap);
	}
}

#define QUERY_SMALL 64
/* The query's answer in `small` (QUERY_SMALL entries), or in a malloc'd
 * array when it is longer (free it when it is not `small`); its length in
 * *n.  NULL when out of memory: the caller does without. */
static int32_t *query_all(struct sup *s, const struct witness_q *w, int32_t *small, size_t *n)
{
	int32_t *v;

	*n = query(s, w, small, QUERY_SMALL);
	if (*n <= QUERY_SMALL)
		return small;
	v = malloc(*n * sizeof(*v));
	if (v)
		*n = query(s, w, v, *n);
	return v;
}

/*
 * The orphan rule judges an exit against the groups, and the stopped
 * members, of its time.  The model learns an exit later (a pidfd, a
 * parent's REAPED), so a request that changes what an earlier exit means
 * -- a move (setpgid, setsid) or a change of a stopped state (SIGCONT,
 * SIGKILL, a stop) -- first applies the exits the kernel already reports
 * among their witnesses (core/pgrp.c).  The caller is waiting for the
 * answer, so an exit seen then is one Linux could have ordered before the
 * call; the caller itself is left out (it lived when it asked).  A record
 * of the event FIFO (a childless fork child's one-way setpgid(0, 0),
 * shim/viewwrite.c) is history: an exit the kernel reports now may have
 * come after it was written, so none is applied for it.
 */
static void settle(struct sup *s, int32_t caller, const struct witness_q *w)
{
	int32_t small[QUERY_SMALL], *v;
	size_t n, k = 0;

	if (s->ev_draining)
		return;
	/* Thousands of witnesses (one of many children in one group): a poll
	 * of each is quadratic over their requests (procs_settle_all). */
	n = query(s, w, small, QUERY_SMALL);
	if (n > SUP_SETTLE_BIG) {
		procs_settle_all(s, caller);
		return;
	}
	v = small;
	if (n > QUERY_SMALL) {
		if (!(v = malloc(n * sizeof(*v))))
			return;
		n = query(s, w, v, n);
	}
	for (size_t i = 0; i < n; i++)
		if (v[i] != caller)
			v[k++] = v[i];
	procs_settle_exits(s, v, k);
	if (v != small)
		free(v);
}

static void settle_move(struct sup *s, int32_t caller, int32_t target, int32_t to)
{
	struct witness_q w = {.kind = Q_MOVE_WITNESSES, .target = target, .pgid = to};

	if (target > 1)
		settle(s, caller, &w);
}

/*
 * After target moved from group old_pgid: a pending process (procs.c,
 * procs_watch_pend) whose exit may now orphan a group with other members
 * -- a link of the groups the move touched -- gets its pidfd at once.
 * Lazily, its exit would reach the model only when it is reaped, or up to
 * 20 ms later: a childless process whose parent moved away, or which
 * moved itself, would orphan its group that late, after the other members
 * had seen it gone without their SIGHUP.  Pinning handles no exit, so a
 * record of the event FIFO may do it too.
 */
static void pin_links(struct sup *s, int32_t target, int32_t old_pgid)
{
	struct witness_q w = {.kind = Q_MOVE_LINKS, .target = target, .pgid = old_pgid};
	int32_t small[QUERY_SMALL], *v;
	size_t n;

	if (!s->nwatch_pend || !(v = query_all(s, &w, small, &n)))
		return;
	procs_pin(s, v, n);
	if (v != small)
		free(v);
}

/* SETPGID: reply v1 = the real group the target must join (procs.c's
 * procs_group_rpgid: the shim mirrors the change into the kernel), 0 =
 * none known. */
/*
 * The process whose non-main thread has the real id tid, if it is one of
 * the tree's; 0 otherwise.  Other threads keep their real ids under
 * jobshim (shim/thread.c), and the vpid counter never hands out the id of
 * a live thread, so a number the engine does not know may be one.
 */
int32_t ops_thread_owner(struct sup *s, int32_t tid)
{
	pid_t tgid = sysio_tgid(tid);
	int32_t v;

	if (tgid <= 0 || tgid == tid || tgid == s->self_rpid)
		return 0;
	v = eng_rpid_to_vpid(s->eng, tgid);
	return v > 1 ? v : 0;
}

static int op_setpgid(struct sup *s, struct sup_client *c, const struct proto_req *q,
		      struct proto_rep *r)
{
	int32_t target = q->a == 0 ? c->vpid : q->a, old;
	int rc;

	/* d = 1: the kernel answered EACCES to a no-op setpgid on the target. */
	if (q->d == 1 && target > 1) {
		struct eng_pinfo pi;
		if (eng_info(s->eng, target, &pi) == 0 && pi.ppid == c->vpid && !pi.execed)
			eng_exec(s->eng, target, &s->fx);
	}
	if (target > 1 && target != c->vpid)
		procs_settle_exits(s, &target, 1); /* gone for the kernel: ESRCH */
	if (q->b >= 0)
		settle_move(s, c->vpid, target, q->b == 0 ? target : q->b);
	old = eng_getpgid(s->eng, c->vpid, target);
	rc = eng_setpgid(s->eng, c->vpid, q->a, q->b, &s->fx);
	/* Linux finds a thread by its id, then refuses it: not a group leader. */
	if (rc == -ESRCH && q->b >= 0 && target > 1 && ops_thread_owner(s, target) > 0)
		rc = -EINVAL;
	effects_apply(s, 0);
	if (rc == 0)
		pin_links(s, target, old);
	if (rc == 0)
		r->v[1] = procs_group_rpgid(s, eng_getpgid(s->eng, target, 0), target);
	return rc;
}

/*
 * Linux discards SIGTSTP, SIGTTIN and SIGTTOU sent to a member of an
 * orphaned process group when their action is the default (kernel/signal.c,
 * get_signal: "if (is_current_pgrp_orphaned()) continue"): such a process
 * must not stop, since nobody in its session could continue it.  The
 * kernel decides on its real groups, which the engine's orphan rule
 * replaces (they are never orphaned), so a kill(2) of one of those signals
 * leaves out the targets in a virtually orphaned group whose action is the
 * default (neither caught nor ignored, from /proc).  The blocked mask is
 * not asked: every shim call blocks all signals for its duration, so it
 * says nothing about the program.  (A program that blocks the signal
 * itself would natively see it pending until it unblocks it, then lose
 * it; here it never arrives.)
 */
bool ops_stop_discarded(struct sup *s, int32_t vpid, int sig)
{
	struct eng_pinfo pi;
	struct sysio_sigmasks m;
	unsigned long long bit;

	if (sig != SIGTSTP && sig != SIGTTIN && sig != SIGTTOU)
		return false;
	if (eng_info(s->eng, vpid, &pi) < 0 || pi.rpid <= 0 || !eng_pgrp_orphaned(s->eng, pi.pgid, 0))
		return false;
	if (sysio_sigmasks((pid_t)pi.rpid, &m) < 0)
		return false;
	bit = 1ull << (sig - 1);
	return !((m.caught | m.ignored) & bit);
}

/* Is `vpid` a zombie whose parent is `caller`?  Its rpid cannot be reused
 * before the caller reaps it, so the real kill may go to it: the kernel
 * then answers as natively (EPERM for a zombie of another uid, else 0,
 * nothing delivered). */
static bool zombie_child_of(struct sup *s, int32_t vpid, int32_t caller)
{
	struct eng_pinfo pi;

	return caller > 1 && eng_info(s->eng, vpid, &pi) == 0 && pi.state == ENG_P_ZOMBIE &&
	       pi.ppid == caller;
}

/* The rpids of the signal effects in s->fx: from index `offset` of the
 * list into out[*n..cap); the total count is returned.  Unbound
 * reservations and zombies (but the caller's own: zombie_child_of) are
 * left out, and so are the targets that discard `sig`
 * (ops_stop_discarded; 0: none do); `self` (0 none) is not listed but
 * flagged in *self_hit.  `sent` (0 none): a real group the caller has
 * signalled already (PROTO_KILL_REAL_SENT): its members are left out. */
static int32_t fx_targets(struct sup *s, int32_t self, int sig, pid_t sent, int32_t offset, int32_t *out,
			  uint32_t cap, uint32_t *n, bool *self_hit)
{
	int32_t total = 0;

	for (size_t i = 0; i < s->fx.n; i++) {
		const struct eng_effect *e = &s->fx.v[i];
		struct sup_proc *p;

		if (e->kind != ENG_FX_SIGNAL || ops_stop_discarded(s, e->vpid, sig))
			continue;
		if (self > 0 && e->vpid == self) {
			*self_hit = true;
			continue;
		}
		p = procs_find(s, e->vpid);
		if (!p || p->rpid <= 0 || (p->exited && !zombie_child_of(s, e->vpid, self)))
			continue;
		if (sent > 1 && sysio_getpgid(p->rpid) == sent)
			continue;
		if (total >= offset && *n < cap)
			out[(*n)++] = (int32_t)p->rpid;
		total++;
	}
	return total;
}

/* One page of them into r (the caller flagged in v1). */
static int32_t fx_page_rpids(struct sup *s, int32_t offset, struct proto_rep *r, int32_t self,
			     int sig, pid_t sent)
{
	bool me = false;
	int32_t total = fx_targets(s, self, sig, sent, offset, r->ids, PROTO_MAX_IDS, &r->n, &me);

	if (me)
		r->v[1] = 1;
	return total;
}

/* All of them, kept in the client for the pages after the first
 * (op_kill); the count, or -ENOMEM. */
static int32_t fx_keep_rpids(struct sup *s, struct sup_client *c, int32_t self, int sig, pid_t sent)
{
	int32_t *v = realloc(c->kill_rpids, (s->fx.n > 0 ? s->fx.n : 1) * sizeof(*v));
	uint32_t n = 0;

	if (v == NULL)
		return -ENOMEM;
	c->kill_rpids = v;
	c->kill_self = false;
	fx_targets(s, self, sig, sent, 0, v, (uint32_t)s->fx.n, &n, &c->kill_self);
	c->kill_n = (int32_t)n;
	return c->kill_n;
}

/* KILL: the targets' rpids, paged from offset c; the shim sends the real
 * signals.  Unbound reservations and zombies are left out (a zombie ignores
 * signals; its pid may already be reused); the caller itself is reported
 * in v1, not in the list, so that it signals itself last. */
/* Signals that continue, kill or stop a process: a change of the stopped
 * state the orphan rule asks about (settle). */
static bool ends_or_makes_stop(int sig)
{
	return sig == SIGCONT || sig == SIGKILL || sig == SIGSTOP || sig == SIGTSTP ||
	       sig == SIGTTIN || sig == SIGTTOU;
}

/*
 * A process jobshim could not number at its fork, named by its real pid.
 * Code that neither the shim nor the tracer reaches made it -- a
 * set-group-id image such as ssh-agent, whose loader drops the preload
 * and whose libc calls the filter lets through (shim/seccomp_bpf.h) --
 * so its creator saw, and told others, its real pid (`eval $(ssh-agent
 * -s)` ... `kill $SSH_AGENT_PID`, git's t7528).  A kill of a pid that
 * names no vpid reaches such a process by that real pid: one still
 * unknown (a live descendant of the tree, none of our helpers) is
 * registered here, as a HELLO would (procs_register), and one registered
 * so before keeps that name.  A process numbered at its fork is reached
 * by its vpid only, as in a pid namespace.  Its vpid, or 0.
 */
static int32_t unnumbered(struct sup *s, int32_t pid)
{
	int32_t v = eng_rpid_to_vpid(s->eng, pid);
	struct sysio_stat st;
	struct sup_proc *p;

	if (v > 1)
		return (p = procs_find(s, v)) != NULL && p->by_rpid && !p->exited ? v : 0;
	if (v == 1 || pid == s->self_rpid || sup_helper_child(pid) || sysio_stat(pid, &st) < 0 ||
	    st.state == 'Z' || st.state == 'X')
		return 0;
	/* A preloaded parent's BIND of it may still be queued on the
	 * parent's connection (the FIFO's were handled before this request):
	 * then it has its vpid, and that is its only name. */
	clients_flush_rpid(s, st.ppid, false);
	if (eng_rpid_to_vpid(s->eng, pid) > 0)
		return 0;
	v = procs_register(s, pid);
	return v > 1 ? v : 0;
}

static int op_kill(struct sup *s, struct sup_client *c, const struct proto_req *q,
		   struct proto_rep *r)
{
	int rc;

	if (q->a == -1 && q->c == 0)
		nest_adopt_descendants(s); /* kill(-1) reaches nested trees too */
	/* kill(pid, sig): an exit of pid the kernel already reports comes
	 * first (the shim asks when the view says alive and the kernel says
	 * gone: a child the kernel reaped itself), so that the caller's next
	 * getpgid(pid) agrees with this ESRCH. */
	if (q->a > 1 && q->c == 0)
		procs_settle_exits(s, &q->a, 1);
	if (q->c == 0 && q->a != -1 && ends_or_makes_stop(q->b)) {
		/* settle's group: pid's, the caller's (0), or -pid's. */
		struct witness_q w = {.kind = Q_GROUP_WITNESSES,
				      .pgid = q->a > 0 ? eng_getpgid(s->eng, c->vpid, q->a)
					      : q->a == 0 ? eng_getpgid(s->eng, c->vpid, 0)
							  : q->a == INT32_MIN ? 0 : -q->a};
		if (w.pgid > 1)
			settle(s, c->vpid, &w);
	}
	/* A later page of a kill whose first page this client took: from the
	 * targets taken then.  Computed again, the list had lost members that
	 * died of the first page (a zombie is left out), and the offset then
	 * skipped live ones: kill(-pgid) of 65 processes left one alive. */
	if (q->c > 0 && c->kill_rpids != NULL && c->kill_pid == q->a && c->kill_sig == q->b) {
		for (int32_t i = q->c; i < c->kill_n && r->n < PROTO_MAX_IDS; i++)
			r->ids[r->n++] = c->kill_rpids[i];
		r->v[0] = c->kill_n;
		r->v[1] = c->kill_self ? 1 : 0;
		return 0;
	}
	rc = eng_kill(s->eng, c->vpid, q->a, q->b, &s->fx);
	if (rc == -ESRCH && q->a > 1 && q->c == 0) {
		/* A thread's id: Linux signals its process (kill_pid_info). */
		int32_t v = ops_thread_owner(s, q->a);
		if (v <= 1)
			v = unnumbered(s, q->a);
		if (v > 1)
			rc = eng_kill(s->eng, c->vpid, v, q->b, &s->fx);
	}
	/* kill(0) the caller has sent for real (shim/kill.c, kill_own_group):
	 * the members of its real group have it. */
	pid_t sent = 0;
	if (rc >= 0 && q->d == PROTO_KILL_REAL_SENT && q->a == 0 && q->c == 0) {
		int64_t me = eng_vpid_to_rpid(s->eng, c->vpid);
		sent = me > 0 ? sysio_getpgid((pid_t)me) : 0;
	}
	if (rc >= 0)
		r->v[0] = fx_page_rpids(s, q->c, r, c->vpid, q->b, sent);
	if (rc >= 0 && q->c == 0) {
		free(c->kill_rpids);
		c->kill_rpids = NULL;
		c->kill_n = 0;
		if (r->v[0] > PROTO_MAX_IDS && fx_keep_rpids(s, c, c->vpid, q->b, sent) >= 0) {
			c->kill_pid = q->a;
			c->kill_sig = q->b;
		}
	}
	if (rc >= 0 && q->c == 0) {
		/* One real kill of the group's mirror, when it holds them all. */
		pid_t atomic = q->d == PROTO_KILL_REAL_OK ? gkill_atomic_group(s, c->vpid, q->a, q->b, r) : 0;
		/* For children forked meanwhile; a kill(0) sent for real first
		 * was numbered by its note (events.c). */
		if (q->d != PROTO_KILL_REAL_SENT)
			gkill_note(s, c->vpid, q->a, q->b, atomic > 0);
		r->v[3] = atomic > 0 ? 0 : gkill_real_group(s, c->vpid, q->a, q->b);
		r->v[4] = atomic;
	}
	if (rc >= 0 && q->b != 0)
		s->signalled = true; /* the caller sends them now: no polling (run.c) */
	/* One KILL event per call, not per page. */
	if (q->c == 0) {
		s->kill_real_group = rc >= 0 ? (r->v[4] > 0 ? r->v[4] : sent) : 0;
		effects_apply(s, EFFECTS_NO_SIGNALS);
		s->kill_real_group = 0;
	} else
		eng_fx_clear(&s->fx);
	/* The view's change count with this answer: a shim may send a second
	 * signal to the same list while the count stays so (shim/kill.c). */
	r->v[2] = s->mv ? (int32_t)atomic_load_explicit(&mview_head(s->mv)->changes,
							 memory_order_relaxed)
			: 0;
	return rc < 0 ? rc : 0;
}

/* WAIT_SELECT: (vpid, rpid) pairs of eligible children.  Reservations not
 * yet forked are not children the shim can wait for: left out, and when
 * nothing else is eligible the answer is ECHILD. */
static int op_wait_select(struct sup *s, struct sup_client *c, const struct proto_req *q,
			  struct proto_rep *r)
{
	int32_t small[256], *sel = small;
	int n = eng_wait_select(s->eng, c->vpid, q->a, q->b, small, 256);
	int32_t count = 0;

	/* The caller's wait said ECHILD: children the kernel reaped by itself
	 * (SIGCHLD ignored) go now, not when their pidfds are read. */
	if (q->d == PROTO_WAIT_SETTLE && n > 0 && n <= 256) {
		procs_settle_exits(s, small, (size_t)n);
		n = eng_wait_select(s->eng, c->vpid, q->a, q->b, small, 256);
	}
	if (n < 0)
		return n;
	if (n > 256) {
		sel = malloc((size_t)n * sizeof(*sel));
		if (!sel)
			return -ENOMEM;
		n = eng_wait_select(s->eng, c->vpid, q->a, q->b, sel, (size_t)n);
	}
	for (int i = 0; i < n; i++) {
		int64_t rpid = eng_vpid_to_rpid(s->eng, sel[i]);
		if (rpid <= 0)
			continue;
		/* Paging: the first c bound pairs went out in earlier replies. */
		if (count >= q->c && r->n + 2 <= PROTO_MAX_IDS) {
			r->ids[r->n++] = sel[i];
			r->ids[r->n++] = (int32_t)rpid;
		}
		count++;
	}
	if (sel != small)
		free(sel);
	if (count == 0)
		return -ECHILD;
	r->v[0] = count;
	return 0;
}

/* The kernel reparents at once; the model learns of a parent's exit from
 * its pidfd, which may be handled after a message from the reparented
 * child or from its new parent (a subreaper).  Apply the exits the kernel
 * already reports along vpid's parent chain first. */
void ops_settle_parents(struct sup *s, int32_t vpid)
{
	struct eng_pinfo pi;

	for (int i = 0; i < 64 && eng_info(s->eng, vpid, &pi) == 0 && pi.ppid > 1; i++) {
		if (events_unread_from(pi.ppid) || !procs_pidfd_exited(s, pi.ppid))
			return; /* unread records: it lived when they were written */
		procs_pidfd_ready(s, pi.ppid);
	}
}

/* REAPED (one-way): the caller collected a child (a = vpid or 0, b = rpid). */
static int op_reaped(struct sup *s, struct sup_client *c, const struct proto_req *q)
{
	int32_t v = q->a > 0 ? q->a : eng_rpid_to_vpid(s->eng, q->b);
	struct eng_pinfo pi;
	int rc;

	if (v <= 1 || eng_info(s->eng, v, &pi) < 0)
		return -ECHILD;
	if (pi.ppid != c->vpid) { /* an orphan adopted by a subreaper? */
		ops_settle_parents(s, v);
		if (eng_info(s->eng, v, &pi) < 0)
			return -ECHILD;
	}
	if (pi.ppid != c->vpid || (pi.rpid != 0 && pi.rpid != q->b))
		return -ECHILD;
	/* The reap may overtake the pidfd event: its status is the real one.
	 * But a child whose pidfd says it is still running was not reaped:
	 * a lying parent must not make the model drop it. */
	if (pi.state != ENG_P_ZOMBIE) {
		if (procs_running(s, v))
			return -ECHILD;
		procs_exit(s, v, q->c, true, "wait");
	} else {
		gkill_exit(s, v, q->c); /* its status was not known at its exit */
	}
	s->how = "wait";
	s->how_status = q->c;
	rc = procs_reap(s, c->vpid, v);
	s->how = NULL;
	s->how_status = -1;
	return rc;
}

/* STATE (one-way): a stop / continue the caller saw in its child's wait
 * status; about anyone else it cannot know. */
static int op_state(struct sup *s, struct sup_client *c, const struct proto_req *q)
{
	int32_t v = eng_rpid_to_vpid(s->eng, q->a);
	struct eng_pinfo pi;
	int rc;

	if (v > 1 && eng_info(s->eng, v, &pi) == 0 && pi.ppid != c->vpid)
		ops_settle_parents(s, v);
	if (v <= 1 || eng_info(s->eng, v, &pi) < 0 || pi.ppid != c->vpid)
		return -ESRCH;
	rc = eng_set_stopped(s->eng, v, q->b == 1, &s->fx);
	effects_apply(s, 0);
	return rc;
}

static int op_xlate(struct sup *s, const struct proto_req *q, struct proto_rep *r)
{
	if (q->a == PROTO_XLATE_R2V) {
		int32_t v = q->b > 0 ? eng_rpid_to_vpid(s->eng, q->b) : -ESRCH;
		if (v < 0 && q->b > 0)
			v = procs_reaped_vpid(s, q->b);
		/* A process of a pid namespace nested in the tree (CLONE_NEWPID:
		 * Chromium's zygote and the renderers it forks) runs no shim of
		 * ours and says nothing: natively its pid in our namespace is
		 * visible to the tree (SCM_CREDENTIALS, SO_PEERCRED, /proc), so
		 * it gets a vpid now, as kill(-1) registers such processes
		 * (nest.c).  Only there: a tree process's fresh child is bound by
		 * its parent's BIND with the vpid its fork took. */
		if (v < 0 && q->b > 1 && sysio_in_nested_pidns(q->b))
			v = procs_register(s, q->b);
		if (v <= 0)
			return -ESRCH;
		r->v[0] = v;
	} else {
		int64_t rpid = q->b > 0 ? eng_vpid_to_rpid(s->eng, q->b) : -ESRCH;
		/* A thread of a tree process keeps its real id (shim/thread.c):
		 * the id names that thread, for the calls that take thread ids. */
		if (rpid < 0 && q->b > 1 && ops_thread_owner(s, q->b) > 0)
			rpid = q->b;
		if (rpid <= 0)
			return -ESRCH;
		r->v[0] = (int32_t)rpid;
	}
	return 0;
}

static int op_info(struct sup *s, const struct proto_req *q, struct proto_rep *r)
{
	struct sysio_stat st;
	struct eng_pinfo pi;
	int32_t v = eng_next(s->eng, q->a);
	int rc;

	if (v < 0)
		return -ESRCH;
	rc = eng_info(s->eng, v, &pi);
	if (rc < 0)
		return rc;
	r->v[0] = pi.vpid;
	r->v[1] = pi.ppid;
	r->v[2] = pi.pgid;
	r->v[3] = pi.sid;
	r->v[4] = (int32_t)pi.rpid;
	r->v[5] = (unsigned char)pi.state | (pi.execed ? 0x100 : 0);
	procs_name(s, v, r->text, PROTO_TEXT_REP);
	/* ids[0], ids[1]: the terminal (device number, 0 none) and its
	 * foreground group as a virtual id: a real group id is its creator's
	 * rpid, so its leader's vpid while the model knows it; 0 for a group
	 * outside the tree (as in a pid namespace); -1 without a terminal. */
	if (pi.rpid > 0 && sysio_stat((pid_t)pi.rpid, &st) == 0 && st.state != 'Z') {
		int32_t vfg = st.tpgid > 0 ? eng_rpid_to_vpid(s->eng, st.tpgid) : -1;
		r->n = 2;
		r->ids[0] = st.tty_nr;
		r->ids[1] = st.tty_nr == 0 ? -1 : vfg > 1 ? vfg : 0;
	}
	return 0;
}

/* SUBREAPER: the caller's real prctl succeeded; the model follows, so that
 * its orphaned descendants are reparented to it in the model as in the
 * kernel (eng_exit). */
static int op_subreaper(struct sup *s, struct sup_client *c, const struct proto_req *q)
{
	return eng_set_subreaper(s->eng, c->vpid, q->a == 1);
}

/* PGRP_RPIDS: the real pids of group a's live members (0 = the caller's
 * group), paged from offset c, for the shim's PRIO_PGRP / IOPRIO_WHO_PGRP.
 * The members are the targets of kill(-a, 0) (eng_kill: same lookup and
 * errors, init left out); the effects are dropped, nothing is signalled
 * or traced.  Group 1 is init's alone: its one member is the supervisor,
 * whose priorities getpriority/ioprio_get read (and a permitted set
 * changes) as Linux does for a namespace's init. */
static int op_pgrp_rpids(struct sup *s, struct sup_client *c, const struct proto_req *q,
			 struct proto_rep *r)
{
	int32_t total = 0;
	int rc;

	if (q->a == 1) {
		if (q->c == 0)
			r->ids[r->n++] = (int32_t)getpid();
		r->v[0] = 1;
		return 0;
	}
	rc = eng_kill(s->eng, c->vpid, q->a == 0 ? 0 : -q->a, 0, &s->fx);
	if (rc >= 0)
		total = fx_page_rpids(s, q->c, r, 0, 0, 0);
	eng_fx_clear(&s->fx);
	if (rc < 0)
		return rc;
	if (total == 0)
		return -ESRCH;
	r->v[0] = total;
	return 0;
}

static int op_check(struct sup *s, struct proto_rep *r)
{
	struct eng_stats st;
	int rc = eng_check(s->eng, r->text, PROTO_TEXT_REP);

	eng_stats(s->eng, &st);
	r->v[0] = (int32_t)st.nproc;
	return rc;
}

/* An engine call that returns an id or -errno: the id goes in v0. */
static int reply_value(struct proto_rep *r, int rc)
{
	if (rc >= 0)
		r->v[0] = rc;
	return rc;
}

static bool ops_run(struct sup *s, struct sup_client *c, const struct proto_req *q,
		    struct proto_rep *r)
{
	int32_t self = c->vpid, old_pgid;
	int rc = 0;

	switch (q->op) {
	case PROTO_OP_FORK:
		rc = op_fork(s, c, q, r);
		break;
	case PROTO_OP_BIND:
		rc = op_bind(s, c, q);
		break;
	case PROTO_OP_EXEC:
		rc = op_exec(s, c, q);
		break;
	case PROTO_OP_SETSID:
		/* The shim repeats it for real (shim/ids.c): a real session,
		 * whose orphaned groups the kernel signals itself.  a: a child
		 * that shares the caller's memory and so asks on its connection
		 * (shim/clone.c) names itself; only a child of the caller's. */
		if (q->a != 0 && q->a != self) {
			if (q->a < 0 || eng_getppid(s->eng, q->a) != self) {
				rc = -ESRCH;
				break;
			}
			self = q->a;
		}
		settle_move(s, self, self, 0);
		old_pgid = eng_getpgid(s->eng, self, 0);
		rc = reply_value(r, eng_setsid(s->eng, self, &s->fx));
		if (rc >= 0)
			eng_session_set_kernel(s->eng, self, true);
		effects_apply(s, 0);
		if (rc >= 0)
			pin_links(s, self, old_pgid);
		break;
	case PROTO_OP_SETPGID:
		rc = op_setpgid(s, c, q, r);
		break;
	case PROTO_OP_GETPGID:
	case PROTO_OP_GETSID:
	case PROTO_OP_GETPPID:
		if (q->op == PROTO_OP_GETPPID)
			ops_settle_parents(s, self);
		/* Another process's ids: its exit, if the kernel already reports
		 * it, first (a child the kernel reaped by itself is gone). */
		else if (q->a > 1 && q->a != self)
			procs_settle_exits(s, &q->a, 1);
		{
			int32_t who = q->a;
			/* A thread's id names its process for these two, as in
			 * Linux (find_task_by_vpid finds any thread). */
			if (q->op != PROTO_OP_GETPPID && who > 1 && eng_info(s->eng, who, &(struct eng_pinfo){0}) < 0) {
				int32_t owner = ops_thread_owner(s, who);
				if (owner > 0)
					who = owner;
			}
			rc = reply_value(r, q->op == PROTO_OP_GETPGID ? eng_getpgid(s->eng, self, who)
					    : q->op == PROTO_OP_GETSID ? eng_getsid(s->eng, self, who)
								       : eng_getppid(s->eng, self));
		}
		break;
	case PROTO_OP_KILL:
		rc = op_kill(s, c, q, r);
		break;
	case PROTO_OP_WAIT_SELECT:
		rc = op_wait_select(s, c, q, r);
		break;
	case PROTO_OP_REAPED:
		rc = op_reaped(s, c, q);
		break;
	case PROTO_OP_STATE:
		rc = op_state(s, c, q);
		break;
	case PROTO_OP_XLATE:
		rc = op_xlate(s, q, r);
		break;
	case PROTO_OP_TCGETPGRP:
		rc = term_getpgrp(s, self, &r->v[0]);
		break;
	case PROTO_OP_TCSETPGRP:
		rc = term_setpgrp(s, self, q->a);
		if (rc == 0) {
			r->v[1] = procs_group_rpgid(s, q->a, 0);
			term_note_fg(s, (pid_t)r->v[1]);
		}
		break;
	case PROTO_OP_INFO:
		rc = op_info(s, q, r);
		break;
	case PROTO_OP_CHECK:
		rc = op_check(s, r);
		break;
	case PROTO_OP_SUBREAPER:
		rc = op_subreaper(s, c, q);
		break;
	case PROTO_OP_PGRP_RPIDS:
		rc = op_pgrp_rpids(s, c, q, r);
		break;
	case PROTO_OP_PROCIDS:
		rc = procview_ids(s, q, r);
		break;
	case PROTO_OP_CTTY:
		rc = term_ctty(s, self, q);
		break;
	case PROTO_OP_PROCLIST:
		rc = procview_list(s, q, r);
		break;
	case PROTO_OP_NOTIF:
		rc = notif_take(s, c, q->a);
		break;
	case PROTO_OP_LASTPID:
		rc = procs_set_last_pid(s, c->vpid, q->a);
		break;
	case PROTO_OP_INITPROXY:
		rc = reply_value(r, initproxy_get(s));
		break;
	case PROTO_OP_AUTOREAP:
		procs_autoreap_children(s, self, q->a == 1);
		rc = 0;
		break;
	default:
		rc = -EOPNOTSUPP;
		break;
	}
	r->err = rc < 0 ? rc : 0;
	return !proto_is_oneway(q->op);
}

/* The "call" trace event: what was asked and answered. */
static void trace_call(struct sup *s, struct sup_client *c, const struct proto_req *q,
		       const struct proto_rep *r)
{
	struct trace *t = &s->trace;
	const char *op = proto_op_name(q->op);
	int32_t args[2] = {q->a, q->b};
	bool has_value = q->op == PROTO_OP_FORK || q->op == PROTO_OP_SETSID ||
			 q->op == PROTO_OP_GETPGID || q->op == PROTO_OP_GETSID ||
			 q->op == PROTO_OP_GETPPID || q->op == PROTO_OP_KILL ||
			 q->op == PROTO_OP_WAIT_SELECT || q->op == PROTO_OP_TCGETPGRP;
	int pgid, sid;

	trace_begin(t, "call", c->vpid, c->rpid);
	trace_str(t, "op", op);
	trace_ids(t, "args", args, 2);
	if (r->err < 0)
		trace_str(t, "errno", trace_errno(r->err));
	else
		trace_int(t, "result", has_value ? r->v[0] : 0);
	pgid = eng_getpgid(s->eng, c->vpid, 0);
	sid = eng_getsid(s->eng, c->vpid, 0);
	if (pgid > 0)
		trace_int(t, "pgid", pgid);
	if (sid > 0)
		trace_int(t, "sid", sid);
	if (r->err < 0)
		trace_end(t, "call: pid %d %s(%d, %d) = -1 %s", (int)c->vpid, op, (int)q->a,
			  (int)q->b, trace_errno(r->err));
	else
		trace_end(t, "call: pid %d %s(%d, %d) = %d", (int)c->vpid, op, (int)q->a,
			  (int)q->b, has_value ? (int)r->v[0] : 0);
}

bool ops_dispatch(struct sup *s, struct sup_client *c, const struct proto_req *q,
		  struct proto_rep *r)
{
	bool reply;

	/* The ps tool is no process of the tree: it may only look. */
	if (c->ps && q->op != PROTO_OP_INFO && q->op != PROTO_OP_CHECK) {
		r->err = -EPERM;
		return !proto_is_oneway(q->op);
	}
	reply = ops_run(s, c, q, r);
	if (trace_on(&s->trace) && !c->ps && q->op != PROTO_OP_INFO &&
	    q->op != PROTO_OP_CHECK && q->op != PROTO_OP_EXEC && q->op != PROTO_OP_XLATE &&
	    q->op != PROTO_OP_PGRP_RPIDS && q->op != PROTO_OP_PROCIDS &&
	    q->op != PROTO_OP_PROCLIST && q->op != PROTO_OP_NOTIF && q->op != PROTO_OP_CTTY)
		trace_call(s, c, q, r);
	return reply;
}
