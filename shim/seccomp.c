/* seccomp.c — before exec'ing an image the shim cannot be in: a seccomp filter whose pid calls the supervisor answers. */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

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
static const unsigned notif_nrs[] = {
	SYS_getpid,  SYS_getppid, SYS_gettid,	       SYS_getpgid,	     SYS_getpgrp,
	SYS_getsid,  SYS_setpgid, SYS_setsid,	       SYS_kill,	     SYS_tkill,
	SYS_tgkill,  SYS_rt_sigqueueinfo, SYS_rt_tgsigqueueinfo, SYS_pidfd_open,
};
#define NNRS (sizeof(notif_nrs) / sizeof(notif_nrs[0]))

#define X32_BIT 0x40000000u

static int build(struct sock_filter *f)
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
	for (size_t i = 0; i < NNRS; i++) {
		/* match: skip to the NOTIF return at the end */
		f[n] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, notif_nrs[i],
						    (unsigned char)(NNRS - i), 0);
		n++;
	}
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF);
	return n;
}

/* set-user/group-id file?  no_new_privs would make the kernel ignore its
 * bits, so without CAP_SYS_ADMIN it runs unfiltered, as before. */
static bool setid_image(const char *path)
{
	struct stat st;

	if (path == NULL ||
	    shim_raw_syscall(SYS_newfstatat, AT_FDCWD, (long)path, (long)&st, 0, 0, 0) != 0)
		return true; /* cannot tell: leave it alone */
	return (st.st_mode & (S_ISUID | S_ISGID)) != 0;
}

/*
 * Install the filter on the calling thread and hand its listener to the
 * supervisor (NOTIF round trip).  Without CAP_SYS_ADMIN the kernel
 * requires no_new_privs first, which also disables set-id below: then a
 * set-id image is not filtered at all.  Root (CAP_SYS_ADMIN) needs no
 * no_new_privs.  0, or -errno (nothing installed, or installed and the
 * supervisor has the listener: never a filter without a listener, whose
 * calls the kernel would fail with ENOSYS... except when the round trip
 * itself fails after installing, see below).
 */
int shim_seccomp_before_exec(const char *path)
{
	struct sock_filter f[64];
	struct sock_fprog prog;
	struct proto_req req = {.op = PROTO_OP_NOTIF};
	struct proto_rep rep;
	long fd;
	int saved = errno, rc = 0;

	/* A vfork child has a connection of its own (shim_vf.conn). */
	if (shim_offline())
		return -EAGAIN;
	prog.len = (unsigned short)build(f);
	prog.filter = f;
	/* Connect first: the round trip after installing must not fail for
	 * want of a connection. */
	if (shim_connect() < 0) {
		errno = saved;
		return -ENOTCONN;
	}
	fd = shim_raw_syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER,
			      (long)&prog, 0, 0, 0);
	if (fd == -EACCES) {
		if (setid_image(path)) {
			errno = saved;
			return -EPERM;
		}
		if (shim_raw_syscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0, 0) == 0)
			fd = shim_raw_syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
					      SECCOMP_FILTER_FLAG_NEW_LISTENER, (long)&prog, 0, 0, 0);
	}
	if (fd < 0) {
		errno = saved;
		return (int)fd;
	}
	req.a = (int32_t)fd;
	if (shim_call(&req, &rep) < 0)
		rc = -ENOTCONN;
	else if (rep.err < 0)
		rc = rep.err;
	/* Whatever the answer, our copy goes: the image must not inherit it.
	 * If the supervisor could not take it, the filtered calls fail with
	 * ENOSYS from now on (the kernel's answer without a listener): never
	 * a virtual pid reaching the kernel as a real one. */
	shim_raw_syscall(SYS_close, fd, 0, 0, 0, 0, 0);
	errno = saved;
	return rc;
}
