/* bench_eng.c — engine benchmark: fork/exit/reap cycles, setpgid and kill resolution, bytes per process. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "eng.h"

#define BENCH_CYCLES 1000000
#define BENCH_NPROC 100000
#define BENCH_NGROUPS 1000
#define BENCH_OPS 1000000

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 2685821657736338717u) >> 32) % n;
}

static void die(const char *what, int rc)
{
	fprintf(stderr, "bench_eng: %s: %d\n", what, rc);
	exit(1);
}

static struct eng *new_with_command(struct eng_fx *fx)
{
	struct eng *e;
	int32_t cmd;
	int rc;

	if ((rc = eng_new(&e, NULL)) < 0)
		die("eng_new", rc);
	if ((rc = eng_fork(e, 1, &cmd, fx)) < 0 || (rc = eng_setsid(e, cmd, fx)) < 0)
		die("command", rc);
	eng_fx_clear(fx);
	return e;
}

int main(void)
{
	struct eng_fx fx;
	struct eng_stats st0, st;
	struct eng *e;
	int32_t *kids, c;
	double t0, t_cycle, t_setpgid, t_kill1, t_killg;
	size_t targets = 0;
	char why[256];
	int rc;

	eng_fx_init(&fx);

	/* 1. fork + exit + reap of a child of the command. */
	e = new_with_command(&fx);
	t0 = now_ns();
	for (int i = 0; i < BENCH_CYCLES; i++) {
		if ((rc = eng_fork(e, 2, &c, &fx)) < 0)
			die("fork", rc);
		if ((rc = eng_exit(e, c, 0, &fx)) < 0)
			die("exit", rc);
		if ((rc = eng_reap(e, 2, c, &fx)) < 0)
			die("reap", rc);
		eng_fx_clear(&fx);
	}
	t_cycle = (now_ns() - t0) / BENCH_CYCLES;
	eng_free(e);

	/* 2. A namespace of 100,000 children of the command in 1,000 groups. */
	e = new_with_command(&fx);
	eng_stats(e, &st0);
	kids = malloc(BENCH_NPROC * sizeof(*kids));
	if (!kids)
		die("malloc", -ENOMEM);
	for (int i = 0; i < BENCH_NPROC; i++) {
		if ((rc = eng_fork(e, 2, &kids[i], &fx)) < 0)
			die("fork", rc);
		if ((rc = eng_bind(e, kids[i], 1000000 + kids[i])) < 0)
			die("bind", rc);
		/* kids[0..NGROUPS) lead the groups; the rest join one. */
		rc = eng_setpgid(e, 2, kids[i], i < BENCH_NGROUPS ? 0 : kids[i % BENCH_NGROUPS], &fx);
		if (rc < 0)
			die("setpgid", rc);
		eng_fx_clear(&fx);
	}
	eng_stats(e, &st);

	t0 = now_ns();
	for (int i = 0; i < BENCH_OPS; i++) {
		int32_t who = kids[BENCH_NGROUPS + rnd(BENCH_NPROC - BENCH_NGROUPS)];

		if ((rc = eng_setpgid(e, 2, who, kids[rnd(BENCH_NGROUPS)], &fx)) < 0)
			die("setpgid", rc);
		eng_fx_clear(&fx);
	}
	t_setpgid = (now_ns() - t0) / BENCH_OPS;

	t0 = now_ns();
	for (int i = 0; i < BENCH_OPS; i++) {
		if ((rc = eng_kill(e, 2, kids[rnd(BENCH_NPROC)], SIGCONT, &fx)) < 0)
			die("kill", rc);
		eng_fx_clear(&fx);
	}
	t_kill1 = (now_ns() - t0) / BENCH_OPS;

	t0 = now_ns();
	for (int i = 0; i < BENCH_OPS / 10; i++) {
		if ((rc = eng_kill(e, 2, -kids[rnd(BENCH_NGROUPS)], SIGCONT, &fx)) < 0)
			die("killpg", rc);
		targets += fx.n - 1;
		eng_fx_clear(&fx);
	}
	t_killg = (now_ns() - t0) / (BENCH_OPS / 10);

	if (eng_check(e, why, sizeof(why)) < 0)
		die(why, -EINVAL);

	printf("| engine operation | result |\n");
	printf("|---|---|\n");
	printf("| fork + exit + reap cycle (%d cycles) | %.0f ns/cycle |\n", BENCH_CYCLES, t_cycle);
	printf("| setpgid, %d processes in %d groups | %.0f ns/op |\n", BENCH_NPROC, BENCH_NGROUPS, t_setpgid);
	printf("| kill(pid) resolution | %.0f ns/op |\n", t_kill1);
	printf("| kill(-pgid) resolution, %.0f targets avg | %.0f ns/op (%.1f ns/target) |\n",
	       (double)targets / (BENCH_OPS / 10), t_killg, t_killg / ((double)targets / (BENCH_OPS / 10)));
	printf("| heap per live process (eng_stats) | %.0f bytes |\n",
	       (double)(st.bytes - st0.bytes) / BENCH_NPROC);
	printf("| heap total, %zu processes | %.1f MiB |\n", st.nproc, (double)st.bytes / (1024 * 1024));

	free(kids);
	eng_free(e);
	eng_fx_free(&fx);
	return 0;
}
