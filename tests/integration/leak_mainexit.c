/* leak_mainexit.c — a process whose main thread calls pthread_exit while another thread sleeps: alive, not dying (sup_leak.sh). */
#include <pthread.h>
#include <unistd.h>

static void *sleeper(void *arg)
{
	(void)arg;
	sleep(100);
	return NULL;
}

int main(void)
{
	pthread_t t;

	if (pthread_create(&t, NULL, sleeper, NULL) != 0)
		return 1;
	/* The main thread becomes a zombie in /proc (state Z) while the
	 * process lives on in the other thread. */
	pthread_exit(NULL);
}
