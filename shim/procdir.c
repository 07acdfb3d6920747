/* procdir.c — readdir of /proc and of /proc/<vpid>/task as the tree sees them: vpids, nobody outside. */
#include "shim.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

/*
 * procps (libproc2), psmisc and python's os.listdir list /proc with
 * opendir + readdir (readdir64) and take the numeric names for pids.
 * opendir("/proc") and fdopendir of a descriptor of procfs' root
 * remember the DIR in a small table; readdir of a remembered DIR renames
 * the real pid of each tree process to its vpid and leaves out every other
 * numeric entry, so a tree process sees the pids it can name, as in a pid
 * namespace; "self", "thread-self" and the other names pass.  The set of
 * tree processes is asked once per stream, at its first readdir
 * (PROCLIST, one round trip per 32 processes), and kept until closedir:
 * a process born after that is not listed, one that died is not listed
 * either (the kernel no longer has its entry).  A /proc/<vpid>/task or
 * /proc/self/task listing names the main thread by the vpid (gettid()'s
 * answer); the other threads keep their real ids.
 *
 * The entry handed back is a copy in the table slot (a vpid may need more
 * digits than the real name had in the kernel's record), valid until the
 * next readdir or closedir of that stream, as POSIX allows.  Every other
 * DIR costs readdir one atomic load.  fdopendir recognises the same
 * directories by descriptor (htop: openat of "<pid>", then of "task", then
 * fdopendir); an openat of stat, status or children relative to a
 * /proc/<pid> descriptor reads procfs.c's rewritten file
 * (shim_procdir_fd_relative).  scandir goes through readdir here
 * (scandir.c); readdir_r and getdents64 are not covered.
 */

#define PROCDIR_SLOTS 16 /* /proc streams open at once; more stay real */
#define PROC_ROOT_INO 1  /* procfs' root directory */
#define PROCFS_MAGIC 0x9fa0

struct procdir_pair {
	pid_t rpid, vpid;
};

struct procdir_slot {
	void *dir;                 /* the DIR; NULL = free */
	bool root;                 /* /proc itself, else a task directory */
	bool loaded;               /* pairs fetched (root) */
	pid_t rpid, vpid;          /* task: the process */
	struct procdir_pair *pairs; /* root: sorted by rpid (malloc'd) */
	size_t n;
	struct dirent64 ent;       /* the entry handed back */
};

static struct procdir_slot slots[PROCDIR_SLOTS];
static atomic_int nslots;      /* slots in use: readdir's fast path */
static atomic_flag slot_lock = ATOMIC_FLAG_INIT;

static void slots_lock(void)
{
	while (atomic_flag_test_and_set_explicit(&slot_lock, memory_order_acquire))
		;
}

static void slots_unlock(void)
{
	atomic_flag_clear_explicit(&slot_lock, memory_order_release);
}

bool shim_procdir_any(void)
{
	return atomic_load_explicit(&nslots, memory_order_relaxed) > 0;
}

static struct procdir_slot *slot_find(void *d)
{
	struct procdir_slot *s = NULL;

	slots_lock();
	for (int i = 0; i < PROCDIR_SLOTS && s == NULL; i++)
		if (slots[i].dir == d)
			s = &slots[i];
	slots_unlock();
	return s;
}

static void slot_add(void *d, bool root, pid_t rpid, pid_t vpid)
{
	slots_lock();
	for (int i = 0; i < PROCDIR_SLOTS; i++) {
		if (slots[i].dir != NULL)
			continue;
		slots[i] = (struct procdir_slot){ .dir = d, .root = root, .rpid = rpid, .vpid = vpid };
		atomic_fetch_add(&nslots, 1);
		break;
	}
	slots_unlock();
}

/* "/proc" or "/proc/" */
static bool path_is_root(const char *p)
{
	return strncmp(p, "/proc", 5) == 0 && (p[5] == '\0' || (p[5] == '/' && p[6] == '\0'));
}

/* "/proc/<vpid>/task", "/proc/self/task" (a trailing '/' allowed): the
 * process's vpid, else 0. */
static pid_t path_task_of(const char *p)
{
	const char *q = p + 6;
	long v;

	if (strncmp(p, "/proc/", 6) != 0)
		return 0;
	if (strncmp(q, "self/", 5) == 0) {
		v = shim_self_vpid();
		q += 4;
	} else if (*q < '1' || *q > '9' || !shim_parse_int(&q, &v)) {
		return 0;
	}
	if (strncmp(q, "/task", 5) != 0 || (q[5] != '\0' && strcmp(q + 5, "/") != 0))
		return 0;
	return (pid_t)v;
}

bool shim_procdir_is_root(int fd)
{
	struct stat st;
	struct statfs sf;

	return fstat(fd, &st) == 0 && st.st_ino == PROC_ROOT_INO && fstatfs(fd, &sf) == 0 &&
	       sf.f_type == PROCFS_MAGIC;
}

/* The names procfs.c rewrites, as a reader opens them in a /proc/<pid>
 * (or task/<tid>) directory it holds a descriptor of. */
static bool pid_dir_file(const char *path)
{
	return strcmp(path, "stat") == 0 || strcmp(path, "status") == 0 ||
	       strcmp(path, "sched") == 0 || strcmp(path, "children") == 0 ||
	       strncmp(path, "task/", 5) == 0;
}

/* The tree's name for the /proc directory fd is open on, from the
 * kernel's link "/proc/<rpid>[/...]": "/proc/<vpid>[/...]" in link (a
 * real thread id of ours stays), with its real pid in *rpid.  False for a
 * descriptor that is not such a directory, or one of a process outside the
 * tree (the kernel's files then, as asked). */
static bool fd_proc_name(int fd, char *link, size_t cap, pid_t *rpid)
{
	char fdpath[48];
	ssize_t got;
	bool named;

	memcpy(fdpath, "/proc/self/fd/", 14);
	fdpath[14 + shim_fmt_int(fdpath + 14, fd)] = '\0';
	got = REAL(readlink)(fdpath, link, cap - 1);
	if (got <= 6 || strncmp(link, "/proc/", 6) != 0 || link[6] < '1' || link[6] > '9')
		return false;
	link[got] = '\0';
	*rpid = (pid_t)atoi(link + 6);
	/* Not by whether the text changed: where real ids are small (a fresh
	 * pid namespace) "/proc/12" may become "/proc/10", or stay "/proc/2". */
	return shim_procpath_unreal_named(link, cap, &named) == 0 && named;
}

bool shim_procdir_on_procfs(int fd)
{
	struct statfs sf;

	return fstatfs(fd, &sf) == 0 && sf.f_type == PROCFS_MAGIC;
}

/* abs = dir + "/" + name, within cap bytes. */
static bool join(char *abs, size_t cap, const char *dir, const char *name)
{
	size_t n = strlen(dir), len = strlen(name);

	if (n + 1 + len >= cap)
		return false;
	memcpy(abs, dir, n);
	abs[n] = '/';
	memcpy(abs + n + 1, name, len + 1);
	return true;
}

bool shim_procdir_fd_relative(int dirfd, const char *path, char *abs, size_t cap)
{
	char link[PATH_MAX];
	pid_t rpid;

	if (dirfd < 0 || path[0] == '/' || !pid_dir_file(path) || shim_mode() != SHIM_MODE_ONLINE ||
	    shim_guarded() || !shim_procdir_on_procfs(dirfd) || !fd_proc_name(dirfd, link, sizeof(link), &rpid))
		return false;
	return join(abs, cap, link, path);
}

bool shim_procdir_task_relative(int dirfd, const char *path, char *abs, size_t cap)
{
	char link[PATH_MAX];
	pid_t rpid;

	if (path[0] < '1' || path[0] > '9' || shim_mode() != SHIM_MODE_ONLINE || shim_guarded() ||
	    !shim_procdir_on_procfs(dirfd) || !fd_proc_name(dirfd, link, sizeof(link), &rpid) ||
	    path_task_of(link) <= 0)
		return false;
	return join(abs, cap, link, path);
}

void shim_procdir_note_cwd(int fd)
{
	char name[PATH_MAX];
	pid_t rpid;

	if (!shim_procdir_on_procfs(fd)) {
		shim_procpath_cwd(NULL, false);
		return;
	}
	if (shim_procdir_is_root(fd)) {
		shim_procpath_cwd(NULL, true);
		return;
	}
	/* /proc/<pid> by descriptor: named as the tree names it (any other
	 * procfs directory is no pid directory: 0) */
	shim_procpath_cwd(shim_mode() == SHIM_MODE_ONLINE && !shim_guarded() &&
				  fd_proc_name(fd, name, sizeof(name), &rpid)
			  ? name
			  : NULL,
			  false);
}

/* fdopendir of a descriptor: procfs' root, or a task directory (htop
 * opens "<pid>", then "task" in it, by descriptor).  One fstatfs for any
 * other directory. */
static void note_fd(void *d, int fd)
{
	char link[PATH_MAX];
	pid_t rpid, v;

	if (!shim_procdir_on_procfs(fd))
		return;
	if (shim_procdir_is_root(fd)) {
		slot_add(d, true, 0, 0);
		return;
	}
	if (!fd_proc_name(fd, link, sizeof(link), &rpid))
		return;
	v = path_task_of(link);
	if (v > 0)
		slot_add(d, false, rpid, v);
}

void shim_procdir_note(void *d, const char *path, int fd)
{
	char abs[64];
	pid_t v, r;

	if (d == NULL || shim_mode() != SHIM_MODE_ONLINE || shim_guarded())
		return;
	if (path == NULL) {
		note_fd(d, fd);
		return;
	}
	if (path[0] != '/') {
		/* relative: "." with a cwd of /proc, or "<pid>/task" there */
		if (strcmp(path, ".") == 0 || strcmp(path, "./") == 0) {
			/* only after a chdir to /proc: `ls` opens "." too */
			if (shim_procpath_cwd_root() && shim_procdir_is_root(dirfd((DIR *)d)))
				slot_add(d, true, 0, 0);
			return;
		}
		if (!shim_procpath_relative(AT_FDCWD, path, abs, sizeof(abs)))
			return;
		path = abs;
	}
	if (path_is_root(path)) {
		slot_add(d, true, 0, 0);
		return;
	}
	v = path_task_of(path);
	if (v <= 0)
		return;
	r = v == shim_self_vpid() ? shim_sys_getpid() : v == 1 ? shim_conn_peer() : shim_v2r(v);
	if (r > 0)
		slot_add(d, false, r, v);
}

void shim_procdir_forget(void *d)
{
	struct procdir_slot *s;

	if (!shim_procdir_any() || (s = slot_find(d)) == NULL)
		return;
	free(s->pairs);
	slots_lock();
	s->pairs = NULL;
	s->dir = NULL;
	atomic_fetch_sub(&nslots, 1);
	slots_unlock();
}

static int pair_cmp(const void *a, const void *b)
{
	pid_t x = ((const struct procdir_pair *)a)->rpid, y = ((const struct procdir_pair *)b)->rpid;

	return (x > y) - (x < y);
}

/* The tree's (rpid, vpid) pairs, sorted by rpid.  On failure the listing
 * shows no process at all: never a real pid. */
static void slot_load(struct procdir_slot *s)
{
	struct proto_req req = { .op = PROTO_OP_PROCLIST };
	struct proto_rep rep;
	size_t cap = 0;
	int saved = errno;

	s->loaded = true;
	do {
		if (shim_call(&req, &rep) < 0 || rep.err < 0)
			break;
		for (uint32_t i = 0; i + 1 < rep.n; i += 2) {
			if (s->n == cap) {
				struct procdir_pair *p;
				cap = cap ? 2 * cap : 64;
				p = realloc(s->pairs, cap * sizeof(*p));
				if (p == NULL)
					goto done;
				s->pairs = p;
			}
			s->pairs[s->n++] = (struct procdir_pair){ .rpid = rep.ids[i + 1],
								  .vpid = rep.ids[i] };
		}
		req.a = rep.v[0];
	} while (req.a > 0);
done:
	if (s->n > 1)
		qsort(s->pairs, s->n, sizeof(*s->pairs), pair_cmp);
	shim_errno_keep(saved);
}

/* The vpid of a numeric name in this listing, 0 to leave it out, -1 when
 * the name is not a pid. */
static long entry_vpid(struct procdir_slot *s, const char *name)
{
	const char *p = name;
	long r;

	if (*p < '1' || *p > '9' || !shim_parse_int(&p, &r) || *p != '\0')
		return -1;
	if (!s->root)
		return r == s->rpid ? s->vpid : r;
	if (!s->loaded)
		slot_load(s);
	struct procdir_pair key = { .rpid = (pid_t)r }, *hit;
	hit = s->n ? bsearch(&key, s->pairs, s->n, sizeof(key), pair_cmp) : NULL;
	return hit ? hit->vpid : 0;
}

void *shim_procdir_next(void *d, bool is64)
{
	struct procdir_slot *s = slot_find(d);
	struct dirent64 *e;
	long v;

	if (s == NULL)
		return is64 ? (void *)REAL(readdir64)(d) : (void *)REAL(readdir)(d);
	for (;;) {
		/* struct dirent and dirent64 share one layout on 64-bit ABIs;
		 * readdir64 is the real call either way */
		e = REAL(readdir64)(d);
		if (e == NULL)
			return NULL;
		v = entry_vpid(s, e->d_name);
		if (v < 0)
			return e;
		if (v > 0)
			break;
	}
	s->ent.d_ino = e->d_ino;
	s->ent.d_off = e->d_off;
	s->ent.d_type = e->d_type;
	s->ent.d_reclen = sizeof(s->ent);
	s->ent.d_name[shim_fmt_int(s->ent.d_name, v)] = '\0';
	return &s->ent;
}

SHIM_EXPORT DIR * fdopendir(int fd)
{
	DIR *d;

	shim_init();
	d = REAL(fdopendir)(fd);
	shim_procdir_note(d, NULL, fd);
	return d;
}

SHIM_EXPORT int closedir(DIR *d)
{
	shim_init();
	shim_procdir_forget(d);
	return REAL(closedir)(d);
}

SHIM_EXPORT struct dirent * readdir(DIR *d)
{
	shim_init();
	if (!shim_procdir_any())
		return REAL(readdir)(d);
	return shim_procdir_next(d, false);
}

SHIM_EXPORT struct dirent64 * readdir64(DIR *d)
{
	shim_init();
	if (!shim_procdir_any())
		return REAL(readdir64)(d);
	return shim_procdir_next(d, true);
}

/* readdir_r/readdir64_r of a remembered d (older code, and programs built
 * with it long ago): the entry readdir gives, copied into the caller's.
 * 0 with *result the entry or NULL at the end, or the error number;
 * errno is left as it was, as glibc's does.  glibc's reads with its
 * internal readdir, which no preload sees. */
static int procdir_next_r(DIR *d, struct dirent64 *entry, struct dirent64 **result)
{
	int saved = errno, err;
	struct dirent64 *e;

	errno = 0;
	e = shim_procdir_next(d, true);
	err = errno;
	shim_errno_keep(saved);
	*result = NULL;
	if (e == NULL)
		return err;
	memcpy(entry, e, offsetof(struct dirent64, d_name) + strlen(e->d_name) + 1);
	entry->d_reclen = sizeof(*entry);
	*result = entry;
	return 0;
}

SHIM_EXPORT int readdir_r(DIR *d, struct dirent *entry, struct dirent **result)
{
	shim_init();
	if (!shim_procdir_any() || slot_find(d) == NULL)
		return REAL(readdir_r)(d, entry, result);
	return procdir_next_r(d, (struct dirent64 *)entry, (struct dirent64 **)result);
}

SHIM_EXPORT int readdir64_r(DIR *d, struct dirent64 *entry, struct dirent64 **result)
{
	shim_init();
	if (!shim_procdir_any() || slot_find(d) == NULL)
		return REAL(readdir64_r)(d, entry, result);
	return procdir_next_r(d, entry, result);
}
