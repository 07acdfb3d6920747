/* procpath.c — /proc/<vpid>/... paths to /proc/<rpid>/..., and the /proc/self links read back as vpids. */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <stdatomic.h>
#include <sys/syscall.h>

/*
 * A path is translated when it is absolute and starts with "/proc/" then
 * a pid (digits, no leading zero, followed by '/' or the end), or with
 * "/proc/self/task/".  The pid is a vpid: ours -> our real pid, 1 -> the
 * supervisor's, another process of the tree -> its real pid, a real thread
 * id of our own -> itself (/proc/<tid> works for any thread); anything
 * else -> ENOENT (a pid outside the tree: never a stranger's entry).  A
 * following "task/<id>" component equal to that vpid (the main thread, as
 * gettid() names it) becomes the real id too.  /proc/self and
 * /proc/thread-self are the kernel's and keep working.
 *
 * Not translated: relative paths (openat(dirfd of /proc, "5/stat")) except
 * from a cwd of /proc (below), spellings like "/proc//5" or "/./proc/5".
 * The ids inside stat and status are procfs.c's, the listing procdir.c's.
 */

#define PROCPATH_PREFIX 6  /* strlen("/proc/") */
#define PROCPATH_DIGITS 10 /* a pid has at most 10 digits */

/* A pid component at s: its value and length, or false when s does not
 * start with one (the kernel itself then answers for the path). */
static bool pid_component(const char *s, long *v, size_t *len)
{
	size_t n = 0;
	long x = 0;

	if (s[0] < '1' || s[0] > '9')
		return false;
	while (s[n] >= '0' && s[n] <= '9') {
		if (n == PROCPATH_DIGITS)
			return false;
		x = x * 10 + (s[n] - '0');
		n++;
	}
	if (s[n] != '/' && s[n] != '\0')
		return false;
	*v = x;
	*len = n;
	return true;
}

/* Append s (length n) at buf[*at], bounded by cap. */
static bool put(char *buf, size_t cap, size_t *at, const char *s, size_t n)
{
	if (*at + n >= cap)
		return false;
	memcpy(buf + *at, s, n);
	*at += n;
	buf[*at] = '\0';
	return true;
}

static bool put_int(char *buf, size_t cap, size_t *at, long v)
{
	char num[24];

	return put(buf, cap, at, num, shim_fmt_int(num, v));
}

/* The real pid behind vpid component v: -ENOENT outside the tree. */
static pid_t pid_real(long v)
{
	pid_t r;

	if (v > PROTO_PID_MAX)
		return -ENOENT;
	if (v == 1) {
		if (shim_conn_peer() <= 0)
			shim_connect();
		r = shim_conn_peer();
		return r > 0 ? r : -ENOENT;
	}
	/* A debugger's tracee first: a new child it was shown may not be
	 * bound yet (ptrace.c), and a thread it was shown is a real id. */
	r = shim_ptrace_shown2r((pid_t)v);
	if (r > 0)
		return r;
	r = shim_xlate_tid((pid_t)v);
	return r > 0 && r != SHIM_PID_NONE ? r : -ENOENT;
}

/* Copy rest (after a pid component), turning "/task/<vpid>" into
 * "/task/<rpid>". */
static int put_rest(char *buf, size_t cap, size_t *at, const char *rest, long vpid, pid_t rpid)
{
	long t;
	size_t n;

	if (strncmp(rest, "/task/", 6) == 0 && pid_component(rest + 6, &t, &n) && t == vpid) {
		if (!put(buf, cap, at, "/task/", 6) || !put_int(buf, cap, at, rpid))
			return -ENAMETOOLONG;
		rest += 6 + n;
	}
	return put(buf, cap, at, rest, strlen(rest)) ? 0 : -ENAMETOOLONG;
}

int shim_procpath(const char *path, char *buf, size_t cap)
{
	const char *p = path + PROCPATH_PREFIX;
	size_t at = 0, n;
	long v;
	pid_t r;

	buf[0] = '\0';
	shim_init();
	if (shim_mode() != SHIM_MODE_ONLINE || shim_guarded())
		goto copy;
	if (strncmp(p, "self/task/", 10) == 0) {
		put(buf, cap, &at, path, PROCPATH_PREFIX + 4); /* "/proc/self" */
		return put_rest(buf, cap, &at, p + 4, shim_self_vpid(), shim_sys_getpid());
	}
	if (!pid_component(p, &v, &n))
		goto copy;
	r = pid_real(v);
	if (r < 0)
		return r;
	put(buf, cap, &at, path, PROCPATH_PREFIX);
	if (!put_int(buf, cap, &at, r))
		return -ENAMETOOLONG;
	return put_rest(buf, cap, &at, p + n, v, r);
copy:
	return put(buf, cap, &at, path, strlen(path)) ? 0 : -ENAMETOOLONG;
}

/* Is the link at (dirfd, path) procfs' "self" or "thread-self" (1 or 2)?
 * By the caller's spelling: the absolute path, or the bare name relative
 * to a cwd of /proc or a descriptor of procfs' root. */
static int self_link(int dirfd, const char *path)
{
	bool rel;

	if (path[0] == '/') {
		if (strncmp(path, "/proc/", PROCPATH_PREFIX) != 0)
			return 0;
		path += PROCPATH_PREFIX;
		rel = false;
	} else {
		rel = true;
	}
	if (path[0] != 's' && path[0] != 't')
		return 0;
	if (strcmp(path, "self") != 0 && strcmp(path, "thread-self") != 0)
		return 0;
	if (rel && !(dirfd == AT_FDCWD ? shim_procpath_cwd_root() : shim_procdir_is_root(dirfd)))
		return 0;
	return path[0] == 's' ? 1 : 2;
}

size_t shim_procpath_self_link(int dirfd, const char *path, char *text, size_t cap)
{
	size_t at = 0;
	pid_t rpid, tid;
	int kind;

	if (path == NULL || (path[0] != '/' && path[0] != 's' && path[0] != 't'))
		return 0;
	kind = self_link(dirfd, path);
	if (kind == 0 || shim_mode() != SHIM_MODE_ONLINE || shim_guarded())
		return 0;
	/* The link's text is known: "<pid>" or "<pid>/task/<tid>". */
	if (!put_int(text, cap, &at, shim_self_vpid()))
		return 0;
	if (kind == 2) {
		rpid = shim_sys_getpid();
		tid = (pid_t)shim_raw_syscall(SYS_gettid, 0, 0, 0, 0, 0, 0);
		if (!put(text, cap, &at, "/task/", 6) ||
		    !put_int(text, cap, &at, tid == rpid ? shim_self_vpid() : tid))
			return 0;
	}
	return at;
}

int shim_procpath_unreal(char *path, size_t cap)
{
	bool named;

	return shim_procpath_unreal_named(path, cap, &named);
}

int shim_procpath_unreal_named(char *path, size_t cap, bool *named)
{
	char buf[PATH_MAX];
	size_t at = 0, n;
	long r, t;
	pid_t self_r, v;
	const char *rest;

	*named = false;
	if (strncmp(path, "/proc/", PROCPATH_PREFIX) != 0 || !pid_component(path + PROCPATH_PREFIX, &r, &n))
		return 0;
	if (shim_mode() != SHIM_MODE_ONLINE || shim_guarded() || r > PROTO_PID_MAX)
		return 0;
	self_r = shim_sys_getpid();
	if (r == self_r) {
		v = shim_self_vpid();
	} else if (shim_raw_syscall(SYS_tgkill, self_r, r, 0, 0, 0, 0) == 0) {
		*named = true;
		return 0; /* one of our threads: named by its real id already */
	} else {
		v = shim_r2v((pid_t)r);
	}
	if (v <= 0)
		return 0; /* outside the tree: no name in it */
	*named = true;
	rest = path + PROCPATH_PREFIX + n;
	if (!put(buf, sizeof(buf), &at, "/proc/", PROCPATH_PREFIX) || !put_int(buf, sizeof(buf), &at, v))
		return -ENAMETOOLONG;
	/* the main thread's task entry by the name gettid() gives it */
	if (strncmp(rest, "/task/", 6) == 0 && pid_component(rest + 6, &t, &n) && t == r) {
		if (!put(buf, sizeof(buf), &at, "/task/", 6) || !put_int(buf, sizeof(buf), &at, v))
			return -ENAMETOOLONG;
		rest += 6 + n;
	}
	if (!put(buf, sizeof(buf), &at, rest, strlen(rest)) || at >= cap)
		return -ENAMETOOLONG;
	memcpy(path, buf, at + 1);
	return 0;
}

/*
 * A cwd under /proc (killall5, sysvinit's pidof: chdir("/proc"),
 * opendir("."), fopen("<pid>/stat"); or chdir("/proc/<vpid>") then
 * open("stat")): chdir and fchdir note it, and a relative path is then read
 * as the absolute one: from /proc, one starting with a pid, "self/" or
 * "thread-self/"; from /proc/<vpid> (or /proc/self), any one not starting
 * with "..".  A cwd changed behind libc's back (a raw chdir system call)
 * is not seen; fchdir recognises procfs' root and a
 * /proc/<pid> directory by the descriptor's link (procdir.c).  A new image
 * starts not knowing (`cd /proc; cat 5/stat`: cat inherits the cwd through
 * exec): the first relative path asks the kernel once (cwd_now).
 */
#define CWD_UNKNOWN 0     /* a new image: not asked yet (the start data is zeroed) */
#define CWD_PROC_ROOT (-1)
#define CWD_ELSEWHERE (-2)
static SHIM_START_DATA atomic_int cwd_proc; /* a CWD_ value, or the vpid of /proc/<vpid> */

void shim_procpath_cwd(const char *path, bool is_root)
{
	const char *p = path;
	long v = CWD_ELSEWHERE;
	size_t n;

	if (is_root) {
		v = CWD_PROC_ROOT;
	} else if (p != NULL && strncmp(p, "/proc", 5) == 0 && (p[5] == '\0' || p[5] == '/')) {
		p += p[5] ? 6 : 5;
		if (*p == '\0')
			v = CWD_PROC_ROOT;
		else if (strncmp(p, "self", 4) == 0 && (p[4] == '\0' || strcmp(p + 4, "/") == 0))
			v = shim_self_vpid();
		else if (!pid_component(p, &v, &n) || (p[n] != '\0' && strcmp(p + n, "/") != 0))
			v = CWD_ELSEWHERE;
	}
	if (!shim_vf.active) /* a vfork child's chdir is not its parent's */
		atomic_store_explicit(&cwd_proc, (int)v, memory_order_relaxed);
}

/* The cwd as noted; in a new image, the kernel's answer first (one
 * getcwd, whose /proc/<pid> is the real pid: read back as the vpid; a
 * process outside the tree is as elsewhere). */
static int cwd_now(void)
{
	int cwd = atomic_load_explicit(&cwd_proc, memory_order_relaxed);
	char buf[32];
	long n, v = CWD_ELSEWHERE;
	size_t len;

	if (cwd != CWD_UNKNOWN)
		return cwd;
	n = shim_raw_syscall(SYS_getcwd, (long)buf, sizeof(buf), 0, 0, 0, 0);
	if (n > 0 && strcmp(buf, "/proc") == 0) {
		v = CWD_PROC_ROOT;
	} else if (n > 0 && strncmp(buf, "/proc/", 6) == 0 && pid_component(buf + 6, &v, &len) &&
		   buf[6 + len] == '\0') {
		v = v == shim_sys_getpid() ? shim_self_vpid() : shim_r2v((pid_t)v);
		if (v <= 0)
			v = CWD_ELSEWHERE;
	} else {
		v = CWD_ELSEWHERE;
	}
	if (shim_vf.active)
		return (int)v; /* the parent's memory: its cwd may differ */
	/* a chdir meanwhile (another thread) wins */
	cwd = CWD_UNKNOWN;
	atomic_compare_exchange_strong_explicit(&cwd_proc, &cwd, (int)v, memory_order_relaxed,
						memory_order_relaxed);
	return atomic_load_explicit(&cwd_proc, memory_order_relaxed);
}

bool shim_procpath_cwd_root(void)
{
	return cwd_now() == CWD_PROC_ROOT;
}

bool shim_procpath_in_proc(void)
{
	return cwd_now() != CWD_ELSEWHERE;
}

/* "<pid>...", "self/..." or "thread-self/...": a name in procfs' root
 * that may need translating. */
static bool root_relative(const char *path)
{
	long v;
	size_t n;

	return pid_component(path, &v, &n) || strncmp(path, "self/", 5) == 0 ||
	       strncmp(path, "thread-self/", 12) == 0;
}

bool shim_procpath_relative(int dirfd, const char *path, char *abs, size_t cap)
{
	int cwd;
	size_t at = 0;

	if (path == NULL || path[0] == '/')
		return false;
	if (dirfd != AT_FDCWD) {
		/* A descriptor of procfs' root (htop: openat(dirfd(readdir's
		 * DIR), "<pid>", ...)), or of a task directory (find: fstatat
		 * of each name its listing gave); the fstat only for a name
		 * that could need it. */
		if (!root_relative(path))
			return false;
		if (!shim_procdir_is_root(dirfd))
			return shim_procdir_task_relative(dirfd, path, abs, cap);
		return put(abs, cap, &at, "/proc/", 6) && put(abs, cap, &at, path, strlen(path));
	}
	cwd = cwd_now();
	if (cwd == CWD_ELSEWHERE)
		return false;
	while (path[0] == '.' && path[1] == '/')
		path += 2;
	if (path[0] == '\0' || path[0] == '.')
		return false;
	if (cwd == CWD_PROC_ROOT) {
		if (!root_relative(path))
			return false;
		return put(abs, cap, &at, "/proc/", 6) && put(abs, cap, &at, path, strlen(path));
	}
	return put(abs, cap, &at, "/proc/", 6) && put_int(abs, cap, &at, cwd) &&
	       put(abs, cap, &at, "/", 1) && put(abs, cap, &at, path, strlen(path));
}
