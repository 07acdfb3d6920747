/* spawn.h — the steps that create a process by exec'ing the executor: vfork, posix_spawn. */
#ifndef JSDIFF_SPAWN_H
#define JSDIFF_SPAWN_H

struct jsd;
struct scn_step;

/*
 * `vfork C` and `posix_spawn C FLAGS PGROUP` start process C as a new image
 * of the executor (`jsdiff start SCN LOGDIR C`), which runs C's list from
 * step 0, as a fork child does.  Logged as one line, like a fork.  A
 * posix_spawn that fails (FLAGS asked for a group the kernel refuses) logs
 * its error and creates C by fork instead, so that the rest of the
 * scenario still has its process.  Returns 0 in such a fork's child (the
 * caller then runs C's list), a positive value in the parent.
 */
long spawn_run(struct jsd *j, const struct scn_step *st, int idx);

#endif
