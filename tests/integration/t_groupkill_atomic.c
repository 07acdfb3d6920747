/* t_groupkill_atomic.c — kill(-pgid) reaches every member before any member runs on: a member that handles it first finds it pending in the others. */
#include "lib/itest.h"
#include "lib/rawstat.h"

#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>

/*
 * Linux queues a group signal on every member in one pass (kill_pgrp,
 * under the tasklist lock, preemption off) before the sender returns, so
 * no member can act on it while another has not got it yet.  Under
 * jobshim the members were signalled one real kill at a time: in
 * `sleep 100 | cat &` ... `kill %1`, sleep died of its SIGTERM, and cat
 * read the end of the pipe and exited 0 before its own came, so bash said
 * "Done" instead of "Terminated" (now shim/kill.c sends one real kill of
 * the group's real mirror, supervisor/gkill.c gkill_atomic_group).
 *
 * Made deterministic here: the group is B1, A, B2 (forked in that order,
 * so A is signalled between the two in any order of a per-member list).
 * B1 and B2 block SIGTERM, so it stays pending in them.  A runs SCHED_FIFO
 * on the CPU of main, the sender: the moment A has a signal it preempts
 * main, and its handler reads B1's and B2's shared pending set (ShdPnd,
 * from status files opened beforehand, by real pid and a raw openat: the
 * shim's copy of a status file is a snapshot taken at open, shim/procfs.c).
 * Natively both have it.  Needs root (SCHED_FIFO), as the suite does.
 */

/* Is SIGTERM in the shared pending set of the status file open at fd? */
static bool term_pending(int fd)
{
	char buf[2048];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	char *p;

	if (n <= 0)
		return false;
	buf[n] = '\0';
	p = strstr(buf, "ShdPnd:");
	return p != NULL && (strtoull(p + 7, NULL, 16) & (1ull << (SIGTERM - 1))) != 0;
}

static int status_fd[2];
static int result_w;

static void on_term(int sig)
{
	char r[2] = {term_pending(status_fd[0]) ? 'y' : 'n', term_pending(status_fd[1]) ? 'y' : 'n'};

	(void)sig;
	if (write(result_w, r, 2) != 2)
		_exit(2);
	_exit(0);
}

/* B: SIGTERM blocked, waits to be killed. */
static pid_t member_b(const char *name, pid_t pgid, struct it_chan ready)
{
	pid_t p = it_fork(name);

	if (p == 0) {
		sigset_t term;
		sigemptyset(&term);
		sigaddset(&term, SIGTERM);
		sigprocmask(SIG_BLOCK, &term, NULL);
		if (setpgid(0, pgid) < 0)
			it_die("setpgid");
		pid_t rpid = (pid_t)raw_syscall5(SYS_getpid, 0, 0, 0, 0, 0);
		it_write_all(ready.w, &rpid, sizeof(rpid));
		for (;;)
			pause();
	}
	setpgid(p, pgid == 0 ? p : pgid); /* also the parent's, as a shell does */
	return p;
}

/* A B's real pid, sent when it is ready. */
static pid_t b_ready(struct it_chan ready)
{
	pid_t rpid;

	if (read(ready.r, &rpid, sizeof(rpid)) != sizeof(rpid) || rpid <= 0)
		it_die("b's real pid");
	return rpid;
}

static void run_round(int round)
{
	struct it_chan ready = it_chan(), result = it_chan(), ctl = it_chan();
	pid_t b1 = member_b("b1", 0, ready);
	pid_t rb[2];
	rb[0] = b_ready(ready);
	pid_t a = it_fork("a");
	if (a == 0) {
		char path[64];
		struct sched_param sp = {.sched_priority = 1};
		struct sigaction sa;
		if (setpgid(0, b1) < 0)
			it_die("setpgid");
		/* B2 is forked after us: wait for main to name both. */
		if (read(ctl.r, rb, sizeof(rb)) != sizeof(rb))
			it_die("b's pids");
		snprintf(path, sizeof(path), "/proc/%d/status", (int)rb[0]);
		status_fd[0] = raw_open(path, O_RDONLY);
		snprintf(path, sizeof(path), "/proc/%d/status", (int)rb[1]);
		status_fd[1] = raw_open(path, O_RDONLY);
		if (status_fd[0] < 0 || status_fd[1] < 0)
			it_die("open status");
		result_w = result.w;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_term;
		sigaction(SIGTERM, &sa, NULL);
		it_pin_cpu(0);
		if (sched_setscheduler(0, SCHED_FIFO, &sp) < 0)
			it_die("sched_setscheduler");
		it_put(ready, 'a');
		for (;;)
			pause();
	}
	setpgid(a, b1);
	pid_t b2 = member_b("b2", b1, ready);
	rb[1] = b_ready(ready);
	it_write_all(ctl.w, rb, sizeof(rb));
	it_expect(ready, 'a');
	if (kill(-b1, SIGTERM) < 0)
		it_die("kill");
	char r[2];
	if (read(result.r, r, 2) != 2)
		it_die("a's answer");
	if (round == 0 || r[0] != 'y' || r[1] != 'y')
		it_out("round %d: when a handled the group's SIGTERM, b1 had it pending: %s, b2: %s", round,
		       r[0] == 'y' ? "yes" : "no", r[1] == 'y' ? "yes" : "no");
	int st = it_reap(a);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		it_out("a: %s", it_status(st));
	kill(-b1, SIGKILL);
	st = it_reap(b1);
	if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGKILL)
		it_out("b1: %s", it_status(st));
	st = it_reap(b2);
	if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGKILL)
		it_out("b2: %s", it_status(st));
	close(ready.r);
	close(ready.w);
	close(result.r);
	close(result.w);
	close(ctl.r);
	close(ctl.w);
}

int main(void)
{
	it_init();
	it_pin_cpu(0);
	for (int round = 0; round < 10; round++)
		run_round(round);
	it_out("10 rounds");
	return 0;
}
