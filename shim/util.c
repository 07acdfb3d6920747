/* util.c — small async-signal-safe helpers: warnings, integers, environ lookup, the supervisor's files. */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

void shim_warn(const char *msg)
{
	char buf[256];
	size_t n = 0;
	int saved = errno;

	static const char head[] = "jobshim: ";
	memcpy(buf, head, sizeof(head) - 1);
	n = sizeof(head) - 1;
	for (; *msg != '\0' && n < sizeof(buf) - 1; msg++)
		buf[n++] = *msg;
	buf[n++] = '\n';
	while (write(STDERR_FILENO, buf, n) < 0 && errno == EINTR)
		;
	shim_errno_keep(saved);
}

size_t shim_fmt_int(char *buf, long v)
{
	char tmp[24];
	size_t n = 0, len = 0;
	unsigned long u = v < 0 ? -(unsigned long)v : (unsigned long)v;

	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		buf[len++] = '-';
	while (n > 0)
		buf[len++] = tmp[--n];
	buf[len] = '\0';
	return len;
}

long shim_read_close(int fd, char *buf, size_t cap)
{
	long n = shim_raw_syscall(SYS_read, fd, (long)buf, (long)cap - 1, 0, 0, 0);

	shim_raw_syscall(SYS_close, fd, 0, 0, 0, 0, 0);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return n;
}

int shim_fdinfo_open(int fd)
{
	char path[48] = "/proc/self/fdinfo/";

	shim_fmt_int(path + strlen(path), fd);
	return (int)shim_raw_syscall(SYS_openat, AT_FDCWD, (long)path, O_RDONLY | O_CLOEXEC, 0, 0,
				     0);
}

bool shim_parse_int(const char **s, long *out)
{
	const char *p = *s;
	long v = 0;
	bool neg = false;

	if (*p == '-') {
		neg = true;
		p++;
	}
	if (*p < '0' || *p > '9')
		return false;
	while (*p >= '0' && *p <= '9') {
		if (v > (0x7fffffffL - 9) / 10)
			return false;
		v = v * 10 + (*p++ - '0');
	}
	*out = neg ? -v : v;
	*s = p;
	return true;
}

const char *shim_env_find(char *const envp[], const char *name)
{
	size_t len = strlen(name);

	if (envp == NULL)
		return NULL;
	for (; *envp != NULL; envp++)
		if (strncmp(*envp, name, len) == 0 && (*envp)[len] == '=')
			return *envp + len + 1;
	return NULL;
}

void shim_env_drop(char **envp, const char *name)
{
	size_t len = strlen(name);
	char **to = envp;

	if (envp == NULL)
		return;
	for (char **e = envp; *e != NULL; e++)
		if (strncmp(*e, name, len) != 0 || (*e)[len] != '=')
			*to++ = *e;
	*to = NULL;
}

bool shim_strlcpy(char *dst, const char *src, size_t cap)
{
	size_t len = strlen(src);

	if (len >= cap) {
		dst[0] = '\0';
		return false;
	}
	memcpy(dst, src, len + 1);
	return true;
}

/* The same clock through the system call: no vDSO page, no libc text. */
uint64_t shim_now_raw_ns(void)
{
	struct timespec ts;

	if (shim_raw_syscall(SYS_clock_gettime, CLOCK_MONOTONIC, (long)&ts, 0, 0, 0, 0) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t shim_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void shim_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	int saved = errno;

	nanosleep(&ts, NULL);
	shim_errno_keep(saved);
}

/*
 * Open the file `name` in the supervisor's directory (the socket's
 * directory): the shared vpid counter, the event FIFO, the image cache.
 * Only the supervisor's own: of type `type` (S_IFREG, S_IFIFO), owned by
 * the directory's owner (the supervisor: no one else may create files
 * there, it is writable by its owner only), at least `min_size` bytes (a
 * short file would fault when mapped), never through a symlink.  Not
 * "owned by our euid": a tree process keeps using them after a uid change
 * (supervisor/rundir.c).  The fd (close-on-exec) or -1.
 * Async-signal-safe; raw system calls because open() and stat() are
 * interposed (paths.c).
 */
int shim_sup_file_open(const char *name, int flags, mode_t type, off_t min_size)
{
	char path[108 + 32];
	const char *sock = shim_env_socket();
	const char *slash = strrchr(sock, '/');
	size_t dirlen = slash != NULL ? (size_t)(slash - sock) + 1 : 0;
	size_t len = strlen(name);
	struct stat st, dst;
	int fd;

	/* After a chroot the directory is the one kept open, never what its
	 * path names in the new root (chroot.c). */
	int dirfd = shim_root_fd1 != 0 ? shim_root_dirfd() : AT_FDCWD;

	if (dirfd == -1 || dirlen == 0 || dirlen + len + 1 > sizeof(path))
		return -1;
	if (dirfd == AT_FDCWD) {
		memcpy(path, sock, dirlen);
		memcpy(path + dirlen, ".", 2);
	} else {
		dirlen = 0;
		memcpy(path, ".", 2);
	}
	if (shim_raw_syscall(SYS_newfstatat, dirfd, (long)path, (long)&dst, 0, 0, 0) != 0 ||
	    !S_ISDIR(dst.st_mode) || (dst.st_mode & (S_IWGRP | S_IWOTH)) != 0)
		return -1;
	memcpy(path + dirlen, name, len + 1);
	fd = (int)shim_raw_syscall(SYS_openat, dirfd, (long)path, flags | O_CLOEXEC | O_NOFOLLOW,
				   0, 0, 0);
	/* Every descriptor below a low limit in use: ours goes above it
	 * (fdroom.c). */
	struct shim_fdroom room;
	if (fd == -EMFILE && shim_fdroom_raise(&room)) {
		fd = (int)shim_raw_syscall(SYS_openat, dirfd, (long)path,
					   flags | O_CLOEXEC | O_NOFOLLOW, 0, 0, 0);
		shim_fdroom_restore(&room);
	}
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || (st.st_mode & S_IFMT) != type || st.st_uid != dst.st_uid ||
	    st.st_size < min_size) {
		shim_close(fd);
		return -1;
	}
	return fd;
}

void *shim_sup_file_map(const char *name, size_t size)
{
	int fd = shim_sup_file_open(name, O_RDWR, S_IFREG, (off_t)size);
	void *m;

	if (fd < 0)
		return NULL;
	m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	shim_close(fd);
	return m != MAP_FAILED ? m : NULL;
}

void *shim_sup_file_map_once(_Atomic(void *) *slot, atomic_bool *unusable, const char *name,
			     size_t size)
{
	void *m = atomic_load_explicit(slot, memory_order_acquire), *expect = NULL;

	if (m != NULL || atomic_load_explicit(unusable, memory_order_relaxed))
		return m;
	m = shim_sup_file_map(name, size);
	if (m == NULL) {
		atomic_store_explicit(unusable, true, memory_order_relaxed);
		return NULL;
	}
	if (!atomic_compare_exchange_strong(slot, &expect, m)) {
		munmap(m, size);
		m = expect;
	}
	return m;
}

void shim_close(int fd)
{
	shim_raw_syscall(SYS_close, fd, 0, 0, 0, 0, 0);
}

/*
 * A memfd is read-write; a reader may check (Chromium's base::File CHECKs
 * that a file it opened for reading has O_RDONLY in F_GETFL, and the
 * browser died of it on its first /proc/<pid>/stat).  Reopening it through
 * /proc/self/fd makes a new open file description with the caller's flags
 * (the file's contents are the memfd's, its offset 0).
 */
int shim_memfd_readonly(int mfd, int flags)
{
	char path[32] = "/proc/self/fd/";
	size_t n = strlen(path);
	int keep = O_CLOEXEC | O_NONBLOCK | O_NOATIME | O_DIRECT | O_SYNC | O_DSYNC | O_NOCTTY | O_LARGEFILE;
	long fd;

	n += shim_fmt_int(path + n, mfd);
	path[n] = '\0';
	fd = shim_raw_syscall(SYS_openat, AT_FDCWD, (long)path, O_RDONLY | (flags & keep), 0, 0, 0);
	if (fd < 0)
		return mfd;
	shim_raw_syscall(SYS_close, mfd, 0, 0, 0, 0, 0);
	return (int)fd;
}
