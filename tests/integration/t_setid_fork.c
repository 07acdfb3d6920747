/* t_setid_fork.c — a set-group-id image's forked daemon, named by the pid its fork returned, can be signalled (eval $(ssh-agent -s); kill $SSH_AGENT_PID). */
#include "lib/itest.h"

#include <dirent.h>
#include <stdbool.h>
#include <grp.h>
#include <libgen.h>
#include <sys/stat.h>

/* The daemon as ps finds it: processes in the /proc listing named like
 * our copy, and how many of them lead their own session. */
static void listed(int *named, int *leaders)
{
	DIR *d = opendir("/proc");
	struct dirent *de;

	*named = *leaders = 0;
	while (d && (de = readdir(d)) != NULL) {
		char path[300], buf[512], *close_paren;
		int pid, sid;
		FILE *f;
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		bool ok = fgets(buf, sizeof(buf), f) != NULL;
		fclose(f);
		close_paren = ok ? strrchr(buf, ')') : NULL;
		if (!close_paren || strncmp(strchr(buf, '(') + 1, "setid-fork", 10) != 0 ||
		    sscanf(buf, "%d", &pid) != 1 || sscanf(close_paren + 2, "%*c %*d %*d %d", &sid) != 1)
			continue;
		(*named)++;
		*leaders += sid == pid;
	}
	if (d)
		closedir(d);
}

/*
 * git's t7528 and many CI jobs: ssh-agent (set-group-id _ssh on Debian)
 * forks its daemon, which calls setsid, and prints the pid its fork
 * returned; the shell later kills that pid.  A set-id image runs without
 * the preload (the loader's secure mode drops it) and its libc's calls
 * pass the seccomp filter, so under jobshim that pid is the daemon's real
 * one: the kill must still reach it (supervisor/ops.c, unnumbered), and
 * ps finds the daemon in a session of its own, as natively (procs.c,
 * procs_adopt_orphans).  Here the image is
 * a set-group-id copy of this program; root only (a set-group-id file of
 * another group), and on a file system without nosuid.
 */

static void agent(void)
{
	int ready[2];
	char b;

	if (pipe(ready) != 0)
		it_die("pipe");
	pid_t c = fork();
	if (c < 0)
		it_die("fork");
	if (c == 0) {
		setsid();
		close(1);
		close(ready[0]);
		close(ready[1]); /* after setsid: the parent reads EOF */
		for (int i = 0; i < 600; i++) /* a hang guard: 60 s */
			usleep(100000);
		_exit(0);
	}
	close(ready[1]);
	while (read(ready[0], &b, 1) < 0 && errno == EINTR)
		;
	printf("%d %d\n", (int)c, getegid() != getgid());
	exit(0);
}

int main(int argc, char **argv)
{
	char dir[PATH_MAX], copy[PATH_MAX + 16], line[64];
	struct group *g = getgrnam("nogroup");
	gid_t gid = g ? g->gr_gid : 1;
	int fds[2], setid = 0, st;
	pid_t pid = 0;

	if (argc == 2 && strcmp(argv[1], "--agent") == 0)
		agent();
	it_init();
	if (geteuid() != 0) {
		it_out("not root: no set-group-id file of another group");
		return 0;
	}
	/* Beside this program (the build tree): /tmp may be nosuid. */
	snprintf(dir, sizeof(dir), "%s", it_self_exe());
	snprintf(copy, sizeof(copy), "%s/setid-fork.%d", dirname(dir), (int)getpid());
	it_copy_exe(it_self_exe(), copy);
	if (chown(copy, (uid_t)-1, gid) != 0 || chmod(copy, 02755) != 0)
		it_die("chown/chmod the copy");

	if (pipe(fds) != 0)
		it_die("pipe");
	pid_t p = it_fork("agent");
	if (p == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		execl(copy, copy, "--agent", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	ssize_t n = read(fds[0], line, sizeof(line) - 1);
	close(fds[0]);
	st = it_reap(p);
	unlink(copy);
	if (n <= 0 || sscanf((line[n] = '\0', line), "%d %d", &pid, &setid) != 2 || pid <= 1)
		it_die("read the daemon's pid");
	it_out("the image: %s; it ran with another group: %s", it_status(st), setid ? "yes" : "no");
	int named, leaders;
	listed(&named, &leaders);
	it_out("in the /proc listing: %d named like it, %d leading its own session", named, leaders);

	IT_RC("kill(daemon, 0)", kill(pid, 0));
	IT_RC("kill(daemon, SIGTERM)", kill(pid, SIGTERM));
	int i;
	for (i = 0; i < 1000 && kill(pid, 0) == 0; i++) /* a hang guard: 10 s */
		usleep(10000);
	it_out("the daemon is gone: %s", i < 1000 ? "yes" : "no");
	IT_RC("kill(daemon, 0) after", kill(pid, 0));
	return 0;
}
