/* run.c — `jobshim run`: set-up, spawning the command, the event loop, the exit code. */
#include "sup.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef JOBSHIM_PREFIX
#define JOBSHIM_PREFIX "/usr/local"
#endif

/* Exit codes of `jobshim run`, as timeout(1) and env(1). */
#define RUN_EXIT_FAIL 125
#define RUN_EXIT_NOEXEC 126
#define RUN_EXIT_NOTFOUND 127

int64_t sup_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int sup_watch(struct sup *s, int fd, int kind, uint64_t id)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = SUP_KEY(kind, id)};

	return epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

void sup_unwatch(struct sup *s, int fd)
{
	epoll_ctl(s->epfd, EPOLL_CTL_DEL, fd, NULL);
}

bool sup_in_batch(const struct sup *s, uint64_t key)
{
	for (int i = 0; s->batch && i < s->nbatch; i++)
		if (s->batch[i].data.u64 == key)
			return true;
	return false;
}

/* ---- set-up ----------------------------------------------------------------- */

static int find_lib(struct sup *s)
{
	char exe[PATH_MAX], tried[PATH_MAX];
	ssize_t n;
	char *slash;

	if (s->opt.lib) {
		if (access(s->opt.lib, R_OK) < 0 || !realpath(s->opt.lib, s->lib)) {
			fprintf(stderr, "jobshim: --lib %s: %s\n", s->opt.lib, strerror(errno));
			return -1;
		}
		return 0;
	}
	/* Beside the binary (the build tree), then the install location. */
	tried[0] = '\0';
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			snprintf(tried, sizeof(tried), "%.*s/libjobshim.so", (int)(sizeof(tried) - 20), exe);
			if (access(tried, R_OK) == 0 && realpath(tried, s->lib))
				return 0;
		}
	}
	if (access(JOBSHIM_PREFIX "/lib/jobshim/libjobshim.so", R_OK) == 0 &&
	    realpath(JOBSHIM_PREFIX "/lib/jobshim/libjobshim.so", s->lib))
		return 0;
	fprintf(stderr, "jobshim: cannot find libjobshim.so (looked for %s and %s); use --lib PATH\n",
		tried[0] ? tried : "it beside the jobshim binary",
		JOBSHIM_PREFIX "/lib/jobshim/libjobshim.so");
	return -1;
}

/* Ignored: SIGPIPE/SIGTTOU/SIGTTIN (sockets, and terminal hand-offs and
 * reports while in the background), and every asynchronous signal whose
 * default would kill us.  We are vpid 1: a tree process's kill(1, sig) is
 * checked and dropped (shim/initsig.c), but a descriptor's owner set to
 * vpid 1 or group 1 (fcntl F_SETOWN, F_SETSIG: shim/fdowner.c) is our real
 * pid, and SIGIO or whatever F_SETSIG chose would reach us from the
 * kernel -- as Linux's init, we ignore what we do not handle. */
static const int ignored_signals[] = {
	SIGPIPE, SIGTTOU, SIGTTIN, SIGIO, SIGUSR1, SIGUSR2, SIGALRM, SIGVTALRM,
	SIGPROF, SIGPWR, SIGSTKFLT,
};

static void ignore_signal(struct sup *s, int sig)
{
	struct sigaction ign = {.sa_handler = SIG_IGN};

	if (sigaction(sig, &ign, &s->old_act[sig]) == 0)
		sigaddset(&s->ignored, sig);
}

/* No asynchronous handlers: the signals we act on are blocked and read from
 * a signalfd; the others are ignored (above).  All of it is undone in the
 * command before exec. */
static int setup_signals(struct sup *s)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	sigaddset(&set, SIGCONT); /* still continues us; read to follow `fg` */
	if (sigprocmask(SIG_BLOCK, &set, &s->old_mask) < 0)
		return -1;
	sigemptyset(&s->ignored);
	for (size_t i = 0; i < sizeof(ignored_signals) / sizeof(ignored_signals[0]); i++)
		ignore_signal(s, ignored_signals[i]);
	for (int sig = SIGRTMIN; sig <= SIGRTMAX; sig++)
		ignore_signal(s, sig);
	s->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	return s->sigfd < 0 ? -1 : 0;
}

/* Will the command only list its libraries, the loader run as `ld.so
 * --list PROG`?  Then the shim is left out of its LD_PRELOAD, as the exec
 * wrapper does for such images inside the tree (shim_exec_lists_only,
 * shim/exec.c): preloaded, it was listed.  (LD_TRACE_LOADED_OBJECTS, ldd's
 * other way, cannot reach the command: in our own environment it would
 * make the loader list jobshim's libraries instead of running it.) */
static bool command_lists_only(char *const argv[])
{
	const char *base = strrchr(argv[0], '/');

	base = base ? base + 1 : argv[0];
	return strncmp(base, "ld-", 3) == 0 && strstr(base, ".so") != NULL && argv[1] != NULL &&
	       strcmp(argv[1], "--list") == 0;
}

static void child_exec(struct sup *s, int errfd, int syncw, int ackr)
{
	const char *old = nest_preload_rest(getenv("LD_PRELOAD"), s->lib);
	char self[64], *preload;
	size_t len;
	int err;

	/* Whoever runs first makes the command's real group: here, or the
	 * parent's setpgid.  A real session is made here only (a group
	 * leader cannot call setsid, so the parent leaves it alone). */
	if (!s->root_real || setsid() < 0)
		setpgid(0, 0);
	ttytake_child(s);
	term_child(s);
	for (int sig = 1; sig < _NSIG; sig++)
		if (sigismember(&s->ignored, sig) == 1)
			sigaction(sig, &s->old_act[sig], NULL);
	sigprocmask(SIG_SETMASK, &s->old_mask, NULL);
	if (s->old_nofile.rlim_max)
		setrlimit(RLIMIT_NOFILE, &s->old_nofile);
	/* Single-threaded parent: malloc and setenv are safe after fork. */
	len = strlen(s->lib) + (old && *old ? strlen(old) + 1 : 0) + 1;
	preload = malloc(len);
	if (command_lists_only(s->opt.argv)) {
		if (old && *old)
			setenv("LD_PRELOAD", old, 1);
		else
			unsetenv("LD_PRELOAD");
	} else if (preload) {
		snprintf(preload, len, "%s%s%s", s->lib, old && *old ? ":" : "", old && *old ? old : "");
		setenv("LD_PRELOAD", preload, 1);
	}
	snprintf(self, sizeof(self), "%d:%d", (int)s->opt.first_pid, (int)getpid());
	setenv("JOBSHIM_SOCKET", s->sock, 1);
	setenv("JOBSHIM_LIB", s->lib, 1);
	setenv("JOBSHIM_SELF", self, 1);
	notif_cmd_child(s->opt.argv[0], syncw, ackr); /* a static or Go command */
	execvp(s->opt.argv[0], s->opt.argv);
	err = errno;
	while (write(errfd, &err, sizeof(err)) < 0 && errno == EINTR)
		;
	_exit(err == ENOENT ? RUN_EXIT_NOTFOUND : RUN_EXIT_NOEXEC);
}

/* After a start that failed for want of descriptors: say which limit,
 * since a hard limit of a dozen (`ulimit -n 12`) runs a plain command
 * natively but leaves jobshim short of its own (listener, epoll, signal,
 * timer and event descriptors, the command's pipes: about 20). */
static void fd_limit_hint(int err)
{
	struct rlimit rl;

	if (err != EMFILE || getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_max == RLIM_INFINITY)
		return;
	fprintf(stderr, "jobshim: the descriptor limit (ulimit -Hn) is %llu: jobshim needs about 20 of its own\n",
		(unsigned long long)rl.rlim_max);
}

/*
 * Where the command's session 2 is for real (docs/internals.md, "Sessions
 * and controlling terminals").  With a controlling terminal the command
 * stays in our real session, where that terminal is: jobshim is a job of
 * the user's shell (term.c), at the price of one known difference -- the
 * supervisor, in the same real session, counts for the kernel as a link
 * of the groups of the processes it adopted.  Without one (CI, a service,
 * a container) nothing keeps the command there: it calls the real setsid,
 * and session 2 is as real as the sessions made inside the tree.  The
 * supervisor, virtual init's real self, is then in another session as
 * init is, so the kernel applies the orphan rule to session 2's groups
 * exactly as Linux does to the virtual ones, and the engine leaves the
 * rule to it (eng_session_set_kernel), as for every real session.  So
 * too when we lead our session, its terminal ours (tmux, ssh -t): the
 * command takes that terminal from us (ttytake.c), as the controlling
 * process natively is.  A /proc that cannot be read keeps the first way.
 */
static bool root_can_be_real(struct sup *s)
{
	struct sysio_stat st;

	s->take_tty = -1;
	if (sysio_stat(s->self_rpid, &st) < 0)
		return false;
	return st.tty_nr == 0 || ttytake_plan(s);
}

/* Fork and exec the command as vpid 2 (--first-pid).  0, or the exit code when the
 * command could not be started. */
static int spawn_command(struct sup *s)
{
	int pfd[2], sync[2], ack[2], err = 0, rc;
	int32_t v;
	ssize_t n;
	pid_t pid;

	s->how = "command";
	s->take_tty = -1;
	rc = procs_fork(s, 1, &v);
	if (rc == 0)
		rc = eng_setsid(s->eng, v, &s->fx);
	s->root_real = rc >= 0 && root_can_be_real(s);
	if (s->root_real)
		eng_session_set_kernel(s->eng, v, true);
	effects_apply(s, 0);
	s->how = NULL;
	if (rc < 0 || v != s->opt.first_pid) {
		fprintf(stderr, "jobshim: engine: cannot create the command: %s\n", strerror(-rc));
		ttytake_abort(s);
		return RUN_EXIT_FAIL;
	}
	if (pipe2(pfd, O_CLOEXEC) < 0 || pipe2(sync, O_CLOEXEC) < 0 || pipe2(ack, O_CLOEXEC) < 0) {
		err = errno;
		fprintf(stderr, "jobshim: pipe: %s\n", strerror(err));
		fd_limit_hint(err);
		ttytake_abort(s);
		return RUN_EXIT_FAIL;
	}
	term_handoff(s);
	trace_flush(&s->trace);
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "jobshim: fork: %s\n", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		ttytake_abort(s);
		return RUN_EXIT_FAIL;
	}
	if (pid == 0)
		child_exec(s, pfd[1], sync[1], ack[0]);
	s->cmd_rpid = pid;
	ttytake_parent(s);
	close(pfd[1]);
	close(sync[1]);
	close(ack[0]);
	s->cmd_rpid = pid;
	if (!s->root_real)
		setpgid(pid, pid); /* also done by the child: whoever runs first */
	term_give(s);
	procs_bind(s, s->opt.first_pid, pid);
	notif_cmd_parent(s, pid, sync[0], ack[1]);
	close(sync[0]);
	close(ack[1]);
	/* The pipe closes on a successful exec, before the new image runs any
	 * code: no request from the command can be waiting for us yet. */
	do
		n = read(pfd[0], &err, sizeof(err));
	while (n < 0 && errno == EINTR);
	close(pfd[0]);
	if (n != (ssize_t)sizeof(err))
		return 0;
	fprintf(stderr, "jobshim: %s: %s\n", s->opt.argv[0], strerror(err));
	return err == ENOENT ? RUN_EXIT_NOTFOUND : RUN_EXIT_NOEXEC;
}

/* ---- the loop --------------------------------------------------------------- */

/* Is a signal's sender inside the tree?  Init ignores signals from inside. */
static bool sender_inside(struct sup *s, pid_t sender)
{
	struct sysio_stat st;

	/* The sender may have exited since it signalled us (a busy machine
	 * runs us late): its BIND or its parent's REAPED may still be in the
	 * event FIFO, and once reaped it is in the ring of recent reaps.  A
	 * sender that is gone and was never ours is outside (`kill` from a
	 * shell exits at once). */
	events_drain(s);
	/* sender == self_rpid before the bound: we may be pid 1 of a pid
	 * namespace. */
	for (int depth = 0; depth < 256; depth++) {
		if (sender == s->self_rpid)
			return depth > 0;
		if (sender <= 1)
			return false;
		if (eng_rpid_to_vpid(s->eng, sender) > 1 || procs_reaped_vpid(s, sender) > 1)
			return true;
		if (sysio_stat(sender, &st) < 0)
			return false;
		sender = st.ppid;
	}
	return false;
}

static void on_signals(struct sup *s)
{
	struct signalfd_siginfo si;
	bool chld = false;

	for (;;) {
		ssize_t n = read(s->sigfd, &si, sizeof(si));
		if (n < 0 && errno == EINTR)
			continue;
		if (n != (ssize_t)sizeof(si))
			break;
		if (si.ssi_signo == SIGCHLD) {
			chld = true;
		} else if (si.ssi_signo == SIGCONT) {
			if (!sender_inside(s, (pid_t)si.ssi_pid))
				term_cont(s);
		} else if (si.ssi_signo == SIGHUP && s->phase == SUP_PH_RUN &&
			   !sender_inside(s, (pid_t)si.ssi_pid)) {
			term_hangup(s, (pid_t)si.ssi_pid);
		} else if (!sender_inside(s, (pid_t)si.ssi_pid)) {
			if (!nest_outer_repeat(s, (pid_t)si.ssi_pid))
				teardown_signal(s, (int)si.ssi_signo, (pid_t)si.ssi_pid);
		} else if (trace_on(&s->trace)) {
			char name[32];
			trace_begin(&s->trace, "kill", 0, 0);
			trace_int(&s->trace, "pid", 1);
			trace_str(&s->trace, "sig", trace_signame((int)si.ssi_signo, name, sizeof(name)));
			trace_int(&s->trace, "sender_rpid", si.ssi_pid);
			trace_bool(&s->trace, "ignored", true);
			trace_end(&s->trace, "kill: %s to init from real pid %u ignored", name, si.ssi_pid);
		}
	}
	if (chld) {
		procs_reap_children(s);
		term_check_stop(s);
	}
}

static void on_timer(struct sup *s)
{
	uint64_t ticks;
	int64_t now;

	while (read(s->tfd, &ticks, sizeof(ticks)) < 0 && errno == EINTR)
		;
	s->timer_set = 0;
	now = sup_now();
	/* Anything due but the FIFO's tick may signal or count the tree: every
	 * bound process must be watched by then. */
	if (s->phase != SUP_PH_RUN || (s->timeout_at && now >= s->timeout_at) ||
	    (s->sweep_at && now >= s->sweep_at))
		procs_watch_flush(s, false);
	else if (s->watch_pend_at && now >= s->watch_pend_at)
		procs_watch_flush(s, true);
	if (s->timeout_at && now >= s->timeout_at &&
	    (s->phase == SUP_PH_RUN || s->phase == SUP_PH_SETTLE || s->phase == SUP_PH_WAIT)) {
		s->timeout_at = 0;
		teardown_timeout(s);
	}
	if ((s->phase == SUP_PH_SETTLE || s->phase == SUP_PH_TERM || s->phase == SUP_PH_KILL) &&
	    now >= s->deadline)
		teardown_tick(s);
	events_tick(s, now);
	if (s->sweep_at && now >= s->sweep_at) {
		s->sweep_at = 0;
		procs_sweep(s);
	}
}

static void arm_timer(struct sup *s)
{
	int64_t next = 0;
	struct itimerspec its;

	if (s->timeout_at && (s->phase == SUP_PH_RUN || s->phase == SUP_PH_SETTLE || s->phase == SUP_PH_WAIT))
		next = s->timeout_at;
	if ((s->phase == SUP_PH_SETTLE || s->phase == SUP_PH_TERM || s->phase == SUP_PH_KILL) &&
	    (!next || s->deadline < next))
		next = s->deadline;
	if (s->sweep_at && (!next || s->sweep_at < next))
		next = s->sweep_at;
	if (s->ev_tick_at && (!next || s->ev_tick_at < next))
		next = s->ev_tick_at;
	if (s->watch_pend_at && (!next || s->watch_pend_at < next))
		next = s->watch_pend_at;
	if (next == s->timer_set)
		return;
	memset(&its, 0, sizeof(its));
	if (next > 0) {
		its.it_value.tv_sec = next / 1000000000LL;
		its.it_value.tv_nsec = next % 1000000000LL;
	}
	if (timerfd_settime(s->tfd, TFD_TIMER_ABSTIME, &its, NULL) == 0)
		s->timer_set = next;
}

/* State changes that depend on what a batch of events did. */
static void after_batch(struct sup *s)
{
	if (s->cmd_reaped && s->phase == SUP_PH_RUN)
		teardown_command_done(s);
	if ((s->phase == SUP_PH_SETTLE || s->phase == SUP_PH_WAIT || s->phase == SUP_PH_TERM ||
	     s->phase == SUP_PH_KILL) &&
	    teardown_no_children(s))
		s->phase = SUP_PH_DONE;
	if (!s->sweep_at && procs_sweep_needed(s))
		s->sweep_at = sup_now() + SUP_SWEEP_NS;
}

/*
 * After answering a request, poll for a little while before sleeping: a
 * shell's job launch is a burst of round trips (setpgid, tcsetpgrp, kill),
 * and waking a sleeping vCPU costs tens of µs each time.  Only after
 * requests: the stream of exits and event records needs no such haste.
 */
#define SUP_SPIN_NS 40000LL

static int wait_events(struct sup *s, struct epoll_event *evs, int max)
{
	int n;

	if (s->spin_until) {
		do {
			n = epoll_wait(s->epfd, evs, max, 0);
			if (n != 0)
				return n;
		} while (sup_now() < s->spin_until);
		s->spin_until = 0;
		trace_flush(&s->trace);
	}
	return epoll_wait(s->epfd, evs, max, -1);
}

/* May the children bound while this batch is handled wait for their
 * pidfds (procs_watch_pend)?  Not when an exit (a pidfd), a signal (a
 * SIGCHLD: reaping) or a seccomp notification is in it: those are handled
 * against every process watched.  Requests need no flush: what they act on
 * is pinned on demand (procs.c, pin); the timer decides for itself. */
static bool batch_lazy(const struct epoll_event *evs, int n)
{
	for (int i = 0; i < n; i++) {
		int kind = SUP_KEY_KIND(evs[i].data.u64);
		if (kind == SUP_W_PIDFD || kind == SUP_W_SIGNAL || kind == SUP_W_NOTIF)
			return false;
	}
	return true;
}

static void loop(struct sup *s)
{
	struct epoll_event evs[64];

	while (s->phase != SUP_PH_DONE) {
		int n;

		trace_flush(&s->trace);
		arm_timer(s);
		n = wait_events(s, evs, 64);
		s->spin_until = 0;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "jobshim: epoll_wait: %s\n", strerror(errno));
			break;
		}
		/* Whether the backlog may hold a connection, known before any
		 * event is handled (an exit handled first must still see the
		 * connection its process made): a connect done before an exit
		 * this batch reports left the listener readable in this batch,
		 * unless the batch was cut short. */
		s->batch = evs;
		s->nbatch = n;
		/* Whatever woke us happened after the records already in the
		 * event FIFO: they come first.  Then, unless the batch may
		 * wait, every bound process gets its pidfd (procs_watch_pend). */
		s->lazy_watch = s->phase == SUP_PH_RUN && batch_lazy(evs, n);
		events_drain(s);
		if (!s->lazy_watch)
			procs_watch_flush(s, false);
		if (n == (int)(sizeof(evs) / sizeof(evs[0])) || sup_in_batch(s, SUP_KEY(SUP_W_LISTEN, 0)))
			s->listen_ready = true;
		for (int i = 0; i < n; i++) {
			uint64_t key = evs[i].data.u64;
			switch (SUP_KEY_KIND(key)) {
			case SUP_W_LISTEN:
				clients_accept(s);
				break;
			case SUP_W_SIGNAL:
				on_signals(s);
				break;
			case SUP_W_TIMER:
				on_timer(s);
				break;
			case SUP_W_CLIENT:
				clients_ready(s, SUP_KEY_ID(key), evs[i].events);
				/* Not after a signal: the processes it wakes need
				 * the CPUs (a job continued by SIGCONT, then sent
				 * SIGTERM at once, must not run and stop again on
				 * the sender's CPU while we poll on the other). */
				if (!s->signalled)
					s->spin_until = sup_now() + SUP_SPIN_NS;
				s->signalled = false;
				break;
			case SUP_W_PIDFD:
				procs_pidfd_ready(s, (int32_t)SUP_KEY_ID(key));
				break;
			case SUP_W_NOTIF:
				notif_ready(s, SUP_KEY_ID(key), evs[i].events);
				/* A filtered image's calls come in bursts too. */
				s->spin_until = sup_now() + SUP_SPIN_NS;
				break;
			}
		}
		s->lazy_watch = false;
		s->batch = NULL;
		s->nbatch = 0;
		after_batch(s);
	}
}

/* ---- start and end ---------------------------------------------------------- */

static int setup(struct sup *s)
{
	struct eng_config cfg = {.vpid_max = sup_vpid_max(s),
				 .is_stopped = procs_is_stopped,
				 .orphan_hup_all = procs_orphan_hup_all,
				 .id_busy = procs_id_busy,
				 .ctx = s};
	int rc;

	if (procfs_check() < 0)
		return -1;
	if (find_lib(s) < 0)
		return -1;
	rc = trace_open(&s->trace, s->opt.trace);
	if (rc < 0) {
		fprintf(stderr, "jobshim: --trace %s: %s\n", s->opt.trace, strerror(-rc));
		return -1;
	}
	if (rundir_make(s) < 0)
		return -1;
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) {
		fprintf(stderr, "jobshim: PR_SET_CHILD_SUBREAPER: %s\n", strerror(errno));
		return -1;
	}
	/* One pidfd per live process and one socket per connected one: take
	 * the hard limit; the command gets the original back. */
	if (getrlimit(RLIMIT_NOFILE, &s->old_nofile) == 0) {
		struct rlimit raised = s->old_nofile;
		raised.rlim_cur = raised.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &raised) < 0)
			raised = s->old_nofile;
		/* Watch pidfds take at most half of them: a process with no
		 * pidfd is still followed (procs.c, unwatched), one that cannot
		 * connect falls back to real calls. */
		if (raised.rlim_cur != RLIM_INFINITY && raised.rlim_cur <= (rlim_t)INT_MAX &&
		    raised.rlim_cur > 2 * SUP_FD_RESERVE)
			s->fd_ceiling = (int)(raised.rlim_cur / 2);
	}
	if (setup_signals(s) < 0) {
		fprintf(stderr, "jobshim: signals: %s\n", strerror(errno));
		return -1;
	}
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	/* Made now, filled when first needed (procs.c, procs_settle_all):
	 * the supervisor's descriptors stay what they were at the start. */
	s->exits_epfd = epoll_create1(EPOLL_CLOEXEC);
	s->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (s->epfd < 0 || s->tfd < 0 || sup_watch(s, s->lfd, SUP_W_LISTEN, 0) < 0 ||
	    sup_watch(s, s->sigfd, SUP_W_SIGNAL, 0) < 0 || sup_watch(s, s->tfd, SUP_W_TIMER, 0) < 0) {
		fprintf(stderr, "jobshim: epoll: %s\n", strerror(errno));
		return -1;
	}
	events_open(s);
	rc = eng_new(&s->eng, &cfg);
	if (rc == 0)
		rc = eng_bind(s->eng, 1, s->self_rpid);
	if (rc < 0) {
		fprintf(stderr, "jobshim: engine: %s\n", strerror(-rc));
		return -1;
	}
	mview_sync(s, 1);
	guard_start(s);
	return 0;
}

static void cleanup(struct sup *s)
{
	guard_stop(s);
	term_restore(s);
	clients_close_all(s);
	notif_close_all(s);
	procs_free_all(s);
	term_free(s);
	if (s->lfd >= 0)
		close(s->lfd);
	if (s->sigfd >= 0)
		close(s->sigfd);
	if (s->tfd >= 0)
		close(s->tfd);
	if (s->epfd >= 0)
		close(s->epfd);
	if (s->exits_epfd >= 0)
		close(s->exits_epfd);
	if (s->vc && s->vc != &s->vc_local)
		munmap(s->vc, PROTO_VPIDS_SIZE);
	s->vc = NULL;
	events_close(s);
	rundir_remove(s);
	eng_fx_free(&s->fx);
	if (s->eng)
		eng_free(s->eng);
	trace_flush(&s->trace);
	trace_close(&s->trace);
	guard_reap(s);
}

static int exit_code(struct sup *s)
{
	int st = s->cmd_status;

	if (s->exit_code >= 0)
		return s->exit_code;
	if (s->opt.fail_on_leak && s->nleftover > 0)
		return 3;
	if (WIFEXITED(st) && WEXITSTATUS(st) != 0)
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	/* Never a success with a trace that could not be written whole
	 * (trace.c said why): a CI job keeps its failure otherwise. */
	if (WIFEXITED(st) && !s->trace.failed)
		return 0;
	return RUN_EXIT_FAIL;
}

int run_main(const struct sup_opts *opt)
{
	struct sup s;
	int rc;

	memset(&s, 0, sizeof(s));
	s.opt = *opt;
	if (s.opt.first_pid < 2)
		s.opt.first_pid = 2;
	s.self_rpid = getpid();
	s.euid = geteuid();
	s.epfd = s.lfd = s.sigfd = s.tfd = s.tty_fd = s.evfd = s.lockfd = s.exits_epfd = -1;
	s.next_client_id = 1;
	s.exit_code = -1;
	s.how_status = -1;
	eng_fx_init(&s.fx);
	if (setup(&s) < 0) {
		int err = errno; /* the failed call's: each message keeps it */
		cleanup(&s);
		fd_limit_hint(err);
		return RUN_EXIT_FAIL;
	}
	if (s.opt.timeout_ns > 0)
		s.timeout_at = sup_now() + s.opt.timeout_ns;
	rc = spawn_command(&s);
	if (rc != 0) {
		/* Collect the failed child; nothing else was started. */
		if (s.cmd_rpid > 0)
			while (waitpid(s.cmd_rpid, NULL, 0) < 0 && errno == EINTR)
				;
		cleanup(&s);
		return rc;
	}
	loop(&s);
	cleanup(&s); /* the trace's last write first: it may fail */
	rc = exit_code(&s);
	/* 130/131: the command died of SIGINT/SIGQUIT, or we got it from
	 * outside (teardown_signal): die of it (term_die_like). */
	if ((rc == 128 + SIGINT || rc == 128 + SIGQUIT) &&
	    (s.exit_code == rc || (s.exit_code < 0 && s.cmd_reaped && WIFSIGNALED(s.cmd_status))))
		term_die_like(rc - 128);
	return rc;
}
