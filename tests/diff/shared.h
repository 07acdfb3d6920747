/* shared.h — the region all processes of one run share: pids and labels. */
#ifndef JSDIFF_SHARED_H
#define JSDIFF_SHARED_H

#include <stdbool.h>
#include <sys/types.h>

#include "scn.h"

/*
 * A file in the log directory mapped MAP_SHARED by every process (a file
 * rather than an anonymous mapping so that a re-exec'd process can map it
 * again by name).  Slot i belongs to scenario process i.  Runs are fully
 * synchronised (README.md), so only the token holder allocates labels;
 * slots are written by a parent at fork return (vpid) and by the child at
 * start (vpid, rpid), with the same values, so the race is benign.  A
 * slot's stop count is bumped by whichever process is about to stop it
 * (the process itself for `raise STOP`, the sender for `kill X STOP`):
 * one step at a time, but atomically all the same.
 */

#define SHARED_MAX_UNKNOWN 32

struct shared_slot {
	int vpid; /* the pid the program sees (getpid(), fork's return); 0 unset */
	int rpid; /* the kernel pid (sync_kernel_pid), for /proc and pidfds; 0 unset */
	int stops; /* SIGSTOPs aimed at it so far (counted before each is sent) */
};

struct shared {
	unsigned magic;
	struct shared_slot slot[SCN_MAX_PROCS];
	int nunknown;                   /* pids seen that belong to no process */
	int unknown[SHARED_MAX_UNKNOWN]; /* labelled ?1, ?2, ... in first-seen order */
};

/* Create (P0) or map again (after exec) logdir/shared.  NULL on error. */
struct shared *shared_create(const char *logdir);
struct shared *shared_open(const char *logdir);

void shared_set(struct shared *sh, int proc, int vpid, int rpid);
/* Virtual pid of process `proc`, 0 when it was never created. */
int shared_vpid(const struct shared *sh, int proc);
/* Real pid of `proc`, waiting (up to 15 s) for it to be forked and to
 * register itself; 0 when it never does. */
int shared_rpid_wait(const struct shared *sh, int proc);
/* Count one more stop of `proc`, just before the step that stops it. */
void shared_stop_count(struct shared *sh, int proc);
/* How many stops of `proc` have been counted so far. */
int shared_stops(const struct shared *sh, int proc);
/* True when `pid` is a vpid or rpid of a scenario process (signal-safe). */
bool shared_is_tree(const struct shared *sh, int pid);

/* Label of a pid value: the process name, "init" for 1, "0" for 0, the
 * number for negatives, else ?N (first-seen order, allocated here). */
void shared_label(struct shared *sh, const struct scn *s, int pid, char *out, int outlen);

#endif
