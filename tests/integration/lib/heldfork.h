/* heldfork.h — a fork held in its pthread_atfork prepare handler until SIGTERM is pending (t_groupkill_fork, t_killall_fork). */
#ifndef HELDFORK_H
#define HELDFORK_H

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

/*
 * Natively the prepare handler runs with the signal unblocked, so the
 * process dies there, before its fork; under jobshim the shim has blocked
 * every signal for its bookkeeping, the fork goes on, and the child must be
 * given the signal when its parent dies of it (supervisor/gkill.c).
 * held_fork_arm(fd): the next fork of this process writes one byte to fd
 * (then closed) and waits, up to 10 s, for SIGTERM to be pending.
 */

static int held_ready = -1;

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

static inline void held_fork_arm(int fd)
{
	held_ready = fd;
	if (pthread_atfork(held_prepare, NULL, NULL) != 0)
		_exit(1);
}

#endif
