/* mview.c — the shim's side of the model view (mview.h): map it once, answer reads from it when it is fresh. */
#include "shim.h"

#include <fcntl.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "mview.h"

/*
 * Mapped read-only on the first read that could use it (outside a vfork
 * child, which must not change our state) and kept: a fork child inherits
 * the mappings, an exec'd image maps them again.  The counter page
 * (proto.h: ev_posted, oneway_sock) is fork.c's mapping (shim_vpids), only
 * read here.
 *
 * A read from the view is "fresh" -- no news on its way that the view
 * lacks -- when every event record counted so far has been applied
 * (ev_posted == applied) and no one-way message ever went on a connection.
 * A caller that learnt of a change (a reply, a reap, a message from the
 * process that saw it) learnt of it after its record was counted, so a
 * fresh view includes it; docs/internals.md, "The model view".
 */

static _Atomic(void *) mv_map;
static atomic_bool mv_unusable;

/*
 * The view must sometimes leave the address space, for a reason held in
 * mv_held (SHIM_MVIEW_HOLD_*, a bit each): mlockall (mlock.c) would lock
 * and fault in all of its 144 MiB (the supervisor's file fills up) and
 * count them against RLIMIT_MEMLOCK, where Linux locks only the program's
 * own few MiB and an unprivileged mlockall succeeds; and a finite
 * RLIMIT_AS (rlimit.c) would count them, so that the program's own mmap
 * and malloc fail where Linux's succeed.  Reads ask the supervisor while
 * any reason holds.  Threads may be reading the view as it goes: each read
 * counts itself in mv_readers around its use of the mapping, and checks
 * mv_held after counting itself; the releaser sets its bit, then waits for
 * the count to drop to zero before unmapping (both sequentially
 * consistent: either the reader sees the hold, or the releaser sees the
 * reader).
 *
 * mv_readers is on the fork page (SHIM_HOT): every read writes it, and a
 * read soon after a fork (a job-control shell's child checking its group,
 * the parent's next lookup) would otherwise copy its page, one more
 * copy-on-write fault per side per fork.
 */
static atomic_int mv_readers SHIM_HOT;
static atomic_uint mv_held;

/* The view and the counters, or false (then every read asks the
 * supervisor). */
static bool mv_open(void)
{
	void *m, *expect = NULL;
	int fd;

	if (shim_vpids() == NULL)
		return false;
	/* A finite address-space limit (`ulimit -v`) is the program's to
	 * use: an image started under one reads by asking until it lifts the
	 * limit (rlimit.c). */
	if (shim_mview_as_limited()) {
		atomic_fetch_or(&mv_held, SHIM_MVIEW_HOLD_AS);
		return true;
	}
	fd = shim_sup_file_open(MVIEW_FILE, O_RDONLY, S_IFREG, (off_t)MVIEW_SIZE);
	if (fd < 0)
		return false;
	m = mmap(NULL, MVIEW_SIZE, PROT_READ, MAP_SHARED, fd, 0);
	shim_close(fd);
	if (m == MAP_FAILED)
		return false;
	if (mview_head(m)->magic != MVIEW_MAGIC) {
		munmap(m, MVIEW_SIZE);
		return false;
	}
	/* Two threads' first reads may race: one mapping is kept. */
	if (!atomic_compare_exchange_strong(&mv_map, &expect, m))
		munmap(m, MVIEW_SIZE);
	return true;
}

/* The last read found records unapplied; cleared by a fresh read and by
 * the next request (shim_mview_asking).  A hint: racing threads only
 * blur it. */
static SHIM_HOT bool mv_stale_read;

/* The view if it is mapped and fresh now, else NULL.  `reading`: a read
 * (not the fork wrappers' priming), remembered when stale. */
static void *mv_fresh(bool reading)
{
	void *m;
	struct proto_vpids *vc;

	if (atomic_load(&mv_held))
		return NULL;
	m = atomic_load_explicit(&mv_map, memory_order_acquire);

	if (m == NULL) {
		if (shim_vf.active || shim_mode() != SHIM_MODE_ONLINE ||
		    atomic_load_explicit(&mv_unusable, memory_order_relaxed))
			return NULL;
		if (!mv_open()) {
			atomic_store_explicit(&mv_unusable, true, memory_order_relaxed);
			return NULL;
		}
		m = atomic_load_explicit(&mv_map, memory_order_acquire);
		if (m == NULL)
			return NULL; /* held out (mv_open) */
	}
	if (shim_mode() != SHIM_MODE_ONLINE)
		return NULL;
	vc = shim_vpids(); /* mapped before the view (mv_open) */
	/* magic: cleared by a supervisor that ended (--keep leftovers). */
	if (mview_head(m)->magic != MVIEW_MAGIC ||
	    atomic_load_explicit(&vc->oneway_sock, memory_order_acquire) != 0)
		return NULL;
	if (atomic_load_explicit(&vc->ev_posted, memory_order_acquire) !=
	    atomic_load_explicit(&mview_head(m)->applied, memory_order_acquire)) {
		if (reading && !mv_stale_read)
			mv_stale_read = true;
		return NULL;
	}
	if (reading && mv_stale_read)
		mv_stale_read = false;
	return m;
}

bool shim_mview_ids(pid_t vpid, struct mview_ids *out)
{
	bool ok;

	atomic_fetch_add(&mv_readers, 1);
	void *m = mv_fresh(true);
	ok = m != NULL && mview_read(m, vpid, out);
	atomic_fetch_sub(&mv_readers, 1);
	return ok;
}

/* The view's count of published changes, when the view is fresh now. */
bool shim_mview_changes(uint32_t *out)
{
	bool ok = false;

	atomic_fetch_add(&mv_readers, 1);
	void *m = mv_fresh(true);
	if (m != NULL) {
		*out = atomic_load_explicit(&mview_head(m)->changes, memory_order_acquire);
		ok = true;
	}
	atomic_fetch_sub(&mv_readers, 1);
	return ok;
}

/* The live members of group pgid, by real pid (mview_group_rpids), or -1
 * when the view is not fresh or cannot say. */
int shim_mview_group(pid_t pgid, pid_t *rpids, int max, int max_pages)
{
	int n = -1;

	atomic_fetch_add(&mv_readers, 1);
	void *m = mv_fresh(true);
	if (m != NULL && pgid > 1)
		n = mview_group_rpids(m, pgid, rpids, max, max_pages);
	atomic_fetch_sub(&mv_readers, 1);
	return n;
}

pid_t shim_mview_v2r(pid_t vpid)
{
	struct mview_ids v;

	/* Never the supervisor's rpid: init is answered by its own rules. */
	if (vpid <= 1 || !shim_mview_ids(vpid, &v))
		return 0;
	return v.rpid > 0 ? v.rpid : 0;
}

pid_t shim_mview_r2v(pid_t rpid)
{
	int32_t v = 0;

	atomic_fetch_add(&mv_readers, 1);
	void *m = mv_fresh(true);
	if (m != NULL)
		v = mview_r2v(m, rpid);
	atomic_fetch_sub(&mv_readers, 1);
	return v > 1 ? v : 0;
}

/* Before our fork, spawn and vfork wrappers (shim_fork_counted): the
 * child inherits the mappings instead of making its own. */
void shim_mview_prime(void)
{
	/* Mapped already, as at nearly every fork: nothing to do, and
	 * nothing written -- mv_readers' page, written before each fork, was
	 * one more page fault per fork in the parent (the previous fork had
	 * made it copy-on-write). */
	if (atomic_load_explicit(&mv_map, memory_order_acquire) != NULL)
		return;
	atomic_fetch_add(&mv_readers, 1);
	(void)mv_fresh(false);
	atomic_fetch_sub(&mv_readers, 1);
}

bool shim_mview_as_limited(void)
{
	struct rlimit rl;

	return shim_raw_syscall(SYS_prlimit64, 0, RLIMIT_AS, 0, (long)&rl, 0, 0) == 0 &&
	       rl.rlim_cur != RLIM_INFINITY;
}

/* Held out for `reason` (see mv_readers above), and unmapped; false when
 * it could not be (a vfork child, which must not change our state, or a
 * reader that never leaves: a call from a signal handler that interrupted
 * our own read of the view -- then it stays). */
bool shim_mview_release(unsigned reason)
{
	void *m;

	if (shim_vf.active)
		return false;
	unsigned before = atomic_fetch_or(&mv_held, reason);
	for (int i = 0; atomic_load(&mv_readers) != 0; i++) {
		if (i == 10000) {
			if (!(before & reason))
				atomic_fetch_and(&mv_held, ~reason);
			return false;
		}
		shim_raw_syscall(SYS_sched_yield, 0, 0, 0, 0, 0, 0);
	}
	m = atomic_exchange(&mv_map, NULL);
	if (m != NULL)
		munmap(m, MVIEW_SIZE);
	return true;
}

/* `hold`: keep the view out for `reason`; otherwise, once no reason is
 * left, the next read maps it again. */
void shim_mview_hold(unsigned reason, bool hold)
{
	if (hold)
		atomic_fetch_or(&mv_held, reason);
	else
		atomic_fetch_and(&mv_held, ~reason);
}

/*
 * A request is about to go (conn.c).  If it asks what the view would
 * have answered but for records still waiting in the FIFO, count it in
 * stale_reads: the supervisor then reads the FIFO as soon as the next
 * few records land (supervisor/events.c), so that reads soon after find
 * the view fresh.  Only such requests count: a stale read that its
 * caller settles otherwise (a setpgid sent as news) costs no round trip.
 */
void shim_mview_asking(int op)
{
	struct proto_vpids *vc;

	if (!mv_stale_read)
		return;
	mv_stale_read = false;
	if ((op == PROTO_OP_GETPGID || op == PROTO_OP_GETSID || op == PROTO_OP_GETPPID ||
	     op == PROTO_OP_XLATE || op == PROTO_OP_KILL) &&
	    !shim_vf.active && (vc = shim_vpids()) != NULL)
		atomic_fetch_add_explicit(&vc->stale_reads, 1, memory_order_relaxed);
}
