/* test_eng_wait.c — check suite for the wait4 selector and options. */
#include <stdint.h>
#include <sys/wait.h>

#include "test_eng_util.h"

#define NROWS(a) (sizeof(a) / sizeof((a)[0]))
#define WAIT_MAXC 8

/* World (test_eng_util.h): children of 2 in order 3, 4, 5, 7, 8z, 10, 11;
 * 3 -> 6; 5 -> 9; 11 -> 12.  Groups: 2 = {2,3,4,6,8}, 7 = {7,10,11},
 * 5 = {5,9}, 11 = {12}. */
struct wait_row {
	const char *name;
	int32_t caller, sel;
	int options, expect;
	int32_t kids[WAIT_MAXC]; /* 0-terminated, in order */
};

#define ALLOPTS (WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | (int)__WALL | (int)__WCLONE)

static const struct wait_row wait_rows[] = {
	{ "WEXITED is not a wait4 option", 2, 3, WEXITED, -EINVAL, { 0 } },
	{ "WNOWAIT is not a wait4 option", 2, 3, WNOWAIT, -EINVAL, { 0 } },
	{ "unknown bit", 2, 3, 0x10, -EINVAL, { 0 } },
	{ "high unknown bit", 2, 3, 0x10000000, -EINVAL, { 0 } },
	{ "options before an unknown child", 2, 999, WEXITED, -EINVAL, { 0 } },
	{ "options before an unknown caller", 999, -1, WEXITED, -EINVAL, { 0 } },
	{ "WSTOPPED is WUNTRACED", 2, 3, WSTOPPED, 1, { 3 } },
	{ "options before INT_MIN", 2, INT32_MIN, WEXITED, -EINVAL, { 0 } },
	{ "INT_MIN", 2, INT32_MIN, 0, -ESRCH, { 0 } },
	{ "WNOHANG", 2, 3, WNOHANG, 1, { 3 } },
	{ "WUNTRACED", 2, 3, WUNTRACED, 1, { 3 } },
	{ "WCONTINUED", 2, 3, WCONTINUED, 1, { 3 } },
	{ "__WNOTHREAD", 2, 3, __WNOTHREAD, 1, { 3 } },
	{ "__WALL", 2, 3, (int)__WALL, 1, { 3 } },
	{ "__WALL|__WCLONE", 2, 3, (int)(__WALL | __WCLONE), 1, { 3 } },
	{ "every accepted option", 2, -1, ALLOPTS, 7, { 3, 4, 5, 7, 8, 10, 11 } },
	{ "__WCLONE alone: every candidate (the kernel checks exit signals)", 2, -1, (int)__WCLONE, 7,
	  { 3, 4, 5, 7, 8, 10, 11 } },
	{ "that child", 2, 3, 0, 1, { 3 } },
	{ "zombie child", 2, 8, 0, 1, { 8 } },
	{ "grandchild", 2, 6, 0, -ECHILD, { 0 } },
	{ "unknown pid", 2, 999, 0, -ECHILD, { 0 } },
	{ "init is nobody's child", 2, 1, 0, -ECHILD, { 0 } },
	{ "the parent", 3, 2, 0, -ECHILD, { 0 } },
	{ "any child", 2, -1, 0, 7, { 3, 4, 5, 7, 8, 10, 11 } },
	{ "children in the caller's group", 2, 0, 0, 3, { 3, 4, 8 } },
	{ "children in group 7", 2, -7, 0, 3, { 7, 10, 11 } },
	{ "children in a group of another session", 2, -5, 0, 1, { 5 } },
	{ "group without children of the caller", 2, -11, 0, -ECHILD, { 0 } },
	{ "the child in that group", 11, -11, 0, 1, { 12 } },
	{ "caller's group has none of its children", 11, 0, 0, -ECHILD, { 0 } },
	{ "unknown group", 2, -999, 0, -ECHILD, { 0 } },
	{ "no children", 6, -1, 0, -ECHILD, { 0 } },
	{ "no children, WNOHANG", 6, -1, WNOHANG, -ECHILD, { 0 } },
	{ "unknown caller", 999, -1, 0, -ECHILD, { 0 } },
	{ "init's children", 1, -1, 0, 1, { 2 } },
};

START_TEST(test_wait_rows)
{
	t_world(E);
	for (size_t i = 0; i < NROWS(wait_rows); i++) {
		const struct wait_row *r = &wait_rows[i];
		int32_t out[WAIT_MAXC + 1];
		int rc;

		memset(out, 0, sizeof(out));
		rc = eng_wait_select(E, r->caller, r->sel, r->options, out, WAIT_MAXC);
		ck_assert_msg(rc == r->expect, "row '%s': select = %d, want %d", r->name, rc, r->expect);
		for (int j = 0; j < rc; j++)
			ck_assert_msg(out[j] == r->kids[j], "row '%s': child %d is %d, want %d", r->name, j,
				      out[j], r->kids[j]);
	}
}
END_TEST

START_TEST(test_wait_stopped_and_zombie_children_eligible)
{
	int32_t out[4];

	t_command(E);
	t_fork(E, 2);
	t_fork(E, 2);
	t_stop(E, 3);
	t_exit(E, 4);
	ck_assert_int_eq(eng_wait_select(E, 2, 3, WUNTRACED, out, 4), 1);
	ck_assert_int_eq(eng_wait_select(E, 2, -1, WNOHANG, out, 4), 2);
	ck_assert_int_eq(out[0], 3);
	ck_assert_int_eq(out[1], 4);
	ck_assert_int_eq(eng_reap(E, 2, 4, &FX), 0);
	ck_assert_int_eq(eng_wait_select(E, 2, 4, 0, out, 4), -ECHILD);
}
END_TEST

/* The selector 0 means the caller's group at call time. */
START_TEST(test_wait_group_at_call_time)
{
	int32_t out[4];

	t_command(E);
	t_fork(E, 2);               /* 3 */
	t_fork(E, 3);               /* 4 */
	ck_assert_int_eq(eng_wait_select(E, 3, 0, 0, out, 4), 1);
	t_setpgid(E, 3, 0, 0);      /* 3 moves to group 3; 4 stays in 2 */
	ck_assert_int_eq(eng_wait_select(E, 3, 0, 0, out, 4), -ECHILD);
	ck_assert_int_eq(eng_wait_select(E, 3, -2, 0, out, 4), 1);
}
END_TEST

START_TEST(test_wait_cap_smaller_than_total)
{
	int32_t out[3] = { -1, -1, -1 };

	t_world(E);
	ck_assert_int_eq(eng_wait_select(E, 2, -1, 0, out, 2), 7);
	ck_assert_int_eq(out[0], 3);
	ck_assert_int_eq(out[1], 4);
	ck_assert_int_eq(out[2], -1);
	ck_assert_int_eq(eng_wait_select(E, 2, -1, 0, NULL, 0), 7);
	ck_assert_int_eq(eng_wait_select(E, 2, 3, 0, NULL, 0), 1);
}
END_TEST

/* Reparented children are init's to wait for. */
START_TEST(test_wait_after_reparent)
{
	int32_t out[4];

	t_command(E);
	t_fork(E, 2);
	t_exit(E, 2);
	ck_assert_int_eq(eng_wait_select(E, 2, -1, 0, out, 4), -ECHILD);
	ck_assert_int_eq(eng_wait_select(E, 1, 3, 0, out, 4), 1);
	ck_assert_int_eq(eng_wait_select(E, 1, -1, 0, out, 4), 2);
}
END_TEST

static Suite *wait_suite(void)
{
	Suite *s = suite_create("wait");
	TCase *tc = tcase_create("selector and options");

	tcase_add_checked_fixture(tc, t_setup, t_teardown);
	tcase_add_test(tc, test_wait_rows);
	tcase_add_test(tc, test_wait_stopped_and_zombie_children_eligible);
	tcase_add_test(tc, test_wait_group_at_call_time);
	tcase_add_test(tc, test_wait_cap_smaller_than_total);
	tcase_add_test(tc, test_wait_after_reparent);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	Suite *suites[] = { wait_suite(), NULL };

	return t_run(suites);
}
