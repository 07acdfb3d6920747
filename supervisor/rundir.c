/* rundir.c — the run directory: a secret path reachable by every uid of the tree, the socket and the shared files in it. */
#include "sup.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/un.h>
#include <unistd.h>

#include <linux/magic.h>

/*
 * A process of the tree keeps its place in the tree whatever uid it takes
 * (setuid, seteuid, setresuid, a set-uid image): it must still reach the
 * socket and the files beside it.  The kernel cannot say "my descendants"
 * in a file mode, so access is by knowledge of a path, and who is in the
 * tree is decided by the supervisor from SO_PEERCRED's pid:
 *
 *   TOP = BASE/jobshim-<pid>.XXXXXX      0711, ours: anyone may pass, no one
 *                                         may list it (BASE: run_bases());
 *   TOP/lock                              0600, flock'ed while we live
 *                                         (rundir_prune.c);
 *   DIR = TOP/<24 random hex digits>      0711, ours: the secret component;
 *   DIR/sock, shared, events              0666: any uid that knows DIR;
 *   DIR/mview                             0644: read by all, written by us
 *                                         (mview.c);
 *   DIR/libjobshim.so                     0644, only when the library is
 *                                         somewhere other uids cannot read.
 *
 * DIR reaches the tree in JOBSHIM_SOCKET, which only processes that could
 * ptrace a tree process (same uid and dumpable, or root) can read from
 * /proc/<pid>/environ: such a process could act as the tree process
 * anyway.  A connection from a process that is not a descendant is still
 * refused (clients.c), and event records are checked like messages from
 * the process they name (events.c).  No one but us can create a file in
 * DIR, so the shims trust a file there that is owned by DIR's owner
 * (shim_sup_file_open).
 */

#define RUNDIR_SECRET_BYTES 12 /* 24 hex digits: beyond guessing with stat() */
#define RUNDIR_LIB "libjobshim.so" /* a copy of a library other uids cannot read */

/* TOP/lock, 0600, flock'ed for our whole life: rundir_prune (rundir_prune.c)
 * tells a dead supervisor's leftovers by it.  Failing to make it only
 * means our own leftovers, if any, are never pruned. */
static void take_lock(struct sup *s)
{
	char path[sizeof(s->top) + sizeof("/" RUNDIR_LOCK)];
	int fd;

	snprintf(path, sizeof(path), "%s/" RUNDIR_LOCK, s->top);
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		close(fd);
		unlink(path);
		return;
	}
	s->lockfd = fd;
}

bool rundir_reserve(int fd, uint64_t off, uint64_t len)
{
	return fallocate(fd, 0, (off_t)off, (off_t)len) == 0 || errno == EOPNOTSUPP;
}

/* A new file `name` in DIR, mode 0666, `size` bytes of zeros: the open fd, or -1. */
static int shared_file(struct sup *s, const char *name, off_t size, char *path, size_t pathlen)
{
	int fd;

	snprintf(path, pathlen, "%s/%s", s->dir, name);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	/* Memory behind it now: a shim's store into a hole of a full tmpfs
	 * would be a SIGBUS. */
	if (fchmod(fd, 0666) < 0 || ftruncate(fd, size) < 0 || !rundir_reserve(fd, 0, (uint64_t)size)) {
		close(fd);
		unlink(path);
		return -1;
	}
	return fd;
}

/* The tree's shared file "shared" beside the socket (proto.h): the vpid
 * counter (procs.c), which we map, then the shims' image decision cache
 * (shim/imgcache.h), zeroed and never read here.  Without it (cannot be
 * made) the shims ask with FORK and scan every image: slower, same ids. */
static void make_shared(struct sup *s)
{
	void *m;
	int fd = shared_file(s, PROTO_SHARED_FILE, PROTO_SHARED_SIZE, s->vcpath, sizeof(s->vcpath));

	if (fd < 0) {
		s->vcpath[0] = '\0';
		return;
	}
	m = mmap(NULL, PROTO_VPIDS_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (m == MAP_FAILED) {
		unlink(s->vcpath);
		s->vcpath[0] = '\0';
		return;
	}
	s->vc = m;
	atomic_store(&s->vc->run, proto_vpids_pack(s->opt.first_pid, sup_vpid_max(s)));
	atomic_store(&s->vc->sup_rpid, s->self_rpid);
}

/* Could any uid open `path` (an absolute, resolved path) for reading:
 * every directory on the way searchable by others, the file readable? */
static bool world_readable(const char *path)
{
	char buf[sizeof(((struct sup *)0)->lib)];
	struct stat st;
	size_t n = strlen(path);

	if (n >= sizeof(buf) || path[0] != '/')
		return false;
	memcpy(buf, path, n + 1);
	for (char *p = strchr(buf + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		bool ok = stat(buf, &st) == 0 && (st.st_mode & S_IXOTH);
		*p = '/';
		if (!ok)
			return false;
	}
	return stat(buf, &st) == 0 && (st.st_mode & S_IROTH);
}

/* The dynamic loader of an image exec'd under another uid opens
 * LD_PRELOAD as that uid: a library in a private place (a build tree
 * under /root) would silently not be loaded, and the image would run
 * outside the namespace.  Such a library is copied into DIR, 0644, and
 * the tree is given the copy.  A library any uid can read is used where
 * it is. */
static void share_lib(struct sup *s)
{
	char path[sizeof(s->dir) + sizeof("/" RUNDIR_LIB)], buf[65536];
	ssize_t n = 0;
	int in, out;

	if (world_readable(s->lib))
		return;
	in = open(s->lib, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return;
	/* Never writable by others, not even for a moment (shared_file's 0666). */
	snprintf(path, sizeof(path), "%s/" RUNDIR_LIB, s->dir);
	out = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (out >= 0 && fchmod(out, 0644) == 0) {
		while ((n = read(in, buf, sizeof(buf))) > 0)
			if (write(out, buf, (size_t)n) != n) {
				n = -1;
				break;
			}
	} else {
		n = -1;
	}
	close(in);
	if (out >= 0 && close(out) == 0 && n == 0) {
		snprintf(s->lib, sizeof(s->lib), "%s", path);
		return;
	}
	unlink(path); /* keep the original: only other uids lose the shim */
}

/* TOP in the first of bases[0..n) where mkdtemp succeeds (run_bases):
 * its index, or -1 (reported).  An explicit $TMPDIR where no directory can
 * be made (read-only, /proc) is said and passed over, as Python's
 * tempfile does, rather than failing a CI job that never uses it. */
static int make_top(struct sup *s, const char *const *bases, int n, bool tmpdir_first)
{
	for (int i = 0; i < n; i++) {
		snprintf(s->top, sizeof(s->top), "%s/jobshim-%d.XXXXXX", bases[i], (int)s->self_rpid);
		if (mkdtemp(s->top))
			return i;
		if (i == n - 1)
			fprintf(stderr, "jobshim: mkdtemp %s: %s\n", s->top, strerror(errno));
		else if (i == 0 && tmpdir_first)
			fprintf(stderr, "jobshim: $TMPDIR (%s): %s; using %s\n", bases[i], strerror(errno),
				bases[i + 1]);
	}
	s->top[0] = '\0';
	return -1;
}

/* DIR in TOP; 0 or -1 (reported). */
static int make_dirs(struct sup *s)
{
	uint8_t rnd[RUNDIR_SECRET_BYTES];
	char hex[2 * RUNDIR_SECRET_BYTES + 1];
	ssize_t n;

	take_lock(s);
	do
		n = getrandom(rnd, sizeof(rnd), 0);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(rnd)) {
		fprintf(stderr, "jobshim: getrandom: %s\n", n < 0 ? strerror(errno) : "short read");
		return -1;
	}
	for (size_t i = 0; i < sizeof(rnd); i++)
		snprintf(hex + 2 * i, 3, "%02x", rnd[i]);
	if (snprintf(s->dir, sizeof(s->dir), "%.150s/%s", s->top, hex) >= (int)sizeof(s->dir) ||
	    mkdir(s->dir, 0700) < 0) {
		fprintf(stderr, "jobshim: mkdir %s: %s\n", s->dir, strerror(errno));
		s->dir[0] = '\0';
		return -1;
	}
	/* Searchable by all, listable by none (chmod: whatever the umask). */
	if (chmod(s->dir, 0711) < 0 || chmod(s->top, 0711) < 0) {
		fprintf(stderr, "jobshim: chmod %s: %s\n", s->dir, strerror(errno));
		return -1;
	}
	return 0;
}

/* Whether every directory on the way to TMP lets any uid pass (o+x): a
 * process of the tree that takes another uid must still reach DIR.  A 0700
 * $TMPDIR (mktemp -d, a private home) does not, and /tmp (1777) does. */
static bool passable_by_all(const char *tmp)
{
	char path[PATH_MAX];
	struct stat st;

	if (!realpath(tmp, path))
		return false;
	for (;;) {
		if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode) || !(st.st_mode & S_IXOTH))
			return false;
		char *slash = strrchr(path, '/');
		if (!slash || slash == path)
			break;
		*slash = '\0';
	}
	return stat("/", &st) == 0 && (st.st_mode & S_IXOTH);
}

/* Whether /dev/shm is a tmpfs any uid may make entries in (1777, like
 * /tmp) with room for a run (RUN_BASE_ROOM bytes free), mounted without
 * noexec: a library copied into DIR (share_lib) must be mappable as code
 * (Docker mounts its /dev/shm noexec); and writable (a read-only mount
 * made every run fail: "mkdtemp /dev/shm/...: Read-only file system"). */
#define RUN_BASE_ROOM (16u << 20)
static bool shm_usable(void)
{
	struct statfs fs;
	struct stat st;

	return statfs("/dev/shm", &fs) == 0 && fs.f_type == TMPFS_MAGIC &&
	       !(fs.f_flags & (ST_NOEXEC | ST_RDONLY)) &&
	       (uint64_t)fs.f_bavail * (uint64_t)fs.f_bsize >= RUN_BASE_ROOM && stat("/dev/shm", &st) == 0 &&
	       S_ISDIR(st.st_mode) && (st.st_mode & (S_ISVTX | S_IRWXO)) == (S_ISVTX | S_IRWXO) &&
	       passable_by_all("/dev/shm");
}

/* Where TOP goes, in order of preference (the next where the first
 * cannot be made): $TMPDIR, when it is set to an absolute path with room in
 * sun_path for "/jobshim-<pid>.XXXXXX/<secret>/sock" and every uid may
 * pass it; /dev/shm when shm_usable(); /tmp.  (A noexec $TMPDIR
 * or /tmp limits share_lib's copy the same way, as it always did.)
 *
 * Why /dev/shm before /tmp: DIR holds the maps every fork, exec and exit
 * writes (the view, the vpid counter, the image cache).  On a disk file
 * system (/tmp on ext4, as on most CI machines) each first touch of a page
 * reads ahead and allocates blocks, each released page is a journalled
 * hole punch, dirty pages are written back to the disk, and removing the
 * files at the end evicts them all: 6.5 ms of the 10 ms a `jobshim run --
 * true` took; 2.9 ms in memory.  An explicit $TMPDIR is still obeyed. */
static int run_bases(const char *bases[3], bool *tmpdir_first)
{
	const char *tmp = getenv("TMPDIR");
	int n = 0;

	*tmpdir_first = false;
	if (tmp && tmp[0] == '/' && strlen(tmp) <= sizeof(((struct sockaddr_un *)0)->sun_path) - 56 &&
	    passable_by_all(tmp)) {
		bases[n++] = tmp;
		*tmpdir_first = true;
	}
	if (shm_usable())
		bases[n++] = "/dev/shm";
	bases[n++] = "/tmp";
	return n;
}

int rundir_make(struct sup *s)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	const char *bases[3];
	bool tmpdir_first;
	int nb = run_bases(bases, &tmpdir_first);
	int at = make_top(s, bases, nb, tmpdir_first);

	if (at < 0 || make_dirs(s) < 0)
		return -1;
	rundir_prune(s, bases[at]);
	snprintf(s->sock, sizeof(s->sock), "%s/sock", s->dir);
	memcpy(sa.sun_path, s->sock, strlen(s->sock) + 1);
	/* "trace" beside the socket tells every image the run is traced, so
	 * that a fork child about to exec connects to report the exec (which
	 * it otherwise skips: a connection per exec is the shim's largest
	 * cost).  A file, because programs clear their environment. */
	if (s->opt.trace) {
		char mark[sizeof(s->dir) + sizeof("/trace")];
		snprintf(mark, sizeof(mark), "%s/trace", s->dir);
		int fd = open(mark, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		if (fd >= 0)
			close(fd);
	}
	make_shared(s);
	mview_make(s);
	share_lib(s);
	s->lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	/* connect(2) needs write permission on the socket file: every uid. */
	if (s->lfd < 0 || bind(s->lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    chmod(s->sock, 0666) < 0 || listen(s->lfd, SOMAXCONN) < 0) {
		fprintf(stderr, "jobshim: socket %s: %s\n", s->sock, strerror(errno));
		return -1;
	}
	return 0;
}

/* After events_close: the view (unmapped), then DIR with everything in
 * it -- what rundir_make made, the nested runs' files (nest.c), anything a
 * tree process put there -- then TOP.  A DIR that cannot be removed keeps
 * TOP and its lock: a later run's prune takes them. */
void rundir_remove(struct sup *s)
{
	mview_remove(s);
	if (s->dir[0]) {
		rundir_rmtree(AT_FDCWD, s->dir, RUNDIR_RMTREE_DEPTH);
		if (access(s->dir, F_OK) == 0)
			return;
	}
	if (s->top[0])
		rundir_rmtree(AT_FDCWD, s->top, RUNDIR_RMTREE_DEPTH);
}
