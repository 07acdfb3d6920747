/* notif.c — answers the pid calls of images the shim cannot be in, from the engine (seccomp user notifications). */
#include "notif.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

/*
 * shim/seccomp.c filters the calls an alone image (static glibc or musl,
 * Go, raw `syscall`) makes from its own code and hands us the listener.
 * Each notification is one call stopped in the kernel: we answer it with
 * a value or an errno (the engine's answer, as the shim would give), or
 * let the kernel run it unchanged (SECCOMP_USER_NOTIF_FLAG_CONTINUE)
 * where the real call is the right one.  What user notifications cannot
 * do is change the caller's arguments or memory, so:
 *   - getpid, getppid, gettid (main thread), getpgid, getpgrp, getsid:
 *     the engine's value;
 *   - setpgid, setsid: with the tracer they go to it, which mirrors
 *     them into real groups and sessions (tracer.c).  Here, without it
 *     (JOBSHIM_NOTRACE=1): the engine's operation; setpgid(0, 0) then
 *     runs for real (it is its own mirror: a new real group of the
 *     caller's own), any other change is not mirrored, and a session
 *     made here stays the engine's alone (its orphan rule applies);
 *   - kill, tkill, tgkill, rt_sigqueueinfo, rt_tgsigqueueinfo: sent by us
 *     on the caller's behalf to the translated targets, after the
 *     kernel's permission rule checked with the caller's credentials
 *     (kill_ok_by_cred below), so that we are no permission escalator;
 *   - pidfd_open: opened by us and installed in the caller
 *     (SECCOMP_IOCTL_NOTIF_ADDFD).
 * A pid that does not translate is ESRCH: never a virtual pid reaching
 * the kernel as a real one.
 */

struct sup_notif {
	uint64_t id;  /* epoll id */
	int fd;       /* the listener */
};

static struct sup_notif *lst;
static size_t nlst, caplst;
static uint64_t next_id = 1;
static struct seccomp_notif_sizes sizes;
static ino_t our_pidns;

/* ---- taking a listener --------------------------------------------------- */

/* Is fd a seccomp listener?  A hostile caller could name any of its fds. */
static bool is_listener(int fd)
{
	char link[64], path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return false;
	link[n] = '\0';
	return strcmp(link, "anon_inode:seccomp notify") == 0;
}

int notif_take(struct sup *s, struct sup_client *c, int fd)
{
	int pidfd, lfd;
	struct sup_notif *n;

	/* Filtered already, by an ancestor's filter whose listener we hold
	 * (shim/seccomp.c, EBUSY): its calls reach us, its fork and wait
	 * need the tracer, which let it go when a preloaded parent below the
	 * filtered image forked it.  Not filtered by us at all (another
	 * program's listener): the seize costs its stops, nothing more. */
	if (fd == -1)
		return tracer_enabled() ? tracer_seize(s, c->rpid, c->vpid) : 0;
	if (sizes.seccomp_notif == 0 &&
	    syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0)
		return -errno;
	pidfd = (int)syscall(SYS_pidfd_open, c->rpid, 0);
	if (pidfd < 0)
		return -errno;
	lfd = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	close(pidfd);
	if (lfd < 0)
		return -errno;
	if (!is_listener(lfd) || (nlst == caplst && caplst > 4096)) {
		close(lfd);
		return -EINVAL;
	}
	if (nlst == caplst) {
		size_t cap = caplst ? caplst * 2 : 8;
		struct sup_notif *m = realloc(lst, cap * sizeof(*m));
		if (m == NULL) {
			close(lfd);
			return -ENOMEM;
		}
		lst = m;
		caplst = cap;
	}
	n = &lst[nlst];
	n->id = next_id++;
	n->fd = lfd;
	if (sup_watch(s, lfd, SUP_W_NOTIF, n->id) < 0) {
		close(lfd);
		return -ENOMEM;
	}
	nlst++;
	/* fork and wait need a tracer (tracer.c): it seizes the caller
	 * before the caller execs the image. */
	return tracer_enabled() ? tracer_seize(s, c->rpid, c->vpid) : 0;
}

static void drop(struct sup *s, size_t i)
{
	sup_unwatch(s, lst[i].fd);
	close(lst[i].fd);
	lst[i] = lst[--nlst];
}

void notif_close_all(struct sup *s)
{
	tracer_stop(s);
	while (nlst > 0)
		drop(s, nlst - 1);
	free(lst);
	lst = NULL;
	caplst = 0;
}

/* ---- who is calling ---------------------------------------------------------- */

/* /proc/<tid>/status into buf (NUL-terminated): 0, or -1. */
int notif_status_read(pid_t tid, char *buf, size_t len)
{
	char path[64];
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

long notif_status_get(const char *buf, const char *key, char *out, size_t outlen)
{
	size_t klen = strlen(key);

	for (const char *p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, key, klen) == 0) {
			p += klen;
			while (*p == '\t' || *p == ' ')
				p++;
			if (out) {
				size_t i = 0;
				while (p[i] && p[i] != '\n' && i + 1 < outlen) {
					out[i] = p[i];
					i++;
				}
				out[i] = '\0';
			}
			return strtol(p, NULL, 10);
		}
	}
	return -1;
}

long notif_status_field(pid_t tid, const char *key, char *out, size_t outlen)
{
	char buf[2048];

	if (notif_status_read(tid, buf, sizeof(buf)) < 0)
		return -1;
	return notif_status_get(buf, key, out, outlen);
}

/*
 * The thread group of tid, or -1.  Threads of a multithreaded image (Go's
 * runtime calls getpid and tgkill from any of them) are asked about on
 * every call: their group is remembered by tid, and a remembered answer
 * is used only while /proc/<tgid>/task/<tid> exists, which the kernel
 * resolves only for a thread of that group now (a tid reused after the
 * pid space wrapped fails it).  A stat of that path costs a seventh of
 * reading the status file.
 */
#define TGID_SLOTS 1024
static struct {
	pid_t tid, tgid;
} tgid_seen[TGID_SLOTS];

bool notif_is_thread_of(pid_t tid, pid_t tgid)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/task/%d", (int)tgid, (int)tid);
	return stat(path, &st) == 0;
}

long notif_tgid_of(pid_t tid)
{
	unsigned slot = (unsigned)tid % TGID_SLOTS;
	long tg;

	if (tid <= 0)
		return -1;
	if (tgid_seen[slot].tid == tid && notif_is_thread_of(tid, tgid_seen[slot].tgid))
		return tgid_seen[slot].tgid;
	tg = notif_status_field(tid, "Tgid:", NULL, 0);
	if (tg > 0) {
		tgid_seen[slot].tid = tid;
		tgid_seen[slot].tgid = (pid_t)tg;
	}
	return tg;
}

static bool in_our_pidns(pid_t tid)
{
	char path[64];
	struct stat st;

	if (our_pidns == 0) {
		if (stat("/proc/self/ns/pid", &st) < 0)
			return true;
		our_pidns = st.st_ino;
	}
	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)tid);
	return stat(path, &st) < 0 || st.st_ino == our_pidns;
}


/* ---- the calls ------------------------------------------------------------ */

/* One request through the ordinary handlers (trace included). */
int notif_run_op(struct call *k, uint16_t op, int32_t a, int32_t b, int32_t c,
		 struct proto_rep *r)
{
	struct proto_req q = {.op = op, .a = a, .b = b, .c = c};

	memset(r, 0, sizeof(*r));
	ops_dispatch(k->s, &k->c, &q, r);
	return r->err;
}

static long do_pidfd_open(struct call *k, int lfd, uint64_t id, const __u64 *a, bool *done)
{
	pid_t v = (pid_t)a[0];
	int64_t r;
	int fd;
	long nfd;
	struct seccomp_notif_addfd add = {.id = id, .flags = SECCOMP_ADDFD_FLAG_SEND};

	/* flags first, as the kernel: PIDFD_NONBLOCK, PIDFD_THREAD */
	if ((a[1] & ~(__u64)(O_NONBLOCK | O_EXCL)) != 0 || v <= 0)
		return -EINVAL;
	if (v == 1)
		return -ESRCH; /* init's pidfd would let the tree signal us for real */
	r = eng_vpid_to_rpid(k->s->eng, v);
	if (r <= 0)
		return -ESRCH;
	fd = (int)syscall(SYS_pidfd_open, (pid_t)r, (unsigned)a[1]);
	if (fd < 0)
		return -errno;
	add.srcfd = (uint32_t)fd;
	add.newfd_flags = O_CLOEXEC;
	nfd = ioctl(lfd, SECCOMP_IOCTL_NOTIF_ADDFD, &add);
	close(fd);
	*done = true;
	return nfd;
}

/* Decide one notification: 0 = let it run (CONTINUE), else 1 with *val
 * or *err set. */
static int decide(struct call *k, int lfd, const struct seccomp_notif *n, long *val, bool *done)
{
	struct proto_rep r;
	const __u64 *a = n->data.args;
	long rc;

	switch (n->data.nr) {
	case SYS_getpid:
		*val = k->c.vpid;
		return 1;
	case SYS_gettid:
		if (k->tid != k->c.rpid)
			return 0; /* another thread: its id stays real */
		*val = k->c.vpid;
		return 1;
	case SYS_getppid:
		rc = notif_run_op(k, PROTO_OP_GETPPID, 0, 0, 0, &r);
		break;
	case SYS_getpgrp:
		rc = notif_run_op(k, PROTO_OP_GETPGID, 0, 0, 0, &r);
		break;
	case SYS_getpgid:
		rc = notif_run_op(k, PROTO_OP_GETPGID, (int32_t)a[0], 0, 0, &r);
		break;
	case SYS_getsid:
		rc = notif_run_op(k, PROTO_OP_GETSID, (int32_t)a[0], 0, 0, &r);
		break;
	case SYS_setsid:
		rc = notif_run_op(k, PROTO_OP_SETSID, 0, 0, 0, &r);
		/* No real setsid follows (a notification cannot return the
		 * vpid from the real call): the kernel does not see this
		 * session, so the engine keeps its orphan rule. */
		if (rc >= 0)
			eng_session_set_kernel(k->s->eng, (int32_t)r.v[0], false);
		break;
	case SYS_setpgid:
		rc = notif_run_op(k, PROTO_OP_SETPGID, (int32_t)a[0], (int32_t)a[1], 0, &r);
		/* setpgid(0, 0) into a new group: the real call is its mirror. */
		if (rc == 0 && (int32_t)a[0] == 0 && (int32_t)a[1] == 0 && r.v[1] == k->c.rpid)
			return 0;
		r.v[0] = 0;
		break;
	case SYS_kill:
		*val = notif_kill(k, (int32_t)a[0], (int)a[1]);
		return 1;
	case SYS_pidfd_open:
		*val = do_pidfd_open(k, lfd, n->id, a, done);
		return 1;
	default:
		*val = notif_tgsend(k, (long)n->data.nr, a);
		return 1;
	}
	*val = rc < 0 ? rc : r.v[0];
	return 1;
}

void notif_caller(struct sup *s, pid_t tid, struct call *k)
{
	memset(k, 0, sizeof(*k));
	k->s = s;
	k->tid = tid;
	k->c.hello = true;
	/* What the call follows was written before it. */
	events_drain(s);
	if (tid > 0) {
		int32_t v = eng_rpid_to_vpid(s->eng, tid);
		long tg = v > 1 ? tid : notif_tgid_of(tid);
		k->c.rpid = (pid_t)tg;
		/* Another thread of a tree process: known as its group is. */
		if (v <= 1 && tg > 0 && tg != tid)
			v = eng_rpid_to_vpid(s->eng, (pid_t)tg);
		if (v <= 1 && tg > 0 && in_our_pidns((pid_t)tg))
			v = clients_identify(s, (pid_t)tg, 0);
		k->c.vpid = v > 1 ? v : 0;
	}
}

static void answer(struct sup *s, int lfd)
{
	struct seccomp_notif *n = calloc(1, sizes.seccomp_notif);
	struct seccomp_notif_resp *resp = calloc(1, sizes.seccomp_notif_resp);
	struct call k = {.s = s};
	long val = 0;
	bool done = false;
	int act = 0;

	if (n == NULL || resp == NULL)
		goto out;
	if (ioctl(lfd, SECCOMP_IOCTL_NOTIF_RECV, n) < 0)
		goto out; /* the caller died, or someone else took it */
	resp->id = n->id;
	notif_caller(s, (pid_t)n->pid, &k);
	if (k.c.vpid <= 1) {
		/* Not in the tree (a nested pid namespace, whose own ids are
		 * the kernel's; or gone): real, except a signal, which must
		 * not reach a real pid it may not mean. */
		long nr = n->data.nr;
		act = nr == SYS_kill || nr == SYS_tkill || nr == SYS_tgkill ||
		      nr == SYS_rt_sigqueueinfo || nr == SYS_rt_tgsigqueueinfo || nr == SYS_pidfd_open;
		if (act && in_our_pidns(k.tid) && k.tid > 0)
			val = -ESRCH;
		else
			act = 0;
	} else {
		act = decide(&k, lfd, n, &val, &done);
	}
	if (done)
		goto out;
	if (act == 0) {
		resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	} else if (val < 0) {
		resp->error = (int32_t)val;
	} else {
		resp->val = val;
	}
	(void)ioctl(lfd, SECCOMP_IOCTL_NOTIF_SEND, resp);
out:
	free(n);
	free(resp);
}

void notif_ready(struct sup *s, uint64_t id, uint32_t events)
{
	if (id == 0) {
		tracer_ready(s, events); /* the tracer's channel (tracer_sup.c) */
		return;
	}
	for (size_t i = 0; i < nlst; i++) {
		if (lst[i].id != id)
			continue;
		if (events & EPOLLIN)
			answer(s, lst[i].fd);
		else if (events & (EPOLLHUP | EPOLLERR))
			drop(s, i); /* every filtered process is gone */
		return;
	}
}
