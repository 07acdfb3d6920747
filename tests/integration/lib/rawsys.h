/* rawsys.h — a system call without libc, for test programs that must reach the kernel past the shim. */
#ifndef RAWSYS_H
#define RAWSYS_H

#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "../../../core/rawcall.h"

/* The shim interposes syscall() and the libc wrappers: it would take a
 * real pid for a virtual one (kill) or show one virtual (getsockopt's
 * SO_PEERCRED).  The kernel's result: -errno on failure. */
static inline long raw_syscall5(long nr, long a, long b, long c, long d, long e)
{
#if RAWCALL_NATIVE
	return rawcall6(nr, a, b, c, d, e, 0);
#else
	long r = syscall(nr, a, b, c, d, e);
	return r < 0 ? -errno : r;
#endif
}

#endif
