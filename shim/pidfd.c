/* pidfd.c — pidfd_send_signal: a pidfd that names the supervisor (vpid 1) is checked as init's, never signalled. */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/pidfd.h>
#include <sys/syscall.h>

/*
 * pidfd_open(1) gives a pidfd for the real supervisor (pidcalls.c
 * translates vpid 1 like any other), and everything done with a pidfd
 * needs no translation -- except a signal to it: Linux drops what a
 * namespace's init gets from inside unless it has a handler, SIGKILL and
 * SIGSTOP included, while the real supervisor is an ordinary process.  So
 * a signal through a pidfd that names it takes the kill(1, sig) path:
 * checked, never sent (initsig.c).  A pidfd can be inherited, passed and
 * dup'ed, so the fd itself is asked whom it names: its fdinfo's Pid line
 * (a pidfd) or its inode (an fd of a /proc/<pid> directory, which
 * pidfd_send_signal takes too).
 */

/* Does fd name the real process sup?  false for anything else, a bad fd
 * included (the real call gives EBADF then). */
static bool names_pid(int fd, pid_t sup)
{
	char path[64], buf[1024];
	struct stat fst, pst;
	int fdi;

	fdi = shim_fdinfo_open(fd);
	if (fdi < 0 || shim_read_close(fdi, buf, sizeof(buf)) < 0)
		return false;
	const char *p = strstr(buf, "\nPid:\t");
	if (p != NULL)
		return atoi(p + 6) == sup;
	/* Not a pidfd: a /proc/<pid> directory fd names sup if it is that
	 * directory (same inode of the same /proc). */
	snprintf(path, sizeof(path), "/proc/%d", (int)sup);
	if (shim_raw_syscall(SYS_fstat, fd, (long)&fst, 0, 0, 0, 0) != 0 ||
	    shim_raw_syscall(SYS_newfstatat, AT_FDCWD, (long)path, (long)&pst, 0, 0, 0) != 0)
		return false;
	return S_ISDIR(fst.st_mode) && fst.st_dev == pst.st_dev && fst.st_ino == pst.st_ino;
}

long shim_sys_pidfd_send_signal(long fd, long sig, const void *info, unsigned long flags)
{
	pid_t sup;

	shim_init();
	sup = shim_conn_peer();
	if (sup <= 0 && !shim_offline() && shim_connect() == 0)
		sup = shim_conn_peer();
	if (sup > 0 && names_pid((int)fd, sup))
		return shim_init_pidfd(sig, info, flags);
	return shim_raw_syscall(SYS_pidfd_send_signal, fd, sig, (long)info, (long)flags, 0, 0);
}

SHIM_EXPORT int pidfd_send_signal(int pidfd, int sig, siginfo_t *info, unsigned int flags)
{
	long r = shim_sys_pidfd_send_signal(pidfd, sig, info, flags);

	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	return (int)r;
}
