/* t_heappath.c — paths in the brk heap: readable while the break is above them, EFAULT once libc's sbrk or the raw brk system call has released them. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/*
 * The shim proves a path readable before it reads it (shim/uaccess.c);
 * a process that has asked about many pages learns where its brk heap
 * starts and trusts pages below libc's break (__curbrk) without asking.
 * Released heap pages must still give the kernel's EFAULT, never SIGSEGV:
 * after sbrk(-n) (libc's break follows) and after syscall(SYS_brk) behind
 * libc's back (the shim then asks the kernel again, for good).
 *
 * No malloc anywhere (no stdio, no itest library): the heap below is
 * ours, and shrinking it under malloc's arena would corrupt it.
 */
static void say(const char *what, int rc, int err)
{
	char buf[160];
	int n = snprintf(buf, sizeof(buf), "%s: %s\n", what, rc == 0 ? "0" : strerror(err));

	if (write(1, buf, (size_t)n) != n)
		_exit(3);
}

int main(void)
{
	enum { PAGES = 256 };
	struct stat st;
	char *heap = sbrk(PAGES * 4096);
	int rc;

	if (heap == (void *)-1)
		return 2;
	/* 200 stat calls on paths spread over the heap's pages: enough
	 * pages asked about for the shim to learn the heap's start. */
	for (int i = 0; i < 200; i++) {
		char *p = heap + (i % PAGES) * 4096;
		strcpy(p, "/nonexistent/heap path");
		errno = 0;
		rc = stat(p, &st);
		if (i == 199)
			say("a missing path in the heap", rc, errno);
	}
	char *last = heap + (PAGES - 1) * 4096, *mid = heap + 100 * 4096;
	strcpy(last, "/");
	strcpy(mid, "/");
	rc = stat(last, &st);
	say("\"/\" on the heap's last page", rc, errno);
	/* libc's sbrk releases the upper half: its __curbrk follows. */
	if (sbrk(-(intptr_t)(PAGES / 2) * 4096) == (void *)-1)
		return 2;
	errno = 0;
	rc = stat(last, &st);
	say("that page after sbrk released it", rc, errno);
	rc = stat(mid, &st);
	say("a page still below the break", rc, errno);
	/* The system call itself releases more: __curbrk is stale now. */
	syscall(SYS_brk, heap + 50 * 4096);
	errno = 0;
	rc = stat(mid, &st);
	say("a page the raw brk system call released", rc, errno);
	errno = 0;
	rc = access(mid, F_OK);
	say("access() of it", rc, errno);
	return 0;
}
