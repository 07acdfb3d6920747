/* rawsys.h — a system call without libc, for test programs that must reach the kernel past the shim. */
#ifndef RAWSYS_H
#define RAWSYS_H

#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The shim interposes syscall() and the libc wrappers: it would take a
 * real pid for a virtual one (kill) or show one virtual (getsockopt's
 * SO_PEERCRED).  The kernel's result: -errno on failure. */
static inline long raw_syscall5(long nr, long a, long b, long c, long d, long e)
{
#if defined(__x86_64__)
	long ret;
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	__asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8)
			 : "rcx", "r11", "memory");
	return ret;
#elif defined(__aarch64__)
	register long x8 __asm__("x8") = nr;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;
	register long x4 __asm__("x4") = e;
	__asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4) : "memory");
	return x0;
#else
	long r = syscall(nr, a, b, c, d, e);
	return r < 0 ? -errno : r;
#endif
}

#endif
