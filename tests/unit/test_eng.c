/* test_eng.c — check suite for the engine's processes (proc): lifecycle, fork, binding, inspection. */
#include "test_eng_util.h"

#define NROWS(a) (sizeof(a) / sizeof((a)[0]))

/* ======================================================================== */
/* suite proc                                                               */
/* ======================================================================== */

START_TEST(test_new_holds_only_init)
{
	struct eng_pinfo pi;
	struct eng_stats st;

	ck_assert_int_eq(eng_info(E, 1, &pi), 0);
	ck_assert_int_eq(pi.ppid, 0);
	ck_assert_int_eq(pi.pgid, 1);
	ck_assert_int_eq(pi.sid, 1);
	ck_assert_int_eq(pi.state, ENG_P_RUNNING);
	eng_stats(E, &st);
	ck_assert_uint_eq(st.nproc, 1);
	ck_assert_uint_eq(st.ngrp, 1);
	ck_assert_uint_eq(st.nsess, 1);
	ck_assert_uint_eq(st.nzombie, 0);
	ck_assert_uint_gt(st.bytes, 0);
	ck_assert_int_eq(eng_getppid(E, 1), 0);
	ck_assert_int_eq(eng_next(E, 0), 1);
	ck_assert_int_eq(eng_next(E, 2), -ESRCH);
}
END_TEST

struct new_row {
	const char *name;
	int32_t vpid_max;
	int expect;
};

static const struct new_row new_rows[] = {
	{ "default", 0, 0 },
	{ "minimum 16", 16, 0 },
	{ "below minimum", 15, -EINVAL },
	{ "negative", -5, -EINVAL },
	{ "maximum", INT32_MAX / 2, 0 },
	{ "above maximum", INT32_MAX / 2 + 1, -EINVAL },
};

START_TEST(test_new_config_rows)
{
	for (size_t i = 0; i < NROWS(new_rows); i++) {
		const struct new_row *r = &new_rows[i];
		struct eng_config cfg = { .vpid_max = r->vpid_max };
		struct eng *e = NULL;
		int rc = eng_new(&e, &cfg);

		ck_assert_msg(rc == r->expect, "row '%s': eng_new = %d, want %d", r->name, rc, r->expect);
		ck_assert_msg((rc == 0) == (e != NULL), "row '%s': handle", r->name);
		if (e) {
			t_assert_consistent(e);
			eng_free(e);
		}
	}
}
END_TEST

START_TEST(test_fork_numbers_and_inherits)
{
	struct eng_pinfo pi;
	int32_t cmd = t_command(E), c;

	eng_fx_clear(&FX);
	for (int32_t want = 3; want < 10; want++) {
		c = t_fork(E, cmd);
		ck_assert_int_eq(c, want);
		ck_assert_int_eq(eng_info(E, c, &pi), 0);
		ck_assert_int_eq(pi.ppid, cmd);
		ck_assert_int_eq(pi.pgid, 2);
		ck_assert_int_eq(pi.sid, 2);
		ck_assert_int_eq(pi.rpid, 0);
		ck_assert(!pi.execed);
	}
	ck_assert_uint_eq(t_count_ev(&FX, ENG_EV_FORK), 7);
	ck_assert_int_eq(FX.v[0].vpid, 3);
	ck_assert_int_eq(FX.v[0].a, cmd);
}
END_TEST

START_TEST(test_fork_errors)
{
	int32_t c = -1;
	size_t n;

	ck_assert_int_eq(eng_fork(E, 999, &c, &FX), -ESRCH);
	ck_assert_int_eq(eng_fork(E, 0, &c, &FX), -ESRCH);
	t_fork(E, 1);
	t_exit(E, 2);
	n = FX.n;
	ck_assert_int_eq(eng_fork(E, 2, &c, &FX), -ESRCH);
	ck_assert_int_eq(c, -1);
	ck_assert_uint_eq(FX.n, n);
}
END_TEST

/* The fixture's engine E replaced by a new one made with cfg. */
static struct eng *t_renew(const struct eng_config *cfg)
{
	struct eng *e;

	eng_free(E);
	ck_assert_int_eq(eng_new(&e, cfg), 0);
	E = e;
	return e;
}

/* Ids are not reused until a wrap at vpid_max; then the lowest free id that
 * no process, group or session carries is taken; EAGAIN when all are used. */
START_TEST(test_vpid_wrap_and_eagain)
{
	struct eng_config cfg = { .vpid_max = 16 };
	struct eng *e;
	int32_t c, cmd;

	e = t_renew(&cfg);
	cmd = t_command(e);
	/* 3: leader of group 3, its member 4 keeps the id 3 in use. */
	ck_assert_int_eq(t_fork(e, cmd), 3);
	t_setpgid(e, cmd, 3, 3);
	ck_assert_int_eq(t_fork(e, 3), 4);
	t_exit(e, 3);
	ck_assert_int_eq(eng_reap(e, cmd, 3, &FX), 0);
	ck_assert_int_eq(t_pgid(e, 4), 3);
	ck_assert_int_eq(t_fork(e, cmd), 5);
	t_exit(e, 5);
	ck_assert_int_eq(eng_reap(e, cmd, 5, &FX), 0); /* 5 is free again... */
	for (int32_t want = 6; want <= 16; want++)
		ck_assert_int_eq(t_fork(e, cmd), want);     /* ...but not reused before the wrap */
	/* Wrap: 2 (process+session), 3 (group), 4 (process) are in use. */
	ck_assert_int_eq(t_fork(e, cmd), 5);
	c = 0;
	ck_assert_int_eq(eng_fork(e, cmd, &c, &FX), -EAGAIN);
	t_exit(e, 10);
	ck_assert_int_eq(eng_fork(e, cmd, &c, &FX), -EAGAIN); /* a zombie still holds 10 */
	ck_assert_int_eq(eng_reap(e, cmd, 10, &FX), 0);
	ck_assert_int_eq(t_fork(e, cmd), 10);
	/* The ordered iteration stays sorted after the wrap. */
	for (int32_t v = eng_next(e, 1), prev = 0; v > 0; prev = v, v = eng_next(e, v + 1))
		ck_assert_int_gt(v, prev);
}
END_TEST

/* Past a vpid_max above 300 the numbering wraps to 300, as Linux's pids
 * wrap at pid_max to RESERVED_PIDS; runs for the shared counter
 * (eng_reserve_run) start where eng_fork would and stop before an id in
 * use, and eng_fork never hands their ids out. */
START_TEST(test_vpid_wrap_reserved_and_runs)
{
	struct eng_config cfg = { .vpid_max = 400 };
	struct eng *e;
	int32_t cmd, first = 0, count = 0, c = 0;

	e = t_renew(&cfg);
	cmd = t_command(e);
	ck_assert_int_eq(eng_reserve_run(e, 0, &first, &count), -EINVAL);
	/* The first run: from 3 to vpid_max, all free. */
	ck_assert_int_eq(eng_reserve_run(e, INT32_MAX, &first, &count), 0);
	ck_assert_int_eq(first, 3);
	ck_assert_int_eq(count, 398);
	/* The counter hands out 3..400; 310 stays alive, the others end. */
	for (int32_t v = 3; v <= 400; v++) {
		ck_assert_int_eq(eng_fork_at(e, cmd, v, &FX), 0);
		if (v != 310) {
			t_exit(e, v);
			ck_assert_int_eq(eng_reap(e, cmd, v, &FX), 0);
		}
	}
	/* Wrapped: from 300 (not 3), up to the live 310. */
	ck_assert_int_eq(eng_reserve_run(e, INT32_MAX, &first, &count), 0);
	ck_assert_int_eq(first, 300);
	ck_assert_int_eq(count, 10);
	/* A short run, then eng_fork goes on past both. */
	ck_assert_int_eq(eng_reserve_run(e, 5, &first, &count), 0);
	ck_assert_int_eq(first, 311);
	ck_assert_int_eq(count, 5);
	ck_assert_int_eq(eng_fork(e, cmd, &c, &FX), 0);
	ck_assert_int_eq(c, 316);
	/* ns_last_pid just below vpid_max: 400, then the wrap to 300 again
	 * (300..309 were a run the counter never handed out). */
	ck_assert_int_eq(eng_set_last_pid(e, 399), 0);
	ck_assert_int_eq(eng_fork(e, cmd, &c, &FX), 0);
	ck_assert_int_eq(c, 400);
	ck_assert_int_eq(eng_fork(e, cmd, &c, &FX), 0);
	ck_assert_int_eq(c, 300);
}
END_TEST

/* ns_last_pid: a written id moves the cursor (back too); the next fork
 * takes the lowest free id above it, skipping ids in use, wrapping at
 * vpid_max; the read shows the last id handed out. */
START_TEST(test_set_last_pid)
{
	struct eng_config cfg = { .vpid_max = 16 };
	struct eng *e;
	int32_t cmd;

	e = t_renew(&cfg);
	cmd = t_command(e);
	ck_assert_int_eq(eng_last_pid(e), 2);
	ck_assert_int_eq(t_fork(e, cmd), 3);
	ck_assert_int_eq(t_fork(e, cmd), 4);
	ck_assert_int_eq(t_fork(e, cmd), 5);
	ck_assert_int_eq(eng_last_pid(e), 5);
	t_exit(e, 4);
	ck_assert_int_eq(eng_reap(e, cmd, 4, &FX), 0);
	ck_assert_int_eq(eng_set_last_pid(e, -1), -EINVAL);
	ck_assert_int_eq(eng_set_last_pid(e, 17), -EINVAL);
	ck_assert_int_eq(eng_last_pid(e), 5);
	/* LTP's pidfd_send_signal03: the dead child's id again. */
	ck_assert_int_eq(eng_set_last_pid(e, 3), 0);
	ck_assert_int_eq(eng_last_pid(e), 3);
	ck_assert_int_eq(t_fork(e, cmd), 4);
	ck_assert_int_eq(t_fork(e, cmd), 6); /* 5 is in use */
	/* 0 and 1: from 2 up, every id in use skipped. */
	ck_assert_int_eq(eng_set_last_pid(e, 0), 0);
	ck_assert_int_eq(t_fork(e, cmd), 7);
	/* vpid_max itself: the next wraps to the lowest free id. */
	ck_assert_int_eq(eng_set_last_pid(e, 16), 0);
	ck_assert_int_eq(t_fork(e, cmd), 8);
	ck_assert_int_eq(eng_last_pid(e), 8);
	for (int32_t v = eng_next(e, 1), prev = 0; v > 0; prev = v, v = eng_next(e, v + 1))
		ck_assert_int_gt(v, prev);
}
END_TEST

/* The host-id oracle: ids a live thread holds are skipped, before a wrap
 * and after it, as Linux never hands a thread's id out as a pid. */
static bool busy_3_4_9(void *ctx, int32_t id)
{
	(*(int *)ctx)++;
	return id == 3 || id == 4 || id == 9;
}

START_TEST(test_id_busy)
{
	int asked = 0;
	struct eng_config cfg = { .vpid_max = 16, .id_busy = busy_3_4_9, .ctx = &asked };
	struct eng *e;
	int32_t cmd;

	e = t_renew(&cfg);
	cmd = t_command(e);
	ck_assert_int_eq(t_fork(e, cmd), 5);
	ck_assert_int_gt(asked, 0);
	ck_assert_int_eq(eng_last_pid(e), 5);
	ck_assert_int_eq(t_fork(e, cmd), 6);
	ck_assert_int_eq(t_fork(e, cmd), 7);
	ck_assert_int_eq(t_fork(e, cmd), 8);
	for (int32_t v = 10; v <= 16; v++)
		ck_assert_int_eq(t_fork(e, cmd), v);
	/* After the wrap: 2 is the command's, 3, 4 and 9 busy, the rest ours. */
	t_exit(e, 6);
	ck_assert_int_eq(eng_reap(e, cmd, 6, &FX), 0);
	ck_assert_int_eq(t_fork(e, cmd), 6);
	ck_assert_int_eq(eng_fork(e, cmd, &(int32_t){0}, &FX), -EAGAIN);
}
END_TEST

/* eng_fork_at: a caller-chosen vpid.  World: command 2 (session 2), child 3
 * (leader of group 3), child 4 in group 3, zombie 5; vpid_max 64. */
struct fork_at_row {
	const char *name;
	int32_t parent, vpid;
	int expect;
};

static const struct fork_at_row fork_at_rows[] = {
	{ "vpid 0", 2, 0, -EINVAL },
	{ "vpid 1 (init)", 2, 1, -EINVAL },
	{ "negative", 2, -7, -EINVAL },
	{ "above vpid_max", 2, 65, -EINVAL },
	{ "invalid id before unknown parent", 999, 65, -EINVAL },
	{ "in use by a process", 2, 4, -EEXIST },
	{ "in use by a session", 2, 2, -EEXIST },
	{ "in use by a zombie", 2, 5, -EEXIST },
	{ "in use before unknown parent", 999, 4, -EEXIST },
	{ "unknown parent", 999, 20, -ESRCH },
	{ "zombie parent", 5, 20, -ESRCH },
	{ "free id", 2, 20, 0 },
	{ "free id below the cursor", 2, 6, 0 },
	{ "vpid_max itself", 4, 64, 0 },
};

static void fork_at_world(struct eng **out)
{
	struct eng_config cfg = { .vpid_max = 64 };
	struct eng *e;

	ck_assert_int_eq(eng_new(&e, &cfg), 0);
	t_command(e);
	ck_assert_int_eq(t_fork(e, 2), 3);
	t_setpgid(e, 2, 3, 3);
	ck_assert_int_eq(t_fork(e, 3), 4);
	ck_assert_int_eq(t_fork(e, 2), 5);
	t_exit(e, 5);
	*out = e;
}

START_TEST(test_fork_at_rows)
{
	for (size_t i = 0; i < NROWS(fork_at_rows); i++) {
		const struct fork_at_row *r = &fork_at_rows[i];
		struct eng_pinfo pi, ppi;
		struct eng *e;
		size_t n;
		int rc;

		fork_at_world(&e);
		n = FX.n;
		rc = eng_fork_at(e, r->parent, r->vpid, &FX);
		ck_assert_msg(rc == r->expect, "row '%s': fork_at = %d, want %d", r->name, rc,
			      r->expect);
		if (rc == 0) {
			ck_assert_int_eq(eng_info(e, r->vpid, &pi), 0);
			ck_assert_int_eq(eng_info(e, r->parent, &ppi), 0);
			ck_assert_msg(pi.ppid == r->parent && pi.pgid == ppi.pgid && pi.sid == ppi.sid &&
				      pi.rpid == 0, "row '%s': wrong inheritance", r->name);
			ck_assert_msg(FX.n == n + 1 && FX.v[n].ev == ENG_EV_FORK &&
				      FX.v[n].vpid == r->vpid && FX.v[n].a == r->parent,
				      "row '%s': no FORK event", r->name);
		} else {
			ck_assert_msg(FX.n == n, "row '%s': effects on error", r->name);
		}
		t_assert_consistent(e);
		t_world_free(e);
	}
}
END_TEST

/* The engine's own allocation never hands out an id given to eng_fork_at,
 * and continues after it (numbering stays in creation order). */
START_TEST(test_fork_at_moves_cursor)
{
	struct eng_config cfg = { .vpid_max = 16 };
	struct eng *e;
	int32_t cmd, c = 0;

	e = t_renew(&cfg);
	cmd = t_command(e);
	ck_assert_int_eq(eng_fork_at(e, cmd, 3, &FX), 0);
	ck_assert_int_eq(eng_fork_at(e, 3, 4, &FX), 0);
	ck_assert_int_eq(t_fork(e, cmd), 5);
	ck_assert_int_eq(eng_fork_at(e, cmd, 9, &FX), 0);
	ck_assert_int_eq(t_fork(e, 4), 10);
	ck_assert_int_eq(eng_fork_at(e, cmd, 7, &FX), 0); /* below the cursor, free */
	ck_assert_int_eq(t_fork(e, cmd), 11);
	ck_assert_int_eq(eng_fork_at(e, cmd, 16, &FX), 0);
	/* Past vpid_max: wrap to the lowest free id (6, 8 were never used). */
	ck_assert_int_eq(t_fork(e, cmd), 6);
	ck_assert_int_eq(t_fork(e, cmd), 8);
	ck_assert_int_eq(t_fork(e, cmd), 12);
	ck_assert_int_eq(eng_fork_at(e, cmd, 12, &FX), -EEXIST);
	for (int32_t want = 13; want <= 15; want++)
		ck_assert_int_eq(t_fork(e, cmd), want);
	ck_assert_int_eq(eng_fork(e, cmd, &c, &FX), -EAGAIN);
	for (int32_t v = eng_next(e, 1), prev = 0; v > 0; prev = v, v = eng_next(e, v + 1))
		ck_assert_int_gt(v, prev);
}
END_TEST

struct abort_row {
	const char *name;
	void (*prep)(struct eng *e, int32_t child);
	int32_t child; /* 0 = the fresh child */
	int expect;
};

static void prep_none(struct eng *e, int32_t c) { (void)e; (void)c; }
static void prep_bind(struct eng *e, int32_t c) { ck_assert_int_eq(eng_bind(e, c, 4242), 0); }
static void prep_exec(struct eng *e, int32_t c) { ck_assert_int_eq(eng_exec(e, c, &FX), 0); }
static void prep_child(struct eng *e, int32_t c) { t_fork(e, c); }
static void prep_zombie(struct eng *e, int32_t c) { t_exit(e, c); }
static void prep_leader_of_others(struct eng *e, int32_t c)
{
	t_setpgid(e, 2, c, c);
	t_setpgid(e, 2, t_fork(e, 2), c);
}
static void prep_own_session(struct eng *e, int32_t c) { t_setsid(e, c); }

static const struct abort_row abort_rows[] = {
	{ "unknown", prep_none, 999, -ESRCH },
	{ "init", prep_none, 1, -EBUSY },
	{ "fresh child", prep_none, 0, 0 },
	{ "bound", prep_bind, 0, -EBUSY },
	{ "exec'd", prep_exec, 0, -EBUSY },
	{ "has a child", prep_child, 0, -EBUSY },
	{ "zombie", prep_zombie, 0, -EBUSY },
	{ "group leader of others", prep_leader_of_others, 0, -EBUSY },
	{ "alone in its own session", prep_own_session, 0, 0 },
};

START_TEST(test_fork_abort_rows)
{
	for (size_t i = 0; i < NROWS(abort_rows); i++) {
		const struct abort_row *r = &abort_rows[i];
		struct eng *e;
		int32_t c, target;
		size_t n;
		int rc;

		ck_assert_int_eq(eng_new(&e, NULL), 0);
		t_command(e);
		c = t_fork(e, 2);
		r->prep(e, c);
		target = r->child ? r->child : c;
		n = FX.n;
		rc = eng_fork_abort(e, target);
		ck_assert_msg(rc == r->expect, "row '%s': abort = %d, want %d", r->name, rc, r->expect);
		ck_assert_msg(FX.n == n, "row '%s': abort produced effects", r->name);
		if (rc == 0) {
			ck_assert_msg(eng_getpgid(e, 1, target) == -ESRCH, "row '%s': still there", r->name);
			ck_assert_msg(t_fork(e, 2) == c + 1, "row '%s': aborted id reused", r->name);
		}
		t_world_free(e);
	}
}
END_TEST

struct bind_row {
	const char *name;
	int32_t vpid;
	int64_t rpid;
	int expect;
};

/* Before each row: 3 bound to 1003, 4 unbound, 5 a zombie bound to 1005. */
static const struct bind_row bind_rows[] = {
	{ "rpid zero", 4, 0, -EINVAL },
	{ "rpid negative", 4, -7, -EINVAL },
	{ "rpid invalid before unknown vpid", 999, 0, -EINVAL },
	{ "unknown vpid", 999, 2000, -ESRCH },
	{ "zombie vpid", 5, 2000, -ESRCH },
	{ "rpid of another live vpid", 4, 1003, -EEXIST },
	{ "vpid already bound elsewhere", 3, 2000, -EEXIST },
	{ "same pair again", 3, 1003, 0 },
	{ "fresh pair", 4, 2000, 0 },
	{ "rpid of a zombie is taken over", 4, 1005, 0 },
	{ "init", 1, 77, 0 },
};

START_TEST(test_bind_rows)
{
	for (size_t i = 0; i < NROWS(bind_rows); i++) {
		const struct bind_row *r = &bind_rows[i];
		struct eng *e;
		int rc;

		ck_assert_int_eq(eng_new(&e, NULL), 0);
		t_command(e);
		t_fork(e, 2);
		t_fork(e, 2);
		t_fork(e, 2);
		ck_assert_int_eq(eng_bind(e, 3, 1003), 0);
		ck_assert_int_eq(eng_bind(e, 5, 1005), 0);
		t_exit(e, 5);
		rc = eng_bind(e, r->vpid, r->rpid);
		ck_assert_msg(rc == r->expect, "row '%s': bind = %d, want %d", r->name, rc, r->expect);
		if (rc == 0) {
			ck_assert_msg(eng_vpid_to_rpid(e, r->vpid) == r->rpid, "row '%s': vpid_to_rpid", r->name);
			ck_assert_msg(eng_rpid_to_vpid(e, r->rpid) == r->vpid, "row '%s': rpid_to_vpid", r->name);
		}
		if (r->rpid == 1005 && rc == 0)
			ck_assert_msg(eng_vpid_to_rpid(e, 5) == 0, "row '%s': zombie keeps a stale rpid", r->name);
		t_world_free(e);
	}
}
END_TEST

START_TEST(test_rpid_lookups)
{
	t_command(E);
	ck_assert_int_eq(eng_vpid_to_rpid(E, 2), 0);
	ck_assert_int_eq(eng_vpid_to_rpid(E, 999), -ESRCH);
	ck_assert_int_eq(eng_rpid_to_vpid(E, 1234), -ESRCH);
	ck_assert_int_eq(eng_rpid_to_vpid(E, 0), -ESRCH);
	ck_assert_int_eq(eng_rpid_to_vpid(E, -1), -ESRCH);
	ck_assert_int_eq(eng_bind(E, 2, 1234), 0);
	ck_assert_int_eq(eng_rpid_to_vpid(E, 1234), 2);
	t_exit(E, 2);
	ck_assert_int_eq(eng_reap(E, 1, 2, &FX), 0);
	ck_assert_int_eq(eng_rpid_to_vpid(E, 1234), -ESRCH);
	ck_assert_int_eq(eng_vpid_to_rpid(E, 2), -ESRCH);
}
END_TEST

START_TEST(test_exec)
{
	struct eng_pinfo pi;

	t_command(E);
	eng_fx_clear(&FX);
	ck_assert_int_eq(eng_exec(E, 999, &FX), -ESRCH);
	ck_assert_int_eq(eng_exec(E, 2, &FX), 0);
	ck_assert_int_eq(eng_info(E, 2, &pi), 0);
	ck_assert(pi.execed);
	ck_assert_uint_eq(FX.n, 1);
	ck_assert_int_eq(FX.v[0].ev, ENG_EV_EXEC);
	ck_assert_int_eq(FX.v[0].vpid, 2);
	/* A zombie accepts the mark: it may be learnt after the exit. */
	t_exit(E, 2);
	ck_assert_int_eq(eng_exec(E, 2, &FX), 0);
}
END_TEST

struct exit_row {
	const char *name;
	int32_t vpid;
	int expect;
};

static const struct exit_row exit_rows[] = {
	{ "unknown", 999, -ESRCH },
	{ "init", 1, -EPERM },
	{ "zombie", 8, -EALREADY },
	{ "live", 3, 0 },
};

START_TEST(test_exit_rows)
{
	for (size_t i = 0; i < NROWS(exit_rows); i++) {
		const struct exit_row *r = &exit_rows[i];
		struct eng *e = t_world_new();
		int rc = eng_exit(e, r->vpid, 0x100, &FX);

		ck_assert_msg(rc == r->expect, "row '%s': exit = %d, want %d", r->name, rc, r->expect);
		ck_assert_msg((FX.n > 0) == (rc == 0), "row '%s': effects", r->name);
		t_world_free(e);
	}
}
END_TEST

/* Every child, zombies included, goes to init; events in list order. */
START_TEST(test_exit_reparents_all_children)
{
	struct eng_pinfo pi;
	long at;

	t_command(E);
	t_fork(E, 2);       /* 3 */
	t_fork(E, 3);       /* 4 */
	t_fork(E, 3);       /* 5 */
	t_exit(E, 5);       /* zombie child of 3 */
	t_fork(E, 3);       /* 6 */
	eng_fx_clear(&FX);
	ck_assert_int_eq(eng_exit(E, 3, 9, &FX), 0);
	ck_assert_int_eq(FX.v[0].ev, ENG_EV_EXIT);
	ck_assert_int_eq(FX.v[0].vpid, 3);
	ck_assert_int_eq(FX.v[0].a, 9);
	at = 0;
	for (int32_t c = 4; c <= 6; c++) {
		at = t_find_ev(&FX, ENG_EV_REPARENT, (size_t)at + 1);
		ck_assert_int_ge(at, 1);
		ck_assert_int_eq(FX.v[at].vpid, c);
		ck_assert_int_eq(FX.v[at].a, 3);
		ck_assert_int_eq(FX.v[at].b, 1);
		ck_assert_int_eq(eng_getppid(E, c), 1);
	}
	ck_assert_int_eq(eng_info(E, 3, &pi), 0);
	ck_assert_int_eq(pi.state, ENG_P_ZOMBIE);
	ck_assert_int_eq(pi.ppid, 2);
	ck_assert_int_eq(eng_exit(E, 3, 0, &FX), -EALREADY);
	/* The caller, as init, reaps the zombie child for real. */
	ck_assert_int_eq(eng_reap(E, 1, 5, &FX), 0);
	ck_assert_int_eq(eng_reap(E, 2, 3, &FX), 0);
}
END_TEST

/* ---- subreapers (PR_SET_CHILD_SUBREAPER) ---------------------------------- */

struct subreaper_row {
	const char *name;
	int32_t vpid;
	bool on;
	int expect;
};

/* World: 1 init; 2 command; 3 child of 2; 4 zombie child of 2. */
static const struct subreaper_row subreaper_rows[] = {
	{ "unknown", 999, true, -ESRCH },
	{ "zombie", 4, true, -ESRCH },
	{ "init", 1, true, -EINVAL },
	{ "init, clearing", 1, false, -EINVAL },
	{ "live process", 3, true, 0 },
	{ "clearing an unset flag", 3, false, 0 },
	{ "the command", 2, true, 0 },
};

START_TEST(test_subreaper_rows)
{
	for (size_t i = 0; i < sizeof(subreaper_rows) / sizeof(subreaper_rows[0]); i++) {
		const struct subreaper_row *r = &subreaper_rows[i];
		struct eng *e;
		struct eng_pinfo pi;
		int rc;

		ck_assert_int_eq(eng_new(&e, NULL), 0);
		t_command(e);
		t_fork(e, 2);
		t_fork(e, 2);
		t_exit(e, 4);
		rc = eng_set_subreaper(e, r->vpid, r->on);
		ck_assert_msg(rc == r->expect, "row '%s': %d, want %d", r->name, rc, r->expect);
		if (rc == 0) {
			ck_assert_int_eq(eng_info(e, r->vpid, &pi), 0);
			ck_assert_msg(pi.subreaper == r->on, "row '%s': flag", r->name);
			/* Setting it again changes nothing. */
			ck_assert_int_eq(eng_set_subreaper(e, r->vpid, r->on), 0);
		}
		t_world_free(e);
	}
}
END_TEST

/* Kept across exec; not inherited by a fork child; can be cleared. */
START_TEST(test_subreaper_flag_lifetime)
{
	struct eng_pinfo pi;

	t_command(E);
	t_fork(E, 2);   /* 3 */
	ck_assert_int_eq(eng_set_subreaper(E, 3, true), 0);
	ck_assert_int_eq(eng_exec(E, 3, &FX), 0);
	ck_assert_int_eq(eng_info(E, 3, &pi), 0);
	ck_assert(pi.subreaper);
	t_fork(E, 3);   /* 4 */
	ck_assert_int_eq(eng_info(E, 4, &pi), 0);
	ck_assert(!pi.subreaper);
	ck_assert_int_eq(eng_set_subreaper(E, 3, false), 0);
	ck_assert_int_eq(eng_info(E, 3, &pi), 0);
	ck_assert(!pi.subreaper);
	t_fork(E, 4);   /* 5 */
	t_exit(E, 4);
	ck_assert_int_eq(eng_getppid(E, 5), 1);
}
END_TEST

/*
 * 2 -> 3 (subreaper) -> 4 (subreaper) -> 5 -> 6, 7 (zombie).  5 exits:
 * its children go to the nearest subreaper, 4 (the zombie too: 4 reaps
 * it).  4 exits: 6 goes to 3.  3 exits: 6 goes to init.
 */
START_TEST(test_exit_reparents_to_nearest_subreaper)
{
	long at;

	t_command(E);
	t_fork(E, 2);   /* 3 */
	t_fork(E, 3);   /* 4 */
	t_fork(E, 4);   /* 5 */
	t_fork(E, 5);   /* 6 */
	t_fork(E, 5);   /* 7 */
	t_exit(E, 7);
	ck_assert_int_eq(eng_set_subreaper(E, 3, true), 0);
	ck_assert_int_eq(eng_set_subreaper(E, 4, true), 0);
	eng_fx_clear(&FX);
	t_exit(E, 5);
	ck_assert_int_eq(eng_getppid(E, 6), 4);
	ck_assert_int_eq(eng_getppid(E, 7), 4);
	at = t_find_ev(&FX, ENG_EV_REPARENT, 0);
	ck_assert_int_ge(at, 0);
	ck_assert_int_eq(FX.v[at].vpid, 6);
	ck_assert_int_eq(FX.v[at].a, 5);
	ck_assert_int_eq(FX.v[at].b, 4);
	ck_assert_int_eq(eng_reap(E, 1, 7, &FX), -ECHILD);
	ck_assert_int_eq(eng_reap(E, 4, 7, &FX), 0);
	ck_assert_int_eq(eng_reap(E, 4, 5, &FX), 0);
	t_exit(E, 4);
	ck_assert_int_eq(eng_getppid(E, 6), 3);
	t_exit(E, 3);
	ck_assert_int_eq(eng_getppid(E, 6), 1);
}
END_TEST

/* The exiting process's own flag does not count (the walk starts at its
 * parent), and an ancestor that cleared its flag is skipped. */
START_TEST(test_subreaper_own_flag_and_cleared)
{
	t_command(E);
	t_fork(E, 2);   /* 3 */
	t_fork(E, 3);   /* 4 */
	t_fork(E, 4);   /* 5 */
	t_fork(E, 4);   /* 6 */
	t_fork(E, 6);   /* 7 */
	ck_assert_int_eq(eng_set_subreaper(E, 4, true), 0);
	t_exit(E, 4);   /* its own flag: 5 and 6 go to init, not to 4 */
	ck_assert_int_eq(eng_getppid(E, 5), 1);
	ck_assert_int_eq(eng_getppid(E, 6), 1);
	ck_assert_int_eq(eng_set_subreaper(E, 2, true), 0);
	ck_assert_int_eq(eng_set_subreaper(E, 2, false), 0);
	t_fork(E, 2);   /* 8 */
	t_fork(E, 8);   /* 9 */
	t_fork(E, 9);   /* 10 */
	t_exit(E, 9);
	ck_assert_int_eq(eng_getppid(E, 10), 1);
}
END_TEST

struct reap_row {
	const char *name;
	int32_t parent, child;
	int expect;
};

static const struct reap_row reap_rows[] = {
	{ "unknown child", 2, 999, -ECHILD },
	{ "live child", 2, 3, -ECHILD },
	{ "zombie of someone else", 3, 8, -ECHILD },
	{ "unknown parent", 999, 8, -ECHILD },
	{ "init is not the parent", 1, 8, -ECHILD },
	{ "zombie child", 2, 8, 0 },
};

START_TEST(test_reap_rows)
{
	for (size_t i = 0; i < NROWS(reap_rows); i++) {
		const struct reap_row *r = &reap_rows[i];
		struct eng *e = t_world_new();
		int rc = eng_reap(e, r->parent, r->child, &FX);

		ck_assert_msg(rc == r->expect, "row '%s': reap = %d, want %d", r->name, rc, r->expect);
		if (rc == 0) {
			ck_assert_msg(eng_getpgid(e, 1, r->child) == -ESRCH, "row '%s': still known", r->name);
			ck_assert_msg(FX.n == 1 && FX.v[0].ev == ENG_EV_REAP && FX.v[0].vpid == r->child &&
				      FX.v[0].a == r->parent, "row '%s': REAP event", r->name);
		}
		t_world_free(e);
	}
}
END_TEST

/* A group and a session vanish with their last member, not before. */
START_TEST(test_reap_frees_group_and_session)
{
	struct eng_stats st;

	t_command(E);
	t_fork(E, 2);           /* 3 */
	t_setsid(E, 3);
	t_fork(E, 3);           /* 4, session 3 */
	t_exit(E, 3);
	ck_assert_int_eq(eng_reap(E, 2, 3, &FX), 0);
	ck_assert_int_eq(eng_getsid(E, 4, 0), 3); /* the session outlives its leader */
	ck_assert_int_eq(t_pgid(E, 4), 3);
	eng_stats(E, &st);
	ck_assert_uint_eq(st.nsess, 3);
	t_exit(E, 4);
	ck_assert_int_eq(eng_reap(E, 1, 4, &FX), 0);
	eng_stats(E, &st);
	ck_assert_uint_eq(st.nsess, 2);
	ck_assert_uint_eq(st.ngrp, 2);
	ck_assert_uint_eq(st.nproc, 2);
}
END_TEST

START_TEST(test_set_stopped)
{
	struct eng_pinfo pi;

	t_command(E);
	eng_fx_clear(&FX);
	ck_assert_int_eq(eng_set_stopped(E, 999, true, &FX), -ESRCH);
	ck_assert_int_eq(eng_set_stopped(E, 2, true, &FX), 0);
	ck_assert_int_eq(eng_set_stopped(E, 2, true, &FX), 0); /* no change, no event */
	ck_assert_int_eq(eng_info(E, 2, &pi), 0);
	ck_assert_int_eq(pi.state, ENG_P_STOPPED);
	ck_assert_int_eq(eng_set_stopped(E, 2, false, &FX), 0);
	ck_assert_uint_eq(FX.n, 2);
	ck_assert_int_eq(FX.v[0].ev, ENG_EV_STOP);
	ck_assert_int_eq(FX.v[1].ev, ENG_EV_CONT);
	t_stop(E, 2);
	t_exit(E, 2);
	ck_assert_int_eq(eng_info(E, 2, &pi), 0);
	ck_assert_int_eq(pi.state, ENG_P_ZOMBIE);
	eng_fx_clear(&FX);
	ck_assert_int_eq(eng_set_stopped(E, 2, true, &FX), 0); /* a zombie is never stopped */
	ck_assert_uint_eq(FX.n, 0);
}
END_TEST

struct ppid_row {
	const char *name;
	int32_t caller;
	int expect;
};

static const struct ppid_row ppid_rows[] = {
	{ "init", 1, 0 },
	{ "command", 2, 1 },
	{ "grandchild", 6, 3 },
	{ "zombie", 8, 2 },
	{ "other session", 9, 5 },
	{ "unknown", 999, -ESRCH },
};

START_TEST(test_getppid_rows)
{
	t_world(E);
	for (size_t i = 0; i < NROWS(ppid_rows); i++) {
		const struct ppid_row *r = &ppid_rows[i];
		int rc = eng_getppid(E, r->caller);

		ck_assert_msg(rc == r->expect, "row '%s': getppid = %d, want %d", r->name, rc, r->expect);
	}
	t_exit(E, 3);
	ck_assert_msg(eng_getppid(E, 6) == 1, "reparented: getppid is 1");
}
END_TEST

START_TEST(test_info_and_next)
{
	struct eng_pinfo pi;
	int32_t want[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
	size_t n = 0;

	t_world(E);
	ck_assert_int_eq(eng_info(E, 999, &pi), -ESRCH);
	for (int32_t v = eng_next(E, 1); v > 0; v = eng_next(E, v + 1)) {
		ck_assert_uint_lt(n, NROWS(want));
		ck_assert_int_eq(v, want[n++]);
	}
	ck_assert_uint_eq(n, NROWS(want));
	ck_assert_int_eq(eng_reap(E, 2, 8, &FX), 0);
	ck_assert_int_eq(eng_next(E, 8), 9);  /* from a vanished id */
	ck_assert_int_eq(eng_next(E, 9), 9);
	ck_assert_int_eq(eng_next(E, 13), -ESRCH);
	ck_assert_int_eq(eng_next(E, INT32_MIN), 1);
	ck_assert_int_eq(eng_info(E, 5, &pi), 0);
	ck_assert_int_eq(pi.ppid, 2);
	ck_assert_int_eq(pi.pgid, 5);
	ck_assert_int_eq(pi.sid, 5);
	ck_assert(pi.execed);
}
END_TEST

START_TEST(test_stats_bytes_per_process)
{
	struct eng_stats st0, st;
	int32_t cmd = t_command(E);
	const size_t n = 20000;

	eng_stats(E, &st0);
	for (size_t i = 0; i < n; i++) {
		int32_t c = t_fork(E, cmd);

		ck_assert_int_eq(eng_bind(E, c, (int64_t)100000 + c), 0);
		if (i % 4 == 0)
			t_setpgid(E, cmd, c, c); /* a quarter lead their own group */
		eng_fx_clear(&FX);
	}
	eng_stats(E, &st);
	ck_assert_uint_eq(st.nproc, n + 2);
	ck_assert_msg((st.bytes - st0.bytes) / n <= 512, "%zu bytes per process",
		      (st.bytes - st0.bytes) / n);
}
END_TEST

START_TEST(test_check_reports_corruption_free_engine)
{
	char why[128] = "x";

	t_world(E);
	ck_assert_int_eq(eng_check(E, why, sizeof(why)), 0);
	ck_assert_str_eq(why, "");
	ck_assert_int_eq(eng_check(E, NULL, 0), 0);
}
END_TEST

static Suite *proc_suite(void)
{
	Suite *s = suite_create("proc");
	TCase *tc;

	tc = tcase_create("lifecycle");
	tcase_add_checked_fixture(tc, t_setup, t_teardown);
	tcase_add_test(tc, test_new_holds_only_init);
	tcase_add_test(tc, test_new_config_rows);
	tcase_add_test(tc, test_exit_rows);
	tcase_add_test(tc, test_exit_reparents_all_children);
	tcase_add_test(tc, test_reap_rows);
	tcase_add_test(tc, test_reap_frees_group_and_session);
	tcase_add_test(tc, test_set_stopped);
	suite_add_tcase(s, tc);

	tc = tcase_create("fork");
	tcase_add_checked_fixture(tc, t_setup, t_teardown);
	tcase_add_test(tc, test_fork_numbers_and_inherits);
	tcase_add_test(tc, test_fork_errors);
	tcase_add_test(tc, test_vpid_wrap_and_eagain);
	tcase_add_test(tc, test_vpid_wrap_reserved_and_runs);
	tcase_add_test(tc, test_set_last_pid);
	tcase_add_test(tc, test_id_busy);
	tcase_add_test(tc, test_fork_at_rows);
	tcase_add_test(tc, test_fork_at_moves_cursor);
	tcase_add_test(tc, test_fork_abort_rows);
	suite_add_tcase(s, tc);

	tc = tcase_create("subreaper");
	tcase_add_checked_fixture(tc, t_setup, t_teardown);
	tcase_add_test(tc, test_subreaper_rows);
	tcase_add_test(tc, test_subreaper_flag_lifetime);
	tcase_add_test(tc, test_exit_reparents_to_nearest_subreaper);
	tcase_add_test(tc, test_subreaper_own_flag_and_cleared);
	suite_add_tcase(s, tc);

	tc = tcase_create("binding");
	tcase_add_checked_fixture(tc, t_setup, t_teardown);
	tcase_add_test(tc, test_bind_rows);
	tcase_add_test(tc, test_rpid_lookups);
	tcase_add_test(tc, test_exec);
	suite_add_tcase(s, tc);

	tc = tcase_create("inspection");
	tcase_add_checked_fixture(tc, t_setup, t_teardown);
	tcase_add_test(tc, test_getppid_rows);
	tcase_add_test(tc, test_info_and_next);
	tcase_add_test(tc, test_stats_bytes_per_process);
	tcase_add_test(tc, test_check_reports_corruption_free_engine);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	Suite *suites[] = { proc_suite(), NULL };

	return t_run(suites);
}
