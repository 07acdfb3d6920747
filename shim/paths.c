/* paths.c — path-taking calls (open, fopen, the stat family, access, readlink, opendir, chdir) with /proc/<vpid> translated. */
#undef _FORTIFY_SOURCE /* we define open & co.: no inline fortify bodies */
#include "shim.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * Each wrapper costs a few comparisons on a path that is not under /proc
 * (shim_procpath_candidate); a candidate is translated into a buffer on
 * the stack sized for it (only candidates pay for it) by procpath.c.
 * Covered: open, open64, openat, openat64 and their fortified __*_2
 * forms, fopen, fopen64, freopen, freopen64, opendir, stat, stat64, lstat,
 * lstat64, fstatat, fstatat64, the pre-2.33 __xstat family, statx, access,
 * faccessat, euidaccess, eaccess, readlink, readlinkat, chdir.  libc's
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

/* errno from a translation failure; -1 (or NULL) follows. */
static int fail(int rc)
{
	errno = -rc;
	return -1;
}

/* open's third argument exists only with O_CREAT or O_TMPFILE. */
static bool open_has_mode(int flags)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE;
}

SHIM_EXPORT int open(const char *path, int flags, ...)
{
	mode_t mode = 0;

	if (open_has_mode(flags)) {
		va_list ap;

		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	shim_init();
	if (!shim_procpath_candidate(path))
		return real.open(path, flags, mode);
	char buf[shim_procpath_size(path)];
	int rc = shim_procpath(path, buf, sizeof(buf));

	if (rc < 0)
		return fail(rc);
	return real.open(buf, flags, mode);
}

SHIM_EXPORT int open64(const char *path, int flags, ...)
{
	mode_t mode = 0;

	if (open_has_mode(flags)) {
		va_list ap;

		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	shim_init();
	if (!shim_procpath_candidate(path))
		return real.open64(path, flags, mode);
	char buf[shim_procpath_size(path)];
	int rc = shim_procpath(path, buf, sizeof(buf));

	if (rc < 0)
		return fail(rc);
	return real.open64(buf, flags, mode);
}

SHIM_EXPORT int __open_2(const char *path, int flags)
{
	shim_init();
	if (!shim_procpath_candidate(path))
		return real.open_2(path, flags);
	char buf[shim_procpath_size(path)];
	int rc = shim_procpath(path, buf, sizeof(buf));

	if (rc < 0)
		return fail(rc);
	return real.open_2(buf, flags);
}

SHIM_EXPORT int __open64_2(const char *path, int flags)
{
	shim_init();
	if (!shim_procpath_candidate(path))
		return real.open64_2(path, flags);
	char buf[shim_procpath_size(path)];
	int rc = shim_procpath(path, buf, sizeof(buf));

	if (rc < 0)
		return fail(rc);
	return real.open64_2(buf, flags);
}

SHIM_EXPORT int openat(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;

	if (open_has_mode(flags)) {
		va_list ap;

		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	shim_init();
	if (!shim_procpath_candidate(path))
		return real.openat(dirfd, path, flags, mode);
	char buf[shim_procpath_size(path)];
	int rc = shim_procpath(path, buf, sizeof(buf));

	if (rc < 0)
		return fail(rc);
	return real.openat(dirfd, buf, flags, mode);
}

SHIM_EXPORT int openat64(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;

	if (open_has_mode(flags)) {
		va_list ap;

		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	shim_init();
	if (!shim_procpath_candidate(path))
		return real.openat64(dirfd, path, flags, mode);
	char buf[shim_procpath_size(path)];
	int rc = shim_procpath(path, buf, sizeof(buf));

	if (rc < 0)
		return fail(rc);
	return real.openat64(dirfd, buf, flags, mode);
}

SHIM_EXPORT int __openat_2(int dirfd, const char *path, int flags)
{
	shim_init();
	if (!shim_procpath_candidate(path))
		return real.openat_2(dirfd, path, flags);
	char buf[shim_procpath_size(path)];
	int rc = shim_procpath(path, buf, sizeof(buf));

	if (rc < 0)
		return fail(rc);
	return real.openat_2(dirfd, buf, flags);
}

SHIM_EXPORT int __openat64_2(int dirfd, const char *path, int flags)
{
	shim_init();
	if (!shim_procpath_candidate(path))
		return real.openat64_2(dirfd, path, flags);
	char buf[shim_procpath_size(path)];
	int rc = shim_procpath(path, buf, sizeof(buf));

	if (rc < 0)
		return fail(rc);
	return real.openat64_2(dirfd, buf, flags);
}

SHIM_EXPORT FILE * fopen(const char *path, const char *how)
{
	shim_init();
	if (!shim_procpath_candidate(path))
		return (FILE *)real.fopen(path, how);
	char buf[shim_procpath_size(path)];
	int rc = shim_procpath(path, buf, sizeof(buf));

	if (rc < 0)
		return (fail(rc), NULL);
	return (FILE *)real.fopen(buf, how);
}

SHIM_EXPORT FILE * fopen64(const char *path, const char *how)
{
	shim_init();
	if (!shim_procpath_candidate(path))
		return (FILE *)real.fopen64(path, how);
	char buf[shim_procpath_size(path)];
	int rc = shim_procpath(path, buf, sizeof(buf));

	if (rc < 0)
		return (fail(rc), NULL);
	return (FILE *)real.fopen64(buf, how);
}

SHIM_EXPORT FILE * freopen(const char *path, const char *how, FILE *f)
{
	shim_init();
	if (!shim_procpath_candidate(path))
		return (FILE *)real.freopen(path, how, f);
	char buf[shim_procpath_size(path)];
	int rc = shim_procpath(path, buf, sizeof(buf));

	if (rc < 0)
		return (fail(rc), NULL);
	return (FILE *)real.freopen(buf, how, f);
}

SHIM_EXPORT FILE * freopen64(const char *path, const char *how, FILE *f)
{
	shim_init();
	if (!shim_procpath_candidate(path))
		return (FILE *)real.freopen64(path, how, f);
	char buf[shim_procpath_size(path)];
	int rc = shim_procpath(path, buf, sizeof(buf));

	if (rc < 0)
		return (fail(rc), NULL);
	return (FILE *)real.freopen64(buf, how, f);
}

SHIM_EXPORT DIR * opendir(const char *path)
{
	shim_init();
	if (!shim_procpath_candidate(path))
		return (DIR *)real.opendir(path);
	char buf[shim_procpath_size(path)];
	int rc = shim_procpath(path, buf, sizeof(buf));

	if (rc < 0)
		return (fail(rc), NULL);
	return (DIR *)real.opendir(buf);
}

SHIM_EXPORT int stat(const char *path, struct stat *st)
{
	shim_init();
	if (!shim_procpath_candidate(path))
		return real.stat(path, st);
	char buf[shim_procpath_size(path)];
	int rc = shim_procpath(path, buf, sizeof(buf));

	if (rc < 0)
		return fail(rc);
	return real.stat(buf, st);
}

SHIM_EXPORT int stat64(const char *path, struct stat64 *st)
{
	shim_init();
	if (!shim_procpath_candidate(path))
		return real.stat64(path, st);
	char buf[shim_procpath_size(path)];
	int rc = shim_procpath(path, buf, sizeof(buf));

	if (rc < 0)
		return fail(rc);
	return real.stat64(buf, st);
}

SHIM_EXPORT int lstat(const char *path, struct stat *st)
{
	shim_init();
	if (!shim_procpath_candidate(path))
		return real.lstat(path, st);
	char buf[shim_procpath_size(path)];
	int rc = shim_procpath(path, buf, sizeof(buf));

	if (rc < 0)
		return fail(rc);
	return real.lstat(buf, st);
}

SHIM_EXPORT int lstat64(const char *path, struct stat64 *st)
{
	shim_init();
	if (!shim_procpath_candidate(path))
		return real.lstat64(path, st);
	char buf[shim_procpath_size(path)];
	int rc = shim_procpath(path, buf, sizeof(buf));

	if (rc < 0)
		return fail(rc);
	return real.lstat64(buf, st);
}

SHIM_EXPORT int fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
	shim_init();
	if (!shim_procpath_candidate(path))
		return real.fstatat(dirfd, path, st, flags);
	char buf[shim_procpath_size(path)];
	int rc = shim_procpath(path, buf, sizeof(buf));

	if (rc < 0)
		return fail(rc);
	return real.fstatat(dirfd, buf, st, flags);
}

SHIM_EXPORT int fstatat64(int dirfd, const char *path, struct stat64 *st, int flags)
{
	shim_init();
	if (!shim_procpath_candidate(path))
		return real.fstatat64(dirfd, path, st, flags);
	char buf[shim_procpath_size(path)];
	int rc = shim_procpath(path, buf, sizeof(buf));

	if (rc < 0)
		return fail(rc);
	return real.fstatat64(dirfd, buf, st, flags);
}

SHIM_EXPORT int __xstat(int ver, const char *path, struct stat *st)
{
	shim_init();
	if (real.xstat == NULL) {
		errno = ENOSYS;
		return -1;
	}
	if (!shim_procpath_candidate(path))
		return real.xstat(ver, path, st);
	char buf[shim_procpath_size(path)];
	int rc = shim_procpath(path, buf, sizeof(buf));

	if (rc < 0)
		return fail(rc);
	return real.xstat(ver, buf, st);
}

SHIM_EXPORT int __xstat64(int ver, const char *path, struct stat64 *st)
{
	shim_init();
	if (real.xstat64 == NULL) {
		errno = ENOSYS;
		return -1;
	}
	if (!shim_procpath_candidate(path))
		return real.xstat64(ver, path, st);
	char buf[shim_procpath_size(path)];
	int rc = shim_procpath(path, buf, sizeof(buf));

	if (rc < 0)
		return fail(rc);
	return real.xstat64(ver, buf, st);
}

SHIM_EXPORT int __lxstat(int ver, const char *path, struct stat *st)
{
	shim_init();
	if (real.lxstat == NULL) {
		errno = ENOSYS;
		return -1;
	}
	if (!shim_procpath_candidate(path))
		return real.lxstat(ver, path, st);
	char buf[shim_procpath_size(path)];
	int rc = shim_procpath(path, buf, sizeof(buf));

	if (rc < 0)
		return fail(rc);
	return real.lxstat(ver, buf, st);
}

SHIM_EXPORT int __lxstat64(int ver, const char *path, struct stat64 *st)
{
	shim_init();
	if (real.lxstat64 == NULL) {
		errno = ENOSYS;
		return -1;
	}
	if (!shim_procpath_candidate(path))
		return real.lxstat64(ver, path, st);
	char buf[shim_procpath_size(path)];
	int rc = shim_procpath(path, buf, sizeof(buf));

	if (rc < 0)
		return fail(rc);
	return real.lxstat64(ver, buf, st);
}

SHIM_EXPORT int __fxstatat(int ver, int dirfd, const char *path, struct stat *st, int flags)
{
	shim_init();
	if (real.fxstatat == NULL) {
		errno = ENOSYS;
		return -1;
	}
	if (!shim_procpath_candidate(path))
		return real.fxstatat(ver, dirfd, path, st, flags);
	char buf[shim_procpath_size(path)];
	int rc = shim_procpath(path, buf, sizeof(buf));

	if (rc < 0)
		return fail(rc);
	return real.fxstatat(ver, dirfd, buf, st, flags);
}

SHIM_EXPORT int __fxstatat64(int ver, int dirfd, const char *path, struct stat64 *st, int flags)
{
	shim_init();
	if (real.fxstatat64 == NULL) {
		errno = ENOSYS;
		return -1;
	}
	if (!shim_procpath_candidate(path))
		return real.fxstatat64(ver, dirfd, path, st, flags);
	char buf[shim_procpath_size(path)];
	int rc = shim_procpath(path, buf, sizeof(buf));

	if (rc < 0)
		return fail(rc);
	return real.fxstatat64(ver, dirfd, buf, st, flags);
}

SHIM_EXPORT int statx(int dirfd, const char *path, int flags, unsigned int mask, struct statx *st)
{
	shim_init();
	if (!shim_procpath_candidate(path))
		return real.statx(dirfd, path, flags, mask, st);
	char buf[shim_procpath_size(path)];
	int rc = shim_procpath(path, buf, sizeof(buf));

	if (rc < 0)
		return fail(rc);
	return real.statx(dirfd, buf, flags, mask, st);
}

SHIM_EXPORT int access(const char *path, int how)
{
	shim_init();
	if (!shim_procpath_candidate(path))
		return real.access(path, how);
	char buf[shim_procpath_size(path)];
	int rc = shim_procpath(path, buf, sizeof(buf));

	if (rc < 0)
		return fail(rc);
	return real.access(buf, how);
}

SHIM_EXPORT int faccessat(int dirfd, const char *path, int how, int flags)
{
	shim_init();
	if (!shim_procpath_candidate(path))
		return real.faccessat(dirfd, path, how, flags);
	char buf[shim_procpath_size(path)];
	int rc = shim_procpath(path, buf, sizeof(buf));

	if (rc < 0)
		return fail(rc);
	return real.faccessat(dirfd, buf, how, flags);
}

SHIM_EXPORT int euidaccess(const char *path, int how)
{
	shim_init();
	if (!shim_procpath_candidate(path))
		return real.euidaccess(path, how);
	char buf[shim_procpath_size(path)];
	int rc = shim_procpath(path, buf, sizeof(buf));

	if (rc < 0)
		return fail(rc);
	return real.euidaccess(buf, how);
}

SHIM_EXPORT int eaccess(const char *path, int how)
{
	shim_init();
	if (!shim_procpath_candidate(path))
		return real.eaccess(path, how);
	char buf[shim_procpath_size(path)];
	int rc = shim_procpath(path, buf, sizeof(buf));

	if (rc < 0)
		return fail(rc);
	return real.eaccess(buf, how);
}

SHIM_EXPORT int chdir(const char *path)
{
	shim_init();
	if (!shim_procpath_candidate(path))
		return real.chdir(path);
	char buf[shim_procpath_size(path)];
	int rc = shim_procpath(path, buf, sizeof(buf));

	if (rc < 0)
		return fail(rc);
	return real.chdir(buf);
}

SHIM_EXPORT ssize_t readlink(const char *path, char *out, size_t len)
{
	shim_init();
	if (!shim_procpath_candidate(path)) /* /proc/thread-self is not one */
		return shim_procpath_fix_link(path, out, len, real.readlink(path, out, len));
	char buf[shim_procpath_size(path)];
	int rc = shim_procpath(path, buf, sizeof(buf));

	if (rc < 0)
		return fail(rc);
	return shim_procpath_fix_link(path, out, len, real.readlink(buf, out, len));
}

SHIM_EXPORT ssize_t readlinkat(int dirfd, const char *path, char *out, size_t len)
{
	shim_init();
	if (!shim_procpath_candidate(path)) /* /proc/thread-self is not one */
		return shim_procpath_fix_link(path, out, len, real.readlinkat(dirfd, path, out, len));
	char buf[shim_procpath_size(path)];
	int rc = shim_procpath(path, buf, sizeof(buf));

	if (rc < 0)
		return fail(rc);
	return shim_procpath_fix_link(path, out, len, real.readlinkat(dirfd, buf, out, len));
}
