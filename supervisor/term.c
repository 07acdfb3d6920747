/* term.c — the real terminal hand-off to the command and the virtual foreground groups. */
#include "sup.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * Real terminal: when jobshim runs in the foreground of its terminal, the
 * command's real process group becomes the foreground group, so that the
 * tree reads the terminal and gets ^C / ^Z; jobshim takes it back when the
 * command is gone.  Real groups mirror the virtual ones (shim/ids.c): a
 * shell inside that runs jobs moves them to real groups of their own and
 * hands the terminal to them with tcsetpgrp, as it would natively.  The
 * supervisor ignores SIGTTOU for its whole life (run.c), so both tcsetpgrp
 * calls and its own reports on a TOSTOP terminal never stop it.
 *
 * Virtual terminal: TCGETPGRP / TCSETPGRP keep one foreground group per
 * virtual session, following Linux's tiocspgrp() where it applies:
 *   pgid < 0                                  -> EINVAL
 *   no process group and no process with that id -> ESRCH
 *   the group (or, like Linux, the process with that id when no such group
 *   exists) is in another session            -> EPERM
 * The reply also names the group's real mirror (procs_group_rpgid), which
 * the shim makes the real foreground group: the kernel then raises SIGTTOU
 * in a background caller, as natively.  Limits: the model has no
 * controlling terminals, so every session is taken to own "the" terminal
 * (no ENOTTY).  A session starts with its leader's group (id = the session
 * id) in the foreground.
 */

void term_handoff(struct sup *s)
{
	pid_t fg;

	s->tty_fd = -1;
	if (!isatty(0))
		return;
	fg = tcgetpgrp(0);
	if (fg < 0 || fg != getpgrp())
		return;
	s->tty_fd = 0;
	s->tty_pgrp = fg;
}

/* Both the child (before exec) and the parent (after fork) set the
 * foreground group: whichever runs first, the command never starts in the
 * background of its terminal. */
void term_child(struct sup *s)
{
	if (s->tty_fd >= 0)
		tcsetpgrp(s->tty_fd, getpid());
}

void term_give(struct sup *s)
{
	if (s->tty_fd >= 0)
		tcsetpgrp(s->tty_fd, s->cmd_rpid);
}

void term_restore(struct sup *s)
{
	if (s->tty_fd < 0)
		return;
	tcsetpgrp(s->tty_fd, s->tty_pgrp);
	s->tty_fd = -1;
}

/* The command stopped on the terminal it owns (^Z): like sudo or script,
 * stop jobshim too so that the shell that started it sees its job stop and
 * gets the terminal; once continued, give the terminal back (only when the
 * shell made us foreground: `fg`, not `bg`) and continue the tree. */
void term_check_stop(struct sup *s)
{
	siginfo_t si;

	if (s->tty_fd < 0 || s->cmd_reaped)
		return;
	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t)s->cmd_rpid, &si, WSTOPPED | WNOHANG) < 0 || si.si_pid == 0)
		return;
	eng_set_stopped(s->eng, 2, true, &s->fx);
	effects_apply(s, 0);
	trace_flush(&s->trace);
	tcsetpgrp(s->tty_fd, s->tty_pgrp);
	kill(s->self_rpid, SIGSTOP); /* returns once our shell continues us */
	if (tcgetpgrp(s->tty_fd) == s->tty_pgrp)
		tcsetpgrp(s->tty_fd, s->cmd_rpid);
	kill(-s->cmd_rpid, SIGCONT);
	eng_set_stopped(s->eng, 2, false, &s->fx);
	effects_apply(s, 0);
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
	f->vpgid = pgid;
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
