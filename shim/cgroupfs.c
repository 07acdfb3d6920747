/* cgroupfs.c — a cgroup's cgroup.procs, tasks or cgroup.threads opened for reading: a memfd listing the tree's members by the ids the tree knows them by. */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

/*
 * cgroup.procs lists a cgroup's member processes by real pid.  Programs
 * compare it with the ids they know, which are vpids (LTP clone303: the
 * child clone3 put there with CLONE_INTO_CGROUP; tools that check where a
 * process landed).  So a read-only open of a file named cgroup.procs that
 * lies on a cgroup file system (v2 or v1: fstatfs of the opened file says)
 * gets a memfd holding each member that is a tree process as its vpid, in
 * the kernel's order; members outside the tree are left out, as the /proc
 * listing leaves them out (procdir.c).  The name is usually opened
 * relative to a cgroup directory descriptor (LTP, systemd), so the dirfd
 * form counts too.
 *
 * `tasks` (v1) and `cgroup.threads` (v2) list thread ids: a tree
 * process's main thread is its vpid, as gettid() says there; another
 * thread of a tree process keeps its real id, as gettid() gives it (its
 * /proc/<tid>/status names the process: one read per such thread); the
 * threads of processes outside the tree are left out.
 *
 * open, openat (+64, fortified), fopen and the same calls through
 * syscall() come here (paths.c).  Not covered: an openat system call made
 * without libc.  A pid written to these files: cgwrite.c.  Cost: one
 * fstatfs per open of such a name, one translation per member (the model
 * view; a round trip for a member the view does not show, e.g. one
 * outside the tree).
 */

#define CGROUPFS_CAP (256 * 1024)
#define CGROUP_V1_MAGIC 0x27e0eb
#define CGROUP_V2_MAGIC 0x63677270

/* The member lists; those past the first hold thread ids. */
static const char *const cg_names[] = { "cgroup.procs", "tasks", "cgroup.threads", NULL };

/* Which list path names (its last component): 1 + its index, 0 none. */
static int cg_kind(const char *path)
{
	size_t n = strlen(path);

	for (int i = 0; cg_names[i] != NULL; i++) {
		size_t k = strlen(cg_names[i]);
		if (n >= k && memcmp(path + n - k, cg_names[i], k) == 0 &&
		    (n == k || path[n - k - 1] == '/'))
			return i + 1;
	}
	return 0;
}

bool shim_cgroupfs_candidate(const char *path)
{
	return cg_kind(path) != 0;
}

/* Is real thread `tid` another thread of a tree process?  Its status
 * names its process (Tgid). */
static bool tree_thread(pid_t tid)
{
	char path[48] = "/proc/", buf[512], *t;
	long fd, n;
	size_t at = 6;

	at += shim_fmt_int(path + at, tid);
	memcpy(path + at, "/status", 8);
	fd = shim_raw_syscall(SYS_openat, AT_FDCWD, (long)path, O_RDONLY | O_CLOEXEC, 0, 0, 0);
	if (fd < 0)
		return false;
	n = shim_raw_syscall(SYS_read, fd, (long)buf, sizeof(buf) - 1, 0, 0, 0);
	shim_raw_syscall(SYS_close, fd, 0, 0, 0, 0, 0);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	t = strstr(buf, "\nTgid:");
	if (t == NULL)
		return false;
	long tgid = strtol(t + 6, NULL, 10);
	return tgid > 0 && tgid != tid && tgid <= SHIM_PID_NONE && shim_r2v((pid_t)tgid) > 0;
}

/* The members of the real file in `in` (len bytes), those in the tree as
 * the tree names them, into out: its length.  threads: the file lists
 * thread ids. */
static size_t cg_translate(const char *in, size_t len, char *out, size_t cap, bool threads)
{
	size_t at = 0, olen = 0;

	while (at < len) {
		long r = 0;
		bool digits = false;

		while (at < len && in[at] >= '0' && in[at] <= '9') {
			r = r * 10 + (in[at++] - '0');
			digits = true;
		}
		while (at < len && in[at] != '\n')
			at++;
		at++;
		if (!digits || r <= 0 || r > SHIM_PID_NONE)
			continue;
		pid_t v = shim_r2v((pid_t)r);
		if (v <= 0 && threads && tree_thread((pid_t)r))
			v = (pid_t)r;
		if (v <= 0 || olen + 24 > cap)
			continue;
		olen += shim_fmt_int(out + olen, v);
		out[olen++] = '\n';
	}
	return olen;
}

int shim_cgroupfs_open(int dirfd, const char *path, int flags, mode_t mode)
{
	struct statfs sf;
	char *mem;
	size_t len = 0, olen;
	ssize_t n = 0;
	int fd, mfd;

	shim_init();
	if (shim_mode() != SHIM_MODE_ONLINE || shim_guarded())
		return SHIM_PROCFS_PASS;
	if ((flags & O_ACCMODE) != O_RDONLY || (flags & (O_PATH | O_DIRECTORY | O_CREAT)))
		return SHIM_PROCFS_PASS;
	fd = (int)shim_raw_syscall(SYS_openat, dirfd, (long)path, flags | O_CLOEXEC, mode, 0, 0);
	if (fd < 0) {
		errno = -fd;
		return -1;
	}
	if (shim_raw_syscall(SYS_fstatfs, fd, (long)&sf, 0, 0, 0, 0) != 0 ||
	    (sf.f_type != CGROUP_V2_MAGIC && sf.f_type != CGROUP_V1_MAGIC))
		goto plain;
	mem = mmap(NULL, 2 * CGROUPFS_CAP, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		goto plain;
	while (len < CGROUPFS_CAP &&
	       (n = shim_raw_syscall(SYS_read, fd, (long)(mem + len), CGROUPFS_CAP - len, 0, 0, 0)) > 0)
		len += (size_t)n;
	if (n < 0 || len == CGROUPFS_CAP) {
		/* unreadable, or too long to rewrite: the real file */
		munmap(mem, 2 * CGROUPFS_CAP);
		shim_raw_syscall(SYS_lseek, fd, 0, SEEK_SET, 0, 0, 0);
		goto plain;
	}
	olen = cg_translate(mem, len, mem + CGROUPFS_CAP, CGROUPFS_CAP, cg_kind(path) > 1);
	mfd = (int)shim_raw_syscall(SYS_memfd_create, (long)"jobshim-cgroup",
				    (flags & O_CLOEXEC) ? MFD_CLOEXEC : 0, 0, 0, 0, 0);
	for (size_t at = 0; mfd >= 0 && at < olen;) {
		n = shim_raw_syscall(SYS_write, mfd, (long)(mem + CGROUPFS_CAP + at), olen - at, 0, 0, 0);
		if (n <= 0) {
			shim_raw_syscall(SYS_close, mfd, 0, 0, 0, 0, 0);
			mfd = -1;
		} else {
			at += (size_t)n;
		}
	}
	munmap(mem, 2 * CGROUPFS_CAP);
	if (mfd < 0)
		goto plain;
	shim_raw_syscall(SYS_lseek, mfd, 0, SEEK_SET, 0, 0, 0);
	shim_raw_syscall(SYS_close, fd, 0, 0, 0, 0, 0);
	return shim_memfd_readonly(mfd, flags);
plain:
	/* the caller's own descriptor: drop the O_CLOEXEC we added */
	if (!(flags & O_CLOEXEC))
		shim_raw_syscall(SYS_fcntl, fd, F_SETFD, 0, 0, 0, 0);
	return fd;
}
