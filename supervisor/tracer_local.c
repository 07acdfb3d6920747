/* tracer_local.c — what the tracer knows without asking: its tracees' children (vpid <-> rpid), vpids from the shared counter, news through the event FIFO. */
#include "tracer_int.h"

#include <stdatomic.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

/*
 * A Go program's subprocess cost five questions to the supervisor: FORK
 * (numbering the child), the wait selector twice (Go's os/exec waits with
 * waitid(WNOWAIT), then wait4) and the wait's outcome twice -- a round trip
 * each, two scheduler wake-ups on a 2-CPU machine, a third of jobshim's
 * overhead per subprocess.  A preloaded fork pays none of them (shim/fork.c,
 * shim/children.c, shim/wait.c), and the tracer does as the shim does:
 *
 *   - the child's vpid comes from the shared counter (proto_vpids.run),
 *     and its BIND goes as a record into the event FIFO (PROTO_BIND_COUNTED,
 *     the sender being the forking tracee).  The supervisor reads the FIFO
 *     before anything else it handles (supervisor/events.c), so the child,
 *     its parent and everyone they talk to are answered as if the BIND had
 *     been a question;
 *   - each process's children are remembered here, as the shim's child
 *     table does, and a wait for one of them (wait4(vpid), waitid(P_PID))
 *     is translated from that table;
 *   - a reap, a stop or a continue the wait returned goes as a REAPED or
 *     STATE record, written before the tracee runs on: whatever the tracee
 *     does next reaches the supervisor after it.
 * Records are counted in proto_vpids.ev_posted after their write, so that
 * readers of the model view know the view is behind until the supervisor
 * has read them (shim/mview.h).
 *
 * When any of it is missing (no FIFO or counter, the counter retired after
 * the vpids wrapped, a one-way message went on some connection, the tracee's
 * own vpid unknown, a full FIFO) the tracer asks, as before.
 *
 * The table: (tgid, vpid) -> rpid, open addressing.  An entry leaves when
 * the tracer sees its reap, when a fork reuses its rpid in the same
 * process, or when the process exits.  A child reaped out of the tracer's
 * sight (a cgo image's C code reaping through the shim, SIGCHLD ignored)
 * leaves a stale entry: a wait on it goes to the child's old real pid,
 * which the kernel answers ECHILD, as Linux would -- the shim's table has
 * the same property.
 */

/* Slots, filled to half at most (then waits on newer children ask).
 * Small, because a wait4(-1)'s result and a new fork's rpid are looked up
 * by a scan. */
#define KIDS 1024

struct kid {
	pid_t tgid; /* 0 free, -1 deleted */
	int32_t vpid;
	pid_t rpid;
};

static struct kid kids[KIDS];
static size_t nkids, ndead;
static struct proto_vpids *vc;
static int evfd = -1;

void trc_local_init(struct proto_vpids *vcmap, int fifo)
{
	vc = vcmap;
	evfd = fifo;
}

static size_t slot_of(pid_t tgid, int32_t vpid)
{
	uint64_t h = ((uint64_t)(uint32_t)tgid << 32 | (uint32_t)vpid) * 0x9e3779b97f4a7c15ull;

	return (size_t)(h >> 54) % KIDS;
}

static struct kid *kid_find(pid_t tgid, int32_t vpid)
{
	for (size_t i = slot_of(tgid, vpid), n = 0; n < KIDS; i = (i + 1) % KIDS, n++) {
		if (kids[i].tgid == 0)
			return NULL;
		if (kids[i].tgid == tgid && kids[i].vpid == vpid)
			return &kids[i];
	}
	return NULL;
}

static void kid_del(struct kid *k)
{
	k->tgid = -1;
	nkids--;
	ndead++;
}

/* Rebuild without the deleted slots once they clog the probes. */
static void rehash(void)
{
	static struct kid old[KIDS];

	memcpy(old, kids, sizeof(kids));
	memset(kids, 0, sizeof(kids));
	nkids = ndead = 0;
	for (size_t i = 0; i < KIDS; i++)
		if (old[i].tgid > 0)
			trc_kid_add(old[i].tgid, old[i].vpid, old[i].rpid);
}

/* Drop every entry with this rpid in tgid (a reused real pid). */
static void drop_rpid(pid_t tgid, pid_t rpid)
{
	for (size_t i = 0; i < KIDS; i++)
		if (kids[i].tgid == tgid && kids[i].rpid == rpid)
			kid_del(&kids[i]);
}

void trc_kid_add(pid_t tgid, int32_t vpid, pid_t rpid)
{
	struct kid *k;

	if (tgid <= 0 || vpid <= 1 || rpid <= 0)
		return;
	if (nkids + ndead >= KIDS / 2) {
		if (ndead == 0)
			return; /* full: waits on the newest children ask */
		rehash();
	}
	drop_rpid(tgid, rpid);
	if ((k = kid_find(tgid, vpid)) != NULL) {
		k->rpid = rpid;
		return;
	}
	for (size_t i = slot_of(tgid, vpid);; i = (i + 1) % KIDS) {
		if (kids[i].tgid <= 0) {
			if (kids[i].tgid < 0)
				ndead--;
			kids[i] = (struct kid){.tgid = tgid, .vpid = vpid, .rpid = rpid};
			nkids++;
			return;
		}
	}
}

pid_t trc_kid_rpid(pid_t tgid, int32_t vpid)
{
	struct kid *k = tgid > 0 && vpid > 1 ? kid_find(tgid, vpid) : NULL;

	return k ? k->rpid : 0;
}

int32_t trc_kid_vpid(pid_t tgid, pid_t rpid)
{
	if (tgid <= 0 || rpid <= 0 || nkids == 0)
		return 0;
	for (size_t i = 0; i < KIDS; i++)
		if (kids[i].tgid == tgid && kids[i].rpid == rpid)
			return kids[i].vpid;
	return 0;
}

void trc_kid_gone(pid_t tgid, pid_t rpid)
{
	if (tgid > 0 && rpid > 0 && nkids > 0)
		drop_rpid(tgid, rpid);
}

void trc_kids_forget(pid_t tgid)
{
	if (tgid <= 0 || nkids == 0)
		return;
	for (size_t i = 0; i < KIDS; i++)
		if (kids[i].tgid == tgid)
			kid_del(&kids[i]);
}

/* May t's news go through the FIFO now? */
static bool fifo_ok(const struct tracee *t)
{
	return evfd >= 0 && vc != NULL && t->vpid > 1 && t->tgid > 0 &&
	       atomic_load(&vc->oneway_sock) == 0;
}

static bool post(const struct tracee *t, uint16_t op, int32_t a, int32_t b, int32_t c, int32_t d)
{
	struct proto_evt e = {.op = op, .sender_v = t->vpid, .sender_r = t->tgid,
			      .a = a, .b = b, .c = c, .d = d};
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	e.at = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	if (!proto_evt_write(evfd, &e))
		return false; /* full (EAGAIN): nothing was written */
	/* Counted after the write, as the shim does (shim/events.c). */
	atomic_fetch_add(&vc->ev_posted, 1);
	return true;
}

int32_t trc_local_fork(const struct tracee *t, pid_t child)
{
	int32_t v;

	if (!fifo_ok(t) || (v = proto_vpids_take_free(vc, procs_id_is_thread)) == 0)
		return 0;
	/* A counted vpid that is never bound is a gap in the numbering, as
	 * a shim's whose fork failed: the caller asks instead. */
	if (!post(t, PROTO_OP_BIND, v, child, 0, PROTO_BIND_COUNTED))
		return 0;
	return v;
}

bool trc_local_done(const struct tracee *t, int32_t vpid, pid_t rpid, int status, bool nowait)
{
	bool gone = status != -1 && (WIFEXITED(status) || WIFSIGNALED(status));

	if (vpid <= 1)
		return false;
	/* Still waitable, or a ptrace stop (CLD_TRAPPED: -1): news of
	 * nothing the engine keeps. */
	if (status == -1 || (gone && nowait))
		return true;
	if (!fifo_ok(t))
		return false;
	if (gone) {
		if (!post(t, PROTO_OP_REAPED, vpid, rpid, status, 0))
			return false;
		trc_kid_gone(t->tgid, rpid);
		return true;
	}
	if (WIFSTOPPED(status) || WIFCONTINUED(status))
		return post(t, PROTO_OP_STATE, rpid, WIFSTOPPED(status) ? 1 : 0, 0, 0);
	return false;
}
