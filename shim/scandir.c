/* scandir.c — scandir and scandirat of /proc: listed through our readdir (procdir.c), so that the pids in it are vpids. */
#include "shim.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * glibc's scandir reads the directory with its internal readdir, which no
 * preload sees: scandir("/proc") listed every real pid on the machine.
 * node's fs.readdir is libuv's scandir.  A listing of a /proc directory
 * (by its spelling: "/proc" or below, a relative name from a cwd of /proc;
 * for scandirat, a descriptor on procfs) is therefore made here, with
 * opendir or fdopendir and readdir, as glibc makes it: each entry the
 * filter keeps copied whole (d_reclen bytes) into its own allocation,
 * sorted with compar, errno kept on success; -1 with readdir's errno, or
 * ENOMEM, and nothing allocated on failure.  Any other directory is
 * glibc's.  struct dirent and dirent64 share one layout on 64-bit ABIs,
 * so one scan serves both names.
 */

typedef int (*scan_filter)(const struct dirent *);
typedef int (*scan_compar)(const struct dirent **, const struct dirent **);

static int scan(DIR *d, struct dirent ***list, scan_filter filter, scan_compar compar)
{
	struct dirent **v = NULL, **grown, *e, *copy;
	size_t n = 0, cap = 0;
	int saved = errno, err;

	errno = 0;
	while ((e = readdir(d)) != NULL) {
		if (filter != NULL) {
			int keep = filter(e);

			errno = 0;
			if (!keep)
				continue;
		}
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			grown = realloc(v, cap * sizeof(*v));
			if (grown == NULL)
				break;
			v = grown;
		}
		copy = malloc(e->d_reclen);
		if (copy == NULL)
			break;
		v[n++] = memcpy(copy, e, e->d_reclen);
		errno = 0;
	}
	err = errno;
	if (err == 0 && n > (size_t)INT32_MAX)
		err = EOVERFLOW;
	closedir(d);
	if (err != 0) {
		while (n > 0)
			free(v[--n]);
		free(v);
		errno = err;
		return -1;
	}
	if (compar != NULL && n > 1)
		qsort(v, n, sizeof(*v), (int (*)(const void *, const void *))compar);
	*list = v;
	errno = saved;
	return (int)n;
}

/* Does `dir` (the caller's spelling, relative to dirfd) name a directory
 * of procfs? */
static bool proc_listing(int dirfd, const char *dir)
{
	if (dir == NULL || !shim_user_str_ok(dir) || shim_mode() != SHIM_MODE_ONLINE || shim_guarded())
		return false;
	if (dir[0] == '/')
		return strncmp(dir, "/proc", 5) == 0 && (dir[5] == '\0' || dir[5] == '/');
	if (dirfd == AT_FDCWD)
		return shim_procpath_cwd_root();
	return shim_procdir_on_procfs(dirfd);
}

static int scan_at(int dirfd, const char *dir, void *list, scan_filter filter, scan_compar compar)
{
	DIR *d;
	int fd;

	if (dir[0] == '/' || dirfd == AT_FDCWD) {
		d = opendir(dir);
	} else {
		fd = openat(dirfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		d = fd < 0 ? NULL : fdopendir(fd);
		if (fd >= 0 && d == NULL) {
			int err = errno;

			shim_close(fd);
			errno = err;
		}
	}
	return d == NULL ? -1 : scan(d, list, filter, compar);
}

SHIM_EXPORT int scandir(const char *dir, struct dirent ***list, scan_filter filter, scan_compar compar)
{
	shim_init();
	if (!proc_listing(AT_FDCWD, dir))
		return REAL(scandir)(dir, list, filter, compar);
	return scan_at(AT_FDCWD, dir, list, filter, compar);
}

SHIM_EXPORT int scandir64(const char *dir, struct dirent64 ***list, int (*filter)(const struct dirent64 *),
			  int (*compar)(const struct dirent64 **, const struct dirent64 **))
{
	shim_init();
	if (!proc_listing(AT_FDCWD, dir))
		return REAL(scandir64)(dir, list, filter, compar);
	return scan_at(AT_FDCWD, dir, list, (scan_filter)filter, (scan_compar)compar);
}

SHIM_EXPORT int scandirat(int dirfd, const char *dir, struct dirent ***list, scan_filter filter,
			  scan_compar compar)
{
	shim_init();
	if (!proc_listing(dirfd, dir))
		return REAL(scandirat)(dirfd, dir, list, filter, compar);
	return scan_at(dirfd, dir, list, filter, compar);
}

SHIM_EXPORT int scandirat64(int dirfd, const char *dir, struct dirent64 ***list,
			    int (*filter)(const struct dirent64 *),
			    int (*compar)(const struct dirent64 **, const struct dirent64 **))
{
	shim_init();
	if (!proc_listing(dirfd, dir))
		return REAL(scandirat64)(dirfd, dir, list, filter, compar);
	return scan_at(dirfd, dir, list, (scan_filter)filter, (scan_compar)compar);
}
