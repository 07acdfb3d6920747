/* t_killall_gone.c — kill(-1, sig) just after a child vanished (reaped by the kernel, SIGCHLD ignored): the other processes answer, the gone one does not. */
#include "lib/itest.h"
#include "lib/privns.h"

/*
 * Linux walks the processes that exist when kill(-1) is sent and answers
 * with the last one's result (not counting EPERM).  Under jobshim the
 * targets come from the model, which learns of an exit the kernel reaped
 * on its own (the parent ignores SIGCHLD) up to 20 ms late: the gone
 * child was still listed, last since it was the newest, and its real
 * kill's ESRCH became the answer although the older child took the
 * signal (47 of 50 calls failed).  core/killtally.h: a gone target is
 * none.
 *
 * kill(-1) is sent only inside a private pid namespace of ours.
 */

int main(void)
{
	int rounds = 20, failed0 = 0, failedcont = 0, err = 0;

	it_init();
	if (!private_namespace()) {
		it_out("not in a private pid namespace of ours: kill(-1) not sent");
		return 0;
	}
	signal(SIGCHLD, SIG_IGN);
	pid_t older = fork();
	if (older < 0)
		it_die("fork");
	if (older == 0) {
		for (;;)
			pause();
	}
	for (int r = 0; r < rounds; r++) {
		struct it_chan c = it_chan();
		char b;
		pid_t gone = fork();
		if (gone < 0)
			it_die("fork");
		if (gone == 0)
			_exit(0);
		close(c.w);
		/* End of file: it has exited; the kernel reaps it at once. */
		while (read(c.r, &b, 1) < 0 && errno == EINTR)
			;
		close(c.r);
		usleep(1000);
		if (kill(-1, 0) < 0) {
			failed0++;
			err = errno;
		}
		if (kill(-1, SIGCONT) < 0) {
			failedcont++;
			err = errno;
		}
	}
	it_out("kill(-1, 0) after a child vanished: %d of %d failed%s%s", failed0, rounds,
	       failed0 ? " with " : "", failed0 ? it_errname(err) : "");
	it_out("kill(-1, SIGCONT) after a child vanished: %d of %d failed%s%s", failedcont, rounds,
	       failedcont ? " with " : "", failedcont ? it_errname(err) : "");
	kill(older, SIGKILL);
	it_out("the older child got SIGKILL: %s", it_await_gone(older) ? "gone" : "still there");
	return 0;
}
