/* t_killall_fork.c — kill(-1, SIGKILL) while a process forks: nothing outlives it but the caller and init, as Linux makes a fork atomic with respect to kill(-1). */
#include "lib/itest.h"
#include "lib/heldfork.h"
#include "lib/privns.h"

#include <poll.h>
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
 * prepare handler until kill(-1, SIGTERM) is pending (lib/heldfork.h).
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

/* One round: a leader forking (n children; held: its first fork waits
 * for the signal), kill(-1, sig) from main; false when something
 * outlived it (said). */
static bool round_ok(int r, int sig, bool held)
{
	int alive[2], ready[2] = { -1, -1 };
	char c;

	if (pipe(alive) < 0 || (held && pipe(ready) < 0))
		it_die("pipe");
	pid_t p = fork();
	if (p < 0)
		it_die("fork");
	if (p == 0) {
		close(alive[0]);
		setpgid(0, 0);
		if (held) {
			close(ready[0]);
			held_fork_arm(ready[1]);
		}
		leader(held ? 1 : 60);
	}
	close(alive[1]);
	if (held) {
		close(ready[1]);
		if (read(ready[0], &c, 1) != 1)
			it_die("leader not ready");
		close(ready[0]);
	} else {
		usleep(200 + (useconds_t)(r * 97 % 1500)); /* somewhere in its forks */
	}
	if (kill(-1, sig) < 0)
		it_die("kill(-1)");
	int st = it_reap(p);
	if (!WIFSIGNALED(st) || WTERMSIG(st) != sig) {
		it_out("%sthe leader %s", held ? "held: " : "", it_status(st));
		return false;
	}
	if (!all_gone(alive[0])) {
		it_out("%sa process outlived kill(-1, %s) (round %d)", held ? "held: " : "", it_signame(sig), r);
		return false;
	}
	close(alive[0]);
	return true;
}

int main(void)
{
	it_init();
	if (!private_namespace()) {
		it_out("not in a private pid namespace of ours: kill(-1) not sent");
		return 0;
	}
	for (int r = 0; r < 30; r++)
		if (!round_ok(r, SIGKILL, false))
			return 0;
	it_out("kill(-1, SIGKILL) of a forking tree: nothing outlived it, 30 rounds");
	for (int r = 0; r < 3; r++)
		if (!round_ok(r, SIGTERM, true))
			return 0;
	it_out("kill(-1, SIGTERM) of a fork held until it came: nothing outlived it, 3 rounds");
	return 0;
}
