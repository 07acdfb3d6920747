/* t_mview.c — reads never stale after a write returns: concurrent readers of getpgid/getsid/kill(0)/getppid while others setpgid, setsid, exit and reap. */
#include "lib/itest.h"

/*
 * Under jobshim these reads come from the model view (shim/mview.h)
 * without a round trip; Linux is exact about them, so each round below
 * lets a change finish (the writer's call returned, or the reaper's wait
 * did), tells the readers through a pipe, and the readers -- other
 * processes -- must see it at once.  A spinning reader checks meanwhile
 * that a read racing the writes only ever sees a value some write left
 * (never a torn or made-up one).  Output: counts, which must be 0.
 */

#define ROUNDS 200
#define EXITS 60
#define NREADERS 2

struct rec {
	int kind; /* 1 ids of target, 2 gone, 3 zombie, 0 end */
	pid_t pid, pgid, sid;
};

/* A reader: each record names what a read must show now; ack with a byte. */
static void reader(const char *name, struct it_chan in, struct it_chan ack)
{
	struct rec r;
	int bad = 0, n = 0;

	close(in.w);
	while (it_get_rec(in.r, &r, sizeof(r)) == 0 && r.kind != 0) {
		n++;
		if (r.kind == 1 || r.kind == 3) {
			if (getpgid(r.pid) != r.pgid || getsid(r.pid) != r.sid || kill(r.pid, 0) != 0)
				bad++;
		} else if (r.kind == 2) {
			errno = 0;
			if (getpgid(r.pid) != -1 || errno != ESRCH)
				bad++;
			errno = 0;
			if (getsid(r.pid) != -1 || errno != ESRCH)
				bad++;
			errno = 0;
			if (kill(r.pid, 0) != -1 || errno != ESRCH)
				bad++;
		}
		it_put(ack, 'a');
	}
	it_out("%s: %s rounds, %d stale or wrong reads", name, n >= ROUNDS + 2 * EXITS ? "all" : "too few",
	       bad);
	_exit(0);
}

/* Spins on getpgid(target): every answer must be one of the two groups
 * the writer moves it between.  It says when it has read once, and the
 * writer starts only then: on a loaded machine the spinner could
 * otherwise first run after the stop ("no reads", natively too). */
static void spinner(pid_t target, pid_t g1, pid_t g2, struct it_chan stop, struct it_chan ready)
{
	long bad = 0, reads = 0;
	struct pollfd p = {.fd = stop.r, .events = POLLIN};

	close(stop.w);
	do {
		for (int i = 0; i < 100; i++, reads++) {
			pid_t g = getpgid(target);
			if (g != g1 && g != g2)
				bad++;
		}
		if (reads == 100)
			it_put(ready, 'r');
	} while (poll(&p, 1, 0) == 0);
	it_out("spinner: %s, %ld torn reads", reads > 0 ? "read" : "no reads", bad);
	_exit(0);
}

static struct it_chan to[NREADERS], ack;

static void tell(struct rec r)
{
	for (int i = 0; i < NREADERS; i++)
		it_put_rec(to[i].w, &r, sizeof(r));
	for (int i = 0; i < NREADERS; i++)
		it_get(ack);
}

/* setpgid back and forth: each return is seen by every reader. */
static void moves(pid_t me, pid_t target)
{
	pid_t sid = getsid(0);

	for (int i = 0; i < ROUNDS; i++) {
		pid_t g = (i & 1) ? me : target;
		if (setpgid(target, g) != 0)
			it_die("setpgid");
		tell((struct rec){1, target, g, sid});
	}
}

/* A child exits: as a zombie (waitid WNOWAIT saw it) it still has its
 * ids; once reaped, every reader finds it gone. */
static void exits(pid_t me)
{
	pid_t sid = getsid(0);

	for (int i = 0; i < EXITS; i++) {
		siginfo_t si;
		pid_t c = fork();
		if (c < 0)
			it_die("fork");
		if (c == 0)
			_exit(0);
		if (waitid(P_PID, (id_t)c, &si, WEXITED | WNOWAIT) != 0)
			it_die("waitid");
		tell((struct rec){3, c, me, sid});
		if (waitpid(c, NULL, 0) != c)
			it_die("waitpid");
		tell((struct rec){2, c, 0, 0});
	}
}

/* A grandchild learns of its parent's end from the reaper: its next
 * getppid is init, and a setsid's results are seen by the others. */
static void reparent_and_setsid(void)
{
	struct it_chan go = it_chan(), done = it_chan();
	pid_t c = it_fork("c");

	if (c == 0) {
		pid_t g = it_fork("g");
		if (g == 0) {
			it_get(go);
			IT_PID("g: getppid() after c was reaped", getppid());
			IT_PID("g: setsid()", setsid());
			it_put(done, 'd');
			pause();
			_exit(0);
		}
		_exit(0);
	}
	it_reap(c);
	it_put(go, 'g');
	it_expect(done, 'd');
	/* g's vpid: the label table knows it by name. */
	pid_t g = 0;
	for (int i = 0; i < it_sh->n; i++)
		if (strcmp(it_sh->lab[i].name, "g") == 0)
			g = it_sh->lab[i].pid;
	IT_PID("main: getsid(g) after its setsid", getsid(g));
	IT_PID("main: getpgid(g)", getpgid(g));
	kill(g, SIGKILL);
}

int main(int argc, char **argv)
{
	it_child_modes(argc, argv);
	it_init();
	pid_t me = getpid();
	struct it_chan hold = it_chan(), stop = it_chan(), ready = it_chan();
	pid_t rd[NREADERS], sp;

	ack = it_chan();
	pid_t target = it_fork("target");
	if (target == 0) {
		it_get(hold);
		_exit(0);
	}
	for (int i = 0; i < NREADERS; i++) {
		to[i] = it_chan();
		rd[i] = it_fork(i == 0 ? "r1" : "r2");
		if (rd[i] == 0)
			reader(i == 0 ? "r1" : "r2", to[i], ack);
		close(to[i].r);
	}
	sp = it_fork("spinner");
	if (sp == 0)
		spinner(target, me, target, stop, ready);
	it_expect(ready, 'r');
	moves(me, target);
	it_put(stop, 's');
	it_out("spinner: %s", it_status(it_reap(sp)));
	exits(me);
	for (int i = 0; i < NREADERS; i++) { /* one at a time: their lines in order */
		it_put_rec(to[i].w, &(struct rec){0, 0, 0, 0}, sizeof(struct rec));
		it_out("%s: %s", i == 0 ? "r1" : "r2", it_status(it_reap(rd[i])));
	}
	it_put(hold, 'x');
	it_out("target: %s", it_status(it_reap(target)));
	reparent_and_setsid();
	return 0;
}
