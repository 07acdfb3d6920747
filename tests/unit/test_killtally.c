/* test_killtally.c — check suite for core/killtally.h: the answer of a kill with several targets, as kernel/signal.c gives it. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>

#include "../../core/killtally.h"

/* The tally of answers rc[0..n), then its result for pid. */
static int tally(pid_t pid, const int *rc, int n)
{
	struct kill_tally t = KILL_TALLY_INIT;

	for (int i = 0; i < n; i++)
		kill_tally_add(&t, rc[i]);
	return kill_tally_result(&t, pid);
}

/* kill(-1): Linux keeps the answer of the last target that did not say
 * EPERM (kill_something_info); no permission anywhere is still 0. */
START_TEST(test_all_last_not_eperm)
{
	ck_assert_int_eq(tally(-1, (int[]){0, 0}, 2), 0);
	ck_assert_int_eq(tally(-1, (int[]){-EPERM, -EPERM}, 2), 0);
	ck_assert_int_eq(tally(-1, (int[]){0, -EPERM}, 2), 0);
	ck_assert_int_eq(tally(-1, (int[]){-EINVAL, -EPERM}, 2), -EINVAL);
	ck_assert_int_eq(tally(-1, (int[]){-EINVAL, 0}, 2), 0);
}
END_TEST

/* A target the kernel no longer has (its exit not yet in the model) is
 * none of Linux's targets: its ESRCH is not the answer, wherever it
 * comes in the list, unless no target was there at all. */
START_TEST(test_gone_targets_do_not_answer)
{
	ck_assert_int_eq(tally(-1, (int[]){0, 0, -ESRCH}, 3), 0);
	ck_assert_int_eq(tally(-1, (int[]){-ESRCH, 0}, 2), 0);
	ck_assert_int_eq(tally(-1, (int[]){-EPERM, -ESRCH}, 2), 0);
	ck_assert_int_eq(tally(-1, (int[]){-ESRCH, -ESRCH}, 2), -ESRCH);
	ck_assert_int_eq(tally(-5, (int[]){0, -ESRCH}, 2), 0);
	ck_assert_int_eq(tally(-5, (int[]){-EPERM, -ESRCH}, 2), -EPERM);
	ck_assert_int_eq(tally(-5, (int[]){-ESRCH, -ESRCH}, 2), -ESRCH);
	ck_assert_int_eq(tally(7, (int[]){-ESRCH}, 1), -ESRCH);
}
END_TEST

/* A group or one process: 0 if any target took it, else the last error
 * (__kill_pgrp_info). */
START_TEST(test_group_any_success)
{
	ck_assert_int_eq(tally(-5, (int[]){-EPERM, 0, -EPERM}, 3), 0);
	ck_assert_int_eq(tally(-5, (int[]){-EPERM, -EPERM}, 2), -EPERM);
	ck_assert_int_eq(tally(7, (int[]){-EPERM}, 1), -EPERM);
	ck_assert_int_eq(tally(7, (int[]){0}, 1), 0);
}
END_TEST

static Suite *killtally_suite(void)
{
	Suite *s = suite_create("killtally");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_all_last_not_eperm);
	tcase_add_test(tc, test_gone_targets_do_not_answer);
	tcase_add_test(tc, test_group_any_success);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(killtally_suite());
	int nfail;

	srunner_run_all(sr, CK_NORMAL);
	nfail = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfail == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
