/* test_eng_fx.c — check suite for effects: the effect list, and ENOMEM leaving the state unchanged. */
#include "test_eng_util.h"

#define NROWS(a) (sizeof(a) / sizeof((a)[0]))

/* ======================================================================== */
/* suite fx                                                                 */
/* ======================================================================== */

START_TEST(test_fx_appends_and_clears)
{
	struct eng_fx fx;
	int32_t c;

	eng_fx_init(&fx);
	ck_assert_uint_eq(fx.n, 0);
	ck_assert_int_eq(eng_fork(E, 1, &c, &fx), 0);
	ck_assert_int_eq(eng_fork(E, 1, &c, &fx), 0);
	ck_assert_uint_eq(fx.n, 2); /* operations append */
	eng_fx_clear(&fx);
	ck_assert_uint_eq(fx.n, 0);
	ck_assert_uint_eq(fx.nids, 0);
	for (int i = 0; i < 1000; i++)
		ck_assert_int_eq(eng_kill(E, 2, 3, SIGUSR1, &fx), 0);
	ck_assert_uint_eq(fx.n, 2000);
	ck_assert_int_eq(fx.v[0].kind, ENG_FX_EVENT);
	ck_assert_int_eq(fx.v[1].kind, ENG_FX_SIGNAL);
	ck_assert_int_eq(fx.v[1].sig, SIGUSR1);
	eng_fx_free(&fx);
	ck_assert_ptr_null(fx.v);
	eng_fx_free(&fx); /* idempotent */
}
END_TEST

/* ---- out of memory: every operation fails cleanly ------------------------ */

struct snapshot {
	struct eng_stats st;
	struct eng_pinfo p[64];
	size_t n;
};

static void snap(struct eng *e, struct snapshot *s)
{
	memset(s, 0, sizeof(*s));
	eng_stats(e, &s->st);
	for (int32_t v = eng_next(e, 1); v > 0 && s->n < 64; v = eng_next(e, v + 1))
		ck_assert_int_eq(eng_info(e, v, &s->p[s->n++]), 0);
}

static bool snap_equal(const struct snapshot *a, const struct snapshot *b)
{
	if (a->n != b->n || a->st.nproc != b->st.nproc || a->st.ngrp != b->st.ngrp ||
	    a->st.nsess != b->st.nsess || a->st.nzombie != b->st.nzombie || a->st.bytes != b->st.bytes)
		return false;
	return memcmp(a->p, b->p, a->n * sizeof(a->p[0])) == 0;
}

enum oom_op { OOM_FORK, OOM_SETSID, OOM_SETPGID_NEW, OOM_SETPGID_JOIN, OOM_EXIT, OOM_REAP,
	      OOM_KILL, OOM_BIND, OOM_EXEC, OOM_STOP };

static const struct {
	const char *name;
	enum oom_op op;
} oom_rows[] = {
	{ "fork", OOM_FORK }, { "setsid", OOM_SETSID }, { "setpgid new group", OOM_SETPGID_NEW },
	{ "setpgid join", OOM_SETPGID_JOIN }, { "exit with orphaning", OOM_EXIT }, { "reap", OOM_REAP },
	{ "kill group", OOM_KILL }, { "bind", OOM_BIND }, { "exec", OOM_EXEC },
	{ "set_stopped", OOM_STOP },
};

static int oom_run(struct eng *e, enum oom_op op)
{
	int32_t c;

	switch (op) {
	case OOM_FORK: return eng_fork(e, 2, &c, &FX);
	case OOM_SETSID: return eng_setsid(e, 6, &FX);
	case OOM_SETPGID_NEW: return eng_setpgid(e, 2, 3, 0, &FX);
	case OOM_SETPGID_JOIN: return eng_setpgid(e, 2, 3, 7, &FX);
	case OOM_EXIT: return eng_exit(e, 2, 0, &FX);
	case OOM_REAP: return eng_reap(e, 2, 8, &FX);
	case OOM_KILL: return eng_kill(e, 2, -7, SIGTERM, &FX);
	case OOM_BIND: return eng_bind(e, 3, 5555);
	case OOM_EXEC: return eng_exec(e, 3, &FX);
	case OOM_STOP: return eng_set_stopped(e, 3, true, &FX);
	}
	return -EINVAL;
}

START_TEST(test_enomem_leaves_state_unchanged)
{
	for (size_t i = 0; i < NROWS(oom_rows); i++) {
		int rc = -ENOMEM;

		for (unsigned nth = 1; rc == -ENOMEM; nth++) {
			struct snapshot before, after;
			struct eng *e = t_world_new();
			size_t nfx;

			t_stop(e, 10); /* so the exit row orphans group 7 */
			eng_fx_free(&FX);  /* cold effect list: its growth can fail too */
			snap(e, &before);
			nfx = FX.n;
			eng_debug_fail_alloc(e, nth);
			rc = oom_run(e, oom_rows[i].op);
			eng_debug_fail_alloc(e, 0);
			if (rc == -ENOMEM) {
				snap(e, &after);
				ck_assert_msg(snap_equal(&before, &after), "row '%s', alloc %u: state changed",
					      oom_rows[i].name, nth);
				ck_assert_msg(FX.n == nfx, "row '%s', alloc %u: effects appended",
					      oom_rows[i].name, nth);
			} else {
				ck_assert_msg(rc >= 0, "row '%s', alloc %u: rc %d", oom_rows[i].name, nth, rc);
			}
			t_world_free(e);
			ck_assert_msg(nth < 64, "row '%s': never succeeds", oom_rows[i].name);
		}
	}
}
END_TEST

static Suite *fx_suite(void)
{
	Suite *s = suite_create("fx");
	TCase *tc = tcase_create("effect list");

	tcase_add_checked_fixture(tc, t_setup, t_teardown);
	tcase_add_test(tc, test_fx_appends_and_clears);
	suite_add_tcase(s, tc);

	tc = tcase_create("out of memory");
	tcase_add_checked_fixture(tc, t_setup, t_teardown);
	tcase_add_test(tc, test_enomem_leaves_state_unchanged);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	Suite *suites[] = { fx_suite(), NULL };

	return t_run(suites);
}
