/* sup.h — the supervisor's one state struct and the interfaces between its files. */
#ifndef JOBSHIM_SUP_H
#define JOBSHIM_SUP_H

/*
 * The supervisor is single-threaded and has no signal handlers: every event
 * (connections, requests, exits, signals, timers) arrives through one epoll
 * loop (run.c).  All state lives in one `struct sup`, passed explicitly.
 *
 * Files (prefix = file stem):
 *   main.c      command line: `jobshim run`, `jobshim ps`, --help/--version
 *   run.c       set-up, spawning the command, the event loop, the exit code
 *   clients.c   connections: accept, SO_PEERCRED, HELLO, framing, replies
 *   ops.c       one handler per protocol request
 *   procs.c     vpid <-> rpid/pidfd records, exits, reaping, lazy registration
 *   sysio.c     /proc reads, pidfd calls, waitid: the seam tests/fuzz/ replaces
 *   procfs.c    the start-up check that /proc is ours (else exit 125)
 *   procview.c  PROCIDS, PROCLIST: ids for the shim's virtual /proc
 *   notif.c     seccomp notifications: pid calls of static/raw images (notif.h)
 *   notif_sig.c their kill family, sent for the caller after the kernel's permission check
 *   notif_cmd.c the command's own filter when it is a static or Go image
 *   tracer_sup.c its tracer process (tracer.c): fork and wait of filtered images
 *   effects.c   engine effects -> pidfd signals and trace events
 *   teardown.c  leftovers, timeout and signal shutdown
 *   term.c      the real terminal hand-off and the virtual foreground groups
 *   trace.c     the --trace writer (JSON Lines or readable text)
 *   ps.c        the client side of `jobshim ps`
 */

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/types.h>

#define HASH_NONFATAL_OOM 1
#include <uthash.h>

#include "../core/eng.h"
#include "../core/proto.h"
#include "../shim/mview.h"

struct epoll_event;

#define SUP_VERSION "0.1.0"
/* The largest vpid there can be: PID_MAX_LIMIT - 1, the largest pid Linux
 * hands out at any pid_max.  A run's own bound is the machine's pid_max - 1
 * (procs.c, sup_vpid_max). */
#define SUP_VPID_LIMIT 4194303
#define SUP_GKILL_RING 64     /* group kills kept for forks in flight (gkill.c) */
#define SUP_NAME_MAX 64       /* command names kept for ps and the trace */
#define SUP_SWEEP_NS 500000000LL  /* zombie / stale reservation sweep period */
#define SUP_KILL_TICK_NS 100000000LL /* re-scan period while killing the tree */
/* Default --settle: after the command's exit, the time the rest of the
 * tree has to finish exits already under way before a process still
 * running is a leftover (docs/jobshim.1, LEFTOVERS).  Ends early when the
 * tree is empty, so only a run that does leave something pays it.  Python's
 * multiprocessing helpers need ~20 ms natively, 0.2-1.5 s were seen under
 * jobshim on a 2-core machine with a load of 30: hence the extension. */
#define SUP_SETTLE_NS 1000000000LL
/* While the rest of the tree is still busy at the end of the settle time
 * (running, waiting for a CPU or a disk, using CPU time, exiting one by
 * one), it gets this much more, again and again, up to SUP_SETTLE_MAX
 * times the settle time after the command's exit: a loaded machine makes
 * helpers slow to finish, not leaks. */
#define SUP_SETTLE_STEP_NS 100000000LL
#define SUP_SETTLE_MAX 10
#define SUP_FD_RESERVE 64 /* a descriptor table this small or smaller is not bounded (run.c) */
/* The event FIFO is read on a timer (events.c): this often while records
 * come, up to SUP_EVENTS_QUIET_MAX_NS apart while none do, ... */
#define SUP_EVENTS_DELAY_NS 10000000LL
#define SUP_EVENTS_QUIET_MAX_NS 40000000LL
/* ... and SUP_EVENTS_EAGER_NS apart for this many looks after each read
 * that had to ask because records were waiting (stale_reads, proto.h),
 * at most this many owed in all. */
#define SUP_EVENTS_EAGER_NS 500000LL
#define SUP_EVENTS_EAGER_TICKS 8
#define SUP_EVENTS_EAGER_MAX 64

/* epoll keys: kind in the top byte, an id below (never an fd or a pointer,
 * so a stale event for a closed client or pidfd finds nothing). */
enum sup_watch {
	SUP_W_LISTEN = 1,
	SUP_W_SIGNAL,
	SUP_W_TIMER,
	SUP_W_CLIENT, /* id = client id */
	SUP_W_PIDFD,  /* id = vpid */
	SUP_W_NOTIF,  /* a seccomp listener (notif.c), id = its number */
};
#define SUP_KEY(kind, id) (((uint64_t)(kind) << 56) | ((uint64_t)(id) & 0xffffffffffffffULL))
#define SUP_KEY_KIND(k) ((int)((k) >> 56))
#define SUP_KEY_ID(k) ((k) & 0xffffffffffffffULL)

/* What happens when the command has exited and processes remain. */
enum sup_end {
	SUP_END_TEARDOWN = 0, /* report, SIGTERM, SIGKILL after the grace period */
	SUP_END_KEEP,         /* report and leave them running */
	SUP_END_WAIT,         /* wait for the whole tree to finish */
};

struct sup_opts {
	const char *lib;        /* --lib PATH, or NULL: search (run.c) */
	const char *trace;      /* --trace FILE; "-" = readable text on stderr; NULL = off */
	int64_t timeout_ns;     /* --timeout; 0 = none */
	int64_t grace_ns;       /* --grace; time between SIGTERM and SIGKILL */
	int64_t settle_ns;      /* --settle; command exit to the leftover count */
	enum sup_end end;       /* --keep / --wait / default teardown */
	bool fail_on_leak;      /* --fail-on-leak: exit 3 when anything was left over */
	int32_t first_pid;      /* --first-pid: the command's vpid, where numbering starts (2) */
	char **argv;            /* the command, NULL-terminated, argv[0] non-NULL */
};

/* Supervisor-side record of one model process (every vpid >= 2 the engine
 * knows).  Created with the engine's process, freed after its reap. */
struct sup_proc {
	int32_t vpid;            /* key; the engine knows it */
	int64_t rpid;            /* 0 until bound; equals the engine's binding */
	int pidfd;               /* >= 0 while bound and its exit not yet seen; in epoll */
	bool exited;             /* eng_exit done (model zombie or reaped) */
	int64_t stale_since;     /* unbound reservation whose parent is gone: first seen (ns), 0 = no */
	char name[SUP_NAME_MAX]; /* basename of the last EXEC path; "" = use /proc comm */
	uint32_t gkill_known;    /* the group-kill count when it was bound (gkill.c) */
	bool gkill_done;         /* the kills sent during its fork were given to it */
	uint32_t gkill_seen;     /* its BIND's c: the count its parent read + 1 (0 unknown) */
	uint32_t gkill_died;     /* the group kill it died of (0: none) */
	int32_t gkill_parent;    /* its parent when its BIND came (0: none said) */
	bool by_rpid;            /* registered lazily: no numbered fork gave its vpid to
	                            anyone, so a kill may name it by its real pid (ops.c) */
	bool autoreap;           /* its parent ignored SIGCHLD or set SA_NOCLDWAIT when it forked
	                            (BIND's PROTO_BIND_AUTOREAP): watched at once (procs.c) */
	bool reaps_kids;         /* the kernel reaps its children as they exit, as it last said
	                            (its children's BINDs, AUTOREAP; procs.c, reap_autoreaped) */
	UT_hash_handle hh;
};

/* One connection.  Freed on close; its id is never reused. */
struct sup_client {
	uint64_t id;     /* key and epoll id */
	int fd;          /* connected SOCK_SEQPACKET socket, non-blocking, CLOEXEC */
	pid_t rpid;      /* SO_PEERCRED pid at accept: the only identity trusted */
	int32_t vpid;    /* 0 until HELLO identified the peer; ps clients stay 0 */
	bool hello;      /* a HELLO was accepted: other requests may follow */
	bool ps;         /* HELLO b=1: may only use INFO and CHECK */
	bool stranger;   /* peer's uid is neither ours nor root: a tree process
	                    that changed uid, or someone who learnt the path */
	unsigned nbad;   /* malformed messages so far; disconnected past SUP_CLIENT_MAX_BAD */
	bool mute;       /* a reply could not be sent (the peer closed or stopped
	                    reading): its queued messages are still handled, unanswered */
	struct sup_client *rpid_next; /* the next connection of the same rpid (clients.c) */
	bool busy;       /* its messages are being handled: nested drains skip it, and
	                    only that outer frame may close it */
	/* The targets of its last KILL with more than one page: later pages
	 * come from this list, taken once, as the kernel signals a group at
	 * one moment (ops.c, op_kill). */
	int32_t *kill_rpids;
	int32_t kill_n, kill_pid, kill_sig;
	bool kill_self;
	UT_hash_handle hh;
};
#define SUP_CLIENT_MAX_BAD 16

/* Virtual foreground group of one session (term.c). */
struct sup_fg {
	int32_t vsid;    /* key */
	int32_t vpgid;   /* the session's foreground group as set by TCSETPGRP */
	UT_hash_handle hh;
};

struct trace {
	FILE *f;         /* NULL = tracing off */
	bool text;       /* readable lines instead of JSON */
	bool first;      /* no field written yet in the current JSON object */
	int64_t t0;      /* monotonic ns at start */
	int64_t at;      /* monotonic ns the current event happened (an event
	                    record's write time), 0 = now */
	int64_t last;    /* the time of the last event written */
	const char *path; /* --trace's argument, for messages */
	bool regular;    /* a regular file: an incomplete tail can be cut off */
	int werr;        /* errno of the first failed write stdio made on its own
	                    (a full buffer flushed inside fwrite), 0 if none */
	off_t synced;    /* file offset after the last successful flush: always a
	                    record boundary (flushes happen between events) */
	bool failed;     /* a write failed: said on stderr, tracing stopped, the
	                    trace is incomplete (run.c: exit 125 instead of 0) */
	char rec[1024];  /* the JSON record being made (trace.c), written whole */
	size_t len;
};

enum sup_phase {
	SUP_PH_RUN = 0,  /* the command is running (or its end is being handled) */
	SUP_PH_SETTLE,   /* command gone: exits in flight settle until deadline, then leftovers */
	SUP_PH_WAIT,     /* --wait: command gone, waiting for the rest */
	SUP_PH_TERM,     /* SIGTERM (or a forwarded signal) sent; SIGKILL at deadline */
	SUP_PH_KILL,     /* SIGKILL sent; repeated every tick until no child remains */
	SUP_PH_DONE,     /* leave the loop */
};

struct sup {
	struct sup_opts opt;
	struct eng *eng;         /* the model; vpid 1 is bound to self_rpid */
	struct eng_fx fx;        /* scratch effects: empty between operations */
	pid_t self_rpid;         /* getpid() */
	uid_t euid;              /* ours: a ps tool of this uid (or root) may connect */
	int epfd, lfd, sigfd, tfd; /* -1 when closed */
	char top[200];           /* the run directory, 0711 ("" when none): rundir.c */
	int lockfd;              /* TOP/lock, flock'ed (-1 none): rundir_prune.c */
	char dir[200];           /* top + "/<secret>", 0711, holds the socket ("" when none) */
	char sock[216];          /* dir + "/sock" */
	char vcpath[216];        /* dir + "/shared" ("" when none) */
	char evpath[216];        /* dir + "/events", the event FIFO ("" when none) */
	int evfd;                /* its read end (O_RDWR), -1 none; epoll one-shot */
	bool ev_draining;        /* events_drain is on the stack */
	int64_t ev_tick_at;      /* the timer's next look at the FIFO (events.c) */
	int64_t ev_quiet_ns;     /* the interval after a look that found nothing */
	bool ev_busy;            /* records were read since the last look */
	uint32_t ev_stale_seen;  /* stale_reads when last looked at */
	int ev_eager_left;       /* looks still owed at SUP_EVENTS_EAGER_NS (events_eager) */
	uint64_t nevbad;         /* event records refused */
	/* While a batch of event records is handled, procs_bind opens no
	 * pidfd: the vpids wait here until the batch is done (events.c). */
	bool defer_watch;
	bool bind_autoreap;      /* the BIND being handled has PROTO_BIND_AUTOREAP (ops.c) */
	bool unwatched_said;     /* a pidfd_open failure was reported (procs.c, unwatched) */
	bool accept_short_said;  /* accept's EMFILE was reported (clients.c) */
	int exits_epfd;          /* every watch pidfd again, never waited on by the loop:
	                            settle's "which exits happened?" (procs.c), -1 = none */
	bool exits_filled;       /* it holds them all (from the first procs_settle_all on) */
	int fd_ceiling;          /* watch pidfds stay below this descriptor number (half the
	                            limit), 0 = no bound (procs.c, watch_open) */
	int32_t *watch_later;
	size_t nwatch_later, capwatch_later;
	/* While the tree runs, children bound from the event FIFO get their
	 * pidfds later: watch_pend until each has lived SUP_EVENTS_DELAY_NS,
	 * or until an exit, a signal or a notification wakes us (run.c,
	 * procs.c: procs_watch_pend).  Most of them are reaped before that,
	 * and a process reaped never needs one. */
	bool lazy_watch;
	struct sup_pend {
		int32_t vpid;
		int64_t due;     /* when it is watched if still alive */
	} *watch_pend;
	size_t nwatch_pend, capwatch_pend;
	int64_t watch_pend_at;   /* the first due, 0 = nothing pending */
	/* The shared vpid counter (procs.c): the mapped file vcpath, or
	 * vc_local when there is none (tests/fuzz/); set on first use.  Every
	 * vpid of the tree comes from it, a run of free ids at a time (procs.c),
	 * unless it is retired: vc_retired, max = 0, and the engine's own
	 * allocation (which skips ids in use) takes over. */
	struct proto_vpids *vc;
	struct proto_vpids vc_local;
	/* The last group kills, by number, for children forked while they
	 * were sent (gkill.c); gkill_seq is the count, published in vc. */
	struct sup_gkill {
		uint32_t seq; /* 0: empty */
		int32_t pgid; /* -1: every process */
		int32_t sig;
		bool real; /* sent to the group's real mirror at once (gkill_atomic_group) */
	} gkill[SUP_GKILL_RING];
	uint32_t gkill_seq;
	pid_t kill_real_group; /* op_kill's answer while its KILL event is traced (gkill_atomic_group) */
	bool vc_retired;
	bool vc_wrapped; /* a second run was armed, or ns_last_pid written: any vpid in range may have been handed out */
	int32_t vpid_max; /* ids are handed out in [2, vpid_max]; 0: not read yet (sup_vpid_max) */
	/* The model view (mview.c): the mapped file, its fd (to punch out
	 * pages) and a count of published entries per page; mv NULL: none. */
	void *mv;
	int mvfd;
	uint16_t *mvpage;
	int32_t mvhot; /* the page of the newest published entry: kept even when empty (mview.c) */
	char lib[4096];          /* absolute path of libjobshim.so */
	struct sup_proc *procs;  /* hash by vpid */
	struct sup_client *clients; /* hash by id */
	struct sup_rpid_ix *clients_by_rpid; /* the connections of each rpid (clients.c) */
	struct sup_fg *fg;       /* hash by vsid */
	uint64_t next_client_id; /* starts at 1 */
	bool exit_known;         /* status passed to the current eng_exit is real (trace) */
	const char *how;         /* what caused the current engine operation (trace), or NULL */
	int how_status;          /* wait status the reaper reported with the current reap, -1 none */
	size_t nstale;           /* records with stale_since != 0 */

	pid_t cmd_rpid;          /* the command's real pid = its real process group */
	bool root_real;          /* session 2 is a real session the command leads: we
	                            have no controlling terminal to keep, or we lead
	                            our session and give the command its terminal
	                            (run.c, ttytake.c) */
	int take_tty;            /* that terminal (/dev/tty opened), until handed over; -1 */
	int take_pipe[2][2];     /* the hand-over's two steps: [0] child -> us ("in a
	                            session of its own"), [1] us -> child ("released") */
	bool cmd_reaped;         /* the supervisor collected the command */
	int cmd_status;          /* its wait status once reaped */

	enum sup_phase phase;
	int exit_code;           /* decided by teardown (124, 128+N); -1 = the command's */
	int64_t deadline;        /* SUP_PH_SETTLE: when leftovers are counted; SUP_PH_TERM:
	                            when SIGKILL goes; SUP_PH_KILL: next tick */
	int64_t timeout_at;      /* 0 = no timeout */
	int64_t sweep_at;        /* next sweep, 0 = not needed */
	int64_t timer_set;       /* absolute time the timerfd is armed for, 0 = disarmed */
	int64_t spin_until;      /* poll without sleeping until then (a request was answered) */
	bool signalled;          /* a KILL sent signals: no polling after it (run.c) */
	size_t nleftover;        /* processes reported as leftovers */
	int64_t settle_cap;      /* SUP_PH_SETTLE: no extension past this time */
	bool settle_seen;        /* the tree was looked at since the command's exit */
	size_t settle_n;         /* processes still running at the last look */
	unsigned long long settle_cpu; /* and their CPU ticks then */

	sigset_t old_mask;       /* signal mask at start: the command gets it back */
	sigset_t ignored;        /* the signals we set to SIG_IGN (run.c setup_signals) */
	struct sigaction old_act[_NSIG]; /* their dispositions at start, ditto */
	struct rlimit old_nofile; /* fd limit at start, ditto (ours is raised: one pidfd each) */
	bool listen_paused;      /* out of fds: listener out of epoll until a client closes */
	bool listen_ready;       /* epoll reported the listener readable (or a batch was
	                            full) and accept has not yet said EAGAIN since */
	const struct epoll_event *batch; /* the epoll batch being handled (run.c), or NULL */
	int nbatch;              /* its length */

	int tty_fd;              /* our controlling terminal (fd 0), -1 none or given up */
	pid_t tty_pgrp;          /* our real group, the job our shell put us in */
	pid_t tty_fg;            /* the tree's group we (or a tree process) last made
	                            the terminal's foreground, 0 none */
	int32_t hup_vpgid;       /* we are our terminal's controlling process and it
	                            hung up: the virtual foreground group of that
	                            moment, which gets SIGHUP and SIGCONT when the
	                            command exits (term_command_exit), 0 none */

	struct trace trace;

	/* The last SUP_REAPED_RING reaps (rpid -> vpid), newest at
	 * reaped_next - 1: a signal whose sender is already reaped still
	 * names it (si_pid keeps the pid natively), so XLATE R2V looks here
	 * when the live table has no entry.  vpids are never reused, and a
	 * live binding of a recycled rpid wins. */
	struct {
		pid_t rpid;
		int32_t vpid;
	} reaped[64];
	unsigned reaped_next;
};

/* events.c: the event FIFO */
void events_open(struct sup *s);          /* after epoll exists; without it shims use connections */
void events_close(struct sup *s);
void events_drain(struct sup *s);         /* handle every record written so far */
void events_tick(struct sup *s, int64_t now); /* the timer's look, when due */
void events_check(struct sup *s);         /* after a request: stale reads? look sooner */
bool events_unread_from(int32_t vpid);    /* records of vpid's in the batch being handled, not yet handled */

/* rundir.c */
int rundir_make(struct sup *s);   /* TOP/secret DIR, socket, shared file; 0 or -1 (reported) */
void rundir_remove(struct sup *s); /* after events_close: files, DIR, TOP */
/* Memory (or disk) behind [off, off+len) of a shared file before the first
 * store there: a store into a hole of a full tmpfs is a SIGBUS, fallocate's
 * ENOSPC is an answer.  A file system without fallocate: true, as before. */
bool rundir_reserve(int fd, uint64_t off, uint64_t len);
#define RUNDIR_LOCK "lock"              /* TOP/lock: flock'ed by its supervisor while it lives */
/* Remove the run directories in tmp that dead supervisors of our uid left. */
void rundir_prune(const struct sup *s, const char *tmp);
/* Remove directory `name` in `parent` with everything in it, to `depth`
 * levels below, never following a symlink: what a tree process left in
 * DIR (it may write there) goes with it. */
void rundir_rmtree(int parent, const char *name, int depth);
#define RUNDIR_RMTREE_DEPTH 16
/* mview.c: the model view (shim/mview.h) */
void mview_make(struct sup *s);   /* in DIR, unless --trace; none on failure */
void mview_remove(struct sup *s);
void mview_sync(struct sup *s, int32_t vpid); /* publish vpid's ids from the engine */
void mview_sync_bind(struct sup *s, int32_t vpid, int32_t prev);
uint32_t mview_posted(struct sup *s);             /* the FIFO records counted so far */
void mview_applied(struct sup *s, uint32_t snap); /* ... all applied up to snap */
/* eng_fork_abort, and the view forgets the child. */
static inline int sup_fork_abort(struct sup *s, int32_t vpid)
{
	int rc = eng_fork_abort(s->eng, vpid);

	mview_sync(s, vpid);
	return rc;
}

/* run.c */
int run_main(const struct sup_opts *opt);
int64_t sup_now(void);                        /* CLOCK_MONOTONIC ns */
int sup_watch(struct sup *s, int fd, int kind, uint64_t id); /* epoll add (EPOLLIN) */
void sup_unwatch(struct sup *s, int fd);
bool sup_in_batch(const struct sup *s, uint64_t key); /* key among the current events */

/* clients.c */
void clients_accept(struct sup *s);
struct sup_client *clients_add(struct sup *s, int fd, pid_t rpid);
void clients_ready(struct sup *s, uint64_t id, uint32_t events);
void clients_close_all(struct sup *s);
/* before_batch: the exit happened before the current epoll batch was collected */
void clients_flush_rpid(struct sup *s, pid_t rpid, bool before_batch);
/* Who is real pid rpid, claiming vpid `claim`?  HELLO's identification
 * (bound already, a reservation, a counted vpid, lazy registration): the
 * vpid, or 0 when it is not in the tree. */
int32_t clients_identify(struct sup *s, pid_t rpid, int32_t claim);

/* ops.c: answer one validated request from an identified client; returns
 * true when a reply must be sent (rep filled). */
/* Apply the exits the kernel already reports along vpid's parent chain. */
void ops_settle_parents(struct sup *s, int32_t vpid);
/* The tree process whose non-main thread has real id tid, else 0. */
int32_t ops_thread_owner(struct sup *s, int32_t tid);
bool ops_dispatch(struct sup *s, struct sup_client *c, const struct proto_req *q,
		  struct proto_rep *r);

/* notif.c: seccomp listeners of filtered images (NOTIF request). */
int notif_take(struct sup *s, struct sup_client *c, int fd); /* 0 or -errno */
void notif_ready(struct sup *s, uint64_t id, uint32_t events);
void notif_close_all(struct sup *s);
/* tracer_sup.c: the tracer process of filtered images (tracer.c). */
bool tracer_enabled(void);                    /* JOBSHIM_NOTRACE unset */
int tracer_seize(struct sup *s, pid_t rpid, int32_t vpid); /* 0 or -errno */
void tracer_ready(struct sup *s, uint32_t events);
void tracer_stop(struct sup *s);
pid_t tracer_pid(void);                       /* 0: none */

/* initproxy.c: the stand-in for vpid 1 that a tracer attaches to. */
int initproxy_get(struct sup *s);   /* its rpid (started at the first call), or -errno */
pid_t initproxy_pid(void);          /* 0: none */
void initproxy_reaped(pid_t rpid);  /* a child of ours was reaped: forget it if it was the stand-in */
/* guard.c: the process that ends the tree if we die without doing it. */
void guard_start(struct sup *s);  /* at set-up, before the command */
void guard_stop(struct sup *s);   /* at the start of the cleanup: kill it */
void guard_reap(struct sup *s);   /* at its end: reap it */
pid_t guard_pid(void);            /* 0: none */
void guard_reaped(pid_t rpid);    /* a child of ours was reaped: forget it if it was the guard */
int guard_main(int argc, char **argv); /* the guard itself: main.c, argv[0] "jobshim-guard" */
/* guard_kill.c: what the guard does.  A guard's environment is only
 * GUARD_MARK=<its run's socket>. */
#define GUARD_MARK "JOBSHIM_GUARD_"
size_t guard_kill_tree(const char *var, const char *dir); /* how many it killed */
/* A child of ours that is none of the tree's: the tracer, the stand-in, the guard. */
bool sup_helper_child(pid_t rpid);
/* notif_cmd.c: the command's own filter when it is a static or Go image. */
void notif_cmd_child(const char *argv0, int syncw, int ackr);
void notif_cmd_parent(struct sup *s, pid_t child, int syncr, int ackw);

/* procview.c: PROCIDS and PROCLIST (see core/proto.h); 0 or -errno. */
int procview_ids(struct sup *s, const struct proto_req *q, struct proto_rep *r);
int procview_list(struct sup *s, const struct proto_req *q, struct proto_rep *r);

/* sysio.c: the only calls about other real processes (tests/fuzz/ fakes them) */
struct sysio_stat {
	char state;               /* /proc state letter */
	pid_t ppid, pgrp, sid;
	int tty_nr;               /* controlling terminal's device number, 0 none */
	pid_t tpgid;              /* its foreground group (real), -1 none */
	unsigned flags;           /* the kernel's PF_* flags of the main thread */
	int nthreads;             /* threads in the process (a zombie main thread counts) */
	unsigned long long cpu;   /* user + system time of all its threads, clock ticks */
	unsigned long long start; /* start time in clock ticks: tells reused pids apart */
	char comm[17];
};
int sysio_stat(pid_t rpid, struct sysio_stat *st); /* 0 or -errno */
pid_t sysio_getpgid(pid_t rpid); /* its real group (getpgid: no /proc read), or -errno */
/* An orphan we reaped dumped core: its file, named with rpid by an
 * absolute core_pattern, gets vpid's name (core/corename.h). */
void sysio_core_rename(pid_t rpid, int32_t vpid, int sig);
int sysio_children(pid_t rpid, pid_t *out, size_t cap); /* real children via /proc, at most cap */
/* All of them (at most max) into *out, grown as needed (*cap: its size); the caller frees. */
int sysio_children_all(pid_t rpid, pid_t **out, size_t *cap, size_t max);
/* Dispositions from /proc/<rpid>/status (bit sig-1).  Not the blocked
 * mask: every shim call blocks all signals while it runs. */
struct sysio_sigmasks {
	unsigned long long ignored, caught;
};
int sysio_sigmasks(pid_t rpid, struct sysio_sigmasks *m); /* 0 or -errno */
pid_t sysio_tgid(pid_t rpid); /* its thread group (rpid for a process), or -errno */
/* Is rpid in a pid namespace nested in ours (its NSpid line is longer)? */
bool sysio_in_nested_pidns(pid_t rpid);
void sysio_cmdline(pid_t rpid, char *buf, size_t len);
/* Does a mapping of rpid name `path` (a part of it: its /proc maps)?  true also when the maps
 * cannot be read: the caller's "no" must be certain. */
bool sysio_maps_has(pid_t rpid, const char *path);
bool sysio_dying(pid_t rpid);  /* exiting, zombie, SIGKILL pending, or gone */
void sysio_set_proc(int dirfd); /* read /proc through this checked dirfd (procfs.c) */
int sysio_pidfd_open(pid_t rpid);                /* fd or -errno */
int sysio_pidfd_signal(int pidfd, int sig);
int sysio_exit_code(pid_t rpid, int *status); /* a zombie's wait status */      /* 0 or -errno */
pid_t sysio_pidfd_ppid(int pidfd);               /* its real parent, or -errno */
bool sysio_pidfd_status(int pidfd, int *status); /* exited child of ours: its status */
pid_t sysio_peek_any(int *status);               /* an exited child's rpid, not reaped; 0 none */
void sysio_reap_pid(pid_t rpid);                  /* reap that exited child */

/* procfs.c: 0 when /proc is our pid namespace's and shows our processes
 * (then sysio reads it through a held dirfd); -1 after saying on stderr
 * why not and what to do. */
int procfs_check(void);

/* procs.c */
bool procs_is_stopped(void *ctx, int32_t vpid, int64_t rpid);
/* eng_hup_all_fn: kernrule_orphan_hup_all (kernrule.c). */
bool procs_orphan_hup_all(void *ctx);
/* A live thread's id, leading no process (proto_vpids_take_free); the
 * engine's eng_id_busy_fn on top of it. */
bool procs_id_is_thread(int32_t id);
bool procs_id_busy(void *ctx, int32_t id);
struct sup_proc *procs_find(struct sup *s, int32_t vpid);
struct sup_proc *procs_add(struct sup *s, int32_t vpid);
void procs_forget(struct sup *s, int32_t vpid);
int procs_bind(struct sup *s, int32_t vpid, int64_t rpid);
/* Watch a bound, live process's exit with a pidfd, unless already. */
void procs_watch(struct sup *s, int32_t vpid);
int procs_exit(struct sup *s, int32_t vpid, int wstatus, bool known, const char *how);
bool procs_watch_later(struct sup *s, int32_t vpid);
bool procs_autoreaped_child(struct sup *s, int32_t vpid); /* BIND said the kernel may reap it */
void procs_autoreap_children(struct sup *s, int32_t parent, bool on); /* AUTOREAP */
bool procs_running(struct sup *s, int32_t vpid);
/* Watch the processes a lazy batch left without a pidfd (sup.lazy_watch):
 * all of them, or (due_only) those pending for SUP_EVENTS_DELAY_NS. */
void procs_watch_flush(struct sup *s, bool due_only);
/* Leave vpid's pidfd to procs_watch_flush; false: no memory, watch now. */
bool procs_watch_pend(struct sup *s, int32_t vpid);
pid_t procs_group_rpgid(struct sup *s, int32_t vpgid, int32_t target);
int procs_reap(struct sup *s, int32_t parent, int32_t vpid);
/* vpid of a recently reaped rpid (signals from a reaped sender), or -ESRCH. */
int32_t procs_reaped_vpid(const struct sup *s, pid_t rpid);
int32_t procs_register(struct sup *s, pid_t rpid);
void procs_adopt_orphans(struct sup *s); /* unknown, not preloaded real children of ours */
/* A new model child of parent with a vpid from the shared counter (or the
 * engine's, once retired), with its record; effects left in s->fx. */
int procs_fork(struct sup *s, int32_t parent, int32_t *child);
/* The same with a vpid a shim took from the counter (BIND d=1, HELLO). */
int procs_fork_at(struct sup *s, int32_t parent, int32_t vpid);
/* Has the counter handed out vpid? */
bool procs_vpid_handed(struct sup *s, int32_t vpid);
int procs_set_last_pid(struct sup *s, int32_t caller, int32_t last);
struct proto_vpids *procs_vc(struct sup *s);
/* The largest vpid of this run: the kernel's pid_max - 1 (read once), as
 * Linux's pids stay below pid_max; SUP_VPID_LIMIT when --first-pid asked
 * for a number at or above that. */
int32_t sup_vpid_max(struct sup *s);

/* gkill.c: group signals and forks in flight. */
void gkill_note(struct sup *s, int32_t caller, int32_t pid, int sig, bool real);
pid_t gkill_atomic_group(struct sup *s, int32_t caller, int32_t pid, int sig, const struct proto_rep *r);
void gkill_replay(struct sup *s, int32_t vpid, int32_t seen);
pid_t gkill_real_group(struct sup *s, int32_t caller, int32_t pid, int sig);
void gkill_exit(struct sup *s, int32_t vpid, int wstatus);
void gkill_exit_unknown(struct sup *s, int32_t vpid, pid_t rpid);
bool ops_stop_discarded(struct sup *s, int32_t vpid, int sig); /* ops.c */
void procs_pidfd_ready(struct sup *s, int32_t vpid);
bool procs_pidfd_exited(struct sup *s, int32_t vpid);
/* Open the pidfds of the pending processes among vpids now. */
void procs_pin(struct sup *s, const int32_t *vpids, size_t n);
/* Apply the exits the kernel already reports among vpids (one poll). */
void procs_settle_exits(struct sup *s, const int32_t *vpids, size_t n);
void procs_settle_all(struct sup *s, int32_t caller); /* every exit the kernel reports */
#define SUP_SETTLE_BIG 256 /* witnesses above this: procs_settle_all */
void procs_reap_children(struct sup *s);
void procs_sweep(struct sup *s);
bool procs_sweep_needed(struct sup *s);
void procs_name(struct sup *s, int32_t vpid, char *buf, size_t len);
int procs_signal(struct sup *s, int32_t vpid, int sig);
bool procs_pinned(struct sup *s, int32_t vpid); /* has (or now got) a pidfd */
void procs_free_all(struct sup *s);

/* effects.c */
#define EFFECTS_NO_SIGNALS 0x1 /* the shim sends them (KILL) */
void effects_apply(struct sup *s, unsigned flags);

/* teardown.c */
void teardown_command_done(struct sup *s);
void teardown_timeout(struct sup *s);
void teardown_signal(struct sup *s, int sig, pid_t sender);
void teardown_tick(struct sup *s);
bool teardown_no_children(struct sup *s);

/* term.c */
void term_handoff(struct sup *s);
void term_child(struct sup *s);
void term_give(struct sup *s);
void term_restore(struct sup *s);
void term_check_stop(struct sup *s);
void term_note_fg(struct sup *s, pid_t rpgid);
void term_cont(struct sup *s);
void term_hangup(struct sup *s, pid_t sender);
void term_command_exit(struct sup *s);
void term_die_like(int sig);
/* ttytake.c: the terminal handed to the command when we lead our session. */
bool ttytake_plan(struct sup *s);
void ttytake_child(struct sup *s);
void ttytake_parent(struct sup *s);
void ttytake_abort(struct sup *s);
int term_getpgrp(struct sup *s, int32_t caller, int32_t *pgid);
int term_setpgrp(struct sup *s, int32_t caller, int32_t pgid);
int term_ctty(struct sup *s, int32_t caller, const struct proto_req *q);
void term_free(struct sup *s);

/* trace.c */
int trace_open(struct trace *t, const char *path);
void trace_close(struct trace *t);
static inline bool trace_on(const struct trace *t) { return t->f != NULL; }
void trace_begin(struct trace *t, const char *ev, int32_t vpid, int64_t rpid);
void trace_int(struct trace *t, const char *key, int64_t v);
void trace_str(struct trace *t, const char *key, const char *v);
void trace_null(struct trace *t, const char *key);
void trace_bool(struct trace *t, const char *key, bool v);
void trace_ids(struct trace *t, const char *key, const int32_t *ids, size_t n);
/* A field whose value is JSON text as it is (an array of strings, ...). */
void trace_json(struct trace *t, const char *key, const char *json);
void trace_end(struct trace *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void trace_flush(struct trace *t);
const char *trace_errno(int err);   /* "EPERM" for 1 or -1 */
const char *trace_signame(int sig, char *buf, size_t len); /* "SIGHUP" */

/* ps.c */
int ps_main(int argc, char **argv);

/* nest.c */
int nest_detach(void);
bool nest_is_inner(const struct sup *s, pid_t rpid, unsigned long long start);
bool nest_outer_repeat(const struct sup *s, pid_t sender);
void nest_adopt_descendants(struct sup *s);
const char *nest_preload_rest(const char *old, const char *lib);

#endif
