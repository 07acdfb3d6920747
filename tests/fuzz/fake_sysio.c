/* fake_sysio.c — supervisor/sysio.c's interface over the fake kernel of fake.h (fuzz builds). */
#include "../../supervisor/sup.h"
#include "fake.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

struct fake_kernel fake;

void fake_reset(void)
{
	memset(&fake, 0, sizeof(fake));
}

struct fake_proc *fake_find(pid_t rpid)
{
	for (int i = 0; i < FAKE_NSLOT; i++)
		if (rpid > 0 && fake.p[i].rpid == rpid)
			return &fake.p[i];
	return NULL;
}

pid_t fake_slot_rpid(int slot, int older)
{
	unsigned gen = fake.p[slot].gen + (unsigned)(FAKE_NGEN - older);

	return FAKE_RPID_BASE + slot + FAKE_NSLOT * (pid_t)(gen % FAKE_NGEN);
}

int fake_fork(int slot, pid_t ppid)
{
	struct fake_proc *p = &fake.p[slot];

	if (p->rpid)
		return -1;
	p->gen++;
	p->rpid = fake_slot_rpid(slot, 0);
	p->ppid = ppid;
	p->state = 'R';
	p->status = 0;
	return 0;
}

/* Is fd still one of our eventfds?  (The supervisor closes pidfds without
 * telling us; a reused number that is an eventfd was handed out since, and
 * its entry rewritten.) */
static bool is_fake_pidfd(int fd)
{
	char path[64], link[64];
	ssize_t n;

	if (fd < 0 || fd >= FAKE_MAXFD || !fake.pidfd_rpid[fd])
		return false;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return false;
	link[n] = '\0';
	return strcmp(link, "anon_inode:[eventfd]") == 0;
}

void fake_exit(struct fake_proc *p, int status)
{
	uint64_t one = 1;

	if (!p->rpid || p->state == 'Z')
		return;
	p->state = 'Z';
	p->status = status;
	for (int i = 0; i < FAKE_NSLOT; i++)
		if (fake.p[i].rpid && fake.p[i].ppid == p->rpid)
			fake.p[i].ppid = FAKE_SUP_RPID;
	for (int fd = 0; fd < FAKE_MAXFD; fd++)
		if (fake.pidfd_rpid[fd] == p->rpid && is_fake_pidfd(fd))
			(void)!write(fd, &one, sizeof(one));
}

void fake_gone(struct fake_proc *p)
{
	p->rpid = 0;
	p->ppid = 0;
	p->state = 0;
}

/* ---- sysio.c's interface ------------------------------------------------------ */

int sysio_stat(pid_t rpid, struct sysio_stat *st)
{
	struct fake_proc *p = fake_find(rpid);

	memset(st, 0, sizeof(*st));
	if (p) {
		st->state = p->state;
		st->ppid = p->ppid;
		snprintf(st->comm, sizeof(st->comm), "fake%d", (int)rpid);
	} else if (rpid == FAKE_SUP_RPID || rpid == FAKE_OUTSIDE_RPID || rpid == 1) {
		st->state = 'S';
		st->ppid = rpid == 1 ? 0 : 1;
		snprintf(st->comm, sizeof(st->comm), "%s", rpid == FAKE_SUP_RPID ? "jobshim" : "init");
	} else {
		return -ESRCH;
	}
	st->pgrp = st->sid = FAKE_RPID_BASE;
	st->start = (unsigned long long)rpid;
	return 0;
}

pid_t sysio_getpgid(pid_t rpid)
{
	struct sysio_stat st;

	return sysio_stat(rpid, &st) < 0 ? -ESRCH : st.pgrp;
}

/* Every fake process keeps the default dispositions, none blocked. */
int sysio_sigmasks(pid_t rpid, struct sysio_sigmasks *m)
{
	memset(m, 0, sizeof(*m));
	return fake_find(rpid) ? 0 : -ESRCH;
}

/* Fake processes have one thread each. */
pid_t sysio_tgid(pid_t rpid)
{
	return fake_find(rpid) ? rpid : -ESRCH;
}

/* The fake kernel has one pid namespace. */
bool sysio_in_nested_pidns(pid_t rpid)
{
	(void)rpid;
	return false;
}

int sysio_children(pid_t rpid, pid_t *out, size_t cap)
{
	size_t n = 0;

	for (int i = 0; i < FAKE_NSLOT && n < cap; i++)
		if (fake.p[i].rpid && fake.p[i].ppid == rpid)
			out[n++] = fake.p[i].rpid;
	return (int)n;
}

int sysio_children_all(pid_t rpid, pid_t **out, size_t *cap, size_t max)
{
	size_t n = 0;

	for (int i = 0; i < FAKE_NSLOT && n < max; i++) {
		if (!fake.p[i].rpid || fake.p[i].ppid != rpid)
			continue;
		if (n == *cap) {
			size_t ncap = *cap ? 2 * *cap : 16;
			pid_t *nv = realloc(*out, ncap * sizeof(*nv));
			if (!nv)
				break;
			*out = nv;
			*cap = ncap;
		}
		(*out)[n++] = fake.p[i].rpid;
	}
	return (int)n;
}

/* Fake processes are not preloaded: a listing adopts the unknown ones. */
bool sysio_maps_has(pid_t rpid, const char *path)
{
	(void)rpid;
	(void)path;
	return false;
}

void sysio_cmdline(pid_t rpid, char *buf, size_t len)
{
	snprintf(buf, len, "fake %d", (int)rpid);
}

/* Fake processes never have a signal pending: only zombies are dying. */
bool sysio_dying(pid_t rpid)
{
	struct fake_proc *p = fake_find(rpid);

	return !p || p->state == 'Z';
}

/* The fake kernel has no /proc. */
void sysio_set_proc(int dirfd)
{
	(void)dirfd;
}

int sysio_pidfd_open(pid_t rpid)
{
	struct fake_proc *p = fake_find(rpid);
	uint64_t one = 1;
	int fd;

	if (!p)
		return -ESRCH;
	fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fd >= FAKE_MAXFD) {
		close(fd);
		return -EMFILE;
	}
	fake.pidfd_rpid[fd] = rpid;
	if (p->state == 'Z')
		(void)!write(fd, &one, sizeof(one));
	return fd;
}

/* PIDFD_GET_INFO's parent: the fake process's, ESRCH once it is a zombie
 * (as the kernel of 6.13 answers for an exited task). */
pid_t sysio_pidfd_ppid(int pidfd)
{
	struct fake_proc *p;

	if (!is_fake_pidfd(pidfd))
		return -EBADF;
	p = fake_find(fake.pidfd_rpid[pidfd]);
	if (!p || p->state == 'Z')
		return -ESRCH;
	return p->ppid;
}

/* Default actions only: the fake processes install no handlers. */
/* The fake kernel keeps no exit codes: as a zombie already reaped. */
int sysio_exit_code(pid_t rpid, int *status)
{
	(void)rpid;
	(void)status;
	return -ESRCH;
}

int sysio_pidfd_signal(int pidfd, int sig)
{
	struct fake_proc *p;

	if (!is_fake_pidfd(pidfd))
		return -EBADF;
	p = fake_find(fake.pidfd_rpid[pidfd]);
	if (!p || p->state == 'Z')
		return p ? 0 : -ESRCH;
	if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU)
		p->state = 'T';
	else if (sig == SIGCONT)
		p->state = 'R';
	else if (sig == SIGKILL || sig == SIGHUP || sig == SIGTERM || sig == SIGINT)
		fake_exit(p, sig);
	return 0;
}

bool sysio_pidfd_status(int pidfd, int *status)
{
	struct fake_proc *p = is_fake_pidfd(pidfd) ? fake_find(fake.pidfd_rpid[pidfd]) : NULL;

	if (!p || p->state != 'Z' || p->ppid != FAKE_SUP_RPID)
		return false;
	*status = p->status;
	return true;
}

pid_t sysio_peek_any(int *status)
{
	for (int i = 0; i < FAKE_NSLOT; i++) {
		struct fake_proc *p = &fake.p[i];
		if (p->rpid && p->state == 'Z' && p->ppid == FAKE_SUP_RPID) {
			*status = p->status;
			return p->rpid;
		}
	}
	return 0;
}

void sysio_reap_pid(pid_t rpid)
{
	for (int i = 0; i < FAKE_NSLOT; i++) {
		struct fake_proc *p = &fake.p[i];
		if (p->rpid == rpid && p->state == 'Z' && p->ppid == FAKE_SUP_RPID) {
			fake_gone(p);
			return;
		}
	}
}

void sysio_core_rename(pid_t rpid, int32_t vpid, int sig)
{
	/* The fake kernel writes no core files. */
	(void)rpid;
	(void)vpid;
	(void)sig;
}
