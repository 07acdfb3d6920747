/* rawcall.h — a system call made by the instruction itself: no libc, no errno, no shim. */
#ifndef JOBSHIM_RAWCALL_H
#define JOBSHIM_RAWCALL_H

/*
 * Three kinds of caller need a system call that nothing stands between:
 * the shim (shim/syscall.c: libc's syscall() is one of the functions it
 * interposes, and a fork child must not touch errno's page), the
 * supervisor's guard (supervisor/guard.c: it waits on the supervisor's
 * own thread-local state, and in a nested run an outer shim would fix its
 * exec), and test programs that must reach the kernel past the shim
 * (tests/integration/lib/rawsys.h).  The kernel's result: -errno on
 * failure.  RAWCALL_NATIVE is 0 where only libc's syscall() is left.
 */
#if defined(__x86_64__)
#define RAWCALL_NATIVE 1
static inline __attribute__((always_inline)) long rawcall6(long nr, long a1, long a2, long a3, long a4, long a5, long a6)
{
	register long r10 __asm__("r10") = a4;
	register long r8 __asm__("r8") = a5;
	register long r9 __asm__("r9") = a6;
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}
#elif defined(__aarch64__)
#define RAWCALL_NATIVE 1
static inline __attribute__((always_inline)) long rawcall6(long nr, long a1, long a2, long a3, long a4, long a5, long a6)
{
	register long x8 __asm__("x8") = nr;
	register long x0 __asm__("x0") = a1;
	register long x1 __asm__("x1") = a2;
	register long x2 __asm__("x2") = a3;
	register long x3 __asm__("x3") = a4;
	register long x4 __asm__("x4") = a5;
	register long x5 __asm__("x5") = a6;

	__asm__ volatile("svc 0"
			 : "+r"(x0)
			 : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
			 : "memory");
	return x0;
}
#else
#define RAWCALL_NATIVE 0
#endif

#endif
