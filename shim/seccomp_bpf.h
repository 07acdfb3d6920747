/* seccomp_bpf.h — the seccomp filter of alone images, shared by the shim's exec wrapper and the supervisor's command start. */
#ifndef JOBSHIM_SECCOMP_BPF_H
#define JOBSHIM_SECCOMP_BPF_H

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#define SECCOMP_BPF_MAX 128

/*
 * A static image (glibc, musl, Go) or a program making the `syscall`
 * instruction itself never calls the preloaded library: its getpid,
 * setpgid, kill ... reach the kernel with real ids.  The kernel's own tool
 * for this is a seccomp filter with SECCOMP_RET_USER_NOTIF: the call stops
 * and the supervisor, holding the filter's listener, answers it from the
 * engine (supervisor/notif.c).  Installed here, in the exec wrapper of the
 * preloaded parent, just before exec'ing such an image: a tree without one
 * pays nothing.
 *
 * Which calls: only those made from code below SHIM_SECCOMP_IP_LIMIT.
 * Filters are inherited by every descendant, across fork and exec, and a
 * descendant that runs a dynamic image with the shim preloaded must keep
 * its real system calls: the shim's and libc's code lives in shared
 * objects, which the kernel maps at the top of the address space
 * (0x7f...), while an executable's own code (non-PIE at 0x400000, PIE and
 * static-PIE near 2/3 of the address space, 0x55...-0x56...) is below.  So
 * the filter catches exactly the calls an image makes from its own text
 * (a static image's libc, Go's runtime, inline `syscall` instructions)
 * and lets every call from a shared library through.  (The legacy mmap
 * layout, `ulimit -s unlimited` on old kernels, maps libraries low: then
 * a preloaded process below a filtered one would be answered virtually
 * too; docs/internals.md.)
 */
#define SHIM_SECCOMP_IP_LIMIT_HI 0x6000u /* instruction_pointer >> 32 */

/* The x86_64 calls the supervisor answers (supervisor/notif.c). */
static const unsigned seccomp_bpf_nrs[] = {
	SYS_getpid,  SYS_getppid, SYS_gettid,	       SYS_getpgid,	     SYS_getpgrp,
	SYS_getsid,  SYS_setpgid, SYS_setsid,	       SYS_kill,	     SYS_tkill,
	SYS_tgkill,  SYS_rt_sigqueueinfo, SYS_rt_tgsigqueueinfo, SYS_pidfd_open,
};
#define NNRS (sizeof(seccomp_bpf_nrs) / sizeof(seccomp_bpf_nrs[0]))

#define X32_BIT 0x40000000u

/* Once the supervisor has taken a notification, only a fatal signal
 * interrupts the caller's wait (Linux 5.19): a stop signal the caller
 * sends itself (kill(getpid(), SIGSTOP), sent by the supervisor while
 * the call waits) must not make the call restart after SIGCONT and stop
 * the caller again.  Older kernels refuse the flag: then without it. */
#define SECCOMP_BPF_FLAGS (SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)

/* The tracer is on unless JOBSHIM_NOTRACE says otherwise (the supervisor
 * reads the same variable: supervisor/tracer_sup.c). */
static inline bool seccomp_bpf_trace_on(void)
{
	const char *e = getenv("JOBSHIM_NOTRACE");

	return e == NULL || *e == '\0' || strcmp(e, "0") == 0;
}

/* The calls a tracer rewrites (supervisor/tracer.c): the parent must see
 * its child's vpid, wait must take and give vpids, setpgid and setsid are
 * mirrored into real groups and sessions by the real call with rewritten
 * arguments (matched here before the notified list, which has them for a
 * run without the tracer).  fork, vfork and clone are not here: the
 * tracer takes them at their fork event (PTRACE_O_TRACEFORK ...), one
 * stop fewer per process (about 50 µs of a Go program's spawn), and
 * learns there whether the image's own code made them.  Only a clone with
 * CLONE_UNTRACED, which has no event (its flags are in a register), and
 * every clone3 (flags in memory, read by the tracer) stop here.  An image
 * that could not be traced gets the fork guard below as well. */
static const unsigned seccomp_bpf_traced[] = {
	SYS_clone3, SYS_wait4, SYS_waitid, SYS_setpgid, SYS_setsid,
	/* a pid argument the tracer translates in place */
	SYS_getpriority, SYS_setpriority, SYS_ioprio_get, SYS_ioprio_set, SYS_prlimit64,
	SYS_sched_setaffinity, SYS_sched_getaffinity, SYS_sched_setscheduler,
	SYS_sched_getscheduler, SYS_sched_setparam, SYS_sched_getparam, SYS_sched_setattr,
	SYS_sched_getattr, SYS_sched_rr_get_interval, SYS_process_vm_readv,
	SYS_process_vm_writev, SYS_get_robust_list, SYS_migrate_pages, SYS_move_pages,
	SYS_kcmp, SYS_perf_event_open, SYS_capget, SYS_capset,
	/* a siginfo the tracer shows as the kernel would (its si_code) */
	SYS_rt_sigtimedwait,
	/* a CPU clock's pid inside the clock id, SIGEV_THREAD_ID's thread */
	SYS_timer_create,
};
#define NTRACED (sizeof(seccomp_bpf_traced) / sizeof(seccomp_bpf_traced[0]))

/* fcntl's commands and ioctl's requests that carry a pid (an owner, a
 * lock's holder, a terminal's group or session): the tracer translates
 * them as the shim does (shim/fdowner.c, shim/tty.c).  Matched on the
 * second argument, so every other fcntl and ioctl costs no stop.
 * Numbers written out: <fcntl.h> and <sys/ioctl.h> do not mix with the
 * kernel headers above. */
static const unsigned seccomp_bpf_fcntl_cmds[] = {
	8 /* F_SETOWN */, 9 /* F_GETOWN */, 15 /* F_SETOWN_EX */, 16 /* F_GETOWN_EX */,
	5 /* F_GETLK */, 36 /* F_OFD_GETLK */,
};
static const unsigned seccomp_bpf_ioctl_reqs[] = {
	0x540F /* TIOCGPGRP */, 0x5410 /* TIOCSPGRP */, 0x5429 /* TIOCGSID */,
	0x8901 /* FIOSETOWN */, 0x8902 /* SIOCSPGRP */, 0x8903 /* FIOGETOWN */, 0x8904 /* SIOCGPGRP */,
};
#define NFCNTL (sizeof(seccomp_bpf_fcntl_cmds) / sizeof(seccomp_bpf_fcntl_cmds[0]))
#define NIOCTL (sizeof(seccomp_bpf_ioctl_reqs) / sizeof(seccomp_bpf_ioctl_reqs[0]))

/* The clock calls whose first argument, a clock id, holds a pid when it
 * is negative (MAKE_PROCESS_CPUCLOCK: ~pid << 3 | type): the tracer
 * translates it.  The clocks programs read all the time are >= 0: no stop. */
static const unsigned seccomp_bpf_clock_nrs[] = {
	SYS_clock_gettime, SYS_clock_settime, SYS_clock_getres, SYS_clock_nanosleep,
};
#define NCLOCK (sizeof(seccomp_bpf_clock_nrs) / sizeof(seccomp_bpf_clock_nrs[0]))

/* A block for call nr whose second argument is one of vals[0..nv): TRACE
 * for those, ALLOW for the rest of nr; another call falls through to the
 * block's end.  nv + 4 instructions; the accumulator holds nr on entry. */
static inline int seccomp_bpf_arg_block(struct sock_filter *f, unsigned nr, const unsigned *vals,
					 unsigned nv)
{
	int n = 0;

	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, (unsigned char)(nv + 3));
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[1]));
	for (unsigned i = 0; i < nv; i++) {
		f[n] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, vals[i], (unsigned char)(nv - i), 0);
		n++;
	}
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE);
	return n;
}
#define SECCOMP_CLONE_THREAD 0x00010000u
#define SECCOMP_CLONE_UNTRACED 0x00800000u

_Static_assert(3 + 3 + 1 + 2 + 5 + NTRACED + 2 + NNRS + 8 + (NFCNTL + 4) + (NIOCTL + 4) + (NCLOCK + 5) <= SECCOMP_BPF_MAX,
	       "the longest program fits");

/*
 * The fork guard: a second filter, without a listener, for an image the
 * tracer could not seize (the supervisor said so: a non-root supervisor
 * and a tracee it may not ptrace -- not dumpable, or another uid -- or no
 * tracer to start).  Its fork, vfork, clone3 and
 * clone without CLONE_THREAD from its own code return SECCOMP_RET_TRACE,
 * which with no tracer the kernel fails with ENOSYS: the child of a fork
 * nobody can number never comes back with its real pid as if it were a
 * virtual one.  (Traced later after all -- a descendant's exec wrapper
 * asks for a SEIZE -- those calls stop in the tracer, which numbers them
 * at the seccomp stop as it does clone3.)  14 instructions; jumps are
 * counted from the next one (1: arch to the ALLOW at 9; 5-7: to the TRACE
 * at 12).
 */
static inline int seccomp_bpf_build_guard(struct sock_filter *f)
{
	int n = 0;

	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 7);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					      offsetof(struct seccomp_data, instruction_pointer) + 4);
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, SHIM_SECCOMP_IP_LIMIT_HI, 5, 0);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_fork, 6, 0);
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_vfork, 5, 0);
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone3, 4, 0);
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone, 1, 0);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0]));
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, SECCOMP_CLONE_THREAD, 1, 0);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	return n;
}

/* Write the program into f (room for SECCOMP_BPF_MAX); its length.
 * trace: fork and wait go to the tracer (SECCOMP_RET_TRACE). */
static inline int seccomp_bpf_build(struct sock_filter *f, bool trace)
{
	int n = 0;

	/* Another ABI (i386 int 0x80): let it through (docs: still real). */
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	/* Calls from shared objects (the shim, libc of a dynamic image) pass. */
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					      offsetof(struct seccomp_data, instruction_pointer) + 4);
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, SHIM_SECCOMP_IP_LIMIT_HI, 0, 1);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
	/* x32 numbers: the same calls with pids the supervisor never sees:
	 * refused rather than passed with virtual pids. */
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, X32_BIT, 0, 1);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS);
	if (trace) {
		f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone, 0, 4);
		f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
						      offsetof(struct seccomp_data, args[0]));
		f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, SECCOMP_CLONE_UNTRACED, 1, 0);
		f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
		f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE);
		/* match: jump to the TRACE return after the chain */
		for (size_t i = 0; i < NTRACED; i++) {
			f[n] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, seccomp_bpf_traced[i],
							    (unsigned char)(NTRACED - i), 0);
			n++;
		}
		f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JA | BPF_K, 1, 0, 0);
		f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE);
	}
	/* The tail after the notified chain: without the tracer, ALLOW and
	 * NOTIF; with it, prctl's two pid-related options go to the tracer
	 * (PR_SET_CHILD_SUBREAPER: the engine must follow; PR_SET_PTRACER:
	 * a pid), every other prctl is allowed. */
	const unsigned tail = trace ? 8 + (NFCNTL + 4) + (NIOCTL + 4) + (NCLOCK + 5) : 2;
	for (size_t i = 0; i < NNRS; i++) {
		/* match: jump to the NOTIF return, the tail's last */
		f[n] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, seccomp_bpf_nrs[i],
						    (unsigned char)(NNRS - i + tail - 2), 0);
		n++;
	}
	if (trace) {
		n += seccomp_bpf_arg_block(f + n, SYS_fcntl, seccomp_bpf_fcntl_cmds, NFCNTL);
		n += seccomp_bpf_arg_block(f + n, SYS_ioctl, seccomp_bpf_ioctl_reqs, NIOCTL);
		/* the clock calls: TRACE for a negative clock id, else ALLOW */
		for (size_t i = 0; i < NCLOCK; i++) {
			f[n] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, seccomp_bpf_clock_nrs[i],
							    (unsigned char)(NCLOCK - i), 0);
			n++;
		}
		f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JA | BPF_K, 4, 0, 0);
		f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0]));
		f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x80000000u, 1, 0);
		f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
		f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE);
		f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_prctl, 0, 5);
		f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
						      offsetof(struct seccomp_data, args[0]));
		f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PR_SET_CHILD_SUBREAPER, 2, 0);
		f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PR_SET_PTRACER, 1, 0);
		f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
		f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE);
	}
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF);
	return n;
}

#endif
