/* fdroom.c — the shim's own descriptors go where the program's never do, even under a low RLIMIT_NOFILE. */
#include "shim.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/syscall.h>
#include <unistd.h>

/*
 * The shim keeps two descriptors (the connection, the event FIFO), moved
 * to SHIM_FD_MIN or above (shim.h).  Under `ulimit -Sn 6` that move
 * failed (F_DUPFD's minimum must be below the soft limit), so they stayed
 * at the lowest free numbers and took two of the program's six: bash's
 * job control then failed ("start_pipeline: pgrp pipe: Too many open
 * files"); and a program that had used all six could not open them, nor
 * the files it maps, and went on without the supervisor (real ids).
 *
 * A descriptor at or above the soft limit is one the program can never be
 * handed (the kernel allocates below the limit only), and it stays valid
 * when the limit is lowered, as natively one inherited from a parent with
 * a higher limit.  So when a move or an open of ours fails for the limit
 * alone (EINVAL, EMFILE), the soft limit is raised for a moment (towards
 * the hard limit, which any process may do; a hard limit as low too, when
 * the process may: CAP_SYS_RESOURCE), the descriptor made or parked at
 * SHIM_FD_MIN or at the old soft limit, and the limits put back.  A
 * process whose hard limit is its soft one and that may not raise it (as
 * bash's `ulimit -n N` leaves it, unprivileged) has no room: there our
 * descriptors stay where they are.  Another thread opening files in that
 * moment could get a number above its old limit instead of EMFILE; the
 * window is a few system calls.  The common case (a limit above
 * SHIM_FD_MIN) makes no call more.
 */

#define ROOM (SHIM_FD_MIN + 8) /* the soft limit while we make ours, under a low one */
#define ROOM_ABOVE 8            /* above a higher one the program has used up */

/*
 * A higher limit has the same problem once the program has used it up: a
 * server at its 1,024 descriptors, or a test opening files until EMFILE,
 * that then forks or asks for its group left us no descriptor for the
 * connection or the view, and the process went on with real ids for good
 * ("supervisor unreachable").  There the soft limit is raised by a few
 * numbers for the moment, so ours lands on the old limit: above every
 * number the program can be handed or name in dup2 (EBADF at or above
 * the limit), as above.
 */
bool shim_fdroom_raise(struct shim_fdroom *r)
{
	struct rlimit up;
	rlim_t want;

	r->raised = false;
	if (shim_raw_syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, 0, (long)&r->saved, 0, 0) != 0 ||
	    r->saved.rlim_cur == RLIM_INFINITY || r->saved.rlim_cur > (rlim_t)(INT_MAX - ROOM_ABOVE))
		return false;
	want = r->saved.rlim_cur <= SHIM_FD_MIN ? ROOM : r->saved.rlim_cur + ROOM_ABOVE;
	up.rlim_cur = want;
	up.rlim_max = r->saved.rlim_max < want ? want : r->saved.rlim_max;
	if (shim_raw_syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, (long)&up, 0, 0, 0) == 0) {
		r->raised = true;
		return true;
	}
	if (r->saved.rlim_max <= r->saved.rlim_cur)
		return false; /* no room */
	up.rlim_cur = r->saved.rlim_max < want ? r->saved.rlim_max : want;
	up.rlim_max = r->saved.rlim_max;
	r->raised = shim_raw_syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, (long)&up, 0, 0, 0) == 0;
	return r->raised;
}

void shim_fdroom_restore(struct shim_fdroom *r)
{
	if (r->raised)
		shim_raw_syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, (long)&r->saved, 0, 0, 0);
	r->raised = false;
}

int shim_fd_park(int fd)
{
	struct shim_fdroom r;
	int hi;

	if (fd < 0 || fd >= SHIM_FD_MIN)
		return fd;
	hi = fcntl(fd, F_DUPFD_CLOEXEC, SHIM_FD_MIN);
	/* EINVAL: the limit is at or below SHIM_FD_MIN; EMFILE: every number
	 * from there to a higher limit is in use. */
	if (hi < 0 && (errno == EINVAL || errno == EMFILE) && shim_fdroom_raise(&r)) {
		/* SHIM_FD_MIN if the raised limit allows it, else the first
		 * number the program cannot have. */
		int want = r.saved.rlim_cur <= SHIM_FD_MIN && r.saved.rlim_max >= ROOM ? SHIM_FD_MIN
											: (int)r.saved.rlim_cur;
		if (fd < want)
			hi = fcntl(fd, F_DUPFD_CLOEXEC, want);
		shim_fdroom_restore(&r);
	}
	if (hi < 0)
		return fd;
	shim_close(fd);
	return hi;
}
