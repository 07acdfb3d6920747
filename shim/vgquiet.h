/* vgquiet.h — the shim's pointer probes are no error under valgrind. */
#ifndef JOBSHIM_VGQUIET_H
#define JOBSHIM_VGQUIET_H

/*
 * shim_page_readable and page_writable (syscall.c) hand the kernel a
 * pointer the program gave us, to learn whether it is good without a
 * fault: that is their whole point, and valgrind's memcheck reports each
 * as a system call reading unaddressable or undefined bytes.  A program
 * run as `valgrind --error-exitcode=1 ./test` under jobshim then failed
 * where it passes natively.  Between these two marks the calling thread's
 * errors are not reported (valgrind's client requests: a few no-op
 * instructions outside valgrind).  The header comes with Debian's
 * valgrind package, which scripts/deps.sh installs; without it the marks
 * are empty.
 */
#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define SHIM_PROBE_QUIET() VALGRIND_DISABLE_ERROR_REPORTING
#define SHIM_PROBE_LOUD() VALGRIND_ENABLE_ERROR_REPORTING
/* Under valgrind (which runs no seccomp(2): exec.c). */
#define SHIM_ON_VALGRIND() (RUNNING_ON_VALGRIND != 0)
#endif
#endif
#ifndef SHIM_PROBE_QUIET
#define SHIM_PROBE_QUIET() ((void)0)
#define SHIM_PROBE_LOUD() ((void)0)
#define SHIM_ON_VALGRIND() false
#endif

#endif
