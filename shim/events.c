/* events.c — one-way news through the supervisor's event FIFO: no wakeup per message. */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/*
 * BIND after a fork, REAPED / STATE after a wait and EXEC notes are news
 * the supervisor needs before it answers anyone, not at once.  Sent on the
 * connection, each woke the supervisor (three wakeups per short-lived
 * process with the pidfd exit, tens of µs each on a 2-CPU machine).
 * Written here instead, they wait in the FIFO until the supervisor wakes
 * for something else or for its timer (a write never wakes it), and it
 * reads them before any request it handles (proto.h, supervisor/events.c).
 *
 * The FIFO is opened O_RDWR: while we hold a read end a write can never
 * fail with EPIPE, whose SIGPIPE would reach the program (signals are
 * only blocked, not ignored, around the write).  When the supervisor is
 * gone the pipe just fills: EAGAIN, and the caller falls back to the
 * connection.  Before each write we check that the supervisor is alive
 * (its pid is in the shared page): with it gone, the connection reports
 * the loss at once, as before.
 *
 * State owned by the connection lock holder (signals blocked).  A fork
 * child inherits the fd and this state: it is the same FIFO.  The fd is
 * close-on-exec, so an exec'd image opens its own.
 */

static int ev_fd = -1;
static uint64_t ev_dev, ev_ino;
static bool ev_failed; /* no FIFO (an older supervisor, or unusable): stop trying */

/* Still our FIFO?  Programs close every fd and reuse the numbers.  Raw
 * system calls here and in sup_alive: libc's wrappers would fault their
 * text pages (and errno's) into a fork child that has not run them yet. */
static bool ev_is_ours(void)
{
	struct stat st;

	return ev_fd >= 0 && shim_raw_syscall(SYS_fstat, ev_fd, (long)&st, 0, 0, 0, 0) == 0 &&
	       (uint64_t)st.st_dev == ev_dev && (uint64_t)st.st_ino == ev_ino;
}

/* errno as it was: the record path leaves it alone (shim_event_locked). */
static bool ev_open(void)
{
	struct stat st;
	int saved = errno;
	int fd = shim_fd_park(shim_sup_file_open(PROTO_EVENTS_FILE, O_RDWR | O_NONBLOCK, S_IFIFO, 0));

	if (fd < 0 || fstat(fd, &st) < 0) {
		if (fd >= 0)
			shim_close(fd);
		shim_errno_keep(saved);
		return false;
	}
	ev_fd = fd;
	ev_dev = (uint64_t)st.st_dev;
	ev_ino = (uint64_t)st.st_ino;
	shim_errno_keep(saved);
	return true;
}

/* A record nobody will read is lost news: with the supervisor gone
 * (SIGKILLed, or ended while --keep leftovers run on), the connection must
 * report the loss instead, and the shim falls back. */
static bool sup_alive(void)
{
	struct proto_vpids *vc = shim_vpids();

	return vc && atomic_load(&vc->sup_rpid) > 0 &&
	       shim_raw_syscall(SYS_kill, atomic_load(&vc->sup_rpid), 0, 0, 0, 0, 0) != -ESRCH;
}

/* The FIFO, ready to write (opened now if needed); false: do not use it. */
static bool ev_ready(void)
{
	if (ev_failed || !sup_alive())
		return false;
	if (ev_is_ours())
		return true;
	ev_fd = -1;
	if (!ev_open()) {
		ev_failed = true;
		return false;
	}
	return true;
}

/* One record, whole or not at all: a pipe write of at most PIPE_BUF bytes
 * is atomic.  proto_evt_write's, but raw: libc's write wrapper would be
 * one more text page faulted into a fork child. */
static bool ev_write(const struct proto_evt *e)
{
	uint8_t buf[PROTO_EVT_SIZE];
	long n;

	proto_pack_evt(e, buf);
	do
		n = shim_raw_syscall(SYS_write, ev_fd, (long)buf, sizeof(buf), 0, 0, 0);
	while (n == -EINTR);
	return n == (long)sizeof(buf);
}

bool shim_event_locked(const struct proto_req *req)
{
	struct proto_evt e = {.op = req->op, .a = req->a, .b = req->b, .c = req->c, .d = req->d};
	pid_t rppid;

	/* Only a process sure of its own identity writes: the record names
	 * its sender (a raw clone child still holds its parent's; a vfork
	 * child must not touch our state: its parent writes for it).
	 * One-way messages still unanswered on the connection were sent
	 * before this one: it must not overtake them. */
	if (shim_vf.active || shim_mode() != SHIM_MODE_ONLINE || shim_conn_oneway_pending() ||
	    !shim_self_known() || !ev_ready())
		return false;
	e.sender_v = shim_self_vpid();
	e.sender_r = shim_self_rpid();
	rppid = shim_sys_getppid();
	e.parent_v = shim_ppid_cached(rppid);
	e.parent_r = e.parent_v > 0 ? rppid : 0;
	if (e.parent_v <= 0)
		e.parent_v = 0;
	memcpy(e.text, req->text, sizeof(e.text));
	/* The time is for the trace only (0: the supervisor's clock), read
	 * with the system call: the vDSO's pages (and libc's wrapper) are
	 * faults in a fork child. */
	e.at = shim_traced() ? shim_now_raw_ns() : 0;
	if (!ev_write(&e))
		return false;
	/* Counted after the write: the supervisor's snapshot of the count
	 * then covers only records already in the pipe (shim/mview.c).  A
	 * kill's note changes nothing the view shows (it numbers the kill
	 * for forks in flight, supervisor/gkill.c): not counted, so that it
	 * leaves the view fresh -- a shell's `kill %1 %2` sends the second
	 * from the view too. */
	if (req->op != PROTO_OP_KILL || req->d != PROTO_KILL_NOTE)
		atomic_fetch_add(&shim_vpids()->ev_posted, 1);
	return true;
}

/*
 * Announce this image before its first fork, unless it spoke already.
 * Its parent's BIND of it may not be written yet (the parent can be
 * preempted right after its fork) when a child of ours says HELLO on a
 * connection: the supervisor, reading the FIFO first, must know us by
 * then, or it would register us lazily under a new vpid.  The
 * announcement names our parent, so the supervisor can create us.
 */
static pid_t announced_by; /* the real pid that wrote its HELLO (a fork child: not us) */

void shim_event_announce_locked(void)
{
	struct proto_req hello = {.op = PROTO_OP_HELLO};

	if (announced_by == shim_self_rpid() || shim_conn_live())
		return;
	if (shim_event_locked(&hello))
		announced_by = shim_self_rpid();
}

/* Before a fork, vfork or spawn (lock held): open the FIFO now, so that a
 * vfork child, which may not open it for us, finds it (shim_event_alone). */
void shim_event_prime_locked(void)
{
	if (ev_fd < 0 && !ev_failed && !shim_vf.active && shim_mode() == SHIM_MODE_ONLINE &&
	    !ev_open())
		ev_failed = true;
}

/*
 * About to exec an image the shim will not be in (static, set-id: elfscan.c)
 * that may fork: say "I exist" for it now.  Its children that load the
 * shim register with it as their parent; our parent's BIND of us may still
 * be unwritten then (it is preempted, or stopped, right after its fork or
 * vfork), and the supervisor would register us lazily under a new vpid.
 * A vfork child writes with its own identity (shim_vf) and its parent's
 * FIFO descriptor, touching no shared state; it has no FIFO when the
 * parent could not open one, and then the race stays.
 */
void shim_event_alone(void)
{
	int saved = errno;

	if (shim_offline()) {
		/* nothing to say */
	} else if (shim_vf.active) {
		struct proto_evt e = {.op = PROTO_OP_HELLO, .sender_v = shim_vf.vpid,
				      .sender_r = shim_vf.rpid, .parent_v = shim_vf.parent_v,
				      .parent_r = shim_vf.parent_r, .at = shim_now_ns()};
		if (shim_vf.counted && e.sender_v > 1 && e.sender_r > 0 && !ev_failed &&
		    ev_is_ours() && sup_alive())
			(void)ev_write(&e);
	} else {
		sigset_t old;

		shim_block(&old);
		shim_lock();
		shim_guard(true);
		shim_event_announce_locked();
		shim_guard(false);
		shim_unlock();
		shim_unblock(&old);
	}
	shim_errno_keep(saved);
}

bool shim_event_exec_for(pid_t child_v, pid_t child_r, const char *path, size_t len, uint64_t at)
{
	struct proto_evt e = {.op = PROTO_OP_EXEC, .sender_v = child_v, .sender_r = child_r, .at = at};
	sigset_t old;
	bool sent = false;
	int saved = errno;

	if (shim_offline() || child_v <= 1 || child_r <= 0)
		return false;
	memcpy(e.text, path, len < sizeof(e.text) ? len : sizeof(e.text));
	shim_block(&old);
	shim_lock();
	shim_guard(true);
	if (shim_self_known() && ev_ready()) {
		e.parent_v = shim_self_vpid();
		e.parent_r = shim_self_rpid();
		sent = ev_write(&e);
	}
	shim_guard(false);
	shim_unlock();
	shim_unblock(&old);
	shim_errno_keep(saved);
	return sent;
}

/* shim_event for a caller that saves errno only when this fails: the
 * record path makes raw system calls only (ev_open restores errno), so
 * errno's accessor, a page of libc's text, stays out of a fork child. */
bool shim_event_keeps_errno(const struct proto_req *req)
{
	sigset_t old;
	bool sent;

	if (shim_offline())
		return false;
	shim_block(&old);
	shim_lock();
	shim_guard(true);
	sent = shim_event_locked(req);
	shim_guard(false);
	shim_unlock();
	shim_unblock(&old);
	return sent;
}

bool shim_event(const struct proto_req *req)
{
	int saved = errno;
	bool sent = shim_event_keeps_errno(req);

	shim_errno_keep(saved);
	return sent;
}
