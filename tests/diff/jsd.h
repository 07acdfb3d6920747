/* jsd.h — the executor's per-process context, shared by its files. */
#ifndef JSDIFF_JSD_H
#define JSDIFF_JSD_H

#include <limits.h>

#include "scn.h"

struct shared;

struct jsd {
	struct scn scn;         /* the parsed scenario (re-parsed after exec) */
	const char *scn_path;   /* argv: passed on at exec */
	const char *logdir;     /* argv: logs and the shared region live here */
	int self;               /* index of the process this image runs */
	int logfd;              /* logdir/NAME.log, O_APPEND; -1 before open */
	struct shared *sh;      /* the shared region (shared.h), mapped */
	char exe[PATH_MAX];     /* this executable, for exec steps */
};

/* The first instructions of a forked child, process `proc` (handled
 * signals still blocked): clear the inherited signal record, register the
 * pids, open the child's own log. */
void jsd_child_start(struct jsd *j, int proc);

/* Fatal executor error (not a scenario outcome): message on stderr, exit 90. */
_Noreturn void jsd_die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
