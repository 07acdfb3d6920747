/* test_eng_util.h — fixtures and helpers shared by the engine's check suites. */
#ifndef JOBSHIM_TEST_ENG_UTIL_H
#define JOBSHIM_TEST_ENG_UTIL_H

#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eng.h"

/* The engine and effect list of the running test (each test runs in its own
 * forked process under check, so these globals are per test). */
static struct eng *E;
static struct eng_fx FX;

static inline void t_assert_consistent(struct eng *e)
{
	char why[256];
	int rc = eng_check(e, why, sizeof(why));

	ck_assert_msg(rc == 0, "eng_check: %d %s", rc, why);
}

static inline void t_setup(void)
{
	ck_assert_int_eq(eng_new(&E, NULL), 0);
	eng_fx_init(&FX);
}

/* Checked-fixture teardown: every test must leave a consistent engine. */
static inline void t_teardown(void)
{
	if (E)
		t_assert_consistent(E);
	eng_free(E);
	E = NULL;
	eng_fx_free(&FX);
}

static inline int32_t t_fork(struct eng *e, int32_t parent)
{
	int32_t child = 0;
	int rc = eng_fork(e, parent, &child, &FX);

	ck_assert_msg(rc == 0, "fork(%d) = %d", parent, rc);
	return child;
}

static inline void t_setpgid(struct eng *e, int32_t caller, int32_t pid, int32_t pgid)
{
	int rc = eng_setpgid(e, caller, pid, pgid, &FX);

	ck_assert_msg(rc == 0, "setpgid(%d by %d, %d) = %d", pid, caller, pgid, rc);
}

static inline void t_setsid(struct eng *e, int32_t caller)
{
	int rc = eng_setsid(e, caller, &FX);

	ck_assert_msg(rc == caller, "setsid(%d) = %d", caller, rc);
}

static inline void t_exit(struct eng *e, int32_t vpid)
{
	int rc = eng_exit(e, vpid, 0, &FX);

	ck_assert_msg(rc == 0, "exit(%d) = %d", vpid, rc);
}

static inline void t_stop(struct eng *e, int32_t vpid)
{
	ck_assert_int_eq(eng_set_stopped(e, vpid, true, &FX), 0);
}

/* The command: vpid 2, leader of session 2 and group 2. */
static inline int32_t t_command(struct eng *e)
{
	int32_t cmd = t_fork(e, 1);

	ck_assert_int_eq(cmd, 2);
	t_setsid(e, cmd);
	return cmd;
}

/*
 * The reference world used by the errno tables:
 *   1 init;  2 command (session 2, group 2)
 *   3 child of 2, group 2            6 child of 3, group 2
 *   4 child of 2, exec'd, group 2    5 child of 2, setsid + exec'd (session 5)
 *   7 child of 2, own group 7        8 child of 2, zombie, group 2
 *   9 child of 5, group 5 (session 5)
 *  10 child of 2, moved to group 7
 *  11 child of 2, left its own group 11 for group 7; 12 (child of 11) remains in 11
 */
static inline void t_world(struct eng *e)
{
	ck_assert_int_eq(t_command(e), 2);
	ck_assert_int_eq(t_fork(e, 2), 3);
	ck_assert_int_eq(t_fork(e, 2), 4);
	ck_assert_int_eq(eng_exec(e, 4, &FX), 0);
	ck_assert_int_eq(t_fork(e, 2), 5);
	t_setsid(e, 5);
	ck_assert_int_eq(eng_exec(e, 5, &FX), 0);
	ck_assert_int_eq(t_fork(e, 3), 6);
	ck_assert_int_eq(t_fork(e, 2), 7);
	t_setpgid(e, 2, 7, 7);
	ck_assert_int_eq(t_fork(e, 2), 8);
	t_exit(e, 8);
	ck_assert_int_eq(t_fork(e, 5), 9);
	ck_assert_int_eq(t_fork(e, 2), 10);
	t_setpgid(e, 2, 10, 7);
	ck_assert_int_eq(t_fork(e, 2), 11);
	t_setpgid(e, 11, 0, 0);
	ck_assert_int_eq(t_fork(e, 11), 12);
	t_setpgid(e, 2, 11, 7);
	eng_fx_clear(&FX);
}

/* A fresh world in its own engine, for table rows that mutate it. */
static inline struct eng *t_world_new(void)
{
	struct eng *e;

	ck_assert_int_eq(eng_new(&e, NULL), 0);
	t_world(e);
	return e;
}

static inline void t_world_free(struct eng *e)
{
	t_assert_consistent(e);
	eng_free(e);
	eng_fx_clear(&FX);
}

static inline int t_pgid(struct eng *e, int32_t pid)
{
	return eng_getpgid(e, pid, pid);
}

/* ---- effect inspection -------------------------------------------------- */

static inline size_t t_count_sig(const struct eng_fx *fx, int32_t vpid, int sig)
{
	size_t n = 0;

	for (size_t i = 0; i < fx->n; i++)
		if (fx->v[i].kind == ENG_FX_SIGNAL && fx->v[i].vpid == vpid && fx->v[i].sig == sig)
			n++;
	return n;
}

static inline size_t t_count_signals(const struct eng_fx *fx)
{
	size_t n = 0;

	for (size_t i = 0; i < fx->n; i++)
		n += fx->v[i].kind == ENG_FX_SIGNAL;
	return n;
}

static inline size_t t_count_ev(const struct eng_fx *fx, enum eng_event ev)
{
	size_t n = 0;

	for (size_t i = 0; i < fx->n; i++)
		n += fx->v[i].kind == ENG_FX_EVENT && fx->v[i].ev == ev;
	return n;
}

/* Index of the first event `ev` at or after `from`, or -1. */
static inline long t_find_ev(const struct eng_fx *fx, enum eng_event ev, size_t from)
{
	for (size_t i = from; i < fx->n; i++)
		if (fx->v[i].kind == ENG_FX_EVENT && fx->v[i].ev == ev)
			return (long)i;
	return -1;
}

static inline bool t_has_id(const struct eng_fx *fx, const struct eng_effect *ef, int32_t id)
{
	for (size_t i = 0; i < ef->nids; i++)
		if (fx->ids[ef->ids_off + i] == id)
			return true;
	return false;
}

/* The ORPHAN event for group `pgid`; fails the test if there is none. */
static inline const struct eng_effect *t_orphan_ev(const struct eng_fx *fx, int32_t pgid)
{
	for (size_t i = 0; i < fx->n; i++)
		if (fx->v[i].kind == ENG_FX_EVENT && fx->v[i].ev == ENG_EV_ORPHAN && fx->v[i].a == pgid)
			return &fx->v[i];
	ck_abort_msg("no ORPHAN event for group %d", pgid);
	return NULL;
}

/* Assert group `pgid`'s members `ids` each got exactly one SIGHUP and one
 * SIGCONT, and that the group's ORPHAN event came before them. */
static inline void t_assert_hupcont(const struct eng_fx *fx, int32_t pgid, const int32_t *ids, size_t n)
{
	const struct eng_effect *ev = t_orphan_ev(fx, pgid);
	size_t at = (size_t)(ev - fx->v);

	for (size_t i = 0; i < n; i++) {
		ck_assert_msg(t_count_sig(fx, ids[i], SIGHUP) == 1, "member %d: SIGHUP count", ids[i]);
		ck_assert_msg(t_count_sig(fx, ids[i], SIGCONT) == 1, "member %d: SIGCONT count", ids[i]);
		for (size_t j = 0; j < at; j++)
			ck_assert_msg(!(fx->v[j].kind == ENG_FX_SIGNAL && fx->v[j].vpid == ids[i]),
				      "member %d signalled before the ORPHAN event", ids[i]);
	}
}

/* Run suites (NULL-terminated); EXIT_FAILURE if any test failed. */
static inline int t_run(Suite **suites)
{
	SRunner *sr = srunner_create(suites[0]);
	int nfail;

	for (size_t i = 1; suites[i]; i++)
		srunner_add_suite(sr, suites[i]);
	srunner_run_all(sr, CK_NORMAL);
	nfail = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfail ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
