/* t_unseen_reap.c — children reaped by waits no shim sees (glibc's wordexp, a raw wait4): gone for every call at once. */
#include "lib/itest.h"
#include "lib/rawsys.h"

#include <wordexp.h>

/*
 * glibc's wordexp runs a command substitution in /bin/sh, started and
 * reaped through its own internal calls.  The shell registers itself with
 * jobshim (it has the shim), and then nobody reported its reap: the model
 * kept it as the caller's zombie until the supervisor's sweep, and
 * getpgid(the shell's $$) answered for up to half a second, where Linux
 * says ESRCH once wordexp has returned (shim/wordexp.c settles now).
 *
 * A reap by a system call instruction of the program's own is the same
 * case with nothing to hook: a call about the child asks the supervisor,
 * which finds the kernel without the zombie (shim/ids.c, the view's
 * zombies; supervisor/procs.c, reap_unseen).
 */

static void probe(const char *what, pid_t pid)
{
	errno = 0;
	pid_t g = getpgid(pid);
	int eg = errno;
	errno = 0;
	pid_t s = getsid(pid);
	int es = errno;
	errno = 0;
	int k = kill(pid, 0), ek = errno;
	int st;
	errno = 0;
	pid_t w = waitpid(-1, &st, WNOHANG);
	int ew = errno;
	it_out("%s: getpgid %s, getsid %s, kill(pid, 0) %s, waitpid(-1, WNOHANG) %s", what,
	       g < 0 ? it_errname(eg) : "answered", s < 0 ? it_errname(es) : "answered",
	       k < 0 ? it_errname(ek) : "answered", w < 0 ? it_errname(ew) : w == 0 ? "0" : "a child");
}

int main(void)
{
	it_init();
	for (int r = 0; r < 3; r++) {
		wordexp_t we;
		int rc = wordexp("$(echo $$)", &we, 0);
		if (rc != 0 || we.we_wordc != 1)
			it_die("wordexp");
		pid_t sh = (pid_t)atoi(we.we_wordv[0]);
		wordfree(&we);
		it_out("wordexp: the shell's $$ %s", sh > 1 && sh != getpid() ? "is another process" : "is wrong");
		probe("wordexp's shell", sh);
	}
	for (int r = 0; r < 3; r++) {
		pid_t c = fork();
		if (c < 0)
			it_die("fork");
		if (c == 0)
			_exit(4);
		it_await_zombie(c);
		/* Through the supervisor: the model now has the zombie too. */
		it_out("kill(zombie child, SIGCONT) = %d", kill(c, SIGCONT));
		int st;
		long got = raw_syscall5(SYS_wait4, -1, (long)&st, 0, 0, 0);
		it_out("raw wait4: %s, %s", got > 0 ? "reaped" : "failed", it_status(st));
		probe("after the raw reap", c);
	}
	return 0;
}
