/* t_clone_vm.c — clone(CLONE_VM), also with CLONE_VFORK, makes a process that shares our memory: its own pid (clone's result, its *_SETTID words, its getpid(), after an exec), our pid as its parent, waitable and signalable by that pid. */
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/syscall.h>

#include "lib/itest.h"
#include "lib/rawsys.h"

/* The kernel's thread id, past any wrapper. */
static pid_t raw_gettid(void)
{
	return (pid_t)raw_syscall5(SYS_gettid, 0, 0, 0, 0, 0);
}

/*
 * LTP clone08 (CLONE_PARENT_SETTID | CLONE_VM), kcmp03, clone09, clone05.  The
 * child shares our memory, so it reports by writing the variables below;
 * the parent prints them after the wait.  Each comparison prints yes/no,
 * so native and jobshim print the same.
 */

#define STACK_SIZE (1 << 16)
static char child_stack[STACK_SIZE] __attribute__((aligned(16)));
static pid_t ptid, ctid;
static volatile pid_t c_pid, c_sys, c_ppid, c_pgrp, c_fork, c_waited;
static volatile int c_kill, c_st, c_ok;
static volatile sig_atomic_t c_mask_kept, cont_where;
static pid_t main_tid; /* the kernel's id of our main thread */

/* SIGCONT, which the child sends to its parent (a signal the shim always
 * asks the engine about, over the parent's connection): who got it, by
 * the kernel's thread id (1 us, 2 the child). */
static void on_cont(int sig)
{
	(void)sig;
	cont_where = raw_gettid() == main_tid ? 1 : 2;
}

static const char *yes(int b)
{
	return b ? "yes" : "no";
}

static int child_fn(void *arg)
{
	sigset_t m;

	c_pid = getpid();
	c_sys = (pid_t)syscall(SYS_getpid);
	c_ppid = getppid();
	c_pgrp = getpgrp();
	c_kill = kill(c_pid, 0);
	kill(c_ppid, SIGCONT);
	/* the caller's mask, not our fork path's (everything blocked) */
	sigprocmask(SIG_BLOCK, NULL, &m);
	c_mask_kept = sigismember(&m, SIGUSR1) && !sigismember(&m, SIGTERM);
	c_ok = 1;
	return (int)(intptr_t)arg;
}

/* The child makes a group of its own: its getpgrp() and ours. */
static volatile pid_t c_pgrp_after;
static volatile int c_setpgid;
static int grouping_fn(void *arg)
{
	(void)arg;
	c_pid = getpid();
	c_setpgid = setpgid(0, 0);
	c_pgrp_after = getpgrp();
	c_ok = 1;
	return 0;
}

/* The child makes a session of its own. */
static volatile pid_t c_setsid, c_sid_after;
static int session_fn(void *arg)
{
	(void)arg;
	c_pid = getpid();
	c_setsid = setsid();
	c_sid_after = getsid(0);
	c_pgrp_after = getpgrp();
	c_ok = 1;
	return 0;
}

/* The child forks: its child's parent is the CLONE_VM process. */
static int forking_fn(void *arg)
{
	(void)arg;
	c_pid = getpid();
	c_fork = fork();
	if (c_fork == 0)
		_exit(getppid() == c_pid ? 3 : 4);
	int st = 0;
	c_waited = waitpid(c_fork, &st, 0);
	c_st = st;
	return 6;
}

/* The child execs: the new image's $$ and $PPID are the child's pid and ours. */
static int exec_fn(void *arg)
{
	char me[16], parent[16];

	(void)arg;
	snprintf(me, sizeof me, "%d", (int)getpid());
	snprintf(parent, sizeof parent, "%d", (int)getppid());
	execl("/bin/sh", "sh", "-c", "[ \"$$\" = \"$1\" ] && [ \"$PPID\" = \"$2\" ]", "sh", me, parent,
	      (char *)NULL);
	return 127;
}

static __attribute__((noreturn)) int pausing_fn(void *arg)
{
	(void)arg;
	c_ok = 1;
	for (;;)
		pause();
}

static void reset(void)
{
	ptid = ctid = -1;
	c_pid = c_sys = c_ppid = c_pgrp = c_fork = c_waited = 0;
	c_kill = c_st = c_ok = 0;
	c_mask_kept = cont_where = 0;
}

/* A CLONE_VM child (flags besides CLONE_VM and SIGCHLD) running fn, named;
 * with wait_ok, once it has said it runs (c_ok). */
static pid_t start(const char *name, int (*fn)(void *), int flags, bool wait_ok)
{
	reset();
	pid_t pid = clone(fn, child_stack + STACK_SIZE, CLONE_VM | SIGCHLD | flags, NULL);
	if (pid < 0)
		it_die("clone");
	it_name(pid, name);
	while (wait_ok && !c_ok)
		sched_yield();
	return pid;
}

static pid_t reap(const char *what, pid_t sel, pid_t pid)
{
	int st = 0;
	pid_t r;

	while ((r = waitpid(sel, &st, __WALL)) < 0 && errno == EINTR)
		;
	it_out("%s: waitpid = %s (clone's result: %s), %s", what, it_l(r), yes(r == pid),
	       it_status(st));
	return r;
}

static void vm_child(const char *name, int flags, pid_t sel)
{
	reset();
	pid_t pid = clone(child_fn, child_stack + STACK_SIZE, flags, (void *)(intptr_t)7, &ptid, NULL, &ctid);
	if (pid < 0)
		it_die("clone");
	it_name(pid, name);
	reap(name, sel > 0 ? pid : sel, pid);
	it_out("  ran: %s; getpid == clone(): %s, syscall(SYS_getpid) too: %s", yes(c_ok),
	       yes(c_pid == pid), yes(c_sys == pid));
	if (flags & CLONE_PARENT_SETTID)
		it_out("  ptid == clone(): %s", yes(ptid == pid));
	if (flags & CLONE_CHILD_SETTID)
		it_out("  ctid == clone(): %s", yes(ctid == pid));
	IT_PID("  child's getppid()", c_ppid);
	IT_PID("  child's getpgrp()", c_pgrp);
	it_out("  child's kill(self, 0): %d; mask kept: %s; its SIGCONT to its parent reached %s", c_kill,
	       yes(c_mask_kept), cont_where == 1 ? "us" : cont_where == 2 ? "the child" : "nobody");
	IT_PID("  our getpid() after", getpid());
}

int main(int argc, char **argv)
{
	it_child_modes(argc, argv);
	it_init();
	sigset_t m;
	sigemptyset(&m);
	sigaddset(&m, SIGUSR1);
	sigprocmask(SIG_BLOCK, &m, NULL);
	main_tid = raw_gettid();
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_cont;
	sigaction(SIGCONT, &sa, NULL);

	vm_child("vm words", CLONE_VM | CLONE_PARENT_SETTID | CLONE_CHILD_SETTID | SIGCHLD, 1);
	vm_child("vm sighand files", CLONE_VM | CLONE_SIGHAND | CLONE_FILES | SIGCHLD, -1);
	vm_child("vm exit signal 0", CLONE_VM | CLONE_PARENT_SETTID, 0);
	/* a spawn made by hand: we sleep until the child exits or execs */
	vm_child("vm vfork", CLONE_VM | CLONE_VFORK | CLONE_PARENT_SETTID | CLONE_CHILD_SETTID | SIGCHLD, 1);

	/* a CLONE_VM child that forks and waits */
	pid_t pid = start("vm forker", forking_fn, 0, false);
	reap("vm forker", pid, pid);
	it_out("  getpid == clone(): %s; its fork: %s; waited: %s; %s", yes(c_pid == pid),
	       yes(c_fork > 0), yes(c_waited == c_fork), it_status(c_st));

	/* execs /bin/sh, which checks its $$ and $PPID (exit 0 when right) */
	pid = start("vm exec", exec_fn, 0, false);
	reap("vm exec", pid, pid);
	pid = start("vm vfork exec", exec_fn, CLONE_VFORK, false);
	reap("vm vfork exec", pid, pid);

	/* its own group */
	pid = start("vm grouping", grouping_fn, 0, true);
	it_out("vm grouping: setpgid(0, 0) = %d, then its getpgrp() is its pid: %s", c_setpgid,
	       yes(c_pgrp_after == pid));
	IT_PID("  getpgid(vm grouping)", getpgid(pid));
	IT_PID("  our getpgrp()", getpgrp());
	reap("vm grouping", pid, pid);

	/* its own session */
	pid = start("vm session", session_fn, 0, true);
	it_out("vm session: setsid() is its pid: %s; then getsid(0), getpgrp() too: %s, %s",
	       yes(c_setsid == pid), yes(c_sid_after == pid), yes(c_pgrp_after == pid));
	IT_PID("  getsid(vm session)", getsid(pid));
	IT_PID("  our getsid(0)", getsid(0));
	IT_PID("  our getpgrp()", getpgrp());
	reap("vm session", pid, pid);

	/* signalled by its pid */
	pid = start("vm paused", pausing_fn, 0, true);
	IT_RC("kill(vm paused, SIGTERM)", kill(pid, SIGTERM));
	reap("vm paused", -1, pid);
	IT_RC("waitpid(-1) with no child", waitpid(-1, NULL, __WALL));
	return 0;
}
