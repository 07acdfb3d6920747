/* jobshim-exec.c — `jobshim-exec PATH ARGV0 ARGS...`: exec PATH with the rest as its argv, from a preloaded image. */

/*
 * posix_spawn execs inside glibc, where the shim cannot install the seccomp
 * filter that a static, musl or Go image needs (shim/seccomp.c).  For such
 * an image the shim's posix_spawn (shim/spawn.c) spawns this program
 * instead: it is dynamic, so it runs with the shim preloaded, and its
 * execv goes through the shim's exec wrapper, which installs the filter
 * first.  It must change nothing else: no signal, fd or id is touched, so
 * the image starts with everything the spawn attributes and file actions
 * made.  Installed beside libjobshim.so, where the shim looks for it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: jobshim-exec PATH ARGV0 [ARG...] (used by jobshim's posix_spawn)\n");
		return 2;
	}
	/* Spawned from a full descriptor table, with the soft limit raised so
	 * that the loader could open our libraries (shim/spawn.c): the
	 * program's limit back before the image starts. */
	const char *lim = strstr(argv[0], ":nofile=");
	struct rlimit rl;
	if (lim != NULL && getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = (rlim_t)strtoull(lim + 8, NULL, 10);
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	execv(argv[1], argv + 2);
	/* The shim checked the file before choosing this way, so this is a race
	 * (the file changed): say so, and exit as a shell does for an exec
	 * failure. */
	fprintf(stderr, "jobshim-exec: %s: %s\n", argv[1], strerror(errno));
	return errno == ENOENT ? 127 : 126;
}
