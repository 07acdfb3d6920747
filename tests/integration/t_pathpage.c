/* t_pathpage.c — paths at page edges: the kernel's EFAULT for the byte it cannot read, wherever the path starts and ends, never a fault in the shim. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * Every path-taking wrapper (shim/paths.c) reads the path before the
 * kernel does, to see whether it names /proc; shim/uaccess.c proves each
 * page of it readable first (one futex read per page, no set: the pages
 * of one string follow one another).  The layout: a readable page, then
 * an unmapped one, then a read-only one.  Paths that end on the first
 * page, that cross into the hole, that start in it, that start at the
 * read-only page's first byte, from the read-only page into the next,
 * and /proc/self paths (translated: their bytes read whole).  stat, open and access each: the
 * same answers natively and under jobshim.
 */

static char *area; /* 4 pages: rw, hole, ro, rw */

static void try(const char *what, const char *path)
{
	struct stat st;
	int fd, r;

	errno = 0;
	r = stat(path, &st);
	printf("%s: stat %s", what, r == 0 ? "0" : strerror(errno));
	errno = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	printf(", open %s", fd >= 0 ? "fd" : strerror(errno));
	if (fd >= 0)
		close(fd);
	errno = 0;
	r = access(path, R_OK);
	printf(", access %s\n", r == 0 ? "0" : strerror(errno));
}

/* s placed so that it ends right at the end of page 0 (its NUL the last
 * byte), or runs past it by `over` bytes into the hole. */
static char *at_end_of_first(const char *s, size_t over)
{
	size_t n = strlen(s) + 1 - over;
	char *p = area + 4096 - n;

	memcpy(p, s, n);
	return p;
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	area = mmap(NULL, 4 * 4096L, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED || munmap(area + 4096, 4096) < 0)
		return 2;
	/* page 2: a path at its first byte, and one crossing into page 3,
	 * written before the page goes read-only */
	memcpy(area + 2 * 4096, "/etc/passwd", 12);
	char *across_ro = area + 3 * 4096 - 3;
	memcpy(across_ro, "/etc/passwd", 12);
	if (mprotect(area + 2 * 4096, 4096, PROT_READ) < 0)
		return 2;
	char *across_proc = area + 4 * 4096 - 4096 + 4000;
	memcpy(across_proc, "/proc/self/stat", 16);

	try("ends on its page's last byte", at_end_of_first("/etc/passwd", 0));
	try("NUL in the hole", at_end_of_first("/etc/passwd", 1));
	try("half in the hole", at_end_of_first("/etc/passwd", 6));
	try("/proc/self, NUL in the hole", at_end_of_first("/proc/self/stat", 1));
	try("starts in the hole", area + 4096 + 100);
	try("starts on a read-only page", area + 2 * 4096);
	try("from a read-only page into the next", across_ro);
	try("/proc/self/stat, on its own page", across_proc);
	return 0;
}
