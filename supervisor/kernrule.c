/* kernrule.c — what the running kernel does where Linux versions differ, found by asking it once. */
#include "kernrule.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * The orphaned-group rule (kernel/exit.c, kill_orphaned_pgrp): a group that
 * an exit leaves orphaned while a member is stopped gets SIGHUP, then
 * SIGCONT.  The kernels this project ran on until 2 Dec 2026 (6.18 among
 * them) sent both to every member, as POSIX words it; the one of 4 Dec 2026
 * (6.18.44-fc-v1272) sends the SIGCONT to every member but the SIGHUP only
 * to the stopped ones.  The
 * engine must do what the kernel under it does, so the supervisor asks it.
 *
 * The probe, all in processes of its own:
 *   R  a clone child without an exit signal, so the supervisor's
 *      waitid(P_ALL) never sees it (only __WCLONE does), and a subreaper,
 *      so nothing of the probe is ever reparented to the supervisor;
 *   A  R's child, which starts a session;
 *   P  A's child, which makes its own group G, blocks SIGHUP and SIGCONT
 *      (a pending SIGHUP then shows in sigpending) and forks
 *   S  which stops.
 * Once S is stopped, A exits: P's new parent R is in another session, so G
 * loses its only link with S stopped and the kernel signals G.  P waits
 * until S is continued (the SIGCONT, sent after the SIGHUP) and reports
 * whether a SIGHUP is pending for itself, a running member.  Nothing
 * outside G is signalled; alarm() ends a probe that hangs.
 */

/* fork without libc's wrapper (and its atfork handlers): R is itself a raw
 * clone of a process that may have threads. */
static pid_t raw_fork(void)
{
	return (pid_t)syscall(SYS_clone, (long)SIGCHLD, 0L, 0L, 0L, 0L);
}

/* P: G's maker.  Writes '1' (SIGHUP pending) or '0' to res_w; never
 * returns.  Every signal but SIGALRM is blocked (probe_root). */
static void __attribute__((noreturn)) probe_member(int go_w, int res_w)
{
	siginfo_t si;
	sigset_t pending;
	char verdict = '?';
	pid_t s;

	if (setpgid(0, 0) < 0)
		_exit(1);
	s = raw_fork();
	if (s == 0) {
		/* Not a writer of the pipes: their readers see P's end. */
		close(go_w);
		close(res_w);
		kill(getpid(), SIGSTOP);
		for (;;)
			pause(); /* until P's SIGKILL */
	}
	if (s < 0)
		_exit(1);
	while (waitid(P_PID, (id_t)s, &si, WSTOPPED) < 0 && errno == EINTR)
		;
	if (write(go_w, "g", 1) == 1) {
		while (waitid(P_PID, (id_t)s, &si, WCONTINUED) < 0 && errno == EINTR)
			;
		if (sigpending(&pending) == 0)
			verdict = sigismember(&pending, SIGHUP) ? '1' : '0';
	}
	kill(s, SIGKILL);
	(void)!write(res_w, &verdict, 1);
	_exit(0);
}

/* R: returns the exit status the supervisor reads (2 every member, 3
 * stopped only, 1 unknown). */
static int probe_root(void)
{
	int go[2], res[2];
	char c = '?';
	sigset_t all;
	pid_t a;

	/* The supervisor's handlers were copied: none may run here.  SIGHUP
	 * and SIGCONT stay blocked, so that P sees its SIGHUP pending. */
	sigfillset(&all);
	sigdelset(&all, SIGALRM);
	sigprocmask(SIG_SETMASK, &all, NULL);
	signal(SIGALRM, SIG_DFL);
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0 || pipe(go) < 0 || pipe(res) < 0)
		return 1;
	alarm(5);
	a = raw_fork();
	if (a == 0) {
		close(res[0]);
		if (setsid() < 0)
			_exit(1);
		pid_t p = raw_fork();
		if (p == 0)
			probe_member(go[1], res[1]);
		close(go[1]);
		close(res[1]);
		/* Until P has S stopped (or P is gone); then A's exit orphans G. */
		while (read(go[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(go[0]);
	close(go[1]);
	close(res[1]);
	if (a > 0)
		while (read(res[0], &c, 1) < 0 && errno == EINTR)
			;
	/* A, P and S are all ours to reap (subreaper). */
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
	return c == '1' ? 2 : c == '0' ? 3 : 1;
}

int kernrule_probe_orphan_hup(void)
{
	pid_t r = (pid_t)syscall(SYS_clone, 0L, 0L, 0L, 0L, 0L); /* no exit signal */
	int st;

	if (r == 0)
		_exit(probe_root());
	if (r < 0)
		return -1;
	while (waitpid(r, &st, __WCLONE) < 0)
		if (errno != EINTR)
			return -1;
	if (!WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st) == 2 ? 1 : WEXITSTATUS(st) == 3 ? 0 : -1;
}

bool kernrule_orphan_hup_all(void)
{
	static int known = -2;

	if (known == -2)
		known = kernrule_probe_orphan_hup();
	return known != 0;
}
