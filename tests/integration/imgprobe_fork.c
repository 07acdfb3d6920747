/* imgprobe_fork.c — imgprobe with a launcher: imports fork, vfork and posix_spawn (keeps the shim).
 *
 *   imgprobe_fork                 print "shim" or "plain" for itself
 *   imgprobe_fork MODE... -- PATH run PATH once per MODE (fork, vfork, spawn),
 *                                 one after the other; exit 1 when one fails */
#define PROBE_LAUNCHER
#include "imgprobe.c"

#include <spawn.h>
#include <sys/wait.h>

extern char **environ;

static pid_t launch(const char *mode, char *const argv[])
{
	pid_t pid = -1;

	if (strcmp(mode, "fork") == 0) {
		pid = fork();
		if (pid == 0) {
			execv(argv[0], argv);
			_exit(127);
		}
	} else if (strcmp(mode, "vfork") == 0) {
		pid = vfork();
		if (pid == 0) {
			execv(argv[0], argv);
			_exit(127);
		}
	} else if (strcmp(mode, "spawn") == 0) {
		if (posix_spawn(&pid, argv[0], NULL, NULL, argv, environ) != 0)
			pid = -1;
	}
	return pid;
}

int main(int argc, char **argv)
{
	int i, st, bad = 0;

	if (argc == 1)
		return probe();
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		;
	if (i + 1 >= argc) {
		fprintf(stderr, "usage: imgprobe_fork [MODE... -- PATH]\n");
		return 2;
	}
	for (int m = 1; m < i; m++) {
		fflush(stdout);
		pid_t pid = launch(argv[m], argv + i + 1);
		if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			bad = 1;
	}
	return bad;
}
