/* killtally.h — how kill(2) of several targets answers: Linux's rule for the
 * result of a group or broadcast kill, shared by the shim (shim/kill.c) and
 * the supervisor's answer to a seccomp-filtered image (supervisor/notif_sig.c). */
#ifndef JOBSHIM_KILLTALLY_H
#define JOBSHIM_KILLTALLY_H

#include <errno.h>
#include <sys/types.h>

struct kill_tally {
	int sent;	    /* targets tried */
	int ok;		    /* of which the kernel accepted */
	int found;	    /* of which the kernel found (any answer but ESRCH) */
	int last;	    /* the last found target's error, -ESRCH before any */
	int last_not_eperm; /* the last found target's answer that was not EPERM, 0 if none */
};

#define KILL_TALLY_INIT { .sent = 0, .ok = 0, .found = 0, .last = -ESRCH, .last_not_eperm = 0 }

/*
 * One target's answer: 0 or -errno.  ESRCH means the process is gone: the
 * model's list is a little older than the kernel's (an exit on its way to
 * the supervisor, a fork whose child is not bound yet).  Linux walks only
 * the processes that exist when it sends, so a gone target is not one of
 * its targets and its ESRCH never becomes the call's answer unless no
 * target was found at all (then there was none: ESRCH, as Linux says of
 * an empty group or of kill(-1) with nobody else).  Counted as an answer,
 * a dead process that came last in kill(-1)'s list turned a kill that
 * reached every live process into ESRCH.
 */
static inline void kill_tally_add(struct kill_tally *t, int rc)
{
	t->sent++;
	if (rc == -ESRCH)
		return;
	t->found++;
	if (rc == 0)
		t->ok++;
	else
		t->last = rc;
	if (rc != -EPERM)
		t->last_not_eperm = rc;
}

/* The call's answer once every target was tried (the caller handles
 * sent == 0).  None found: ESRCH.  kill(pgid < -1) and kill(pid): 0 if
 * any target took it, else the last error.  kill(-1): the last answer
 * that was not EPERM, 0 if none (no permission for any target is still 0
 * on Linux; kernel/signal.c __kill_pgrp_info / kill_something_info). */
static inline int kill_tally_result(const struct kill_tally *t, pid_t pid)
{
	if (t->found == 0)
		return -ESRCH;
	if (pid == -1)
		return t->last_not_eperm;
	return t->ok > 0 ? 0 : t->last;
}

/* The answer when a later page of targets cannot be had: what was sent counts. */
static inline int kill_tally_partial(const struct kill_tally *t)
{
	return t->ok ? 0 : t->last;
}

#endif
