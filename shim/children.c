/* children.c — lock-free table of this image's children (vpid <-> rpid), signal-safe. */
#include "shim.h"

#include <stdatomic.h>

/* A slot is one 64-bit atomic: (vpid << 32) | rpid, 0 = free.  Writers
 * claim with compare-and-swap, readers see a whole entry or none, so the
 * table is usable from signal handlers and threads without a lock.  A full
 * table only means lookups go to the supervisor (XLATE). */
#define CHILD_SLOTS 512

static _Atomic uint64_t slots[CHILD_SLOTS];

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
	for (int i = 0; i < CHILD_SLOTS; i++)
		atomic_store_explicit(&slots[i], 0, memory_order_relaxed);
}
