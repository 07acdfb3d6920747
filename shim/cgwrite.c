/* cgwrite.c — pids written into kernel files: a cgroup's cgroup.procs, cgroup.threads or tasks (the real process it names), and /proc/sys/kernel/ns_last_pid (the supervisor's cursor). */
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
 * descriptor with their inode; a copy by dup, dup2, dup3 or F_DUPFD is
 * remembered too (a shell opens the file, then moves it onto descriptor
 * 1).  Descriptor 1 as an image starts with it (`/bin/echo $$ >
 * cgroup.procs`: the shell redirected it before the exec) is looked at
 * once, at the image's first write to it.  A write() or
 * dprintf()/vdprintf() (LTP's cgroup library writes with vdprintf) of one
 * decimal number to such a descriptor writes the real id instead:
 * shim_xlate_tid's rule (0 is the writer itself to the kernel too; another
 * thread of ours keeps its real id; a number that names nothing in the
 * tree becomes one no process has, so the kernel says ESRCH).  Anything
 * else written passes unchanged.  The descriptor's inode is checked at
 * each such write (fstat): a closed and reused number is forgotten.
 * Every other write() costs a load and a test.
 *
 * ns_last_pid (CRIU, LTP's pidfd_send_signal03: "the next child gets
 * this pid + 1") is recognised the same way, on procfs.  Its write goes to
 * the kernel first, unchanged: the permission check (CAP_SYS_ADMIN or
 * CAP_CHECKPOINT_RESTORE over the pid namespace) and the parsing stay
 * Linux's, and they set the real counter, as natively.  A write the
 * kernel took at offset 0 (one further on is ignored, as the default
 * sysctl_writes_strict has it) that holds one decimal number is then told
 * to the supervisor (LASTPID), which moves the vpid cursor: the next fork
 * in the tree gets the lowest free vpid above it.
 *
 * stdio streams on these files are cgstdio.c's (libc writes their
 * buffers internally, where no preload sees it).
 *
 * An image that imports no other interposed name than these writes
 * (elfscan.c's companion names) runs without the shim, unless its
 * descriptor 1 may be such a file as it starts (shim_cgwrite_stdout_maybe).
 *
 * Not covered: writev, an image's descriptors other than 1 that it did
 * not open itself (inherited across exec), a static image's writes, and
 * more than CGW_SLOTS such descriptors open at once.
 */

#define CGW_SLOTS 8
#define CGROUP_V1_MAGIC 0x27e0eb
#define CGROUP_V2_MAGIC 0x63677270

#define PROCFS_SUPER_MAGIC 0x9fa0

enum cgw_kind { CGW_PIDS, CGW_LASTPID };

/* Zero-initialised (.bss: hot.ld keeps .data's last page as it is). */
static struct {
	_Atomic int fd1; /* the descriptor + 1; 0: free; -1: being filled */
	enum cgw_kind kind;
	uint64_t dev, ino;
} cgw[CGW_SLOTS];
static _Atomic int cgw_used; /* slots taken: 0 for almost every process */

static const char *const cgw_names[] = { "cgroup.procs", "cgroup.threads", "tasks", "ns_last_pid", NULL };

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

/* Remember fd as a pid file of this kind and identity: its own slot
 * (refilled), a free one, or one whose descriptor is no longer that file. */
static void cgw_put(int fd, enum cgw_kind kind, uint64_t dev, uint64_t ino)
{
	struct stat st;

	for (int pass = 0; pass < 3; pass++) {
		for (int i = 0; i < CGW_SLOTS; i++) {
			int had = atomic_load(&cgw[i].fd1);

			if (pass == 0 ? had != fd + 1 : pass == 1 ? had != 0 : had <= 0)
				continue;
			if (pass == 2 && shim_raw_syscall(SYS_fstat, had - 1, (long)&st, 0, 0, 0, 0) == 0 &&
			    (uint64_t)st.st_dev == cgw[i].dev && (uint64_t)st.st_ino == cgw[i].ino)
				continue; /* still that file */
			if (!atomic_compare_exchange_strong(&cgw[i].fd1, &had, -1))
				continue;
			cgw[i].kind = kind;
			cgw[i].dev = dev;
			cgw[i].ino = ino;
			atomic_store(&cgw[i].fd1, fd + 1);
			if (pass == 1)
				atomic_fetch_add(&cgw_used, 1);
			return;
		}
	}
}

void shim_cgwrite_opened(int fd)
{
	struct statfs sf;
	struct stat st;

	/* procfs: ns_last_pid (no cgroup file of that name is on procfs) */
	if (fd < 0 || shim_raw_syscall(SYS_fstatfs, fd, (long)&sf, 0, 0, 0, 0) != 0 ||
	    (sf.f_type != CGROUP_V2_MAGIC && sf.f_type != CGROUP_V1_MAGIC &&
	     sf.f_type != PROCFS_SUPER_MAGIC) ||
	    shim_raw_syscall(SYS_fstat, fd, (long)&st, 0, 0, 0, 0) != 0)
		return;
	cgw_put(fd, sf.f_type == PROCFS_SUPER_MAGIC ? CGW_LASTPID : CGW_PIDS, (uint64_t)st.st_dev,
		(uint64_t)st.st_ino);
}

/* The slot of descriptor fd, or -1. */
static int cgw_slot(int fd)
{
	for (int i = 0; i < CGW_SLOTS; i++)
		if (atomic_load(&cgw[i].fd1) == fd + 1)
			return i;
	return -1;
}

/* dup, dup2, dup3, F_DUPFD (pidread.c, fdowner.c, syscall.c): `to` is now
 * what `from` is; a slot `to` had is stale, a pid file's is copied (its
 * shell redirection: open, then dup2 onto 1).  No system call. */
void shim_cgwrite_dup(int from, int to)
{
	int i;

	if (atomic_load_explicit(&cgw_used, memory_order_relaxed) == 0 || from == to || to < 0)
		return;
	if ((i = cgw_slot(to)) >= 0) {
		int expect = to + 1;
		if (atomic_compare_exchange_strong(&cgw[i].fd1, &expect, 0))
			atomic_fetch_sub(&cgw_used, 1);
	}
	if ((i = cgw_slot(from)) >= 0)
		cgw_put(to, cgw[i].kind, cgw[i].dev, cgw[i].ino);
}

/* The descriptor 1 an image starts with: a shell's `/bin/echo $$ >
 * cgroup.procs` redirected it before the exec, where this image's shim
 * saw no open.  Looked at once, at the first write to it (stdio's flushes
 * included, cgstdio.c); fork children share the answer. */
static _Atomic bool fd1_looked;

static void fd1_look(void)
{
	char link[256];
	struct statfs sf;
	long n, fl;

	atomic_store(&fd1_looked, true);
	if (shim_raw_syscall(SYS_fstatfs, 1, (long)&sf, 0, 0, 0, 0) != 0 ||
	    (sf.f_type != CGROUP_V2_MAGIC && sf.f_type != CGROUP_V1_MAGIC && sf.f_type != PROCFS_SUPER_MAGIC))
		return;
	/* The kernel's /proc/self: this real process's descriptor. */
	n = shim_raw_syscall(SYS_readlinkat, AT_FDCWD, (long)"/proc/self/fd/1", (long)link, sizeof(link) - 1, 0, 0);
	fl = shim_raw_syscall(SYS_fcntl, 1, F_GETFL, 0, 0, 0, 0);
	if (n <= 0 || fl < 0)
		return;
	link[n] = '\0';
	if (shim_cgwrite_candidate(link, (int)fl))
		shim_cgwrite_opened(1);
}

/*
 * May the descriptor 1 an exec'd image starts with be a pid file?  Asked
 * by the exec and spawn wrappers for an image that could run without the
 * shim (elfscan.c): such an image may still write a pid there (`/bin/echo
 * $pid > cgroup.procs`), and only the shim translates it.  One fstatfs:
 * a cgroup or proc file system says "maybe" (the image's own look,
 * fd1_look, decides later); a pipe, a terminal or a regular file, "no".
 */
bool shim_cgwrite_stdout_maybe(void)
{
	struct statfs sf;

	return shim_raw_syscall(SYS_fstatfs, 1, (long)&sf, 0, 0, 0, 0) == 0 &&
	       (sf.f_type == CGROUP_V2_MAGIC || sf.f_type == CGROUP_V1_MAGIC || sf.f_type == PROCFS_SUPER_MAGIC);
}

/* Might fd be a remembered pid file?  One or two loads. */
static inline bool cgw_armed(int fd)
{
	return __builtin_expect(atomic_load_explicit(&cgw_used, memory_order_relaxed) != 0, 0) ||
	       __builtin_expect(fd == 1 && !atomic_load_explicit(&fd1_looked, memory_order_relaxed), 0);
}

/* Is fd a remembered pid file still (its kind in *kind)?  A stale slot is
 * freed. */
static bool cgw_find(int fd, enum cgw_kind *kind)
{
	struct stat st;
	int i;

	if (fd == 1 && !atomic_load_explicit(&fd1_looked, memory_order_relaxed))
		fd1_look();
	if (atomic_load_explicit(&cgw_used, memory_order_relaxed) == 0 || fd < 0 || (i = cgw_slot(fd)) < 0)
		return false;
	if (shim_raw_syscall(SYS_fstat, fd, (long)&st, 0, 0, 0, 0) == 0 &&
	    (uint64_t)st.st_dev == cgw[i].dev && (uint64_t)st.st_ino == cgw[i].ino) {
		*kind = cgw[i].kind;
		return true;
	}
	int expect = fd + 1;
	if (atomic_compare_exchange_strong(&cgw[i].fd1, &expect, 0))
		atomic_fetch_sub(&cgw_used, 1);
	return false;
}

bool shim_cgwrite_armed(int fd)
{
	return cgw_armed(fd);
}

bool shim_cgwrite_is(int fd)
{
	enum cgw_kind kind;

	return cgw_armed(fd) && cgw_find(fd, &kind);
}

/* buf (n bytes) is one decimal number with blanks around it: true with
 * the number in *v, where its digits start in *a and end before *b. */
static bool cgw_number(const char *buf, size_t n, long *v, size_t *a, size_t *b)
{
	size_t e;

	*v = 0;
	for (*a = 0; *a < n && (buf[*a] == ' ' || buf[*a] == '\t' || buf[*a] == '\n'); (*a)++)
		;
	for (*b = *a; *b < n && buf[*b] >= '0' && buf[*b] <= '9' && *b - *a < 10; (*b)++)
		*v = *v * 10 + (buf[*b] - '0');
	for (e = *b; e < n && (buf[e] == ' ' || buf[e] == '\t' || buf[e] == '\n'); e++)
		;
	return *b > *a && e == n && *v <= INT32_MAX;
}

/* buf holds one decimal number (blanks around it allowed): the real id it
 * means written into `out` with the same blanks; its length, 0 when buf
 * is anything else. */
static size_t cgw_translate(const char *buf, size_t n, char *out, size_t cap)
{
	size_t a, b;
	long v;

	if (!cgw_number(buf, n, &v, &a, &b) || a + 12 + (n - b) > cap)
		return 0;
	if (v > 0)
		v = shim_xlate_tid((pid_t)v);
	memcpy(out, buf, a);
	size_t len = a + shim_fmt_int(out + a, v);
	memcpy(out + len, buf + b, n - b);
	return len + (n - b);
}

/* A write to ns_last_pid: the kernel's, then the number it took told to
 * the supervisor.  The kernel's result, or -errno. */
static long lastpid_write(int fd, const void *buf, size_t n)
{
	/* A sysctl takes a write at offset 0 only; one further on is
	 * accepted and ignored (sysctl_writes_strict's default, 1). */
	long at = shim_raw_syscall(SYS_lseek, fd, 0, SEEK_CUR, 0, 0, 0);
	long r = shim_raw_syscall(SYS_write, fd, (long)buf, (long)n, 0, 0, 0);
	struct proto_req req = { .op = PROTO_OP_LASTPID };
	struct proto_rep rep;
	char in[64];
	size_t a, b;
	long v;
	int saved = errno;

	if (at != 0 || r != (long)n || n > sizeof(in) || !shim_peek(in, buf, n) || !cgw_number(in, n, &v, &a, &b) ||
	    shim_offline())
		return r;
	req.a = (int32_t)v;
	(void)shim_call(&req, &rep);
	shim_errno_keep(saved);
	return r;
}

/* A write of n bytes to a remembered file: for a cgroup pid file the real
 * id written; n, or -errno. */
static long cgw_write(int fd, enum cgw_kind kind, const void *buf, size_t n)
{
	char in[64], out[80];
	size_t len;
	long r;

	if (kind == CGW_LASTPID)
		return lastpid_write(fd, buf, n);
	if (n == 0 || n > sizeof(in) || !shim_peek(in, buf, n) || shim_offline() ||
	    (len = cgw_translate(in, n, out, sizeof(out))) == 0)
		return shim_raw_syscall(SYS_write, fd, (long)buf, (long)n, 0, 0, 0);
	r = shim_raw_syscall(SYS_write, fd, (long)out, (long)len, 0, 0, 0);
	return r == (long)len ? (long)n : r;
}

long shim_cgwrite_sys(int fd, const void *buf, size_t n)
{
	enum cgw_kind kind;

	if (cgw_armed(fd) && cgw_find(fd, &kind))
		return cgw_write(fd, kind, buf, n);
	return shim_raw_syscall(SYS_write, fd, (long)buf, (long)n, 0, 0, 0);
}

SHIM_EXPORT ssize_t write(int fd, const void *buf, size_t n)
{
	enum cgw_kind kind;

	if (cgw_armed(fd) && cgw_find(fd, &kind)) {
		long r = cgw_write(fd, kind, buf, n);
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
static int cgw_vdprintf(int fd, enum cgw_kind kind, const char *fmt, va_list ap)
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
	r = cgw_write(fd, kind, text, (size_t)len);
	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	return len;
}

static int vdprintf_any(int fd, const char *fmt, va_list ap)
{
	enum cgw_kind kind;

	if (cgw_armed(fd) && cgw_find(fd, &kind))
		return cgw_vdprintf(fd, kind, fmt, ap);
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

