/* test_eng_pgrp.c — check suite for process groups: setpgid rules and the exit-time orphaned-group rules. */
#include "test_eng_util.h"

#define NROWS(a) (sizeof(a) / sizeof((a)[0]))

/* ---- setpgid: every rule of SEMANTICS.md as a row (world: test_eng_util.h) */

struct setpgid_row {
	const char *name;
	int32_t caller, pid, pgid;
	int expect;
	int32_t target, pgid_after; /* checked on success */
};

static const struct setpgid_row setpgid_rows[] = {
	{ "pgid < 0", 2, 3, -1, -EINVAL, 0, 0 },
	{ "pgid < 0 before an unknown pid", 2, 999, -1, -EINVAL, 0, 0 },
	{ "pgid < 0 before an unknown caller", 999, 0, -5, -EINVAL, 0, 0 },
	{ "pid -1, pgid 0 -> pgid -1 after substitution", 2, -1, 0, -EINVAL, 0, 0 },
	{ "negative pid, positive pgid", 2, -3, 3, -ESRCH, 0, 0 },
	{ "unknown caller", 999, 0, 0, -ESRCH, 0, 0 },
	{ "zombie caller", 8, 0, 0, -ESRCH, 0, 0 },
	{ "unknown pid", 2, 999, 0, -ESRCH, 0, 0 },
	{ "sibling is not a child", 3, 4, 0, -ESRCH, 0, 0 },
	{ "grandchild is not a child", 2, 6, 2, -ESRCH, 0, 0 },
	{ "parent is not a child", 3, 2, 2, -ESRCH, 0, 0 },
	{ "init is not a child", 2, 1, 1, -ESRCH, 0, 0 },
	{ "child in another session", 2, 5, 0, -EPERM, 0, 0 },
	{ "other session checked before exec (5 exec'd)", 2, 5, 5, -EPERM, 0, 0 },
	{ "exec'd child", 2, 4, 0, -EACCES, 0, 0 },
	{ "exec'd child, joining a group", 2, 4, 7, -EACCES, 0, 0 },
	{ "session leader, itself by 0", 2, 0, 0, -EPERM, 0, 0 },
	{ "session leader, itself by id", 2, 2, 7, -EPERM, 0, 0 },
	{ "session leader of another session, itself", 5, 5, 5, -EPERM, 0, 0 },
	{ "init, itself", 1, 0, 0, -EPERM, 0, 0 },
	{ "no such group", 2, 3, 999, -EPERM, 0, 0 },
	{ "group only in another session", 2, 3, 5, -EPERM, 0, 0 },
	{ "group of another session, child of 5 joining 2", 5, 9, 2, -EPERM, 0, 0 },
	{ "pgid names a process that leads no group", 2, 3, 6, -EPERM, 0, 0 },
	{ "already in that group", 2, 3, 2, 0, 3, 2 },
	{ "zombie child, already in group", 2, 8, 2, 0, 8, 2 },
	{ "zombie child to its own new group", 2, 8, 0, 0, 8, 8 },
	{ "child to its own new group", 2, 3, 0, 0, 3, 3 },
	{ "child by explicit pgid == pid", 2, 3, 3, 0, 3, 3 },
	{ "child joins a group", 2, 3, 7, 0, 3, 7 },
	{ "child joins a group whose leader moved away", 2, 3, 11, 0, 3, 11 },
	{ "self by 0 to own group", 3, 0, 0, 0, 3, 3 },
	{ "self joins a group", 3, 0, 7, 0, 3, 7 },
	{ "self back to the session's group", 7, 7, 2, 0, 7, 2 },
	{ "own child within a non-leader", 3, 6, 0, 0, 6, 6 },
	{ "group leader rejoins its own group", 11, 0, 0, 0, 11, 11 },
	{ "member of other session in its session's group", 9, 0, 5, 0, 9, 5 },
};

START_TEST(test_setpgid_rows)
{
	for (size_t i = 0; i < NROWS(setpgid_rows); i++) {
		const struct setpgid_row *r = &setpgid_rows[i];
		struct eng *e = t_world_new();
		int before = r->target ? t_pgid(e, r->target) : 0;
		int rc = eng_setpgid(e, r->caller, r->pid, r->pgid, &FX);

		ck_assert_msg(rc == r->expect, "row '%s': setpgid = %d, want %d", r->name, rc, r->expect);
		if (rc == 0) {
			ck_assert_msg(t_pgid(e, r->target) == r->pgid_after, "row '%s': pgid %d, want %d",
				      r->name, t_pgid(e, r->target), r->pgid_after);
			if (before == r->pgid_after) {
				ck_assert_msg(FX.n == 0, "row '%s': no-op produced effects", r->name);
			} else {
				ck_assert_msg(FX.n == 1 && FX.v[0].ev == ENG_EV_SETPGID && FX.v[0].vpid == r->target &&
					      FX.v[0].a == before && FX.v[0].b == r->pgid_after && FX.v[0].c == r->caller,
					      "row '%s': SETPGID event", r->name);
			}
		} else {
			ck_assert_msg(FX.n == 0, "row '%s': effects on failure", r->name);
		}
		t_world_free(e);
	}
}
END_TEST

/* The old group disappears with its last member; ids stay in use until then. */
START_TEST(test_setpgid_frees_empty_group)
{
	struct eng_stats st0, st;

	t_world(E);
	eng_stats(E, &st0);
	t_setpgid(E, 2, 11, 11);     /* 11 back to 11: group 7 keeps 7, 10 */
	t_setpgid(E, 11, 12, 7);     /* ...and 12 leaves group 11 (11 still there) */
	eng_stats(E, &st);
	ck_assert_uint_eq(st.ngrp, st0.ngrp);
	t_setpgid(E, 2, 11, 7);      /* group 11 is now empty */
	eng_stats(E, &st);
	ck_assert_uint_eq(st.ngrp, st0.ngrp - 1);
	ck_assert_int_eq(eng_setpgid(E, 2, 3, 11, &FX), -EPERM);
}
END_TEST

/* A child that exec'd and then exited keeps the mark: EACCES, not 0, as the
 * kernel answers for an exec'd zombie (found by the differential tool). */
START_TEST(test_setpgid_execed_zombie)
{
	t_world(E);
	ck_assert_int_eq(eng_exec(E, 8, &FX), 0);   /* 8: a zombie child of 2 */
	ck_assert_int_eq(eng_setpgid(E, 2, 8, 0, &FX), -EACCES);
	ck_assert_int_eq(eng_setpgid(E, 2, 8, 2, &FX), -EACCES);
	ck_assert_int_eq(eng_setpgid(E, 2, 8, 999, &FX), -EACCES);
}
END_TEST

/* ---- orphaned process groups ------------------------------------------- */

/* Group 3 = {3}: a stopped job whose parent (2, the session leader) exits. */
START_TEST(test_orphan_stopped_child_on_parent_exit)
{
	const struct eng_effect *ev;
	const int32_t members[] = { 3 };

	t_command(E);
	t_fork(E, 2);
	t_setpgid(E, 2, 3, 3);
	t_stop(E, 3);
	ck_assert(!eng_pgrp_orphaned(E, 3, 0));
	eng_fx_clear(&FX);
	t_exit(E, 2);
	ev = t_orphan_ev(&FX, 3);
	ck_assert_int_eq(ev->b, 2);
	ck_assert_int_eq(ev->c, ENG_ORPHAN_PARENT_EXIT);
	ck_assert_uint_eq(ev->nids, 1);
	ck_assert(t_has_id(&FX, ev, 3));
	t_assert_hupcont(&FX, 3, members, 1);
	ck_assert_uint_eq(t_count_signals(&FX), 2);
	ck_assert_uint_eq(t_count_ev(&FX, ENG_EV_ORPHAN), 1);
	/* The ORPHAN event follows the REPARENT of the child it concerns. */
	ck_assert_int_lt(t_find_ev(&FX, ENG_EV_REPARENT, 0), t_find_ev(&FX, ENG_EV_ORPHAN, 0));
	ck_assert(eng_pgrp_orphaned(E, 3, 0));
}
END_TEST

/* The same in a session marked as the kernel's (a real session): the
 * ORPHAN event explains it with ENG_ORPHAN_KERNEL, and no signal follows
 * (the kernel sends the pair to the real mirror; twice would be wrong). */
START_TEST(test_orphan_kernel_session_no_signals)
{
	const struct eng_effect *ev;

	t_command(E);
	ck_assert_int_eq(eng_session_set_kernel(E, 2, true), 0);
	ck_assert_int_eq(eng_session_set_kernel(E, 99, true), -ESRCH);
	t_fork(E, 2);
	t_setpgid(E, 2, 3, 3);
	t_stop(E, 3);
	eng_fx_clear(&FX);
	t_exit(E, 2);
	ev = t_orphan_ev(&FX, 3);
	ck_assert_int_eq(ev->b, 2);
	ck_assert_int_eq(ev->c, ENG_ORPHAN_PARENT_EXIT | ENG_ORPHAN_KERNEL);
	ck_assert(t_has_id(&FX, ev, 3));
	ck_assert_uint_eq(t_count_signals(&FX), 0);
}
END_TEST

/*
 * Group 4 = {4 (child of 3), 5 (child of 2)}; 2 and 3 in group 2.  When 3
 * exits, 5 (parent 2 in group 2) still links group 4: no signal.  Only when
 * 2 exits is the group orphaned.
 */
static void build_guarded_group(void)
{
	t_command(E);
	t_fork(E, 2);                 /* 3 */
	t_fork(E, 3);                 /* 4 */
	t_setpgid(E, 3, 4, 4);
	t_fork(E, 2);                 /* 5 */
	t_setpgid(E, 2, 5, 4);
	t_stop(E, 4);
}

START_TEST(test_orphan_guarded_by_member_with_parent_elsewhere)
{
	const struct eng_effect *ev;
	const int32_t members[] = { 4, 5 };

	build_guarded_group();
	eng_fx_clear(&FX);
	t_exit(E, 3);
	ck_assert_uint_eq(t_count_ev(&FX, ENG_EV_ORPHAN), 0);
	ck_assert_uint_eq(t_count_signals(&FX), 0);
	ck_assert(!eng_pgrp_orphaned(E, 4, 0));
	ck_assert(eng_pgrp_orphaned(E, 4, 5)); /* 5 is the only link */
	eng_fx_clear(&FX);
	t_exit(E, 2);
	ev = t_orphan_ev(&FX, 4);
	ck_assert_int_eq(ev->b, 2);
	ck_assert_int_eq(ev->c, ENG_ORPHAN_PARENT_EXIT);
	ck_assert_uint_eq(ev->nids, 1);
	ck_assert(t_has_id(&FX, ev, 4));
	t_assert_hupcont(&FX, 4, members, 2);
	ck_assert_uint_eq(t_count_signals(&FX), 4);
}
END_TEST

/* Group 3 = {3 (child of 2 in group 2), 4 (child of 3)}: 3 was the group's
 * last link; its own exit orphans the group (rule 2), 3 included. */
START_TEST(test_orphan_by_exit_of_last_connecting_member)
{
	const struct eng_effect *ev;
	const int32_t members[] = { 3, 4 };

	t_command(E);
	t_fork(E, 2);
	t_setpgid(E, 2, 3, 3);
	t_fork(E, 3);
	t_stop(E, 4);
	eng_fx_clear(&FX);
	t_exit(E, 3);
	ev = t_orphan_ev(&FX, 3);
	ck_assert_int_eq(ev->b, 3);
	ck_assert_int_eq(ev->c, ENG_ORPHAN_SELF_EXIT);
	ck_assert_uint_eq(ev->nids, 1);
	ck_assert(t_has_id(&FX, ev, 4));
	t_assert_hupcont(&FX, 3, members, 2); /* the zombie 3 is listed too */
	ck_assert_uint_eq(t_count_ev(&FX, ENG_EV_ORPHAN), 1);
}
END_TEST

/* As above, but 5 (child of 2) in group 3 keeps the group linked. */
START_TEST(test_no_orphan_while_another_member_links)
{
	t_command(E);
	t_fork(E, 2);                 /* 3 */
	t_setpgid(E, 2, 3, 3);
	t_fork(E, 3);                 /* 4 */
	t_fork(E, 2);                 /* 5 */
	t_setpgid(E, 2, 5, 3);
	t_stop(E, 4);
	eng_fx_clear(&FX);
	t_exit(E, 3);
	ck_assert_uint_eq(t_count_ev(&FX, ENG_EV_ORPHAN), 0);
	ck_assert_uint_eq(t_count_signals(&FX), 0);
}
END_TEST

/*
 * Group X lives in init's session 1 (X forked by init, moved by init).  X's
 * parent is init, which never links a group, so X's group is orphaned from
 * the start; when X exits, its stopped child Y (now also a child of init)
 * does not link it either: rule 2 fires.
 */
START_TEST(test_reparenting_to_init_never_connects)
{
	const struct eng_effect *ev;
	int32_t x = t_fork(E, 1), y;

	t_setpgid(E, 1, x, x);
	ck_assert_int_eq(eng_getsid(E, x, 0), 1);
	ck_assert(eng_pgrp_orphaned(E, x, 0));
	y = t_fork(E, x);
	t_stop(E, y);
	eng_fx_clear(&FX);
	t_exit(E, x);
	ck_assert_int_eq(eng_getppid(E, y), 1);
	ev = t_orphan_ev(&FX, x);
	ck_assert_int_eq(ev->c, ENG_ORPHAN_SELF_EXIT);
	ck_assert(t_has_id(&FX, ev, y));
	ck_assert(eng_pgrp_orphaned(E, x, 0));
}
END_TEST

/* A zombie stops linking its group when it exits; the reap changes nothing. */
START_TEST(test_zombie_stops_connecting_at_exit_not_reap)
{
	t_command(E);
	t_fork(E, 2);                 /* 3, group 3, links it via 2 */
	t_setpgid(E, 2, 3, 3);
	t_fork(E, 3);                 /* 4 */
	t_fork(E, 2);                 /* 5, group 3 as well */
	t_setpgid(E, 2, 5, 3);
	t_stop(E, 4);
	t_exit(E, 5);                 /* 3 still links: nothing */
	ck_assert(!eng_pgrp_orphaned(E, 3, 0));
	ck_assert(eng_pgrp_orphaned(E, 3, 3)); /* the zombie 5 does not count */
	eng_fx_clear(&FX);
	t_exit(E, 3);                 /* fires now, although 5 is unreaped */
	ck_assert_uint_eq(t_count_ev(&FX, ENG_EV_ORPHAN), 1);
	ck_assert_uint_eq(t_count_sig(&FX, 5, SIGHUP), 1); /* zombies are listed */
	eng_fx_clear(&FX);
	ck_assert_int_eq(eng_reap(E, 2, 5, &FX), 0);
	ck_assert_int_eq(eng_reap(E, 2, 3, &FX), 0);
	ck_assert_uint_eq(t_count_ev(&FX, ENG_EV_ORPHAN), 0);
	ck_assert_uint_eq(t_count_signals(&FX), 0);
}
END_TEST

/* Nothing stopped at the exit: no signals then, and none later at reap even
 * if a member stops in between. */
START_TEST(test_no_signals_when_nothing_stopped)
{
	t_command(E);
	t_fork(E, 2);
	t_setpgid(E, 2, 3, 3);
	t_fork(E, 3);
	eng_fx_clear(&FX);
	t_exit(E, 3);
	ck_assert_uint_eq(t_count_ev(&FX, ENG_EV_ORPHAN), 0);
	ck_assert_uint_eq(t_count_signals(&FX), 0);
	ck_assert_uint_eq(t_count_ev(&FX, ENG_EV_REPARENT), 1);
	ck_assert(eng_pgrp_orphaned(E, 3, 0));
	t_stop(E, 4);
	eng_fx_clear(&FX);
	ck_assert_int_eq(eng_reap(E, 2, 3, &FX), 0);
	ck_assert_uint_eq(t_count_signals(&FX), 0);
}
END_TEST

/* Group 3 = {3 leader (parent 2), 5 (child of 4, reparented to init)}. */
static void build_leader_only_link(struct eng *e)
{
	t_command(e);
	t_fork(e, 2);                 /* 3 */
	t_setpgid(e, 2, 3, 3);
	t_fork(e, 3);                 /* 4 */
	t_fork(e, 4);                 /* 5 */
	t_exit(e, 4);
	ck_assert_int_eq(eng_reap(e, 3, 4, &FX), 0);
	t_stop(e, 5);
	ck_assert(!eng_pgrp_orphaned(e, 3, 0));
	eng_fx_clear(&FX);
}

START_TEST(test_no_orphan_signals_from_setpgid)
{
	build_leader_only_link(E);
	t_setpgid(E, 3, 0, 2);        /* 3 leaves: group 3 is orphaned now */
	ck_assert(eng_pgrp_orphaned(E, 3, 0));
	ck_assert_uint_eq(t_count_ev(&FX, ENG_EV_ORPHAN), 0);
	ck_assert_uint_eq(t_count_signals(&FX), 0);
	ck_assert_uint_eq(FX.n, 1);   /* the SETPGID event only */
}
END_TEST

START_TEST(test_no_orphan_signals_from_setsid)
{
	t_command(E);
	t_fork(E, 2);                 /* 3, group 3 */
	t_setpgid(E, 2, 3, 3);
	t_fork(E, 2);                 /* 4, group 3, the link */
	t_setpgid(E, 2, 4, 3);
	t_fork(E, 3);                 /* 5 */
	t_exit(E, 3);                 /* 4 still links */
	t_stop(E, 5);
	eng_fx_clear(&FX);
	t_setsid(E, 4);               /* 4 leaves: orphaned, but no signal */
	ck_assert(eng_pgrp_orphaned(E, 3, 0));
	ck_assert_uint_eq(t_count_signals(&FX), 0);
	ck_assert_uint_eq(FX.n, 1);
}
END_TEST

/* Rule 1 needs T and the child's group in the same session. */
START_TEST(test_no_orphan_across_sessions)
{
	t_command(E);
	t_fork(E, 2);                 /* 3 */
	t_setsid(E, 3);
	t_fork(E, 3);                 /* 4, session 3 */
	t_stop(E, 3);
	t_stop(E, 4);
	eng_fx_clear(&FX);
	t_exit(E, 2);
	ck_assert_uint_eq(t_count_ev(&FX, ENG_EV_ORPHAN), 0);
	ck_assert_uint_eq(t_count_signals(&FX), 0);
}
END_TEST

/*
 * T = 3 (in group 2, like its parent: no rule 2) has children 4, 5, 6 in
 * group 4 and 7 in group 7, all stopped.  Each group is handled once, right
 * after the REPARENT of its last child in T's list.
 */
START_TEST(test_each_group_once_per_exit)
{
	const int32_t g4[] = { 4, 5, 6 };
	long o1, o2;

	t_command(E);
	t_fork(E, 2);                       /* 3 */
	for (int i = 0; i < 3; i++)
		t_fork(E, 3);               /* 4, 5, 6 */
	t_setpgid(E, 3, 4, 0);
	t_setpgid(E, 3, 5, 4);
	t_setpgid(E, 3, 6, 4);
	t_fork(E, 3);                       /* 7 */
	t_setpgid(E, 3, 7, 7);
	for (int32_t v = 4; v <= 7; v++)
		t_stop(E, v);
	eng_fx_clear(&FX);
	t_exit(E, 3);
	ck_assert_uint_eq(t_count_ev(&FX, ENG_EV_ORPHAN), 2);
	t_assert_hupcont(&FX, 4, g4, 3);
	ck_assert_uint_eq(t_orphan_ev(&FX, 4)->nids, 3);
	o1 = t_find_ev(&FX, ENG_EV_ORPHAN, 0);
	o2 = t_find_ev(&FX, ENG_EV_ORPHAN, (size_t)o1 + 1);
	ck_assert_int_eq(FX.v[o1].a, 4);
	ck_assert_int_eq(FX.v[o2].a, 7);
	/* group 4's event comes right after the REPARENT of 6, its last child */
	ck_assert_int_eq(FX.v[o1 - 1].ev, ENG_EV_REPARENT);
	ck_assert_int_eq(FX.v[o1 - 1].vpid, 6);
	ck_assert_uint_eq(t_count_signals(&FX), 8);
}
END_TEST

/* Both rules in one exit: rule 1 (children's groups) first, then rule 2. */
START_TEST(test_rule1_before_rule2)
{
	long o1, o2;

	t_command(E);
	t_fork(E, 2);                 /* 3 */
	t_setpgid(E, 2, 3, 3);
	t_fork(E, 3);                 /* 4: group 3 */
	t_fork(E, 3);                 /* 5: own group 5 */
	t_setpgid(E, 3, 5, 5);
	t_stop(E, 4);
	t_stop(E, 5);
	eng_fx_clear(&FX);
	t_exit(E, 3);
	o1 = t_find_ev(&FX, ENG_EV_ORPHAN, 0);
	o2 = t_find_ev(&FX, ENG_EV_ORPHAN, (size_t)o1 + 1);
	ck_assert_int_ge(o1, 0);
	ck_assert_int_ge(o2, 0);
	ck_assert_int_eq(FX.v[o1].a, 5);
	ck_assert_int_eq(FX.v[o1].c, ENG_ORPHAN_PARENT_EXIT);
	ck_assert_int_eq(FX.v[o2].a, 3);
	ck_assert_int_eq(FX.v[o2].c, ENG_ORPHAN_SELF_EXIT);
}
END_TEST

/* ---- the kernel-rule oracle: who gets the SIGHUP ------------------------- */

static int hup_calls;
static bool hup_all_answer;

static bool hup_all_fn(void *ctx)
{
	(void)ctx;
	hup_calls++;
	return hup_all_answer;
}

/* Group 4 = {4 stopped, 5 running}, orphaned when 2 exits (as in
 * test_orphan_guarded_by_member_with_parent_elsewhere, 3 gone first). */
static void guarded_group_orphaned(void)
{
	struct eng_config cfg = { .orphan_hup_all = hup_all_fn };

	eng_free(E);
	ck_assert_int_eq(eng_new(&E, &cfg), 0);
	hup_calls = 0;
	build_guarded_group();
	t_exit(E, 3);
	ck_assert_int_eq(hup_calls, 0); /* not orphaned yet: not asked */
	eng_fx_clear(&FX);
	t_exit(E, 2);
}

/* A kernel that sends SIGHUP to the stopped member only, SIGCONT to both. */
START_TEST(test_hup_to_stopped_only)
{
	hup_all_answer = false;
	guarded_group_orphaned();
	ck_assert_int_eq(hup_calls, 1);
	ck_assert_int_eq(t_orphan_ev(&FX, 4)->c, ENG_ORPHAN_PARENT_EXIT | ENG_ORPHAN_HUP_STOPPED);
	ck_assert_uint_eq(t_count_sig(&FX, 4, SIGHUP), 1);
	ck_assert_uint_eq(t_count_sig(&FX, 5, SIGHUP), 0);
	ck_assert_uint_eq(t_count_sig(&FX, 4, SIGCONT), 1);
	ck_assert_uint_eq(t_count_sig(&FX, 5, SIGCONT), 1);
	ck_assert_uint_eq(t_count_signals(&FX), 3);
}
END_TEST

/* An older kernel: the pair to every member. */
START_TEST(test_hup_to_every_member)
{
	const int32_t members[] = { 4, 5 };

	hup_all_answer = true;
	guarded_group_orphaned();
	ck_assert_int_eq(hup_calls, 1);
	ck_assert_int_eq(t_orphan_ev(&FX, 4)->c, ENG_ORPHAN_PARENT_EXIT);
	t_assert_hupcont(&FX, 4, members, 2);
	ck_assert_uint_eq(t_count_signals(&FX), 4);
}
END_TEST

/* Every member stopped (or a zombie): the answer cannot matter, not asked. */
START_TEST(test_hup_oracle_not_asked_without_running_member)
{
	struct eng_config cfg = { .orphan_hup_all = hup_all_fn };

	eng_free(E);
	ck_assert_int_eq(eng_new(&E, &cfg), 0);
	hup_calls = 0;
	hup_all_answer = false;
	t_command(E);
	t_fork(E, 2);                 /* 3, group 3 */
	t_setpgid(E, 2, 3, 3);
	t_fork(E, 3);                 /* 4 */
	t_fork(E, 3);                 /* 5 */
	t_exit(E, 5);                 /* a zombie member */
	t_stop(E, 4);
	eng_fx_clear(&FX);
	t_exit(E, 3);                 /* rule 2: 3 itself a zombie now */
	ck_assert_int_eq(hup_calls, 0);
	ck_assert_uint_eq(t_count_sig(&FX, 4, SIGHUP), 1);
	ck_assert_uint_eq(t_count_sig(&FX, 4, SIGCONT), 1);
}
END_TEST

/* ---- the is_stopped oracle ----------------------------------------------- */

struct oracle {
	bool stopped[32];
	int calls[32];
	int ncalls;
};

static bool oracle_fn(void *ctx, int32_t vpid, int64_t rpid)
{
	struct oracle *o = ctx;

	(void)rpid;
	ck_assert_int_lt(vpid, 32);
	o->calls[vpid]++;
	o->ncalls++;
	return o->stopped[vpid];
}

START_TEST(test_is_stopped_callback_honoured)
{
	struct oracle o = { .stopped = { [4] = true } };
	struct eng_config cfg = { .is_stopped = oracle_fn, .ctx = &o };
	const struct eng_effect *ev;

	eng_free(E);
	ck_assert_int_eq(eng_new(&E, &cfg), 0);
	t_command(E);
	t_fork(E, 2);                 /* 3, group 3 */
	t_setpgid(E, 2, 3, 3);
	t_fork(E, 3);                 /* 4 */
	t_fork(E, 3);                 /* 5 */
	t_exit(E, 5);                 /* a zombie member: never asked */
	t_stop(E, 3);                 /* the flag is ignored when an oracle is set */
	ck_assert_int_eq(o.ncalls, 0);
	eng_fx_clear(&FX);
	t_exit(E, 3);
	ck_assert_int_eq(o.calls[4], 1);
	ck_assert_int_eq(o.calls[3], 0);
	ck_assert_int_eq(o.calls[5], 0);
	ck_assert_int_eq(o.ncalls, 1);
	ev = t_orphan_ev(&FX, 3);
	ck_assert_uint_eq(ev->nids, 1);
	ck_assert(t_has_id(&FX, ev, 4));
}
END_TEST

START_TEST(test_is_stopped_callback_overrides_flag)
{
	struct oracle o = { .stopped = { 0 } };
	struct eng_config cfg = { .is_stopped = oracle_fn, .ctx = &o };

	eng_free(E);
	ck_assert_int_eq(eng_new(&E, &cfg), 0);
	t_command(E);
	t_fork(E, 2);
	t_setpgid(E, 2, 3, 3);
	t_fork(E, 3);
	t_stop(E, 4);                 /* flag says stopped, oracle says no */
	eng_fx_clear(&FX);
	t_exit(E, 3);
	ck_assert_int_eq(o.ncalls, 1);
	ck_assert_uint_eq(t_count_ev(&FX, ENG_EV_ORPHAN), 0);
	ck_assert_uint_eq(t_count_signals(&FX), 0);
}
END_TEST

/* The oracle is not consulted for a group that is not orphaned. */
START_TEST(test_is_stopped_callback_only_for_orphaned)
{
	struct oracle o = { .stopped = { [4] = true } };
	struct eng_config cfg = { .is_stopped = oracle_fn, .ctx = &o };

	eng_free(E);
	ck_assert_int_eq(eng_new(&E, &cfg), 0);
	t_command(E);
	t_fork(E, 2);                 /* 3 */
	t_setpgid(E, 2, 3, 3);
	t_fork(E, 3);                 /* 4 */
	t_fork(E, 2);                 /* 5 links group 3 */
	t_setpgid(E, 2, 5, 3);
	t_exit(E, 3);
	ck_assert_int_eq(o.ncalls, 0);
}
END_TEST

/* In a real session the kernel has continued the stopped members by the
 * time the exit reaches the engine (the oracle says running): the stop a
 * parent reported (the flag) names them, the records are cleared with a
 * CONT event each, and a later exit finds nothing stopped. */
START_TEST(test_is_stopped_kernel_session_uses_flag)
{
	struct oracle o = { .stopped = { 0 } };
	struct eng_config cfg = { .is_stopped = oracle_fn, .ctx = &o };
	const struct eng_effect *ev;
	struct eng_pinfo pi;

	eng_free(E);
	ck_assert_int_eq(eng_new(&E, &cfg), 0);
	t_command(E);
	ck_assert_int_eq(eng_session_set_kernel(E, 2, true), 0);
	t_fork(E, 2);                 /* 3, group 3 */
	t_setpgid(E, 2, 3, 3);
	t_fork(E, 3);                 /* 4 */
	t_fork(E, 3);                 /* 5 */
	t_stop(E, 4);                 /* flag: stopped; oracle: running */
	eng_fx_clear(&FX);
	t_exit(E, 3);
	ev = t_orphan_ev(&FX, 3);
	ck_assert_int_eq(ev->c, ENG_ORPHAN_SELF_EXIT | ENG_ORPHAN_KERNEL);
	ck_assert_uint_eq(ev->nids, 1);
	ck_assert(t_has_id(&FX, ev, 4));
	ck_assert_uint_eq(t_count_signals(&FX), 0);
	ck_assert_uint_eq(t_count_ev(&FX, ENG_EV_CONT), 1);
	ck_assert_int_lt(t_find_ev(&FX, ENG_EV_ORPHAN, 0), t_find_ev(&FX, ENG_EV_CONT, 0));
	ck_assert_int_eq(eng_info(E, 4, &pi), 0);
	ck_assert_int_eq(pi.state, ENG_P_RUNNING);
	/* A new link comes and goes: group 3 is orphaned again, with no
	 * stopped member (a stale record of 4 would say otherwise). */
	t_fork(E, 2);                 /* 6 */
	t_setpgid(E, 2, 6, 3);
	ck_assert(!eng_pgrp_orphaned(E, 3, 0));
	eng_fx_clear(&FX);
	t_exit(E, 6);
	ck_assert(eng_pgrp_orphaned(E, 3, 0));
	ck_assert_uint_eq(t_count_ev(&FX, ENG_EV_ORPHAN), 0);
	/* Outside a real session the flag still yields to the oracle
	 * (test_is_stopped_callback_overrides_flag). */
}
END_TEST

START_TEST(test_pgrp_orphaned_predicate)
{
	t_world(E);
	ck_assert(!eng_pgrp_orphaned(E, 999, 0)); /* unknown group */
	ck_assert(eng_pgrp_orphaned(E, 2, 0));    /* 2's parent is init */
	ck_assert(!eng_pgrp_orphaned(E, 7, 0));   /* 7, 10, 11: parent 2 in group 2 */
	ck_assert(!eng_pgrp_orphaned(E, 7, 7));
	ck_assert(!eng_pgrp_orphaned(E, 11, 0));  /* 12's parent 11 is in group 7 */
	ck_assert(eng_pgrp_orphaned(E, 11, 12));
	ck_assert(eng_pgrp_orphaned(E, 5, 0));    /* 5's parent 2 is in another session */
	ck_assert(!eng_pgrp_orphaned(E, 7, 999)); /* unknown ignore = none */
}
END_TEST

/* ---- subreapers and the orphan rule ------------------------------------- */

/*
 * Session 2: 2 and 3 in group 2, 3 a subreaper; 4 (child of 3, group 2);
 * 5 (child of 4) in group 5, stopped.  4 exits: 5 goes to 3, which is in
 * another group of the same session, so group 5 stays connected: nothing.
 * Without the flag, 5 goes to init and group 5 is orphaned.
 */
static void subreaper_world(bool on)
{
	t_command(E);
	t_fork(E, 2);   /* 3 */
	t_fork(E, 3);   /* 4 */
	t_fork(E, 4);   /* 5 */
	t_setpgid(E, 4, 5, 5);
	t_stop(E, 5);
	ck_assert_int_eq(eng_set_subreaper(E, 3, on), 0);
	eng_fx_clear(&FX);
	t_exit(E, 4);
}

START_TEST(test_subreaper_parent_connects_group)
{
	subreaper_world(true);
	ck_assert_int_eq(eng_getppid(E, 5), 3);
	ck_assert_uint_eq(t_count_ev(&FX, ENG_EV_ORPHAN), 0);
	ck_assert_uint_eq(t_count_signals(&FX), 0);
	ck_assert(!eng_pgrp_orphaned(E, 5, 0));
	/* The subreaper's own exit then orphans group 5 (rule 1). */
	t_exit(E, 3);
	ck_assert_int_eq(eng_getppid(E, 5), 1);
	ck_assert_uint_eq(t_count_sig(&FX, 5, SIGHUP), 1);
	ck_assert_uint_eq(t_count_sig(&FX, 5, SIGCONT), 1);
}
END_TEST

START_TEST(test_no_subreaper_orphans_group)
{
	const int32_t members[] = { 5 };

	subreaper_world(false);
	ck_assert_int_eq(eng_getppid(E, 5), 1);
	t_assert_hupcont(&FX, 5, members, 1);
}
END_TEST

/* A subreaper in the orphan's own group does not connect it. */
START_TEST(test_subreaper_in_same_group_does_not_connect)
{
	const int32_t members[] = { 3, 5 };

	t_command(E);
	t_fork(E, 2);   /* 3 */
	t_setpgid(E, 2, 3, 3);
	t_fork(E, 3);   /* 4, group 3 */
	t_fork(E, 4);   /* 5, group 3 */
	t_setpgid(E, 2, 3, 2); /* 3 back to group 2: group 3 = {4, 5} */
	t_setpgid(E, 4, 5, 5);
	t_setpgid(E, 4, 0, 5); /* 4 joins 5: group 5 = {4, 5} linked by 4 (parent 3 in group 2) */
	t_setpgid(E, 2, 3, 5); /* 3 joins too: group 5 = {3, 4, 5}, 3 links it (parent 2) */
	ck_assert_int_eq(eng_set_subreaper(E, 3, true), 0);
	t_stop(E, 5);
	eng_fx_clear(&FX);
	t_exit(E, 4);   /* 5 goes to 3, in its own group; 3 (parent 2) still links */
	ck_assert_int_eq(eng_getppid(E, 5), 3);
	ck_assert_uint_eq(t_count_signals(&FX), 0);
	t_exit(E, 2);   /* 3 goes to init: nothing links group 5 any more */
	t_assert_hupcont(&FX, 5, members, 2);
}
END_TEST

static bool has_vpid(const int32_t *v, size_t n, int32_t x)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == x)
			return true;
	return false;
}

/* The command (2) with children 3 and 4, and 5 a child of 3: group 2. */
static void family(void)
{
	t_command(E);
	t_fork(E, 2);
	t_fork(E, 2);
	t_fork(E, 3);
}

/* The seed-716405611 shape: A (3) and its child E (5) in group 2 with D
 * (4); A moving to a group of its own changes whether E links group 2, so
 * E (and D, and their parents) witness the move; init never does. */
START_TEST(test_move_witnesses)
{
	int32_t v[16];
	size_t n;

	family();                     /* 3 = A, 4 = D, 5 = E */
	t_fork(E, 2);                 /* 6, in a group of its own */
	t_setpgid(E, 2, 6, 6);
	n = eng_move_witnesses(E, 3, 3, v, 16);
	ck_assert_uint_le(n, 16);
	ck_assert(has_vpid(v, n, 2) && has_vpid(v, n, 3) && has_vpid(v, n, 4) && has_vpid(v, n, 5));
	ck_assert(!has_vpid(v, n, 6)); /* group 6 is neither left nor joined */
	ck_assert(!has_vpid(v, n, 1));
	/* Joining group 6 makes its members witnesses too. */
	n = eng_move_witnesses(E, 3, 6, v, 16);
	ck_assert(has_vpid(v, n, 6) && has_vpid(v, n, 5));
	/* cap: the total is still counted. */
	ck_assert_uint_eq(eng_move_witnesses(E, 3, 6, v, 1), n);
	/* A zombie or unknown process moves nowhere. */
	t_exit(E, 5);
	n = eng_move_witnesses(E, 3, 3, v, 16);
	ck_assert(!has_vpid(v, n, 5));
	ck_assert_uint_eq(eng_move_witnesses(E, 5, 5, v, 16), 0);
	ck_assert_uint_eq(eng_move_witnesses(E, 99, 0, v, 16), 0);
}
END_TEST

/* A (3) leaves group 2 for its own: its child C (5), still in group 2,
 * links group 2 (members 2, 4 = B, 5), so C's exit may orphan it.  A
 * alone in group 3 links it, but with no other member to orphan. */
START_TEST(test_move_links)
{
	int32_t v[16];
	size_t n;

	family();                     /* 3 = A, 4 = B, 5 = C */
	n = eng_move_links(E, 3, 2, v, 16);
	ck_assert_uint_eq(n, 0);      /* nobody links from outside yet */
	t_setpgid(E, 3, 3, 3);
	n = eng_move_links(E, 3, 2, v, 16);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(v[0], 5);
	/* B joins A's group: now A (parent 2 outside) links a group of two. */
	t_setpgid(E, 2, 4, 3);
	n = eng_move_links(E, 4, 2, v, 16);
	ck_assert(has_vpid(v, n, 3) && has_vpid(v, n, 4) && has_vpid(v, n, 5));
	ck_assert(!has_vpid(v, n, 2));
	/* The group's witnesses: its live members and their parents. */
	n = eng_pgrp_witnesses(E, 2, v, 16);
	ck_assert(has_vpid(v, n, 2) && has_vpid(v, n, 5) && has_vpid(v, n, 3));
	ck_assert(!has_vpid(v, n, 4) && !has_vpid(v, n, 1));
	ck_assert_uint_eq(eng_pgrp_witnesses(E, 99, v, 16), 0);
}
END_TEST

static Suite *pgrp_suite(void)
{
	Suite *s = suite_create("pgrp");
	TCase *tc;

	tc = tcase_create("setpgid");
	tcase_add_checked_fixture(tc, t_setup, t_teardown);
	tcase_add_test(tc, test_setpgid_rows);
	tcase_add_test(tc, test_setpgid_frees_empty_group);
	tcase_add_test(tc, test_setpgid_execed_zombie);
	suite_add_tcase(s, tc);

	tc = tcase_create("orphan rule 1: parent exit");
	tcase_add_checked_fixture(tc, t_setup, t_teardown);
	tcase_add_test(tc, test_orphan_stopped_child_on_parent_exit);
	tcase_add_test(tc, test_orphan_kernel_session_no_signals);
	tcase_add_test(tc, test_orphan_guarded_by_member_with_parent_elsewhere);
	tcase_add_test(tc, test_no_orphan_across_sessions);
	tcase_add_test(tc, test_each_group_once_per_exit);
	suite_add_tcase(s, tc);

	tc = tcase_create("orphan rule 2: own exit");
	tcase_add_checked_fixture(tc, t_setup, t_teardown);
	tcase_add_test(tc, test_orphan_by_exit_of_last_connecting_member);
	tcase_add_test(tc, test_no_orphan_while_another_member_links);
	tcase_add_test(tc, test_rule1_before_rule2);
	suite_add_tcase(s, tc);

	tc = tcase_create("orphan predicate");
	tcase_add_checked_fixture(tc, t_setup, t_teardown);
	tcase_add_test(tc, test_pgrp_orphaned_predicate);
	tcase_add_test(tc, test_reparenting_to_init_never_connects);
	tcase_add_test(tc, test_zombie_stops_connecting_at_exit_not_reap);
	suite_add_tcase(s, tc);

	tc = tcase_create("orphan signals only at exit");
	tcase_add_checked_fixture(tc, t_setup, t_teardown);
	tcase_add_test(tc, test_no_signals_when_nothing_stopped);
	tcase_add_test(tc, test_no_orphan_signals_from_setpgid);
	tcase_add_test(tc, test_no_orphan_signals_from_setsid);
	tcase_add_test(tc, test_move_witnesses);
	tcase_add_test(tc, test_move_links);
	suite_add_tcase(s, tc);

	tc = tcase_create("orphan rule with subreapers");
	tcase_add_checked_fixture(tc, t_setup, t_teardown);
	tcase_add_test(tc, test_subreaper_parent_connects_group);
	tcase_add_test(tc, test_no_subreaper_orphans_group);
	tcase_add_test(tc, test_subreaper_in_same_group_does_not_connect);
	suite_add_tcase(s, tc);

	tc = tcase_create("kernel-rule oracle");
	tcase_add_checked_fixture(tc, t_setup, t_teardown);
	tcase_add_test(tc, test_hup_to_stopped_only);
	tcase_add_test(tc, test_hup_to_every_member);
	tcase_add_test(tc, test_hup_oracle_not_asked_without_running_member);
	suite_add_tcase(s, tc);

	tc = tcase_create("stopped oracle");
	tcase_add_checked_fixture(tc, t_setup, t_teardown);
	tcase_add_test(tc, test_is_stopped_callback_honoured);
	tcase_add_test(tc, test_is_stopped_callback_overrides_flag);
	tcase_add_test(tc, test_is_stopped_callback_only_for_orphaned);
	tcase_add_test(tc, test_is_stopped_kernel_session_uses_flag);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	Suite *suites[] = { pgrp_suite(), NULL };

	return t_run(suites);
}
