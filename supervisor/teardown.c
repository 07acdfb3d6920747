/* teardown.c — the end of a run: leftovers, --timeout, signals to jobshim, SIGTERM then SIGKILL. */
#include "sup.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

/*
 * "The tree" is every live model process plus every real descendant of the
 * supervisor found through /proc/<pid>/task/<tid>/children (unknown ones
 * are registered lazily on the way, so that they get a vpid and a pidfd).
 * Because the supervisor is a child subreaper, once it has no real child
 * left the tree is empty: that is the end condition of every phase.
 *
 * Phases (struct sup.phase):
 *   RUN   the command runs;
 *   WAIT  --wait: the command is gone, the rest may finish on its own;
 *   TERM  the tree got SIGTERM (teardown, --timeout) or the forwarded signal;
 *         at the deadline (--grace later) the rest gets SIGKILL;
 *   KILL  SIGKILL again every tick until no child remains (a process may
 *         still fork between our scan and its death);
 *   DONE  the loop ends.
 */

struct td_list {
	int32_t *vpids; /* live tree processes with a vpid */
	size_t n, cap;
	pid_t *raw;     /* descendants that could not be registered: plain kill() */
	size_t nraw, capraw;
};

static void push_vpid(struct td_list *l, int32_t v)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->vpids[i] == v)
			return;
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

static void push_raw(struct td_list *l, pid_t r)
{
	if (l->nraw == l->capraw) {
		size_t cap = l->capraw ? 2 * l->capraw : 16;
		pid_t *nr = realloc(l->raw, cap * sizeof(*nr));
		if (!nr)
			return;
		l->raw = nr;
		l->capraw = cap;
	}
	l->raw[l->nraw++] = r;
}

static void list_free(struct td_list *l)
{
	free(l->vpids);
	free(l->raw);
	memset(l, 0, sizeof(*l));
}

/* Real descendants, breadth first (parents before children, so a lazy
 * registration never has to climb far). */
static void scan_real(struct sup *s, struct td_list *l)
{
	pid_t *queue = NULL;
	size_t head = 0, len = 0, cap = 0;
	pid_t kids[512];
	pid_t r = s->self_rpid;
	bool descend = true;

	for (;;) {
		int nk = descend ? sysio_children(r, kids, 512) : 0;
		for (int i = 0; i < nk; i++) {
			if (len == cap) {
				size_t ncap = cap ? 2 * cap : 128;
				pid_t *nq = realloc(queue, ncap * sizeof(*nq));
				if (!nq)
					break;
				queue = nq;
				cap = ncap;
			}
			queue[len++] = kids[i];
		}
		if (head == len)
			break;
		r = queue[head++];
		descend = true;
		{
			struct sysio_stat st;
			struct eng_pinfo pi;
			int32_t v;

			if (sysio_stat(r, &st) < 0 || st.state == 'Z' || st.state == 'X')
				continue;
			/* A nested supervisor's tree is its own until the
			 * SIGKILL ticks (TERM/KILL phase): nest.c. */
			if ((s->phase == SUP_PH_RUN || s->phase == SUP_PH_WAIT) &&
			    nest_is_inner(s, r, st.start))
				descend = false;
			v = eng_rpid_to_vpid(s->eng, r);
			if (v <= 1 || eng_info(s->eng, v, &pi) < 0 || pi.state == ENG_P_ZOMBIE)
				v = procs_register(s, r);
			if (v > 1)
				push_vpid(l, v);
			else
				push_raw(l, r);
		}
	}
	free(queue);
}

static void collect(struct sup *s, struct td_list *l)
{
	struct eng_pinfo pi;

	scan_real(s, l);
	for (int32_t v = eng_next(s->eng, 2); v > 0; v = eng_next(s->eng, v + 1)) {
		struct sup_proc *p = procs_find(s, v);
		struct pollfd pfd;

		if (!p || p->pidfd < 0 || eng_info(s->eng, v, &pi) < 0 || pi.state == ENG_P_ZOMBIE)
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
}

static void signal_list(struct sup *s, const struct td_list *l, int sig)
{
	for (size_t i = 0; i < l->n; i++)
		procs_signal(s, l->vpids[i], sig);
	for (size_t i = 0; i < l->nraw; i++)
		kill(l->raw[i], sig);
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

static void report(struct sup *s, const struct td_list *l)
{
	char cmdline[512];
	struct eng_pinfo pi;

	trace_flush(&s->trace); /* keep a text trace on stderr in order */
	for (size_t i = 0; i < l->n; i++) {
		if (eng_info(s->eng, l->vpids[i], &pi) < 0)
			continue;
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
		sysio_cmdline(l->raw[i], cmdline, sizeof(cmdline));
		fprintf(stderr, "jobshim: leftover: pid ? (real %d) sid ? pgid ?: %s\n", (int)l->raw[i],
			cmdline);
		if (trace_on(&s->trace)) {
			trace_begin(&s->trace, "leftover", 0, l->raw[i]);
			trace_str(&s->trace, "cmdline", cmdline);
			trace_end(&s->trace, "leftover: real pid %d: %s", (int)l->raw[i], cmdline);
		}
	}
	s->nleftover += l->n + l->nraw;
}

bool teardown_no_children(struct sup *s)
{
	siginfo_t si;

	(void)s;
	memset(&si, 0, sizeof(si));
	while (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) < 0) {
		if (errno != EINTR)
			return errno == ECHILD;
	}
	return false;
}

void teardown_command_done(struct sup *s)
{
	struct td_list l = {0};

	term_restore(s);
	if (s->opt.end == SUP_END_WAIT) {
		s->phase = SUP_PH_WAIT;
		return;
	}
	collect(s, &l);
	report(s, &l);
	if (l.n + l.nraw == 0 || s->opt.end == SUP_END_KEEP) {
		if (l.n + l.nraw > 0)
			fprintf(stderr, "jobshim: leaving %zu process(es) running (--keep)\n", l.n + l.nraw);
		s->phase = SUP_PH_DONE;
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
		kill(l.raw[i], sig);
	term_restore(s);
	s->phase = SUP_PH_TERM;
	s->deadline = sup_now() + s->opt.grace_ns;
	list_free(&l);
}

void teardown_tick(struct sup *s)
{
	struct td_list l = {0};

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
