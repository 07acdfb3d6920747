/* drainorder.c DIR — a request is answered after the records its caller wrote before asking, even when a record of a stranger's child is being identified (sup_drainorder.sh). */
#include "../../core/proto.c"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/rawsys.h"

/*
 * The supervisor reads the event FIFO in batches of 1024 records.  A
 * record whose sender it does not know yet waits for the end of its
 * batch, and is then identified from the kernel's parent chain, which
 * handles what the sender's real ancestors have queued on their
 * connections (supervisor/clients.c, identify_counted).  A request found
 * there was answered at once, from a model without the records of the
 * next batch, still unread in the pipe: records its own caller wrote
 * before it asked.
 *
 * The order is laid out while the supervisor is stopped (the script
 * stops it once we print "ready" and creates DIR/stopped):
 *   1. 1023 records "I exist" from us, then one from a real child of
 *      ours (forked past the shim, so the model does not know it) that
 *      claims a vpid the counter handed out and nobody holds any more
 *      (a reaped child's): the last record of the first batch, its
 *      sender unknown;
 *   2. our fork of B, through the shim: its BIND is the first record of
 *      the second batch;
 *   3. getpgid(B): the view is not fresh (B's BIND is unread), so we ask.
 * The script continues the supervisor once we wait for the answer
 * ("asking", and our real pid in recvfrom).  Natively and under a
 * correct supervisor getpgid(B) is our own group; answered before B's
 * BIND it was ESRCH.
 */

static int dir_fd;

static void note(const char *what)
{
	int fd = openat(dir_fd, what, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd >= 0)
		close(fd);
}

static void await(const char *what)
{
	struct timespec ts = {0, 5 * 1000 * 1000};

	while (faccessat(dir_fd, what, F_OK, 0) != 0)
		nanosleep(&ts, NULL);
}

int main(int argc, char **argv)
{
	const char *sock = getenv("JOBSHIM_SOCKET");
	char path[512], *slash;
	struct proto_evt e;
	uint8_t rec[PROTO_EVT_SIZE];
	pid_t z, b, c, self_v, self_r, g;
	int st, ev;

	if (argc < 2 || (dir_fd = open(argv[1], O_RDONLY | O_DIRECTORY)) < 0) {
		fprintf(stderr, "usage: drainorder DIR\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	if (!sock || strlen(sock) >= sizeof(path)) {
		printf("not under jobshim\n");
		return 2;
	}
	strcpy(path, sock);
	if (!(slash = strrchr(path, '/')))
		return 2;
	snprintf(slash + 1, sizeof(path) - (size_t)(slash + 1 - path), "%s", PROTO_EVENTS_FILE);
	self_v = getpid();
	self_r = (pid_t)raw_syscall5(SYS_getpid, 0, 0, 0, 0, 0);
	/* A vpid handed out and free again: a child's, once reaped.  The
	 * getpgid after the reap asks (its REAPED makes the view stale), so
	 * the model has forgotten z before we go on. */
	z = fork();
	if (z == 0)
		_exit(0);
	if (z < 0 || waitpid(z, &st, 0) != z) {
		printf("fork/wait: %s\n", strerror(errno));
		return 1;
	}
	g = getpgid(z);
	printf("reaped child: getpgid %s\n", g < 0 && errno == ESRCH ? "ESRCH" : "found");
	c = (pid_t)raw_syscall5(SYS_fork, 0, 0, 0, 0, 0);
	if (c == 0) {
		for (;;)
			raw_syscall5(SYS_pause, 0, 0, 0, 0, 0);
	}
	if (c < 0) {
		printf("raw fork: %s\n", strerror((int)-c));
		return 1;
	}
	ev = open(path, O_WRONLY | O_CLOEXEC);
	if (ev < 0) {
		printf("open %s: %s\n", path, strerror(errno));
		raw_syscall5(SYS_kill, c, SIGKILL, 0, 0, 0);
		return 1;
	}
	printf("ready\n");
	await("stopped");
	memset(&e, 0, sizeof(e));
	e.op = PROTO_OP_HELLO;
	e.sender_v = self_v;
	e.sender_r = self_r;
	for (int i = 0; i < 1023; i++) {
		proto_pack_evt(&e, rec);
		if (write(ev, rec, sizeof(rec)) != (ssize_t)sizeof(rec)) {
			printf("write: %s\n", strerror(errno));
			return 1;
		}
	}
	e.sender_v = z;
	e.sender_r = c;
	proto_pack_evt(&e, rec);
	if (write(ev, rec, sizeof(rec)) != (ssize_t)sizeof(rec)) {
		printf("write: %s\n", strerror(errno));
		return 1;
	}
	b = fork();
	if (b == 0) {
		for (;;)
			pause();
	}
	if (b < 0) {
		printf("fork: %s\n", strerror(errno));
		return 1;
	}
	{
		char buf[32];
		int fd = openat(dir_fd, "rpid", O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int n = snprintf(buf, sizeof(buf), "%d\n", (int)self_r);
		if (fd < 0 || write(fd, buf, (size_t)n) != n)
			return 1;
		close(fd);
	}
	note("asking");
	errno = 0;
	g = getpgid(b);
	if (g == getpgrp())
		printf("getpgid of the child forked before asking: our group\n");
	else
		printf("getpgid of the child forked before asking: %d (%s)\n", (int)g,
		       g < 0 ? strerror(errno) : "another group");
	kill(b, SIGKILL);
	waitpid(b, &st, 0);
	raw_syscall5(SYS_kill, c, SIGKILL, 0, 0, 0);
	raw_syscall5(SYS_wait4, c, 0, 0, 0, 0);
	return 0;
}
