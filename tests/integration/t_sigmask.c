/* t_sigmask.c — calls that reach the supervisor never change the caller's signal mask, 32 and 33 included. */
#include <pthread.h>
#include <stdint.h>
#include <sys/syscall.h>

#include "lib/itest.h"

/*
 * Every interposed call that makes a round trip blocks signals for its
 * length and restores the mask after.  glibc's sigprocmask never lets a
 * program block 32 and 33 (its cancellation and set*id signals), but the
 * raw system call does, and a program that did so must find them blocked
 * all along: a 32 it sent itself stays pending (its default action would
 * end the process), and the mask reads back exactly as it was set.
 */

static uint64_t raw_mask(int how, uint64_t set)
{
	uint64_t old = 0;
	syscall(SYS_rt_sigprocmask, how, how < 0 ? NULL : &set, &old, 8);
	return old;
}

static uint64_t raw_pending(void)
{
	uint64_t p = 0;
	syscall(SYS_rt_sigpending, &p, 8);
	return p;
}

#define BIT(sig) (1ull << ((sig) - 1))

/* Calls that reach the supervisor (the model must hear of them). */
static void round_trips(pid_t me)
{
	for (int i = 0; i < 3; i++) {
		setpgid(0, 0);
		getpgid(me);
		getsid(0);
		kill(me, 0);
		pid_t c = fork();
		if (c == 0)
			_exit(0);
		waitpid(c, NULL, 0);
	}
}

static void masks(pid_t me)
{
	it_out("-- masks");
	const uint64_t sets[] = { BIT(32) | BIT(33), BIT(32) | BIT(SIGUSR1) | BIT(40),
				  BIT(33), 0 };
	for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++) {
		raw_mask(SIG_SETMASK, sets[i]);
		round_trips(me);
		uint64_t now = raw_mask(-1, 0);
		it_out("mask %#llx: after the calls %s", (unsigned long long)sets[i],
		       now == sets[i] ? "unchanged" : "CHANGED");
	}
	/* A pending 32, blocked: must stay pending (unblocked, it kills).
	 * Its default action set first with the raw call: glibc may have
	 * installed its own handler for 32 (the parent ran a thread). */
	struct { void *handler; unsigned long flags; void *restorer; uint64_t mask; } dfl = { SIG_DFL, 0, NULL, 0 };
	syscall(SYS_rt_sigaction, 32, &dfl, NULL, 8);
	raw_mask(SIG_SETMASK, BIT(32) | BIT(33));
	syscall(SYS_kill, me, 32);
	round_trips(me);
	it_out("32 blocked and pending: alive, still pending: %s",
	       (raw_pending() & BIT(32)) ? "yes" : "no");
	raw_mask(SIG_SETMASK, 0);
	it_out("not reached: 32 was unblocked");
}

/* set*id from one thread while another makes round trips: glibc signals
 * every thread (33) and waits for each to run its handler. */
static volatile int stop_trips;

static void *tripper(void *arg)
{
	pid_t me = *(pid_t *)arg;
	while (!stop_trips) {
		setpgid(0, 0);
		getpgid(me);
		kill(me, 0);
	}
	return NULL;
}

static void setxid(pid_t me)
{
	it_out("-- set*id during round trips");
	pthread_t t;
	int ok = 0;
	if (pthread_create(&t, NULL, tripper, &me) != 0)
		it_die("pthread_create");
	for (int i = 0; i < 2000; i++)
		ok += setegid(getegid()) == 0 && setresuid(-1, -1, -1) == 0;
	stop_trips = 1;
	pthread_join(t, NULL);
	it_out("2000 setegid+setresuid: %d succeeded", ok);
}

int main(int argc, char **argv)
{
	it_child_modes(argc, argv);
	it_init();
	pid_t me = getpid();
	setxid(me);
	pid_t c = it_fork("m");
	if (c == 0) {
		masks(getpid());
		_exit(0);
	}
	int st = 0;
	waitpid(c, &st, 0);
	it_out("m: %s", it_status(st));
	return 0;
}
