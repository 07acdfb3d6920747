/* paths.c — path-taking calls (open, fopen, the stat family, access, readlink, opendir, chdir) with /proc/<vpid> translated; realpath and getcwd are realpath.c's. */
#undef _FORTIFY_SOURCE /* we define open & co.: no inline fortify bodies */
#include "shim.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/*
 * Each wrapper costs one readability probe (a bad pointer must come back
 * EFAULT from the kernel, not fault in here) and a few comparisons on a
 * path that is not under /proc (shim_procpath_candidate, in shim_path_in);
 * a candidate is translated by
 * procpath.c into a buffer on the wrapper's stack.
 * Covered: open, open64, openat, openat64 and their fortified __*_2
 * forms, fopen, fopen64, freopen, freopen64, opendir, stat, stat64, lstat,
 * lstat64, fstatat, fstatat64, the pre-2.33 __xstat family, statx, access,
 * faccessat, euidaccess, eaccess, readlink, readlinkat, chdir (and fchdir:
 * both note whether the cwd is /proc, for relative "<pid>/..." paths).  The
 * open family and fopen hand stat and status files to procfs.c first;
 * opendir tells procdir.c what it opened.  libc's
 * internal opens (scandir, nftw, realpath, glob, exec*'s path search) do not
 * come through here.
 */

/* Older binaries reach the stat family through these (glibc < 2.33). */
int __xstat(int ver, const char *path, struct stat *st);
int __xstat64(int ver, const char *path, struct stat64 *st);
int __lxstat(int ver, const char *path, struct stat *st);
int __lxstat64(int ver, const char *path, struct stat64 *st);
int __fxstatat(int ver, int dirfd, const char *path, struct stat *st, int flags);
int __fxstatat64(int ver, int dirfd, const char *path, struct stat64 *st, int flags);
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);

/*
 * Fill pb->path with the path to pass to the real function: `path` itself
 * (no copy) unless it is a /proc candidate, else its translation in
 * pb->buf.  False with errno set (ENOENT: a pid outside the tree,
 * ENAMETOOLONG) when the call must fail without reaching libc.  A NULL
 * path goes through unchanged (freopen(NULL, ...), statx/fstatat with
 * AT_EMPTY_PATH; glibc accepts them), so success is not signalled by a
 * non-NULL pointer.
 */
static bool shim_path_in_at(int dirfd, const char *path, struct shim_pathbuf *pb)
{
	int rc;

	/* The wrappers' prototypes carry glibc's nonnull attributes: hide
	 * them from the optimiser, or it drops the NULL test in
	 * shim_procpath_candidate and a NULL path faults here. */
	__asm__("" : "+r"(path));
	shim_init();
	pb->path = path;
	pb->readable = false;
	/* An unreadable path is the kernel's EFAULT, never a fault here:
	 * probed (one process_vm_readv per page, uaccess.c) before the
	 * candidate test reads it. */
	if (path == NULL || !shim_user_str_ok(path))
		return true;
	pb->readable = true;
	if (!shim_procpath_candidate(path)) {
		char abs[64];

		/* relative to a cwd or descriptor of /proc: "<pid>/..." is
		 * "/proc/<pid>/..." (procpath.c) */
		if (path[0] == '/' || !shim_procpath_relative(dirfd, path, abs, sizeof(abs)))
			return true;
		rc = shim_procpath(abs, pb->buf, sizeof(pb->buf));
		if (rc == -ENOENT) {
			pb->path = "/proc/2147483647"; /* as below */
			return true;
		}
		if (rc < 0) {
			errno = -rc;
			return false;
		}
		if (strcmp(abs, pb->buf) != 0)
			pb->path = pb->buf; /* else keep the caller's relative spelling */
		return true;
	}
	rc = shim_procpath(path, pb->buf, sizeof(pb->buf));
	if (rc == -ENOENT) {
		/* A pid outside the tree: a /proc entry no process has, so the
		 * kernel checks the other arguments first (access(path, -1) is
		 * EINVAL) and answers ENOENT itself. */
		pb->path = "/proc/2147483647";
		return true;
	}
	if (rc < 0) {
		errno = -rc;
		return false;
	}
	pb->path = pb->buf;
	return true;
}

/* A path relative to the cwd (the calls without a dirfd). */
static bool shim_path_in(const char *path, struct shim_pathbuf *pb)
{
	return shim_path_in_at(AT_FDCWD, path, pb);
}

/* open family: a read-only open of a /proc stat or status file gets a
 * rewritten copy (procfs.c); true with *fd (or -1 and errno) then. */
static bool procfs_open_at(int dirfd, const char *path, int flags, mode_t mode, int *fd)
{
	char abs[64];

	__asm__("" : "+r"(path)); /* as in shim_path_in: keep the NULL test */
	if (path == NULL || !shim_user_str_ok(path))
		return false; /* the kernel's EFAULT (shim_path_in) */
	if (shim_cgroupfs_candidate(path)) {
		/* a cgroup's member list (cgroupfs.c), often dirfd-relative */
		*fd = shim_cgroupfs_open(dirfd, path, flags, mode);
		return *fd != SHIM_PROCFS_PASS;
	}
	if (path[0] != '/' && (shim_procpath_relative(dirfd, path, abs, sizeof(abs)) ||
			       shim_procdir_fd_relative(dirfd, path, abs, sizeof(abs))))
		path = abs; /* relative to a cwd or descriptor of /proc or /proc/<pid> */
	if (!shim_procfs_candidate(path))
		return false;
	*fd = shim_procfs_open(path, flags);
	return *fd != SHIM_PROCFS_PASS;
}

static bool procfs_open(const char *path, int flags, int *fd)
{
	return procfs_open_at(AT_FDCWD, path, flags, 0, fd);
}

/* fopen's mode as open flags for procfs_open: -1 unless read-only. */
static int fopen_flags(const char *how)
{
	if (how == NULL || how[0] != 'r' || strchr(how, '+') != NULL)
		return -1;
	return O_RDONLY | (strchr(how, 'e') ? O_CLOEXEC : 0);
}

/* fopen of a rewritten /proc file: true with *f (NULL and errno on failure). */
static bool procfs_fopen(const char *path, const char *how, FILE **f)
{
	int flags = fopen_flags(how), fd;

	if (flags < 0 || !procfs_open(path, flags, &fd))
		return false;
	*f = fd < 0 ? NULL : fdopen(fd, how);
	if (*f == NULL && fd >= 0) {
		int saved = errno;
		shim_close(fd);
		shim_errno_keep(saved);
	}
	return true;
}

/* After an open of the open family: the terminal watch (tty.c) and a
 * cgroup pid file opened for writing (cgwrite.c). */
static int file_opened(const char *path, int flags, int fd, bool tty_watch)
{
	if (fd >= 0)
		shim_acct_opened(fd); /* one load, unless this image called acct() */
	if (fd >= 0 && shim_cgwrite_candidate(path, flags)) {
		int saved = errno;
		shim_cgwrite_opened(fd);
		shim_errno_keep(saved);
	}
	return shim_tty_opened(fd, tty_watch);
}

/* The __xstat family may be missing from the libc we run on. */
static int no_xstat(void)
{
	errno = ENOSYS;
	return -1;
}

/* open's third argument exists only with O_CREAT or O_TMPFILE; ap is
 * va_start'ed after flags. */
static mode_t open_mode(int flags, va_list ap)
{
	if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE)
		return va_arg(ap, mode_t);
	return 0;
}

SHIM_EXPORT int open(const char *path, int flags, ...)
{
	struct shim_pathbuf pb;
	int fd;

	if (procfs_open(path, flags, &fd))
		return fd;
	va_list ap;

	va_start(ap, flags);
	mode_t mode = open_mode(flags, ap);
	va_end(ap);
	bool tty_watch = shim_tty_watch(flags);

	return file_opened(path, flags, shim_path_in(path, &pb) ? REAL(open)(pb.path, flags, mode) : -1, tty_watch);
}

SHIM_EXPORT int open64(const char *path, int flags, ...)
{
	struct shim_pathbuf pb;
	int fd;

	if (procfs_open(path, flags, &fd))
		return fd;
	va_list ap;

	va_start(ap, flags);
	mode_t mode = open_mode(flags, ap);
	va_end(ap);
	bool tty_watch = shim_tty_watch(flags);

	return file_opened(path, flags, shim_path_in(path, &pb) ? REAL(open64)(pb.path, flags, mode) : -1, tty_watch);
}

SHIM_EXPORT int __open_2(const char *path, int flags)
{
	struct shim_pathbuf pb;
	int fd;

	if (procfs_open(path, flags, &fd))
		return fd;

	bool tty_watch = shim_tty_watch(flags);

	return file_opened(path, flags, shim_path_in(path, &pb) ? REAL(open_2)(pb.path, flags) : -1, tty_watch);
}

SHIM_EXPORT int __open64_2(const char *path, int flags)
{
	struct shim_pathbuf pb;
	int fd;

	if (procfs_open(path, flags, &fd))
		return fd;

	bool tty_watch = shim_tty_watch(flags);

	return file_opened(path, flags, shim_path_in(path, &pb) ? REAL(open64_2)(pb.path, flags) : -1, tty_watch);
}

SHIM_EXPORT int openat(int dirfd, const char *path, int flags, ...)
{
	struct shim_pathbuf pb;
	int fd;

	if (procfs_open_at(dirfd, path, flags, 0, &fd))
		return fd;
	va_list ap;

	va_start(ap, flags);
	mode_t mode = open_mode(flags, ap);
	va_end(ap);
	bool tty_watch = shim_tty_watch(flags);

	return file_opened(path, flags, shim_path_in_at(dirfd, path, &pb) ? REAL(openat)(dirfd, pb.path, flags, mode) : -1, tty_watch);
}

SHIM_EXPORT int openat64(int dirfd, const char *path, int flags, ...)
{
	struct shim_pathbuf pb;
	int fd;

	if (procfs_open_at(dirfd, path, flags, 0, &fd))
		return fd;
	va_list ap;

	va_start(ap, flags);
	mode_t mode = open_mode(flags, ap);
	va_end(ap);
	bool tty_watch = shim_tty_watch(flags);

	return file_opened(path, flags, shim_path_in_at(dirfd, path, &pb) ? REAL(openat64)(dirfd, pb.path, flags, mode) : -1, tty_watch);
}

SHIM_EXPORT int __openat_2(int dirfd, const char *path, int flags)
{
	struct shim_pathbuf pb;
	int fd;

	if (procfs_open_at(dirfd, path, flags, 0, &fd))
		return fd;

	bool tty_watch = shim_tty_watch(flags);

	return file_opened(path, flags, shim_path_in_at(dirfd, path, &pb) ? REAL(openat_2)(dirfd, pb.path, flags) : -1, tty_watch);
}

SHIM_EXPORT int __openat64_2(int dirfd, const char *path, int flags)
{
	struct shim_pathbuf pb;
	int fd;

	if (procfs_open_at(dirfd, path, flags, 0, &fd))
		return fd;

	bool tty_watch = shim_tty_watch(flags);

	return file_opened(path, flags, shim_path_in_at(dirfd, path, &pb) ? REAL(openat64_2)(dirfd, pb.path, flags) : -1, tty_watch);
}

/*
 * creat is open(path, O_CREAT | O_WRONLY | O_TRUNC, mode), but glibc makes
 * the creat system call itself rather than calling open, so it needs entries
 * of its own.  Without them a /proc/<vpid> path reached the real /proc/<vpid>,
 * another process's: Chromium's WriteFile sets a renderer's
 * /proc/<pid>/oom_score_adj with creat, and as root it set some unrelated
 * process's instead (or failed with ENOENT).
 */
SHIM_EXPORT int creat(const char *path, mode_t mode)
{
	struct shim_pathbuf pb;
	int flags = O_CREAT | O_WRONLY | O_TRUNC;

	/* open's path, not open itself: a program may define its own open;
	 * no O_NOCTTY, so a terminal may become the caller's, as with open */
	bool tty_watch = shim_tty_watch(flags);

	return file_opened(path, flags, shim_path_in(path, &pb) ? REAL(open)(pb.path, flags, mode) : -1, tty_watch);
}

SHIM_EXPORT int creat64(const char *path, mode_t mode)
{
	struct shim_pathbuf pb;
	int flags = O_CREAT | O_WRONLY | O_TRUNC;

	bool tty_watch = shim_tty_watch(flags);

	return file_opened(path, flags, shim_path_in(path, &pb) ? REAL(open64)(pb.path, flags, mode) : -1, tty_watch);
}

/* syscall(SYS_openat2, ...): glibc 2.36 has no wrapper, so programs make
 * the call themselves.  The path as openat's (a /proc/<vpid> path names the
 * process); the rest, how and its size, goes to the kernel as given, which
 * checks it.  No rewritten /proc contents here: the kernel's file. */
long shim_sys_openat2(int dirfd, const char *path, const void *how, size_t size)
{
	struct shim_pathbuf pb;

	if (!shim_path_in_at(dirfd, path, &pb))
		return -errno;
#ifdef SYS_openat2
	return shim_raw_syscall(SYS_openat2, dirfd, (long)pb.path, (long)how, (long)size, 0, 0);
#else
	(void)how;
	(void)size;
	return -ENOSYS;
#endif
}

/* After fopen of rpath: the accounting file (acct.c), a cgroup pid file
 * or ns_last_pid opened for writing (cgwrite.c: a stream whose writes it
 * sees). */
static FILE *stream_opened(const char *rpath, const char *how, FILE *f)
{
	if (f == NULL)
		return NULL;
	shim_acct_opened(fileno(f));
	return shim_cgwrite_fopened(rpath, how, f);
}

SHIM_EXPORT FILE * fopen(const char *path, const char *how)
{
	struct shim_pathbuf pb;
	FILE *f;

	if (procfs_fopen(path, how, &f))
		return f;

	return shim_path_in(path, &pb) ? stream_opened(pb.path, how, REAL(fopen)(pb.path, how)) : NULL;
}

SHIM_EXPORT FILE * fopen64(const char *path, const char *how)
{
	struct shim_pathbuf pb;
	FILE *f;

	if (procfs_fopen(path, how, &f))
		return f;

	return shim_path_in(path, &pb) ? stream_opened(pb.path, how, REAL(fopen64)(pb.path, how)) : NULL;
}

/* freopen and freopen64: path translated; a cgroup pid file reopened for
 * writing is remembered (cgstdio.c: the caller keeps its FILE). */
static FILE *reopen(const char *path, const char *how, FILE *f, bool large)
{
	struct shim_pathbuf pb;
	FILE *r;

	if (path == NULL) /* the same file in a new mode */
		return large ? REAL(freopen64)(path, how, f) : REAL(freopen)(path, how, f);
	if (!shim_path_in(path, &pb))
		return NULL;
	r = large ? REAL(freopen64)(pb.path, how, f) : REAL(freopen)(pb.path, how, f);
	shim_cgwrite_reopened(pb.path, how, r);
	return r;
}

SHIM_EXPORT FILE * freopen(const char *path, const char *how, FILE *f)
{
	return reopen(path, how, f, false);
}

SHIM_EXPORT FILE * freopen64(const char *path, const char *how, FILE *f)
{
	return reopen(path, how, f, true);
}

SHIM_EXPORT DIR * opendir(const char *path)
{
	struct shim_pathbuf pb;

	DIR *d;

	if (!shim_path_in(path, &pb))
		return NULL;
	d = REAL(opendir)(pb.path);
	shim_procdir_note(d, path, -1); /* by the caller's spelling */
	return d;
}

SHIM_EXPORT int stat(const char *path, struct stat *st)
{
	struct shim_pathbuf pb;

	return shim_path_in(path, &pb) ? REAL(stat)(pb.path, st) : -1;
}

SHIM_EXPORT int stat64(const char *path, struct stat64 *st)
{
	struct shim_pathbuf pb;

	return shim_path_in(path, &pb) ? REAL(stat64)(pb.path, st) : -1;
}

SHIM_EXPORT int lstat(const char *path, struct stat *st)
{
	struct shim_pathbuf pb;

	return shim_path_in(path, &pb) ? REAL(lstat)(pb.path, st) : -1;
}

SHIM_EXPORT int lstat64(const char *path, struct stat64 *st)
{
	struct shim_pathbuf pb;

	return shim_path_in(path, &pb) ? REAL(lstat64)(pb.path, st) : -1;
}

SHIM_EXPORT int fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
	struct shim_pathbuf pb;

	return shim_path_in_at(dirfd, path, &pb) ? REAL(fstatat)(dirfd, pb.path, st, flags) : -1;
}

SHIM_EXPORT int fstatat64(int dirfd, const char *path, struct stat64 *st, int flags)
{
	struct shim_pathbuf pb;

	return shim_path_in_at(dirfd, path, &pb) ? REAL(fstatat64)(dirfd, pb.path, st, flags) : -1;
}

SHIM_EXPORT int __xstat(int ver, const char *path, struct stat *st)
{
	struct shim_pathbuf pb;

	shim_init();
	if (REAL(xstat) == NULL)
		return no_xstat();
	return shim_path_in(path, &pb) ? REAL(xstat)(ver, pb.path, st) : -1;
}

SHIM_EXPORT int __xstat64(int ver, const char *path, struct stat64 *st)
{
	struct shim_pathbuf pb;

	shim_init();
	if (REAL(xstat64) == NULL)
		return no_xstat();
	return shim_path_in(path, &pb) ? REAL(xstat64)(ver, pb.path, st) : -1;
}

SHIM_EXPORT int __lxstat(int ver, const char *path, struct stat *st)
{
	struct shim_pathbuf pb;

	shim_init();
	if (REAL(lxstat) == NULL)
		return no_xstat();
	return shim_path_in(path, &pb) ? REAL(lxstat)(ver, pb.path, st) : -1;
}

SHIM_EXPORT int __lxstat64(int ver, const char *path, struct stat64 *st)
{
	struct shim_pathbuf pb;

	shim_init();
	if (REAL(lxstat64) == NULL)
		return no_xstat();
	return shim_path_in(path, &pb) ? REAL(lxstat64)(ver, pb.path, st) : -1;
}

SHIM_EXPORT int __fxstatat(int ver, int dirfd, const char *path, struct stat *st, int flags)
{
	struct shim_pathbuf pb;

	shim_init();
	if (REAL(fxstatat) == NULL)
		return no_xstat();
	return shim_path_in_at(dirfd, path, &pb) ? REAL(fxstatat)(ver, dirfd, pb.path, st, flags) : -1;
}

SHIM_EXPORT int __fxstatat64(int ver, int dirfd, const char *path, struct stat64 *st, int flags)
{
	struct shim_pathbuf pb;

	shim_init();
	if (REAL(fxstatat64) == NULL)
		return no_xstat();
	return shim_path_in_at(dirfd, path, &pb) ? REAL(fxstatat64)(ver, dirfd, pb.path, st, flags) : -1;
}

SHIM_EXPORT int statx(int dirfd, const char *path, int flags, unsigned int mask, struct statx *st)
{
	struct shim_pathbuf pb;

	return shim_path_in_at(dirfd, path, &pb) ? REAL(statx)(dirfd, pb.path, flags, mask, st) : -1;
}

SHIM_EXPORT int access(const char *path, int how)
{
	struct shim_pathbuf pb;

	return shim_path_in(path, &pb) ? REAL(access)(pb.path, how) : -1;
}

SHIM_EXPORT int faccessat(int dirfd, const char *path, int how, int flags)
{
	struct shim_pathbuf pb;

	return shim_path_in_at(dirfd, path, &pb) ? REAL(faccessat)(dirfd, pb.path, how, flags) : -1;
}

SHIM_EXPORT int euidaccess(const char *path, int how)
{
	struct shim_pathbuf pb;

	return shim_path_in(path, &pb) ? REAL(euidaccess)(pb.path, how) : -1;
}

SHIM_EXPORT int eaccess(const char *path, int how)
{
	struct shim_pathbuf pb;

	return shim_path_in(path, &pb) ? REAL(eaccess)(pb.path, how) : -1;
}

SHIM_EXPORT int chdir(const char *path)
{
	struct shim_pathbuf pb;
	int rc;

	if (!shim_path_in(path, &pb))
		return -1;
	rc = REAL(chdir)(pb.path);
	if (rc == 0) /* by the caller's spelling: "/proc", "/proc/<vpid>" */
		shim_procpath_cwd(path, false);
	return rc;
}

SHIM_EXPORT int fchdir(int fd)
{
	int rc;

	shim_init();
	rc = REAL(fchdir)(fd);
	if (rc == 0)
		shim_procdir_note_cwd(fd);
	return rc;
}

/*
 * readlink of "/proc/self" or "/proc/thread-self" (or "self" relative to
 * procfs' root): the text is the tree's ("<vpid>"), written as the kernel
 * writes a link: at most len bytes, nothing past the count returned (a
 * caller that zeroed its buffer reads it as a string).  The kernel's own
 * call, bounded to that count, still answers the errors (EFAULT, EINVAL
 * for len 0).
 */
static bool self_link(int dirfd, const char *path, char *out, size_t len, ssize_t *rc)
{
	char text[48];
	size_t n = shim_procpath_self_link(dirfd, path, text, sizeof(text));

	if (n == 0)
		return false;
	if (n > len)
		n = len; /* readlink truncates silently */
	*rc = REAL(readlinkat)(dirfd, path, out, n);
	if (*rc >= 0) {
		memcpy(out, text, n);
		*rc = (ssize_t)n;
	}
	return true;
}

/*
 * A link of /proc (a cwd, root, exe or fd/<n>) whose target is in procfs
 * names a process by its real pid: "/proc/<rpid>/...".  After the
 * kernel's answer in the caller's buffer (rc bytes: its errors, EFAULT
 * included, stay the kernel's), such an answer is read again whole and
 * given back as the tree names it, truncated to len as readlink
 * truncates.  Any other link costs a comparison of the path and of the
 * answer's first bytes.
 */
static ssize_t proc_link_unreal(int dirfd, const char *rpath, char *out, size_t len, ssize_t rc)
{
	char full[PATH_MAX];
	ssize_t n;
	size_t newlen;

	if (rc < 7 || strncmp(out, "/proc/", 6) != 0 || out[6] < '1' || out[6] > '9' ||
	    shim_mode() != SHIM_MODE_ONLINE || shim_guarded())
		return rc;
	/* a link in procfs, not a user's symbolic link whose text names one */
	if (rpath[0] != '/' && (dirfd == AT_FDCWD ? !shim_procpath_in_proc() || rpath[0] == '.'
						   : !shim_procdir_on_procfs(dirfd)))
		return rc;
	n = REAL(readlinkat)(dirfd, rpath, full, sizeof(full) - 1);
	if (n <= 0)
		return rc;
	full[n] = '\0';
	if (shim_procpath_unreal(full, sizeof(full)) < 0)
		return rc;
	newlen = strlen(full);
	if (newlen > len)
		newlen = len;
	memcpy(out, full, newlen);
	return (ssize_t)newlen;
}

/* Could the link named (after translation) be one of /proc's?  (A
 * relative one is checked once its answer looks like one.) */
static bool proc_link_path(const char *rpath)
{
	return strncmp(rpath, "/proc/", 6) == 0 || rpath[0] != '/';
}

SHIM_EXPORT ssize_t readlink(const char *path, char *out, size_t len)
{
	struct shim_pathbuf pb;
	ssize_t rc;

	if (!shim_path_in(path, &pb))
		return -1;
	if (pb.readable && self_link(AT_FDCWD, path, out, len, &rc))
		return rc;
	rc = REAL(readlink)(pb.path, out, len);
	if (rc > 0 && pb.readable && proc_link_path(pb.path))
		rc = proc_link_unreal(AT_FDCWD, pb.path, out, len, rc);
	return rc;
}

SHIM_EXPORT ssize_t readlinkat(int dirfd, const char *path, char *out, size_t len)
{
	struct shim_pathbuf pb;
	ssize_t rc;

	if (!shim_path_in_at(dirfd, path, &pb))
		return -1;
	if (pb.readable && self_link(dirfd, path, out, len, &rc))
		return rc;
	rc = REAL(readlinkat)(dirfd, pb.path, out, len);
	if (rc > 0 && pb.readable && proc_link_path(pb.path))
		rc = proc_link_unreal(dirfd, pb.path, out, len, rc);
	return rc;
}

/* For the other files' path-taking wrappers (realpath.c). */
bool shim_path_arg(const char *path, struct shim_pathbuf *pb)
{
	return shim_path_in(path, pb);
}
