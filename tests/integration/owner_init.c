/* owner_init.c — SIGIO owned by group 1 (F_SETOWN(-1), F_SETOWN_EX): prog_owner_init.sh checks it stays inside the tree. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void)
{
	struct f_owner_ex ex = {F_OWNER_PGRP, 1};
	int sv[2];

	setvbuf(stdout, NULL, _IONBF, 0);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return 1;
	printf("F_SETOWN -1: %d\n", fcntl(sv[0], F_SETOWN, -1));
	printf("F_GETOWN: %d\n", fcntl(sv[0], F_GETOWN));
	if (fcntl(sv[0], F_SETFL, O_ASYNC | O_NONBLOCK) < 0 || write(sv[1], "x", 1) != 1)
		return 1;
	printf("F_SETOWN_EX group 1: %d\n", fcntl(sv[1], F_SETOWN_EX, &ex));
	ex.pid = 0;
	fcntl(sv[1], F_GETOWN_EX, &ex);
	printf("F_GETOWN_EX: type %d pid %d\n", ex.type, ex.pid);
	if (fcntl(sv[1], F_SETFL, O_ASYNC | O_NONBLOCK) < 0 || write(sv[0], "y", 1) != 1)
		return 1;
	usleep(200000);
	printf("alive\n");
	return 0;
}
