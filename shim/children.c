/* children.c — lock-free table of this image's children (vpid <-> rpid), signal-safe. */
#include "shim.h"

#include <stdatomic.h>

/* A slot is one 64-bit atomic: (vpid << 32) | rpid, 0 = free.  Writers
 * claim with compare-and-swap, readers see a whole entry or none, so the
 * table is usable from signal handlers and threads without a lock.  A full
 * table only means lookups go to the view or the supervisor (XLATE).
 *
 * The first CHILD_HOT_SLOTS share the fork page (SHIM_HOT_TAIL): a program
 * with a few children at a time writes no other page.  The rest is .bss,
 * touched only by a program with more children alive at once.  (With a
 * table of 512, `scale conc 1000` asked the supervisor the vpid of 488 of
 * the 1,000 children it reaped: the view does not answer while event
 * records of the caller's own forks and reaps are still unapplied.)
 * Scans stop at `used`, the slots claimed since the table was last
 * cleared: a miss (every fork looks its pid up first) reads a few slots,
 * not the whole table. */
#define CHILD_HOT_SLOTS 496 /* 4 KiB less the fork variables, and room for the start data to stay on its page (hot.ld) */
#define CHILD_SLOTS 8192

static SHIM_HOT_TAIL _Atomic uint64_t slots[CHILD_HOT_SLOTS];
static _Atomic uint64_t more_slots[CHILD_SLOTS - CHILD_HOT_SLOTS];
/* Slots [0, used) may hold entries.  May pass CHILD_SLOTS by the adds that
 * raced for the last slots: readers clamp (nused). */
static SHIM_HOT atomic_int used;
/* The real pid the table belongs to.  A fork child inherits its parent's
 * children: they are dropped on its first use of the table, not at the
 * fork -- most fork children exec at once, and clearing the table there
 * would cost them page copies for nothing. */
static SHIM_HOT _Atomic pid_t owner;

static _Atomic uint64_t *slot(int i)
{
	return i < CHILD_HOT_SLOTS ? &slots[i] : &more_slots[i - CHILD_HOT_SLOTS];
}

static int nused(void)
{
	int n = atomic_load_explicit(&used, memory_order_acquire);

	return n < CHILD_SLOTS ? n : CHILD_SLOTS;
}

static void clear(void)
{
	int n = nused();

	for (int i = 0; i < n; i++)
		atomic_store_explicit(slot(i), 0, memory_order_relaxed);
	atomic_store_explicit(&used, 0, memory_order_release);
}

/* The table, made ours if it was inherited (the cached real pid: no
 * system call; shim_self_install sets it in a fork child). */
static void own_table(void)
{
	pid_t me = shim_mem_rpid();

	if (atomic_load_explicit(&owner, memory_order_acquire) != me) {
		clear();
		atomic_store_explicit(&owner, me, memory_order_release);
	}
}

static uint64_t pack(pid_t vpid, pid_t rpid)
{
	return ((uint64_t)(uint32_t)vpid << 32) | (uint32_t)rpid;
}

static pid_t slot_vpid(uint64_t s)
{
	return (pid_t)(uint32_t)(s >> 32);
}

static pid_t slot_rpid(uint64_t s)
{
	return (pid_t)(uint32_t)s;
}

#define KEY_RPID 0xffffffffull
#define KEY_VPID 0xffffffff00000000ull

/* The first slot at or after `from` whose bits under `key` are `want`
 * (an rpid or a vpid: never 0, so a free slot never matches), or -1; the
 * entry as read in *got (read again, it may have changed).  The two arrays
 * are scanned apart: no test of the index per slot.  With 1,000 children
 * alive these scans (then through slot(), and twice per fork) were nine
 * tenths of the parent's own instructions (callgrind, `scale conc 1000`). */
static int find(uint64_t key, uint64_t want, int from, uint64_t *got)
{
	int n = nused(), hot = n < CHILD_HOT_SLOTS ? n : CHILD_HOT_SLOTS;
	uint64_t s;

	for (int i = from; i < hot; i++)
		if (((s = atomic_load_explicit(&slots[i], memory_order_acquire)) & key) == want) {
			*got = s;
			return i;
		}
	for (int i = (from > CHILD_HOT_SLOTS ? from : CHILD_HOT_SLOTS) - CHILD_HOT_SLOTS;
	     i < n - CHILD_HOT_SLOTS; i++)
		if (((s = atomic_load_explicit(&more_slots[i], memory_order_acquire)) & key) == want) {
			*got = s;
			return i + CHILD_HOT_SLOTS;
		}
	return -1;
}

/* The slot r2v found last: the reap that follows deletes that entry. */
static SHIM_HOT atomic_int last_hit;

/* Remove rpid's entry.  There is at most one: an add removes a stale one
 * first, and the kernel hands a pid to one child at a time. */
static void del_entry(pid_t rpid)
{
	int i = atomic_load_explicit(&last_hit, memory_order_relaxed);
	uint64_t s = 0;

	for (;;) {
		if (i >= 0 && i < nused())
			s = atomic_load_explicit(slot(i), memory_order_acquire);
		if (i < 0 || i >= nused() || slot_rpid(s) != rpid)
			i = find(KEY_RPID, (uint32_t)rpid, 0, &s);
		if (i < 0)
			return;
		if (atomic_compare_exchange_strong(slot(i), &s, 0))
			return;
		i = -1; /* changed meanwhile: look again */
	}
}

/* shim_child_add's pass over a[0, n) (slot numbers base + i): empties an
 * entry of rpid, notes the first free slot in *free_at. */
static void purge_pass(_Atomic uint64_t *a, int base, int n, pid_t rpid, int *free_at)
{
	for (int i = 0; i < n; i++) {
		uint64_t s = atomic_load_explicit(&a[i], memory_order_relaxed);
		if (s == 0) {
			if (*free_at < 0)
				*free_at = base + i;
		} else if (slot_rpid(s) == rpid && atomic_compare_exchange_strong(&a[i], &s, 0) &&
			   *free_at < 0) {
			*free_at = base + i;
		}
	}
}

void shim_child_add(pid_t vpid, pid_t rpid)
{
	uint64_t want = pack(vpid, rpid);
	int free_at = -1;

	if (shim_vf.active)
		return; /* the table is the vfork parent's */
	if (vpid <= 0 || rpid <= 0)
		return;
	shim_self_parented(vpid);
	own_table();
	/* One pass: a pid reused by the kernel replaces a stale entry (its
	 * reap was not seen by us: e.g. reaped through the raw syscall), and
	 * the first free slot is noted. */
	int n = nused(), hot = n < CHILD_HOT_SLOTS ? n : CHILD_HOT_SLOTS;
	purge_pass(slots, 0, hot, rpid, &free_at);
	purge_pass(more_slots, CHILD_HOT_SLOTS, n - hot, rpid, &free_at);
	/* A free slot below `used` may be taken meanwhile (a thread's or a
	 * signal handler's add): then the next one. */
	for (int i = free_at, m = nused(); i >= 0 && i < m; i++) {
		uint64_t expect = 0;
		if (atomic_load_explicit(slot(i), memory_order_relaxed) == 0 &&
		    atomic_compare_exchange_strong(slot(i), &expect, want))
			return;
	}
	/* None free below `used`: claim the next one (an add racing with us
	 * may take it first: then the one after).  Full: the entry is not
	 * kept. */
	while (atomic_load_explicit(&used, memory_order_relaxed) < CHILD_SLOTS) {
		int i = atomic_fetch_add(&used, 1);
		uint64_t expect = 0;
		if (i < CHILD_SLOTS && atomic_compare_exchange_strong(slot(i), &expect, want))
			return;
	}
}

void shim_child_del(pid_t rpid)
{
	if (shim_vf.active)
		return; /* the table is the vfork parent's */
	own_table();
	del_entry(rpid);
}

pid_t shim_child_v2r(pid_t vpid)
{
	uint64_t s;

	if (shim_vf.active)
		return 0;
	own_table();
	return find(KEY_VPID, (uint64_t)(uint32_t)vpid << 32, 0, &s) < 0 ? 0 : slot_rpid(s);
}

pid_t shim_child_r2v(pid_t rpid)
{
	uint64_t s;
	int i;

	if (shim_vf.active)
		return 0;
	own_table();
	i = find(KEY_RPID, (uint32_t)rpid, 0, &s);
	if (i < 0)
		return 0;
	atomic_store_explicit(&last_hit, i, memory_order_relaxed);
	return slot_vpid(s);
}

void shim_child_reset(void)
{
	if (shim_vf.active)
		return; /* the table is the vfork parent's */
	clear();
	atomic_store(&owner, shim_mem_rpid());
}
