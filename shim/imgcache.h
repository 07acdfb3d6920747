/* imgcache.h — the image decision cache shared by a whole tree: file format and table operations. */
#ifndef JOBSHIM_IMGCACHE_H
#define JOBSHIM_IMGCACHE_H

/*
 * Whether an exec'd image needs the shim (elfscan.c) depends only on the
 * file, so the answer is kept, for the whole tree, in the file
 * the tree's shared file beside the supervisor's socket (its run directory,
 * a secret path every uid of the tree reaches; core/proto.h,
 * PROTO_SHARED_FILE): IMGCACHE_SIZE bytes at PROTO_IMGCACHE_OFF, created
 * zeroed by the supervisor (supervisor/rundir.c), mapped MAP_SHARED by the
 * shims with the vpid counter before it (shim/fork.c, shim_imgcache).  An entry is keyed by
 * the image's identity -- st_dev, st_ino, st_size, st_mtim, st_ctim -- so a
 * rewritten or replaced binary is a different key and is scanned again.
 *
 * Lock-free: each 64-byte slot ends its writes with a checksum word
 * (release), which a reader checks against the words it read (acquire, then
 * the word again).  A torn write of two concurrent writers, a garbage file
 * or a half-written slot reads as a miss (except with probability 2^-64),
 * never as a wrong answer; a miss only costs a scan.
 *
 * The functions below are pure (no system calls, no allocation): safe in a
 * vfork child and a signal handler.  The test tool
 * tests/integration/imgcache_tool.c links them too.
 */

#include <stdint.h>
#include <sys/stat.h>

#include "../core/proto.h"

#define IMGCACHE_SIZE PROTO_IMGCACHE_SIZE
/* Bump when the slot format or the decision rules of elfscan.c change
 * (the exported set is covered by OWN_NAMES_SUM). */
#define IMGCACHE_VERSION 8

enum imgcache_verdict {
	IMGCACHE_MISS = 0,
	IMGCACHE_PLAIN = 1, /* runs without the shim */
	IMGCACHE_KEEP = 2,  /* keeps the shim preloaded */
	IMGCACHE_ALONE = 3, /* runs without the shim (static, set-id) yet may fork */
	IMGCACHE_RAW = 4,   /* keeps the shim, but makes raw pid calls (Go): filtered too */
};

/* The identity of an image file. */
struct imgcache_key {
	uint64_t w[6];
};

void imgcache_key_of(struct imgcache_key *k, const struct stat *st);
/* The verdict stored for k in the mapped file, or IMGCACHE_MISS. */
enum imgcache_verdict imgcache_find(void *map, const struct imgcache_key *k);
/* Store a verdict (PLAIN or KEEP) for k, replacing an older version of the
 * same file (same st_dev and st_ino) or another entry. */
void imgcache_put(void *map, const struct imgcache_key *k, enum imgcache_verdict v);

#endif
