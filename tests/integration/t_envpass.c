/* t_envpass.c — a new image's environment is the one its program passed (`env -i`, Python's env={}): nothing of jobshim's in it. */
#include "lib/itest.h"

#include <spawn.h>

/*
 * Under jobshim the exec wrappers put LD_PRELOAD, JOBSHIM_SOCKET and
 * JOBSHIM_LIB back into an environment that lacks them, so that the new
 * image stays in the tree; the new image's shim takes out of its environ
 * what was put back (shim/env.c, SHIM_HIDE_*), as the program passed it.
 * An image that needs no shim gets it then (exec.c): printenv, run with
 * {A=B}, printed three variables more.  Each case prints what the new
 * image's environ holds, in order.
 */

extern char **environ;

/* The environ of this image, on one line. */
static void print_env(void)
{
	char line[4096];
	size_t n = 0;

	n += (size_t)snprintf(line + n, sizeof(line) - n, "[");
	for (char **e = environ; e != NULL && *e != NULL && n < sizeof(line) - 2; e++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, "%s%s", e == environ ? "" : ", ", *e);
	snprintf(line + n, sizeof(line) - n, "]\n");
	it_write_all(1, line, strlen(line));
}

static void child_modes(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--env") == 0) {
		print_env();
		_exit(0);
	}
	/* Exec again with environ as this image has it. */
	if (argc == 2 && strcmp(argv[1], "--reexec") == 0) {
		char *av[] = { argv[0], "--env", NULL };
		execve(argv[0], av, environ);
		it_die("execve");
	}
}

static void run(const char *what, int how, const char *path, char *arg, char *const env[])
{
	char *av[] = { (char *)path, arg, NULL };
	int st;
	pid_t p;

	it_out("%s:", what);
	if (how == 2) {
		int rc = posix_spawn(&p, path, NULL, NULL, av, env);
		if (rc != 0) {
			it_out("  posix_spawn: %s", it_errname(rc));
			return;
		}
	} else {
		p = how == 1 ? vfork() : fork();
		if (p < 0)
			it_die("fork");
		if (p == 0) {
			execve(path, av, env);
			_exit(127);
		}
	}
	if (waitpid(p, &st, 0) != p || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		it_out("  ended: %s", it_status(st));
}

int main(int argc, char **argv)
{
	child_modes(argc, argv);
	it_init();
	const char *self = it_self_exe();
	char *none[] = { NULL }, *ab[] = { "A=B", NULL }, *ab_pre[] = { "A=B", "LD_PRELOAD=", NULL };

	run("execve, env {}", 0, self, "--env", none);
	run("execve, env {A=B}", 0, self, "--env", ab);
	run("execve, env {A=B}, which execs with its environ", 0, self, "--reexec", ab);
	run("execve, env {A=B, LD_PRELOAD=}", 0, self, "--env", ab_pre);
	run("vfork + execve, env {A=B}", 1, self, "--env", ab);
	run("posix_spawn, env {}", 2, self, "--env", none);
	run("posix_spawn, env {A=B}", 2, self, "--env", ab);
	/* An image that needs no shim (it makes no process call). */
	run("execve printenv, env {A=B}", 0, "/usr/bin/printenv", NULL, ab);
	run("posix_spawn printenv, env {A=B}", 2, "/usr/bin/printenv", NULL, ab);
	run("execve printenv, env {}", 0, "/usr/bin/printenv", NULL, none);
	return 0;
}
