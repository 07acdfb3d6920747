/* kernrule.h — what the running kernel does where Linux versions differ, found by a probe. */
#ifndef JOBSHIM_KERNRULE_H
#define JOBSHIM_KERNRULE_H

#include <stdbool.h>

/* Does this kernel send the orphaned-group rule's SIGHUP to every member of
 * the group (true), or only to its stopped members (false)?  Probed once,
 * on first use (a few processes for a millisecond or two); true when the
 * probe cannot tell, as POSIX words the rule.  Not thread-safe: the
 * supervisor's loop only. */
bool kernrule_orphan_hup_all(void);

/* The probe itself, uncached: 1 every member, 0 the stopped ones only,
 * -1 it could not tell. */
int kernrule_probe_orphan_hup(void);

#endif
