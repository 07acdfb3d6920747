/* children.c — lock-free table of this image's children (vpid <-> rpid), signal-safe. */
#include "shim.h"

#include <stdatomic.h>

/* A slot is one 64-bit atomic: (vpid << 32) | rpid, 0 = free.  Writers
 * claim with compare-and-swap, readers see a whole entry or none, so the
 * table is usable from signal handlers and threads without a lock.  A full
 * table only means lookups go to the supervisor (XLATE). */
#define CHILD_SLOTS 512

static SHIM_HOT_TAIL _Atomic uint64_t slots[CHILD_SLOTS];
/* The real pid the table belongs to.  A fork child inherits its parent's
 * children: they are dropped on its first use of the table, not at the
 * fork -- most fork children exec at once, and clearing 4 KiB there would
 * cost them page copies for nothing. */
static SHIM_HOT _Atomic pid_t owner;

static void clear(void)
{
	for (int i = 0; i < CHILD_SLOTS; i++)
		atomic_store_explicit(&slots[i], 0, memory_order_relaxed);
}

/* The table, made ours if it was inherited (the cached real pid: no
 * system call; shim_self_install sets it in a fork child). */
static void own_table(void)
{
	pid_t me = shim_self_rpid();

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

void shim_child_add(pid_t vpid, pid_t rpid)
{
	uint64_t want = pack(vpid, rpid);

	if (shim_vf.active)
		return; /* the table is the vfork parent's */
	if (vpid <= 0 || rpid <= 0)
		return;
	shim_self_parented(vpid);
	own_table();
	/* A pid reused by the kernel replaces a stale entry (its reap was not
	 * seen by us: e.g. reaped through the raw syscall). */
	shim_child_del(rpid);
	for (int i = 0; i < CHILD_SLOTS; i++) {
		uint64_t expect = 0;
		if (atomic_load_explicit(&slots[i], memory_order_relaxed) == 0 &&
		    atomic_compare_exchange_strong(&slots[i], &expect, want))
			return;
	}
}

void shim_child_del(pid_t rpid)
{
	if (shim_vf.active)
		return; /* the table is the vfork parent's */
	own_table();
	for (int i = 0; i < CHILD_SLOTS; i++) {
		uint64_t s = atomic_load_explicit(&slots[i], memory_order_acquire);
		if (s != 0 && slot_rpid(s) == rpid)
			atomic_compare_exchange_strong(&slots[i], &s, 0);
	}
}

pid_t shim_child_v2r(pid_t vpid)
{
	if (shim_vf.active)
		return 0;
	own_table();
	for (int i = 0; i < CHILD_SLOTS; i++) {
		uint64_t s = atomic_load_explicit(&slots[i], memory_order_acquire);
		if (s != 0 && slot_vpid(s) == vpid)
			return slot_rpid(s);
	}
	return 0;
}

pid_t shim_child_r2v(pid_t rpid)
{
	if (shim_vf.active)
		return 0;
	own_table();
	for (int i = 0; i < CHILD_SLOTS; i++) {
		uint64_t s = atomic_load_explicit(&slots[i], memory_order_acquire);
		if (s != 0 && slot_rpid(s) == rpid)
			return slot_vpid(s);
	}
	return 0;
}

void shim_child_reset(void)
{
	if (shim_vf.active)
		return; /* the table is the vfork parent's */
	clear();
	atomic_store(&owner, shim_self_rpid());
}
