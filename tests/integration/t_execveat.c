/* t_execveat.c — execveat(2) and syscall(SYS_execve/SYS_execveat): the new image keeps its ids (and the shim, even from an empty environment); the kernel's errors. */
#include "lib/itest.h"

#include <libgen.h>
#include <sys/syscall.h>

/*
 * Each case forks a child that execs this program in the --report role
 * (it writes its pid, ppid, pgid and sid to an inherited pipe) with an
 * empty environment, the way `env -i` would: under jobshim the exec
 * wrappers put the shim back, so the new image still answers in virtual
 * ids.  An image left without it would report real ids, printed as
 * unknown labels.  The failures are the kernel's: no file, a bad
 * descriptor, unknown flags, a symlink with AT_SYMLINK_NOFOLLOW.
 */

static char *const empty_env[] = { NULL };
static const char *exe;
static char exe_dir[PATH_MAX], exe_base[PATH_MAX];

enum how { AT_ABS, AT_CWD_REL, AT_DIRFD, AT_EMPTY, SYS_EXECVE_ABS, SYS_EXECVEAT_DIRFD, PROC_SELF };

static const char *how_name(enum how h)
{
	switch (h) {
	case AT_ABS: return "execveat(AT_FDCWD, absolute path)";
	case AT_CWD_REL: return "execveat(AT_FDCWD, path relative to the cwd)";
	case AT_DIRFD: return "execveat(directory fd, relative path)";
	case AT_EMPTY: return "execveat(O_PATH fd, \"\", AT_EMPTY_PATH)";
	case SYS_EXECVE_ABS: return "syscall(SYS_execve, absolute path)";
	case SYS_EXECVEAT_DIRFD: return "syscall(SYS_execveat, directory fd, relative path)";
	case PROC_SELF: return "execveat(AT_FDCWD, \"/proc/self/exe\")";
	}
	return "?";
}

static int do_exec(enum how h, char **argv)
{
	int fd;

	switch (h) {
	case AT_ABS:
		return execveat(AT_FDCWD, exe, argv, empty_env, 0);
	case AT_CWD_REL:
		if (chdir(exe_dir) < 0)
			return -1;
		return execveat(AT_FDCWD, exe_base, argv, empty_env, 0);
	case AT_DIRFD:
		fd = open(exe_dir, O_RDONLY | O_DIRECTORY);
		return fd < 0 ? -1 : execveat(fd, exe_base, argv, empty_env, 0);
	case AT_EMPTY:
		fd = open(exe, O_PATH);
		return fd < 0 ? -1 : execveat(fd, "", argv, empty_env, AT_EMPTY_PATH);
	case SYS_EXECVE_ABS:
		return (int)syscall(SYS_execve, exe, argv, empty_env);
	case SYS_EXECVEAT_DIRFD:
		fd = open(exe_dir, O_RDONLY | O_DIRECTORY);
		return fd < 0 ? -1 : (int)syscall(SYS_execveat, fd, exe_base, argv, empty_env, 0);
	case PROC_SELF:
		return execveat(AT_FDCWD, "/proc/self/exe", argv, empty_env, 0);
	}
	return -1;
}

static void one(enum how h, const char *name)
{
	int fd[2];
	char fdarg[16];

	if (pipe(fd) < 0) /* inherited by the exec: no close-on-exec */
		it_die("pipe");
	snprintf(fdarg, sizeof fdarg, "%d", fd[1]);
	pid_t c = it_fork(name);
	if (c == 0) {
		char *argv[] = { (char *)exe, "--report", fdarg, NULL };
		do_exec(h, argv);
		it_out("%s: exec failed: %s", name, it_errname(errno));
		_exit(127);
	}
	close(fd[1]);
	struct it_ids id;
	if (it_get_rec(fd[0], &id, sizeof id) == 0) {
		it_out("-- %s", how_name(h));
		it_show_ids(name, id);
	}
	close(fd[0]);
	it_out("%s: %s", name, it_status(it_reap(c)));
}

static void errors(void)
{
	char *argv[] = { "x", NULL };
	char link[PATH_MAX];

	it_out("-- errors");
	IT_RC("execveat(AT_FDCWD, missing file)", execveat(AT_FDCWD, "/nonexistent/x", argv, empty_env, 0));
	IT_RC("execveat(-5, relative path)", execveat(-5, "x", argv, empty_env, 0));
	IT_RC("execveat(AT_FDCWD, \"\", no AT_EMPTY_PATH)", execveat(AT_FDCWD, "", argv, empty_env, 0));
	IT_RC("execveat(unknown flags)", execveat(AT_FDCWD, exe, argv, empty_env, 0x40000000));
	IT_RC("execveat(bad path pointer)", execveat(AT_FDCWD, (const char *)8, argv, empty_env, 0));
	IT_RC("syscall(SYS_execve, missing file)", syscall(SYS_execve, "/nonexistent/x", argv, empty_env));
	/* A symlink to this program, refused with AT_SYMLINK_NOFOLLOW. */
	snprintf(link, sizeof link, "/tmp/t_execveat.%d", (int)getpid());
	unlink(link);
	if (symlink(exe, link) < 0)
		it_die("symlink");
	IT_RC("execveat(symlink, AT_SYMLINK_NOFOLLOW)",
	      execveat(AT_FDCWD, link, argv, empty_env, AT_SYMLINK_NOFOLLOW));
	unlink(link);
	/* /proc/self/exe is a symlink too. */
	IT_RC("execveat(\"/proc/self/exe\", AT_SYMLINK_NOFOLLOW)",
	      execveat(AT_FDCWD, "/proc/self/exe", argv, empty_env, AT_SYMLINK_NOFOLLOW));
}

int main(int argc, char **argv)
{
	char tmp[PATH_MAX];

	it_child_modes(argc, argv);
	it_init();
	exe = it_self_exe();
	snprintf(tmp, sizeof tmp, "%s", exe);
	snprintf(exe_dir, sizeof exe_dir, "%s", dirname(tmp));
	snprintf(tmp, sizeof tmp, "%s", exe);
	snprintf(exe_base, sizeof exe_base, "%s", basename(tmp));

	one(AT_ABS, "c1");
	one(AT_CWD_REL, "c2");
	one(AT_DIRFD, "c3");
	one(AT_EMPTY, "c4");
	one(SYS_EXECVE_ABS, "c5");
	one(SYS_EXECVEAT_DIRFD, "c6");
	one(PROC_SELF, "c7");
	errors();
	return 0;
}
