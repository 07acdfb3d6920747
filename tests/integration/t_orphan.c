/* t_orphan.c — the exit-time orphaned-group rule, with really stopped processes and real handlers. */
#include "lib/itest.h"

/*
 * Each case builds a small tree in main's session, stops a process for
 * real (raise(SIGSTOP), confirmed by its parent's waitpid(WUNTRACED)),
 * then makes processes exit one step at a time.  Every interesting process
 * records the SIGHUP/SIGCONT it receives, tagged with the step number
 * (it_sh->step, set by main before each step), into a pipe read by main.
 * So "S got SIGHUP@step2 SIGCONT@step2" says both arrived, and when.
 *
 * Nothing here reaps a process whose exit should orphan a group before
 * the signals are seen: the rule fires at exit, not at reap.  A stopped
 * process that gets nothing within 5 s is released by main with a SIGCONT
 * at step 9, so a missing signal shows in the output instead of a hang.
 */

#define WAIT_MS 5000
#define RESCUE_STEP 9

/* The pipes of one process: main -> it (ctl), it -> main (rec), and its
 * pid for main from whichever process forked it (pid). */
struct ch {
	int ctl_r, ctl_w, rec_r, rec_w, pid_r, pid_w;
};

static struct ch chans(void)
{
	struct it_chan c = it_chan(), r = it_chan(), p = it_chan();
	return (struct ch){ c.r, c.w, r.r, r.w, p.r, p.w };
}

static void record_hup_cont(struct ch c)
{
	it_rec_install(c.rec_w, SIGHUP);
	it_rec_install(c.rec_w, SIGCONT);
}

static pid_t main_pid;

/*
 * A process that obeys main, one byte at a time; every command but 'x'
 * is acknowledged by an end mark on rec (records before it are signals).
 *   f: flush (report what arrived)      x: exit
 *   w: reap one child                   g: setpgid(0, main's group)
 *   s: setsid()                         j: setpgid(0, arg) (arg via `join`)
 */
static pid_t join_to;

static __attribute__((noreturn)) void actor(struct ch c)
{
	record_hup_cont(c);
	it_rec_end(c.rec_w); /* ready */
	struct it_chan ctl = { c.ctl_r, -1 };
	for (;;) {
		int cmd = it_get(ctl);
		switch (cmd) {
		case 'f':
			break;
		case 'w': {
			int st;
			while (wait(&st) < 0 && errno == EINTR)
				;
			break;
		}
		case 'g':
			if (setpgid(0, main_pid) < 0)
				it_die("setpgid to main's group");
			break;
		case 'j':
			if (setpgid(0, join_to) < 0)
				it_die("setpgid join");
			break;
		case 's':
			if (setsid() < 0)
				it_die("setsid");
			break;
		default:
			_exit(0);
		}
		it_rec_end(c.rec_w);
	}
}

/* A process that stops itself (after moving to group `pgid`: -1 its own,
 * 0 stay; or to a new session) and, once continued, reports and exits. */
static __attribute__((noreturn)) void stopper(struct ch c, pid_t pgid, int new_session)
{
	if (new_session && setsid() < 0)
		it_die("setsid");
	if (pgid && setpgid(0, pgid < 0 ? 0 : pgid) < 0)
		it_die("setpgid");
	record_hup_cont(c);
	raise(SIGSTOP);
	/* main prints it: main alone writes the output while S runs */
	pid_t pp = getppid();
	it_put_rec(c.pid_w, &pp, sizeof pp);
	it_rec_end(c.rec_w);
	_exit(0);
}

/* In the stopper's parent: until the stop is complete. */
static void await_stop(pid_t s)
{
	int st;
	pid_t r;
	while ((r = waitpid(s, &st, WUNTRACED)) < 0 && errno == EINTR)
		;
	if (r != s || !WIFSTOPPED(st))
		it_die("await_stop");
}

/* Send a command and read its acknowledgement; stray signals show. */
static void cmd(const char *who, struct ch c, char what)
{
	it_write_all(c.ctl_w, &what, 1);
	if (what == 'x')
		return;
	struct it_recs rs = { 0 };
	while (!rs.ended)
		if (it_recs_read1(c.rec_r, &rs, -1) < 0)
			it_die("ack");
	if (rs.n)
		it_recs_print(who, &rs);
}

static void ready(struct ch c)
{
	struct it_recs rs = { 0 };
	while (!rs.ended)
		if (it_recs_read1(c.rec_r, &rs, -1) < 0)
			it_die("ready");
}

/* A running process: wait (bounded) for the kinds in `want`, then flush. */
static void collect_actor(const char *who, struct ch c, const char *want)
{
	struct it_recs rs = { 0 };
	for (const char *k = want; *k; k++)
		while (!it_recs_has(&rs, *k))
			if (it_recs_read1(c.rec_r, &rs, WAIT_MS) <= 0)
				goto flush;
flush:
	it_write_all(c.ctl_w, "f", 1);
	while (!rs.ended)
		if (it_recs_read1(c.rec_r, &rs, -1) < 0)
			it_die("collect");
	it_recs_print(who, &rs);
}

/* A stopped process reports by itself once continued; if nothing comes
 * within WAIT_MS, main continues it (step RESCUE_STEP). */
static void collect_stopper(const char *who, struct ch c, pid_t s)
{
	struct it_recs rs = { 0 };
	while (!rs.ended) {
		int r = it_recs_read1(c.rec_r, &rs, WAIT_MS);
		if (r < 0)
			it_die("collect");
		if (r == 0) {
			it_sh->step = RESCUE_STEP;
			kill(s, SIGCONT);
		}
	}
	it_recs_print(who, &rs);
	pid_t pp;
	if (it_get_rec(c.pid_r, &pp, sizeof pp) < 0)
		it_die("read ppid");
	it_out("%s: continued; its parent is %s", who, it_l(pp));
	if (!it_await_gone(s))
		it_out("%s: still there after 5 s", who);
}

static void step(int n, const char *what)
{
	it_sh->step = n;
	it_out("step %d: %s", n, what);
}

/* Main learns the pid of a process it did not fork through a pipe. */
static pid_t learn(struct ch c, const char *name)
{
	pid_t p;
	if (it_get_rec(c.pid_r, &p, sizeof p) < 0)
		it_die("learn");
	it_name(p, name);
	return p;
}

static void tell(struct ch c, pid_t p)
{
	it_put_rec(c.pid_w, &p, sizeof p);
}

/* 1. S (own group) stops; its parent A (main's group) exits: S's group
 * loses its only link (rule 1) -> SIGHUP, SIGCONT to S. */
static void case_parent_exits(void)
{
	it_out("== 1: a stopped child orphaned by its parent's exit");
	struct ch ca = chans(), cs = chans();
	pid_t a = it_fork("A");
	if (a == 0) {
		pid_t s = it_fork("S");
		if (s == 0)
			stopper(cs, -1, 0);
		await_stop(s);
		tell(cs, s);
		actor(ca);
	}
	pid_t s = learn(cs, "S");
	ready(ca);
	step(1, "A exits (not reaped yet)");
	cmd("A", ca, 'x');
	collect_stopper("S", cs, s);
	it_out("A: %s", it_status(it_reap(a)));
}

/* 2. Group G = {X, S}: X's parent A is in main's group (X links G); S's
 * parent B is in group B (S links G too).  B exits: G still linked by X,
 * nothing.  A exits: G orphaned with S stopped -> both X and S signalled
 * (X, running, gets only the SIGCONT from kernels that send the SIGHUP to
 * stopped members only: expected/t_orphan.hup-stopped.out). */
static void case_guarded(void)
{
	it_out("== 2: a group guarded by a member whose parent is elsewhere");
	struct ch ca = chans(), cx = chans(), cb = chans(), cs = chans();
	pid_t a = it_fork("A");
	if (a == 0) {
		pid_t x = it_fork("X");
		if (x == 0) {
			setpgid(0, 0);
			actor(cx);
		}
		setpgid(x, x);
		pid_t b = it_fork("B");
		if (b == 0) {
			setpgid(0, 0);
			pid_t s = it_fork("S");
			if (s == 0)
				stopper(cs, x, 0);
			await_stop(s);
			tell(cs, s);
			actor(cb);
		}
		tell(cx, x);
		tell(cb, b);
		actor(ca);
	}
	pid_t x = learn(cx, "X"), b = learn(cb, "B"), s = learn(cs, "S");
	ready(cx);
	ready(cb);
	ready(ca);
	IT_PID("getpgid(S)", getpgid(s));
	IT_PID("getpgid(X)", getpgid(x));
	IT_PID("getpgid(B)", getpgid(b));
	step(1, "B exits; A reaps it");
	cmd("B", cb, 'x');
	cmd("A", ca, 'w');
	collect_actor("X", cx, "");
	step(2, "A exits (not reaped yet)");
	cmd("A", ca, 'x');
	collect_stopper("S", cs, s);
	collect_actor("X", cx, "C"); /* a SIGHUP comes first, if at all */
	cmd("X", cx, 'x');
	if (!it_await_gone(x))
		it_out("X: still there after 5 s");
	it_out("A: %s", it_status(it_reap(a)));
}

/* 3. Group G = {T1, T2, S}: T1 and T2 are main's children (each links G),
 * S is T1's child, stopped.  T2 exits: T1 still links G, nothing.  T1
 * exits: its own group loses its last link (rule 2) -> S signalled. */
static void case_last_link(void)
{
	it_out("== 3: a group orphaned by the exit of its own last linking member");
	struct ch c1 = chans(), c2 = chans(), cs = chans();
	pid_t t1 = it_fork("T1");
	if (t1 == 0) {
		setpgid(0, 0);
		pid_t s = it_fork("S");
		if (s == 0)
			stopper(cs, 0, 0);
		await_stop(s);
		tell(cs, s);
		actor(c1);
	}
	setpgid(t1, t1);
	pid_t s = learn(cs, "S");
	ready(c1);
	pid_t t2 = it_fork("T2");
	if (t2 == 0) {
		setpgid(0, t1);
		actor(c2);
	}
	ready(c2);
	IT_PID("getpgid(T2)", getpgid(t2));
	IT_PID("getpgid(S)", getpgid(s));
	step(1, "T2 exits (not reaped)");
	cmd("T2", c2, 'x');
	it_await_zombie(t2);
	collect_actor("T1", c1, "");
	step(2, "T1 exits (not reaped)");
	cmd("T1", c1, 'x');
	collect_stopper("S", cs, s);
	it_out("T1: %s", it_status(it_reap(t1)));
	it_out("T2: %s", it_status(it_reap(t2)));
}

/* 4. As case 1, but nothing is stopped: no signal at all. */
static void case_none_stopped(void)
{
	it_out("== 4: an orphaned group with nothing stopped");
	struct ch ca = chans(), cs = chans();
	pid_t a = it_fork("A");
	if (a == 0) {
		pid_t s = it_fork("S");
		if (s == 0) {
			setpgid(0, 0);
			actor(cs);
		}
		setpgid(s, s);
		tell(cs, s);
		actor(ca);
	}
	pid_t s = learn(cs, "S");
	ready(cs);
	ready(ca);
	step(1, "A exits; main reaps it");
	cmd("A", ca, 'x');
	it_out("A: %s", it_status(it_reap(a)));
	collect_actor("S", cs, "");
	cmd("S", cs, 'x');
	if (!it_await_gone(s))
		it_out("S: still there after 5 s");
}

/* Common start of cases 5 and 6: G = {X, S}, X main's child and G's
 * leader, S stopped with parent init (its parent Y, in G, has exited). */
static pid_t make_xs(struct ch cx, struct ch cy, struct ch cs, pid_t *s)
{
	pid_t x = it_fork("X");
	if (x == 0) {
		setpgid(0, 0);
		pid_t y = it_fork("Y");
		if (y == 0) {
			pid_t sp = it_fork("S");
			if (sp == 0)
				stopper(cs, 0, 0);
			await_stop(sp);
			tell(cs, sp);
			actor(cy);
		}
		actor(cx);
	}
	setpgid(x, x);
	*s = learn(cs, "S");
	ready(cy);
	ready(cx);
	it_out("Y exits, X reaps it: S's parent is init, X links G");
	cmd("Y", cy, 'x');
	cmd("X", cx, 'w');
	return x;
}

/* 5. X leaves G with setpgid: G is orphaned with S stopped, but setpgid
 * never applies the rule; X's later exit does not concern G either. */
static void case_setpgid(void)
{
	it_out("== 5: setpgid orphans a group with a stopped member: nothing");
	struct ch cx = chans(), cy = chans(), cs = chans();
	pid_t s, x = make_xs(cx, cy, cs, &s);
	step(1, "X: setpgid(0, main)");
	cmd("X", cx, 'g');
	IT_PID("getpgid(X)", getpgid(x));
	step(2, "X exits (not reaped)");
	cmd("X", cx, 'x');
	it_await_zombie(x);
	step(3, "main sends SIGCONT to S");
	IT_RC("kill(S, SIGCONT)", kill(s, SIGCONT));
	collect_stopper("S", cs, s);
	it_out("X: %s", it_status(it_reap(x)));
}

/* 6. W (main's child) joins G; X moves to main's group, W is G's last
 * link; W's setsid orphans G: nothing; W's exit (other session): nothing. */
static void case_setsid(void)
{
	it_out("== 6: setsid orphans a group with a stopped member: nothing");
	struct ch cx = chans(), cy = chans(), cs = chans(), cw = chans();
	pid_t s, x = make_xs(cx, cy, cs, &s);
	join_to = x;
	pid_t w = it_fork("W");
	if (w == 0)
		actor(cw);
	ready(cw);
	cmd("W", cw, 'j');
	step(1, "X: setpgid(0, main); W still links G");
	cmd("X", cx, 'g');
	IT_PID("getpgid(W)", getpgid(w));
	step(2, "W: setsid()");
	cmd("W", cw, 's');
	IT_PID("getsid(W)", getsid(w));
	step(3, "W exits, then X exits (not reaped)");
	cmd("W", cw, 'x');
	it_await_zombie(w);
	cmd("X", cx, 'x');
	it_await_zombie(x);
	step(4, "main sends SIGCONT to S");
	IT_RC("kill(S, SIGCONT)", kill(s, SIGCONT));
	collect_stopper("S", cs, s);
	it_out("W: %s", it_status(it_reap(w)));
	it_out("X: %s", it_status(it_reap(x)));
}

/* 7. S is in a session of its own when its parent exits: rule 1 only
 * concerns a child in the same session. */
static void case_other_session(void)
{
	it_out("== 7: a stopped child in another session: nothing");
	struct ch ca = chans(), cs = chans();
	pid_t a = it_fork("A");
	if (a == 0) {
		pid_t s = it_fork("S");
		if (s == 0)
			stopper(cs, 0, 1);
		await_stop(s);
		tell(cs, s);
		actor(ca);
	}
	pid_t s = learn(cs, "S");
	ready(ca);
	IT_PID("getsid(S)", getsid(s));
	step(1, "A exits; main reaps it");
	cmd("A", ca, 'x');
	it_out("A: %s", it_status(it_reap(a)));
	step(2, "main sends SIGCONT to S");
	IT_RC("kill(S, SIGCONT)", kill(s, SIGCONT));
	collect_stopper("S", cs, s);
}

/* 8. As case 1 inside a session of A's own: a session leader's exit
 * orphans its children's groups like any other exit (no terminal here). */
static void case_session_leader(void)
{
	it_out("== 8: a session leader exits, its stopped child's group is orphaned");
	struct ch ca = chans(), cs = chans();
	pid_t a = it_fork("A");
	if (a == 0) {
		if (setsid() < 0)
			it_die("setsid");
		pid_t s = it_fork("S");
		if (s == 0)
			stopper(cs, -1, 0);
		await_stop(s);
		tell(cs, s);
		actor(ca);
	}
	pid_t s = learn(cs, "S");
	ready(ca);
	IT_PID("getsid(S)", getsid(s));
	IT_PID("getpgid(S)", getpgid(s));
	step(1, "A exits (not reaped yet)");
	cmd("A", ca, 'x');
	collect_stopper("S", cs, s);
	it_out("A: %s", it_status(it_reap(a)));
}

int main(int argc, char **argv)
{
	it_child_modes(argc, argv);
	it_init();
	main_pid = getpid();
	case_parent_exits();
	case_guarded();
	case_last_link();
	case_none_stopped();
	case_setpgid();
	case_setsid();
	case_other_session();
	case_session_leader();
	return 0;
}
