/* glob.c — glob and glob64 of a /proc pattern: the directories read through our opendir/readdir and the names checked through our stat, so that the pids matched are vpids. */
#include "shim.h"

#include <dirent.h>
#include <glob.h>
#include <string.h>
#include <sys/stat.h>

/*
 * glibc's glob reads directories with its internal opendir/readdir and
 * checks names with its internal lstat, which no preload sees:
 * glob("/proc/[0-9]*") listed every real pid on the machine, and
 * glob("/proc/2/stat") matched the real process 2.  glob's own hook for
 * this, GLOB_ALTDIRFUNC, takes the five calls from the glob_t: for a
 * pattern spelled under /proc (or a relative one from a cwd of /proc)
 * the shim fills them with its own wrappers and sets the flag, unless the
 * caller set it with functions of its own.  gl_flags is given back without
 * the flag, as the caller would see it natively.  Any other pattern is
 * glibc's alone.  wordexp's globbing (libc-internal) is not covered.
 */

static bool proc_pattern(const char *pattern)
{
	if (pattern == NULL || !shim_user_str_ok(pattern) || shim_mode() != SHIM_MODE_ONLINE ||
	    shim_guarded())
		return false;
	if (pattern[0] == '/')
		return strncmp(pattern, "/proc", 5) == 0 && (pattern[5] == '\0' || pattern[5] == '/');
	return shim_procpath_cwd_root();
}

/* glob_t's hooks take void * for the directory. */
static void *glob_opendir(const char *path)
{
	return opendir(path);
}

static struct dirent *glob_readdir(void *d)
{
	return readdir(d);
}

static struct dirent64 *glob_readdir64(void *d)
{
	return readdir64(d);
}

static void glob_closedir(void *d)
{
	closedir(d);
}

SHIM_EXPORT int glob(const char *pattern, int flags, int (*errfunc)(const char *, int),
		     glob_t *pglob)
{
	int rc;

	shim_init();
	if ((flags & GLOB_ALTDIRFUNC) || pglob == NULL || !proc_pattern(pattern))
		return REAL(glob)(pattern, flags, errfunc, pglob);
	pglob->gl_opendir = glob_opendir;
	pglob->gl_readdir = glob_readdir;
	pglob->gl_closedir = glob_closedir;
	pglob->gl_stat = stat;
	pglob->gl_lstat = lstat;
	rc = REAL(glob)(pattern, flags | GLOB_ALTDIRFUNC, errfunc, pglob);
	pglob->gl_flags &= ~GLOB_ALTDIRFUNC;
	return rc;
}

SHIM_EXPORT int glob64(const char *pattern, int flags, int (*errfunc)(const char *, int),
		       glob64_t *pglob)
{
	int rc;

	shim_init();
	if ((flags & GLOB_ALTDIRFUNC) || pglob == NULL || !proc_pattern(pattern))
		return REAL(glob64)(pattern, flags, errfunc, pglob);
	pglob->gl_opendir = glob_opendir;
	pglob->gl_readdir = glob_readdir64;
	pglob->gl_closedir = glob_closedir;
	pglob->gl_stat = stat64;
	pglob->gl_lstat = lstat64;
	rc = REAL(glob64)(pattern, flags | GLOB_ALTDIRFUNC, errfunc, pglob);
	pglob->gl_flags &= ~GLOB_ALTDIRFUNC;
	return rc;
}
