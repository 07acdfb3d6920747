/* term.c — the real terminal hand-off to the command and the virtual foreground groups. */
#include "sup.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

/*
 * Real terminal.  jobshim is a job of the user's shell like any other: the
 * shell put it in a process group of its own (tty_pgrp) and hands the
 * terminal to that group when the job is in the foreground.  While it is,
 * the command's real group holds the terminal instead, so that the tree
 * reads it and gets ^C / ^Z; real groups mirror the virtual ones
 * (shim/ids.c), so a shell inside moves its own jobs to real groups and
 * hands the terminal to them with tcsetpgrp, as it would natively.
 *
 * The rule for every hand-over: jobshim moves the terminal only between
 * its own group and the tree's groups, and only while one of them holds
 * it (the job is in the foreground).  Once the user's shell has taken the
 * terminal back (^Z then `bg`), it is the shell's.  The supervisor ignores
 * SIGTTOU for its whole life (run.c), so its tcsetpgrp calls and reports
 * never stop it: hence the explicit foreground checks.
 *
 * Virtual terminal: TCGETPGRP / TCSETPGRP keep one foreground group per
 * virtual session, following Linux's tiocspgrp() where it applies:
 *   pgid < 0                                  -> EINVAL
 *   no process group and no process with that id -> ESRCH
 *   the group (or, like Linux, the process with that id when no such group
 *   exists) is in another session            -> EPERM
 * The reply also names the group's real mirror (procs_group_rpgid), which
 * the shim makes the real foreground group: the kernel then raises SIGTTOU
 * in a background caller, as natively.  The kernel says whether the
 * caller has a terminal at all (the shim's real call first: ENOTTY); a
 * session made inside the tree is a real one, with a terminal of its own
 * once it acquires one (CTTY resets the record: the leader's group is in
 * front, as the kernel sets it).  A session starts with its leader's group
 * (id = the session id) in the foreground.
 */

/* The terminal is ours to manage when it is our controlling terminal,
 * whether or not we start in its foreground (`jobshim run ... &`). */
void term_handoff(struct sup *s)
{
	s->tty_fd = -1;
	if (s->take_tty >= 0)
		return; /* the command takes our terminal (ttytake.c) */
	if (!isatty(0) || tcgetsid(0) != getsid(0))
		return;
	s->tty_fd = 0;
	s->tty_pgrp = getpgrp();
	s->tty_fg = 0;
}

/* Is real group `pgrp` one of the tree's?  Every real group of the tree
 * was made by a tree process (setpgid(0, 0), setsid, the command's own),
 * so its id is the rpid of a process the model knows, unless that leader
 * is gone: then it is the last group we handed the terminal to. */
static bool tree_group(struct sup *s, pid_t pgrp)
{
	return pgrp > 0 && (pgrp == s->cmd_rpid || pgrp == s->tty_fg ||
			    eng_rpid_to_vpid(s->eng, pgrp) > 1);
}

static bool we_are_fg(struct sup *s)
{
	return s->tty_fd >= 0 && tcgetpgrp(s->tty_fd) == s->tty_pgrp;
}

/* Both the child (before exec) and the parent (after fork) set the
 * foreground group, when jobshim's own group has it: whichever runs first,
 * the command never starts in the background of a terminal we own, and
 * never takes one we do not. */
void term_child(struct sup *s)
{
	if (we_are_fg(s))
		tcsetpgrp(s->tty_fd, getpid());
}

void term_give(struct sup *s)
{
	if (we_are_fg(s))
		tcsetpgrp(s->tty_fd, s->cmd_rpid);
	s->tty_fg = s->cmd_rpid;
}

/* A tree process made group `rpgid` the terminal's foreground (TCSETPGRP). */
void term_note_fg(struct sup *s, pid_t rpgid)
{
	if (rpgid > 0)
		s->tty_fg = rpgid;
}

/* Take the terminal back from the tree, if the tree has it. */
static void take_back(struct sup *s)
{
	pid_t fg;

	if (s->tty_fd < 0)
		return;
	fg = tcgetpgrp(s->tty_fd);
	if (fg != s->tty_pgrp && tree_group(s, fg))
		tcsetpgrp(s->tty_fd, s->tty_pgrp);
}

void term_restore(struct sup *s)
{
	take_back(s);
	s->tty_fd = -1;
}

/* Is our real group orphaned (no parent in the session outside it)?  The
 * kernel discards SIGTSTP/SIGTTIN/SIGTTOU sent to an orphaned group. */
static bool own_group_orphaned(struct sup *s)
{
	struct sysio_stat st;

	if (sysio_stat(getppid(), &st) < 0)
		return true;
	return st.sid != getsid(0) || st.pgrp == s->tty_pgrp;
}

/* Stop jobshim itself with the signal that stopped the command, so that
 * our shell reports the job as it would natively ("Stopped", "Stopped
 * (tty input)"); SIGSTOP where the kernel would discard that one.
 * Returns once our shell continues us. */
static void stop_self(struct sup *s, int sig)
{
	struct sigaction dfl = {.sa_handler = SIG_DFL}, old;
	sigset_t set;

	if (sig == SIGSTOP || own_group_orphaned(s)) {
		kill(s->self_rpid, SIGSTOP);
		return;
	}
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigaction(sig, &dfl, &old);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	kill(s->self_rpid, sig);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sigaction(sig, &old, NULL);
}

/*
 * The command stopped.  On ^Z (SIGTSTP, or any stop while the tree holds
 * the terminal) we stop too, like sudo or script, so that our shell sees its
 * job stop; the shell takes the terminal itself.  Once continued we give the
 * terminal back only if the shell made us foreground (`fg`, not `bg`), and
 * continue the command.  A SIGTTIN/SIGTTOU means the command touched the
 * terminal from the background: if our own group holds it (our shell ran
 * `fg` while the command was behind us), the command gets it and goes on;
 * if our shell holds it, we stop as the job would natively.
 */
void term_check_stop(struct sup *s)
{
	siginfo_t si;
	pid_t fg;
	int sig;

	if (s->tty_fd < 0 || s->cmd_reaped)
		return;
	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t)s->cmd_rpid, &si, WSTOPPED | WNOHANG) < 0 || si.si_pid == 0)
		return;
	sig = si.si_status;
	fg = tcgetpgrp(s->tty_fd);
	if (fg != s->tty_pgrp && tree_group(s, fg) && (sig == SIGTTIN || sig == SIGTTOU))
		return; /* the tree's own job control: a shell inside has its job in front */
	if (sig == SIGTSTP && own_group_orphaned(s)) {
		/* Natively the command would sit where we do, in our orphaned
		 * group (we lead our session: tmux, ssh -t, script and docker
		 * -t run us so; or our shell has exited), and the kernel would
		 * have discarded the ^Z.  Its real group is not orphaned (we,
		 * its parent, are in the same session), so it stopped: continue
		 * it at once.  Stopping ourselves instead (SIGSTOP, since the
		 * kernel discards our SIGTSTP too) would leave both stopped with
		 * nobody to continue them. */
		kill(-s->cmd_rpid, SIGCONT);
		if (trace_on(&s->trace)) {
			trace_begin(&s->trace, "tty_stop_discarded", s->opt.first_pid, s->cmd_rpid);
			trace_str(&s->trace, "signal", "SIGTSTP");
			trace_end(&s->trace, "tty stop discarded: SIGTSTP to the command's group, orphaned "
				  "as ours is; continued");
		}
		return;
	}
	eng_set_stopped(s->eng, s->opt.first_pid, true, &s->fx);
	effects_apply(s, 0);
	trace_flush(&s->trace);
	if (fg == s->tty_pgrp && (sig == SIGTTIN || sig == SIGTTOU)) {
		tcsetpgrp(s->tty_fd, s->cmd_rpid);
	} else {
		take_back(s);
		stop_self(s, sig);
		if (we_are_fg(s))
			tcsetpgrp(s->tty_fd, s->cmd_rpid);
	}
	kill(-s->cmd_rpid, SIGCONT);
	eng_set_stopped(s->eng, s->opt.first_pid, false, &s->fx);
	effects_apply(s, 0);
}

/* A SIGCONT from outside: our shell ran `fg` on us while we were running
 * in the background; the command gets the terminal our group was given. */
void term_cont(struct sup *s)
{
	if (!s->cmd_reaped && we_are_fg(s))
		tcsetpgrp(s->tty_fd, s->cmd_rpid);
}

/* The live members of virtual group `pgid` get `sig`; returns how many. */
static int signal_vgroup(struct sup *s, int32_t pgid, int sig)
{
	struct eng_pinfo pi;
	int n = 0;

	for (int32_t v = eng_next(s->eng, 2); v > 0; v = eng_next(s->eng, v + 1))
		if (eng_info(s->eng, v, &pi) == 0 && pi.pgid == pgid && pi.state != ENG_P_ZOMBIE &&
		    procs_signal(s, v, sig) == 0)
			n++;
	return n;
}

/* Virtual session `sid`'s foreground group (its leader's until a TCSETPGRP). */
static int32_t fg_vpgid(struct sup *s, int32_t sid)
{
	struct sup_fg *f;

	HASH_FIND(hh, s->fg, &sid, sizeof(sid), f);
	return f && f->vpgid > 0 ? f->vpgid : sid;
}

/* Are we our terminal's controlling process: a real session leader whose
 * terminal fd 0 is (tmux, `ssh -t`, `script -c`, `docker run -t` run us
 * so)?  Natively the command would be: it leads virtual session 2, whose
 * terminal ours is. */
static bool we_control(struct sup *s)
{
	return s->tty_fd >= 0 && getsid(0) == getpid();
}

/* how: "group" (passed on to group 2), "kernel" (left to the kernel),
 * "leader" (to the command, as the terminal's controlling process), "exit"
 * (the command exited: to the foreground group `pgid`). */
static void trace_hangup(struct sup *s, pid_t sender, const char *how, int32_t pgid, int n, const char *what)
{
	if (!trace_on(&s->trace))
		return;
	trace_begin(&s->trace, "hangup", 0, 0);
	trace_str(&s->trace, "signal", "SIGHUP");
	trace_int(&s->trace, "sender_rpid", sender);
	trace_str(&s->trace, "how", how);
	trace_int(&s->trace, "pgid", pgid);
	trace_int(&s->trace, "processes", n);
	trace_bool(&s->trace, "kernel", strcmp(how, "kernel") == 0);
	trace_end(&s->trace, "hangup: SIGHUP from real pid %d: %s %d", (int)sender, what, (int)pgid);
}

/*
 * A SIGHUP from outside.  Three cases:
 *
 * - The terminal hung up and we are its controlling process (we_control:
 *   the kernel's SIGHUP, sender 0, with a SIGCONT).  The kernel signals
 *   only the controlling process (tty_signal_session_leader), and
 *   remembers the foreground group, which gets SIGHUP and SIGCONT when
 *   that process exits (disassociate_ctty).  Natively that process is the
 *   command: it gets the pair (an interactive shell then passes SIGHUP on
 *   to its jobs and dies of it), and term_command_exit signals the group.
 * - Our shell passing on a hangup to its jobs (an interactive shell resends
 *   SIGHUP to every job before it exits), or a `kill -HUP`.  Natively it
 *   would reach the job's process group: the command's group, virtual
 *   group 2, not the whole tree; the tree carries on, and its processes
 *   that survive are torn down when the command exits.
 * - The same when the terminal has been hung up and the tree's group is
 *   its foreground group: the kernel signals that group itself when our
 *   shell, the controlling process, exits, so we send nothing (a hangup
 *   must not arrive twice: a HUP trap would run twice).
 */
void term_hangup(struct sup *s, pid_t sender)
{
	int32_t mirror = procs_group_rpgid(s, s->opt.first_pid, 0);
	bool hung = s->tty_fd >= 0 && tcgetpgrp(s->tty_fd) < 0 && errno == EIO;
	int n = 0;

	if (hung && sender == 0 && we_control(s)) {
		if (!s->hup_vpgid)
			s->hup_vpgid = fg_vpgid(s, s->opt.first_pid);
		if (!s->cmd_reaped && procs_signal(s, s->opt.first_pid, SIGHUP) == 0) {
			procs_signal(s, s->opt.first_pid, SIGCONT);
			n = 1;
		}
		trace_hangup(s, sender, "leader", s->opt.first_pid, n,
			     "we control the terminal that hung up: SIGHUP and SIGCONT to the command,"
			     " the session's leader, as its controlling process; then to the foreground"
			     " group when it exits, group");
		return;
	}
	if (hung && mirror > 0 && mirror == s->tty_fg) {
		trace_hangup(s, sender, "kernel", s->opt.first_pid, 0,
			     "not passed on: the terminal hung up, the kernel signals its foreground group");
		return;
	}
	n = signal_vgroup(s, s->opt.first_pid, SIGHUP);
	trace_hangup(s, sender, "group", s->opt.first_pid, n, "passed on to group");
}

/*
 * The command, virtual session 2's leader, exited.  When we are the
 * terminal's controlling process, natively the command was, and its exit
 * signals the terminal's foreground group (disassociate_ctty): the group
 * in front when the terminal hung up gets SIGHUP and SIGCONT; without a
 * hangup the group in front now gets SIGHUP (a pty's; a console would be
 * hung up as well, which we do not do).  Before the command's exit is
 * applied, as the kernel does it before the exit's orphan rule.
 */
void term_command_exit(struct sup *s)
{
	int32_t g;
	int n;

	if (s->hup_vpgid > 0) {
		g = s->hup_vpgid;
		n = signal_vgroup(s, g, SIGHUP);
		signal_vgroup(s, g, SIGCONT);
	} else if (we_control(s) && tcgetpgrp(s->tty_fd) > 0) {
		g = fg_vpgid(s, s->opt.first_pid);
		n = signal_vgroup(s, g, SIGHUP);
	} else {
		return;
	}
	if (n > 0)
		trace_hangup(s, 0, "exit", g, n,
			     "the command, the terminal's controlling process, exited: foreground group");
}

/* The command died of SIGINT or SIGQUIT: die of the same signal, so that
 * the shell that ran us stops a loop as it would for the command itself
 * (shells tell "the child handled ^C" from "the child died of it" by the
 * wait status).  No core file of ours for SIGQUIT.  Returns only when the
 * signal cannot kill us (we are pid 1 of a pid namespace). */
void term_die_like(int sig)
{
	struct sigaction dfl = {.sa_handler = SIG_DFL};
	struct rlimit nocore = {0, 0};
	sigset_t set;

	if (sig != SIGINT && sig != SIGQUIT)
		return;
	fflush(NULL);
	setrlimit(RLIMIT_CORE, &nocore);
	sigaction(sig, &dfl, NULL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	kill(getpid(), sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
}

static struct sup_fg *fg_find(struct sup *s, int32_t vsid)
{
	struct sup_fg *f;

	HASH_FIND(hh, s->fg, &vsid, sizeof(vsid), f);
	return f;
}

int term_getpgrp(struct sup *s, int32_t caller, int32_t *pgid)
{
	int sid = eng_getsid(s->eng, caller, 0);
	struct sup_fg *f;

	if (sid < 0)
		return sid;
	f = fg_find(s, sid);
	*pgid = f ? f->vpgid : sid;
	return 0;
}

/* Session of group `pgid`; Linux falls back to the process with that id. */
static int group_session(struct sup *s, int32_t pgid)
{
	struct eng_pinfo pi;

	for (int32_t v = eng_next(s->eng, 1); v > 0; v = eng_next(s->eng, v + 1))
		if (eng_info(s->eng, v, &pi) == 0 && pi.pgid == pgid && pi.state != ENG_P_ZOMBIE)
			return pi.sid;
	if (eng_info(s->eng, pgid, &pi) == 0)
		return pi.sid;
	return -ESRCH;
}

int term_setpgrp(struct sup *s, int32_t caller, int32_t pgid)
{
	int sid = eng_getsid(s->eng, caller, 0);
	int gsid;
	struct sup_fg *f;

	if (sid < 0)
		return sid;
	if (pgid < 0)
		return -EINVAL;
	gsid = pgid > 0 ? group_session(s, pgid) : -ESRCH;
	if (gsid < 0)
		return gsid;
	if (gsid != sid)
		return -EPERM;
	f = fg_find(s, sid);
	if (!f) {
		f = calloc(1, sizeof(*f));
		if (!f)
			return -ENOMEM;
		f->vsid = sid;
		HASH_ADD(hh, s->fg, vsid, sizeof(f->vsid), f);
		if (f->hh.tbl == NULL) {
			free(f);
			return -ENOMEM;
		}
	}
	if (trace_on(&s->trace) && f->vpgid != pgid) {
		trace_begin(&s->trace, "foreground", caller, eng_vpid_to_rpid(s->eng, caller));
		trace_int(&s->trace, "sid", sid);
		trace_int(&s->trace, "from", f->vpgid ? f->vpgid : sid);
		trace_int(&s->trace, "pgid", pgid);
		trace_end(&s->trace, "foreground: session %d: group %d -> %d (by %d)", sid,
			  f->vpgid ? f->vpgid : sid, (int)pgid, (int)caller);
	}
	f->vpgid = pgid;
	return 0;
}

/*
 * CTTY: a session of the tree acquired or dropped its controlling terminal
 * (the kernel did it; shim/tty.c reports it).  A session that acquires a
 * terminal has its leader's group in the foreground, as the kernel sets
 * it; one that drops it has no foreground group to remember.
 */
int term_ctty(struct sup *s, int32_t caller, const struct proto_req *q)
{
	static const char *const how[] = { "open", "TIOCSCTTY", "TIOCNOTTY", "login_tty" };
	int sid = eng_getsid(s->eng, caller, 0);
	struct sup_fg *f;
	char name[sizeof(q->text) + 1];

	if (sid < 0)
		return sid;
	if (q->c == 1 && (f = fg_find(s, sid)) != NULL) {
		HASH_DEL(s->fg, f);
		free(f);
	}
	if (trace_on(&s->trace)) {
		snprintf(name, sizeof(name), "%.*s", (int)sizeof(q->text), q->text);
		trace_begin(&s->trace, "ctty", caller, eng_vpid_to_rpid(s->eng, caller));
		trace_bool(&s->trace, "acquired", q->a == 1);
		trace_str(&s->trace, "how", how[q->b]);
		trace_int(&s->trace, "sid", sid);
		trace_bool(&s->trace, "leader", q->c == 1);
		trace_str(&s->trace, "tty", name);
		trace_end(&s->trace, "ctty: session %d %s %s (%s by %d%s)", sid,
			  q->a == 1 ? "acquired" : "dropped", name[0] ? name : "its terminal", how[q->b],
			  (int)caller, q->c == 1 ? ", its leader" : "");
	}
	return 0;
}

void term_free(struct sup *s)
{
	struct sup_fg *f, *tmp;

	HASH_ITER(hh, s->fg, f, tmp) {
		HASH_DEL(s->fg, f);
		free(f);
	}
}
