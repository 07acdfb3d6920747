/* eng.c — engine lifecycle, allocation accounting, statistics and the consistency check. */
#include "eng_internal.h"

#include <stdio.h>
#include <stdlib.h>

/* ---- allocation --------------------------------------------------------- */

size_t eng_chunk_size(size_t size)
{
	/* glibc malloc: 8-byte header, 16-byte granularity, 32-byte minimum.
	 * An estimate, but it makes "bytes per process" honest. */
	size_t c = (size + 8 + 15) & ~(size_t)15;

	return c < 32 ? 32 : c;
}

bool eng_alloc_should_fail(struct eng *e)
{
	if (e->fail_in == 0)
		return false;
	return --e->fail_in == 0;
}

void *eng_alloc(struct eng *e, size_t size)
{
	void *p;

	if (eng_alloc_should_fail(e))
		return NULL;
	p = malloc(size);
	if (p)
		e->bytes += eng_chunk_size(size);
	return p;
}

void eng_release(struct eng *e, void *ptr, size_t size)
{
	if (!ptr)
		return;
	e->bytes -= eng_chunk_size(size);
	free(ptr);
}

void eng_debug_fail_alloc(struct eng *e, unsigned nth)
{
	e->fail_in = nth;
}

/* ---- lifecycle ---------------------------------------------------------- */

int eng_new(struct eng **out, const struct eng_config *cfg)
{
	struct eng *e;
	int32_t vmax = cfg && cfg->vpid_max ? cfg->vpid_max : ENG_VPID_MAX_DEFAULT;
	int rc;

	*out = NULL;
	if (vmax < ENG_VPID_MAX_MIN || vmax > INT32_MAX / 2)
		return -EINVAL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->bytes = eng_chunk_size(sizeof(*e));
	e->vpid_max = vmax;
	e->is_stopped = cfg ? cfg->is_stopped : NULL;
	e->orphan_hup_all = cfg ? cfg->orphan_hup_all : NULL;
	e->id_busy = cfg ? cfg->id_busy : NULL;
	e->ctx = cfg ? cfg->ctx : NULL;
	e->next_vpid = 2;
	rc = proc_make_init(e);
	if (rc < 0) {
		eng_free(e);
		return rc;
	}
	*out = e;
	return 0;
}

void eng_free(struct eng *e)
{
	if (!e)
		return;
	proc_free_all(e);
	free(e);
}

/* ---- statistics --------------------------------------------------------- */

void eng_stats(const struct eng *e, struct eng_stats *out)
{
	out->nproc = e->nproc;
	out->ngrp = e->ngrp;
	out->nsess = e->nsess;
	out->nzombie = e->nzombie;
	out->bytes = e->bytes;
}

/* ---- consistency check ---------------------------------------------------- */

#define CHECK_FAIL(...)                                        \
	do {                                                   \
		if (why && whylen)                             \
			snprintf(why, whylen, __VA_ARGS__);    \
		rc = -EINVAL;                                  \
		goto out;                                      \
	} while (0)

static int check_cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

/* Heap bytes of a uthash table as uthash allocated them. */
static size_t check_table_bytes(const UT_hash_table *t)
{
	if (!t)
		return 0;
	return eng_chunk_size(sizeof(*t)) + eng_chunk_size(t->num_buckets * sizeof(UT_hash_bucket));
}

int eng_check(const struct eng *e, char *why, size_t whylen)
{
	const struct proc *p, *q, *tmp;
	const struct pgrp *g, *gtmp;
	const struct session *s, *stmp;
	size_t nproc = 0, nzombie = 0, nbound = 0, nkids = 0, nmem = 0, ngrp = 0, nsess = 0, i, j;
	size_t bytes;
	int32_t *sids = NULL;
	int rc = 0;

	if (why && whylen)
		why[0] = '\0';
	if (!e->init || e->init->vpid != ENG_VPID_INIT || e->init->parent || e->init->zombie ||
	    e->init->pgrp->vpgid != ENG_VPID_INIT || e->init->pgrp->sess->vsid != ENG_VPID_INIT ||
	    e->init->subreaper)
		CHECK_FAIL("init is not vpid 1 in group 1 of session 1, parentless, alive, no subreaper");
	/* 1 after ns_last_pid was written 0 (eng_set_last_pid): init holds 1,
	 * so the next fork takes the lowest free id above it, as Linux's. */
	if (e->next_vpid < 1 || e->next_vpid > e->vpid_max + 1)
		CHECK_FAIL("next_vpid %d out of [1, %d]", e->next_vpid, e->vpid_max + 1);

	/* Processes: keys, links, flags. */
	HASH_ITER(hh, e->procs, p, tmp) {
		nproc++;
		if (p->vpid < 1 || p->vpid > e->vpid_max)
			CHECK_FAIL("vpid %d out of range", p->vpid);
		if (proc_find(e, p->vpid) != p)
			CHECK_FAIL("vpid %d not found by its key", p->vpid);
		if (!p->pgrp || pgrp_find(e, p->pgrp->vpgid) != p->pgrp)
			CHECK_FAIL("vpid %d has no registered group", p->vpid);
		if ((p->parent == NULL) != (p == e->init))
			CHECK_FAIL("vpid %d: only init may lack a parent", p->vpid);
		if (p->parent && (proc_find(e, p->parent->vpid) != p->parent || p->parent->zombie))
			CHECK_FAIL("vpid %d: parent %d unknown or a zombie", p->vpid, p->parent->vpid);
		if (p->zombie) {
			nzombie++;
			if (p->stopped || p->nchildren || p->children)
				CHECK_FAIL("zombie %d is stopped or has children", p->vpid);
		}
		if (p->exit_mark)
			CHECK_FAIL("vpid %d: exit scratch mark left set", p->vpid);
		if (p->rpid < 0)
			CHECK_FAIL("vpid %d: negative rpid", p->vpid);
		if (p->rpid) {
			nbound++;
			if (proc_find_rpid(e, p->rpid) != p)
				CHECK_FAIL("vpid %d: rpid %lld not mapped back", p->vpid, (long long)p->rpid);
		}
		/* Children: well-formed list, back-links, cached length. */
		i = 0;
		for (q = p->children; q; q = q->sib_next) {
			if (++i > e->nproc)
				CHECK_FAIL("vpid %d: children list does not end", p->vpid);
			if (q->parent != p)
				CHECK_FAIL("vpid %d listed as child of %d but its parent differs", q->vpid, p->vpid);
			if (q->sib_next ? q->sib_next->sib_prev != q : p->children->sib_prev != q)
				CHECK_FAIL("vpid %d: broken children links", p->vpid);
		}
		if (i != p->nchildren)
			CHECK_FAIL("vpid %d: nchildren %u, recount %zu", p->vpid, p->nchildren, i);
		nkids += i;
		/* A session or group named after a live process is that process's. */
		s = session_find(e, p->vpid);
		if (s && (p->pgrp->sess != s || p->pgrp->vpgid != p->vpid))
			CHECK_FAIL("session %d exists but process %d is not its leader", p->vpid, p->vpid);
		g = pgrp_find(e, p->vpid);
		if (g && g->sess != p->pgrp->sess)
			CHECK_FAIL("group %d is in session %d, process %d in %d", p->vpid, g->sess->vsid,
				   p->vpid, p->pgrp->sess->vsid);
	}
	if (nproc != e->nproc || nzombie != e->nzombie || nbound != e->nbound)
		CHECK_FAIL("counts: nproc %zu/%zu nzombie %zu/%zu nbound %zu/%zu", e->nproc, nproc,
			   e->nzombie, nzombie, e->nbound, nbound);
	if (nkids != nproc - 1)
		CHECK_FAIL("%zu processes are somebody's child, expected %zu", nkids, nproc - 1);
	/* rpid table: every entry is a bound process under its own key. */
	i = 0;
	HASH_ITER(hr, e->by_rpid, p, tmp) {
		i++;
		if (p->rpid == 0 || proc_find(e, p->vpid) != p)
			CHECK_FAIL("rpid table holds an unbound or unknown process %d", p->vpid);
	}
	if (i != nbound)
		CHECK_FAIL("rpid table has %zu entries, %zu bound processes", i, nbound);

	/* Groups: members, cached sizes, sessions. */
	HASH_ITER(hh, e->pgrps, g, gtmp) {
		ngrp++;
		if (!g->sess || session_find(e, g->sess->vsid) != g->sess)
			CHECK_FAIL("group %d has no registered session", g->vpgid);
		if (g->nmembers == 0 || !g->members)
			CHECK_FAIL("group %d is empty", g->vpgid);
		i = 0;
		for (q = g->members; q; q = q->mem_next) {
			if (++i > e->nproc)
				CHECK_FAIL("group %d: member list does not end", g->vpgid);
			if (q->pgrp != g)
				CHECK_FAIL("vpid %d listed in group %d but points elsewhere", q->vpid, g->vpgid);
			if (q->mem_next ? q->mem_next->mem_prev != q : g->members->mem_prev != q)
				CHECK_FAIL("group %d: broken member links", g->vpgid);
		}
		if (i != g->nmembers)
			CHECK_FAIL("group %d: nmembers %u, recount %zu", g->vpgid, g->nmembers, i);
		nmem += i;
	}
	if (ngrp != e->ngrp)
		CHECK_FAIL("ngrp %zu, recount %zu", e->ngrp, ngrp);
	if (nmem != nproc)
		CHECK_FAIL("%zu group members for %zu processes", nmem, nproc);

	/* Sessions: recount groups per session by sorting the groups' vsids. */
	sids = malloc((ngrp ? ngrp : 1) * sizeof(*sids));
	if (!sids) {
		if (why && whylen)
			snprintf(why, whylen, "out of memory");
		return -ENOMEM;
	}
	i = 0;
	HASH_ITER(hh, e->pgrps, g, gtmp)
		sids[i++] = g->sess->vsid;
	qsort(sids, ngrp, sizeof(*sids), check_cmp_i32);
	HASH_ITER(hh, e->sessions, s, stmp) {
		nsess++;
		if (s->ngroups == 0)
			CHECK_FAIL("session %d is empty", s->vsid);
	}
	if (nsess != e->nsess)
		CHECK_FAIL("nsess %zu, recount %zu", e->nsess, nsess);
	for (i = 0, j = 0; i < ngrp; i = j) {
		while (j < ngrp && sids[j] == sids[i])
			j++;
		s = session_find(e, sids[i]);
		if (!s || s->ngroups != j - i)
			CHECK_FAIL("session %d: ngroups %u, recount %zu", sids[i], s ? s->ngroups : 0, j - i);
	}

	/* The vpid-ordered list holds every process once, increasing. */
	i = 0;
	for (q = e->ordered; q; q = q->ord_next) {
		if (++i > nproc)
			CHECK_FAIL("ordered list longer than the process table");
		if (q->ord_next && q->ord_next->vpid <= q->vpid)
			CHECK_FAIL("ordered list not increasing at %d", q->vpid);
		if (q->ord_next ? q->ord_next->ord_prev != q : e->ordered->ord_prev != q)
			CHECK_FAIL("ordered list: broken links at %d", q->vpid);
		if (proc_find(e, q->vpid) != q)
			CHECK_FAIL("ordered list holds unknown %d", q->vpid);
	}
	if (i != nproc)
		CHECK_FAIL("ordered list has %zu of %zu processes", i, nproc);

	/* Byte accounting equals a recomputation from the records. */
	bytes = eng_chunk_size(sizeof(struct eng)) + nproc * eng_chunk_size(sizeof(struct proc)) +
		ngrp * eng_chunk_size(sizeof(struct pgrp)) + nsess * eng_chunk_size(sizeof(struct session)) +
		check_table_bytes(e->procs ? e->procs->hh.tbl : NULL) +
		check_table_bytes(e->by_rpid ? e->by_rpid->hr.tbl : NULL) +
		check_table_bytes(e->pgrps ? e->pgrps->hh.tbl : NULL) +
		check_table_bytes(e->sessions ? e->sessions->hh.tbl : NULL);
	if (bytes != e->bytes)
		CHECK_FAIL("bytes %zu, recomputed %zu", e->bytes, bytes);
out:
	free(sids);
	return rc;
}
