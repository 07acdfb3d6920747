/* t_clone_tid.c — clone's *_SETTID words hold the child's pid; clone3 with an exit signal other than SIGCHLD (or 0) is a tracked child, waited with __WCLONE/__WALL. */
#include <linux/sched.h>
#include <sched.h>
#include <stdint.h>
#include <sys/syscall.h>

#include "lib/itest.h"

/*
 * LTP clone08 and clone301: the kernel writes the new pid into the
 * CLONE_PARENT_SETTID word (the parent's memory) and the CLONE_CHILD_SETTID
 * word (the child's), and a child made with another exit signal is a
 * "clone" child: plain waits do not see it, __WCLONE and __WALL do, and
 * the parent gets that signal when it exits.  Each line says whether a
 * word matched the id the program sees (clone's result, the child's
 * getpid()), so native and jobshim print the same.
 */

#define STACK_SIZE (1 << 16)
static char child_stack[STACK_SIZE] __attribute__((aligned(16)));
static pid_t ptid, ctid;
static volatile sig_atomic_t got_sig;

static void on_sig(int sig)
{
	got_sig = sig;
}

static const char *yes(int b)
{
	return b ? "yes" : "no";
}

/* The child's view: its CLONE_CHILD_SETTID word against its own pid, by
 * libc's getpid() and by the system call (LTP uses the latter). */
static int child_fn(void *name)
{
	if (ctid == -1)
		return 5; /* no CLONE_CHILD_SETTID */
	it_out("%s child: ctid == getpid(): %s, == syscall(SYS_getpid): %s", (const char *)name,
	       yes(ctid == getpid()), yes(ctid == (pid_t)syscall(SYS_getpid)));
	return 5;
}

static void parent_sees(const char *name, pid_t pid, int opts)
{
	int st = 0;

	if (pid < 0)
		it_die(name);
	it_name(pid, name);
	/* after the wait: the child's line first, on both sides */
	pid_t r = waitpid(pid, &st, opts);
	it_out("%s: ptid == clone(): %s", name, yes(ptid == pid));
	IT_PID("  waitpid(pid, __WALL)", r);
	it_out("  status: %s", it_status(st));
}

/* glibc clone() with both words, then CLONE_CHILD_CLEARTID too. */
static void glibc_clone(void)
{
	ptid = ctid = -1;
	pid_t pid = clone(child_fn, child_stack + STACK_SIZE,
			  CLONE_PARENT_SETTID | CLONE_CHILD_SETTID | SIGCHLD, "glibc", &ptid, NULL, &ctid);
	parent_sees("glibc", pid, 0);
	IT_RC("  parent's ctid untouched (-1)", ctid);
	ptid = ctid = -1;
	pid = clone(child_fn, child_stack + STACK_SIZE,
		    CLONE_PARENT_SETTID | CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | SIGCHLD, "cleartid",
		    &ptid, NULL, &ctid);
	parent_sees("cleartid", pid, 0);
}

/* The raw clone system call (x86-64 order: flags, stack, ptid, ctid, tls). */
static void raw_clone(void)
{
	ptid = ctid = -1;
	long pid = syscall(SYS_clone, CLONE_PARENT_SETTID | CLONE_CHILD_SETTID | SIGCHLD, 0, &ptid,
			   &ctid, 0);
	if (pid == 0)
		_exit(child_fn("raw clone"));
	parent_sees("raw clone", (pid_t)pid, 0);
}

static long clone3(uint64_t flags, int exit_signal)
{
	struct clone_args ca;

	memset(&ca, 0, sizeof ca);
	ca.flags = flags;
	ca.exit_signal = (uint64_t)exit_signal;
	ca.parent_tid = (uint64_t)(uintptr_t)&ptid;
	ca.child_tid = (uint64_t)(uintptr_t)&ctid;
	return syscall(SYS_clone3, &ca, sizeof ca);
}

/* Does waitid(idtype, id, options) see a child, without reaping it? */
static void probe(const char *what, idtype_t idtype, id_t id, int options)
{
	siginfo_t si;

	memset(&si, 0, sizeof si);
	IT_RC(what, waitid(idtype, id, &si, options | WEXITED | WNOWAIT | WNOHANG));
	it_out("    si_pid: %s", it_l(si.si_pid));
}

/* clone3 with the words, and with exit signals SIGUSR2 and 0: which waits
 * see such a child (probed, then reaped with `reap_sel`/`reap_opts`: the
 * child's id, 0 (our group: the engine's candidates) or -1), and which
 * signal the parent gets. */
static void raw_clone3(const char *name, uint64_t flags, int exit_signal, pid_t reap_sel,
		       int reap_opts)
{
	int st = 0;

	ptid = ctid = -1;
	got_sig = 0;
	long pid = clone3(flags, exit_signal);
	if (pid == 0)
		_exit(child_fn((void *)name));
	if (pid < 0)
		it_die("clone3");
	it_name((pid_t)pid, name);
	/* A zombie, left waitable (it_await_zombie's plain waitid would not
	 * see a clone child); then the parent's lines, after the child's. */
	siginfo_t si;
	while (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT | __WALL) < 0)
		if (errno != EINTR)
			it_die("waitid WNOWAIT __WALL");
	if (flags & CLONE_PARENT_SETTID)
		it_out("%s: ptid == clone3(): %s", name, yes(ptid == pid));
	else
		it_out("%s", name);
	probe("  waitid(P_PID, pid)", P_PID, (id_t)pid, 0);
	probe("  waitid(P_PID, pid, __WCLONE)", P_PID, (id_t)pid, __WCLONE);
	probe("  waitid(P_ALL)", P_ALL, 0, 0);
	probe("  waitid(P_ALL, __WCLONE)", P_ALL, 0, __WCLONE);
	probe("  waitid(P_PGID, 0)", P_PGID, 0, 0);
	probe("  waitid(P_PGID, 0, __WCLONE)", P_PGID, 0, __WCLONE);
	probe("  waitid(P_PGID, 0, __WALL)", P_PGID, 0, __WALL);
	char what[64];
	snprintf(what, sizeof what, "  waitpid(%s, %s)", reap_sel > 0 ? "pid" : it_itoa(reap_sel),
		 reap_opts == (int)__WALL ? "__WALL" : reap_opts == (int)__WCLONE ? "__WCLONE" : "0");
	IT_PID(what, waitpid(reap_sel > 0 ? (pid_t)pid : reap_sel, &st, reap_opts));
	it_out("  status: %s; parent got %s", it_status(st), got_sig ? it_signame(got_sig) : "none");
}

int main(int argc, char **argv)
{
	it_child_modes(argc, argv);
	it_init();
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sig;
	sigaction(SIGUSR2, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	glibc_clone();
	raw_clone();
	raw_clone3("clone3 words", CLONE_PARENT_SETTID | CLONE_CHILD_SETTID, SIGCHLD, 1, __WALL);
	raw_clone3("clone3 SIGUSR2", 0, SIGUSR2, 0, __WCLONE);
	raw_clone3("clone3 SIGUSR2 again", 0, SIGUSR2, 1, __WALL);
	raw_clone3("clone3 exit signal 0", 0, 0, -1, __WALL);
	IT_RC("waitpid(-1, __WALL) with no child", waitpid(-1, NULL, __WALL));
	return 0;
}
