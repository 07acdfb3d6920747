/* events.c — the event FIFO: one-way news read in batches, before anything else is handled. */
#include "sup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * Shims write counted BINDs, REAPEDs and STATEs (and a fork child's
 * setpgid(0, 0), answered by its shim) as fixed-size records into
 * the FIFO "events" in our run directory (rundir.c, proto.h, shim/events.c)
 * instead of sending them on their connections: those messages need no
 * answer, and each one woke us up.  The records wait in the pipe and are
 * handled in one go:
 *
 *   - before every request (clients.c), every exit (clients_flush_rpid)
 *     and at the top of every loop iteration (run.c): a request or an exit
 *     that happened after a record was written is always handled after it,
 *     so the model every answer comes from includes all the news written
 *     before the question was asked -- the ordering Linux gives;
 *   - otherwise on our own timer, never on a writer's wakeup: every
 *     SUP_EVENTS_DELAY_NS while records keep coming, and, after a look
 *     that found none, at twice the last interval up to
 *     SUP_EVENTS_QUIET_MAX_NS (a quiet tree costs us a few wakeups a
 *     second).  Until session 53 the FIFO went back into epoll after a
 *     quiet spell, and the first record then woke us at once: that record
 *     is nearly always a parent's BIND just after fork, the pipe's
 *     wakeup is a synchronous one that brings us onto the writer's CPU,
 *     and we preempted the parent there; when we slept again the new
 *     child ran first.  Linux lets the parent run on after fork, and
 *     programs depend on it without knowing: in bash's own test suite, a
 *     coprocess that exits at once was reaped before the next command
 *     in 6 runs of 12 under jobshim with the other CPU busy, never
 *     natively (nameref11.sub, `coproc RO { :; }; declare -p RO_PID`).
 *     A timer wakes us at a moment unrelated to any fork.
 *   - sooner right after the tree paid for a delay: a read of the model
 *     view is answered only when every record counted has been applied
 *     (shim/mview.c), and one that finds records waiting asks us instead,
 *     a round trip (two context switches: 150-300 µs here).  Such a shim
 *     counts the read in stale_reads (proto.h); each one we see buys
 *     SUP_EVENTS_EAGER_TICKS looks SUP_EVENTS_EAGER_NS apart.  A bash
 *     started by a fork loop asks for its getpgrp at its start, about a
 *     millisecond after its parent's BIND of it.  (The eager looks were
 *     wakeups by the FIFO until session 53, with the preemption above.
 *     A time window instead of a count cost the job-control loop 9%: one
 *     stale read at its start made every record of the next 200 ms wake
 *     us, and no read there needed it.)
 *
 * Records land whole and in one global order (each is one write of at most
 * PIPE_BUF bytes).  A record cannot prove who wrote it (the FIFO carries
 * no credentials): it is checked like a message from the process it names
 * -- ids in range, the sender bound to the real pid it gives, BIND only of
 * a vpid the counter handed out -- and a record that fails is dropped and
 * counted.  Garbage (a write that is not a whole record) makes us discard
 * what we read and empty the pipe, after which records are aligned again.
 */

#define EVENTS_PIPE_SIZE (1 << 20) /* room for 16384 records */
#define EVENTS_BATCH 1024          /* records read per read() */

void events_open(struct sup *s)
{
	int fd;

	s->evfd = -1;
	snprintf(s->evpath, sizeof(s->evpath), "%s/" PROTO_EVENTS_FILE, s->dir);
	/* 0666 whatever the umask: every uid of the tree writes (rundir.c). */
	if (mkfifo(s->evpath, 0600) < 0) {
		s->evpath[0] = '\0';
		return; /* shims then send everything on their connections */
	}
	if (chmod(s->evpath, 0666) < 0) {
		unlink(s->evpath);
		s->evpath[0] = '\0';
		return;
	}
	/* O_RDWR: we hold a write end too, so the read end never sees EOF
	 * when the last writer closes. */
	fd = open(s->evpath, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		unlink(s->evpath);
		s->evpath[0] = '\0';
		return;
	}
	fcntl(fd, F_SETPIPE_SZ, EVENTS_PIPE_SIZE); /* best effort: 64 KiB otherwise */
	s->evfd = fd;
	/* Never in epoll: read on our timer (above). */
	s->ev_quiet_ns = SUP_EVENTS_DELAY_NS;
	s->ev_tick_at = sup_now() + SUP_EVENTS_DELAY_NS;
}

void events_close(struct sup *s)
{
	if (s->evfd >= 0)
		close(s->evfd);
	s->evfd = -1;
	s->ev_tick_at = 0; /* no more looks: the timer must not fire for them */
	if (s->evpath[0])
		unlink(s->evpath);
	s->evpath[0] = '\0';
	free(s->watch_later);
	s->watch_later = NULL;
	s->nwatch_later = s->capwatch_later = 0;
	free(s->watch_pend);
	s->watch_pend = NULL;
	s->nwatch_pend = s->capwatch_pend = 0;
	s->watch_pend_at = 0;
}

enum sender { SENDER_OK, SENDER_BAD, SENDER_UNKNOWN };

/*
 * Is the record's sender the process it says, bound to its real pid?  A
 * fork child that forks in turn may write before its parent's BIND of it
 * is read (later in the FIFO, or on the parent's connection): create it
 * then, as that BIND would have, from the parent the record names.
 * SENDER_UNKNOWN: neither it nor that parent is known yet.
 */
static enum sender sender_check(struct sup *s, const struct proto_evt *e)
{
	int32_t v = eng_rpid_to_vpid(s->eng, e->sender_r);
	struct eng_pinfo pi, ppi;

	if (v == e->sender_v)
		return SENDER_OK;
	if (v > 0)
		return SENDER_BAD; /* that real pid is someone else's */
	if (eng_info(s->eng, e->sender_v, &pi) == 0)
		return SENDER_BAD; /* known under another real pid, or a reservation */
	if (e->parent_v > 1 && procs_vpid_handed(s, e->sender_v) &&
	    eng_rpid_to_vpid(s->eng, e->parent_r) == e->parent_v &&
	    eng_info(s->eng, e->parent_v, &ppi) == 0 && ppi.state != ENG_P_ZOMBIE) {
		if (procs_fork_at(s, e->parent_v, e->sender_v) < 0) {
			eng_fx_clear(&s->fx);
			return SENDER_BAD;
		}
		if (procs_bind(s, e->sender_v, e->sender_r) < 0) {
			eng_fx_clear(&s->fx);
			sup_fork_abort(s, e->sender_v);
			procs_forget(s, e->sender_v);
			return SENDER_BAD;
		}
		effects_apply(s, 0);
		return SENDER_OK;
	}
	return SENDER_UNKNOWN;
}

/* Handle one record.  false: its sender is not known yet (last_try: it is
 * identified from the kernel's parent chain like a HELLO, which may
 * handle messages queued on other connections). */
static bool handle_one(struct sup *s, const struct proto_evt *e, bool last_try)
{
	struct sup_client sender = {.vpid = e->sender_v, .rpid = e->sender_r, .hello = true};
	struct proto_req q = proto_evt_req(e);
	struct proto_rep r;
	enum sender who = sender_check(s, e);

	if (who == SENDER_UNKNOWN && !last_try)
		return false;
	if (who == SENDER_UNKNOWN &&
	    clients_identify(s, e->sender_r, e->sender_v) == e->sender_v)
		who = SENDER_OK;
	if (who != SENDER_OK) {
		s->nevbad++;
		return true;
	}
	if (e->op == PROTO_OP_HELLO)
		return true; /* "I exist": the check above did it all */
	/* Two forms of setpgid, each already made for real and answered 0 by
	 * the sender's shim (shim/viewwrite.c): a fork child's setpgid(0, 0),
	 * which Linux accepts from any process leading no session, and a
	 * parent's setpgid(child, child) that the kernel accepted.  Either is
	 * applied as the request under the engine's rules (op_setpgid); any
	 * other form is refused. */
	if (e->op == PROTO_OP_SETPGID &&
	    (e->a != e->b || (e->a != 0 && e->a <= 1) || e->c != 0 || e->d != 0)) {
		s->nevbad++;
		return true;
	}
	/* kill(0, sig) or kill(-pgid, sig) about to be sent for real
	 * (shim/kill.c, kill_own_group; shim/viewwrite.c,
	 * shim_view_kill_group): numbered now, before the records written
	 * after the real signal (a BIND of a child its fork made meanwhile).
	 * Numbered for the group it names: for kill(-pgid) that is pgid, not
	 * the sender's (gkill_exit looks the kill up by the dead member's
	 * group; numbered as the sender's, a child forked as the signal came
	 * outlived its group's kill). */
	if (e->op == PROTO_OP_KILL) {
		if (e->d != PROTO_KILL_NOTE || (e->a != 0 && (e->a >= -1 || e->a == INT32_MIN)) || e->b <= 0 ||
		    e->b >= 65 || e->c != 0)
			s->nevbad++;
		else
			gkill_note(s, e->sender_v, e->a, e->b, true);
		return true;
	}
	/* Trace events carry the time the record was written. */
	s->trace.at = (int64_t)e->at;
	memset(&r, 0, sizeof(r));
	ops_dispatch(s, &sender, &q, &r);
	s->trace.at = 0;
	if (r.err < 0)
		s->nevbad++;
	return true;
}

/*
 * Handle n whole records; false when one is not a record at all.
 *
 * The records are history: a BIND names a child as it was when its parent
 * wrote it, and the child may have written records of its own since (its
 * own children's BINDs), then exited and been reaped.  So no pidfd is
 * opened while the batch is handled (procs_watch_later): a child found
 * gone by then exits after every record of the batch, not before its own
 * (its children would be refused, then registered lazily under init).  A
 * child whose REAPED is in the batch never needs one (its exit comes with
 * the reap, status and all).
 */
/* The batch being handled and which of its records are: events_unread_from. */
static struct proto_evt batch_evs[EVENTS_BATCH];
static bool batch_done[EVENTS_BATCH];
static size_t batch_count;

/*
 * Has vpid records in the batch being handled that are not handled yet?
 * Then it lived when the record being handled was written, and when the
 * rest of its own were: an exit the kernel reports for it now is applied
 * after them (the loop's pidfd, the batch's end), never by a request's
 * settling in between (procs_settle_exits, ops_settle_parents).  Applied
 * first, its BIND of a child written before it died was refused (ESRCH,
 * dead parent), and that child, registered lazily under init with
 * another vpid, found itself unknown (ESRCH from setpgid, kill and getsid
 * of itself: jsgen 962591291, a parent's setpgid(child, child) record
 * read together with that child's own BIND after it had been SIGKILLed).
 * The record being handled is its sender's last word so far: the sender
 * is the caller, never settled.
 */
bool events_unread_from(int32_t vpid)
{
	for (size_t i = 0; i < batch_count; i++)
		if (!batch_done[i] && batch_evs[i].sender_v == vpid)
			return true;
	return false;
}

static bool handle_batch(struct sup *s, const uint8_t *buf, size_t n)
{
	struct proto_evt *evs = batch_evs;
	static size_t late[EVENTS_BATCH];
	size_t count = 0, nlate = 0;
	bool aligned = true;

	for (size_t i = 0; i < n; i++) {
		int rc = proto_unpack_evt(buf + i * PROTO_EVT_SIZE, PROTO_EVT_SIZE, &evs[count]);
		if (rc == -EBADMSG || rc == -EPROTO) {
			aligned = false; /* misaligned or foreign bytes: stop here */
			break;
		}
		if (rc < 0) {
			s->nevbad++;
			continue;
		}
		count++;
	}
	s->defer_watch = true;
	for (size_t i = 0; i < count; i++)
		batch_done[i] = false;
	batch_count = count;
	/* In order; a record whose sender is not known yet waits until the
	 * end of the batch, where its parent's BIND has usually been read. */
	for (size_t i = 0; i < count; i++) {
		batch_done[i] = true;
		if (!handle_one(s, &evs[i], false)) {
			batch_done[i] = false;
			late[nlate++] = i;
		}
	}
	for (size_t i = 0; i < nlate; i++) {
		batch_done[late[i]] = true;
		handle_one(s, &evs[late[i]], true);
	}
	batch_count = 0;
	s->defer_watch = false;
	/* Now the pidfds (a no-op for the children the batch reaped), or,
	 * in a lazy batch, at the next flush (procs.c, procs_watch_pend). */
	for (size_t i = 0; i < s->nwatch_later; i++)
		if (!s->lazy_watch || procs_autoreaped_child(s, s->watch_later[i]) ||
		    !procs_watch_pend(s, s->watch_later[i]))
			procs_watch(s, s->watch_later[i]);
	s->nwatch_later = 0;
	return aligned;
}

/* Read and discard until the pipe is empty: writes after that are whole
 * records again. */
static void discard(struct sup *s, uint8_t *buf, size_t cap)
{
	while (read(s->evfd, buf, cap) > 0)
		;
}

void events_drain(struct sup *s)
{
	static uint8_t buf[EVENTS_BATCH * PROTO_EVT_SIZE];

	uint32_t posted;

	if (s->evfd < 0 || s->ev_draining)
		return;
	s->ev_draining = true;
	/* Every record counted by now is in the pipe (counted after its
	 * write): once the pipe is empty, the view includes them all. */
	posted = mview_posted(s);
	for (;;) {
		ssize_t n = read(s->evfd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		s->ev_busy = true;
		if (n % PROTO_EVT_SIZE != 0 ||
		    !handle_batch(s, buf, (size_t)n / PROTO_EVT_SIZE)) {
			s->nevbad++;
			discard(s, buf, sizeof(buf));
			break;
		}
		if ((size_t)n < sizeof(buf))
			break;
	}
	mview_applied(s, posted);
	s->ev_draining = false;
}

/* Wakeups at once still to give, after counting the reads that asked
 * because records were waiting (see above). */
static int events_eager(struct sup *s)
{
	uint32_t stale, n;

	if (!s->vc)
		return 0;
	stale = atomic_load_explicit(&s->vc->stale_reads, memory_order_relaxed);
	n = stale - s->ev_stale_seen;
	s->ev_stale_seen = stale;
	if (n > SUP_EVENTS_EAGER_MAX / SUP_EVENTS_EAGER_TICKS)
		n = SUP_EVENTS_EAGER_MAX / SUP_EVENTS_EAGER_TICKS;
	s->ev_eager_left += (int)n * SUP_EVENTS_EAGER_TICKS;
	if (s->ev_eager_left > SUP_EVENTS_EAGER_MAX)
		s->ev_eager_left = SUP_EVENTS_EAGER_MAX;
	return s->ev_eager_left;
}

/* The timer's look at the FIFO: read it, then choose the next look. */
void events_tick(struct sup *s, int64_t now)
{
	int64_t next;

	if (s->evfd < 0 || !s->ev_tick_at || now < s->ev_tick_at)
		return;
	events_drain(s);
	if (events_eager(s) > 0) {
		s->ev_eager_left--;
		next = SUP_EVENTS_EAGER_NS;
	} else if (s->ev_busy) {
		s->ev_quiet_ns = SUP_EVENTS_DELAY_NS;
		next = SUP_EVENTS_DELAY_NS;
	} else {
		s->ev_quiet_ns = s->ev_quiet_ns * 2 > SUP_EVENTS_QUIET_MAX_NS ? SUP_EVENTS_QUIET_MAX_NS
									     : s->ev_quiet_ns * 2;
		next = s->ev_quiet_ns;
	}
	s->ev_busy = false;
	s->ev_tick_at = now + next;
}

/* After a request: reads that had to ask bring the next look forward. */
void events_check(struct sup *s)
{
	int64_t soon;

	if (s->evfd < 0 || events_eager(s) == 0)
		return;
	soon = sup_now() + SUP_EVENTS_EAGER_NS;
	if (soon < s->ev_tick_at)
		s->ev_tick_at = soon;
}
