/* effects.c — carry out the engine's effects: pidfd signals, bookkeeping, trace events. */
#include "sup.h"

#include <string.h>
#include <sys/wait.h>

/*
 * Effects are applied in the order the engine produced them, right after
 * the operation that produced them, so the trace is the engine's own order.
 * Signals go through the target's pidfd (never to a recycled pid) and skip
 * processes that are unbound or already dead (a zombie cannot act on them).
 */

static int64_t rpid_of(struct sup *s, int32_t vpid)
{
	struct sup_proc *p = procs_find(s, vpid);
	int64_t rpid;

	if (p)
		return p->rpid;
	rpid = eng_vpid_to_rpid(s->eng, vpid);
	return rpid > 0 ? rpid : 0;
}

/* Current pgid/sid of a live or zombie process (after the operation). */
static void trace_ids_of(struct sup *s, int32_t vpid)
{
	int pgid = eng_getpgid(s->eng, vpid, vpid);
	int sid = eng_getsid(s->eng, vpid, vpid);

	if (pgid > 0)
		trace_int(&s->trace, "pgid", pgid);
	if (sid > 0)
		trace_int(&s->trace, "sid", sid);
}

static void describe_status(int st, bool known, char *buf, size_t len)
{
	char sig[32];

	if (!known)
		snprintf(buf, len, "status unknown");
	else if (WIFEXITED(st))
		snprintf(buf, len, "exit %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		snprintf(buf, len, "killed by %s%s", trace_signame(WTERMSIG(st), sig, sizeof(sig)),
			 WCOREDUMP(st) ? " (core dumped)" : "");
	else
		snprintf(buf, len, "status %#x", st);
}

static void trace_exit(struct sup *s, const struct eng_effect *e)
{
	struct trace *t = &s->trace;
	char desc[64], sig[32];

	trace_begin(t, "exit", e->vpid, rpid_of(s, e->vpid));
	if (s->exit_known) {
		trace_int(t, "status", e->a);
		if (WIFEXITED(e->a)) {
			trace_int(t, "code", WEXITSTATUS(e->a));
		} else if (WIFSIGNALED(e->a)) {
			trace_str(t, "signal", trace_signame(WTERMSIG(e->a), sig, sizeof(sig)));
			trace_bool(t, "core", WCOREDUMP(e->a));
		}
	} else {
		trace_null(t, "status");
	}
	trace_bool(t, "status_known", s->exit_known);
	if (s->how)
		trace_str(t, "via", s->how);
	describe_status(e->a, s->exit_known, desc, sizeof(desc));
	trace_end(t, "exit: pid %d %s", (int)e->vpid, desc);
}

/* The ORPHAN event is followed by SIGHUP and SIGCONT effects to each member:
 * list the members from those. */
static void trace_orphan(struct sup *s, const struct eng_fx *fx, size_t i)
{
	struct trace *t = &s->trace;
	const struct eng_effect *e = &fx->v[i];
	const int32_t *stopped = fx->ids + e->ids_off;
	int32_t members[256];
	size_t nm = 0;
	char list[512] = "", mlist[1024] = "";
	size_t off = 0;

	for (size_t j = i + 1; j < fx->n && fx->v[j].kind == ENG_FX_SIGNAL; j++) {
		bool seen = false;
		for (size_t k = 0; k < nm; k++)
			seen = seen || members[k] == fx->v[j].vpid;
		if (!seen && nm < sizeof(members) / sizeof(members[0]))
			members[nm++] = fx->v[j].vpid;
	}
	bool kernel = (e->c & ENG_ORPHAN_KERNEL) != 0;
	bool hup_stopped = (e->c & ENG_ORPHAN_HUP_STOPPED) != 0;
	int cause = e->c & ~(ENG_ORPHAN_KERNEL | ENG_ORPHAN_HUP_STOPPED);
	struct eng_pinfo pi;

	/* The kernel signalled a real session's group itself (no effects
	 * follow): its members are the group's, zombies included as above. */
	if (kernel)
		for (int32_t v = eng_next(s->eng, 2); v > 0 && nm < sizeof(members) / sizeof(members[0]);
		     v = eng_next(s->eng, v + 1))
			if (eng_info(s->eng, v, &pi) == 0 && pi.pgid == e->a)
				members[nm++] = v;

	trace_begin(t, "orphan", 0, 0);
	trace_int(t, "pgid", e->a);
	trace_str(t, "cause", cause == ENG_ORPHAN_PARENT_EXIT ? "parent_exit" : "self_exit");
	trace_int(t, "exited", e->b);
	trace_ids(t, "stopped", stopped, e->nids);
	trace_json(t, "signals", "[\"SIGHUP\",\"SIGCONT\"]");
	trace_ids(t, "members", members, nm);
	trace_bool(t, "kernel", kernel);
	trace_str(t, "sighup_to", hup_stopped ? "stopped" : "all");
	for (size_t k = 0; k < e->nids && off < sizeof(list) - 16; k++)
		off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%d", k ? " " : "",
					(int)stopped[k]);
	off = 0;
	for (size_t k = 0; k < nm && off < sizeof(mlist) - 16; k++)
		off += (size_t)snprintf(mlist + off, sizeof(mlist) - off, " %d", (int)members[k]);
	trace_end(t, "orphan: group %d orphaned by exit of pid %d (%s); stopped: %s -> SIGHUP%s, SIGCONT to%s%s",
		  (int)e->a, (int)e->b,
		  cause == ENG_ORPHAN_PARENT_EXIT ? "parent of a member" : "its last link outside the group",
		  list, hup_stopped ? " (to the stopped only, as this kernel does)" : "", mlist,
		  kernel ? ", sent by the kernel (a real session: its rule fires on the mirror)" : "");
}

/* The KILL event is followed by one SIGNAL effect per target (eng_kill):
 * list them as "to", the first EFFECTS_TRACE_TO only (a kill(-1) of a
 * large tree would make one huge line; "targets" still counts them all). */
#define EFFECTS_TRACE_TO 256
static void trace_kill_targets(struct sup *s, const struct eng_fx *fx, size_t i)
{
	int32_t to[EFFECTS_TRACE_TO];
	size_t n = 0;

	for (size_t j = i + 1; j < fx->n && fx->v[j].kind == ENG_FX_SIGNAL && n < EFFECTS_TRACE_TO; j++)
		to[n++] = fx->v[j].vpid;
	trace_ids(&s->trace, "to", to, n);
}

static void trace_event(struct sup *s, const struct eng_fx *fx, size_t i)
{
	struct trace *t = &s->trace;
	const struct eng_effect *e = &fx->v[i];
	int64_t rpid = rpid_of(s, e->vpid);
	char sig[32], desc[64];

	switch (e->ev) {
	case ENG_EV_FORK:
		trace_begin(t, "fork", e->vpid, rpid);
		trace_int(t, "parent", e->a);
		trace_ids_of(s, e->vpid);
		if (s->how)
			trace_str(t, "via", s->how);
		/* The command never sends an EXEC: name it here (readers label lanes). */
		if (s->how && strcmp(s->how, "command") == 0 && s->opt.argv)
			trace_str(t, "path", s->opt.argv[0]);
		trace_end(t, "fork: pid %d (parent %d)%s%s", (int)e->vpid, (int)e->a,
			  s->how ? " via " : "", s->how ? s->how : "");
		break;
	case ENG_EV_EXEC:
		trace_begin(t, "exec", e->vpid, rpid);
		trace_null(t, "path");
		trace_str(t, "via", "setpgid EACCES");
		trace_end(t, "exec: pid %d (the kernel says it has exec'd)", (int)e->vpid);
		break;
	case ENG_EV_EXIT:
		trace_exit(s, e);
		break;
	case ENG_EV_REAP:
		trace_begin(t, "reap", e->vpid, rpid);
		trace_int(t, "parent", e->a);
		if (s->how)
			trace_str(t, "via", s->how);
		if (s->how_status >= 0)
			trace_int(t, "status", s->how_status);
		describe_status(s->how_status, s->how_status >= 0, desc, sizeof(desc));
		trace_end(t, "reap: pid %d by %d%s%s%s%s", (int)e->vpid, (int)e->a,
			  s->how ? " via " : "", s->how ? s->how : "",
			  s->how_status >= 0 ? ": " : "", s->how_status >= 0 ? desc : "");
		break;
	case ENG_EV_REPARENT:
		trace_begin(t, "reparent", e->vpid, rpid);
		trace_int(t, "from", e->a);
		trace_int(t, "to", e->b);
		trace_end(t, "reparent: pid %d from %d to %d", (int)e->vpid, (int)e->a, (int)e->b);
		break;
	case ENG_EV_SETSID:
		trace_begin(t, "setsid", e->vpid, rpid);
		trace_int(t, "sid", e->a);
		trace_int(t, "pgid", e->a);
		trace_end(t, "setsid: pid %d leads session %d", (int)e->vpid, (int)e->a);
		break;
	case ENG_EV_SETPGID:
		trace_begin(t, "setpgid", e->vpid, rpid);
		trace_int(t, "from", e->a);
		trace_int(t, "pgid", e->b);
		trace_int(t, "by", e->c);
		trace_end(t, "setpgid: pid %d group %d -> %d (by %d)", (int)e->vpid, (int)e->a,
			  (int)e->b, (int)e->c);
		break;
	case ENG_EV_STOP:
	case ENG_EV_CONT:
		trace_begin(t, e->ev == ENG_EV_STOP ? "stop" : "cont", e->vpid, rpid);
		trace_end(t, "%s: pid %d", e->ev == ENG_EV_STOP ? "stop" : "cont", (int)e->vpid);
		break;
	case ENG_EV_KILL:
		trace_begin(t, "kill", e->vpid, rpid);
		trace_int(t, "pid", e->a);
		trace_str(t, "sig", trace_signame(e->b, sig, sizeof(sig)));
		trace_int(t, "targets", e->c);
		trace_kill_targets(s, fx, i);
		if (s->kill_real_group > 0)
			trace_bool(t, "at_once", true); /* one real kill of the group's mirror */
		trace_end(t, "kill: pid %d kill(%d, %s): %d target(s)", (int)e->vpid, (int)e->a,
			  sig, (int)e->c);
		break;
	case ENG_EV_ORPHAN:
		trace_orphan(s, fx, i);
		break;
	}
}

void effects_apply(struct sup *s, unsigned flags)
{
	struct eng_fx *fx = &s->fx;

	for (size_t i = 0; i < fx->n; i++) {
		const struct eng_effect *e = &fx->v[i];
		struct sup_proc *p;

		if (e->kind == ENG_FX_SIGNAL) {
			if (!(flags & EFFECTS_NO_SIGNALS))
				procs_signal(s, e->vpid, e->sig);
			continue;
		}
		if (trace_on(&s->trace))
			trace_event(s, fx, i);
		/* The view follows every change of ids before anyone hears of
		 * it (mview.c); the other events change none it shows. */
		if (e->ev == ENG_EV_FORK || e->ev == ENG_EV_EXIT || e->ev == ENG_EV_REAP ||
		    e->ev == ENG_EV_REPARENT || e->ev == ENG_EV_SETSID || e->ev == ENG_EV_SETPGID)
			mview_sync(s, e->vpid);
		/* A reservation whose parent exited will never be forked by it:
		 * the sweep drops it unless its child shows up meanwhile. */
		if (e->ev == ENG_EV_REPARENT) {
			p = procs_find(s, e->vpid);
			if (p && p->rpid == 0 && !p->exited && !p->stale_since) {
				p->stale_since = sup_now();
				s->nstale++;
			}
		}
	}
	eng_fx_clear(fx);
}
