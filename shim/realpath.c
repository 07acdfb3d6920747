/* realpath.c — paths that libc or the kernel resolved (realpath, canonicalize_file_name, getcwd): /proc/<rpid> read back as /proc/<vpid>. */
#undef _FORTIFY_SOURCE /* we define realpath & co.: no inline fortify bodies */
#include "shim.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/*
 * realpath("/proc/self/stat") resolves the self link inside libc (its own
 * readlink, which no preload sees) and the kernel answers with the real
 * pid: "/proc/<rpid>/stat".  The tree then opens that path, and the shim
 * reads the number as a vpid (paths.c): ENOENT, or another process's entry.
 * getcwd after chdir("/proc/self") names the real pid the same way.  Each
 * result that starts with "/proc/<digits>" is rewritten to the tree's name
 * (procpath.c: shim_procpath_unreal); any other result costs one
 * comparison.  The argument of realpath goes through paths.c's
 * translation, so realpath("/proc/<vpid>/cwd") resolves that process's
 * link.
 *
 * get_current_dir_name too (libc's internal getcwd, unless $PWD names the
 * cwd: then $PWD as the caller spelled it, left alone).  Not covered:
 * libc's other internal resolutions (nftw, glob).
 */

/* A result that may name a real pid: "/proc/" then a digit. */
static bool maybe_real(const char *p)
{
	return strncmp(p, "/proc/", 6) == 0 && p[6] >= '1' && p[6] <= '9';
}

/*
 * Rewrite result r: in place when the caller gave the buffer (cap bytes),
 * else in a new allocation replacing libc's.  NULL with errno (err: the
 * errno for a result that no longer fits) on failure.
 */
static char *unreal(char *r, bool caller_buf, size_t cap, int err)
{
	char tmp[PATH_MAX];
	char *copy;

	if (!maybe_real(r))
		return r;
	if (caller_buf) {
		if (shim_procpath_unreal(r, cap) < 0) {
			errno = err;
			return NULL;
		}
		return r;
	}
	if (strlen(r) >= sizeof(tmp))
		return r;
	strcpy(tmp, r);
	if (shim_procpath_unreal(tmp, cap) < 0) {
		free(r);
		errno = err;
		return NULL;
	}
	if (strcmp(tmp, r) == 0)
		return r;
	copy = strdup(tmp);
	free(r);
	return copy; /* NULL with ENOMEM, as libc's allocation would fail */
}

SHIM_EXPORT char *realpath(const char *path, char *resolved)
{
	struct shim_pathbuf pb;
	char *r;

	if (!shim_path_arg(path, &pb))
		return NULL;
	r = REAL(realpath)(pb.path, resolved);
	return r == NULL ? NULL : unreal(r, resolved != NULL, PATH_MAX, ENAMETOOLONG);
}

/* _FORTIFY_SOURCE's realpath: libc checks resolvedlen (>= PATH_MAX). */
SHIM_EXPORT char *__realpath_chk(const char *path, char *resolved, size_t resolvedlen)
{
	struct shim_pathbuf pb;
	char *r;

	if (!shim_path_arg(path, &pb))
		return NULL;
	r = REAL(realpath_chk)(pb.path, resolved, resolvedlen);
	return r == NULL ? NULL : unreal(r, resolved != NULL, PATH_MAX, ENAMETOOLONG);
}

SHIM_EXPORT char *canonicalize_file_name(const char *path)
{
	struct shim_pathbuf pb;
	char *r;

	if (!shim_path_arg(path, &pb))
		return NULL;
	r = REAL(canonicalize_file_name)(pb.path);
	return r == NULL ? NULL : unreal(r, false, PATH_MAX, ENAMETOOLONG);
}

/*
 * getcwd(buf, size): a rewritten cwd that no longer fits in size bytes is
 * ERANGE, as the kernel says of a short buffer; one the kernel found too
 * long by its real pid may fit by the vpid (asked again into our own
 * buffer).  With buf NULL libc allocated size bytes (the path's length
 * when size is 0).
 */
static char *cwd_fixed(char *r, char *buf, size_t size)
{
	char tmp[PATH_MAX];

	if (r == NULL) {
		int err = errno;

		if (err == ERANGE && buf != NULL && size < sizeof(tmp) &&
		    REAL(getcwd)(tmp, sizeof(tmp)) != NULL && maybe_real(tmp) &&
		    shim_procpath_unreal(tmp, size) == 0 && strlen(tmp) < size) {
			memcpy(buf, tmp, strlen(tmp) + 1);
			return buf;
		}
		errno = err;
		return NULL;
	}
	if (!maybe_real(r))
		return r;
	if (buf == NULL && size != 0) { /* libc's allocation of size bytes */
		if (shim_procpath_unreal(r, size) == 0)
			return r;
		free(r);
		errno = ERANGE;
		return NULL;
	}
	return unreal(r, buf != NULL, buf != NULL ? size : PATH_MAX, ERANGE);
}

SHIM_EXPORT char *getcwd(char *buf, size_t size)
{
	shim_init();
	return cwd_fixed(REAL(getcwd)(buf, size), buf, size);
}

/* _FORTIFY_SOURCE's getcwd: libc checks size against buflen first. */
SHIM_EXPORT char *__getcwd_chk(char *buf, size_t size, size_t buflen)
{
	shim_init();
	return cwd_fixed(REAL(getcwd_chk)(buf, size, buflen), buf, size);
}

/*
 * syscall(SYS_getcwd, buf, size): the kernel's answer (its length with
 * the NUL, or -ERANGE / -EFAULT / -ENOENT) rewritten the same way: a
 * rewritten path that no longer fits is -ERANGE, and one the kernel found
 * too long by its real pid is asked again into our buffer and may fit.
 * Returns the system call's value (-errno on failure).
 */
long shim_sys_getcwd(char *buf, size_t size)
{
	char tmp[PATH_MAX];
	long r = shim_raw_syscall(SYS_getcwd, (long)buf, (long)size, 0, 0, 0, 0);
	size_t n;

	if (r == -ERANGE) {
		long again = shim_raw_syscall(SYS_getcwd, (long)tmp, sizeof(tmp), 0, 0, 0, 0);

		if (again <= 0 || !maybe_real(tmp) || shim_procpath_unreal(tmp, sizeof(tmp)) < 0)
			return r;
		n = strlen(tmp) + 1;
		if (n > size)
			return r;
		return shim_poke(buf, tmp, n) ? (long)n : -EFAULT;
	}
	if (r <= 0 || (size_t)r > sizeof(tmp) || !maybe_real(buf))
		return r;
	memcpy(tmp, buf, (size_t)r);
	if (shim_procpath_unreal(tmp, sizeof(tmp)) < 0)
		return r;
	n = strlen(tmp) + 1;
	if (n > size)
		return -ERANGE;
	memcpy(buf, tmp, n);
	return (long)n;
}

SHIM_EXPORT char *get_current_dir_name(void)
{
	char *r;

	shim_init();
	r = REAL(get_current_dir_name)();
	return r == NULL ? NULL : unreal(r, false, PATH_MAX, ERANGE);
}
