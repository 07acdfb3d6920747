/* sig.c — si_pid translation: sigaction trampoline for SA_SIGINFO handlers, sigwaitinfo, sigtimedwait. */
#include "shim.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#define SIG_SLOTS 65 /* signals 1..64 */

typedef void (*sig_info_fn)(int, siginfo_t *, void *);

/* The user's SA_SIGINFO handler for each signal whose real handler is our
 * trampoline; written by sigaction before the trampoline is installed. */
static SHIM_START_DATA _Atomic(sig_info_fn) user_handler[SIG_SLOTS] __attribute__((aligned(16))); /* not 32: hot.ld's page (self.c) */

/* Codes whose si_pid names a sending process (rpid on the wire). */
bool shim_sig_has_sender(const siginfo_t *si)
{
	/* SI_MESGQ: mq_notify's signal names the process whose mq_send
	 * made the queue non-empty. */
	if (si->si_code == SI_USER || si->si_code == SI_QUEUE || si->si_code == SI_TKILL ||
	    si->si_code == SI_MESGQ)
		return true;
	return si->si_signo == SIGCHLD && si->si_code >= CLD_EXITED &&
	       si->si_code <= CLD_CONTINUED;
}

/* A filtered image's kill, sent for it as SI_QUEUE (core/proto.h): the
 * kernel's code back. */
static void sig_uncode(siginfo_t *si)
{
	int code;

	if (si == NULL)
		return;
	code = proto_sig_code(si->si_code, (uintptr_t)si->si_value.sival_ptr);
	if (code != si->si_code) {
		si->si_code = code;
		si->si_value.sival_ptr = NULL;
	}
}

/* rpid -> vpid: our children (local table), ourselves, the supervisor
 * (1), others via XLATE; a sender outside the tree reads as 0. */
void shim_sig_translate(siginfo_t *si)
{
	int saved = errno;

	sig_uncode(si);
	if (si == NULL || !shim_sig_has_sender(si) || si->si_pid <= 0 || shim_offline())
		return;
	si->si_pid = shim_r2v_acting(si->si_pid);
	shim_errno_keep(saved);
}

static void trampoline(int sig, siginfo_t *si, void *ctx)
{
	sig_info_fn fn = sig > 0 && sig < SIG_SLOTS ? atomic_load(&user_handler[sig]) : NULL;

	shim_sig_translate(si);
	if (fn != NULL)
		fn(sig, si, ctx);
}

/* SIGCHLD ignored, or SA_NOCLDWAIT: the kernel reaps our children as they
 * exit, and no wait will report them.  A change either way is told to the
 * supervisor (AUTOREAP), which then watches them at once and lets them go
 * when the kernel has (supervisor/procs.c; /proc shows SIG_IGN but not
 * SA_NOCLDWAIT).  A fork tells it per child (fork.c, bind_flags); glibc's
 * signal() calls its own sigaction, unseen, but SIG_IGN shows in /proc. */
static bool autoreaps(const struct sigaction *sa)
{
	return sa->sa_handler == SIG_IGN || (sa->sa_flags & SA_NOCLDWAIT);
}

static void sig_autoreap_changed(const struct sigaction *old, const struct sigaction *now)
{
	struct proto_req req = { .op = PROTO_OP_AUTOREAP };
	struct proto_rep rep;

	if (old == NULL || autoreaps(old) == autoreaps(now) || shim_offline())
		return;
	req.a = autoreaps(now);
	(void)shim_call(&req, &rep);
}

SHIM_EXPORT int sigaction(int sig, const struct sigaction *act, struct sigaction *oldact)
{
	struct sigaction mine;
	sig_info_fn prev = NULL;
	int rc;

	shim_init();
	/* A vfork child must not change the (shared) handler table.  glibc's
	 * own signals (32, 33: below SIGRTMIN) are EINVAL before act is read:
	 * reading it here first would fault where glibc does not. */
	if (shim_mode() == SHIM_MODE_NONE || sig <= 0 || sig >= SIG_SLOTS || shim_vf.active ||
	    (sig >= 32 && sig < SIGRTMIN))
		return REAL(sigaction)(sig, act, oldact);
	prev = atomic_load(&user_handler[sig]);
	if (act != NULL && (act->sa_flags & SA_SIGINFO) && act->sa_sigaction != NULL &&
	    act->sa_handler != SIG_IGN && act->sa_handler != SIG_DFL) {
		mine = *act;
		mine.sa_sigaction = trampoline;
		atomic_store(&user_handler[sig], act->sa_sigaction);
		act = &mine;
	}
	struct sigaction before;
	if (sig == SIGCHLD && act != NULL && oldact == NULL)
		oldact = &before; /* to tell a change of autoreaping (below) */
	rc = REAL(sigaction)(sig, act, oldact);
	if (rc < 0 && act == &mine)
		atomic_store(&user_handler[sig], prev);
	if (rc == 0 && sig == SIGCHLD && act != NULL)
		sig_autoreap_changed(oldact, act);
	if (rc == 0 && oldact != NULL && (oldact->sa_flags & SA_SIGINFO) &&
	    oldact->sa_sigaction == trampoline)
		oldact->sa_sigaction = prev;
	return rc;
}

SHIM_EXPORT int sigwaitinfo(const sigset_t *set, siginfo_t *info)
{
	int rc;

	shim_init();
	rc = REAL(sigwaitinfo)(set, info);
	if (rc > 0)
		shim_sig_translate(info);
	return rc;
}

SHIM_EXPORT int sigtimedwait(const sigset_t *set, siginfo_t *info, const struct timespec *ts)
{
	int rc;

	shim_init();
	rc = REAL(sigtimedwait)(set, info, ts);
	if (rc > 0)
		shim_sig_translate(info);
	return rc;
}
