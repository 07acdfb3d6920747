/* sync.h — barriers and state syncs that make a run deterministic. */
#ifndef JSDIFF_SYNC_H
#define JSDIFF_SYNC_H

struct jsd;
struct scn;

/* Barrier b is a pipe at fixed fds (read SYNC_FD_BASE+2b, write +1),
 * created by P0 before its first step and inherited by every fork and
 * exec, so that a re-exec'd image needs no fd numbers in argv.  The base is
 * far above what the scenario's calls create and above the shim's own
 * (from 40, SHIM_FD_MIN: they never meet). */
#define SYNC_FD_BASE 64

/* P0, before the first step: create every barrier's pipe. */
void sync_barriers_create(const struct scn *s);
void sync_signal(int barrier);
void sync_await(int barrier);

/* This process's kernel pid (raw getpid: the vpid under jobshim is not). */
int sync_kernel_pid(void);

/* Results of the waits below.  They open pidfds and read /proc/PID/stat
 * on kernel pids, never through the shim (but see sync_quiesce). */
enum sync_result {
	SYNC_OK = 0,
	SYNC_DEAD,     /* stopped: the process is dead */
	SYNC_NEVER,    /* the process was never created */
	SYNC_TIMEOUT,  /* a bug in the scenario or the system under test */
};

/* Wait until process `proc` has exited (pidfd readable or pid gone), then
 * until every zombie whose parent is init has been reaped (init reaps
 * asynchronously: a later kill or getpgid on it must see the same thing in
 * every run), then JSDIFF_SETTLE_MS if set. */
enum sync_result sync_gone(struct jsd *j, int proc);
/* Wait until `proc` is in a stopped state (T in /proc/PID/stat).  With
 * nth > 0, also until the nth stop aimed at it has been counted
 * (shared_stop_count): an earlier stop that nobody has continued yet must
 * not satisfy a wait for a later one. */
enum sync_result sync_stopped(struct jsd *j, int proc, int nth);
/* Wait until every other process that was created has exited. */
void sync_all_gone(struct jsd *j);

#endif
