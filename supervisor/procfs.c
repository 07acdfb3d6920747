/* procfs.c — the start-up check that /proc is ours: our pid namespace's, every process of the tree visible. */
#include "sup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * The supervisor finds the tree's processes in /proc (children files,
 * parents, process groups, stopped states) and signals what it finds.  A
 * /proc of another pid namespace (`unshare --pid --fork` without
 * --mount-proc) names other processes by the same numbers: jobshim would
 * lose its command and tear down processes of the outer namespace.  A
 * /proc mounted with hidepid hides processes jobshim may not ptrace, and
 * a tree it cannot see it cannot tear down.  Neither can be worked around
 * with the information left, so jobshim refuses to start (exit 125) and
 * says how to get a /proc of its own.  The checked /proc stays open
 * (sysio_set_proc): a /proc mounted over it later changes nothing.
 */

#define PROCFS_SUPER_MAGIC 0x9fa0 /* PROC_SUPER_MAGIC, linux/magic.h */

static const char procfs_fix[] =
	"jobshim: give jobshim a /proc of its own pid namespace, e.g. start it with\n"
	"jobshim:   unshare --pid --fork --mount-proc jobshim run ...\n"
	"jobshim: (add --user --map-root-user when not root)\n";

/* The hidepid= mount option of the /proc mount, "" when none or off. */
static void hidepid_option(int dirfd, char *val, size_t len)
{
	char line[4096];
	FILE *f;
	int fd = openat(dirfd, "self/mountinfo", O_RDONLY | O_CLOEXEC);

	val[0] = '\0';
	if (fd < 0 || !(f = fdopen(fd, "r"))) {
		if (fd >= 0)
			close(fd);
		return;
	}
	/* "36 25 0:5 / /proc rw,... shared:13 - proc proc rw,hidepid=2": the
	 * last mount at /proc is the one that path resolves to. */
	while (fgets(line, sizeof(line), f)) {
		char mnt[256], *sep, *opt;

		if (sscanf(line, "%*d %*d %*s %*s %255s", mnt) != 1 || strcmp(mnt, "/proc") != 0 ||
		    !(sep = strstr(line, " - ")) || strncmp(sep, " - proc ", 8) != 0)
			continue;
		val[0] = '\0';
		opt = strstr(sep, "hidepid=");
		if (opt) {
			size_t n = strcspn(opt + 8, ", \n");
			snprintf(val, len, "%.*s", (int)n, opt + 8);
			if (strcmp(val, "0") == 0 || strcmp(val, "off") == 0)
				val[0] = '\0';
		}
	}
	fclose(f);
}

/* Can we see a process of the tree that hidepid would hide from us: our
 * own child made non-dumpable (as setuid programs and ssh-agent are)?
 * Its pid comes from fork, never from /proc; it exits when the pipe
 * closes, and is reaped here. */
static bool probe_visible(int dirfd)
{
	int go[2], hold[2];
	char c = 0, path[64];
	bool seen = false;
	pid_t pid;
	int fd;

	if (pipe2(go, O_CLOEXEC) < 0)
		return false;
	if (pipe2(hold, O_CLOEXEC) < 0) {
		close(go[0]);
		close(go[1]);
		return false;
	}
	pid = fork();
	if (pid == 0) {
		close(go[0]);
		close(hold[1]);
		prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
		while (write(go[1], &c, 1) < 0 && errno == EINTR)
			;
		while (read(hold[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(go[1]);
	close(hold[0]);
	if (pid > 0) {
		ssize_t n;

		do
			n = read(go[0], &c, 1);
		while (n < 0 && errno == EINTR);
		snprintf(path, sizeof(path), "%d/stat", (int)pid);
		fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			char buf[512];
			seen = n == 1 && read(fd, buf, sizeof(buf)) > 0;
			close(fd);
		}
	}
	close(hold[1]);
	close(go[0]);
	if (pid > 0)
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	return seen;
}

int procfs_check(void)
{
	char self[32], hide[32];
	struct statfs sf;
	ssize_t n;
	int dirfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (dirfd < 0 || fstatfs(dirfd, &sf) < 0 || sf.f_type != PROCFS_SUPER_MAGIC) {
		fprintf(stderr, "jobshim: /proc is not mounted%s%s: jobshim finds the processes of its tree there\n",
			dirfd < 0 ? ": " : " (not a proc file system there)", dirfd < 0 ? strerror(errno) : "");
		fputs(procfs_fix, stderr);
		if (dirfd >= 0)
			close(dirfd);
		return -1;
	}
	n = readlinkat(dirfd, "self", self, sizeof(self) - 1);
	if (n > 0)
		self[n] = '\0';
	if (n <= 0 || strtol(self, NULL, 10) != (long)getpid()) {
		fprintf(stderr,
			"jobshim: /proc belongs to another pid namespace (/proc/self is %s, our pid is %d):\n"
			"jobshim: the pids it lists are not ours, so jobshim would watch and signal the wrong processes\n",
			n > 0 ? self : "missing", (int)getpid());
		fputs(procfs_fix, stderr);
		close(dirfd);
		return -1;
	}
	hidepid_option(dirfd, hide, sizeof(hide));
	if (hide[0] && !probe_visible(dirfd)) {
		fprintf(stderr,
			"jobshim: /proc is mounted with hidepid=%s and hides processes from jobshim (uid %d):\n"
			"jobshim: a process of the tree it cannot see it cannot tear down\n",
			hide, (int)geteuid());
		fputs(procfs_fix, stderr);
		close(dirfd);
		return -1;
	}
	sysio_set_proc(dirfd);
	return 0;
}
