/* test_eng_session.c — check suite for sessions: setsid and the id getters. */
#include "test_eng_util.h"

#define NROWS(a) (sizeof(a) / sizeof((a)[0]))

/* ======================================================================== */
/* suite session                                                            */
/* ======================================================================== */

struct setsid_row {
	const char *name;
	int32_t caller;
	int expect;
};

static const struct setsid_row setsid_rows[] = {
	{ "session leader", 2, -EPERM },
	{ "init (group leader)", 1, -EPERM },
	{ "group leader", 7, -EPERM },
	{ "left its group, members remain", 11, -EPERM },
	{ "unknown", 999, -ESRCH },
	{ "zombie", 8, -ESRCH },
	{ "plain member", 3, 3 },
	{ "grandchild", 6, 6 },
	{ "member of another session", 9, 9 },
	{ "sole member of a group named after another", 10, 10 },
};

START_TEST(test_setsid_rows)
{
	for (size_t i = 0; i < NROWS(setsid_rows); i++) {
		const struct setsid_row *r = &setsid_rows[i];
		struct eng *e = t_world_new();
		int rc = eng_setsid(e, r->caller, &FX);

		ck_assert_msg(rc == r->expect, "row '%s': setsid = %d, want %d", r->name, rc, r->expect);
		if (rc > 0) {
			ck_assert_msg(eng_getsid(e, r->caller, 0) == r->caller, "row '%s': sid", r->name);
			ck_assert_msg(eng_getpgid(e, r->caller, 0) == r->caller, "row '%s': pgid", r->name);
			ck_assert_msg(FX.n == 1 && FX.v[0].ev == ENG_EV_SETSID && FX.v[0].a == r->caller,
				      "row '%s': SETSID event", r->name);
			ck_assert_msg(eng_setsid(e, r->caller, &FX) == -EPERM, "row '%s': twice", r->name);
		} else {
			ck_assert_msg(FX.n == 0, "row '%s': effects on failure", r->name);
		}
		t_world_free(e);
	}
}
END_TEST

struct getid_row {
	const char *name;
	int32_t caller, pid;
	int pgid, sid; /* expected getpgid, getsid */
};

static const struct getid_row getid_rows[] = {
	{ "self by 0", 3, 0, 2, 2 },
	{ "self by id", 3, 3, 2, 2 },
	{ "init", 2, 1, 1, 1 },
	{ "other session, no EPERM", 3, 9, 5, 5 },
	{ "zombie reports its ids", 2, 8, 2, 2 },
	{ "member of a foreign-named group", 2, 10, 7, 2 },
	{ "unknown pid", 2, 999, -ESRCH, -ESRCH },
	{ "negative pid", 2, -3, -ESRCH, -ESRCH },
	{ "unknown caller, pid 0", 999, 0, -ESRCH, -ESRCH },
	{ "unknown caller, known pid", 999, 3, 2, 2 },
};

START_TEST(test_getpgid_getsid_rows)
{
	t_world(E);
	for (size_t i = 0; i < NROWS(getid_rows); i++) {
		const struct getid_row *r = &getid_rows[i];
		int pg = eng_getpgid(E, r->caller, r->pid), sid = eng_getsid(E, r->caller, r->pid);

		ck_assert_msg(pg == r->pgid, "row '%s': getpgid = %d, want %d", r->name, pg, r->pgid);
		ck_assert_msg(sid == r->sid, "row '%s': getsid = %d, want %d", r->name, sid, r->sid);
	}
}
END_TEST

static Suite *session_suite(void)
{
	Suite *s = suite_create("session");
	TCase *tc = tcase_create("setsid and getters");

	tcase_add_checked_fixture(tc, t_setup, t_teardown);
	tcase_add_test(tc, test_setsid_rows);
	tcase_add_test(tc, test_getpgid_getsid_rows);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	Suite *suites[] = { session_suite(), NULL };

	return t_run(suites);
}
