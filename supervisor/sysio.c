/* sysio.c — the supervisor's system calls about other processes: /proc reads, pidfds, reaping. */
#include "sup.h"

#include "../core/corename.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * Everything the request handlers (ops.c, clients.c, procs.c) learn from or
 * do to the real processes goes through these few functions, and nothing
 * else lives here: the fuzz target (tests/fuzz/) links a fake kernel in
 * place of this file and drives the handlers in-process.
 */

/* ---- /proc ------------------------------------------------------------------ */

/* The /proc that procfs.c checked at start (our own pid namespace's, every
 * process of the tree visible), held open so that a /proc mounted over it
 * later cannot make us read -- and then signal -- pids of another
 * namespace.  -1 until then: "/proc" itself (tests, ps). */
static int proc_dirfd = -1;

void sysio_set_proc(int dirfd)
{
	proc_dirfd = dirfd;
}

/* open(2) of "/proc/" + rel, relative to the checked /proc. */
static int proc_open(const char *rel, int flags)
{
	char path[96];
	int fd;

	if (proc_dirfd < 0)
		snprintf(path, sizeof(path), "/proc/%s", rel);
	do
		fd = proc_dirfd >= 0 ? openat(proc_dirfd, rel, flags | O_CLOEXEC)
				     : open(path, flags | O_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	return fd < 0 ? -errno : fd;
}

static ssize_t read_small(const char *path, char *buf, size_t len)
{
	int fd;
	ssize_t n;

	fd = proc_open(path, O_RDONLY);
	if (fd < 0)
		return fd;
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

/* /proc/<rpid>/stat into buf: its length, or -errno (-ESRCH: gone). */
static ssize_t read_stat(pid_t rpid, char *buf, size_t size)
{
	char path[64];
	ssize_t n;

	if (rpid <= 0)
		return -ESRCH;
	snprintf(path, sizeof(path), "%d/stat", (int)rpid);
	n = read_small(path, buf, size);
	return n == -ENOENT ? -ESRCH : n;
}

/* A zombie's wait status from its /proc stat (the last field,
 * exit_code): 0 and *status, or -errno (gone: reaped already). */
int sysio_exit_code(pid_t rpid, int *status)
{
	char buf[1024];
	const char *last;
	ssize_t n = read_stat(rpid, buf, sizeof(buf));

	if (n < 0)
		return (int)n;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	last = strrchr(buf, ' ');
	if (last == NULL || strrchr(buf, ')') > last || strchr(buf, ')') == NULL)
		return -EINVAL;
	/* Field 52 exists since Linux 3.5: the 52nd field overall. */
	int fields = 0;
	for (const char *p = strrchr(buf, ')'); p != NULL && *p != '\0'; p++)
		if (*p == ' ')
			fields++;
	if (fields + 2 < 52)
		return -EINVAL;
	*status = atoi(last + 1);
	return 0;
}

pid_t sysio_getpgid(pid_t rpid)
{
	pid_t g;

	if (rpid <= 0)
		return -ESRCH;
	g = getpgid(rpid);
	return g < 0 ? -errno : g;
}

int sysio_stat(pid_t rpid, struct sysio_stat *st)
{
	char buf[1024];
	const char *open_paren, *close_paren;
	ssize_t n;
	size_t clen;
	int pos = 0;
	/* fields after comm: state ppid pgrp session tty_nr tpgid flags minflt
	 * cminflt majflt cmajflt utime stime cutime cstime priority nice
	 * num_threads itrealvalue starttime */
	int ppid, pgrp, sid, tty_nr, tpgid;

	memset(st, 0, sizeof(*st));
	n = read_stat(rpid, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
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
	unsigned long long utime, stime;

	if (sscanf(close_paren + 1, " %c %d %d %d %d %d %u %*u %*u %*u %*u %llu %llu %*d %*d %*d %*d %d %*d %llu%n",
		   &st->state, &ppid, &pgrp, &sid, &tty_nr, &tpgid, &st->flags, &utime, &stime, &st->nthreads,
		   &st->start, &pos) < 11 || pos == 0)
		return -EINVAL;
	st->cpu = utime + stime;
	st->tty_nr = tty_nr;
	st->tpgid = tpgid;
	st->ppid = ppid;
	st->pgrp = pgrp;
	st->sid = sid;
	return 0;
}

/* /proc/<rpid>/status into buf (NUL-terminated): its length, or -errno
 * (ESRCH when there is no such task). */
static ssize_t read_status(pid_t rpid, char *buf, size_t len)
{
	char path[64];
	ssize_t n;

	if (rpid <= 0)
		return -ESRCH;
	snprintf(path, sizeof(path), "%d/status", (int)rpid);
	n = read_small(path, buf, len);
	return n == -ENOENT ? -ESRCH : n;
}

int sysio_sigmasks(pid_t rpid, struct sysio_sigmasks *m)
{
	char buf[4096];
	const char *p;
	ssize_t n;

	memset(m, 0, sizeof(*m));
	n = read_status(rpid, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	if (!(p = strstr(buf, "\nSigIgn:")) || sscanf(p + 8, "%llx", &m->ignored) != 1 ||
	    !(p = strstr(buf, "\nSigCgt:")) || sscanf(p + 8, "%llx", &m->caught) != 1)
		return -EINVAL;
	return 0;
}

/* The thread group of a task id: rpid itself for a process, its process's
 * pid for another thread (/proc/<tid> exists, unlisted, for every thread). */
pid_t sysio_tgid(pid_t rpid)
{
	char buf[4096];
	const char *p;
	long tgid;
	ssize_t n = read_status(rpid, buf, sizeof(buf));

	if (n < 0)
		return (pid_t)n;
	if (!(p = strstr(buf, "\nTgid:")) || sscanf(p + 6, "%ld", &tgid) != 1 || tgid <= 0)
		return -EINVAL;
	return (pid_t)tgid;
}

/* How many pid namespaces deep a task sees itself from ours: the fields
 * of its NSpid line (1: ours; 0 when unknown). */
static int nspid_depth(pid_t rpid)
{
	char buf[4096];
	const char *p;
	int n = 0;
	ssize_t len = read_status(rpid, buf, sizeof(buf));

	if (len < 0 || !(p = strstr(buf, "\nNSpid:")))
		return 0;
	for (p += 7; *p != '\0' && *p != '\n';) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p < '0' || *p > '9')
			break;
		n++;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return n;
}

bool sysio_in_nested_pidns(pid_t rpid)
{
	static int own;
	int d;

	if (own == 0)
		own = nspid_depth(getpid());
	d = nspid_depth(rpid);
	return own > 0 && d > own;
}

/* Append v to *out (n used, *cap allocated; max: the most wanted). */
static bool kids_push(pid_t **out, size_t *n, size_t *cap, size_t max, long v)
{
	if (*n == *cap) {
		size_t ncap = *cap ? 2 * *cap : 64;
		pid_t *nv;

		if (ncap > max)
			ncap = max;
		if (ncap <= *n || !(nv = realloc(*out, ncap * sizeof(*nv))))
			return false;
		*out = nv;
		*cap = ncap;
	}
	(*out)[(*n)++] = (pid_t)v;
	return true;
}

/* One task's children file, read to its end (a process with thousands of
 * children has a file far larger than one read: 7 bytes a child). */
static void kids_read(const char *path, pid_t **out, size_t *n, size_t *cap, size_t max)
{
	char buf[4096];
	size_t have = 0;
	int fd = proc_open(path, O_RDONLY);

	if (fd < 0)
		return;
	for (;;) {
		ssize_t r = read(fd, buf + have, sizeof(buf) - 1 - have);
		char *p = buf, *end, *last;

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		have += (size_t)r;
		buf[have] = '\0';
		/* Whole numbers only: the last may go on in the next read. */
		last = buf + have;
		while (last > buf && last[-1] >= '0' && last[-1] <= '9')
			last--;
		for (;;) {
			long v = strtol(p, &end, 10);
			if (end == p || end > last || v <= 0)
				break;
			if (!kids_push(out, n, cap, max, v)) {
				close(fd);
				return;
			}
			p = end;
		}
		have = (size_t)(buf + have - last);
		memmove(buf, last, have);
	}
	if (have > 0) { /* the file's last number */
		buf[have] = '\0';
		long v = strtol(buf, NULL, 10);
		if (v > 0)
			kids_push(out, n, cap, max, v);
	}
	close(fd);
}

int sysio_children_all(pid_t rpid, pid_t **out, size_t *cap, size_t max)
{
	char path[64];
	DIR *d;
	struct dirent *de;
	size_t n = 0;
	int fd;

	snprintf(path, sizeof(path), "%d/task", (int)rpid);
	fd = proc_open(path, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return fd;
	d = fdopendir(fd);
	if (!d) {
		int err = errno;
		close(fd);
		return -err;
	}
	while ((de = readdir(d)) != NULL && n < max) {
		char *end;
		long tid = strtol(de->d_name, &end, 10);
		if (tid <= 0 || *end)
			continue;
		snprintf(path, sizeof(path), "%d/task/%ld/children", (int)rpid, tid);
		kids_read(path, out, &n, cap, max);
	}
	closedir(d);
	return (int)n;
}

int sysio_children(pid_t rpid, pid_t *out, size_t cap)
{
	pid_t *all = NULL;
	size_t acap = 0;
	int n = sysio_children_all(rpid, &all, &acap, cap);

	if (n > 0)
		memcpy(out, all, (size_t)n * sizeof(*out));
	free(all);
	return n;
}

/* The kernel's PF_EXITING (include/linux/sched.h): do_exit has begun. */
#define SYSIO_PF_EXITING 0x4u
#define SYSIO_SIGKILL_BIT (1ULL << (SIGKILL - 1))

/*
 * Is rpid already on its way out, so that no leak report should name it?
 * Exiting (PF_EXITING), a zombie, or SIGKILL pending -- which is also how
 * the kernel marks a process hit by any fatal signal with the default
 * action (complete_signal queues SIGKILL to every thread), and what a
 * stopped process killed with SIGKILL shows until it is scheduled.  Gone
 * entirely: dying too (it died).  The state and PF_EXITING are the main
 * thread's: they count only when it is the last one (a main thread that
 * called pthread_exit leaves the others running).
 */
bool sysio_dying(pid_t rpid)
{
	char path[64], buf[4096];
	struct sysio_stat st;
	unsigned long long pend;
	const char *p;
	int rc = sysio_stat(rpid, &st);

	/* Gone is dying; a /proc we cannot read (EMFILE: a table full of
	 * pidfds) says nothing, and a process not known to be dying is a
	 * leftover: it is reported, not killed unannounced. */
	if (rc < 0)
		return rc == -ESRCH;
	if ((st.state == 'Z' || st.state == 'X' || (st.flags & SYSIO_PF_EXITING)) && st.nthreads <= 1)
		return true;
	snprintf(path, sizeof(path), "%d/status", (int)rpid);
	if ((rc = (int)read_small(path, buf, sizeof(buf))) < 0)
		return rc == -ENOENT || rc == -ESRCH;
	if ((p = strstr(buf, "\nSigPnd:")) && sscanf(p + 8, "%llx", &pend) == 1 && (pend & SYSIO_SIGKILL_BIT))
		return true;
	if ((p = strstr(buf, "\nShdPnd:")) && sscanf(p + 8, "%llx", &pend) == 1 && (pend & SYSIO_SIGKILL_BIT))
		return true;
	return false;
}

bool sysio_maps_has(pid_t rpid, const char *path)
{
	char rel[64], buf[8192];
	size_t plen = strlen(path), have = 0;
	ssize_t n;
	bool found = false;
	int fd;

	snprintf(rel, sizeof(rel), "%d/maps", (int)rpid);
	fd = proc_open(rel, O_RDONLY);
	if (fd < 0 || plen == 0 || plen >= sizeof(buf) / 2) {
		if (fd >= 0)
			close(fd);
		return true;
	}
	/* Keep the last plen bytes of each read: a name may straddle two. */
	while (!found && (n = read(fd, buf + have, sizeof(buf) - 1 - have)) > 0) {
		have += (size_t)n;
		buf[have] = '\0';
		found = memmem(buf, have, path, plen) != NULL;
		if (have > plen) {
			memmove(buf, buf + have - plen, plen);
			have = plen;
		}
	}
	if (n < 0 && !found)
		found = true;
	close(fd);
	return found;
}

void sysio_cmdline(pid_t rpid, char *buf, size_t len)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "%d/cmdline", (int)rpid);
	n = read_small(path, buf, len);
	if (n <= 0) {
		struct sysio_stat st;
		if (sysio_stat(rpid, &st) == 0)
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

/* ---- pidfds and reaping ----------------------------------------------------- */

int sysio_pidfd_open(pid_t rpid)
{
	int fd = (int)syscall(SYS_pidfd_open, rpid, 0);

	return fd < 0 ? -errno : fd;
}

/*
 * The real parent of the process a pidfd names, from the kernel in one
 * ioctl (PIDFD_GET_INFO, Linux 6.13): procs.c asks it of every process it
 * starts watching, where reading /proc/<pid>/stat took an open, a read,
 * a close and the kernel's formatting of 52 fields.  -errno when the
 * kernel has no such ioctl (ENOTTY, EINVAL) or the process is gone
 * (ESRCH): the caller reads /proc then.  The layout is the kernel's ABI
 * (include/uapi/linux/pidfd.h), spelled out because Debian 12's headers
 * predate it; its first version is 64 bytes, and the request carries its
 * size.
 */
struct sysio_pidfd_info {
	uint64_t mask, cgroupid;
	uint32_t pid, tgid, ppid, ruid, rgid, euid, egid, suid, sgid, fsuid, fsgid;
	uint32_t spare0[1];
};
#define SYSIO_PIDFD_INFO_PID 1ULL
#define SYSIO_PIDFD_GET_INFO _IOWR(0xFF, 11, struct sysio_pidfd_info)

pid_t sysio_pidfd_ppid(int pidfd)
{
	struct sysio_pidfd_info info;

	_Static_assert(sizeof(info) == 64, "PIDFD_INFO_SIZE_VER0");
	memset(&info, 0, sizeof(info));
	info.mask = SYSIO_PIDFD_INFO_PID;
	if (ioctl(pidfd, SYSIO_PIDFD_GET_INFO, &info) < 0)
		return -errno;
	if (!(info.mask & SYSIO_PIDFD_INFO_PID))
		return -EINVAL;
	return (pid_t)info.ppid;
}

int sysio_pidfd_signal(int pidfd, int sig)
{
	return syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0 ? -errno : 0;
}

static int wait_status(const siginfo_t *si)
{
	if (si->si_code == CLD_EXITED)
		return (si->si_status & 0xff) << 8;
	return (si->si_status & 0x7f) | (si->si_code == CLD_DUMPED ? 0x80 : 0);
}

/* Our own children (the command, adopted orphans) can tell their status
 * without being reaped; anyone else's is unknown here.  true: *status set. */
bool sysio_pidfd_status(int pidfd, int *status)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	if (waitid(P_PIDFD, (id_t)pidfd, &si, WEXITED | WNOHANG | WNOWAIT) < 0 || si.si_pid == 0)
		return false;
	*status = wait_status(&si);
	return true;
}

/* One exited child of ours, left a zombie (WNOWAIT): its rpid, or 0 when
 * none is ready.  sysio_reap_pid collects it. */
pid_t sysio_peek_any(int *status)
{
	siginfo_t si;
	int rc;

	do {
		memset(&si, 0, sizeof(si));
		rc = waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT);
	} while (rc < 0 && errno == EINTR);
	if (rc < 0 || si.si_pid == 0)
		return 0;
	*status = wait_status(&si);
	return si.si_pid;
}

void sysio_reap_pid(pid_t rpid)
{
	siginfo_t si;

	while (waitid(P_PID, (id_t)rpid, &si, WEXITED | WNOHANG) < 0 && errno == EINTR)
		;
}

/* A small /proc/sys file, its first line ("" when unreadable). */
static void sys_line(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, cap - 1) : -1;

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

/*
 * The kernel named the core file with the real pid; %p means the pid in
 * the dumper's namespace, its vpid here (shim/corename.c renames it for a
 * parent that reaps).  Init reaps orphans: we do for them, for an absolute
 * pattern only (a relative one names a file in the dumper's cwd, which we
 * do not know), and only from the real-pid name to a free vpid name.
 */
void sysio_core_rename(pid_t rpid, int32_t vpid, int sig)
{
	char pat[256], uses[8], from[320], to[320];
	struct stat st;

	sys_line("/proc/sys/kernel/core_pattern", pat, sizeof(pat));
	sys_line("/proc/sys/kernel/core_uses_pid", uses, sizeof(uses));
	bool uses_pid = uses[0] != '\0' && strcmp(uses, "0") != 0;
	if (pat[0] != '/' || !corename_build(pat, uses_pid, rpid, sig, from, sizeof(from)) ||
	    !corename_build(pat, uses_pid, (pid_t)vpid, sig, to, sizeof(to)) || strcmp(from, to) == 0)
		return;
	if (lstat(from, &st) == 0 && S_ISREG(st.st_mode) && lstat(to, &st) < 0 && errno == ENOENT)
		(void)rename(from, to);
}
