/* eng.h — the job-control engine: a pure model of a virtual pid namespace. */
#ifndef JOBSHIM_ENG_H
#define JOBSHIM_ENG_H

/*
 * The engine models processes, process groups and sessions exactly as Linux
 * does (see docs/SEMANTICS.md).  It performs no I/O, reads no clock, keeps no
 * globals: all state lives in one opaque `struct eng`.  Every operation
 * returns 0 (or a non-negative result) or -errno exactly as the Linux system
 * call would, and appends what the caller must carry out (signals to send,
 * trace events) to a `struct eng_fx` as data.
 *
 * Ids: every id here is virtual (vpid, vpgid, vsid) unless it says rpid.
 * The engine also stores the real pid bound to each virtual process, so that
 * it is the single authority for the vpid <-> rpid mapping
 * (eng_vpid_to_rpid / eng_rpid_to_vpid are the only converters).
 *
 * vpid 1 is init (session 1, group 1); it never exits and ignores signals
 * sent from inside.  The command is normally created with eng_fork(1) and
 * eng_setsid(), which makes it vpid 2, leader of session 2 and group 2.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct eng;

/* Stopped-state oracle: returns true when process `vpid` (real pid `rpid`)
 * is in a completed group stop right now.  Called only by the orphan rule,
 * only for members of the group being checked.  When NULL, the engine uses
 * the flag kept by eng_set_stopped(). */
typedef bool (*eng_stopped_fn)(void *ctx, int32_t vpid, int64_t rpid);

/* Kernel-rule oracle: does the kernel under us send the orphan rule's
 * SIGHUP to every member of the group (true), or only to its stopped
 * members (false)?  SIGCONT goes to every member either way.  Kernels
 * differ here (docs/internals.md, "Exits and the orphan rule"); called only
 * when the answer matters (an orphaned group with a stopped member and a
 * running one).  When NULL: every member, as older kernels do. */
typedef bool (*eng_hup_all_fn)(void *ctx);

/* Host-id oracle: is `id` held outside the model, by a live thread of our
 * pid namespace that leads no process?  Linux never hands out as a pid an
 * id a thread holds; eng_fork skips such ids (core/proto.h,
 * proto_vpids_take_free, says why).  When NULL: no id is. */
typedef bool (*eng_id_busy_fn)(void *ctx, int32_t id);

struct eng_config {
	int32_t vpid_max;          /* ids are allocated in [2, vpid_max]; 0 = default (4194304); the supervisor: pid_max - 1 */
	eng_stopped_fn is_stopped; /* optional; see above */
	eng_hup_all_fn orphan_hup_all; /* optional; see above */
	eng_id_busy_fn id_busy;    /* optional; see above */
	void *ctx;                 /* passed to is_stopped, orphan_hup_all and id_busy */
};

/* ---- effects ---------------------------------------------------------- */

enum eng_fx_kind {
	ENG_FX_SIGNAL = 1, /* send `sig` to process `vpid` */
	ENG_FX_EVENT,      /* a trace event; `ev` says which */
};

enum eng_event {
	ENG_EV_FORK = 1,   /* vpid = child, a = parent */
	ENG_EV_EXEC,       /* vpid */
	ENG_EV_EXIT,       /* vpid, a = wait status */
	ENG_EV_REAP,       /* vpid = child, a = reaper (parent) */
	ENG_EV_REPARENT,   /* vpid = child, a = old parent, b = new parent */
	ENG_EV_SETSID,     /* vpid, a = new sid */
	ENG_EV_SETPGID,    /* vpid = target, a = old pgid, b = new pgid, c = caller */
	ENG_EV_STOP,       /* vpid (observed, via eng_set_stopped) */
	ENG_EV_CONT,       /* vpid (observed, via eng_set_stopped) */
	ENG_EV_KILL,       /* vpid = sender, a = pid argument, b = sig, c = number of targets */
	ENG_EV_ORPHAN,     /* a = orphaned vpgid, b = exiting vpid that caused it,
	                      c = cause (enum eng_orphan_cause), ids[0..nids) = the
	                      stopped members; SIGHUP effects (to every member, or
	                      to the stopped ones: eng_hup_all_fn) and SIGCONT
	                      effects to every member follow this event, unless c
	                      has ENG_ORPHAN_KERNEL (eng_session_set_kernel) */
};

enum eng_orphan_cause {
	ENG_ORPHAN_PARENT_EXIT = 1, /* rule 1: b was the parent of a member of group a */
	ENG_ORPHAN_SELF_EXIT,       /* rule 2: b was the group's last connecting member */
};
/* Or'ed into an ORPHAN event's cause when the group's session is one whose
 * real mirror gets the same rule from the kernel: no signals follow. */
#define ENG_ORPHAN_KERNEL 0x100
/* Or'ed in when the kernel under us sends the SIGHUP to the stopped members
 * only (eng_hup_all_fn said false): SIGHUP effects follow for those only. */
#define ENG_ORPHAN_HUP_STOPPED 0x200

struct eng_effect {
	enum eng_fx_kind kind;
	enum eng_event ev; /* ENG_FX_EVENT only */
	int32_t vpid;      /* target of a signal / subject of an event */
	int sig;           /* ENG_FX_SIGNAL only */
	int32_t a, b, c;   /* event arguments, see enum eng_event */
	size_t ids_off;    /* ids of this effect: fx->ids[ids_off .. ids_off+nids) */
	size_t nids;
};

/* Effects produced by one or more operations.  Caller-owned and reusable;
 * operations append, the caller clears.  Growing it is the only allocation an
 * operation may fail on (-ENOMEM, state unchanged where documented). */
struct eng_fx {
	struct eng_effect *v;
	size_t n, cap;
	int32_t *ids;
	size_t nids, capids;
};

void eng_fx_init(struct eng_fx *fx);
void eng_fx_clear(struct eng_fx *fx);
void eng_fx_free(struct eng_fx *fx);

/* ---- lifecycle ---------------------------------------------------------- */

/* Create a namespace holding only init (vpid 1, sid 1, pgid 1).
 * -ENOMEM; -EINVAL for a vpid_max below 16 or above INT32_MAX/2. */
int eng_new(struct eng **out, const struct eng_config *cfg);
void eng_free(struct eng *e);

/* ---- process lifecycle -------------------------------------------------- */

/* fork: a new child of `parent` in parent's group and session, running,
 * not exec'd, no rpid bound yet.  Its vpid: the lowest free one from the
 * cursor on; past vpid_max the numbering wraps to 300 (Linux's
 * RESERVED_PIDS; to 2 when vpid_max is not above 300), as Linux's pids
 * wrap at pid_max.  ESRCH: parent unknown or a zombie.  EAGAIN: no free
 * vpid.  ENOMEM. */
int eng_fork(struct eng *e, int32_t parent, int32_t *child, struct eng_fx *fx);

/* fork with a caller-chosen vpid (the supervisor's shared counter hands ids
 * out without asking the engine).  EINVAL: vpid < 2 or > vpid_max; EEXIST:
 * a process, group or session carries that id; ESRCH: parent unknown or a
 * zombie; ENOMEM.  The engine's own cursor moves past vpid, so eng_fork
 * never hands it out again. */
int eng_fork_at(struct eng *e, int32_t parent, int32_t vpid, struct eng_fx *fx);

/* A run of free vpids for the supervisor's shared counter, which hands
 * them out without asking (core/proto.h, proto_vpids): *first is the id
 * eng_fork would pick now (the numbering wraps as there), *count (1 to
 * want) how many ids from it on are free, not past vpid_max.  The cursor
 * moves past the run, so eng_fork never hands those ids out; each one the
 * counter hands out comes back as an eng_fork_at.  Ids a live thread
 * holds are not looked at past the first (the counter's takers skip them,
 * proto_vpids_take_free).  EAGAIN: no free vpid; EINVAL: want < 1. */
int eng_reserve_run(struct eng *e, int32_t want, int32_t *first, int32_t *count);

/* A write of `last` to /proc/sys/kernel/ns_last_pid: the next eng_fork
 * picks the lowest free id above `last` (wrapping past vpid_max as eng_fork does), as
 * Linux allocates after the write.  EINVAL: last < 0 or > vpid_max (the
 * sysctl's range: 0..pid_max).  The caller's privilege is the kernel's
 * to judge (the shim's real write comes first). */
int eng_set_last_pid(struct eng *e, int32_t last);

/* What a read of ns_last_pid shows: the id before the engine's cursor
 * (the last one eng_fork or eng_fork_at handed out, or the last set). */
int eng_last_pid(const struct eng *e);

/* Undo an eng_fork whose real fork failed: the child vanishes without an
 * exit, reap or event.  ESRCH unknown; EBUSY if it has children or was
 * bound/exec'd or is a group/session leader of others. */
int eng_fork_abort(struct eng *e, int32_t child);

/* Bind / look up the real pid of a virtual process.
 * bind: EINVAL rpid <= 0 (checked first); ESRCH unknown or zombie vpid;
 * EEXIST the rpid is bound to another live vpid, or vpid is already bound to
 * a different rpid; binding the same pair again is 0.  An rpid still bound
 * to a zombie is taken over (the kernel reused a reaped pid): the zombie
 * becomes unbound. */
int eng_bind(struct eng *e, int32_t vpid, int64_t rpid);
int64_t eng_vpid_to_rpid(const struct eng *e, int32_t vpid);   /* -ESRCH, or 0 if unbound */
int32_t eng_rpid_to_vpid(const struct eng *e, int64_t rpid);   /* -ESRCH */

/* exec: remember that vpid exec'd (setpgid by its parent -> EACCES, a
 * zombie child included: it keeps the mark until reaped).  ESRCH unknown. */
int eng_exec(struct eng *e, int32_t vpid, struct eng_fx *fx);

/* exit: vpid becomes a zombie with `wstatus`; its children are reparented to
 * the new reaper (zombie children too: the reaper collects those): the
 * nearest living ancestor of vpid marked with eng_set_subreaper, else init
 * (kernel/exit.c find_new_reaper).  Then the two exit-time orphan rules of
 * SEMANTICS.md are applied with the children's new parent, appending ORPHAN
 * events and SIGHUP+SIGCONT signal effects.  ESRCH unknown; EALREADY
 * already a zombie; EPERM vpid 1. */
int eng_exit(struct eng *e, int32_t vpid, int wstatus, struct eng_fx *fx);

/* prctl(PR_SET_CHILD_SUBREAPER, on) by vpid: while set, vpid is the
 * reparenting target of its orphaned descendants (see eng_exit).  Kept
 * across exec, not inherited by fork (as the kernel's is_child_subreaper).
 * ESRCH unknown or a zombie; EINVAL vpid 1 (init is the last reaper
 * anyway).  Setting it again is 0. */
int eng_set_subreaper(struct eng *e, int32_t vpid, bool on);

/* reap: `parent` collects zombie `child`; the process disappears, its
 * group/session disappear when empty.  ECHILD: child unknown, not parent's
 * child, or not a zombie. */
int eng_reap(struct eng *e, int32_t parent, int32_t child, struct eng_fx *fx);

/* Observed stop / continue (from wait statuses or /proc). ESRCH unknown.
 * A STOP/CONT event is appended only when the flag changes; for a zombie
 * this is a no-op returning 0 (a zombie is never stopped). */
int eng_set_stopped(struct eng *e, int32_t vpid, bool stopped, struct eng_fx *fx);

/* ---- ids ---------------------------------------------------------------- */

/* setsid: caller becomes leader of a new session and group with id = caller.
 * Returns the new sid.  ESRCH: caller unknown or a zombie.  EPERM: caller is
 * a group leader, or a group with id == caller exists. */
int eng_setsid(struct eng *e, int32_t caller, struct eng_fx *fx);

/* Mark session vsid as one whose real mirror is a real session whose
 * processes' real parents follow the virtual ones: the kernel then applies
 * the orphaned-group rule itself at the same exits, so the engine's ORPHAN
 * events in it carry ENG_ORPHAN_KERNEL and no signals (each process gets
 * the SIGHUP/SIGCONT pair once).  ESRCH: no such session. */
int eng_session_set_kernel(struct eng *e, int32_t vsid, bool on);

/* setpgid(pid, pgid) as called by `caller`.  Rules in order:
 *   pid 0 -> caller; pgid 0 -> pid
 *   pgid < 0 (after substitution: setpgid(-1, 0) too) -> EINVAL
 *   caller unknown or a zombie                 -> ESRCH
 *   pid unknown, or neither caller nor a child of caller -> ESRCH
 *   target is a session leader                 -> EPERM
 *   target a child in another session          -> EPERM
 *   target a child that has exec'd             -> EACCES
 *   pgid != pid and no group pgid in the caller's session -> EPERM
 *   already in that group, or a zombie child that never exec'd -> 0
 * (The kernel checks "child in another session" and "exec'd" before "session
 * leader"; both orders give the same results.  A zombie child that passes
 * the checks is moved, as the kernel's change_pid() does.)
 * Never triggers the orphan rule. */
int eng_setpgid(struct eng *e, int32_t caller, int32_t pid, int32_t pgid, struct eng_fx *fx);

/* getpgid / getsid: pid 0 = caller; ESRCH unknown.  A zombie reports its ids. */
int eng_getpgid(const struct eng *e, int32_t caller, int32_t pid);
int eng_getsid(const struct eng *e, int32_t caller, int32_t pid);
/* getppid of caller (1 once reparented).  ESRCH unknown; 0 for init. */
int eng_getppid(const struct eng *e, int32_t caller);

/* ---- kill --------------------------------------------------------------- */

/* Resolve kill(pid, sig) sent by `caller` into ENG_FX_SIGNAL effects, one per
 * target (sig 0 included: a probe still lists targets), plus one KILL event.
 *   INT32_MIN -> ESRCH; caller unknown -> ESRCH; then the target lookup:
 *   pid > 0: that process (zombie included); unknown -> ESRCH;
 *            init (1) -> 0 with no target (init ignores signals from inside)
 *   pid 0: every member of caller's group;  pid -1: every process but
 *   init and the caller (ESRCH when none); pid < -1: every member of group
 *   -pid (ESRCH when unknown/empty);
 *   then sig < 0 or sig > 64 -> EINVAL.  Linux checks the signal per target
 *   (check_kill_permission), after the lookup: kill(unknown, 65) is ESRCH.
 *   SEMANTICS.md says "before any lookup"; the kernel disagrees, and wins.
 * Group sends skip init (pid 0 from a member of group 1).  The KILL event
 * comes first, then the signals in vpid order (-1) or join order (groups);
 * nothing is appended on error.
 * Permission (uids) is left to the real kill. */
int eng_kill(struct eng *e, int32_t caller, int32_t pid, int sig, struct eng_fx *fx);

/* ---- wait --------------------------------------------------------------- */

/* Children of `caller` eligible for wait4(sel, options):
 *   sel > 0: that child; -1: any child; 0: children in caller's group now;
 *   < -1: children in group -sel.
 *   options other than WNOHANG|WUNTRACED|WCONTINUED|__WNOTHREAD|__WCLONE|__WALL
 *   -> EINVAL (checked first); sel == INT32_MIN -> ESRCH (as kernel_wait4);
 *   unknown caller -> ECHILD.
 * Every child matching the selector is listed, whatever its state (running,
 * stopped, zombie) and its exit signal, in the order it became a child: the
 * model does not know exit signals, so which of them __WCLONE (children
 * whose exit signal is not SIGCHLD) or its absence lets a wait see is the
 * kernel's to decide, in the caller's own wait of each (shim/wait.c).
 * Writes up to `cap` vpids to out; returns how many are eligible in total
 * (may exceed cap), or -ECHILD when none. */
int eng_wait_select(const struct eng *e, int32_t caller, int32_t sel, int options,
		    int32_t *out, size_t cap);

/* ---- inspection --------------------------------------------------------- */

enum eng_pstate { ENG_P_RUNNING = 'R', ENG_P_STOPPED = 'T', ENG_P_ZOMBIE = 'Z' };

struct eng_pinfo {
	int32_t vpid, ppid, pgid, sid;
	int64_t rpid;           /* 0 while unbound */
	char state;             /* enum eng_pstate */
	bool execed;
	bool subreaper;         /* eng_set_subreaper */
};

/* Info about vpid; ESRCH unknown. */
int eng_info(const struct eng *e, int32_t vpid, struct eng_pinfo *out);
/* The smallest known vpid >= from (zombies included), or -ESRCH: iterate
 * with from = last+1 (O(1) per step when `last` still exists). */
int32_t eng_next(const struct eng *e, int32_t from);

/* Pure orphan predicate (kernel/exit.c's will_become_orphaned_pgrp):
 * true when no member of group `pgid`, other than `ignore` (0 = none) and
 * zombies, has a parent in a different group of the same session (a parent
 * that is init never connects).  False for an unknown group. */
bool eng_pgrp_orphaned(const struct eng *e, int32_t pgid, int32_t ignore);

/* The processes whose exit, if it has already happened, the model must
 * apply before vpid moves to group to_pgid (0: setsid's new group), so
 * that the orphan rule judges it against the groups of its time (pgrp.c).
 * Up to cap vpids into out; returns the total (may exceed cap). */
size_t eng_move_witnesses(const struct eng *e, int32_t vpid, int32_t to_pgid, int32_t *out,
			  size_t cap);

/* The same for a change of a stopped state in group pgid (a SIGCONT,
 * SIGKILL or stop of a member): its live members and their parents. */
size_t eng_pgrp_witnesses(const struct eng *e, int32_t pgid, int32_t *out, size_t cap);

/* After vpid moved from group old_pgid: the live links (a parent outside
 * the group, in its session) of its old and new groups and of its
 * children's groups that have another live member, whose exit may orphan
 * them.  Up to cap vpids; returns the total. */
size_t eng_move_links(const struct eng *e, int32_t vpid, int32_t old_pgid, int32_t *out, size_t cap);

struct eng_stats {
	size_t nproc, ngrp, nsess, nzombie;
	size_t bytes; /* heap bytes held by the model (tables, records) */
};
void eng_stats(const struct eng *e, struct eng_stats *out);

/* Consistency check: every process in exactly one group, every group in one
 * session, parent/child links symmetric, cached counts equal a recount.
 * 0, or -EINVAL with a description in why. */
int eng_check(const struct eng *e, char *why, size_t whylen);

/* Test hook: the nth allocation (or effect-list reservation) from now fails
 * with -ENOMEM; 0 turns it off.  Lets tests prove "state unchanged". */
void eng_debug_fail_alloc(struct eng *e, unsigned nth);

#endif
