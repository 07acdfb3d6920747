/* ptrace.c — ptrace with virtual ids: pid arguments, fork events' new pids, siginfo senders. */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>

/*
 * A debugger inside the tree names its tracees by vpid (it got them from
 * fork, from the user, from our wait), so each pid argument is translated
 * here, and the ids the kernel hands back (wait results, the new pid of a
 * fork / vfork / clone event, a siginfo's sender) are translated back.
 *
 * The tracer's table (this image only) remembers, for each tracee it has
 * seen, the id the tracer was shown and the real id: a vpid for a process,
 * the real thread id for any other thread (other threads' ids stay real,
 * see thread.c), so a later ptrace(id) or waitpid(id) goes back to the
 * same task even where a real thread id equals some other process's vpid.
 *
 * A new child's first stop can reach the tracer before anyone has told
 * the supervisor about it: its parent is held at the fork event until the
 * tracer resumes it, and the parent's BIND is written only after its fork
 * returns.  So the parent publishes the vpid it is about to use in its own
 * memory (a slot of shim_forking[], in .data) around the real fork, and
 * the tracer reads it there (process_vm_readv; a tracer may read its
 * tracee's memory).  A slot is released only after the child's BIND, and
 * the slots are read before XLATE: if this child's slot was already reused
 * for a later fork, its BIND was written first, so XLATE answers it.
 */

#define FORKING_MAGIC 0x4a534b46u /* "FKSJ" */
#define FORKING_SLOTS 16
#define TRACEES 256

/* One slot per fork in flight (threads fork concurrently).  Initialised,
 * so it lives in .data: a file-backed mapping of our library that the
 * tracer finds in the tracee's /proc/<pid>/maps. */
__attribute__((visibility("hidden"))) SHIM_HOT struct shim_forking shim_forking[FORKING_SLOTS] = {
	[0 ... FORKING_SLOTS - 1] = { .magic = FORKING_MAGIC },
};

/* Claim a slot: free, or left claimed in the copy a fork child inherited
 * (another process's parent_rpid).  -1 when all are busy: no marker. */
int shim_forking_begin(pid_t vpid, pid_t parent_rpid)
{
	for (int i = 0; i < FORKING_SLOTS; i++) {
		struct shim_forking *f = &shim_forking[i];
		pid_t owner = atomic_load(&f->owner);
		if (owner != 0 && atomic_load(&f->parent_rpid) == parent_rpid)
			continue;
		if (!atomic_compare_exchange_strong(&f->owner, &owner, 1))
			continue;
		atomic_store(&f->child_rpid, 0);
		atomic_store(&f->parent_rpid, parent_rpid);
		atomic_store(&f->vpid, vpid);
		return i;
	}
	return -1;
}

void shim_forking_end(int slot, pid_t child_rpid)
{
	if (slot >= 0)
		atomic_store(&shim_forking[slot].child_rpid, child_rpid > 0 ? child_rpid : -1);
}

/* After the BIND: a slot reused later means this child is bound. */
void shim_forking_release(int slot)
{
	if (slot >= 0)
		atomic_store(&shim_forking[slot].owner, 0);
}

/* ---- the tracer's table ----------------------------------------------------- */

/* (shown << 32) | rpid; 0 = free.  Lock-free: a tracer's threads and signal
 * handlers may wait and trace concurrently. */
static _Atomic uint64_t tracees[TRACEES];
/* The real pid of the image that traces: a fork child inherits the table
 * but is no tracer (nothing is written in it on the fork path). */
static _Atomic pid_t tracer_rpid;

static void set_tracing(void)
{
	atomic_store(&tracer_rpid, shim_sys_getpid());
}

static uint64_t slot_of(pid_t shown, pid_t rpid)
{
	return ((uint64_t)(uint32_t)shown << 32) | (uint32_t)rpid;
}

static void tab_put(pid_t shown, pid_t rpid)
{
	uint64_t want = slot_of(shown, rpid);
	int free_at = -1;

	for (int i = 0; i < TRACEES; i++) {
		uint64_t cur = atomic_load(&tracees[i]);
		if (cur != 0 && (pid_t)(uint32_t)cur == rpid) {
			atomic_store(&tracees[i], want);
			return;
		}
		if (cur == 0 && free_at < 0)
			free_at = i;
	}
	/* Full: overwrite the home slot (a lost entry costs a lookup, and at
	 * worst shows a real id). */
	atomic_store(&tracees[free_at >= 0 ? free_at : (int)((uint32_t)rpid % TRACEES)], want);
}

static pid_t tab_find(pid_t id, bool by_shown)
{
	if (id <= 0 || !shim_ptrace_tracing())
		return 0;
	for (int i = 0; i < TRACEES; i++) {
		uint64_t cur = atomic_load_explicit(&tracees[i], memory_order_acquire);
		pid_t shown = (pid_t)(uint32_t)(cur >> 32), rpid = (pid_t)(uint32_t)cur;
		if (cur == 0)
			continue;
		if (by_shown ? shown == id : rpid == id)
			return by_shown ? rpid : shown;
	}
	return 0;
}

pid_t shim_ptrace_shown2r(pid_t id)
{
	return tab_find(id, true);
}

bool shim_ptrace_tracing(void)
{
	pid_t t = atomic_load_explicit(&tracer_rpid, memory_order_relaxed);

	return t != 0 && !shim_vf.active && t == shim_sys_getpid();
}

void shim_ptrace_forget(pid_t rpid)
{
	if (rpid <= 0 || !shim_ptrace_tracing())
		return;
	for (int i = 0; i < TRACEES; i++) {
		uint64_t cur = atomic_load(&tracees[i]);
		if (cur != 0 && (pid_t)(uint32_t)cur == rpid)
			atomic_compare_exchange_strong(&tracees[i], &cur, 0);
	}
}

/* ---- /proc, read raw (the path wrappers would take the pid for a vpid) ------ */

/* Open /proc/<id>/<name> for reading: fd or -errno. */
static int proc_open(pid_t id, const char *name)
{
	char path[64] = "/proc/";
	size_t n = 6;

	n += shim_fmt_int(path + n, id);
	path[n++] = '/';
	if (!shim_strlcpy(path + n, name, sizeof(path) - n))
		return -ENAMETOOLONG;
	return (int)shim_raw_syscall(SYS_openat, AT_FDCWD, (long)path, O_RDONLY | O_CLOEXEC, 0, 0,
				     0);
}

/* The value after "key" at the start of a line of a status file. */
static bool status_field(const char *buf, const char *key, pid_t *out)
{
	size_t klen = strlen(key);

	for (const char *p = buf; *p != '\0';) {
		if (strncmp(p, key, klen) == 0) {
			const char *v = p + klen;
			long x;
			while (*v == '\t' || *v == ' ')
				v++;
			if (!shim_parse_int(&v, &x))
				return false;
			*out = (pid_t)x;
			return true;
		}
		const char *nl = strchr(p, '\n');
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return false;
}

/* Tgid, PPid and TracerPid of real task id (any of them may be NULL). */
bool shim_ptrace_status(pid_t id, pid_t *tgid, pid_t *ppid, pid_t *tracer)
{
	char buf[2048];
	int fd = proc_open(id, "status");
	pid_t dummy;

	if (fd < 0 || shim_read_close(fd, buf, sizeof(buf)) < 0)
		return false;
	return status_field(buf, "Tgid:", tgid ? tgid : &dummy) &&
	       status_field(buf, "PPid:", ppid ? ppid : &dummy) &&
	       status_field(buf, "TracerPid:", tracer ? tracer : &dummy);
}

/* ---- finding the marker in another process ---------------------------------- */

/* One line of a maps file: start-end perms offset dev inode [path]. */
struct maps_line {
	unsigned long start, end, off, ino;
	char dev[16];
	bool writable; /* perms "rw..." */
};

static bool parse_hex(const char **s, unsigned long *out)
{
	unsigned long v = 0;
	const char *p = *s;

	for (;; p++) {
		int d = *p >= '0' && *p <= '9' ? *p - '0'
			: *p >= 'a' && *p <= 'f' ? *p - 'a' + 10 : -1;
		if (d < 0)
			break;
		v = v * 16 + (unsigned long)d;
	}
	if (p == *s)
		return false;
	*s = p;
	*out = v;
	return true;
}

static bool maps_parse(const char *l, struct maps_line *m)
{
	long ino;
	size_t i = 0;

	if (!parse_hex(&l, &m->start) || *l++ != '-' || !parse_hex(&l, &m->end) || *l++ != ' ')
		return false;
	m->writable = l[0] == 'r' && l[1] == 'w';
	while (*l != ' ' && *l != '\0') /* perms */
		l++;
	if (*l++ != ' ' || !parse_hex(&l, &m->off) || *l++ != ' ')
		return false;
	while (*l != ' ' && *l != '\0' && i + 1 < sizeof(m->dev))
		m->dev[i++] = *l++;
	m->dev[i] = '\0';
	if (*l++ != ' ' || !shim_parse_int(&l, &ino))
		return false;
	m->ino = (unsigned long)ino;
	return true;
}

/* Call fn for each line of /proc/<id>/maps until it returns true. */
static bool maps_each(pid_t id, bool (*fn)(const struct maps_line *, void *), void *ctx)
{
	char buf[4096];
	size_t have = 0;
	int fd = proc_open(id, "maps");
	bool hit = false;

	if (fd < 0)
		return false;
	while (!hit) {
		long n = shim_raw_syscall(SYS_read, fd, (long)buf + have, sizeof(buf) - 1 - have, 0, 0,
					  0);
		if (n <= 0)
			break;
		have += (size_t)n;
		buf[have] = '\0';
		char *p = buf, *nl;
		while (!hit && (nl = strchr(p, '\n')) != NULL) {
			struct maps_line m;
			*nl = '\0';
			hit = maps_parse(p, &m) && fn(&m, ctx);
			p = nl + 1;
		}
		have = (size_t)(buf + have - p);
		memmove(buf, p, have);
		if (have == sizeof(buf) - 1)
			have = 0; /* a line longer than the buffer: drop it */
	}
	shim_raw_syscall(SYS_close, fd, 0, 0, 0, 0, 0);
	return hit;
}

/* Where the marker is in our own library file: dev, inode, file offset. */
struct marker_home {
	struct maps_line file; /* dev, ino of our library */
	unsigned long foff;    /* the marker's file offset */
	unsigned long addr;    /* out: its address in the other process */
};

static bool find_own(const struct maps_line *m, void *ctx)
{
	struct marker_home *h = ctx;
	unsigned long a = (unsigned long)&shim_forking[0];

	if (a < m->start || a >= m->end || m->ino == 0)
		return false;
	h->file = *m;
	h->foff = a - m->start + m->off;
	return true;
}

static bool find_other(const struct maps_line *m, void *ctx)
{
	struct marker_home *h = ctx;

	/* The marker is in the library's writable data: not in the
	 * PROT_NONE reservation the loader leaves between its segments
	 * (same file, an offset range that may cover the marker's). */
	if (!m->writable || m->ino != h->file.ino || strcmp(m->dev, h->file.dev) != 0 || h->foff < m->off ||
	    h->foff - m->off >= m->end - m->start)
		return false;
	h->addr = m->start + (h->foff - m->off);
	return true;
}

/* The vpid the real parent of new task rpid was giving it, or 0: the slot
 * naming rpid, else the only fork in flight (several: ambiguous). */
pid_t shim_fork_marker_guess(pid_t rpid)
{
	static struct marker_home own; /* filled once; a race only redoes it */
	static _Atomic bool own_ok;
	struct marker_home h;
	struct shim_forking f[FORKING_SLOTS];
	pid_t tgid, ppid, pending = 0;
	int npending = 0;

	if (!shim_ptrace_status(rpid, &tgid, &ppid, NULL) || tgid != rpid || ppid <= 1)
		return 0; /* a thread, gone, or no parent of ours */
	if (!atomic_load_explicit(&own_ok, memory_order_acquire)) {
		if (!maps_each(shim_sys_getpid(), find_own, &own))
			return 0;
		atomic_store_explicit(&own_ok, true, memory_order_release);
	}
	h = own;
	if (!maps_each(ppid, find_other, &h))
		return 0; /* the parent does not run our library */
	struct iovec local = { &f, sizeof(f) }, remote = { (void *)h.addr, sizeof(f) };
	if (shim_raw_syscall(SYS_process_vm_readv, ppid, (long)&local, 1, (long)&remote, 1, 0) !=
	    (long)sizeof(f))
		return 0;
	for (int i = 0; i < FORKING_SLOTS; i++) {
		if (f[i].magic != FORKING_MAGIC || f[i].owner == 0 || f[i].parent_rpid != ppid ||
		    f[i].vpid <= 0)
			continue;
		if (f[i].child_rpid == rpid)
			return f[i].vpid;
		if (f[i].child_rpid == 0) {
			pending = f[i].vpid;
			npending++;
		}
	}
	return npending == 1 ? pending : 0;
}

/* ---- translation both ways ---------------------------------------------------- */

pid_t shim_ptrace_r2v(pid_t rpid)
{
	pid_t v, guess;

	if (rpid <= 0)
		return rpid;
	if ((v = shim_child_r2v(rpid)) > 0 || (v = tab_find(rpid, false)) > 0)
		return v;
	guess = shim_fork_marker_guess(rpid); /* before XLATE: see the top of this file */
	v = shim_r2v(rpid);
	/* Never show two tasks under one id (the tracer would take them for
	 * one): a guess already shown for another task is dropped. */
	if (v <= 0 && guess > 0 && tab_find(guess, true) <= 0)
		v = guess;
	if (v <= 0)
		v = rpid;
	tab_put(v, rpid);
	return v;
}

/* A vpid for the kernel.  Not shim_xlate_tid: its rule that a real id of
 * one of the caller's own threads wins cannot apply (a tracer never traces
 * its own threads), and a multi-threaded debugger such as gdb has thread
 * ids equal to its children's vpids. */
static pid_t vpid_arg(pid_t id)
{
	pid_t r;

	if (id <= 0)
		return id;
	if (id == shim_self_vpid())
		return shim_sys_getpid();
	if (shim_offline()) {
		r = shim_child_v2r(id);
		return r > 0 ? r : -ESRCH;
	}
	r = shim_v2r(id);
	return r > 0 ? r : -ESRCH;
}

/* A pid argument of any request but ATTACH/SEIZE. */
static pid_t xlate_arg(pid_t id)
{
	pid_t r = tab_find(id, true);

	return r > 0 ? r : vpid_arg(id);
}

/* ATTACH / SEIZE: a vpid, or the real id of a thread (not the main one) of a
 * process in the tree, as listed in /proc/<vpid>/task: threads keep their
 * real ids (thread.c); the real thread wins over an equal vpid. */
static pid_t attach_arg(pid_t id)
{
	pid_t r = tab_find(id, true), tgid;

	if (r > 0 || id <= 0)
		return r > 0 ? r : id;
	if (shim_ptrace_status(id, &tgid, NULL, NULL) && tgid != id && shim_r2v(tgid) > 0)
		return id;
	/* vpid 1 is the supervisor: stopped by a tracer, it would stop every
	 * round trip of the tree, the tracer's own included.  A tracer gets
	 * a stand-in instead (supervisor/initproxy.c), which the table then
	 * names 1 for every later request and wait. */
	if (id == 1) {
		pid_t proxy = 0;
		if (shim_offline() || shim_ask(PROTO_OP_INITPROXY, 0, 0, &proxy) != 0 || proxy <= 0)
			return -EPERM;
		return proxy;
	}
	return vpid_arg(id);
}

/* GETEVENTMSG: the message is a new task's real id after a fork, vfork or
 * clone event, the former thread id after an exec event. */
static void fix_eventmsg(pid_t rpid, unsigned long *msg)
{
	siginfo_t si;
	int ev;

	if (REAL(ptrace)(PTRACE_GETSIGINFO, rpid, NULL, &si) < 0 || si.si_signo != SIGTRAP)
		return;
	ev = si.si_code >> 8;
	if (ev == PTRACE_EVENT_FORK || ev == PTRACE_EVENT_VFORK || ev == PTRACE_EVENT_CLONE ||
	    ev == PTRACE_EVENT_EXEC)
		*msg = (unsigned long)shim_ptrace_r2v((pid_t)*msg);
}

long shim_ptrace(int req, pid_t pid, void *addr, void *data)
{
	pid_t r = pid;
	siginfo_t si;
	long rc;
	int saved = errno;

	shim_init();
	if (shim_mode() == SHIM_MODE_NONE || req == PTRACE_TRACEME)
		return REAL(ptrace)(req, pid, addr, data);
	/* 0 and negative ids name no process: the kernel answers them
	 * (ESRCH), not our translation, whose negative result is an errno. */
	if (pid > 0) {
		r = (req == PTRACE_ATTACH || req == PTRACE_SEIZE) ? attach_arg(pid) : xlate_arg(pid);
		if (r < 0) {
			errno = -r;
			return -1;
		}
	}
	if (req == PTRACE_SETSIGINFO && data != NULL && !shim_offline() &&
	    shim_peek(&si, data, sizeof(si)) && shim_sig_has_sender(&si) && si.si_pid > 1) {
		pid_t sr = shim_v2r(si.si_pid);
		if (sr > 0) {
			si.si_pid = sr;
			data = &si;
		}
	}
	shim_errno_keep(saved);
	rc = REAL(ptrace)(req, r, addr, data);
	if (rc < 0 && errno != 0)
		return rc;
	saved = errno; /* PEEK* clear it on success */
	switch (req) {
	case PTRACE_ATTACH:
	case PTRACE_SEIZE:
		set_tracing();
		tab_put(pid, r);
		break;
	case PTRACE_DETACH:
		shim_ptrace_forget(r);
		break;
	case PTRACE_GETEVENTMSG:
		set_tracing();
		if (data != NULL)
			fix_eventmsg(r, data);
		break;
	case PTRACE_GETSIGINFO:
		if (data != NULL)
			shim_sig_translate(data);
		break;
	default:
		/* A parent tracing a PTRACE_TRACEME child starts here. */
		set_tracing();
		break;
	}
	shim_errno_keep(saved);
	return rc;
}

SHIM_EXPORT long ptrace(enum __ptrace_request req, ...)
{
	va_list ap;
	pid_t pid;
	void *addr, *data;

	/* glibc's prototype: the three optional arguments are always read. */
	va_start(ap, req);
	pid = va_arg(ap, pid_t);
	addr = va_arg(ap, void *);
	data = va_arg(ap, void *);
	va_end(ap);
	return shim_ptrace((int)req, pid, addr, data);
}
