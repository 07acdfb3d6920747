/* shim_getpid_loop.c — calls getpid N times (strace shows whether the shim makes system calls). */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000;
	pid_t first = getpid(), p = first;

	for (long i = 0; i < n; i++)
		p ^= getpid();
	printf("%d %d\n", (int)first, (int)(p != first || n % 2 == 0));
	return 0;
}
