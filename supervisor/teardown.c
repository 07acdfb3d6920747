/* teardown.c — the end of a run: leftovers, --timeout, signals to jobshim, SIGTERM then SIGKILL. */
#include "sup.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * "The tree" is every live model process plus every real descendant of the
 * supervisor found through /proc/<pid>/task/<tid>/children (unknown ones
 * are registered lazily on the way, so that they get a vpid and a pidfd).
 * Because the supervisor is a child subreaper, once it has no real child
 * left the tree is empty: that is the end condition of every phase.
 *
 * Phases (struct sup.phase):
 *   RUN     the command runs;
 *   SETTLE  the command is gone; exits already in flight get --settle
 *           to be collected (the loop ends at once if the tree empties),
 *           more while the rest is visibly busy (settle_busy), up to
 *           SUP_SETTLE_MAX times that; then whoever is still running and
 *           not already dying is a leftover (docs/jobshim.1, LEFTOVERS);
 *   WAIT    --wait: the command is gone, the rest may finish on its own;
 *   TERM    the tree got SIGTERM (teardown, --timeout) or the forwarded signal;
 *           at the deadline (--grace later) the rest gets SIGKILL;
 *   KILL    SIGKILL again every tick until no child remains (a process may
 *           still fork between our scan and its death);
 *   DONE    the loop ends.
 *
 * Signals go through pidfds only, never to a pid number read from /proc: a
 * descendant that could not be registered is pinned by a pidfd and checked
 * to be still below us before it joins the list.
 */

struct td_raw {
	pid_t rpid;
	int pidfd;      /* pins the process: signals go here */
};

struct td_list {
	int32_t *vpids; /* live tree processes with a vpid */
	size_t n, cap;
	struct td_raw *raw; /* descendants that could not be registered */
	size_t nraw, capraw;
};

/* Duplicates are removed once the list is complete (dedup_vpids): a scan
 * per push made each teardown tick quadratic in the tree's size. */
static void push_vpid(struct td_list *l, int32_t v)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		int32_t *nv = realloc(l->vpids, cap * sizeof(*nv));
		if (!nv)
			return;
		l->vpids = nv;
		l->cap = cap;
	}
	l->vpids[l->n++] = v;
}

/* r was read from parent's children file.  Pin it, then make sure the
 * pinned process is still that child (or was passed up to a process of
 * the tree when parent exited): a pid reused meanwhile by a process
 * elsewhere is never added. */
static void push_raw(struct sup *s, struct td_list *l, pid_t r, pid_t parent)
{
	struct sysio_stat st;
	int fd = sysio_pidfd_open(r);

	if (fd < 0)
		return;
	if (sysio_stat(r, &st) < 0 ||
	    (st.ppid != parent && st.ppid != s->self_rpid && eng_rpid_to_vpid(s->eng, st.ppid) <= 1)) {
		close(fd);
		return;
	}
	if (l->nraw == l->capraw) {
		size_t cap = l->capraw ? 2 * l->capraw : 16;
		struct td_raw *nr = realloc(l->raw, cap * sizeof(*nr));
		if (!nr) {
			close(fd);
			return;
		}
		l->raw = nr;
		l->capraw = cap;
	}
	l->raw[l->nraw].rpid = r;
	l->raw[l->nraw++].pidfd = fd;
}

static int cmp_vpid(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

/* Sorted by vpid (the report's order) and each once. */
static void dedup_vpids(struct td_list *l)
{
	size_t k = 0;

	if (l->n < 2)
		return;
	qsort(l->vpids, l->n, sizeof(*l->vpids), cmp_vpid);
	for (size_t i = 0; i < l->n; i++)
		if (k == 0 || l->vpids[k - 1] != l->vpids[i])
			l->vpids[k++] = l->vpids[i];
	l->n = k;
}

static void list_free(struct td_list *l)
{
	for (size_t i = 0; i < l->nraw; i++)
		close(l->raw[i].pidfd);
	free(l->vpids);
	free(l->raw);
	memset(l, 0, sizeof(*l));
}

/* Real descendants, breadth first (parents before children, so a lazy
 * registration never has to climb far). */
static void scan_real(struct sup *s, struct td_list *l)
{
	struct td_raw *queue = NULL; /* rpid = a descendant, pidfd = its parent's rpid */
	size_t head = 0, len = 0, cap = 0;
	pid_t *kids = NULL; /* all of a process's children: a test harness has thousands */
	size_t kcap = 0;
	pid_t r = s->self_rpid, parent;
	bool descend = true;

	for (;;) {
		int nk = descend ? sysio_children_all(r, &kids, &kcap, SIZE_MAX) : 0;
		for (int i = 0; i < nk; i++) {
			if (r == s->self_rpid && sup_helper_child(kids[i]))
				continue; /* our tracer, the init stand-in: not of the tree */
			if (len == cap) {
				size_t ncap = cap ? 2 * cap : 128;
				struct td_raw *nq = realloc(queue, ncap * sizeof(*nq));
				if (!nq)
					break;
				queue = nq;
				cap = ncap;
			}
			queue[len].rpid = kids[i];
			queue[len++].pidfd = r;
		}
		if (head == len)
			break;
		parent = queue[head].pidfd;
		r = queue[head++].rpid;
		descend = true;
		{
			struct sysio_stat st;
			struct eng_pinfo pi;
			int32_t v;

			/* A zombie main thread with others still running is a
			 * live process. */
			if (sysio_stat(r, &st) < 0 || ((st.state == 'Z' || st.state == 'X') && st.nthreads <= 1))
				continue;
			/* A nested supervisor's tree is its own until the
			 * SIGKILL ticks (TERM/KILL phase): nest.c. */
			if ((s->phase == SUP_PH_RUN || s->phase == SUP_PH_SETTLE || s->phase == SUP_PH_WAIT) &&
			    nest_is_inner(s, r, st.start))
				descend = false;
			v = eng_rpid_to_vpid(s->eng, r);
			if (v <= 1 || eng_info(s->eng, v, &pi) < 0 || pi.state == ENG_P_ZOMBIE)
				v = procs_register(s, r);
			if (v > 1)
				push_vpid(l, v);
			else
				push_raw(s, l, r, parent);
		}
	}
	free(queue);
	free(kids);
}

static void collect(struct sup *s, struct td_list *l)
{
	struct eng_pinfo pi;

	scan_real(s, l);
	for (int32_t v = eng_next(s->eng, 2); v > 0; v = eng_next(s->eng, v + 1)) {
		struct sup_proc *p = procs_find(s, v);
		struct pollfd pfd;

		/* One without a pidfd (procs.c, unwatched) is pinned now if a
		 * descriptor is free: the signals go through it. */
		if (!p || p->exited || eng_info(s->eng, v, &pi) < 0 || pi.state == ENG_P_ZOMBIE ||
		    !procs_pinned(s, v))
			continue;
		/* Dead but not processed yet: let the model see the exit first. */
		pfd.fd = p->pidfd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 0) > 0) {
			procs_pidfd_ready(s, v);
			continue;
		}
		push_vpid(l, v);
	}
	dedup_vpids(l);
}

static void signal_list(struct sup *s, const struct td_list *l, int sig)
{
	for (size_t i = 0; i < l->n; i++)
		procs_signal(s, l->vpids[i], sig);
	for (size_t i = 0; i < l->nraw; i++)
		sysio_pidfd_signal(l->raw[i].pidfd, sig);
	/* While the command lives its real group is ours: this also reaches a
	 * child forked after the scan.  Once it is reaped the id could be
	 * reused, so never after. */
	if (!s->cmd_reaped && s->cmd_rpid > 0)
		kill(-s->cmd_rpid, sig);
}

/* SIGTERM, and SIGCONT so that a stopped process acts on it. */
static void terminate(struct sup *s, const struct td_list *l, const char *reason)
{
	if (trace_on(&s->trace)) {
		trace_begin(&s->trace, "teardown", 0, 0);
		trace_str(&s->trace, "reason", reason);
		trace_str(&s->trace, "signal", "SIGTERM");
		trace_int(&s->trace, "processes", (int64_t)(l->n + l->nraw));
		trace_end(&s->trace, "teardown (%s): SIGTERM to %zu process(es)", reason, l->n + l->nraw);
	}
	signal_list(s, l, SIGTERM);
	signal_list(s, l, SIGCONT);
	s->phase = SUP_PH_TERM;
	s->deadline = sup_now() + s->opt.grace_ns;
}

/* Report the leftovers of l: the processes not already dying (sysio_dying).
 * Returns how many were reported. */
static size_t report(struct sup *s, const struct td_list *l)
{
	char cmdline[512];
	struct eng_pinfo pi;
	size_t nrep = 0;

	trace_flush(&s->trace); /* keep a text trace on stderr in order */
	for (size_t i = 0; i < l->n; i++) {
		if (eng_info(s->eng, l->vpids[i], &pi) < 0 || sysio_dying((pid_t)pi.rpid))
			continue;
		nrep++;
		sysio_cmdline((pid_t)pi.rpid, cmdline, sizeof(cmdline));
		fprintf(stderr, "jobshim: leftover: pid %d (real %lld) sid %d pgid %d: %s\n", (int)pi.vpid,
			(long long)pi.rpid, (int)pi.sid, (int)pi.pgid, cmdline);
		if (trace_on(&s->trace)) {
			trace_begin(&s->trace, "leftover", pi.vpid, pi.rpid);
			trace_int(&s->trace, "pgid", pi.pgid);
			trace_int(&s->trace, "sid", pi.sid);
			trace_int(&s->trace, "ppid", pi.ppid);
			trace_str(&s->trace, "cmdline", cmdline);
			trace_end(&s->trace, "leftover: pid %d (real %lld) sid %d pgid %d: %s", (int)pi.vpid,
				  (long long)pi.rpid, (int)pi.sid, (int)pi.pgid, cmdline);
		}
	}
	for (size_t i = 0; i < l->nraw; i++) {
		pid_t r = l->raw[i].rpid;

		if (sysio_dying(r))
			continue;
		nrep++;
		sysio_cmdline(r, cmdline, sizeof(cmdline));
		fprintf(stderr, "jobshim: leftover: pid ? (real %d) sid ? pgid ?: %s\n", (int)r, cmdline);
		if (trace_on(&s->trace)) {
			trace_begin(&s->trace, "leftover", 0, r);
			trace_str(&s->trace, "cmdline", cmdline);
			trace_end(&s->trace, "leftover: real pid %d: %s", (int)r, cmdline);
		}
	}
	s->nleftover += nrep;
	return nrep;
}

bool teardown_no_children(struct sup *s)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	pid_t kids[4];
	int n;

	while (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) < 0) {
		if (errno != EINTR)
			return errno == ECHILD;
	}
	/* Our tracer (tracer_sup.c), the init stand-in (initproxy.c) and
	 * the guard (guard.c) live until the end: they do not count. */
	if (si.si_pid != 0 || (tracer_pid() <= 0 && initproxy_pid() <= 0 && guard_pid() <= 0))
		return false;
	n = sysio_children(s->self_rpid, kids, 4);
	if (n <= 0 || n > 3)
		return false;
	for (int i = 0; i < n; i++)
		if (!sup_helper_child(kids[i]))
			return false;
	return true;
}

/* Is the rest of the tree still at work: a process running or waiting for
 * a CPU (R) or a disk (D), or -- since the last look -- one gone or new, or
 * CPU time used?  A leaked daemon sleeps.  Remembers what it saw. */
static bool settle_busy(struct sup *s, const struct td_list *l)
{
	unsigned long long cpu = 0;
	size_t n = 0;
	bool busy = false;

	for (size_t i = 0; i < l->n + l->nraw; i++) {
		struct eng_pinfo pi;
		struct sysio_stat st;
		pid_t r;

		if (i < l->n)
			r = eng_info(s->eng, l->vpids[i], &pi) == 0 ? (pid_t)pi.rpid : 0;
		else
			r = l->raw[i - l->n].rpid;
		if (r <= 0 || sysio_dying(r) || sysio_stat(r, &st) < 0)
			continue;
		n++;
		cpu += st.cpu;
		if (st.state == 'R' || st.state == 'D')
			busy = true;
	}
	if (s->settle_seen && (n != s->settle_n || cpu != s->settle_cpu))
		busy = true;
	s->settle_seen = true;
	s->settle_n = n;
	s->settle_cpu = cpu;
	return busy;
}

/* The first look, at the command's exit: what settle_busy compares with. */
static void settle_look(struct sup *s)
{
	struct td_list l = {0};

	collect(s, &l);
	settle_busy(s, &l);
	list_free(&l);
}

/* The command was reaped.  A process that its end set dying (killed, a
 * stopped group orphaned, a helper reading EOF from the command's pipe) is
 * not a leak: give the tree --settle before anything is counted. */
void teardown_command_done(struct sup *s)
{
	term_restore(s);
	if (s->opt.end == SUP_END_WAIT) {
		s->phase = SUP_PH_WAIT;
		return;
	}
	s->phase = SUP_PH_SETTLE;
	s->deadline = sup_now() + s->opt.settle_ns;
	s->settle_cap = sup_now() + SUP_SETTLE_MAX * s->opt.settle_ns;
	s->settle_seen = false;
	settle_look(s);
}

/* The settle time is over and the tree is not empty: report what still
 * runs, then tear it down (or leave it, --keep). */
static void settled(struct sup *s)
{
	struct td_list l = {0};
	size_t nrep;

	collect(s, &l);
	if (l.n + l.nraw > 0 && sup_now() < s->settle_cap && settle_busy(s, &l)) {
		s->deadline = sup_now() + SUP_SETTLE_STEP_NS;
		list_free(&l);
		return;
	}
	nrep = report(s, &l);
	if (l.n + l.nraw == 0) {
		s->phase = SUP_PH_DONE;
	} else if (s->opt.end == SUP_END_KEEP) {
		if (nrep > 0)
			fprintf(stderr, "jobshim: leaving %zu process(es) running (--keep)\n", nrep);
		s->phase = SUP_PH_DONE;
	} else if (nrep == 0) {
		/* Only dying ones: no report, no SIGTERM; wait for them (and
		 * make sure) in the KILL phase. */
		signal_list(s, &l, SIGKILL);
		s->phase = SUP_PH_KILL;
		s->deadline = sup_now() + SUP_KILL_TICK_NS;
	} else {
		terminate(s, &l, "exit");
	}
	list_free(&l);
}

void teardown_timeout(struct sup *s)
{
	struct td_list l = {0};

	trace_flush(&s->trace);
	fprintf(stderr, "jobshim: timed out; terminating the tree\n");
	s->exit_code = 124;
	collect(s, &l);
	terminate(s, &l, "timeout");
	list_free(&l);
}

/* A signal from outside: forward it to the command's real group and to the
 * processes that left that group (escapers), then give the tree the grace
 * period before SIGKILL.  A second signal kills at once. */
void teardown_signal(struct sup *s, int sig, pid_t sender)
{
	struct td_list l = {0};
	char name[32];

	trace_signame(sig, name, sizeof(name));
	if (s->phase == SUP_PH_TERM || s->phase == SUP_PH_KILL) {
		s->deadline = 0;
		teardown_tick(s);
		return;
	}
	if (s->exit_code < 0)
		s->exit_code = 128 + sig;
	collect(s, &l);
	if (trace_on(&s->trace)) {
		trace_begin(&s->trace, "teardown", 0, 0);
		trace_str(&s->trace, "reason", "signal");
		trace_str(&s->trace, "signal", name);
		trace_int(&s->trace, "sender_rpid", sender);
		trace_int(&s->trace, "processes", (int64_t)(l.n + l.nraw));
		trace_end(&s->trace, "teardown (signal): %s from real pid %d forwarded to %zu process(es)",
			  name, (int)sender, l.n + l.nraw);
	}
	if (!s->cmd_reaped && s->cmd_rpid > 0)
		kill(-s->cmd_rpid, sig);
	for (size_t i = 0; i < l.n; i++) {
		struct eng_pinfo pi;
		struct sysio_stat st;
		if (eng_info(s->eng, l.vpids[i], &pi) == 0 &&
		    (s->cmd_reaped || sysio_stat((pid_t)pi.rpid, &st) < 0 || st.pgrp != s->cmd_rpid))
			procs_signal(s, l.vpids[i], sig);
	}
	for (size_t i = 0; i < l.nraw; i++)
		sysio_pidfd_signal(l.raw[i].pidfd, sig);
	term_restore(s);
	s->phase = SUP_PH_TERM;
	s->deadline = sup_now() + s->opt.grace_ns;
	list_free(&l);
}

void teardown_tick(struct sup *s)
{
	struct td_list l = {0};

	if (s->phase == SUP_PH_SETTLE) {
		settled(s);
		return;
	}
	collect(s, &l);
	if (s->phase != SUP_PH_KILL && l.n + l.nraw > 0) {
		trace_flush(&s->trace);
		fprintf(stderr, "jobshim: killing %zu process(es) still running after the grace period\n",
			l.n + l.nraw);
		if (trace_on(&s->trace)) {
			trace_begin(&s->trace, "teardown", 0, 0);
			trace_str(&s->trace, "reason", "grace");
			trace_str(&s->trace, "signal", "SIGKILL");
			trace_int(&s->trace, "processes", (int64_t)(l.n + l.nraw));
			trace_end(&s->trace, "teardown (grace over): SIGKILL to %zu process(es)", l.n + l.nraw);
		}
	}
	signal_list(s, &l, SIGKILL);
	s->phase = SUP_PH_KILL;
	s->deadline = sup_now() + SUP_KILL_TICK_NS;
	list_free(&l);
}
