/* mview.c — publish the model view (shim/mview.h): every change of a process's ids, before the reply that reports it. */
#include "sup.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * The view is a sparse file in the run directory, 0644: readable by every
 * uid of the tree (they all know DIR), writable by us alone, so a tree
 * process that changed uid still reads it and none but the supervisor's
 * uid can forge it (one with our uid could ptrace us anyway).  Without
 * it (it could not be made, or --trace, which records every call) the
 * shims ask as before.
 *
 * mview_sync(vpid) copies vpid's ids from the engine into its entry; the
 * hooks call it after every engine operation that changes ids (effects.c:
 * the engine's FORK/EXIT/REAP/REPARENT/SETSID/SETPGID events; procs.c:
 * bind; fork aborts) -- always before the reply to the caller is sent,
 * and for event records before `applied` moves past them.
 *
 * Memory: only the pages holding live vpids are touched.  A count of
 * published entries per page lets us punch out a page whose processes are
 * all gone, so the view's resident size follows the live processes, not
 * every vpid ever handed out.  Except the page of the newest entry
 * (mvhot): vpids are handed out in rising order, so the next ones land
 * there.  Punching it out each time its one process went (a shell running
 * one command after another) cost a hole punch, a TLB shootdown on every
 * CPU that maps the view and a fresh zeroed page per process -- most of
 * fork+exit+wait's overhead.  It is released once a newer page is hot.
 */

#define MVIEW_NPAGES ((MVIEW_NVPID + MVIEW_PER_PAGE - 1) / MVIEW_PER_PAGE)

void mview_make(struct sup *s)
{
	char path[sizeof(s->dir) + sizeof("/" MVIEW_FILE)];
	void *m;
	int fd;

	s->mv = NULL;
	s->mvfd = -1;
	if (s->opt.trace || !s->dir[0])
		return;
	snprintf(path, sizeof(path), "%s/" MVIEW_FILE, s->dir);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	/* The header is written at once: memory behind it now (rundir_reserve). */
	if (fchmod(fd, 0644) < 0 || ftruncate(fd, (off_t)MVIEW_SIZE) < 0 || !rundir_reserve(fd, 0, MVIEW_HEAD)) {
		close(fd);
		unlink(path);
		return;
	}
	m = mmap(NULL, MVIEW_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	s->mvpage = calloc(MVIEW_NPAGES, sizeof(*s->mvpage));
	if (m == MAP_FAILED || !s->mvpage) {
		if (m != MAP_FAILED)
			munmap(m, MVIEW_SIZE);
		free(s->mvpage);
		s->mvpage = NULL;
		close(fd);
		unlink(path);
		return;
	}
	s->mv = m;
	s->mvfd = fd;
	s->mvhot = -1;
	mview_head(m)->sup_rpid = s->self_rpid;
	mview_head(m)->magic = MVIEW_MAGIC; /* init is published once the engine exists (run.c) */
}

void mview_remove(struct sup *s)
{
	char path[sizeof(s->dir) + sizeof("/" MVIEW_FILE)];

	if (!s->mv)
		return;
	/* Readers left behind (--keep) must not trust a view no one updates. */
	mview_head(s->mv)->magic = 0;
	munmap(s->mv, MVIEW_SIZE);
	close(s->mvfd);
	free(s->mvpage);
	s->mv = NULL;
	s->mvfd = -1;
	s->mvpage = NULL;
	snprintf(path, sizeof(path), "%s/" MVIEW_FILE, s->dir);
	unlink(path);
}

/* The rpid vpid's real parent has while its virtual parent is `ppid`. */
static int32_t parent_rpid(struct sup *s, int32_t ppid)
{
	int64_t r;

	if (ppid == 1)
		return s->self_rpid;
	r = ppid > 1 ? eng_vpid_to_rpid(s->eng, ppid) : 0;
	return r > 0 ? (int32_t)r : 0;
}

static uint64_t ent_off(int32_t vpid)
{
	return MVIEW_ENTS_OFF + (uint64_t)(vpid / MVIEW_PER_PAGE) * 4096;
}

static uint64_t rev_off(int32_t rpid)
{
	return (MVIEW_REV_OFF + (uint64_t)rpid * 4) & ~4095ull;
}

/* The page at off, backed and marked so (shim/mview.h: readers touch only
 * marked pages); false: no memory for it, leave it unpublished. */
static bool page_back(struct sup *s, uint64_t off)
{
	if (mview_backed(s->mv, off))
		return true;
	if (!rundir_reserve(s->mvfd, off, 4096))
		return false;
	mview_set_backed(s->mv, off, true);
	return true;
}

/* Drop a page whose entries are all unpublished: its memory returns to the
 * system (a reader finds its bit clear: "not published", ask). */
static void page_release(struct sup *s, int32_t vpid)
{
	mview_set_backed(s->mv, ent_off(vpid), false);
	(void)fallocate(s->mvfd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)ent_off(vpid), 4096);
}

void mview_sync(struct sup *s, int32_t vpid)
{
	struct mview_ids old, v = {0};
	struct eng_pinfo pi;
	bool had, has;

	if (!s->mv || vpid <= 0 || vpid >= MVIEW_NVPID)
		return;
	/* Counted whether or not the entry can be published (the count says
	 * "the model may have changed", shim/kill.c). */
	atomic_fetch_add_explicit(&mview_head(s->mv)->changes, 1, memory_order_release);
	had = mview_read(s->mv, vpid, &old);
	if (eng_info(s->eng, vpid, &pi) == 0) {
		v.state = pi.state == ENG_P_ZOMBIE ? MVIEW_ZOMBIE : MVIEW_LIVE;
		v.ppid = pi.ppid;
		v.pgid = pi.pgid;
		v.sid = pi.sid;
		v.rpid = pi.rpid > 0 && pi.rpid < MVIEW_NRPID ? (int32_t)pi.rpid : 0;
		v.prpid = parent_rpid(s, pi.ppid);
	}
	has = v.state != MVIEW_NONE;
	if (had && memcmp(&old, &v, sizeof(v)) == 0)
		return;
	if (!had && !has)
		return;
	if (!had && !page_back(s, ent_off(vpid)))
		return; /* unpublished: readers ask */
	mview_write(s->mv, vpid, &v);
	/* The reverse word: readers check it against the entry, so the order
	 * of the two stores does not matter; a stale word is cleared.  A
	 * word whose page could not be backed is not written (readers ask). */
	if (had && old.rpid > 0 && old.rpid != v.rpid && mview_backed(s->mv, rev_off(old.rpid)) &&
	    atomic_load_explicit(mview_rev(s->mv, old.rpid), memory_order_relaxed) == vpid)
		atomic_store_explicit(mview_rev(s->mv, old.rpid), 0, memory_order_release);
	if (v.rpid > 0 && page_back(s, rev_off(v.rpid)))
		atomic_store_explicit(mview_rev(s->mv, v.rpid), vpid, memory_order_release);
	if (had != has) {
		int32_t page = vpid / MVIEW_PER_PAGE;
		uint16_t *n = &s->mvpage[page];
		if (has) {
			(*n)++;
			if (page != s->mvhot) {
				if (s->mvhot >= 0 && s->mvpage[s->mvhot] == 0)
					page_release(s, s->mvhot * MVIEW_PER_PAGE);
				s->mvhot = page;
			}
		} else if (--*n == 0 && page != s->mvhot)
			page_release(s, vpid);
	}
}

/* After a bind: vpid, and prev, a zombie whose rpid the engine gave to vpid
 * (the pid was reused). */
void mview_sync_bind(struct sup *s, int32_t vpid, int32_t prev)
{
	mview_sync(s, vpid);
	if (prev > 1 && prev != vpid)
		mview_sync(s, prev);
}

uint32_t mview_posted(struct sup *s)
{
	if (!s->mv || !s->vc)
		return 0;
	return atomic_load_explicit(&s->vc->ev_posted, memory_order_acquire);
}

void mview_applied(struct sup *s, uint32_t snap)
{
	if (s->mv)
		atomic_store_explicit(&mview_head(s->mv)->applied, snap, memory_order_release);
}
