/* seccomp.c — before exec'ing an image the shim cannot be in: a seccomp filter whose pid calls the supervisor answers. */
#include "shim.h"
#include "seccomp_bpf.h"

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

/* The file an exec will run: execveat's (dirfd, path, flags); path NULL
 * when not known. */
struct image_at {
	int dirfd;
	const char *path;
	int flags;
};

/* set-user/group-id file?  no_new_privs would make the kernel ignore its
 * bits, so without CAP_SYS_ADMIN it runs unfiltered, as before. */
static bool setid_image(struct image_at im)
{
	struct stat st;

	if (im.path == NULL ||
	    shim_raw_syscall(SYS_newfstatat, im.dirfd, (long)im.path, (long)&st,
			     im.flags & (AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW), 0, 0) != 0)
		return true; /* cannot tell: leave it alone */
	return (st.st_mode & (S_ISUID | S_ISGID)) != 0;
}

static long install_once(struct sock_fprog *prog)
{
	long fd = shim_raw_syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_BPF_FLAGS,
				   (long)prog, 0, 0, 0);

	if (fd == -EINVAL) /* a kernel before 5.19 */
		fd = shim_raw_syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
				      SECCOMP_FILTER_FLAG_NEW_LISTENER, (long)prog, 0, 0, 0);
	return fd;
}

/* The filter with its listener: the fd, or -errno.  EMFILE (every
 * descriptor of the image's table in use, which its exec does not mind:
 * the kernel takes the listener's number before it attaches anything)
 * is retried with room above the limit for a moment (fdroom.c). */
static long install(struct sock_fprog *prog)
{
	struct shim_fdroom room;
	long fd = install_once(prog);

	if (fd == -EMFILE && shim_fdroom_raise(&room)) {
		fd = install_once(prog);
		shim_fdroom_restore(&room);
	}
	return fd;
}

/* The supervisor could not have us traced: the fork guard, so that our
 * image's forks fail (ENOSYS) rather than return real pids
 * (seccomp_bpf.h).  No listener; no_new_privs is set already when the
 * kernel wants it, unless the filter was an ancestor's (EBUSY). */
static void guard(struct image_at im)
{
	struct sock_filter f[SECCOMP_BPF_MAX];
	struct sock_fprog prog;
	long rc;

	if (!seccomp_bpf_trace_on())
		return; /* JOBSHIM_NOTRACE: forks are not traced at all */
	prog.len = (unsigned short)seccomp_bpf_build_guard(f);
	prog.filter = f;
	rc = shim_raw_syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, (long)&prog, 0, 0, 0);
	if (rc == -EACCES && !setid_image(im) &&
	    shim_raw_syscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0, 0) == 0)
		shim_raw_syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, (long)&prog, 0, 0, 0);
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
int shim_seccomp_before_exec(int dirfd, const char *path, int at_flags)
{
	struct image_at im = { dirfd, path, at_flags };
	struct sock_filter f[SECCOMP_BPF_MAX];
	struct sock_fprog prog;
	struct proto_req req = {.op = PROTO_OP_NOTIF};
	struct proto_rep rep;
	long fd;
	int saved = errno, rc = 0;

	/* A vfork child has a connection of its own (shim_vf.conn). */
	if (shim_offline())
		return -EAGAIN;
	prog.len = (unsigned short)seccomp_bpf_build(f, seccomp_bpf_trace_on());
	prog.filter = f;
	/* Connect first: the round trip after installing must not fail for
	 * want of a connection. */
	if (shim_connect() < 0) {
		shim_errno_keep(saved);
		return -ENOTCONN;
	}
	fd = install(&prog);
	if (fd == -EACCES) {
		if (setid_image(im)) {
			shim_errno_keep(saved);
			return -EPERM;
		}
		if (shim_raw_syscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0, 0) == 0)
			fd = install(&prog);
	}
	if (fd == -EBUSY) {
		/* A filter with a listener is in our chain already (the
		 * kernel allows one): an ancestor's, whose calls the supervisor
		 * answers.  What may be missing is the tracer, which lets a
		 * preloaded process's children go (supervisor/tracer.c): ask
		 * it to seize us, without a listener to hand over. */
		req.a = -1;
		rc = shim_call(&req, &rep) < 0 ? -ENOTCONN : rep.err;
		if (rc < 0)
			guard(im);
		shim_errno_keep(saved);
		return rc;
	}
	if (fd < 0) {
		shim_errno_keep(saved);
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
	if (rc < 0)
		guard(im);
	shim_errno_keep(saved);
	return rc;
}
