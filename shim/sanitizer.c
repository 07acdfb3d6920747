/* sanitizer.c — programs built with gcc's -fsanitize=address run under the preload. */
#include "shim.h"

/*
 * gcc links AddressSanitizer's runtime as a shared library (libasan.so),
 * which refuses to start unless it comes first in the initial library
 * list ("ASan runtime does not come first in initial library list"): a
 * library ahead of it could take calls it must intercept.  The preload
 * comes first, and takes only process calls, each passed on to the next
 * definition (dlsym RTLD_NEXT: libasan's interceptor where it has one,
 * then libc); malloc and the memory calls stay libasan's.  So the check
 * is off by default: libasan asks for its defaults through this name
 * (a weak definition of its own, which ours interposes), before it reads
 * ASAN_OPTIONS, so a user's ASAN_OPTIONS still decides, and an executable
 * that defines its own defaults keeps them.  clang's runtime is linked
 * into the executable and makes no such check; its start, like libtsan's,
 * runs before libc has set `environ` (self.c, init_once).
 */
SHIM_EXPORT const char *__asan_default_options(void)
{
	return "verify_asan_link_order=0";
}
