/* procs.c — vpid <-> rpid/pidfd records, /proc reading, exits and reaping. */
#include "sup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * The engine owns the vpid <-> rpid mapping; this file owns what the engine
 * must not: one pidfd per bound live process (readable = exited, and a
 * race-free handle for signals), the command name for ps, and everything
 * read from /proc.  A record exists for every model process but init and is
 * freed when the model reaps it (effects.c sees the REAP event).
 */

/* ---- /proc ---------------------------------------------------------------- */

static ssize_t read_small(const char *path, char *buf, size_t len)
{
	int fd;
	ssize_t n;

	do
		fd = open(path, O_RDONLY | O_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return -errno;
	do
		n = read(fd, buf, len - 1);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		n = -errno;
	else
		buf[n] = '\0';
	close(fd);
	return n;
}

int procs_stat(pid_t rpid, struct procs_stat *st)
{
	char path[64], buf[1024];
	const char *open_paren, *close_paren;
	ssize_t n;
	size_t clen;
	int pos = 0;
	/* fields after comm: state ppid pgrp session tty_nr tpgid flags minflt
	 * cminflt majflt cmajflt utime stime cutime cstime priority nice
	 * num_threads itrealvalue starttime */
	int ppid, pgrp, sid;

	memset(st, 0, sizeof(*st));
	if (rpid <= 0)
		return -ESRCH;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)rpid);
	n = read_small(path, buf, sizeof(buf));
	if (n < 0)
		return n == -ENOENT ? -ESRCH : (int)n;
	/* comm may hold spaces and parentheses: it ends at the last ')'. */
	open_paren = strchr(buf, '(');
	close_paren = strrchr(buf, ')');
	if (!open_paren || !close_paren || close_paren < open_paren)
		return -EINVAL;
	clen = (size_t)(close_paren - open_paren - 1);
	if (clen >= sizeof(st->comm))
		clen = sizeof(st->comm) - 1;
	memcpy(st->comm, open_paren + 1, clen);
	st->comm[clen] = '\0';
	if (sscanf(close_paren + 1, " %c %d %d %d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu%n",
		   &st->state, &ppid, &pgrp, &sid, &st->start, &pos) < 5 || pos == 0)
		return -EINVAL;
	st->ppid = ppid;
	st->pgrp = pgrp;
	st->sid = sid;
	return 0;
}

/* The engine's stopped-state oracle: a completed group stop shows as 'T'
 * (or 't' under ptrace) in /proc. */
bool procs_is_stopped(void *ctx, int32_t vpid, int64_t rpid)
{
	struct procs_stat st;

	(void)ctx;
	(void)vpid;
	if (rpid <= 0 || procs_stat((pid_t)rpid, &st) < 0)
		return false;
	return st.state == 'T' || st.state == 't';
}

int procs_children(pid_t rpid, pid_t *out, size_t cap)
{
	char path[64], buf[4096];
	DIR *d;
	struct dirent *de;
	size_t n = 0;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)rpid);
	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d)) != NULL && n < cap) {
		char *p, *end;
		long tid = strtol(de->d_name, &end, 10);
		if (tid <= 0 || *end)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%ld/children", (int)rpid, tid);
		if (read_small(path, buf, sizeof(buf)) <= 0)
			continue;
		for (p = buf; n < cap; p = end) {
			long v = strtol(p, &end, 10);
			if (end == p || v <= 0)
				break;
			out[n++] = (pid_t)v;
		}
	}
	closedir(d);
	return (int)n;
}

void procs_cmdline(pid_t rpid, char *buf, size_t len)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)rpid);
	n = read_small(path, buf, len);
	if (n <= 0) {
		struct procs_stat st;
		if (procs_stat(rpid, &st) == 0)
			snprintf(buf, len, "[%s]", st.comm);
		else
			snprintf(buf, len, "?");
		return;
	}
	while (n > 0 && buf[n - 1] == '\0')
		n--;
	buf[n] = '\0';
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] == '\0' || buf[i] == '\n')
			buf[i] = ' ';
}

/* ---- records -------------------------------------------------------------- */

struct sup_proc *procs_find(struct sup *s, int32_t vpid)
{
	struct sup_proc *p;

	HASH_FIND(hh, s->procs, &vpid, sizeof(vpid), p);
	return p;
}

struct sup_proc *procs_add(struct sup *s, int32_t vpid)
{
	struct sup_proc *p = procs_find(s, vpid);

	if (p)
		return p;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->vpid = vpid;
	p->pidfd = -1;
	HASH_ADD(hh, s->procs, vpid, sizeof(p->vpid), p);
	if (p->hh.tbl == NULL) {
		free(p);
		return NULL;
	}
	return p;
}

static void close_pidfd(struct sup *s, struct sup_proc *p)
{
	if (p->pidfd < 0)
		return;
	sup_unwatch(s, p->pidfd);
	close(p->pidfd);
	p->pidfd = -1;
}

void procs_forget(struct sup *s, int32_t vpid)
{
	struct sup_proc *p = procs_find(s, vpid);

	if (!p)
		return;
	close_pidfd(s, p);
	if (p->stale_since)
		s->nstale--;
	HASH_DEL(s->procs, p);
	free(p);
}

void procs_free_all(struct sup *s)
{
	struct sup_proc *p, *tmp;

	HASH_ITER(hh, s->procs, p, tmp) {
		close_pidfd(s, p);
		HASH_DEL(s->procs, p);
		free(p);
	}
	s->nstale = 0;
}

void procs_name(struct sup *s, int32_t vpid, char *buf, size_t len)
{
	struct sup_proc *p = procs_find(s, vpid);
	int64_t rpid = eng_vpid_to_rpid(s->eng, vpid);
	struct procs_stat st;

	if (p && p->name[0])
		snprintf(buf, len, "%s", p->name);
	else if (vpid == 1)
		snprintf(buf, len, "jobshim");
	else if (rpid > 0 && (!p || !p->exited) && procs_stat((pid_t)rpid, &st) == 0)
		snprintf(buf, len, "%s", st.comm);
	else
		snprintf(buf, len, "?");
}

int procs_signal(struct sup *s, int32_t vpid, int sig)
{
	struct sup_proc *p = procs_find(s, vpid);

	if (!p || p->pidfd < 0)
		return -ESRCH;
	if (syscall(SYS_pidfd_send_signal, p->pidfd, sig, NULL, 0) < 0)
		return -errno;
	return 0;
}

/* ---- bind, exit, reap ------------------------------------------------------ */

int procs_bind(struct sup *s, int32_t vpid, int64_t rpid)
{
	struct sup_proc *p = procs_add(s, vpid);
	int rc, fd;

	if (!p)
		return -ENOMEM;
	if (p->rpid == rpid && (p->pidfd >= 0 || p->exited))
		return 0;
	rc = eng_bind(s->eng, vpid, rpid);
	if (rc < 0)
		return rc;
	p->rpid = rpid;
	if (p->stale_since) {
		p->stale_since = 0;
		s->nstale--;
	}
	fd = (int)syscall(SYS_pidfd_open, (pid_t)rpid, 0);
	if (fd < 0) {
		rc = -errno;
		/* Already reaped (its parent ignores SIGCHLD, or raced us): it
		 * exited with a status nobody will tell us. */
		if (rc == -ESRCH) {
			procs_exit(s, vpid, 0, false, "gone at bind");
			return 0;
		}
		fprintf(stderr, "jobshim: pidfd_open(%lld): %s\n", (long long)rpid, strerror(-rc));
		return 0;
	}
	rc = sup_watch(s, fd, SUP_W_PIDFD, (uint64_t)vpid);
	if (rc < 0) {
		close(fd);
		fprintf(stderr, "jobshim: epoll: %s\n", strerror(-rc));
		return 0;
	}
	p->pidfd = fd;
	return 0;
}

int procs_exit(struct sup *s, int32_t vpid, int wstatus, bool known, const char *how)
{
	struct sup_proc *p = procs_find(s, vpid);
	int rc;

	if (p && p->exited)
		return -EALREADY;
	if (p && p->rpid > 0) {
		clients_flush_rpid(s, (pid_t)p->rpid);
		p = procs_find(s, vpid); /* handling may have changed anything */
		if (p && p->exited)
			return -EALREADY;
	}
	if (p) {
		close_pidfd(s, p);
		p->exited = true;
	}
	s->exit_known = known;
	s->how = how;
	rc = eng_exit(s->eng, vpid, wstatus, &s->fx);
	effects_apply(s, 0);
	s->how = NULL;
	return rc;
}

int procs_reap(struct sup *s, int32_t parent, int32_t vpid)
{
	int rc = eng_reap(s->eng, parent, vpid, &s->fx);

	effects_apply(s, 0);
	if (rc == 0)
		procs_forget(s, vpid);
	return rc;
}

void procs_pidfd_ready(struct sup *s, int32_t vpid)
{
	struct sup_proc *p = procs_find(s, vpid);
	siginfo_t si;
	int status = 0;
	bool known = false;

	if (!p || p->pidfd < 0)
		return;
	/* Our own children (the command, adopted orphans) can tell their
	 * status without being reaped; anyone else's is unknown here. */
	memset(&si, 0, sizeof(si));
	if (waitid(P_PIDFD, (id_t)p->pidfd, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
	    si.si_pid != 0) {
		known = true;
		if (si.si_code == CLD_EXITED)
			status = (si.si_status & 0xff) << 8;
		else
			status = (si.si_status & 0x7f) | (si.si_code == CLD_DUMPED ? 0x80 : 0);
	}
	procs_exit(s, vpid, status, known, "pidfd");
}

/* Make sure the model has seen the exit of vpid's parent when the kernel
 * says it is gone (we became the real parent): both events can arrive in
 * one epoll batch in either order. */
static int32_t settle_parent(struct sup *s, int32_t vpid)
{
	struct eng_pinfo pi;
	struct sup_proc *pp;

	if (eng_info(s->eng, vpid, &pi) < 0)
		return -ESRCH;
	if (pi.ppid <= 1)
		return pi.ppid;
	pp = procs_find(s, pi.ppid);
	if (pp && pp->pidfd >= 0) {
		struct pollfd pfd = {.fd = pp->pidfd, .events = POLLIN};
		if (poll(&pfd, 1, 0) > 0)
			procs_pidfd_ready(s, pi.ppid);
	}
	if (eng_info(s->eng, vpid, &pi) < 0)
		return -ESRCH;
	return pi.ppid;
}

void procs_reap_children(struct sup *s)
{
	for (;;) {
		siginfo_t si;
		int status, rc;
		int32_t vpid, parent;

		memset(&si, 0, sizeof(si));
		rc = waitid(P_ALL, 0, &si, WEXITED | WNOHANG);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0 || si.si_pid == 0)
			return;
		if (si.si_code == CLD_EXITED)
			status = (si.si_status & 0xff) << 8;
		else
			status = (si.si_status & 0x7f) | (si.si_code == CLD_DUMPED ? 0x80 : 0);
		if (si.si_pid == s->cmd_rpid) {
			s->cmd_reaped = true;
			s->cmd_status = status;
		}
		vpid = eng_rpid_to_vpid(s->eng, si.si_pid);
		if (vpid <= 1)
			continue; /* never registered (a static binary's child): just reaped */
		procs_exit(s, vpid, status, true, "reaped by init");
		parent = settle_parent(s, vpid);
		if (parent <= 0)
			continue;
		/* parent != 1 means the model disagrees with the kernel (a lazy
		 * registration under the wrong ancestor): the real process is
		 * gone either way, so its model parent collects it. */
		s->how = "reaped by init";
		procs_reap(s, parent, vpid);
		s->how = NULL;
	}
}

/* ---- lazy registration ------------------------------------------------------ */

#define PROCS_CHAIN_MAX 64

int32_t procs_register(struct sup *s, pid_t rpid)
{
	pid_t chain[PROCS_CHAIN_MAX];
	size_t n = 0;
	pid_t r = rpid;
	int32_t v;
	struct eng_pinfo pi;

	/* Walk up the real parents until a known process: the peer must be a
	 * descendant of the supervisor (its chain reaches a known process). */
	for (;;) {
		struct procs_stat st;
		v = eng_rpid_to_vpid(s->eng, r);
		/* A model zombie holding r is stale (r is alive: the kernel reused
		 * the pid); eng_bind drops that binding when r is registered. */
		if (v > 0 && eng_info(s->eng, v, &pi) == 0 && pi.state != ENG_P_ZOMBIE)
			break;
		if (n == PROCS_CHAIN_MAX || procs_stat(r, &st) < 0 || st.ppid <= 0)
			return -EPERM;
		chain[n++] = r;
		r = st.ppid;
	}
	while (n > 0) {
		int32_t child;
		int rc;

		s->how = "lazy";
		rc = eng_fork(s->eng, v, &child, &s->fx);
		if (rc == 0 && !procs_add(s, child)) {
			eng_fork_abort(s->eng, child);
			rc = -ENOMEM;
		}
		if (rc < 0) {
			eng_fx_clear(&s->fx);
			s->how = NULL;
			return rc;
		}
		rc = procs_bind(s, child, chain[--n]);
		effects_apply(s, 0);
		s->how = NULL;
		if (rc < 0) {
			eng_fork_abort(s->eng, child);
			procs_forget(s, child);
			return rc;
		}
		v = child;
	}
	return v;
}

/* ---- sweep ---------------------------------------------------------------- */

bool procs_sweep_needed(struct sup *s)
{
	struct eng_stats st;

	eng_stats(s->eng, &st);
	return st.nzombie > 0 || s->nstale > 0;
}

/* Zombies of the model whose real parent reaped them without a REAPED
 * message (static binaries, SIGCHLD ignored), and reservations whose parent
 * died before binding them, are collected here. */
void procs_sweep(struct sup *s)
{
	int64_t now = sup_now();
	struct eng_pinfo pi;

	for (int32_t v = eng_next(s->eng, 2); v > 0; v = eng_next(s->eng, v + 1)) {
		struct procs_stat st;
		struct sup_proc *p;

		if (eng_info(s->eng, v, &pi) < 0)
			continue;
		if (pi.state == ENG_P_ZOMBIE) {
			if (pi.rpid > 0 && procs_stat((pid_t)pi.rpid, &st) == 0 && st.state == 'Z')
				continue; /* still a real zombie: its parent will reap it */
			s->how = "sweep";
			procs_reap(s, pi.ppid, v);
			s->how = NULL;
			continue;
		}
		p = procs_find(s, v);
		if (pi.rpid != 0 || !p || !p->stale_since || now - p->stale_since < 2 * SUP_SWEEP_NS)
			continue;
		/* Nobody will fork it any more: its reserving parent is gone. */
		if (eng_fork_abort(s->eng, v) == 0) {
			procs_forget(s, v);
		} else {
			procs_exit(s, v, 0, false, "never bound");
			if (eng_info(s->eng, v, &pi) == 0) {
				s->how = "sweep";
				procs_reap(s, pi.ppid, v);
				s->how = NULL;
			}
		}
	}
}
