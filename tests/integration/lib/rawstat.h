/* rawstat.h — /proc/self/stat with the real ids, for test programs that check what the kernel sees. */
#ifndef RAWSTAT_H
#define RAWSTAT_H

#include <fcntl.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

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
