/* viewwrite.c — setpgid, setsid and kill answered without a round trip: from the model view, from our table of children (kill of a child), or (a fork child's own setpgid) posted one-way. */
#include "shim.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "mview.h"

/*
 * A write that changes no virtual id needs no engine: the answer follows
 * from the ids the model view publishes (mview.h), which are fresh -- no
 * change the caller could have learnt of is missing from them (docs/
 * internals.md, "The model view").  Half of a job-control shell's setpgid
 * calls are such no-ops (the parent and the child both put the child in
 * its group; the second call finds it there: one real call, the mirror's),
 * a second setsid is EPERM,
 * and kill of one live process is a translation followed by the real
 * kill the shim would send anyway (for a child of ours, the translation
 * may come from our own table of children: shim_child_kill).  Everything
 * else, and anything the view cannot say, is asked of the supervisor as
 * before: each function returns VIEW_ASK then.
 *
 * Under --trace the view is off (the trace shows every call), so these
 * answers never hide a traced event.  The engine records nothing for
 * these calls (eng_setpgid returns 0 with no effect when the group does
 * not change; eng_kill only names targets), so skipping it loses nothing.
 */

/* Our own entry, or false. */
static bool view_self(pid_t *self, struct mview_ids *me)
{
	if (shim_vf.active || !shim_self_known())
		return false;
	*self = shim_self_vpid();
	return *self > 1 && shim_mview_ids(*self, me) && me->state == MVIEW_LIVE;
}

/*
 * The real group that mirrors virtual group pgid, from the view: its
 * leader's real pid while the leader is live and still in it (a real group
 * is named after the real pid of its creator); 0 when the view cannot say.
 */
static pid_t view_mirror(pid_t pgid)
{
	struct mview_ids g;

	if (!shim_mview_ids(pgid, &g) || g.state != MVIEW_LIVE || g.pgid != pgid || g.rpid <= 0)
		return 0;
	return g.rpid;
}

/*
 * setpgid(pid, pgid) where the target is already in group pgid.  The rule
 * order is kernel/sys.c's (and eng_setpgid's): EINVAL for a negative pgid,
 * ESRCH unless the target is the caller or its child, for a child EPERM in
 * another session and EACCES once it has exec'd, EPERM for a session
 * leader.
 *
 * The model may already show the change while the real group does not:
 * a shell and its child both call setpgid(child, child); when the parent's
 * call came first, its real mirror follows its reply, and the child may
 * find itself in the group in the view before that.  So this call makes
 * the real one too, into the group's mirror: the child is in its real
 * group when it returns (it may exec at once, and a parent's setpgid after
 * that fails with EACCES, leaving a background job in the shell's real
 * group, reading the terminal).  For a child target the same real call
 * tells whether it has exec'd: EACCES exactly then.  Any other failure
 * (the mirror not made yet) asks the engine.
 */
int shim_view_setpgid(pid_t pid, pid_t pgid)
{
	struct mview_ids me, t;
	pid_t self, target, rpgid;
	int saved = errno, rc = 0;

	if (pid < 0 || pgid < 0 || !view_self(&self, &me))
		return VIEW_ASK;
	target = pid == 0 ? self : pid;
	if (pgid == 0)
		pgid = target;
	if (target == self) {
		t = me;
	} else if (!shim_mview_ids(target, &t) || t.state != MVIEW_LIVE || t.ppid != self ||
		   t.rpid <= 0) {
		return VIEW_ASK; /* a stranger, a zombie, or unknown: the engine says */
	} else if (t.sid != me.sid) {
		return -EPERM;
	}
	if (t.pgid != pgid)
		return VIEW_ASK; /* a real change */
	if (t.sid == target)
		return -EPERM; /* a session leader may not move, even in place */
	rpgid = view_mirror(pgid);
	if (rpgid <= 0)
		return VIEW_ASK;
	if (REAL(setpgid)(target == self ? 0 : t.rpid, rpgid) < 0)
		rc = errno == EACCES && target != self ? -EACCES : VIEW_ASK;
	shim_errno_keep(saved);
	return rc;
}

/* Is vpid the last one the shared counter handed out (a live run)? */
static bool newest(struct proto_vpids *vc, pid_t vpid)
{
	uint64_t run = atomic_load(&vc->run);

	return proto_vpids_max(run) > 0 && proto_vpids_next(run) == vpid + 1;
}

/*
 * setpgid(0, 0), or naming the caller as pid or pgid, by a fork child that
 * has not called setsid since its fork: the child's half of every job a
 * job-control shell launches.  Its view entry is usually not there yet
 * (its parent's BIND of it is still in the event FIFO), so this asked: a
 * connection, a HELLO and a SETPGID round trip per job.  But the answer
 * needs no model.  Such a child leads no session (its vpid is new, never
 * the id of a session), so Linux's only refusals -- EPERM for a session
 * leader, or for a group of another session -- cannot apply: the group is
 * named after the caller, so it is new or already the caller's own, in
 * its own session.  The answer is 0 and the result is "the caller leads
 * group = its vpid", whatever the parent's setpgid of it did meanwhile.
 *
 * The real call first (the group's mirror is the caller's own real
 * group), then the change posted one-way through the event FIFO, like a
 * BIND: the posted count makes every process's next read of the view ask
 * until the supervisor has applied it (docs/internals.md, "The model
 * view"), so no read can miss the change once this returns.  VIEW_ASK
 * when the FIFO cannot take it.
 *
 * Only while the child has made no child of its own: then the move changes
 * no link of the group it leaves (its parent is in it, having forked it
 * there), so no exit the supervisor learns later can be judged differently
 * for it.  A parent's move does change its children's links, and the
 * supervisor must then apply first the exits that came before it
 * (supervisor/ops.c, settle_move), which a record read later cannot tell
 * from the ones that came after: that asks.
 */
int shim_oneway_setpgid(pid_t pid, pid_t pgid)
{
	struct proto_req req = { .op = PROTO_OP_SETPGID, .a = 0, .b = 0 };
	pid_t self;
	int saved = errno;

	if (shim_vf.active || !shim_self_known() || !shim_self_childless_fork())
		return VIEW_ASK;
	self = shim_self_vpid();
	if ((pid != 0 && pid != self) || (pgid != 0 && pgid != self))
		return VIEW_ASK;
	(void)REAL(setpgid)(0, 0);
	shim_errno_keep(saved);
	return shim_event(&req) ? 0 : VIEW_ASK;
}

/*
 * setpgid(child, child) or setpgid(child, 0) by its parent: the shell's
 * half of every job launch (bash makes the child wait on a pipe until the
 * parent's call returns, so a round trip here delays every job).  Like
 * the child's own call above, it changes no orphan state when:
 *
 *  - the child is the newest process of the tree (the shared counter has
 *    handed out no vpid since its own): it has no children, whose links
 *    the move would change;
 *  - it is the last child we made, we have not moved since (counted by
 *    this shim: shim_self_moved), and it is in our real group or already
 *    in its own (its own setpgid(0, 0), answered one-way, may have come
 *    first): it was forked into our group, so it is no link of the group
 *    it leaves (we are in it), and the group it makes has a link (us) for
 *    as long as we live.
 *
 * Then no exit the supervisor learns of later can be judged differently
 * for the move, and the record may be applied after them (the same
 * argument as shim_oneway_setpgid's).  The real call is made first, and
 * its verdict is Linux's: it succeeds only for our child, in our session,
 * not a session leader, that has not exec'd -- exactly the engine's rules
 * for it (eng_setpgid).  Any refusal asks, and the engine gives the errno
 * (the real call changed nothing).  The counter is read again after the
 * real call: a child that forked meanwhile makes the move one that changes
 * links, and the round trip applies it in order (supervisor/ops.c,
 * settle_move) -- as it would have without this path.
 *
 * The record goes through the event FIFO like the child's (the posted
 * count makes every next read of the view ask until it is applied); the
 * supervisor applies it as the request (op_setpgid).  VIEW_ASK when the
 * FIFO cannot take it: the round trip then repeats the (no-op) real call.
 */
int shim_oneway_child_setpgid(pid_t pid, pid_t pgid)
{
	struct proto_req req = { .op = PROTO_OP_SETPGID, .a = pid, .b = pid };
	struct proto_vpids *vc = shim_vpids();
	pid_t rpid, rpgid;
	int saved = errno, rc = VIEW_ASK;

	if (pid <= 1 || (pgid != 0 && pgid != pid) || shim_vf.active || !shim_self_known() ||
	    pid == shim_self_vpid() || !vc || !newest(vc, pid) || !shim_self_unmoved_since(pid))
		return VIEW_ASK;
	rpid = shim_child_v2r(pid);
	if (rpid <= 0)
		return VIEW_ASK;
	rpgid = REAL(getpgid)(rpid);
	if (rpgid > 0 && (rpgid == rpid || rpgid == REAL(getpgid)(0)) &&
	    REAL(setpgid)(rpid, rpid) == 0 && newest(vc, pid) && shim_event(&req))
		rc = 0;
	shim_errno_keep(saved);
	return rc;
}

/* setsid by a group leader: EPERM (a group named after the caller exists).
 * A caller that leads no group may still find its id taken by a group it
 * left: the engine knows, so that case asks. */
int shim_view_setsid(void)
{
	struct mview_ids me;
	pid_t self;

	if (!view_self(&self, &me))
		return VIEW_ASK;
	return me.pgid == self ? -EPERM : VIEW_ASK;
}

/*
 * The signals a kill without the supervisor may not send: the stop signals
 * of the terminal family, because an orphaned group discards them
 * (supervisor/ops.c, stop_discarded); SIGCONT, SIGKILL and SIGSTOP, because
 * they change a stopped state, which the orphan rule reads at every exit,
 * and the supervisor must first apply the exits that came before them
 * (supervisor/ops.c, settle); signal 0, which kill.c answers.
 */
bool shim_kill_needs_engine(int sig)
{
	return sig == 0 || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU || sig == SIGCONT ||
	       sig == SIGKILL || sig == SIGSTOP;
}

/*
 * kill(pid, sig) of one live process of the tree (not init, not a zombie:
 * the engine's rules for those differ): the real kill of its real pid, as
 * kill.c sends after a round trip.  The kernel checks sig and the
 * permission, as it does on the round-trip path.
 */
int shim_view_kill(pid_t pid, int sig)
{
	struct mview_ids t;
	int saved = errno, rc = 0;

	if (pid <= 1 || shim_kill_needs_engine(sig))
		return VIEW_ASK;
	if (shim_vf.active || !shim_mview_ids(pid, &t) || t.state != MVIEW_LIVE || t.rpid <= 0)
		return VIEW_ASK;
	if (REAL(kill)(t.rpid, sig) < 0)
		rc = -errno;
	shim_errno_keep(saved);
	/* Gone, though the view shows it alive: its exit is not in the model
	 * yet (reaped by the kernel itself); the round trip applies it. */
	return rc == -ESRCH ? VIEW_ASK : rc;
}

/*
 * kill(-pgid, sig) of a group of the tree: one real kill of the group's
 * real mirror, as the round trip ends in when the mirror holds every live
 * member (supervisor/gkill.c, gkill_atomic_group) -- here the members
 * come from the view.  A shell's `kill %1 %2` made a round trip per job,
 * tens of µs in which the first job died and its SIGCHLD reached the
 * shell before the second kill; natively the second comes a microsecond
 * after the first, and the shell handles both deaths together (bash then
 * reports them differently).
 *
 * When: a signal that needs no engine (shim_kill_needs_engine: no stop,
 * continue, SIGKILL or 0), a fresh view showing at least one live member,
 * every live member bound to a real pid that is in the same real group
 * R now (getpgid), R none of the supervisor's (its real pid or group),
 * and R's leader, if alive, a process of the tree.  The kernel then
 * signals every member in one pass, with its own permission checks: its
 * answer is Linux's (EPERM when no member may be signalled).  A member
 * that moves meanwhile, or a child forked meanwhile, is the kernel's to
 * judge, as natively.  Numbered before it is sent, like kill_own_group's
 * kill(0) (shim/kill.c): a note in the event FIFO, so that a member that
 * dies of it as its fork returns has its new child given the signal too
 * (supervisor/gkill.c).  Not under --trace (the trace shows each kill),
 * in a vfork child, or in a child sharing our memory.  VIEW_ASK
 * otherwise: the round trip decides, as before.
 */
#define VIEW_GKILL_MAX 64   /* members checked at most */
#define VIEW_GKILL_PAGES 16 /* backed pages of the view scanned at most (2,048 vpids) */
int shim_view_kill_group(pid_t pid, int sig)
{
	struct proto_req note = { .op = PROTO_OP_KILL, .a = pid, .b = sig, .d = PROTO_KILL_NOTE };
	pid_t rpids[VIEW_GKILL_MAX], pgid, rg = 0, sup, leader;
	struct proto_vpids *vc;
	int n, saved = errno;
	long r;

	if (pid >= -1 || pid == INT_MIN || sig <= 0 || sig >= _NSIG || shim_kill_needs_engine(sig) ||
	    shim_vf.active || shim_traced() || shim_self_vmkid() || !shim_self_known() ||
	    (vc = shim_vpids()) == NULL || (sup = atomic_load(&vc->sup_rpid)) <= 1)
		return VIEW_ASK;
	pgid = -pid;
	n = shim_mview_group(pgid, rpids, VIEW_GKILL_MAX, VIEW_GKILL_PAGES);
	if (n <= 0)
		return VIEW_ASK; /* none live: ESRCH or zombies only, the engine's */
	for (int i = 0; i < n; i++) {
		r = shim_raw_syscall(SYS_getpgid, rpids[i], 0, 0, 0, 0, 0);
		if (r <= 1 || (i > 0 && r != rg))
			return VIEW_ASK; /* gone (reaped by the kernel), or not mirrored */
		rg = (pid_t)r;
	}
	if (rg == sup || shim_raw_syscall(SYS_getpgid, sup, 0, 0, 0, 0, 0) == rg)
		return VIEW_ASK;
	leader = shim_mview_r2v(rg);
	if (leader <= 1 && shim_raw_syscall(SYS_getpgid, rg, 0, 0, 0, 0, 0) != -ESRCH)
		return VIEW_ASK; /* its leader lives, and the view does not show it in the tree */
	if (!shim_event(&note))
		return VIEW_ASK;
	r = shim_raw_syscall(SYS_kill, -rg, sig, 0, 0, 0, 0);
	shim_errno_keep(saved);
	/* Every member went between the check and the kill: the engine says. */
	return r == -ESRCH ? VIEW_ASK : (int)r;
}

/*
 * kill(pid, sig) of a child of ours, from our own table of children
 * (children.c) rather than the view: right after a fork the view is not
 * fresh until the supervisor has read the child's BIND, and a program that
 * signals the child it just started (a test harness, a SCHED_FIFO parent
 * that must not wait on the supervisor) would make a round trip.
 *
 * Exact while the child is not reaped: fork gave us its real pid, and the
 * kernel reuses no pid before its parent has reaped it.  A child may be
 * reaped without us seeing it (SIGCHLD ignored or SA_NOCLDWAIT, or a raw
 * wait in assembly), leaving a stale entry whose pid the kernel may have
 * given to another process; so the real pid must still be a child of ours
 * now: waitid(P_PID, WNOHANG | WNOWAIT) says so without reaping it or
 * consuming a stop or continue report (ECHILD for anyone else's process).
 * A reap by another thread between that check and the kill is the race a
 * native program has with its own pids.  A zombie child takes the signal
 * and nothing happens, as in Linux.  Not under --trace (the trace shows
 * every kill), and never the signals kill_needs_engine names.
 */
int shim_child_kill(pid_t pid, int sig)
{
	siginfo_t si;
	pid_t rpid;
	int saved = errno, rc = 0;

	if (pid <= 1 || shim_kill_needs_engine(sig) || shim_vf.active || !shim_self_known() ||
	    shim_traced())
		return VIEW_ASK;
	rpid = shim_child_v2r(pid);
	if (rpid <= 0)
		return VIEW_ASK;
	if (shim_raw_syscall(SYS_waitid, P_PID, rpid, (long)&si,
			     WEXITED | WSTOPPED | WCONTINUED | WNOHANG | WNOWAIT | __WALL, 0, 0) != 0)
		return VIEW_ASK;
	if (REAL(kill)(rpid, sig) < 0)
		rc = -errno;
	shim_errno_keep(saved);
	/* Reaped by the kernel between the check and the kill: ask (above). */
	return rc == -ESRCH ? VIEW_ASK : rc;
}
