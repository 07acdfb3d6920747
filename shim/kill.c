/* kill.c — kill, killpg, sigqueue: targets resolved by the engine, real signals sent here. */
#include "shim.h"

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/syscall.h>

#include "mview.h"
#include "../core/killtally.h"

/* One real kill; 0 or -errno (errno itself untouched). */
static int real_kill(pid_t rpid, int sig)
{
	int saved = errno, rc = 0;

	if (REAL(kill)(rpid, sig) < 0)
		rc = -errno;
	shim_errno_keep(saved);
	return rc;
}

/* Signal numbers are checked by the kernel (real kill) or the engine, and
 * only after the target lookup: kill(dead, 65) is ESRCH, as in Linux. */

/*
 * Offline safety: without the engine a pid means nothing certain (a
 * virtual pid may be an unrelated real process), so only what this process
 * knows for sure reaches the kernel: itself, its own children (local
 * table), and its real process group (the mirror of its virtual one).
 * kill(-1) and other groups fail with ESRCH.  In mode NONE (not under
 * jobshim) everything is real.
 */
static int kill_offline(pid_t pid, int sig)
{
	pid_t r;

	if (shim_mode() == SHIM_MODE_NONE)
		return real_kill(pid, sig);
	if (pid == 0)
		return real_kill(0, sig);
	if (pid < 0)
		return -ESRCH;
	if (pid == shim_sys_getpid() || pid == shim_last_vpid())
		return real_kill(shim_sys_getpid(), sig);
	r = shim_child_v2r(pid);
	if (r > 0)
		return real_kill(r, sig);
	/* Confined with its ids kept (self.c): its parent too, while the
	 * one getppid() names lives. */
	if (shim_self_kept() && (r = shim_sys_getppid()) > 1 && shim_ppid_cached(r) == pid)
		return real_kill(r, sig);
	return -ESRCH;
}

/*
 * The last group kill's targets, kept for the next kill call.  A shell
 * that kills a stopped job sends it two signals back to back: mksh sends
 * SIGCONT, then SIGTERM.  Natively the SIGTERM follows within a
 * microsecond and finds the job still waking up; after a second round
 * trip it came tens of µs later, when a job reading the terminal had
 * already stopped again (SIGTTIN), so the SIGTERM stayed pending and
 * `kill %1` left the job stopped.  So the next call, if it is a signal
 * of the same group that needs no engine (not a stop, continue or kill
 * signal, not 0: shim_kill_needs_engine) and the model has not changed
 * since the list was answered, signals the same real pids (or the same
 * real group, kill_group_at_once) at once.
 * "Not changed": the view is fresh (no record on its way) and its change
 * count is the one the reply carried (the supervisor counts every update
 * of a process's entry: a move to another group, an exit, a reap, a
 * bind).  The list is the engine's, as the round trip would have given
 * it; only the next kill call may use it, only in the process that asked
 * (a fork child has its own), never under --trace (the trace shows each
 * kill), only a list one reply holds, and only within KILL_LIST_NS: a
 * member's exit reaches the model at once when its parent reaps it through
 * the shim, but may take longer when the kernel reaps it (SIGCHLD
 * ignored) -- its pid cannot be reused that soon.
 */
#define KILL_LIST_MAX 32
#define KILL_LIST_NS 100000000ull /* 100 ms */
enum { KL_EMPTY, KL_BUSY, KL_READY };
static struct {
	atomic_int state; /* KL_*: a writer or a reader holds it BUSY */
	pid_t target;     /* the kill's pid argument, a group (< -1) */
	pid_t owner;      /* our real pid when it was kept */
	uint32_t changes; /* the view's change count with the answer */
	uint64_t at;      /* when it was kept (shim_now_ns) */
	bool me;          /* we are in the group */
	int n;
	pid_t rpids[KILL_LIST_MAX];
} kill_list;

/* Keep the whole answer of a group kill (threads and signal handlers:
 * whoever finds it busy does without). */
static void kill_list_keep(pid_t pid, uint32_t changes, bool me, const pid_t *rpids, int n)
{
	int st = atomic_load(&kill_list.state);

	if (n > KILL_LIST_MAX || shim_traced() || st == KL_BUSY ||
	    !atomic_compare_exchange_strong(&kill_list.state, &st, KL_BUSY))
		return;
	kill_list.target = pid;
	kill_list.owner = shim_sys_getpid();
	kill_list.changes = changes;
	kill_list.at = shim_now_ns();
	kill_list.me = me;
	kill_list.n = n;
	for (int i = 0; i < n; i++)
		kill_list.rpids[i] = rpids[i];
	atomic_store(&kill_list.state, KL_READY);
}

/* The kept list, for this call if it may: 0 or -errno, else VIEW_ASK.
 * Whatever the answer, the list is spent. */
static int kill_list_use(pid_t pid, int sig)
{
	struct kill_tally t = KILL_TALLY_INIT;
	int st = KL_READY, rc = VIEW_ASK;
	uint32_t now;
	pid_t self;

	if (atomic_load_explicit(&kill_list.state, memory_order_relaxed) != KL_READY ||
	    !atomic_compare_exchange_strong(&kill_list.state, &st, KL_BUSY))
		return VIEW_ASK;
	if (kill_list.target == pid && pid < -1 && !shim_kill_needs_engine(sig) && !shim_vf.active &&
	    !shim_traced() && kill_list.owner == (self = shim_sys_getpid()) &&
	    shim_mview_changes(&now) && now == kill_list.changes &&
	    shim_now_ns() - kill_list.at < KILL_LIST_NS) {
		for (int i = 0; i < kill_list.n; i++)
			kill_tally_add(&t, real_kill(kill_list.rpids[i], sig));
		if (kill_list.me)
			kill_tally_add(&t, real_kill(self, sig));
		rc = kill_tally_result(&t, pid);
	}
	atomic_store(&kill_list.state, KL_EMPTY);
	return rc;
}

/* Every target of a group kill is in real group rpgid, the virtual
 * group's mirror (supervisor/gkill.c, gkill_atomic_group): one real
 * kill(-rpgid) delivers to all of them before any runs on, as Linux's
 * kill(-pgid) does; signalled one by one, a member that died of its
 * signal first was seen dying by the others (a pipe's reader got EOF and
 * exited 0 before its own SIGTERM).  The caller, if a member, is reached
 * by the same call.  Kept for a second signal like a list (kill_list). */
static int kill_group_at_once(pid_t pid, int sig, pid_t rpgid, uint32_t changes, bool keep)
{
	pid_t group = -rpgid;
	int rc = real_kill(group, sig);

	if (keep && rc == 0)
		kill_list_keep(pid, changes, false, &group, 1);
	return rc;
}

/* kill through the engine: 0, -errno, or 1 when the supervisor is gone.
 * `sent`: the caller has sent kill(0, sig) for real (kill_own_group):
 * only the targets outside its real group are left to signal. */
static int kill_online(pid_t pid, int sig, bool sent)
{
	struct proto_req req = { .op = PROTO_OP_KILL, .a = pid, .b = sig,
				 .d = sent ? PROTO_KILL_REAL_SENT : shim_self_vmkid() ? 0 : PROTO_KILL_REAL_OK };
	struct proto_rep rep;
	pid_t self = shim_sys_getpid();
	struct kill_tally t = KILL_TALLY_INIT;
	int total = 0, offset = 0, nlist = 0;
	bool me = false, owner = false, keep = pid < -1 && !shim_vf.active && !shim_self_vmkid() && !sent;
	uint32_t changes = 0;
	pid_t list[KILL_LIST_MAX];
	pid_t rkill_group = 0; /* the real group to SIGKILL as well (v3) */

	for (;;) {
		req.c = offset;
		if (shim_call(&req, &rep) < 0)
			return offset == 0 ? 1 : kill_tally_partial(&t);
		if (rep.err < 0)
			return offset == 0 ? rep.err : kill_tally_partial(&t);
		total = rep.v[0];
		/* The engine names the connection's process: a child sharing
		 * our memory asks on its parent's (clone.c), so then it is
		 * the parent it names. */
		if (rep.v[1] == 1) {
			if (shim_self_vmkid())
				owner = true;
			else
				me = true;
		}
		if (offset == 0 && rep.v[4] > 1 && req.d == PROTO_KILL_REAL_OK)
			return kill_group_at_once(pid, sig, rep.v[4], (uint32_t)rep.v[2], keep);
		if (offset == 0)
			rkill_group = rep.v[3];
		if (offset == 0)
			changes = (uint32_t)rep.v[2];
		else
			keep = false; /* kept only when one reply holds it all */
		for (uint32_t i = 0; i < rep.n; i++) {
			pid_t r = rep.ids[i];
			/* rpid <= 0: not bound yet, never pass it to the kernel
			 * (0 or -1 would hit a whole real group or everything). */
			if (r == self) {
				me = true;
				continue;
			}
			if (r <= 0 || nlist == KILL_LIST_MAX)
				keep = false;
			else
				list[nlist++] = r;
			kill_tally_add(&t, r > 0 ? real_kill(r, sig) : -ESRCH);
		}
		offset += (int)rep.n;
		if (rep.n == 0 || offset >= total)
			break;
	}
	/* SIGKILL to a group: its real group too (supervisor/gkill.c).  A
	 * child whose fork was under way is in it, unknown to the engine,
	 * and its parent may die of this signal before saying so. */
	if (sig == SIGKILL && rkill_group > 1)
		(void)real_kill(-rkill_group, SIGKILL);
	if (sent)
		return 0; /* the real kill(0) reached the caller, at least */
	if (owner)
		kill_tally_add(&t, real_kill(shim_mem_rpid(), sig));
	if (me)
		kill_tally_add(&t, real_kill(self, sig));
	if (keep && t.sent > 0)
		kill_list_keep(pid, changes, me, list, nlist);
	if (t.sent == 0) /* kill(1, sig): init ignores it, once permitted */
		return pid == 1 ? shim_init_sig_check(sig) : 0;
	int rc = kill_tally_result(&t, pid);
	/* The target died between the answer and our kill (a child the kernel
	 * reaped itself): ask once more with signal 0, whose handling applies
	 * the exit first (supervisor/ops.c, op_kill), so that the next
	 * getpgid(pid) says ESRCH too. */
	if (rc == -ESRCH && pid > 1 && !me && !owner) {
		struct proto_req again = { .op = PROTO_OP_KILL, .a = pid, .b = 0 };
		(void)shim_call(&again, &rep);
	}
	return rc;
}

/*
 * kill(0, sig) of a signal that needs no engine: the real kill(0, sig)
 * first, then the round trip.  Sent after the round trip, it came 100 µs
 * or more after whatever the caller did just before.  timeout(1) ends a
 * job with kill(child, sig) -- answered at once from its table of
 * children -- then kill(0, sig): natively the second comes a microsecond
 * after the first, while the child has not run yet, and the two are one
 * pending signal; after a round trip the child had handled the first, and
 * bash's `trap ... INT` ran twice (2 runs in 5 on a loaded machine).
 *
 * The caller's real group mirrors its virtual one, and is the tree's: the
 * command's is made by the supervisor (run.c) and every other by a
 * process of the tree; never the supervisor's, which is checked.  The
 * kill is numbered for forks in flight (supervisor/gkill.c) by an event
 * record written before it is sent (PROTO_KILL_NOTE).  The caller's own
 * copy waits, blocked, until the members outside the real group, if any,
 * have theirs (the supervisor lists only those: PROTO_KILL_REAL_SENT).  Not
 * under --trace, whose kill event must come before the deaths it causes.
 * VIEW_ASK when it does not apply.
 */
static int kill_own_group(int sig)
{
	struct proto_req note = { .op = PROTO_OP_KILL, .a = 0, .b = sig, .d = PROTO_KILL_NOTE };
	struct proto_vpids *vc;
	sigset_t old;
	pid_t rg, sup, sup_rg;
	int rc;

	if (sig <= 0 || sig >= _NSIG || shim_kill_needs_engine(sig) || shim_traced() || shim_vf.active || shim_self_vmkid() ||
	    !shim_self_known() || (vc = shim_vpids()) == NULL || (sup = atomic_load(&vc->sup_rpid)) <= 1)
		return VIEW_ASK;
	rg = (pid_t)shim_raw_syscall(SYS_getpgid, 0, 0, 0, 0, 0, 0);
	sup_rg = (pid_t)shim_raw_syscall(SYS_getpgid, sup, 0, 0, 0, 0, 0);
	if (rg <= 1 || sup_rg < 0 || rg == sup_rg) /* 0: a group outside our pid namespace */
		return VIEW_ASK;
	shim_block(&old);
	/* Numbered before it is sent: a member forking now, which gets it
	 * just before its fork system call, makes a child without it and
	 * then dies of it; that child's BIND comes after this note, so the
	 * supervisor gives it the signal (gkill_exit), as Linux, whose fork
	 * would not have finished, leaves no such child. */
	if (!shim_event(&note)) {
		shim_unblock(&old);
		return VIEW_ASK;
	}
	rc = real_kill(0, sig);
	if (rc == 0)
		(void)kill_online(0, sig, true);
	shim_unblock(&old);
	return rc;
}

/* SIGTSTP, SIGTTIN or SIGTTOU to ourselves with its default action: Linux
 * discards it when our group is orphaned, which only the engine knows
 * (supervisor/ops.c, stop_discarded), so ask instead of sending it.
 * SIGSTOP asks too: the supervisor first applies the exits that came
 * before our stop, which the orphan rule must judge with us running
 * (supervisor/ops.c, settle). */
static bool stop_to_self_asks(int sig)
{
	struct sigaction sa;
	int saved = errno;
	bool ask;

	if (sig == SIGSTOP)
		return true;
	if (sig != SIGTSTP && sig != SIGTTIN && sig != SIGTTOU)
		return false;
	ask = REAL(sigaction)(sig, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL;
	shim_errno_keep(saved);
	return ask;
}

static int kill_any(pid_t pid, int sig)
{
	int rc;

	shim_init();
	if (shim_offline())
		return kill_offline(pid, sig);
	/* A second signal to the group the previous call signalled. */
	rc = kill_list_use(pid, sig);
	if (rc != VIEW_ASK)
		return rc;
	/* Oneself: no round trip (the kernel checks sig).  kill(self, 0)
	 * needs no system call at all: a process may always signal itself,
	 * and it exists while it asks. */
	if (pid > 0 && pid == shim_self_vpid() && !stop_to_self_asks(sig))
		return sig == 0 ? 0 : real_kill(shim_sys_getpid(), sig);
	/* kill(pid, 0) asks whether pid exists and may be signalled: a live,
	 * bound process the view shows exists, and the real kill(rpid, 0)
	 * checks the permission as the kernel would.  Zombies, init and
	 * everything else ask the engine.  Gone for the kernel while the view
	 * shows it alive, its exit has not reached the model yet (a child the
	 * kernel reaped by itself, SIGCHLD ignored): ask, so that the
	 * supervisor applies that exit before answering (ops.c, op_kill) and
	 * the caller's next getpgid(pid) is ESRCH too. */
	if (sig == 0 && pid > 1) {
		struct mview_ids mv;
		if (shim_mview_ids(pid, &mv) && mv.state == MVIEW_LIVE && mv.rpid > 0) {
			rc = real_kill(mv.rpid, 0);
			if (rc != -ESRCH)
				return rc;
			rc = kill_online(pid, 0, false);
			return rc == 1 ? -ESRCH : rc;
		}
	}
	/* The view when it is fresh; else a child of ours from our table. */
	rc = shim_view_kill(pid, sig);
	if (rc == VIEW_ASK)
		rc = shim_child_kill(pid, sig);
	if (rc != VIEW_ASK)
		return rc;
	if (pid == 0 && (rc = kill_own_group(sig)) != VIEW_ASK)
		return rc;
	if (pid < -1 && (rc = shim_view_kill_group(pid, sig)) != VIEW_ASK)
		return rc;
	rc = kill_online(pid, sig, false);
	if (rc == 1)
		rc = kill_offline(pid, sig);
	return rc;
}

SHIM_EXPORT int kill(pid_t pid, int sig)
{
	int rc = kill_any(pid, sig);

	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return 0;
}

/*
 * raise(3): glibc sends with its own tgkill, which we never see.  Only a
 * stop signal of the terminal family with its default action needs us
 * (stop_to_self_asks): the engine says whether our orphaned group
 * discards it; if not, or for any other signal, the real raise.
 */
SHIM_EXPORT int raise(int sig)
{
	struct proto_req req = { .op = PROTO_OP_KILL, .b = sig };
	struct proto_rep rep;

	shim_init();
	if (shim_offline() || shim_vf.active || !stop_to_self_asks(sig))
		return REAL(raise)(sig);
	req.a = shim_self_vpid();
	if (shim_call(&req, &rep) == 0 && rep.err == 0 && rep.v[1] == 0 && rep.n == 0)
		return 0; /* discarded, as Linux would at delivery */
	return REAL(raise)(sig);
}

SHIM_EXPORT int killpg(pid_t pgrp, int sig)
{
	int rc;

	if (pgrp < 0)
		rc = -EINVAL;
	else
		rc = kill_any(pgrp == 0 ? 0 : -pgrp, sig);
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return 0;
}

/* sigqueue goes to one process: translate the vpid, then the real call
 * (glibc fills si_pid with our real pid; the receiver's shim translates). */
SHIM_EXPORT int sigqueue(pid_t pid, int sig, const union sigval value)
{
	pid_t r;

	shim_init();
	if (shim_mode() == SHIM_MODE_NONE)
		return REAL(sigqueue)(pid, sig, value);
	if (pid <= 0) {
		errno = ESRCH;
		return -1;
	}
	if (shim_offline()) {
		if (pid == shim_sys_getpid() || pid == shim_last_vpid())
			r = shim_sys_getpid();
		else
			r = shim_child_v2r(pid);
	} else if (pid == shim_self_vpid()) {
		r = shim_sys_getpid();
	} else if (pid == 1) {
		/* Init ignores it once permitted; never a real signal to the
		 * supervisor (SIGSTOP or SIGKILL would reach it).  Unreachable:
		 * ESRCH, as any pid but our own and our children's when LOST. */
		int rc = shim_connect() < 0 ? -ESRCH : shim_init_sig_check(sig);
		if (rc < 0) {
			errno = -rc;
			return -1;
		}
		return 0;
	} else {
		/* A vpid, or a thread's id (real: its process gets the signal,
		 * as for kill), by the thread id rule (thread.c). */
		r = shim_xlate_tid(pid);
		if (r == SHIM_PID_NONE)
			r = 0;
	}
	if (r <= 0) {
		errno = ESRCH;
		return -1;
	}
	return REAL(sigqueue)(r, sig, value);
}

/* Hidden alias for syscall() (shim.h). */
extern __typeof(kill) shim_kill __attribute__((alias("kill"), copy(kill)));
