/* spawn.c — posix_spawn and posix_spawnp: SETPGROUP/SETSID applied in the model, mirrored as real groups. */
#include "shim.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/*
 * The trampoline shim/tramp/jobshim-exec.c, beside the shim library: its
 * path in buf and its argv (itself, file, then argv) in *targv (malloc'd),
 * 0; or -1 when it is not there (then the image is spawned unfiltered, as
 * before it existed) or the file is not one the exec would run (the
 * trampoline could not report that failure to posix_spawn's caller).
 */
int shim_tramp_path(char *buf, size_t size, const char *file)
{
	const char *lib = shim_env_lib(), *slash = strrchr(lib, '/');
	size_t dir = slash != NULL ? (size_t)(slash - lib) + 1 : 0;
	static const char name[] = "jobshim-exec";
	int saved = errno;

	if (dir == 0 || dir + sizeof(name) > size || access(file, X_OK) != 0) {
		shim_errno_keep(saved);
		return -1;
	}
	memcpy(buf, lib, dir);
	memcpy(buf + dir, name, sizeof(name));
	if (access(buf, X_OK) != 0) {
		shim_errno_keep(saved);
		return -1;
	}
	return 0;
}

/*
 * The trampoline is dynamic: from a table with every descriptor in use,
 * the loader cannot open its libraries (exit 127), where natively the
 * static image, which needs none, runs.  Then the soft limit is raised by
 * a few for the length of the spawn (fdroom.c), and the trampoline's
 * argv[0] names the limit to put back before its exec
 * ("jobshim-exec:nofile=N", shim/tramp/jobshim-exec.c), so that the image
 * starts with the program's.  Full means that no descriptor can be
 * made now: an open of "/" for its path only, closed at once.
 */
static bool table_full(void)
{
	long fd = shim_raw_syscall(SYS_openat, AT_FDCWD, (long)"/", O_PATH | O_CLOEXEC, 0, 0, 0);

	if (fd >= 0)
		shim_raw_syscall(SYS_close, fd, 0, 0, 0, 0, 0);
	return fd == -EMFILE;
}

static int spawn_tramp(char *buf, size_t size, const char *file, char *const argv[], char ***targv)
{
	int saved = errno;
	size_t n = 0;
	char **v;

	if (shim_tramp_path(buf, size, file) != 0)
		return -1;
	while (argv[n] != NULL)
		n++;
	v = malloc((n + 3) * sizeof(*v));
	if (v == NULL) {
		shim_errno_keep(saved);
		return -1;
	}
	v[0] = buf;
	v[1] = (char *)file;
	memcpy(v + 2, argv, (n + 1) * sizeof(*v));
	*targv = v;
	return 0;
}

/*
 * A vpid from the shared counter, or FORK when the attributes carry
 * SETPGROUP/SETSID (the model applies them at once), then the real spawn with a
 * copy of the attributes where they became the real group's mirror (ids.c:
 * SETSID is a real session; SETPGROUP joins the real group of the virtual
 * one) and an environment naming the child
 * (JOBSHIM_SELF=V:0:ourvpid:ourrpid: its rpid is not known yet; it trusts V
 * when its real parent is us), then BIND.  If the environment cannot be
 * built the child simply asks with HELLO.  As for exec, an image that cannot
 * make an interposed call is spawned without the shim preloaded (elfscan.c);
 * spawnp finds the file as execvp would (exec.c).  A relative name with file
 * actions is not scanned: an addchdir action would make it name another file.
 */
int shim_spawn(pid_t *pid, const char *path, const void *fa, const void *attrp,
	       char *const argv[], char *const envp[], bool search)
{
	const posix_spawnattr_t *attr = attrp;
	posix_spawnattr_t copy;
	short flags = 0;
	pid_t pgid = 0, vpid = 0, rpid = -1;
	uint32_t fork_flags = 0;
	struct shim_envbuf eb;
	char *const *env = envp;
	int rc;
	int (*fn)(pid_t *, const char *, const void *, const void *, char *const[],
		  char *const[]) = search ? REAL(posix_spawnp) : REAL(posix_spawn);

	shim_init();
	/* /proc/<vpid>/...: the image the kernel would find natively, as
	 * exec.c; first, because the kernel opens the file before it reads
	 * argv and envp (a missing one is ENOENT even with a bad envp).  A pid
	 * outside the tree becomes a /proc entry no process has, not an early
	 * ENOENT: glibc's posix_spawn reads argv in the caller before any
	 * child runs, and an unreadable argv is SIGSEGV there natively. */
	char procbuf[PATH_MAX];
	if (!shim_offline() && shim_user_str_ok(path) && shim_procpath_candidate(path)) {
		rc = shim_procpath(path, procbuf, sizeof(procbuf));
		if (rc == -ENOENT)
			path = "/proc/2147483647";
		else if (rc < 0)
			return -rc;
		else
			path = procbuf;
	}
	/* The shim reads path and envp (image scan, environment copy): when
	 * the kernel could not, the real spawn reports it (EFAULT from its
	 * child's exec; posix_spawnp's child meets a bad name itself) and
	 * nothing reached the model. */
	if (shim_offline() || !shim_user_str_ok(path) || !shim_user_exec_ok(NULL, argv, envp)) {
		rc = fn(&rpid, path, fa, attrp, argv, envp);
		if (rc == 0 && shim_mode() == SHIM_MODE_LOST && !shim_guarded())
			shim_child_add(rpid, rpid);
		if (rc == 0 && pid != NULL)
			*pid = rpid;
		return rc;
	}
	if (attr != NULL) {
		posix_spawnattr_getflags(attr, &flags);
		if (flags & POSIX_SPAWN_SETPGROUP) {
			fork_flags |= PROTO_FORK_SETPGROUP;
			posix_spawnattr_getpgroup(attr, &pgid);
			/* What the child's setpgid would answer natively, before
			 * anything else: a negative group is EINVAL, one beyond
			 * any pid exists in no session (EPERM). */
			if (pgid < 0)
				return EINVAL;
			if (pgid > PROTO_PID_MAX)
				return EPERM;
		}
		if (flags & POSIX_SPAWN_SETSID)
			fork_flags |= PROTO_FORK_SETSID;
	}
	/* Without SETPGROUP/SETSID the child's id comes from the shared
	 * counter like a fork's (no round trip); with them the model must
	 * apply them before the child can run, so FORK asks. */
	bool counted = false;
	if (fork_flags == 0) {
		vpid = shim_fork_counted_unlocked();
		counted = vpid > 0;
	}
	pid_t rpgid = 0;
	rc = counted ? 0 : shim_fork_reserve(fork_flags, pgid, &vpid, &rpgid);
	if (rc == 1) {
		/* Supervisor lost just now: the real spawn, flags and all. */
		rc = fn(&rpid, path, fa, attrp, argv, envp);
		if (rc == 0 && pid != NULL)
			*pid = rpid;
		return rc;
	}
	if (rc < 0)
		return -rc;
	if (fork_flags != 0) {
		/* The real mirror: a new group (SETSID, or SETPGROUP 0) is
		 * the child's own; joining one needs its real id. */
		bool sid = (fork_flags & PROTO_FORK_SETSID) != 0;
		bool own = pgid == 0;
		short real_flags = (short)(flags & ~POSIX_SPAWN_SETPGROUP);
		copy = *attr;
		/* SETSID stays: a real session (ids.c); SETPGROUP after it would
		 * fail natively too (the model answered already). */
		if (!sid && (own || rpgid > 0)) {
			real_flags |= POSIX_SPAWN_SETPGROUP;
			posix_spawnattr_setpgroup(&copy, own ? 0 : rpgid);
		}
		posix_spawnattr_setflags(&copy, real_flags);
		attr = &copy;
	}
	pid_t self[4] = { vpid, 0, shim_self_vpid(), shim_sys_getpid() };
	char found[4096];
	const char *file = search ? shim_exec_search(path, found, sizeof(found)) : path;
	/* A relative path after a chdir among the file actions is another
	 * file than ours (spawnfa.c): not scanned. */
	enum shim_image kind = file != NULL && (file[0] == '/' || !shim_spawnfa_moves(fa))
				       ? shim_image_kind(file)
				       : SHIM_IMAGE_KEEP;
	/* Reading the image was refused (a fanotify permission listener):
	 * so would the child's exec be, and with our scan answered in its
	 * place, the exec might wait for an answer that never comes
	 * (elfscan.c).  The spawn fails as natively, with no child. */
	int denied = kind == SHIM_IMAGE_DENIED ? errno : 0;
	if (denied != 0)
		kind = SHIM_IMAGE_KEEP;
	/* Its descriptor 1 set by a file action may be a cgroup pid file
	 * (cgwrite.c): the parent's own, which elfscan.c looked at, says
	 * nothing then. */
	if (kind == SHIM_IMAGE_PLAIN && shim_spawnfa_sets_stdout(fa))
		kind = SHIM_IMAGE_KEEP;
	/* Our variables put back: the shim takes them out again (exec.c). */
	if (kind == SHIM_IMAGE_PLAIN && (envp == NULL || shim_env_lacks_ours(envp)))
		kind = SHIM_IMAGE_KEEP;
	if (envp != NULL && shim_exec_lists_only(kind, file, argv, envp))
		kind = SHIM_IMAGE_PLAIN; /* ldd's way: it only lists (exec.c) */
	/* Inside a root the shim cannot be loaded from (chroot.c): not
	 * preloaded, so that the loader prints no error; the image runs
	 * unfiltered (its trampoline is out of reach too). */
	bool plain = kind == SHIM_IMAGE_PLAIN || (shim_root_fd1 != 0 && !shim_root_reachable());
	/* A static, musl or Go image needs the seccomp filter, which only our
	 * exec wrapper installs: spawn the trampoline, which execs it. */
	char tramp[PATH_MAX];
	char **targv = NULL;
	const char *note = file != NULL ? file : path; /* the image, for the trace */
	struct shim_fdroom fdroom = {.raised = false};
	char tramp0[64];
	if ((kind == SHIM_IMAGE_ALONE || kind == SHIM_IMAGE_RAW) && argv != NULL &&
	    spawn_tramp(tramp, sizeof(tramp), file, argv, &targv) == 0) {
		fn = REAL(posix_spawn);
		path = tramp;
		argv = targv;
		if (table_full() && shim_fdroom_raise(&fdroom)) {
			snprintf(tramp0, sizeof(tramp0), "jobshim-exec:nofile=%llu",
				 (unsigned long long)fdroom.saved.rlim_cur);
			targv[0] = tramp0;
		}
	}
	char *const *envv = envp != NULL ? envp : (char *const[]){ NULL };
	size_t need = shim_envbuf_need(envv);
	void *room = need <= SHIM_ENVBUF_ROOM_MAX ? __builtin_alloca(need) : NULL;
	if (shim_envbuf_make_for(&eb, envv, self, plain, room, need) == 0)
		env = eb.env;
	int marker = shim_forking_begin(vpid, self[3]); /* for a tracer (ptrace.c) */
	uint32_t gkill = shim_gkill_seen();
	rc = denied != 0 ? denied : fn(&rpid, path, fa, attr, argv, env);
	shim_fdroom_restore(&fdroom);
	shim_forking_end(marker, rc == 0 ? rpid : -1);
	shim_envbuf_free(&eb);
	bool tramped = targv != NULL;
	free(targv);
	shim_fork_bind(vpid, rc == 0 ? rpid : 0, counted, gkill);
	/* The child's EXEC note, after its BIND, in a traced run: a spawn
	 * returns 0 only once its child has exec'd, inside glibc where no
	 * wrapper of ours notes it (the vfork parent writes its child's the
	 * same way, vfork.c).  A trampoline's own exec notes the image. */
	if (rc == 0 && vpid > 0 && !tramped && shim_traced())
		shim_event_exec_for(vpid, rpid, note, strnlen(note, PROTO_TEXT_EVT), shim_now_ns());
	shim_forking_release(marker);
	if (rc == 0 && pid != NULL)
		*pid = vpid;
	return rc;
}

SHIM_EXPORT int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
			    const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	int saved = errno, rc = shim_spawn(pid, path, fa, attr, argv, envp, false);

	shim_errno_keep(saved);
	return rc;
}

SHIM_EXPORT int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *fa,
			     const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	int saved = errno, rc = shim_spawn(pid, file, fa, attr, argv, envp, true);

	shim_errno_keep(saved);
	return rc;
}
