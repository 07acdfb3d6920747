/* rundir_prune.c — remove the run directories of supervisors that died without cleaning up. */
#include "sup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/*
 * A supervisor killed by SIGKILL -- a tree that kill(-1)s a jobshim nested
 * in it, an outer --timeout's last resort, the OOM killer -- leaves its
 * TOP (rundir.c) behind: a socket, a FIFO and a few sparse files in
 * $TMPDIR, one more for every such run of a CI job.  Every supervisor holds
 * an flock on TOP/lock for its whole life; the kernel drops the lock with
 * the process, whatever pid namespace it runs in (a pid written in a file
 * would name nothing, or the wrong process, seen from another namespace).
 * So each new supervisor removes the TOPs of its uid, in the directory it
 * makes its own in, whose lock nobody holds:
 *
 *   - only names rundir.c makes ("jobshim-<digits>.<6 chars>"), owned by
 *     us, with a "lock" file (a TOP without one is a version that took no
 *     lock: left alone), one level of files below the secret directory,
 *     never following a symlink;
 *   - only a TOP last changed more than RUNDIR_PRUNE_AGE seconds ago: a
 *     supervisor takes its lock just after making the file, and TOP does
 *     not change afterwards, so a starting one is never taken for dead.
 */
#define RUNDIR_PRUNE_AGE 10

/* "jobshim-<digits>.XXXXXX", as make_dirs names TOP. */
static bool top_name(const char *n)
{
	const char *p;

	if (strncmp(n, "jobshim-", 8) != 0)
		return false;
	for (p = n + 8; *p >= '0' && *p <= '9'; p++)
		;
	return p > n + 8 && p[0] == '.' && strlen(p + 1) == 6 && !strchr(p + 1, '/');
}

/* Unlink every non-directory in the directory `fd` (closed here). */
static void remove_files(int fd)
{
	DIR *d = fdopendir(fd);
	struct dirent *de;

	if (!d) {
		close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL)
		if (de->d_type != DT_DIR)
			unlinkat(dirfd(d), de->d_name, 0);
	closedir(d);
}

/* TOP (open as `top`, locked by us) is dead: its secret directory's files,
 * that directory, then everything else in TOP. */
static void remove_top(int parent, const char *name, int top)
{
	int dup_top = dup(top);
	DIR *d = dup_top >= 0 ? fdopendir(dup_top) : NULL;
	struct dirent *de;

	if (!d) {
		if (dup_top >= 0)
			close(dup_top);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (de->d_type == DT_DIR) {
			int sub = openat(top, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0)
				remove_files(sub);
			unlinkat(top, de->d_name, AT_REMOVEDIR);
		} else {
			unlinkat(top, de->d_name, 0);
		}
	}
	closedir(d);
	unlinkat(parent, name, AT_REMOVEDIR);
}

void rundir_prune(const struct sup *s, const char *tmp)
{
	const char *own = strrchr(s->top, '/');
	time_t now = time(NULL);
	struct dirent *de;
	DIR *d = opendir(tmp);

	if (!d)
		return;
	own = own ? own + 1 : s->top;
	while ((de = readdir(d)) != NULL) {
		struct stat st;
		int top, lock;

		if (!top_name(de->d_name) || !strcmp(de->d_name, own))
			continue;
		top = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (top < 0)
			continue;
		if (fstat(top, &st) < 0 || st.st_uid != geteuid() ||
		    now - st.st_mtime <= RUNDIR_PRUNE_AGE) {
			close(top);
			continue;
		}
		lock = openat(top, RUNDIR_LOCK, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		/* Held: its supervisor lives.  Ours now: it is dead, and stays
		 * locked while we remove it (another pruner leaves it alone). */
		if (lock >= 0 && flock(lock, LOCK_EX | LOCK_NB) == 0)
			remove_top(dirfd(d), de->d_name, top);
		if (lock >= 0)
			close(lock);
		close(top);
	}
	closedir(d);
}
