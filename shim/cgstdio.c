/* cgstdio.c — stdio streams over a cgroup pid file or ns_last_pid (cgwrite.c): their buffers reach the kernel through cgwrite's translation. */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

/*
 * stdio writes its buffer with libc's internal write, which no preload
 * sees: a pid printed to such a file reached the kernel as the vpid.
 * Three ways in:
 *
 *   - fopen (and fopen64) of such a file for writing only ("w", "a", with
 *     'b', 'e', 'x', 'c', 'm') hands back a stream of fopencookie whose
 *     writes go through cgwrite (LTP's SAFE_FILE_PRINTF, libcgroup).
 *     fileno() of it is the file's descriptor.
 *   - fflush, fflush_unlocked and fclose of any other stream on such a
 *     descriptor (fdopen, freopen, "w+", a shell's stdout redirected onto
 *     it: coreutils' echo and printf end with fclose(stdout)) first write
 *     the stream's pending bytes through cgwrite, as libc's flush would
 *     have written them, then let libc do the rest.  fflush(NULL) does so
 *     for stdout.
 *   - bash's stdout is line-buffered: `echo $$ > cgroup.procs` would be
 *     written by putchar('\n'), inside libc, before the builtin's
 *     fflush.  So while a dup2/dup3 has made descriptor 1 such a file,
 *     stdout is fully buffered (the pin), and the builtin's fflush comes
 *     here; the dup2 that takes descriptor 1 away first writes what is
 *     pending and gives stdout back its line buffering.
 *   - exit: stdout's pending bytes, before libc's own last flush.
 *
 * The stream's pointers are glibc's public FILE fields; the flag values
 * are glibc's libio.h.  Each step does what glibc's own flush does after
 * a write (new_do_write): the buffer empty, the read and write pointers at
 * its start, a write error kept in the stream (ferror) and the bytes
 * dropped.  Wide-oriented streams are left to libc.
 *
 * Not covered: a stream whose buffer fills before any flush (more than
 * BUFSIZ bytes: no pid file takes that in one write), and a stream other
 * than stdout left to exit's own flush.
 */

#ifdef __GLIBC__

#define IO_UNBUFFERED 0x0002
#define IO_LINE_BUF 0x0200
#define IO_CURRENTLY_PUTTING 0x0800

/* Write f's pending bytes through cgwrite when its descriptor is a pid
 * file.  The stream is locked by the caller.  0, or EOF with errno. */
static int stream_drain(FILE *f)
{
	char *base = f->_IO_write_base, *ptr = f->_IO_write_ptr;
	long n = ptr - base, r;

	if (f->_mode > 0 || !(f->_flags & IO_CURRENTLY_PUTTING) || base == NULL || n <= 0 ||
	    !shim_cgwrite_is(f->_fileno))
		return 0;
	r = shim_cgwrite_sys(f->_fileno, base, (size_t)n);
	f->_IO_read_base = f->_IO_read_ptr = f->_IO_read_end = f->_IO_buf_base;
	f->_IO_write_base = f->_IO_write_ptr = f->_IO_buf_base;
	f->_IO_write_end = f->_flags & (IO_LINE_BUF | IO_UNBUFFERED) ? f->_IO_buf_base : f->_IO_buf_end;
	f->_offset = -1; /* unknown: libc asks the kernel when it needs it */
	if (r == n)
		return 0;
	f->_flags |= _IO_ERR_SEEN;
	errno = r < 0 ? (int)-r : EIO;
	return EOF;
}

/* stdout's buffering flags before the pin; 0: not pinned. */
static _Atomic int pinned;

static bool stream_armed(FILE *f)
{
	return f != NULL && shim_cgwrite_armed(f->_fileno);
}

SHIM_EXPORT int fflush(FILE *f)
{
	FILE *s = f != NULL ? f : stdout;
	int e, r, saved;

	if (__builtin_expect(!stream_armed(s), 1))
		return REAL(fflush)(f);
	flockfile(s);
	e = stream_drain(s);
	saved = errno;
	if (f == NULL) {
		/* libc's flush of every stream takes its list lock, then each
		 * stream's: not with stdout's held here. */
		funlockfile(s);
		r = REAL(fflush)(NULL);
	} else {
		r = REAL(fflush)(f);
		funlockfile(s);
	}
	if (e == EOF) {
		errno = saved;
		/* A pinned stdout: natively its line was written (and failed)
		 * before this fflush, which then has nothing to write: 0, with
		 * the error in ferror and errno, as a shell's check reads it. */
		return s == stdout && atomic_load(&pinned) != 0 ? r : EOF;
	}
	return r;
}

SHIM_EXPORT int fflush_unlocked(FILE *f)
{
	FILE *s = f != NULL ? f : stdout;

	if (__builtin_expect(stream_armed(s), 0) && stream_drain(s) == EOF) {
		int saved = errno;
		int r = REAL(fflush_unlocked)(f);
		errno = saved;
		return s == stdout && atomic_load(&pinned) != 0 ? r : EOF; /* as fflush */
	}
	return REAL(fflush_unlocked)(f);
}

SHIM_EXPORT int fclose(FILE *f)
{
	int e = 0, r, saved = 0;

	if (__builtin_expect(stream_armed(f), 0)) {
		flockfile(f);
		e = stream_drain(f);
		saved = errno;
		funlockfile(f);
	}
	r = REAL(fclose)(f);
	if (e == EOF) {
		errno = saved;
		return EOF;
	}
	return r;
}

/* exit() flushes stdout after the atexit handlers, with libc's internal
 * write: a program that printf's a pid to its redirected stdout and
 * returns from main.  Registered in every image; it costs a few loads,
 * and an fstatfs when stdout holds bytes and descriptor 1 was not looked
 * at.  No lock is waited for (libc's own exit flush takes none: another
 * thread may hold it for good). */
static void stdout_at_exit(void)
{
	FILE *f = stdout;

	if (f == NULL || f->_mode > 0 || !(f->_flags & IO_CURRENTLY_PUTTING) ||
	    f->_IO_write_ptr <= f->_IO_write_base || !stream_armed(f) || ftrylockfile(f) != 0)
		return;
	(void)stream_drain(f);
	funlockfile(f);
}

__attribute__((constructor)) static void cgstdio_ctor(void)
{
	(void)atexit(stdout_at_exit);
}

void shim_cgwrite_stdout_leaving(void)
{
	int was = atomic_exchange(&pinned, 0);

	if (was == 0)
		return;
	int saved = errno;
	flockfile(stdout);
	(void)stream_drain(stdout);
	stdout->_flags |= was;
	if (stdout->_IO_write_ptr == stdout->_IO_write_base)
		stdout->_IO_write_end = stdout->_IO_write_base;
	funlockfile(stdout);
	errno = saved;
}

void shim_cgwrite_stdout_arrived(void)
{
	int saved = errno;

	if (atomic_load(&pinned) != 0 || !shim_cgwrite_is(1))
		return;
	flockfile(stdout);
	/* A line-buffered stream with a buffer of its own (an unbuffered one
	 * has a single byte: nothing to pin). */
	if ((stdout->_flags & IO_LINE_BUF) && stdout->_mode <= 0 &&
	    (stdout->_IO_buf_base == NULL || stdout->_IO_buf_end - stdout->_IO_buf_base > 1)) {
		atomic_store(&pinned, IO_LINE_BUF);
		stdout->_flags &= ~IO_LINE_BUF;
		if ((stdout->_flags & IO_CURRENTLY_PUTTING) && stdout->_IO_write_base != NULL)
			stdout->_IO_write_end = stdout->_IO_buf_end;
	}
	funlockfile(stdout);
	errno = saved;
}

#else
void shim_cgwrite_stdout_leaving(void)
{
}
void shim_cgwrite_stdout_arrived(void)
{
}
#endif

/* ---- fopen ------------------------------------------------------------------ */

/* The stream's writes: each buffer stdio flushes goes through cgwrite
 * (a descriptor that is no longer such a file is written as it is). */
static ssize_t cookie_write(void *c, const char *buf, size_t n)
{
	long r = shim_cgwrite_sys(fileno((FILE *)c), buf, n);

	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	return r;
}

static int cookie_close(void *c)
{
	return REAL(fclose)((FILE *)c);
}

/* fopen's mode: write-only ("w" or "a", with only 'b', 'e', 'x', 'c' or
 * 'm' after it)? */
static bool write_only(const char *how)
{
	if (how == NULL || (how[0] != 'w' && how[0] != 'a'))
		return false;
	for (const char *p = how + 1; *p != '\0' && *p != ','; p++)
		if (strchr("bexcm", *p) == NULL)
			return false;
	return true;
}

/* A stream libc opened on path for writing ("w", "a", or any mode with
 * '+'): its descriptor remembered when it is a pid file, so that fflush
 * and fclose see it.  freopen's (the caller keeps its FILE). */
void shim_cgwrite_reopened(const char *path, const char *how, void *stream)
{
	FILE *f = stream;
	int saved = errno;

	if (f == NULL || how == NULL || (how[0] == 'r' && strchr(how, '+') == NULL) ||
	    !shim_cgwrite_candidate(path, O_WRONLY))
		return;
	shim_cgwrite_opened(fileno(f));
	errno = saved;
}

void *shim_cgwrite_fopened(const char *path, const char *how, void *stream)
{
	static const cookie_io_functions_t io = { .write = cookie_write, .close = cookie_close };
	FILE *f = stream, *c;
	int saved = errno;

	shim_cgwrite_reopened(path, how, f);
	/* write-only: a cookie stream; "w+", "r+", "a+": fflush and fclose */
	if (f == NULL || !write_only(how) || !shim_cgwrite_is(fileno(f)))
		return f;
	/* The cookie's buffer holds the caller's text until its flush; the
	 * descriptor's own flags (O_APPEND for "a") stay as fopen set them. */
	c = fopencookie(f, "w", io);
	shim_errno_keep(saved);
	if (c == NULL)
		return f;
#ifdef __GLIBC__
	/* fileno() of the stream: the file's descriptor, as fopen's stream
	 * would answer (fsync, fchmod; a write() to it comes here too).  glibc
	 * marks a cookie stream's descriptor -2 only for fileno's answer;
	 * its cookie functions never read it. */
	c->_fileno = fileno(f);
#endif
	return c;
}
