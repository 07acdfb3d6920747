/* corename.h — core_pattern's file name for a pid, as the kernel builds it (the part jobshim can rebuild). */
#ifndef JOBSHIM_CORENAME_H
#define JOBSHIM_CORENAME_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * The name the kernel gives a core file (core(5)): pattern with %p the
 * dumper's pid (in its own pid namespace), %s the signal number, %% a
 * percent sign; "core" when the pattern is empty; ".PID" appended when it
 * has no %p and core_uses_pid is set.  Into out (cap bytes).  false: a pipe
 * ("|program"), another specifier (the time, the host, the executable's
 * name: not rebuilt, so never guessed), or a name that does not fit.
 * Pure: the caller reads the two /proc/sys files and does the renaming
 * (shim/corename.c, supervisor/procs.c).
 */
bool corename_build(const char *pattern, bool uses_pid, pid_t pid, int sig, char *out, size_t cap);

#endif
