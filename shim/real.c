/* real.c — the real libc entry points behind every interposed name (dlsym RTLD_NEXT). */
#include "shim.h"

#include <dlfcn.h>
#include <stdatomic.h>

struct shim_real real;

/* 0 not resolved, 1 being resolved, 2 done.  Resolution happens in our
 * constructor or, if another library's constructor calls in first, on that
 * first call: never on a later wrapper path, so dlsym never runs in a signal
 * handler of a started program. */
static atomic_int resolved;

#define RESOLVE(name) (*(void **)&real.name = dlsym(RTLD_NEXT, #name))

void real_resolve(void)
{
	int expect = 0;

	if (atomic_load_explicit(&resolved, memory_order_acquire) == 2)
		return;
	if (!atomic_compare_exchange_strong(&resolved, &expect, 1)) {
		/* Another thread resolves; wait for it (a few microseconds). */
		while (atomic_load_explicit(&resolved, memory_order_acquire) != 2)
			;
		return;
	}
	RESOLVE(fork);
	RESOLVE(_Fork);
	RESOLVE(execve);
	RESOLVE(execvpe);
	RESOLVE(fexecve);
	RESOLVE(posix_spawn);
	RESOLVE(posix_spawnp);
	RESOLVE(system);
	RESOLVE(pclose);
	RESOLVE(popen);
	RESOLVE(daemon);
	RESOLVE(getpgid);
	RESOLVE(getsid);
	RESOLVE(setsid);
	RESOLVE(setpgid);
	RESOLVE(kill);
	RESOLVE(sigqueue);
	RESOLVE(wait4);
	RESOLVE(waitid);
	RESOLVE(sigaction);
	RESOLVE(sigwaitinfo);
	RESOLVE(sigtimedwait);
	RESOLVE(tcgetpgrp);
	RESOLVE(tcsetpgrp);
	RESOLVE(tcgetsid);
	atomic_store_explicit(&resolved, 2, memory_order_release);
}
