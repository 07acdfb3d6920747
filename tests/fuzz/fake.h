/* fake.h — a tiny fake kernel behind supervisor/sysio.c's interface, for the fuzz target. */
#ifndef JOBSHIM_FAKE_H
#define JOBSHIM_FAKE_H

/*
 * FAKE_NSLOT real processes at most, each in a slot; the fuzz input forks,
 * stops, kills and reaps them.  A slot's rpid changes with its generation,
 * so rpids are reused after FAKE_NGEN generations (the kernel reuses pids).
 * Fake pidfds are eventfds (real fds the supervisor may poll, watch with
 * epoll and close): readable once the process has exited, like a pidfd.
 * The supervisor itself is FAKE_SUP_RPID; FAKE_OUTSIDE_RPID is a process
 * outside the tree (its parent is the real init).
 */

#include <stdbool.h>
#include <sys/types.h>

#define FAKE_NSLOT 15
#define FAKE_NGEN 4
#define FAKE_RPID_BASE 1000
#define FAKE_SUP_RPID 100
#define FAKE_OUTSIDE_RPID 50
#define FAKE_MAXFD 1024

struct fake_proc {
	pid_t rpid;     /* 0: free slot */
	pid_t ppid;     /* real parent; FAKE_SUP_RPID once orphaned (subreaper) */
	char state;     /* 'R', 'T' (stopped) or 'Z' (exited, not yet reaped) */
	int status;     /* wait status once 'Z' */
	unsigned gen;   /* generations of this slot so far */
};

struct fake_kernel {
	struct fake_proc p[FAKE_NSLOT];
	pid_t pidfd_rpid[FAKE_MAXFD]; /* eventfd -> rpid, valid while that fd is an eventfd */
};

extern struct fake_kernel fake;

void fake_reset(void);
struct fake_proc *fake_find(pid_t rpid);   /* live or zombie; NULL otherwise */
pid_t fake_slot_rpid(int slot, int older);  /* the slot's rpid, or an older generation's */
int fake_fork(int slot, pid_t ppid);        /* 0, or -1 when the slot is taken */
void fake_exit(struct fake_proc *p, int status);
void fake_gone(struct fake_proc *p);        /* reaped by its real parent */

#endif
