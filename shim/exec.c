/* exec.c — the exec family: hand the identity to the new image, keep the shim preloaded. */
#include "shim.h"
#include "vgquiet.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

extern char **environ;

/* EXEC_AT: execveat's dirfd, path and flags (fd = dirfd). */
enum exec_kind { EXEC_PATH, EXEC_SEARCH, EXEC_FD, EXEC_AT };

/* The file execvp would run for `file`: `file` itself when it holds a
 * slash, else the first executable PATH entry (glibc's default path when
 * PATH is unset).  NULL when none (the real call reports the error).
 * posix_spawnp searches the same way (spawn.c). */
const char *shim_exec_search(const char *file, char *buf, size_t cap)
{
	const char *path = shim_env_find(environ, "PATH");
	size_t flen = strlen(file);

	if (strchr(file, '/') != NULL)
		return file;
	if (path == NULL)
		path = "/bin:/usr/bin";
	if (flen == 0)
		return NULL;
	for (const char *p = path;; p++) {
		size_t n = strcspn(p, ":");
		const char *dir = n == 0 ? "." : p;
		size_t dlen = n == 0 ? 1 : n;
		if (dlen + 1 + flen + 1 <= cap) {
			memcpy(buf, dir, dlen);
			buf[dlen] = '/';
			memcpy(buf + dlen + 1, file, flen + 1);
			if (REAL(access)(buf, X_OK) == 0)
				return buf;
		}
		p += n;
		if (*p == '\0')
			return NULL;
	}
}

/* Is the run traced?  The supervisor creates "trace" beside its socket
 * when it is (a file, not a variable: programs clear their environment),
 * before the command starts, so the answer never changes: asked once per
 * image (fork children inherit it).  In a vfork child, not cached: it must
 * not write the parent's memory. */
static int traced = -1; /* -1 unknown, 0 no, 1 yes */

static bool exec_traced_ask(void)
{
	char buf[sizeof("trace") + 108];
	const char *sock = shim_env_socket();
	const char *slash = strrchr(sock, '/');
	size_t dirlen = slash ? (size_t)(slash - sock) + 1 : 0;

	if (dirlen + sizeof("trace") > sizeof(buf))
		return true;
	memcpy(buf, sock, dirlen);
	memcpy(buf + dirlen, "trace", sizeof("trace"));
	return REAL(access)(buf, F_OK) == 0;
}

void shim_exec_prime(void)
{
	(void)shim_traced();
	/* execve, execvpe and what children call before they exec, looked
	 * up here, in the parent, once (real.c). */
	real_prime_children();
	shim_uaccess_prime();
}

bool shim_traced(void)
{
	bool yes;

	if (traced >= 0)
		return traced == 1;
	yes = exec_traced_ask();
	if (!shim_vf.active)
		traced = yes;
	return yes;
}

void shim_exec_note(const char *path)
{
	struct proto_req req = { .op = PROTO_OP_EXEC };
	size_t len = 0;
	int saved;

	/* The EXEC note only feeds the trace (ps falls back to /proc comm), so
	 * an image without a connection -- a fork child about to exec, the
	 * common case -- does not open one just for it unless the run is
	 * traced: a connection costs a connect, an accept and a HELLO.  (Both
	 * answers are cached: no system call, errno untouched.) */
	if (!shim_conn_live() && !shim_traced())
		return;
	/* Only as much as a note holds, and without libc: in a traced run's
	 * fork child strlen, errno's accessor and the vDSO's clock were
	 * three windows of text faulted in for this note alone (the event
	 * FIFO's path below leaves errno as it was). */
	while (len < sizeof(req.text) && path[len] != '\0')
		len++;

	if (shim_vf.active) {
		saved = errno;
		/* A vfork child writes nothing of its own (it shares its
		 * parent's memory and the parent BINDs it only once it has
		 * exec'd): it leaves the note in its vfork state, which the
		 * parent writes after the BIND (vfork.c). */
		if (len > sizeof(shim_vf.exec_path))
			len = sizeof(shim_vf.exec_path);
		memset(shim_vf.exec_path, 0, sizeof(shim_vf.exec_path));
		memcpy(shim_vf.exec_path, path, len);
		shim_vf.exec_at = shim_now_ns();
		shim_vf.exec_noted = true;
		shim_errno_keep(saved);
		return;
	}
	for (size_t i = 0; i < len; i++)
		req.text[i] = path[i];
	if (!shim_event_keeps_errno(&req))
		shim_send(&req);
}

/* shim_image_kind of what execvp would run.  A frame of its own: its path
 * buffer stays off exec_any's frame, whose every page a fork child about to
 * exec touches (stack clash probes), each one a page fault. */
static __attribute__((noinline)) enum shim_image search_kind(const char *file)
{
	char found[4096];
	const char *path = shim_exec_search(file, found, sizeof(found));

	return path != NULL ? shim_image_kind(path) : SHIM_IMAGE_KEEP;
}

/* The filter for what execvp would run (a frame of its own for the path,
 * as search_kind's). */
static __attribute__((noinline)) void search_seccomp(const char *file)
{
	char found[4096];

	(void)shim_seccomp_before_exec(AT_FDCWD, shim_exec_search(file, found, sizeof(found)), 0);
}

/* May the shim read the arguments (the note, the image scan and the
 * environment copy do)?  Not when the kernel would refuse them: an
 * unreadable path, argv or envp is EFAULT (the real execve says so; for a
 * search, glibc's own execvpe meets the bad name exactly as it would
 * natively), and fexecve without argv or envp is glibc's EINVAL.  Then the
 * pointers go to the real call untouched. */
static bool exec_args_ok(enum exec_kind kind, const char *path, char *const argv[],
			 char *const envp[])
{
	if (kind == EXEC_FD)
		return argv != NULL && envp != NULL && shim_user_exec_ok(NULL, argv, envp);
	return path != NULL && shim_user_exec_ok(path, argv, envp);
}

/*
 * Every exec: EXEC one-way (a fresh fork child connects and sends HELLO
 * without waiting: no synchronous round trip), then the real exec with an
 * environment that names us (JOBSHIM_SELF=vpid:rpid[:vppid:rppid], our
 * identity only if known without asking) and still preloads the shim.
 * execvp-like calls use the real execvpe: glibc's own path search would
 * otherwise run with the old environ.
 */
/* Does an execveat name its file by path alone (absolute, or relative to
 * the working directory), so that the image can be scanned and noted as
 * execve's is? */
static bool at_by_path(const char *path, int dirfd)
{
	return path[0] == '/' || (dirfd == AT_FDCWD && path[0] != '\0');
}

/* execveat's file for the trace: its path, else the descriptor's
 * /dev/fd/N name (with the relative path after it). */
static void at_note(const char *path, int dirfd, char *buf, size_t cap)
{
	size_t n;

	if (at_by_path(path, dirfd)) {
		shim_exec_note(path);
		return;
	}
	strcpy(buf, "/dev/fd/");
	n = strlen(buf);
	shim_fmt_int(buf + n, dirfd);
	n = strlen(buf);
	if (path[0] != '\0' && n + 1 < cap) {
		buf[n++] = '/';
		for (size_t i = 0; path[i] != '\0' && n + 1 < cap; i++)
			buf[n++] = path[i];
		buf[n] = '\0';
	}
	shim_exec_note(buf);
}

/* The exec of valgrind's tool (static): KEEP when the program it will run
 * (its first argument that is no option: valgrind's options are all
 * `-x` or `--x=y`) is a dynamic one, which keeps the shim itself; ALONE
 * (filtered) when that program is static, whose calls the tool makes for
 * it and the filter answers. */
static enum shim_image valgrind_tool(char *const argv[])
{
	char found[PATH_MAX];
	const char *prog = NULL;

	for (size_t i = 1; argv != NULL && argv[i] != NULL; i++)
		if (argv[i][0] != '-') {
			prog = argv[i];
			break;
		}
	if (prog != NULL && strchr(prog, '/') == NULL)
		prog = shim_exec_search(prog, found, sizeof(found));
	if (prog == NULL)
		return SHIM_IMAGE_KEEP;
	return shim_image_kind(prog) == SHIM_IMAGE_ALONE ? SHIM_IMAGE_ALONE : SHIM_IMAGE_KEEP;
}

/* Is `path` the dynamic loader itself (ld-linux-x86-64.so.2, ld-musl-*)?
 * By name: it is a static-pie image like others. */
static bool is_loader(const char *path)
{
	const char *base = path;

	for (const char *p = path; *p != '\0'; p++)
		if (*p == '/')
			base = p + 1;
	return base[0] == 'l' && base[1] == 'd' && base[2] == '-' && strstr(base, ".so") != NULL;
}

/*
 * Will the image only list its libraries, and run nothing?  glibc's
 * loader does so for any dynamic image when LD_TRACE_LOADED_OBJECTS is
 * in the environment (whatever its value: that is how ldd works), and
 * when run itself as `ld.so --list PROG`.  Then the shim has nothing to
 * do, and being in LD_PRELOAD it was listed: `ldd prog` under jobshim
 * printed libjobshim.so, and a script that bundles what ldd lists
 * copied it.  Such an image runs without the shim (PLAIN).  A static
 * image ignores the variable and runs: it stays ALONE.
 */
bool shim_exec_lists_only(enum shim_image image, const char *path, char *const argv[],
			  char *const envp[])
{
	bool loader = path != NULL && image == SHIM_IMAGE_ALONE && is_loader(path);

	if (image == SHIM_IMAGE_PLAIN || (image == SHIM_IMAGE_ALONE && !loader))
		return false;
	if (shim_env_find(envp, "LD_TRACE_LOADED_OBJECTS") != NULL)
		return true;
	return loader && argv != NULL && argv[0] != NULL && argv[1] != NULL &&
	       strcmp(argv[1], "--list") == 0;
}

static int exec_image(enum exec_kind kind, const char *path, int fd, char *const argv[],
		      char *const envp[], int at_flags)
{
	struct shim_envbuf eb;
	pid_t self[4] = { 0, 0, 0, 0 };
	char *const *env = envp;
	int rc, err;
	/* A vfork child: signals held while the shim works (vfork.c). */
	bool held = shim_vf.active;
	sigset_t callers;

	shim_init();
	if (held)
		shim_vfork_exec_hold(&callers);
	if (!shim_offline() && exec_args_ok(kind, path, argv, envp)) {
		self[1] = shim_sys_getpid();
		if (self[1] == shim_self_rpid())
			self[0] = shim_self_vpid(); /* cached: no round trip */
		self[3] = shim_sys_getppid();
		self[2] = shim_ppid_cached(self[3]);
		if (self[0] <= 0)
			self[0] = 0;
		if (kind == EXEC_FD) {
			char note[32] = "/dev/fd/";
			shim_fmt_int(note + strlen(note), fd);
			shim_exec_note(note);
		} else if (kind == EXEC_AT) {
			char note[PROTO_TEXT_EVT + 1];
			at_note(path, fd, note, sizeof(note));
		} else {
			shim_exec_note(path);
		}
		/* A program that cannot make an interposed call runs without
		 * the shim: no preload cost (elfscan.c).  An image named by a
		 * descriptor (fexecve, execveat relative to a directory or
		 * AT_EMPTY_PATH) is scanned through it: a static one exec'd
		 * from a memfd or an O_PATH descriptor kept real ids before. */
		bool by_path = kind == EXEC_PATH || (kind == EXEC_AT && at_by_path(path, fd));
		enum shim_image image = by_path		      ? shim_image_kind(path)
					: kind == EXEC_SEARCH ? search_kind(path)
					: kind == EXEC_FD     ? shim_image_kind_at(fd, "", AT_EMPTY_PATH)
							      : shim_image_kind_at(fd, path, at_flags);
		if (image == SHIM_IMAGE_DENIED) {
			/* Refused as the exec's own open would be (elfscan.c). */
			err = errno;
			if (shim_vf.active)
				shim_vf.exec_noted = false;
			if (held)
				shim_vfork_exec_release(&callers);
			shim_errno_keep(err);
			return -1;
		}
		/* valgrind's tool (memcheck-amd64-linux, ...) is static, but
		 * it runs a dynamic program as one that keeps LD_PRELOAD: the
		 * shim in the program is the one layer.  Filtered as an alone
		 * image too, the tool's clone of the program's fork answered a
		 * vpid, which the program's shim took for a real pid.  The
		 * launcher names itself to its tool. */
		if (image == SHIM_IMAGE_ALONE && shim_env_find(envp, "VALGRIND_LAUNCHER") != NULL)
			image = valgrind_tool(argv);
		/* Our variables must be put back (the program left them out),
		 * and only the shim can take them out of the new image's
		 * environ again (env.c): it gets the shim. */
		if (image == SHIM_IMAGE_PLAIN && shim_env_lacks_ours(envp))
			image = SHIM_IMAGE_KEEP;
		if (shim_exec_lists_only(image, by_path ? path : NULL, argv, envp))
			image = SHIM_IMAGE_PLAIN;
		/* Inside a root where the library or the run directory is
		 * not what its path names (chroot.c): the loader could not
		 * preload us, and would say so on stderr.  A dynamic image
		 * runs without us, as a plain one (real ids); a static one is
		 * filtered as anywhere. */
		bool root_apart = shim_root_fd1 != 0 && !shim_root_reachable();
		if (root_apart && (image == SHIM_IMAGE_KEEP || image == SHIM_IMAGE_RAW))
			image = SHIM_IMAGE_PLAIN;
		/* An image the shim will not be in cannot announce itself
		 * before its first fork: we do it now (events.c). */
		if (image == SHIM_IMAGE_ALONE)
			shim_event_alone();
		/* The new environment on our stack, only as large as it is
		 * (a fixed 4 KiB buffer here put every callee a page further
		 * down: one more page fault in every shell child). */
		size_t need = shim_envbuf_need(envp);
		void *room = need <= SHIM_ENVBUF_ROOM_MAX ? __builtin_alloca(need) : NULL;
		if (shim_envbuf_make_for(&eb, envp, self, image == SHIM_IMAGE_PLAIN || root_apart, room, need) == 0)
			env = eb.env;
		/* Its pid calls go to the supervisor instead (seccomp.c).
		 * valgrind runs no seccomp(2) (ENOSYS, and a warning): from a
		 * program under it, such an image is exec'd through the
		 * trampoline, which valgrind runs natively; if it traces
		 * children, the trampoline runs under valgrind too, and its
		 * exec of the image starts valgrind's tool for a static
		 * program, filtered (valgrind_tool). */
		if ((image == SHIM_IMAGE_ALONE || image == SHIM_IMAGE_RAW) && SHIM_ON_VALGRIND()) {
			size_t n = 0;
			while (argv[n] != NULL)
				n++;
			/* On the stack: a vfork child must not allocate.  Here
			 * only: a PATH_MAX array in the frame put every exec's
			 * callees a page further down (one more page fault in
			 * each shell child that execs). */
			char **targv = __builtin_alloca((n + 3) * sizeof(*targv));
			char *tramp = __builtin_alloca(PATH_MAX);
			if (kind == EXEC_PATH && strcmp(program_invocation_short_name, "jobshim-exec") != 0 &&
			    shim_tramp_path(tramp, PATH_MAX, path) == 0) {
				targv[0] = tramp;
				targv[1] = (char *)path;
				memcpy(targv + 2, argv, (n + 1) * sizeof(*targv));
				path = tramp;
				argv = targv;
			}
		} else if (image == SHIM_IMAGE_ALONE || image == SHIM_IMAGE_RAW) {
			/* The file itself, for its set-id bits (seccomp.c):
			 * unknown, a non-root caller's static image ran
			 * unfiltered, with real ids. */
			if (by_path)
				(void)shim_seccomp_before_exec(AT_FDCWD, path, 0);
			else if (kind == EXEC_SEARCH)
				search_seccomp(path);
			else if (kind == EXEC_FD)
				(void)shim_seccomp_before_exec(fd, "", AT_EMPTY_PATH);
			else
				(void)shim_seccomp_before_exec(fd, path, at_flags);
		}
	} else {
		eb.map = NULL;
		eb.env = NULL;
	}
	if (held)
		shim_vfork_exec_release(&callers);
	switch (kind) {
	case EXEC_PATH:
		rc = REAL(execve)(path, argv, env);
		break;
	case EXEC_SEARCH:
		rc = REAL(execvpe)(path, argv, env);
		break;
	case EXEC_AT:
		/* The system call itself: glibc before 2.34 has no execveat. */
		rc = (int)shim_raw_syscall(SYS_execveat, fd, (long)path, (long)argv, (long)env,
					   at_flags, 0);
		if (rc < 0) {
			errno = -rc;
			rc = -1;
		}
		break;
	default:
		rc = REAL(fexecve)(fd, argv, env);
		break;
	}
	err = errno;
	if (shim_vf.active)
		shim_vf.exec_noted = false; /* the exec failed: nothing to note */
	shim_envbuf_free(&eb);
	shim_errno_keep(err);
	return rc;
}

/* A /proc/<vpid>/... path (execve("/proc/self/exe") is common; a vpid
 * names another real process or none) runs the image the kernel would
 * find natively: translated as open's path is (procpath.c).  A frame of
 * its own for the buffer, as search_kind. */
static __attribute__((noinline)) int exec_proc(enum exec_kind kind, const char *path, int fd,
					       char *const argv[], char *const envp[], int at_flags)
{
	char buf[PATH_MAX];
	int rc = shim_procpath(path, buf, sizeof(buf));

	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return exec_image(kind, buf, fd, argv, envp, at_flags);
}

#define SHIM_AT_EXECVE_CHECK 0x10000 /* <linux/fcntl.h> since 6.14 */

/* execveat with flags beyond AT_SYMLINK_NOFOLLOW and AT_EMPTY_PATH (exec_any
 * says why).  A frame of its own for the buffer: in exec_any's, every
 * exec's callees ran a page further down the stack. */
static __attribute__((noinline)) int exec_at_flags(const char *path, int fd, char *const argv[],
						   char *const envp[], int at_flags)
{
	char buf[PATH_MAX];

	if (!(at_flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | SHIM_AT_EXECVE_CHECK)) &&
	    !shim_offline() && shim_user_str_ok(path) && shim_procpath_candidate(path)) {
		int prc = shim_procpath(path, buf, sizeof(buf));
		if (prc < 0) {
			errno = -prc;
			return -1;
		}
		path = buf;
	}
	long rc = shim_raw_syscall(SYS_execveat, fd, (long)path, (long)argv, (long)envp, at_flags, 0);
	if (rc < 0) {
		errno = (int)-rc;
		return -1;
	}
	return (int)rc;
}

static int exec_any(enum exec_kind kind, const char *path, int fd, char *const argv[],
		    char *const envp[], int at_flags)
{
	shim_init();
	/* execveat's flags are checked before its file is looked up: with
	 * unknown ones the kernel's EINVAL (or its EFAULT, ENOENT for the
	 * path) comes first, and nothing runs, so nothing is translated,
	 * scanned or noted.  AT_EXECVE_CHECK (Linux 6.14) only asks whether
	 * the file may run: the kernel's answer, for the file natively named
	 * (a /proc/<vpid> path translated), and nothing noted either. */
	if (kind == EXEC_AT && (at_flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) != 0)
		return exec_at_flags(path, fd, argv, envp, at_flags);
	if (kind != EXEC_FD && !shim_offline() && shim_user_str_ok(path) &&
	    shim_procpath_candidate(path))
		return exec_proc(kind, path, fd, argv, envp, at_flags);
	return exec_image(kind, path, fd, argv, envp, at_flags);
}

SHIM_EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
	return exec_any(EXEC_PATH, path, -1, argv, envp, 0);
}

SHIM_EXPORT int execv(const char *path, char *const argv[])
{
	return exec_any(EXEC_PATH, path, -1, argv, environ, 0);
}

SHIM_EXPORT int execvp(const char *file, char *const argv[])
{
	return exec_any(EXEC_SEARCH, file, -1, argv, environ, 0);
}

SHIM_EXPORT int execvpe(const char *file, char *const argv[], char *const envp[])
{
	return exec_any(EXEC_SEARCH, file, -1, argv, envp, 0);
}

SHIM_EXPORT int fexecve(int fd, char *const argv[], char *const envp[])
{
	return exec_any(EXEC_FD, NULL, fd, argv, envp, 0);
}

/* An absolute path, or one relative to the working directory, is an
 * execve's (scanned, noted, /proc/<vpid> translated); relative to a
 * directory descriptor, or the descriptor itself (AT_EMPTY_PATH), an
 * fexecve's: the shim stays, the note names /dev/fd/N. */
SHIM_EXPORT int execveat(int dirfd, const char *path, char *const argv[], char *const envp[],
			 int flags)
{
	return exec_any(EXEC_AT, path, dirfd, argv, envp, flags);
}

/* syscall(SYS_execve / SYS_execveat) (syscall.c): the same paths.  Not
 * aliases: nm would name execve's hot section after the alias
 * (scripts/hot-text.sh). */
int shim_execve(const char *path, char *const argv[], char *const envp[])
{
	return exec_any(EXEC_PATH, path, -1, argv, envp, 0);
}

int shim_execveat(int dirfd, const char *path, char *const argv[], char *const envp[], int flags)
{
	return exec_any(EXEC_AT, path, dirfd, argv, envp, flags);
}

/* execl*: the variadic arguments gathered into a stack array. */

/* glibc declares arg nonnull, but execl(path, NULL) exists in the wild:
 * hide the pointer from the optimiser before testing it. */
static bool present(const char *arg)
{
	__asm__("" : "+r"(arg));
	return arg != NULL;
}

static size_t count_args(va_list ap)
{
	size_t n = 1; /* arg0 */

	while (va_arg(ap, char *) != NULL)
		n++;
	return n;
}

static void fill_args(char **argv, const char *arg0, va_list ap, size_t n)
{
	argv[0] = (char *)arg0;
	for (size_t i = 1; i < n; i++)
		argv[i] = va_arg(ap, char *);
	argv[n] = NULL;
}

SHIM_EXPORT int execl(const char *path, const char *arg, ...)
{
	va_list ap, ap2;
	size_t n = 0;

	va_start(ap, arg);
	va_copy(ap2, ap);
	if (present(arg))
		n = count_args(ap2);
	va_end(ap2);
	char *argv[n + 1];
	fill_args(argv, arg, ap, n);
	va_end(ap);
	return exec_any(EXEC_PATH, path, -1, argv, environ, 0);
}

SHIM_EXPORT int execlp(const char *file, const char *arg, ...)
{
	va_list ap, ap2;
	size_t n = 0;

	va_start(ap, arg);
	va_copy(ap2, ap);
	if (present(arg))
		n = count_args(ap2);
	va_end(ap2);
	char *argv[n + 1];
	fill_args(argv, arg, ap, n);
	va_end(ap);
	return exec_any(EXEC_SEARCH, file, -1, argv, environ, 0);
}

SHIM_EXPORT int execle(const char *path, const char *arg, ...)
{
	va_list ap, ap2;
	size_t n = 0;
	char *const *envp;

	va_start(ap, arg);
	va_copy(ap2, ap);
	if (present(arg))
		n = count_args(ap2);
	va_end(ap2);
	char *argv[n + 1];
	fill_args(argv, arg, ap, n);
	if (present(arg))
		(void)va_arg(ap, char *); /* the terminating NULL */
	envp = va_arg(ap, char *const *);
	va_end(ap);
	return exec_any(EXEC_PATH, path, -1, argv, envp, 0);
}
