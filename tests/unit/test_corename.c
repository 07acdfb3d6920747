/* test_corename.c — check suite for core/corename.c: core_pattern's name for a pid, and the patterns it declines. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "corename.h"

static const char *build(const char *pat, bool uses_pid, pid_t pid, int sig)
{
	static char out[64];

	return corename_build(pat, uses_pid, pid, sig, out, sizeof(out)) ? out : NULL;
}

START_TEST(test_specifiers)
{
	ck_assert_str_eq(build("/tmp/d/dump-%p", false, 42, 6), "/tmp/d/dump-42");
	ck_assert_str_eq(build("core-%s-%p.x", false, 7, 11), "core-11-7.x");
	ck_assert_str_eq(build("100%%-%p", false, 3, 6), "100%-3");
	ck_assert_str_eq(build("%p%p", false, 12, 6), "1212");
}
END_TEST

START_TEST(test_uses_pid)
{
	/* no %p: core_uses_pid appends .PID; with %p it adds nothing */
	ck_assert_str_eq(build("core", true, 99, 6), "core.99");
	ck_assert_str_eq(build("core", false, 99, 6), "core");
	ck_assert_str_eq(build("c-%p", true, 99, 6), "c-99");
	/* an empty pattern is "core" */
	ck_assert_str_eq(build("", true, 5, 6), "core.5");
}
END_TEST

START_TEST(test_declined)
{
	ck_assert_ptr_null(build("|/usr/lib/systemd/systemd-coredump %P %u", false, 1, 6));
	ck_assert_ptr_null(build("core.%e.%p", false, 1, 6));  /* the executable's name */
	ck_assert_ptr_null(build("core.%t", true, 1, 6));      /* the time */
	ck_assert_ptr_null(build("core.%", false, 1, 6));      /* a lone % at the end */
	char big[80];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_ptr_null(build(big, false, 1, 6));           /* does not fit */
	char out[4];
	ck_assert(!corename_build("core", true, 12345, 6, out, sizeof(out)));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("corename");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_specifiers);
	tcase_add_test(tc, test_uses_pid);
	tcase_add_test(tc, test_declined);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
