/* imgprobe.c — prints "shim" when the shim ($JOBSHIM_LIB) is mapped into this process, else "plain".
 *
 * Built to import no name the shim interposes (no open, no stat, no fork),
 * so that the shim's exec wrappers run it without the shim (shim/elfscan.c);
 * /proc/self/maps is opened with a raw system call for that reason.
 * imgprobe_fork.c builds the same program with a launcher that imports fork,
 * vfork and posix_spawn, which must keep the shim (sup_imgcache.sh). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static long raw_openat(const char *path, int flags)
{
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"((long)SYS_openat), "D"((long)AT_FDCWD), "S"(path), "d"((long)flags)
			 : "rcx", "r11", "memory");
	return ret;
}

/* Is the shim in our address space? */
static int shim_mapped(void)
{
	static char buf[1 << 16];
	const char *lib = getenv("JOBSHIM_LIB");
	size_t n = 0;
	long fd = raw_openat("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	ssize_t r;

	if (fd < 0)
		return -1;
	while (n < sizeof(buf) - 1 && (r = read((int)fd, buf + n, sizeof(buf) - 1 - n)) > 0)
		n += (size_t)r;
	close((int)fd);
	buf[n] = '\0';
	return strstr(buf, lib != NULL && lib[0] == '/' ? lib : "/libjobshim.so") != NULL;
}

static int probe(void)
{
	int m = shim_mapped();

	puts(m < 0 ? "error" : m ? "shim" : "plain");
	return m < 0;
}

#ifndef PROBE_LAUNCHER
int main(void)
{
	return probe();
}
#endif
