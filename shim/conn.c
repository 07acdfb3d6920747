/* conn.c — the connection to the supervisor: lock, connect + HELLO, round trips, fallback. */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

/* The socket is moved out of the programs' way (SHIM_FD_MIN, shim.h);
 * close-on-exec so an exec'd image never speaks with its parent image's
 * connection. */
/* A supervisor that takes longer than this to answer is treated as gone:
 * a program must never hang because of the shim. */
#define CONN_TIMEOUT_S 30
/* How long a round trip polls for its reply before sleeping. */
#define CONN_SPIN_NS 60000ull
/* connect() on a full backlog: the supervisor is alive but has not
 * accepted yet (20,000 processes asking at once on 2 CPUs).  Wait for it
 * as for a reply, up to CONN_TIMEOUT_S, napping 1 ms doubling to this:
 * the 1 s once allowed made most of such a burst fall back to real calls,
 * with real ids. */
#define CONN_CONNECT_NAP_MAX_MS 50

/* Everything below is owned by the holder of `lock` (signals blocked). */
static struct shim_conn main_conn = { .fd = -1 }; /* the process's connection */
/* The real pid main_conn belongs to.  A fork child inherits its parent's
 * connection, lock and flags without touching them (each write there would
 * copy a page in a child that is about to exec): they are its parent's
 * until it uses them, when owner and lock tell it so. */
static pid_t conn_owner;
static atomic_int conn_peer;      /* supervisor's rpid (SO_PEERCRED), 0 unknown */
static SHIM_HOT atomic_int lock; /* 0 free, else the holder's real pid */
/* The lock holder's process passed conn_ensure's real pid check since it
 * took the lock: its pid cannot have changed since, so requests later in
 * the same hold (fork's BIND after its FORK) skip the getpid.  Cleared on
 * unlock and in our fork children; a raw clone made while it is set also
 * inherits the lock held, so it never reaches conn_ensure with it.  Not
 * used by a vfork child (other pid, shared memory, no lock). */
static SHIM_HOT bool pid_checked;
/* A one-way message went on the connection and no reply has come since:
 * the supervisor may not have read it yet, so news must not take the
 * event FIFO (events.c), which it reads first, until a reply proves the
 * connection drained up to there. */
static SHIM_HOT bool oneway_pending;

/* The raw system call, not pthread_sigmask: a fork child about to exec
 * calls this, and libc's function would be one more page to fault in
 * (a few µs per child).  SIG_BLOCK, adding to the caller's mask, never
 * SIG_SETMASK: a program may block 32 and 33 (glibc's cancellation and
 * set*id signals) with the raw call, and they must stay blocked (a pending
 * 32 would otherwise be delivered here and end it).  Like glibc's own
 * full block, it adds neither of those two: a set*id from another thread
 * signals every thread with 33 and waits until each has handled it, so a
 * round trip that blocked 33 would hold that thread up until it ends. */
SHIM_FORK_TEXT void shim_block(sigset_t *old)
{
	uint64_t all = ~((1ull << (32 - 1)) | (1ull << (33 - 1)));

	shim_raw_syscall(SYS_rt_sigprocmask, SIG_BLOCK, (long)&all, (long)old, _NSIG / 8, 0, 0);
}

SHIM_FORK_TEXT void shim_unblock(const sigset_t *old)
{
	shim_raw_syscall(SYS_rt_sigprocmask, SIG_SETMASK, (long)old, 0, _NSIG / 8, 0, 0);
}

/* The connection in use: the process's, or a vfork child's own. */
static struct shim_conn *cur(void)
{
	return shim_vf.active ? &shim_vf.conn : &main_conn;
}

void shim_lock(void)
{
	int me = shim_mem_rpid() > 0 ? shim_mem_rpid() : 1;
	int expect = 0;

	if (shim_vf.active)
		return; /* a vfork child never touches the parent's lock */

	while (!atomic_compare_exchange_weak_explicit(&lock, &expect, me, memory_order_acquire,
						      memory_order_relaxed)) {
		/* Held by another process: our parent, which forked while it
		 * held the lock (every fork does) -- its copy, not ours. */
		if (expect != me && expect != 0 &&
		    atomic_compare_exchange_strong_explicit(&lock, &expect, me, memory_order_acquire,
							    memory_order_relaxed))
			break;
		expect = 0;
		sched_yield();
	}
	pid_checked = false;
}

void shim_unlock(void)
{
	if (shim_vf.active)
		return;
	pid_checked = false;
	atomic_store_explicit(&lock, 0, memory_order_release);
}

pid_t shim_conn_peer(void)
{
	return atomic_load(&conn_peer);
}

/* Still our socket?  Programs close every fd (close_range, closefrom,
 * Python's close_fds) and may reuse the number for a file of their own. */
static bool conn_is_ours(const struct shim_conn *c)
{
	struct stat st;

	return c->fd >= 0 && fstat(c->fd, &st) == 0 && (uint64_t)st.st_dev == c->dev &&
	       (uint64_t)st.st_ino == c->ino;
}

/* main_conn, made ours if it was inherited from a parent process: our copy
 * of its socket is closed, its state forgotten.  Lock held. */
static void main_conn_own(void)
{
	if (shim_vf.active || conn_owner == shim_mem_rpid())
		return;
	if (conn_is_ours(&main_conn))
		shim_close(main_conn.fd); /* the fd table was copied: the parent's stays */
	main_conn.fd = -1;
	main_conn.seq = 0;
	oneway_pending = false;
	conn_owner = shim_mem_rpid();
}

bool shim_conn_live(void)
{
	/* A hint read without the lock: a fork child or a fresh image has
	 * none of its own. */
	if (shim_vf.active)
		return shim_vf.conn.fd >= 0;
	return main_conn.fd >= 0 && conn_owner == shim_mem_rpid();
}

static void conn_drop(void)
{
	struct shim_conn *c = cur();

	if (conn_is_ours(c))
		shim_close(c->fd);
	c->fd = -1;
	c->seq = 0;
	if (!shim_vf.active)
		oneway_pending = false;
}

void shim_conn_child(void)
{
	/* Our copy of the parent's socket: closing it leaves the parent's
	 * connection intact (the fd table was copied by fork). */
	conn_drop();
	conn_owner = shim_mem_rpid();
	pid_checked = false;
	atomic_store(&lock, 0);
}

/* Is the supervisor still there (its real pid in the shared page)?  Yes
 * when it cannot be told: only its certain absence stops a wait. */
static bool sup_running(void)
{
	/* A vfork child maps nothing (the mapping would outlive it in its
	 * parent): it waits the whole time. */
	struct proto_vpids *vc = shim_vf.active ? NULL : shim_vpids();
	pid_t r = vc ? atomic_load(&vc->sup_rpid) : 0;

	return r <= 0 || shim_raw_syscall(SYS_kill, r, 0, 0, 0, 0, 0) != -ESRCH;
}

/* connect(2) to the supervisor's socket.  After a chroot (chroot.c) its
 * path may name nothing, or another file: the connection is made from
 * inside the run directory kept open then, by the socket's own name, and
 * the working directory put back.  Signals are blocked here (the lock
 * holder's), so no handler runs in the other directory; another thread's
 * relative path could, in a chrooted threaded process that connects
 * anew -- the price of reaching a directory outside the root. */
static int conn_connect(int fd, const struct sockaddr_un *addr)
{
	if (shim_root_fd1 == 0)
		return connect(fd, (const struct sockaddr *)addr, sizeof(*addr));
	int dir = shim_root_dirfd();
	if (dir < 0) {
		errno = ENOENT;
		return -1;
	}
	const char *name = strrchr(addr->sun_path, '/');
	struct sockaddr_un rel = { .sun_family = AF_UNIX };
	int here = (int)shim_raw_syscall(SYS_openat, AT_FDCWD, (long)".", O_PATH | O_DIRECTORY | O_CLOEXEC, 0, 0, 0);
	int rc, e;

	if (here < 0) {
		errno = -here;
		return -1;
	}
	shim_strlcpy(rel.sun_path, name != NULL ? name + 1 : addr->sun_path, sizeof(rel.sun_path));
	if (shim_raw_syscall(SYS_fchdir, dir, 0, 0, 0, 0, 0) != 0) {
		shim_raw_syscall(SYS_close, here, 0, 0, 0, 0, 0);
		errno = ENOENT;
		return -1;
	}
	rc = connect(fd, (struct sockaddr *)&rel, sizeof(rel));
	e = errno;
	shim_raw_syscall(SYS_fchdir, here, 0, 0, 0, 0, 0);
	shim_raw_syscall(SYS_close, here, 0, 0, 0, 0, 0);
	errno = e;
	return rc;
}

static int conn_open(void)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct timeval tv = { CONN_TIMEOUT_S, 0 };
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	int fd, nap = 1;
	long waited = 0;

	struct shim_fdroom room;

	shim_strlcpy(addr.sun_path, shim_env_socket(), sizeof(addr.sun_path));
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 && errno == EMFILE && shim_fdroom_raise(&room)) {
		fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		int e = errno;
		shim_fdroom_restore(&room);
		errno = e;
	}
	fd = shim_fd_park(fd); /* out of the program's way (fdroom.c) */
	if (fd < 0)
		return -errno;
	while (conn_connect(fd, &addr) < 0) {
		int e = errno;
		if (e == EINTR)
			continue;
		if (e == EAGAIN && waited < CONN_TIMEOUT_S * 1000L && sup_running()) {
			shim_sleep_ms(nap);
			waited += nap;
			nap = nap * 2 > CONN_CONNECT_NAP_MAX_MS ? CONN_CONNECT_NAP_MAX_MS : nap * 2;
			continue;
		}
		shim_close(fd);
		return -e;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	/* The real pid: not through our getsockopt, which shows vpids. */
	if (REAL(getsockopt)(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) == 0)
		atomic_store(&conn_peer, cred.pid);
	struct stat st;
	if (fstat(fd, &st) < 0) {
		shim_close(fd);
		return -EBADF;
	}
	cur()->fd = fd;
	cur()->seq = 0;
	cur()->dev = (uint64_t)st.st_dev;
	cur()->ino = (uint64_t)st.st_ino;
	if (!shim_vf.active)
		conn_owner = shim_mem_rpid();
	return 0;
}

static int conn_sendmsg(struct proto_req *req)
{
	uint8_t buf[PROTO_REQ_SIZE];
	ssize_t n;

	req->seq = ++cur()->seq;
	proto_pack_req(req, buf);
	/* Raw, here and in conn_recvmsg: no errno written (shim_errno_keep). */
	do
		n = shim_raw_syscall(SYS_sendto, cur()->fd, (long)buf, sizeof(buf), MSG_NOSIGNAL, 0, 0);
	while (n == -EINTR);
	if (n != (ssize_t)sizeof(buf))
		return n < 0 ? (int)n : -EPIPE;
	return 0;
}

static void hello_install(const struct proto_rep *rep, pid_t rppid)
{
	if (rep->v[0] <= 0)
		return;
	shim_self_install(rep->v[0], shim_sys_getpid());
	shim_ppid_set(rep->v[1], rppid);
}

/* Receive the reply to `seq`.  Replies to an earlier HELLO sent without
 * waiting (see shim_send) are consumed on the way. */
static int conn_recvmsg(uint32_t seq, struct proto_rep *rep)
{
	uint8_t buf[PROTO_REP_SIZE + 1];

	uint64_t spin_until = shim_now_ns() + CONN_SPIN_NS;

	for (;;) {
		/* A reply usually comes within tens of µs: poll for it for a
		 * while before sleeping, since waking a sleeping CPU costs about
		 * as much again on a virtual machine. */
		ssize_t n = shim_raw_syscall(SYS_recvfrom, cur()->fd, (long)buf, sizeof(buf), MSG_DONTWAIT, 0, 0);
		if (n == -EAGAIN) {
			if (shim_now_ns() < spin_until)
				continue;
			n = shim_raw_syscall(SYS_recvfrom, cur()->fd, (long)buf, sizeof(buf), 0, 0, 0);
		}
		if (n == -EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? (int)n : -ECONNRESET;
		if (proto_unpack_rep(buf, (size_t)n, rep) < 0)
			return -EPROTO;
		if (rep->op == PROTO_OP_HELLO && rep->err == 0 && rep->seq != seq)
			hello_install(rep, cur()->hello_rppid);
		if (rep->seq == seq) {
			if (!shim_vf.active)
				oneway_pending = false;
			return 0;
		}
	}
}

/* HELLO on a fresh connection; `wait` false: do not wait for the answer
 * (an exec is next, or a request follows at once: the claim already
 * gives our vpid, and conn_recvmsg installs the answer on its way to the
 * request's).  The real parent is read before sending, in both cases:
 * the ppid the supervisor answers is cached against it (hello_install),
 * and a parent that dies after the answer but before a later getppid
 * must leave a cache that no longer matches. */
static int conn_hello(bool wait)
{
	struct proto_req req = { .op = PROTO_OP_HELLO, .a = shim_self_claim() };
	struct proto_rep rep;
	pid_t rppid = shim_sys_getppid();
	int rc;

	cur()->hello_rppid = rppid;
	rc = conn_sendmsg(&req);
	if (rc < 0 || !wait)
		return rc;
	rc = conn_recvmsg(req.seq, &rep);
	if (rc < 0)
		return rc;
	if (rep.err < 0 || rep.v[0] <= 0)
		return rep.err < 0 ? rep.err : -EPROTO; /* refused: not in the tree */
	hello_install(&rep, rppid);
	return 0;
}

/* rc: the failure's -errno.  EMFILE: the program holds every descriptor
 * its limit allows and no room could be made above it (fdroom.c: a hard
 * limit equal to the soft one, without CAP_SYS_RESOURCE). */
static void conn_fail(int rc)
{
	conn_drop();
	shim_self_lost(rc == -EMFILE ? "no descriptor free for the supervisor's connection "
				       "(RLIMIT_NOFILE used up), falling back to real calls"
				     : NULL);
}

/* Make sure we are connected as ourselves.  A raw clone() child (made
 * without our fork wrappers) still holds its parent's identity and socket:
 * the real pid check catches it on this path, which makes system calls
 * anyway (getpid itself never checks: see the README of shim/). */
static int conn_ensure(bool wait_hello)
{
	main_conn_own();
	if (shim_vf.active || !pid_checked) {
		if (shim_sys_getpid() != shim_mem_rpid() && !shim_self_vmkid()) {
			main_conn.fd = -1; /* the parent's socket: abandon our copy, never use it */
			main_conn.seq = 0;
			shim_self_forget();
		} else if (!shim_vf.active) {
			pid_checked = true;
		}
	}
	if (conn_is_ours(cur()))
		return 0;
	/* Never connected, or the program closed our fd: forget it (not ours
	 * to close any more) and connect again. */
	cur()->fd = -1;
	cur()->seq = 0;
	if (shim_mode() != SHIM_MODE_ONLINE)
		return -ENOTCONN;
	int rc = conn_open();
	if (rc == 0)
		rc = conn_hello(wait_hello);
	if (rc < 0)
		conn_fail(rc);
	return rc;
}

/* A request on a fresh connection follows its HELLO at once: the
 * supervisor handles a connection's messages in order, so one wakeup
 * answers both (a new image's first request, bash's getpgrp at start,
 * was two round trips).  A HELLO it refuses closes the connection: the
 * request then fails as the HELLO would have (conn_fail below). */
int shim_call_locked(struct proto_req *req, struct proto_rep *rep)
{
	int rc;

	shim_mview_asking(req->op);
	rc = conn_ensure(false);

	if (rc == 0)
		rc = conn_sendmsg(req);
	if (rc == 0)
		rc = conn_recvmsg(req->seq, rep);
	if (rc < 0) {
		if (shim_mode() == SHIM_MODE_ONLINE)
			conn_fail(rc);
		memset(rep, 0, sizeof(*rep));
	}
	return rc;
}

int shim_call(struct proto_req *req, struct proto_rep *rep)
{
	sigset_t old;
	int rc, saved;

	if (shim_offline()) {
		memset(rep, 0, sizeof(*rep));
		return -ENOTCONN;
	}
	saved = errno; /* errors are returned; errno is the wrapper's to set */
	shim_block(&old);
	shim_lock();
	shim_guard(true);
	rc = shim_call_locked(req, rep);
	shim_guard(false);
	shim_unlock();
	shim_unblock(&old);
	shim_errno_keep(saved);
	return rc;
}

int shim_connect(void)
{
	sigset_t old;
	int rc, saved;

	if (shim_offline())
		return -ENOTCONN;
	saved = errno;
	shim_block(&old);
	shim_lock();
	shim_guard(true);
	rc = conn_ensure(true);
	shim_guard(false);
	shim_unlock();
	shim_unblock(&old);
	shim_errno_keep(saved);
	return rc;
}

void shim_send_locked(struct proto_req *req)
{
	struct proto_vpids *vc;

	if (conn_ensure(false) < 0)
		return;
	/* The model view cannot tell when a one-way message on a connection
	 * is applied: its readers ask from now on (shim/mview.c). */
	if (proto_is_oneway(req->op) && (vc = shim_vpids()) != NULL)
		atomic_store(&vc->oneway_sock, 1);
	int rc = conn_sendmsg(req);
	if (rc < 0)
		conn_fail(rc);
	else if (!shim_vf.active)
		oneway_pending = true;
}

bool shim_conn_oneway_pending(void)
{
	return oneway_pending && conn_owner == shim_mem_rpid();
}

void shim_send(struct proto_req *req)
{
	sigset_t old;

	if (shim_offline())
		return;
	int saved = errno;
	shim_block(&old);
	shim_lock();
	shim_guard(true);
	shim_send_locked(req);
	shim_guard(false);
	shim_unlock();
	shim_unblock(&old);
	shim_errno_keep(saved);
}

pid_t shim_v2r(pid_t vpid)
{
	struct proto_req req = { .op = PROTO_OP_XLATE, .a = PROTO_XLATE_V2R, .b = vpid };
	struct proto_rep rep;
	pid_t r;

	if (vpid <= 0)
		return -ESRCH;
	r = shim_child_v2r(vpid);
	if (r > 0)
		return r;
	if (vpid == shim_self_vpid())
		return shim_sys_getpid();
	r = shim_mview_v2r(vpid);
	if (r > 0)
		return r;
	if (shim_call(&req, &rep) < 0 || rep.err < 0 || rep.v[0] <= 0)
		return -ESRCH;
	return rep.v[0];
}

pid_t shim_r2v(pid_t rpid)
{
	struct proto_req req = { .op = PROTO_OP_XLATE, .a = PROTO_XLATE_R2V, .b = rpid };
	struct proto_rep rep;
	pid_t v;

	if (rpid <= 0)
		return 0;
	v = shim_child_r2v(rpid);
	if (v > 0)
		return v;
	if (rpid == shim_self_rpid() && shim_sys_getpid() == rpid)
		return shim_self_vpid();
	if (rpid == shim_conn_peer())
		return 1;
	v = shim_mview_r2v(rpid);
	if (v > 0)
		return v;
	if (shim_call(&req, &rep) < 0 || rep.err < 0 || rep.v[0] <= 0)
		return 0;
	return rep.v[0];
}

/*
 * The kernel knows a process from its fork on; the supervisor from its
 * parent's BIND, written after the fork returns in the parent.  A child
 * that runs first and at once sends a message (Chromium's zygote children
 * ping the browser, which reads their pid from SCM_CREDENTIALS), connects
 * or signals can reach a third process before that: XLATE does not know
 * it yet, and its peer would be shown pid 0 (the zygote then handed its
 * child 0 as its pid, and the child aborted).  Its parent's fork marker
 * names it meanwhile (ptrace.c).  Only for an id XLATE did not know, and
 * the marker is read before XLATE is asked again: a slot released or
 * reused since was released after this child's BIND, which XLATE then
 * answers.
 */
pid_t shim_r2v_acting(pid_t rpid)
{
	pid_t v = shim_r2v(rpid), guess;

	if (v > 0 || rpid <= 0)
		return v;
	guess = shim_fork_marker_guess(rpid);
	/* Asked again even without a guess: the BIND may have come since. */
	v = shim_r2v(rpid);
	if (v > 0 || guess <= 0)
		return v > 0 ? v : 0;
	/* The marker's owner must be ours: another run's tree has markers
	 * too, numbered in its own namespace. */
	pid_t ppid;
	if (!shim_ptrace_status(rpid, NULL, &ppid, NULL) || shim_r2v(ppid) <= 1)
		return 0;
	return guess;
}
