/* native_init.c — the native reference launcher: what `jobshim run` is, minus the virtualization. */

/*
 * native_init PROG ARGS...
 *
 * Plays vpid 1 for a native run so that the expected output is the Linux
 * truth for the same shape of tree: it is a child subreaper (orphans of the
 * tree are reparented to it, as they are to vpid 1 under jobshim; in a
 * private pid namespace it is pid 1 anyway), it starts PROG as the leader of
 * a new session (jobshim's command is session 2, group 2), reaps everything,
 * kills by pid the children left when PROG is gone (jobshim tears leftovers
 * down too) and exits with PROG's status (128+N when killed by signal N).
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

/* SIGKILL each current child, found in /proc/self/task/<tid>/children.
 * They are our unreaped children, so their pids cannot have been reused. */
static int kill_children(void)
{
	int killed = 0;
	DIR *d = opendir("/proc/self/task");
	if (!d)
		return 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char path[300];
		snprintf(path, sizeof path, "/proc/self/task/%s/children", e->d_name);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		int pid;
		while (fscanf(f, "%d", &pid) == 1) {
			if (kill(pid, SIGKILL) == 0)
				killed++;
		}
		fclose(f);
	}
	closedir(d);
	return killed;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: native_init PROG [ARGS...]\n");
		return 125;
	}
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
		perror("native_init: PR_SET_CHILD_SUBREAPER");
		return 125;
	}
	pid_t prog = fork();
	if (prog < 0) {
		perror("native_init: fork");
		return 125;
	}
	if (prog == 0) {
		if (setsid() < 0) {
			perror("native_init: setsid");
			_exit(125);
		}
		execvp(argv[1], argv + 1);
		perror("native_init: exec");
		_exit(errno == ENOENT ? 127 : 126);
	}
	int rc = 125, prog_done = 0;
	for (;;) {
		int st;
		pid_t w = wait(&st);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			break; /* ECHILD: the whole tree is gone */
		}
		if (w == prog) {
			prog_done = 1;
			rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		}
		if (w != prog && prog_done)
			fprintf(stderr, "native_init: leftover pid %d reaped\n", (int)w);
		if (prog_done)
			kill_children();
	}
	return rc;
}
