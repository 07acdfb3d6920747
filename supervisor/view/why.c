/* why.c — `jobshim why VPID TRACE`: every signal a process received, and why, in words. */
#include "view.h"
#include "tjson.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The trace is replayed from the top, keeping just enough of the model
 * (each process's group, session, command and whether it is still alive)
 * to name things and to find the targets of a signal when the kill event
 * does not list them all ("to" is capped, docs/trace.md).  Signals come
 * from three places in a trace: a kill event (a tree process called kill,
 * killpg, raise, ...), an orphan event (the kernel's SIGHUP+SIGCONT to a
 * newly orphaned group with stopped members) and a teardown event
 * (jobshim ending the run).  Signals the kernel or a terminal send (SIGCHLD,
 * SIGPIPE, ^C, SIGTTIN) are not in the trace, and the last line says so.
 */

#define WHY_EXIT_USAGE 125
#define WHY_MAX_VPID (1 << 22) /* a trace naming a larger vpid is not ours */

struct why_proc {
	int32_t parent, pgid, sid; /* as of the event being read */
	bool seen;                 /* forked (or otherwise named) already */
	bool exited;               /* a zombie or gone: signals have no effect */
	bool reaped;               /* gone: no longer a target of any kill */
	char cmd[48];              /* basename of the last exec, or the parent's */
};

struct why {
	int32_t vpid;              /* the process asked about */
	struct why_proc *p;        /* indexed by vpid, grown on demand */
	size_t np;
	unsigned nsig;             /* signals it received, so far */
	bool named;                /* it appears in the trace at all */
};

/* The entry of `vpid`; unknown ones read as a zeroed entry.  Never moves
 * the table (only proc_make does), so pointers from it stay valid. */
static struct why_proc *proc(struct why *w, int64_t vpid)
{
	static struct why_proc none;

	if (vpid <= 0 || (size_t)vpid >= w->np)
		return memset(&none, 0, sizeof(none));
	return &w->p[vpid];
}

/* The entry of `vpid`, the table grown to hold it. */
static struct why_proc *proc_make(struct why *w, int64_t vpid)
{
	if (vpid > 0 && vpid < WHY_MAX_VPID && (size_t)vpid >= w->np) {
		size_t n = w->np ? w->np : 64;
		struct why_proc *np;

		while (n <= (size_t)vpid)
			n *= 2;
		np = realloc(w->p, n * sizeof(*np));
		if (!np)
			return proc(w, 0);
		memset(np + w->np, 0, (n - w->np) * sizeof(*np));
		w->p = np;
		w->np = n;
	}
	return proc(w, vpid);
}

/* "pid 3 (sleep)", or "pid 3" when its command is unknown. */
static const char *who(struct why *w, int64_t vpid, char *buf, size_t len)
{
	const struct why_proc *p = proc(w, vpid);

	if (vpid == 1)
		snprintf(buf, len, "pid 1 (jobshim)");
	else if (p->cmd[0])
		snprintf(buf, len, "pid %lld (%s)", (long long)vpid, p->cmd);
	else
		snprintf(buf, len, "pid %lld", (long long)vpid);
	return buf;
}

static void set_cmd(struct why_proc *p, const char *path)
{
	const char *b = path ? strrchr(path, '/') : NULL;

	if (path)
		snprintf(p->cmd, sizeof(p->cmd), "%s", b ? b + 1 : path);
}

static void line(struct why *w, double t, bool is_signal, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void line(struct why *w, double t, bool is_signal, const char *fmt, ...)
{
	va_list ap;

	if (is_signal)
		w->nsig++;
	printf("%11.6f %s ", t, is_signal ? "*" : " ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static bool in_list(const struct tjson *j, const struct tjson_val *v, int32_t vpid)
{
	for (size_t i = 0; v && v->type == TJSON_ARR && i < v->arr_n; i++)
		if (tjson_arr_int(j, v, i) == vpid)
			return true;
	return false;
}

/* Was w->vpid among the targets of kill(pid) by `sender`, as the engine
 * resolves it (core/kill.c)?  The event's "to" when it lists every target. */
static bool kill_reaches(struct why *w, const struct tjson *j, int64_t sender, int64_t pid)
{
	const struct tjson_val *to = tjson_get(j, "to");
	const struct why_proc *me = proc(w, w->vpid);

	if (in_list(j, to, w->vpid))
		return true;
	if (to && to->type == TJSON_ARR && (int64_t)to->arr_n >= tjson_int(j, "targets", 0))
		return false;
	if (!me->seen || me->reaped || w->vpid == 1)
		return false;
	if (pid > 0)
		return pid == w->vpid;
	if (pid == 0)
		return me->pgid == proc(w, sender)->pgid;
	if (pid == -1)
		return w->vpid != sender;
	return me->pgid == -pid;
}

static void on_kill(struct why *w, const struct tjson *j, double t)
{
	int64_t sender = tjson_int(j, "vpid", 0), pid = tjson_int(j, "pid", 0);
	const char *sig = tjson_str(j, "sig");
	char s[80], to[96];
	bool zombie = proc(w, w->vpid)->exited;

	if (!sig || strcmp(sig, "0") == 0)
		return; /* a probe delivers nothing */
	if (sender <= 0) {
		/* A tree process signalled jobshim itself: init ignores it. */
		if (w->vpid == 1)
			line(w, t, true, "%s from real pid %lld inside the tree: ignored (init ignores signals from its namespace)",
			     sig, (long long)tjson_int(j, "sender_rpid", 0));
		return;
	}
	if (!kill_reaches(w, j, sender, pid))
		return;
	if (pid > 0)
		snprintf(to, sizeof(to), "%s", sender == w->vpid ? "to itself" : "to it by pid");
	else if (pid == 0)
		snprintf(to, sizeof(to), "to the sender's own group %d, of which it is a member",
			 (int)proc(w, sender)->pgid);
	else if (pid == -1)
		snprintf(to, sizeof(to), "to every process in the tree but init and the sender");
	else
		snprintf(to, sizeof(to), "to group %lld, of which it is a member", (long long)-pid);
	line(w, t, true, "%s from %s: kill(%lld, %s), sent %s%s", sig,
	     sender == w->vpid ? "itself" : who(w, sender, s, sizeof(s)), (long long)pid, sig, to,
	     zombie ? " (it had already exited: no effect)" : "");
}

static void on_orphan(struct why *w, const struct tjson *j, double t)
{
	int64_t pgid = tjson_int(j, "pgid", 0), exited = tjson_int(j, "exited", 0);
	const struct tjson_val *members = tjson_get(j, "members"), *stopped = tjson_get(j, "stopped");
	const char *cause = tjson_str(j, "cause");
	char s[80], list[256] = "";
	size_t off = 0;

	if (!in_list(j, members, w->vpid) &&
	    !(members && members->arr_n >= 256 && proc(w, w->vpid)->pgid == pgid))
		return;
	for (size_t i = 0; stopped && i < stopped->arr_n && off < sizeof(list) - 24; i++)
		off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%lld", i ? ", " : "",
					(long long)tjson_arr_int(j, stopped, i));
	who(w, exited, s, sizeof(s));
	/* On a kernel that sends the SIGHUP to the stopped members only, a
	 * running member gets the SIGCONT alone (kernrule.c). */
	const char *to = tjson_str(j, "sighup_to");
	bool hup_stopped = to && strcmp(to, "stopped") == 0;
	bool gets_hup = !hup_stopped || in_list(j, stopped, w->vpid);
	for (int k = gets_hup ? 0 : 1; k < 2; k++)
		line(w, t, true,
		     "%s: its group %lld became orphaned when %s exited (%s); the group had stopped members (%s), "
		     "so %s",
		     k ? "SIGCONT" : "SIGHUP", (long long)pgid, s,
		     cause && strcmp(cause, "self_exit") == 0
			     ? "it was the group's last link to another group of its session"
			     : "it was the parent of a member, in another group of the same session",
		     list,
		     hup_stopped ? "the stopped members get SIGHUP, then every member SIGCONT (as this kernel does)"
				 : "every member gets SIGHUP, then SIGCONT");
}

static void on_teardown(struct why *w, const struct tjson *j, double t)
{
	const struct why_proc *me = proc(w, w->vpid);
	const char *reason = tjson_str(j, "reason"), *sig = tjson_str(j, "signal");
	char why[160];

	if (!me->seen || me->exited || !sig)
		return;
	if (!reason)
		reason = "?";
	if (strcmp(reason, "exit") == 0)
		snprintf(why, sizeof(why), "the command had exited and it was still running (a leftover)");
	else if (strcmp(reason, "timeout") == 0)
		snprintf(why, sizeof(why), "the --timeout expired");
	else if (strcmp(reason, "signal") == 0)
		snprintf(why, sizeof(why), "jobshim got %s from real pid %lld, outside the tree, and forwards it to the whole tree",
			 sig, (long long)tjson_int(j, "sender_rpid", 0));
	else if (strcmp(reason, "grace") == 0)
		snprintf(why, sizeof(why), "it was still running when the grace period after SIGTERM ended");
	else
		snprintf(why, sizeof(why), "teardown (%s)", reason);
	line(w, t, true, "%s from jobshim (teardown): %s", sig, why);
	/* terminate() follows SIGTERM with SIGCONT (teardown.c), untraced. */
	if (strcmp(sig, "SIGTERM") == 0 && strcmp(reason, "signal") != 0)
		line(w, t, true, "SIGCONT from jobshim (teardown), right after the SIGTERM, so that a stopped process acts on it");
}

/* A SIGHUP from outside the tree (term.c): passed on to group 2, left to
 * the kernel when the terminal has hung up, sent to the command as the
 * terminal's controlling process, or to the foreground group when the
 * command, that process, exited. */
static void on_hangup(struct why *w, const struct tjson *j, double t)
{
	const struct why_proc *me = proc(w, w->vpid);
	long long sender = (long long)tjson_int(j, "sender_rpid", 0);
	long long pgid = (long long)tjson_int(j, "pgid", 2);
	const struct tjson_val *kernel = tjson_get(j, "kernel");
	const char *how = tjson_str(j, "how") ? tjson_str(j, "how") : "";

	if (!me->seen || me->exited)
		return;
	if (strcmp(how, "leader") == 0) {
		if (w->vpid == 2)
			line(w, t, true, "SIGHUP and SIGCONT from jobshim: the terminal hung up, and the command, "
				     "the leader of its session, is the terminal's controlling process (jobshim got "
				     "them from the kernel as the real one)");
		return;
	}
	if (me->pgid != pgid)
		return;
	if (strcmp(how, "exit") == 0)
		line(w, t, true, "SIGHUP from jobshim: the command, the terminal's controlling process, exited "
			     "while group %lld was in front", pgid);
	else if (kernel && kernel->type == TJSON_BOOL && kernel->num != 0)
		line(w, t, true, "SIGHUP from the kernel: the terminal hung up and its foreground group is the "
			     "command's group 2 (jobshim got SIGHUP from real pid %lld and passed nothing on, so "
			     "that the hangup arrives once)", sender);
	else
		line(w, t, true, "SIGHUP from jobshim: it got SIGHUP from real pid %lld, outside the tree (a shell "
			     "passing a hangup on to its jobs, or kill -HUP), and passes it on to the command's group 2",
		     sender);
}

/* Lifecycle events of the process asked about, and the model's bookkeeping. */
static void on_event(struct why *w, const struct tjson *j, const char *ev, double t)
{
	int64_t v = tjson_int(j, "vpid", 0);
	struct why_proc *p = proc_make(w, v);
	bool me = v == w->vpid && v > 0;
	char s[128], by[80];

	if (me)
		w->named = true;
	if (strcmp(ev, "fork") == 0) {
		const char *via = tjson_str(j, "via");
		p->parent = (int32_t)tjson_int(j, "parent", 0);
		p->pgid = (int32_t)tjson_int(j, "pgid", 0);
		p->sid = (int32_t)tjson_int(j, "sid", 0);
		p->seen = true;
		p->exited = p->reaped = false;
		memcpy(p->cmd, proc(w, p->parent)->cmd, sizeof(p->cmd));
		set_cmd(p, tjson_str(j, "path"));
		if (!me)
			return;
		if (via && strcmp(via, "lazy") == 0)
			snprintf(s, sizeof(s), "found running (registered late)");
		else
			snprintf(s, sizeof(s), "forked by %s", who(w, p->parent, by, sizeof(by)));
		line(w, t, false, "%s: %s, in group %d, session %d",
		     via && strcmp(via, "command") == 0 ? "started as the command" : "born", s,
		     (int)p->pgid, (int)p->sid);
	} else if (strcmp(ev, "exec") == 0) {
		const char *path = tjson_str(j, "path");
		set_cmd(p, path);
		if (me)
			line(w, t, false, "exec %s", path ? path : "(path unknown: the kernel says it has exec'd)");
	} else if (strcmp(ev, "setsid") == 0) {
		p->pgid = p->sid = (int32_t)v;
		if (me)
			line(w, t, false, "setsid: leads the new session %lld and group %lld", (long long)v, (long long)v);
	} else if (strcmp(ev, "setpgid") == 0) {
		p->pgid = (int32_t)tjson_int(j, "pgid", p->pgid);
		if (me)
			line(w, t, false, "moved from group %lld to group %d (setpgid by %s)",
			     (long long)tjson_int(j, "from", 0), (int)p->pgid,
			     who(w, tjson_int(j, "by", 0), s, sizeof(s)));
	} else if (strcmp(ev, "stop") == 0 || strcmp(ev, "cont") == 0) {
		if (me)
			line(w, t, false, "%s (its parent saw it in a wait status)",
			     ev[0] == 's' ? "stopped" : "continued");
	} else if (strcmp(ev, "exit") == 0) {
		const char *sig = tjson_str(j, "signal");
		p->exited = true;
		if (!me)
			return;
		if (sig)
			line(w, t, false, "exited: killed by %s", sig);
		else if (tjson_get(j, "code") && tjson_get(j, "code")->type == TJSON_NUM)
			line(w, t, false, "exited with status %lld", (long long)tjson_int(j, "code", 0));
		else
			line(w, t, false, "exited (status unknown to jobshim)");
	} else if (strcmp(ev, "reap") == 0) {
		p->exited = p->reaped = true;
		if (me) {
			int64_t st = tjson_int(j, "status", -1);
			char how[64] = "";

			/* The reaper's wait status, when it reported one. */
			if (st >= 0 && (st & 0x7f) == 0)
				snprintf(how, sizeof(how), ": exit %d", (int)((st >> 8) & 0xff));
			else if (st >= 0 && (st & 0x7f) != 0x7f)
				snprintf(how, sizeof(how), ": killed by SIG%s",
					 sigabbrev_np((int)(st & 0x7f)) ? sigabbrev_np((int)(st & 0x7f)) : "?");
			line(w, t, false, "reaped by %s%s", who(w, tjson_int(j, "parent", 0), s, sizeof(s)), how);
		}
	} else if (strcmp(ev, "reparent") == 0) {
		p->parent = (int32_t)tjson_int(j, "to", 1);
		if (me)
			line(w, t, false, "reparented from pid %lld to pid %d (its parent exited)",
			     (long long)tjson_int(j, "from", 0), (int)p->parent);
	} else if (strcmp(ev, "leftover") == 0) {
		if (me)
			line(w, t, false, "still running after the command exited (a leftover)");
	}
}

static int why_run(struct why *w, FILE *in, const char *path)
{
	struct tjson j = {0};
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;
	unsigned lineno = 0, bad = 0;

	while ((n = getline(&buf, &cap, in)) > 0) {
		const char *ev;
		double t;

		lineno++;
		if (tjson_parse(&j, buf, (size_t)n) < 0 || !(ev = tjson_str(&j, "ev"))) {
			if (bad++ == 0)
				fprintf(stderr, "jobshim: why: %s:%u: not a trace event (skipped)\n", path, lineno);
			continue;
		}
		t = tjson_get(&j, "t") ? tjson_get(&j, "t")->num : 0;
		if (strcmp(ev, "kill") == 0)
			on_kill(w, &j, t);
		else if (strcmp(ev, "orphan") == 0)
			on_orphan(w, &j, t);
		else if (strcmp(ev, "teardown") == 0)
			on_teardown(w, &j, t);
		else if (strcmp(ev, "hangup") == 0)
			on_hangup(w, &j, t);
		else
			on_event(w, &j, ev, t);
	}
	free(buf);
	tjson_free(&j);
	if (bad > 1)
		fprintf(stderr, "jobshim: why: %s: %u lines skipped\n", path, bad);
	return ferror(in) ? -EIO : 0;
}

int why_main(int argc, char **argv)
{
	struct why w = {0};
	char *end;
	long v;
	FILE *in;
	int rc;

	if (argc == 2 && strcmp(argv[1], "--help") == 0) {
		fputs("Usage: jobshim why VPID TRACE\n"
		      "Print, in time order, every signal the process VPID received in the run\n"
		      "recorded in TRACE ('jobshim run --trace TRACE'), and why: which process\n"
		      "sent it with which kill call, which orphaning of its group, or jobshim's\n"
		      "teardown; with the process's own fork, exec, group moves, stops and exit\n"
		      "for context.  Signal lines are marked with '*'.\n",
		      stdout);
		return 0;
	}
	if (argc != 3) {
		fprintf(stderr, "jobshim: why: usage: jobshim why VPID TRACE\n");
		return WHY_EXIT_USAGE;
	}
	errno = 0;
	v = strtol(argv[1], &end, 10);
	if (errno || *end || end == argv[1] || v <= 0 || v >= WHY_MAX_VPID) {
		fprintf(stderr, "jobshim: why: invalid VPID '%s'\n", argv[1]);
		return WHY_EXIT_USAGE;
	}
	in = fopen(argv[2], "re");
	if (!in) {
		fprintf(stderr, "jobshim: why: %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	w.vpid = (int32_t)v;
	printf("pid %ld in %s (time in seconds; * = a signal it received):\n", v, argv[2]);
	rc = why_run(&w, in, argv[2]);
	fclose(in);
	free(w.p);
	if (rc < 0) {
		fprintf(stderr, "jobshim: why: %s: read error\n", argv[2]);
		return 1;
	}
	if (!w.named && v != 1) {
		printf("pid %ld does not appear in this trace.\n", v);
		return 1;
	}
	printf("%u signal%s received from the tree, its orphaning or jobshim; signals from the kernel or a\n"
	       "terminal (SIGCHLD, SIGPIPE, ^C, SIGTTIN, ...) are not in the trace.\n",
	       w.nsig, w.nsig == 1 ? "" : "s");
	return 0;
}
