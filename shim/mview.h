/* mview.h — the model view: the supervisor's read-only, lock-free copy of every process's ids, shared with the shims. */
#ifndef JOBSHIM_MVIEW_H
#define JOBSHIM_MVIEW_H

/*
 * Reads of the model (getpgid, getsid, getppid, kill(pid, 0), vpid <-> rpid
 * translation) cost a round trip each (~20 µs) when asked of the
 * supervisor.  Instead the supervisor publishes the answers in the file
 * MVIEW_FILE beside its socket (mode 0644: every uid of the tree may read
 * it, only the supervisor writes it), mapped MAP_SHARED, PROT_READ, by the
 * shims.  docs/internals.md ("The model view") argues why a read is never
 * staler than Linux allows.
 *
 * Layout: two header pages, then one 32-byte entry per vpid (index = vpid,
 * 0..MVIEW_NVPID-1), then one 32-bit word per real pid (index = rpid)
 * naming the vpid bound to it.  The file is sparse: only pages of live
 * processes are ever touched, and the supervisor punches out a page of
 * entries once every vpid in it is gone (supervisor/mview.c).
 *
 * The header holds a bitmap of the pages that have memory behind them
 * (`backed`, one bit per page of the file).  A reader touches a page only
 * when its bit is set; a clear bit reads as "not published".  Why: the
 * file lives on a tmpfs (/dev/shm) where a read fault on a hole allocates
 * a page, so a reader probing vpids or rpids nobody published would fill
 * the file system with zero pages, and a fault that finds it full is a
 * SIGBUS.  The supervisor reserves a page (fallocate) before it sets the
 * bit and clears the bit before it punches the page out; a reader that
 * loses that race re-creates one page of zeros, which reads as "not
 * published" and goes when the page is next released.
 *
 * One writer (the supervisor's single thread), any number of readers.  An
 * entry is a seqlock: seq is odd while the writer changes it; a reader
 * retries while seq is odd or changed under it.  An entry with state 0
 * is "not published": the reader must ask the supervisor (a process the
 * view does not show may still exist: its parent's BIND may be unread).
 *
 * The functions here are pure (no system calls): a vfork child, a signal
 * handler and the unit test (tests/unit/test_mview.c) use them.
 */

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define MVIEW_FILE "mview"
#define MVIEW_MAGIC 0x3277766d6a73ull /* "jsmvw2", little-endian */
#define MVIEW_NVPID (4194304 + 1)     /* vpids 0..SUP_VPID_MAX */
#define MVIEW_NRPID 4194304           /* real pids 0..PID_MAX_LIMIT-1 */
#define MVIEW_HEAD 8192
#define MVIEW_ENT_SIZE 32
#define MVIEW_ENTS_OFF MVIEW_HEAD
/* Page-aligned: punching out a page of entries never touches the reverse words. */
#define MVIEW_REV_OFF ((MVIEW_ENTS_OFF + (uint64_t)MVIEW_NVPID * MVIEW_ENT_SIZE + 4095) & ~4095ull)
#define MVIEW_SIZE ((MVIEW_REV_OFF + (uint64_t)MVIEW_NRPID * 4 + 4095) & ~4095ull)
#define MVIEW_PER_PAGE (4096 / MVIEW_ENT_SIZE)
#define MVIEW_NPAGE (MVIEW_SIZE / 4096)
#define MVIEW_BACKED_OFF 64 /* the bitmap's offset in the header */
_Static_assert(MVIEW_BACKED_OFF + (MVIEW_NPAGE + 63) / 64 * 8 <= MVIEW_HEAD, "the bitmap fits the header");
#define MVIEW_TRIES 1000 /* seqlock retries before a reader asks instead */

/* The header.  applied: the value of the shared counter ev_posted
 * (proto.h) that the view includes: every event record counted there has
 * been applied and published.  A reader trusts the view only when
 * ev_posted == applied and no one-way message went on a connection
 * (oneway_sock == 0): otherwise news the view may lack is on its way. */
struct mview_head {
	uint64_t magic;
	_Atomic uint32_t applied;
	int32_t sup_rpid; /* the supervisor (vpid 1) */
	/* Changes, counted: one more each time the supervisor brings a
	 * process's entry up to date (whether or not it can publish it), and
	 * sent in KILL replies.  Unchanged between a reply and a read of the
	 * fresh view: the model changed nothing since (shim/kill.c). */
	_Atomic uint32_t changes;
};
_Static_assert(sizeof(struct mview_head) <= MVIEW_BACKED_OFF, "the bitmap follows the head");

enum mview_state {
	MVIEW_NONE = 0,     /* not published: ask */
	MVIEW_LIVE = 'R',   /* running or stopped */
	MVIEW_ZOMBIE = 'Z', /* exited, not reaped */
};

/* One process.  prpid: the real pid its real parent has while ppid is
 * right -- the virtual parent's rpid (the supervisor's for ppid 1), 0 if
 * unknown.  A reader whose real parent is another knows the view has not
 * yet heard of its parent's exit. */
struct mview_ent {
	_Atomic uint32_t seq;
	_Atomic uint32_t state;
	_Atomic int32_t ppid, pgid, sid, rpid, prpid;
	uint32_t pad;
};
_Static_assert(sizeof(struct mview_ent) == MVIEW_ENT_SIZE, "entry size");

/* What a reader copies out of an entry. */
struct mview_ids {
	uint32_t state;
	int32_t ppid, pgid, sid, rpid, prpid;
};

static inline struct mview_head *mview_head(void *map)
{
	return (struct mview_head *)map;
}

/* The word of the `backed` bitmap holding the bit of the page at byte offset off. */
static inline _Atomic uint64_t *mview_backed_word(void *map, uint64_t off)
{
	return (_Atomic uint64_t *)((char *)map + MVIEW_BACKED_OFF) + off / 4096 / 64;
}

static inline bool mview_backed(void *map, uint64_t off)
{
	return atomic_load_explicit(mview_backed_word(map, off), memory_order_acquire) >> (off / 4096 % 64) & 1;
}

/* Writer: mark the page at off backed (after reserving it) or not (before punching it). */
static inline void mview_set_backed(void *map, uint64_t off, bool backed)
{
	uint64_t bit = 1ull << (off / 4096 % 64);

	if (backed)
		atomic_fetch_or_explicit(mview_backed_word(map, off), bit, memory_order_release);
	else
		atomic_fetch_and_explicit(mview_backed_word(map, off), ~bit, memory_order_release);
}

static inline struct mview_ent *mview_ent(void *map, int32_t vpid)
{
	return (struct mview_ent *)((char *)map + MVIEW_ENTS_OFF) + vpid;
}

static inline _Atomic int32_t *mview_rev(void *map, int32_t rpid)
{
	return (_Atomic int32_t *)((char *)map + MVIEW_REV_OFF) + rpid;
}

/* Writer: publish ids (state MVIEW_NONE clears the entry). */
static inline void mview_write(void *map, int32_t vpid, const struct mview_ids *v)
{
	struct mview_ent *e = mview_ent(map, vpid);
	uint32_t s = atomic_load_explicit(&e->seq, memory_order_relaxed);

	atomic_store_explicit(&e->seq, s + 1, memory_order_relaxed);
	/* The odd seq is visible before any field changes. */
	atomic_thread_fence(memory_order_release);
	atomic_store_explicit(&e->state, v->state, memory_order_relaxed);
	atomic_store_explicit(&e->ppid, v->ppid, memory_order_relaxed);
	atomic_store_explicit(&e->pgid, v->pgid, memory_order_relaxed);
	atomic_store_explicit(&e->sid, v->sid, memory_order_relaxed);
	atomic_store_explicit(&e->rpid, v->rpid, memory_order_relaxed);
	atomic_store_explicit(&e->prpid, v->prpid, memory_order_relaxed);
	atomic_store_explicit(&e->seq, s + 2, memory_order_release);
}

/* Reader: a consistent copy of entry e: 1, or 0 when it is not published
 * (state MVIEW_NONE), -1 when the writer stayed inside it (ask instead). */
static inline int mview_read_ent(struct mview_ent *e, struct mview_ids *out)
{
	uint32_t s1, s2;

	/* The writer is inside for a few stores, unless it was preempted
	 * there: then give up and ask it (a round trip) rather than spin. */
	for (int tries = 0; tries < MVIEW_TRIES; tries++) {
		s1 = atomic_load_explicit(&e->seq, memory_order_acquire);
		if (s1 & 1)
			continue;
		out->state = atomic_load_explicit(&e->state, memory_order_relaxed);
		out->ppid = atomic_load_explicit(&e->ppid, memory_order_relaxed);
		out->pgid = atomic_load_explicit(&e->pgid, memory_order_relaxed);
		out->sid = atomic_load_explicit(&e->sid, memory_order_relaxed);
		out->rpid = atomic_load_explicit(&e->rpid, memory_order_relaxed);
		out->prpid = atomic_load_explicit(&e->prpid, memory_order_relaxed);
		/* The field loads complete before seq is read again. */
		atomic_thread_fence(memory_order_acquire);
		s2 = atomic_load_explicit(&e->seq, memory_order_relaxed);
		if (s1 == s2)
			return out->state != MVIEW_NONE;
	}
	return -1;
}

/* Reader: a consistent copy of vpid's entry; false when vpid is out of
 * range or the entry is not published (state MVIEW_NONE). */
static inline bool mview_read(void *map, int32_t vpid, struct mview_ids *out)
{
	struct mview_ent *e;

	if (vpid <= 0 || vpid >= MVIEW_NVPID)
		return false;
	e = mview_ent(map, vpid);
	if (!mview_backed(map, (uint64_t)((char *)e - (char *)map)))
		return false;
	return mview_read_ent(e, out) == 1;
}

/*
 * Reader: the live members of group pgid (pgid > 1), found by reading
 * every entry on the backed pages of entries: their real pids go to
 * rpids[0..max), their number is returned.  -1 when the view cannot say:
 * more than max_pages pages of entries are backed (a large tree: a
 * round trip is cheaper than the scan), more than max members, a member
 * not bound to a real pid yet, or an entry its writer stayed inside.
 * Zombies are left out: the kernel's group still holds them, and a
 * signal to one changes nothing.  The caller trusts the answer only if
 * the view was fresh when it began (shim/mview.c).
 */
static inline int mview_group_rpids(void *map, int32_t pgid, int32_t *rpids, int max, int max_pages)
{
	const uint64_t first = MVIEW_ENTS_OFF / 4096, last = (MVIEW_ENTS_OFF + (uint64_t)MVIEW_NVPID * MVIEW_ENT_SIZE - 1) / 4096;
	_Atomic uint64_t *words = (_Atomic uint64_t *)((char *)map + MVIEW_BACKED_OFF);
	int n = 0, pages = 0;

	for (uint64_t w = first / 64; w <= last / 64; w++) {
		uint64_t bits = atomic_load_explicit(&words[w], memory_order_acquire);
		while (bits != 0) {
			uint64_t page = w * 64 + (uint64_t)__builtin_ctzll(bits);
			bits &= bits - 1;
			if (page < first || page > last)
				continue;
			if (++pages > max_pages)
				return -1;
			int64_t v0 = (int64_t)((page * 4096 - MVIEW_ENTS_OFF) / MVIEW_ENT_SIZE);
			for (int64_t v = v0; v < v0 + MVIEW_PER_PAGE && v < MVIEW_NVPID; v++) {
				struct mview_ids e;
				int got;
				if (v <= 1)
					continue; /* 0 names nothing, 1 is init: in no tree group */
				got = mview_read_ent(mview_ent(map, (int32_t)v), &e);
				if (got < 0)
					return -1;
				if (got == 0 || e.state != MVIEW_LIVE || e.pgid != pgid)
					continue;
				if (e.rpid <= 0 || n == max)
					return -1;
				rpids[n++] = e.rpid;
			}
		}
	}
	return n;
}

/* Reader: the vpid bound to real pid rpid, 0 when the view cannot say.
 * The reverse word is checked against the entry it names, so a stale word
 * (its process gone, or the rpid rebound) reads as "cannot say". */
static inline int32_t mview_r2v(void *map, int32_t rpid)
{
	struct mview_ids v;
	int32_t vpid;

	if (rpid <= 0 || rpid >= MVIEW_NRPID ||
	    !mview_backed(map, (uint64_t)((char *)mview_rev(map, rpid) - (char *)map)))
		return 0;
	vpid = atomic_load_explicit(mview_rev(map, rpid), memory_order_acquire);
	if (vpid <= 0 || !mview_read(map, vpid, &v) || v.rpid != rpid)
		return 0;
	return vpid;
}

#endif
