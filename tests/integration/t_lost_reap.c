/* t_lost_reap.c — a child its parent reaped just before dying, unreported: gone for every call once the parent's exit is seen. */
#include "lib/itest.h"
#include "lib/rawsys.h"

/*
 * A parent that reaps a child and dies before it can tell jobshim (a
 * `kill -TERM -G` of a shell and the jobs it waits for: the signal is
 * delivered as the shell's wait returns, before its REAPED goes out) left
 * the child in the model: reparented to init as a zombie, or as a running
 * process whose exit came later, it stayed until the supervisor's sweep,
 * half a second on.  kill(-G, 0) of its group and getpgid(child) answered,
 * where Linux says ESRCH: the child was gone before its parent died, and
 * its parent's exit is seen by the time the grandparent's wait returns.
 * (node's child_process: kill(-pid) of a detached shell, then kill(-pid,
 * 0) when the shell's exit comes: "alive" under jobshim for 1-5 ms after
 * each such kill, and for 500 ms in 1 run of 5.)
 *
 * Here the parent reaps with a wait4 the shim never sees (a system call
 * instruction of its own), which makes the lost report certain; then it
 * exits.  Two orders: the child's exit reaches the supervisor before its
 * parent's (the parent sleeps 20 ms first), or after it (it exits at once).
 */

static void round_of(const char *how, int parent_sleep_us)
{
	int pfd[2], st;
	pid_t c = 0;

	if (pipe(pfd) != 0)
		it_die("pipe");
	pid_t m = fork();
	if (m < 0)
		it_die("fork");
	if (m == 0) {
		close(pfd[0]);
		c = fork();
		if (c < 0)
			_exit(100);
		if (c == 0) {
			setpgid(0, 0);
			_exit(7);
		}
		setpgid(c, c); /* the child's own group, named after it, both sides */
		if (write(pfd[1], &c, sizeof(c)) != (ssize_t)sizeof(c))
			_exit(101);
		/* The real reap, unseen by the shim: no REAPED. */
		long r = raw_syscall5(SYS_wait4, -1, (long)&st, 0, 0, 0);
		if (r <= 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 7)
			_exit(102);
		if (parent_sleep_us)
			usleep((useconds_t)parent_sleep_us);
		_exit(0);
	}
	close(pfd[1]);
	if (read(pfd[0], &c, sizeof(c)) != (ssize_t)sizeof(c))
		it_die("read child pid");
	close(pfd[0]);
	if (waitpid(m, &st, 0) != m)
		it_die("waitpid");
	it_out("%s: parent %s", how, it_status(st));
	errno = 0;
	int k = kill(c, 0), ek = errno;
	errno = 0;
	int g = kill(-c, 0), eg = errno;
	errno = 0;
	pid_t p = getpgid(c);
	int ep = errno;
	errno = 0;
	pid_t s = getsid(c);
	int es = errno;
	it_out("%s: kill(child, 0) %s, kill(-its group, 0) %s, getpgid %s, getsid %s", how,
	       k < 0 ? it_errname(ek) : "answered", g < 0 ? it_errname(eg) : "answered",
	       p < 0 ? it_errname(ep) : "answered", s < 0 ? it_errname(es) : "answered");
}

int main(void)
{
	it_init();
	for (int r = 0; r < 3; r++) {
		round_of("parent exits at once", 0);
		round_of("parent exits 20 ms later", 20000);
	}
	return 0;
}
