/* corename.c — a core dump's file name carries the dumped process's vpid, as core_pattern's %p names it in its own pid namespace. */
#include "shim.h"

#include "../core/corename.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * The kernel names a core file from /proc/sys/kernel/core_pattern, %p
 * being "the PID of the dumped process, as seen in the PID namespace in
 * which the process resides" (core(5)); with no %p and core_uses_pid set,
 * it appends ".PID".  Under jobshim the process resides in the virtual
 * namespace, so the name should carry its vpid, but the kernel writes the
 * real pid: LTP madvise08 looked for `dump-<vpid>` and found nothing.
 *
 * So the waiter that reaps a child whose status says a core was dumped
 * renames the file the kernel wrote to the name with the vpid: before
 * its wait returns, so the caller finds it (the supervisor does the same
 * for the orphans it reaps, with an absolute pattern: supervisor/sysio.c).
 * Only a pattern we can rebuild exactly (core/corename.c: a file, not a
 * "|program" pipe, whose specifiers are %p, %s and %%), a relative one
 * taken from our cwd, as it usually is the dumper's.  Only
 * when the real-pid name exists and the vpid name does not: never another
 * file.  errno is kept.
 */

/* A small /proc/sys file, its first line. */
static bool read_line(const char *path, char *buf, size_t cap)
{
	int fd = REAL(open)(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return false;
	n = REAL(read)(fd, buf, cap - 1);
	shim_close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return true;
}

void shim_core_rename(pid_t rpid, pid_t vpid, int sig)
{
	char pat[256], from[320], to[320], uses[8] = "0";
	struct stat st;
	int saved = errno;

	if (rpid <= 0 || vpid <= 0 || rpid == vpid || shim_mode() != SHIM_MODE_ONLINE)
		return;
	if (!read_line("/proc/sys/kernel/core_pattern", pat, sizeof(pat)))
		goto out;
	(void)read_line("/proc/sys/kernel/core_uses_pid", uses, sizeof(uses));
	bool uses_pid = strcmp(uses, "0") != 0;
	if (corename_build(pat, uses_pid, rpid, sig, from, sizeof(from)) &&
	    corename_build(pat, uses_pid, vpid, sig, to, sizeof(to)) && strcmp(from, to) != 0 &&
	    REAL(lstat)(from, &st) == 0 && S_ISREG(st.st_mode) && REAL(lstat)(to, &st) < 0 &&
	    errno == ENOENT)
		(void)rename(from, to);
out:
	shim_errno_keep(saved);
}
