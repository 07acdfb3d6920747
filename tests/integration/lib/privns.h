/* privns.h — is this test inside a private pid namespace of ours, where a kill(-1) reaches nothing outside? */
#ifndef JOBSHIM_ITEST_PRIVNS_H
#define JOBSHIM_ITEST_PRIVNS_H

#include "rawstat.h"

#include <stdbool.h>
#include <string.h>
#include <unistd.h>

/* run.sh's unshare makes native_init or pidpush the namespace's real pid
 * 1; its command line is read past the shim (raw_open), which would show
 * the supervisor as /proc/1. */
static inline bool private_namespace(void)
{
	char buf[256] = "";
	int fd = raw_open("/proc/1/cmdline", O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	const char *base = strrchr(buf, '/');
	base = base ? base + 1 : buf;
	return strcmp(base, "native_init") == 0 || strcmp(base, "pidpush") == 0;
}

#endif
