/* raw_client.c — speak the supervisor's wire protocol by hand, for the supervisor's tests. */

/*
 * Usage: raw_client [--socket PATH] STEP...   (default socket: $JOBSHIM_SOCKET)
 * Steps, run in order on one connection, one output line each:
 *   hello[=CLAIM[,PS]]     HELLO a=CLAIM b=PS      -> "hello err=E v=V0,V1,V2,V3"
 *   op=OP,A,B,C,D          any request by number   -> "op OP err=E v=... n=N ids=..."
 *                          (one-way ops print "sent")
 *   fork / kill=PID,SIG / info=VPID / check / getpgid=PID / setpgid=PID,PGID
 *                          shorthands for op=...
 *   garbage=N              N messages with a bad magic, then a probe:
 *                          -> "garbage replies=R errs=E closed=yes|no"
 *   short                  a 7-byte message -> "short err=E"
 *   sleep=MS
 *   fds                    -> "fds N" (open fds of this process, for leak tests)
 *   killsup=SIG            a raw kill(2) (no shim) of the supervisor, found
 *                          by SO_PEERCRED -> "killsup rc=R"
 * Exit 0 when every step could talk to the supervisor, 1 otherwise.
 *
 * The Makefile builds each tests/integration C file alone, so the protocol code is
 * included here rather than linked.
 */
#include "../../core/proto.c"

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/rawsys.h"

static uint32_t rc_seq;

static int rc_connect(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct timeval tv = {.tv_sec = 10};
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	if (fd < 0 || strlen(path) >= sizeof(sa.sun_path))
		return -1;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("raw_client: connect");
		close(fd);
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

static int rc_recv(int fd, struct proto_rep *rep)
{
	uint8_t buf[PROTO_REP_SIZE + 1];
	ssize_t n;

	do
		n = recv(fd, buf, sizeof(buf), 0);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return -1;
	return proto_unpack_rep(buf, (size_t)n, rep) < 0 ? -2 : 0;
}

/* Send a request; for two-way ops wait for the reply with the same seq. */
static int rc_call(int fd, struct proto_req *q, struct proto_rep *r)
{
	uint8_t buf[PROTO_REQ_SIZE];

	q->seq = ++rc_seq;
	proto_pack_req(q, buf);
	if (send(fd, buf, sizeof(buf), MSG_NOSIGNAL) != (ssize_t)sizeof(buf))
		return -1;
	if (proto_is_oneway(q->op))
		return 1;
	for (;;) {
		int rc = rc_recv(fd, r);
		if (rc < 0)
			return rc;
		if (r->seq == q->seq)
			return 0;
	}
}

static void print_rep(const char *what, const struct proto_rep *r)
{
	printf("%s err=%d v=%d,%d,%d,%d,%d,%d n=%u ids=", what, r->err, r->v[0], r->v[1], r->v[2],
	       r->v[3], r->v[4], r->v[5], r->n);
	for (uint32_t i = 0; i < r->n; i++)
		printf("%s%d", i ? "," : "", r->ids[i]);
	printf(" text=%.*s\n", PROTO_TEXT_REP, r->text);
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1; /* the directory's own fd */
}

static int garbage(int fd, int count)
{
	uint8_t buf[PROTO_REQ_SIZE];
	struct proto_req q = {.op = PROTO_OP_CHECK};
	struct proto_rep r;
	int replies = 0, errs = 0;
	bool closed = false;

	memset(buf, 0x5a, sizeof(buf));
	for (int i = 0; i < count && !closed; i++) {
		if (send(fd, buf, sizeof(buf), MSG_NOSIGNAL) != (ssize_t)sizeof(buf)) {
			closed = true;
			break;
		}
		/* A reply to a message without a valid header carries op 0, which
		 * proto_unpack_rep rejects (-2): it is still an error reply. */
		int rc = rc_recv(fd, &r);
		if (rc == -1) {
			closed = true;
		} else {
			replies++;
			if (rc == -2 || r.err < 0)
				errs++;
		}
	}
	if (!closed && rc_call(fd, &q, &r) < 0)
		closed = true;
	printf("garbage replies=%d errs=%d closed=%s\n", replies, errs, closed ? "yes" : "no");
	return 0;
}

int main(int argc, char **argv)
{
	const char *path = getenv("JOBSHIM_SOCKET");
	int i = 1, fd, status = 0;

	if (argc > 2 && strcmp(argv[1], "--socket") == 0) {
		path = argv[2];
		i = 3;
	}
	if (!path) {
		fprintf(stderr, "raw_client: no socket (--socket PATH or JOBSHIM_SOCKET)\n");
		return 2;
	}
	fd = rc_connect(path);
	if (fd < 0)
		return 1;
	for (; i < argc; i++) {
		struct proto_req q;
		struct proto_rep r;
		const char *step = argv[i];
		const char *arg = strchr(step, '=');
		int v[5] = {0};
		int rc;

		memset(&q, 0, sizeof(q));
		memset(&r, 0, sizeof(r));
		if (arg)
			sscanf(arg + 1, "%d,%d,%d,%d,%d", &v[0], &v[1], &v[2], &v[3], &v[4]);
		if (strncmp(step, "hello", 5) == 0) {
			q.op = PROTO_OP_HELLO;
			q.a = v[0];
			q.b = v[1];
		} else if (strncmp(step, "op=", 3) == 0) {
			q.op = (uint16_t)v[0];
			q.a = v[1];
			q.b = v[2];
			q.c = v[3];
			q.d = v[4];
		} else if (strcmp(step, "fork") == 0) {
			q.op = PROTO_OP_FORK;
		} else if (strncmp(step, "kill=", 5) == 0) {
			q.op = PROTO_OP_KILL;
			q.a = v[0];
			q.b = v[1];
		} else if (strncmp(step, "info=", 5) == 0) {
			q.op = PROTO_OP_INFO;
			q.a = v[0];
		} else if (strcmp(step, "check") == 0) {
			q.op = PROTO_OP_CHECK;
		} else if (strncmp(step, "getpgid=", 8) == 0) {
			q.op = PROTO_OP_GETPGID;
			q.a = v[0];
		} else if (strncmp(step, "setpgid=", 8) == 0) {
			q.op = PROTO_OP_SETPGID;
			q.a = v[0];
			q.b = v[1];
		} else if (strncmp(step, "garbage=", 8) == 0) {
			garbage(fd, v[0]);
			continue;
		} else if (strcmp(step, "short") == 0) {
			uint8_t buf[7] = {0};
			send(fd, buf, sizeof(buf), MSG_NOSIGNAL);
			rc = rc_recv(fd, &r);
			printf("short err=%d\n", rc == 0 ? r.err : 1);
			continue;
		} else if (strncmp(step, "sleep=", 6) == 0) {
			poll(NULL, 0, v[0]);
			continue;
		} else if (strncmp(step, "killsup=", 8) == 0) {
			struct ucred cred;
			socklen_t clen = sizeof(cred);
			rc = (int)raw_syscall5(SYS_getsockopt, fd, SOL_SOCKET, SO_PEERCRED, (long)&cred,
					       (long)&clen);
			if (rc == 0)
				rc = (int)raw_syscall5(SYS_kill, cred.pid, v[0], 0, 0, 0);
			printf("killsup rc=%d\n", rc);
			fflush(stdout);
			continue;
		} else if (strcmp(step, "fds") == 0) {
			printf("fds %d\n", count_fds());
			continue;
		} else {
			fprintf(stderr, "raw_client: unknown step %s\n", step);
			return 2;
		}
		rc = rc_call(fd, &q, &r);
		if (rc == 1) {
			printf("%s sent\n", step);
		} else if (rc < 0) {
			printf("%s closed\n", step);
			status = 1;
			break;
		} else {
			print_rep(step, &r);
		}
		fflush(stdout);
	}
	close(fd);
	return status;
}
