/* sync.c — barriers (pipes at fixed fds) and waits on other processes. */
#include "sync.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <gnu/lib-names.h>
#include <poll.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "jsd.h"
#include "shared.h"

#define SYNC_TIMEOUT_MS 15000

void sync_barriers_create(const struct scn *s)
{
	for (int b = 0; b < s->nbarriers; b++) {
		int p[2];
		if (pipe(p) < 0)
			jsd_die("pipe: %s", strerror(errno));
		if (dup2(p[0], SYNC_FD_BASE + 2 * b) < 0 || dup2(p[1], SYNC_FD_BASE + 2 * b + 1) < 0)
			jsd_die("dup2: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
	}
}

void sync_signal(int barrier)
{
	char c = 1;
	while (write(SYNC_FD_BASE + 2 * barrier + 1, &c, 1) != 1)
		if (errno != EINTR)
			jsd_die("barrier write: %s", strerror(errno));
}

void sync_await(int barrier)
{
	char c;
	for (;;) {
		ssize_t r = read(SYNC_FD_BASE + 2 * barrier, &c, 1);
		if (r == 1)
			return;
		if (r == 0 || errno != EINTR)
			jsd_die("barrier read: %s", r ? strerror(errno) : "EOF");
	}
}

/*
 * What `gone` and `stopped` wait for must not be asked of the system under
 * test.  Under jobshim, syscall() is the shim's: SYS_getpid answers the
 * vpid, and SYS_pidfd_open takes a vpid and asks the supervisor for the
 * real pid, as open() does for /proc/<pid>/... paths.  A vpid that a child
 * has just published (its slot) can still be unknown there until its
 * parent's BIND reaches the supervisor, and a waiter that was already
 * waiting for that child sees it at once: pidfd_open failed with ESRCH and
 * `gone` took the running child for gone (jsgen 32286); /proc/VPID/stat
 * was missing and `stopped` took it for dead (jsgen 3764).  libc's own
 * syscall() is the kernel's.
 */
static long sync_kernel(long nr, long a, long b, long c)
{
	static long (*fn)(long, ...);
	if (!fn) {
		void *libc = dlopen(LIBC_SO, RTLD_LAZY | RTLD_NOLOAD);
		if (libc)
			fn = (long (*)(long, ...))dlsym(libc, "syscall");
		if (!fn)
			jsd_die("cannot find libc's syscall: %s", dlerror());
	}
	return fn(nr, a, b, c);
}

int sync_kernel_pid(void)
{
	return (int)sync_kernel(SYS_getpid, 0, 0, 0);
}

static void sync_sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* State letter and ppid from /proc/PID/stat (0 when it cannot be read).
 * `kernel`: PID is a kernel pid, read from the kernel; else a vpid, opened
 * through the shim's /proc translation under jobshim (sync_quiesce). */
static char sync_proc_state(int pid, bool kernel, int *ppid)
{
	char path[64], buf[512];
	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	int fd = kernel ? (int)sync_kernel(SYS_openat, AT_FDCWD, (long)path, O_RDONLY | O_CLOEXEC)
			: open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	char *p = strrchr(buf, ')'); /* comm may contain spaces and parens */
	char state = 0;
	if (!p || sscanf(p + 1, " %c %d", &state, ppid) != 2)
		return 0;
	return state;
}

static void sync_settle(void)
{
	const char *s = getenv("JSDIFF_SETTLE_MS");
	if (s && atoi(s) > 0)
		sync_sleep_ms(atoi(s));
}

/*
 * Orphaned zombies are reaped by init at its own pace.
 *
 * This loop still reads /proc by vpid through the shim, as all the syncs
 * did before.  A vpid the shim cannot translate (not bound yet, or reaped)
 * is no orphaned zombie either, so skipping it is right; and reading from
 * the kernel instead takes the supervisor round trips out of `gone`.
 * jobshim's orphan rule asks whether members are stopped when the
 * supervisor handles an exit, not at the exit (README, "Known sources of
 * false alarms"): without those round trips corpus/orphan-at-exit-time
 * failed about one run in five.
 */
static void sync_quiesce(struct jsd *j)
{
	for (int i = 0; i < j->scn.nprocs; i++) {
		int rpid = __atomic_load_n(&j->sh->slot[i].rpid, __ATOMIC_ACQUIRE), ppid = 0;
		for (int ms = 0; rpid && ms < SYNC_TIMEOUT_MS; ms++) {
			if (sync_proc_state(shared_vpid(j->sh, i), false, &ppid) != 'Z' || ppid != 1)
				break;
			sync_sleep_ms(1);
		}
	}
}

enum sync_result sync_gone(struct jsd *j, int proc)
{
	int rpid = shared_rpid_wait(j->sh, proc);
	if (!rpid)
		return SYNC_NEVER;
	int fd = (int)sync_kernel(SYS_pidfd_open, rpid, 0, 0);
	if (fd >= 0) {
		struct pollfd pfd = {fd, POLLIN, 0};
		int r;
		while ((r = poll(&pfd, 1, SYNC_TIMEOUT_MS)) < 0 && errno == EINTR)
			;
		close(fd);
		if (r == 0)
			return SYNC_TIMEOUT;
	} else if (errno != ESRCH) {
		jsd_die("pidfd_open: %s", strerror(errno));
	}
	/* The pidfd is readable as the exit begins to be reported; a process
	 * whose parent lets the kernel reap it (SIGCHLD ignored, SA_NOCLDWAIT)
	 * is released a moment later, and until then getpgid and waitpid
	 * still find it.  So: until it is a zombie, or gone -- gone for the
	 * kernel's pid table, which kill(pid, 0) asks: its /proc/PID/stat
	 * can no longer be read while getsid and kill still find it (the
	 * corpus's getsid-autoreaped-child gave getsid(C) = P0 natively after
	 * `gone C`, one run in eight). */
	for (int k = 0; k < 100 + SYNC_TIMEOUT_MS; k++) {
		int ppid;
		char st = sync_proc_state(rpid, true, &ppid);
		if (st == 'Z' || (st == 0 && sync_kernel(SYS_kill, rpid, 0, 0) < 0 && errno == ESRCH))
			break;
		if (k < 100)
			sched_yield();
		else
			sync_sleep_ms(1);
	}
	sync_quiesce(j);
	sync_settle();
	return SYNC_OK;
}

enum sync_result sync_stopped(struct jsd *j, int proc, int nth)
{
	int rpid = shared_rpid_wait(j->sh, proc);
	if (!rpid)
		return SYNC_NEVER;
	for (int ms = 0; ms < SYNC_TIMEOUT_MS; ms++) {
		int ppid;
		/* The count first: it is bumped before the stop is made, so a
		 * 'T' read after it is the nth stop (or a later one). */
		bool counted = shared_stops(j->sh, proc) >= nth;
		char st = sync_proc_state(rpid, true, &ppid);
		if (counted && (st == 'T' || st == 't')) {
			sync_settle();
			return SYNC_OK;
		}
		if (st == 0 || st == 'Z' || st == 'X')
			return SYNC_DEAD;
		sync_sleep_ms(1);
	}
	return SYNC_TIMEOUT;
}

void sync_all_gone(struct jsd *j)
{
	for (int i = 0; i < j->scn.nprocs; i++)
		if (i != j->self && shared_vpid(j->sh, i))
			sync_gone(j, i);
}
