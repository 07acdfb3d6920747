/* t_execenv.c — exec with argv and envp strings spread over many pages: the kernel's EFAULT for the one it cannot read, wherever it sits, never a fault in the shim. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * The exec wrappers read every argv and envp string before the kernel does
 * (shim/uaccess.c proves each page readable first, remembering the pages
 * it proved in a set that starts over when full, and trusting the brk
 * heap below libc's break).  Each case forks a child that execs /bin/true
 * with the environment built here and reports exec's errno; the parent
 * prints what the child said and how it ended.  The environments have
 * their strings on more distinct pages than that set holds, each string
 * crossing a page boundary.
 */

enum { PAGES = 120 };

static char *area;     /* PAGES + 1 pages; the last one unmapped */
static char *env[PAGES + 2];

static void build(int npages)
{
	for (int i = 0; i < npages; i++) {
		char *s = area + (size_t)i * 4096 + 4093; /* "X=1" crosses into the next page */
		s[0] = (char)('A' + i % 26);
		s[1] = '=';
		s[2] = '1';
		s[3] = '\0';
		env[i] = s;
	}
	env[npages] = NULL;
}

static void run(const char *what, char **argv, char **envp)
{
	int pfd[2], st, err = 0;
	pid_t pid;

	if (pipe(pfd) < 0)
		_exit(2);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		execve("/bin/true", argv, envp);
		err = errno;
		if (write(pfd[1], &err, sizeof(err)) != sizeof(err))
			_exit(3);
		_exit(7);
	}
	close(pfd[1]);
	if (read(pfd[0], &err, sizeof(err)) != sizeof(err))
		err = 0;
	close(pfd[0]);
	if (waitpid(pid, &st, 0) != pid)
		_exit(2);
	printf("%s: %s, %s %d\n", what, err ? strerror(err) : "exec'd",
	       WIFEXITED(st) ? "exit" : "signal", WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
}

int main(void)
{
	char *argv[] = { "/bin/true", NULL };
	char *bad_argv[] = { "/bin/true", NULL, NULL };

	setvbuf(stdout, NULL, _IONBF, 0);
	area = mmap(NULL, (PAGES + 1) * 4096L, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED)
		return 2;
	/* The page after the last string's start: unmapped, so a string
	 * that runs into it cannot be read. */
	if (munmap(area + (size_t)PAGES * 4096, 4096) < 0)
		return 2;

	build(10);
	run("10 pages", argv, env);
	build(PAGES - 1);
	run("119 pages", argv, env);

	/* The last string runs into the unmapped page. */
	build(PAGES - 1);
	env[PAGES - 1] = area + (size_t)(PAGES - 1) * 4096 + 4093;
	memset(env[PAGES - 1], 'x', 3); /* no NUL before the unmapped page */
	env[PAGES] = NULL;
	run("119 pages, then a string into an unmapped page", argv, env);

	/* A pointer into the first page, halfway through. */
	build(PAGES - 1);
	env[PAGES / 2] = (char *)8;
	run("a string at address 8 among 119 pages", argv, env);

	/* The same in argv, after an environment that filled the set. */
	build(PAGES - 1);
	bad_argv[1] = area + (size_t)PAGES * 4096;
	run("an argv string on an unmapped page", bad_argv, env);

	/* Strings in the brk heap of a parent that forked many times (its
	 * children trust the heap below the break), then released. */
	char *heap = sbrk(64 * 4096);
	if (heap == (void *)-1)
		return 2;
	for (int i = 0; i < 64; i++) {
		char *s = heap + (size_t)i * 4096 + 100;
		strcpy(s, "H=heap");
		env[i] = s;
	}
	env[64] = NULL;
	for (int i = 0; i < 4; i++)
		run("heap strings", argv, env);
	if (sbrk(-32 * 4096) == (void *)-1)
		return 2;
	run("a heap string above the released break", argv, env);
	env[63] = NULL;
	env[32] = NULL;
	run("heap strings below the break", argv, env);
	return 0;
}
