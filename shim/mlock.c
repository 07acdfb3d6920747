/* mlock.c — mlockall and munlockall: the shim's model view is no part of the memory a program locks. */
#include "shim.h"

#include <errno.h>
#include <sys/mman.h>
#include <sys/syscall.h>

/*
 * Linux's mlockall(MCL_CURRENT) faults in and locks every mapping of the
 * caller, and refuses an unprivileged caller whose address space is larger
 * than RLIMIT_MEMLOCK.  The model view (mview.c) is a 144 MiB read-only
 * mapping: locked, it made a small program lock 150 MiB (and filled the
 * supervisor's file), and an unprivileged mlockall fail with ENOMEM where
 * Linux succeeds (LTP getrusage03 saw its children's maxrss 150 MiB too
 * large).  So the view leaves the address space before the real call, and
 * stays out while MCL_FUTURE is in effect: every mapping made then is
 * locked and faulted in whole.  Reads ask the supervisor meanwhile.  The
 * shim's other mappings (the shared counter page and image cache, 68 KiB)
 * are locked like the program's.  A failed call changes nothing (the
 * kernel checks the flags first), so the previous state is kept.
 */

static bool future; /* MCL_FUTURE in effect (as far as our wrappers saw) */

SHIM_EXPORT int mlockall(int flags)
{
	bool held;
	long rc;

	shim_init();
	held = shim_mode() != SHIM_MODE_NONE && shim_mview_release(SHIM_MVIEW_HOLD_MLOCK);
	rc = shim_raw_syscall(SYS_mlockall, flags, 0, 0, 0, 0, 0);
	if (rc == 0 && !shim_vf.active)
		future = (flags & MCL_FUTURE) != 0;
	if (held)
		shim_mview_hold(SHIM_MVIEW_HOLD_MLOCK, future);
	if (rc < 0) {
		errno = (int)-rc;
		return -1;
	}
	return 0;
}

SHIM_EXPORT int munlockall(void)
{
	long rc = shim_raw_syscall(SYS_munlockall, 0, 0, 0, 0, 0, 0);

	if (rc == 0 && !shim_vf.active) {
		future = false;
		shim_mview_hold(SHIM_MVIEW_HOLD_MLOCK, false);
	}
	if (rc < 0) {
		errno = (int)-rc;
		return -1;
	}
	return 0;
}
