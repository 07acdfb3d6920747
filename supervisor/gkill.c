/* gkill.c — group signals and forks in flight: a child the signal could not name yet gets it at its BIND. */
#include "sup.h"

#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * Linux makes a fork atomic with respect to signals sent to a process
 * group, a session or every process: such a signal that comes while the
 * fork is under way restarts it, or is given to the child as well
 * (copy_process: the "multiprocess" signals collected during the fork).
 * So `kill(-pgid, SIGTERM)` never leaves a new member of the group alive.
 *
 * Under jobshim a group kill goes to the members the engine knows, and a
 * child is known from its parent's BIND on, written after the real fork
 * (after the exec for vfork, after posix_spawn returns for spawn).  A kill
 * that came between missed the child: a loop that forks, killed with
 * `kill(-pgid, ...)`, left a live member in 10 to 17 rounds of 20.
 *
 * So every group kill (kill(0), kill(-pgid), kill(-1)) is numbered here:
 * a ring of the last SUP_GKILL_RING, and the count in the shared page
 * (proto_vpids.gkill_seq), which the parent reads just before its real
 * fork and sends in its BIND (c = count + 1; 0: not known).  Each process
 * records the count when it is bound (procs_bind: from then on the
 * engine names it; the child's own HELLO may bind it before the BIND
 * comes).  At the BIND, the kills numbered after the parent's read and up
 * to the binding that target the child's group (or everyone) are sent to the
 * child, once: what the kernel does with a signal that came during the
 * fork.  A kill sent between the parent's read and its fork system call
 * also reaches the child, where natively the parent would have handled it
 * first (a few instructions: the window of the read).
 */

void gkill_note(struct sup *s, int32_t caller, int32_t pid, int sig, bool real)
{
	struct proto_vpids *vc = procs_vc(s);
	struct sup_gkill *g;
	int32_t pgid;

	if (sig == 0 || pid > 0)
		return;
	pgid = pid == -1 ? -1 : pid == 0 ? eng_getpgid(s->eng, caller, 0) : -pid;
	if (pgid == 0 || pgid < -1)
		return;
	s->gkill_seq++;
	if (s->gkill_seq == 0)
		s->gkill_seq = 1; /* 0 marks an empty slot */
	g = &s->gkill[s->gkill_seq % SUP_GKILL_RING];
	g->seq = s->gkill_seq;
	g->pgid = pgid;
	g->sig = sig;
	g->real = real;
	atomic_store_explicit(&vc->gkill_seq, s->gkill_seq, memory_order_release);
}

static void give(struct sup *s, int32_t vpid, const struct sup_gkill *g, const char *why)
{
	if (ops_stop_discarded(s, vpid, g->sig))
		return;
	procs_signal(s, vpid, g->sig);
	if (trace_on(&s->trace)) {
		char name[32];
		trace_begin(&s->trace, "kill", vpid, eng_vpid_to_rpid(s->eng, vpid));
		trace_int(&s->trace, "pid", vpid);
		trace_str(&s->trace, "sig", trace_signame(g->sig, name, sizeof(name)));
		trace_bool(&s->trace, "during_fork", true);
		trace_end(&s->trace, "kill: %s of group %d %s pid %d, given to it", name, (int)g->pgid, why,
			  (int)vpid);
	}
}

/* The parent died of group kill k and the child was forked after k was
 * numbered (its parent read k or later): natively it could not exist --
 * made before the kill it would have got it, after it its parent was
 * dead.  The killer's real signal reached the parent after the engine had
 * named the members; the parent forked in between. */
static void give_parents_death(struct sup *s, struct sup_proc *child, struct sup_proc *parent)
{
	const struct sup_gkill *g;
	uint32_t k = parent->gkill_died;

	if (k == 0 || child->gkill_seen == 0)
		return;
	g = &s->gkill[k % SUP_GKILL_RING];
	if (g->seq != k || (g->pgid != -1 && g->pgid != eng_getpgid(s->eng, child->vpid, 0)))
		return;
	/* Sent to the real group (gkill_atomic_group): a child bound before
	 * k was numbered was in it and got it from the kernel.  One forked
	 * around it missed it only if it reached the parent before the fork
	 * system call (all signals blocked there, so the kernel did not
	 * restart the fork); the parent then died of it as the fork returned.
	 * If it came after, the child has it too and dies of it anyway: the
	 * second copy changes nothing.  So such a child gets it, whether its
	 * parent read the count before k (gkill_replay gives real kills to
	 * nobody) or after: every child bound once k was numbered. */
	if (g->real ? (int32_t)(k - child->gkill_known) > 0 : (int32_t)((child->gkill_seen - 1) - k) < 0)
		return;
	give(s, child->vpid, g, "that ended its parent, forked after it was sent:");
}

void gkill_replay(struct sup *s, int32_t vpid, int32_t seen)
{
	struct sup_proc *p = procs_find(s, vpid), *pp;
	struct eng_pinfo pi;
	uint32_t from, to;
	int32_t pgid;

	if (seen == 0 || p == NULL || p->rpid <= 0 || p->exited || p->gkill_done)
		return;
	p->gkill_seen = (uint32_t)seen;
	if (eng_info(s->eng, vpid, &pi) == 0) {
		p->gkill_parent = pi.ppid;
		if ((pp = procs_find(s, pi.ppid)) != NULL)
			give_parents_death(s, p, pp);
	}
	p->gkill_done = true;
	from = (uint32_t)seen - 1; /* the count the parent read */
	to = p->gkill_known;       /* the count when the engine learnt of the child */
	if ((int32_t)(to - from) <= 0)
		return;
	if (to - from > SUP_GKILL_RING)
		from = to - SUP_GKILL_RING; /* older ones are gone */
	pgid = eng_getpgid(s->eng, vpid, 0);
	for (uint32_t n = from + 1; (int32_t)(to - n) >= 0; n++) {
		const struct sup_gkill *g = &s->gkill[n % SUP_GKILL_RING];
		/* A real group kill reached the child with the kernel's own
		 * rule: it was in the group from its fork on (above). */
		if (g->seq != n || g->real || (g->pgid != -1 && g->pgid != pgid))
			continue;
		give(s, vpid, g, "during the fork of");
	}
}

/*
 * kill(-1, SIGKILL) of a tree in which a process forks: a parent that dies
 * of it as its fork returns, before its BIND, leaves a child the engine
 * never knew, so it was none of the targets; the kernel hands it to us
 * (the subreaper) as the parent dies, before we see that death.  Linux
 * could not leave it alive: the kill came before the parent's fork could
 * finish, and either restarted the fork or was given to the child too.
 * There is no real group to SIGKILL for kill(-1) (gkill_real_group), so
 * every real child of ours the model does not know (not our helpers) gets
 * SIGKILL when a process dies of a recent kill(-1, SIGKILL): through a
 * pidfd, after checking that the pid is still our child, never by a pid
 * number alone.  Any such child existed when the kill was sent, and every
 * process but the sender and init was its target.
 */
static void sweep_unknown_children(struct sup *s)
{
	pid_t *kids = NULL;
	size_t kcap = 0;
	int n = sysio_children_all(s->self_rpid, &kids, &kcap, SIZE_MAX);

	for (int i = 0; i < n; i++) {
		pid_t r = kids[i];
		struct sysio_stat st;
		if (sup_helper_child(r) || eng_rpid_to_vpid(s->eng, r) > 1)
			continue;
		int fd = sysio_pidfd_open(r);
		if (fd < 0)
			continue;
		if (sysio_stat(r, &st) == 0 && st.ppid == s->self_rpid)
			(void)sysio_pidfd_signal(fd, SIGKILL);
		close(fd);
	}
	free(kids);
}

/* A process ended by a signal that a recent group kill of its group sent:
 * its children forked after that kill was numbered get it too (above);
 * those not bound yet get it at their BIND.  Called when the exit is
 * seen with its status, else at the parent's REAPED, which carries it.
 * An unrelated kill of the same signal to the same process in that short
 * window would give it to them too: a kill of one process and of its
 * group, the same signal at once. */
void gkill_exit(struct sup *s, int32_t vpid, int wstatus)
{
	struct sup_proc *p = procs_find(s, vpid);
	int32_t pgid;
	int sig;

	if (p == NULL || p->gkill_died != 0 || !WIFSIGNALED(wstatus) || s->gkill_seq == 0)
		return;
	sig = WTERMSIG(wstatus);
	pgid = eng_getpgid(s->eng, vpid, 0);
	for (uint32_t n = s->gkill_seq, left = SUP_GKILL_RING; left > 0 && n != 0; n--, left--) {
		const struct sup_gkill *g = &s->gkill[n % SUP_GKILL_RING];
		if (g->seq != n)
			break;
		if (g->sig == sig && (g->pgid == -1 || g->pgid == pgid)) {
			p->gkill_died = n;
			if (g->pgid == -1 && sig == SIGKILL)
				sweep_unknown_children(s);
			break;
		}
	}
	if (p->gkill_died == 0)
		return;
	/* Its children as their BINDs named them: the engine may have handed
	 * them to init already (a REAPED after the exit). */
	struct sup_proc *c, *tmp;
	HASH_ITER(hh, s->procs, c, tmp)
		if (c->gkill_parent == vpid && c->rpid > 0 && !c->exited)
			give_parents_death(s, c, p);
}

/*
 * SIGKILL to a group ends a parent as its fork returns, before it writes
 * the BIND, and the child then stays unknown.  SIGKILL cannot be caught,
 * so a second one changes nothing for a process that got the first: the
 * shim sends it to the group's real mirror as well, after the members
 * (shim/kill.c), which reaches such a child.  The real group is named
 * only when it is certainly the tree's: the real group of the virtual
 * group's leader (or a member), which is none of jobshim's own group and
 * the terminal's group of the user's shell, and whose leader, when
 * alive, is a process of the tree.  0: none (kill(-1): every group).
 */
static pid_t tree_real_group(struct sup *s, int32_t caller, int32_t pid)
{
	int32_t pgid;
	pid_t r;

	if (pid > 0 || pid == -1 || pid == INT32_MIN)
		return 0;
	pgid = pid == 0 ? eng_getpgid(s->eng, caller, 0) : -pid;
	if (pgid <= 1)
		return 0;
	r = procs_group_rpgid(s, pgid, 0);
	if (r <= 1 || r == getpgrp() || r == s->tty_pgrp || r == s->self_rpid)
		return 0;
	if (sysio_getpgid(r) >= 0 && eng_rpid_to_vpid(s->eng, r) <= 1)
		return 0; /* its leader lives outside the tree */
	return r;
}

pid_t gkill_real_group(struct sup *s, int32_t caller, int32_t pid, int sig)
{
	return sig == SIGKILL ? tree_real_group(s, caller, pid) : 0;
}

/*
 * Linux delivers a group signal to every member before any of them runs
 * on (kill_pgrp: one pass under the tasklist lock).  Sent member by
 * member, it is not one event: in `sleep 100 | cat &` ... `kill %1`,
 * bash's SIGTERM killed sleep, and cat read the end of the pipe and
 * exited 0 before its own SIGTERM came -- bash said "Done" where Linux
 * says "Terminated" (3 runs in 30 on a loaded machine).  So the caller
 * sends the one real kill(-R) instead, when R, the real group that
 * mirrors the virtual one (procs_group_rpgid), holds every live target:
 * each target's getpgid says so now.  Members that move later, or a
 * child forked meanwhile, are the kernel's to judge, as natively (a
 * member leaving after this answer is signalled after its move; a fork
 * child is in the group from its fork: gkill_replay gives it nothing).
 *
 * Not for: kill(-1) (no one group), signal 0 (nothing to deliver), the
 * terminal's stop signals (the engine decides whether an orphaned group
 * discards them, and the kernel would judge the real structure), a list
 * longer than one reply, any target the engine could not name by a real
 * pid, or a caller that did not ask (PROTO_KILL_REAL_OK).  0: signal the
 * list.  `r` is the first page of the answer (op_kill).
 */
pid_t gkill_atomic_group(struct sup *s, int32_t caller, int32_t pid, int sig, const struct proto_rep *r)
{
	int live = 0;
	pid_t rg, g;

	if (sig <= 0 || sig >= 65 || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU)
		return 0;
	if (r->v[0] != (int32_t)r->n || r->n > PROTO_MAX_IDS)
		return 0;
	rg = tree_real_group(s, caller, pid);
	if (rg <= 1)
		return 0;
	for (uint32_t i = 0; i < r->n; i++) {
		if (r->ids[i] <= 0)
			return 0;
		if ((g = sysio_getpgid(r->ids[i])) < 0)
			continue; /* gone meanwhile: neither way reaches it */
		if (g != rg)
			return 0;
		live++;
	}
	if (r->v[1] == 1) {
		int64_t me = eng_vpid_to_rpid(s->eng, caller);
		if (me <= 0 || sysio_getpgid((pid_t)me) != rg)
			return 0;
		live++;
	}
	return live > 0 ? rg : 0;
}

/* An exit whose status is its parent's to collect (the model learns it
 * from REAPED, later): the zombie's /proc stat says it while it is one,
 * and that is asked only when a kill of its group is among the recent. */
void gkill_exit_unknown(struct sup *s, int32_t vpid, pid_t rpid)
{
	int32_t pgid = eng_getpgid(s->eng, vpid, 0);
	int status;
	bool recent = false;

	for (uint32_t n = s->gkill_seq, left = SUP_GKILL_RING; left > 0 && n != 0 && !recent; n--, left--) {
		const struct sup_gkill *g = &s->gkill[n % SUP_GKILL_RING];
		if (g->seq != n)
			break;
		recent = g->pgid == -1 || g->pgid == pgid;
	}
	if (recent && sysio_exit_code(rpid, &status) == 0)
		gkill_exit(s, vpid, status);
}
