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
 * in it, an outer --timeout's last resort, the OOM killer -- has its guard
 * remove its TOP (rundir.c: a socket, a FIFO and a few sparse files in
 * $TMPDIR), unless the guard was killed too (`pkill -9 jobshim`, a
 * kill(-1), the OOM killer, which kills the guard that shares the
 * supervisor's memory along with it): then the TOP stays, one more for
 * every such run of a CI job.  Every supervisor holds
 * an flock on TOP/lock for its whole life; the kernel drops the lock with
 * the process, whatever pid namespace it runs in (a pid written in a file
 * would name nothing, or the wrong process, seen from another namespace).
 * So each new supervisor removes the TOPs of its uid, in the directory it
 * makes its own in, whose lock nobody holds:
 *
 *   - only names rundir.c makes ("jobshim-<digits>.<6 chars>"), owned by
 *     us, with a "lock" file (a TOP without one is a version that took no
 *     lock: left alone), with everything below it (rundir_rmtree: what
 *     a tree process put in DIR too), never following a symlink;
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

void rundir_rmtree(int parent, const char *name, int depth)
{
	int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	if (fd >= 0 && !d)
		close(fd);
	while (d && (de = readdir(d)) != NULL) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		/* unlinkat without AT_REMOVEDIR refuses a directory (EISDIR):
		 * no trust in d_type, which some file systems leave unknown. */
		if (unlinkat(dirfd(d), de->d_name, 0) < 0 && errno == EISDIR && depth > 0)
			rundir_rmtree(dirfd(d), de->d_name, depth - 1);
	}
	if (d)
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
			rundir_rmtree(dirfd(d), de->d_name, RUNDIR_RMTREE_DEPTH);
		if (lock >= 0)
			close(lock);
		close(top);
	}
	closedir(d);
}
