/* prctl.c — prctl: child subreapers in the model as in the kernel; PR_SET_PTRACER's pid. */
#include "shim.h"

#include <errno.h>
#include <stdarg.h>
#include <sys/prctl.h>

/*
 * PR_SET_CHILD_SUBREAPER is applied to the kernel first (so real orphans
 * go to the caller, keeping virtual parent == real parent), then to the
 * engine (SUBREAPER round trip), whose exit rule then reparents the
 * caller's orphaned descendants to it, exactly as the kernel does.  A
 * descendant exiting during that one call may be reparented by the model
 * before it learns of the flag (documented in README).
 * PR_GET_CHILD_SUBREAPER needs nothing: the real flag is the model's.
 * PR_SET_SECCOMP: the image's calls are real from then on (self.c,
 * shim_self_sandboxed).
 */
int shim_prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4,
	       unsigned long a5)
{
	int rc;

	shim_init();
	if (option == PR_SET_PTRACER && a2 != (unsigned long)PR_SET_PTRACER_ANY &&
	    (long)a2 > 0 && shim_mode() != SHIM_MODE_NONE) {
		/* No such process: yama's EINVAL (or the kernel's without yama). */
		a2 = (unsigned long)shim_xlate_tid((pid_t)a2);
	}
	if (option == PR_SET_SECCOMP)
		shim_self_sandboxing();
	rc = REAL(prctl)(option, a2, a3, a4, a5);
	if (rc == 0 && option == PR_SET_SECCOMP && shim_mode() != SHIM_MODE_NONE)
		shim_self_sandboxed();
	if (rc == 0 && option == PR_SET_CHILD_SUBREAPER && !shim_offline()) {
		struct proto_req req = { .op = PROTO_OP_SUBREAPER, .a = a2 != 0 };
		struct proto_rep rep;

		shim_call(&req, &rep); /* offline afterwards: nothing to keep in step */
	}
	return rc;
}

SHIM_EXPORT int prctl(int option, ...)
{
	unsigned long a[4];
	va_list ap;

	va_start(ap, option);
	for (int i = 0; i < 4; i++)
		a[i] = va_arg(ap, unsigned long);
	va_end(ap);
	return shim_prctl(option, a[0], a[1], a[2], a[3]);
}
