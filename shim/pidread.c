/* pidread.c — pids in what a descriptor reads: signalfd's ssi_pid, fanotify's event pid, an accounting file's records (acct.c). */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>

/*
 * Two kinds of descriptor hand the reader a pid in the bytes read():
 *   - a signalfd: each 128-byte struct signalfd_siginfo has ssi_pid, the
 *     sender of a kill or sigqueue, or the child of a SIGCHLD (a process
 *     manager reads it and waits for that pid);
 *   - a fanotify group: each event's metadata has the pid (or, with
 *     FAN_REPORT_TID, the thread id) of the process that caused it.
 * The kernel writes real pids there.  Linux in a pid namespace writes the
 * pid as the reader's namespace numbers it, 0 for a process outside: so
 * here, as a SA_SIGINFO handler's si_pid (sig.c), which also gives back
 * the kernel's si_code for a filtered image's kill.
 *
 * A third, the file acct() named, is acct.c's (its records' ac_pid and
 * ac_ppid); it marks its descriptors here.
 *
 * Which descriptors: the ones signalfd(), fanotify_init() (and the
 * syscall() forms) returned in this process or its fork parents, and
 * their copies by dup, dup2, dup3 and fcntl F_DUPFD(_CLOEXEC): a bit per
 * descriptor number.  The bit only says "look": a descriptor closed and
 * its number reused (close, close_range, dup2 over it) keeps a stale bit,
 * so a read of a marked descriptor asks the kernel what it is
 * (/proc/self/fdinfo: "sigmask:" for a signalfd, "fanotify flags:" for
 * fanotify) before it changes a byte, and clears the bit when neither.
 * That costs an open, a read and a close per read() of such a descriptor;
 * every other read() pays one load and one test.
 *
 * Not covered: a descriptor inherited across exec (the new image's shim
 * has no bit for it), numbers from PR_FDS up, readv, and the reads a
 * static or Go image makes (no preload: the seccomp filter does not stop
 * read()).
 */

#define PR_FDS 8192
static _Atomic uint64_t pr_bits[PR_FDS / 64];

static bool pr_marked(int fd)
{
	return fd >= 0 && fd < PR_FDS &&
	       (atomic_load_explicit(&pr_bits[fd / 64], memory_order_relaxed) >> (fd % 64) & 1);
}

static void pr_set(int fd, bool on)
{
	uint64_t bit;

	if (fd < 0 || fd >= PR_FDS)
		return;
	bit = (uint64_t)1 << (fd % 64);
	if (on)
		atomic_fetch_or(&pr_bits[fd / 64], bit);
	else if (pr_marked(fd))
		atomic_fetch_and(&pr_bits[fd / 64], ~bit);
}

void shim_pidread_mark(int fd)
{
	pr_set(fd, true);
}

/* After a successful dup of `from` onto `to`. */
void shim_pidread_dup(int from, int to)
{
	pr_set(to, pr_marked(from));
	shim_cgwrite_dup(from, to); /* and a cgroup pid file's copies */
}

enum pr_kind { PR_NONE, PR_SIGNALFD, PR_FANOTIFY, PR_ACCT };

/* What fd is now, from the kernel's fdinfo; *fan_flags: fanotify_init's
 * flags.  Raw calls: read() may run in a signal handler. */
static enum pr_kind pr_kind(int fd, unsigned *fan_flags)
{
	char buf[512], *p;
	int pfd;

	if (shim_acct_is(fd))
		return PR_ACCT;
	pfd = shim_fdinfo_open(fd);
	if (pfd < 0 || shim_read_close(pfd, buf, sizeof(buf)) < 0)
		return PR_NONE;
	if (strstr(buf, "\nsigmask:") != NULL)
		return PR_SIGNALFD;
	p = strstr(buf, "\nfanotify flags:");
	if (p == NULL)
		return PR_NONE;
	*fan_flags = 0;
	for (p += strlen("\nfanotify flags:"); *p != '\0'; p++) {
		unsigned d = *p >= '0' && *p <= '9'   ? (unsigned)(*p - '0')
			     : *p >= 'a' && *p <= 'f' ? (unsigned)(*p - 'a' + 10)
						      : 16;
		if (d == 16)
			break;
		*fan_flags = *fan_flags << 4 | d;
	}
	return PR_FANOTIFY;
}

static void fix_signalfd(struct signalfd_siginfo *rec, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		siginfo_t si;

		memset(&si, 0, sizeof(si));
		si.si_signo = (int)rec[i].ssi_signo;
		si.si_code = rec[i].ssi_code;
		si.si_pid = (pid_t)rec[i].ssi_pid;
		si.si_value.sival_ptr = (void *)(uintptr_t)rec[i].ssi_ptr;
		shim_sig_translate(&si);
		rec[i].ssi_pid = (uint32_t)si.si_pid;
		if (si.si_code != rec[i].ssi_code) {
			/* A filtered image's kill, sent as SI_QUEUE: the value
			 * was jobshim's marker, not the program's. */
			rec[i].ssi_code = si.si_code;
			rec[i].ssi_ptr = (uint64_t)(uintptr_t)si.si_value.sival_ptr;
			rec[i].ssi_int = si.si_value.sival_int;
		}
	}
}

/* An event's process: 0 outside the tree.  With FAN_REPORT_TID a thread
 * id: another thread of ours keeps its real id (thread.c's rule), also one
 * that has ended since (thread.c's ring), a main thread's id is its
 * process's vpid. */
static int32_t fan_pid(int32_t pid, bool tid)
{
	pid_t self = shim_sys_getpid();

	if (pid <= 0)
		return pid;
	if (tid && pid != self &&
	    (shim_raw_syscall(SYS_tgkill, self, pid, 0, 0, 0, 0) == 0 || shim_thread_was_ours(pid)))
		return pid;
	return shim_r2v(pid);
}

static void fix_fanotify(char *buf, size_t n, unsigned flags)
{
	size_t off = 0;

	while (n - off >= FAN_EVENT_METADATA_LEN) {
		struct fanotify_event_metadata m;

		memcpy(&m, buf + off, sizeof(m));
		if (m.vers != FANOTIFY_METADATA_VERSION || m.event_len < FAN_EVENT_METADATA_LEN ||
		    m.event_len > n - off)
			return;
		m.pid = fan_pid(m.pid, (flags & FAN_REPORT_TID) != 0);
		memcpy(buf + off + offsetof(struct fanotify_event_metadata, pid), &m.pid,
		       sizeof(m.pid));
		off += m.event_len;
	}
}

/* After a read of n > 0 bytes from fd into buf. */
static void pidread_fix(int fd, void *buf, size_t n)
{
	int saved = errno;
	unsigned flags = 0;

	if (shim_mode() == SHIM_MODE_NONE || shim_offline())
		return;
	switch (pr_kind(fd, &flags)) {
	case PR_SIGNALFD:
		fix_signalfd(buf, n / sizeof(struct signalfd_siginfo));
		break;
	case PR_FANOTIFY:
		fix_fanotify(buf, n, flags);
		break;
	case PR_ACCT:
		shim_acct_fix(fd, buf, n);
		break;
	default:
		pr_set(fd, false);
		break;
	}
	shim_errno_keep(saved);
}

long shim_pidread_sys(int fd, void *buf, size_t n)
{
	long r = shim_raw_syscall(SYS_read, fd, (long)buf, (long)n, 0, 0, 0);

	if (r > 0 && pr_marked(fd))
		pidread_fix(fd, buf, (size_t)r);
	return r;
}

SHIM_EXPORT ssize_t read(int fd, void *buf, size_t n)
{
	ssize_t r = REAL(read)(fd, buf, n);

	if (__builtin_expect(pr_marked(fd), 0) && r > 0)
		pidread_fix(fd, buf, (size_t)r);
	return r;
}

/* read() with _FORTIFY_SOURCE and a buffer of known size. */
SHIM_EXPORT ssize_t __read_chk(int fd, void *buf, size_t n, size_t buflen)
{
	ssize_t r = REAL(__read_chk)(fd, buf, n, buflen);

	if (__builtin_expect(pr_marked(fd), 0) && r > 0)
		pidread_fix(fd, buf, (size_t)r);
	return r;
}

SHIM_EXPORT int signalfd(int fd, const sigset_t *mask, int flags)
{
	int r = REAL(signalfd)(fd, mask, flags);

	if (r >= 0)
		pr_set(r, true);
	return r;
}

SHIM_EXPORT int fanotify_init(unsigned flags, unsigned event_f_flags)
{
	int r = REAL(fanotify_init)(flags, event_f_flags);

	if (r >= 0)
		pr_set(r, true);
	return r;
}

SHIM_EXPORT int dup(int fd)
{
	int r = REAL(dup)(fd);

	if (r >= 0)
		shim_pidread_dup(fd, r);
	return r;
}

SHIM_EXPORT int dup2(int fd, int to)
{
	/* Descriptor 1 leaving a pid file: stdout's pending text is written
	 * there first (cgstdio.c). */
	if (to == 1 && fd != 1)
		shim_cgwrite_stdout_leaving();
	int r = REAL(dup2)(fd, to);

	if (r >= 0 && r != fd) {
		shim_pidread_dup(fd, r);
		if (r == 1)
			shim_cgwrite_stdout_arrived();
	}
	return r;
}

SHIM_EXPORT int dup3(int fd, int to, int flags)
{
	if (to == 1 && fd != 1)
		shim_cgwrite_stdout_leaving();
	int r = REAL(dup3)(fd, to, flags);

	if (r >= 0) {
		shim_pidread_dup(fd, r);
		if (r == 1)
			shim_cgwrite_stdout_arrived();
	}
	return r;
}
