/* caps.c — capget/capset: the header's pid is a virtual one (libcap-ng fills it with getpid()). */
#include "shim.h"

#include <errno.h>
#include <linux/capability.h>
#include <sys/syscall.h>

/*
 * Tools that drop privileges (setpriv, libcap-ng users) name themselves in
 * the capability header with getpid(), which is our vpid: passed to the
 * kernel unchanged it names another real process (capset: EPERM, and
 * setpriv --reuid fails "activate capabilities"; capget: someone else's
 * capabilities).  0 and negative pids keep the kernel's meaning; a vpid
 * becomes its rpid; an id that names nothing in the tree becomes one that
 * names nothing at all (above PID_MAX_LIMIT), so that the kernel still
 * checks the version first and then answers as natively (capget: ESRCH,
 * capset: EPERM).  The caller's header is given back with its own pid.
 */

#define CAPS_NO_PID 4194305 /* PID_MAX_LIMIT + 1: never a process */

long shim_sys_cap(long nr, void *hdr, void *data)
{
	struct __user_cap_header_struct h;
	pid_t r;
	long rc;

	shim_init();
	/* Unreadable header: the kernel's EFAULT, without touching it. */
	if (shim_mode() == SHIM_MODE_NONE || hdr == NULL || !shim_peek(&h, hdr, sizeof(h)) ||
	    h.pid <= 0)
		return shim_raw_syscall(nr, (long)hdr, (long)data, 0, 0, 0, 0);
	r = shim_xlate_tid(h.pid);
	if (r <= 0)
		r = CAPS_NO_PID;
	((struct __user_cap_header_struct *)hdr)->pid = r;
	rc = shim_raw_syscall(nr, (long)hdr, (long)data, 0, 0, 0, 0);
	((struct __user_cap_header_struct *)hdr)->pid = h.pid;
	return rc;
}

static int cap_result(long rc)
{
	if (rc < 0) {
		errno = (int)-rc;
		return -1;
	}
	return (int)rc;
}

SHIM_EXPORT int capget(cap_user_header_t hdr, cap_user_data_t data)
{
	return cap_result(shim_sys_cap(SYS_capget, hdr, data));
}

SHIM_EXPORT int capset(cap_user_header_t hdr, const cap_user_data_t data)
{
	return cap_result(shim_sys_cap(SYS_capset, hdr, data));
}
