/* t_killall_fork.c — kill(-1, SIGKILL) while a process forks: nothing outlives it but the caller and init, as Linux makes a fork atomic with respect to kill(-1). */
#include "lib/itest.h"
#include "lib/privns.h"

#include <poll.h>
#include <pthread.h>
#include <stdbool.h>

/*
 * The companion of t_groupkill_fork for every process at once.  A leader
 * forks as fast as it can while main sends kill(-1, SIGKILL) at a varying
 * moment.  Every process of the round holds the write end of a pipe that
 * main reads: end of file once all of them are gone, whatever the model
 * knows of them (a child whose parent died before telling the supervisor
 * about it is unknown there).  Under jobshim a parent that died as its
 * fork returned left such a child alive (supervisor/gkill.c).
 *
 * The held rounds stop the leader's first fork in a pthread_atfork
 * prepare handler until kill(-1, SIGTERM) is pending: natively the
 * leader dies there, before its fork; under jobshim every signal is
 * blocked for the shim's bookkeeping, the fork goes on, and the child
 * must be given the signal (supervisor/gkill.c).
 *
 * kill(-1) reaches every process the caller may signal: this test sends
 * it only inside a private pid namespace whose init is ours (lib/privns.h),
 * else it prints a line that fails the test.
 */

static void leader(int n)
{
	for (int i = 0; i < n; i++) {
		pid_t c = fork();
		if (c == 0) {
			pause();
			_exit(0);
		}
		if (c < 0)
			break;
	}
	pause();
	_exit(0);
}

static int held_ready = -1;

/* The first fork waits here, with the pipe told, for SIGTERM to be
 * pending (never natively: it is delivered, and ends the leader). */
static void held_prepare(void)
{
	int fd = held_ready;
	sigset_t p;

	if (fd < 0)
		return;
	held_ready = -1;
	if (write(fd, "F", 1) != 1)
		_exit(1);
	close(fd);
	for (int ms = 0; ms < 10000; ms++) {
		if (sigpending(&p) == 0 && sigismember(&p, SIGTERM))
			return;
		usleep(1000);
	}
}

/* End of file on the pipe within 5 s: every holder is gone. */
static bool all_gone(int fd)
{
	char b;
	struct pollfd p = { .fd = fd, .events = POLLIN };

	for (int ms = 0; ms < 5000; ms += 10) {
		if (poll(&p, 1, 10) > 0 && read(fd, &b, 1) == 0)
			return true;
	}
	return false;
}

int main(void)
{
	it_init();
	if (!private_namespace()) {
		it_out("not in a private pid namespace of ours: kill(-1) not sent");
		return 0;
	}
	int rounds = 30;
	for (int r = 0; r < rounds; r++) {
		int alive[2];
		if (pipe(alive) < 0)
			it_die("pipe");
		pid_t p = fork();
		if (p < 0)
			it_die("fork");
		if (p == 0) {
			close(alive[0]);
			setpgid(0, 0);
			leader(60);
		}
		close(alive[1]);
		usleep(200 + (useconds_t)(r * 97 % 1500)); /* somewhere in its forks */
		if (kill(-1, SIGKILL) < 0)
			it_die("kill(-1)");
		int st = it_reap(p);
		if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGKILL) {
			it_out("the leader %s", it_status(st));
			return 0;
		}
		if (!all_gone(alive[0])) {
			it_out("a process outlived kill(-1, SIGKILL) (round %d)", r);
			return 0;
		}
		close(alive[0]);
	}
	it_out("kill(-1, SIGKILL) of a forking tree: nothing outlived it, %d rounds", rounds);
	for (int r = 0; r < 3; r++) {
		int alive[2], ready[2];
		char c;
		if (pipe(alive) < 0 || pipe(ready) < 0)
			it_die("pipe");
		pid_t p = fork();
		if (p < 0)
			it_die("fork");
		if (p == 0) {
			close(alive[0]);
			close(ready[0]);
			held_ready = ready[1];
			if (pthread_atfork(held_prepare, NULL, NULL) != 0)
				_exit(1);
			leader(1);
		}
		close(alive[1]);
		close(ready[1]);
		if (read(ready[0], &c, 1) != 1)
			it_die("leader not ready");
		close(ready[0]);
		if (kill(-1, SIGTERM) < 0)
			it_die("kill(-1)");
		int st = it_reap(p);
		if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGTERM) {
			it_out("held: the leader %s", it_status(st));
			return 0;
		}
		if (!all_gone(alive[0])) {
			it_out("held: a process outlived kill(-1, SIGTERM) (round %d)", r);
			return 0;
		}
		close(alive[0]);
	}
	it_out("kill(-1, SIGTERM) of a fork held until it came: nothing outlived it, 3 rounds");
	return 0;
}
