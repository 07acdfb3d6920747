/* ps.c — `jobshim ps`: ask a running supervisor for its tree and print it. */
#include "sup.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

/*
 * Finding the supervisor:
 *   --socket PATH  that socket;
 *   --pid PID      the listening SOCK_SEQPACKET socket among PID's open fds
 *                  (its inode, looked up in /proc/net/unix), checked after
 *                  connecting with SO_PEERCRED: no file to keep in sync;
 *   otherwise      $JOBSHIM_SOCKET (set inside every jobshim tree).
 * The connection says HELLO with b = 1 (no registration: ps may run outside
 * the tree), then asks INFO for vpid 0, last+1, ... until ESRCH.
 * Reservations (vpids allocated ahead of a fork that has not happened) have
 * no real process yet and are not shown.
 */

#define PS_EXIT_FAIL 1
#define PS_EXIT_USAGE 125

/* One INFO reply, as received (a snapshot: the tree may change meanwhile). */
struct ps_entry {
	int32_t vpid, ppid, pgid, sid; /* virtual ids */
	int32_t rpid;                  /* real pid, > 0 (reservations are skipped) */
	char state;                    /* 'R', 'T' or 'Z' (enum eng_pstate) */
	int32_t tty_nr;                /* controlling terminal's device number, 0 none */
	int32_t tpgid;                 /* its foreground group (virtual), -1 none, 0 outside */
	bool execed;                   /* has exec'd since its fork */
	char cmd[PROTO_TEXT_REP + 1];  /* NUL-terminated command name */
};

static const char ps_usage[] =
	"Usage: jobshim ps [--socket PATH | --pid PID] [--json]\n"
	"Show the processes of a running jobshim namespace as a tree: virtual PID,\n"
	"PPID, PGID, SID, TTY and TPGID (its controlling terminal and that\n"
	"terminal's foreground group, as `ps -o tty,tpgid`), STAT (R running,\n"
	"T stopped, Z zombie; s = session leader) and COMMAND.  Inside a jobshim\n"
	"tree no option is needed.\n"
	"\n"
	"      --socket PATH  the supervisor's socket\n"
	"      --pid PID      the supervisor's real process id\n"
	"      --json         print a JSON array of objects (with the real pid)\n"
	"      --help         display this help and exit\n";

/* Path of the listening SEQPACKET socket that process `pid` holds. */
static int sock_of_pid(pid_t pid, char *out, size_t len)
{
	unsigned long inodes[64];
	size_t ninodes = 0;
	char path[64], link[64], line[512];
	struct dirent *de;
	DIR *d;
	FILE *f;
	int rc = -ENOENT;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d)) != NULL && ninodes < 64) {
		char fdpath[320];
		ssize_t n;
		snprintf(fdpath, sizeof(fdpath), "%s/%s", path, de->d_name);
		n = readlink(fdpath, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		if (sscanf(link, "socket:[%lu]", &inodes[ninodes]) == 1)
			ninodes++;
	}
	closedir(d);
	f = fopen("/proc/net/unix", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned flags, type;
		unsigned long inode;
		char spath[256];
		/* Num RefCount Protocol Flags Type St Inode Path */
		if (sscanf(line, "%*s %*s %*s %x %x %*x %lu %255s", &flags, &type, &inode, spath) != 4)
			continue;
		if (!(flags & 0x10000) || type != SOCK_SEQPACKET)
			continue;
		for (size_t i = 0; i < ninodes; i++) {
			if (inodes[i] == inode && spath[0] == '/') {
				snprintf(out, len, "%s", spath);
				rc = 0;
			}
		}
	}
	fclose(f);
	return rc;
}

static int ps_connect(const char *path, pid_t want_pid)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct timeval tv = {.tv_sec = 10};
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int err = errno;
		close(fd);
		return -err;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (want_pid > 0 && (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) < 0 ||
			     cred.pid != want_pid)) {
		close(fd);
		return -ESRCH;
	}
	return fd;
}

static int ps_call(int fd, struct proto_req *q, struct proto_rep *r)
{
	uint8_t qbuf[PROTO_REQ_SIZE], rbuf[PROTO_REP_SIZE + 1];
	ssize_t n;

	proto_pack_req(q, qbuf);
	do
		n = send(fd, qbuf, sizeof(qbuf), MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(qbuf))
		return n < 0 ? -errno : -EPIPE;
	for (;;) {
		do
			n = recv(fd, rbuf, sizeof(rbuf), 0);
		while (n < 0 && errno == EINTR);
		if (n <= 0)
			return n < 0 ? -errno : -ECONNRESET;
		if (proto_unpack_rep(rbuf, (size_t)n, r) < 0)
			return -EPROTO;
		if (r->seq == q->seq)
			return 0;
	}
}

/* The terminal's name as ps(1) prints it: "pts/3", "tty2", "ttyS0", "?". */
static void tty_name(int32_t tty_nr, char *out, size_t len)
{
	unsigned major = ((unsigned)tty_nr >> 8) & 0xfff;
	unsigned minor = ((unsigned)tty_nr & 0xff) | (((unsigned)tty_nr >> 12) & 0xfff00);

	if (tty_nr == 0)
		snprintf(out, len, "?");
	else if (major >= 136 && major <= 143)
		snprintf(out, len, "pts/%u", minor + (major - 136) * 256);
	else if (major == 4 && minor < 64)
		snprintf(out, len, "tty%u", minor);
	else if (major == 4)
		snprintf(out, len, "ttyS%u", minor - 64);
	else if (major == 5 && minor == 0)
		snprintf(out, len, "tty");
	else if (major == 5 && minor == 1)
		snprintf(out, len, "console");
	else
		snprintf(out, len, "%u,%u", major, minor);
}

static void json_str(const char *v)
{
	putchar('"');
	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

static void print_json(const struct ps_entry *e, size_t n)
{
	putchar('[');
	for (size_t i = 0; i < n; i++) {
		char tty[32];
		tty_name(e[i].tty_nr, tty, sizeof(tty));
		printf("%s\n  {\"pid\":%d,\"rpid\":%d,\"ppid\":%d,\"pgid\":%d,\"sid\":%d,\"stat\":\"%c\","
		       "\"execed\":%s,\"tty\":",
		       i ? "," : "", (int)e[i].vpid, (int)e[i].rpid, (int)e[i].ppid, (int)e[i].pgid,
		       (int)e[i].sid, e[i].state, e[i].execed ? "true" : "false");
		if (e[i].tty_nr)
			json_str(tty);
		else
			fputs("null", stdout);
		printf(",\"tpgid\":%d,\"command\":", (int)e[i].tpgid);
		json_str(e[i].cmd);
		putchar('}');
	}
	printf("%s]\n", n ? "\n" : "");
}

static bool has_parent(const struct ps_entry *e, size_t n, size_t i)
{
	for (size_t j = 0; j < n; j++)
		if (j != i && e[j].vpid == e[i].ppid)
			return true;
	return false;
}

static void print_row(const struct ps_entry *e, const struct ps_entry *all, size_t n,
		      int depth, int guard)
{
	char stat[4] = {e->state, e->vpid == e->sid ? 's' : '\0', '\0', '\0'};
	char tty[32];

	tty_name(e->tty_nr, tty, sizeof(tty));
	printf("%7d %7d %7d %7d %-8s %7d %-4s %*s%s\n", (int)e->vpid, (int)e->ppid, (int)e->pgid,
	       (int)e->sid, tty, (int)e->tpgid, stat, 2 * depth, "", e->cmd);
	if (guard > 64)
		return;
	for (size_t j = 0; j < n; j++)
		if (all[j].ppid == e->vpid && all[j].vpid != e->vpid)
			print_row(&all[j], all, n, depth + 1, guard + 1);
}

static void print_tree(const struct ps_entry *e, size_t n)
{
	printf("%7s %7s %7s %7s %-8s %7s %-4s %s\n", "PID", "PPID", "PGID", "SID", "TTY", "TPGID", "STAT",
	       "COMMAND");
	for (size_t i = 0; i < n; i++)
		if (!has_parent(e, n, i))
			print_row(&e[i], e, n, 0, 0);
}

int ps_main(int argc, char **argv)
{
	enum { O_SOCKET = 1, O_PID, O_JSON, O_HELP };
	static const struct option longopts[] = {
		{"socket", required_argument, NULL, O_SOCKET},
		{"pid", required_argument, NULL, O_PID},
		{"json", no_argument, NULL, O_JSON},
		{"help", no_argument, NULL, O_HELP},
		{NULL, 0, NULL, 0},
	};
	const char *path = NULL;
	char found[256];
	pid_t pid = 0;
	bool json = false;
	struct ps_entry *ents = NULL;
	size_t n = 0, cap = 0;
	struct proto_req q;
	struct proto_rep r;
	int c, fd, rc;
	uint32_t seq = 0;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+:", longopts, NULL)) != -1) {
		switch (c) {
		case O_SOCKET:
			path = optarg;
			break;
		case O_PID: {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*end || v <= 0 || v > PROTO_PID_MAX) {
				fprintf(stderr, "jobshim: ps: invalid pid '%s'\n", optarg);
				return PS_EXIT_USAGE;
			}
			pid = (pid_t)v;
			break;
		}
		case O_JSON:
			json = true;
			break;
		case O_HELP:
			fputs(ps_usage, stdout);
			return 0;
		default:
			fprintf(stderr, "jobshim: ps: %s '%s'\nTry 'jobshim ps --help' for more information.\n",
				c == ':' ? "option requires an argument:" : "unrecognized option",
				argv[optind - 1]);
			return PS_EXIT_USAGE;
		}
	}
	if (optind < argc || (path && pid)) {
		fprintf(stderr, "jobshim: ps: %s\nTry 'jobshim ps --help' for more information.\n",
			optind < argc ? "unexpected argument" : "--socket and --pid exclude each other");
		return PS_EXIT_USAGE;
	}
	if (pid) {
		rc = sock_of_pid(pid, found, sizeof(found));
		if (rc < 0) {
			fprintf(stderr, "jobshim: ps: no jobshim socket found for pid %d: %s\n", (int)pid,
				strerror(-rc));
			return PS_EXIT_FAIL;
		}
		path = found;
	}
	if (!path)
		path = getenv("JOBSHIM_SOCKET");
	if (!path || !*path) {
		fprintf(stderr, "jobshim: ps: not inside a jobshim tree; use --socket PATH or --pid PID\n");
		return PS_EXIT_FAIL;
	}
	fd = ps_connect(path, pid);
	if (fd < 0) {
		fprintf(stderr, "jobshim: ps: %s: %s\n", path, strerror(-fd));
		return PS_EXIT_FAIL;
	}
	memset(&q, 0, sizeof(q));
	q.op = PROTO_OP_HELLO;
	q.seq = ++seq;
	q.b = 1;
	rc = ps_call(fd, &q, &r);
	if (rc == 0 && r.err < 0)
		rc = r.err;
	for (int32_t next = 0; rc == 0;) {
		memset(&q, 0, sizeof(q));
		q.op = PROTO_OP_INFO;
		q.seq = ++seq;
		q.a = next;
		rc = ps_call(fd, &q, &r);
		if (rc < 0)
			break;
		if (r.err == -ESRCH || r.v[0] < next)
			break;
		if (r.err < 0) {
			rc = r.err;
			break;
		}
		next = r.v[0] + 1;
		if (r.v[4] == 0 && r.v[0] != 1)
			continue; /* a reservation: no process yet */
		if (n == cap) {
			size_t ncap = cap ? 2 * cap : 64;
			struct ps_entry *ne = realloc(ents, ncap * sizeof(*ne));
			if (!ne) {
				rc = -ENOMEM;
				break;
			}
			ents = ne;
			cap = ncap;
		}
		ents[n].vpid = r.v[0];
		ents[n].ppid = r.v[1];
		ents[n].pgid = r.v[2];
		ents[n].sid = r.v[3];
		ents[n].rpid = r.v[4];
		ents[n].state = (char)(r.v[5] & 0xff);
		ents[n].execed = (r.v[5] >> 8) & 1;
		ents[n].tty_nr = r.n >= 2 ? r.ids[0] : 0;
		ents[n].tpgid = r.n >= 2 ? r.ids[1] : -1;
		memcpy(ents[n].cmd, r.text, PROTO_TEXT_REP);
		ents[n].cmd[PROTO_TEXT_REP] = '\0';
		n++;
	}
	close(fd);
	if (rc < 0) {
		fprintf(stderr, "jobshim: ps: %s: %s\n", path, strerror(-rc));
		free(ents);
		return PS_EXIT_FAIL;
	}
	if (json)
		print_json(ents, n);
	else
		print_tree(ents, n);
	free(ents);
	return 0;
}
