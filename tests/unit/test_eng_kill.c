/* test_eng_kill.c — check suite for kill(pid, sig) resolution. */
#include <stdint.h>

#include "test_eng_util.h"

#define NROWS(a) (sizeof(a) / sizeof((a)[0]))
#define KILL_MAXT 12

/* World (test_eng_util.h): group 2 = {2,3,4,6,8z}, 5 = {5,9} (session 5),
 * 7 = {7,10,11}, 11 = {12}, 1 = {1}; 12 processes. */
struct kill_row {
	const char *name;
	int32_t caller, pid;
	int sig, expect;
	int32_t targets[KILL_MAXT]; /* in effect order, 0-terminated */
};

static const struct kill_row kill_rows[] = {
	{ "sig -1", 2, 3, -1, -EINVAL, { 0 } },
	{ "sig 65 (> _NSIG)", 2, 3, 65, -EINVAL, { 0 } },
	{ "unknown pid looked up before the sig check", 2, 999, 65, -ESRCH, { 0 } },
	{ "INT_MIN before the sig check", 2, INT32_MIN, 100, -ESRCH, { 0 } },
	{ "unknown group before the sig check", 2, -999, 65, -ESRCH, { 0 } },
	{ "bad sig to init still EINVAL", 2, 1, 65, -EINVAL, { 0 } },
	{ "bad sig to own group", 2, 0, -1, -EINVAL, { 0 } },
	{ "INT_MIN", 2, INT32_MIN, SIGTERM, -ESRCH, { 0 } },
	{ "unknown caller", 999, 3, SIGTERM, -ESRCH, { 0 } },
	{ "sig 0 probes, listing the target", 2, 3, 0, 0, { 3 } },
	{ "sig 64 is valid", 2, 3, 64, 0, { 3 } },
	{ "unknown pid", 2, 999, SIGTERM, -ESRCH, { 0 } },
	{ "init ignores signals from inside", 2, 1, SIGKILL, 0, { 0 } },
	{ "a zombie exists", 2, 8, SIGKILL, 0, { 8 } },
	{ "parent", 3, 2, SIGTERM, 0, { 2 } },
	{ "itself", 3, 3, SIGTERM, 0, { 3 } },
	{ "across sessions", 9, 3, SIGTERM, 0, { 3 } },
	{ "pid 0: the caller's group, caller and zombie included", 3, 0, SIGTERM, 0, { 2, 3, 4, 6, 8 } },
	{ "pid 0 from a group leader", 7, 0, SIGHUP, 0, { 7, 10, 11 } },
	{ "pid -1: all but init and the caller", 2, -1, SIGTERM, 0, { 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 } },
	{ "pid -1 by init", 1, -1, SIGKILL, 0, { 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 } },
	{ "pid -1 by a zombie caller", 8, -1, SIGKILL, 0, { 2, 3, 4, 5, 6, 7, 9, 10, 11, 12 } },
	{ "group", 2, -7, SIGTERM, 0, { 7, 10, 11 } },
	{ "group whose leader moved away", 2, -11, SIGTERM, 0, { 12 } },
	{ "group of another session", 2, -5, SIGCONT, 0, { 5, 9 } },
	{ "own group by id", 2, -2, SIGTERM, 0, { 2, 3, 4, 6, 8 } },
	{ "unknown group", 2, -999, SIGTERM, -ESRCH, { 0 } },
	{ "a process id that names no group", 2, -3, SIGTERM, -ESRCH, { 0 } },
	{ "group probe", 2, -7, 0, 0, { 7, 10, 11 } },
};

START_TEST(test_kill_rows)
{
	t_world(E);
	for (size_t i = 0; i < NROWS(kill_rows); i++) {
		const struct kill_row *r = &kill_rows[i];
		size_t nt = 0;
		int rc;

		while (nt < KILL_MAXT && r->targets[nt])
			nt++;
		eng_fx_clear(&FX);
		rc = eng_kill(E, r->caller, r->pid, r->sig, &FX);
		ck_assert_msg(rc == r->expect, "row '%s': kill = %d, want %d", r->name, rc, r->expect);
		if (rc < 0) {
			ck_assert_msg(FX.n == 0, "row '%s': effects on failure", r->name);
			continue;
		}
		ck_assert_msg(FX.n == nt + 1, "row '%s': %zu effects, want %zu", r->name, FX.n, nt + 1);
		ck_assert_msg(FX.v[0].kind == ENG_FX_EVENT && FX.v[0].ev == ENG_EV_KILL &&
			      FX.v[0].vpid == r->caller && FX.v[0].a == r->pid && FX.v[0].b == r->sig &&
			      FX.v[0].c == (int32_t)nt, "row '%s': KILL event", r->name);
		for (size_t j = 0; j < nt; j++)
			ck_assert_msg(FX.v[j + 1].kind == ENG_FX_SIGNAL && FX.v[j + 1].vpid == r->targets[j] &&
				      FX.v[j + 1].sig == r->sig, "row '%s': target %zu is %d/%d, want %d",
				      r->name, j, FX.v[j + 1].vpid, FX.v[j + 1].sig, r->targets[j]);
	}
}
END_TEST

/* kill(-1) with nobody but init and the caller: ESRCH. */
START_TEST(test_kill_all_with_nobody_else)
{
	t_command(E);
	eng_fx_clear(&FX);
	ck_assert_int_eq(eng_kill(E, 2, -1, SIGTERM, &FX), -ESRCH);
	ck_assert_uint_eq(FX.n, 0);
	ck_assert_int_eq(eng_kill(E, 1, -1, SIGTERM, &FX), 0);
	ck_assert_uint_eq(t_count_signals(&FX), 1);
	ck_assert_uint_eq(t_count_sig(&FX, 2, SIGTERM), 1);
}
END_TEST

/* A member of init's group sending to its group: init is skipped. */
START_TEST(test_kill_group_skips_init)
{
	int32_t c = t_fork(E, 1);

	eng_fx_clear(&FX);
	ck_assert_int_eq(eng_kill(E, c, 0, SIGTERM, &FX), 0);
	ck_assert_uint_eq(t_count_signals(&FX), 1);
	ck_assert_uint_eq(t_count_sig(&FX, c, SIGTERM), 1);
	ck_assert_int_eq(FX.v[0].c, 1);
	eng_fx_clear(&FX);
	ck_assert_int_eq(eng_fork_abort(E, c), 0);
	ck_assert_int_eq(eng_kill(E, 1, 0, SIGTERM, &FX), 0); /* init alone */
	ck_assert_uint_eq(t_count_signals(&FX), 0);
}
END_TEST

/* Signals after a reap: the process is gone. */
START_TEST(test_kill_after_reap)
{
	t_command(E);
	t_fork(E, 2);
	t_exit(E, 3);
	ck_assert_int_eq(eng_kill(E, 2, 3, 0, &FX), 0);
	ck_assert_int_eq(eng_reap(E, 2, 3, &FX), 0);
	ck_assert_int_eq(eng_kill(E, 2, 3, 0, &FX), -ESRCH);
}
END_TEST

static Suite *kill_suite(void)
{
	Suite *s = suite_create("kill");
	TCase *tc = tcase_create("targets and errors");

	tcase_add_checked_fixture(tc, t_setup, t_teardown);
	tcase_add_test(tc, test_kill_rows);
	tcase_add_test(tc, test_kill_all_with_nobody_else);
	tcase_add_test(tc, test_kill_group_skips_init);
	tcase_add_test(tc, test_kill_after_reap);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	Suite *suites[] = { kill_suite(), NULL };

	return t_run(suites);
}
