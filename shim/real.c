/* real.c — the real libc entry points behind every interposed name (RTLD_NEXT's, nextsym.c). */
#include "shim.h"

#include <dlfcn.h>
#include <stdatomic.h>

struct shim_real real;

/* 0 not resolved, 1 being resolved, 2 done.  Resolution happens in our
 * constructor or, if another library's constructor calls in first, on that
 * first call: never on a later wrapper path, so dlsym never runs in a signal
 * handler of a started program. */
static atomic_int resolved;

#define RESOLVE(name) (*(void **)&real.name = shim_next_sym(#name))
#define RESOLVE_AS(field, name) (*(void **)&real.field = shim_next_sym(name))

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
	RESOLVE(raise);
	RESOLVE(sigqueue);
	RESOLVE(wait4);
	RESOLVE(waitid);
	RESOLVE(sigaction);
	RESOLVE(sigwaitinfo);
	RESOLVE(sigtimedwait);
	RESOLVE(tcgetpgrp);
	RESOLVE(tcsetpgrp);
	RESOLVE(tcgetsid);
	RESOLVE(ioctl);
	RESOLVE(fcntl);
	RESOLVE(clock_getcpuclockid);
	RESOLVE(msgctl);
	RESOLVE(shmctl);
	RESOLVE(semctl);
	RESOLVE(timer_create);
	RESOLVE(getsockopt);
	RESOLVE(sendmsg);
	RESOLVE(recvmsg);
	RESOLVE(syscall);
	RESOLVE(prctl);
	RESOLVE(tgkill);
	RESOLVE(sched_setaffinity);
	RESOLVE(sched_getaffinity);
	RESOLVE(sched_setscheduler);
	RESOLVE(sched_getscheduler);
	RESOLVE(sched_setparam);
	RESOLVE(sched_getparam);
	RESOLVE(sched_rr_get_interval);
	RESOLVE(getpriority);
	RESOLVE(setpriority);
	RESOLVE(prlimit);
	RESOLVE(prlimit64);
	RESOLVE(process_vm_readv);
	RESOLVE(process_vm_writev);
	RESOLVE(pidfd_open);
	RESOLVE(open);
	RESOLVE(open64);
	RESOLVE(openat);
	RESOLVE(openat64);
	RESOLVE(fopen);
	RESOLVE(fopen64);
	RESOLVE(freopen);
	RESOLVE(freopen64);
	RESOLVE(opendir);
	RESOLVE(fdopendir);
	RESOLVE(clone);
	RESOLVE(fchdir);
	RESOLVE(closedir);
	RESOLVE(readdir);
	RESOLVE(readdir64);
	RESOLVE(stat);
	RESOLVE(stat64);
	RESOLVE(lstat);
	RESOLVE(lstat64);
	RESOLVE(fstatat);
	RESOLVE(fstatat64);
	RESOLVE(statx);
	RESOLVE(access);
	RESOLVE(faccessat);
	RESOLVE(euidaccess);
	RESOLVE(eaccess);
	RESOLVE(readlink);
	RESOLVE(readlinkat);
	RESOLVE(chdir);
	RESOLVE(ptrace);
	RESOLVE_AS(open_2, "__open_2");
	RESOLVE_AS(open64_2, "__open64_2");
	RESOLVE_AS(openat_2, "__openat_2");
	RESOLVE_AS(openat64_2, "__openat64_2");
	RESOLVE_AS(xstat, "__xstat");
	RESOLVE_AS(xstat64, "__xstat64");
	RESOLVE_AS(lxstat, "__lxstat");
	RESOLVE_AS(lxstat64, "__lxstat64");
	RESOLVE_AS(fxstatat, "__fxstatat");
	RESOLVE_AS(fxstatat64, "__fxstatat64");
	atomic_store_explicit(&resolved, 2, memory_order_release);
}
