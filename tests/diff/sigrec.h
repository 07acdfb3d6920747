/* sigrec.h — record received signals (signo and origin) for the log. */
#ifndef JSDIFF_SIGREC_H
#define JSDIFF_SIGREC_H

#include <signal.h>

struct shared;

/*
 * Handlers for HUP, INT, TERM, USR1, USR2 and CONT (SA_SIGINFO|SA_RESTART,
 * so that blocking calls restart instead of racing into EINTR) record, per
 * signal, whether a sender was a tree process (si_pid is a scenario
 * process's vpid or rpid) or not (the kernel, init/the supervisor).  The
 * record is a set, not a count: standard signals coalesce, so counts would
 * depend on scheduling.  It is logged only at points where the run is
 * synchronised (sigs and exit steps).
 */

void sigrec_install(struct shared *sh);
/* Block the handled signals (around fork and exec, so that none is lost
 * or reset between the record being cleared/handed over and handlers
 * being in place); *old receives the previous mask. */
void sigrec_block(sigset_t *old);
void sigrec_restore(const sigset_t *old);

/* Take (and clear) the record. */
unsigned long long sigrec_take(void);
/* Merge a record back (the one an exec'd image received through argv). */
void sigrec_add(unsigned long long bits);
/* "HUP USR1/tree CONT" in signal-number order (HUP and CONT without
 * origin, see sigrec.c); "none" when empty. */
void sigrec_format(unsigned long long bits, char *out, int outlen);

#endif
