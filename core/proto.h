/* proto.h — the shim <-> supervisor wire protocol: fixed-size, versioned messages. */
#ifndef JOBSHIM_PROTO_H
#define JOBSHIM_PROTO_H

/*
 * One SOCK_SEQPACKET connection per process.  Every message is exactly
 * PROTO_REQ_SIZE (client -> supervisor) or PROTO_REP_SIZE (supervisor ->
 * client) bytes, little-endian, packed at fixed offsets by proto_pack_* and
 * checked by proto_unpack_*, which never trust the buffer: a bad length,
 * magic, version, op or id is an error, never a crash.  Pure code: no
 * syscalls, usable from a signal handler (the shim links only this file).
 *
 * The sender's identity is never in the message: the supervisor knows it
 * from SO_PEERCRED on the connection.  Ids in requests are virtual unless a
 * field says rpid.
 *
 * Requests marked one-way get no reply (the shim does not wait); every other
 * request gets exactly one reply with the same op and seq.
 */

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROTO_MAGIC 0x314853ffu /* bytes ff 'S' 'H' '1' */
#define PROTO_VERSION 1
#define PROTO_REQ_SIZE 128
#define PROTO_REP_SIZE 384
#define PROTO_TEXT_REQ 96  /* text bytes in a request (NUL-padded, need not end in NUL) */
#define PROTO_TEXT_REP 64  /* text bytes in a reply */
#define PROTO_MAX_IDS 64   /* ids in a reply */
#define PROTO_NVAL 6       /* values in a reply */
#define PROTO_PID_MAX 0x3fffffff /* bound for every positive pid field (rpid or vpid) */

enum proto_op {
	/* HELLO: first message of a connection.  a = claimed vpid (0 none;
	 * from the fork cache or JOBSHIM_SELF), b = 1 when the client is the
	 * ps tool (no process registration).
	 * reply: v0 vpid, v1 ppid, v2 pgid, v3 sid. */
	PROTO_OP_HELLO = 1,
	/* FORK: allocate a child vpid before the real fork/spawn.
	 * a = flags (PROTO_FORK_*), b = pgid for PROTO_FORK_SETPGROUP
	 * (0 = the child's own id).  reply: v0 child vpid; v1 the real
	 * group a SETPGROUP child joins, 0 = its own (or unknown). */
	PROTO_OP_FORK,
	/* BIND (one-way): a = child vpid, b = child rpid; b <= 0 means the
	 * real fork failed and the reservation is dropped.  d = 1
	 * (PROTO_BIND_COUNTED): a came from the shared counter (struct
	 * proto_vpids), not from FORK: create the child if the model does
	 * not know it yet (b >= 1 required); d = 0 keeps the old meaning.
	 * c = the group-kill count the parent read just before the real fork,
	 * + 1 (0: unknown): group kills numbered later that the engine sent
	 * before it knew the child are given to it (supervisor/gkill.c).
	 * d may also have PROTO_BIND_AUTOREAP. */
	PROTO_OP_BIND,
	/* EXEC (one-way): the caller is about to exec; text = path. */
	PROTO_OP_EXEC,
	/* SETSID: a = 0 (the caller), or a child of the caller's that shares
	 * its memory and asks on its connection (shim/clone.c: CLONE_VM);
	 * any other a is ESRCH.  reply v0 = new sid. */
	PROTO_OP_SETSID,
	/* SETPGID: a = pid, b = pgid.  reply v1 = the real process group the
	 * target joins (the shim mirrors virtual groups into the kernel), 0 =
	 * unknown. */
	PROTO_OP_SETPGID,
	/* GETPGID / GETSID: a = pid (0 = caller).  reply v0. */
	PROTO_OP_GETPGID,
	PROTO_OP_GETSID,
	/* GETPPID: reply v0. */
	PROTO_OP_GETPPID,
	/* KILL: a = pid, b = sig, c = offset into the target list (paging:
	 * pages after the first come from the list taken at offset 0),
	 * d = PROTO_KILL_REAL_OK when the caller sends one real group kill
	 * instead of the list if told to (v4); PROTO_KILL_REAL_SENT (pid 0
	 * only) when it has sent the real kill(0) already: the list then
	 * holds only the targets outside its real group.
	 * reply: v0 = total targets, n = rpids in ids[] from offset c;
	 * v1 = 1 when the caller itself is a target (it signals itself last);
	 * v2 = the model view's change count with this answer (mview.h);
	 * v3 = for SIGKILL to a group, its real group, to SIGKILL as well
	 * (0 none; supervisor/gkill.c);
	 * v4 = the real group that holds every target (d asked for it): the
	 * caller sends kill(-v4, sig) alone, which the kernel delivers to all
	 * of them at once (0: signal the list; supervisor/gkill.c,
	 * gkill_atomic_group). */
	PROTO_OP_KILL,
	/* WAIT_SELECT: a = selector (wait4 pid), b = options, c = pairs to
	 * skip (paging), d = PROTO_WAIT_SETTLE or 0.  reply: v0 = total
	 * eligible, ids[] = (vpid, rpid) pairs from offset c, n = ids used. */
	PROTO_OP_WAIT_SELECT,
	/* REAPED (one-way): a = child vpid (0 unknown), b = child rpid,
	 * c = wait status. */
	PROTO_OP_REAPED,
	/* STATE (one-way): a = child rpid, b = 1 stopped / 0 continued,
	 * as observed in a wait status. */
	PROTO_OP_STATE,
	/* XLATE: a = PROTO_XLATE_*, b = id.  reply v0 = translated id
	 * (-ESRCH in err when unknown). */
	PROTO_OP_XLATE,
	/* TCGETPGRP / TCSETPGRP: the caller's session's virtual foreground
	 * group.  a = pgid for SET.  reply v0; SET: v1 = that group's real
	 * process group (for the real tcsetpgrp), 0 = unknown. */
	PROTO_OP_TCGETPGRP,
	PROTO_OP_TCSETPGRP,
	/* INFO (ps): a = smallest vpid wanted.  reply: v0 vpid, v1 ppid,
	 * v2 pgid, v3 sid, v4 rpid, v5 state char | (execed << 8);
	 * text = command.  err = -ESRCH past the last process. */
	PROTO_OP_INFO,
	/* CHECK (debug): run the engine's consistency check.
	 * reply: err, text = what is wrong; v0 = live processes. */
	PROTO_OP_CHECK,
	/* SUBREAPER: the caller applied prctl(PR_SET_CHILD_SUBREAPER, a) for
	 * real (a = 0 or 1); the model follows. */
	PROTO_OP_SUBREAPER,
	/* PGRP_RPIDS: the real pids of the live members of group a (0 = the
	 * caller's group), the caller included, paged from offset c.
	 * reply: v0 = total, n = rpids in ids[]; ESRCH for no such group. */
	PROTO_OP_PGRP_RPIDS,
	/* PROCIDS (/proc files, shim/procfs.c): the ids /proc/<a>/stat shows
	 * for vpid a (1 = the supervisor), b = the real tpgid read from the
	 * file (-1 none).  reply: v0 ppid (0: parent outside the tree), v1
	 * pgid, v2 sid, v3 tpgid (b when b <= 0, else the foreground group
	 * of a's session), v4 rpid.  ESRCH for an unknown or unbound vpid. */
	PROTO_OP_PROCIDS,
	/* PROCLIST (the /proc listing): the bound processes with vpid >= a
	 * (init included), in vpid order.  reply: ids[] = (vpid, rpid)
	 * pairs, n = ids used; v0 = the a to ask next, 0 after the last. */
	PROTO_OP_PROCLIST,
	/* NOTIF: the caller installed a seccomp filter (shim/seccomp.c) about
	 * to exec an image the shim cannot be in; a = the listener's fd
	 * number in the caller.  The supervisor takes a copy with pidfd_getfd
	 * and answers the filter's notifications (supervisor/notif.c) before
	 * it replies; the caller then closes its copy.  a = -1: the caller's
	 * chain already has a listener (an ancestor's filter: the kernel
	 * allows one, EBUSY), so only the tracer's SEIZE is asked for.
	 * err: -errno. */
	PROTO_OP_NOTIF,
	/* CTTY: the caller's session acquired (a = 1) or dropped (a = 0) its
	 * controlling terminal, as the kernel did it; b = how (PROTO_CTTY_*),
	 * c = 1 when the caller leads its session; text = the terminal's
	 * name.  reply: nothing.  For the trace and the virtual foreground
	 * group (a session that acquires one starts with its own group). */
	PROTO_OP_CTTY,
	/* LASTPID: the caller wrote a to /proc/sys/kernel/ns_last_pid and the
	 * kernel took it (the real write comes first: its permission check
	 * and parsing are Linux's).  The supervisor retires the shared
	 * counter (max 0: every fork asks with FORK from then on) and sets
	 * the engine's cursor (eng_set_last_pid), so the next child is the
	 * lowest free vpid above a; proto_vpids.next then holds the last
	 * vpid handed out + 1, for reads of the file.  reply: nothing. */
	PROTO_OP_LASTPID,
	/* INITPROXY: the real pid of the stand-in for vpid 1 that a tracer
	 * attaches to (supervisor/initproxy.c), started at the first ask.
	 * reply: v0 = its rpid; err: -errno (EPERM: none could start). */
	PROTO_OP_INITPROXY,
	/* AUTOREAP: the caller changed SIGCHLD's disposition; a = 1: the
	 * kernel now reaps its children as they exit (SIG_IGN, or
	 * SA_NOCLDWAIT, which /proc does not show), 0: no longer.  Its
	 * children are watched at once and reaped in the model when the
	 * kernel has reaped them (supervisor/procs.c).  reply: nothing. */
	PROTO_OP_AUTOREAP,
	PROTO_OP_END_ /* one past the last op */
};

#define PROTO_FORK_SETPGROUP 0x1u /* posix_spawn POSIX_SPAWN_SETPGROUP */
#define PROTO_FORK_SETSID 0x2u    /* posix_spawn POSIX_SPAWN_SETSID */
#define PROTO_FORK_FLAGS (PROTO_FORK_SETPGROUP | PROTO_FORK_SETSID)

#define PROTO_BIND_COUNTED 1 /* BIND d: counter-allocated, create if unknown */
#define PROTO_BIND_AUTOREAP 2 /* BIND d: the parent ignored SIGCHLD or set SA_NOCLDWAIT when it forked:
			       * the kernel may reap the child at its exit, unseen (supervisor/procs.c) */
#define PROTO_BIND_FLAGS (PROTO_BIND_COUNTED | PROTO_BIND_AUTOREAP)
#define PROTO_WAIT_SETTLE 1 /* WAIT_SELECT d: first apply the exits the kernel reports among the
			     * selected children (the caller's real wait said ECHILD: the kernel
			     * reaped them, SIGCHLD ignored; shim/wait.c) */
#define PROTO_KILL_REAL_OK 1 /* KILL d: the caller can send the one real group kill of v4 */
#define PROTO_KILL_REAL_SENT 2 /* KILL d (pid 0): the caller sent kill(0) for real already; list only the
				* targets outside its real group */
#define PROTO_KILL_NOTE 3 /* KILL as an event record (a = 0 or -pgid, b = sig): the sender is about to
			   * send kill(a, sig) for real (to its own real group, or to the group's real
			   * mirror); number it for forks in flight (supervisor/gkill.c) */

/* The tree's shared file PROTO_SHARED_FILE beside the socket in the
 * supervisor's run directory (0666: supervisor/rundir.c), PROTO_SHARED_SIZE
 * bytes, mapped MAP_SHARED by every shim that forks or execs: its first
 * PROTO_VPIDS_SIZE bytes are the vpid counter below (the supervisor maps
 * only those), then PROTO_IMGCACHE_SIZE bytes from PROTO_IMGCACHE_OFF are
 * the shims' image decision cache (shim/imgcache.h).  One file, so one
 * mapping per process: every mapping costs each fork and exit of the
 * process (docs/internals.md, "What a fork costs").
 *
 * The vpid counter: a fork takes atomic_fetch_add(&next, 1); a value above
 * max (the supervisor sets max to 0 once the ids wrap) means "ask with FORK
 * instead". */
#define PROTO_SHARED_FILE "shared"
#define PROTO_VPIDS_SIZE 4096
#define PROTO_IMGCACHE_OFF PROTO_VPIDS_SIZE
#define PROTO_IMGCACHE_SIZE 65536
#define PROTO_SHARED_SIZE (PROTO_IMGCACHE_OFF + PROTO_IMGCACHE_SIZE)
struct proto_vpids {
	/* The run of vpids the counter hands out: the next one (low 32 bits)
	 * and the last one (high 32 bits; 0 = none to hand out).  One word,
	 * so that a take (compare-and-swap of next + 1) either falls wholly
	 * in a run or fails: the supervisor arms a new run of free ids when
	 * one is used up (supervisor/procs.c, procs_vc_rearm). */
	_Atomic uint64_t run;
	_Atomic int32_t sup_rpid; /* the supervisor's real pid: writers of the event
	                             FIFO check it is alive (nobody may read it else) */
	/* The model view (shim/mview.h): event records written to the FIFO,
	 * counted after each write; and set for good once a one-way message
	 * went on a connection instead (the view could not say when that one
	 * is applied: readers ask from then on). */
	_Atomic uint32_t ev_posted;
	_Atomic int32_t oneway_sock;
	/* Set by the first shim that lost the supervisor: the warning is said
	 * once for the tree, not by each of its images (shim/self.c). */
	_Atomic int32_t lost_said;
	/* Reads of the model view that asked the supervisor because event
	 * records were still unapplied (shim/mview.c): each one makes the
	 * supervisor read the FIFO at once for a few wakeups
	 * (supervisor/events.c). */
	_Atomic uint32_t stale_reads;
	/* Group kills so far (supervisor/gkill.c): a forking parent reads it
	 * just before its real fork and sends it + 1 in BIND's c, so that a
	 * group signal the child missed is given to it. */
	_Atomic uint32_t gkill_seq;
};

static inline uint64_t proto_vpids_pack(int32_t next, int32_t max)
{
	return ((uint64_t)(uint32_t)max << 32) | (uint32_t)next;
}

static inline int32_t proto_vpids_next(uint64_t run)
{
	return (int32_t)(uint32_t)run;
}

static inline int32_t proto_vpids_max(uint64_t run)
{
	return (int32_t)(uint32_t)(run >> 32);
}

/* Has run an id left to hand out? */
static inline bool proto_vpids_left(uint64_t run)
{
	return proto_vpids_next(run) >= 2 && proto_vpids_next(run) <= proto_vpids_max(run);
}

/* A vpid from the counter, or 0: ask with FORK instead (the run is used
 * up; the supervisor arms the next).  Shared by the shim's fork and the
 * tracer's (supervisor/tracer_local.c). */
static inline int32_t proto_vpids_take(struct proto_vpids *vc)
{
	uint64_t run = atomic_load(&vc->run);

	while (proto_vpids_left(run))
		if (atomic_compare_exchange_weak(&vc->run, &run,
						 proto_vpids_pack(proto_vpids_next(run) + 1, proto_vpids_max(run))))
			return proto_vpids_next(run);
	return 0;
}

/* A vpid from the counter that names no live thread, or 0 (as
 * proto_vpids_take).  Linux has one id space for processes and threads,
 * so it never hands out as a pid a number a live thread holds; jobshim's
 * threads keep their real ids (gettid), and where real ids are small (a
 * fresh pid namespace: a container) a vpid equal to one would name two
 * things -- the shim reads a number equal to one of the caller's own
 * threads as that thread (shim/thread.c), so the caller's /proc/<vpid>,
 * setpriority or pidfd_open of that child reached its own thread.
 * is_thread(v) says whether v is such an id (a live thread leading no
 * process, in our pid namespace); those are taken and skipped, a gap like
 * the ones Linux's numbering has where threads took ids.  Skipping at the
 * take is enough: real ids grow from below the counter (each tree process
 * takes a real id and a vpid, a thread a real id and, when the shim sees
 * its pthread_create, a vpid it leaves unused), so a thread made
 * later gets an id above every vpid handed out, until the kernel's ids
 * wrap at pid_max. */
static inline int32_t proto_vpids_take_free(struct proto_vpids *vc, bool (*is_thread)(int32_t v))
{
	int32_t v;

	while ((v = proto_vpids_take(vc)) != 0 && is_thread(v))
		;
	return v;
}

/* A vpid taken for a real fork that failed before it made a process
 * (RLIMIT_NPROC, ENOMEM): Linux checks those before it allocates a pid,
 * so the next fork gets the number this one would have had.  Given back
 * only while it is still the last one handed out; if another fork has
 * taken one since, the gap stays. */
static inline void proto_vpids_give_back(struct proto_vpids *vc, int32_t v)
{
	uint64_t run = atomic_load(&vc->run);

	if (proto_vpids_next(run) == v + 1 && proto_vpids_max(run) >= v)
		atomic_compare_exchange_strong(&vc->run, &run, proto_vpids_pack(v, proto_vpids_max(run)));
}

/*
 * Events: one-way news a process may send without its connection, written
 * as PROTO_EVT_SIZE-byte records into the FIFO PROTO_EVENTS_FILE beside the
 * socket.  A write of at most PIPE_BUF bytes is atomic, so records from the
 * whole tree land whole, in one global order; the supervisor reads them in
 * batches when it wakes for anything else (and at most a few ms late
 * otherwise) instead of waking for each, and handles every record written
 * before any request it handles next (supervisor/events.c).  Ops: BIND,
 * EXEC, REAPED and STATE, with the request's fields (EXEC's text cut to
 * PROTO_TEXT_EVT bytes), and HELLO (a = b = 0): "I exist", written by an
 * image that never connected before its first fork, so that its children's
 * news never comes before the news of its own birth.  Unlike a
 * connection, the FIFO does not tell who wrote: the record names its
 * sender and the sender's parent (for a sender the model does not know
 * yet: its parent's BIND of it may come later in the FIFO).
 *
 * Layout (little-endian): magic u32, version u16, op u16, sender vpid,
 * sender rpid, parent vpid (0 unknown), parent rpid (0 unknown), a, b, c, d
 * (i32 each), at (u64, CLOCK_MONOTONIC ns when written), text.
 */
/*
 * A kill, tkill or tgkill that a filtered image makes is sent for it by
 * the supervisor (supervisor/notif_sig.c) with rt_(tg)sigqueueinfo: the
 * kernel lets no one forge SI_USER or SI_TKILL for another process, so the
 * signal goes out as SI_QUEUE, its si_value one of these.  Whoever shows
 * the siginfo to the receiver puts the kernel's code back and clears the
 * value: the receiver's shim (shim/sig.c) and, for a traced receiver, the
 * tracer at the signal-delivery stop (supervisor/tracer.c).  The value:
 * PROTO_SIGVAL_MAGIC in the high 32 bits, the sender's vpid << 1 | 1 for
 * a tkill/tgkill below.  si_pid is the sender's real pid (a receiver's
 * shim translates it); the tracer, for a filtered receiver, shows the
 * vpid instead -- a static glibc checks that its SIGSETXID comes from its
 * own getpid(), a vpid there.  A real sigqueue() carrying such a value
 * would be taken for a kill.
 */
#define PROTO_SIGVAL_MAGIC 0x6a73686bu /* "jshk" */

static inline uint64_t proto_sigval(int32_t sender_vpid, int tkill)
{
	return (uint64_t)PROTO_SIGVAL_MAGIC << 32 | (uint32_t)sender_vpid << 1 | (tkill ? 1u : 0u);
}

/* The si_code to show for a signal with code and si_value v: SI_USER (0)
 * or SI_TKILL (-6) for a marked SI_QUEUE (-1), else code itself. */
static inline int proto_sig_code(int code, uint64_t v)
{
	if (code != -1 || (uint32_t)(v >> 32) != PROTO_SIGVAL_MAGIC)
		return code;
	return (v & 1) ? -6 : 0;
}

/* The sender's vpid in a marked value. */
static inline int32_t proto_sig_sender(uint64_t v)
{
	return (int32_t)((uint32_t)v >> 1);
}

#define PROTO_EVENTS_FILE "events"
#define PROTO_EVT_SIZE 128
#define PROTO_TEXT_EVT 80
#define PROTO_EVT_MAGIC 0x314576ffu /* bytes ff 'v' 'E' '1' */

struct proto_evt {
	uint16_t op;
	int32_t sender_v, sender_r; /* who wrote it */
	int32_t parent_v, parent_r; /* the sender's parent, 0 when unknown */
	int32_t a, b, c, d;         /* as in the request of the same op */
	uint64_t at;                /* CLOCK_MONOTONIC ns */
	char text[PROTO_TEXT_EVT];  /* EXEC: the path (NUL-padded, need not end in NUL) */
};

#define PROTO_CTTY_OPEN 0     /* open() without O_NOCTTY by a leader with none */
#define PROTO_CTTY_TIOCSCTTY 1
#define PROTO_CTTY_TIOCNOTTY 2
#define PROTO_CTTY_LOGIN_TTY 3 /* login_tty, forkpty */

#define PROTO_XLATE_R2V 0 /* rpid -> vpid */
#define PROTO_XLATE_V2R 1 /* vpid -> rpid */

struct proto_req {
	uint16_t op;     /* enum proto_op */
	uint32_t seq;    /* echoed in the reply */
	int32_t a, b, c, d;
	char text[PROTO_TEXT_REQ];
};

struct proto_rep {
	uint16_t op;     /* the request's op */
	uint32_t seq;    /* the request's seq */
	int32_t err;     /* 0 or -errno as the Linux call would return */
	int32_t v[PROTO_NVAL];
	uint32_t n;      /* ids used, <= PROTO_MAX_IDS */
	int32_t ids[PROTO_MAX_IDS];
	char text[PROTO_TEXT_REP];
};

/* Pack into exactly PROTO_REQ_SIZE / PROTO_REP_SIZE bytes. */
void proto_pack_req(const struct proto_req *req, uint8_t *buf);
void proto_pack_rep(const struct proto_rep *rep, uint8_t *buf);

/* Unpack and validate.  0, or:
 *   -EMSGSIZE  len is not the message size
 *   -EBADMSG   bad magic
 *   -EPROTO    unsupported version
 *   -EOPNOTSUPP unknown op
 *   -EINVAL    a field out of range for its op (ids, flags, n)
 * `out` is fully written (zeroed) even on error. */
int proto_unpack_req(const uint8_t *buf, size_t len, struct proto_req *out);
int proto_unpack_rep(const uint8_t *buf, size_t len, struct proto_rep *out);

/* Events: pack into exactly PROTO_EVT_SIZE bytes; unpack and validate
 * (the errors of proto_unpack_req; -EOPNOTSUPP for an op that is not an
 * event op, -EINVAL for a bad field).  An event's
 * fields as a request (op, a, b, c, d; seq 0), for the shared handlers. */
void proto_pack_evt(const struct proto_evt *e, uint8_t *buf);
int proto_unpack_evt(const uint8_t *buf, size_t len, struct proto_evt *out);
struct proto_req proto_evt_req(const struct proto_evt *e);
/* Pack e and write it to the event FIFO fd in one write (whole or not at
 * all: <= PIPE_BUF bytes); true when it went.  The writer then counts it
 * in proto_vpids.ev_posted. */
bool proto_evt_write(int fd, const struct proto_evt *e);

/* True for the ops an event record may carry: the one-way ones, HELLO,
 * and SETPGID in one form (setpgid(0, 0) by a fork child, see
 * supervisor/events.c). */
int proto_is_event(uint16_t op);
/* True for requests that get no reply. */
int proto_is_oneway(uint16_t op);
/* Name of an op for traces and errors ("?" when unknown). */
const char *proto_op_name(uint16_t op);

#endif
