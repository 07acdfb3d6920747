/* launches.c — a tool's test program (prog_sanitizers.sh, prog_valgrind.sh):
 * with no argument, fork, vfork + exec, posix_spawn, system and setpgid,
 * then its ids and its children's in order; "leak" leaks 77 bytes,
 * "overflow" writes past an 8-byte block.  Compiled by each test with its
 * own flags. */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
extern char **environ;
static void *volatile sink;
/* The pointer leaves no copy on the live stack or in a register. */
__attribute__((noinline)) static void leak(void) { sink = malloc(77); sink = NULL; }
__attribute__((noinline)) static void scrub(void) { volatile char pad[4096]; memset((char *)pad, 0, sizeof pad); }
int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "leak") == 0) { leak(); scrub(); return 0; }
	if (argc > 1 && strcmp(argv[1], "overflow") == 0) {
		char *volatile p = malloc(8);
		p[8] = 1;
		free(p);
		return 0;
	}
	int st, st2, st3, r;
	pid_t c = fork(), v, s;
	if (c == 0)
		_exit(3);
	waitpid(c, &st, 0);
	v = vfork();
	if (v == 0) {
		execl("/bin/sh", "sh", "-c", "exit 4", (char *)0);
		_exit(127);
	}
	waitpid(v, &st2, 0);
	char *av[] = { "sh", "-c", "echo spawned by $PPID", 0 };
	posix_spawn(&s, "/bin/sh", 0, 0, av, environ);
	waitpid(s, &st3, 0);
	fflush(stdout);
	r = system("echo system $PPID");
	setpgid(0, 0);
	/* Natively a thread takes a number from the pids too (TSan starts
	 * one), virtual pids count processes only (README): the children's
	 * ids in order, and small (real pids under jobshim are 10000 and up). */
	printf("pid %d ppid %d pgrp %d children %s: %d %d %d system %d\n", getpid(), getppid(),
	       getpgrp(), c > 2 && c < v && v < s && s < 1000 ? "in order" : "out of order",
	       WEXITSTATUS(st), WEXITSTATUS(st2), WEXITSTATUS(st3), r);
	return 0;
}
