/* fork.c — fork, _Fork and daemon: a vpid from the shared counter (or the supervisor), then the real fork (vfork: vfork.c). */
#include "shim.h"

#include <string.h>

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/*
 * The tree's shared file (proto.h): the supervisor's vpid counter, then the
 * image decision cache (elfscan.c), mapped on the first fork or exec that
 * needs either and kept (a fork child inherits the mapping; an exec'd image
 * maps it again).  The model view (mview.c) reads its counters through the
 * same mapping: one mapping per process for all three, not three.
 * vc_failed: the file is missing or unusable: FORK round trips, and every
 * exec scans its image.  Never mapped by a vfork child (its callers: the
 * fork wrappers before the fork, the view outside one; shim_imgcache asks).
 */
static _Atomic(void *) vc_map;
static atomic_bool vc_failed;

/* The view's reads take no lock: two threads' first uses may race. */
static struct proto_vpids *vc_get(void)
{
	return shim_sup_file_map_once(&vc_map, &vc_failed, PROTO_SHARED_FILE, PROTO_SHARED_SIZE);
}

struct proto_vpids *shim_vpids(void)
{
	return vc_get();
}

void *shim_imgcache(void)
{
	struct proto_vpids *vc = shim_vf.active ? atomic_load_explicit(&vc_map, memory_order_acquire)
						: vc_get();

	return vc != NULL ? (char *)vc + PROTO_IMGCACHE_OFF : NULL;
}

/*
 * Group signals and forks in flight (supervisor/gkill.c).  The count of
 * group kills, + 1 (0: no shared page), read just before the real fork:
 * the BIND carries it, and a kill numbered after it that the engine sent
 * before it knew the child is given to the child then.
 */
SHIM_FORK_TEXT uint32_t shim_gkill_seen(void)
{
	struct proto_vpids *vc = atomic_load_explicit(&vc_map, memory_order_acquire);

	return vc != NULL ? atomic_load_explicit(&vc->gkill_seq, memory_order_acquire) + 1 : 0;
}

/* Is a signal pending that the caller does not block?  The kernel's fork
 * delivers it before it makes the child (copy_process restarts the call),
 * so a fatal one leaves no child and a handler runs before the fork; with
 * every signal blocked for our bookkeeping, the fork went on and the child
 * outlived a kill(-pgid) that came just before it. */
static SHIM_FORK_TEXT bool fork_signal_due(const sigset_t *callers)
{
	uint64_t pending = 0, blocked = 0;

	memcpy(&blocked, callers, sizeof(blocked));
	if (shim_raw_syscall(SYS_rt_sigpending, (long)&pending, _NSIG / 8, 0, 0, 0, 0) != 0)
		return false;
	return (pending & ~blocked) != 0;
}

/* A vpid from the counter, or 0: ask with FORK (no counter, or retired). */
static pid_t vc_take(void)
{
	struct proto_vpids *vc = vc_get();

	return vc ? proto_vpids_take_free(vc, shim_id_is_thread) : 0;
}

/*
 * Every thread Linux makes takes an id from the same space as processes,
 * so a threaded program's next child gets a pid that many higher: python
 * starting a thread and then forking, node (its thread pool), a JVM.
 * Threads keep their real ids under jobshim (thread.c), so without this
 * the tree's numbering ran behind the native one by a thread's worth at
 * each pthread_create.  The number is taken and left unused, a gap in the
 * vpids as the thread's id is in Linux's pids.  Threads the shim does not
 * see (a static image's, Go's runtime's raw clones, glibc's own helper
 * threads) take none.
 */
pid_t shim_thread_take_vpid(void)
{
	if (shim_vf.active || shim_offline() || !shim_self_known())
		return 0;
	return vc_take();
}

void shim_fork_give_back(pid_t vpid)
{
	struct proto_vpids *vc = vc_get();

	if (vc != NULL && vpid > 0)
		proto_vpids_give_back(vc, vpid);
}

pid_t shim_fork_counted(void)
{
	/* Children about to exec inherit these answers, counted or not. */
	shim_exec_prime();
	shim_image_prime();
	shim_mview_prime();
	/* Only a process that knows its own identity: the child's ppid cache
	 * and the BIND's sender must be right without asking. */
	if (!shim_self_known())
		return 0;
	shim_event_announce_locked();
	shim_event_prime_locked();
	return vc_take();
}

pid_t shim_fork_counted_unlocked(void)
{
	sigset_t old;
	pid_t vpid;

	shim_block(&old);
	shim_lock();
	vpid = shim_fork_counted();
	shim_unlock();
	shim_unblock(&old);
	return vpid;
}

/* Offline (LOST): fork returns real pids; remember them so that the kill
 * safety rules (kill.c) still let the program signal its own children. */
static pid_t fork_offline(pid_t (*real_fn)(void))
{
	pid_t pid = real_fn();

	if (pid > 0 && shim_mode() == SHIM_MODE_LOST && !shim_guarded())
		shim_child_add(pid, pid);
	if (pid == 0)
		shim_self_unkeep(); /* a confined parent's ids are not ours */
	return pid;
}

/* fork() in a vfork child (undefined by POSIX, but seen): no bookkeeping
 * on the shared memory; the grandchild starts without identity and
 * registers lazily (HELLO) with its real parent. */
static pid_t fork_in_vfork_child(pid_t (*real_fn)(void))
{
	pid_t pid = real_fn();

	if (pid == 0) {
		shim_vf.active = false;
		shim_conn_child();
		shim_self_forget();
	}
	return pid;
}

/*
 * A vpid from the shared counter (else a FORK round trip), then the real
 * fork with every signal blocked, the connection lock held and the
 * re-entrancy guard up, so that:
 *   - the child never inherits a half-used connection;
 *   - a signal handler never runs between the fork and the bookkeeping;
 *   - atfork handlers that call interposed names get the real functions
 *     (getpid answers the right vpid in both processes, see self.c).
 * The child installs its vpid (its first call needing the supervisor drops
 * the parent's connection and sends HELLO with that claim); the parent
 * sends BIND one-way (d = 1 for a counted vpid: the supervisor creates the
 * child then), through the event FIFO when it can (events.c).  Either may
 * reach the supervisor first.  A counted vpid whose real fork fails is
 * given back (shim_fork_give_back) unless another fork took one since.
 */
/* The FORK round trip, when there is no counter to take a vpid from: its
 * request and reply kept out of shim_fork's frame (below).  0 and *vpid,
 * 1 when the supervisor cannot be reached, or the error to fail with. */
static __attribute__((noinline)) int fork_ask_locked(pid_t *vpid)
{
	struct proto_req req = { .op = PROTO_OP_FORK };
	struct proto_rep rep;

	if (shim_call_locked(&req, &rep) < 0)
		return 1;
	if (rep.err < 0 || rep.v[0] <= 0)
		return rep.err < 0 ? rep.err : -EAGAIN;
	*vpid = rep.v[0];
	return 0;
}

/* Will the kernel reap our children by itself at their exit (SIGCHLD
 * ignored, or SA_NOCLDWAIT)?  Our disposition now, asked of the kernel
 * (one system call): glibc's signal() sets it unseen by the shim. */
bool shim_autoreaps(void)
{
	struct { void *handler; unsigned long flags; void *restorer; uint64_t mask; } act;

	return shim_raw_syscall(SYS_rt_sigaction, SIGCHLD, 0, (long)&act, _NSIG / 8, 0, 0) == 0 &&
	       (act.handler == (void *)SIG_IGN || (act.flags & SA_NOCLDWAIT));
}

/* BIND's d: counted, and whether the kernel will reap the child by itself
 * at its exit: then no wait will report it, and the supervisor watches
 * its exit at once instead of lazily (supervisor/procs.c,
 * reap_autoreaped). */
static int32_t bind_flags(bool counted)
{
	int32_t d = counted ? PROTO_BIND_COUNTED : 0;

	if (shim_autoreaps())
		d |= PROTO_BIND_AUTOREAP;
	return d;
}

/* The parent's side once the real fork returned: the tracer's marker, the
 * BIND, the child table.  A frame of its own, below shim_fork's: after a
 * fork every page the parent writes is a page fault (fork write-protected
 * them all), and the stack below shim_fork is the one libc's fork has
 * just written anyway; shim_fork's own frame, above, stays small and
 * unwritten (its request structures were a second stack page written per
 * fork: `scale conc`, 3.5 faults per fork in the parent, 1.5 natively). */
static __attribute__((noinline)) void fork_parent_done(pid_t vpid, pid_t pid, bool counted, int marker,
							 uint32_t gkill)
{
	shim_forking_end(marker, pid);
	struct proto_req bind = { .op = PROTO_OP_BIND, .a = vpid, .b = pid > 0 ? pid : 0, .c = (int32_t)gkill,
				  .d = bind_flags(counted) };
	if ((pid > 0 || !counted) && !shim_event_locked(&bind))
		shim_send_locked(&bind);
	shim_forking_release(marker);
	if (pid > 0)
		shim_child_add(vpid, pid);
}

SHIM_FORK_TEXT pid_t shim_fork(pid_t (*real_fn)(void))
{
	sigset_t old;
	pid_t pid, vpid = 0, parent_v, parent_r;
	bool counted = false;
	int err = errno; /* a successful fork leaves errno as it was */

	if (shim_vf.active)
		return fork_in_vfork_child(real_fn);
	if (shim_offline())
		return fork_offline(real_fn);
	shim_forkpte_prime(); /* no text fault in the child (forkpte.c) */
again:
	shim_block(&old);
	if (fork_signal_due(&old)) {
		/* Delivered first, as the kernel's fork would restart for it. */
		shim_unblock(&old);
		goto again;
	}
	shim_lock();
	shim_guard(true);
	vpid = shim_fork_counted();
	if (vpid > 0) {
		counted = true;
	} else {
		int rc = fork_ask_locked(&vpid);
		if (rc != 0) {
			shim_guard(false);
			shim_unlock();
			shim_unblock(&old);
			if (rc > 0) {
				shim_errno_keep(err);
				return fork_offline(real_fn);
			}
			errno = -rc;
			return -1;
		}
	}
	parent_v = shim_self_vpid();
	parent_r = shim_self_rpid();
	shim_guard_fork(vpid);
	int marker = shim_forking_begin(vpid, parent_r); /* for a tracer (ptrace.c) */
	uint32_t gkill = shim_gkill_seen();
	if (fork_signal_due(&old)) {
		/* Came while we took the vpid: it goes first, and this vpid
		 * is dropped, a counted one given back: the kernel's fork
		 * looks for pending signals before it allocates a pid. */
		if (counted)
			shim_fork_give_back(vpid);
		fork_parent_done(vpid, -1, counted, marker, 0);
		shim_guard_fork(0);
		shim_guard(false);
		shim_unlock();
		shim_unblock(&old);
		shim_errno_keep(err);
		goto again;
	}
	pid = real_fn();
	if (pid == 0) {
		/* Only our identity is written here: the parent's connection,
		 * lock, announcement and child table become ours when first used
		 * (conn.c, events.c, children.c) -- most children exec at once,
		 * and every page written here would be copied for nothing. */
		pid_t rpid = shim_sys_getpid();
		shim_self_install(vpid, rpid);
		shim_self_forked(rpid);
		shim_ppid_set(parent_v, parent_r);
		shim_guard_fork(0);
		shim_guard(false);
		shim_nest_check(); /* forked into a new pid namespace? */
		shim_unblock(&old);
		shim_errno_keep(err);
		return 0;
	}
	if (pid < 0)
		err = errno;
	if (pid < 0 && counted)
		shim_fork_give_back(vpid);
	fork_parent_done(vpid, pid, counted, marker, gkill);
	shim_guard_fork(0);
	shim_guard(false);
	shim_unlock();
	shim_unblock(&old);
	shim_errno_keep(err);
	return pid < 0 ? -1 : vpid;
}

int shim_fork_reserve(uint32_t flags, pid_t pgid, pid_t *child_vpid, pid_t *rpgid)
{
	struct proto_req req = { .op = PROTO_OP_FORK, .a = (int32_t)flags, .b = pgid };
	struct proto_rep rep;

	if (shim_offline() || shim_call(&req, &rep) < 0)
		return 1;
	if (rep.err < 0)
		return rep.err;
	if (rep.v[0] <= 0)
		return -EAGAIN;
	*child_vpid = rep.v[0];
	if (rpgid != NULL)
		*rpgid = (pid_t)rep.v[1];
	return 0;
}

void shim_fork_bind(pid_t child_vpid, pid_t child_rpid, bool counted, uint32_t gkill)
{
	struct proto_req req = { .op = PROTO_OP_BIND, .a = child_vpid,
				 .b = child_rpid > 0 ? child_rpid : 0, .c = (int32_t)gkill,
				 .d = bind_flags(counted) };

	if (counted && child_rpid <= 0)
		return; /* never created anywhere: the id is skipped */
	if (!shim_event(&req))
		shim_send(&req);
	if (child_rpid > 0)
		shim_child_add(child_vpid, child_rpid);
}

SHIM_EXPORT SHIM_FORK_TEXT pid_t fork(void)
{
	shim_init();
	return shim_fork(REAL(fork));
}

SHIM_EXPORT pid_t _Fork(void)
{
	shim_init();
	return shim_fork(REAL(_Fork));
}

/* glibc's daemon() calls its internal fork and the real setsid, which would
 * leave the model behind: ours is fork + virtual setsid + chdir + /dev/null. */
SHIM_EXPORT int daemon(int nochdir, int noclose)
{
	pid_t pid;

	shim_init();
	if (shim_mode() == SHIM_MODE_NONE)
		return REAL(daemon)(nochdir, noclose);
	pid = shim_fork(REAL(fork));
	if (pid < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	if (shim_setsid() < 0)
		return -1;
	if (!nochdir && chdir("/") < 0)
		return -1;
	if (!noclose) {
		struct stat st;
		int fd = open("/dev/null", O_RDWR);
		if (fd < 0)
			return -1;
		if (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode)) {
			shim_close(fd);
			errno = ENODEV;
			return -1;
		}
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			shim_close(fd);
	}
	return 0;
}
