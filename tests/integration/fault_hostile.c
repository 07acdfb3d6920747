/* fault_hostile.c — a tree process that lies to the supervisor and sends it malformed messages. */

/*
 * Run as the command of `jobshim run` (vpid 2).  It forks A and B (children,
 * through the shim) and A forks G (our grandchild); then, on raw connections
 * of its own, it sends requests about processes that are not its children
 * (BIND, REAPED, STATE, SETPGID, ...), requests with bad fields, garbage,
 * truncated and oversized messages, wrong versions, a flood without reading
 * replies.  Every two-way request must get an error reply, every one-way
 * one must change nothing (INFO of A, B, G and CHECK before and after), the
 * connection survives up to SUP_CLIENT_MAX_BAD malformed messages and is
 * closed after, and the supervisor keeps serving everyone else.
 * Prints "ok - ..." / "not ok - ..."; exit 0 when all ok.
 *
 * Built alone like every tests/integration program: the protocol code is
 * included, not linked.
 */
#include "../../core/proto.c"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define FH_MAX_BAD 16 /* SUP_CLIENT_MAX_BAD in supervisor/sup.h */

static int fh_fail;
static uint32_t fh_seq;

static void check(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void check(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s - ", ok ? "ok" : "not ok");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fh_fail |= !ok;
}

static int fh_connect(void)
{
	const char *path = getenv("JOBSHIM_SOCKET");
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct timeval tv = {.tv_sec = 5};
	int fd;

	if (!path || strlen(path) >= sizeof(sa.sun_path))
		return -1;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

/* One reply: its size (0 = closed, -1 = timeout), its op and its err field
 * read straight from the bytes (a reply to a bad header has op 0, which
 * proto_unpack_rep refuses). */
static int fh_recv(int fd, struct proto_rep *r)
{
	uint8_t buf[PROTO_REP_SIZE];
	ssize_t n;

	memset(r, 0, sizeof(*r));
	do
		n = recv(fd, buf, sizeof(buf), 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	if (n == PROTO_REP_SIZE && proto_unpack_rep(buf, (size_t)n, r) < 0) {
		r->op = get_u16(buf + OFF_OP);
		r->err = (int32_t)get_u32(buf + REP_OFF_ERR);
	}
	return (int)n;
}

/* A well-formed request; for two-way ops the reply (-1: none). */
static int req(int fd, uint16_t op, int32_t a, int32_t b, int32_t c, struct proto_rep *r)
{
	struct proto_req q = {.op = op, .seq = ++fh_seq, .a = a, .b = b, .c = c};
	uint8_t buf[PROTO_REQ_SIZE];

	proto_pack_req(&q, buf);
	if (send(fd, buf, sizeof(buf), MSG_NOSIGNAL) != (ssize_t)sizeof(buf))
		return -1;
	if (proto_is_oneway(op))
		return 0;
	return fh_recv(fd, r) == PROTO_REP_SIZE && r->seq == q.seq ? 0 : -1;
}

/* A malformed message of len bytes built from a valid CHECK; its reply. */
static int bad(int fd, size_t len, uint16_t version, uint16_t op, uint32_t magic, struct proto_rep *r)
{
	static uint8_t buf[65536];
	struct proto_req q = {.op = PROTO_OP_CHECK, .seq = ++fh_seq};

	memset(buf, 0, sizeof(buf));
	proto_pack_req(&q, buf);
	put_u32(buf + OFF_MAGIC, magic);
	put_u16(buf + OFF_VERSION, version);
	put_u16(buf + OFF_OP, op);
	if (send(fd, buf, len, MSG_NOSIGNAL) != (ssize_t)len)
		return -1;
	return fh_recv(fd, r);
}

static int info(int fd, int32_t v, struct proto_rep *r)
{
	return req(fd, PROTO_OP_INFO, v, 0, 0, r) == 0 && r->err == 0 && r->v[0] == v ? 0 : -1;
}

/* Do A, B and G look as they did, and does CHECK still count `live`? */
static void unchanged(int fd, const int32_t *v, const struct proto_rep *before, int live,
		      const char *what)
{
	struct proto_rep r;
	int same = 1;

	for (int i = 0; i < 3; i++)
		same &= info(fd, v[i], &r) == 0 && memcmp(r.v, before[i].v, sizeof(r.v)) == 0;
	same &= req(fd, PROTO_OP_CHECK, 0, 0, 0, &r) == 0 && r.err == 0 && r.v[0] == live;
	check(same, "%s: no state change", what);
}

static void expect_err(int fd, uint16_t op, int32_t a, int32_t b, int32_t c, int err,
		       const char *what)
{
	struct proto_rep r;
	int rc = req(fd, op, a, b, c, &r);

	check(rc == 0 && r.err == err, "%s: err %d (want %d)", what, rc == 0 ? r.err : 999, err);
}

/* A child that waits until the hold pipe closes (hold[1]: ours only). */
static pid_t spawn_waiter(const int *hold, int report)
{
	pid_t pid = fork();
	char c;

	if (pid != 0)
		return pid;
	close(hold[1]);
	if (report >= 0) {
		/* A: fork G, tell its vpid, wait like it. */
		pid_t g = spawn_waiter(hold, -1);
		int32_t gv = (int32_t)g;
		(void)!write(report, &gv, sizeof(gv));
		close(report);
		while (read(hold[0], &c, 1) < 0 && errno == EINTR)
			;
		waitpid(g, NULL, 0);
		_exit(0);
	}
	while (read(hold[0], &c, 1) < 0 && errno == EINTR)
		;
	_exit(0);
}

static void lies(int fd, const int32_t *v, const struct proto_rep *snap)
{
	int32_t a = v[0], g = v[2];
	int32_t ra = snap[0].v[4], rb = snap[1].v[4], rg = snap[2].v[4];

	req(fd, PROTO_OP_BIND, g, rb, 0, NULL);
	req(fd, PROTO_OP_BIND, g, 0, 0, NULL);
	unchanged(fd, v, snap, 5, "BIND of a grandchild's vpid (to another rpid, to 0)");
	req(fd, PROTO_OP_BIND, a, rb, 0, NULL);
	req(fd, PROTO_OP_BIND, a, 0, 0, NULL);
	req(fd, PROTO_OP_BIND, 1, rb, 0, NULL);
	req(fd, PROTO_OP_BIND, 99999, rb, 0, NULL);
	unchanged(fd, v, snap, 5, "BIND of a bound child to another rpid / to 0, of init, of nobody");
	req(fd, PROTO_OP_REAPED, g, rg, 0, NULL);
	req(fd, PROTO_OP_REAPED, 0, rg, 0, NULL);
	req(fd, PROTO_OP_REAPED, 1, 0, 0, NULL);
	unchanged(fd, v, snap, 5, "REAPED of a non-child (by vpid, by rpid), of init");
	req(fd, PROTO_OP_REAPED, a, ra, 0, NULL);
	req(fd, PROTO_OP_REAPED, 0, rb, 9, NULL);
	unchanged(fd, v, snap, 5, "REAPED of our own children while they run");
	req(fd, PROTO_OP_STATE, rg, 1, 0, NULL);
	req(fd, PROTO_OP_STATE, ra, 7, 0, NULL);
	unchanged(fd, v, snap, 5, "STATE of a non-child");
	expect_err(fd, PROTO_OP_SETPGID, g, g, 0, -ESRCH, "SETPGID on a grandchild");
	expect_err(fd, PROTO_OP_SETPGID, 1, 0, 0, -ESRCH, "SETPGID on init");
	expect_err(fd, PROTO_OP_SETPGID, a, 424242, 0, -EPERM, "SETPGID into a group that does not exist");
	expect_err(fd, PROTO_OP_SETPGID, 0, -1, 0, -EINVAL, "SETPGID negative pgid");
	expect_err(fd, PROTO_OP_SETSID, 0, 0, 0, -EPERM, "SETSID of a group leader");
	expect_err(fd, PROTO_OP_GETPGID, 99999, 0, 0, -ESRCH, "GETPGID of nobody");
	expect_err(fd, PROTO_OP_KILL, g, 65, 0, -EINVAL, "KILL with signal 65");
	expect_err(fd, PROTO_OP_KILL, INT32_MIN, 0, 0, -ESRCH, "KILL INT32_MIN");
	expect_err(fd, PROTO_OP_TCSETPGRP, 1, 0, 0, -EPERM, "TCSETPGRP to init's group");
	expect_err(fd, PROTO_OP_WAIT_SELECT, -g, 0, 0, -ECHILD, "WAIT_SELECT on a group of none of ours");
	expect_err(fd, PROTO_OP_WAIT_SELECT, -1, 0x10, 0, -EINVAL, "WAIT_SELECT bad options");
	expect_err(fd, PROTO_OP_XLATE, PROTO_XLATE_V2R, 99999, 0, -ESRCH, "XLATE of nobody");
	unchanged(fd, v, snap, 5, "after the refused requests");
}

static void malformed(int fd)
{
	struct proto_rep r;
	int nbad = 0, n;
	const struct {
		size_t len;
		uint16_t version, op;
		uint32_t magic;
		int err;
		const char *what;
	} cases[] = {
		{PROTO_REQ_SIZE, PROTO_VERSION, PROTO_OP_CHECK, 0x5a5a5a5a, -EBADMSG, "bad magic"},
		{PROTO_REQ_SIZE, 0, PROTO_OP_CHECK, PROTO_MAGIC, -EPROTO, "version 0"},
		{PROTO_REQ_SIZE, 2, PROTO_OP_CHECK, PROTO_MAGIC, -EPROTO, "version 2"},
		{PROTO_REQ_SIZE, 0xffff, PROTO_OP_CHECK, PROTO_MAGIC, -EPROTO, "version 65535"},
		{PROTO_REQ_SIZE, PROTO_VERSION, 0, PROTO_MAGIC, -EOPNOTSUPP, "op 0"},
		{PROTO_REQ_SIZE, PROTO_VERSION, 999, PROTO_MAGIC, -EOPNOTSUPP, "op 999"},
		{1, PROTO_VERSION, PROTO_OP_CHECK, PROTO_MAGIC, -EMSGSIZE, "1 byte"},
		{7, PROTO_VERSION, PROTO_OP_CHECK, PROTO_MAGIC, -EMSGSIZE, "truncated to 7 bytes"},
		{PROTO_REQ_SIZE - 1, PROTO_VERSION, PROTO_OP_CHECK, PROTO_MAGIC, -EMSGSIZE, "truncated by 1 byte"},
		{PROTO_REQ_SIZE + 1, PROTO_VERSION, PROTO_OP_CHECK, PROTO_MAGIC, -EMSGSIZE, "1 byte too long"},
		{4096, PROTO_VERSION, PROTO_OP_CHECK, PROTO_MAGIC, -EMSGSIZE, "4096 bytes"},
		{65536, PROTO_VERSION, PROTO_OP_CHECK, PROTO_MAGIC, -EMSGSIZE, "65536 bytes"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = bad(fd, cases[i].len, cases[i].version, cases[i].op, cases[i].magic, &r);
		nbad++;
		check(n == PROTO_REP_SIZE && r.err == cases[i].err, "%s: error reply %d (want %d)",
		      cases[i].what, n == PROTO_REP_SIZE ? r.err : 999, cases[i].err);
	}
	/* Bad fields: a two-way op answers, a one-way op stays silent. */
	n = req(fd, PROTO_OP_FORK, 0x80, 0, 0, &r);
	nbad++;
	check(n == 0 && r.err == -EINVAL, "FORK with unknown flags: EINVAL");
	req(fd, PROTO_OP_BIND, -5, 1, 0, NULL);
	nbad++;
	n = req(fd, PROTO_OP_CHECK, 0, 0, 0, &r);
	check(n == 0 && r.op == PROTO_OP_CHECK && r.err == 0,
	      "one-way BIND with a bad vpid: no reply; still served after %d bad messages", nbad);
	while (nbad < FH_MAX_BAD) {
		n = bad(fd, PROTO_REQ_SIZE, 0, PROTO_OP_CHECK, PROTO_MAGIC, &r);
		nbad++;
	}
	n = req(fd, PROTO_OP_CHECK, 0, 0, 0, &r);
	check(n == 0 && r.err == 0, "still served after %d bad messages", nbad);
	n = bad(fd, PROTO_REQ_SIZE, 0, PROTO_OP_CHECK, PROTO_MAGIC, &r);
	if (n > 0) /* no reply to the one past the limit: the next read sees the close */
		n = fh_recv(fd, &r);
	check(n == 0, "disconnected at bad message %d (recv %d)", nbad + 1, n);
}

/* Thousands of requests without reading a reply: the supervisor must not
 * block on us (it mutes or drops the connection), others are served. */
static void flood(void)
{
	int fd = fh_connect(), other = fh_connect(), sent = 0;
	struct proto_rep r;
	struct proto_req q = {.op = PROTO_OP_CHECK};
	uint8_t buf[PROTO_REQ_SIZE];

	if (fd < 0 || other < 0 || req(other, PROTO_OP_HELLO, 0, 1, 0, &r) < 0 ||
	    req(fd, PROTO_OP_HELLO, 0, 1, 0, &r) < 0) {
		check(0, "flood: connect");
		return;
	}
	for (int i = 0; i < 20000; i++) {
		q.seq = ++fh_seq;
		proto_pack_req(&q, buf);
		if (send(fd, buf, sizeof(buf), MSG_NOSIGNAL | MSG_DONTWAIT) != (ssize_t)sizeof(buf))
			break;
		sent++;
	}
	check(req(other, PROTO_OP_CHECK, 0, 0, 0, &r) == 0 && r.err == 0,
	      "flood of %d unread requests: another client is still served", sent);
	close(fd);
	close(other);
}

int main(void)
{
	int hold[2], report[2], fd;
	int32_t v[3];
	struct proto_rep snap[3], r;
	pid_t a, b;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (pipe(hold) < 0 || pipe(report) < 0)
		return 2;
	a = spawn_waiter(hold, report[1]);
	b = spawn_waiter(hold, -1);
	close(hold[0]);
	if (read(report[0], &v[2], sizeof(v[2])) != sizeof(v[2]))
		return 2;
	v[0] = (int32_t)a;
	v[1] = (int32_t)b;
	fd = fh_connect();
	if (fd < 0 || req(fd, PROTO_OP_HELLO, v[0], 0, 0, &r) < 0) {
		printf("not ok - cannot talk to the supervisor\n");
		return 1;
	}
	check(r.err == 0 && r.v[0] == 2, "HELLO claiming child %d's vpid: identified as %d (want 2)",
	      (int)v[0], r.v[0]);
	for (int i = 0; i < 3; i++) {
		/* A's BIND of G may still be on its way. */
		for (int t = 0; t < 100 && (info(fd, v[i], &snap[i]) < 0 || snap[i].v[4] == 0); t++)
			poll(NULL, 0, 10);
	}
	check(snap[0].v[4] > 0 && snap[1].v[4] > 0 && snap[2].v[4] > 0 && snap[2].v[1] == v[0],
	      "children %d, %d and grandchild %d bound", (int)v[0], (int)v[1], (int)v[2]);
	lies(fd, v, snap);
	close(fd);
	/* A fresh connection: the lies above had bad fields too, and counted. */
	fd = fh_connect();
	if (fd < 0 || req(fd, PROTO_OP_HELLO, 0, 0, 0, &r) < 0 || r.v[0] != 2)
		check(0, "second connection");
	else
		malformed(fd);
	close(fd);
	flood();
	close(hold[1]);
	waitpid(a, NULL, 0);
	waitpid(b, NULL, 0);
	fd = fh_connect();
	if (fd >= 0)
		req(fd, PROTO_OP_HELLO, 0, 1, 0, &r);
	for (int t = 0; t < 100; t++) {
		if (fd < 0 || (req(fd, PROTO_OP_CHECK, 0, 0, 0, &r) == 0 && r.v[0] == 2))
			break;
		poll(NULL, 0, 50);
	}
	check(fd >= 0 && r.err == 0 && r.v[0] == 2, "in the end: engine consistent, 2 live (got %d)",
	      r.v[0]);
	return fh_fail;
}
