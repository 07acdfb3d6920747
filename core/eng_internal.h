/* eng_internal.h — the engine's records, tables and helpers shared by core/{eng,proc,pgrp,session,kill,wait,fx}.c. */
#ifndef JOBSHIM_ENG_INTERNAL_H
#define JOBSHIM_ENG_INTERNAL_H

/*
 * utlist's DL_DELETE asserts its preconditions.  core/ must never abort, and
 * eng_check() verifies the same list invariants explicitly, so assertions are
 * compiled out in every engine translation unit (this header is always the
 * first one a core/eng*.c file includes).
 */
#ifndef NDEBUG
#define NDEBUG
#endif
#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "eng.h"

/* Every engine allocation goes through eng_alloc/eng_release so that
 * eng_stats() can report exact heap usage and tests can inject failures. */
void *eng_alloc(struct eng *e, size_t size);
void eng_release(struct eng *e, void *ptr, size_t size);
/* Consume one step of the test failure countdown; true = fail this allocation. */
bool eng_alloc_should_fail(struct eng *e);

/*
 * uthash configuration.  HASH_NONFATAL_OOM: a failed insertion leaves the
 * element out of the table with its handle's tbl set to NULL (see
 * ENG_HASH_ADDED) instead of calling exit().  The allocator macros name the
 * engine handle `e`: every function that adds to or deletes from a table has
 * a `struct eng *e` in scope.
 */
#define HASH_NONFATAL_OOM 1
#define uthash_malloc(sz) eng_alloc(e, (sz))
#define uthash_free(ptr, sz) eng_release(e, (ptr), (sz))

/* Keys are small integers (vpid, vpgid, vsid: 4 bytes; rpid: 8 bytes); a
 * 64-bit finaliser spreads consecutive ids over the low bits uthash uses. */
static inline unsigned eng_hash_key(const void *key, unsigned len)
{
	uint64_t x = 0;

	memcpy(&x, key, len < sizeof(x) ? len : sizeof(x));
	x ^= x >> 33;
	x *= UINT64_C(0xff51afd7ed558ccd);
	x ^= x >> 33;
	x *= UINT64_C(0xc4ceb9fe1a85ec53);
	x ^= x >> 33;
	return (unsigned)x;
}
#define HASH_FUNCTION(keyptr, keylen, hashv) ((hashv) = eng_hash_key((keyptr), (unsigned)(keylen)))

#include <uthash.h>
#include <utlist.h>

/* True when the last HASH_ADD of `obj` through handle `hh` succeeded. */
#define ENG_HASH_ADDED(obj, hh) ((obj)->hh.tbl != NULL)

#define ENG_VPID_INIT 1
#define ENG_VPID_MAX_DEFAULT 4194304
#define ENG_VPID_MAX_MIN 16
/* Linux's RESERVED_PIDS: past pid_max its numbering wraps to 300, not to 1
 * (alloc_pid: once the cursor is above it), so that the daemons a system
 * starts first keep ids nobody reuses. */
#define ENG_RESERVED_IDS 300
#define ENG_SIG_MAX 64 /* Linux _NSIG */

/* ---- records ------------------------------------------------------------ */

struct session {
	int32_t vsid;       /* key in eng.sessions; the vpid of the process that called setsid */
	uint32_t ngroups;   /* number of groups whose sess is this one; always > 0 (empty sessions are freed) */
	bool kernel_orphans; /* eng_session_set_kernel: the kernel applies the orphan rule to its real mirror */
	UT_hash_handle hh;  /* eng.sessions, keyed by vsid */
};

struct pgrp {
	int32_t vpgid;         /* key in eng.pgrps */
	uint32_t nmembers;     /* length of members; always > 0 (empty groups are freed) */
	struct session *sess;  /* never NULL; every member is in this session */
	struct proc *members;  /* utlist DL via proc.mem_prev/mem_next, in join order; zombies included */
	uint64_t stamp;        /* scratch of eng_exit: equals eng.exit_serial once this exit has visited the group */
	UT_hash_handle hh;     /* eng.pgrps, keyed by vpgid */
};

struct proc {
	int32_t vpid;            /* key in eng.procs, in [1, vpid_max] */
	int wstatus;             /* wait status given to eng_exit; meaningful only when zombie */
	int64_t rpid;            /* real pid; 0 = unbound; when != 0 the proc is in eng.by_rpid and no other proc has it */
	struct proc *parent;     /* NULL only for init; never a zombie (exit reparents children to the reaper) */
	struct proc *children;   /* utlist DL via sib_prev/sib_next, in the order they became children */
	struct proc *sib_prev, *sib_next; /* links in parent->children */
	struct pgrp *pgrp;       /* never NULL; this proc is on pgrp->members exactly once */
	struct proc *mem_prev, *mem_next; /* links in pgrp->members */
	struct proc *ord_prev, *ord_next; /* links in eng.ordered (sorted by vpid) */
	uint32_t nchildren;      /* length of children */
	bool zombie;             /* exited, not reaped; a zombie has no children and is never stopped */
	bool execed;             /* has exec'd (setpgid by its parent -> EACCES) */
	bool stopped;            /* observed stop, from eng_set_stopped; false for zombies */
	bool exit_mark;          /* scratch of eng_exit: last child of its group in the exiting parent's list; false outside eng_exit */
	bool subreaper;          /* PR_SET_CHILD_SUBREAPER: orphaned descendants are reparented here (eng_set_subreaper); never set on init */
	UT_hash_handle hh;       /* eng.procs, keyed by vpid */
	UT_hash_handle hr;       /* eng.by_rpid, keyed by rpid, only while rpid != 0 */
};

struct eng {
	int32_t vpid_max;        /* ids are allocated in [2, vpid_max] */
	eng_stopped_fn is_stopped; /* optional stopped-state oracle (struct eng_config) */
	eng_hup_all_fn orphan_hup_all; /* optional kernel-rule oracle (struct eng_config) */
	eng_id_busy_fn id_busy;  /* optional host-id oracle (struct eng_config) */
	void *ctx;               /* argument of is_stopped, orphan_hup_all and id_busy */
	struct proc *procs;      /* every process, zombies included, by vpid */
	struct proc *by_rpid;    /* bound processes, by rpid */
	struct pgrp *pgrps;      /* every non-empty group, by vpgid */
	struct session *sessions; /* every non-empty session, by vsid */
	struct proc *ordered;    /* utlist DL via ord_prev/ord_next: all processes by increasing vpid */
	struct proc *init;       /* vpid 1; never NULL, never exits */
	int32_t next_vpid;       /* next allocation candidate, in [2, vpid_max + 1]; 1 after
	                            ns_last_pid was written 0 (eng_set_last_pid) */
	bool wrapped;            /* allocation has wrapped once: candidates must be checked for use */
	size_t nproc, nzombie, nbound; /* cached counts of procs / zombies / bound procs */
	size_t ngrp, nsess;      /* cached counts of pgrps / sessions */
	size_t bytes;            /* estimated heap bytes of every live eng_alloc block (malloc chunk sizes) */
	uint64_t exit_serial;    /* incremented by each eng_exit; see pgrp.stamp */
	unsigned fail_in;        /* test hook: the fail_in-th allocation from now fails; 0 = off */
};

/* ---- eng.c -------------------------------------------------------------- */

/* glibc's chunk size for a request, the unit eng.bytes is counted in. */
size_t eng_chunk_size(size_t size);

/* ---- fx.c --------------------------------------------------------------- */

/* Make room for `neff` more effects and `nids` more ids, so that the pushes
 * that follow cannot fail.  Every operation reserves before it mutates. */
int fx_reserve(struct eng *e, struct eng_fx *fx, size_t neff, size_t nids);
/* Append an event; requires a reservation.  Returns its index in fx->v. */
size_t fx_event(struct eng_fx *fx, enum eng_event ev, int32_t vpid, int32_t a, int32_t b, int32_t c);
void fx_signal(struct eng_fx *fx, int32_t vpid, int sig);
/* Append an id to the ids of effect `idx` (which must be the last effect
 * having ids); requires a reservation. */
void fx_add_id(struct eng_fx *fx, size_t idx, int32_t id);

/* ---- proc.c ------------------------------------------------------------- */

struct proc *proc_find(const struct eng *e, int32_t vpid);
struct proc *proc_find_rpid(const struct eng *e, int64_t rpid);
/* Create init (vpid 1) in group 1 of session 1; used by eng_new. */
int proc_make_init(struct eng *e);
/* Free every record; used by eng_free. */
void proc_free_all(struct eng *e);

/* ---- pgrp.c ------------------------------------------------------------- */

struct pgrp *pgrp_find(const struct eng *e, int32_t vpgid);
/* New empty group `vpgid` in `sess`; the caller adds a member before
 * returning to the user (empty groups are not allowed to survive). */
int pgrp_create(struct eng *e, int32_t vpgid, struct session *sess, struct pgrp **out);
/* Add p (which has no group) to g. */
void pgrp_add(struct pgrp *g, struct proc *p);
/* Remove p from its group, freeing the group (and its session) when empty. */
void pgrp_remove(struct eng *e, struct proc *p);
/* Move p to g (may free p's old group and session). */
void pgrp_move(struct eng *e, struct proc *p, struct pgrp *g);
/* will_become_orphaned_pgrp: see eng_pgrp_orphaned. */
bool pgrp_orphaned(const struct eng *e, const struct pgrp *g, const struct proc *ignore);
/* If g is orphaned (ignoring `ignore`) and has a stopped member: ORPHAN event
 * + SIGHUP (every member, or the stopped ones: eng_hup_all_fn) and SIGCONT
 * to every member.  Needs a reservation of
 * 1 + 2 * nmembers effects and nmembers ids. */
void pgrp_orphan_check(struct eng *e, struct pgrp *g, const struct proc *ignore,
		       const struct proc *culprit, enum eng_orphan_cause cause, struct eng_fx *fx);

/* ---- session.c ---------------------------------------------------------- */

struct session *session_find(const struct eng *e, int32_t vsid);
int session_create(struct eng *e, int32_t vsid, struct session **out);
/* Free a session that has no group left. */
void session_destroy(struct eng *e, struct session *s);

#endif
