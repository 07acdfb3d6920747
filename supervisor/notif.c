/* notif.c — answers the pid calls of images the shim cannot be in, from the engine (seccomp user notifications). */
#include "sup.h"

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
 *   - setpgid, setsid: the engine's operation; setpgid(0, 0) then runs
 *     for real (it is its own mirror: a new real group of the caller's
 *     own), any other change is not mirrored into the real groups;
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
	return 0;
}

static void drop(struct sup *s, size_t i)
{
	sup_unwatch(s, lst[i].fd);
	close(lst[i].fd);
	lst[i] = lst[--nlst];
}

void notif_close_all(struct sup *s)
{
	while (nlst > 0)
		drop(s, nlst - 1);
	free(lst);
	lst = NULL;
	caplst = 0;
}

/* ---- who is calling ---------------------------------------------------------- */

/* A numeric field of /proc/<tid>/status ("Tgid:"), or -1. */
static long status_field(pid_t tid, const char *key, char *out, size_t outlen)
{
	char path[64], buf[2048];
	int fd;
	ssize_t n;
	char *p;
	size_t klen = strlen(key);

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	for (p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
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

/* ---- the kernel's permission rule, with the caller's credentials --------- */

struct cred {
	long uid[3]; /* real, effective, saved */
	unsigned long long capeff;
	bool ok;
};

static void cred_read(pid_t pid, struct cred *cr)
{
	char line[128];

	cr->ok = false;
	if (status_field(pid, "Uid:", line, sizeof(line)) < 0)
		return;
	if (sscanf(line, "%ld %ld %ld", &cr->uid[0], &cr->uid[1], &cr->uid[2]) != 3)
		return;
	if (status_field(pid, "CapEff:", line, sizeof(line)) < 0)
		return;
	cr->capeff = strtoull(line, NULL, 16);
	cr->ok = true;
}

/*
 * kernel/signal.c check_kill_permission/kill_ok_by_cred: the sender's real
 * or effective uid equals the target's real or saved uid, or the sender
 * has CAP_KILL (one user namespace assumed: the tree's).  SIGCONT within
 * a session is always allowed: the virtual session decides here (every
 * tree process shares one real session).  LSMs are not consulted.
 */
static int may_signal(struct sup *s, const struct cred *caller, int32_t caller_v, pid_t target_r,
		      int sig)
{
	struct cred t;

	if (!caller->ok)
		return -EPERM;
	if (caller->capeff & (1ULL << 5)) /* CAP_KILL */
		return 0;
	if (sig == SIGCONT) {
		int32_t tv = eng_rpid_to_vpid(s->eng, target_r);
		if (tv > 1 && eng_getsid(s->eng, caller_v, tv) == eng_getsid(s->eng, caller_v, 0))
			return 0;
	}
	cred_read(target_r, &t);
	if (!t.ok)
		return -ESRCH;
	if (caller->uid[1] == t.uid[2] || caller->uid[1] == t.uid[0] ||
	    caller->uid[0] == t.uid[2] || caller->uid[0] == t.uid[0])
		return 0;
	return -EPERM;
}

/* vpid 1: init ignores it once permitted (shim/initsig.c's rule). */
static int init_check(struct sup *s, const struct cred *caller, int32_t caller_v, int sig)
{
	if (sig < 0 || sig >= _NSIG)
		return -EINVAL;
	return may_signal(s, caller, caller_v, s->self_rpid, 0);
}

/* ---- the calls ------------------------------------------------------------ */

struct call {
	struct sup *s;
	struct sup_client c; /* the caller as a client: rpid = its thread group */
	pid_t tid;
	struct cred cr;
	bool cr_read;
};

static const struct cred *caller_cred(struct call *k)
{
	if (!k->cr_read) {
		cred_read(k->c.rpid, &k->cr);
		k->cr_read = true;
	}
	return &k->cr;
}

/* One request through the ordinary handlers (trace included). */
static int run_op(struct call *k, uint16_t op, int32_t a, int32_t b, int32_t c,
		  struct proto_rep *r)
{
	struct proto_req q = {.op = op, .a = a, .b = b, .c = c};

	memset(r, 0, sizeof(*r));
	ops_dispatch(k->s, &k->c, &q, r);
	return r->err;
}

/*
 * Send sig to rpid r (thread t when > 0) for the caller.  A plain kill
 * from us would name us as the sender (si_pid = the supervisor, which a
 * receiver sees as vpid 1); SI_USER cannot be forged for another process,
 * but SI_QUEUE can: the receiver's si_pid is the caller's (its shim shows
 * the caller's vpid) and si_uid its real uid; only si_code differs from a
 * native kill (SI_QUEUE for SI_USER or SI_TKILL).  Signal 0 delivers
 * nothing: the plain call checks existence.
 */
static const struct cred *caller_cred(struct call *k);

static int send_as(struct call *k, pid_t r, pid_t t, int sig)
{
	siginfo_t si;
	long rc;

	if (sig == 0 || sig < 0 || sig >= _NSIG)
		rc = t > 0 ? syscall(SYS_tgkill, r, t, sig) : syscall(SYS_kill, r, sig);
	else {
		memset(&si, 0, sizeof(si));
		si.si_signo = sig;
		si.si_code = SI_QUEUE;
		si.si_pid = k->c.rpid;
		si.si_uid = caller_cred(k)->ok ? (uid_t)k->cr.uid[0] : getuid();
		rc = t > 0 ? syscall(SYS_rt_tgsigqueueinfo, r, t, sig, &si)
			   : syscall(SYS_rt_sigqueueinfo, r, sig, &si);
	}
	return rc < 0 ? -errno : 0;
}

/* kill(2) on the caller's behalf: shim/kill.c's kill_online, with the
 * permission check the kernel would make for the caller. */
static long do_kill(struct call *k, int32_t pid, int sig)
{
	struct proto_rep r;
	int total, sent = 0, ok = 0, last = -ESRCH, last_not_eperm = 0, offset = 0, rc;
	bool me = false;

	for (;;) {
		rc = run_op(k, PROTO_OP_KILL, pid, sig, offset, &r);
		if (rc < 0)
			return offset == 0 ? rc : (ok ? 0 : last);
		total = r.v[0];
		if (r.v[1] == 1)
			me = true;
		for (uint32_t i = 0; i < r.n; i++) {
			pid_t t = r.ids[i];
			if (t == k->c.rpid) {
				me = true;
				continue;
			}
			rc = t > 0 ? may_signal(k->s, caller_cred(k), k->c.vpid, t, sig) : -ESRCH;
			if (rc == 0)
				rc = send_as(k, t, 0, sig);
			sent++;
			if (rc == 0)
				ok++;
			else
				last = rc;
			if (rc != -EPERM)
				last_not_eperm = rc;
		}
		offset += (int)r.n;
		if (r.n == 0 || offset >= total)
			break;
	}
	if (me) {
		rc = send_as(k, k->c.rpid, 0, sig);
		sent++;
		if (rc == 0)
			ok++;
		else
			last = rc;
	}
	if (sent == 0)
		return pid == 1 ? init_check(k->s, caller_cred(k), k->c.vpid, sig) : 0;
	if (pid == -1)
		return last_not_eperm;
	return ok > 0 ? 0 : last;
}

/* fork is not filtered: a filtered parent knows its children by their
 * real pids.  kill(pid > 1) where pid is no vpid of the tree but a real
 * child of the caller's goes to that child (nobody else: a real pid is
 * never taken for a stranger).  1 = not such a child. */
static long kill_own_child(struct call *k, int32_t pid, int sig)
{
	struct sysio_stat st;
	int rc;

	if (pid <= 1 || eng_vpid_to_rpid(k->s->eng, pid) != -ESRCH || sysio_stat(pid, &st) < 0 ||
	    st.ppid != k->c.rpid)
		return 1;
	rc = may_signal(k->s, caller_cred(k), k->c.vpid, pid, sig);
	return rc < 0 ? rc : send_as(k, pid, 0, sig);
}

/* A tid argument: a vpid names its main thread; else a real thread id of
 * a tree process's other thread (gettid stays real for those); else
 * ESRCH.  1 = the supervisor. */
static pid_t xlate_tid(struct sup *s, pid_t tid)
{
	int64_t r;
	long tg;

	if (tid <= 0)
		return -EINVAL;
	if (tid == 1)
		return 1;
	r = eng_vpid_to_rpid(s->eng, tid);
	if (r > 0)
		return (pid_t)r;
	tg = status_field(tid, "Tgid:", NULL, 0);
	if (tg > 0 && tg != tid && eng_rpid_to_vpid(s->eng, tg) > 1)
		return tid;
	return -ESRCH;
}

static bool read_caller(struct call *k, uint64_t addr, void *buf, size_t len)
{
	struct iovec l = {buf, len}, r = {(void *)addr, len};

	return syscall(SYS_process_vm_readv, k->c.rpid, &l, 1, &r, 1, 0) == (ssize_t)len;
}

/* tkill, tgkill, rt_sigqueueinfo, rt_tgsigqueueinfo. */
static long do_tgsend(struct call *k, long nr, const __u64 *a)
{
	struct sup *s = k->s;
	siginfo_t si;
	pid_t tg = 0, t = 0;
	int sig;
	bool self;
	int rc;
	bool queue = nr == SYS_rt_sigqueueinfo || nr == SYS_rt_tgsigqueueinfo;

	/* The kernel's order for the queue calls: the siginfo is read first
	 * (EFAULT), then rt_tgsigqueueinfo's ids (EINVAL), then the si_code
	 * only the kernel may send to another task (EPERM: compared with the
	 * caller's own id as it knows it), then the target (ESRCH). */
	if (queue) {
		pid_t me = k->tid == k->c.rpid ? k->c.vpid : k->tid;
		pid_t to = nr == SYS_rt_sigqueueinfo ? (pid_t)a[0] : (pid_t)a[1];
		if (!read_caller(k, nr == SYS_rt_sigqueueinfo ? a[2] : a[3], &si, sizeof(si)))
			return -EFAULT;
		if (nr == SYS_rt_tgsigqueueinfo && ((pid_t)a[0] <= 0 || (pid_t)a[1] <= 0))
			return -EINVAL;
		if (si.si_code >= 0 || si.si_code == SI_TKILL) {
			if (to != me)
				return -EPERM;
			/* to oneself, sent by us: only SI_QUEUE passes */
			si.si_code = SI_QUEUE;
		}
		/* The receiver's shim translates si_pid as a real pid. */
		si.si_pid = k->c.rpid;
	}
	switch (nr) {
	case SYS_tkill:
		t = xlate_tid(s, (pid_t)a[0]);
		sig = (int)a[1];
		break;
	case SYS_tgkill:
	case SYS_rt_tgsigqueueinfo:
		if ((pid_t)a[0] <= 0 || (pid_t)a[1] <= 0)
			return -EINVAL;
		tg = (pid_t)a[0] == 1 ? 1 : (pid_t)eng_vpid_to_rpid(s->eng, (pid_t)a[0]);
		if (tg <= 0)
			return -ESRCH;
		t = (pid_t)a[1] == (pid_t)a[0] ? tg : xlate_tid(s, (pid_t)a[1]);
		sig = (int)a[2];
		break;
	default: /* rt_sigqueueinfo */
		if ((pid_t)a[0] <= 0)
			return -ESRCH;
		tg = (pid_t)a[0] == 1 ? 1 : (pid_t)eng_vpid_to_rpid(s->eng, (pid_t)a[0]);
		if (tg <= 0)
			return -ESRCH;
		t = tg;
		sig = (int)a[1];
		break;
	}
	if (t < 0)
		return t;
	self = t == k->c.rpid || (tg == k->c.rpid && nr == SYS_rt_sigqueueinfo);
	if (t == 1 || tg == 1)
		return init_check(s, caller_cred(k), k->c.vpid, sig);
	if (!self) {
		rc = may_signal(s, caller_cred(k), k->c.vpid, tg > 0 ? tg : t, sig);
		if (rc < 0)
			return rc;
	}
	switch (nr) {
	case SYS_tkill:
		if (tg <= 0) {
			long g = status_field(t, "Tgid:", NULL, 0);
			if (g <= 0)
				return -ESRCH;
			tg = (pid_t)g;
		}
		return send_as(k, tg, t, sig);
	case SYS_tgkill:
		return send_as(k, tg, t, sig);
	case SYS_rt_sigqueueinfo:
		rc = (int)syscall(SYS_rt_sigqueueinfo, tg, sig, &si);
		break;
	default:
		rc = (int)syscall(SYS_rt_tgsigqueueinfo, tg, t, sig, &si);
		break;
	}
	return rc < 0 ? -errno : 0;
}

/* pidfd_open(vpid): opened here, installed in the caller.  Returns the
 * caller's new fd, or -errno; *done when the ADDFD answered the call. */
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
		rc = run_op(k, PROTO_OP_GETPPID, 0, 0, 0, &r);
		break;
	case SYS_getpgrp:
		rc = run_op(k, PROTO_OP_GETPGID, 0, 0, 0, &r);
		break;
	case SYS_getpgid:
		rc = run_op(k, PROTO_OP_GETPGID, (int32_t)a[0], 0, 0, &r);
		break;
	case SYS_getsid:
		rc = run_op(k, PROTO_OP_GETSID, (int32_t)a[0], 0, 0, &r);
		break;
	case SYS_setsid:
		rc = run_op(k, PROTO_OP_SETSID, 0, 0, 0, &r);
		break;
	case SYS_setpgid:
		rc = run_op(k, PROTO_OP_SETPGID, (int32_t)a[0], (int32_t)a[1], 0, &r);
		/* setpgid(0, 0) into a new group: the real call is its mirror. */
		if (rc == 0 && (int32_t)a[0] == 0 && (int32_t)a[1] == 0 && r.v[1] == k->c.rpid)
			return 0;
		r.v[0] = 0;
		break;
	case SYS_kill:
		*val = kill_own_child(k, (int32_t)a[0], (int)a[1]);
		if (*val == 1)
			*val = do_kill(k, (int32_t)a[0], (int)a[1]);
		return 1;
	case SYS_pidfd_open:
		*val = do_pidfd_open(k, lfd, n->id, a, done);
		return 1;
	default:
		*val = do_tgsend(k, n->data.nr, a);
		return 1;
	}
	*val = rc < 0 ? rc : r.v[0];
	return 1;
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
	k.tid = (pid_t)n->pid;
	k.c.hello = true;
	/* What the call follows was written before it. */
	events_drain(s);
	if (k.tid > 0) {
		int32_t v = eng_rpid_to_vpid(s->eng, k.tid);
		long tg = v > 1 ? k.tid : status_field(k.tid, "Tgid:", NULL, 0);
		k.c.rpid = (pid_t)tg;
		if (v <= 1 && tg > 0 && in_our_pidns((pid_t)tg))
			v = clients_identify(s, (pid_t)tg, 0);
		k.c.vpid = v > 1 ? v : 0;
	}
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
