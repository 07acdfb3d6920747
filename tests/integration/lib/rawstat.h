/* rawstat.h — /proc files as the kernel names and writes them (real pids, real ids), for test programs that check what the kernel sees. */
#ifndef RAWSTAT_H
#define RAWSTAT_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "rawsys.h"

/* open(path, flags | O_CLOEXEC) by a raw openat system call, without
 * libc (syscall() is interposed too, shim/syscall.c): /proc/<pid> is a
 * real pid, and the file holds the kernel's ids.  Through libc's open, fopen or openat (also relative to a
 * descriptor of /proc) the shim would read <pid> as a vpid and rewrite
 * stat, status and children (shim/procpath.c, procfs.c). */
static inline int raw_open(const char *path, int flags)
{
	long fd = raw_syscall5(SYS_openat, AT_FDCWD, (long)path, flags | O_CLOEXEC, 0, 0);

	if (fd < 0) {
		errno = (int)-fd;
		return -1;
	}
	return (int)fd;
}

/* Opened by a raw openat system call (through libc's open or fopen, or
 * syscall(), it would hold the virtual ids, shim/procfs.c). */
static inline FILE *raw_self_stat(void)
{
	int fd = raw_open("/proc/self/stat", O_RDONLY);
	FILE *f = fd < 0 ? NULL : fdopen(fd, "r");

	if (fd >= 0 && f == NULL)
		close(fd);
	return f;
}

#endif
