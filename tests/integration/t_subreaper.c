/* t_subreaper.c — PR_SET_CHILD_SUBREAPER inside the tree: reparenting target, wait, flag lifetime, the orphan rule. */
#include "lib/itest.h"

#include <sys/prctl.h>
#include <sys/syscall.h>

/*
 * A process M of the tree makes itself a child subreaper; the parent A of
 * its grandchild G exits; G is reparented to M (not to init), M can wait
 * for it, getppid() in G says M.  Nested subreapers: the nearest living
 * one wins; once it is gone, the next.  The flag is not inherited by fork
 * and survives exec.  The orphan rule uses the new parent: a stopped
 * group whose member is adopted by a subreaper in another group of the
 * same session stays connected; it is orphaned when that subreaper exits.
 */

#define WAIT_MS 5000

static int get_subreaper(void)
{
	int v = -1;
	if (prctl(PR_GET_CHILD_SUBREAPER, &v, 0, 0, 0) < 0)
		return -1;
	return v;
}

static void set_subreaper(void)
{
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		it_die("PR_SET_CHILD_SUBREAPER");
}

/* Exit only when told (a byte on c). */
static __attribute__((noreturn)) void hold_then_exit(struct it_chan c, int code)
{
	it_get(c);
	_exit(code);
}

/* 1. M subreaper -> A -> G.  A exits: G's parent is M; M reaps G. */
static void case_adopt(void)
{
	it_out("== 1: a subreaper adopts its orphaned grandchild");
	struct it_chan go_a = it_chan(), go_g = it_chan(), done = it_chan();
	pid_t m = it_fork("M");
	if (m == 0) {
		it_out("M: PR_GET_CHILD_SUBREAPER before: %d", get_subreaper());
		IT_RC("M: PR_SET_CHILD_SUBREAPER 1", prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
		it_out("M: PR_GET_CHILD_SUBREAPER after: %d", get_subreaper());
		pid_t a = it_fork("A");
		if (a == 0) {
			it_out("A: PR_GET_CHILD_SUBREAPER (not inherited): %d", get_subreaper());
			pid_t g = it_fork("G");
			if (g == 0) {
				it_get(go_g); /* A is gone and reaped */
				IT_PID("G: getppid", getppid());
				IT_PID("G: syscall(SYS_getppid)", syscall(SYS_getppid));
				_exit(7);
			}
			hold_then_exit(go_a, 0);
		}
		it_put(go_a, 'x');
		it_out("M: A %s", it_status(it_reap(a)));
		it_put(go_g, 'g');
		int st;
		pid_t w;
		while ((w = waitpid(-1, &st, 0)) < 0 && errno == EINTR)
			;
		IT_PID("M: waitpid(-1) collects", w);
		if (w > 0)
			it_out("M: its status %s", it_status(st));
		IT_PID("M: waitpid(-1) again", waitpid(-1, &st, WNOHANG));
		it_put(done, 'd');
		_exit(0);
	}
	it_expect(done, 'd');
	it_out("main: M %s", it_status(it_reap(m)));
}

/* 2. M subreaper -> N subreaper -> A -> G.  A exits: G goes to N.  N
 * exits: G goes to M. */
static void case_nested(void)
{
	it_out("== 2: the nearest living subreaper wins");
	struct it_chan go_a = it_chan(), go_n = it_chan(), ask1 = it_chan(), ask2 = it_chan(),
		       ans = it_chan(), done = it_chan();
	pid_t m = it_fork("M");
	if (m == 0) {
		set_subreaper();
		pid_t n = it_fork("N");
		if (n == 0) {
			set_subreaper();
			pid_t a = it_fork("A");
			if (a == 0) {
				pid_t g = it_fork("G");
				if (g == 0) {
					it_get(ask1);
					pid_t p = getppid();
					it_put_rec(ans.w, &p, sizeof p);
					it_get(ask2);
					p = getppid();
					it_put_rec(ans.w, &p, sizeof p);
					it_get(ask2); /* M says: exit now */
					_exit(0);
				}
				hold_then_exit(go_a, 0);
			}
			it_put(go_a, 'x');
			it_reap(a);
			it_put(ask1, '?');
			pid_t p;
			if (it_get_rec(ans.r, &p, sizeof p) < 0)
				it_die("answer 1");
			IT_PID("G: parent after A exits", p);
			hold_then_exit(go_n, 0);
		}
		it_put(go_n, 'x');
		it_out("M: N %s", it_status(it_reap(n)));
		it_put(ask2, '?');
		pid_t p;
		if (it_get_rec(ans.r, &p, sizeof p) < 0)
			it_die("answer 2");
		IT_PID("G: parent after N exits", p);
		it_put(ask2, 'x');
		int st;
		pid_t w;
		while ((w = waitpid(-1, &st, 0)) < 0 && errno == EINTR)
			;
		IT_PID("M: waitpid(-1) collects", w);
		it_put(done, 'd');
		_exit(0);
	}
	it_expect(done, 'd');
	it_out("main: M %s", it_status(it_reap(m)));
}

/* 3. The flag survives exec; PR_SET 0 clears it. */
static void case_exec(void)
{
	it_out("== 3: the flag survives exec and can be cleared");
	struct it_chan out = it_chan();
	pid_t m = it_fork("M");
	if (m == 0) {
		set_subreaper();
		it_inherit(out.w);
		char fd[16];
		snprintf(fd, sizeof fd, "%d", out.w);
		it_exec_self("--subreaper-flag", fd, NULL);
	}
	int v[2];
	if (it_get_rec(out.r, v, sizeof v) < 0)
		it_die("exec'd report");
	it_out("M after exec: PR_GET_CHILD_SUBREAPER %d; after PR_SET 0: %d", v[0], v[1]);
	it_out("main: M %s", it_status(it_reap(m)));
}

/* 4. main (group main) -> M (group main, subreaper) -> A (group main) ->
 * S (own group, stopped).  A exits: S's new parent M is in another group
 * of the same session, so S's group is not orphaned: no signal, S stays
 * stopped.  M exits: S goes to init, its group is orphaned with a stopped
 * member: SIGHUP and SIGCONT. */
static void case_orphan_rule(void)
{
	it_out("== 4: the orphan rule with a subreaper as the new parent");
	struct it_chan go_a = it_chan(), go_m = it_chan(), rec = it_chan(), pids = it_chan(),
		       acked = it_chan();
	pid_t m = it_fork("M");
	if (m == 0) {
		set_subreaper();
		pid_t a = it_fork("A");
		if (a == 0) {
			pid_t s = it_fork("S");
			if (s == 0) {
				setpgid(0, 0);
				it_rec_install(rec.w, SIGHUP);
				it_rec_install(rec.w, SIGCONT);
				raise(SIGSTOP);
				pid_t pp = getppid();
				it_put_rec(pids.w, &pp, sizeof pp);
				it_rec_end(rec.w);
				_exit(0);
			}
			setpgid(s, s);
			int st;
			while (waitpid(s, &st, WUNTRACED) < 0 && errno == EINTR)
				;
			if (!WIFSTOPPED(st))
				it_die("S did not stop");
			it_put_rec(pids.w, &s, sizeof s);
			hold_then_exit(go_a, 0);
		}
		it_put(go_a, 'x');
		it_reap(a);
		/* A round trip after the reap: the exit has been dealt with. */
		getpgid(0);
		it_put(acked, 'a');
		hold_then_exit(go_m, 0);
	}
	pid_t s;
	if (it_get_rec(pids.r, &s, sizeof s) < 0)
		it_die("learn S");
	it_name(s, "S");
	IT_PID("getpgid(S)", getpgid(s));
	it_sh->step = 1;
	it_out("step 1: A exits, M reaps it");
	it_expect(acked, 'a');
	char path[64], buf[512];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)s);
	int fd = open(path, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
	if (fd >= 0)
		close(fd);
	char *rp = n > 0 ? (buf[n] = '\0', strrchr(buf, ')')) : NULL;
	it_out("S: state %c (T: still stopped, nothing was sent)", rp && rp[1] ? rp[2] : '?');
	it_sh->step = 2;
	it_out("step 2: M exits (not reaped yet)");
	it_put(go_m, 'x');
	struct it_recs rs = { 0 };
	while (!rs.ended) {
		int r = it_recs_read1(rec.r, &rs, WAIT_MS);
		if (r < 0)
			it_die("records");
		if (r == 0) {
			it_sh->step = 9;
			kill(s, SIGCONT);
		}
	}
	it_recs_print("S", &rs);
	pid_t pp;
	if (it_get_rec(pids.r, &pp, sizeof pp) < 0)
		it_die("S's parent");
	it_out("S: continued; its parent is %s", it_l(pp));
	if (!it_await_gone(s))
		it_out("S: still there after 5 s");
	it_out("main: M %s", it_status(it_reap(m)));
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--subreaper-flag") == 0) {
		int v[2];
		v[0] = get_subreaper();
		prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
		v[1] = get_subreaper();
		it_put_rec(atoi(argv[2]), v, sizeof v);
		_exit(0);
	}
	it_child_modes(argc, argv);
	it_init();
	case_adopt();
	case_nested();
	case_exec();
	case_orphan_rule();
	return 0;
}
