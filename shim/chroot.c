/* chroot.c — a process that changes its root keeps its supervisor: the run directory by descriptor, images inside filtered. */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/*
 * `chroot DIR CMD` (coreutils, `unshare --root`, a build's chroot step)
 * moves the process's root below the paths the shim lives by: the library
 * named in LD_PRELOAD, the run directory's socket, FIFO and shared files.
 * Before, every dynamic image exec'd inside printed the loader's "ERROR:
 * ld.so: object ... cannot be preloaded" and ran with real ids, and a
 * static one could not be filtered ("supervisor unreachable").  Natively
 * nothing of the sort is printed and the ids are the namespace's.
 *
 * So, just before the real chroot, we keep the run directory open (an
 * O_PATH descriptor, close-on-exec, out of the program's way: fork
 * children inherit it) and note which file the library is.  After it:
 *   - the supervisor's files are opened through that descriptor
 *     (util.c), and a connection is made from inside it (conn.c): never
 *     by the old path, which inside the new root may name another file;
 *   - an exec whose image could not load the shim from the new root (the
 *     library or the run directory is not the same file at its path)
 *     runs it as an image the shim is not in: filtered, its pid calls
 *     answered by the supervisor as a static image's are (seccomp.c), and
 *     the library taken out of its LD_PRELOAD (exec.c).  Its descendants
 *     inherit the filter and that environment.
 * A root moved with the shim still reachable (bind mounts) changes
 * nothing.  Not covered: pivot_root, and a posix_spawn inside the new
 * root, whose image runs unfiltered with real ids (its trampoline,
 * jobshim-exec, is a path too); neither prints the loader's error.
 */

SHIM_HOT int shim_root_fd1;
static dev_t dir_dev, lib_dev;
static ino_t dir_ino;
static ino_t lib_ino;
static bool lib_known;

/* Before the real chroot: the run directory by descriptor, the library's
 * identity.  Once: a second chroot keeps the first's (the same files). */
static void root_prepare(void)
{
	const char *sock = shim_env_socket(), *lib = shim_env_lib();
	const char *slash = strrchr(sock, '/');
	char dir[108];
	struct stat st;

	if (shim_root_fd1 != 0 || slash == NULL || (size_t)(slash - sock) + 2 > sizeof(dir))
		return;
	memcpy(dir, sock, (size_t)(slash - sock) + 1);
	dir[slash - sock + 1] = '\0';
	if (lib[0] != '\0' && shim_raw_syscall(SYS_newfstatat, AT_FDCWD, (long)lib, (long)&st, 0, 0, 0) == 0) {
		lib_dev = st.st_dev;
		lib_ino = st.st_ino;
		lib_known = true;
	}
	int fd = (int)shim_raw_syscall(SYS_openat, AT_FDCWD, (long)dir, O_PATH | O_DIRECTORY | O_CLOEXEC, 0, 0,
				       0);
	if (fd >= 0 && (fd = shim_fd_park(fd)) >= 0 &&
	    shim_raw_syscall(SYS_newfstatat, fd, (long)"", (long)&st, AT_EMPTY_PATH, 0, 0) == 0) {
		dir_dev = st.st_dev;
		dir_ino = st.st_ino;
		shim_root_fd1 = fd + 1;
	}
}

/* The run directory kept open, or -1 when the program closed it since
 * (python's subprocess closes every descriptor in its child: close_range)
 * or its number now holds something else.  Then the supervisor is out of
 * reach for this process: never by the path, which in the new root may
 * name another file. */
int shim_root_dirfd(void)
{
	int fd = shim_root_rundir();
	struct stat st;

	if (fd < 0 || shim_raw_syscall(SYS_newfstatat, fd, (long)"", (long)&st, AT_EMPTY_PATH, 0, 0) != 0 ||
	    st.st_dev != dir_dev || st.st_ino != dir_ino)
		return -1;
	return fd;
}

/* Can an image exec'd now load the shim and reach the supervisor by its
 * paths?  Always, unless this process (or the one it was forked from)
 * moved its root. */
bool shim_root_reachable(void)
{
	const char *sock = shim_env_socket(), *slash = strrchr(sock, '/');
	struct stat st;
	char dir[108];

	if (shim_root_fd1 == 0)
		return true;
	if (!lib_known || shim_raw_syscall(SYS_newfstatat, AT_FDCWD, (long)shim_env_lib(), (long)&st, 0, 0, 0) != 0 ||
	    st.st_dev != lib_dev || st.st_ino != lib_ino)
		return false;
	if (slash == NULL || (size_t)(slash - sock) + 2 > sizeof(dir))
		return false;
	memcpy(dir, sock, (size_t)(slash - sock) + 1);
	dir[slash - sock + 1] = '\0';
	return shim_raw_syscall(SYS_newfstatat, AT_FDCWD, (long)dir, (long)&st, 0, 0, 0) == 0 &&
	       st.st_dev == dir_dev && st.st_ino == dir_ino;
}

/* chroot(2) as the shim's callers make it: libc's wrapper and syscall(). */
long shim_sys_chroot(const char *path)
{
	if (shim_mode() == SHIM_MODE_ONLINE && !shim_vf.active) {
		root_prepare();
		/* The connection now, while the socket's path still works: a
		 * connection made later goes through the descriptor (conn.c). */
		(void)shim_connect();
	}
	return shim_raw_syscall(SYS_chroot, (long)path, 0, 0, 0, 0, 0);
}

SHIM_EXPORT int chroot(const char *path)
{
	shim_init();
	long rc = shim_sys_chroot(path);
	if (rc < 0) {
		errno = (int)-rc;
		return -1;
	}
	return 0;
}
