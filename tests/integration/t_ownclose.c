/* t_ownclose.c — a program with its own close(): the shim must not call it (Chromium's crashpad handler deadlocked inside its own static initialisation). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * Chromium defines close() (base's ScopedFD ownership check), whose
 * function-local static is initialised under a guard; libc++'s guard
 * calls syscall(SYS_gettid).  In a freshly exec'd image that gettid was
 * the shim's first call, which connected to the supervisor and closed a
 * descriptor through the PLT -- the program's close again, waiting on the
 * guard its own thread held: chrome_crashpad_handler hung for good.  Here
 * the same shape in C: a lazily initialised close() that asks gettid under
 * a non-recursive lock, called first thing in an image exec'd with an
 * empty environment (as crashpad starts its handler: the image learns its
 * id from the supervisor then); alarm: a hang ends the test, not the suite.
 * The image opens its /proc/<pid>/stat, which the shim rewrites from the
 * real file: the program's close runs once, for the program's own call.
 */

static pthread_mutex_t guard = PTHREAD_MUTEX_INITIALIZER;
static int inited, calls, done[2];

/* The parent is held inside fork until the exec'd child is through: its
 * fork has not returned, so nobody has told the supervisor about the
 * child, and the new image must ask for its id itself. */
static void hold_parent(void)
{
	char c;

	if (read(done[0], &c, 1) != 1)
		_exit(1);
}

int close(int fd)
{
	if (!inited) {
		pthread_mutex_lock(&guard);
		if (!inited) {
			(void)syscall(SYS_gettid);
			inited = 1;
		}
		pthread_mutex_unlock(&guard);
	}
	calls++;
	return (int)syscall(SYS_close, fd);
}

int main(int argc, char **argv)
{
	if (argc > 1) {
		char path[64];
		int fd, rc;

		alarm(20);
		/* the shim rewrites this file from the real one, which it closes */
		snprintf(path, sizeof(path), "/proc/%d/stat", (int)getpid());
		fd = open(path, O_RDONLY);
		rc = close(fd);
		printf("exec'd image: close: %d, own close called %d time(s)\n", rc, calls);
		fflush(stdout);
		if (write(atoi(argv[1]), "d", 1) != 1)
			return 1;
		return 0;
	}
	char num[16];
	if (pipe(done) < 0)
		return 1;
	snprintf(num, sizeof(num), "%d", done[1]);
	pthread_atfork(NULL, hold_parent, NULL);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		char *no_env[] = {NULL};
		execle("/proc/self/exe", argv[0], num, (char *)NULL, no_env);
		_exit(127);
	}
	int st;
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return 1;
	printf("child: %s %d\n", WIFEXITED(st) ? "exit" : "signal", WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
	return 0;
}
