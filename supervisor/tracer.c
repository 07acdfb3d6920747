/* tracer.c — the tracer process: seizing filtered images, following their stops, talking to the supervisor (the calls it rewrites: tracer_calls.c). */
#include "tracer_int.h"
#include "../shim/seccomp_bpf.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <unistd.h>

/*
 * A seccomp user notification answers a call with a value; it cannot
 * change the caller's registers.  fork, vfork, clone (without
 * CLONE_THREAD), clone3, wait4 and waitid from a filtered image's own code
 * need exactly that (the parent must see the child's vpid, wait must take
 * and return vpids), so they go to a tracer: this process, forked by the
 * supervisor when the first image is filtered, which seizes each
 * filtered image before its exec (TRC_SEIZE) and follows its children by
 * the fork options.  The filter sends it wait4, waitid, clone3 and the
 * other calls below (SECCOMP_RET_TRACE); fork, vfork and clone it takes
 * at their fork event only (fork_from_image).
 *
 *   - fork family: at the fork event the child's rpid is known
 *     (PTRACE_GETEVENTMSG); the supervisor numbers it as a preloaded
 *     fork would (TRC_FORK: FORK + BIND for the parent), before the child
 *     runs (it waits in its first stop until then); at the parent's
 *     syscall-exit stop the return register becomes the vpid.
 *   - wait4/waitid: the pid argument is translated at the seccomp stop
 *     (TRC_SELECT: the engine's selection of vpid, 0, -pgid), the result
 *     at the syscall-exit stop (return value, waitid's si_pid in the
 *     caller's memory), and the supervisor hears of the reap or the
 *     state change (TRC_DONE) before the caller runs on.
 *   - setpgid, setsid: the engine's operation first (TRC_SETPGID,
 *     TRC_SETSID), as the shim's own; then the real call runs as its
 *     mirror, with the arguments rewritten to real ids (the target's
 *     rpid, the group's real mirror), so that real groups and sessions
 *     follow the virtual ones for these images too (terminal job control,
 *     the kernel's orphan rule, group waits).  The caller gets the
 *     engine's answer; the mirror's own errors are not the program's.
 *   - calls that take a pid (sched_*, priorities, prlimit, process_vm_*,
 *     kcmp, ...; prctl's PR_SET_PTRACER; capget/capset, whose pid is in
 *     the caller's memory): the id is translated at the seccomp stop
 *     (TRC_XLATE, the shim's rule) and put back at the exit; the
 *     kernel's answer stays, errno and all.
 *     prctl(PR_SET_CHILD_SUBREAPER) runs for real, then the engine
 *     follows (TRC_SUBREAPER), as in shim/prctl.c.
 *   - ids kept for a descriptor (fcntl's owner and lock holder, the
 *     terminal's and sockets' owner ioctls): made real going in
 *     (TRC_XLATE), virtual coming back (TRC_R2V, TRC_TCPGRP), as
 *     shim/fdowner.c and shim/tty.c do.
 * Every other stop is handed back as the kernel made it: signals are
 * re-injected, group-stops are left stopped with PTRACE_LISTEN (job
 * control and the real parent's WUNTRACED wait behave as natively).
 * Children forked by code that is not filtered (a preloaded descendant's
 * libc, whose shim numbers them itself) are detached at their first stop.
 * No PTRACE_O_EXITKILL: if the tracer dies, the kernel detaches its
 * tracees, which run on; their traced calls then fail with ENOSYS (the
 * kernel's answer to SECCOMP_RET_TRACE without a tracer), never with a
 * real pid where a virtual one belongs.
 */

/* Entries are allocated one by one: a pointer stays valid while the
 * table grows (a SEIZE may arrive during any question we ask). */
static struct tracee **tab;
static size_t ntab, captab;
static int sfd = -1; /* the supervisor */

#define OPTS                                                                                 \
	(PTRACE_O_TRACESECCOMP | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE | \
	 PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEEXEC)

static struct tracee *find(pid_t tid)
{
	for (size_t i = 0; i < ntab; i++)
		if (tab[i]->tid == tid)
			return tab[i];
	return NULL;
}

static struct tracee *add(pid_t tid)
{
	struct tracee *t = find(tid);

	if (t)
		return t;
	if (ntab == captab) {
		size_t cap = captab ? captab * 2 : 64;
		struct tracee **m = realloc(tab, cap * sizeof(*m));
		if (m == NULL)
			return NULL;
		tab = m;
		captab = cap;
	}
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	tab[ntab++] = t;
	t->tid = tid;
	t->nr = -1;
	return t;
}

static void del(pid_t tid)
{
	for (size_t i = 0; i < ntab; i++) {
		if (tab[i]->tid == tid) {
			free(tab[i]);
			tab[i] = tab[--ntab];
			return;
		}
	}
}

/* ---- the supervisor ----------------------------------------------------- */

static void on_seize(const struct trc_msg *q);
static void leave(void) __attribute__((noreturn));

static void send_msg(struct trc_msg *m)
{
	while (send(sfd, m, sizeof(*m), MSG_NOSIGNAL) < 0 && errno == EINTR)
		;
}

int trc_ask(int op, pid_t tid, int32_t a, int32_t b, int32_t c, struct trc_msg *r)
{
	struct trc_msg q = {.op = op, .tid = tid, .a = a, .b = b, .c = c};

	send_msg(&q);
	for (;;) {
		ssize_t n = recv(sfd, r, sizeof(*r), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n != (ssize_t)sizeof(*r))
			leave(); /* the supervisor is gone: so are we (tracees detach) */
		if (r->op == TRC_REPLY)
			return r->err;
		if (r->op == TRC_SEIZE)
			on_seize(r);
	}
}

static void on_seize(const struct trc_msg *q)
{
	struct trc_msg r = {.op = TRC_REPLY};
	struct tracee *t = find(q->a);

	/* Already ours (a traced process exec'ing another filtered image). */
	if (t != NULL) {
		t->tgid = q->a;
		if (q->b > 1)
			t->vpid = q->b;
	} else {
		if (ptrace(PTRACE_SEIZE, q->a, 0, (void *)(long)OPTS) < 0) {
			r.err = -errno;
		} else if ((t = add(q->a)) == NULL) {
			ptrace(PTRACE_DETACH, q->a, 0, 0);
			r.err = -ENOMEM;
		} else {
			t->started = true;
			t->disp = D_KEEP;
			t->tgid = q->a;
			t->vpid = q->b > 1 ? q->b : 0;
			trc_kids_forget(q->a); /* a process that had this pid before */
		}
	}
	send_msg(&r);
}

/* ---- stops ------------------------------------------------------------ */

/* t enters a call with registers r: nothing of the last one is left
 * (trc_call_exit's undo state), and no call is traced until one says so. */
static void call_begin(struct tracee *t, const struct user_regs_struct *r)
{
	t->orig = *r;
	t->restore = false;
	t->subreaper = false;
	t->poke_addr = 0;
	t->nr = -1;
}

static void on_seccomp(struct tracee *t)
{
	struct user_regs_struct r;
	long nr;

	if (ptrace(PTRACE_GETREGS, t->tid, 0, &r) < 0)
		return;
	nr = (long)r.orig_rax;
	call_begin(t, &r);
	if (trc_is_fork_nr(nr)) {
		/* fork and vfork take no flags (rdi is whatever it was) */
		unsigned long long flags = nr == SYS_clone ? r.rdi : 0;
		if (nr == SYS_clone3) {
			errno = 0;
			flags = (unsigned long long)ptrace(PTRACE_PEEKDATA, t->tid, (void *)r.rdi, 0);
			if (errno)
				flags = 0; /* the kernel's EFAULT follows */
		}
		if (!(flags & CLONE_THREAD)) {
			t->nr = nr;
			t->cflags = flags;
		}
	} else if (trc_call_enter(t, &r)) {
		t->nr = nr;
	}
	ptrace(t->nr >= 0 ? PTRACE_SYSCALL : PTRACE_CONT, t->tid, 0, 0);
}

/* A new task's first stop, once its disposition is known. */
static void release(struct tracee *c)
{
	if (c->disp == D_DETACH) {
		ptrace(PTRACE_DETACH, c->tid, 0, 0);
		del(c->tid);
	} else {
		/*
		 * A new process (not a thread) has one thread until its next
		 * stop (a clone has its event), and for one thread the exec
		 * event only says what we know (nr -1, tgid its tid): it goes
		 * without it until then, one stop less for the fork + exec of
		 * every subprocess (Go spawn, 1.49x -> 1.46-1.47x native in A/B
		 * runs).  Its next stop, whatever it is, puts the option back
		 * (on_stop): a process with threads gets its exec events.
		 */
		if (c->tgid == c->tid &&
		    ptrace(PTRACE_SETOPTIONS, c->tid, 0, (void *)(long)(OPTS & ~PTRACE_O_TRACEEXEC)) == 0)
			c->exec_quiet = true;
		ptrace(PTRACE_CONT, c->tid, 0, 0);
	}
}

static bool is_thread(pid_t tid)
{
	char path[64], buf[1024];
	ssize_t n;
	int fd;
	char *p;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	p = strstr(buf, "\nTgid:");
	return p && strtol(p + 6, NULL, 10) != tid;
}

/*
 * fork, vfork and clone have no seccomp stop (shim/seccomp_bpf.h): at
 * their fork event, t->nr is set here when the call is one the filter
 * would have stopped -- the image's own code (below the filter's address
 * limit), not a thread -- as on_seccomp does.  The registers hold the
 * call's number and arguments until it returns.  An int 0x80 fork has
 * an i386 number (2, 120, 190), none of these: it stays untraced, as the
 * filter lets other ABIs pass.  clone3 stops at its seccomp stop still.
 */
static void fork_from_image(struct tracee *t)
{
	struct user_regs_struct r;
	long nr;

	if (ptrace(PTRACE_GETREGS, t->tid, 0, &r) < 0)
		return;
	nr = (long)r.orig_rax;
	if ((nr != SYS_fork && nr != SYS_vfork && nr != SYS_clone) ||
	    (r.rip >> 32) >= SHIM_SECCOMP_IP_LIMIT_HI || (nr == SYS_clone && (r.rdi & CLONE_THREAD)))
		return;
	call_begin(t, &r);
	t->nr = nr;
	t->cflags = nr == SYS_clone ? r.rdi : 0;
}

static void on_fork_event(struct tracee *t, int ev)
{
	unsigned long msg = 0;
	pid_t child;
	struct tracee *c;
	pid_t ptid = t->tid;
	bool traced;

	if (t->nr < 0)
		fork_from_image(t);
	traced = t->nr >= 0;

	ptrace(PTRACE_GETEVENTMSG, ptid, 0, &msg);
	child = (pid_t)msg;
	if (child > 0 && (c = add(child)) != NULL) {
		bool thread = ev == PTRACE_EVENT_CLONE && !traced && is_thread(child);
		if (traced) {
			/* Numbered from the counter, its BIND written to the
			 * FIFO (tracer_local.c); else asked. */
			struct trc_msg m;
			int32_t v = trc_local_fork(t, child);
			if (v <= 1 && trc_ask(TRC_FORK, ptid, child, 0, 0, &m) == 0)
				v = m.v[0];
			t = find(ptid);
			c = find(child);
			if (v > 1) {
				t->vchild = v;
				c->vpid = v;
				c->tgid = child;
				trc_kids_forget(child);
				/* CLONE_PARENT: the kernel's parent is another. */
				if (!(t->cflags & CLONE_PARENT))
					trc_kid_add(t->tgid, v, child);
			}
			c->disp = v > 1 ? D_KEEP : D_DETACH;
		} else {
			c->disp = thread ? D_KEEP : D_DETACH;
			if (thread) {
				c->tgid = t->tgid;
				c->vpid = t->vpid;
			}
		}
		if (c->started)
			release(c);
	}
	t = find(ptid);
	ptrace(t && t->nr >= 0 ? PTRACE_SYSCALL : PTRACE_CONT, ptid, 0, 0);
}

/* A kill the supervisor sent for a filtered image as SI_QUEUE: shown to
 * the tracee as the kill (SI_USER) or tkill/tgkill (SI_TKILL) it was,
 * from the sender's vpid (the tracee's getpid() is a vpid too). */
static void uncode(pid_t tid)
{
	siginfo_t si;
	int code;

	if (ptrace(PTRACE_GETSIGINFO, tid, 0, &si) < 0)
		return;
	code = proto_sig_code(si.si_code, (uintptr_t)si.si_value.sival_ptr);
	if (code == si.si_code)
		return;
	si.si_code = code;
	si.si_pid = proto_sig_sender((uintptr_t)si.si_value.sival_ptr);
	si.si_value.sival_ptr = NULL;
	ptrace(PTRACE_SETSIGINFO, tid, 0, &si);
}

/*
 * A call the supervisor answers by user notification (getpid, kill,
 * tgkill, ...: shim/seccomp_bpf.h) waits interruptibly until the
 * supervisor has received it, and a signal in that window ends it with
 * ERESTARTSYS: after a handler without SA_RESTART the caller would see
 * EINTR, which those calls never return natively (open_posix
 * pthread_kill/8-1).  The supervisor never acted on a notification it did
 * not receive (once received, only a fatal signal ends the wait:
 * SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV), so the call is made again
 * after the handler, whatever its flags: ERESTARTNOINTR.
 */
#define K_ERESTARTSYS 512
#define K_ERESTARTNOINTR 513

/* Linux 5.19 or later: the filters have WAIT_KILLABLE_RECV (shim/seccomp.c
 * installs them without it on older kernels, where a received call can
 * be interrupted too: made again, a kill would be sent twice). */
static bool killable_recv(void)
{
	static int known = -1;
	struct utsname u;
	int major = 0, minor = 0;

	if (known < 0)
		known = uname(&u) == 0 && sscanf(u.release, "%d.%d", &major, &minor) == 2 &&
			(major > 5 || (major == 5 && minor >= 19));
	return known;
}

static void no_eintr(pid_t tid)
{
	struct user_regs_struct r;
	bool notified = false;

	if (!killable_recv() || ptrace(PTRACE_GETREGS, tid, 0, &r) < 0 ||
	    (long long)r.rax != -K_ERESTARTSYS ||
	    (r.rip >> 32) >= SHIM_SECCOMP_IP_LIMIT_HI)
		return;
	for (size_t i = 0; i < NNRS; i++)
		notified = notified || r.orig_rax == seccomp_bpf_nrs[i];
	if (!notified)
		return;
	r.rax = (unsigned long long)-K_ERESTARTNOINTR;
	ptrace(PTRACE_SETREGS, tid, 0, &r);
}

static void on_stop(pid_t tid, int status)
{
	struct tracee *t = find(tid);
	int sig = WSTOPSIG(status), ev = status >> 16;

	if (t == NULL) {
		/* A new child whose parent's fork event is still to come. */
		t = add(tid);
		if (t == NULL) {
			ptrace(PTRACE_DETACH, tid, 0, 0);
			return;
		}
	}
	if (t->exec_quiet) {
		ptrace(PTRACE_SETOPTIONS, tid, 0, (void *)(long)OPTS);
		t->exec_quiet = false;
	}
	if (!t->started && ev == PTRACE_EVENT_STOP) {
		t->started = true;
		if (t->disp != D_UNKNOWN)
			release(t);
		return; /* parked until its parent's event says */
	}
	t->started = true;
	switch (ev) {
	case PTRACE_EVENT_SECCOMP:
		on_seccomp(t);
		return;
	case PTRACE_EVENT_FORK:
	case PTRACE_EVENT_VFORK:
	case PTRACE_EVENT_CLONE:
		on_fork_event(t, ev);
		return;
	case PTRACE_EVENT_EXEC: {
		unsigned long old = 0;
		ptrace(PTRACE_GETEVENTMSG, tid, 0, &old);
		if ((pid_t)old != tid)
			del((pid_t)old); /* a thread exec'd: it has the leader's tid now */
		t = find(tid);
		if (t) {
			t->nr = -1;
			t->tgid = tid; /* the leader's id, whichever thread exec'd */
		}
		ptrace(PTRACE_CONT, tid, 0, 0);
		return;
	}
	case PTRACE_EVENT_STOP:
		if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU)
			ptrace(PTRACE_LISTEN, tid, 0, 0); /* group-stop: stays stopped */
		else
			ptrace(PTRACE_CONT, tid, 0, 0);
		return;
	}
	if (sig == (SIGTRAP | 0x80)) {
		if (t->nr >= 0)
			trc_call_exit(t);
		ptrace(PTRACE_CONT, tid, 0, 0);
		return;
	}
	/* Signal-delivery stop: the signal goes on, a filtered image's kill
	 * with the kernel's code and the sender's vpid (core/proto.h, proto_sigval), an
	 * interrupted notified call restarted. */
	uncode(tid);
	no_eintr(tid);
	ptrace(PTRACE_CONT, tid, 0, (void *)(long)sig);
}

/* What waitpid said of tid. */
static void on_status(pid_t tid, int status)
{
	if (WIFEXITED(status) || WIFSIGNALED(status)) {
		struct tracee *t = find(tid);
		if (t && t->tgid == tid)
			trc_kids_forget(tid); /* its process is gone */
		del(tid);
	} else if (WIFSTOPPED(status)) {
		on_stop(tid, status);
	}
}

static void reap_stops(void)
{
	for (;;) {
		int status;
		pid_t tid = waitpid(-1, &status, __WALL | WNOHANG);
		if (tid <= 0)
			return;
		on_status(tid, status);
	}
}

static pid_t bell; /* the doorbell (below), 0 none */

/* A doorbell we no longer want: killed and reaped here, not left a
 * zombie to whoever adopts it. */
static void bell_kill(pid_t pid)
{
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, __WALL) < 0 && errno == EINTR)
		;
}

/* The supervisor is gone or done with us: so are we (the kernel detaches
 * our tracees), and the doorbell. */
static void leave(void)
{
	if (bell > 0)
		bell_kill(bell);
	_exit(0);
}

/* The supervisor's messages waiting (a SEIZE; its end: we leave). */
static void inbox(void)
{
	for (;;) {
		struct trc_msg q;
		ssize_t n = recv(sfd, &q, sizeof(q), MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0)
			leave();
		if (n == (ssize_t)sizeof(q) && q.op == TRC_SEIZE)
			on_seize(&q);
	}
}

/*
 * The doorbell.  We sleep in waitpid itself: every stop of every tracee
 * ends it, with one system call per stop.  Sleeping in poll on a
 * signalfd for SIGCHLD and the supervisor's socket took three more per
 * stop (poll, the signalfd's read, the last WNOHANG waitpid) and a
 * signal's delivery: a Go program starting 300 subprocesses, ten stops
 * each then (nine now), went from 1.63x to 1.53-1.57x native with this (make bench's Go
 * row).  The supervisor's messages (SEIZE, or its end) wake us through a
 * stop too: the doorbell is a child of ours that only sleeps, traced by
 * us; the supervisor sends it SIGUSR1 after each message (by pidfd, never
 * by a pid that could name another process by then), its
 * signal-delivery stop ends our waitpid, and we read the socket and drop
 * the signal.  No wake-up is lost: the message is queued before the
 * ring, and a ring while we are busy leaves the stop for our next
 * waitpid.  Without a doorbell (not made, or killed) we sleep in poll.
 */
static void bell_noop(int sig)
{
	(void)sig;
}

static pid_t bell_start(void)
{
	pid_t self = getpid(), pid = fork();

	if (pid < 0)
		return 0;
	if (pid == 0) {
		struct sigaction sa = {.sa_handler = bell_noop};
		sigset_t one;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != self)
			_exit(0);
		syscall(SYS_close_range, 0, ~0U, 0);
		prctl(PR_SET_NAME, "jobshim-bell");
		sigaction(SIGUSR1, &sa, NULL);
		sigemptyset(&one);
		sigaddset(&one, SIGUSR1);
		sigprocmask(SIG_UNBLOCK, &one, NULL);
		for (;;)
			pause();
	}
	if (ptrace(PTRACE_SEIZE, pid, 0, 0) < 0) {
		bell_kill(pid);
		return 0;
	}
	return pid;
}

/* Sleep in waitpid while the doorbell lives. */
static void wait_loop(void)
{
	while (bell > 0) {
		int status;
		pid_t tid = waitpid(-1, &status, __WALL);

		if (tid < 0) {
			if (errno != EINTR)
				bell = 0;
		} else if (tid != bell) {
			on_status(tid, status);
		} else if (WIFSTOPPED(status)) {
			inbox();
			ptrace(PTRACE_CONT, bell, 0, 0); /* the ring itself is dropped */
		} else {
			bell = 0; /* killed: poll from now on */
		}
	}
}

void tracer_main(int fd, struct proto_vpids *vc, int fifo)
{
	sigset_t all;
	int sigfd;
	struct trc_msg hello = {.op = TRC_BELL};

	sfd = fd;
	trc_local_init(vc, fifo);
	/* Signals from the terminal or the tree are not for us; the
	 * supervisor's end closing (or its death) ends us. */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_NAME, "jobshim-tracer");
	bell = bell_start();
	hello.a = bell;
	send_msg(&hello);
	wait_loop();
	sigemptyset(&all);
	sigaddset(&all, SIGCHLD);
	sigfd = signalfd(-1, &all, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sigfd < 0)
		_exit(1);
	for (;;) {
		struct pollfd p[2] = {{.fd = sfd, .events = POLLIN}, {.fd = sigfd, .events = POLLIN}};
		struct signalfd_siginfo si[16];

		/* Stops and messages that came while the doorbell rang last. */
		reap_stops();
		inbox();
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			_exit(1);
		if (p[1].revents & POLLIN) {
			/* One read empties it (fewer queued than it holds:
			 * SIGCHLD is one standard signal, pending once). */
			while (read(sigfd, si, sizeof(si)) == (ssize_t)sizeof(si))
				;
		}
	}
}
