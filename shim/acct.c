/* acct.c — process accounting: the records read back from the file acct() named carry the tree's pids. */
#include "shim.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/acct.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

/*
 * acct(path) makes the kernel append a struct acct_v3 (64 bytes) to path
 * for every process that exits, with ac_pid and ac_ppid as the pid
 * namespace of the acct() caller numbers them: real pids here (LTP acct02
 * checks that the helper's record names the test as its parent).  So a
 * process that called acct(path) remembers the file (device and inode)
 * and marks its descriptors of it for pidread.c: at acct() time every
 * open descriptor on it (LTP opens the file first), later each one opened
 * (open, openat, fopen: paths.c).  A read from such a descriptor rewrites
 * each whole v3 record in what it read (records start at offsets that
 * are multiples of 64): a tree process's pid as its vpid (a recently
 * reaped one too: the supervisor keeps the last rpid -> vpid pairs), any
 * other pid as 0, as a namespace's accounting names a process outside it.
 *
 * Not covered: another process reading the file (lastcomm, sa: it never
 * called acct), readv/pread, and records of the older formats (no pids).
 */

static _Atomic uint64_t acct_dev, acct_ino; /* 0: no acct() in this image */

static bool on_acct_file(int fd)
{
	struct stat st;
	uint64_t ino = atomic_load_explicit(&acct_ino, memory_order_relaxed);

	return ino != 0 && fd >= 0 && shim_raw_syscall(SYS_fstat, fd, (long)&st, 0, 0, 0, 0) == 0 &&
	       (uint64_t)st.st_ino == ino && (uint64_t)st.st_dev == atomic_load(&acct_dev);
}

bool shim_acct_is(int fd)
{
	return on_acct_file(fd);
}

void shim_acct_opened(int fd)
{
	if (atomic_load_explicit(&acct_ino, memory_order_relaxed) != 0 && on_acct_file(fd))
		shim_pidread_mark(fd);
}

/* Every descriptor of ours on the file, from /proc/self/fd. */
static void mark_open(void)
{
	DIR *d = (DIR *)REAL(opendir)("/proc/self/fd");
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = (struct dirent *)REAL(readdir)(d)) != NULL)
		if (e->d_name[0] >= '0' && e->d_name[0] <= '9')
			shim_acct_opened(atoi(e->d_name));
	REAL(closedir)(d);
}

static int32_t acct_pid(uint32_t rpid)
{
	pid_t v;

	if (rpid == 0 || rpid > SHIM_PID_NONE)
		return 0;
	v = shim_r2v((pid_t)rpid);
	return v > 0 ? v : 0;
}

/* After a read of n bytes that ended at file offset `end`. */
void shim_acct_fix(int fd, char *buf, size_t n)
{
	const size_t size = sizeof(struct acct_v3);
	long end = shim_raw_syscall(SYS_lseek, fd, 0, SEEK_CUR, 0, 0, 0);
	size_t start, skip;

	if (end < 0 || (size_t)end < n)
		return;
	start = (size_t)end - n;
	skip = (size - start % size) % size; /* to the first whole record */
	for (size_t at = skip; at + size <= n; at += size) {
		struct acct_v3 r;

		memcpy(&r, buf + at, size);
		if ((r.ac_version & 0x7f) != 3)
			continue;
		r.ac_pid = (uint32_t)acct_pid(r.ac_pid);
		r.ac_ppid = (uint32_t)acct_pid(r.ac_ppid);
		memcpy(buf + at + offsetof(struct acct_v3, ac_pid), &r.ac_pid, sizeof(r.ac_pid));
		memcpy(buf + at + offsetof(struct acct_v3, ac_ppid), &r.ac_ppid, sizeof(r.ac_ppid));
	}
}

/* acct(path), and syscall(SYS_acct, path): the kernel's call on the
 * translated path, then the file remembered. */
long shim_sys_acct(const char *path)
{
	struct shim_pathbuf pb;
	struct stat st;
	long r;

	/* NULL, or a pointer the kernel answers for (EPERM before EFAULT) */
	if (path == NULL || !shim_path_arg(path, &pb))
		return shim_raw_syscall(SYS_acct, (long)path, 0, 0, 0, 0, 0);
	r = shim_raw_syscall(SYS_acct, (long)pb.path, 0, 0, 0, 0, 0);
	if (r == 0 && shim_raw_syscall(SYS_stat, (long)pb.path, (long)&st, 0, 0, 0, 0) == 0) {
		int saved = errno;

		atomic_store(&acct_dev, (uint64_t)st.st_dev);
		atomic_store(&acct_ino, (uint64_t)st.st_ino);
		mark_open();
		shim_errno_keep(saved);
	}
	return r;
}

SHIM_EXPORT int acct(const char *path)
{
	long r;

	shim_init();
	r = shim_sys_acct(path);
	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	return 0;
}
