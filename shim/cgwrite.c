/* cgwrite.c — a pid written into a cgroup's cgroup.procs, cgroup.threads or tasks: the real process it names. */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>

/*
 * Writing a pid into one of these files moves that process (or thread)
 * into the cgroup; the kernel reads the number as a real pid.  A vpid
 * written there named whatever real process has that number: ESRCH (LTP's
 * mmap22 and swapon01 put themselves into a memory cgroup with
 * getpid()), or, for root, a stranger moved into the program's cgroup.
 *
 * The files are recognised at open for writing (paths.c: open, openat and
 * their 64 and fortified forms, by a last component cgroup.procs,
 * cgroup.threads or tasks on a cgroup file system) and remembered by
 * descriptor with their inode.  A write() or dprintf()/vdprintf() (LTP's
 * cgroup library writes with vdprintf) of one decimal number to such a
 * descriptor writes the real id instead: shim_xlate_tid's rule (0 is the
 * writer itself to the kernel too; another thread of ours keeps its real
 * id; a number that names nothing in the tree becomes one no process has,
 * so the kernel says ESRCH).  Anything else written passes unchanged.  The
 * descriptor's inode is checked at each such write (fstat): a closed and
 * reused number is forgotten.  Every other write() costs one load.
 *
 * Not covered: stdio (fprintf to a FILE of fopen: libc writes
 * internally), a shell's `echo $$ > cgroup.procs` (the same), writev, and
 * more than CGW_SLOTS such descriptors open at once.
 */

#define CGW_SLOTS 8
#define CGROUP_V1_MAGIC 0x27e0eb
#define CGROUP_V2_MAGIC 0x63677270

/* Zero-initialised (.bss: hot.ld keeps .data's last page as it is). */
static struct {
	_Atomic int fd1; /* the descriptor + 1; 0: free; -1: being filled */
	uint64_t dev, ino;
} cgw[CGW_SLOTS];
static _Atomic int cgw_used; /* slots taken: 0 for almost every process */

static const char *const cgw_names[] = { "cgroup.procs", "cgroup.threads", "tasks", NULL };

bool shim_cgwrite_candidate(const char *path, int flags)
{
	size_t n = strlen(path);

	if ((flags & O_ACCMODE) == O_RDONLY || (flags & O_PATH))
		return false;
	for (int i = 0; cgw_names[i] != NULL; i++) {
		size_t k = strlen(cgw_names[i]);
		if (n >= k && memcmp(path + n - k, cgw_names[i], k) == 0 &&
		    (n == k || path[n - k - 1] == '/'))
			return true;
	}
	return false;
}

void shim_cgwrite_opened(int fd)
{
	struct statfs sf;
	struct stat st;

	if (fd < 0 || shim_raw_syscall(SYS_fstatfs, fd, (long)&sf, 0, 0, 0, 0) != 0 ||
	    (sf.f_type != CGROUP_V2_MAGIC && sf.f_type != CGROUP_V1_MAGIC) ||
	    shim_raw_syscall(SYS_fstat, fd, (long)&st, 0, 0, 0, 0) != 0)
		return;
	for (int i = 0; i < CGW_SLOTS; i++) {
		int expect = fd + 1;
		bool same = atomic_compare_exchange_strong(&cgw[i].fd1, &expect, -1);
		expect = 0;
		if (same || atomic_compare_exchange_strong(&cgw[i].fd1, &expect, -1)) {
			cgw[i].dev = (uint64_t)st.st_dev;
			cgw[i].ino = (uint64_t)st.st_ino;
			atomic_store(&cgw[i].fd1, fd + 1);
			if (!same)
				atomic_fetch_add(&cgw_used, 1);
			return;
		}
	}
}

/* Is fd a remembered cgroup pid file still?  A stale slot is freed. */
static bool cgw_is(int fd)
{
	struct stat st;

	if (atomic_load_explicit(&cgw_used, memory_order_relaxed) == 0 || fd < 0)
		return false;
	for (int i = 0; i < CGW_SLOTS; i++) {
		if (atomic_load(&cgw[i].fd1) != fd + 1)
			continue;
		if (shim_raw_syscall(SYS_fstat, fd, (long)&st, 0, 0, 0, 0) == 0 &&
		    (uint64_t)st.st_dev == cgw[i].dev && (uint64_t)st.st_ino == cgw[i].ino)
			return true;
		int expect = fd + 1;
		if (atomic_compare_exchange_strong(&cgw[i].fd1, &expect, 0))
			atomic_fetch_sub(&cgw_used, 1);
		return false;
	}
	return false;
}

/* buf holds one decimal number (blanks around it allowed): the real id it
 * means written into `out` with the same blanks; its length, 0 when buf
 * is anything else. */
static size_t cgw_translate(const char *buf, size_t n, char *out, size_t cap)
{
	size_t a = 0, b, e;
	long v = 0;

	while (a < n && (buf[a] == ' ' || buf[a] == '\t' || buf[a] == '\n'))
		a++;
	for (b = a; b < n && buf[b] >= '0' && buf[b] <= '9' && b - a < 10; b++)
		v = v * 10 + (buf[b] - '0');
	for (e = b; e < n && (buf[e] == ' ' || buf[e] == '\t' || buf[e] == '\n'); e++)
		;
	if (b == a || e != n || v > INT32_MAX || a + 12 + (n - b) > cap)
		return 0;
	if (v > 0)
		v = shim_xlate_tid((pid_t)v);
	memcpy(out, buf, a);
	size_t len = a + shim_fmt_int(out + a, v);
	memcpy(out + len, buf + b, n - b);
	return len + (n - b);
}

/* A write of n bytes to a cgroup pid file: the real id written; n, or
 * -errno. */
static long cgw_write(int fd, const void *buf, size_t n)
{
	char in[64], out[80];
	size_t len;
	long r;

	if (n == 0 || n > sizeof(in) || !shim_peek(in, buf, n) || shim_offline() ||
	    (len = cgw_translate(in, n, out, sizeof(out))) == 0)
		return shim_raw_syscall(SYS_write, fd, (long)buf, (long)n, 0, 0, 0);
	r = shim_raw_syscall(SYS_write, fd, (long)out, (long)len, 0, 0, 0);
	return r == (long)len ? (long)n : r;
}

long shim_cgwrite_sys(int fd, const void *buf, size_t n)
{
	if (cgw_is(fd))
		return cgw_write(fd, buf, n);
	return shim_raw_syscall(SYS_write, fd, (long)buf, (long)n, 0, 0, 0);
}

SHIM_EXPORT ssize_t write(int fd, const void *buf, size_t n)
{
	if (__builtin_expect(atomic_load_explicit(&cgw_used, memory_order_relaxed) != 0, 0) &&
	    cgw_is(fd)) {
		long r = cgw_write(fd, buf, n);
		if (r < 0) {
			errno = (int)-r;
			return -1;
		}
		return r;
	}
	return REAL(write)(fd, buf, n);
}

/* dprintf and vdprintf format into a buffer and write it: one write here,
 * when the text fits. */
static int cgw_vdprintf(int fd, const char *fmt, va_list ap)
{
	char text[64];
	va_list copy;
	int len;
	long r;

	va_copy(copy, ap);
	len = vsnprintf(text, sizeof(text), fmt, copy);
	va_end(copy);
	if (len < 0 || (size_t)len >= sizeof(text))
		return REAL(vdprintf)(fd, fmt, ap);
	r = cgw_write(fd, text, (size_t)len);
	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	return len;
}

static int vdprintf_any(int fd, const char *fmt, va_list ap)
{
	if (__builtin_expect(atomic_load_explicit(&cgw_used, memory_order_relaxed) != 0, 0) &&
	    cgw_is(fd))
		return cgw_vdprintf(fd, fmt, ap);
	return REAL(vdprintf)(fd, fmt, ap);
}

SHIM_EXPORT int vdprintf(int fd, const char *fmt, va_list ap)
{
	return vdprintf_any(fd, fmt, ap);
}

SHIM_EXPORT int dprintf(int fd, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vdprintf_any(fd, fmt, ap);
	va_end(ap);
	return r;
}

/* The fortified forms (_FORTIFY_SOURCE): the flag only makes libc check
 * %n, which is never written to a cgroup file. */
SHIM_EXPORT int __vdprintf_chk(int fd, int flag, const char *fmt, va_list ap)
{
	(void)flag;
	return vdprintf_any(fd, fmt, ap);
}

SHIM_EXPORT int __dprintf_chk(int fd, int flag, const char *fmt, ...)
{
	va_list ap;
	int r;

	(void)flag;
	va_start(ap, fmt);
	r = vdprintf_any(fd, fmt, ap);
	va_end(ap);
	return r;
}
