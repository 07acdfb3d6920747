/* t_groupkill_fork.c — kill(-pgid) of a group whose leader is forking: no member outlives it, as Linux makes a fork atomic with respect to group signals. */
#include "lib/itest.h"
#include "lib/heldfork.h"

#include <stdbool.h>

/*
 * Linux never lets a new member of a process group slip past a signal
 * sent to the group: one that comes while a member forks restarts the
 * fork or is given to the child as well.  Under jobshim a group kill goes
 * to the members the engine knows; a child is known from its parent's
 * BIND, after the real fork (after the exec for vfork).  The leader here
 * forks as fast as it can while main kills the group at a varying moment;
 * a member still alive once the leader is reaped (polled for up to 5 s)
 * is one that slipped past.  Before supervisor/gkill.c most rounds left
 * one (a SIGTERM to a forking leader: 26 of 30).
 *
 * The fork-loop case again with the kill sent from inside the group,
 * kill(0, SIGTERM) by a member: the shim sends that one for real before
 * its round trip (shim/kill.c, kill_own_group), and numbers it with an
 * event record written first, so that a child forked as it came is
 * still given it when its parent dies of it.
 *
 * The held cases stop the leader's fork in a pthread_atfork prepare
 * handler until the group's SIGTERM is pending (lib/heldfork.h): natively
 * the leader dies there, before its fork; under jobshim the child must be
 * given the signal when its parent dies of it (gkill_exit).
 * The kill from outside is the view's one real kill(-R): its note was
 * numbered for the sender's group, not the target's, and the child
 * outlived it in every round.
 *
 * The last case signals a group of 100 members at rest: its targets do
 * not fit one reply, and the second page was computed again after the
 * first page's members had died, which shifted the list and skipped live
 * ones (supervisor/ops.c, op_kill).
 */

enum how { FORK, VFORK_EXEC, AT_REST, HELD };


static void leader(enum how how, int n, int ready)
{
	for (int i = 0; i < n; i++) {
		pid_t c = how == VFORK_EXEC ? vfork() : fork();
		if (c == 0) {
			if (how == VFORK_EXEC) {
				execl("/bin/sleep", "sleep", "100", (char *)NULL);
				_exit(127);
			}
			pause();
			_exit(0);
		}
		if (c < 0)
			break;
	}
	if (ready >= 0 && write(ready, "R", 1) != 1)
		_exit(1);
	pause();
	_exit(0);
}

/* Is any member of group p left (a zombie is reaped by init at once)? */
static bool member_left(pid_t p)
{
	for (int ms = 0; ms < 5000; ms++) {
		if (kill(-p, 0) < 0 && errno == ESRCH)
			return false;
		usleep(1000);
	}
	return true;
}

static void run_case(const char *name, enum how how, int sig, int rounds, int n, bool from_inside)
{
	for (int r = 0; r < rounds; r++) {
		int ready[2];
		if (pipe(ready) < 0)
			it_die("pipe");
		pid_t p = fork();
		if (p < 0)
			it_die("fork");
		if (p == 0) {
			setpgid(0, 0);
			close(ready[0]);
			if (how == HELD)
				held_fork_arm(ready[1]);
			leader(how, n, how == AT_REST ? ready[1] : -1);
		}
		close(ready[1]);
		setpgid(p, p);
		if (how == AT_REST || how == HELD) {
			char c;
			if (read(ready[0], &c, 1) != 1)
				it_die("leader not ready");
			/* Once the supervisor has caught up, the kill from
			 * outside takes the view's path (shim/viewwrite.c). */
			if (how == HELD)
				usleep(20000);
		} else {
			usleep(200 + (useconds_t)(r * 97 % 1500)); /* somewhere in its forks */
		}
		close(ready[0]);
		if (from_inside) {
			pid_t k = fork();
			if (k < 0)
				it_die("fork");
			if (k == 0) {
				if (setpgid(0, p) < 0 || kill(0, sig) < 0)
					_exit(1);
				_exit(0);
			}
			int kst = it_reap(k);
			if (!WIFSIGNALED(kst) || WTERMSIG(kst) != sig) {
				it_out("%s: the killer %s", name, it_status(kst));
				kill(-p, SIGKILL);
				return;
			}
		} else if (kill(-p, sig) < 0) {
			it_die("kill");
		}
		int st = it_reap(p);
		if (!WIFSIGNALED(st) || WTERMSIG(st) != sig) {
			it_out("%s: the leader %s", name, it_status(st));
			kill(-p, SIGKILL);
			return;
		}
		if (member_left(p)) {
			it_out("%s: a member outlived the kill (round %d)", name, r);
			kill(-p, SIGKILL);
			member_left(p);
			return;
		}
	}
	it_out("%s: no member left, %d rounds", name, rounds);
}

int main(void)
{
	it_init();
	run_case("fork loop, SIGTERM", FORK, SIGTERM, 30, 60, false);
	run_case("fork loop, SIGKILL", FORK, SIGKILL, 30, 60, false);
	run_case("vfork+exec loop, SIGTERM", VFORK_EXEC, SIGTERM, 30, 40, false);
	run_case("fork loop, kill(0, SIGTERM) by a member", FORK, SIGTERM, 30, 60, true);
	run_case("fork held until the kill, SIGTERM", HELD, SIGTERM, 3, 1, false);
	run_case("fork held until the kill, kill(0, SIGTERM) by a member", HELD, SIGTERM, 3, 1, true);
	run_case("100 members at rest, SIGTERM", AT_REST, SIGTERM, 5, 100, false);
	return 0;
}
