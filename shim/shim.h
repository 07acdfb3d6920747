/* shim.h — internal interface shared by the shim's interposer files. */
#ifndef JOBSHIM_SHIM_H
#define JOBSHIM_SHIM_H

/*
 * The shim is thin: each wrapper packs a request, sends it over the
 * process's own connection, unpacks the reply and sets errno (last line,
 * failure only).  Everything here is async-signal-safe: no malloc, stdio,
 * getenv or dlsym on a wrapper path.  Real libc entry points are resolved
 * once (constructor or first use) into `real`; the shim never calls an
 * interposed name itself.
 *
 * Environment (set by the supervisor, copied at init because programs clear
 * their environment):
 *   JOBSHIM_SOCKET  path of the supervisor's SOCK_SEQPACKET socket; unset
 *                   means "not under jobshim": every wrapper is the real call
 *   JOBSHIM_LIB     absolute path of libjobshim.so (re-inserted into
 *                   LD_PRELOAD by the exec wrappers)
 *   JOBSHIM_SELF    "V:R" or "V:R:VP:RP" — the identity handed to a new
 *                   image: vpid V with real pid R (R = 0 for a spawned child
 *                   whose rpid was not known yet), parent vpid VP with real
 *                   pid RP.  Trusted only when R is the real pid, or, for
 *                   R = 0, when RP is the real parent (see self.c).
 */

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <limits.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "../core/proto.h"

#include <stdarg.h>

#define SHIM_EXPORT __attribute__((visibility("default")))
/* Thread-locals of a preloaded library: initial-exec, so that no access
 * ever goes through __tls_get_addr (which may allocate). */
#define SHIM_TLS __thread __attribute__((tls_model("initial-exec")))
/*
 * The fork page.  fork write-protects every private page of the parent;
 * each page written afterwards, by the parent or the child, costs a
 * copy-on-write fault (20-40 µs on a paravirtualised VM: most of what
 * fork+exit+wait cost over native, docs/internals.md "What a fork
 * costs").  So every variable our fork path writes in either process
 * after the real fork -- the lock, the guard, the identity, the fork
 * markers, the first slots of the children table -- lives in one
 * page-aligned output section (shim/hot.ld): the parent and the child
 * copy one page each instead of four.  SHIM_HOT_TAIL: after the small
 * ones (the children table: its low slots still fall in the first page).
 */
#define SHIM_HOT __attribute__((section("jobshim_hot.1")))
#define SHIM_HOT_TAIL __attribute__((section("jobshim_hot.2")))
/* The same for code: a fork child maps none of our text and faults it in
 * (with its neighbours: the kernel's fault-around).  What a fork child
 * runs in the shim before returning to the program is grouped (the linker
 * puts .text.hot.* together). */
#define SHIM_FORK_TEXT __attribute__((section(".text.hot.jobshim_fork")))
/* State every image with the shim writes as it starts (the constructor,
 * the first lookups of real entry points, the first sigaction): on the
 * page the loader writes anyway in every image (shim/hot.ld: it zeroes
 * that page's part of .bss).  In .bss proper it took three fresh pages and
 * the fork variables one more: five page faults in every image's start (a
 * read, then a write, on one; perf record -e page-faults of `dash -c
 * 'exit 0'`); system() got 2% faster without them.  The linker checks
 * that it fits. */
#define SHIM_START_DATA __attribute__((section("jobshim_start")))

/*
 * Where the shim's own descriptors go (the connection, the event FIFO):
 * the lowest free fd from 40.  Not the low ones, which programs expect
 * open() to hand them, and shells save redirected fds from 10 up (bash,
 * dash: F_DUPFD 10); not bash's, which it picks from 63 down (process
 * substitution, /dev/fd/63) and from 255 down (the script, the tty).
 * Below 64 for fork's sake: the kernel's fd table holds 64 entries in
 * the task itself, and a process with a higher fd open has a separate
 * table that every fork allocates and copies up to its highest fd and
 * every exit frees.  At fd 900 that cost 13 µs of CPU per fork + exit
 * (perf stat of `scale seq 4000`, fd 950 open vs not).
 */
#define SHIM_FD_MIN 40

/* Our descriptors under a low RLIMIT_NOFILE (fdroom.c): shim_fd_park
 * moves one to SHIM_FD_MIN, or above a lower soft limit (fd < 0 passes
 * through); shim_fdroom_raise lifts a soft limit at or below SHIM_FD_MIN
 * for a moment (true when it did: an open that failed EMFILE may be
 * retried), shim_fdroom_restore puts it back. */
struct shim_fdroom {
	struct rlimit saved;
	bool raised;
};
bool shim_fdroom_raise(struct shim_fdroom *r);
void shim_fdroom_restore(struct shim_fdroom *r);
int shim_fd_park(int fd);

bool shim_tls_shared(void);

/* errno put back as the caller had it, without a store when it did not
 * change: errno sits in the thread's TLS page, and a store there after a
 * fork copies that page for nothing (see SHIM_HOT).  Never once a child
 * shares our memory (clone with CLONE_VM, self.c): it shares our thread's
 * TLS too, errno included, and a change seen here may be the other
 * process's -- the EINTR its signal gave our wait, which a write back
 * would turn into a wrong error.  There the shim's own system calls on
 * the common paths are raw (conn.c), so that it writes no errno unless a
 * call fails, as libc's wrappers do. */
static inline void shim_errno_keep(int e)
{
	if (errno != e && !shim_tls_shared())
		errno = e;
}

/* ---- real functions (shim/real.c) ------------------------------------ */

struct rusage;
struct timespec;
struct shim_real {
	pid_t (*fork)(void);
	pid_t (*_Fork)(void);
	int (*execve)(const char *, char *const[], char *const[]);
	int (*execvpe)(const char *, char *const[], char *const[]);
	int (*fexecve)(int, char *const[], char *const[]);
	int (*posix_spawn)(pid_t *, const char *, const void *, const void *,
			   char *const[], char *const[]);
	int (*posix_spawnp)(pid_t *, const char *, const void *, const void *,
			    char *const[], char *const[]);
	int (*system)(const char *);
	int (*pclose)(void *);
	void *(*popen)(const char *, const char *);
	int (*daemon)(int, int);
	pid_t (*getpgid)(pid_t);
	pid_t (*getsid)(pid_t);
	pid_t (*setsid)(void);
	int (*setpgid)(pid_t, pid_t);
	int (*kill)(pid_t, int);
	int (*raise)(int);
	int (*sigqueue)(pid_t, int, const union sigval);
	pid_t (*wait4)(pid_t, int *, int, struct rusage *);
	int (*waitid)(idtype_t, id_t, siginfo_t *, int);
	int (*sigaction)(int, const struct sigaction *, struct sigaction *);
	int (*sigwaitinfo)(const sigset_t *, siginfo_t *);
	int (*sigtimedwait)(const sigset_t *, siginfo_t *, const struct timespec *);
	pid_t (*tcgetpgrp)(int);
	int (*tcsetpgrp)(int, pid_t);
	pid_t (*tcgetsid)(int);
	int (*ioctl)(int, unsigned long, ...);
	int (*fcntl)(int, int, ...);
	ssize_t (*read)(int, void *, size_t); /* signalfd, fanotify (pidread.c) */
	ssize_t (*__read_chk)(int, void *, size_t, size_t);
	int (*signalfd)(int, const sigset_t *, int);
	int (*fanotify_init)(unsigned, unsigned);
	int (*dup)(int);
	int (*dup2)(int, int);
	int (*dup3)(int, int, int);
	int (*pthread_create)(void *, const void *, void *(*)(void *), void *); /* thread.c */
	ssize_t (*write)(int, const void *, size_t); /* cgroup pid files (cgwrite.c) */
	int (*fflush)(void *); /* and their stdio streams (cgstdio.c) */
	int (*fflush_unlocked)(void *);
	int (*fclose)(void *);
	int (*recvmmsg)(int, struct mmsghdr *, unsigned int, int, struct timespec *);
	int (*sendmmsg)(int, struct mmsghdr *, unsigned int, int);
	int (*vdprintf)(int, const char *, va_list);
	int (*clock_getcpuclockid)(pid_t, clockid_t *);
	/* pthread calls that hand glibc's tid word to the kernel (tidword.c) */
	int (*pthread_getattr_np)(pthread_t, void *);
	int (*pthread_getaffinity_np)(pthread_t, size_t, void *);
	int (*pthread_setaffinity_np)(pthread_t, size_t, const void *);
	int (*pthread_getcpuclockid)(pthread_t, clockid_t *);
	int (*pthread_kill)(pthread_t, int);
	int (*pthread_sigqueue)(pthread_t, int, const union sigval);
	int (*msgctl)(int, int, void *);
	int (*shmctl)(int, int, void *);
	int (*semctl)(int, int, int, ...);
	int (*timer_create)(clockid_t, struct sigevent *, timer_t *);
	int (*getsockopt)(int, int, int, void *, socklen_t *);
	ssize_t (*sendmsg)(int, const struct msghdr *, int);
	ssize_t (*recvmsg)(int, struct msghdr *, int);
	/* Namespace closing (syscall.c, thread.c, pidcalls.c, prctl.c, paths.c). */
	long (*syscall)(long, ...);
	int (*prctl)(int, ...);
	int (*tgkill)(pid_t, pid_t, int);
	int (*sched_setaffinity)(pid_t, size_t, const void *);
	int (*sched_getaffinity)(pid_t, size_t, void *);
	int (*sched_setscheduler)(pid_t, int, const void *);
	int (*sched_getscheduler)(pid_t);
	int (*sched_setparam)(pid_t, const void *);
	int (*sched_getparam)(pid_t, void *);
	int (*sched_rr_get_interval)(pid_t, struct timespec *);
	int (*getpriority)(int, id_t);
	int (*setpriority)(int, id_t, int);
	ssize_t (*process_vm_readv)(pid_t, const void *, unsigned long, const void *,
				    unsigned long, unsigned long);
	ssize_t (*process_vm_writev)(pid_t, const void *, unsigned long, const void *,
				     unsigned long, unsigned long);
	int (*pidfd_open)(pid_t, unsigned int);
	/* __open_2 & co. are in the fields without the leading underscores. */
	int (*open)(const char *, int, ...);
	int (*open64)(const char *, int, ...);
	int (*open_2)(const char *, int);
	int (*open64_2)(const char *, int);
	int (*openat)(int, const char *, int, ...);
	int (*openat64)(int, const char *, int, ...);
	int (*openat_2)(int, const char *, int);
	int (*openat64_2)(int, const char *, int);
	void *(*fopen)(const char *, const char *);
	void *(*fopen64)(const char *, const char *);
	void *(*freopen)(const char *, const char *, void *);
	void *(*freopen64)(const char *, const char *, void *);
	void *(*opendir)(const char *);
	void *(*fdopendir)(int);
	int (*clone)(int (*)(void *), void *, int, void *, ...);
	int (*fchdir)(int);
	int (*closedir)(void *);
	void *(*readdir)(void *);
	void *(*readdir64)(void *);
	int (*stat)(const char *, void *);
	int (*stat64)(const char *, void *);
	int (*lstat)(const char *, void *);
	int (*lstat64)(const char *, void *);
	int (*fstatat)(int, const char *, void *, int);
	int (*fstatat64)(int, const char *, void *, int);
	int (*xstat)(int, const char *, void *);
	int (*xstat64)(int, const char *, void *);
	int (*lxstat)(int, const char *, void *);
	int (*lxstat64)(int, const char *, void *);
	int (*fxstatat)(int, int, const char *, void *, int);
	int (*fxstatat64)(int, int, const char *, void *, int);
	int (*statx)(int, const char *, int, unsigned int, void *);
	int (*access)(const char *, int);
	int (*faccessat)(int, const char *, int, int);
	int (*euidaccess)(const char *, int);
	int (*eaccess)(const char *, int);
	ssize_t (*readlink)(const char *, char *, size_t);
	ssize_t (*readlinkat)(int, const char *, char *, size_t);
	int (*chdir)(const char *);
	/* paths resolved by libc or the kernel (realpath.c) */
	char *(*realpath)(const char *, char *);
	char *(*realpath_chk)(const char *, char *, size_t);
	char *(*canonicalize_file_name)(const char *);
	char *(*getcwd)(char *, size_t);
	char *(*getcwd_chk)(char *, size_t, size_t);
	char *(*get_current_dir_name)(void);
	/* listings of /proc (scandir.c) */
	int (*scandir)(const char *, void *, void *, void *);
	int (*scandir64)(const char *, void *, void *, void *);
	int (*scandirat)(int, const char *, void *, void *, void *);
	int (*scandirat64)(int, const char *, void *, void *, void *);
	int (*readdir_r)(void *, void *, void *);
	int (*readdir64_r)(void *, void *, void *);
	int (*glob)(const char *, int, int (*)(const char *, int), void *); /* glob.c */
	int (*glob64)(const char *, int, int (*)(const char *, int), void *);
	long (*ptrace)(int, ...); /* debuggers (ptrace.c) */
	/* posix_spawn file actions that move or set descriptor 1 (spawnfa.c) */
	int (*fa_init)(void *);
	int (*fa_destroy)(void *);
	int (*fa_addchdir)(void *, const char *);
	int (*fa_addfchdir)(void *, int);
	int (*fa_adddup2)(void *, int, int);
	int (*fa_addopen)(void *, int, const char *, int, mode_t);
};
extern struct shim_real real;

/* real.f, looked up at its first use (real.c); NULL: this libc lacks it.
 * Every use of a real entry point goes through REAL. */
void *real_get_slow(void **slot);
static inline void *real_get(void **slot)
{
	void *p = __atomic_load_n(slot, __ATOMIC_RELAXED);

	return __builtin_expect(p != NULL, 1) ? p : real_get_slow(slot);
}
#define REAL(f) ((__typeof__(real.f))real_get((void **)&real.f))

/* Prepare the lookups (the objects after ours, nextsym.c): constructor
 * time, or the first wrapper called before it (another library's
 * constructor). */
void real_resolve(void);
/* Look up, once, the names fork children commonly use (real.c). */
void real_prime_children(void);
/* dlsym(RTLD_NEXT, name), mostly without dlsym (nextsym.c). */
void *shim_next_sym(const char *name);
/* The objects shim_next_sym searches, listed once (one thread). */
void shim_next_prepare(void);

/* ---- vfork child context (shim/vfork.c) --------------------------------- */

/* A connection: the process's own (conn.c) or a vfork child's. */
struct shim_conn {
	int fd;       /* -1: not connected */
	uint32_t seq; /* last seq used on fd */
	uint64_t dev; /* identity of our socket (fstat): a program may close */
	uint64_t ino; /* our fd (close_range) and reuse the number */
	pid_t hello_rppid; /* our real parent when the unanswered HELLO went */
};

/*
 * A vfork child runs on its parent's memory: every global of the shim is
 * the parent's and must not change (other threads of the parent keep
 * running and may hold the connection lock).  From the vfork entry until
 * the parent resumes, the calling thread's `shim_vf` holds the child's own
 * state, and every module asks shim_vf.active before touching globals:
 * identity answers come from here, the connection is shim_vf.conn (no
 * lock: the child is single-threaded), the child table and handler table
 * are left alone.  The parent clears it when it resumes.
 */
struct shim_vf {
	bool active;           /* between the vfork entry and the parent's resumption */
	bool plain;            /* mode NONE: no bookkeeping at all */
	bool lost;             /* the child's own fallback (the shared mode stays) */
	pid_t vpid;            /* the child's vpid (0 offline) */
	bool counted;          /* vpid came from the shared counter (BIND d = 1) */
	pid_t rpid;            /* the child's real pid, set in the child */
	pid_t parent_v;        /* the parent's vpid and real pid (getppid cache) */
	pid_t parent_r;
	struct shim_conn conn; /* the child's connection (fd closed by exec/exit) */
	bool exec_noted;       /* the child is exec'ing: the parent writes its EXEC note */
	uint64_t exec_at;      /* when (CLOCK_MONOTONIC ns) */
	char exec_path[PROTO_TEXT_EVT];
	void *map;             /* an environment mapping made by the child's exec */
	size_t maplen;         /* (the parent unmaps it: the child shared our mm) */
	sigset_t oldmask;      /* the caller's mask, restored on both sides */
	uint32_t gkill;        /* shim_gkill_seen() before the vfork */
	uint64_t stop_sigs;    /* stop signals the child took before its exec, 1 << sig:
	                          the parent sends them to the exec'd child (vfork.c) */
};
extern SHIM_TLS struct shim_vf shim_vf;
/* The vfork bookkeeping around a system call that makes a vfork child
 * (vfork.c; also clone.c's CLONE_VM | CLONE_VFORK): pre in the parent
 * before it (0 bookkeeping, 1 plain, -1 errno), post on both sides after
 * it with its result (0 in the child, the rpid or -errno in the parent). */
int shim_vfork_pre(void);
pid_t shim_vfork_post(long rc);
void shim_settle_children(void); /* wait.c: our children's exits and unseen reaps into the model */

/* ---- identity and mode (shim/self.c) ------------------------------------ */

enum shim_mode {
	SHIM_MODE_UNSET = 0, /* shim_init not run yet */
	SHIM_MODE_NONE,      /* JOBSHIM_SOCKET unset: not under jobshim, all real */
	SHIM_MODE_ONLINE,    /* under jobshim, supervisor reachable so far */
	SHIM_MODE_LOST,      /* under jobshim, supervisor unreachable: real calls,
	                        with the kill safety rules (kill.c) */
};

/* Resolve real_*, copy the environment; idempotent and safe to call from
 * any wrapper (a library constructor may run before ours). */
void shim_init(void);
enum shim_mode shim_mode(void);
/* True when wrappers must use the real calls (mode NONE or LOST), or when
 * the calling thread is already inside the shim (re-entrancy guard). */
bool shim_offline(void);
/* Leave the tree's shim: mode NONE for good (nest.c). */
void shim_self_detach(void);
/* The init of a nested pid namespace leaves the tree (nest.c). */
void shim_nest_check(void);

/* The copied environment (empty strings when unset). */
const char *shim_env_socket(void);
/* PATH search as execvp does it (exec.c), for the exec and spawn wrappers
 * that must know the file before deciding whether it needs the shim:
 * the path found (in buf), or NULL. */
const char *shim_exec_search(const char *file, char *buf, size_t cap);
/* True when this image holds a connection (a hint: no lock, no syscall). */
bool shim_conn_live(void);
const char *shim_env_lib(void);

/* This process's vpid: cached, no system call once known.  In mode NONE or
 * LOST, the real pid. */
pid_t shim_self_vpid(void);
/* The real pid (one getpid system call: never trusts a cache, so it is
 * right in a raw clone() child too). */
pid_t shim_sys_getpid(void);
pid_t shim_sys_getppid(void);
/* The last vpid known for this process (0 none), kept after a fallback so
 * that kill(own old vpid) still means "myself". */
pid_t shim_last_vpid(void);

/* The parent cache: (vppid, rppid) or 0 when unknown. */
pid_t shim_ppid_cached(pid_t real_ppid);
void shim_ppid_set(pid_t vppid, pid_t rppid);

/* Identity bookkeeping for conn.c: install the answer of HELLO; forget the
 * identity (raw-clone child detected, or LOST). */
void shim_self_install(pid_t vpid, pid_t rpid);
void shim_self_forget(void);
/* Our vpid is known and belongs to this very process (no round trip). */
bool shim_self_known(void);
bool shim_autoreaps(void); /* SIGCHLD ignored or SA_NOCLDWAIT now (fork.c) */
/* A fork child (rpid: its real pid) that has not called setsid since:
 * shim_self_no_session answers true until shim_self_setsid (or an exec). */
void shim_self_forked(pid_t rpid);
void shim_self_setsid(void);
bool shim_self_no_session(void);
/* This process made a child (shim_child_add); shim_self_childless_fork:
 * a fork child that leads no session and has made no child since. */
void shim_self_parented(pid_t child_vpid);
bool shim_self_childless_fork(void);
/* We moved (setpgid of ourselves, setsid: counted); shim_self_unmoved_since:
 * child_vpid is the last child we made and we have not moved since. */
void shim_self_moved(void);
bool shim_self_unmoved_since(pid_t child_vpid);
/* The claim sent with HELLO (0 none). */
pid_t shim_self_claim(void);
/* Our real pid, as the cached identity knows it (a child sharing our
 * memory: its own, one getpid system call). */
pid_t shim_self_rpid(void);
/* The real pid of the process the memory's state belongs to: the
 * connection, its lock, the children table.  A child sharing our memory
 * (CLONE_VM, clone.c) uses them as ours: this is its parent's pid. */
pid_t shim_mem_rpid(void);
/* This is such a child (it entered itself with shim_vmkid_enter). */
bool shim_self_vmkid(void);
/* Children sharing our memory (clone.c): shim_vmkids_begin before the
 * first such clone, in the parent; shim_vmkid_enter in the child as it
 * starts (its vpid, and its parent's ids), which then has an identity of
 * its own (self.c). */
void shim_vmkids_begin(void);
void shim_vmkid_enter(pid_t vpid, pid_t parent_v, pid_t parent_r);
/* Switch to LOST (prints the warning once: `why`, or "supervisor
 * unreachable" when NULL). */
void shim_self_lost(const char *why);
/* The program installed a seccomp filter of its own (or strict mode):
 * LOST, without the warning (prctl.c). */
void shim_self_sandboxed(void);
/* About to install one (its parent's vpid cached first). */
void shim_self_sandboxing(void);
/* Did this process confine itself with its ids kept (getpid and getppid
 * answer as before, from what is known)? */
bool shim_self_kept(void);
void shim_self_unkeep(void);

/* ---- re-entrancy guard (shim/self.c) ------------------------------------ */
/* Set while this thread is inside a locked request or a real fork (signals
 * blocked then): a nested interposed call (an atfork handler, say) must not
 * take the lock again and goes to the real function. */
bool shim_guarded(void);
void shim_guard(bool on);
/* While the guard is up for a real fork: the child's vpid, so that getpid in
 * an atfork child handler answers the child's id. */
void shim_guard_fork(pid_t child_vpid);
pid_t shim_guard_fork_vpid(void);

/* ---- connection (shim/conn.c) ------------------------------------------ */

/* Block every signal; restore. */
void shim_block(sigset_t *old);
void shim_unblock(const sigset_t *old);
/* A vfork child's exec wrapper: signals held during the shim's work, and
 * a stop signal that came meanwhile kept for after the exec (vfork.c). */
void shim_vfork_exec_hold(sigset_t *old);
void shim_vfork_exec_release(const sigset_t *old);
/* The connection lock (spinlock; signals must be blocked, so only other
 * threads ever contend). */
void shim_lock(void);
void shim_unlock(void);

/* One synchronous round trip: signals blocked, connection lock held, one
 * send, one receive with the same seq (EINTR retried).  Connects lazily
 * (HELLO first).  Returns 0 with *rep filled (rep->err is the call's own
 * result), or -errno when the supervisor is unreachable — then the caller
 * falls back to the real libc call (shim_offline() is true afterwards and a
 * warning has been printed once). */
int shim_call(struct proto_req *req, struct proto_rep *rep);
/* The same with the lock already held and signals blocked. */
int shim_call_locked(struct proto_req *req, struct proto_rep *rep);
/* A round trip whose answer is rep.v[0]: 0 with *out, -errno from the
 * engine, or 1 when the supervisor cannot be reached (ids.c). */
int shim_ask(uint16_t op, pid_t a, pid_t b, pid_t *out);

/* One-way message (BIND, EXEC, REAPED, STATE); errors ignored.  The
 * _locked variant expects the lock held.  A one-way message from a process
 * that is not connected yet connects and sends HELLO without waiting for
 * its reply (the reply is drained by the next round trip, or dropped at
 * exec), so exec needs no synchronous round trip. */
void shim_send(struct proto_req *req);
void shim_send_locked(struct proto_req *req);

/* One-way news (counted BIND, REAPED, STATE) through the event FIFO
 * (events.c) instead of the connection: true when written.  false: send
 * it on the connection.  _locked: lock held, signals blocked. */
bool shim_event(const struct proto_req *req);
bool shim_event_keeps_errno(const struct proto_req *req); /* shim_event leaving errno alone */
/* A file of the supervisor's private directory, checked (util.c): open it
 * (type S_IFREG or S_IFIFO, ours, at least min_size bytes; -1 otherwise),
 * or map it MAP_SHARED read-write (NULL otherwise). */
int shim_sup_file_open(const char *name, int flags, mode_t type, off_t min_size);
/* After a chroot (chroot.c): the run directory kept open, plus one (0:
 * this process's root never moved).  On the fork page: every exec and
 * every image's start look at it, and a function or variable elsewhere
 * would be one more page for each (docs/internals.md, "What a fork
 * costs"). */
extern int shim_root_fd1;
static inline int shim_root_rundir(void)
{
	return shim_root_fd1 - 1;
}
/* After a chroot: can an image exec'd now load the shim and reach the run
 * directory by their paths?  (Callers ask only when shim_root_fd1.) */
bool shim_root_reachable(void);
/* After a chroot: the run directory's descriptor if it is still ours,
 * else -1 (closed by the program: the supervisor is out of reach). */
int shim_root_dirfd(void);
/* chroot(2), keeping the supervisor within reach: 0 or -errno. */
long shim_sys_chroot(const char *path);
void *shim_sup_file_map(const char *name, size_t size);
/* The mapping kept in *slot, made on first use (shim_sup_file_map); NULL
 * and *unusable set when it cannot be made, never tried again.  Two
 * threads' first uses may race: one mapping is kept.  The caller keeps
 * vfork children out (a mapping they made would stay in the parent). */
void *shim_sup_file_map_once(_Atomic(void *) *slot, atomic_bool *unusable, const char *name,
			     size_t size);
/* The tree's shared file (fork.c, proto.h): the vpid counter and the
 * supervisor's pid first; NULL when it cannot be mapped.  Any thread (the model view reads it
 * without the lock); not mapped by a vfork child. */
struct proto_vpids *shim_vpids(void);
/* The image decision cache in the same mapping (elfscan.c), or NULL; a
 * vfork child gets only a mapping its parent already made. */
void *shim_imgcache(void);
bool shim_event_locked(const struct proto_req *req);
/* An EXEC note on behalf of our vfork child (sender = the child), written
 * after its BIND; `at` is when it exec'd.  false when not written. */
bool shim_event_exec_for(pid_t child_v, pid_t child_r, const char *path, size_t len, uint64_t at);
/* Before a fork: write "I exist" (HELLO) once per image that has not
 * connected (events.c); in a fork child: forget that it was written. */
void shim_event_announce_locked(void);
/* Before exec'ing a static or set-id image: "I exist" now, for it (a vfork
 * child too, with the FIFO its parent opened in shim_event_prime_locked). */
void shim_event_alone(void);
/* seccomp.c: filter an alone image's pid calls (supervisor/notif.c); 0 or
 * -errno.  The image is execveat's (dirfd, path, at_flags); path NULL: not
 * known (a set-id image cannot be told apart then). */
int shim_seccomp_before_exec(int dirfd, const char *path, int at_flags);
void shim_event_prime_locked(void);
/* Learn once whether the run is traced (exec.c), before forking: every
 * child about to exec inherits the answer instead of asking again. */
void shim_exec_prime(void);
void shim_uaccess_prime(void);
/* Is this run traced (--trace)?  Asked once per image (a file beside the
 * socket), then cached; a fork child inherits the answer. */
bool shim_traced(void);
void shim_event_child(void);

/* Connect now (HELLO round trip) unless connected: 0 or -errno (LOST). */
int shim_connect(void);

/* In a fork child: forget the parent's connection (close our copy) and
 * reset the lock. */
void shim_conn_child(void);
/* A one-way message was sent on the connection and no reply came since. */
bool shim_conn_oneway_pending(void);
/* The supervisor's real pid (SO_PEERCRED of the connection), 0 unknown. */
pid_t shim_conn_peer(void);

/* Translate ids: local child table first, then XLATE.
 * vpid -> rpid: > 0, or -ESRCH.  rpid -> vpid: > 0, or 0 outside the tree
 * (1 for the supervisor). */
pid_t shim_v2r(pid_t vpid);
pid_t shim_r2v(pid_t rpid);
/* shim_r2v for a process that has just acted -- sent a message with its
 * credentials, connected, sent a signal: one forked a moment ago is named
 * by its parent's fork marker while its BIND is not written yet. */
pid_t shim_r2v_acting(pid_t rpid);
/* The word where glibc keeps the calling thread's tid (its thread
 * descriptor), NULL when not found: a CLONE_CHILD_SETTID aimed at it gets
 * the real tid, not the vpid (clone.c). */
pid_t *shim_tcb_tid_word(void);

/* ---- fork bookkeeping (shim/fork.c) ------------------------------------- */
/* FORK round trip for a spawn-like creation (no real fork under the lock):
 * 0 with *child_vpid (and, rpgid not NULL, the real group a SETPGROUP
 * child joins, 0 = its own), or -errno (offline: the caller uses the real
 * call). */
int shim_fork_reserve(uint32_t flags, pid_t pgid, pid_t *child_vpid, pid_t *rpgid);
/* After the real creation: BIND(vpid, rpid) (rpid <= 0: failed, dropped)
 * and remember the child locally. */
void shim_fork_bind(pid_t child_vpid, pid_t child_rpid, bool counted, uint32_t gkill);
/* The group-kill count + 1 (0: unknown), read just before a real fork and
 * sent in the BIND (supervisor/gkill.c). */
uint32_t shim_gkill_seen(void);
/* A vpid from the supervisor's shared counter, taken now, or 0 (no counter,
 * retired, or our own identity unknown): ask with FORK.  Lock held, signals
 * blocked.  Announces this image first (shim_event_announce_locked). */
pid_t shim_fork_counted(void);
/* forkpte.c */
void shim_forkpte_prime(void);
/* The same, taking the lock and blocking signals itself (spawn, vfork). */
pid_t shim_fork_counted_unlocked(void);
/* A counted vpid whose real fork or vfork failed: back to the counter
 * (proto_vpids_give_back). */
void shim_fork_give_back(pid_t vpid);
/* A vpid taken from the counter for a new thread and never bound (Linux's
 * threads take their ids from the pid space), or 0 (offline, a vfork
 * child, no counter).  Given back with shim_fork_give_back when the
 * thread could not be made. */
pid_t shim_thread_take_vpid(void);
/* Our own fork (used by daemon): the fork wrapper's logic. */
pid_t shim_fork(pid_t (*real_fn)(void));

/* ---- ids (shim/ids.c) --------------------------------------------------- */
/* The setsid wrapper's logic (daemon uses it): sid, or -1 with errno. */
pid_t shim_setsid(void);
/* tty.c: an open() without O_NOCTTY by a session leader with no terminal
 * acquires it; watch before the real open, report after it (the trace). */
bool shim_tty_watch(int flags);
int shim_tty_opened(int fd, bool watch);
void shim_tty_new_session(void);

/* ---- local child table (shim/children.c) ------------------------------- */
/* A small fixed table of this image's children: vpid <-> rpid, so that
 * wait and kill on one's own children need no round trip.  Lock-free (one
 * 64-bit atomic per slot), usable from signal handlers; a full table only
 * costs supervisor lookups. */
void shim_child_add(pid_t vpid, pid_t rpid);
void shim_child_del(pid_t rpid);
/* A reaped child dumped core: the file the kernel named with its real pid
 * gets its vpid instead (corename.c). */
void shim_core_rename(pid_t rpid, pid_t vpid, int sig);
pid_t shim_child_v2r(pid_t vpid); /* 0 when unknown */
pid_t shim_child_r2v(pid_t rpid); /* 0 when unknown */
void shim_child_reset(void);      /* in a new child */

/* ---- environment for exec (shim/env.c) --------------------------------- */
/* Build into `out` (capacity `cap` pointers, strings in `buf`) a copy of
 * envp with JOBSHIM_SELF set to "vpid:rpid:vppid:rppid", and LD_PRELOAD /
 * JOBSHIM_SOCKET / JOBSHIM_LIB put back when missing.  Returns 0 or -E2BIG
 * when it does not fit. */
int shim_env_build(char *const envp[], const pid_t self[4], char **out, size_t cap,
		   char *buf, size_t buflen);
/* Space needed by shim_env_build for envp: pointers and bytes. */
void shim_env_size(char *const envp[], size_t *nptr, size_t *nbytes);
/*
 * A new image sees our variables only where its program's environment had
 * them: the exec wrappers put back what a program left out (`env -i`,
 * Python's env={}), which the kernel's copy of the environment must hold
 * (a new image that execs by other means keeps the shim; the guard finds
 * the run's processes by JOBSHIM_SOCKET in /proc/PID/environ), and name
 * in JOBSHIM_SELF's "/H" suffix what they put back; the new image's shim
 * takes those out of `environ` again (shim_env_hide).  H is these bits:
 */
#define SHIM_HIDE_SOCKET 1       /* JOBSHIM_SOCKET was put back */
#define SHIM_HIDE_LIB 2          /* JOBSHIM_LIB was put back */
#define SHIM_HIDE_PRELOAD 4      /* LD_PRELOAD was put back, holding only us */
#define SHIM_HIDE_PRELOAD_HEAD 8 /* our library was put first in the program's LD_PRELOAD */
/* Does envp lack JOBSHIM_SOCKET or JOBSHIM_LIB?  Then an image that needs
 * no shim gets it anyway, to take them out of its environ (exec.c). */
bool shim_env_lacks_ours(char *const envp[]);
/* Take out of envp (our environ) what `hide` names; remembered for
 * shim_env_unhide. */
void shim_env_hide(char **envp, unsigned hide);
/* Put back into environ what shim_env_hide took out (a nested supervisor,
 * nest.c: it reads the outer run's variables). */
void shim_env_unhide(void);

/* An environment built on the stack when small, else in an anonymous
 * mapping (mmap is async-signal-safe, malloc is not). */
struct shim_envbuf {
	char **env;      /* the built environment, or NULL when it failed */
	void *map;       /* mapping to release, or NULL (the caller's room) */
	size_t maplen;
};
/* The bytes the environment built from envp takes: pointers, then the
 * strings it adds. */
size_t shim_envbuf_need(char *const envp[]);
/* At most this much goes in the caller's room; more is mmap'd. */
#define SHIM_ENVBUF_ROOM_MAX 4096
/* Build it (0, or -errno, then eb->env is NULL) in `room` when it fits
 * there (roomlen bytes, e.g. alloca(shim_envbuf_need(envp)) sized to what
 * it takes: a fork child about to exec touches as few fresh stack pages
 * as it can, each a page fault), else in a mapping.  `plain`: the image
 * needs no shim (elfscan.c), so our library is taken out of LD_PRELOAD,
 * and it gets no JOBSHIM_SELF (JOBSHIM_SOCKET and JOBSHIM_LIB stay). */
int shim_envbuf_make_for(struct shim_envbuf *eb, char *const envp[], const pid_t self[4],
			 bool plain, void *room, size_t roomlen);
void shim_envbuf_free(struct shim_envbuf *eb);

/* ---- image scan (shim/elfscan.c) ----------------------------------------- */
/* What the program at `path` runs with.  Async-signal-safe. */
enum shim_image {
	SHIM_IMAGE_KEEP,  /* the shim stays preloaded (also: unsure) */
	SHIM_IMAGE_PLAIN, /* imports none of the interposed names (nor clone,
			   * syscall, dlopen...), links only known system
			   * libraries: it can run without the shim */
	SHIM_IMAGE_ALONE, /* static or set-id: runs without it, may fork */
	SHIM_IMAGE_RAW,   /* dynamic Go: keeps it, and its own raw calls are filtered (seccomp.c) */
	SHIM_IMAGE_DENIED, /* reading it was refused (a fanotify permission
			    * listener), errno says how: the exec or spawn
			    * fails so too (elfscan.c) */
};
/* The image will only list its libraries (ldd: LD_TRACE_LOADED_OBJECTS,
 * `ld.so --list`): it runs without the shim (exec.c). */
bool shim_exec_lists_only(enum shim_image image, const char *path, char *const argv[],
			  char *const envp[]);
/* Has a chdir or fchdir been added to these posix_spawn file actions
 * (spawnfa.c)?  Then a relative path means another file in the child. */
bool shim_spawnfa_moves(const void *fa);
/* Has an open or dup2 onto descriptor 1 been added to them (spawnfa.c)? */
bool shim_spawnfa_sets_stdout(const void *fa);
/* May descriptor 1 be a cgroup pid file (or ns_last_pid)?  One fstatfs
 * (cgwrite.c): a plain image keeps the shim then. */
bool shim_cgwrite_stdout_maybe(void);
/* The trampoline (shim/tramp/jobshim-exec FILE ARGV...) that execs `file`
 * from an image with the shim: its path in buf; -1 when it or the file
 * cannot be run (spawn.c). */
int shim_tramp_path(char *buf, size_t size, const char *file);
enum shim_image shim_image_kind(const char *path);
/* The image an execveat(dirfd, path, ..., at_flags) would run; with
 * AT_EMPTY_PATH and "", the descriptor itself (fexecve). */
enum shim_image shim_image_kind_at(int dirfd, const char *path, int at_flags);
/* Map the tree's decision cache now, in a parent about to fork, vfork or
 * spawn: its children inherit the mapping (a vfork child may not map it
 * itself, and dash starts every child with vfork). */
void shim_image_prime(void);

/* mview.c: the supervisor's model view (mview.h), read without a round
 * trip.  Each answers only from a fresh view (no news on its way) and
 * says so; otherwise the caller asks the supervisor.  Safe in a vfork
 * child (reads an existing mapping only). */
struct mview_ids;
bool shim_mview_ids(pid_t vpid, struct mview_ids *out); /* vpid's entry */
bool shim_mview_changes(uint32_t *out); /* the view's change count, when fresh */
int shim_mview_group(pid_t pgid, pid_t *rpids, int max, int max_pages); /* live members' rpids, or -1: ask */
pid_t shim_mview_v2r(pid_t vpid);                        /* > 0, or 0: ask */
pid_t shim_mview_r2v(pid_t rpid);                        /* > 1, or 0: ask */
void shim_mview_asking(int op); /* a request goes: after a stale read? */
void shim_mview_prime(void); /* map it before a fork: the child inherits it */
/* Reasons to keep the view out of the address space (a bit each). */
#define SHIM_MVIEW_HOLD_MLOCK 1u /* mlockall, and MCL_FUTURE in effect (mlock.c) */
#define SHIM_MVIEW_HOLD_AS 2u    /* a finite RLIMIT_AS (rlimit.c) */
bool shim_mview_release(unsigned reason); /* unmapped and held out; false: could not */
void shim_mview_hold(unsigned reason, bool hold); /* keep it out, or map it when read */
bool shim_mview_as_limited(void); /* our soft RLIMIT_AS is finite */
long shim_sys_prlimit64(pid_t pid, int res, const void *lim, void *old); /* rlimit.c */
long shim_sys_setrlimit(int res, const void *lim);

/* viewwrite.c: writes that change nothing in the model, answered from the
 * view: 0 or -errno, or VIEW_ASK when only the supervisor can say. */
#define VIEW_ASK 1
int shim_view_setpgid(pid_t pid, pid_t pgid);
int shim_view_setsid(void);
/* setpgid(0, 0) (or naming the caller) by a fork child that leads no
 * session: answered 0, made for real, posted one-way (viewwrite.c). */
int shim_oneway_setpgid(pid_t pid, pid_t pgid);
/* setpgid(child, child) by the parent of the newest process, still in the
 * parent's group: made for real, posted one-way (viewwrite.c). */
int shim_oneway_child_setpgid(pid_t pid, pid_t pgid);
int shim_view_kill(pid_t pid, int sig);
/* kill(-pgid, sig): one real kill of the group's real mirror, found in the view. */
int shim_view_kill_group(pid_t pid, int sig);
bool shim_kill_needs_engine(int sig); /* viewwrite.c */
/* kill of an unreaped child of ours, by its real pid from our table. */
int shim_child_kill(pid_t pid, int sig);

/* ---- exec helpers (shim/exec.c) ---------------------------------------- */
/* Send EXEC(path) one-way. */
void shim_exec_note(const char *path);

/* ---- wait (shim/wait.c) ------------------------------------------------- */
/* wait4 with virtual ids; returns pid or -errno. */
pid_t shim_wait4(pid_t pid, int *status, int options, struct rusage *ru);

/* ---- spawn (shim/spawn.c) ----------------------------------------------- */
/* posix_spawn(p) with virtual ids; returns 0 or an errno (like posix_spawn).
 * `attrp`, `fa` are posix_spawnattr_t / posix_spawn_file_actions_t. */
int shim_spawn(pid_t *pid, const char *path, const void *fa, const void *attrp,
	       char *const argv[], char *const envp[], bool search);

/* ---- signals (shim/sig.c) ---------------------------------------------- */
/* Translate si_pid of a received siginfo in place (rpid -> vpid). */
void shim_sig_translate(siginfo_t *si);
/* Does si's code say si_pid names a process (a kill, sigqueue, tkill,
 * mq_notify's sender, a SIGCHLD's child)? */
bool shim_sig_has_sender(const siginfo_t *si);

/* ---- internal entry points of exported wrappers ------------------------- */
/* Hidden aliases of the wrappers (same behaviour, errno included), for
 * syscall() (syscall.c): calls inside the shim never go through the PLT. */
pid_t shim_getppid(void);                 /* ids.c */
pid_t shim_getpgid(pid_t pid);            /* ids.c */
pid_t shim_getsid(pid_t pid);             /* ids.c */
int shim_setpgid(pid_t pid, pid_t pgid);  /* ids.c */
int shim_kill(pid_t pid, int sig);        /* kill.c */
int shim_waitid(idtype_t idtype, id_t id, siginfo_t *info, int options); /* wait.c */
int shim_execve(const char *path, char *const argv[], char *const envp[]); /* exec.c */
int shim_execveat(int dirfd, const char *path, char *const argv[], char *const envp[],
		  int flags); /* exec.c */

/* ---- raw system calls (shim/syscall.c) ----------------------------------- */
/* The kernel's own answer (-errno on failure, errno untouched).  The shim
 * never calls syscall(): that name is interposed (it would come back
 * through the namespace). */
long shim_raw_syscall(long nr, long a1, long a2, long a3, long a4, long a5, long a6);
/* Whether the page holding addr is readable, asked of the kernel (a
 * futex lookup; false for unmapped or PROT_NONE memory), never faulting. */
bool shim_page_readable(const void *addr);
/* Copy n bytes from a pointer the program gave us without faulting on a
 * bad one (shim_page_readable for each page): false when unreadable. */
bool shim_peek(void *dst, const void *src, size_t n);
/* Write n bytes to a pointer the program handed us without faulting
 * (each page proven writable first, syscall.c): false when unwritable
 * (EFAULT), nothing written then. */
bool shim_poke(void *dst, const void *src, size_t n);
/* Can the string, or the path and the two NULL-terminated string arrays
 * (argv, envp; NULL arrays and a NULL path are not checked) be read without
 * a fault?  Probed page by page (uaccess.c), never dereferenced blindly. */
bool shim_user_str_ok(const char *s);
/* The program moved its break by the system call: stop trusting
 * __curbrk for the heap's end (uaccess.c). */
void shim_uaccess_heap_off(void);
bool shim_user_exec_ok(const char *path, char *const argv[], char *const envp[]);

/* ---- descriptors' owners (shim/fdowner.c) -------------------------------- */
/* fcntl's pid-carrying commands (F_SETOWN/F_GETOWN(_EX), F_GETLK,
 * F_OFD_GETLK) translated, every other passed on: the kernel's result
 * (-errno on failure).  syscall(SYS_fcntl) and the fcntl wrappers. */
long shim_sys_fcntl(int fd, int cmd, long arg);
/* The socket owner ioctls (FIOSETOWN, SIOCSPGRP, FIOGETOWN, SIOCGPGRP):
 * true when req is one, the call's result in *rc. */
bool shim_ioctl_owner(int fd, unsigned long req, void *arg, int *rc);

/* ---- pids in what a descriptor reads (shim/pidread.c) ------------------- */
/* A signalfd or fanotify descriptor fd was made: its reads get virtual
 * pids.  _dup: `to` is now a copy of `from` (dup2 & co. succeeded). */
void shim_pidread_mark(int fd);
void shim_pidread_dup(int from, int to);
/* thread.c: was tid one of the last threads pthread_create started here? */
bool shim_thread_was_ours(pid_t tid);
/* syscall(SYS_read): the kernel's result (-errno), pids translated. */
long shim_pidread_sys(int fd, void *buf, size_t n);

/* ---- clocks and timers (shim/clocks.c) ---------------------------------- */
/* syscall(SYS_timer_create): SIGEV_THREAD_ID's thread id translated; the
 * kernel's result (-errno on failure). */
long shim_sys_timer_create(long clock, const void *sev, void *timer);

/* ---- System V IPC status (shim/sysvipc.c) -------------------------------- */
/* syscall(SYS_msgctl / SYS_shmctl / SYS_semctl): the pids in the status
 * virtual; the kernel's result (-errno on failure). */
long shim_sys_ipcctl(long nr, long a0, long a1, long a2, long a3);

/* ---- threads and pid arguments (shim/thread.c, shim/pidcalls.c) ----------- */
/* gettid with the main thread's id virtual (= getpid()); other threads'
 * ids stay real. */
pid_t shim_gettid(void);
/* A pid or thread id argument for the kernel, always an id to pass on and
 * never an errno (a negative id is the caller's own, e.g. getpriority's
 * -1): 0 and negative ids stay (the kernel's own meaning and errno); the
 * caller's vpid -> its rpid; a thread of the caller (real tid) stays;
 * another vpid -> its rpid (the main thread); an id that names nothing in
 * the tree -> SHIM_PID_NONE, so that the kernel still checks the other
 * arguments first and answers ESRCH exactly where it would.  Not under
 * jobshim: the id itself. */
pid_t shim_xlate_tid(pid_t id);
/* Is id a live thread leading no process, in our pid namespace (a number
 * the vpid counter skips: core/proto.h, proto_vpids_take_free)? */
bool shim_id_is_thread(int32_t id);
/* A pid no process has: above PID_MAX_LIMIT (2^22), the kernel's bound
 * for /proc/sys/kernel/pid_max, so every lookup of it fails. */
#define SHIM_PID_NONE ((pid_t)0x7fffffff)
/* The kernel's bound on pid_max (PID_MAX_LIMIT, 4 Mi on 64-bit). */
#define SHIM_PID_MAX_LIMIT ((pid_t)(4 * 1024 * 1024))
/* Call fn(rpid, ctx) for each live member of virtual group pgid (0 = the
 * caller's): 0, -errno (ESRCH: no such group), or 1 when the supervisor
 * cannot be reached.  fn returns false to stop. */
int shim_pgrp_each(pid_t pgid, bool (*fn)(pid_t rpid, void *ctx), void *ctx);
/* Raw-syscall forms used by syscall(): results as the kernel gives them
 * (-errno on failure). */
long shim_sys_priority(bool set, long which, long who, long prio);
/* capget/capset (caps.c): the header's pid translated; -errno on failure. */
long shim_sys_cap(long nr, void *hdr, void *data);
long shim_sys_ioprio(bool set, long which, long who, long prio);
enum shim_tgsend { SHIM_TG_KILL, SHIM_TG_QUEUE, SHIM_TG_TGQUEUE };
/* tgkill(tgid, tid, sig), rt_sigqueueinfo(tgid, sig, info) (tid unused),
 * rt_tgsigqueueinfo(tgid, tid, sig, info). */
long shim_sys_tgsend(enum shim_tgsend kind, long tgid, long tid, long sig, const void *info);
/* initsig.c: may this process signal vpid 1 (the supervisor)?  0, -EINVAL
 * or -EPERM, nothing sent; the tgkill/rt_*sigqueueinfo form also checks
 * the thread and the siginfo as the kernel does. */
int shim_init_sig_check(int sig);
long shim_init_tgsend(enum shim_tgsend kind, bool main_thread, long sig, const void *info);
/* pidfd_send_signal through a pidfd that names vpid 1: the same, nothing
 * sent (initsig.c); pidfd.c tells such a pidfd from any other. */
long shim_init_pidfd(long sig, const void *info, unsigned long flags);
long shim_sys_pidfd_send_signal(long fd, long sig, const void *info, unsigned long flags);

/* ---- prctl (shim/prctl.c) ----------------------------------------------- */
int shim_prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4,
	       unsigned long a5);

/* ---- debuggers (shim/ptrace.c) ------------------------------------------ */
/* The vpid a process is about to give its next child, published in its own
 * memory around the real fork (fork, vfork, spawn) for a tracer that sees
 * the child before the parent's BIND: see ptrace.c. */
struct shim_forking {
	uint32_t magic;
	_Atomic pid_t owner;       /* 0 free, 1 claimed until the child is bound */
	_Atomic pid_t parent_rpid; /* who claimed it (a fork child inherits a copy) */
	_Atomic pid_t vpid;        /* the child's vpid */
	_Atomic pid_t child_rpid;  /* 0 while the fork is in flight, then its rpid (-1 failed) */
};
/* Claim a slot before the real call (its index, -1 none); the child's rpid
 * after it; release once its BIND is written. */
int shim_forking_begin(pid_t vpid, pid_t parent_rpid);
void shim_forking_end(int slot, pid_t child_rpid);
void shim_forking_release(int slot);
/* The vpid the real parent of process rpid is giving it in a fork still in
 * flight (its BIND not written), from that parent's marker; 0 none or not
 * readable.  Read before the XLATE that it backs up (ptrace.c). */
pid_t shim_fork_marker_guess(pid_t rpid);
/* ptrace with virtual ids (the wrapper's logic, also for syscall()). */
long shim_ptrace(int req, pid_t pid, void *addr, void *data);
/* This image has traced something (ATTACH/SEIZE or any request on a
 * PTRACE_TRACEME child): wait results go through shim_ptrace_r2v. */
bool shim_ptrace_tracing(void);
/* The id shown to this tracer for real task id rpid (the vpid of a
 * process, even one its parent has not bound yet; the real id of any other
 * thread), remembered for the way back. */
pid_t shim_ptrace_r2v(pid_t rpid);
/* The real id behind an id this tracer was shown; 0 unknown. */
pid_t shim_ptrace_shown2r(pid_t id);
/* A tracee exited or was detached: forget it. */
void shim_ptrace_forget(pid_t rpid);
/* Tgid, PPid, TracerPid of a real task id (/proc, read raw); false when
 * it cannot be read.  Any pointer may be NULL. */
bool shim_ptrace_status(pid_t id, pid_t *tgid, pid_t *ppid, pid_t *tracer);

/*
 * The path a wrapper hands to the real function.  It lives on the
 * wrapper's stack: PATH_MAX (4 KiB) per call, also on the fast path and
 * also in a vfork child (the parent's stack) or a signal handler (programs
 * call open/stat there; an alternate signal stack needs SIGSTKSZ, not
 * MINSIGSTKSZ).  PATH_MAX loses nothing: a translation that does not fit
 * is ENAMETOOLONG, which the kernel would answer for it as well.
 */
struct shim_pathbuf {
	const char *path; /* what to pass on: the caller's path or buf */
	bool readable;      /* the caller's path is a string we may read */
	char buf[PATH_MAX]; /* the translation; read only when path == buf */
};

/* paths.c's argument check and translation for another file's wrapper:
 * pb->path is what to pass on (path itself, or its translation); false
 * with errno set when the call must fail without reaching libc. */
bool shim_path_arg(const char *path, struct shim_pathbuf *pb);

/* ---- /proc paths (shim/procpath.c) -------------------------------------- */
/* Cheap test: could `path` need translation ("/proc/" then a digit or
 * "self/task/")?  False for NULL. */
static inline bool shim_procpath_candidate(const char *path)
{
	return path != NULL && path[0] == '/' && path[1] == 'p' && path[2] == 'r' &&
	       path[3] == 'o' && path[4] == 'c' && path[5] == '/' &&
	       ((path[6] >= '0' && path[6] <= '9') || path[6] == 's');
}
/* Translate candidate `path` into buf (cap bytes; PATH_MAX is enough, the
 * kernel refuses longer paths):
 * /proc/<vpid>[/...] -> /proc/<rpid>[/...], and a task/<vpid> component
 * naming the main thread likewise.  0, or -ENOENT (a pid outside the
 * tree), -ENAMETOOLONG.  Untouched copies when there is nothing to do. */
int shim_procpath(const char *path, char *buf, size_t cap);
/* Is (dirfd, path) procfs' "self" or "thread-self" link, by the caller's
 * spelling ("/proc/self"; "self" from a cwd of /proc or a descriptor of
 * procfs' root)?  Then its text as the tree reads it ("<vpid>" or
 * "<vpid>/task/<tid>", the main thread's tid being the vpid) in text, not
 * terminated, and its length; else 0 (also when not online). */
size_t shim_procpath_self_link(int dirfd, const char *path, char *text, size_t cap);
/* A path that libc or the kernel resolved (realpath, getcwd): a leading
 * "/proc/<rpid>" of a tree process becomes "/proc/<vpid>" (and its
 * "task/<rpid>" "task/<vpid>"), in place, within cap bytes.  0 (also when
 * nothing changed: another path, a real thread id of ours, a pid outside
 * the tree), or -ENAMETOOLONG when the new path would not fit. */
int shim_procpath_unreal(char *path, size_t cap);
/* The same, and *named says whether the path is a tree process's or one
 * of our threads' (the text alone cannot say: where real ids are small a
 * vpid may be spelt like the rpid it replaces, or be the same number). */
int shim_procpath_unreal_named(char *path, size_t cap, bool *named);
long shim_sys_getcwd(char *buf, size_t size); /* syscall(SYS_getcwd) (realpath.c) */
long shim_sys_openat2(int dirfd, const char *path, const void *how, size_t size); /* paths.c */
/* Is the cwd procfs' root or a /proc/<pid> directory (as noted, or asked
 * once in a new image)? */
bool shim_procpath_in_proc(void);
/* chdir(path) or fchdir succeeded: note whether the new cwd is /proc
 * (is_root: fchdir saw procfs' root) or /proc/<vpid>|self, by the path. */
void shim_procpath_cwd(const char *path, bool is_root);
/* Was the cwd last set to /proc itself? */
bool shim_procpath_cwd_root(void);
/* A relative `path` naming a pid directory ("<pid>...", "self/...",
 * "thread-self/...") from a cwd (dirfd AT_FDCWD) or a descriptor of
 * procfs' root, or with a cwd of /proc/<vpid> any relative path: true with
 * the absolute path in abs. */
bool shim_procpath_relative(int dirfd, const char *path, char *abs, size_t cap);
/* Is fd procfs' root directory? (fstat, then fstatfs when the inode is 1) */
bool shim_procdir_is_root(int fd);
/* Is fd a descriptor on procfs (any directory or file of /proc)? */
bool shim_procdir_on_procfs(int fd);
/* fchdir(fd) succeeded: note whether the cwd is procfs' root or a
 * /proc/<pid> directory of a tree process (by the descriptor's link), for
 * relative paths (procpath.c).  One fstatfs for any other directory. */
void shim_procdir_note_cwd(int fd);
/* "<tid>..." relative to a descriptor of a /proc/<pid>/task directory of a
 * tree process (the names its listing gave: the main thread as the vpid):
 * true with "/proc/<vpid>/task/<tid>..." in abs, for procpath.c to
 * translate. */
bool shim_procdir_task_relative(int dirfd, const char *path, char *abs, size_t cap);
/* openat(dirfd, path) of a file procfs.c rewrites ("stat", "status",
 * "children", "task/...") where dirfd is a /proc/<pid> or task/<tid>
 * directory of a tree process: true with the absolute path the tree names
 * it by ("/proc/<vpid>/stat") in abs.  An fstatfs, and a readlink of the
 * descriptor, only for those names. */
bool shim_procdir_fd_relative(int dirfd, const char *path, char *abs, size_t cap);

/* ---- /proc file contents and listing (shim/procfs.c, shim/procdir.c) -- */
/* Cheap test: could `path` be a /proc file procfs.c rewrites ("/proc/"
 * then a digit, "self/", "thread-self/" or "locks")?  False for NULL. */
static inline bool shim_procfs_candidate(const char *path)
{
	return path != NULL && path[0] == '/' && path[1] == 'p' && path[2] == 'r' &&
	       path[3] == 'o' && path[4] == 'c' && path[5] == '/' &&
	       ((path[6] >= '0' && path[6] <= '9') || path[6] == 's' || path[6] == 't' ||
		path[6] == 'l');
}
#define SHIM_PROCFS_PASS (-2) /* not a rewritten file: open it as usual */
/* open(path, flags) of a candidate: a memfd with the stat or status file
 * rewritten to virtual ids, -1 with errno, or SHIM_PROCFS_PASS. */
int shim_procfs_open(const char *path, int flags);
/* cgwrite.c: an open for writing of a file named cgroup.procs,
 * cgroup.threads or tasks (candidate), which returned fd (opened: kept
 * when it is a cgroup file); syscall(SYS_write): the kernel's result. */
bool shim_cgwrite_candidate(const char *path, int flags);
void shim_cgwrite_opened(int fd);
long shim_cgwrite_sys(int fd, const void *buf, size_t n);
/* acct.c: the file acct() named; its descriptors' reads (pidread.c). */
long shim_sys_acct(const char *path);
bool shim_acct_is(int fd);
void shim_acct_opened(int fd);
void shim_acct_fix(int fd, char *buf, size_t n);
/* cgwrite.c: a descriptor copied (dup, dup2, dup3, F_DUPFD); might fd
 * be such a file (a load or two), is it (an fstat)? */
void shim_cgwrite_dup(int from, int to);
bool shim_cgwrite_armed(int fd);
bool shim_cgwrite_is(int fd);
/* cgstdio.c: fopen of such a file for writing: a stream whose writes go
 * through cgwrite; descriptor 1 about to change, and changed, by dup2 or
 * dup3 (stdout's buffering while it is such a file). */
void *shim_cgwrite_fopened(const char *path, const char *how, void *f); /* FILE * */
void shim_cgwrite_reopened(const char *path, const char *how, void *f); /* freopen: the FILE stays */
void shim_cgwrite_stdout_leaving(void);
void shim_cgwrite_stdout_arrived(void);
/* A path whose last component is cgroup.procs (cgroupfs.c). */
bool shim_cgroupfs_candidate(const char *path);
/* openat(dirfd, path, flags, mode) of such a path: a memfd listing the
 * tree's members by vpid when it is a cgroup's, else the real descriptor;
 * -1 with errno, or SHIM_PROCFS_PASS (not read-only, not online). */
int shim_cgroupfs_open(int dirfd, const char *path, int flags, mode_t mode);
/* opendir/fdopendir made d: remember it when it lists /proc (path, or
 * NULL with fd for fdopendir) or a task directory of a tree process. */
void shim_procdir_note(void *d, const char *path, int fd);
/* closedir(d) is about to run: forget d. */
void shim_procdir_forget(void *d);
/* readdir/readdir64 of a remembered d: the next entry as the tree sees it
 * (numeric names renamed to vpids, processes outside left out). */
void *shim_procdir_next(void *d, bool is64);
/* Any DIR remembered at all (one load: the fast path of readdir). */
bool shim_procdir_any(void);

/* ---- small signal-safe helpers (shim/util.c) ---------------------------- */
void shim_warn(const char *msg);                /* "jobshim: msg\n" on fd 2 */
size_t shim_fmt_int(char *buf, long v);         /* decimal, returns length */
/* close(2) made directly, errno untouched: never through the PLT, where a
 * program's own close() may sit (Chromium's checks ScopedFD ownership from
 * a function-local static: called by us inside its own static's guard,
 * whose gettid we answer, it waited for itself forever). */
void shim_close(int fd);
/* A memfd the shim filled in place of a file the caller opened read-only,
 * as a read-only descriptor: O_RDONLY in F_GETFL, writes EBADF, as the
 * kernel's file would be.  Consumes mfd; the new fd, or mfd if it cannot
 * be reopened. */
int shim_memfd_readonly(int mfd, int flags);
/* One raw read of up to cap - 1 bytes from fd, which is then closed; the
 * bytes NUL-terminated.  Their number, or -1 when none. */
long shim_read_close(int fd, char *buf, size_t cap);
/* /proc/self/fdinfo/<fd> opened read-only with a raw call: fd or -errno. */
int shim_fdinfo_open(int fd);
/* Parse a decimal int at *s, advancing; false when none. */
bool shim_parse_int(const char **s, long *out);
/* environ lookup without getenv: the value after "name=", or NULL. */
const char *shim_env_find(char *const envp[], const char *name);
/* Remove every NAME=... entry from envp in place (no allocation). */
void shim_env_drop(char **envp, const char *name);
/* Copy a NUL-terminated string; false when it does not fit. */
bool shim_strlcpy(char *dst, const char *src, size_t cap);
/* Sleep ms milliseconds (nanosleep, EINTR ends it early). */
void shim_sleep_ms(int ms);
/* CLOCK_MONOTONIC in ns (vDSO: no system call; async-signal-safe). */
uint64_t shim_now_ns(void);
uint64_t shim_now_raw_ns(void); /* the same by the system call (0 on failure) */

#endif
