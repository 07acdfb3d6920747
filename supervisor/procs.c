/* procs.c — vpid <-> rpid/pidfd records, exits, reaping and lazy registration. */
#include "sup.h"
#include "kernrule.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * The engine owns the vpid <-> rpid mapping; this file owns what the engine
 * must not: one pidfd per bound live process (readable = exited, and a
 * race-free handle for signals) and the command name for ps.  The system
 * calls themselves are in sysio.c.  A record exists for every model process but init and is
 * freed when the model reaps it (effects.c sees the REAP event).
 */

/* ---- /proc ---------------------------------------------------------------- */

/* The engine's stopped-state oracle: a completed group stop shows as 'T'
 * (or 't' under ptrace) in /proc. */
bool procs_is_stopped(void *ctx, int32_t vpid, int64_t rpid)
{
	struct sysio_stat st;

	(void)ctx;
	(void)vpid;
	if (rpid <= 0 || sysio_stat((pid_t)rpid, &st) < 0)
		return false;
	return st.state == 'T' || st.state == 't';
}

/* The engine's kernel-rule oracle: who gets the orphan rule's SIGHUP on
 * this kernel (kernrule.c probes it, once, the first time it matters). */
bool procs_orphan_hup_all(void *ctx)
{
	(void)ctx;
	return kernrule_orphan_hup_all();
}

/* Is id a live thread leading no process, in our pid namespace (the tree's
 * too)?  tgkill(id, id) finds only a thread-group leader; kill(id) finds
 * the group of any thread.  Signal 0 sends nothing; EPERM: it exists. */
bool procs_id_is_thread(int32_t id)
{
	if (syscall(SYS_tgkill, id, id, 0) == 0 || errno != ESRCH)
		return false;
	return kill(id, 0) == 0 || errno == EPERM;
}

/* The engine's host-id oracle (eng_id_busy_fn). */
bool procs_id_busy(void *ctx, int32_t id)
{
	(void)ctx;
	return procs_id_is_thread(id);
}

/* ---- records -------------------------------------------------------------- */

struct sup_proc *procs_find(struct sup *s, int32_t vpid)
{
	struct sup_proc *p;

	HASH_FIND(hh, s->procs, &vpid, sizeof(vpid), p);
	return p;
}

struct sup_proc *procs_add(struct sup *s, int32_t vpid)
{
	struct sup_proc *p = procs_find(s, vpid);

	if (p)
		return p;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->vpid = vpid;
	p->pidfd = -1;
	HASH_ADD(hh, s->procs, vpid, sizeof(p->vpid), p);
	if (p->hh.tbl == NULL) {
		free(p);
		return NULL;
	}
	return p;
}

/* close() alone takes the pidfd out of epoll: it is never duplicated
 * (pidfd_open sets close-on-exec, and the supervisor only forks the command
 * before any pidfd exists), so this is its file's last reference.  An event
 * of it already collected in the current batch finds pidfd < 0 (keys are
 * vpids, not fds). */
static void close_pidfd(struct sup *s, struct sup_proc *p)
{
	(void)s;
	if (p->pidfd < 0)
		return;
	close(p->pidfd);
	p->pidfd = -1;
}

void procs_forget(struct sup *s, int32_t vpid)
{
	struct sup_proc *p = procs_find(s, vpid);

	if (!p)
		return;
	close_pidfd(s, p);
	if (p->stale_since)
		s->nstale--;
	HASH_DEL(s->procs, p);
	free(p);
}

void procs_free_all(struct sup *s)
{
	struct sup_proc *p, *tmp;

	HASH_ITER(hh, s->procs, p, tmp) {
		close_pidfd(s, p);
		HASH_DEL(s->procs, p);
		free(p);
	}
	s->nstale = 0;
}

void procs_name(struct sup *s, int32_t vpid, char *buf, size_t len)
{
	struct sup_proc *p = procs_find(s, vpid);
	int64_t rpid = eng_vpid_to_rpid(s->eng, vpid);
	struct sysio_stat st;

	if (p && p->name[0])
		snprintf(buf, len, "%s", p->name);
	else if (vpid == 1)
		snprintf(buf, len, "jobshim");
	else if (rpid > 0 && (!p || !p->exited) && sysio_stat((pid_t)rpid, &st) == 0)
		snprintf(buf, len, "%s", st.comm);
	else
		snprintf(buf, len, "?");
}

static bool descends(struct sup *s, pid_t rpid, int pidfd);

/*
 * A pidfd that watches p until its exit, or -errno.  Only the lower half
 * of the descriptor table is taken for watching (s->fd_ceiling, run.c; a
 * descriptor's number is the lowest free one, so its number tells how
 * full the table is): the rest is for the connections of the processes
 * that ask, and for teardown's reads of /proc and its report.  Without
 * that bound a tree with more live processes than descriptors took them
 * all: its leftovers could no longer be read, so were never reported, and
 * a process that asked found no connection and fell back to real calls.
 */
static int watch_open(struct sup *s, const struct sup_proc *p)
{
	int fd = sysio_pidfd_open((pid_t)p->rpid);

	if (fd >= 0 && s->fd_ceiling > 0 && fd >= s->fd_ceiling) {
		close(fd);
		return -EMFILE;
	}
	return fd;
}

/* A new watch pidfd goes into the exits set too, once there is one. */
static void exits_add(struct sup *s, int fd, int32_t vpid)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = (uint64_t)(uint32_t)vpid};

	if (s->exits_filled)
		epoll_ctl(s->exits_epfd, EPOLL_CTL_ADD, fd, &ev);
}

/*
 * A pidfd now for a process still waiting for one (procs_watch_pend): the
 * model is about to signal it or ask whether it exited.  Unlike
 * procs_watch, never handles an exit here (this may be the middle of a
 * batch of records, whose order the exit must not overtake): a process
 * already gone, or not below us, stays pending for the flush to judge.
 */
static void pin(struct sup *s, struct sup_proc *p)
{
	int fd;

	if (p->pidfd >= 0 || p->exited || p->rpid <= 0)
		return;
	fd = watch_open(s, p);
	if (fd < 0)
		return;
	if (!descends(s, (pid_t)p->rpid, fd) || sup_watch(s, fd, SUP_W_PIDFD, (uint64_t)p->vpid) < 0) {
		close(fd);
		return;
	}
	exits_add(s, fd, p->vpid);
	p->pidfd = fd;
}

/* Give the pending processes among vpids their pidfds now (pin): their
 * exits must reach the model at once (ops.c, pin_links). */
void procs_pin(struct sup *s, const int32_t *vpids, size_t n)
{
	for (size_t i = 0; i < n && s->nwatch_pend; i++) {
		struct sup_proc *p = procs_find(s, vpids[i]);
		if (p && p->pidfd < 0)
			pin(s, p);
	}
}

/* A process without a pidfd (still pending, or one whose pidfd_open failed
 * for want of descriptors: procs_watch) is pinned now, or never signalled:
 * teardown signals through pidfds only. */
int procs_signal(struct sup *s, int32_t vpid, int sig)
{
	struct sup_proc *p = procs_find(s, vpid);

	if (p && p->pidfd < 0)
		pin(s, p);
	if (!p || p->pidfd < 0)
		return -ESRCH;
	return sysio_pidfd_signal(p->pidfd, sig);
}

bool procs_pinned(struct sup *s, int32_t vpid)
{
	struct sup_proc *p = procs_find(s, vpid);

	if (p && p->pidfd < 0)
		pin(s, p);
	return p && p->pidfd >= 0;
}

/* ---- bind, exit, reap ------------------------------------------------------ */

int procs_bind(struct sup *s, int32_t vpid, int64_t rpid)
{
	struct sup_proc *p = procs_add(s, vpid), *old;
	int32_t prev = eng_rpid_to_vpid(s->eng, rpid);
	int rc;

	if (!p)
		return -ENOMEM;
	if (p->rpid == rpid && (p->pidfd >= 0 || p->exited))
		return 0;
	rc = eng_bind(s->eng, vpid, rpid);
	if (rc < 0)
		return rc;
	/* The engine took the rpid over from a zombie (the pid was reused):
	 * that record must not keep claiming it (fuzz: regress/bind-takeover). */
	if (prev > 1 && prev != vpid && (old = procs_find(s, prev)) != NULL && old->rpid == rpid)
		old->rpid = 0;
	p->rpid = rpid;
	p->gkill_known = s->gkill_seq; /* group kills from now on name it */
	p->autoreap |= s->bind_autoreap;
	mview_sync_bind(s, vpid, prev);
	if (p->stale_since) {
		p->stale_since = 0;
		s->nstale--;
	}
	/* A parent's exit reparents its children and may orphan their groups
	 * (the orphan rule's SIGHUP, SIGCONT): it must reach the model at
	 * once, so a pending parent is pinned as soon as it has a child. */
	if (s->nwatch_pend) {
		struct eng_pinfo pi;
		struct sup_proc *pp;
		if (eng_info(s->eng, vpid, &pi) == 0 && pi.ppid > 1 &&
		    (pp = procs_find(s, pi.ppid)) != NULL && pp->pidfd < 0)
			pin(s, pp);
	}
	if (s->defer_watch && procs_watch_later(s, vpid))
		return 0;
	procs_watch(s, vpid);
	return 0;
}

/* A BIND read from the event FIFO names a child as it was when the record
 * was written: it may have exited since, and records it wrote while alive
 * may follow in the same batch.  Its pidfd is opened when the batch is
 * done (events.c), so that its exit -- from a REAPED in the batch, or
 * "gone at bind" -- comes after them.  false: no memory, watch now. */
bool procs_watch_later(struct sup *s, int32_t vpid)
{
	if (s->nwatch_later == s->capwatch_later) {
		size_t cap = s->capwatch_later ? 2 * s->capwatch_later : 256;
		int32_t *v = realloc(s->watch_later, cap * sizeof(*v));
		if (!v)
			return false;
		s->watch_later = v;
		s->capwatch_later = cap;
	}
	s->watch_later[s->nwatch_later++] = vpid;
	return true;
}

/* AUTOREAP: parent's children are now reaped by the kernel (on) or no
 * longer.  On: each is watched at once, and one already gone for the
 * kernel leaves the model now (its exit may have come before the message). */
void procs_autoreap_children(struct sup *s, int32_t parent, bool on)
{
	struct eng_pinfo pi;
	struct sup_proc *pp = procs_find(s, parent);

	if (pp)
		pp->reaps_kids = on;
	for (int32_t v = eng_next(s->eng, 2); v > 0; v = eng_next(s->eng, v + 1)) {
		struct sup_proc *p;
		if (eng_info(s->eng, v, &pi) < 0 || pi.ppid != parent || !(p = procs_find(s, v)))
			continue;
		p->autoreap = on;
		if (!on)
			continue;
		if (p->pidfd < 0 && !p->exited)
			pin(s, p);
		procs_settle_exits(s, &v, 1);
	}
}

bool procs_autoreaped_child(struct sup *s, int32_t vpid)
{
	struct sup_proc *p = procs_find(s, vpid);

	return p && p->autoreap;
}

/*
 * A child bound from a lazy batch (sup.h, lazy_watch) gets its pidfd at
 * the next flush, at most SUP_EVENTS_DELAY_NS later.  Most children of a
 * build or a shell loop live a few milliseconds and are reaped by then
 * (REAPED, in a later batch): they never cost a pidfd, its epoll entry and
 * a wakeup at their exit -- a fifth of what the tree costs per fork+exec on
 * a 2-CPU machine.  Until the flush the model learns of such a child's
 * exit from its parent's REAPED, as it does for any child reaped in the
 * batch that bound it.  Exits, signals, notifications, the timeout,
 * teardown and the sweep flush first (run.c): they find every bound
 * process watched.  A request does not: what it acts on is pinned on
 * demand (pin: the orphan rule's signals, procs_pidfd_exited), and a
 * pending process is pinned when a child of its own is bound (procs_bind):
 * only a childless process's exit may reach the model late.
 */
bool procs_watch_pend(struct sup *s, int32_t vpid)
{
	int64_t due = sup_now() + SUP_EVENTS_DELAY_NS;

	if (s->nwatch_pend == s->capwatch_pend) {
		size_t cap = s->capwatch_pend ? 2 * s->capwatch_pend : 256;
		struct sup_pend *v = realloc(s->watch_pend, cap * sizeof(*v));
		if (!v)
			return false;
		s->watch_pend = v;
		s->capwatch_pend = cap;
	}
	s->watch_pend[s->nwatch_pend++] = (struct sup_pend){.vpid = vpid, .due = due};
	if (!s->watch_pend_at)
		s->watch_pend_at = due;
	return true;
}

void procs_watch_flush(struct sup *s, bool due_only)
{
	int64_t now = due_only ? sup_now() : 0;
	size_t keep = 0, n = s->nwatch_pend;

	/* Entries are in due order.  procs_watch may handle an exit ("gone
	 * at bind"), whose effects bind nothing lazily: the list does not
	 * grow meanwhile. */
	s->nwatch_pend = 0;
	for (size_t i = 0; i < n; i++) {
		struct sup_proc *p = procs_find(s, s->watch_pend[i].vpid);

		if (!p || p->exited || p->pidfd >= 0)
			continue; /* reaped meanwhile: never watched */
		if (due_only && s->watch_pend[i].due > now)
			s->watch_pend[keep++] = s->watch_pend[i];
		else
			procs_watch(s, s->watch_pend[i].vpid);
	}
	s->nwatch_pend = keep;
	/* One timer wakeup per delay at most, however many are pending. */
	s->watch_pend_at = 0;
	if (keep)
		s->watch_pend_at = due_only && s->watch_pend[0].due < now + SUP_EVENTS_DELAY_NS
					   ? now + SUP_EVENTS_DELAY_NS
					   : s->watch_pend[0].due;
}

/* Is real pid rpid (just pinned by pidfd) below us?  Its real parent is
 * a process the model knows, or the chain of real parents reaches us.
 * Gone meanwhile: yes -- its pidfd can signal nothing.  An ancestor that
 * vanishes while we walk (it exited: its children were reparented) makes
 * us start again from rpid, whose parent is then the new one: a process
 * of the tree must never be judged outside it by a race. */
static bool descends(struct sup *s, pid_t rpid, int pidfd)
{
	struct sysio_stat st;
	pid_t ppid = sysio_pidfd_ppid(pidfd);

	/* Almost always: the parent is a tree process, asked of the pidfd. */
	if (ppid > 0 && (ppid == s->self_rpid || eng_rpid_to_vpid(s->eng, ppid) > 1))
		return true;
	for (int attempt = 0; attempt < 4; attempt++) {
		pid_t r;
		bool vanished = false;

		if (sysio_stat(rpid, &st) < 0)
			return true;
		r = st.ppid;
		/* We may be pid 1 of a pid namespace: compare before the bound. */
		for (int depth = 0; depth < 256 && !vanished; depth++) {
			if (r == s->self_rpid || eng_rpid_to_vpid(s->eng, r) > 1)
				return true;
			if (r <= 1)
				return false;
			if (sysio_stat(r, &st) < 0)
				vanished = true;
			else
				r = st.ppid;
		}
		if (!vanished)
			return false;
	}
	return true; /* ancestors kept vanishing: a tree that is busy exiting */
}

/*
 * No pidfd for p: pidfd_open failed (EMFILE: more live processes than the
 * descriptor limit the supervisor raised at start, run.c).  The process
 * stays in the model: its exit reaches it through its parent's REAPED, or
 * our own waitid once it is orphaned to us; a signal or teardown pins it
 * when a descriptor is free again (procs_signal), and the end of the run
 * kills it then.  Said once per run, not per process.
 */
static void unwatched(struct sup *s, const struct sup_proc *p, int err)
{
	if (s->unwatched_said)
		return;
	s->unwatched_said = true;
	if (err == EMFILE || err == ENFILE)
		fprintf(stderr,
			"jobshim: pidfd_open(%lld): %s: more processes alive than descriptors"
			" (ulimit -Hn); the excess are watched through their parents\n",
			(long long)p->rpid, strerror(err));
	else
		fprintf(stderr, "jobshim: pidfd_open(%lld): %s\n", (long long)p->rpid, strerror(err));
}

/*
 * The kernel reaps the children of a parent that ignores SIGCHLD as they
 * exit (do_notify_parent's autoreap): no zombie, no wait, no REAPED.  Left
 * a zombie in the model until the sweep (SUP_SWEEP_NS), such a child kept
 * its group and session for half a second: getpgid and getsid answered
 * for it, setpgid(child, child) succeeded, kill(-1) listed it, where Linux
 * says ESRCH.  So once its exit is known, the model reaps it at once when
 * the kernel shows no zombie and its parent ignores SIGCHLD (SigIgn in its
 * status: the kernel's test at the exit; a parent that stopped ignoring it
 * since would have a zombie) or said so last, at a fork or a sigaction
 * (reaps_kids: BIND's PROTO_BIND_AUTOREAP, AUTOREAP; SA_NOCLDWAIT shows
 * nowhere in /proc).  The parent now: an orphan's is the subreaper that
 * adopted it (jsgen 130475).
 * Any other zombie the kernel no longer has was reaped by a wait whose
 * REAPED may be on its way: the sweep takes it after it.  Such a child is
 * also watched at once rather than lazily (events.c), so that its exit
 * reaches the model when the kernel reaps it, not 10 ms later.
 */
static void reap_autoreaped(struct sup *s, int32_t vpid)
{
	struct eng_pinfo pi, pp;
	struct sysio_sigmasks m;
	struct sysio_stat st;
	struct sup_proc *p;

	if (eng_info(s->eng, vpid, &pi) < 0 || pi.state != ENG_P_ZOMBIE || pi.rpid <= 0 || pi.ppid < 1)
		return;
	if (sysio_stat((pid_t)pi.rpid, &st) == 0 && st.state == 'Z')
		return; /* a real zombie (or the pid's next owner, a zombie too): its parent reaps it */
	if (pi.ppid == 1) {
		/* Init's, and not ours to reap any more: its former parent
		 * reaped it and died before its REAPED went out (whatever it
		 * sent is read before its exit: clients_flush_rpid); the model
		 * had applied that parent's exit first (settle_children
		 * covers the other order). */
		s->how = "reaped before its parent's exit";
		procs_reap(s, 1, vpid);
		s->how = NULL;
		return;
	}
	/* Its parent now (an orphan's is the subreaper that adopted it). */
	p = procs_find(s, pi.ppid);
	if (!(p && p->reaps_kids) &&
	    (eng_info(s->eng, pi.ppid, &pp) < 0 || pp.state == ENG_P_ZOMBIE || pp.rpid <= 0 ||
	     sysio_sigmasks((pid_t)pp.rpid, &m) < 0 || !(m.ignored & (1ULL << (SIGCHLD - 1)))))
		return;
	s->how = "autoreap";
	procs_reap(s, pi.ppid, vpid);
	s->how = NULL;
}

/*
 * A zombie of the model that the kernel no longer has, whose parent lives
 * and reaps by waiting: a wait reaped it that the shim did not see (glibc's
 * wordexp spawns its `$(...)` shell and waits for it through calls of its
 * own), or whose REAPED is not written yet (the caller's wait returned
 * in the kernel a moment ago; one already written has been read: events.c
 * drains them before every request).  The sweep would take it after up to
 * SUP_SWEEP_NS, and until then getpgid(child) answered where Linux says
 * ESRCH.  A call about it (procs_settle_exits) takes it now: its parent
 * reaped it, as the kernel's history has it.  A REAPED that comes after
 * finds nothing (op_reaped: ECHILD, one-way).  Not at the exit itself
 * (procs_pidfd_ready): there a parent's REAPED racing its pidfd is the
 * usual order, and the trace keeps the status it carries.
 */
static void reap_unseen(struct sup *s, int32_t vpid)
{
	struct eng_pinfo pi;
	struct sysio_stat st;

	if (eng_info(s->eng, vpid, &pi) < 0 || pi.state != ENG_P_ZOMBIE || pi.rpid <= 0 || pi.ppid < 1)
		return;
	if (sysio_stat((pid_t)pi.rpid, &st) == 0 && st.state == 'Z')
		return;
	s->how = "reaped unseen";
	procs_reap(s, pi.ppid, vpid);
	s->how = NULL;
}

void procs_watch(struct sup *s, int32_t vpid)
{
	struct sup_proc *p = procs_find(s, vpid);
	int fd, rc;

	if (!p || p->rpid <= 0 || p->pidfd >= 0 || p->exited)
		return;
	fd = watch_open(s, p);
	if (fd >= 0 && !descends(s, (pid_t)p->rpid, fd)) {
		/* A BIND (from a buggy or lying shim) naming a process outside
		 * the tree: never watch it, never signal it (teardown signals
		 * through these pidfds only). */
		close(fd);
		procs_exit(s, vpid, 0, false, "not in the tree");
		return;
	}
	if (fd < 0) {
		/* Already reaped (its parent ignores SIGCHLD, or raced us): it
		 * exited with a status nobody will tell us. */
		if (fd == -ESRCH) {
			procs_exit(s, vpid, 0, false, "gone at bind");
			reap_autoreaped(s, vpid);
		} else
			unwatched(s, p, -fd);
		return;
	}
	rc = sup_watch(s, fd, SUP_W_PIDFD, (uint64_t)vpid);
	if (rc < 0) {
		close(fd);
		fprintf(stderr, "jobshim: epoll: %s\n", strerror(-rc));
		return;
	}
	exits_add(s, fd, vpid);
	p->pidfd = fd;
}

/*
 * A child that its parent reaped just before dying, too late to say so:
 * the wait returned and a signal killed the parent before its REAPED went
 * out (the signal is delivered as the wait returns: `kill -TERM -G` of a
 * shell and the jobs it waits for).  The kernel has nothing left of it,
 * but the model kept it, reparented to init, as a zombie -- or as a running
 * process, its exit not read yet -- until the sweep (SUP_SWEEP_NS, half a
 * second): kill(-G, 0), kill(-1, 0) and getpgid still found it.  So a
 * parent's exit first settles its children that the kernel no longer has
 * at all: each exited, and was reaped, before its parent died (only that
 * parent could reap it then), so its exit (if the model has not applied
 * it) and its reap by that parent come first, as in the kernel's history.
 * A child still there, running or a zombie, is left to its own events:
 * whether its exit came before its parent's or after it is not known here,
 * and the orphan rule judges each exit against the other.  One whose exit
 * comes later, reparented to init, is reap_autoreaped's.  One list of the
 * children per exit (none for most), one /proc read per child.
 */
static void settle_children(struct sup *s, int32_t parent)
{
	/* Applying a child's exit settles its own children in turn: a chain
	 * of processes killed at once nests that deep.  Past
	 * SETTLE_DEPTH_MAX the rest is left to the loop and the sweep, as
	 * before, rather than to the stack. */
	enum { SETTLE_DEPTH_MAX = 32 };
	static int depth;
	int32_t small[64], *kids = small;
	int n;

	if (depth >= SETTLE_DEPTH_MAX)
		return;
	n = eng_wait_select(s->eng, parent, -1, 0, kids, 64);
	if (n > 64) {
		kids = malloc((size_t)n * sizeof(*kids));
		if (!kids)
			return; /* the sweep collects them, as before */
		n = eng_wait_select(s->eng, parent, -1, 0, kids, (size_t)n);
	}
	depth++;
	for (int i = 0; i < n; i++) {
		struct eng_pinfo pi;
		struct sysio_stat st;

		if (eng_info(s->eng, kids[i], &pi) < 0 || pi.ppid != parent || pi.rpid <= 0 ||
		    sysio_stat((pid_t)pi.rpid, &st) != -ESRCH)
			continue; /* still there (or its pid's next owner): its own events */
		if (pi.state != ENG_P_ZOMBIE)
			procs_exit(s, kids[i], 0, false, "gone before its parent's exit");
		if (eng_info(s->eng, kids[i], &pi) < 0 || pi.ppid != parent || pi.state != ENG_P_ZOMBIE)
			continue;
		s->how = "reaped before its parent's exit";
		procs_reap(s, parent, kids[i]);
		s->how = NULL;
	}
	depth--;
	if (kids != small)
		free(kids);
}

int procs_exit(struct sup *s, int32_t vpid, int wstatus, bool known, const char *how)
{
	struct sup_proc *p = procs_find(s, vpid);
	int rc;

	if (p && p->exited)
		return -EALREADY;
	/* The caller's own effects first (a BIND's fork event when the child
	 * is gone at bind): they belong to its cause, not to this exit's. */
	if (s->fx.n)
		effects_apply(s, 0);
	if (p && p->rpid > 0) {
		clients_flush_rpid(s, (pid_t)p->rpid, sup_in_batch(s, SUP_KEY(SUP_W_PIDFD, vpid)));
		p = procs_find(s, vpid); /* handling may have changed anything */
		if (p && p->exited)
			return -EALREADY;
	}
	settle_children(s, vpid);
	p = procs_find(s, vpid);
	if (p && p->exited)
		return -EALREADY;
	if (p) {
		close_pidfd(s, p);
		p->exited = true;
	}
	/* The terminal's SIGHUP when the command was its controlling
	 * process: the kernel sends it before the exit's orphan rule. */
	if (vpid == s->opt.first_pid)
		term_command_exit(s);
	s->exit_known = known;
	s->how = how;
	if (known)
		gkill_exit(s, vpid, wstatus);
	else if (p && p->rpid > 0 && s->gkill_seq != 0)
		gkill_exit_unknown(s, vpid, (pid_t)p->rpid);
	rc = eng_exit(s->eng, vpid, wstatus, &s->fx);
	effects_apply(s, 0);
	s->how = NULL;
	return rc;
}

int procs_reap(struct sup *s, int32_t parent, int32_t vpid)
{
	int64_t rpid = eng_vpid_to_rpid(s->eng, vpid);
	int rc = eng_reap(s->eng, parent, vpid, &s->fx);

	effects_apply(s, 0);
	if (rc == 0) {
		procs_forget(s, vpid);
		if (rpid > 0) {
			unsigned i = s->reaped_next++ % (sizeof(s->reaped) / sizeof(s->reaped[0]));
			s->reaped[i].rpid = (pid_t)rpid;
			s->reaped[i].vpid = vpid;
		}
	}
	return rc;
}

int32_t procs_reaped_vpid(const struct sup *s, pid_t rpid)
{
	const unsigned n = sizeof(s->reaped) / sizeof(s->reaped[0]);

	for (unsigned k = 1; k <= n && k <= s->reaped_next; k++) {
		unsigned i = (s->reaped_next - k) % n;
		if (s->reaped[i].rpid == rpid)
			return s->reaped[i].vpid;
	}
	return -ESRCH;
}

/* Can waitid tell vpid's status, i.e. may it be our real child (the
 * command, or an orphan the kernel handed to us)?  Not while its model
 * parent is alive: that parent reaps it and reports the status with REAPED,
 * and waitid would fail with ECHILD on every ordinary exit.  A parent whose
 * exit is in the current batch but not handled yet has already passed its
 * children to us (the kernel reparents before it wakes the pidfd). */
static bool maybe_our_child(struct sup *s, int32_t vpid)
{
	struct eng_pinfo pi;
	struct sup_proc *pp;

	if (eng_info(s->eng, vpid, &pi) < 0 || pi.ppid <= 1)
		return true;
	pp = procs_find(s, pi.ppid);
	if (!pp || pp->pidfd < 0 || pp->exited)
		return true;
	return sup_in_batch(s, SUP_KEY(SUP_W_PIDFD, pi.ppid));
}

void procs_pidfd_ready(struct sup *s, int32_t vpid)
{
	struct sup_proc *p = procs_find(s, vpid);
	int status = 0;
	bool known;

	if (!p || p->pidfd < 0)
		return;
	known = maybe_our_child(s, vpid) && sysio_pidfd_status(p->pidfd, &status);
	procs_exit(s, vpid, known ? status : 0, known, "pidfd");
	reap_autoreaped(s, vpid);
}

/* Make sure the model has seen the exit of vpid's parent when the kernel
 * says it is gone (we became the real parent): both events can arrive in
 * one epoll batch in either order. */
/* Has the kernel seen vpid exit?  Its pidfd is readable from then on (also
 * once reaped).  false for unbound processes and ones without a pidfd. */
bool procs_pidfd_exited(struct sup *s, int32_t vpid)
{
	struct sup_proc *p = procs_find(s, vpid);
	struct pollfd pfd = {.fd = -1, .events = POLLIN};

	if (p && p->pidfd < 0 && s->nwatch_pend)
		pin(s, p);
	pfd.fd = p ? p->pidfd : -1;
	return p && p->pidfd >= 0 && poll(&pfd, 1, 0) > 0;
}

/*
 * Apply now the exits the kernel already reports among vpids (pidfd
 * readable, or gone), before a request that changes what those exits
 * mean: eng_move_witnesses.  One poll for all of them.
 */
void procs_settle_exits(struct sup *s, const int32_t *vpids, size_t n)
{
	struct pollfd small[32], *pfd = small;
	int32_t vsmall[32], *v = vsmall;
	size_t k = 0;

	if (n > sizeof(small) / sizeof(small[0])) {
		pfd = malloc(n * sizeof(*pfd));
		v = malloc(n * sizeof(*v));
		if (!pfd || !v) {
			free(pfd);
			free(v);
			return; /* the model stays as it is: a late exit, as before */
		}
	}
	for (size_t i = 0; i < n; i++) {
		struct sup_proc *p = procs_find(s, vpids[i]);

		if (p && p->exited) {
			reap_autoreaped(s, vpids[i]); /* a zombie the kernel no longer has */
			continue;
		}
		if (!p || p->rpid <= 0 || events_unread_from(vpids[i]))
			continue; /* unread records: it lived when they were written */
		/* One still waiting for its pidfd (procs_watch_pend) gets one
		 * only if it has exited: a living one stays lazy. */
		if (p->pidfd < 0 && !procs_running(s, vpids[i]))
			procs_watch(s, vpids[i]); /* may apply a "gone" exit */
		p = procs_find(s, vpids[i]);
		if (!p || p->exited || p->pidfd < 0)
			continue;
		pfd[k] = (struct pollfd){.fd = p->pidfd, .events = POLLIN};
		v[k++] = vpids[i];
	}
	if (k && poll(pfd, k, 0) > 0)
		for (size_t i = 0; i < k; i++)
			if (pfd[i].revents)
				procs_pidfd_ready(s, v[i]);
	for (size_t i = 0; i < n; i++)
		reap_unseen(s, vpids[i]);
	if (pfd != small) {
		free(pfd);
		free(v);
	}
}

/*
 * procs_settle_exits for a witness list too long to poll (a request of one
 * of thousands of children in one group: each setsid polled every
 * sibling's pidfd, a run of 8,000 such children took 11 s for 1.5
 * natively).  Every exit the kernel already reports is applied instead,
 * witness or not -- each happened before the request is handled, and the
 * loop would apply it next anyway -- found without a poll per process: the
 * watch pidfds are also in a second epoll set that only this reads
 * (exits_epfd, made at the start, filled the first time it is needed), which lists just the
 * readable ones.  The processes still waiting for a pidfd are asked one by
 * one, as procs_settle_exits does (there are few: those bound in the last
 * SUP_EVENTS_DELAY_NS).  The caller is left out: it lived when it asked.
 */
void procs_settle_all(struct sup *s, int32_t caller)
{
	struct epoll_event evs[256];
	struct sup_proc *p, *tmp;
	int32_t *pend = NULL;
	size_t npend = 0;

	if (s->exits_epfd < 0)
		return; /* the model stays as it is: a late exit, as before */
	if (!s->exits_filled) {
		s->exits_filled = true;
		HASH_ITER(hh, s->procs, p, tmp)
			if (p->pidfd >= 0 && !p->exited)
				exits_add(s, p->pidfd, p->vpid);
	}
	if (s->nwatch_pend && (pend = malloc(s->nwatch_pend * sizeof(*pend))) != NULL) {
		npend = s->nwatch_pend;
		for (size_t i = 0; i < npend; i++)
			pend[i] = s->watch_pend[i].vpid;
	}
	for (size_t i = 0; i < npend; i++) {
		p = procs_find(s, pend[i]);
		if (p && p->vpid != caller && !p->exited && p->pidfd < 0 && p->rpid > 0 &&
		    !events_unread_from(pend[i]) && !procs_running(s, pend[i]))
			procs_watch(s, pend[i]); /* may apply a "gone" exit; pinned: below */
	}
	free(pend);
	/* Handling an exit closes its pidfd, which leaves the set: each round
	 * lists new ones only, and the caller's, skipped, at most once. */
	for (int round = 0; round < 64; round++) {
		int n = epoll_wait(s->exits_epfd, evs, 256, 0), done = 0;

		for (int i = 0; i < n; i++) {
			int32_t v = (int32_t)(uint32_t)evs[i].data.u64;
			if (v == caller || !(p = procs_find(s, v)) || p->exited || p->pidfd < 0 ||
			    events_unread_from(v))
				continue;
			procs_pidfd_ready(s, v);
			done++;
		}
		if (n < 256 || done == 0)
			break;
	}
}

/* Is vpid's real process still running (not exited, not gone)?  Its
 * pidfd says; for one still waiting for its pidfd (procs_watch_pend) a
 * pidfd is opened for the question only. */
bool procs_running(struct sup *s, int32_t vpid)
{
	struct sup_proc *p = procs_find(s, vpid);
	struct pollfd pfd = {.fd = -1, .events = POLLIN};
	bool running;

	if (!p || p->exited || p->rpid <= 0)
		return false;
	if (p->pidfd >= 0) {
		pfd.fd = p->pidfd;
		return poll(&pfd, 1, 0) == 0;
	}
	pfd.fd = sysio_pidfd_open((pid_t)p->rpid);
	if (pfd.fd < 0)
		return false; /* gone: reaped */
	running = poll(&pfd, 1, 0) == 0;
	close(pfd.fd);
	return running;
}

static int32_t settle_parent(struct sup *s, int32_t vpid)
{
	struct eng_pinfo pi;

	if (eng_info(s->eng, vpid, &pi) < 0)
		return -ESRCH;
	if (pi.ppid <= 1)
		return pi.ppid;
	if (procs_pidfd_exited(s, pi.ppid))
		procs_pidfd_ready(s, pi.ppid);
	if (eng_info(s->eng, vpid, &pi) < 0)
		return -ESRCH;
	return pi.ppid;
}

void procs_reap_children(struct sup *s)
{
	for (;;) {
		int status = 0;
		pid_t rpid = sysio_peek_any(&status);
		int32_t vpid, parent;

		if (rpid <= 0)
			return;
		/* The exit's effects (the orphan rule's SIGHUP and SIGCONT)
		 * before the reap: the kernel sends those before anyone can see
		 * the zombie, so nobody may see it gone without them. */
		vpid = eng_rpid_to_vpid(s->eng, rpid);
		if (vpid > 1)
			procs_exit(s, vpid, status, true, "reaped by init");
		/* Its parent's exit, if the model has not applied it yet,
		 * before the real reap: that exit would take this zombie, gone
		 * from the kernel, for one its parent reaped before dying
		 * (settle_children). */
		parent = vpid > 1 ? settle_parent(s, vpid) : 0;
		sysio_reap_pid(rpid);
		if (vpid > 1 && WIFSIGNALED(status) && WCOREDUMP(status))
			sysio_core_rename(rpid, vpid, WTERMSIG(status));
		initproxy_reaped(rpid);
		guard_reaped(rpid);
		if (rpid == s->cmd_rpid) {
			s->cmd_reaped = true;
			s->cmd_status = status;
		}
		if (vpid <= 1)
			continue; /* never registered (a static binary's child): just reaped */
		if (parent <= 0)
			continue;
		/* parent != 1 means the model disagrees with the kernel (a lazy
		 * registration under the wrong ancestor): the real process is
		 * gone either way, so its model parent collects it. */
		s->how = "reaped by init";
		procs_reap(s, parent, vpid);
		s->how = NULL;
	}
}

/* ---- vpid allocation ---------------------------------------------------------- */

/*
 * Linux's pids stay below pid_max (/proc/sys/kernel/pid_max, 32768 on a
 * small machine, per pid namespace on recent kernels), and programs rely
 * on it: LTP's tst_get_unused_pid() answers pid_max itself as a pid no
 * process has, getpid01 checks every pid against it, tools size tables by
 * it.  So the tree's vpids stay below it too, and wrap past it as Linux's
 * pids do (the engine: to 300, RESERVED_PIDS).  Read once: a later write
 * of pid_max changes the kernel's range for new pids, not ours.  A
 * --first-pid at or above it (side-by-side runs given ranges of their own,
 * tests/shells/run.sh) widens the range to Linux's limit instead.
 */
int32_t sup_vpid_max(struct sup *s)
{
	char buf[32];
	long v = 0;
	ssize_t n;
	int fd;

	if (s->vpid_max > 0)
		return s->vpid_max;
	fd = open("/proc/sys/kernel/pid_max", O_RDONLY | O_CLOEXEC);
	n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	if (fd >= 0)
		close(fd);
	if (n > 0) {
		buf[n] = '\0';
		v = strtol(buf, NULL, 10);
	}
	/* Unreadable, or outside what the kernel allows (301 .. 2^22). */
	if (v <= 300 || v > SUP_VPID_LIMIT + 1)
		v = SUP_VPID_LIMIT + 1;
	s->vpid_max = (int32_t)(v - 1);
	if (s->opt.first_pid >= s->vpid_max)
		s->vpid_max = SUP_VPID_LIMIT;
	return s->vpid_max;
}

/*
 * Linux numbers a process when it forks, so do we: the shims take vpids
 * from the shared counter right before their real fork (no round trip), and
 * the supervisor's own allocations (the command, FORK for posix_spawn and
 * fallbacks, lazy registrations) take theirs from the same counter, so the
 * numbers follow creation order.  The counter hands out a run of ids
 * (core/proto.h): first [first_pid, vpid_max], then, when a run is used
 * up, the next run of free ids the engine finds from its cursor on
 * (procs_vc_rearm, eng_reserve_run: wrapping past vpid_max to 300, as
 * Linux's pids wrap at pid_max).  A shim cannot see which ids are still in
 * use; the engine can, so it is the engine that chooses each run, and the
 * shims only count through it.  The shim that finds a run used up asks
 * with FORK, which arms the next.  Retired (max 0 for good, the engine
 * allocating every id) only when the engine refuses an id of a run
 * (EINVAL: a test's engine with a smaller vpid_max).
 */
struct proto_vpids *procs_vc(struct sup *s)
{
	if (!s->vc) {
		s->vc = &s->vc_local;
		atomic_store(&s->vc->run, proto_vpids_pack(s->opt.first_pid, sup_vpid_max(s)));
	}
	return s->vc;
}

/* No run: takes answer 0, and the next stays for reads of ns_last_pid. */
static void procs_vc_empty(struct sup *s, int32_t next)
{
	atomic_store(&procs_vc(s)->run, proto_vpids_pack(next, 0));
}

static void procs_vc_retire(struct sup *s)
{
	s->vc_retired = true;
	procs_vc_empty(s, proto_vpids_next(atomic_load(&procs_vc(s)->run)));
}

/* The run is used up (or emptied by LASTPID): arm the next from the
 * engine.  True when the counter has ids again (a give-back may have
 * refilled it meanwhile); false when no id is free.  A run whose arming
 * lost the race to a give-back is left unused: a gap, as Linux's numbering
 * has where ids were skipped. */
static bool procs_vc_rearm(struct sup *s)
{
	struct proto_vpids *vc = procs_vc(s);
	uint64_t run = atomic_load(&vc->run);
	int32_t first, count;

	if (proto_vpids_left(run))
		return true;
	/* Every id of the used-up run was handed out, but the last ones may
	 * not be bound yet (their BINDs still on the way, the asker's FORK
	 * overtaking them): the engine's cursor may still be below them.
	 * The next run starts past the old one's end. */
	if (proto_vpids_max(run) > eng_last_pid(s->eng))
		eng_set_last_pid(s->eng, proto_vpids_max(run));
	if (eng_reserve_run(s->eng, INT32_MAX, &first, &count) < 0)
		return false;
	s->vc_wrapped = true;
	if (!atomic_compare_exchange_strong(&vc->run, &run, proto_vpids_pack(first, first + count - 1)))
		return proto_vpids_left(run);
	return true;
}

/*
 * The real process group that mirrors virtual group vpgid.  Every group is
 * created real with its leader (the command's by run.c, the others by the
 * shim's mirror of setpgid(x, x), setsid and spawn's SETPGROUP 0), so
 * while the leader is in the model (a zombie too) its rpid is the group's
 * real id: no /proc read on a shell's job launch.  A group that outlived
 * its leader: the real group of a member, from /proc.  `target` (0 none) is
 * the process being moved: a new group (vpgid == target) is its own rpid,
 * and its current real group is no answer.  0 when none is known.
 */
pid_t procs_group_rpgid(struct sup *s, int32_t vpgid, int32_t target)
{
	struct eng_pinfo pi;
	struct sysio_stat st;
	int64_t rpid;

	if (vpgid <= 1)
		return 0;
	rpid = eng_vpid_to_rpid(s->eng, vpgid);
	if (vpgid == target)
		return rpid > 0 ? (pid_t)rpid : 0;
	if (rpid > 0 && eng_info(s->eng, vpgid, &pi) == 0 && pi.pgid == vpgid)
		return (pid_t)rpid;
	for (int32_t v = eng_next(s->eng, 2); v > 0; v = eng_next(s->eng, v + 1)) {
		if (v == target || eng_info(s->eng, v, &pi) < 0 || pi.pgid != vpgid || pi.rpid <= 0)
			continue;
		if (sysio_stat((pid_t)pi.rpid, &st) == 0)
			return st.pgrp;
	}
	return 0;
}

/* After an allocation by the engine on a retired counter: the counter's
 * next tells reads of ns_last_pid the last vpid handed out (shim/procfs.c;
 * take() answers 0 while max is 0, whatever next holds). */
static void procs_vc_publish(struct sup *s)
{
	if (s->vc_retired)
		procs_vc_empty(s, eng_last_pid(s->eng) + 1);
}

/*
 * LASTPID: a process of the tree wrote `last` to ns_last_pid, and the
 * kernel took it.  Linux's next pid is then the lowest free one above
 * `last`; so is the tree's next vpid.  The counter's run is emptied (its
 * next reads as last + 1); the next fork asks with FORK, and the run armed
 * then starts at the lowest free id above `last` (procs_vc_rearm).  A fork
 * that took its vpid from the counter before and has not bound it yet
 * keeps it (its BIND creates it); the engine sees that id in use only
 * from then.  EINVAL past the engine's vpid_max.
 */
int procs_set_last_pid(struct sup *s, int32_t caller, int32_t last)
{
	int rc = eng_set_last_pid(s->eng, last);

	if (rc < 0)
		return rc;
	s->vc_wrapped = true; /* ids above `last` may have been handed out */
	procs_vc_empty(s, last + 1);
	if (trace_on(&s->trace)) {
		trace_begin(&s->trace, "last_pid", caller, eng_vpid_to_rpid(s->eng, caller));
		trace_int(&s->trace, "last", last);
		trace_end(&s->trace, "last_pid: pid %d wrote %d to ns_last_pid: the next vpid is the lowest free one above it",
			  (int)caller, (int)last);
	}
	return 0;
}

bool procs_vpid_handed(struct sup *s, int32_t vpid)
{
	if (vpid < 2 || vpid > sup_vpid_max(s))
		return false;
	return s->vc_retired || s->vc_wrapped || vpid < proto_vpids_next(atomic_load(&procs_vc(s)->run));
}

int procs_fork_at(struct sup *s, int32_t parent, int32_t vpid)
{
	int rc = eng_fork_at(s->eng, parent, vpid, &s->fx);

	if (rc == 0 && !procs_add(s, vpid)) {
		sup_fork_abort(s, vpid);
		rc = -ENOMEM;
	}
	return rc;
}

int procs_fork(struct sup *s, int32_t parent, int32_t *child)
{
	struct proto_vpids *vc = procs_vc(s);
	struct eng_pinfo pi;
	int rc;

	/* Refuse before taking an id: a failed fork leaves no gap. */
	if (eng_info(s->eng, parent, &pi) < 0 || pi.state == ENG_P_ZOMBIE)
		return -ESRCH;
	for (int rearms = 0; !s->vc_retired;) {
		int32_t v = proto_vpids_take(vc);

		if (v == 0) {
			/* Used up: the next run (bounded: each run's first id
			 * was no thread's when the engine chose it). */
			if (++rearms > 64 || !procs_vc_rearm(s))
				break;
			continue;
		}
		if (v > sup_vpid_max(s)) {
			procs_vc_retire(s);
			break;
		}
		if (procs_id_is_thread(v))
			continue; /* a live thread's id (proto_vpids_take_free) */
		rc = eng_fork_at(s->eng, parent, v, &s->fx);
		if (rc == -EEXIST)
			continue; /* taken by hand (a test's engine): the next one */
		if (rc == -EINVAL) {
			procs_vc_retire(s); /* past the engine's own vpid_max */
			break;
		}
		if (rc < 0)
			return rc;
		if (!procs_add(s, v)) {
			sup_fork_abort(s, v);
			return -ENOMEM;
		}
		*child = v;
		return 0;
	}
	rc = eng_fork(s->eng, parent, child, &s->fx);
	if (rc == 0 && !procs_add(s, *child)) {
		sup_fork_abort(s, *child);
		rc = -ENOMEM;
	}
	if (rc == 0)
		procs_vc_publish(s);
	return rc;
}

/* ---- lazy registration ------------------------------------------------------ */

#define PROCS_CHAIN_MAX 64

/*
 * A process registered lazily was made by code the shim does not reach
 * (a set-id or static image's fork the tracer did not number, ...), and
 * so were its own setsid and setpgid: a real session or group it leads is
 * taken into the model as the same call would have made it.  Only those
 * it leads -- a group it joined is named after a process the model may
 * not know.
 */
static void lead_as_real(struct sup *s, int32_t v, pid_t rpid, const struct sysio_stat *st)
{
	if (st->sid == rpid) {
		if (eng_setsid(s->eng, v, &s->fx) >= 0)
			eng_session_set_kernel(s->eng, v, true);
	} else if (st->pgrp == rpid) {
		(void)eng_setpgid(s->eng, v, 0, 0, &s->fx);
	}
}

int32_t procs_register(struct sup *s, pid_t rpid)
{
	pid_t chain[PROCS_CHAIN_MAX];
	struct sysio_stat stats[PROCS_CHAIN_MAX];
	size_t n = 0;
	pid_t r = rpid;
	int32_t v;
	struct eng_pinfo pi;

	/* Walk up the real parents until a known process: the peer must be a
	 * descendant of the supervisor (its chain reaches a known process),
	 * and none of our helpers' (the tracer's doorbell child is the
	 * tracer's: where real ids are small, a tree program's kill(5) of a
	 * vpid it had reaped named it by its real pid, and the tracer and
	 * its doorbell joined the tree). */
	for (;;) {
		struct sysio_stat st;
		v = eng_rpid_to_vpid(s->eng, r);
		/* A model zombie holding r is stale (r is alive: the kernel reused
		 * the pid); eng_bind drops that binding when r is registered. */
		if (v > 0 && eng_info(s->eng, v, &pi) == 0 && pi.state != ENG_P_ZOMBIE)
			break;
		if (n == PROCS_CHAIN_MAX || sup_helper_child(r) || sysio_stat(r, &st) < 0 || st.ppid <= 0)
			return -EPERM;
		/* A thread's id: /proc/<tid>/stat reads like a process whose
		 * parent is its process's.  Registered, kill(tid, 0) made it a
		 * process of the tree, adopted by init. */
		if (n == 0 && sysio_tgid(r) != r)
			return -ESRCH;
		stats[n] = st;
		chain[n++] = r;
		r = st.ppid;
	}
	while (n > 0) {
		int32_t child;
		int rc;

		s->how = "lazy";
		rc = procs_fork(s, v, &child);
		if (rc < 0) {
			eng_fx_clear(&s->fx);
			s->how = NULL;
			return rc;
		}
		rc = procs_bind(s, child, chain[--n]);
		if (rc >= 0)
			lead_as_real(s, child, chain[n], &stats[n]);
		effects_apply(s, 0);
		s->how = NULL;
		if (rc < 0) {
			sup_fork_abort(s, child);
			procs_forget(s, child);
			return rc;
		}
		struct sup_proc *p = procs_find(s, child);
		if (p)
			p->by_rpid = true;
		v = child;
	}
	return v;
}

/*
 * Orphans no one numbered: real children of ours (the subreaper) the
 * model does not know, made by code the shim does not reach -- the daemon
 * a set-id image forked (ssh-agent) once that image has exited.  `ps`
 * lists them natively, so a listing of /proc registers them first
 * (procview_list), as a HELLO or a kill of their real pid would.  A
 * preloaded one is left to name itself: an orphan whose parent died
 * between its fork and its BIND holds a vpid from the counter, which its
 * HELLO claims (clients.c, identify).
 */
void procs_adopt_orphans(struct sup *s)
{
	pid_t *kids = NULL;
	size_t kcap = 0;
	int n = sysio_children_all(s->self_rpid, &kids, &kcap, 4096);

	for (int i = 0; i < n; i++) {
		pid_t r = kids[i];
		struct sysio_stat st;

		if (sup_helper_child(r) || eng_rpid_to_vpid(s->eng, r) > 0 || sysio_stat(r, &st) < 0 ||
		    st.state == 'Z' || st.state == 'X' || st.ppid != s->self_rpid ||
		    sysio_maps_has(r, "/libjobshim.so"))
			continue;
		(void)procs_register(s, r);
	}
	free(kids);
}

/* ---- sweep ---------------------------------------------------------------- */

bool procs_sweep_needed(struct sup *s)
{
	struct eng_stats st;

	eng_stats(s->eng, &st);
	return st.nzombie > 0 || s->nstale > 0;
}

/* Zombies of the model whose real parent reaped them without a REAPED
 * message (static binaries, SIGCHLD ignored), and reservations whose parent
 * died before binding them, are collected here. */
void procs_sweep(struct sup *s)
{
	int64_t now = sup_now();
	struct eng_pinfo pi;

	/* REAPED records already written (the event FIFO is read on the
	 * timer while busy, or may be ready in the same epoll batch as the
	 * timer): a zombie its parent has reaped is the parent's reap, not
	 * ours to sweep. */
	events_drain(s);

	for (int32_t v = eng_next(s->eng, 2); v > 0; v = eng_next(s->eng, v + 1)) {
		struct sysio_stat st;
		struct sup_proc *p;

		if (eng_info(s->eng, v, &pi) < 0)
			continue;
		if (pi.state == ENG_P_ZOMBIE) {
			if (pi.rpid > 0 && sysio_stat((pid_t)pi.rpid, &st) == 0 && st.state == 'Z')
				continue; /* still a real zombie: its parent will reap it */
			s->how = "sweep";
			procs_reap(s, pi.ppid, v);
			s->how = NULL;
			continue;
		}
		p = procs_find(s, v);
		if (pi.rpid != 0 || !p || !p->stale_since || now - p->stale_since < 2 * SUP_SWEEP_NS)
			continue;
		/* Nobody will fork it any more: its reserving parent is gone. */
		if (sup_fork_abort(s, v) == 0) {
			procs_forget(s, v);
		} else {
			procs_exit(s, v, 0, false, "never bound");
			if (eng_info(s->eng, v, &pi) == 0) {
				s->how = "sweep";
				procs_reap(s, pi.ppid, v);
				s->how = NULL;
			}
		}
	}
}
