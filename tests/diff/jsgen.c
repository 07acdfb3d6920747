/* jsgen.c — seeded generator of random, terminating, fully synchronised scenarios. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * A scenario is generated as one global sequence of actions, each made by
 * one process, then compiled into per-process step lists in which a token
 * is passed along that sequence (README.md, "Generated scenarios"):
 *   - between actions of different processes: `signal tX` / `await tX`;
 *   - after an action that ends or stops its actor (exit, raise STOP,
 *     kill self) the next actor waits `gone X` / `stopped X` instead;
 *   - after kill(X, KILL|STOP) the next actor also waits `gone X` /
 *     `stopped X`, so asynchronous effects are complete before anyone
 *     observes anything.
 * A stop sync names which stop of X it waits for (`stopped X N`, the Nth
 * STOP aimed at X): X may still be stopped from an earlier stop that its
 * waker has not undone yet (the token can reach the waiter before the
 * `kill X CONT`), and that stale stop must not count.
 * So only one process acts at a time and every log line is deterministic.
 *
 * The generator keeps just enough of a model to stay valid without
 * modelling groups: who is alive, who may be stopped, who is whose parent
 * (orphans go to init).  Invariants that keep runs terminating:
 *   - STOP and KILL are only sent to one named process (never to a group,
 *     0 or -1), never to P0; P0 never stops or exits before the end;
 *   - a blocking wait is only made when it cannot block: WEXITED is
 *     implied or set, and the caller has no live child (or the selector is
 *     one process that is not a live child);
 *   - a process that may be stopped acts again only after `kill X CONT` by
 *     pid, and acts right after it (its raise line is then written before
 *     anything can kill it); it is never sent KILL meanwhile;
 *   - the end phase continues every maybe-stopped process and makes every
 *     live process exit; P0 exits last.
 */

#define GEN_MAX_PROCS 6
#define GEN_MAX_ACTIONS 12 /* random actions per process (the end phase adds a few) */
#define GEN_MAX_ACTS 128
#define GEN_MAX_STEPS 160

struct gen_proc {
	bool exists, alive, maybe_stopped, killed;
	bool subreaper; /* PR_SET_CHILD_SUBREAPER: orphans below it come to it */
	int nstops;  /* STOP actions aimed at it so far (`stopped X N`) */
	int parent;  /* index, or -1 for init */
	int nacts;   /* random actions so far */
	int nsteps;
	char steps[GEN_MAX_STEPS][64];
};

struct gen_act {
	int actor;
	char text[64];
	int gone;     /* process whose exit the next actor waits for, or -1 */
	int stopped;  /* process whose stop the next actor waits for, or -1 */
	int nth;      /* which stop of it (1-based), when stopped >= 0 */
	bool lost;    /* the actor itself exited or stopped: no signal from it */
};

struct gen {
	uint64_t rng;
	uint64_t rng2; /* the SIGCHLD dispositions' own stream: the rest of a seed's scenario is as before */
	uint64_t rng3; /* how a process is created (fork, vfork, posix_spawn): its own stream too */
	int nprocs;
	struct gen_proc p[GEN_MAX_PROCS];
	int nacts;
	struct gen_act acts[GEN_MAX_ACTS];
	int force_next; /* process that must act next, or -1 */
};

static const char *const gen_names[GEN_MAX_PROCS] = {"P0", "A", "B", "C", "D", "E"};

/* splitmix64: tiny, seedable, and the same on every platform. */
static uint64_t gen_next(struct gen *g)
{
	uint64_t z = (g->rng += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static int gen_rand(struct gen *g, int n)
{
	return (int)(gen_next(g) % (uint64_t)n);
}

/* A draw from another stream (gen_next on a copy of its state). */
static int gen_rand_from(struct gen *g, uint64_t *stream, int n)
{
	uint64_t keep = g->rng;
	g->rng = *stream;
	int r = gen_rand(g, n);
	*stream = g->rng;
	g->rng = keep;
	return r;
}

static int gen_rand2(struct gen *g, int n)
{
	return gen_rand_from(g, &g->rng2, n);
}

static int gen_rand3(struct gen *g, int n)
{
	return gen_rand_from(g, &g->rng3, n);
}

/* -f: every process is made by fork, as before session 53 (a seed then
 * gives the scenario it gave then). */
static bool gen_forks_only;

static bool gen_chance(struct gen *g, int percent)
{
	return gen_rand(g, 100) < percent;
}

static struct gen_act *gen_act(struct gen *g, int actor, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static struct gen_act *gen_act(struct gen *g, int actor, const char *fmt, ...)
{
	struct gen_act *a = &g->acts[g->nacts++];
	memset(a, 0, sizeof *a);
	a->actor = actor;
	a->gone = a->stopped = -1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(a->text, sizeof a->text, fmt, ap);
	va_end(ap);
	return a;
}

/* A random process that exists (alive or not). */
static int gen_pick_proc(struct gen *g)
{
	return gen_rand(g, g->nprocs);
}

static bool gen_has_live_child(const struct gen *g, int who)
{
	for (int i = 0; i < g->nprocs; i++)
		if (g->p[i].parent == who && g->p[i].alive)
			return true;
	return false;
}

/* Where who's children go when it dies: the nearest living subreaper
 * among its ancestors (through their current parents), else init (-1),
 * as kernel/exit.c's find_new_reaper. */
static int gen_reaper(const struct gen *g, int who)
{
	for (int q = g->p[who].parent; q >= 0; q = g->p[q].parent)
		if (g->p[q].alive && g->p[q].subreaper)
			return q;
	return -1;
}

static void gen_dies(struct gen *g, int who)
{
	int reaper = gen_reaper(g, who);

	g->p[who].alive = false;
	g->p[who].maybe_stopped = false;
	for (int i = 0; i < g->nprocs; i++)
		if (g->p[i].parent == who)
			g->p[i].parent = reaper;
}

/* A pid argument: a process, its negation, self, 0, -1, init, junk. */
static const char *gen_pid_arg(struct gen *g, char *buf, size_t len, bool allow_neg)
{
	int r = gen_rand(g, allow_neg ? 10 : 8);
	if (r < 4)
		return gen_names[gen_pick_proc(g)];
	if (r == 4)
		return "self";
	if (r == 5)
		return "0";
	if (r == 6)
		return gen_chance(g, 50) ? "init" : "99999";
	if (r == 7)
		return "-1";
	snprintf(buf, len, "-%s", gen_names[gen_pick_proc(g)]);
	return buf;
}

static const char *gen_wopts(struct gen *g, char *buf, size_t len, bool waitid, bool *nohang)
{
	static const char *const w4[] = {"WNOHANG", "WUNTRACED", "WCONTINUED"};
	static const char *const wid[] = {"WNOHANG", "WEXITED", "WSTOPPED", "WCONTINUED", "WNOWAIT"};
	const char *const *f = waitid ? wid : w4;
	int n = waitid ? 5 : 3, used = 0;
	if (gen_chance(g, 4))
		return waitid ? "0x10004" : "0x10000"; /* an unknown flag: EINVAL */
	buf[0] = '\0';
	for (int i = 0; i < n; i++)
		if (gen_chance(g, i == 0 ? 60 : 40)) {
			used += snprintf(buf + used, len - used, "%s%s", used ? "|" : "", f[i]);
			if (i == 0)
				*nohang = true;
		}
	return used ? buf : "0";
}

/* Add WNOHANG when the call could block. */
static void gen_nohang(char *opts, size_t len, bool nohang, bool safe)
{
	if (nohang || safe)
		return;
	if (strcmp(opts, "0") == 0)
		snprintf(opts, len, "WNOHANG");
	else {
		char tmp[96];
		snprintf(tmp, sizeof tmp, "WNOHANG|%s", opts);
		snprintf(opts, len, "%s", tmp);
	}
}

static void gen_wait(struct gen *g, int actor)
{
	char sel[24], obuf[96], opts[96];
	bool nohang = false;
	int form = gen_rand(g, 5);
	bool waitid = form == 4;
	snprintf(opts, sizeof opts, "%s", gen_wopts(g, obuf, sizeof obuf, waitid, &nohang));
	bool invalid = opts[0] == '0' && opts[1] == 'x';
	bool nolive = !gen_has_live_child(g, actor);
	if (form == 0 || form == 2) { /* wait, wait3: any child */
		if (form == 0 && !nolive) {
			form = 1; /* plain wait cannot take WNOHANG */
		} else if (form == 0) {
			gen_act(g, actor, "wait");
			return;
		} else {
			gen_nohang(opts, sizeof opts, nohang, nolive || invalid);
			gen_act(g, actor, "wait3 %s", opts);
			return;
		}
	}
	if (form == 1 || form == 3) {
		int r = gen_rand(g, 6), t = gen_pick_proc(g);
		bool safe = nolive || invalid;
		if (r == 0)
			snprintf(sel, sizeof sel, "-1");
		else if (r == 1)
			snprintf(sel, sizeof sel, "0");
		else if (r == 2)
			snprintf(sel, sizeof sel, "-%s", gen_names[t]);
		else {
			snprintf(sel, sizeof sel, "%s", gen_names[t]);
			safe = safe || !(g->p[t].parent == actor && g->p[t].alive);
		}
		gen_nohang(opts, sizeof opts, nohang, safe);
		gen_act(g, actor, "%s %s %s", form == 1 ? "waitpid" : "wait4", sel, opts);
		return;
	}
	/* waitid: blocking needs WEXITED (otherwise a zombie child never
	 * satisfies it) as well as no live child to wait for. */
	int r = gen_rand(g, 3), t = gen_pick_proc(g);
	bool exited = strstr(opts, "WEXITED") != NULL;
	bool some = exited || strstr(opts, "WSTOPPED") || strstr(opts, "WCONTINUED");
	bool safe = invalid || !some /* EINVAL first */ || (exited && nolive);
	if (r == 0) {
		gen_nohang(opts, sizeof opts, nohang, safe);
		gen_act(g, actor, "waitid P_ALL 0 %s", opts);
	} else if (r == 1) {
		const char *id = gen_chance(g, 15) ? "0" : gen_names[t];
		if (strcmp(id, "0") == 0)
			safe = true; /* EINVAL */
		else if (exited && !(g->p[t].parent == actor && g->p[t].alive))
			safe = true;
		gen_nohang(opts, sizeof opts, nohang, safe);
		gen_act(g, actor, "waitid P_PID %s %s", id, opts);
	} else {
		gen_nohang(opts, sizeof opts, nohang, safe);
		gen_act(g, actor, "waitid P_PGID %s %s", gen_chance(g, 40) ? "0" : gen_names[t], opts);
	}
}

static void gen_kill(struct gen *g, int actor)
{
	static const char *const catchable[] = {"0", "HUP", "INT", "TERM", "USR1", "USR2", "CONT", "99"};
	char buf[24];
	int t = gen_pick_proc(g);
	int r = gen_rand(g, 10);
	if (r < 2 && t != 0 && g->p[t].alive) { /* STOP one named process */
		struct gen_act *a = gen_act(g, actor, "kill %s STOP", gen_names[t]);
		a->stopped = t;
		a->nth = ++g->p[t].nstops;
		a->lost = t == actor;
		g->p[t].maybe_stopped = true;
		return;
	}
	if (r == 2 && t != 0 && (!g->p[t].alive || !g->p[t].maybe_stopped)) { /* KILL */
		struct gen_act *a = gen_act(g, actor, "kill %s KILL", gen_names[t]);
		if (g->p[t].alive) {
			a->gone = t;
			a->lost = t == actor;
			g->p[t].killed = true;
			gen_dies(g, t);
		}
		return;
	}
	if (r == 3 && t != actor && g->p[t].alive && g->p[t].maybe_stopped) { /* wake one */
		gen_act(g, actor, "kill %s CONT", gen_names[t]);
		g->p[t].maybe_stopped = false;
		g->force_next = t;
		return;
	}
	const char *sig = catchable[gen_rand(g, 8)];
	if (gen_chance(g, 20))
		gen_act(g, actor, "killpg %s %s", gen_chance(g, 30) ? "0" : gen_names[t], sig);
	else if (gen_chance(g, 5))
		gen_act(g, actor, "kill -2147483648 %s", sig);
	else
		gen_act(g, actor, "kill %s %s", gen_pid_arg(g, buf, sizeof buf, true), sig);
}

/* The step that makes process c: mostly fork; else vfork or posix_spawn,
 * whose child is a new image of the executor (spawn.c), with the group or
 * session attributes a shell's spawn asks for.  A spawn whose group the
 * kernel refuses makes c by fork instead (logged), so c exists either
 * way.  Drawn from the third stream. */
static void gen_create(struct gen *g, int actor, int c)
{
	static const char *const flags[] = {"0", "SETPGROUP", "SETPGROUP", "SETSID", "SETPGROUP|SETSID"};
	int k = gen_forks_only ? 0 : gen_rand3(g, 20);
	if (k < 13) {
		gen_act(g, actor, "fork %s", gen_names[c]);
		return;
	}
	if (k < 15) {
		gen_act(g, actor, "vfork %s", gen_names[c]);
		return;
	}
	const char *f = flags[gen_rand3(g, 5)];
	const char *pg = "0";
	int q = gen_rand3(g, 10);
	if (q >= 5 && q < 8)
		pg = gen_names[gen_rand3(g, g->nprocs)];
	else if (q == 8)
		pg = "self";
	else if (q == 9)
		pg = gen_rand3(g, 2) ? "-1" : "99999";
	gen_act(g, actor, "posix_spawn %s %s %s", gen_names[c], f, pg);
}

/* One random action by `actor`. */
static void gen_action(struct gen *g, int actor)
{
	char b1[24], b2[24];
	struct gen_proc *me = &g->p[actor];
	me->nacts++;
	/* Now and then the actor first changes SIGCHLD's disposition: ignored
	 * or SA_NOCLDWAIT, the kernel reaps its children as they exit.  No
	 * wait can block longer for it: a blocking wait is only made with no
	 * live child (gen_wait). */
	if (gen_rand2(g, 100) < 5) {
		int m = gen_rand2(g, 10);
		gen_act(g, actor, "sigchld %s", m < 5 ? "ign" : m < 8 ? "nocldwait" : "dfl");
	}
	/* And a subreaper: orphans below it come to it.  Its children, as
	 * far as a wait is concerned, then include them (gen_dies). */
	if (gen_rand2(g, 100) < 4) {
		me->subreaper = gen_rand2(g, 4) != 0;
		gen_act(g, actor, "subreaper %d", me->subreaper);
	}
	/* And a reap no shim sees (a system call instruction of its own, as
	 * glibc's wordexp reaps its shell), of any process: a child that has
	 * exited is gone, anything else answers 0 or ECHILD.  Then the same
	 * actor probes it with kill(X, 0), which asks the supervisor: a
	 * getpgid right after a raw reap may still be answered from the view
	 * while the supervisor has not read X's exit (a known gap; the
	 * probe is what settles it). */
	{
		/* Mostly a child that has exited (a zombie, unless a wait took
		 * it already): the case that needs a reap to be seen. */
		int dead[GEN_MAX_PROCS], nd = 0, x = -1;
		for (int i = 0; i < g->nprocs; i++)
			if (g->p[i].parent == actor && !g->p[i].alive)
				dead[nd++] = i;
		if (nd && gen_rand2(g, 100) < 25)
			x = dead[gen_rand2(g, nd)];
		else if (gen_rand2(g, 100) < 2)
			x = gen_rand2(g, g->nprocs);
		if (x >= 0) {
			gen_act(g, actor, "rawreap %s", gen_names[x]);
			gen_act(g, actor, "kill %s 0", gen_names[x]);
		}
	}
	for (;;) {
		int r = gen_rand(g, 40);
		if (r < 4 && g->nprocs < GEN_MAX_PROCS) {
			int c = g->nprocs++;
			g->p[c] = (struct gen_proc){.exists = true, .alive = true, .parent = actor};
			gen_create(g, actor, c);
			return;
		}
		if (r >= 4 && r < 6 && actor != 0 && me->nacts > 1) {
			struct gen_act *a = gen_act(g, actor, "exit %d", gen_rand(g, 6));
			a->gone = actor;
			a->lost = true;
			gen_dies(g, actor);
			return;
		}
		if (r >= 6 && r < 11) {
			const char *t = gen_pid_arg(g, b1, sizeof b1, false);
			int q = gen_rand(g, 10);
			const char *p = q < 4 ? "0" : q == 4 ? "-1" : gen_pid_arg(g, b2, sizeof b2, false);
			gen_act(g, actor, "setpgid %s %s", t, p);
			return;
		}
		if (r >= 11 && r < 13) {
			gen_act(g, actor, "%s", gen_chance(g, 80) ? "setsid" : "setpgrp");
			return;
		}
		if (r >= 13 && r < 17) {
			const char *call = gen_chance(g, 50) ? "getpgid" : "getsid";
			gen_act(g, actor, "%s %s", call, gen_pid_arg(g, b1, sizeof b1, false));
			return;
		}
		if (r >= 17 && r < 19) {
			gen_act(g, actor, "%s", gen_chance(g, 60) ? "getppid" : "getpgrp");
			return;
		}
		if (r >= 19 && r < 24) {
			gen_kill(g, actor);
			return;
		}
		if (r >= 24 && r < 26 && actor != 0) {
			struct gen_act *a = gen_act(g, actor, "raise STOP");
			a->stopped = actor;
			a->nth = ++me->nstops;
			a->lost = true;
			me->maybe_stopped = true;
			return;
		}
		if (r == 26) {
			gen_act(g, actor, "raise %s", gen_chance(g, 50) ? "USR1" : "HUP");
			return;
		}
		if (r >= 27 && r < 34) {
			gen_wait(g, actor);
			return;
		}
		if (r == 34) {
			gen_act(g, actor, "exec");
			return;
		}
		if (r >= 35 && r < 37) {
			gen_act(g, actor, "sigs");
			return;
		}
	}
}

/* The processes that may act now. */
static int gen_pick_actor(struct gen *g)
{
	if (g->force_next >= 0) {
		int f = g->force_next;
		g->force_next = -1;
		return f;
	}
	int cand[GEN_MAX_PROCS], n = 0;
	for (int i = 0; i < g->nprocs; i++)
		if (g->p[i].alive && !g->p[i].maybe_stopped && g->p[i].nacts < GEN_MAX_ACTIONS - 1)
			cand[n++] = i;
	return n ? cand[gen_rand(g, n)] : -1;
}

static void gen_end(struct gen *g)
{
	for (int i = g->nprocs - 1; i > 0; i--) {
		if (!g->p[i].alive)
			continue;
		if (g->p[i].maybe_stopped) {
			gen_act(g, 0, "kill %s CONT", gen_names[i]);
			g->p[i].maybe_stopped = false;
		}
		struct gen_act *a = gen_act(g, i, "exit %d", gen_rand(g, 6));
		a->gone = i;
		a->lost = true;
		gen_dies(g, i);
	}
	if (gen_chance(g, 50))
		gen_act(g, 0, "sigs");
	gen_act(g, 0, "exit 0");
}

static void gen_emit(struct gen *g, int who, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void gen_emit(struct gen *g, int who, const char *fmt, ...)
{
	struct gen_proc *p = &g->p[who];
	if (p->nsteps == GEN_MAX_STEPS) {
		fprintf(stderr, "jsgen: too many steps\n");
		exit(1);
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->steps[p->nsteps++], sizeof p->steps[0], fmt, ap);
	va_end(ap);
}

/* Turn the global sequence into per-process lists with token passing. */
static void gen_compile(struct gen *g)
{
	int holder = 0, gone = -1, stopped = -1, nth = 0;
	bool lost = false;
	for (int i = 0; i < g->nacts; i++) {
		struct gen_act *a = &g->acts[i];
		if (a->actor != holder && !lost) {
			gen_emit(g, holder, "signal t%s", gen_names[a->actor]);
			gen_emit(g, a->actor, "await t%s", gen_names[a->actor]);
		}
		if (gone >= 0)
			gen_emit(g, a->actor, "gone %s", gen_names[gone]);
		if (stopped >= 0)
			gen_emit(g, a->actor, "stopped %s %d", gen_names[stopped], nth);
		gen_emit(g, a->actor, "%s", a->text);
		holder = a->actor;
		lost = a->lost;
		gone = a->gone;
		stopped = a->stopped;
		nth = a->nth;
	}
	for (int i = 1; i < g->nprocs; i++)
		if (g->p[i].killed)
			gen_emit(g, i, "hang"); /* blocked here until the KILL lands */
}

static void gen_scenario(uint64_t seed, FILE *out)
{
	static struct gen g;
	memset(&g, 0, sizeof g);
	g.rng = seed * 0x2545f4914f6cdd1dull + 1;
	g.rng2 = seed * 0x9e3779b97f4a7c15ull + 7;
	g.rng3 = seed * 0xd1b54a32d192ed03ull + 13;
	g.force_next = -1;
	g.nprocs = 1;
	g.p[0] = (struct gen_proc){.exists = true, .alive = true, .parent = -1};
	int target = 6 + gen_rand(&g, 40);
	for (int i = 0; i < target && g.nacts < GEN_MAX_ACTS - 2 * GEN_MAX_PROCS - 8; i++) {
		int actor = gen_pick_actor(&g);
		if (actor < 0)
			break;
		gen_action(&g, actor);
	}
	if (g.force_next >= 0) { /* a woken process acts once before the end */
		int f = g.force_next;
		g.force_next = -1;
		gen_act(&g, f, "sigs");
	}
	gen_end(&g);
	gen_compile(&g);
	fprintf(out, "# generated by jsgen, seed %llu\n", (unsigned long long)seed);
	for (int i = 0; i < g.nprocs; i++) {
		fprintf(out, "proc %s\n", gen_names[i]);
		for (int s = 0; s < g.p[i].nsteps; s++)
			fprintf(out, "  %s\n", g.p[i].steps[s]);
	}
}

int main(int argc, char **argv)
{
	const char *dir = NULL;
	int a = 1;
	if (argc > a && strcmp(argv[a], "-f") == 0) {
		gen_forks_only = true;
		a++;
	}
	if (argc > a + 1 && strcmp(argv[a], "-o") == 0) {
		dir = argv[a + 1];
		a += 2;
	}
	if (argc - a < 1 || argc - a > 2) {
		fprintf(stderr, "usage: jsgen [-f] [-o DIR] SEED [N]   (N scenarios, seeds SEED..SEED+N-1;\n"
				"       -f: every process made by fork, as the seeds of sessions before 53)\n");
		return 2;
	}
	unsigned long long seed = strtoull(argv[a], NULL, 0);
	long n = argc - a == 2 ? strtol(argv[a + 1], NULL, 0) : 1;
	for (long i = 0; i < n; i++) {
		FILE *out = stdout;
		char path[4096];
		if (dir) {
			snprintf(path, sizeof path, "%s/g%llu.scn", dir, seed + i);
			out = fopen(path, "w");
			if (!out) {
				fprintf(stderr, "jsgen: %s: %s\n", path, strerror(errno));
				return 1;
			}
		}
		gen_scenario(seed + i, out);
		if (dir)
			fclose(out);
	}
	return 0;
}
