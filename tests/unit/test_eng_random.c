/* test_eng_random.c — randomized check suite: random operations against naive reference models. */
#include <inttypes.h>
#include <stdint.h>
#include <sys/wait.h>

#include "test_eng_util.h"

/*
 * Every operation is first predicted from a snapshot of the engine (taken
 * through eng_next/eng_info only) by deliberately naive O(n^2) reference
 * code written straight from SEMANTICS.md, then run, then compared: return
 * value, and for exits the exact set of orphaned groups, their stopped
 * members and the SIGHUP/SIGCONT targets.  eng_check() runs after every op
 * that may have changed the engine, and at the end.
 * JOBSHIM_SEED overrides the seed; JOBSHIM_RANDOM_OPS the operation count.
 */

/* libcheck records every passing ck_assert (a write per call): far too slow
 * for millions of checks, so this file only calls it on failure. */
#define R_REQUIRE(cond, ...)                          \
	do {                                          \
		if (!(cond))                          \
			ck_abort_msg(__VA_ARGS__);    \
	} while (0)
#define R_EQ(a, b) R_REQUIRE((long long)(a) == (long long)(b), "%s:%d: %s = %lld, want %lld", \
			     __FILE__, __LINE__, #a, (long long)(a), (long long)(b))

#define R_VPID_MAX 1024   /* small, so allocation wraps many times */
#define R_MAX_LIVE 200
#define R_DEFAULT_OPS 100000
#define R_DEFAULT_SEED UINT64_C(0x6a6f6273686d3031)

struct rsnap {
	bool present[R_VPID_MAX + 1];
	struct eng_pinfo p[R_VPID_MAX + 1];
	int32_t list[R_VPID_MAX + 1]; /* present vpids, increasing */
	size_t n;
};

struct rstate {
	uint64_t rng;
	struct rsnap s;
	bool oracle_stopped[R_VPID_MAX + 1]; /* mirror for the is_stopped oracle */
	unsigned long orphan_by_cause[3], exits;
	unsigned long long sum_n, sum_zombie; /* population statistics */
	bool snap_fresh;                     /* s still describes the engine */
};

static uint64_t r_next(struct rstate *st)
{
	/* xorshift64* */
	st->rng ^= st->rng >> 12;
	st->rng ^= st->rng << 25;
	st->rng ^= st->rng >> 27;
	return st->rng * UINT64_C(2685821657736338717);
}

static uint32_t r_below(struct rstate *st, uint32_t n)
{
	return n ? (uint32_t)(r_next(st) % n) : 0;
}

static void r_snap(struct eng *e, struct rsnap *s)
{
	memset(s->present, 0, sizeof(s->present));
	s->n = 0;
	for (int32_t v = eng_next(e, 1); v > 0; v = eng_next(e, v + 1)) {
		R_REQUIRE(v <= R_VPID_MAX, "vpid %d above vpid_max", v);
		R_EQ(eng_info(e, v, &s->p[v]), 0);
		s->present[v] = true;
		s->list[s->n++] = v;
	}
}

static const struct eng_pinfo *r_get(const struct rsnap *s, int32_t v)
{
	return v >= 1 && v <= R_VPID_MAX && s->present[v] ? &s->p[v] : NULL;
}

/* A random present vpid, optionally only non-zombies; 0 when none. */
static int32_t r_pick(struct rstate *st, bool live_only, bool allow_init)
{
	for (int tries = 0; tries < 16; tries++) {
		int32_t v = st->s.list[r_below(st, (uint32_t)st->s.n)];

		if (!allow_init && v == 1)
			continue;
		if (live_only && st->s.p[v].state == ENG_P_ZOMBIE)
			continue;
		return v;
	}
	return 0;
}

static size_t r_count_live(const struct rsnap *s)
{
	size_t n = 0;

	for (size_t i = 0; i < s->n; i++)
		n += s->p[s->list[i]].state != ENG_P_ZOMBIE;
	return n;
}

static bool r_group_exists(const struct rsnap *s, int32_t g, int32_t *sid)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->p[s->list[i]].pgid == g) {
			if (sid)
				*sid = s->p[s->list[i]].sid;
			return true;
		}
	return false;
}

/* ---- reference orphan rule (on a snapshot) ------------------------------- */

static bool ref_orphaned(const struct rsnap *s, int32_t g, int32_t ignore)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct eng_pinfo *p = &s->p[s->list[i]], *par;

		if (p->pgid != g || p->vpid == ignore || p->state == ENG_P_ZOMBIE || p->ppid <= 1)
			continue;
		par = r_get(s, p->ppid);
		if (par && par->pgid != g && par->sid == p->sid)
			return false;
	}
	return true;
}

static size_t ref_stopped(const struct rsnap *s, int32_t g, int32_t *ids)
{
	size_t n = 0;

	for (size_t i = 0; i < s->n; i++)
		if (s->p[s->list[i]].pgid == g && s->p[s->list[i]].state == ENG_P_STOPPED)
			ids[n++] = s->list[i];
	return n;
}

struct ref_orphan {
	int32_t pgid;
	int cause;
};

/* Predict the exit of t: post-state into `post`, orphan list into `out`. */
static size_t ref_exit(const struct rsnap *pre, struct rsnap *post, int32_t t, struct ref_orphan *out)
{
	const struct eng_pinfo *tp = r_get(pre, t), *par;
	size_t n = 0;
	int32_t ids[R_VPID_MAX];

	*post = *pre;
	post->p[t].state = ENG_P_ZOMBIE;
	for (size_t i = 0; i < pre->n; i++)
		if (pre->p[pre->list[i]].ppid == t)
			post->p[pre->list[i]].ppid = 1;
	/* Rule 1: each group of a child of t, other than t's, same session. */
	for (size_t i = 0; i < pre->n; i++) {
		const struct eng_pinfo *c = &pre->p[pre->list[i]];
		bool dup = false;

		if (c->ppid != t || c->pgid == tp->pgid || c->sid != tp->sid)
			continue;
		for (size_t j = 0; j < n; j++)
			dup |= out[j].pgid == c->pgid;
		if (dup || !ref_orphaned(post, c->pgid, 0) || !ref_stopped(post, c->pgid, ids))
			continue;
		out[n].pgid = c->pgid;
		out[n++].cause = ENG_ORPHAN_PARENT_EXIT;
	}
	/* Rule 2: t's parent in another group of the same session. */
	par = r_get(pre, tp->ppid);
	if (par && par->pgid != tp->pgid && par->sid == tp->sid && ref_orphaned(post, tp->pgid, t) &&
	    ref_stopped(post, tp->pgid, ids)) {
		out[n].pgid = tp->pgid;
		out[n++].cause = ENG_ORPHAN_SELF_EXIT;
	}
	return n;
}

static void r_check_exit(struct rstate *st, struct eng *e, int32_t t)
{
	static struct rsnap post, after;
	struct ref_orphan want[R_VPID_MAX];
	int32_t ids[R_VPID_MAX];
	size_t nwant, nsig = 0, nev = 0;

	nwant = ref_exit(&st->s, &post, t, want);
	eng_fx_clear(&FX);
	R_EQ(eng_exit(e, t, 0, &FX), 0);
	st->exits++;
	for (size_t i = 0; i < FX.n; i++) {
		const struct eng_effect *ef = &FX.v[i];
		bool found = false;

		if (ef->kind == ENG_FX_SIGNAL) {
			nsig++;
			continue;
		}
		if (ef->ev != ENG_EV_ORPHAN)
			continue;
		nev++;
		R_EQ(ef->b, t);
		for (size_t j = 0; j < nwant; j++) {
			size_t nst;

			if (want[j].pgid != ef->a || want[j].cause != ef->c)
				continue;
			found = true;
			nst = ref_stopped(&post, ef->a, ids);
			R_REQUIRE(ef->nids == nst, "exit %d: group %d: %zu stopped ids, want %zu", t, ef->a,
				      ef->nids, nst);
			for (size_t k = 0; k < nst; k++)
				R_REQUIRE(t_has_id(&FX, ef, ids[k]), "exit %d: group %d: %d not listed as stopped", t, ef->a, ids[k]);
			for (size_t k = 0; k < post.n; k++) {
				int32_t v = post.list[k];

				if (post.p[v].pgid != ef->a)
					continue;
				R_REQUIRE(t_count_sig(&FX, v, SIGHUP) == 1 && t_count_sig(&FX, v, SIGCONT) == 1,
					      "exit %d: member %d of group %d: HUP/CONT", t, v, ef->a);
			}
		}
		R_REQUIRE(found, "exit %d: unexpected ORPHAN of group %d cause %d", t, ef->a, ef->c);
		st->orphan_by_cause[ef->c]++;
	}
	R_REQUIRE(nev == nwant, "exit %d: %zu ORPHAN events, reference says %zu", t, nev, nwant);
	/* Signals: exactly HUP+CONT for every member of every orphaned group. */
	{
		size_t want_sig = 0;

		for (size_t j = 0; j < nwant; j++)
			for (size_t k = 0; k < post.n; k++)
				want_sig += 2 * (post.p[post.list[k]].pgid == want[j].pgid);
		R_REQUIRE(nsig == want_sig, "exit %d: %zu signals, want %zu", t, nsig, want_sig);
	}
	/* The engine's post-state is the reference's. */
	r_snap(e, &after);
	R_EQ(after.n, post.n);
	for (size_t k = 0; k < post.n; k++) {
		const struct eng_pinfo *a = &after.p[post.list[k]], *b = &post.p[post.list[k]];

		R_REQUIRE(after.present[post.list[k]] && a->ppid == b->ppid && a->pgid == b->pgid &&
			      a->sid == b->sid && a->state == b->state,
			      "exit %d: vpid %d differs from the reference", t, post.list[k]);
	}
}

/* ---- reference errno rules ---------------------------------------------- */

static int ref_setpgid(const struct rsnap *s, int32_t caller, int32_t pid, int32_t pgid)
{
	const struct eng_pinfo *cp = r_get(s, caller), *t;
	int32_t gsid;

	if (pid == 0)
		pid = caller;
	if (pgid == 0)
		pgid = pid;
	if (pgid < 0)
		return -EINVAL;
	if (!cp || cp->state == ENG_P_ZOMBIE)
		return -ESRCH;
	t = r_get(s, pid);
	if (!t)
		return -ESRCH;
	if (t->ppid == caller && pid != caller) {
		if (t->sid != cp->sid)
			return -EPERM;
		if (t->execed)
			return -EACCES;
	} else if (pid != caller) {
		return -ESRCH;
	}
	if (t->sid == pid)
		return -EPERM;
	if (pgid != pid && (!r_group_exists(s, pgid, &gsid) || gsid != cp->sid))
		return -EPERM;
	return 0;
}

static int ref_setsid(const struct rsnap *s, int32_t caller)
{
	const struct eng_pinfo *cp = r_get(s, caller);

	if (!cp || cp->state == ENG_P_ZOMBIE)
		return -ESRCH;
	if (r_group_exists(s, caller, NULL))
		return -EPERM;
	return caller;
}

/* Returns -errno or the number of targets. */
static int ref_kill_targets(const struct rsnap *s, int32_t caller, int32_t pid)
{
	int n = 0;

	if (pid == INT32_MIN || !r_get(s, caller))
		return -ESRCH;
	if (pid > 0)
		return r_get(s, pid) ? (pid != 1) : -ESRCH;
	if (pid == -1) {
		for (size_t i = 0; i < s->n; i++)
			n += s->list[i] != 1 && s->list[i] != caller;
		return n ? n : -ESRCH;
	}
	for (size_t i = 0; i < s->n; i++)
		n += s->p[s->list[i]].pgid == (pid ? -pid : r_get(s, caller)->pgid) && s->list[i] != 1;
	if (pid == 0 || r_group_exists(s, -pid, NULL))
		return n;
	return -ESRCH;
}

/* Linux looks the targets up first, then checks the signal. */
static int ref_kill(const struct rsnap *s, int32_t caller, int32_t pid, int sig)
{
	int n = ref_kill_targets(s, caller, pid);

	if (n >= 0 && (sig < 0 || sig > 64))
		return -EINVAL;
	return n;
}

static int ref_wait(const struct rsnap *s, int32_t caller, int32_t sel, int options)
{
	const unsigned ok = WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL;
	const struct eng_pinfo *cp = r_get(s, caller);
	int n = 0;

	if ((unsigned)options & ~ok)
		return -EINVAL;
	if (sel == INT32_MIN)
		return -ESRCH;
	if (!cp)
		return -ECHILD;
	for (size_t i = 0; i < s->n; i++) {
		const struct eng_pinfo *c = &s->p[s->list[i]];

		if (c->ppid != caller || c->vpid == 1)
			continue;
		if (sel > 0 ? c->vpid == sel : sel == -1 ? true : c->pgid == (sel == 0 ? cp->pgid : -sel))
			n++;
	}
	return n ? n : -ECHILD;
}

/* ---- one random operation --------------------------------------------- */

static int32_t r_pick_pgid(struct rstate *st, int32_t pid)
{
	switch (r_below(st, 6)) {
	case 0: return 0;
	case 1: return pid;
	case 2: return (int32_t)r_below(st, R_VPID_MAX + 2);
	case 3: return -(int32_t)r_below(st, 3);
	default: {
		int32_t v = r_pick(st, false, true);

		return v ? st->s.p[v].pgid : 0;
	}
	}
}

static int32_t r_pick_zombie(struct rstate *st)
{
	int32_t z[R_VPID_MAX];
	size_t n = 0;

	for (size_t i = 0; i < st->s.n; i++)
		if (st->s.p[st->s.list[i]].state == ENG_P_ZOMBIE)
			z[n++] = st->s.list[i];
	return n ? z[r_below(st, (uint32_t)n)] : 0;
}

/* Brute force: every id in [2, vpid_max] is a process, group or session. */
static bool r_all_ids_used(const struct rsnap *s)
{
	static bool used[R_VPID_MAX + 1];

	memset(used, 0, sizeof(used));
	for (size_t i = 0; i < s->n; i++) {
		const struct eng_pinfo *p = &s->p[s->list[i]];

		used[p->vpid] = used[p->pgid] = used[p->sid] = true;
	}
	for (int32_t v = 2; v <= R_VPID_MAX; v++)
		if (!used[v])
			return false;
	return true;
}

static int32_t r_child_of(struct rstate *st, int32_t parent)
{
	int32_t kids[R_VPID_MAX];
	size_t n = 0;

	for (size_t i = 0; i < st->s.n; i++)
		if (st->s.p[st->s.list[i]].ppid == parent)
			kids[n++] = st->s.list[i];
	return n ? kids[r_below(st, (uint32_t)n)] : 0;
}

/* Returns false when the op could not have changed the engine (a const
 * call, or one that failed: failures must leave the state unchanged, and any
 * corruption would persist to the next check anyway). */
static bool r_op(struct rstate *st, struct eng *e)
{
	uint32_t dice = r_below(st, 100);
	int32_t v, w, c;
	int rc, want;
	bool changed = true;

	if (!st->snap_fresh)
		r_snap(e, &st->s);
	st->sum_n += st->s.n;
	st->sum_zombie += st->s.n - r_count_live(&st->s);
	eng_fx_clear(&FX);
	if (dice < 22) { /* fork */
		v = r_pick(st, true, r_below(st, 20) == 0);
		if (!v || r_count_live(&st->s) >= R_MAX_LIVE)
			return false;
		rc = eng_fork(e, v, &c, &FX);
		if (rc == -EAGAIN) {
			R_REQUIRE(r_all_ids_used(&st->s), "fork: EAGAIN with free ids");
			return false;
		}
		R_EQ(rc, 0);
		st->oracle_stopped[c] = false;
		if (r_below(st, 50) == 0)
			R_EQ(eng_fork_abort(e, c), 0);
	} else if (dice < 34) { /* exit */
		v = r_pick(st, true, false);
		if (v)
			r_check_exit(st, e, v);
		if (v)
			st->oracle_stopped[v] = false;
	} else if (dice < 52) { /* reap: mostly a zombie by its parent */
		v = r_below(st, 5) ? r_pick_zombie(st) : r_pick(st, false, false);
		if (!v)
			return false;
		w = r_below(st, 20) ? st->s.p[v].ppid : r_pick(st, false, true);
		want = st->s.p[v].state == ENG_P_ZOMBIE && w == st->s.p[v].ppid ? 0 : -ECHILD;
		rc = eng_reap(e, w, v, &FX);
		R_REQUIRE(rc == want, "reap(%d by %d) = %d, want %d", v, w, rc, want);
		changed = rc >= 0;
		R_EQ(t_count_ev(&FX, ENG_EV_ORPHAN), 0);
	} else if (dice < 57) { /* setsid */
		v = r_pick(st, false, true);
		want = ref_setsid(&st->s, v);
		rc = eng_setsid(e, v, &FX);
		R_REQUIRE(rc == want, "setsid(%d) = %d, want %d", v, rc, want);
		changed = rc >= 0;
		R_EQ(t_count_signals(&FX), 0);
	} else if (dice < 72) { /* setpgid */
		int32_t pid;

		v = r_below(st, 30) ? r_pick(st, true, r_below(st, 10) == 0) : r_pick(st, false, true);
		switch (r_below(st, 4)) {
		case 0: pid = 0; break;
		case 1: pid = v; break;
		case 2: pid = r_child_of(st, v); break;
		default: pid = r_pick(st, false, true); break;
		}
		w = r_pick_pgid(st, pid ? pid : v);
		want = ref_setpgid(&st->s, v, pid, w);
		rc = eng_setpgid(e, v, pid, w, &FX);
		R_REQUIRE(rc == want, "setpgid(%d by %d, %d) = %d, want %d", pid, v, w, rc, want);
		changed = rc >= 0;
		R_EQ(t_count_signals(&FX), 0);
	} else if (dice < 77) { /* kill */
		int sig = (int)r_below(st, 68) - 1;
		int32_t pid;

		v = r_below(st, 50) ? r_pick(st, false, true) : (int32_t)r_below(st, R_VPID_MAX);
		switch (r_below(st, 6)) {
		case 0: pid = 0; break;
		case 1: pid = -1; break;
		case 2: pid = r_below(st, 100) ? -st->s.p[r_pick(st, false, true)].pgid : INT32_MIN; break;
		case 3: pid = -(int32_t)r_below(st, R_VPID_MAX); break;
		default: pid = (int32_t)r_below(st, R_VPID_MAX); break;
		}
		if (pid == -1 && r_below(st, 2) == 0)
			pid = -st->s.p[1].pgid; /* kill(-1) never means group 1 */
		want = ref_kill(&st->s, v, pid, sig);
		rc = eng_kill(e, v, pid, sig, &FX);
		R_REQUIRE(rc == (want < 0 ? want : 0), "kill(%d, %d by %d) = %d, want %d", pid, sig, v, rc, want);
		if (rc == 0)
			R_REQUIRE(t_count_signals(&FX) == (size_t)want && FX.v[0].c == want,
				      "kill(%d, %d by %d): %zu targets, want %d", pid, sig, v,
				      t_count_signals(&FX), want);
	} else if (dice < 92) { /* stop / continue */
		bool stop = r_below(st, 10) < 7;

		v = r_pick(st, false, false);
		if (!v)
			return false;
		R_EQ(eng_set_stopped(e, v, stop, &FX), 0);
		if (st->s.p[v].state != ENG_P_ZOMBIE)
			st->oracle_stopped[v] = stop;
	} else if (dice < 97) { /* wait selector */
		static const int opts[] = { 0, WNOHANG, WUNTRACED | WNOHANG, WCONTINUED, (int)__WALL,
					    (int)__WCLONE, (int)(__WCLONE | __WALL), WEXITED, __WNOTHREAD };
		int32_t out[R_VPID_MAX];
		int o = opts[r_below(st, sizeof(opts) / sizeof(opts[0]))];
		int32_t sel;

		v = r_pick(st, false, true);
		switch (r_below(st, 5)) {
		case 0: sel = -1; break;
		case 1: sel = 0; break;
		case 2: sel = r_child_of(st, v); break;
		case 3: sel = -st->s.p[r_pick(st, false, true)].pgid; break;
		default: sel = (int32_t)r_below(st, R_VPID_MAX) - R_VPID_MAX / 2; break;
		}
		want = ref_wait(&st->s, v, sel, o);
		rc = eng_wait_select(e, v, sel, o, out, R_VPID_MAX);
		R_REQUIRE(rc == want, "wait(%d by %d, %#x) = %d, want %d", sel, v, o, rc, want);
		changed = false; /* eng_wait_select takes a const engine */
	} else { /* exec */
		v = r_pick(st, false, true);
		/* Zombies too: the mark can be learnt after the exit. */
		R_EQ(eng_exec(e, v, &FX), 0);
	}
	return changed;
}

static bool r_oracle(void *ctx, int32_t vpid, int64_t rpid)
{
	const struct rstate *st = ctx;

	(void)rpid;
	return vpid >= 1 && vpid <= R_VPID_MAX && st->oracle_stopped[vpid];
}

static uint64_t r_env_u64(const char *name, uint64_t dflt)
{
	const char *s = getenv(name);

	return s && *s ? strtoull(s, NULL, 0) : dflt;
}

static void r_run(bool use_oracle, unsigned long nops, uint64_t seed)
{
	static struct rstate st;
	struct eng_config cfg = { .vpid_max = R_VPID_MAX };

	memset(&st, 0, sizeof(st));
	st.rng = seed ? seed : 1;
	if (use_oracle) {
		cfg.is_stopped = r_oracle;
		cfg.ctx = &st;
	}
	eng_free(E);
	R_EQ(eng_new(&E, &cfg), 0);
	t_command(E);
	for (unsigned long i = 0; i < nops; i++) {
		char why[256];

		st.snap_fresh = !r_op(&st, E);
		if (!st.snap_fresh || i + 1 == nops)
			R_REQUIRE(eng_check(E, why, sizeof(why)) == 0, "op %lu: eng_check: %s", i, why);
	}
	fprintf(stderr, "random(%s, seed %#" PRIx64 "): %lu ops, mean population %llu (%llu zombies), %lu exits, "
		"orphans: %lu by parent exit, %lu by own exit\n",
		use_oracle ? "oracle" : "flags", seed, nops, st.sum_n / (nops ? nops : 1),
		st.sum_zombie / (nops ? nops : 1), st.exits,
		st.orphan_by_cause[ENG_ORPHAN_PARENT_EXIT], st.orphan_by_cause[ENG_ORPHAN_SELF_EXIT]);
	/* The mix must actually reach both rules, or the test proves little. */
	ck_assert_uint_ge(st.orphan_by_cause[ENG_ORPHAN_PARENT_EXIT], nops / 5000);
	ck_assert_uint_ge(st.orphan_by_cause[ENG_ORPHAN_SELF_EXIT], nops / 5000);
}

START_TEST(test_random_flags)
{
	r_run(false, (unsigned long)r_env_u64("JOBSHIM_RANDOM_OPS", R_DEFAULT_OPS),
	      r_env_u64("JOBSHIM_SEED", R_DEFAULT_SEED));
}
END_TEST

START_TEST(test_random_oracle)
{
	r_run(true, (unsigned long)r_env_u64("JOBSHIM_RANDOM_OPS", R_DEFAULT_OPS) / 5,
	      r_env_u64("JOBSHIM_SEED", R_DEFAULT_SEED) ^ 0x5a5a);
}
END_TEST

static Suite *random_suite(void)
{
	Suite *s = suite_create("random");
	TCase *tc = tcase_create("against reference models");

	tcase_add_checked_fixture(tc, t_setup, t_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_random_flags);
	tcase_add_test(tc, test_random_oracle);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	Suite *suites[] = { random_suite(), NULL };

	return t_run(suites);
}
