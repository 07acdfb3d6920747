/* self.c — the process's identity (vpid, parent cache), mode, copied environment, guard. */
#include "shim.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

extern char **environ;

/* Mode and identity are written by init, HELLO, fork children and the
 * fallback; read everywhere without the lock (atomics). */
static SHIM_START_DATA atomic_int mode;          /* enum shim_mode */
static SHIM_START_DATA atomic_int init_state;    /* 0 not started, 1 running, 2 done */
static SHIM_HOT atomic_int self_vpid;     /* 0 = unknown (ask with HELLO) */
static SHIM_HOT atomic_int self_rpid;     /* real pid the identity and connection belong to */
static SHIM_HOT atomic_int last_vpid;     /* last vpid ever known (kept after LOST) */
static SHIM_HOT atomic_int claim_vpid;    /* hint for HELLO: our vpid from fork or JOBSHIM_SELF */
static SHIM_HOT _Atomic uint64_t ppid_cache; /* (vppid << 32) | rppid; 0 = unknown */
/* The real pid of a fork child that has not called setsid since its fork
 * (shim_self_forked); 0 = not known to be one.  Such a process leads no
 * session: its vpid is new, never the id of a session. */
static SHIM_HOT atomic_int fork_rpid;
/* Children sharing our memory exist (vmkids, below).  Defined here, and
 * guard_rpid beside guard_fork_vpid: the compiler lays this file's fork
 * page variables out in reverse, and each fills the hole before an
 * 8-byte one, so the fork page did not grow (hot.ld). */
static SHIM_HOT atomic_int vmkids_used;
/* The real pid of the last process of this image that made a child
 * (shim_self_parented); a fork child inherits its parent's, so "made none
 * yet" is "not our own real pid". */
static SHIM_HOT atomic_int parented_rpid;
/* Our own moves (setpgid of ourselves, setsid), counted; and, at the last
 * child we made, the count then and the child's vpid: "neither of us has
 * moved since" for shim_oneway_child_setpgid.  Valid only while
 * parented_rpid is ours (a fork child inherits its parent's). */
static SHIM_HOT atomic_uint self_moves;
static SHIM_HOT atomic_uint moves_at_child;
static SHIM_HOT atomic_int last_child_vpid;
static atomic_int warned;        /* the LOST warning was printed */
static atomic_int sandboxed_rpid; /* the real pid that confined itself keeping its ids (shim_self_sandboxed) */

/*
 * Processes that share our memory (clone with CLONE_VM, clone.c): such a
 * child sees every variable above as its parent's, so its identity cannot
 * live there.  Each one enters its real pid and vpid here as it starts;
 * once any exists (vmkids_used, set by the parent before the clone), the
 * identity getters compare the real pid with self_rpid, one getpid system
 * call, as native getpid makes anyway.  A full table forgets its oldest
 * entry: that child's getpid() is then its real pid (shim/README.md).
 * vmkids_used and guard_rpid (below) sit on the fork page: getpid reads
 * the flag in every process, and a fork child must not touch a page more
 * for it.
 */
#define VMKIDS 64
static struct {
	atomic_int rpid, vpid;
	atomic_int parent_v, parent_r; /* the cloner: its real child */
} vmkids[VMKIDS];
static atomic_uint vmkids_next;

/* Copied at init: programs may clear their environment later.  16-byte
 * aligned, not the 32 the compiler gives a large array by itself: the
 * start data must end on its page (hot.ld), and padding took room. */
static SHIM_START_DATA char env_socket[108] __attribute__((aligned(16))); /* sun_path size */
static SHIM_START_DATA char env_lib[1024] __attribute__((aligned(16)));

/* The re-entrancy guard: up while a thread is inside the shim holding the
 * lock (every shim_guard(true) follows shim_lock()), so that interposed
 * names called from there (atfork handlers, libc internals) get the real
 * functions.  It names its thread (pthread_self) in the fork page rather
 * than being a thread-local: the page of our thread-locals would be one
 * more page each fork copies in the parent (shim.h, SHIM_HOT).  A fork
 * child continues the forking thread (same pthread_self), so it inherits
 * the guard up, as it should.  A vfork child takes no lock and shares its
 * parent's memory, where another thread may hold the guard: its guard
 * stays thread-local (vf_guard). */
static SHIM_HOT _Atomic uintptr_t guard_owner;
/* The real pid of the task that raised the guard, kept only once
 * vmkids_used: a child sharing our memory shares pthread_self() too. */
static SHIM_HOT atomic_int guard_rpid;
static SHIM_HOT pid_t guard_fork_vpid;
static SHIM_TLS bool vf_guard;

SHIM_FORK_TEXT pid_t shim_sys_getpid(void)
{
	return (pid_t)shim_raw_syscall(SYS_getpid, 0, 0, 0, 0, 0, 0);
}

SHIM_FORK_TEXT pid_t shim_sys_getppid(void)
{
	return (pid_t)shim_raw_syscall(SYS_getppid, 0, 0, 0, 0, 0, 0);
}

void shim_vmkids_begin(void)
{
	atomic_store(&vmkids_used, 1);
}

/* Does another process share our thread's TLS (a CLONE_VM child, which
 * our clone never gives a TLS of its own)?  shim_errno_keep's question. */
bool shim_tls_shared(void)
{
	return atomic_load_explicit(&vmkids_used, memory_order_relaxed) != 0;
}

void shim_vmkid_enter(pid_t vpid, pid_t parent_v, pid_t parent_r)
{
	pid_t r = shim_sys_getpid();
	unsigned i;

	for (i = 0; i < VMKIDS; i++)
		if (atomic_load(&vmkids[i].rpid) == r)
			break;
	if (i == VMKIDS)
		i = atomic_fetch_add(&vmkids_next, 1) % VMKIDS;
	atomic_store(&vmkids[i].rpid, 0);
	atomic_store(&vmkids[i].vpid, vpid);
	atomic_store(&vmkids[i].parent_v, parent_v);
	atomic_store(&vmkids[i].parent_r, parent_r);
	atomic_store(&vmkids[i].rpid, r);
}

/* In a child sharing our memory: its vpid (and *rpid its real pid, *slot
 * its entry); 0 in the process the identity belongs to, or for a child
 * the table lost. */
static pid_t vmkid_find(pid_t *rpid, unsigned *slot)
{
	if (__builtin_expect(!atomic_load_explicit(&vmkids_used, memory_order_relaxed), 1))
		return 0;
	pid_t r = shim_sys_getpid();

	if (r == atomic_load(&self_rpid))
		return 0;
	for (unsigned i = 0; i < VMKIDS; i++)
		if (atomic_load(&vmkids[i].rpid) == r) {
			pid_t v = atomic_load(&vmkids[i].vpid);
			if (atomic_load(&vmkids[i].rpid) == r && v > 0) {
				if (rpid != NULL)
					*rpid = r;
				if (slot != NULL)
					*slot = i;
				return v;
			}
		}
	return 0;
}

static pid_t vmkid_self(pid_t *rpid)
{
	return vmkid_find(rpid, NULL);
}

/* JOBSHIM_SELF = "V:R" or "V:R:VP:RP", then maybe "/H": trusted when R is
 * our real pid, or when R is 0 (a spawned child: the spawner did not know
 * our rpid yet) and RP is our real parent — only the spawner's own direct
 * child can see its rpid as parent together with an environment built for
 * that one spawn.  Returns H (SHIM_HIDE_*, env.c) when trusted, else 0:
 * an identity handed to another process (through an image without the
 * shim) says nothing about what that one's program passed. */
static unsigned parse_self(const char *s, pid_t rpid)
{
	long v[4] = { 0, 0, 0, 0 }, hide = 0;
	int n = 0;

	while (n < 4 && shim_parse_int(&s, &v[n])) {
		n++;
		if (*s != ':')
			break;
		s++;
	}
	if (n < 2 || v[0] <= 0 || v[0] > PROTO_PID_MAX)
		return 0;
	if (*s == '/') {
		s++;
		if (!shim_parse_int(&s, &hide) || hide < 0 || hide > 15)
			hide = 0;
	}
	bool have_parent = n == 4 && v[2] > 0 && v[3] > 0;
	pid_t rppid = have_parent ? shim_sys_getppid() : 0;
	bool parent_ok = have_parent && rppid == (pid_t)v[3];

	if (v[1] == rpid || (v[1] == 0 && parent_ok)) {
		atomic_store(&claim_vpid, (int)v[0]);
		atomic_store(&last_vpid, (int)v[0]);
		atomic_store(&self_vpid, (int)v[0]);
		if (parent_ok)
			shim_ppid_set((pid_t)v[2], (pid_t)v[3]);
		return (unsigned)hide;
	}
	return 0;
}

/*
 * Decides the mode once, from the environment.  A call can come before
 * libc has set `environ`: a sanitizer's runtime (clang's ASan in the
 * executable, gcc's libtsan) initializes from the executable's
 * preinit_array, before any library's initializer, and calls setrlimit,
 * prlimit, sigaction, ... from there.  Deciding then made the process
 * NONE for good: not under jobshim, real ids.  So a call before libc's
 * start runs as NONE (real calls, which a sanitizer's start does not
 * mind) without deciding; our constructor (after libc's, which sets
 * `environ`) or any later call decides.
 */
static void init_once(bool ctor)
{
	int expect = 0;

	if (atomic_load_explicit(&init_state, memory_order_acquire) == 2)
		return;
	if (!atomic_compare_exchange_strong(&init_state, &expect, 1)) {
		while (atomic_load_explicit(&init_state, memory_order_acquire) != 2)
			;
		return;
	}
	real_resolve();
	if (environ == NULL && !ctor) {
		atomic_store(&mode, SHIM_MODE_NONE);
		atomic_store_explicit(&init_state, 0, memory_order_release);
		return;
	}
	const char *sock = shim_env_find(environ, "JOBSHIM_SOCKET");
	const char *lib = shim_env_find(environ, "JOBSHIM_LIB");
	pid_t rpid = shim_sys_getpid();

	atomic_store(&self_rpid, rpid);
	if (sock == NULL || sock[0] == '\0') {
		atomic_store(&mode, SHIM_MODE_NONE);
	} else if (!shim_strlcpy(env_socket, sock, sizeof(env_socket))) {
		atomic_store(&mode, SHIM_MODE_LOST);
		atomic_store(&warned, 1);
		shim_warn("JOBSHIM_SOCKET path too long, falling back to real calls");
	} else {
		if (lib != NULL)
			shim_strlcpy(env_lib, lib, sizeof(env_lib));
		const char *self = shim_env_find(environ, "JOBSHIM_SELF");
		if (self != NULL) {
			unsigned hide = parse_self(self, rpid);
			/* The identity is read: the program does not see it.
			 * It differs in every process (a vpid, an rpid), so
			 * left in environ it made two runs of `env`, or a
			 * shell's `export` before and after an exec, differ
			 * where natively they are equal (mksh's check.t
			 * xxx-exec-environment-2).  The exec wrappers hand
			 * every new image its own (env.c); the constant
			 * JOBSHIM_SOCKET, JOBSHIM_LIB and LD_PRELOAD stay
			 * where our program's parent passed them (for
			 * images that exec by other means), and go where the
			 * exec wrapper put them back (`env -i`: shim.h,
			 * SHIM_HIDE_*). */
			shim_env_drop(environ, "JOBSHIM_SELF");
			if (hide != 0)
				shim_env_hide(environ, hide);
		}
		atomic_store(&mode, SHIM_MODE_ONLINE);
		shim_nest_check();
	}
	atomic_store_explicit(&init_state, 2, memory_order_release);
}

void shim_init(void)
{
	init_once(false);
}

__attribute__((constructor)) static void shim_ctor(void)
{
	init_once(true);
}

enum shim_mode shim_mode(void)
{
	shim_init();
	if (shim_vf.active && shim_vf.lost)
		return SHIM_MODE_LOST;
	return (enum shim_mode)atomic_load(&mode);
}

bool shim_offline(void)
{
	return shim_mode() != SHIM_MODE_ONLINE || shim_guarded();
}

const char *shim_env_socket(void)
{
	return env_socket;
}

const char *shim_env_lib(void)
{
	return env_lib;
}

pid_t shim_self_vpid(void)
{
	pid_t v;

	if (shim_vf.active)
		return shim_vf.vpid > 0 && !shim_vf.lost ? shim_vf.vpid : shim_sys_getpid();
	if ((v = vmkid_self(NULL)) > 0)
		return v;
	if (shim_guarded()) {
		/* Inside a real fork (an atfork handler): the child answers the
		 * id it is about to get. */
		if (guard_fork_vpid > 0 && shim_sys_getpid() != atomic_load(&self_rpid))
			return guard_fork_vpid;
		v = atomic_load_explicit(&self_vpid, memory_order_relaxed);
		return v > 0 ? v : shim_sys_getpid();
	}
	v = atomic_load_explicit(&self_vpid, memory_order_relaxed);
	if (v > 0)
		return v;
	if (shim_mode() != SHIM_MODE_ONLINE)
	{
		/* Kept after a filter of its own (shim_self_sandboxed): still
		 * one getpid system call, as natively, to tell a child made
		 * without our fork (raw clone) from the process itself. */
		pid_t r = shim_sys_getpid();
		return shim_self_kept() && atomic_load(&sandboxed_rpid) == r ? atomic_load(&last_vpid) : r;
	}
	/* No identity yet: connecting sends HELLO, whose answer installs it. */
	shim_connect();
	v = atomic_load(&self_vpid);
	return v > 0 ? v : shim_sys_getpid();
}

pid_t shim_last_vpid(void)
{
	pid_t v;

	if (shim_vf.active)
		return shim_vf.vpid;
	if ((v = vmkid_self(NULL)) > 0)
		return v;
	return atomic_load(&last_vpid);
}

pid_t shim_self_rpid(void)
{
	pid_t r;

	if (shim_vf.active)
		return shim_vf.rpid;
	if (vmkid_self(&r) > 0)
		return r;
	return atomic_load(&self_rpid);
}

pid_t shim_mem_rpid(void)
{
	if (shim_vf.active)
		return shim_vf.rpid;
	return atomic_load(&self_rpid);
}

bool shim_self_vmkid(void)
{
	return !shim_vf.active && vmkid_self(NULL) > 0;
}

pid_t shim_self_claim(void)
{
	pid_t v;

	if (shim_vf.active)
		return shim_vf.vpid;
	if ((v = vmkid_self(NULL)) > 0)
		return v;
	return atomic_load(&claim_vpid);
}

pid_t shim_ppid_cached(pid_t real_ppid)
{
	if (shim_vf.active)
		return shim_vf.parent_r == real_ppid ? shim_vf.parent_v : 0;
	unsigned i;
	if (vmkid_find(NULL, &i) > 0) /* the cache is our parent's */
		return atomic_load(&vmkids[i].parent_r) == real_ppid ? atomic_load(&vmkids[i].parent_v) : 0;
	uint64_t c = atomic_load(&ppid_cache);

	if (c == 0 || (pid_t)(uint32_t)c != real_ppid)
		return 0;
	return (pid_t)(c >> 32);
}

SHIM_FORK_TEXT void shim_ppid_set(pid_t vppid, pid_t rppid)
{
	uint64_t c = 0;

	if (shim_vf.active || shim_self_vmkid())
		return;
	if (vppid > 0 && rppid > 0)
		c = ((uint64_t)(uint32_t)vppid << 32) | (uint32_t)rppid;
	atomic_store(&ppid_cache, c);
}

SHIM_FORK_TEXT void shim_self_install(pid_t vpid, pid_t rpid)
{
	if (shim_vf.active)
		return; /* a vfork child knows its vpid already */
	atomic_store(&self_rpid, rpid);
	atomic_store(&claim_vpid, vpid);
	atomic_store(&last_vpid, vpid);
	atomic_store(&self_vpid, vpid);
}

SHIM_FORK_TEXT void shim_self_forked(pid_t rpid)
{
	atomic_store(&fork_rpid, rpid);
	/* A fork child has memory of its own: no child shares it yet (no
	 * store when none did: the page is written anyway, but keep it so). */
	if (atomic_load_explicit(&vmkids_used, memory_order_relaxed))
		atomic_store(&vmkids_used, 0);
}

void shim_self_setsid(void)
{
	atomic_store(&fork_rpid, 0);
	shim_self_moved();
}

void shim_self_moved(void)
{
	atomic_fetch_add(&self_moves, 1);
}

bool shim_self_no_session(void)
{
	pid_t r = atomic_load(&fork_rpid);

	return r > 0 && r == atomic_load(&self_rpid);
}

void shim_self_parented(pid_t child_vpid)
{
	if (shim_vf.active)
		return;
	atomic_store(&last_child_vpid, child_vpid);
	atomic_store(&moves_at_child, atomic_load(&self_moves));
	atomic_store(&parented_rpid, shim_self_rpid());
}

bool shim_self_unmoved_since(pid_t child_vpid)
{
	return !shim_vf.active && atomic_load(&parented_rpid) == atomic_load(&self_rpid) &&
	       atomic_load(&last_child_vpid) == child_vpid &&
	       atomic_load(&moves_at_child) == atomic_load(&self_moves);
}

bool shim_self_childless_fork(void)
{
	return shim_self_no_session() && atomic_load(&parented_rpid) != atomic_load(&self_rpid);
}

bool shim_self_known(void)
{
	if (shim_vf.active)
		return false;
	if (vmkid_self(NULL) > 0)
		return true;
	return atomic_load(&self_vpid) > 0 && atomic_load(&self_rpid) == shim_sys_getpid();
}

void shim_self_forget(void)
{
	if (shim_vf.active)
		return;
	atomic_store(&self_vpid, 0);
	atomic_store(&claim_vpid, 0);
	atomic_store(&last_vpid, 0);
	atomic_store(&ppid_cache, 0);
	atomic_store(&self_rpid, shim_sys_getpid());
	shim_child_reset();
}

/* Out of the tree for good (nest.c): every call real from now on.  A
 * nested supervisor calls it before any interposed call; the init of a
 * nested pid namespace at its start (init or fork child), so there is no
 * connection, counter map or child table of its own to drop. */
void shim_self_detach(void)
{
	atomic_store(&mode, SHIM_MODE_NONE);
	atomic_store(&self_vpid, 0);
	atomic_store(&ppid_cache, 0);
}

/* Has another image of the tree said it already?  The shared page says
 * (a tree of thousands that lost its supervisor printed a line each);
 * without it, each image says it once. */
static bool tree_warned(void)
{
	struct proto_vpids *vc = shim_vpids();

	return vc && atomic_exchange(&vc->lost_said, 1) != 0;
}

void shim_self_lost(const char *why)
{
	if (why == NULL)
		why = "supervisor unreachable, falling back to real calls";
	if (shim_vf.active) {
		shim_vf.lost = true;
		if (atomic_load(&warned) == 0)
			shim_warn(why);
		return;
	}
	atomic_store(&mode, SHIM_MODE_LOST);
	atomic_store(&self_vpid, 0);
	atomic_store(&ppid_cache, 0);
	if (atomic_exchange(&warned, 1) == 0 && !tree_warned())
		shim_warn(why);
}

/*
 * A program that confines itself with seccomp (strict mode, or a filter
 * that kills or fails the calls it did not list) has told the kernel which
 * system calls it makes; the shim's own (getpid, kill(supervisor, 0),
 * fstat, the FIFO's write, a connection) are not among them.  LTP's
 * seccomp01 forks after a filter that allows clone, wait4, write and
 * exit: the shim's fork killed it with SIGSYS.  jobshim cannot read the
 * filter, so from then on this image makes the real calls only, as with
 * a lost supervisor: its new children keep real pids.  Its exec'd images
 * start over with the shim (their filter still applies to them).
 */
void shim_self_sandboxed(void)
{
	if (shim_vf.active) {
		shim_vf.lost = true;
		return;
	}
	/* Its ids stay what they were: a process's pid never changes.
	 * Firefox's sandboxed children name themselves by getpid() after
	 * their filter is in, in IPC endpoints their parent made for the pid
	 * it knows (the vpid): the real pid failed its assertion
	 * (EndpointProcInfo::Current()) and the child crashed.  Calls that
	 * take a pid map this one to the real pid (shim_xlate_tid, kill's
	 * offline path), as they map last_vpid after a lost supervisor.
	 * No system call here: the filter is in already, and may refuse
	 * even getpid (LTP seccomp01's). */
	if (atomic_load(&self_vpid) > 0)
		atomic_store(&sandboxed_rpid, atomic_load(&self_rpid));
	atomic_store(&mode, SHIM_MODE_LOST);
	atomic_store(&self_vpid, 0);
}

/* Cleared in a child forked from then on (fork.c, fork_offline): its
 * ids are its real ones. */
bool shim_self_kept(void)
{
	return atomic_load_explicit(&sandboxed_rpid, memory_order_relaxed) > 0 && atomic_load(&last_vpid) > 0;
}

void shim_self_unkeep(void)
{
	atomic_store(&sandboxed_rpid, 0);
}

SHIM_FORK_TEXT bool shim_guarded(void)
{
	uintptr_t g = atomic_load_explicit(&guard_owner, memory_order_relaxed);

	if (vf_guard)
		return true;
	if (g == 0 || g != (uintptr_t)pthread_self())
		return false;
	/* the same pthread_self() in a child sharing our memory */
	return !atomic_load_explicit(&vmkids_used, memory_order_relaxed) ||
	       atomic_load(&guard_rpid) == shim_sys_getpid();
}

SHIM_FORK_TEXT void shim_guard(bool on)
{
	if (shim_vf.active) {
		vf_guard = on;
		return;
	}
	if (on && atomic_load_explicit(&vmkids_used, memory_order_relaxed))
		atomic_store(&guard_rpid, shim_sys_getpid());
	atomic_store_explicit(&guard_owner, on ? (uintptr_t)pthread_self() : 0, memory_order_relaxed);
}

SHIM_FORK_TEXT void shim_guard_fork(pid_t child_vpid)
{
	guard_fork_vpid = child_vpid;
}

pid_t shim_guard_fork_vpid(void)
{
	return guard_fork_vpid;
}
