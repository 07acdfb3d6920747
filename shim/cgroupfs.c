/* cgroupfs.c — a cgroup's cgroup.procs opened for reading: a memfd listing the tree's member processes by vpid. */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
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
 * open, openat (+64, fortified) and fopen come here (paths.c).  Not
 * covered: reading `tasks` and `cgroup.threads` (thread ids: only main
 * threads have vpids) and a raw openat system call.  A pid written to
 * these files: cgwrite.c.  Cost: one fstatfs per open of such a name,
 * one translation per member (the model view; a round trip for a member
 * the view does not show, e.g. one outside the tree).
 */

#define CGROUPFS_CAP (256 * 1024)
#define CGROUP_V1_MAGIC 0x27e0eb
#define CGROUP_V2_MAGIC 0x63677270

static const char cg_name[] = "cgroup.procs";

bool shim_cgroupfs_candidate(const char *path)
{
	size_t n = strlen(path), k = sizeof(cg_name) - 1;

	return n >= k && memcmp(path + n - k, cg_name, k) == 0 && (n == k || path[n - k - 1] == '/');
}

/* The members of the real file in `in` (len bytes), those in the tree as
 * vpids, into out: its length. */
static size_t cg_translate(const char *in, size_t len, char *out, size_t cap)
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
	olen = cg_translate(mem, len, mem + CGROUPFS_CAP, CGROUPFS_CAP);
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
	return mfd;
plain:
	/* the caller's own descriptor: drop the O_CLOEXEC we added */
	if (!(flags & O_CLOEXEC))
		shim_raw_syscall(SYS_fcntl, fd, F_SETFD, 0, 0, 0, 0);
	return fd;
}
