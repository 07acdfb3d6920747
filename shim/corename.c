/* corename.c — a core dump's file name carries the dumped process's vpid, as core_pattern's %p names it in its own pid namespace. */
#include "shim.h"

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
 * its wait returns, so the caller finds it (the supervisor's own reaps of
 * orphans do not: the name could be relative to a cwd it does not know).
 * Only a pattern we can rebuild exactly: a file (not a "|program" pipe)
 * whose specifiers are %p, %s and %% (other ones -- the time, the host,
 * the executable's name -- leave the file as the kernel named it), a
 * relative one taken from our cwd, as it usually is the dumper's.  Only
 * when the real-pid name exists and the vpid name does not: never another
 * file.  errno is kept.
 */

/* Expand pattern for pid into out: false when it holds a specifier we
 * cannot rebuild or does not fit.  *has_pid: %p was there. */
static bool expand(const char *pat, pid_t pid, int sig, char *out, size_t cap, bool *has_pid)
{
	size_t n = 0;

	*has_pid = false;
	for (const char *p = pat; *p; p++) {
		char buf[16];
		const char *add = buf;
		if (*p != '%') {
			buf[0] = *p;
			buf[1] = '\0';
		} else {
			p++;
			if (*p == 'p') {
				snprintf(buf, sizeof(buf), "%d", (int)pid);
				*has_pid = true;
			} else if (*p == 's') {
				snprintf(buf, sizeof(buf), "%d", sig);
			} else if (*p == '%') {
				add = "%";
			} else {
				return false;
			}
		}
		size_t len = strlen(add);
		if (n + len + 1 > cap)
			return false;
		memcpy(out + n, add, len);
		n += len;
	}
	out[n] = '\0';
	return n > 0;
}

/* A small /proc/sys file, its first line. */
static bool read_line(const char *path, char *buf, size_t cap)
{
	int fd = REAL(open)(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return false;
	n = REAL(read)(fd, buf, cap - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return true;
}

void shim_core_rename(pid_t rpid, pid_t vpid, int sig)
{
	char pat[256], from[320], to[320], num[8];
	bool has_pid;
	struct stat st;
	int saved = errno;

	if (rpid <= 0 || vpid <= 0 || rpid == vpid || shim_mode() != SHIM_MODE_ONLINE)
		return;
	if (!read_line("/proc/sys/kernel/core_pattern", pat, sizeof(pat)) || pat[0] == '|')
		goto out;
	if (pat[0] == '\0')
		strcpy(pat, "core");
	if (!expand(pat, rpid, sig, from, sizeof(from), &has_pid) ||
	    !expand(pat, vpid, sig, to, sizeof(to), &has_pid))
		goto out;
	if (!has_pid) {
		size_t lf = strlen(from), lt = strlen(to);
		if (!read_line("/proc/sys/kernel/core_uses_pid", num, sizeof(num)) || strcmp(num, "0") == 0 ||
		    lf + 12 > sizeof(from) || lt + 12 > sizeof(to))
			goto out;
		snprintf(from + lf, sizeof(from) - lf, ".%d", (int)rpid);
		snprintf(to + lt, sizeof(to) - lt, ".%d", (int)vpid);
	}
	if (REAL(lstat)(from, &st) == 0 && S_ISREG(st.st_mode) && REAL(lstat)(to, &st) < 0 && errno == ENOENT)
		(void)rename(from, to);
out:
	shim_errno_keep(saved);
}
