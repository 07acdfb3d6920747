/* token.h — reading scenario argument tokens (names, signals, flags). */
#ifndef JSDIFF_TOKEN_H
#define JSDIFF_TOKEN_H

#include <stdbool.h>

#include "calls.h"

struct scn;
struct shared;

/* A process or barrier name: a letter, then letters, digits or '_'. */
bool token_is_name(const char *t);
/* A decimal or 0x-hex integer, optionally negative. */
bool token_int(const char *t, long *v);

/* Why `t` is not a valid token of `kind` (NULL when it is).  Static text. */
const char *token_check(enum calls_kind kind, const char *t, const struct scn *s);

/* The value of a checked token.  Process names resolve through the shared
 * region; a process not created yet resolves to TOKEN_NOPID (a pid that
 * exists nowhere, so that the call fails with ESRCH/ECHILD as a wrong pid
 * would) and *unresolved is set. */
#define TOKEN_NOPID 99999
long token_value(enum calls_kind kind, const char *t, const struct scn *s,
		 const struct shared *sh, int self, bool *unresolved);

#endif
