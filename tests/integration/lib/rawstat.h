/* rawstat.h — /proc files as the kernel names and writes them (real pids, real ids), for test programs that check what the kernel sees. */
#ifndef RAWSTAT_H
#define RAWSTAT_H

#include <fcntl.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

/* open(path, flags | O_CLOEXEC) by a raw openat system call, which the
 * shim passes through: /proc/<pid> is a real pid, and the file holds the
 * kernel's ids.  Through libc's open, fopen or openat (also relative to a
 * descriptor of /proc) the shim would read <pid> as a vpid and rewrite
 * stat, status and children (shim/procpath.c, procfs.c). */
static inline int raw_open(const char *path, int flags)
{
	return (int)syscall(SYS_openat, AT_FDCWD, path, flags | O_CLOEXEC);
}

/* Opened by a raw openat system call, which the shim passes through
 * (through libc's open or fopen it would hold the virtual ids,
 * shim/procfs.c). */
static inline FILE *raw_self_stat(void)
{
	int fd = (int)syscall(SYS_openat, AT_FDCWD, "/proc/self/stat", O_RDONLY | O_CLOEXEC);
	FILE *f = fd < 0 ? NULL : fdopen(fd, "r");

	if (fd >= 0 && f == NULL)
		close(fd);
	return f;
}

#endif
