/* ids.c — getpid, getppid, getpgid, getsid, setsid and setpgid (the tc* calls are in tty.c). */
#include "shim.h"

#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "mview.h"

/* A round trip whose answer is rep.v[0]: 0 with *out, -errno from the
 * engine, or 1 when the supervisor cannot be reached (use the real call). */
int shim_ask(uint16_t op, pid_t a, pid_t b, pid_t *out)
{
	struct proto_req req = { .op = op, .a = a, .b = b };
	struct proto_rep rep;

	if (shim_call(&req, &rep) < 0)
		return 1;
	if (rep.err < 0)
		return rep.err;
	*out = rep.v[0];
	return 0;
}

SHIM_EXPORT pid_t getpid(void)
{
	return shim_self_vpid();
}

/* getppid's work, inlined into both its callers: getppid's own code
 * stays in its section of the fork child's window (hot_text.ld), and
 * shim_self_sandboxing calls no exported name (no PLT slot). */
static inline __attribute__((always_inline)) pid_t ppid_of_self(void)
{
	pid_t rppid = shim_sys_getppid(), v;
	struct mview_ids mv;

	if (shim_offline())
		return shim_self_kept() && (v = shim_ppid_cached(rppid)) > 0 ? v : rppid;
	/* The parent can only change by exiting, which changes the real parent
	 * too (reparenting to the subreaper): same real parent, same answer. */
	v = shim_ppid_cached(rppid);
	if (v > 0)
		return v;
	/* The view's parent holds while our real parent is the one the view
	 * expects (prpid): a real parent that differs has exited and the
	 * view does not show it yet. */
	if (shim_self_known() && shim_mview_ids(shim_self_vpid(), &mv) && mv.ppid > 0 &&
	    mv.prpid == rppid) {
		shim_ppid_set(mv.ppid, rppid);
		return mv.ppid;
	}
	/* Not connected yet: HELLO's answer carries the parent. */
	if (shim_connect() == 0 && (v = shim_ppid_cached(rppid)) > 0)
		return v;
	if (shim_ask(PROTO_OP_GETPPID, 0, 0, &v) != 0)
		return shim_sys_getppid();
	/* Cache only if the real parent did not change during the question. */
	if (shim_sys_getppid() == rppid)
		shim_ppid_set(v, rppid);
	return v;
}

SHIM_EXPORT pid_t getppid(void)
{
	return ppid_of_self();
}

/* vpid's entry in the model view (0 = the caller); false: ask instead
 * (no view, not fresh, or the view does not show pid: ESRCH is always the
 * supervisor's answer, since a new child's BIND may still be unread). */
static bool view_of(pid_t pid, struct mview_ids *v)
{
	if (pid < 0)
		return false;
	if (pid == 0)
		pid = shim_self_vpid();
	if (!shim_mview_ids(pid, v))
		return false;
	/* A zombie of the view is one for the kernel too, unless a wait
	 * reaped it that no shim saw (glibc's wordexp waits for its `$(...)`
	 * shell through calls of its own): gone, the supervisor reaps it in
	 * the model when asked (procs.c, reap_unseen), and answers ESRCH.
	 * One system call, for zombies only. */
	if (v->state == MVIEW_ZOMBIE)
		return v->rpid <= 0 || shim_raw_syscall(SYS_kill, v->rpid, 0, 0, 0, 0, 0) != -ESRCH;
	/* A child of ours that the view shows alive may be gone already when
	 * we ignore SIGCHLD: the kernel reaps it at its exit, and we may have
	 * seen that exit (its pidfd, /proc) before the supervisor read it.
	 * Then ask: the supervisor applies the exit first (ops.c) and answers
	 * ESRCH, as Linux (jsgen 55551091, on a loaded machine).  One system
	 * call, for our own children only, and one more when we autoreap. */
	return v->ppid != shim_self_vpid() || v->rpid <= 0 || pid == shim_self_vpid() ||
	       !shim_autoreaps() || shim_raw_syscall(SYS_kill, v->rpid, 0, 0, 0, 0, 0) != -ESRCH;
}

/* The pid to ask the engine about: 0 names the connection's process, our
 * parent's in a child sharing its memory (clone.c), so that child names
 * itself. */
static pid_t ask_self(pid_t pid)
{
	return pid == 0 && shim_self_vmkid() ? shim_self_vpid() : pid;
}

static pid_t ids_getpgid(pid_t pid)
{
	struct mview_ids mv;
	pid_t v;
	int rc;

	if (shim_offline())
		return REAL(getpgid)(pid);
	if (view_of(pid, &mv))
		return mv.pgid;
	rc = shim_ask(PROTO_OP_GETPGID, ask_self(pid), 0, &v);
	if (rc == 1)
		return REAL(getpgid)(pid);
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return v;
}

SHIM_EXPORT pid_t getpgid(pid_t pid)
{
	return ids_getpgid(pid);
}

SHIM_EXPORT pid_t __getpgid(pid_t pid)
{
	return ids_getpgid(pid);
}

SHIM_EXPORT pid_t getpgrp(void)
{
	return ids_getpgid(0);
}

static pid_t ids_getsid(pid_t pid)
{
	struct mview_ids mv;
	pid_t v;
	int rc;

	if (shim_offline())
		return REAL(getsid)(pid);
	if (view_of(pid, &mv))
		return mv.sid;
	rc = shim_ask(PROTO_OP_GETSID, ask_self(pid), 0, &v);
	if (rc == 1)
		return REAL(getsid)(pid);
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return v;
}

/*
 * Real process groups mirror the virtual ones (docs/internals.md, "Real
 * groups"), so that the kernel's terminal job control -- ^C and ^Z to the
 * foreground group only, SIGTTIN/SIGTTOU for the background -- follows the
 * program's own setpgid and tcsetpgrp.  A virtual setsid is a real one
 * too; the command's session 2 is real without a controlling terminal and
 * stays in the user's real session with one (run.c, root_can_be_real).  The real call comes
 * after the virtual one succeeded; its errors are not the program's (the
 * engine gave the answer), and errno is left alone.
 */
static void mirror_setpgid(pid_t rpid, pid_t rpgid)
{
	int saved = errno;

	if (rpgid > 0)
		(void)REAL(setpgid)(rpid, rpgid);
	shim_errno_keep(saved);
}

pid_t shim_setsid(void)
{
	pid_t v;
	int rc;

	if (shim_offline())
		return REAL(setsid)();
	rc = shim_view_setsid();
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	rc = shim_ask(PROTO_OP_SETSID, ask_self(0), 0, &v);
	if (rc == 1)
		return REAL(setsid)();
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	/* A real session too (no controlling terminal: /dev/tty is ENXIO,
	 * the kernel's tty rules and orphan rule apply to it, see
	 * docs/internals.md "Sessions").  The engine's answer came first:
	 * real groups mirror virtual ones, so a caller it accepts leads no
	 * real group and the real call succeeds; should it not, the caller
	 * still gets a real group of its own. */
	int saved = errno;
	shim_self_setsid();
	if (REAL(setsid)() < 0)
		mirror_setpgid(0, shim_sys_getpid());
	else
		shim_tty_new_session();
	shim_errno_keep(saved);
	return v;
}

SHIM_EXPORT pid_t getsid(pid_t pid)
{
	return ids_getsid(pid);
}

SHIM_EXPORT pid_t setsid(void)
{
	return shim_setsid();
}

/*
 * Whether a child has exec'd is asked of the kernel: a no-op real setpgid
 * (into the group it is already in) fails with EACCES exactly when the
 * child has exec'd, and has no other effect.
 */
static int child_execed(pid_t vpid)
{
	pid_t rpid = shim_v2r(vpid);
	pid_t rpgid;
	int saved = errno, d = 0;

	if (rpid <= 0 || rpid == shim_sys_getpid())
		return 0;
	rpgid = REAL(getpgid)(rpid);
	if (rpgid > 0 && REAL(setpgid)(rpid, rpgid) < 0 && errno == EACCES)
		d = 1;
	shim_errno_keep(saved);
	return d;
}

static int ids_setpgid(pid_t pid, pid_t pgid)
{
	struct proto_req req = { .op = PROTO_OP_SETPGID, .a = pid, .b = pgid };
	struct proto_rep rep;
	int rc;

	if (shim_offline())
		return REAL(setpgid)(pid, pgid);
	/* As its parent's request (the connection's): setpgid of its own
	 * child that has not exec'd, which the engine judges as the child's
	 * own call here. */
	pid = ask_self(pid);
	req.a = pid;
	/* Counted before the call (a count too many only makes a later
	 * parent's setpgid ask): shim_oneway_child_setpgid reads it. */
	if (pid == 0 || pid == shim_self_vpid())
		shim_self_moved();
	rc = shim_view_setpgid(pid, pgid);
	if (rc == VIEW_ASK)
		rc = shim_oneway_setpgid(pid, pgid);
	if (rc == VIEW_ASK)
		rc = shim_oneway_child_setpgid(pid, pgid);
	if (rc != VIEW_ASK) {
		if (rc == 0)
			return 0;
		errno = -rc;
		return -1;
	}
	if (pid > 0 && pgid >= 0 && pid != shim_self_vpid())
		req.d = child_execed(pid);
	if (shim_call(&req, &rep) < 0)
		return REAL(setpgid)(pid, pgid);
	if (rep.err < 0) {
		errno = -rep.err;
		return -1;
	}
	/* The target: ourselves (0), or a child, by its real pid. */
	if (pid == 0 || pid == shim_self_vpid()) {
		mirror_setpgid(0, (pid_t)rep.v[1]);
	} else {
		pid_t rpid = shim_v2r(pid);
		if (rpid > 0)
			mirror_setpgid(rpid, (pid_t)rep.v[1]);
	}
	return 0;
}

SHIM_EXPORT int setpgid(pid_t pid, pid_t pgid)
{
	return ids_setpgid(pid, pgid);
}

SHIM_EXPORT int setpgrp(void)
{
	return ids_setpgid(0, 0);
}

/* Hidden aliases for syscall() (shim.h): the same wrappers without the PLT. */
extern __typeof(getppid) shim_getppid __attribute__((alias("getppid"), copy(getppid)));
extern __typeof(getpgid) shim_getpgid __attribute__((alias("getpgid"), copy(getpgid)));
extern __typeof(getsid) shim_getsid __attribute__((alias("getsid"), copy(getsid)));
extern __typeof(setpgid) shim_setpgid __attribute__((alias("setpgid"), copy(setpgid)));

/* Before the program's filter goes in: the parent's vpid asked now
 * (ppid_of_self, above), so that a kept getppid can answer it from its cache
 * with no round trip (shim_self_kept). */
void shim_self_sandboxing(void)
{
	if (shim_mode() == SHIM_MODE_ONLINE && !shim_vf.active)
		(void)ppid_of_self();
}
